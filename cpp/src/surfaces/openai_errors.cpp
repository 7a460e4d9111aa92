#include "surfaces/openai_errors.hpp"
#include "util/ascii.hpp"

#include <cmath>
#include <strings.h>

namespace openrain::surfaces {

namespace {

using ascii::iequals;

/// Types only OpenAI uses (shared names such as "invalid_request_error" map identically anyway,
/// and an Anthropic or Gemini type must never leak onto this surface).
bool is_openai_only_type(std::string_view t) {
  return t == "requests" || t == "tokens" || t == "insufficient_quota" || t == "server_error" ||
         t == "service_unavailable_error" || t == "access_terminated" ||
         t == "request_forbidden";
}

std::string_view default_message(ErrorKind k) {
  switch (k) {
    case ErrorKind::InvalidRequest: return "Invalid request.";
    case ErrorKind::Authentication: return "Incorrect API key provided.";
    case ErrorKind::PermissionDenied: return "You are not allowed to perform this request.";
    case ErrorKind::NotFound: return "The requested resource does not exist.";
    case ErrorKind::PayloadTooLarge: return "Request body too large.";
    case ErrorKind::UnsupportedParameter: return "Unsupported parameter.";
    case ErrorKind::ContextLengthExceeded: return "The prompt exceeds the model's context length.";
    case ErrorKind::RateLimited: return "Rate limit reached. Please retry later.";
    case ErrorKind::QuotaExceeded: return "You exceeded your current quota.";
    case ErrorKind::Overloaded: return "The upstream server is overloaded. Please retry later.";
    case ErrorKind::Timeout: return "The request timed out.";
    case ErrorKind::UpstreamConnection: return "Could not reach the upstream server.";
    case ErrorKind::UpstreamProtocol: return "The upstream server returned an invalid response.";
    case ErrorKind::StreamInterrupted: return "The upstream stream ended unexpectedly.";
    case ErrorKind::Cancelled: return "The request was cancelled.";
    case ErrorKind::UpstreamServerError:
    case ErrorKind::Internal: break;
  }
  return "The server had an error while processing your request.";
}

}  // namespace

std::string_view openai_error_type(const Error& err) {
  if (is_openai_only_type(err.upstream_type)) return err.upstream_type;
  switch (err.kind) {
    case ErrorKind::InvalidRequest:
    case ErrorKind::UnsupportedParameter:
    case ErrorKind::ContextLengthExceeded:
    case ErrorKind::NotFound:
    case ErrorKind::PayloadTooLarge:
    case ErrorKind::Authentication:
      return "invalid_request_error";
    case ErrorKind::PermissionDenied: return "permission_error";
    case ErrorKind::RateLimited: return "requests";
    case ErrorKind::QuotaExceeded: return "insufficient_quota";
    case ErrorKind::Overloaded: return "service_unavailable_error";
    case ErrorKind::Timeout: return "timeout_error";
    case ErrorKind::UpstreamServerError:
    case ErrorKind::UpstreamConnection:
    case ErrorKind::UpstreamProtocol:
    case ErrorKind::StreamInterrupted:
    case ErrorKind::Cancelled:
    case ErrorKind::Internal:
      return "server_error";
  }
  return "server_error";
}

std::string_view openai_error_code(const Error& err) {
  // One code for every upstream's overflow (Copilot's model_max_prompt_tokens_exceeded, an
  // Anthropic or Gemini "too long"): OpenAI's own, which Codex and the SDK-based agents key on.
  if (err.kind == ErrorKind::ContextLengthExceeded) return "context_length_exceeded";
  if (!err.code.empty()) return err.code;
  switch (err.kind) {
    case ErrorKind::NotFound: return "model_not_found";
    case ErrorKind::ContextLengthExceeded: return "context_length_exceeded";
    case ErrorKind::UnsupportedParameter: return "unsupported_parameter";
    case ErrorKind::Authentication: return "invalid_api_key";
    case ErrorKind::RateLimited: return "rate_limit_exceeded";
    case ErrorKind::QuotaExceeded: return "insufficient_quota";
    default: return {};
  }
}

void render_openai_error_object(const Error& err, json::Writer& w) {
  w.begin_object();
  w.field("message",
          err.message.empty() ? default_message(err.kind) : std::string_view(err.message));
  w.field("type", openai_error_type(err));
  if (err.param.empty()) w.field_null("param"); else w.field("param", err.param);
  std::string_view code = openai_error_code(err);
  if (code.empty()) w.field_null("code"); else w.field("code", code);
  w.end_object();
}

void render_openai_error(const Error& err, ResponseHead& head, std::string& body) {
  head.status = (err.http_status >= 400 && err.http_status <= 599) ? err.http_status
                                                                   : default_http_status(err.kind);
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
  w.begin_object().key("error");
  render_openai_error_object(err, w);
  w.end_object();
}

}  // namespace openrain::surfaces
