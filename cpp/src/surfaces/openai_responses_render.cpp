// Responses rendering: canonical events → the typed Responses SSE lifecycle, and the folded
// response → a `response` object. Shapes follow recorded OpenAI traffic
// (fixtures/openai-responses/*.sse, *.response.json).
//
// The stream encoder keeps OpenAI's grammar whatever the upstream does: response.created and
// response.in_progress first, then output items strictly one after another (output_index 0, 1,
// 2... equal to their position in the final `output`, because SDK accumulators index
// `snapshot.output[output_index]`), each announced by response.output_item.added before any of its
// deltas and closed by its *.done events and response.output_item.done, then exactly one terminal
// event (response.completed / response.incomplete, or error + response.failed). Every event
// carries `sequence_number`, counting from 0. Canonical tool calls may overlap (an OpenAI Chat
// upstream can start call 1 before call 0 ends, or interleave argument fragments): items wait in
// order; the head item streams live, later items buffer their content until every item before
// them is closed. Message and reasoning items close when the next item starts; function_call
// items close at ToolCallEnd (or Finish). Items still open when a Length / ContentFilter finish
// arrives are `incomplete`.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/writer.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "surfaces/openai_errors.hpp"
#include "surfaces/openai_responses.hpp"

namespace openrain::surfaces {

namespace {

using Echo = std::vector<std::pair<std::string, std::string>>;

/// The raw JSON of extras `key`, or empty when absent or null.
std::string_view find_extra(const std::vector<RawField>& extras, std::string_view key) {
  for (const auto& f : extras) {
    if (f.key == key) return f.json == "null" ? std::string_view() : std::string_view(f.json);
  }
  return {};
}

std::string json_string(std::string_view s) {
  std::string out;
  json::append_quoted(out, s);
  return out;
}

/// `incomplete_details.reason` for a finish that cuts the response short, or empty.
std::string_view incomplete_reason(FinishReason r) {
  switch (r) {
    case FinishReason::Length: return "max_output_tokens";
    case FinishReason::ContentFilter: return "content_filter";
    default: return {};
  }
}

struct Part {
  bool refusal = false;  // Message: refusal part instead of output_text
  std::string text;
  size_t sent = 0;       // bytes already streamed as deltas
  bool added = false;    // *.part.added sent
  bool done = false;     // *.done and *.part.done sent
};

struct Item {
  enum class Kind : uint8_t { Reasoning, Message, Call };
  Kind kind = Kind::Message;
  std::string id;           // rs_... / msg_... / fc_...
  int tool_index = -1;      // Call: canonical tool ordinal
  std::string call_id;      // Call
  std::string name;         // Call
  std::string arguments;    // Call
  size_t args_sent = 0;     // Call: bytes already streamed
  std::vector<Part> parts;  // Message: content parts; Reasoning: summary parts
  std::string encrypted;    // Reasoning: encrypted_content (same-protocol upstream only)
  bool signed_ = false;     // Reasoning: a signature arrived; later reasoning opens a new item
  bool complete = false;    // no more content will arrive
  bool incomplete = false;  // cut short by the finish (status "incomplete")
  bool announced = false;   // output_item.added sent
  bool closed = false;      // output_item.done sent
};

class ResponsesEncoder final : public SurfaceEncoder {
 public:
  ResponsesEncoder(const EncodeContext& ctx, const ChatRequest* req)
      : ctx_(ctx), echo_(openai_responses_echo(req)),
        same_(ctx.upstream == Protocol::OpenAIResponses) {}

  void on_event(const StreamEvent& ev, std::string& out) override;
  void on_end(std::string& out) override;
  void on_stream_error(const Error& err, std::string& out) override;
  void on_idle(std::string& out) override;
  void render_response(const FoldedResponse& r, std::string& out) override;

 private:
  enum class Output { None, Announced, All };
  enum class Stage { Added, Done };

