// providers/openai_decoder.cpp — OpenAI Chat Completions response body → canonical events.
//
// Streaming bodies go through sse::Framer; each data payload is one chat.completion.chunk (or an
// `{"error":...}` object, or "[DONE]"). A non-streaming body (or a "stream" that turns out to be a
// plain JSON document, which some servers send for errors or when they ignore `stream`) is buffered
// and decoded at finish(). Only choice 0 is decoded. See openai.hpp for the tool-call, finish
// reason and truncation conventions. One decoder per response; not thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/reader.hpp"
#include "providers/common.hpp"
#include "providers/openai.hpp"
#include "sse/framer.hpp"

namespace openrain::providers::openai {

namespace {

using json::Array;
using json::Element;
using json::Object;

FinishReason map_finish(std::string_view s) {
  if (s == "stop") return FinishReason::Stop;
  if (s == "length") return FinishReason::Length;
  if (s == "tool_calls" || s == "function_call") return FinishReason::ToolCalls;
  if (s == "content_filter") return FinishReason::ContentFilter;
  return FinishReason::Other;
}

Usage parse_usage(Object u) {
  Usage out;
  out.input_tokens = json::get_int(u, "prompt_tokens");
  out.output_tokens = json::get_int(u, "completion_tokens");
  auto ptd = json::get_object(u, "prompt_tokens_details");
  if (ptd && json::has_key(*ptd, "cached_tokens")) {
    out.cached_input_tokens = json::get_int(*ptd, "cached_tokens");
  } else {
    out.cached_input_tokens = json::get_int(u, "prompt_cache_hit_tokens");  // DeepSeek
  }
  if (ptd && json::has_key(*ptd, "cache_write_tokens")) {
    out.cache_write_tokens = json::get_int(*ptd, "cache_write_tokens");
    out.has_cache_write = true;
  }
  if (auto ctd = json::get_object(u, "completion_tokens_details")) {
    out.reasoning_tokens = json::get_int(*ctd, "reasoning_tokens");
  }
  return out;
}

// Text of a reasoning field: a string, or an object/array carrying "text" members.
std::string reasoning_text(Object o, std::string_view key) {
  Element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return {};
  if (e.is_string()) return std::string(e.get_string().value_unsafe());
  if (e.is_object()) return std::string(json::get_string(e.get_object().value_unsafe(), "text"));
  if (e.is_array()) {
    std::string out;
    for (Element item : json::Array(e.get_array().value_unsafe())) {
      if (item.is_object()) out += json::get_string(item.get_object().value_unsafe(), "text");
    }
    return out;
  }
  return {};
}

// Tool-call arguments: normally a JSON string; some servers send the object itself.
std::string arguments_of(Object fn) {
  Element e;
  if (fn.at_key("arguments").get(e) != simdjson::SUCCESS || e.is_null()) return {};
  if (e.is_string()) return std::string(e.get_string().value_unsafe());
  return json::to_json(e);
}

class ChatDecoder final : public ResponseDecoder {
 public:
  ChatDecoder(const ChatRequest& req, const Deployment& d, bool streaming)
      : mode_(streaming ? Mode::Sniff : Mode::Buffer), stop_(req.stop) {
    if (d.provider != nullptr) {
      provider_ = *d.provider;  // a private copy: the decoder may outlive a config reload
      max_buffer_ = static_cast<size_t>(d.provider->max_response_bytes);
    }
    if (!provider_.quirks.reasoning_field.empty()) {
      reasoning_fields_.push_back(provider_.quirks.reasoning_field);
    }
    for (const char* f : {"reasoning_content", "reasoning", "reasoning_details"}) {
      if (provider_.quirks.reasoning_field != f) reasoning_fields_.emplace_back(f);
    }
  }

  Status feed(std::string_view bytes, EventSink& sink) override {
    if (failed_) return *failed_;
    if (done_) return {};
    if (mode_ == Mode::Sniff) {
      size_t i = 0;
      while (i < bytes.size() && is_space_or_bom(bytes[i])) ++i;
      if (i == bytes.size()) {
        sniffed_.append(bytes);
        return {};
      }
      mode_ = (bytes[i] == '{' || bytes[i] == '[') ? Mode::Buffer : Mode::Sse;
      std::string pending = std::move(sniffed_);
      pending.append(bytes);
      return feed_mode(pending, sink);
    }
    return feed_mode(bytes, sink);
  }

