// sim/request_probe.hpp — what the simulator reads from an incoming request: the route (which
// provider, chat or count-tokens, Gemini model and stream framing from the path) and the few body
// fields a reply depends on (model, stream, include_usage, last user text for "echo").
//
// Owns nothing: Probe's views point into the request path/query and into the calling thread's
// json::thread_reader() document, so they are valid until the next parse on that thread.
// Routing is plain string comparison (no regex). Thread-safety: reentrant per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "openrain/status.hpp"
#include "sim/wire_render.hpp"

namespace openrain::sim {

struct Route {
  enum class Kind : uint8_t { Unknown, Chat, CountTokens };
  Kind kind = Kind::Unknown;
  Wire wire = Wire::OpenAIChat;
  std::string_view model;     // Gemini: from the path
  bool gemini_stream = false;  // :streamGenerateContent
  bool gemini_sse = false;     // ...?alt=sse
};

/// Classify `method` + `path` (+ `query` for Gemini's alt=sse).
Route route_request(std::string_view method, std::string_view path, std::string_view query);

struct Probe {
  std::string_view model;
  bool stream = false;
  bool include_usage = false;
};

/// Parse `body` with the thread's reader and read model / stream / include_usage. For Gemini the
/// model and stream flag come from `route`. Errors: InvalidRequest when the body is not a JSON
/// object.
Result<Probe> probe_body(const Route& route, std::string_view body);

/// Text of the last user message of the body parsed by the latest probe_body() on this thread
/// (text parts concatenated); empty when there is none.
void last_user_text(const Route& route, std::string& out);

}  // namespace openrain::sim
