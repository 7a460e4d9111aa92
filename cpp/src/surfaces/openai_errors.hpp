// surfaces/openai_errors.hpp — OpenAI-shaped error rendering, shared by the Chat Completions and
// Responses surfaces.
//
// Owns: the mapping from OpenRain's ErrorKind to OpenAI's coarse `error.type` and default
// `error.code` (protocols/errors.md, "Suggested gateway mapping"), the `{"message","type","param",
// "code"}` object, and the full HTTP error (status, content-type, forwarded rate-limit headers,
// Retry-After). When an Error carries an `upstream_type` from OpenAI's own vocabulary (an OpenAI or
// OpenAI-compatible upstream said it), that type is kept as is. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "json/writer.hpp"
#include "openrain/http.hpp"
#include "openrain/status.hpp"

namespace openrain::surfaces {

/// OpenAI `error.type` for `err`: the upstream's own type when it is OpenAI vocabulary, else the
/// gateway mapping of `err.kind`.
std::string_view openai_error_type(const Error& err);

/// OpenAI `error.code` for `err`: "context_length_exceeded" for every context overflow whatever
/// the upstream called it; otherwise `err.code` when set, else the default for the kind (e.g.
/// "model_not_found", "rate_limit_exceeded"); empty means JSON null.
std::string_view openai_error_code(const Error& err);

/// Write the error object `{"message":...,"type":...,"param":...|null,"code":...|null}` as the
/// next value of `w` (callers wrap it, e.g. in `{"error": ...}` or a Responses error event).
void render_openai_error_object(const Error& err, json::Writer& w);

/// Render `err` as a complete OpenAI HTTP error: status, `content-type: application/json`, the
/// forwarded `err.headers`, `retry-after` (whole seconds, rounded up) when known, and the body
/// `{"error":{...}}`. `body` is replaced.
void render_openai_error(const Error& err, ResponseHead& head, std::string& body);

}  // namespace openrain::surfaces