  Status finish(EventSink& sink) override {
    if (failed_) return *failed_;
    if (done_) return {};
    if (mode_ == Mode::Buffer) return decode_document(sink);
    if (mode_ == Mode::Sse) {
      events_.clear();
      framer_.finish(events_);
      at_eof_ = true;  // a trailing event without its blank line may be cut mid-JSON
      if (Status s = process_events(sink); !s.ok()) return s;
      if (done_) return {};
    }
    if (has_finish_) {  // finish_reason seen, body ended without [DONE]: complete
      end(sink);
      return {};
    }
    Error e = Error::make(ErrorKind::StreamInterrupted,
                          "upstream provider " + provider_.name +
                              " ended the stream before the response was complete");
    e.provider = provider_.name;
    return fail(std::move(e));
  }

 private:
  enum class Mode { Sniff, Sse, Buffer };
  struct Call {
    int64_t upstream_index = -1;  // -1 when keyed by id / position
    std::string upstream_id;
    std::string id;
    std::string name;
    std::string pending_args;     // fragments received before the name
    bool started = false;
    int ordinal = -1;
    size_t arg_bytes = 0;
  };

  static bool is_space_or_bom(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\xEF' || c == '\xBB' ||
           c == '\xBF';
  }

  Status fail(Error e) {
    failed_ = std::move(e);
    return *failed_;
  }

  Error protocol_error(const std::string& what) const {
    Error e = Error::make(ErrorKind::UpstreamProtocol,
                          "upstream provider " + provider_.name + " " + what);
    e.provider = provider_.name;
    return e;
  }

  Status feed_mode(std::string_view bytes, EventSink& sink) {
    if (mode_ == Mode::Buffer) {
      if (max_buffer_ > 0 && body_.size() + bytes.size() > max_buffer_) {
        return fail(protocol_error("returned a response body over the configured size limit"));
      }
      body_.append(bytes);
      return {};
    }
    events_.clear();
    if (Status s = framer_.feed(bytes, events_); !s.ok()) {
      Error e = s.take_error();
      e.provider = provider_.name;
      return fail(std::move(e));
    }
    return process_events(sink);
  }

  Status process_events(EventSink& sink) {
    for (sse::Event& ev : events_) {
      if (done_) break;
      if (Status s = process_data(ev.data, sink); !s.ok()) return s;
    }
    events_.clear();
    return {};
  }

  Status process_data(std::string_view data, EventSink& sink) {
    size_t b = 0;
    while (b < data.size() && (data[b] == ' ' || data[b] == '\t')) ++b;
    data.remove_prefix(b);
    if (data.empty()) return {};
    if (data == "[DONE]") {
      end(sink);
      return {};
    }
    auto parsed = reader_.parse(data);
    if (!parsed.ok()) {
      if (at_eof_) return {};  // the body was cut inside this event: judged by has_finish_
      return fail(protocol_error("sent a stream event that is not valid JSON"));
    }
    Element root = parsed.value();
    if (!root.is_object()) return {};  // tolerate stray non-object payloads
    Object o = root.get_object().value_unsafe();
    if (is_error_object(o)) {
      emit_error(data, sink);
      return {};
    }
    start(o, sink);
    if (auto choices = json::get_array(o, "choices")) {
      for (Element c : *choices) {
        if (!c.is_object()) continue;
        Object choice = c.get_object().value_unsafe();
        if (json::get_int(choice, "index", 0) != 0) continue;  // only choice 0 is decoded
        if (auto delta = json::get_object(choice, "delta")) apply_delta(*delta, sink);
        note_finish(choice);
      }
    }
    if (auto u = json::get_object(o, "usage")) {
      usage_ = parse_usage(*u);
      has_usage_ = true;
    }
    return {};
  }

  static bool is_error_object(Object o) {
    Element e;
    return o.at_key("error").get(e) == simdjson::SUCCESS && (e.is_object() || e.is_string());
  }

  void emit_error(std::string_view payload, EventSink& sink) {
    ErrorBody body = parse_error_body(payload);
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::Error;
    ev.error = classify(body.status, Headers{}, body, &provider_);
    sink.on_event(std::move(ev));
    done_ = true;
  }

  void start(Object o, EventSink& sink) {
    if (started_) return;
    started_ = true;
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::Start;
    ev.id = std::string(json::get_string(o, "id"));
    ev.name = std::string(json::get_string(o, "model"));
    ev.created = json::get_int(o, "created");
    for (const char* key : {"system_fingerprint", "service_tier"}) {
      Element e;
      if (o.at_key(key).get(e) == simdjson::SUCCESS && !e.is_null()) {
        ev.extras.push_back(RawField{key, json::to_json(e)});
      }
    }
    response_id_ = ev.id;
    sink.on_event(std::move(ev));
  }

  void emit_text(StreamEvent::Kind kind, std::string text, EventSink& sink) {
    if (text.empty()) return;
    StreamEvent ev;
    ev.kind = kind;
    ev.text = std::move(text);
    sink.on_event(std::move(ev));
  }

