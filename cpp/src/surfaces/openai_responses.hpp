// surfaces/openai_responses.hpp — the caller-facing OpenAI Responses surface (`POST /v1/responses`).
//
// Owns: decoding a Responses request body into a ChatRequest (source = OpenAIResponses) with
// OpenAI's validation wording (errors name the field path, e.g. "input[2].call_id"; unknown
// top-level names are rejected with "Unknown parameter: '<name>'."), rendering canonical events as
// the typed Responses SSE lifecycle (`event: <type>` == data.type, `sequence_number` from 0,
// strictly sequential output items, terminal response.completed / response.incomplete /
// response.failed, no `[DONE]`), rendering the folded non-streaming `response` object, and
// OpenAI-shaped errors (surfaces/openai_errors) with one Responses difference: an unknown model
// is HTTP 400 `model_not_found` with param "model" (Chat says 404).
//
// OpenRain is stateless: `previous_response_id`, `conversation`, `background: true`, stored
// `prompt` templates and `item_reference` inputs are 400 errors explaining that the full
// conversation must be sent in `input`. `store` is accepted (and passed through to a Responses
// upstream) but nothing is ever kept; the echoed `store` is always false.
//
// Carrying Responses-only data through the hub:
//   * input items: messages (typed or "easy" `{role, content}`), `function_call` (consecutive calls
//     and a preceding reasoning / assistant message form ONE assistant message), and
//     `function_call_output` (a Role::Tool message, tool name resolved from the matching call).
//   * `reasoning` items become a ContentPart::Kind::Thinking with `text` = the summary texts joined
//     by "\n\n", an empty `signature` (an encrypted_content is only valid for OpenAI, so other
//     providers never replay it) and `raw` = the whole item JSON for a Responses upstream.
//   * input_file parts (user content and function_call_output) become ContentPart::Kind::File:
//     inline `file_data` data URLs, or http(s) `file_url`s; by `file_id` they are 400s.
//   * `instructions` (non-empty) becomes a System message placed first; the string as given is
//     also kept raw in extras under "instructions", only for the Response object's echo.
//   * function tools are flat; `strict` defaults to TRUE here (Responses semantics), so a ToolDef
//     always carries an explicit strict. Hosted tools (web_search, file_search, ...) are 400s.
//   * `text` and `reasoning` are modelled (response_format, reasoning_effort / include_thoughts)
//     AND kept raw in extras, so a Responses upstream can merge their unmodelled members
//     (text.verbosity, ...) back; metadata, store, include, prompt_cache_key,
//     prompt_cache_retention, service_tier, truncation, safety_identifier, top_logprobs and
//     max_tool_calls travel raw in extras (same-protocol passthrough only).
//   * Streaming reasoning goes out as a reasoning item with one summary part; its
//     `encrypted_content` is only emitted when the upstream speaks Responses (the canonical
//     ReasoningSignature then is OpenAI's encrypted content).
// Thread-safety: the Surface is stateless and shared; parsing uses json::thread_reader() (one per
// thread); each encoder is per-request and single-threaded.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/writer.hpp"
#include "openrain/canonical.hpp"
#include "openrain/http.hpp"
#include "surfaces/surface.hpp"

namespace openrain::surfaces {

/// The shared Responses surface (static lifetime).
const Surface& openai_responses_surface();

/// Decode a Responses request body. Client mistakes are 400 errors naming the field.
Result<ChatRequest> parse_openai_responses_request(std::string_view body);

/// The request fields a Response object echoes (instructions, tools, tool_choice, text, ...), as
/// (key, minified JSON value) pairs in wire order. With `req` null: OpenAI's defaults.
std::vector<std::pair<std::string, std::string>> openai_responses_echo(const ChatRequest* req);

/// A per-request encoder producing Responses SSE events / bodies. `req`, when given, fills the
/// request echo of every Response object (see openai_responses_echo); it is read only here.
std::unique_ptr<SurfaceEncoder> make_openai_responses_encoder(const EncodeContext& ctx,
                                                              const ChatRequest* req = nullptr);

/// Write the Responses `usage` object for `u` as the next value of `w`.
void write_openai_responses_usage(const Usage& u, json::Writer& w);

/// Render `err` as a Responses HTTP error: the OpenAI shape, except that an unknown model
/// (NotFound / model_not_found) is 400 with param "model". `body` is replaced.
void render_openai_responses_error(const Error& err, ResponseHead& head, std::string& body);

}  // namespace openrain::surfaces
