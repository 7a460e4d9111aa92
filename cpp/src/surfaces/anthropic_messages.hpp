// surfaces/anthropic_messages.hpp — the caller-facing Anthropic Messages surface
// (`POST /v1/messages`, also `?beta=true`, and the request half of `/v1/messages/count_tokens`).
//
// Owns: decoding a Messages request body into a ChatRequest (source = Anthropic) with errors that
// name the offending field path in OpenRain's style ("messages[1].content[0].source") and
// Anthropic's wording ("<path>: Field required", "<name>: Extra inputs are not permitted");
// rendering canonical events as Anthropic's named SSE events (message_start, strictly sequential
// content blocks with indices counting from 0, one ping after the first block start,
// message_delta, message_stop); rendering the folded non-streaming `message` body; and
// Anthropic-shaped errors (`{"type":"error","error":{type,message},"request_id"?}`, 529 for
// overload, "prompt is too long" for context overflow so Claude Code's compaction triggers).
//
// Carrying Anthropic-only data through the hub:
//   * `cache_control` (and other unmodelled members) of text/image blocks and system blocks is
//     kept as the part's `raw` extras object, e.g. {"cache_control":{"type":"ephemeral"}};
//     a `tool_result`'s own cache_control goes on the last part of that Tool message's content.
//   * `document` blocks with a base64 or url source become ContentPart::Kind::File (media_type +
//     data, or url; `filename` = title; the other members such as context, citations and
//     cache_control as `raw` extras), so other upstreams get the PDF too. Documents with text /
//     content / file sources, search_result, server-tool, container and file-image blocks become
//     ContentPart::Kind::Raw holding the block JSON (only an Anthropic upstream can take them).
//   * service_tier, container, mcp_servers, context_management, top-level cache_control and
//     inference_geo are ChatRequest::extras; metadata, thinking and output_config are modelled
//     (user, reasoning_*, response_format) AND kept raw in extras, so an Anthropic upstream can
//     merge the caller's unmodelled members back; `anthropic-beta` headers (repeatable) become
//     one forward_headers entry, values joined with ","; the client identification headers
//     (user-agent, x-app, x-stainless-*) become forward_headers entries too (only an Anthropic
//     upstream sends them on). A text block's `citations` is kept in its `raw` extras.
//   * Server tools (a `tools[i]` whose `type` is not "custom", e.g. web_search_20250305) become a
//     ToolDef of kind Server with the tool's name and type, empty `parameters` and the whole tool
//     object as `raw_extras`: an Anthropic upstream re-emits them unchanged; for any other
//     upstream providers/request_policy.hpp rejects them with a 400 naming the tool.
//   * Responses: output an Anthropic upstream returns that OpenRain does not model (server-tool
//     blocks, web_search_tool_result, citations, text block boundaries) arrives as NativeBlock /
//     TextStart / TextAnnotation events and is re-emitted unchanged, streamed or not.
//   * Ordering inside an assistant turn: text / thinking / raw blocks stay in order in `content`;
//     tool_use blocks go to `tool_calls` (their position relative to text is not kept).
// Thread-safety: the Surface is stateless and shared; parsing uses json::thread_reader() (one per
// thread); each encoder is per-request and single-threaded.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "json/writer.hpp"
#include "openrain/canonical.hpp"
#include "openrain/http.hpp"
#include "surfaces/surface.hpp"

namespace openrain::surfaces {

/// The shared Anthropic Messages surface (static lifetime).
const Surface& anthropic_messages_surface();

/// Decode a Messages (or count_tokens, with `require_max_tokens` false) request. Client mistakes
/// are InvalidRequest errors naming the field (`param`) with Anthropic's wording in `message`.
Result<ChatRequest> parse_anthropic_request(const HttpRequest& req, bool require_max_tokens);

/// A per-request encoder producing Messages SSE events / bodies.
std::unique_ptr<SurfaceEncoder> make_anthropic_messages_encoder(const EncodeContext& ctx);

/// Anthropic `stop_reason` for `r` (end_turn, stop_sequence, max_tokens, tool_use, refusal).
const char* anthropic_stop_reason(FinishReason r);

/// Write the Anthropic `usage` object for `u` as the next value of `w`. Anthropic's
/// `input_tokens` excludes cached input: input_tokens = u.input - cached - cache_write.
/// `server_tool_use` is written when an Anthropic upstream reported it (Usage::server_tool_use).
void write_anthropic_usage(const Usage& u, json::Writer& w);

/// Anthropic `error.type` for `err` (invalid_request_error, authentication_error, ...).
std::string_view anthropic_error_type(const Error& err);

/// HTTP status this surface uses for `err` (e.g. 529 for Overloaded, 402 for QuotaExceeded).
int anthropic_error_status(const Error& err);

/// The error message shown to the caller; context overflow always contains "prompt is too long".
std::string anthropic_error_message(const Error& err);

/// Render `err` as a complete Anthropic HTTP error: status, `content-type: application/json`,
/// the forwarded `err.headers`, `retry-after` (whole seconds, rounded up) when known, and the body
/// `{"type":"error","error":{"type","message"},"request_id"?}`. `body` is replaced.
void render_anthropic_error(const Error& err, ResponseHead& head, std::string& body);

}  // namespace openrain::surfaces