  void emit_reasoning(Object o, EventSink& sink) {
    for (const std::string& f : reasoning_fields_) {
      std::string t = reasoning_text(o, f);
      if (!t.empty()) {  // first non-empty field only: servers may mirror the same text
        emit_text(StreamEvent::Kind::ReasoningDelta, std::move(t), sink);
        return;
      }
    }
  }

  void apply_delta(Object delta, EventSink& sink) {
    emit_reasoning(delta, sink);
    emit_text(StreamEvent::Kind::TextDelta, std::string(json::get_string(delta, "content")), sink);
    emit_text(StreamEvent::Kind::RefusalDelta, std::string(json::get_string(delta, "refusal")),
              sink);
    if (auto calls = json::get_array(delta, "tool_calls")) {
      for (Element e : *calls) {
        if (e.is_object()) apply_tool_delta(e.get_object().value_unsafe(), sink);
      }
    }
  }

  void note_finish(Object choice) {
    std::string_view fr = json::get_string(choice, "finish_reason");
    if (fr.empty()) return;
    has_finish_ = true;
    native_finish_ = std::string(fr);
    std::string_view matched = json::get_string(choice, "stop_reason");  // vLLM
    if (matched.empty()) matched = json::get_string(choice, "matched_stop");  // SGLang
    stop_sequence_.clear();
    for (const std::string& s : stop_) {
      if (!matched.empty() && s == matched) stop_sequence_ = s;
    }
  }

  Call& route_call(Object tc) {
    std::string_view id = json::get_string(tc, "id");
    Element idx;
    bool has_index = !provider_.quirks.tool_call_index_missing &&
                     tc.at_key("index").get(idx) == simdjson::SUCCESS && idx.is_number();
    if (has_index) {
      int64_t i = idx.is_int64() ? idx.get_int64().value_unsafe() : json::get_int(tc, "index");
      for (Call& c : calls_) {
        if (c.upstream_index == i) return c;
      }
      Call c;
      c.upstream_index = i;
      c.upstream_id = std::string(id);
      calls_.push_back(std::move(c));
      return calls_.back();
    }
    if (!id.empty()) {
      for (Call& c : calls_) {
        if (c.upstream_id == id) return c;
      }
      Call c;
      c.upstream_id = std::string(id);
      calls_.push_back(std::move(c));
      return calls_.back();
    }
    if (calls_.empty()) calls_.emplace_back();
    return calls_.back();
  }

  void start_call(Call& c, EventSink& sink) {
    c.started = true;
    c.ordinal = next_ordinal_++;
    c.id = !c.upstream_id.empty() ? c.upstream_id
                                  : synth_tool_id(response_id_.empty() ? "openai" : response_id_,
                                                  c.ordinal);
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::ToolCallStart;
    ev.index = c.ordinal;
    ev.id = c.id;
    ev.name = c.name;
    sink.on_event(std::move(ev));
    if (!c.pending_args.empty()) {
      std::string args = std::move(c.pending_args);
      c.pending_args.clear();
      emit_args(c, std::move(args), sink);
    }
  }

  void emit_args(Call& c, std::string args, EventSink& sink) {
    if (args.empty()) return;
    c.arg_bytes += args.size();
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::ToolCallDelta;
    ev.index = c.ordinal;
    ev.text = std::move(args);
    sink.on_event(std::move(ev));
  }

  void apply_tool_delta(Object tc, EventSink& sink) {
    std::string_view id = json::get_string(tc, "id");
    std::string_view name;
    std::string args;
    if (auto fn = json::get_object(tc, "function")) {
      name = json::get_string(*fn, "name");
      args = arguments_of(*fn);
    }
    if (id.empty() && name.empty() && args.empty()) return;  // nothing to apply: open no call
    Call& c = route_call(tc);
    if (!c.started && c.name.empty()) c.name = std::string(name);
    if (!c.started && c.upstream_id.empty()) c.upstream_id = std::string(id);
    if (c.started) {
      emit_args(c, std::move(args), sink);
      return;
    }
    c.pending_args += args;
    if (!c.name.empty()) start_call(c, sink);  // hold fragments until the name is known
  }

  void end_call(Call& c, EventSink& sink) {
    if (!c.started) start_call(c, sink);
    if (c.arg_bytes == 0) emit_args(c, "{}", sink);  // always hand callers valid JSON
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::ToolCallEnd;
    ev.index = c.ordinal;
    sink.on_event(std::move(ev));
  }

