// providers/anthropic_decoder.cpp — Anthropic Messages responses → canonical StreamEvents.
//
// Streaming: named SSE events (framed by sse::Framer) drive a small block state machine keyed by
// the upstream block index. Tool calls get their own ordinal (0, 1, 2... over tool_use blocks
// only); argument fragments are forwarded as they arrive (empty ones skipped) and a call that
// produced no argument bytes gets "{}". Usage is merged field by field (later wins) from
// message_start and message_delta and emitted right before Finish at message_stop.
// `event: error` becomes a terminal Error event. A body that ends before message_stop is
// StreamInterrupted.
// Blocks OpenRain does not model (server_tool_use, web_search_tool_result, mcp_tool_use, newer
// types...) become one NativeBlock event each, complete (a streamed block's input_json_delta
// fragments are folded into its `input`), emitted when the block ends. A text block's unmodelled
// members (citations) travel as TextStart extras / TextAnnotation events, and a text block that
// directly follows another text block (or carries such members) is announced by TextStart so an
// Anthropic caller gets the upstream's block boundaries back.
// Non-streaming: the body is buffered and the message is replayed as the same event sequence.
// Thread-safety: one decoder per response; not shareable.
#include <optional>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "providers/anthropic.hpp"
#include "providers/common.hpp"
#include "sse/framer.hpp"

namespace openrain::providers::anthropic {
namespace {

using K = StreamEvent::Kind;

/// Usage counters as Anthropic reports them (input_tokens excludes both cache counts).
struct RawUsage {
  int64_t input = 0;
  int64_t cache_read = 0;
  int64_t cache_creation = 0;
  int64_t output = 0;
  int64_t thinking = 0;
  std::string server_tool_use;  // raw JSON object (see Usage::server_tool_use)

  /// Merge the fields present in `u` (later wins, field by field).
  void merge(json::Object u) {
    auto take = [&](std::string_view key, int64_t& dst) {
      json::Element e;
      if (u.at_key(key).get(e) == simdjson::SUCCESS && e.is_number()) dst = json::get_int(u, key);
    };
    take("input_tokens", input);
    take("cache_read_input_tokens", cache_read);
    take("cache_creation_input_tokens", cache_creation);
    take("output_tokens", output);
    json::Element tools;
    if (u.at_key("server_tool_use").get(tools) == simdjson::SUCCESS && tools.is_object()) {
      server_tool_use = json::to_json(tools);
    }
    if (auto details = json::get_object(u, "output_tokens_details")) {
      json::Element e;
      if (details->at_key("thinking_tokens").get(e) == simdjson::SUCCESS && e.is_number()) {
        thinking = json::get_int(*details, "thinking_tokens");
      }
    }
  }

  Usage canonical() const {
    Usage c;
    c.input_tokens = input + cache_read + cache_creation;
    c.output_tokens = output;
    c.cached_input_tokens = cache_read;
    c.cache_write_tokens = cache_creation;
    c.has_cache_write = true;
    c.reasoning_tokens = thinking;
    c.server_tool_use = server_tool_use;
    return c;
  }
};

FinishReason map_stop_reason(std::string_view r) {
  if (r.empty() || r == "end_turn" || r == "pause_turn") return FinishReason::Stop;
  if (r == "stop_sequence") return FinishReason::StopSequence;
  if (r == "max_tokens" || r == "model_context_window_exceeded") return FinishReason::Length;
  if (r == "tool_use") return FinishReason::ToolCalls;
  if (r == "refusal") return FinishReason::ContentFilter;
  return FinishReason::Other;
}

/// The raw members of a text block other than `type` and `text` (e.g. citations); null ones
/// (`"citations": null` on a plain block) say nothing and are left out.
std::vector<RawField> text_block_extras(json::Object block) {
  std::vector<RawField> out;
  for (auto field : block) {
    if (field.key == "type" || field.key == "text" || field.value.is_null()) continue;
    out.push_back({std::string(field.key), json::to_json(field.value)});
  }
  return out;
}

/// `block` (raw JSON object) with its `input` member replaced by the streamed `input_json`, when
/// that parses as a JSON object; otherwise `block` unchanged.
std::string with_streamed_input(const std::string& block, const std::string& input_json) {
  json::Reader reader;  // local: never disturbs the decoder's or the thread's parser
  auto in = reader.parse(input_json);
  if (!in.ok() || !in.value().is_object()) return block;
  std::string input = json::to_json(in.value());
  auto parsed = reader.parse(block);
  json::Object o;
  if (!parsed.ok() || parsed.value().get_object().get(o) != simdjson::SUCCESS) return block;
  std::string out;
  json::Writer w(out);
  w.begin_object();
  bool replaced = false;
  for (auto field : o) {
    if (field.key == "input") {
      w.field_raw("input", input);
      replaced = true;
    } else {
      w.field_raw(field.key, json::to_json(field.value));
    }
  }
  if (!replaced) w.field_raw("input", input);
  w.end_object();
  return out;
}

bool known_message_field(std::string_view k) {
  return k == "id" || k == "type" || k == "role" || k == "model" || k == "content" ||
         k == "stop_reason" || k == "stop_sequence" || k == "usage";
}

/// Shared event emission for both decoders.
class Emitter {
 public:
  explicit Emitter(const Deployment& d) : d_(d) {}

