// providers/gemini_errors.cpp — Google RPC error bodies → the OpenRain error taxonomy.
//
// Owns the mapping of `error.status` (plus ErrorInfo / RetryInfo / QuotaFailure details and a few
// message patterns) to ErrorKind and Retry-After extraction. Upstream strings go through the
// shared scrub_secrets (Google sometimes echoes request URLs carrying `key=`). Pure functions;
// thread-safe.
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "json/reader.hpp"
#include "providers/common.hpp"
#include "providers/gemini.hpp"

namespace openrain::providers {
namespace {

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() &&
           std::tolower(static_cast<unsigned char>(hay[i + j])) ==
               std::tolower(static_cast<unsigned char>(needle[j]))) {
      ++j;
    }
    if (j == needle.size()) return true;
  }
  return false;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// "34.4s" (protobuf Duration JSON) or a bare number of seconds.
std::optional<double> parse_seconds(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == 's')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  std::string tmp(s);
  char* end = nullptr;
  double v = std::strtod(tmp.c_str(), &end);
  if (end == tmp.c_str() || *end != '\0' || !(v >= 0)) return std::nullopt;
  return v;
}

ErrorKind kind_for_http(int status) {
  switch (status) {
    case 400: return ErrorKind::InvalidRequest;
    case 401: return ErrorKind::Authentication;
    case 403: return ErrorKind::PermissionDenied;
    case 404: return ErrorKind::NotFound;
    case 408: return ErrorKind::Timeout;
    case 413: return ErrorKind::PayloadTooLarge;
    case 429: return ErrorKind::RateLimited;
    case 503: return ErrorKind::Overloaded;
    case 504: return ErrorKind::Timeout;
    default: break;
  }
  if (status >= 500) return ErrorKind::UpstreamServerError;
  return ErrorKind::InvalidRequest;
}

std::string provider_name(const Deployment& d) {
  return d.provider != nullptr ? d.provider->name : std::string();
}

std::string_view api_key(const Deployment& d) {
  return d.provider != nullptr ? std::string_view(d.provider->api_key) : std::string_view();
}

}  // namespace