  // Natural end: close calls in ordinal order, then Usage, then Finish.
  void end(EventSink& sink) {
    if (done_) return;
    if (!started_) {
      started_ = true;
      StreamEvent ev;
      ev.kind = StreamEvent::Kind::Start;
      sink.on_event(std::move(ev));
    }
    for (Call& c : calls_) {
      if (c.started) continue;
      start_call(c, sink);
    }
    for (int k = 0; k < next_ordinal_; ++k) {
      for (Call& c : calls_) {
        if (c.ordinal == k) end_call(c, sink);
      }
    }
    if (has_usage_) {
      StreamEvent ev;
      ev.kind = StreamEvent::Kind::Usage;
      ev.usage = usage_;
      sink.on_event(std::move(ev));
    }
    StreamEvent ev;
    ev.kind = StreamEvent::Kind::Finish;
    ev.native_finish = native_finish_;
    if (native_finish_.empty()) {
      ev.finish = calls_.empty() ? FinishReason::Stop : FinishReason::ToolCalls;
    } else {
      ev.finish = map_finish(native_finish_);
    }
    if (ev.finish == FinishReason::Stop && !calls_.empty()) {
      ev.finish = FinishReason::ToolCalls;
    } else if (ev.finish == FinishReason::Stop && !stop_sequence_.empty()) {
      ev.finish = FinishReason::StopSequence;
      ev.stop_sequence = stop_sequence_;
    }
    sink.on_event(std::move(ev));
    done_ = true;
  }

  // A whole chat.completion document (non-streaming).
  Status decode_document(EventSink& sink) {
    std::string_view body = body_;
    while (!body.empty() && is_space_or_bom(body.front())) body.remove_prefix(1);
    auto parsed = reader_.parse(body);
    if (!parsed.ok() || !parsed.value().is_object()) {
      return fail(protocol_error("returned a response body that is not a JSON object"));
    }
    Object o = parsed.value().get_object().value_unsafe();
    if (is_error_object(o)) {
      emit_error(body, sink);
      return {};
    }
    start(o, sink);
    std::optional<Object> message;
    if (auto choices = json::get_array(o, "choices")) {
      for (Element c : *choices) {
        if (!c.is_object()) continue;
        Object choice = c.get_object().value_unsafe();
        if (json::get_int(choice, "index", 0) != 0) continue;
        message = json::get_object(choice, "message");
        note_finish(choice);
        break;
      }
    }
    std::string refusal;
    if (message) {
      emit_reasoning(*message, sink);
      Element content;
      if (message->at_key("content").get(content) == simdjson::SUCCESS) {
        if (content.is_string()) {
          emit_text(StreamEvent::Kind::TextDelta, std::string(content.get_string().value_unsafe()),
                    sink);
        } else if (content.is_array()) {  // servers that answer with text parts
          for (Element part : json::Array(content.get_array().value_unsafe())) {
            if (part.is_object()) {
              emit_text(StreamEvent::Kind::TextDelta,
                        std::string(json::get_string(part.get_object().value_unsafe(), "text")),
                        sink);
            }
          }
        }
      }
      if (auto calls = json::get_array(*message, "tool_calls")) {
        for (Element e : *calls) {
          if (!e.is_object()) continue;
          Object tc = e.get_object().value_unsafe();
          Call c;  // positional: one array entry is one call, whatever its index says
          c.upstream_id = std::string(json::get_string(tc, "id"));
          std::string args;
          if (auto fn = json::get_object(tc, "function")) {
            c.name = std::string(json::get_string(*fn, "name"));
            args = arguments_of(*fn);
          }
          calls_.push_back(std::move(c));
          Call& call = calls_.back();
          start_call(call, sink);
          emit_args(call, std::move(args), sink);
          end_call(call, sink);
          call.ordinal = -2;  // already ended; end() must not close it again
        }
      }
      refusal = std::string(json::get_string(*message, "refusal"));
    }
    emit_text(StreamEvent::Kind::RefusalDelta, std::move(refusal), sink);
    if (auto u = json::get_object(o, "usage")) {
      usage_ = parse_usage(*u);
      has_usage_ = true;
    }
    end(sink);
    return {};
  }

  Mode mode_;
  ProviderConfig provider_;
  std::vector<std::string> stop_;
  std::vector<std::string> reasoning_fields_;
  size_t max_buffer_ = 0;
  json::Reader reader_;  // own parser: sinks may parse on the thread reader while we iterate
  sse::Framer framer_;
  std::vector<sse::Event> events_;
  std::string sniffed_;
  std::string body_;
  std::optional<Error> failed_;
  bool started_ = false;
  bool done_ = false;
  bool at_eof_ = false;
  std::string response_id_;
  std::vector<Call> calls_;
  int next_ordinal_ = 0;
  bool has_finish_ = false;
  std::string native_finish_;
  std::string stop_sequence_;
  Usage usage_;
  bool has_usage_ = false;
};

}  // namespace

std::unique_ptr<ResponseDecoder> make_decoder(const ChatRequest& req, const Deployment& d,
                                              bool streaming) {
  return std::make_unique<ChatDecoder>(req, d, streaming);
}

}  // namespace openrain::providers::openai
