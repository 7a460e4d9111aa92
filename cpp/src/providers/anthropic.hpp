// providers/anthropic.hpp — the Anthropic Messages upstream (`POST /v1/messages`).
//
// Owns the translation between the canonical hub types and Anthropic's wire format:
//   * build_anthropic_request (anthropic_request.cpp): ChatRequest → request body and headers.
//     System messages (wherever they appear) are lifted into top-level `system`; tool results
//     become `tool_result` blocks in user turns (placed before any text); consecutive same-role
//     turns are merged; tool-call ids are sanitised with safe_tool_id() on both sides so they stay
//     paired; empty text blocks are never sent; `max_tokens` is always present; inline files are
//     PDF or text documents (or images), any other type is a 400 naming the part. Unknown fields
//     are passed through only when the caller itself spoke Anthropic (req.source == Anthropic).
//   * make_anthropic_decoder (anthropic_decoder.cpp): SSE stream or JSON body → StreamEvents,
//     split-invariant, with usage normalised to OpenRain's inclusive convention (input_tokens =
//     uncached + cache read + cache write) and `server_tool_use` carried raw.
//   * classify_anthropic_error (anthropic.cpp): `{"type":"error","error":{type,message}}` bodies
//     and HTTP statuses → the one ErrorKind taxonomy; rate-limit headers forwarded; the API key is
//     never echoed.
// Thread-safety: the Provider object is stateless and shared; decoders are per-request and
// single-threaded.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "providers/provider.hpp"

namespace openrain::providers {

/// The shared Anthropic Messages provider (static lifetime).
const Provider& anthropic_provider();

namespace anthropic {

/// The `anthropic-version` header value sent on every request.
inline constexpr std::string_view kApiVersion = "2023-06-01";

/// Encode `req` for deployment `d` (see file comment). Errors: InvalidRequest for malformed tool
/// arguments / schemas, UnsupportedParameter for features Anthropic cannot honour faithfully
/// (response_format json_object).
Result<UpstreamRequest> build_request(const ChatRequest& req, const Deployment& d,
                                      TranslationReport& report);

/// A decoder for a 2xx Messages response: SSE when `streaming`, one JSON message otherwise.
std::unique_ptr<ResponseDecoder> make_decoder(const ChatRequest& req, const Deployment& d,
                                              bool streaming);

/// Classify an upstream error. `status` is the HTTP status (0 for an in-stream `error` event).
Error classify_error(int status, const Headers& headers, std::string_view body,
                     const Deployment& d);

/// The `anthropic-ratelimit-*` headers of a 2xx answer (lower-case names), for the caller.
Headers forwarded_response_headers(const Headers& headers);

/// Map an Anthropic `error.type` (+ message, + HTTP status when known) to an Error without
/// headers. Used for HTTP errors and for in-stream `event: error` payloads.
Error error_from_type(std::string_view type, std::string_view message, int status,
                      const Deployment& d);

}  // namespace anthropic
}  // namespace openrain::providers
