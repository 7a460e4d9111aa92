// http.hpp — transport-neutral HTTP request/response heads shared by every entry point.
//
// Owns: HttpRequest (what the native server, the ASGI app and the Python API all hand the engine)
// and ResponseHead. Header names are lower-case on the way in. Plain values; thread-safe to copy.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openrain {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Return the first value of header `name` (lower-case), or an empty view.
std::string_view find_header(const Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method = "POST";
  std::string path;   // decoded path without the query, e.g. "/v1/chat/completions"
  std::string query;  // raw query string without '?', e.g. "alt=sse&key=..."
  Headers headers;    // lower-case names
  std::string body;
};

struct ResponseHead {
  int status = 200;
  Headers headers;  // includes content-type
};

/// Return the value of query parameter `name` (not percent-decoded), or empty.
std::string_view find_query_param(std::string_view query, std::string_view name);

}  // namespace openrain