  void start(json::Object msg, EventSink& sink) {
    StreamEvent ev;
    ev.kind = K::Start;
    ev.id = std::string(json::get_string(msg, "id"));
    ev.name = std::string(json::get_string(msg, "model"));
    for (auto field : msg) {
      if (known_message_field(field.key) || field.value.is_null()) continue;
      ev.extras.push_back({std::string(field.key), json::to_json(field.value)});
    }
    started_ = true;
    sink.on_event(std::move(ev));
  }

  void ensure_started(EventSink& sink) {
    if (started_) return;
    started_ = true;
    StreamEvent ev;
    ev.kind = K::Start;
    sink.on_event(std::move(ev));
  }

  void usage(EventSink& sink) {
    StreamEvent ev;
    ev.kind = K::Usage;
    ev.usage = usage_.canonical();
    sink.on_event(std::move(ev));
  }

  void finish(EventSink& sink) {
    StreamEvent ev;
    ev.kind = K::Finish;
    ev.finish = map_stop_reason(stop_reason_);
    ev.native_finish = stop_reason_;
    if (ev.finish == FinishReason::StopSequence) ev.stop_sequence = stop_sequence_;
    sink.on_event(std::move(ev));
  }

  void text(std::string_view t, K kind, EventSink& sink) {
    if (t.empty()) return;
    StreamEvent ev;
    ev.kind = kind;
    ev.text = std::string(t);
    sink.on_event(std::move(ev));
  }

  int tool_start(std::string_view id, std::string_view name, EventSink& sink) {
    StreamEvent ev;
    ev.kind = K::ToolCallStart;
    ev.index = tools_++;
    ev.id = std::string(id);
    ev.name = std::string(name);
    int idx = ev.index;
    sink.on_event(std::move(ev));
    return idx;
  }

  void tool_delta(int index, std::string_view args, EventSink& sink) {
    if (args.empty()) return;
    StreamEvent ev;
    ev.kind = K::ToolCallDelta;
    ev.index = index;
    ev.text = std::string(args);
    sink.on_event(std::move(ev));
  }

  void tool_end(int index, EventSink& sink) {
    StreamEvent ev;
    ev.kind = K::ToolCallEnd;
    ev.index = index;
    sink.on_event(std::move(ev));
  }

  /// A new text block begins. Announced only when it carries unmodelled members or directly
  /// follows another text block (otherwise the block boundary is already implied).
  void text_start(std::vector<RawField> extras, bool after_text, EventSink& sink) {
    if (extras.empty() && !after_text) return;
    StreamEvent ev;
    ev.kind = K::TextStart;
    ev.extras = std::move(extras);
    ev.native = Protocol::Anthropic;
    sink.on_event(std::move(ev));
  }

  /// A native (Anthropic-only) event: `name` is the member or block type, `text` its raw JSON.
  static void emit_native(K kind, std::string_view name, std::string text, EventSink& sink) {
    StreamEvent ev;
    ev.kind = kind;
    ev.name = std::string(name);
    ev.text = std::move(text);
    ev.native = Protocol::Anthropic;
    sink.on_event(std::move(ev));
  }

  void annotation(std::string_view member, std::string element, EventSink& sink) {
    emit_native(K::TextAnnotation, member, std::move(element), sink);
  }

  void native_block(std::string_view type, std::string block, EventSink& sink) {
    emit_native(K::NativeBlock, type, std::move(block), sink);
  }

