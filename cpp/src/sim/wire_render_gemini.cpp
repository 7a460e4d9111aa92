// Gemini renderers: generateContent JSON, streamGenerateContent as SSE (alt=sse, CRLF, `": "`)
// or as one JSON array, error bodies. Layouts follow the fixtures named below.
#include "sim/render_common.hpp"

namespace openrain::sim::detail {
namespace {

/// Gemini RPC status for an HTTP status, and back.
std::string_view gemini_status_for(int http) {
  switch (http) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "ABORTED";
    case 429: return "RESOURCE_EXHAUSTED";
    case 499: return "CANCELLED";
    case 501: return "UNIMPLEMENTED";
    case 503: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return http >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
  }
}
int http_for_gemini_status(std::string_view st) {
  if (st == "INVALID_ARGUMENT" || st == "FAILED_PRECONDITION" || st == "OUT_OF_RANGE") return 400;
  if (st == "UNAUTHENTICATED") return 401;
  if (st == "PERMISSION_DENIED") return 403;
  if (st == "NOT_FOUND") return 404;
  if (st == "ABORTED" || st == "ALREADY_EXISTS") return 409;
  if (st == "RESOURCE_EXHAUSTED") return 429;
  if (st == "CANCELLED") return 499;
  if (st == "UNIMPLEMENTED") return 501;
  if (st == "UNAVAILABLE") return 503;
  if (st == "DEADLINE_EXCEEDED") return 504;
  return 500;
}
bool is_upper_status(std::string_view t) {
  if (t.empty()) return false;
  for (char c : t) if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
  return true;
}
/// Map a (possibly other provider's) error type to a Gemini RPC status.
std::string_view gemini_status_for_type(std::string_view type, int fallback_http) {
  if (is_upper_status(type)) return type;
  if (type == "overloaded_error" || type == "service_unavailable_error") return "UNAVAILABLE";
  if (type == "rate_limit_error" || type == "requests" || type == "tokens" ||
      type == "insufficient_quota")
    return "RESOURCE_EXHAUSTED";
  if (type == "invalid_request_error") return "INVALID_ARGUMENT";
  if (type == "authentication_error") return "UNAUTHENTICATED";
  if (type == "permission_error") return "PERMISSION_DENIED";
  if (type == "not_found_error") return "NOT_FOUND";
  if (type == "timeout_error") return "DEADLINE_EXCEEDED";
  if (type == "api_error" || type == "server_error") return "INTERNAL";
  return gemini_status_for(fallback_http);
}


// ---- Gemini generateContent / streamGenerateContent (fixtures gemini/text-stream.sse,
//      thinking-stream.sse, function-call-stream.sse, function-call-stream-no-sse.txt,
//      text.response.json, parallel-function-calls.response.json) -----------------------------

std::string_view gemini_finish(std::string_view f) {
  if (f == "length") return "MAX_TOKENS";
  if (f == "content_filter") return "SAFETY";
  return "STOP";
}

void gemini_usage(StyledWriter& w, const Plan& p, bool final_chunk) {
  w.key("usageMetadata").obj().f("promptTokenCount", p.in);
  int64_t candidates = p.out - p.reasoning;
  if (final_chunk && candidates > 0) w.f("candidatesTokenCount", candidates);
  // Intermediate chunks carry the prompt side and, like the recordings, the thought count.
  w.f("totalTokenCount", final_chunk ? p.in + p.out : p.in + p.reasoning);
  if (p.cached > 0) w.f("cachedContentTokenCount", p.cached);
  w.key("promptTokensDetails").arr().obj().f("modality", "TEXT").f("tokenCount", p.in)
      .end_obj().end_arr();
  if (p.cached > 0) {
    w.key("cacheTokensDetails").arr().obj().f("modality", "TEXT").f("tokenCount", p.cached)
        .end_obj().end_arr();
  }
  if (p.reasoning > 0) w.f("thoughtsTokenCount", p.reasoning);
  w.end_obj();
}

/// The parts a Gemini candidate can carry; a chunk holds a contiguous run of them.
struct GeminiPart {
  enum Kind : uint8_t { Thought, Text, Call } kind;
  std::string_view text;        // Thought / Text
  const ScriptToolCall* call = nullptr;
  bool signature = false;       // carries thoughtSignature
};

/// A Gemini thoughtSignature: proto `bytes`, so base64 on the wire like real traffic (Google's
/// SDKs reject anything else): base64("sig-<serial>"), e.g. "c2lnLTE=" for serial 1.
std::string gemini_signature(uint64_t serial) {
  static constexpr char kB64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  Id raw("sig-", serial);
  std::string_view in = raw.view();
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < in.size() ? kB64[v & 63] : '=');
  }
  return out;
}

void gemini_part(StyledWriter& w, const GeminiPart& part, const RenderContext& ctx) {
  w.obj();
  if (part.kind == GeminiPart::Call) {
    w.key("functionCall").obj().f("name", std::string_view(part.call->name)).key("args");
    emit_args_object(w, part.call->arguments);
    w.end_obj();
  } else {
    w.f("text", part.text);
    if (part.kind == GeminiPart::Thought) w.f("thought", true);
  }
  if (part.signature) {
    std::string sig = gemini_signature(ctx.serial);
    w.f("thoughtSignature", std::string_view(sig));
  }
  w.end_obj();
}

