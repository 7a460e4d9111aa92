// canonical.hpp — the hub: the one request type and the one stream-event type.
//
// Owns: ChatRequest (what every surface decodes into and every provider encodes from) and
// StreamEvent (what every provider decoder emits and every surface encoder consumes). Surfaces and
// providers never see each other; they meet only here, so N surfaces + M providers cost N + M
// pieces. A non-streaming response is the fold of the event stream (see pipeline/fold.hpp).
//
// JSON sub-documents OpenRain does not model (tool schemas, unknown top-level fields, Anthropic
// cache_control, ...) are carried as minified raw JSON strings. Unknown fields are tagged with the
// protocol they came from (`ChatRequest::source`) and only re-emitted by a provider speaking that
// same protocol, so same-protocol traffic keeps them unchanged. Likewise on the way back: output
// the hub does not model (server-tool blocks, citations) travels as NativeBlock / TextStart /
// TextAnnotation events tagged with their protocol (`StreamEvent::native`), re-emitted only by
// the surface speaking it.
// Thread-safety: plain owning values; no shared state. All strings are owned (no views).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "openrain/status.hpp"

namespace openrain {

/// Wire protocols, used both for caller-facing surfaces and for upstream providers.
enum class Protocol : uint8_t { OpenAIChat, OpenAIResponses, Anthropic, Gemini };
const char* protocol_name(Protocol p);

/// A raw JSON member: `key` and its minified JSON value.
struct RawField {
  std::string key;
  std::string json;
};

enum class Role : uint8_t { System, User, Assistant, Tool };

struct ContentPart {
  enum class Kind : uint8_t {
    Text,
    Image,             // url (http(s)) or inline base64 (media_type + data)
    Thinking,          // reasoning text + signature (Anthropic thinking block)
    RedactedThinking,  // opaque data
    File,              // a document (PDF, ...): inline base64 (media_type + data) or url
    Raw,               // a block only the source protocol understands (raw JSON)
  };
  Kind kind = Kind::Text;
  std::string text;        // Text / Thinking
  std::string url;         // Image / File by URL (http/https); empty when inline
  std::string media_type;  // Image / File inline: "image/png", "application/pdf"
  std::string data;        // Image / File inline: base64 without "data:" prefix;
                           // RedactedThinking data
  std::string filename;    // File: file name or document title, optional
  std::string detail;      // OpenAI image detail ("auto"/"low"/"high"), optional
  std::string signature;   // Thinking signature / Gemini thoughtSignature on a text part
  // Protocol that minted `signature`; nullopt = ChatRequest::source. A surface sets it when it
  // reads back a signature it showed for another protocol (see providers/carry.hpp); providers
  // send a signature only to the protocol that minted it.
  std::optional<Protocol> signature_origin;
  std::string raw;         // Raw: the block JSON; for other kinds: source-protocol extras object
                           // (e.g. Anthropic {"cache_control":{...}}) or empty
};

struct ToolCall {
  std::string id;                 // the upstream's own id; surfaces decode what they showed
                                  // the caller (see providers/carry.hpp)
  std::string name;
  std::string arguments;          // JSON text, exactly as produced (object for valid calls)
  std::string thought_signature;  // Gemini thoughtSignature carried by this call, if any
};

struct Message {
  Role role = Role::User;
  bool developer = false;          // OpenAI "developer" rather than "system"
  std::vector<ContentPart> content;
  bool content_was_string = false; // caller sent a plain string (for faithful same-format output)
  std::vector<ToolCall> tool_calls;  // Assistant only
  std::string tool_call_id;        // Tool only: the call this result answers
  std::string tool_name;           // Tool only: resolved from the matching assistant call
  bool is_error = false;           // Tool only: Anthropic is_error
  std::string name;                // OpenAI participant name, optional
};

struct ToolDef {
  /// Function: a client tool the model calls with JSON arguments (every provider has them).
  /// Server: a tool the upstream itself runs (Anthropic web_search_20250305, bash_20250124, ...),
  /// carried whole in `raw_extras`; only a provider of the source protocol can declare it
  /// (providers/request_policy.hpp rejects it for the others).
  enum class Kind : uint8_t { Function, Server };
  Kind kind = Kind::Function;
  std::string type;                // Server: the native tool type, e.g. "web_search_20250305"
  std::string name;
  std::string description;
  std::string parameters;          // JSON Schema (raw JSON); empty when the caller gave none
  std::optional<bool> strict;
  std::string raw_extras;          // source-protocol extras object (e.g. cache_control), or empty
};

struct ToolChoice {
  enum class Mode : uint8_t { Unset, Auto, None, Required, Function };
  Mode mode = Mode::Unset;
  std::string name;  // Function
};

struct ResponseFormat {
  enum class Kind : uint8_t { Unset, Text, JsonObject, JsonSchema };
  Kind kind = Kind::Unset;
  std::string name;
  std::string description;
  std::string schema;  // raw JSON
  std::optional<bool> strict;
};

struct ChatRequest {
  Protocol source = Protocol::OpenAIChat;
  std::string model;  // the alias the caller asked for (echoed back verbatim)
  std::vector<Message> messages;  // system messages may appear anywhere, in order
  std::vector<ToolDef> tools;
  ToolChoice tool_choice;
  std::optional<bool> parallel_tool_calls;
  ResponseFormat response_format;
  std::vector<std::string> stop;
  std::optional<int64_t> max_tokens;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;
  std::optional<int64_t> seed;
  std::string user;               // end-user id (OpenAI user / Anthropic metadata.user_id)
  std::string reasoning_effort;   // "minimal" | "low" | "medium" | "high" | ... ; empty = unset
  std::optional<int64_t> reasoning_budget_tokens;  // Anthropic/Gemini thinking budget
  bool include_thoughts = false;  // ask the upstream to return reasoning text when it can
  bool stream = false;
  bool include_usage = false;     // OpenAI stream_options.include_usage
  std::vector<RawField> extras;   // unknown top-level fields of the `source` protocol
  std::vector<std::pair<std::string, std::string>> forward_headers;  // e.g. anthropic-beta
};

/// Token usage. `input_tokens` includes cached input; `output_tokens` includes reasoning.
struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_input_tokens = 0;   // read from cache
  int64_t cache_write_tokens = 0;    // written to cache
  int64_t reasoning_tokens = 0;
  bool has_cache_write = false;      // upstream reported a cache-write count
  // Anthropic `usage.server_tool_use` ({"web_search_requests":N,...}) as raw JSON, set only by an
  // Anthropic upstream and re-emitted only by the Messages surface; empty otherwise.
  std::string server_tool_use;
  int64_t total() const { return input_tokens + output_tokens; }
};