  void error(json::Object root, EventSink& sink) {
    std::string type, message;
    if (auto err = json::get_object(root, "error")) {
      type = std::string(json::get_string(*err, "type"));
      message = std::string(json::get_string(*err, "message"));
    }
    StreamEvent ev;
    ev.kind = K::Error;
    ev.error = error_from_type(type, message, 0, d_);
    ev.error.upstream_request_id = scrub_secrets(
        json::get_string(root, "request_id"),
        d_.provider != nullptr ? std::string_view(d_.provider->api_key) : std::string_view());
    sink.on_event(std::move(ev));
  }

  void set_stop(json::Object holder) {
    json::Element e;
    if (holder.at_key("stop_reason").get(e) == simdjson::SUCCESS && e.is_string()) {
      stop_reason_ = std::string(e.get_string().value_unsafe());
    }
    if (holder.at_key("stop_sequence").get(e) == simdjson::SUCCESS && e.is_string()) {
      stop_sequence_ = std::string(e.get_string().value_unsafe());
    }
  }

  RawUsage& raw_usage() { return usage_; }

 private:
  Deployment d_;  // two pointers into the live config; copied so callers need not keep theirs
  bool started_ = false;
  int tools_ = 0;
  RawUsage usage_;
  std::string stop_reason_;
  std::string stop_sequence_;
};

// ---------------------------------------------------------------------------------------------
// Streaming

class StreamDecoder final : public ResponseDecoder {
 public:
  explicit StreamDecoder(const Deployment& d) : emit_(d) {}

  Status feed(std::string_view bytes, EventSink& sink) override {
    if (done_) return {};
    events_.clear();
    Status s = framer_.feed(bytes, events_);
    // Events completed before a framing error are still delivered.
    for (auto& ev : events_) {
      if (done_) break;
      if (Status h = handle(ev, sink); !h.ok()) {
        done_ = true;
        return h;
      }
    }
    if (!s.ok()) done_ = true;
    return s;
  }

  Status finish(EventSink& sink) override {
    if (!done_) {
      events_.clear();
      framer_.finish(events_);
      for (auto& ev : events_) {
        if (done_) break;
        if (Status h = handle(ev, sink); !h.ok()) {
          done_ = true;
          // An undecodable event without its terminating blank line is a cut-off body.
          return Error::make(ErrorKind::StreamInterrupted,
                             "the Anthropic stream ended in the middle of an event");
        }
      }
    }
    if (!done_) {
      done_ = true;
      return Error::make(ErrorKind::StreamInterrupted,
                         "the Anthropic stream ended before message_stop");
    }
    return {};
  }

 private:
  enum class BlockKind : uint8_t { Text, Thinking, Redacted, ToolUse, Other };
  struct Block {
    int64_t upstream_index = 0;
    BlockKind kind = BlockKind::Other;
    int tool_index = -1;
    bool args_emitted = false;
    bool open = true;
    std::string start_input;  // non-empty `input` given in content_block_start (rare)
    std::string native;       // Other: the block JSON from content_block_start
    std::string native_type;  // Other: its type
    std::string input_json;   // Other: concatenated input_json_delta fragments
  };

  Block* find_block(int64_t index) {
    for (auto& b : blocks_) if (b.upstream_index == index) return &b;
    return nullptr;
  }

  void close_tool(Block& b, EventSink& sink) {
    if (!b.open) return;
    b.open = false;
    if (b.kind == BlockKind::Other && !b.native.empty()) {
      std::string block = b.input_json.empty() ? std::move(b.native)
                                               : with_streamed_input(b.native, b.input_json);
      emit_.native_block(b.native_type, std::move(block), sink);
      return;
    }
    if (b.kind != BlockKind::ToolUse) return;
    if (!b.args_emitted) {
      emit_.tool_delta(b.tool_index, b.start_input.empty() ? "{}" : b.start_input, sink);
    }
    emit_.tool_end(b.tool_index, sink);
  }

