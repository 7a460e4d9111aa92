// providers/openai.cpp — the OpenAI Chat Completions Provider object and error classification.
//
// classify() maps an upstream failure (HTTP status + OpenAI-shaped body, or an in-stream
// `{"error":...}` payload) onto the one ErrorKind taxonomy. Bodies that are not JSON (HTML error
// pages from proxies) are never echoed: they become a short message naming provider and status
// plus a sanitised snippet (error_body_snippet: the page title, never anything key-like).
// Every upstream string (message, param, code, type) goes through the shared scrub_secrets.
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "json/reader.hpp"
#include "providers/common.hpp"
#include "providers/openai.hpp"
#include "util/ascii.hpp"

namespace openrain::providers {

namespace openai {

namespace {

using ascii::iequals;

using json::Element;
using json::Object;

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Integer status in [100, 599] held by member `key`, or 0.
int status_member(Object o, std::string_view key) {
  Element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS || !e.is_int64()) return 0;
  int64_t v = e.get_int64().value_unsafe();
  return v >= 100 && v <= 599 ? static_cast<int>(v) : 0;
}

// Fills message/type/param/code/status from one error object.
void read_error_fields(Object e, ErrorBody& out) {
  out.message = std::string(json::get_string(e, "message"));
  out.type = std::string(json::get_string(e, "type"));
  out.param = std::string(json::get_string(e, "param"));
  out.code = std::string(json::get_string(e, "code"));
  if (out.status == 0) out.status = status_member(e, "code");    // numeric code (vLLM, Google)
  if (out.status == 0) out.status = status_member(e, "status");
  if (out.type.empty()) out.type = std::string(json::get_string(e, "status"));  // "UNAVAILABLE"
}

std::optional<double> parse_retry_after(const Headers& headers) {
  for (const auto& [k, v] : headers) {
    if (!iequals(k, "retry-after-ms")) continue;
    char* end = nullptr;
    std::string s(trim(v));
    double ms = std::strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0' && ms >= 0) return ms / 1000.0;
  }
  for (const auto& [k, v] : headers) {
    if (!iequals(k, "retry-after")) continue;
    std::string s(trim(v));
    char* end = nullptr;
    double secs = std::strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0') return secs < 0 ? 0.0 : secs;
    std::tm tm{};  // HTTP-date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"
    if (const char* rest = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm); rest != nullptr) {
      double delta = std::difftime(timegm(&tm), std::time(nullptr));
      return delta < 0 ? 0.0 : delta;
    }
  }
  return std::nullopt;
}

// Explicit context-overflow markers of OpenAI and OpenAI-compatible servers. Only explicit
// markers count: a bare 400 is never guessed to be an overflow.
constexpr std::string_view kOverflowCodes[] = {
    "context_length_exceeded",           // OpenAI, Groq, DeepSeek, most compatible servers
    "model_max_prompt_tokens_exceeded",  // GitHub Copilot / Codex
    "exceed_context_size_error",         // llama.cpp server
    "context_window_exceeded",
};
constexpr std::string_view kOverflowMessages[] = {
    "maximum context length",             // "This model's maximum context length is N tokens"
    "context window",                     // "... exceeds the context window of this model"
    "context_length_exceeded",
    "model_max_prompt_tokens_exceeded",
    "exceeds the available context size",  // llama.cpp
    "prompt is too long",                  // Anthropic wording via compatible proxies
};

bool is_context_overflow(const ErrorBody& b) {
  for (std::string_view c : kOverflowCodes) {
    if (iequals(b.code, c) || iequals(b.type, c)) return true;
  }
  for (std::string_view m : kOverflowMessages) {
    if (icontains(b.message, m)) return true;
  }
  return false;
}

ErrorKind kind_from_fields(const ErrorBody& b, bool context_overflow) {
  auto is = [&](std::string_view v) { return b.code == v || b.type == v; };
  if (is("insufficient_quota")) return ErrorKind::QuotaExceeded;
  if (context_overflow) return ErrorKind::ContextLengthExceeded;
  if (is("rate_limit_exceeded") || is("rate_limit_error") || b.type == "requests" ||
      b.type == "tokens" || b.type == "RESOURCE_EXHAUSTED")
    return ErrorKind::RateLimited;
  if (icontains(b.code, "overloaded") || icontains(b.type, "overloaded") ||
      is("service_unavailable_error") || b.type == "UNAVAILABLE")
    return ErrorKind::Overloaded;
  if (is("invalid_api_key") || is("authentication_error")) return ErrorKind::Authentication;
  if (b.type == "invalid_request_error") return ErrorKind::InvalidRequest;
  return ErrorKind::UpstreamServerError;
}

}  // namespace

bool is_rate_limit_header(std::string_view name) { return istarts_with(name, "x-ratelimit-"); }