namespace gemini_detail {

Error classify_error_object(std::string_view error_json, int http_status, const Headers& headers,
                            const Deployment& d) {
  json::Reader reader;
  std::string message;
  std::string status;
  std::string reason;
  std::optional<double> retry_delay;
  bool daily_or_free_quota = false;
  int code = 0;
  Result<json::Element> parsed = reader.parse(error_json);
  if (parsed.ok() && parsed.value().is_object()) {
    json::Object err = parsed.value().get_object().value_unsafe();
    message = std::string(json::get_string(err, "message"));
    status = std::string(json::get_string(err, "status"));
    code = static_cast<int>(json::get_int(err, "code", 0));
    if (auto details = json::get_array(err, "details")) {
      for (json::Element de : *details) {
        if (!de.is_object()) continue;
        json::Object det = de.get_object().value_unsafe();
        std::string_view type = json::get_string(det, "@type");
        if (ends_with(type, "google.rpc.ErrorInfo")) {
          if (reason.empty()) reason = std::string(json::get_string(det, "reason"));
        } else if (ends_with(type, "google.rpc.RetryInfo")) {
          retry_delay = parse_seconds(json::get_string(det, "retryDelay"));
        } else if (ends_with(type, "google.rpc.QuotaFailure")) {
          if (auto violations = json::get_array(det, "violations")) {
            for (json::Element ve : *violations) {
              if (!ve.is_object()) continue;
              std::string_view qid = json::get_string(ve.get_object().value_unsafe(), "quotaId");
              // Only a per-day quota is exhausted for good; per-minute limits (free tier
              // included) carry a RetryInfo delay and stay retryable rate limits.
              if (qid.find("PerDay") != std::string_view::npos) daily_or_free_quota = true;
            }
          }
        }
      }
    }
  }
  if (http_status <= 0) http_status = code > 0 ? code : 500;

  ErrorKind kind;
  std::string err_code = reason;
  if (status == "INVALID_ARGUMENT") {
    kind = ErrorKind::InvalidRequest;
    if (reason == "API_KEY_INVALID" || contains_ci(message, "API key not valid")) {
      kind = ErrorKind::Authentication;
    } else if (contains_ci(message, "exceeds the maximum number of tokens") ||
               contains_ci(message, "input token count")) {
      kind = ErrorKind::ContextLengthExceeded;
      err_code = "context_length_exceeded";
    }
  } else if (status == "FAILED_PRECONDITION" || status == "OUT_OF_RANGE") {
    kind = ErrorKind::InvalidRequest;
  } else if (status == "UNAUTHENTICATED") {
    kind = ErrorKind::Authentication;
  } else if (status == "PERMISSION_DENIED") {
    kind = ErrorKind::PermissionDenied;
  } else if (status == "NOT_FOUND") {
    kind = ErrorKind::NotFound;
  } else if (status == "RESOURCE_EXHAUSTED") {
    kind = daily_or_free_quota ? ErrorKind::QuotaExceeded : ErrorKind::RateLimited;
  } else if (status == "INTERNAL" || status == "UNKNOWN" || status == "DATA_LOSS") {
    kind = ErrorKind::UpstreamServerError;
  } else if (status == "UNAVAILABLE") {
    kind = ErrorKind::Overloaded;
  } else if (status == "DEADLINE_EXCEEDED") {
    kind = ErrorKind::Timeout;
  } else {
    kind = kind_for_http(http_status);
  }

  if (message.empty()) {
    message = "Gemini returned HTTP " + std::to_string(http_status);
    if (!status.empty()) message += " " + status;
  }
  Error e = Error::make(kind, scrub_secrets(message, api_key(d)), "",
                        scrub_secrets(err_code, api_key(d)));
  e.provider = provider_name(d);
  e.upstream_type = scrub_secrets(status, api_key(d));
  e.upstream_status = http_status;
  if (retry_delay) {
    e.retry_after_s = retry_delay;
  } else if (auto ra = parse_seconds(find_header(headers, "retry-after"))) {
    e.retry_after_s = ra;
  }
  return e;
}

}  // namespace gemini_detail

Error classify_gemini_error(int status, const Headers& headers, std::string_view body,
                            const Deployment& d) {
  size_t b = body.find_first_not_of(" \t\r\n");
  std::string_view trimmed = b == std::string_view::npos ? std::string_view() : body.substr(b);
  if (!trimmed.empty() && (trimmed[0] == '{' || trimmed[0] == '[')) {
    json::Reader reader;
    Result<json::Element> parsed = reader.parse(trimmed);
    if (parsed.ok()) {
      json::Element root = parsed.value();
      if (root.is_array()) {
        json::Element first;
        if (root.get_array().value_unsafe().at(0).get(first) == simdjson::SUCCESS) root = first;
      }
      if (root.is_object()) {
        if (auto err = json::get_object(root.get_object().value_unsafe(), "error")) {
          return gemini_detail::classify_error_object(simdjson::minify(*err), status, headers, d);
        }
      }
      // JSON without a Google error object: classify by status alone.
      return gemini_detail::classify_error_object("{}", status, headers, d);
    }
  }
  // Not JSON (an HTML page from a proxy or load balancer). Keep the retry semantics of the
  // statuses that carry them; everything else is an undecodable upstream answer.
  ErrorKind kind = ErrorKind::UpstreamProtocol;
  if (status == 429) kind = ErrorKind::RateLimited;
  if (status == 503) kind = ErrorKind::Overloaded;
  if (status == 504) kind = ErrorKind::Timeout;
  std::string msg = "Gemini returned HTTP " + std::to_string(status) +
                    " with a body that is not a Google API error";
  std::string snippet = error_body_snippet(trimmed, api_key(d));
  if (!snippet.empty()) msg += ": " + snippet;
  Error e = Error::make(kind, std::move(msg));
  e.provider = provider_name(d);
  e.upstream_status = status;
  if (auto ra = parse_seconds(find_header(headers, "retry-after"))) e.retry_after_s = ra;
  return e;
}

}  // namespace openrain::providers
