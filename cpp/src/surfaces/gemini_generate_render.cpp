// Gemini rendering: canonical events → GenerateContentResponse chunks (SSE or the JSON-array
// stream), the folded response → one GenerateContentResponse body, and Google-RPC-shaped errors.
// Shapes follow recorded Gemini traffic (fixtures/gemini/*.sse, *.txt, *.response.json), written
// compactly (no ": " spacing).
//
// One canonical event produces at most one frame. Tool calls are the exception to "write at
// once": a call's argument fragments are buffered and the call is written as one complete
// functionCall part in the next frame after its ToolCallEnd (a text / reasoning frame or the
// final one), so parallel calls share a chunk as they do on Gemini. Calls go out in start order.
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "surfaces/gemini_generate.hpp"
#include "util/ascii.hpp"

namespace openrain::surfaces {

namespace {

using ascii::iequals;

/// finishReason values Gemini itself sends; a Gemini upstream's own value is kept verbatim.
bool is_gemini_finish_reason(std::string_view r) {
  static constexpr std::string_view kReasons[] = {
      "STOP", "MAX_TOKENS", "SAFETY", "RECITATION", "LANGUAGE", "OTHER", "BLOCKLIST",
      "PROHIBITED_CONTENT", "SPII", "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL",
      "TOO_MANY_TOOL_CALLS", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
      "IMAGE_OTHER", "NO_IMAGE", "FINISH_REASON_UNSPECIFIED"};
  for (std::string_view k : kReasons) {
    if (r == k) return true;
  }
  return false;
}

std::string_view finish_reason_for(FinishReason finish, std::string_view native,
                                   Protocol upstream) {
  if (upstream == Protocol::Gemini && is_gemini_finish_reason(native)) return native;
  return gemini_finish_reason(finish);
}

/// Google RPC canonical codes (an upstream Gemini error keeps its own).
bool is_canonical_status(std::string_view s) {
  static constexpr std::string_view kCodes[] = {
      "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
      "UNAVAILABLE", "DATA_LOSS"};
  for (std::string_view k : kCodes) {
    if (s == k) return true;
  }
  return false;
}

bool upstream_google_status(const Error& err) {
  return is_canonical_status(err.upstream_type) && err.upstream_status >= 400 &&
         err.upstream_status <= 599;
}

std::string_view default_message(ErrorKind k) {
  switch (k) {
    case ErrorKind::InvalidRequest: return "Request contains an invalid argument.";
    case ErrorKind::Authentication: return "API key not valid. Please pass a valid API key.";
    case ErrorKind::PermissionDenied: return "The caller does not have permission.";
    case ErrorKind::NotFound: return "Requested entity was not found.";
    case ErrorKind::PayloadTooLarge: return "Request payload size exceeds the limit.";
    case ErrorKind::UnsupportedParameter: return "Request contains an unsupported argument.";
    case ErrorKind::ContextLengthExceeded:
      return "The input token count exceeds the maximum number of tokens allowed.";
    case ErrorKind::RateLimited: return "Resource has been exhausted (e.g. check quota).";
    case ErrorKind::QuotaExceeded:
      return "You exceeded your current quota, please check your plan and billing details.";
    case ErrorKind::Overloaded: return "The model is overloaded. Please try again later.";
    case ErrorKind::Timeout: return "Deadline expired before operation could complete.";
    case ErrorKind::UpstreamConnection: return "Could not reach the upstream server.";
    case ErrorKind::UpstreamProtocol: return "The upstream server returned an invalid response.";
    case ErrorKind::StreamInterrupted: return "The upstream stream ended unexpectedly.";
    case ErrorKind::Cancelled: return "The operation was cancelled.";
    case ErrorKind::UpstreamServerError:
    case ErrorKind::Internal: break;
  }
  return "An internal error has occurred.";
}

/// "34.4s", "5s": google.protobuf.Duration JSON.
std::string format_delay(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  if (seconds > 86400.0 * 365) seconds = 86400.0 * 365;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", seconds);
  std::string s(buf);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s + "s";
}

// ---- stream encoder -------------------------------------------------------------------------

class GeminiEncoder final : public SurfaceEncoder {
 public:
  GeminiEncoder(const EncodeContext& ctx, bool sse) : ctx_(ctx), sse_(sse) {}

  void on_event(const StreamEvent& ev, std::string& out) override;
  void on_end(std::string& out) override;
  void on_stream_error(const Error& err, std::string& out) override;
  void render_response(const FoldedResponse& r, std::string& out) override;

 private:
  struct Call {
    int index = 0;
    std::string id;
    std::string name;
    std::string signature;
    std::string args;
    bool complete = false;
  };
  enum class PartKind { None, Text, Thought, Signature };

