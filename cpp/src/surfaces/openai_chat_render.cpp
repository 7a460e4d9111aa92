// Chat Completions rendering: canonical events → `chat.completion.chunk` SSE frames, and the
// folded response → a `chat.completion` body. Shapes follow recorded OpenAI traffic
// (fixtures/openai-chat/*.sse, *.response.json).
#include <string>
#include <string_view>
#include <vector>

#include "json/writer.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "surfaces/openai_chat.hpp"
#include "surfaces/openai_errors.hpp"

namespace openrain::surfaces {

const char* openai_chat_finish_reason(FinishReason r) {
  switch (r) {
    case FinishReason::Stop:
    case FinishReason::StopSequence:
    case FinishReason::Other:
      return "stop";
    case FinishReason::Length: return "length";
    case FinishReason::ToolCalls: return "tool_calls";
    case FinishReason::ContentFilter: return "content_filter";
  }
  return "stop";
}

void write_openai_chat_usage(const Usage& u, json::Writer& w) {
  w.begin_object();
  w.field("prompt_tokens", u.input_tokens);
  w.field("completion_tokens", u.output_tokens);
  w.field("total_tokens", u.total());
  w.key("prompt_tokens_details").begin_object();
  w.field("cached_tokens", u.cached_input_tokens);
  w.field("audio_tokens", 0);
  if (u.has_cache_write) w.field("cache_write_tokens", u.cache_write_tokens);
  w.end_object();
  w.key("completion_tokens_details").begin_object();
  w.field("reasoning_tokens", u.reasoning_tokens);
  w.field("audio_tokens", 0);
  w.field("accepted_prediction_tokens", 0);
  w.field("rejected_prediction_tokens", 0);
  w.end_object();
  w.end_object();
}

namespace {

/// The raw JSON of extras `key`, or empty when absent or null.
std::string_view find_extra(const std::vector<RawField>& extras, std::string_view key) {
  for (const auto& f : extras) {
    if (f.key == key) return f.json == "null" ? std::string_view() : std::string_view(f.json);
  }
  return {};
}

/// The call id the caller sees; it carries a Gemini thoughtSignature (providers/carry.hpp).
std::string tool_id_or_synth(const std::string& id, const std::string& signature,
                             const std::string& seed, int index) {
  return providers::caller_tool_id(id.empty() ? providers::synth_tool_id(seed, index) : id,
                                   signature);
}

class OpenAIChatEncoder final : public SurfaceEncoder {
 public:
  explicit OpenAIChatEncoder(const EncodeContext& ctx) : ctx_(ctx) {}

  void on_event(const StreamEvent& ev, std::string& out) override;
  void on_end(std::string& out) override;
  void on_stream_error(const Error& err, std::string& out) override;
  void on_idle(std::string& out) override;
  void render_response(const FoldedResponse& r, std::string& out) override;

 private:
  enum class First { Text, Refusal, Tool };

  /// Opens a chunk object with the members every chunk of the stream repeats (id, object,
  /// created, model, service tier, fingerprint), rendered once and reused.
  void begin_chunk(json::Writer& w);
  /// One frame with a single choice; `delta` writes the members of the delta object.
  template <typename F>
  void choice_chunk(std::string& out, F&& delta, const char* finish_reason);
  void ensure_role(std::string& out, First first);
  void write_tool_start(json::Writer& w, const StreamEvent& ev);
  /// Whether argument bytes were sent for tool call `index`; nullptr for an unknown index.
  bool* args_seen(int index);

