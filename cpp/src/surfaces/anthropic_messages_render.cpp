// Anthropic Messages rendering: canonical events → named SSE events, the folded response → a
// `message` body. Shapes follow recorded Anthropic traffic (fixtures/anthropic/*.sse,
// *.response.json).
//
// The stream encoder keeps Anthropic's grammar whatever the upstream does: exactly one
// message_start (sent lazily at the first event after Start, so a Usage arriving right after
// Start fills its input side), then balanced content_block_start/stop pairs with indices 0, 1,
// 2... and only one block open at a time, then message_delta and message_stop. Canonical tool
// calls may overlap (an OpenAI upstream can start call 1 before call 0 is ended, or interleave
// their argument fragments); blocks therefore wait in a queue: the head block streams live, later
// blocks buffer their content until every block before them is closed. Text and thinking blocks
// close when the next block starts; tool blocks close at ToolCallEnd (or Finish). Empty text
// blocks are never opened, and a thinking block's signature goes out as one signature_delta
// right before its content_block_stop. Tool ids are always `toolu_` ids and thinking blocks from
// other upstreams always carry a wrapped signature (Gemini signs the part after its thoughts, so
// the block takes that one); both are reversible by the parser (providers/carry.hpp).
//
// Output an Anthropic upstream produced but OpenRain does not model comes back unchanged:
// NativeBlock events (server_tool_use, web_search_tool_result, ...) are re-emitted as their own
// blocks (a non-empty `input` streams as one input_json_delta after an empty `input`, as
// Anthropic does), TextStart keeps the upstream's text block boundaries and unmodelled members
// (citations) and TextAnnotation becomes a citations_delta. Native output of other protocols is
// ignored.
#include <cmath>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "surfaces/anthropic_messages.hpp"
#include "util/ascii.hpp"

