// Renderers for OpenAI Chat and Anthropic Messages, errors / HTML / replay, and the public
// dispatch. Layouts are modelled on the recordings in /work/shared/fixtures (see the comment at
// each renderer for the files it follows). Gemini lives in wire_render_gemini.cpp.
#include "sim/wire_render.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "sim/render_common.hpp"

namespace openrain::sim {
namespace detail {

Plan make_plan(const Script& s, const RenderContext& ctx) {
  Plan p;
  p.text = s.echo ? ctx.echo_text : std::string_view(s.text);
  p.text_block = !p.text.empty() || s.tool_calls.empty();
  p.reasoning = s.usage_reasoning >= 0 ? s.usage_reasoning
                : s.reasoning.empty() ? 0 : estimate_tokens(s.reasoning.size());
  if (s.usage_output >= 0) {
    p.out = s.usage_output;
  } else {
    int64_t o = estimate_tokens(p.text.size()) + p.reasoning;
    for (const auto& tc : s.tool_calls) o += estimate_tokens(tc.name.size() + tc.arguments.size());
    p.out = std::max<int64_t>(1, o);
  }
  p.in = s.usage_input >= 0 ? s.usage_input : ctx.prompt_tokens;
  p.cached = std::max<int64_t>(0, s.usage_cached);
  p.cache_write = std::max<int64_t>(0, s.usage_cache_write);
  p.finish = !s.finish.empty() ? std::string_view(s.finish)
             : s.tool_calls.empty() ? std::string_view("stop") : std::string_view("tool_calls");
  p.created = s.created != 0 ? s.created : ctx.now;
  return p;
}

void end_frame(Reply& r, bool content) {
  r.frames.push_back(Frame{static_cast<uint32_t>(r.body.size()), content});
}

void add_header(Reply& r, std::string_view name, std::string_view value) {
  r.head_extra.append(name).append(": ").append(value).append("\r\n");
}

size_t utf8_boundary(std::string_view s, size_t i) {
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

void emit_args_object(StyledWriter& w, std::string_view text) {
  thread_local simdjson::dom::parser parser;  // never the request's thread_reader()
  simdjson::dom::element e;
  if (parser.parse(text.data(), text.size(), true).get(e) == simdjson::SUCCESS && e.is_object()) {
    w.value(e);
  } else {
    w.obj().end_obj();
  }
}

}  // namespace detail

namespace {

using namespace detail;

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

void add_request_id(Reply& r, const RenderContext& ctx) {
  Id rid("req_sim", ctx.serial);
  if (ctx.wire == Wire::OpenAIChat) add_header(r, "x-request-id", rid.view());
  else if (ctx.wire == Wire::Anthropic) add_header(r, "request-id", rid.view());
}

void add_script_headers(Reply& r, const Script& s) {
  for (const auto& [k, v] : s.headers) add_header(r, k, v);
}

// ---- OpenAI Chat Completions (fixtures openai-chat/text.response.json, text-stream.sse,
//      tool-call-stream.sse, parallel-tool-calls-stream.sse; deepseek-reasoning-stream.sse) ----

void openai_usage(StyledWriter& w, const Plan& p) {
  w.key("usage").obj()
      .f("prompt_tokens", p.in)
      .f("completion_tokens", p.out)
      .f("total_tokens", p.in + p.out);
  w.key("prompt_tokens_details").obj().f("cached_tokens", p.cached).f("audio_tokens", 0);
  if (p.cache_write > 0) w.f("cache_write_tokens", p.cache_write);
  w.end_obj();
  w.key("completion_tokens_details").obj()
      .f("reasoning_tokens", p.reasoning)
      .f("audio_tokens", 0)
      .f("accepted_prediction_tokens", 0)
      .f("rejected_prediction_tokens", 0)
      .end_obj();
  w.end_obj();
}

std::string_view openai_finish(std::string_view f) { return f == "stop_sequence" ? "stop" : f; }

void openai_nonstream(const Script& s, const RenderContext& ctx, const Plan& p, Reply& r) {
  StyledWriter w(r.body, Style::Pretty);
  w.obj()
      .f("id", Id("chatcmpl-sim", ctx.serial).view())
      .f("object", "chat.completion")
      .f("created", p.created)
      .f("model", ctx.model);
  w.key("choices").arr().obj().f("index", 0);
  w.key("message").obj().f("role", "assistant");
  if (p.text.empty() && !s.tool_calls.empty()) w.f_null("content");
  else w.f("content", p.text);
  if (!s.openai_reasoning_field.empty() && !s.reasoning.empty()) {
    w.f(s.openai_reasoning_field, std::string_view(s.reasoning));
  }
  if (!s.tool_calls.empty()) {
    w.key("tool_calls").arr();
    int k = 0;
    for (const auto& tc : s.tool_calls) {
      Id gen("call_sim", ctx.serial, k++);
      w.obj().f("id", tc.id.empty() ? gen.view() : std::string_view(tc.id)).f("type", "function");
      w.key("function").obj().f("name", std::string_view(tc.name))
          .f("arguments", std::string_view(tc.arguments)).end_obj();
      w.end_obj();
    }
    w.end_arr();
  }
  w.f_null("refusal").key("annotations").arr().end_arr();
  w.end_obj();  // message
  w.f_null("logprobs").f("finish_reason", openai_finish(p.finish));
  w.end_obj().end_arr();  // choice, choices
  openai_usage(w, p);
  w.f("service_tier", "default").f("system_fingerprint", "fp_sim");
  w.end_obj();
}

/// Writes `data: {"id":...,"choices":[` ... `]}\n\n` around one chunk's choice.
class OpenAIChunks {
 public:
  OpenAIChunks(const RenderContext& ctx, const Plan& p, Reply& r)
      : ctx_(ctx), p_(p), r_(r), id_("chatcmpl-sim", ctx.serial) {}