  Status handle(const sse::Event& ev, EventSink& sink) {
    std::string_view data = ev.data;
    size_t first = data.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    data.remove_prefix(first);
    if (data == "[DONE]" || data.substr(0, 6) == "[DONE]") return {};  // tolerated, not expected

    auto parsed = reader_.parse(data);
    json::Object root;
    if (!parsed.ok() || parsed.value().get_object().get(root) != simdjson::SUCCESS) {
      return Error::make(ErrorKind::UpstreamProtocol,
                         "could not decode an Anthropic stream event as a JSON object");
    }
    std::string_view type = json::get_string(root, "type");
    if (type.empty()) type = ev.event;

    if (type == "ping") return {};
    if (type == "error") {
      emit_.error(root, sink);
      done_ = true;
      return {};
    }
    if (type == "message_start") {
      json::Object msg;
      if (root["message"].get_object().get(msg) == simdjson::SUCCESS) {
        if (auto u = json::get_object(msg, "usage")) emit_.raw_usage().merge(*u);
        emit_.start(msg, sink);
        emit_.usage(sink);
      } else {
        emit_.ensure_started(sink);
      }
      return {};
    }
    emit_.ensure_started(sink);
    if (type == "content_block_start") {
      Block b;
      b.upstream_index = json::get_int(root, "index", static_cast<int64_t>(blocks_.size()));
      auto cb = json::get_object(root, "content_block");
      std::string_view btype = cb ? json::get_string(*cb, "type") : std::string_view();
      const bool after_text = prev_text_;
      prev_text_ = btype == "text";
      if (btype == "text") {
        b.kind = BlockKind::Text;
        emit_.text_start(text_block_extras(*cb), after_text, sink);
        emit_.text(json::get_string(*cb, "text"), K::TextDelta, sink);
      } else if (btype == "thinking") {
        b.kind = BlockKind::Thinking;
        emit_.text(json::get_string(*cb, "thinking"), K::ReasoningDelta, sink);
        emit_.text(json::get_string(*cb, "signature"), K::ReasoningSignature, sink);
      } else if (btype == "redacted_thinking") {
        b.kind = BlockKind::Redacted;
        StreamEvent re;
        re.kind = K::RedactedReasoning;
        re.text = std::string(json::get_string(*cb, "data"));
        sink.on_event(std::move(re));
      } else if (btype == "tool_use") {
        b.kind = BlockKind::ToolUse;
        // The `input` placeholder is normally {} and must not prefix the deltas; keep a
        // non-empty one only as a fallback for proxies that send the whole input up front.
        json::Object input;
        if ((*cb)["input"].get_object().get(input) == simdjson::SUCCESS && input.size() > 0) {
          b.start_input = json::to_json((*cb)["input"].value_unsafe());
        }
        b.tool_index = emit_.tool_start(json::get_string(*cb, "id"), json::get_string(*cb, "name"), sink);
      } else if (cb && !btype.empty()) {
        // server-tool and other blocks have no canonical form: carried raw, emitted complete
        // at content_block_stop.
        json::Element whole;
        if (root.at_key("content_block").get(whole) == simdjson::SUCCESS) {
          b.native = json::to_json(whole);
          b.native_type = std::string(btype);
        }
      }
      blocks_.push_back(std::move(b));
      return {};
    }
    if (type == "content_block_delta") {
      Block* b = find_block(json::get_int(root, "index", -1));
      auto delta = json::get_object(root, "delta");
      if (b == nullptr || !delta) return {};
      std::string_view dtype = json::get_string(*delta, "type");
      if (dtype == "text_delta") {
        emit_.text(json::get_string(*delta, "text"), K::TextDelta, sink);
      } else if (dtype == "thinking_delta") {
        emit_.text(json::get_string(*delta, "thinking"), K::ReasoningDelta, sink);
      } else if (dtype == "signature_delta") {
        emit_.text(json::get_string(*delta, "signature"), K::ReasoningSignature, sink);
      } else if (dtype == "input_json_delta" && b->kind == BlockKind::ToolUse && b->open) {
        std::string_view frag = json::get_string(*delta, "partial_json");
        if (!frag.empty()) {
          b->args_emitted = true;
          emit_.tool_delta(b->tool_index, frag, sink);
        }
      } else if (dtype == "input_json_delta" && b->kind == BlockKind::Other && b->open) {
        b->input_json.append(json::get_string(*delta, "partial_json"));
      } else if (dtype == "citations_delta" && b->kind == BlockKind::Text) {
        json::Element c;
        if (delta->at_key("citation").get(c) == simdjson::SUCCESS) {
          emit_.annotation("citations", json::to_json(c), sink);
        }
      }  // unknown deltas: ignored
      return {};
    }
    if (type == "content_block_stop") {
      if (Block* b = find_block(json::get_int(root, "index", -1))) close_tool(*b, sink);
      return {};
    }
    if (type == "message_delta") {
      if (auto delta = json::get_object(root, "delta")) emit_.set_stop(*delta);
      if (auto u = json::get_object(root, "usage")) emit_.raw_usage().merge(*u);
      return {};
    }
    if (type == "message_stop") {
      for (auto& b : blocks_) close_tool(b, sink);
      emit_.usage(sink);
      emit_.finish(sink);
      done_ = true;
      return {};
    }
    return {};  // unknown event types are ignored (forward compatibility)
  }

