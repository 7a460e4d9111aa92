// surfaces/gemini_generate.hpp — the caller-facing Gemini surface
// (`POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent` with and without
// `alt=sse`, and `:countTokens`; `/v1/` and `/v1alpha/` paths are accepted too).
//
// Owns: splitting the path into model alias + method; decoding a GenerateContentRequest into a
// ChatRequest (source = Gemini) — camelCase and proto snake_case member names are accepted
// everywhere, even mixed, as Google's own JSON parser does; rendering canonical events as
// GenerateContentResponse chunks, either as SSE (`data: <json>\r\n\r\n`, Google's CRLF framing)
// or as the bare JSON-array stream (`[chunk,\r\nchunk]`, content-type application/json);
// rendering the folded non-streaming body; Google-RPC-shaped errors; and the countTokens body.
//
// Request decoding choices:
//   * The model is the alias in the path; a body `model` member is accepted and ignored.
//   * Unknown member names are 400 INVALID_ARGUMENT with Google's wording ("Invalid JSON payload
//     received. Unknown name \"x\" at 'generationConfig': Cannot find field."); `param` names the
//     path as the caller spelled it. Null members count as absent (proto3 JSON).
//   * functionCall ids: `functionCall.id` when given, else providers::synth_tool_id(model + "#" +
//     content index, k-th call of that content) — stable across turns. A functionResponse is
//     paired with the call having its `id`, else with the first not-yet-answered call of the same
//     name (in order); its Role::Tool message carries that call's id and `tool_name` = name, and
//     its text is the minified `response` object kept as JSON (never unwrapped from {"output"}),
//     so a Gemini upstream receives the identical object back and no string is reinterpreted.
//   * thoughtSignature: on a functionCall part → ToolCall::thought_signature; on a text part →
//     ContentPart::signature. Thought parts (`thought: true`) become Thinking parts; adjacent
//     thought parts merge until one carrying a signature closes the block. A signature this
//     surface wrapped for another protocol (providers/carry.hpp) is unwrapped and keeps its
//     origin in ContentPart::signature_origin.
//   * inlineData / fileData with an image/* mime type → Image parts; inlineData with
//     application/pdf → a File part (standard base64, displayName as filename), so the PDF
//     reaches OpenAI as a `file` and Anthropic as a `document`; other media (audio, video,
//     YouTube, files by URI) and executableCode / codeExecutionResult / parts with videoMetadata
//     are Raw parts holding the part JSON (only a Gemini upstream can take them).
//   * `parameters` and `responseSchema` (Google's OpenAPI subset) are converted to JSON Schema
//     (lower-case types, `nullable` → a "null" type, propertyOrdering dropped);
//     `parametersJsonSchema` / `responseJsonSchema` travel unchanged.
//   * Built-in tools (googleSearch, codeExecution, urlContext, ...) are rejected with 400
//     UnsupportedParameter naming `tools[i].<name>`: the surface cannot know the upstream, and
//     passing them to another provider would silently drop them.
//   * candidateCount > 1 → 400 UnsupportedParameter. thinkingConfig.thinkingBudget →
//     reasoning_budget_tokens (verbatim, -1 = dynamic, 0 = off); thinkingLevel → reasoning_effort
//     (lower-cased); includeThoughts → include_thoughts. toolConfig mode AUTO/VALIDATED → auto,
//     ANY → required (or the function when allowedFunctionNames has exactly one name), NONE → none.
//   * ChatRequest::extras (same-protocol passthrough, camelCase keys): safetySettings,
//     cachedContent, labels, modelArmorConfig, and — holding only the members OpenRain does not
//     model — generationConfig (responseModalities, presencePenalty, speechConfig, ..., and
//     responseMimeType/responseSchema for text/x.enum) and toolConfig (retrievalConfig).
//
// Response rendering choices: modelVersion is the alias; responseId is EncodeContext::response_id
// on every frame. A streamed tool call becomes ONE functionCall part {name, args object, id} (id
// omitted when it was synthesised because a Gemini upstream sent none, matching Google's shape)
// with thoughtSignature when its ToolCallStart carried one; calls are buffered until the next
// frame is written, so parallel calls share one chunk (the final one when nothing follows them).
// A text delta's Gemini signature stays on its text part (also a signature-only `{"text":""}`
// part). Reasoning is `thought: true` text; a reasoning signature is a
// `{"text":"","thought":true,"thoughtSignature":...}` part, verbatim from a Gemini upstream and
// wrapped (providers/carry.hpp, valid base64) from any other;
// redacted reasoning has no Gemini form and is omitted. usageMetadata appears on every frame once
// a Usage event was seen, and always on the final frame. A frame without parts carries
// `[{"text":""}]`. on_idle writes nothing (Google's SDKs do not tolerate SSE comments).
// Thread-safety: the Surface is stateless and shared; parsing uses json::thread_reader() (one per
// thread); each encoder is per-request and single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "openrain/canonical.hpp"
#include "openrain/http.hpp"
#include "surfaces/surface.hpp"

