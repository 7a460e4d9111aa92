// providers/gemini.hpp — the Gemini Developer API (generateContent) provider adapter.
//
// Owns the Gemini upstream wire format end to end:
//   * request encoding (gemini_request.cpp): systemInstruction, user/model contents with role
//     merging and alternation (function responses alone in their turn; a short bridging model
//     turn before human text that follows them; an opening user turn when the history starts
//     with the model), functionCall / functionResponse parts (names resolved from earlier calls,
//     parallel results in call order, ids echoed unless the gateway synthesised them,
//     thoughtSignature round trip — Gemini-minted signatures only, including one a thinking
//     block carried — plus the documented "skip_thought_signature_validator" sentinel), images
//     (inline, or Files API / gs:// URIs; another public URL is a 400 because Gemini cannot fetch
//     it), tools, toolConfig, generationConfig;
//   * reasoning control per model family (gemini_thinking.cpp): a thinkingBudget in the family's
//     range for Gemini 2.5, a thinkingLevel the family supports for Gemini 3;
//   * JSON-Schema clean-up for the Developer API's OpenAPI-subset Schema (gemini_schema.cpp),
//     shared by tool parameters and responseSchema;
//   * response decoding (gemini_decoder.cpp): SSE (`alt=sse`), the bare JSON-array stream and
//     non-streaming bodies, including Vertex streamed function-call arguments; text-part
//     signatures travel on TextDelta, thought-part ones as ReasoningSignature;
//     MALFORMED_FUNCTION_CALL / UNEXPECTED_TOOL_CALL / TOO_MANY_TOOL_CALLS end a non-Gemini
//     caller's response with a retryable UpstreamServerError (a Gemini caller sees the reason);
//   * error classification (gemini_errors.cpp) from Google RPC error bodies.
// Everything here is stateless and thread-safe except decoders, which are per-request and
// single-threaded. No function copies the upstream API key into an Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openrain/canonical.hpp"
#include "openrain/config.hpp"
#include "openrain/http.hpp"
#include "openrain/status.hpp"
#include "providers/provider.hpp"

namespace openrain::providers {

/// The shared Gemini provider (static lifetime).
const Provider& gemini_provider();

/// Convert a JSON Schema (raw JSON) into the subset the Gemini Developer API accepts: unknown
/// keywords removed (additionalProperties, $schema, $id, $comment, strict, examples, ...), local
/// `$ref`s into `$defs` / `definitions` inlined (recursive references are an error), `const` →
/// `enum`, `["T","null"]` type arrays and null branches of anyOf/oneOf → `nullable: true`, allOf
/// merged, `required` restricted to declared properties. Errors are InvalidRequest naming `param`.
/// Returns minified JSON.
Result<std::string> gemini_clean_schema(std::string_view json, std::string_view param);

/// Encode `req` as a Gemini generateContent / streamGenerateContent request.
Result<UpstreamRequest> build_gemini_request(const ChatRequest& req, const Deployment& d,
                                             TranslationReport& report);

/// A decoder for one Gemini response body (streamed: SSE or JSON array, sniffed; or whole).
std::unique_ptr<ResponseDecoder> make_gemini_decoder(const ChatRequest& req, const Deployment& d,
                                                     bool streaming);

/// Classify a non-2xx Gemini answer (Google RPC error body, possibly wrapped in an array).
Error classify_gemini_error(int status, const Headers& headers, std::string_view body,
                            const Deployment& d);

namespace gemini_detail {

/// How one Gemini model family takes reasoning control (a row of the table in
/// gemini_thinking.cpp; protocols/gemini.md §2).
struct ThinkingFamily {
  enum class Control : uint8_t { Budget, Level };
  std::string_view prefix;    // model id prefix (lower case; must end at a non-digit)
  std::string_view contains;  // and this substring ("" = any)
  Control control;
  int64_t min_budget;         // Budget: the smallest thinking budget above 0
  int64_t max_budget;         // Budget: the largest
  bool can_disable;           // Budget: thinkingBudget 0 turns thinking off
  uint8_t levels;             // Level: supported thinkingLevels (bit 0 MINIMAL .. bit 3 HIGH)
};

/// The family of upstream model id `model` ("models/" or another resource path allowed); a
/// budget family like Gemini 2.5 Flash for models the table does not know.
const ThinkingFamily& thinking_family(std::string_view model);

/// What goes into generationConfig.thinkingConfig besides includeThoughts: at most one of a
/// budget and a level ("MINIMAL" / "LOW" / "MEDIUM" / "HIGH"); neither when nothing was asked.
struct ThinkingChoice {
  std::optional<int64_t> budget;
  std::string_view level;
};

/// Map the canonical reasoning controls of `req` onto model `model`:
///  * reasoning_effort on a budget family: none/minimal → 0 where the model can turn thinking
///    off, else its smallest budget; low 1024, medium 8192, high 24576, xhigh/max the family's
///    largest; clamped to the family's range;
///  * reasoning_effort on a level family: the same level when supported, else the next one up
///    (none → the lowest level);
///  * "none" on a model that cannot turn thinking off, and an unknown effort, are reported as
///    `reasoning_effort` (with a reason) in `report`;
///  * reasoning_budget_tokens: a Gemini caller's own budget, and -1 (dynamic), go as sent;
///    another protocol's budget is clamped to the family's range, or becomes the level it stands
///    for (≤ 1024 LOW, ≤ 8192 MEDIUM, above HIGH) on a level family.
ThinkingChoice resolve_thinking(const ChatRequest& req, std::string_view model,
                                TranslationReport& report);

/// Classify one Google RPC `{"code","message","status","details"}` object's JSON text (the value
/// of "error"). Used for HTTP errors and for `{"error":...}` chunks inside a stream.
Error classify_error_object(std::string_view error_json, int http_status, const Headers& headers,
                            const Deployment& d);

/// Incremental splitter for a top-level JSON array streamed over time ("[{...}\n,\r\n{...}\n]"):
/// yields each element's text as soon as it is complete. Tracks string / escape state and
/// nesting depth only; the elements themselves are validated by the JSON parser afterwards.
class JsonArraySplitter {
 public:
  explicit JsonArraySplitter(size_t max_element_bytes = 16u << 20)
      : max_element_bytes_(max_element_bytes) {}
  /// Consume `bytes`, appending completed elements to `out`. UpstreamProtocol error on bytes that
  /// cannot belong to a JSON array of objects/arrays.
  Status feed(std::string_view bytes, std::vector<std::string>& out);
  /// The closing ']' was seen.
  bool done() const { return state_ == State::Done; }
  /// Some element has started but not completed.
  bool mid_element() const { return state_ == State::InElement; }

 private:
  enum class State : uint8_t { BeforeArray, BeforeElement, InElement, AfterElement, Done };
  State state_ = State::BeforeArray;
  std::string cur_;
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  size_t bom_seen_ = 0;
  size_t max_element_bytes_;
};

}  // namespace gemini_detail

}  // namespace openrain::providers
