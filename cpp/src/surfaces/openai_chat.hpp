// surfaces/openai_chat.hpp — the caller-facing OpenAI Chat Completions surface
// (`POST /v1/chat/completions`).
//
// Owns: decoding a Chat Completions request body into a ChatRequest (source = OpenAIChat) with
// OpenAI's own validation behaviour (errors name the offending field path exactly as OpenAI does,
// e.g. "messages[1].content"; unknown top-level arguments are rejected; documented fields OpenRain
// does not model are kept raw in ChatRequest::extras for same-protocol passthrough), rendering
// canonical events as `chat.completion.chunk` SSE frames ending in `data: [DONE]`, rendering the
// folded non-streaming `chat.completion` body, and OpenAI-shaped errors (surfaces/openai_errors).
// The `model` echoed to the caller is always the alias, never the upstream model id.
// Content parts: text, image_url (http(s) or base64 data URL) and inline `file` parts
// (`file_data` data URL, e.g. a PDF → ContentPart::Kind::File) via surfaces/openai_parts;
// files by `file_id` and input_audio are 400s (nothing is stored or fetched here).
// Thread-safety: the Surface is stateless and shared; parsing uses json::thread_reader() (one per
// thread); each encoder is per-request and single-threaded.
#pragma once

#include <memory>
#include <string_view>

#include "json/writer.hpp"
#include "openrain/canonical.hpp"
#include "surfaces/surface.hpp"

namespace openrain::surfaces {

/// The shared Chat Completions surface (static lifetime).
const Surface& openai_chat_surface();

/// Decode a Chat Completions request body. Client mistakes are 400 errors naming the field.
Result<ChatRequest> parse_openai_chat_request(std::string_view body);

/// A per-request encoder producing Chat Completions chunks / bodies.
std::unique_ptr<SurfaceEncoder> make_openai_chat_encoder(const EncodeContext& ctx);

/// Write the Chat Completions `usage` object for `u` as the next value of `w`.
void write_openai_chat_usage(const Usage& u, json::Writer& w);

/// Chat Completions `finish_reason` string for `r` ("stop", "length", "tool_calls",
/// "content_filter").
const char* openai_chat_finish_reason(FinishReason r);

}  // namespace openrain::surfaces