ErrorBody parse_error_body(std::string_view body) {
  ErrorBody out;
  std::string_view t = trim(body);
  auto not_json = [&] {
    out.raw = std::string(t.substr(0, 8 * 1024));
    return out;
  };
  if (t.empty() || (t.front() != '{' && t.front() != '[')) return not_json();
  json::Reader reader;  // local: callers may hold elements of the thread reader
  auto parsed = reader.parse(t);
  if (!parsed.ok()) return not_json();
  Element root = parsed.value();
  if (root.is_array()) {  // Google's compat endpoint wraps the error object in an array
    Element first;
    if (root.get_array().at(0).get(first) != simdjson::SUCCESS) return out;
    root = first;
  }
  if (!root.is_object()) return out;
  out.json = true;
  Object o = root.get_object().value_unsafe();
  Element err;
  const bool has_error = o.at_key("error").get(err) == simdjson::SUCCESS;
  if (has_error && err.is_object()) {
    read_error_fields(err.get_object().value_unsafe(), out);
  } else if (has_error && err.is_string()) {
    out.message = std::string(err.get_string().value_unsafe());  // {"error":"Unauthorized"}
    out.type = std::string(json::get_string(o, "type"));
  } else if (json::has_key(o, "message")) {  // vLLM: {"object":"error","message",...,"code":400}
    read_error_fields(o, out);
  } else {
    out.message = std::string(json::get_string(o, "detail"));  // FastAPI servers
  }
  if (out.status == 0) out.status = status_member(o, "status");
  if (out.status == 0) out.status = status_member(o, "status_code");
  return out;
}

Error classify(int status, const Headers& headers, const ErrorBody& body,
               const ProviderConfig* provider) {
  const std::string name = provider != nullptr ? provider->name : std::string("openai");
  const std::string_view key = provider != nullptr ? std::string_view(provider->api_key) : "";
  Error e;
  const std::string status_text = std::to_string(status);
  if (!body.json) {
    switch (status) {  // status-only answers that still carry a clear meaning
      case 429: e = Error::make(ErrorKind::RateLimited, ""); break;
      case 503: e = Error::make(ErrorKind::Overloaded, ""); break;
      case 504: e = Error::make(ErrorKind::Timeout, ""); break;
      default: e = Error::make(ErrorKind::UpstreamProtocol, ""); break;
    }
    e.message = "upstream provider " + name + " returned HTTP " + status_text +
                " with a non-JSON body";
    std::string snippet = error_body_snippet(body.raw, key);
    if (!snippet.empty()) e.message += ": " + snippet;
  } else {
    const bool overflow = is_context_overflow(body);
    ErrorKind kind = ErrorKind::UpstreamServerError;
    int http = 0;
    switch (status) {
      case 0: kind = kind_from_fields(body, overflow); break;
      case 400:
      case 422: kind = overflow ? ErrorKind::ContextLengthExceeded : ErrorKind::InvalidRequest; break;
      case 401: kind = ErrorKind::Authentication; break;
      case 402: kind = ErrorKind::QuotaExceeded; break;
      case 403: kind = ErrorKind::PermissionDenied; break;
      case 404: kind = ErrorKind::NotFound; break;
      case 408: kind = ErrorKind::Timeout; break;
      case 413: kind = overflow ? ErrorKind::ContextLengthExceeded : ErrorKind::PayloadTooLarge; break;
      case 429:
        kind = body.code == "insufficient_quota" || body.type == "insufficient_quota"
                   ? ErrorKind::QuotaExceeded
                   : ErrorKind::RateLimited;
        break;
      case 500: kind = ErrorKind::UpstreamServerError; break;
      case 502: kind = ErrorKind::UpstreamServerError; http = 502; break;
      case 503:
      case 529: kind = ErrorKind::Overloaded; break;
      case 504: kind = ErrorKind::Timeout; break;
      default:
        if (status > 500 && status <= 599) {
          kind = ErrorKind::UpstreamServerError;
        } else if (status >= 400 && status < 500) {
          kind = ErrorKind::InvalidRequest;
          http = status;
        } else {
          kind = ErrorKind::UpstreamProtocol;
        }
    }
    e = Error::make(kind, scrub_secrets(body.message, key), scrub_secrets(body.param, key),
                    scrub_secrets(body.code, key));
    if (http != 0) e.http_status = http;
    if (e.message.empty()) {
      e.message = status == 0 ? "upstream provider " + name + " reported an error"
                              : "upstream provider " + name + " returned HTTP " + status_text;
    }
    e.upstream_type = scrub_secrets(body.type, key);
  }
  e.provider = name;
  e.upstream_status = status;
  e.retry_after_s = parse_retry_after(headers);
  for (const auto& [k, v] : headers) {
    if (iequals(k, "retry-after") || iequals(k, "retry-after-ms") ||
        is_rate_limit_header(k)) {
      e.headers.emplace_back(k, v);
    } else if (iequals(k, "x-request-id") && e.upstream_request_id.empty()) {
      e.upstream_request_id = scrub_secrets(v, key);  // an id, but it reaches the caller
    }
  }
  return e;
}

}  // namespace openai

namespace {

class OpenAIProvider final : public Provider {
 public:
  Protocol protocol() const override { return Protocol::OpenAIChat; }

  Result<UpstreamRequest> build_request(const ChatRequest& req, const Deployment& d,
                                        TranslationReport& report) const override {
    return openai::build_request(req, d, report);
  }

  std::unique_ptr<ResponseDecoder> make_decoder(const ChatRequest& req, const Deployment& d,
                                                bool streaming) const override {
    return openai::make_decoder(req, d, streaming);
  }

  Error classify_error(int status, const Headers& headers, std::string_view body,
                       const Deployment& d) const override {
    return openai::classify(status, headers, openai::parse_error_body(body), d.provider);
  }

  Headers forwarded_response_headers(const Headers& upstream) const override {
    Headers out;  // x-ratelimit-* (limit / remaining / reset per requests and tokens)
    for (const auto& [k, v] : upstream) {
      if (openai::is_rate_limit_header(k)) out.emplace_back(k, v);
    }
    return out;
  }
};

}  // namespace

const Provider& openai_provider() {
  static const OpenAIProvider provider;
  return provider;
}

}  // namespace openrain::providers
