// providers/anthropic.cpp — the Anthropic Provider object and upstream error classification.
// Request encoding lives in anthropic_request.cpp, response decoding in anthropic_decoder.cpp.
#include "providers/anthropic.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "json/reader.hpp"
#include "providers/common.hpp"
#include "util/ascii.hpp"

namespace openrain::providers {
namespace anthropic {
namespace {

using ascii::iequals;

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// The shared scrubber with the deployment's key.
std::string scrub(std::string_view text, const Deployment& d) {
  return scrub_secrets(text, d.provider != nullptr ? std::string_view(d.provider->api_key)
                                                   : std::string_view());
}

ErrorKind kind_from_status(int status) {
  switch (status) {
    case 400: case 422: return ErrorKind::InvalidRequest;
    case 401: return ErrorKind::Authentication;
    case 402: return ErrorKind::QuotaExceeded;
    case 403: return ErrorKind::PermissionDenied;
    case 404: return ErrorKind::NotFound;
    case 408: case 504: return ErrorKind::Timeout;
    case 413: return ErrorKind::PayloadTooLarge;
    case 429: return ErrorKind::RateLimited;
    case 503: case 529: return ErrorKind::Overloaded;
    default: break;
  }
  if (status >= 500) return ErrorKind::UpstreamServerError;
  if (status >= 400) return ErrorKind::InvalidRequest;
  return ErrorKind::UpstreamProtocol;
}

/// Parse a Retry-After value given in (possibly fractional) seconds. HTTP-dates are ignored.
std::optional<double> parse_retry_after(std::string_view v) {
  v = trim(v);
  if (v.empty()) return std::nullopt;
  double d = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), d);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(d) || d < 0) {
    return std::nullopt;
  }
  return d;
}

bool is_rate_limit_header(std::string_view name) {
  return istarts_with(name, "anthropic-ratelimit-");
}

void apply_headers(Error& e, const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (iequals(name, "retry-after") || iequals(name, "x-should-retry") ||
        is_rate_limit_header(name)) {
      e.headers.emplace_back(to_lower(name), value);
    }
    if (iequals(name, "retry-after") && !e.retry_after_s) e.retry_after_s = parse_retry_after(value);
    if (iequals(name, "request-id") && e.upstream_request_id.empty()) e.upstream_request_id = value;
  }
}

}  // namespace

Error error_from_type(std::string_view type, std::string_view message, int status,
                      const Deployment& d) {
  ErrorKind kind;
  if (status == 529 || type == "overloaded_error") {
    kind = ErrorKind::Overloaded;
  } else if (type == "invalid_request_error") {
    kind = ErrorKind::InvalidRequest;
  } else if (type == "authentication_error") {
    kind = ErrorKind::Authentication;
  } else if (type == "permission_error") {
    kind = ErrorKind::PermissionDenied;
  } else if (type == "not_found_error") {
    kind = ErrorKind::NotFound;
  } else if (type == "request_too_large") {
    kind = ErrorKind::PayloadTooLarge;
  } else if (type == "rate_limit_error") {
    kind = ErrorKind::RateLimited;
  } else if (type == "billing_error") {
    kind = ErrorKind::QuotaExceeded;
  } else if (type == "api_error") {
    kind = ErrorKind::UpstreamServerError;
  } else if (type == "timeout_error") {
    kind = ErrorKind::Timeout;
  } else {
    kind = status == 0 ? ErrorKind::UpstreamServerError : kind_from_status(status);
  }
  std::string code;
  if (kind == ErrorKind::InvalidRequest) {
    // Context overflow is reported as a plain invalid_request_error; clients key on the text.
    if (icontains(message, "prompt is too long") || icontains(message, "exceed context limit")) {
      kind = ErrorKind::ContextLengthExceeded;
      code = "context_length_exceeded";
    } else if (icontains(message, "credit balance")) {
      kind = ErrorKind::QuotaExceeded;  // "Your credit balance is too low ..." (400)
    }
  }

  std::string text(message);
  if (text.empty()) {
    text = "Anthropic upstream error";
    if (!type.empty()) text += " (" + std::string(type) + ")";
    if (status != 0) text += " with HTTP " + std::to_string(status);
  }
  Error e = Error::make(kind, scrub(text, d), {}, std::move(code));
  // Billing problems are reported by Anthropic as 402; keep that status for the caller.
  if (kind == ErrorKind::QuotaExceeded) e.http_status = 402;
  e.upstream_type = scrub(type, d);
  e.upstream_status = status;
  if (d.provider != nullptr) e.provider = d.provider->name;
  return e;
}