  StyledWriter& begin() {
    r_.body.append("data: ");
    w_.emplace(r_.body, Style::Compact);
    w_->obj()
        .f("id", id_.view())
        .f("object", "chat.completion.chunk")
        .f("created", p_.created)
        .f("model", ctx_.model)
        .f("service_tier", "default")
        .f("system_fingerprint", "fp_sim");
    w_->key("choices").arr();
    return *w_;
  }
  /// A choice object with index 0 and an open `delta` object.
  StyledWriter& begin_delta() {
    begin().obj().f("index", 0).key("delta").obj();
    return *w_;
  }
  void end_delta(bool content, std::string_view finish = {}) {
    w_->end_obj().f_null("logprobs");
    if (finish.empty()) w_->f_null("finish_reason");
    else w_->f("finish_reason", finish);
    w_->end_obj();
    end(content);
  }
  void end(bool content) {
    w_->end_arr();
    if (ctx_.include_usage) w_->f_null("usage");
    w_->end_obj();
    r_.body.append("\n\n");
    end_frame(r_, content);
  }
  void usage_chunk() {
    begin().end_arr();
    openai_usage(*w_, p_);
    w_->end_obj();
    r_.body.append("\n\n");
    end_frame(r_, false);
  }

 private:
  const RenderContext& ctx_;
  const Plan& p_;
  Reply& r_;
  Id id_;
  std::optional<StyledWriter> w_;
};

void openai_stream(const Script& s, const RenderContext& ctx, const Plan& p, Reply& r) {
  OpenAIChunks c(ctx, p, r);
  std::vector<std::string_view> pieces;
  {
    auto& w = c.begin_delta().f("role", "assistant");
    if (p.text_block) w.f("content", ""); else w.f_null("content");
    w.f_null("refusal");
    c.end_delta(false);
  }
  if (!s.openai_reasoning_field.empty() && !s.reasoning.empty()) {
    split_text(s.reasoning, s.chunks, pieces);
    for (auto piece : pieces) {
      c.begin_delta().f_null("content").f(s.openai_reasoning_field, piece);
      c.end_delta(true);
    }
  }
  split_text(p.text, s.chunks, pieces);
  for (auto piece : pieces) {
    c.begin_delta().f("content", piece);
    c.end_delta(true);
  }
  int k = 0;
  for (const auto& tc : s.tool_calls) {
    Id gen("call_sim", ctx.serial, k);
    {
      auto& w = c.begin_delta();
      w.key("tool_calls").arr().obj().f("index", k)
          .f("id", tc.id.empty() ? gen.view() : std::string_view(tc.id)).f("type", "function");
      w.key("function").obj().f("name", std::string_view(tc.name)).f("arguments", "").end_obj();
      w.end_obj().end_arr();
      c.end_delta(false);
    }
    split_arguments(tc.arguments, pieces);
    for (auto piece : pieces) {
      auto& w = c.begin_delta();
      w.key("tool_calls").arr().obj().f("index", k);
      w.key("function").obj().f("arguments", piece).end_obj();
      w.end_obj().end_arr();
      c.end_delta(true);
    }
    ++k;
  }
  c.begin_delta();
  c.end_delta(false, openai_finish(p.finish));
  if (ctx.include_usage) c.usage_chunk();
  r.body.append("data: [DONE]\n\n");
  end_frame(r, false);
}

void openai_midstream_error(std::string_view type, std::string_view message, Reply& r) {
  r.body.append("data: ");
  StyledWriter w(r.body, Style::Compact);
  w.obj().key("error").obj()
      .f("message", message.empty() ? std::string_view("The server had an error while processing your request. Sorry about that!") : message)
      .f("type", type.empty() ? std::string_view("server_error") : type)
      .f_null("param").f_null("code")
      .end_obj().end_obj();
  r.body.append("\n\n");
  end_frame(r, false);
}

// ---- Anthropic Messages (fixtures anthropic/text.response.json, text-stream.sse,
//      thinking-stream.sse, tool-use-stream.sse, parallel-tool-use-stream.sse) ----------------

std::string_view anthropic_stop_reason(std::string_view f) {
  if (f == "length") return "max_tokens";
  if (f == "tool_calls") return "tool_use";
  if (f == "content_filter") return "refusal";
  if (f == "stop_sequence") return "stop_sequence";
  return "end_turn";
}

int64_t anthropic_input(const Plan& p) {
  return std::max<int64_t>(0, p.in - p.cached - p.cache_write);
}

void anthropic_usage_full(StyledWriter& w, const Plan& p, int64_t output) {
  w.key("usage").obj()
      .f("input_tokens", anthropic_input(p))
      .f("cache_creation_input_tokens", p.cache_write)
      .f("cache_read_input_tokens", p.cached);
  w.key("cache_creation").obj()
      .f("ephemeral_5m_input_tokens", p.cache_write)
      .f("ephemeral_1h_input_tokens", 0)
      .end_obj();
  w.f("output_tokens", output).f("service_tier", "standard").f("inference_geo", "not_available");
  w.end_obj();
}

void anthropic_nonstream(const Script& s, const RenderContext& ctx, const Plan& p, Reply& r) {
  StyledWriter w(r.body, Style::Compact);
  w.obj()
      .f("model", ctx.model)
      .f("id", Id("msg_sim", ctx.serial).view())
      .f("type", "message")
      .f("role", "assistant");
  w.key("content").arr();
  if (!s.reasoning.empty()) {
    w.obj().f("type", "thinking").f("thinking", std::string_view(s.reasoning))
        .f("signature", Id("sig-", ctx.serial).view()).end_obj();
  }
  if (p.text_block) w.obj().f("type", "text").f("text", p.text).end_obj();
  int k = 0;
  for (const auto& tc : s.tool_calls) {
    Id gen("toolu_sim", ctx.serial, k++);
    w.obj().f("type", "tool_use").f("id", tc.id.empty() ? gen.view() : std::string_view(tc.id))
        .f("name", std::string_view(tc.name)).key("input");
    emit_args_object(w, tc.arguments);
    w.end_obj();
  }
  w.end_arr();
  w.f("stop_reason", anthropic_stop_reason(p.finish));
  if (p.finish == "stop_sequence" && !s.stop_sequence.empty()) {
    w.f("stop_sequence", std::string_view(s.stop_sequence));
  } else {
    w.f_null("stop_sequence");
  }
  anthropic_usage_full(w, p, p.out);
  w.end_obj();
}

/// Writes `event: <name>\ndata: <json>\n\n` frames.
class AnthropicEvents {
 public:
  explicit AnthropicEvents(Reply& r) : r_(r) {}
  StyledWriter& begin(std::string_view name) {
    r_.body.append("event: ").append(name).append("\ndata: ");
    w_.emplace(r_.body, Style::Compact);
    w_->obj().f("type", name);
    return *w_;
  }
  void end(bool content) {
    w_->end_obj();
    r_.body.append("\n\n");
    end_frame(r_, content);
  }
  StyledWriter& block_start(int index) {
    return begin("content_block_start").f("index", index).key("content_block").obj();
  }
  void block_start_end() {
    w_->end_obj();
    end(false);
    if (!pinged_) {  // the recordings send one ping right after the first block opens
      r_.body.append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
      end_frame(r_, false);
      pinged_ = true;
    }
  }
  void delta(int index, std::string_view type, std::string_view field, std::string_view value,
             bool content) {
    begin("content_block_delta").f("index", index).key("delta").obj().f("type", type)
        .f(field, value).end_obj();
    end(content);
  }
  void block_stop(int index) { begin("content_block_stop").f("index", index); end(false); }