  /// One chunk: buffered calls (a complete prefix, or all when `final_reason` is set), then the
  /// part `kind` holding `text` (a Text part carries `signature` when given), then finishReason
  /// when final.
  void write_frame(std::string& out, PartKind kind, std::string_view text,
                   std::string_view final_reason, std::string_view signature = {});
  /// A reasoning signature as this caller may see it: a Gemini upstream's verbatim; another
  /// protocol's wrapped (thoughtSignature is proto `bytes`: google-genai rejects anything but
  /// base64). Text-part and call signatures are Gemini's by definition and go out verbatim.
  std::string caller_signature(std::string_view signature) const;
  void write_call(json::Writer& w, std::string_view id, std::string_view name,
                  std::string_view args, std::string_view signature);
  /// `arguments` as a JSON object for `args`: "" or anything but an object → {}.
  std::string args_object(std::string_view arguments);
  Call* find_call(int index);
  void open_element(std::string& out);

  EncodeContext ctx_;
  bool sse_;
  std::vector<Call> calls_;  // started and not yet written, in start order
  Usage usage_;
  bool have_usage_ = false;
  bool any_frame_ = false;
  bool finished_ = false;  // Finish written: content events are ignored
  bool ended_ = false;     // on_end or an error closed the stream
  json::Reader reader_;    // local: never disturbs elements held from thread_reader()
};

std::string GeminiEncoder::args_object(std::string_view arguments) {
  if (arguments.find_first_not_of(" \t\r\n") == std::string_view::npos) return "{}";
  auto parsed = reader_.parse(arguments);
  if (!parsed.ok() || !parsed.value().is_object()) return "{}";
  return json::to_json(parsed.value());
}

GeminiEncoder::Call* GeminiEncoder::find_call(int index) {
  for (Call& c : calls_) {
    if (c.index == index && !c.complete) return &c;
  }
  return nullptr;
}

std::string GeminiEncoder::caller_signature(std::string_view signature) const {
  if (signature.empty()) return {};
  if (ctx_.upstream == Protocol::Gemini) return std::string(signature);
  return providers::wrap_signature(ctx_.upstream, signature);
}

void GeminiEncoder::write_call(json::Writer& w, std::string_view id, std::string_view name,
                               std::string_view args, std::string_view signature) {
  w.begin_object().key("functionCall").begin_object();
  w.field("name", name).field_raw("args", args_object(args));
  // Google's Developer API sends no id (the decoder then synthesised one: not shown); an id
  // Gemini (Vertex, Gemini 3) or another upstream supplied lets the caller pair its
  // functionResponse (`id`) with the call it answers.
  if (!id.empty() && !(ctx_.upstream == Protocol::Gemini && providers::is_synth_tool_id(id))) {
    w.field("id", id);
  }
  w.end_object();
  if (!signature.empty()) w.field("thoughtSignature", signature);  // always Gemini's own
  w.end_object();
}

void GeminiEncoder::open_element(std::string& out) {
  if (sse_) {
    out += "data: ";
  } else {
    out += any_frame_ ? ",\r\n" : "[";
  }
  any_frame_ = true;
}

void GeminiEncoder::write_frame(std::string& out, PartKind kind, std::string_view text,
                                std::string_view final_reason, std::string_view signature) {
  const bool is_final = !final_reason.empty();
  size_t n = 0;  // calls to write now
  while (n < calls_.size() && (is_final || calls_[n].complete)) ++n;

  open_element(out);
  json::Writer w(out);
  w.begin_object().key("candidates").begin_array().begin_object();
  w.key("content").begin_object().key("parts").begin_array();
  for (size_t i = 0; i < n; ++i) {
    const Call& c = calls_[i];
    write_call(w, c.id, c.name, c.args, c.signature);
  }
  switch (kind) {
    case PartKind::Text:
      w.begin_object().field("text", text);
      if (!signature.empty()) w.field("thoughtSignature", signature);  // always Gemini's own
      w.end_object();
      break;
    case PartKind::Thought:
      w.begin_object().field("text", text).field("thought", true).end_object();
      break;
    case PartKind::Signature:
      w.begin_object().field("text", "").field("thought", true);
      w.field("thoughtSignature", caller_signature(text)).end_object();
      break;
    case PartKind::None:
      if (n == 0) w.begin_object().field("text", "").end_object();
      break;
  }
  w.end_array().field("role", "model").end_object();
  if (is_final) w.field("finishReason", final_reason);
  w.field("index", 0);
  w.end_object().end_array();
  if (have_usage_ || is_final) {
    w.key("usageMetadata");
    write_gemini_usage(usage_, w);
  }
  w.field("modelVersion", ctx_.model_alias);
  w.field("responseId", ctx_.response_id);
  w.end_object();
  if (sse_) out += "\r\n\r\n";
  calls_.erase(calls_.begin(), calls_.begin() + static_cast<std::ptrdiff_t>(n));
}

void GeminiEncoder::on_event(const StreamEvent& ev, std::string& out) {
  using K = StreamEvent::Kind;
  if (ended_) return;
  if (ev.kind == K::Error) {
    on_stream_error(ev.error, out);
    return;
  }
  if (finished_) return;
  switch (ev.kind) {
    case K::Start:
      if (ev.usage.input_tokens != 0 || ev.usage.output_tokens != 0) {
        usage_ = ev.usage;
        have_usage_ = true;
      }
      break;
    case K::Usage:
      usage_ = ev.usage;
      have_usage_ = true;
      break;
    case K::TextDelta:
    case K::RefusalDelta:  // Gemini has no refusal channel: it is the answer text
      if (!ev.text.empty() || !ev.signature.empty()) {
        write_frame(out, PartKind::Text, ev.text, {}, ev.signature);
      }
      break;
    case K::ReasoningDelta:
      if (!ev.text.empty()) write_frame(out, PartKind::Thought, ev.text, {});
      break;
    case K::ReasoningSignature:
      if (!ev.text.empty()) write_frame(out, PartKind::Signature, ev.text, {});
      break;
    case K::RedactedReasoning:
      break;  // opaque ciphertext with no Gemini form
    case K::TextStart:  // native (unmodelled) output of another protocol: ignored
    case K::TextAnnotation:
    case K::NativeBlock:
      break;
    case K::ToolCallStart: {
      Call c;
      c.index = ev.index;
      c.id = ev.id.empty() ? providers::synth_tool_id(ctx_.response_id, ev.index) : ev.id;
      c.name = ev.name;
      c.signature = ev.signature;
      calls_.push_back(std::move(c));
      break;
    }
    case K::ToolCallDelta:
      if (Call* c = find_call(ev.index)) c->args += ev.text;
      break;
    case K::ToolCallEnd:
      if (Call* c = find_call(ev.index)) c->complete = true;
      break;
    case K::Finish:
      finished_ = true;
      write_frame(out, PartKind::None, {},
                  finish_reason_for(ev.finish, ev.native_finish, ctx_.upstream));
      break;
    case K::Error:
      break;
  }
}

void GeminiEncoder::on_end(std::string& out) {
  if (ended_) return;
  if (!finished_ && !calls_.empty()) {  // defensive: never lose a call the upstream completed
    for (Call& c : calls_) c.complete = true;
    write_frame(out, PartKind::None, {}, {});
  }
  ended_ = true;
  if (!sse_) {
    if (!any_frame_) out += "[";
    out += "]";
  }
}

void GeminiEncoder::on_stream_error(const Error& err, std::string& out) {
  if (ended_) return;
  ended_ = true;
  calls_.clear();
  open_element(out);
  json::Writer w(out);
  w.begin_object().key("error");
  write_gemini_error_object(err, w, false);
  w.end_object();
  out += sse_ ? "\r\n\r\n" : "]";
}

// ---- non-streaming body ---------------------------------------------------------------------

void GeminiEncoder::render_response(const FoldedResponse& r, std::string& out) {
  json::Writer w(out);
  w.begin_object().key("candidates").begin_array().begin_object();
  w.key("content").begin_object().key("parts").begin_array();
  size_t parts = 0;
  int tool_ordinal = 0;
  for (const OutputBlock& b : r.blocks) {
    switch (b.kind) {
      case OutputBlock::Kind::Text:
      case OutputBlock::Kind::Refusal:
        if (b.text.empty() && b.signature.empty()) break;
        w.begin_object().field("text", b.text);
        if (!b.signature.empty()) w.field("thoughtSignature", b.signature);  // Gemini's own
        w.end_object();
        ++parts;
        break;
      case OutputBlock::Kind::Reasoning:
        if (b.text.empty() && b.signature.empty()) break;
        w.begin_object().field("text", b.text).field("thought", true);
        if (!b.signature.empty()) w.field("thoughtSignature", caller_signature(b.signature));
        w.end_object();
        ++parts;
        break;
      case OutputBlock::Kind::RedactedReasoning:
      case OutputBlock::Kind::Native:
        break;
      case OutputBlock::Kind::ToolCall: {
        std::string id =
            b.id.empty() ? providers::synth_tool_id(ctx_.response_id, tool_ordinal) : b.id;
        ++tool_ordinal;
        write_call(w, id, b.name, b.arguments, b.signature);
        ++parts;
        break;
      }
    }
  }
  if (parts == 0) w.begin_object().field("text", "").end_object();
  w.end_array().field("role", "model").end_object();
  w.field("finishReason", finish_reason_for(r.finish, r.native_finish, ctx_.upstream));
  w.field("index", 0);
  w.end_object().end_array();
  w.key("usageMetadata");
  write_gemini_usage(r.usage, w);
  w.field("modelVersion", ctx_.model_alias);
  w.field("responseId", ctx_.response_id);
  w.end_object();
}

}  // namespace

// ---- shared mappings ------------------------------------------------------------------------

const char* gemini_finish_reason(FinishReason r) {
  switch (r) {
    case FinishReason::Stop:
    case FinishReason::StopSequence:
    case FinishReason::ToolCalls:
      return "STOP";
    case FinishReason::Length: return "MAX_TOKENS";
    case FinishReason::ContentFilter: return "SAFETY";
    case FinishReason::Other: return "OTHER";
  }
  return "OTHER";
}

void write_gemini_usage(const Usage& u, json::Writer& w) {
  int64_t candidates = u.output_tokens - u.reasoning_tokens;
  if (candidates < 0) candidates = 0;
  w.begin_object();
  w.field("promptTokenCount", u.input_tokens);
  if (u.cached_input_tokens > 0) w.field("cachedContentTokenCount", u.cached_input_tokens);
  w.field("candidatesTokenCount", candidates);
  if (u.reasoning_tokens > 0) w.field("thoughtsTokenCount", u.reasoning_tokens);
  w.field("totalTokenCount", u.input_tokens + u.output_tokens);
  w.end_object();
}

int gemini_error_http_status(const Error& err) {
  if (upstream_google_status(err)) return err.upstream_status;
  switch (err.kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::UnsupportedParameter:
    case ErrorKind::ContextLengthExceeded:
    case ErrorKind::PayloadTooLarge:
    case ErrorKind::Authentication:  // Google answers a bad API key with 400 API_KEY_INVALID
      return 400;
    case ErrorKind::PermissionDenied: return 403;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::RateLimited:
    case ErrorKind::QuotaExceeded:
      return 429;
    case ErrorKind::Overloaded:
    case ErrorKind::UpstreamConnection:
      return 503;
    case ErrorKind::Timeout: return 504;
    case ErrorKind::Cancelled: return 499;
    case ErrorKind::UpstreamServerError:
    case ErrorKind::UpstreamProtocol:
    case ErrorKind::StreamInterrupted:
    case ErrorKind::Internal:
      return 500;
  }
  return 500;
}

const char* gemini_error_status(const Error& err) {
  if (upstream_google_status(err)) {
    static constexpr const char* kCodes[] = {
        "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
        "UNAVAILABLE", "DATA_LOSS"};
    for (const char* c : kCodes) {
      if (err.upstream_type == c) return c;
    }
  }
  switch (gemini_error_http_status(err)) {
    case 400: return "INVALID_ARGUMENT";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 429: return "RESOURCE_EXHAUSTED";
    case 499: return "CANCELLED";
    case 503: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return "INTERNAL";
  }
}

void write_gemini_error_object(const Error& err, json::Writer& w, bool with_details) {
  const char* status = gemini_error_status(err);
  w.begin_object();
  w.field("code", gemini_error_http_status(err));
  w.field("message",
          err.message.empty() ? default_message(err.kind) : std::string_view(err.message));
  w.field("status", status);
  if (with_details) {
    const std::string_view s(status);
    const bool api_key = err.kind == ErrorKind::Authentication && s == "INVALID_ARGUMENT";
    const bool retry = s == "RESOURCE_EXHAUSTED" && err.retry_after_s.has_value();
    const bool field = s == "INVALID_ARGUMENT" && !err.param.empty() && !api_key;
    if (api_key || retry || field) {
      w.key("details").begin_array();
      if (api_key) {
        w.begin_object().field("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        w.field("reason", "API_KEY_INVALID").field("domain", "googleapis.com").end_object();
      }
      if (field) {
        w.begin_object().field("@type", "type.googleapis.com/google.rpc.BadRequest");
        w.key("fieldViolations").begin_array().begin_object();
        w.field("field", err.param).field("description", err.message).end_object();
        w.end_array().end_object();
      }
      if (retry) {
        w.begin_object().field("@type", "type.googleapis.com/google.rpc.RetryInfo");
        w.field("retryDelay", format_delay(*err.retry_after_s)).end_object();
      }
      w.end_array();
    }
  }
  w.end_object();
}

void render_gemini_error(const Error& err, ResponseHead& head, std::string& body) {
  head.status = gemini_error_http_status(err);
  Headers& h = head.headers;
  for (size_t i = 0; i < h.size();) {
    if (iequals(h[i].first, "content-type") || iequals(h[i].first, "content-length")) {
      h.erase(h.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  h.emplace_back("content-type", "application/json; charset=UTF-8");
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
  w.begin_object().key("error");
  write_gemini_error_object(err, w, true);
  w.end_object();
}

std::unique_ptr<SurfaceEncoder> make_gemini_encoder(const EncodeContext& ctx, bool sse) {
  return std::make_unique<GeminiEncoder>(ctx, sse);
}

}  // namespace openrain::surfaces