namespace openrain::surfaces {

namespace {

using ascii::iequals;

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

/// Stop reasons Anthropic itself sends; an Anthropic upstream's own value is kept verbatim.
bool is_anthropic_stop_reason(std::string_view r) {
  return r == "end_turn" || r == "max_tokens" || r == "stop_sequence" || r == "tool_use" ||
         r == "pause_turn" || r == "refusal" || r == "model_context_window_exceeded";
}

/// Members of the message object this surface writes itself (extras never duplicate them).
bool is_modelled_message_key(std::string_view k) {
  return k == "id" || k == "type" || k == "role" || k == "model" || k == "content" ||
         k == "stop_reason" || k == "stop_sequence" || k == "usage";
}

std::string_view default_message(ErrorKind k) {
  switch (k) {
    case ErrorKind::InvalidRequest: return "Invalid request.";
    case ErrorKind::Authentication: return "invalid x-api-key";
    case ErrorKind::PermissionDenied: return "Your API key does not have permission to use the "
                                             "specified resource.";
    case ErrorKind::NotFound: return "The requested resource could not be found.";
    case ErrorKind::PayloadTooLarge: return "Request exceeds the maximum allowed number of bytes.";
    case ErrorKind::UnsupportedParameter: return "Unsupported parameter.";
    case ErrorKind::ContextLengthExceeded: return "prompt is too long";
    case ErrorKind::RateLimited: return "Rate limit reached. Please retry later.";
    case ErrorKind::QuotaExceeded: return "Your credit balance is too low to access the API.";
    case ErrorKind::Overloaded: return "Overloaded";
    case ErrorKind::Timeout: return "Request timed out.";
    case ErrorKind::UpstreamConnection: return "Could not reach the upstream server.";
    case ErrorKind::UpstreamProtocol: return "The upstream server returned an invalid response.";
    case ErrorKind::StreamInterrupted: return "The upstream stream ended unexpectedly.";
    case ErrorKind::Cancelled: return "The request was cancelled.";
    case ErrorKind::UpstreamServerError:
    case ErrorKind::Internal: break;
  }
  return "Internal server error";
}

/// Stop reason for the caller: the Anthropic upstream's own word when it has one, otherwise the
/// canonical mapping; a natural end after client tool calls is `tool_use`.
std::string_view stop_reason_for(FinishReason finish, std::string_view native, bool had_tool,
                                 Protocol upstream) {
  if (upstream == Protocol::Anthropic && is_anthropic_stop_reason(native)) return native;
  if (had_tool && (finish == FinishReason::Stop || finish == FinishReason::Other)) {
    return "tool_use";
  }
  return anthropic_stop_reason(finish);
}

void write_stop(json::Writer& w, std::string_view reason, const std::string& stop_sequence) {
  w.field("stop_reason", reason);
  if (reason == "stop_sequence" && !stop_sequence.empty()) {
    w.field("stop_sequence", stop_sequence);
  } else {
    w.field_null("stop_sequence");
  }
}

void write_extras(json::Writer& w, const std::vector<RawField>& extras) {
  for (const RawField& f : extras) {
    if (f.json.empty() || is_modelled_message_key(f.key)) continue;
    w.field_raw(f.key, f.json);
  }
}

/// A NativeBlock split for streaming: the block with an empty `input` object, and the minified
/// input to send as one input_json_delta (empty when the block has no non-empty `input`).
struct NativeStart {
  std::string block;
  std::string input;
};

NativeStart split_native_input(const std::string& raw) {
  NativeStart out;
  json::Reader reader;  // local: never disturbs elements held from thread_reader()
  auto parsed = reader.parse(raw);
  json::Object o;
  json::Object input;
  if (!parsed.ok() || parsed.value().get_object().get(o) != simdjson::SUCCESS ||
      o["input"].get_object().get(input) != simdjson::SUCCESS || input.size() == 0) {
    out.block = raw;
    return out;
  }
  json::Writer w(out.block);
  w.begin_object();
  for (auto field : o) {
    if (field.key == "input") {
      w.key("input").begin_object().end_object();
      out.input = json::to_json(field.value);
    } else {
      w.field_raw(field.key, json::to_json(field.value));
    }
  }
  w.end_object();
  return out;
}

/// `arguments` as a JSON object for `tool_use.input`: "" → {}, an object → minified, anything
/// else (e.g. JSON cut off by max_tokens) → {} because `input` must always be an object.
std::string tool_input(std::string_view arguments) {
  size_t b = arguments.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "{}";
  json::Reader reader;  // local: never disturbs elements held from thread_reader()
  auto parsed = reader.parse(arguments);
  if (!parsed.ok() || !parsed.value().is_object()) return "{}";
  return json::to_json(parsed.value());
}

/// A thinking block's signature as the caller sees it: an Anthropic upstream's verbatim; any
/// other upstream's wrapped (even when empty), so every thinking block is signed and a later
/// request can tell it apart from an Anthropic signature (see providers/carry.hpp).
std::string caller_signature(std::string_view raw, Protocol upstream) {
  if (upstream == Protocol::Anthropic) return std::string(raw);
  return providers::wrap_signature(upstream, raw);
}

void begin_event(std::string& out, std::string_view type) {
  out += "event: ";
  out += type;
  out += "\ndata: ";
}

constexpr std::string_view kPing = "event: ping\ndata: {\"type\": \"ping\"}\n\n";

// ---- stream encoder -------------------------------------------------------------------------

class AnthropicEncoder final : public SurfaceEncoder {
 public:
  explicit AnthropicEncoder(const EncodeContext& ctx) : ctx_(ctx) {}

  void on_event(const StreamEvent& ev, std::string& out) override;
  void on_end(std::string& out) override { (void)out; }  // message_stop went out at Finish
  void on_stream_error(const Error& err, std::string& out) override;
  void on_idle(std::string& out) override { out += kPing; }
  void render_response(const FoldedResponse& r, std::string& out) override;

 private:
  struct Block {
    enum class Kind { Text, Thinking, Redacted, Tool, Native };
    Kind kind = Kind::Text;
    int tool_index = -1;
    std::string id;         // Tool
    std::string name;       // Tool
    std::string pending;    // text / thinking / arguments / redacted data not yet sent
    std::string signature;  // Thinking
    bool signed_ = false;   // Thinking: a signature arrived, later reasoning opens a new block
    bool complete = false;  // no more content will arrive
    bool opened = false;    // content_block_start sent
    int wire_index = -1;
    std::vector<RawField> extras;          // Text: unmodelled members of the upstream block
    std::vector<std::string> annotations;  // Text: citations not yet sent
  };