 private:
  Reply& r_;
  std::optional<StyledWriter> w_;
  bool pinged_ = false;
};

void anthropic_stream(const Script& s, const RenderContext& ctx, const Plan& p, Reply& r) {
  AnthropicEvents ev(r);
  {
    auto& w = ev.begin("message_start");
    w.key("message").obj()
        .f("model", ctx.model)
        .f("id", Id("msg_sim", ctx.serial).view())
        .f("type", "message")
        .f("role", "assistant");
    w.key("content").arr().end_arr();
    w.f_null("stop_reason").f_null("stop_sequence").f_null("stop_details");
    anthropic_usage_full(w, p, 1);
    w.end_obj();
    ev.end(false);
  }
  std::vector<std::string_view> pieces;
  int index = 0;
  if (!s.reasoning.empty()) {
    ev.block_start(index).f("type", "thinking").f("thinking", "").f("signature", "");
    ev.block_start_end();
    split_text(s.reasoning, s.chunks, pieces);
    for (auto piece : pieces) ev.delta(index, "thinking_delta", "thinking", piece, true);
    ev.delta(index, "signature_delta", "signature", Id("sig-", ctx.serial).view(), false);
    ev.block_stop(index++);
  }
  if (p.text_block) {
    ev.block_start(index).f("type", "text").f("text", "");
    ev.block_start_end();
    split_text(p.text, s.chunks, pieces);
    for (auto piece : pieces) ev.delta(index, "text_delta", "text", piece, true);
    ev.block_stop(index++);
  }
  int k = 0;
  for (const auto& tc : s.tool_calls) {
    Id gen("toolu_sim", ctx.serial, k++);
    auto& w = ev.block_start(index).f("type", "tool_use")
                  .f("id", tc.id.empty() ? gen.view() : std::string_view(tc.id))
                  .f("name", std::string_view(tc.name));
    w.key("input").obj().end_obj();
    w.key("caller").obj().f("type", "direct").end_obj();
    ev.block_start_end();
    ev.delta(index, "input_json_delta", "partial_json", "", false);
    if (tc.arguments != "{}") {
      split_arguments(tc.arguments, pieces);
      for (auto piece : pieces) ev.delta(index, "input_json_delta", "partial_json", piece, true);
    }
    ev.block_stop(index++);
  }
  {
    auto& w = ev.begin("message_delta");
    w.key("delta").obj().f("stop_reason", anthropic_stop_reason(p.finish));
    if (p.finish == "stop_sequence" && !s.stop_sequence.empty()) {
      w.f("stop_sequence", std::string_view(s.stop_sequence));
    } else {
      w.f_null("stop_sequence");
    }
    w.f_null("stop_details").end_obj();
    w.key("usage").obj()
        .f("input_tokens", anthropic_input(p))
        .f("cache_creation_input_tokens", p.cache_write)
        .f("cache_read_input_tokens", p.cached)
        .f("output_tokens", p.out)
        .end_obj();
    ev.end(false);
  }
  ev.begin("message_stop");
  ev.end(false);
}

void anthropic_midstream_error(std::string_view type, std::string_view message, Reply& r) {
  r.body.append("event: error\ndata: ");
  StyledWriter w(r.body, Style::Compact);
  w.obj().f("type", "error").key("error").obj()
      .f("type", type.empty() ? std::string_view("overloaded_error") : type)
      .f("message", message.empty() ? std::string_view("Overloaded") : message)
      .end_obj().end_obj();
  r.body.append("\n\n");
  end_frame(r, false);
}
// ---- errors, HTML, replay -----------------------------------------------------------------

struct ErrorDefaults {
  std::string_view type, message, code;
};

ErrorDefaults openai_error_defaults(int status) {
  switch (status) {
    case 400: return {"invalid_request_error", "Invalid request.", {}};
    case 401: return {"invalid_request_error", "Incorrect API key provided.", "invalid_api_key"};
    case 403: return {"permission_error", "You are not allowed to access this resource.", {}};
    case 404: return {"invalid_request_error", "The model does not exist or you do not have access to it.", "model_not_found"};
    case 413: return {"invalid_request_error", "Request too large.", {}};
    case 429: return {"requests", "Rate limit reached for requests.", "rate_limit_exceeded"};
    case 503: return {"service_unavailable_error", "The server is overloaded or not ready yet.", "server_is_overloaded"};
    default:
      if (status >= 500) return {"server_error", "The server had an error while processing your request.", {}};
      return {"invalid_request_error", "Invalid request.", {}};
  }
}

ErrorDefaults anthropic_error_defaults(int status) {
  switch (status) {
    case 400: return {"invalid_request_error", "Invalid request.", {}};
    case 401: return {"authentication_error", "invalid x-api-key", {}};
    case 402: return {"billing_error", "Your credit balance is too low.", {}};
    case 403: return {"permission_error", "Your API key does not have permission to use the specified resource.", {}};
    case 404: return {"not_found_error", "Not found.", {}};
    case 413: return {"request_too_large", "Request exceeds the maximum allowed number of bytes.", {}};
    case 429: return {"rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit.", {}};
    case 504: return {"timeout_error", "Request timed out.", {}};
    case 529: return {"overloaded_error", "Overloaded", {}};
    default:
      if (status >= 500) return {"api_error", "Internal server error", {}};
      return {"invalid_request_error", "Invalid request.", {}};
  }
}

std::string_view reason_phrase_for_html(int status) {
  switch (status) {
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Time-out";
    default: return "Error";
  }
}

void render_html(const Script& s, const RenderContext& ctx, Reply& r) {
  r.status = s.status;
  r.content_type = "text/html";
  char num[16];
  auto n = std::to_chars(num, num + sizeof num, s.status).ptr - num;
  std::string title(num, static_cast<size_t>(n));
  title.push_back(' ');
  title.append(reason_phrase_for_html(s.status));
  r.body.append("<html>\r\n<head><title>").append(title).append("</title></head>\r\n<body>\r\n")
      .append("<center><h1>").append(title).append("</h1></center>\r\n")
      .append("<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
  add_request_id(r, ctx);
  add_script_headers(r, s);
}

void render_replay(const Script& s, const RenderContext& ctx, Reply& r) {
  r.status = s.replay_status;
  r.content_type = s.replay_content_type;
  r.body = s.replay_body;
  r.chunked = s.replay_content_type.rfind("text/event-stream", 0) == 0;
  if (r.chunked) {
    // One frame per SSE event: cut after each blank line (LF LF, CRLF CRLF or CR CR).
    const std::string& b = r.body;
    for (size_t i = 0; i < b.size(); ++i) {
      size_t end = 0;
      if (b[i] == '\n' && i + 1 < b.size() && b[i + 1] == '\n') end = i + 2;
      else if (b.compare(i, 4, "\r\n\r\n") == 0) end = i + 4;
      else if (b[i] == '\r' && i + 1 < b.size() && b[i + 1] == '\r') end = i + 2;
      if (end) {
        r.frames.push_back({static_cast<uint32_t>(end), true});
        i = end - 1;
      }
    }
    if (r.frames.empty() || r.frames.back().end != b.size()) {
      r.frames.push_back({static_cast<uint32_t>(b.size()), true});
    }
  }
  add_request_id(r, ctx);
  add_script_headers(r, s);
}

}  // namespace

using namespace detail;

const char* wire_name(Wire w) {
  switch (w) {
    case Wire::OpenAIChat: return "openai";
    case Wire::Anthropic: return "anthropic";
    case Wire::Gemini: return "gemini";
  }
  return "unknown";
}

void split_text(std::string_view text, int chunks, std::vector<std::string_view>& out) {
  out.clear();
  if (text.empty()) return;
  if (chunks > 0) {
    size_t size = (text.size() + static_cast<size_t>(chunks) - 1) / static_cast<size_t>(chunks);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = utf8_boundary(text, std::min(text.size(), pos + std::max<size_t>(1, size)));
      out.push_back(text.substr(pos, end - pos));
      pos = end;
    }
    return;
  }
  size_t start = 0;
  for (size_t i = 1; i < text.size(); ++i) {
    if (is_space(text[i]) && !is_space(text[i - 1])) {
      out.push_back(text.substr(start, i - start));
      start = i;
    }
  }
  out.push_back(text.substr(start));
}

void split_arguments(std::string_view args, std::vector<std::string_view>& out) {
  out.clear();
  if (args.empty()) return;
  size_t size = std::max<size_t>(8, (args.size() + 3) / 4);
  size_t pos = 0;
  while (pos < args.size()) {
    size_t end = utf8_boundary(args, std::min(args.size(), pos + size));
    out.push_back(args.substr(pos, end - pos));
    pos = end;
  }
}

void render_error(const RenderContext& ctx, int status, std::string_view type,
                  std::string_view message, std::string_view code, std::string_view retry_after,
                  Reply& r) {
  r.status = status;
  switch (ctx.wire) {
    case Wire::OpenAIChat: {
      auto d = openai_error_defaults(status);
      r.content_type = "application/json";
      StyledWriter w(r.body, Style::Pretty);
      w.obj().key("error").obj()
          .f("message", message.empty() ? d.message : message)
          .f("type", type.empty() ? d.type : type)
          .f_null("param");
      std::string_view c = code.empty() ? d.code : code;
      if (c.empty()) w.f_null("code"); else w.f("code", c);
      w.end_obj().end_obj();
      if (!retry_after.empty()) add_header(r, "retry-after", retry_after);
      break;
    }
    case Wire::Anthropic: {
      auto d = anthropic_error_defaults(status);
      r.content_type = "application/json";
      StyledWriter w(r.body, Style::Compact);
      w.obj().f("type", "error").key("error").obj()
          .f("type", type.empty() ? d.type : type)
          .f("message", message.empty() ? d.message : message)
          .end_obj()
          .f("request_id", Id("req_sim", ctx.serial).view())
          .end_obj();
      if (!retry_after.empty()) add_header(r, "retry-after", retry_after);
      break;
    }
    case Wire::Gemini:
      gemini_error(ctx, status, type, message, retry_after, r);
      break;
  }
  add_request_id(r, ctx);
}

void render_count_tokens(const RenderContext& ctx, int64_t tokens, Reply& r) {
  r.status = 200;
  if (ctx.wire == Wire::Gemini) {
    r.content_type = "application/json; charset=UTF-8";
    StyledWriter w(r.body, Style::Pretty);
    w.obj().f("totalTokens", tokens).key("promptTokensDetails").arr().obj()
        .f("modality", "TEXT").f("tokenCount", tokens).end_obj().end_arr().end_obj();
  } else {
    r.content_type = "application/json";
    StyledWriter w(r.body, Style::Compact);
    w.obj().f("input_tokens", tokens).end_obj();
  }
  add_request_id(r, ctx);
}

void render_reply(const Script& s, const RenderContext& ctx, Reply& r) {
  if (s.has_replay) { render_replay(s, ctx, r); return; }
  if (s.html) { render_html(s, ctx, r); return; }
  if (s.status >= 400) {
    render_error(ctx, s.status, s.error_type, s.error_message, s.error_code, s.retry_after, r);
    add_script_headers(r, s);
    return;
  }
  Plan p = make_plan(s, ctx);
  r.status = 200;
  r.output_tokens = p.out;
  if (!ctx.stream) {
    switch (ctx.wire) {
      case Wire::OpenAIChat: r.content_type = "application/json"; openai_nonstream(s, ctx, p, r); break;
      case Wire::Anthropic: r.content_type = "application/json"; anthropic_nonstream(s, ctx, p, r); break;
      case Wire::Gemini: r.content_type = "application/json; charset=UTF-8"; gemini_nonstream(s, ctx, p, r); break;
    }
  } else {
    r.chunked = true;
    switch (ctx.wire) {
      case Wire::OpenAIChat: r.content_type = "text/event-stream; charset=utf-8"; openai_stream(s, ctx, p, r); break;
      case Wire::Anthropic: r.content_type = "text/event-stream; charset=utf-8"; anthropic_stream(s, ctx, p, r); break;
      case Wire::Gemini:
        r.content_type = ctx.gemini_sse ? "text/event-stream" : "application/json; charset=UTF-8";
        gemini_stream(s, ctx, p, r);
        break;
    }
    if (s.has_midstream_error) {
      size_t keep = std::min(r.frames.size(), static_cast<size_t>(s.midstream_after_chunks));
      r.frames.resize(keep);
      r.body.resize(keep == 0 ? 0 : r.frames.back().end);
      switch (ctx.wire) {
        case Wire::OpenAIChat: openai_midstream_error(s.midstream_type, s.midstream_message, r); break;
        case Wire::Anthropic: anthropic_midstream_error(s.midstream_type, s.midstream_message, r); break;
        case Wire::Gemini: gemini_midstream_error(ctx, s.midstream_type, s.midstream_message, r); break;
      }
      r.close_after = true;
    }
    if (ctx.wire == Wire::Gemini && !ctx.gemini_sse) {
      r.body.append("\n]");
      r.frames.back().end = static_cast<uint32_t>(r.body.size());
    }
  }
  add_request_id(r, ctx);
  add_script_headers(r, s);
}

}  // namespace openrain::sim