namespace openrain::surfaces {

/// The model alias and method of a Gemini path.
struct GeminiPath {
  std::string model;   // alias, percent-decoded ("gemini-2.5-flash")
  std::string method;  // "generateContent" | "streamGenerateContent" | "countTokens"
};

/// Split "/v1beta/models/<model>:<method>" (also /v1/ and /v1alpha/; the colon may arrive as
/// "%3A"; split on the last colon; a trailing '/' is ignored). nullopt when the path is not a
/// Gemini model method this surface serves.
std::optional<GeminiPath> parse_gemini_path(std::string_view path);

/// The shared Gemini surface (static lifetime). Its make_encoder uses SSE framing; the pipeline
/// calls make_gemini_encoder itself to honour the request's `alt` query parameter.
const Surface& gemini_generate_surface();

/// Decode a generateContent / streamGenerateContent request (model and stream from the path;
/// a countTokens path is delegated to parse_gemini_count_tokens).
Result<ChatRequest> parse_gemini_request(const HttpRequest& req);

/// Decode a countTokens body: `{"contents":[...]}` or `{"generateContentRequest":{...}}`.
Result<ChatRequest> parse_gemini_count_tokens(const HttpRequest& req);

/// Append the countTokens body `{"totalTokens":n,"promptTokensDetails":[...]}` to `out`.
void render_gemini_count_tokens(int64_t n, std::string& out);

/// True when the request asked for SSE framing (`alt=sse` in the query string).
bool gemini_wants_sse(const HttpRequest& req);

/// Content type of a streamed answer: SSE or the JSON-array stream.
const char* gemini_stream_content_type(bool sse);

/// A per-request encoder; `sse` selects SSE frames, otherwise the JSON-array stream.
std::unique_ptr<SurfaceEncoder> make_gemini_encoder(const EncodeContext& ctx, bool sse);

/// Gemini `finishReason` for `r`: Stop/StopSequence/ToolCalls → STOP, Length → MAX_TOKENS,
/// ContentFilter → SAFETY, Other → OTHER.
const char* gemini_finish_reason(FinishReason r);

/// Write `usageMetadata` for `u` as the next value of `w`: promptTokenCount (= input),
/// cachedContentTokenCount (when > 0), candidatesTokenCount (= output - reasoning),
/// thoughtsTokenCount (when > 0), totalTokenCount.
void write_gemini_usage(const Usage& u, json::Writer& w);

/// HTTP status and Google canonical status name this surface uses for `err`.
int gemini_error_http_status(const Error& err);
const char* gemini_error_status(const Error& err);

/// Write `{"code","message","status"[,"details"]}` as the next value of `w`. Details (ErrorInfo
/// API_KEY_INVALID for Authentication, RetryInfo for 429s with a known delay) only when
/// `with_details`.
void write_gemini_error_object(const Error& err, json::Writer& w, bool with_details);

/// Render `err` as a complete Gemini HTTP error: status, `content-type: application/json`, the
/// forwarded `err.headers`, `retry-after` (whole seconds, rounded up) when known, and the body
/// `{"error":{...}}`. `body` is replaced.
void render_gemini_error(const Error& err, ResponseHead& head, std::string& body);

namespace gemini_detail {

// Request-decoding helpers shared by gemini_generate_parse.cpp (defined in gemini_generate.cpp).

/// proto snake_case → lowerCamelCase ("max_output_tokens" → "maxOutputTokens"); camelCase and
/// names without '_' pass unchanged.
std::string canon(std::string_view key);

/// Google's wording: `Invalid JSON payload received. Unknown name "x" at 'parent': Cannot find
/// field.`; param = parent.x.
Error unknown_name(std::string_view name, std::string_view parent);
/// `Invalid value at '<path>' (<want>), <value>`; param = path.
Error type_err(const std::string& path, std::string_view want, json::Element got);
/// `<path>: <message>`; param = path.
Error bad_value(const std::string& path, std::string_view message);
/// `<path>: required field is not specified`; param = path.
Error missing(const std::string& path);

/// Typed values of present (non-null) members; errors name `path`. Integers accept integral
/// numbers and numeric strings (proto3 JSON).
Result<std::string_view> as_string(json::Element v, const std::string& path);
Result<int64_t> as_int(json::Element v, const std::string& path);
Result<double> as_number(json::Element v, const std::string& path);
Result<bool> as_bool(json::Element v, const std::string& path);
Result<json::Object> as_object(json::Element v, const std::string& path);
Result<json::Array> as_array(json::Element v, const std::string& path);
Status expect_string(json::Element v, const std::string& path);
Status expect_bool(json::Element v, const std::string& path);
Status expect_object(json::Element v, const std::string& path);
Status expect_array(json::Element v, const std::string& path);

/// Google's OpenAPI-subset Schema → JSON Schema (minified): `type` lower-cased, `nullable: true`
/// → `["t","null"]`, `propertyOrdering` and `format: "enum"` dropped, keyword names folded to
/// camelCase (property names untouched), recursing through properties / items / anyOf.
std::string openapi_to_json_schema(json::Element schema);

}  // namespace gemini_detail

}  // namespace openrain::surfaces