  void ensure_message_start(std::string& out);
  void append_delta(Block::Kind kind, const std::string& text, std::string& out);
  Block& push(Block::Kind kind);
  Block& text_target();
  void write_annotation(const Block& b, std::string_view citation, std::string& out);
  Block* find_tool(int index);
  void pump(std::string& out);
  void open(Block& b, std::string& out);
  void close(Block& b, std::string& out);
  void write_delta(const Block& b, std::string_view payload, std::string& out);
  void finish(const StreamEvent& ev, std::string& out);
  /// Gemini signs the first part after its thoughts (text or functionCall), not the thought:
  /// an unsigned thinking block still open takes that signature.
  void sign_thinking(const std::string& signature);

  EncodeContext ctx_;
  std::deque<Block> queue_;  // blocks not yet closed on the wire; front = the wire head
  int next_index_ = 0;
  bool message_started_ = false;
  bool pinged_ = false;
  bool finished_ = false;
  bool failed_ = false;
  bool had_tool_ = false;
  Usage usage_;
  std::vector<RawField> start_extras_;
  bool text_break_ = false;               // the next text opens a new block (TextStart)
  std::vector<RawField> next_text_extras_;
};

void AnthropicEncoder::on_event(const StreamEvent& ev, std::string& out) {
  using K = StreamEvent::Kind;
  if (finished_ || failed_) return;
  switch (ev.kind) {
    case K::Start:
      start_extras_ = ev.extras;
      if (ev.usage.input_tokens != 0 || ev.usage.output_tokens != 0) usage_ = ev.usage;
      return;  // message_start waits for the next event (a Usage may follow right away)
    case K::Usage:
      usage_ = ev.usage;
      ensure_message_start(out);
      return;
    case K::Error:
      on_stream_error(ev.error, out);
      return;
    default:
      break;
  }
  ensure_message_start(out);
  switch (ev.kind) {
    case K::TextDelta:
    case K::RefusalDelta:
      sign_thinking(ev.signature);
      append_delta(Block::Kind::Text, ev.text, out);
      break;
    case K::ReasoningDelta:
      append_delta(Block::Kind::Thinking, ev.text, out);
      break;
    case K::ReasoningSignature: {
      if (ev.text.empty()) break;
      Block* last = queue_.empty() ? nullptr : &queue_.back();
      if (last == nullptr || last->kind != Block::Kind::Thinking || last->complete) {
        last = &push(Block::Kind::Thinking);
      }
      last->signature += ev.text;
      last->signed_ = true;
      pump(out);
      break;
    }
    case K::RedactedReasoning: {
      Block& b = push(Block::Kind::Redacted);
      b.pending = ev.text;
      b.complete = true;
      pump(out);
      break;
    }
    case K::ToolCallStart: {
      had_tool_ = true;
      sign_thinking(ev.signature);
      Block& b = push(Block::Kind::Tool);
      b.tool_index = ev.index;
      b.id = providers::anthropic_tool_id(
          ev.id.empty() ? providers::synth_tool_id(ctx_.response_id, ev.index) : ev.id,
          ev.signature);
      b.name = ev.name;
      pump(out);
      break;
    }
    case K::ToolCallDelta: {
      if (ev.text.empty()) break;
      Block* b = find_tool(ev.index);
      if (b == nullptr) break;  // unknown or already closed call: nothing valid to attach to
      if (b->opened) {
        write_delta(*b, ev.text, out);
      } else {
        b->pending += ev.text;
      }
      break;
    }
    case K::ToolCallEnd: {
      if (Block* b = find_tool(ev.index)) b->complete = true;
      pump(out);
      break;
    }
    case K::Finish:
      finish(ev, out);
      break;
    case K::TextStart:
      if (ev.native != Protocol::Anthropic) break;
      text_break_ = true;
      next_text_extras_ = ev.extras;
      break;
    case K::TextAnnotation: {
      if (ev.native != Protocol::Anthropic || ev.name != "citations" || ev.text.empty()) break;
      Block& b = text_target();
      if (b.opened) {
        write_annotation(b, ev.text, out);
      } else {
        b.annotations.push_back(ev.text);
        pump(out);
      }
      break;
    }
    case K::NativeBlock: {
      if (ev.native != Protocol::Anthropic || ev.text.empty()) break;
      Block& b = push(Block::Kind::Native);
      b.pending = ev.text;
      b.complete = true;
      pump(out);
      break;
    }
    case K::Start:
    case K::Usage:
    case K::Error:
      break;
  }
}

void AnthropicEncoder::ensure_message_start(std::string& out) {
  if (message_started_) return;
  message_started_ = true;
  begin_event(out, "message_start");
  json::Writer w(out);
  w.begin_object().field("type", "message_start").key("message").begin_object();
  w.field("id", ctx_.response_id);
  w.field("type", "message");
  w.field("role", "assistant");
  w.field("model", ctx_.model_alias);
  w.key("content").begin_array().end_array();
  w.field_null("stop_reason");
  w.field_null("stop_sequence");
  if (ctx_.upstream == Protocol::Anthropic) write_extras(w, start_extras_);
  w.key("usage");
  write_anthropic_usage(usage_, w);
  w.end_object().end_object();
  out += "\n\n";
}

AnthropicEncoder::Block& AnthropicEncoder::push(Block::Kind kind) {
  if (kind != Block::Kind::Text) {  // an announced text block that never got text
    text_break_ = false;
    next_text_extras_.clear();
  }
  // A new block ends any text / thinking block before it (tools end only at ToolCallEnd).
  if (!queue_.empty()) {
    Block& last = queue_.back();
    if (last.kind == Block::Kind::Text || last.kind == Block::Kind::Thinking) last.complete = true;
  }
  queue_.emplace_back();
  queue_.back().kind = kind;
  return queue_.back();
}

AnthropicEncoder::Block& AnthropicEncoder::text_target() {
  Block* last = queue_.empty() ? nullptr : &queue_.back();
  if (text_break_ || last == nullptr || last->kind != Block::Kind::Text || last->complete) {
    last = &push(Block::Kind::Text);
    last->extras = std::move(next_text_extras_);
    next_text_extras_.clear();
    text_break_ = false;
  }
  return *last;
}

void AnthropicEncoder::append_delta(Block::Kind kind, const std::string& text, std::string& out) {
  if (text.empty()) return;  // never open an empty block
  Block* last = nullptr;
  if (kind == Block::Kind::Text) {
    last = &text_target();
  } else {
    last = queue_.empty() ? nullptr : &queue_.back();
    if (last == nullptr || last->kind != kind || last->complete || last->signed_) {
      last = &push(kind);
    }
  }
  if (last->opened) {
    write_delta(*last, text, out);
  } else {
    last->pending += text;
    pump(out);
  }
}

void AnthropicEncoder::sign_thinking(const std::string& signature) {
  if (signature.empty() || queue_.empty()) return;
  Block& last = queue_.back();
  if (last.kind != Block::Kind::Thinking || last.complete || !last.signature.empty()) return;
  last.signature = signature;
  last.signed_ = true;
}

AnthropicEncoder::Block* AnthropicEncoder::find_tool(int index) {
  for (Block& b : queue_) {
    if (b.kind == Block::Kind::Tool && b.tool_index == index) return &b;
  }
  return nullptr;
}

void AnthropicEncoder::pump(std::string& out) {
  while (!queue_.empty()) {
    Block& head = queue_.front();
    if (!head.opened) open(head, out);
    if (!head.complete) break;
    close(head, out);
    queue_.pop_front();
  }
}

void AnthropicEncoder::open(Block& b, std::string& out) {
  b.opened = true;
  b.wire_index = next_index_++;
  begin_event(out, "content_block_start");
  std::string native_input;
  {
    json::Writer w(out);
    w.begin_object().field("type", "content_block_start").field("index", b.wire_index);
    if (b.kind == Block::Kind::Native) {
      NativeStart ns = split_native_input(b.pending);
      b.pending.clear();
      native_input = std::move(ns.input);
      w.field_raw("content_block", ns.block);
    } else {
      w.key("content_block").begin_object();
      switch (b.kind) {
        case Block::Kind::Text:
          w.field("type", "text").field("text", "");
          for (const RawField& f : b.extras) {
            if (f.key != "type" && f.key != "text" && !f.json.empty()) w.field_raw(f.key, f.json);
          }
          break;
        case Block::Kind::Thinking:
          w.field("type", "thinking").field("thinking", "").field("signature", "");
          break;
        case Block::Kind::Redacted:
          w.field("type", "redacted_thinking").field("data", b.pending);
          b.pending.clear();
          break;
        case Block::Kind::Tool:
          w.field("type", "tool_use").field("id", b.id).field("name", b.name);
          w.key("input").begin_object().end_object();
          break;
        case Block::Kind::Native:
          break;
      }
      w.end_object();
    }
    w.end_object();
  }
  out += "\n\n";
  if (!pinged_) {
    pinged_ = true;
    out += kPing;
  }
  if (!native_input.empty()) {
    begin_event(out, "content_block_delta");
    json::Writer d(out);
    d.begin_object().field("type", "content_block_delta").field("index", b.wire_index);
    d.key("delta").begin_object().field("type", "input_json_delta").field("partial_json", native_input);
    d.end_object().end_object();
    out += "\n\n";
  }
  for (const std::string& c : b.annotations) write_annotation(b, c, out);
  b.annotations.clear();
  if (!b.pending.empty()) {
    std::string pending = std::move(b.pending);
    b.pending.clear();
    write_delta(b, pending, out);
  }
}

void AnthropicEncoder::write_annotation(const Block& b, std::string_view citation, std::string& out) {
  begin_event(out, "content_block_delta");
  json::Writer w(out);
  w.begin_object().field("type", "content_block_delta").field("index", b.wire_index);
  w.key("delta").begin_object().field("type", "citations_delta").field_raw("citation", citation);
  w.end_object().end_object();
  out += "\n\n";
}

void AnthropicEncoder::write_delta(const Block& b, std::string_view payload, std::string& out) {
  begin_event(out, "content_block_delta");
  json::Writer w(out);
  w.begin_object().field("type", "content_block_delta").field("index", b.wire_index);
  w.key("delta").begin_object();
  switch (b.kind) {
    case Block::Kind::Text: w.field("type", "text_delta").field("text", payload); break;
    case Block::Kind::Thinking:
      w.field("type", "thinking_delta").field("thinking", payload);
      break;
    case Block::Kind::Tool:
      w.field("type", "input_json_delta").field("partial_json", payload);
      break;
    case Block::Kind::Redacted:  // complete in its start event; never has deltas
    case Block::Kind::Native:
      break;
  }
  w.end_object().end_object();
  out += "\n\n";
}

void AnthropicEncoder::close(Block& b, std::string& out) {
  std::string signature;
  if (b.kind == Block::Kind::Thinking) signature = caller_signature(b.signature, ctx_.upstream);
  if (!signature.empty()) {
    begin_event(out, "content_block_delta");
    json::Writer w(out);
    w.begin_object().field("type", "content_block_delta").field("index", b.wire_index);
    w.key("delta").begin_object().field("type", "signature_delta").field("signature", signature);
    w.end_object().end_object();
    out += "\n\n";
  }
  begin_event(out, "content_block_stop");
  json::Writer w(out);
  w.begin_object().field("type", "content_block_stop").field("index", b.wire_index).end_object();
  out += "\n\n";
}

void AnthropicEncoder::finish(const StreamEvent& ev, std::string& out) {
  for (Block& b : queue_) b.complete = true;
  pump(out);
  finished_ = true;
  begin_event(out, "message_delta");
  json::Writer w(out);
  w.begin_object().field("type", "message_delta").key("delta").begin_object();
  write_stop(w, stop_reason_for(ev.finish, ev.native_finish, had_tool_, ctx_.upstream),
             ev.stop_sequence);
  w.end_object().key("usage");
  write_anthropic_usage(usage_, w);
  w.end_object();
  out += "\n\n";
  out += "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
}

void AnthropicEncoder::on_stream_error(const Error& err, std::string& out) {
  if (finished_ || failed_) return;
  failed_ = true;
  begin_event(out, "error");
  json::Writer w(out);
  w.begin_object().field("type", "error").key("error").begin_object();
  w.field("type", anthropic_error_type(err));
  w.field("message", anthropic_error_message(err));
  w.end_object().end_object();
  out += "\n\n";
}

// ---- non-streaming body ---------------------------------------------------------------------

void AnthropicEncoder::render_response(const FoldedResponse& r, std::string& out) {
  json::Writer w(out);
  w.begin_object();
  w.field("id", ctx_.response_id);
  w.field("type", "message");
  w.field("role", "assistant");
  w.field("model", ctx_.model_alias);
  w.key("content").begin_array();
  bool had_tool = false;
  std::string text;  // adjacent text / refusal blocks form one text block
  auto flush_text = [&] {
    if (text.empty()) return;
    w.begin_object().field("type", "text").field("text", text).end_object();
    text.clear();
  };
  int tool_ordinal = 0;
  // With an Anthropic upstream each folded text block is one upstream block: keep them apart.
  const bool same = ctx_.upstream == Protocol::Anthropic;
  for (size_t bi = 0; bi < r.blocks.size(); ++bi) {
    const OutputBlock& b = r.blocks[bi];
    switch (b.kind) {
      case OutputBlock::Kind::Text:
      case OutputBlock::Kind::Refusal:
        if (same) flush_text();
        if (b.native == Protocol::Anthropic && !b.extras.empty()) {
          w.begin_object().field("type", "text").field("text", b.text);
          for (const RawField& f : b.extras) {
            if (f.key != "type" && f.key != "text" && !f.json.empty()) w.field_raw(f.key, f.json);
          }
          w.end_object();
          break;
        }
        text += b.text;
        break;
      case OutputBlock::Kind::Native:
        if (b.native != Protocol::Anthropic || b.text.empty()) break;
        flush_text();
        w.raw(b.text);
        break;
      case OutputBlock::Kind::Reasoning: {
        flush_text();
        if (b.text.empty() && b.signature.empty()) break;
        std::string_view raw = b.signature;
        // Gemini signs the part after its thoughts (see sign_thinking).
        for (size_t k = bi + 1; raw.empty() && k < r.blocks.size(); ++k) {
          const OutputBlock& next = r.blocks[k];
          if (next.kind == OutputBlock::Kind::Reasoning) break;
          if (next.kind == OutputBlock::Kind::Text || next.kind == OutputBlock::Kind::ToolCall) {
            raw = next.signature;
            break;
          }
        }
        w.begin_object().field("type", "thinking").field("thinking", b.text);
        w.field("signature", caller_signature(raw, ctx_.upstream)).end_object();
        break;
      }
      case OutputBlock::Kind::RedactedReasoning:
        flush_text();
        w.begin_object().field("type", "redacted_thinking").field("data", b.text).end_object();
        break;
      case OutputBlock::Kind::ToolCall: {
        flush_text();
        had_tool = true;
        const std::string id = providers::anthropic_tool_id(
            b.id.empty() ? providers::synth_tool_id(ctx_.response_id, tool_ordinal) : b.id,
            b.signature);
        ++tool_ordinal;
        w.begin_object().field("type", "tool_use").field("id", id).field("name", b.name);
        w.field_raw("input", tool_input(b.arguments)).end_object();
        break;
      }
    }
  }
  flush_text();
  w.end_array();
  write_stop(w, stop_reason_for(r.finish, r.native_finish, had_tool, ctx_.upstream),
             r.stop_sequence);
  if (ctx_.upstream == Protocol::Anthropic) write_extras(w, r.extras);
  w.key("usage");
  write_anthropic_usage(r.usage, w);
  w.end_object();
}

}  // namespace

// ---- shared mappings ------------------------------------------------------------------------

const char* anthropic_stop_reason(FinishReason r) {
  switch (r) {
    case FinishReason::Stop:
    case FinishReason::Other:
      return "end_turn";
    case FinishReason::StopSequence: return "stop_sequence";
    case FinishReason::Length: return "max_tokens";
    case FinishReason::ToolCalls: return "tool_use";
    case FinishReason::ContentFilter: return "refusal";
  }
  return "end_turn";
}

void write_anthropic_usage(const Usage& u, json::Writer& w) {
  int64_t uncached = u.input_tokens - u.cached_input_tokens - u.cache_write_tokens;
  if (uncached < 0) uncached = 0;
  w.begin_object();
  w.field("input_tokens", uncached);
  w.field("cache_creation_input_tokens", u.cache_write_tokens);
  w.field("cache_read_input_tokens", u.cached_input_tokens);
  w.field("output_tokens", u.output_tokens);
  if (!u.server_tool_use.empty()) w.field_raw("server_tool_use", u.server_tool_use);
  w.end_object();
}

std::string_view anthropic_error_type(const Error& err) {
  switch (err.kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::UnsupportedParameter:
    case ErrorKind::ContextLengthExceeded:
      return "invalid_request_error";
    case ErrorKind::Authentication: return "authentication_error";
    case ErrorKind::PermissionDenied: return "permission_error";
    case ErrorKind::NotFound: return "not_found_error";
    case ErrorKind::PayloadTooLarge: return "request_too_large";
    case ErrorKind::RateLimited: return "rate_limit_error";
    case ErrorKind::QuotaExceeded: return "billing_error";
    case ErrorKind::Overloaded: return "overloaded_error";
    case ErrorKind::Timeout: return "timeout_error";
    case ErrorKind::UpstreamServerError:
    case ErrorKind::UpstreamConnection:
    case ErrorKind::UpstreamProtocol:
    case ErrorKind::StreamInterrupted:
    case ErrorKind::Cancelled:
    case ErrorKind::Internal:
      return "api_error";
  }
  return "api_error";
}

int anthropic_error_status(const Error& err) {
  switch (err.kind) {
    case ErrorKind::InvalidRequest:
      // Keep the finer 4xx an upstream may have used for a client mistake (409, 422).
      if (err.http_status == 409 || err.http_status == 422) return err.http_status;
      return 400;
    case ErrorKind::UnsupportedParameter:
    case ErrorKind::ContextLengthExceeded:
      return 400;
    case ErrorKind::Authentication: return 401;
    case ErrorKind::PermissionDenied: return 403;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::PayloadTooLarge: return 413;
    case ErrorKind::RateLimited: return 429;
    case ErrorKind::QuotaExceeded: return 402;
    case ErrorKind::Overloaded: return 529;
    case ErrorKind::Timeout: return 504;
    case ErrorKind::UpstreamServerError: return 500;
    case ErrorKind::UpstreamConnection:
    case ErrorKind::UpstreamProtocol:
    case ErrorKind::StreamInterrupted:
      return 502;
    case ErrorKind::Cancelled: return 499;
    case ErrorKind::Internal: return 500;
  }
  return 500;
}

std::string anthropic_error_message(const Error& err) {
  std::string msg = err.message.empty() ? std::string(default_message(err.kind)) : err.message;
  // Claude Code recovers from context overflow (compaction) only on this exact wording.
  if (err.kind == ErrorKind::ContextLengthExceeded && !icontains(msg, "prompt is too long")) {
    msg = "prompt is too long: " + msg;
  }
  return msg;
}

void render_anthropic_error(const Error& err, ResponseHead& head, std::string& body) {
  head.status = anthropic_error_status(err);
  Headers& h = head.headers;
  for (size_t i = 0; i < h.size();) {
    if (iequals(h[i].first, "content-type") || iequals(h[i].first, "content-length")) {
      h.erase(h.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  h.emplace_back("content-type", "application/json");
  bool has_retry_after = false;
  for (const auto& [k, v] : err.headers) {
    if (iequals(k, "content-type") || iequals(k, "content-length")) continue;
    if (iequals(k, "retry-after")) has_retry_after = true;
    h.emplace_back(k, v);
  }
  if (!has_retry_after && err.retry_after_s && std::isfinite(*err.retry_after_s) &&
      *err.retry_after_s >= 0) {
    double secs = std::ceil(*err.retry_after_s);
    if (secs > 86400.0 * 365) secs = 86400.0 * 365;
    h.emplace_back("retry-after", std::to_string(static_cast<int64_t>(secs)));
  }
  body.clear();
  json::Writer w(body);
  w.begin_object().field("type", "error").key("error").begin_object();
  w.field("type", anthropic_error_type(err));
  w.field("message", anthropic_error_message(err));
  w.end_object();
  if (!err.upstream_request_id.empty()) w.field("request_id", err.upstream_request_id);
  w.end_object();
}

std::unique_ptr<SurfaceEncoder> make_anthropic_messages_encoder(const EncodeContext& ctx) {
  return std::make_unique<AnthropicEncoder>(ctx);
}

}  // namespace openrain::surfaces