  template <typename F>
  void emit(std::string& out, std::string_view type, F&& body);
  void ensure_created(std::string& out);
  size_t push(Item::Kind kind);
  Item* find_call(int index);
  void append_message(const std::string& text, bool refusal, std::string& out);
  void append_reasoning(const std::string& text, std::string& out);
  void pump(std::string& out);
  void announce(size_t i, std::string& out);
  void flush(size_t i, std::string& out);
  void finish_part(size_t i, size_t j, std::string& out);
  void close(size_t i, std::string& out);
  void finish(const StreamEvent& ev, std::string& out);

  void write_part(json::Writer& w, const Item& it, const Part& p, bool full) const;
  void write_item(json::Writer& w, const Item& it, Stage stage) const;
  void write_response(json::Writer& w, std::string_view status, Output output,
                      const Usage* usage, const Error* error, std::string_view reason) const;

  EncodeContext ctx_;
  Echo echo_;
  bool same_;
  std::vector<Item> items_;  // in output order; [0, head_) are closed on the wire
  size_t head_ = 0;
  int64_t seq_ = 0;
  bool created_ = false;
  bool finished_ = false;
  bool failed_ = false;
  Usage usage_;
  bool has_usage_ = false;
};

// ---- writers --------------------------------------------------------------------------------

void ResponsesEncoder::write_part(json::Writer& w, const Item& it, const Part& p, bool full) const {
  std::string_view text = full ? std::string_view(p.text) : std::string_view();
  w.begin_object();
  if (it.kind == Item::Kind::Reasoning) {
    w.field("type", "summary_text").field("text", text);
  } else if (p.refusal) {
    w.field("type", "refusal").field("refusal", text);
  } else {
    w.field("type", "output_text");
    w.key("annotations").begin_array().end_array();
    w.key("logprobs").begin_array().end_array();
    w.field("text", text);
  }
  w.end_object();
}

void ResponsesEncoder::write_item(json::Writer& w, const Item& it, Stage stage) const {
  const bool done = stage == Stage::Done;
  const char* status = !done ? "in_progress" : (it.incomplete ? "incomplete" : "completed");
  w.begin_object();
  w.field("id", it.id);
  switch (it.kind) {
    case Item::Kind::Message:
      w.field("type", "message").field("status", status);
      w.key("content").begin_array();
      if (done) for (const Part& p : it.parts) write_part(w, it, p, true);
      w.end_array();
      w.field("role", "assistant");
      break;
    case Item::Kind::Reasoning:
      w.field("type", "reasoning");
      w.key("summary").begin_array();
      if (done) for (const Part& p : it.parts) write_part(w, it, p, true);
      w.end_array();
      if (done && !it.encrypted.empty()) w.field("encrypted_content", it.encrypted);
      break;
    case Item::Kind::Call:
      w.field("type", "function_call").field("status", status);
      w.field("arguments", done ? std::string_view(it.arguments) : std::string_view());
      w.field("call_id", it.call_id).field("name", it.name);
      break;
  }
  w.end_object();
}

void ResponsesEncoder::write_response(json::Writer& w, std::string_view status, Output output,
                                      const Usage* usage, const Error* error,
                                      std::string_view reason) const {
  w.begin_object();
  w.field("id", ctx_.response_id);
  w.field("object", "response");
  w.field("created_at", ctx_.created);
  w.field("status", status);
  w.field("background", false);
  if (error != nullptr) {
    std::string_view code = openai_error_code(*error);
    w.key("error").begin_object();
    w.field("code", code.empty() ? std::string_view("server_error") : code);
    w.field("message", error->message);
    w.end_object();
  } else {
    w.field_null("error");
  }
  if (reason.empty()) {
    w.field_null("incomplete_details");
  } else {
    w.key("incomplete_details").begin_object().field("reason", reason).end_object();
  }
  w.field("model", ctx_.model_alias);
  w.key("output").begin_array();
  if (output != Output::None) {
    for (const Item& it : items_) {
      if (output == Output::Announced && !it.announced) continue;
      write_item(w, it, Stage::Done);
    }
  }
  w.end_array();
  for (const auto& [k, v] : echo_) w.field_raw(k, v);
  if (usage != nullptr) {
    w.key("usage");
    write_openai_responses_usage(*usage, w);
  } else {
    w.field_null("usage");
  }
  w.end_object();
}

// ---- stream encoder -------------------------------------------------------------------------

template <typename F>
void ResponsesEncoder::emit(std::string& out, std::string_view type, F&& body) {
  out += "event: ";
  out += type;
  out += "\ndata: ";
  json::Writer w(out);
  w.begin_object().field("type", type).field("sequence_number", seq_++);
  body(w);
  w.end_object();
  out += "\n\n";
}

void ResponsesEncoder::ensure_created(std::string& out) {
  if (created_) return;
  created_ = true;
  for (const char* type : {"response.created", "response.in_progress"}) {
    emit(out, type, [&](json::Writer& w) {
      w.key("response");
      write_response(w, "in_progress", Output::None, nullptr, nullptr, {});
    });
  }
}

void ResponsesEncoder::on_event(const StreamEvent& ev, std::string& out) {
  using K = StreamEvent::Kind;
  if (finished_ || failed_) return;
  if (ev.kind == K::Error) {
    on_stream_error(ev.error, out);
    return;
  }
  if (ev.kind == K::Start && same_) {
    if (auto tier = find_extra(ev.extras, "service_tier"); !tier.empty()) {
      for (auto& [k, v] : echo_) if (k == "service_tier") v = std::string(tier);
    }
  }
  ensure_created(out);
  switch (ev.kind) {
    case K::Start:
    case K::Error:
    case K::TextStart:  // native (unmodelled) output of another protocol: ignored
    case K::TextAnnotation:
    case K::NativeBlock:
      break;
    case K::TextDelta:
    case K::RefusalDelta:
      if (!ev.text.empty()) append_message(ev.text, ev.kind == K::RefusalDelta, out);
      break;
    case K::ReasoningDelta:
      if (!ev.text.empty()) append_reasoning(ev.text, out);
      break;
    case K::ReasoningSignature: {
      if (ev.text.empty()) break;
      Item* last = items_.empty() ? nullptr : &items_.back();
      if (last != nullptr && last->kind == Item::Kind::Reasoning && !last->complete) {
        last->signed_ = true;
        if (same_) last->encrypted += ev.text;
      } else if (same_) {  // a reasoning item without summary, e.g. only encrypted content
        size_t i = push(Item::Kind::Reasoning);
        items_[i].encrypted = ev.text;
        items_[i].signed_ = true;
      }
      pump(out);
      break;
    }
    case K::RedactedReasoning:
      if (same_ && !ev.text.empty()) {
        size_t i = push(Item::Kind::Reasoning);
        items_[i].encrypted = ev.text;
        items_[i].signed_ = true;
        items_[i].complete = true;
        pump(out);
      }
      break;
    case K::ToolCallStart: {
      size_t i = push(Item::Kind::Call);
      Item& it = items_[i];
      it.tool_index = ev.index;
      // The call_id carries a Gemini thoughtSignature (providers/carry.hpp).
      it.call_id = providers::caller_tool_id(
          ev.id.empty() ? providers::synth_tool_id(ctx_.response_id, ev.index) : ev.id,
          ev.signature);
      it.name = ev.name;
      pump(out);
      break;
    }
    case K::ToolCallDelta:
      if (ev.text.empty()) break;
      if (Item* it = find_call(ev.index)) {
        it->arguments += ev.text;
        pump(out);
      }
      break;
    case K::ToolCallEnd:
      if (Item* it = find_call(ev.index)) {
        it->complete = true;
        pump(out);
      }
      break;
    case K::Usage:
      usage_ = ev.usage;
      has_usage_ = true;
      break;
    case K::Finish:
      finish(ev, out);
      break;
  }
}

size_t ResponsesEncoder::push(Item::Kind kind) {
  // A new item ends any message / reasoning item before it (calls end only at ToolCallEnd).
  if (!items_.empty() && items_.back().kind != Item::Kind::Call) items_.back().complete = true;
  const size_t index = items_.size();
  std::string base = ctx_.response_id;
  if (base.rfind("resp_", 0) == 0) base.erase(0, 5);
  const char* prefix = kind == Item::Kind::Message ? "msg_" : kind == Item::Kind::Call ? "fc_" : "rs_";
  Item it;
  it.kind = kind;
  it.id = prefix + base + "_" + std::to_string(index);
  items_.push_back(std::move(it));
  return index;
}

Item* ResponsesEncoder::find_call(int index) {
  for (Item& it : items_) {
    if (it.kind == Item::Kind::Call && it.tool_index == index && !it.closed) return &it;
  }
  return nullptr;
}

void ResponsesEncoder::append_message(const std::string& text, bool refusal, std::string& out) {
  size_t i = items_.size();
  if (i == 0 || items_[i - 1].kind != Item::Kind::Message || items_[i - 1].complete) {
    i = push(Item::Kind::Message);
  } else {
    --i;
  }
  Item& it = items_[i];
  if (it.parts.empty() || it.parts.back().refusal != refusal) {
    it.parts.emplace_back();
    it.parts.back().refusal = refusal;
  }
  it.parts.back().text += text;
  pump(out);
}

void ResponsesEncoder::append_reasoning(const std::string& text, std::string& out) {
  size_t i = items_.size();
  if (i == 0 || items_[i - 1].kind != Item::Kind::Reasoning || items_[i - 1].complete ||
      items_[i - 1].signed_) {
    i = push(Item::Kind::Reasoning);
  } else {
    --i;
  }
  Item& it = items_[i];
  if (it.parts.empty()) it.parts.emplace_back();
  it.parts.back().text += text;
  pump(out);
}

void ResponsesEncoder::pump(std::string& out) {
  while (head_ < items_.size()) {
    if (!items_[head_].announced) announce(head_, out);
    flush(head_, out);
    if (!items_[head_].complete) break;
    close(head_, out);
    ++head_;
  }
}

void ResponsesEncoder::announce(size_t i, std::string& out) {
  items_[i].announced = true;
  emit(out, "response.output_item.added", [&](json::Writer& w) {
    w.field("output_index", static_cast<int64_t>(i));
    w.key("item");
    write_item(w, items_[i], Stage::Added);
  });
}

void ResponsesEncoder::flush(size_t i, std::string& out) {
  Item& it = items_[i];
  const auto oi = static_cast<int64_t>(i);
  if (it.kind == Item::Kind::Call) {
    if (it.args_sent < it.arguments.size()) {
      std::string_view delta = std::string_view(it.arguments).substr(it.args_sent);
      emit(out, "response.function_call_arguments.delta", [&](json::Writer& w) {
        w.field("item_id", it.id).field("output_index", oi).field("delta", delta);
      });
      it.args_sent = it.arguments.size();
    }
    return;
  }
  const bool reasoning = it.kind == Item::Kind::Reasoning;
  const char* index_key = reasoning ? "summary_index" : "content_index";
  for (size_t j = 0; j < it.parts.size(); ++j) {
    Part& p = it.parts[j];
    const auto pj = static_cast<int64_t>(j);
    if (!p.added) {
      p.added = true;
      emit(out, reasoning ? "response.reasoning_summary_part.added" : "response.content_part.added",
           [&](json::Writer& w) {
             w.field("item_id", it.id).field("output_index", oi).field(index_key, pj);
             w.key("part");
             write_part(w, it, p, false);
           });
    }
    if (p.sent < p.text.size()) {
      std::string_view delta = std::string_view(p.text).substr(p.sent);
      const char* type = reasoning   ? "response.reasoning_summary_text.delta"
                         : p.refusal ? "response.refusal.delta"
                                     : "response.output_text.delta";
      emit(out, type, [&](json::Writer& w) {
        w.field("item_id", it.id).field("output_index", oi).field(index_key, pj);
        w.field("delta", delta);
        if (!reasoning && !p.refusal) w.key("logprobs").begin_array().end_array();
      });
      p.sent = p.text.size();
    }
    if (j + 1 < it.parts.size() && !p.done) finish_part(i, j, out);
  }
}

void ResponsesEncoder::finish_part(size_t i, size_t j, std::string& out) {
  Item& it = items_[i];
  Part& p = it.parts[j];
  p.done = true;
  const auto oi = static_cast<int64_t>(i);
  const auto pj = static_cast<int64_t>(j);
  const bool reasoning = it.kind == Item::Kind::Reasoning;
  const char* index_key = reasoning ? "summary_index" : "content_index";
  const char* type = reasoning   ? "response.reasoning_summary_text.done"
                     : p.refusal ? "response.refusal.done"
                                 : "response.output_text.done";
  emit(out, type, [&](json::Writer& w) {
    w.field("item_id", it.id).field("output_index", oi).field(index_key, pj);
    if (p.refusal) {
      w.field("refusal", p.text);
    } else {
      w.field("text", p.text);
      if (!reasoning) w.key("logprobs").begin_array().end_array();
    }
  });
  emit(out, reasoning ? "response.reasoning_summary_part.done" : "response.content_part.done",
       [&](json::Writer& w) {
         w.field("item_id", it.id).field("output_index", oi).field(index_key, pj);
         w.key("part");
         write_part(w, it, p, true);
       });
}

void ResponsesEncoder::close(size_t i, std::string& out) {
  Item& it = items_[i];
  const auto oi = static_cast<int64_t>(i);
  if (it.kind == Item::Kind::Call) {
    if (it.arguments.empty()) {  // a zero-argument call still carries valid JSON arguments
      it.arguments = "{}";
      flush(i, out);
    }
    emit(out, "response.function_call_arguments.done", [&](json::Writer& w) {
      w.field("item_id", it.id).field("output_index", oi).field("arguments", it.arguments);
    });
  } else if (!it.parts.empty() && !it.parts.back().done) {
    finish_part(i, it.parts.size() - 1, out);
  }
  it.closed = true;
  emit(out, "response.output_item.done", [&](json::Writer& w) {
    w.field("output_index", oi);
    w.key("item");
    write_item(w, it, Stage::Done);
  });
}

void ResponsesEncoder::finish(const StreamEvent& ev, std::string& out) {
  const std::string_view reason = incomplete_reason(ev.finish);
  for (Item& it : items_) {
    if (it.complete) continue;
    it.complete = true;
    if (!reason.empty()) it.incomplete = true;
  }
  pump(out);
  finished_ = true;
  emit(out, reason.empty() ? "response.completed" : "response.incomplete", [&](json::Writer& w) {
    w.key("response");
    write_response(w, reason.empty() ? "completed" : "incomplete", Output::All, &usage_, nullptr,
                   reason);
  });
}

void ResponsesEncoder::on_end(std::string& out) {
  if (finished_ || failed_) return;  // the terminal event went out at Finish / the error
  // The upstream ended without a finish: never fake a clean end.
  on_stream_error(Error::make(ErrorKind::StreamInterrupted,
                              "The upstream stream ended before the response was complete."),
                  out);
}

void ResponsesEncoder::on_stream_error(const Error& err, std::string& out) {
  if (finished_ || failed_) return;
  ensure_created(out);
  failed_ = true;
  Error e = err;
  if (e.message.empty()) e.message = "An error occurred while generating the response.";
  std::string_view code = openai_error_code(e);
  emit(out, "error", [&](json::Writer& w) {
    if (code.empty()) w.field_null("code"); else w.field("code", code);
    w.field("message", e.message);
    if (e.param.empty()) w.field_null("param"); else w.field("param", e.param);
    w.key("error");  // the nested form OpenAI actually sends (fixture stream-error-*)
    render_openai_error_object(e, w);
  });
  for (Item& it : items_) {
    if (it.announced && !it.closed) it.incomplete = true;
  }
  emit(out, "response.failed", [&](json::Writer& w) {
    w.key("response");
    write_response(w, "failed", Output::Announced, has_usage_ ? &usage_ : nullptr, &e, {});
  });
}

void ResponsesEncoder::on_idle(std::string& out) {
  if (finished_ || failed_) return;
  out += ": keep-alive\n\n";  // SSE comment: ignored by SDK parsers, no sequence number
}

// ---- non-streaming body ---------------------------------------------------------------------

void ResponsesEncoder::render_response(const FoldedResponse& r, std::string& out) {
  items_.clear();
  head_ = 0;
  int tool_ordinal = 0;
  for (const OutputBlock& b : r.blocks) {
    switch (b.kind) {
      case OutputBlock::Kind::Text:
      case OutputBlock::Kind::Refusal: {
        if (b.text.empty()) break;
        const bool refusal = b.kind == OutputBlock::Kind::Refusal;
        size_t i = items_.size();
        if (i == 0 || items_[i - 1].kind != Item::Kind::Message) i = push(Item::Kind::Message);
        else --i;
        Item& it = items_[i];
        if (it.parts.empty() || it.parts.back().refusal != refusal) {
          it.parts.emplace_back();
          it.parts.back().refusal = refusal;
        }
        it.parts.back().text += b.text;
        break;
      }
      case OutputBlock::Kind::Reasoning: {
        const std::string& enc = same_ ? b.signature : std::string();
        if (b.text.empty() && enc.empty()) break;
        size_t i = push(Item::Kind::Reasoning);
        if (!b.text.empty()) {
          items_[i].parts.emplace_back();
          items_[i].parts.back().text = b.text;
        }
        items_[i].encrypted = enc;
        break;
      }
      case OutputBlock::Kind::RedactedReasoning:
        if (same_ && !b.text.empty()) items_[push(Item::Kind::Reasoning)].encrypted = b.text;
        break;
      case OutputBlock::Kind::Native:
        break;  // native output of another protocol
      case OutputBlock::Kind::ToolCall: {
        size_t i = push(Item::Kind::Call);
        Item& it = items_[i];
        it.call_id = providers::caller_tool_id(
            b.id.empty() ? providers::synth_tool_id(ctx_.response_id, tool_ordinal) : b.id,
            b.signature);
        it.name = b.name;
        it.arguments = b.arguments.empty() ? std::string("{}") : b.arguments;
        ++tool_ordinal;
        break;
      }
    }
  }
  const std::string_view reason = r.finished ? incomplete_reason(r.finish) : std::string_view();
  if (!reason.empty() && !items_.empty()) items_.back().incomplete = true;
  if (same_) {
    if (auto tier = find_extra(r.extras, "service_tier"); !tier.empty()) {
      for (auto& [k, v] : echo_) if (k == "service_tier") v = std::string(tier);
    }
  }
  Usage usage = r.has_usage ? r.usage : Usage{};
  json::Writer w(out);
  write_response(w, reason.empty() ? "completed" : "incomplete", Output::All, &usage, nullptr,
                 reason);
}

}  // namespace

// ---- shared pieces --------------------------------------------------------------------------

void write_openai_responses_usage(const Usage& u, json::Writer& w) {
  w.begin_object();
  w.field("input_tokens", u.input_tokens);
  w.key("input_tokens_details").begin_object();
  w.field("cached_tokens", u.cached_input_tokens);
  if (u.has_cache_write) w.field("cache_write_tokens", u.cache_write_tokens);
  w.end_object();
  w.field("output_tokens", u.output_tokens);
  w.key("output_tokens_details").begin_object();
  w.field("reasoning_tokens", u.reasoning_tokens);
  w.end_object();
  w.field("total_tokens", u.total());
  w.end_object();
}

Echo openai_responses_echo(const ChatRequest* req) {
  auto extra = [&](std::string_view key, std::string_view fallback) {
    std::string_view v = req != nullptr ? find_extra(req->extras, key) : std::string_view();
    return std::string(v.empty() ? fallback : v);
  };
  Echo e;
  e.emplace_back("instructions", extra("instructions", "null"));
  e.emplace_back("max_output_tokens",
                 req != nullptr && req->max_tokens ? std::to_string(*req->max_tokens) : "null");
  e.emplace_back("max_tool_calls", extra("max_tool_calls", "null"));
  e.emplace_back("parallel_tool_calls",
                 req != nullptr && req->parallel_tool_calls && !*req->parallel_tool_calls
                     ? "false" : "true");
  e.emplace_back("previous_response_id", "null");
  e.emplace_back("prompt_cache_key", extra("prompt_cache_key", "null"));
  e.emplace_back("reasoning", extra("reasoning", R"({"effort":null,"summary":null})"));
  e.emplace_back("safety_identifier", extra("safety_identifier", "null"));
  e.emplace_back("service_tier", extra("service_tier", R"("default")"));
  e.emplace_back("store", "false");  // OpenRain never stores a response
  auto number = [](const std::optional<double>& d) {
    if (!d) return std::string("null");
    std::string s;
    json::Writer(s).value(*d);
    return s;
  };
  e.emplace_back("temperature", number(req != nullptr ? req->temperature : std::nullopt));
  e.emplace_back("text", extra("text", R"({"format":{"type":"text"}})"));

  std::string choice = R"("auto")";
  std::string tools = "[]";
  if (req != nullptr) {
    switch (req->tool_choice.mode) {
      case ToolChoice::Mode::None: choice = R"("none")"; break;
      case ToolChoice::Mode::Required: choice = R"("required")"; break;
      case ToolChoice::Mode::Function:
        choice.clear();
        json::Writer(choice).begin_object().field("type", "function")
            .field("name", req->tool_choice.name).end_object();
        break;
      case ToolChoice::Mode::Unset:
      case ToolChoice::Mode::Auto: break;
    }
    tools.clear();
    json::Writer w(tools);
    w.begin_array();
    for (const ToolDef& t : req->tools) {
      w.begin_object().field("type", "function").field("name", t.name);
      if (t.description.empty()) w.field_null("description"); else w.field("description", t.description);
      if (t.parameters.empty()) w.field_null("parameters"); else w.field_raw("parameters", t.parameters);
      if (t.strict) w.field("strict", *t.strict); else w.field_null("strict");
      w.end_object();
    }
    w.end_array();
  }
  e.emplace_back("tool_choice", std::move(choice));
  e.emplace_back("tools", std::move(tools));
  e.emplace_back("top_logprobs", extra("top_logprobs", "0"));
  e.emplace_back("top_p", number(req != nullptr ? req->top_p : std::nullopt));
  e.emplace_back("truncation", extra("truncation", R"("disabled")"));
  e.emplace_back("user", req != nullptr && !req->user.empty() ? json_string(req->user) : "null");
  e.emplace_back("metadata", extra("metadata", "{}"));
  return e;
}

std::unique_ptr<SurfaceEncoder> make_openai_responses_encoder(const EncodeContext& ctx,
                                                              const ChatRequest* req) {
  return std::make_unique<ResponsesEncoder>(ctx, req);
}

}  // namespace openrain::surfaces