  Emitter emit_;
  sse::Framer framer_;
  json::Reader reader_;  // own parser: sinks may parse on the thread reader in between
  std::vector<sse::Event> events_;
  std::vector<Block> blocks_;
  bool prev_text_ = false;  // the last block started was a text block
  bool done_ = false;
};

// ---------------------------------------------------------------------------------------------
// Non-streaming

class MessageDecoder final : public ResponseDecoder {
 public:
  explicit MessageDecoder(const Deployment& d) : emit_(d) {}

  Status feed(std::string_view bytes, EventSink& sink) override {
    body_.append(bytes);
    return {};
  }

  Status finish(EventSink& sink) override {
    if (finished_) return {};
    finished_ = true;
    size_t first = body_.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
      return Error::make(ErrorKind::StreamInterrupted, "the Anthropic response body was empty");
    }
    json::Element root_el;
    auto err = parser_.parse(body_.data() + first, body_.size() - first, true).get(root_el);
    if (err == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || err == simdjson::UNCLOSED_STRING) {
      return Error::make(ErrorKind::StreamInterrupted, "the Anthropic response body was truncated");
    }
    json::Object root;
    if (err || root_el.get_object().get(root) != simdjson::SUCCESS) {
      return Error::make(ErrorKind::UpstreamProtocol,
                         "could not decode the Anthropic response body as a JSON object");
    }
    std::string_view type = json::get_string(root, "type");
    if (type == "error") {
      emit_.error(root, sink);
      return {};
    }
    auto content = json::get_array(root, "content");
    if (type != "message" || !content) {
      return Error::make(ErrorKind::UpstreamProtocol,
                         "the Anthropic response body is not a message");
    }
    if (auto u = json::get_object(root, "usage")) emit_.raw_usage().merge(*u);
    emit_.set_stop(root);
    emit_.start(root, sink);
    bool prev_text = false;
    for (json::Element el : *content) {
      json::Object b;
      if (el.get_object().get(b) != simdjson::SUCCESS) continue;
      std::string_view btype = json::get_string(b, "type");
      const bool after_text = prev_text;
      prev_text = btype == "text";
      if (btype == "text") {
        emit_.text_start(text_block_extras(b), after_text, sink);
        emit_.text(json::get_string(b, "text"), K::TextDelta, sink);
      } else if (btype == "thinking") {
        emit_.text(json::get_string(b, "thinking"), K::ReasoningDelta, sink);
        emit_.text(json::get_string(b, "signature"), K::ReasoningSignature, sink);
      } else if (btype == "redacted_thinking") {
        StreamEvent re;
        re.kind = K::RedactedReasoning;
        re.text = std::string(json::get_string(b, "data"));
        sink.on_event(std::move(re));
      } else if (btype == "tool_use") {
        int idx = emit_.tool_start(json::get_string(b, "id"), json::get_string(b, "name"), sink);
        json::Element input;
        std::string args = "{}";
        if (b["input"].get(input) == simdjson::SUCCESS && input.is_object()) {
          args = json::to_json(input);
        }
        emit_.tool_delta(idx, args, sink);
        emit_.tool_end(idx, sink);
      } else if (!btype.empty()) {
        emit_.native_block(btype, json::to_json(el), sink);
      }
    }
    emit_.usage(sink);
    emit_.finish(sink);
    return {};
  }

 private:
  Emitter emit_;
  std::string body_;
  simdjson::dom::parser parser_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<ResponseDecoder> make_decoder(const ChatRequest& req, const Deployment& d,
                                              bool streaming) {
  (void)req;
  if (streaming) return std::make_unique<StreamDecoder>(d);
  return std::make_unique<MessageDecoder>(d);
}

}  // namespace openrain::providers::anthropic
