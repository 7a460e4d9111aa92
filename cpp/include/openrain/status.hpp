// status.hpp — OpenRain's one error taxonomy and the Result<T> carrier.
//
// Owns: the ErrorKind enum every layer speaks, the Error value (kind, HTTP status, message,
// offending field, upstream detail such as Retry-After), and Result<T>, the only way data-plane
// functions report failure (no exceptions cross the data plane). Surfaces translate an Error into
// their native wire shape exactly once, at the boundary; the Python bindings translate it into the
// matching openrain.errors class exactly once.
// Thread-safety: plain values; safe to copy and move between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace openrain {

enum class ErrorKind : uint8_t {
  InvalidRequest,          // client mistake: malformed JSON, wrong type, bad value (400)
  Authentication,          // missing / invalid credentials (401)
  PermissionDenied,        // (403)
  NotFound,                // unknown model or route (404)
  PayloadTooLarge,         // body over the configured limit (413)
  UnsupportedParameter,    // valid request the chosen upstream cannot honour (400)
  ContextLengthExceeded,   // prompt too long for the model (400)
  RateLimited,             // retryable 429
  QuotaExceeded,           // non-retryable 429 / 402 (billing)
  UpstreamServerError,     // upstream 5xx (500)
  Overloaded,              // upstream 503 / 529
  Timeout,                 // connect / first-byte / idle / total timeout (504)
  UpstreamConnection,      // could not reach the upstream (502)
  UpstreamProtocol,        // upstream answered something we cannot decode, e.g. HTML 502 (502)
  StreamInterrupted,       // the upstream stream broke after bytes were sent (502)
  Cancelled,               // the caller went away (499)
  Internal,                // a bug in OpenRain (500)
};

/// Return the stable snake_case name of `kind` (used in logs, Python and tests).
const char* error_kind_name(ErrorKind kind);
/// Return the HTTP status OpenRain uses by default for `kind`.
int default_http_status(ErrorKind kind);
/// Return true when a request failing with `kind` may be retried on another attempt.
bool is_retryable(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  int http_status = 500;        // status to send to the caller
  std::string message;          // human text; never contains secrets
  std::string param;            // offending request field path, e.g. "messages[2].content"
  std::string code;             // precise machine code, e.g. "model_not_found"
  std::string provider;         // provider name when the error came from an upstream
  std::string upstream_type;    // the upstream's own error type, e.g. "rate_limit_error"
  int upstream_status = 0;      // the upstream HTTP status, 0 if none
  std::optional<double> retry_after_s;  // seconds, from Retry-After / RetryInfo
  std::string upstream_request_id;
  /// Headers worth forwarding to the caller (rate-limit family), already filtered.
  std::vector<std::pair<std::string, std::string>> headers;

  static Error make(ErrorKind kind, std::string message, std::string param = {},
                    std::string code = {}) {
    Error e;
    e.kind = kind;
    e.http_status = default_http_status(kind);
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
  }
  static Error invalid(std::string message, std::string param = {}, std::string code = {}) {
    return make(ErrorKind::InvalidRequest, std::move(message), std::move(param), std::move(code));
  }
};

/// A value or an Error. Cheap to move; never throws.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Result<void>: success or an Error.
class Status {
 public:
  Status() = default;
  Status(Error error) : err_(std::move(error)) {}    // NOLINT(google-explicit-constructor)
  bool ok() const { return !err_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *err_; }
  Error&& take_error() { return std::move(*err_); }

 private:
  std::optional<Error> err_;
};

}  // namespace openrain