Error classify_error(int status, const Headers& headers, std::string_view body,
                     const Deployment& d) {
  std::string_view trimmed = trim(body);
  Error e;
  bool classified = false;
  if (trimmed.empty()) {
    e = error_from_type({}, "Anthropic upstream returned HTTP " + std::to_string(status) +
                                " with an empty body",
                        status, d);
    classified = true;
  } else if (trimmed.front() == '{' || trimmed.front() == '[') {
    auto parsed = json::thread_reader().parse(trimmed);
    json::Object root;
    if (parsed.ok() && parsed.value().get_object().get(root) == simdjson::SUCCESS) {
      std::string type;
      std::string message;
      if (auto err = json::get_object(root, "error")) {
        type = std::string(json::get_string(*err, "type"));
        message = std::string(json::get_string(*err, "message"));
      } else {
        // Not Anthropic's envelope (a proxy in between): take whatever message there is.
        message = std::string(json::get_string(root, "message"));
        if (message.empty()) message = std::string(json::get_string(root, "error"));
      }
      std::string request_id(json::get_string(root, "request_id"));
      e = error_from_type(type, message, status, d);
      e.upstream_request_id = std::move(request_id);
      classified = true;
    }
  }
  if (!classified) {
    std::string msg = "Anthropic upstream returned HTTP " + std::to_string(status) +
                      " with a non-JSON body";
    std::string_view ctype = find_header(headers, "content-type");
    if (!ctype.empty()) msg += " (" + error_body_snippet(ctype, {}, 64) + ")";
    std::string snippet = error_body_snippet(
        trimmed, d.provider != nullptr ? std::string_view(d.provider->api_key) : std::string_view());
    if (!snippet.empty()) msg += ": " + snippet;
    e = Error::make(ErrorKind::UpstreamProtocol, scrub(msg, d));
    e.upstream_status = status;
    if (d.provider != nullptr) e.provider = d.provider->name;
  }
  std::string body_request_id = std::move(e.upstream_request_id);
  e.upstream_request_id.clear();
  apply_headers(e, headers);  // the request-id header wins over the body field
  if (e.upstream_request_id.empty()) e.upstream_request_id = std::move(body_request_id);
  e.upstream_request_id = scrub(e.upstream_request_id, d);  // an id, but it reaches the caller
  return e;
}

Headers forwarded_response_headers(const Headers& headers) {
  Headers out;
  for (const auto& [name, value] : headers) {
    if (is_rate_limit_header(name)) out.emplace_back(to_lower(name), value);
  }
  return out;
}

}  // namespace anthropic

namespace {

class AnthropicProvider final : public Provider {
 public:
  Protocol protocol() const override { return Protocol::Anthropic; }
  Result<UpstreamRequest> build_request(const ChatRequest& req, const Deployment& d,
                                        TranslationReport& report) const override {
    return anthropic::build_request(req, d, report);
  }
  std::unique_ptr<ResponseDecoder> make_decoder(const ChatRequest& req, const Deployment& d,
                                                bool streaming) const override {
    return anthropic::make_decoder(req, d, streaming);
  }
  Error classify_error(int status, const Headers& headers, std::string_view body,
                       const Deployment& d) const override {
    return anthropic::classify_error(status, headers, body, d);
  }
  Headers forwarded_response_headers(const Headers& upstream) const override {
    return anthropic::forwarded_response_headers(upstream);
  }
};

}  // namespace

const Provider& anthropic_provider() {
  static const AnthropicProvider provider;
  return provider;
}

}  // namespace openrain::providers