enum class FinishReason : uint8_t {
  Stop,           // natural end
  StopSequence,   // a caller stop sequence matched (stop_sequence holds it when known)
  Length,         // output token cap
  ToolCalls,      // ended to call client tools
  ContentFilter,  // safety / policy / refusal
  Other,
};
const char* finish_reason_name(FinishReason r);

struct StreamEvent {
  enum class Kind : uint8_t {
    Start,              // id, model, created, extras
    TextDelta,          // text; signature = Gemini thoughtSignature on this text part (the
                        // text may then be empty: a part carrying only a signature)
    RefusalDelta,       // text (OpenAI refusal channel)
    ReasoningDelta,     // text
    ReasoningSignature, // text = signature of the current reasoning block
    RedactedReasoning,  // text = opaque data
    ToolCallStart,      // index, id, name, signature (Gemini thoughtSignature)
    ToolCallDelta,      // index, text = arguments fragment
    ToolCallEnd,        // index
    Usage,              // usage (cumulative; later events replace earlier ones)
    Finish,             // finish, stop_sequence, native_finish
    Error,              // error (terminal)
    // Output OpenRain does not model, as raw JSON of protocol `native`. Only a surface speaking
    // that protocol re-emits it; every other surface ignores it (the text itself still arrives
    // as TextDelta, so nothing readable is lost).
    TextStart,          // the next text starts a new text block (never merged into the one
                        // before); extras = that block's unmodelled members (e.g. citations)
    TextAnnotation,     // name = array member of the current text block (e.g. "citations"),
                        // text = one raw JSON element appended to it
    NativeBlock,        // text = one complete output block (raw JSON), name = its type
  };
  Kind kind = Kind::TextDelta;
  std::string text;
  int index = 0;             // tool-call ordinal within the response: 0, 1, 2...
  std::string id;            // Start: upstream response id; ToolCallStart: call id
  std::string name;          // ToolCallStart: function name; Start: upstream model
  std::string signature;     // ToolCallStart / TextDelta: Gemini thoughtSignature, if any
  int64_t created = 0;       // Start: unix seconds reported by the upstream (0 if none)
  Usage usage;
  FinishReason finish = FinishReason::Stop;
  std::string stop_sequence;   // Finish: matched stop sequence, when the upstream says
  std::string native_finish;   // Finish: the upstream's own reason string
  Error error;
  std::vector<RawField> extras;  // Start: unmodelled response fields of the upstream protocol;
                                 // TextStart: unmodelled members of the new text block
  Protocol native = Protocol::OpenAIChat;  // TextStart / TextAnnotation / NativeBlock: the
                                           // protocol of the raw JSON

  static StreamEvent text_delta(std::string t) {
    StreamEvent e; e.kind = Kind::TextDelta; e.text = std::move(t); return e;
  }
};

/// Receives canonical events. Implemented by surface encoders, folds and test recorders.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(StreamEvent&& ev) = 0;
};

/// The fold of one response's events: what a non-streaming response is rendered from.
struct OutputBlock {
  enum class Kind : uint8_t { Text, Refusal, Reasoning, RedactedReasoning, ToolCall, Native };
  Kind kind = Kind::Text;
  std::string text;       // Text / Refusal / Reasoning text / RedactedReasoning data /
                          // Native: the raw block JSON
  std::string signature;  // Reasoning signature; ToolCall / Text Gemini thoughtSignature
  std::string id;         // ToolCall id
  std::string name;       // ToolCall name; Native: the block type
  std::string arguments;  // ToolCall arguments (JSON text)
  std::vector<RawField> extras;  // Text: unmodelled members (protocol `native`), e.g. citations
  Protocol native = Protocol::OpenAIChat;  // Text with extras / Native: protocol of the raw JSON
};

struct FoldedResponse {
  std::string id;
  std::string upstream_model;
  int64_t created = 0;
  std::vector<OutputBlock> blocks;  // in emission order; adjacent text deltas merged
  Usage usage;
  bool has_usage = false;
  FinishReason finish = FinishReason::Stop;
  bool finished = false;
  std::string stop_sequence;
  std::string native_finish;
  std::vector<RawField> extras;
  std::optional<Error> error;
};

}  // namespace openrain