/// One GenerateContentResponse object holding `parts` (finishReason + full usage when final).
void gemini_object(StyledWriter& w, const GeminiPart* parts, size_t n, bool final_chunk,
                   const RenderContext& ctx, const Plan& p) {
  w.obj().key("candidates").arr().obj();
  w.key("content").obj().key("parts").arr();
  for (size_t i = 0; i < n; ++i) gemini_part(w, parts[i], ctx);
  w.end_arr().f("role", "model").end_obj();
  if (final_chunk) w.f("finishReason", gemini_finish(p.finish));
  w.f("index", 0);
  w.end_obj().end_arr();
  gemini_usage(w, p, final_chunk);
  w.f("modelVersion", ctx.model).f("responseId", Id("sim", ctx.serial).view());
  w.end_obj();
}

void gemini_parts(const Script& s, const Plan& p, std::vector<GeminiPart>& parts,
                  std::vector<std::string_view>& pieces, bool split) {
  auto add_text = [&](std::string_view text, GeminiPart::Kind kind) {
    if (!split) { parts.push_back({kind, text}); return; }
    split_text(text, s.chunks, pieces);
    for (auto piece : pieces) parts.push_back({kind, piece});
  };
  if (!s.reasoning.empty()) add_text(s.reasoning, GeminiPart::Thought);
  size_t first_visible = parts.size();
  if (!p.text.empty()) add_text(p.text, GeminiPart::Text);
  for (const auto& tc : s.tool_calls) parts.push_back({GeminiPart::Call, {}, &tc});
  if (parts.size() == first_visible && s.tool_calls.empty()) {
    parts.push_back({GeminiPart::Text, {}});  // nothing visible: one empty text part
  }
  if (!s.reasoning.empty() && first_visible < parts.size()) parts[first_visible].signature = true;
}

void gemini_error_object(StyledWriter& w, int code, std::string_view status,
                         std::string_view message, std::string_view retry_after) {
  w.obj().key("error").obj().f("code", code).f("message", message).f("status", status);
  if (!retry_after.empty()) {
    std::string delay(retry_after);
    if (delay.back() != 's') delay.push_back('s');
    w.key("details").arr().obj()
        .f("@type", "type.googleapis.com/google.rpc.RetryInfo")
        .f("retryDelay", std::string_view(delay))
        .end_obj().end_arr();
  }
  w.end_obj().end_obj();
}

}  // namespace

void gemini_nonstream(const Script& s, const RenderContext& ctx, const Plan& p, Reply& r) {
  std::vector<GeminiPart> parts;
  std::vector<std::string_view> pieces;
  gemini_parts(s, p, parts, pieces, /*split=*/false);
  StyledWriter w(r.body, Style::Pretty);
  gemini_object(w, parts.data(), parts.size(), true, ctx, p);
}

void gemini_stream(const Script& s, const RenderContext& ctx, const Plan& p, Reply& r) {
  std::vector<GeminiPart> parts;
  std::vector<std::string_view> pieces;
  gemini_parts(s, p, parts, pieces, /*split=*/true);
  size_t i = 0;
  bool first = true;
  while (i < parts.size()) {
    // Text and thought pieces travel one per chunk; parallel calls share one chunk.
    size_t n = 1;
    if (parts[i].kind == GeminiPart::Call) {
      while (i + n < parts.size() && parts[i + n].kind == GeminiPart::Call) ++n;
    }
    bool final_chunk = i + n == parts.size();
    bool content = parts[i].kind != GeminiPart::Call;
    if (ctx.gemini_sse) {
      r.body.append("data: ");
      StyledWriter w(r.body, Style::Spaced);
      gemini_object(w, parts.data() + i, n, final_chunk, ctx, p);
      r.body.append("\r\n\r\n");
    } else {
      r.body.append(first ? "[" : "\n,\r\n");
      StyledWriter w(r.body, Style::Pretty);
      gemini_object(w, parts.data() + i, n, final_chunk, ctx, p);
    }
    end_frame(r, content);
    first = false;
    i += n;
  }
}

void gemini_midstream_error(const RenderContext& ctx, std::string_view type,
                            std::string_view message, Reply& r) {
  std::string_view status = gemini_status_for_type(type, 503);
  int code = http_for_gemini_status(status);
  if (message.empty()) message = "The model is overloaded. Please try again later.";
  if (ctx.gemini_sse) {
    r.body.append("data: ");
    StyledWriter w(r.body, Style::Spaced);
    gemini_error_object(w, code, status, message, {});
    r.body.append("\r\n\r\n");
  } else {
    r.body.append(r.frames.empty() ? "[" : "\n,\r\n");
    StyledWriter w(r.body, Style::Pretty);
    gemini_error_object(w, code, status, message, {});
  }
  end_frame(r, false);
}

void gemini_error(const RenderContext& ctx, int status, std::string_view type,
                  std::string_view message, std::string_view retry_after, Reply& r) {
  r.content_type = "application/json; charset=UTF-8";
  std::string_view st = gemini_status_for_type(type, status);
  if (message.empty()) {
    message = status == 429 ? std::string_view("Resource has been exhausted (e.g. check quota).")
              : status == 404 ? std::string_view("Requested entity was not found.")
              : status >= 500 ? std::string_view("An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting")
                              : std::string_view("Request contains an invalid argument.");
  }
  bool array = ctx.stream && !ctx.gemini_sse;
  if (array) r.body.push_back('[');
  StyledWriter w(r.body, Style::Pretty);
  gemini_error_object(w, status, st, message, status == 429 ? retry_after : std::string_view());
  if (array) r.body.append("\n]");
}

}  // namespace openrain::sim::detail