  EncodeContext ctx_;
  std::string system_fingerprint_;  // raw JSON, same-protocol only
  std::string service_tier_;        // raw JSON, same-protocol only
  std::string chunk_members_;       // cached by begin_chunk; cleared when the above change
  bool role_sent_ = false;
  bool finished_ = false;
  bool closed_ = false;  // [DONE] or an error frame was written
  Usage usage_;
  std::vector<std::pair<int, bool>> tool_args_seen_;
};

void OpenAIChatEncoder::begin_chunk(json::Writer& w) {
  if (chunk_members_.empty()) {
    json::Writer m(chunk_members_);
    m.begin_object();
    m.field("id", ctx_.response_id);
    m.field("object", "chat.completion.chunk");
    m.field("created", ctx_.created);
    m.field("model", ctx_.model_alias);
    if (!service_tier_.empty()) m.field_raw("service_tier", service_tier_);
    if (!system_fingerprint_.empty()) m.field_raw("system_fingerprint", system_fingerprint_);
    chunk_members_.erase(0, 1);  // keep the members only: begin_object_with adds the brace
  }
  w.begin_object_with(chunk_members_);
}

template <typename F>
void OpenAIChatEncoder::choice_chunk(std::string& out, F&& delta, const char* finish_reason) {
  out.append("data: ");
  json::Writer w(out);
  begin_chunk(w);
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("delta").begin_object();
  delta(w);
  w.end_object();
  w.field_null("logprobs");
  if (finish_reason) w.field("finish_reason", finish_reason); else w.field_null("finish_reason");
  w.end_object().end_array();
  if (ctx_.include_usage) w.field_null("usage");
  w.end_object();
  out.append("\n\n");
}

void OpenAIChatEncoder::ensure_role(std::string& out, First first) {
  if (role_sent_) return;
  role_sent_ = true;
  if (first == First::Tool) return;  // the role rides on the first tool-call chunk
  choice_chunk(out, [&](json::Writer& w) {
    w.field("role", "assistant");
    if (first == First::Refusal) {
      w.field_null("content");
      w.field("refusal", "");
    } else {
      w.field("content", "");
      w.field_null("refusal");
    }
  }, nullptr);
}

bool* OpenAIChatEncoder::args_seen(int index) {
  for (auto& [i, seen] : tool_args_seen_) if (i == index) return &seen;
  return nullptr;
}

void OpenAIChatEncoder::write_tool_start(json::Writer& w, const StreamEvent& ev) {
  w.key("tool_calls").begin_array().begin_object();
  w.field("index", ev.index);
  w.field("id", tool_id_or_synth(ev.id, ev.signature, ctx_.response_id, ev.index));
  w.field("type", "function");
  w.key("function").begin_object().field("name", ev.name).field("arguments", "").end_object();
  w.end_object().end_array();
}

void OpenAIChatEncoder::on_event(const StreamEvent& ev, std::string& out) {
  if (closed_) return;
  using K = StreamEvent::Kind;
  switch (ev.kind) {
    case K::Start:
      if (ctx_.upstream == Protocol::OpenAIChat) {
        system_fingerprint_ = std::string(find_extra(ev.extras, "system_fingerprint"));
        service_tier_ = std::string(find_extra(ev.extras, "service_tier"));
        chunk_members_.clear();
      }
      break;
    case K::TextDelta:
      ensure_role(out, First::Text);
      if (!ev.text.empty()) {
        choice_chunk(out, [&](json::Writer& w) { w.field("content", ev.text); }, nullptr);
      }
      break;
    case K::RefusalDelta:
      ensure_role(out, First::Refusal);
      if (!ev.text.empty()) {
        choice_chunk(out, [&](json::Writer& w) { w.field("refusal", ev.text); }, nullptr);
      }
      break;
    case K::ReasoningDelta:
      ensure_role(out, First::Text);
      if (!ev.text.empty()) {
        choice_chunk(out, [&](json::Writer& w) { w.field("reasoning_content", ev.text); }, nullptr);
      }
      break;
    case K::ToolCallStart: {
      bool first = !role_sent_;
      ensure_role(out, First::Tool);
      if (bool* seen = args_seen(ev.index)) *seen = false;
      else tool_args_seen_.emplace_back(ev.index, false);
      choice_chunk(out, [&](json::Writer& w) {
        if (first) {
          w.field("role", "assistant");
          w.field_null("content");
        }
        write_tool_start(w, ev);
        if (first) w.field_null("refusal");
      }, nullptr);
      break;
    }
    case K::ToolCallDelta:
      if (ev.text.empty()) break;
      ensure_role(out, First::Text);
      if (bool* seen = args_seen(ev.index)) *seen = true;
      choice_chunk(out, [&](json::Writer& w) {
        w.key("tool_calls").begin_array().begin_object();
        w.field("index", ev.index);
        w.key("function").begin_object().field("arguments", ev.text).end_object();
        w.end_object().end_array();
      }, nullptr);
      break;
    case K::ToolCallEnd: {
      // A zero-argument call must still carry valid JSON arguments ("{}", not "").
      bool* seen = args_seen(ev.index);
      if (!seen || *seen) break;
      *seen = true;
      choice_chunk(out, [&](json::Writer& w) {
        w.key("tool_calls").begin_array().begin_object();
        w.field("index", ev.index);
        w.key("function").begin_object().field("arguments", "{}").end_object();
        w.end_object().end_array();
      }, nullptr);
      break;
    }
    case K::Usage:
      usage_ = ev.usage;
      break;
    case K::Finish:
      if (finished_) break;
      finished_ = true;
      ensure_role(out, First::Text);
      choice_chunk(out, [](json::Writer&) {}, openai_chat_finish_reason(ev.finish));
      if (ctx_.include_usage) {
        out.append("data: ");
        json::Writer w(out);
        begin_chunk(w);
        w.key("choices").begin_array().end_array();
        w.key("usage");
        write_openai_chat_usage(usage_, w);
        w.end_object();
        out.append("\n\n");
      }
      break;
    case K::Error:
      on_stream_error(ev.error, out);
      break;
    case K::ReasoningSignature:
    case K::RedactedReasoning:
    case K::TextStart:       // native (unmodelled) output of another protocol: no Chat form
    case K::TextAnnotation:
    case K::NativeBlock:
      break;  // no Chat Completions representation
  }
}

void OpenAIChatEncoder::on_end(std::string& out) {
  if (closed_) return;
  closed_ = true;
  out.append("data: [DONE]\n\n");
}

void OpenAIChatEncoder::on_stream_error(const Error& err, std::string& out) {
  if (closed_) return;
  closed_ = true;
  out.append("data: ");
  json::Writer w(out);
  w.begin_object().key("error");
  render_openai_error_object(err, w);
  w.end_object();
  out.append("\n\n");
}

void OpenAIChatEncoder::on_idle(std::string& out) {
  if (closed_) return;
  out.append(": keep-alive\n\n");  // SSE comment: ignored by the openai SDKs
}

void OpenAIChatEncoder::render_response(const FoldedResponse& r, std::string& out) {
  std::string text, refusal, reasoning;
  bool has_text = false, has_refusal = false, has_tools = false;
  for (const auto& b : r.blocks) {
    switch (b.kind) {
      case OutputBlock::Kind::Text:  // a Gemini signature-only part is not text
        text += b.text;
        has_text = has_text || !b.text.empty() || b.signature.empty();
        break;
      case OutputBlock::Kind::Refusal: refusal += b.text; has_refusal = true; break;
      case OutputBlock::Kind::Reasoning: reasoning += b.text; break;
      case OutputBlock::Kind::ToolCall: has_tools = true; break;
      case OutputBlock::Kind::RedactedReasoning:
      case OutputBlock::Kind::Native:
        break;
    }
  }
  const bool same_protocol = ctx_.upstream == Protocol::OpenAIChat;

  json::Writer w(out);
  w.begin_object();
  w.field("id", ctx_.response_id);
  w.field("object", "chat.completion");
  w.field("created", ctx_.created);
  w.field("model", ctx_.model_alias);
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("message").begin_object();
  w.field("role", "assistant");
  if (has_text || (!has_tools && !has_refusal)) w.field("content", text);
  else w.field_null("content");
  if (has_refusal) w.field("refusal", refusal); else w.field_null("refusal");
  w.key("annotations").begin_array().end_array();
  if (!reasoning.empty()) w.field("reasoning_content", reasoning);
  if (has_tools) {
    w.key("tool_calls").begin_array();
    int k = 0;
    for (const auto& b : r.blocks) {
      if (b.kind != OutputBlock::Kind::ToolCall) continue;
      w.begin_object();
      w.field("id", tool_id_or_synth(b.id, b.signature, ctx_.response_id, k));
      w.field("type", "function");
      w.key("function").begin_object();
      w.field("name", b.name);
      // A zero-argument call still carries valid JSON arguments.
      w.field("arguments",
              b.arguments.empty() ? std::string_view("{}") : std::string_view(b.arguments));
      w.end_object();
      w.end_object();
      ++k;
    }
    w.end_array();
  }
  w.end_object();  // message
  w.field_null("logprobs");
  w.field("finish_reason", openai_chat_finish_reason(r.finish));
  w.end_object().end_array();
  w.key("usage");
  write_openai_chat_usage(r.has_usage ? r.usage : Usage{}, w);
  if (same_protocol) {
    if (auto tier = find_extra(r.extras, "service_tier"); !tier.empty()) {
      w.field_raw("service_tier", tier);
    }
    if (auto fp = find_extra(r.extras, "system_fingerprint"); !fp.empty()) {
      w.field_raw("system_fingerprint", fp);
    }
  }
  w.end_object();
}

}  // namespace

std::unique_ptr<SurfaceEncoder> make_openai_chat_encoder(const EncodeContext& ctx) {
  return std::make_unique<OpenAIChatEncoder>(ctx);
}

}  // namespace openrain::surfaces
