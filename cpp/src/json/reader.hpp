// json/reader.hpp — typed field extraction over simdjson's DOM, with errors that name the field.
//
// Owns: Reader (a reusable simdjson parser plus a size cap) and small helpers that read optional
// and required members with a type check, producing InvalidRequest errors carrying the JSON path
// ("messages[2].content"). Elements returned by Reader::parse stay valid until the next parse on
// the same Reader. Thread-safety: one Reader per thread (use thread_reader()) — never share.
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "openrain/status.hpp"

namespace openrain::json {

using Element = simdjson::dom::element;
using Object = simdjson::dom::object;
using Array = simdjson::dom::array;

/// A simdjson parser borrowed from a small per-thread pool on first parse and returned when
/// the Reader is destroyed: per-request decoders own a Reader, and a fresh simdjson parser
/// allocates its buffers (a dozen aligned blocks) on first use. Pooled parsers are bounded in
/// number and in capacity, so the pool never holds much memory.
class Reader {
 public:
  Reader() = default;
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  Reader(Reader&&) noexcept = default;
  Reader& operator=(Reader&&) noexcept = default;

  /// Parse `text` (copied into padded storage). Errors: InvalidRequest "could not parse JSON".
  Result<Element> parse(std::string_view text);

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
};

/// A Reader owned by the calling thread, for request and event decoding. Callers must not hold
/// its elements across another call that parses on the same thread's reader; use a local Reader
/// for nested parses.
Reader& thread_reader();

/// Minified JSON text of `e` (re-serialised; strings byte-identical).
std::string to_json(Element e);

/// Name of the JSON type of `e` for messages: "string", "number", "object", ...
const char* type_name(Element e);

/// Build "parent.key" / "parent[i]" paths.
std::string path_key(std::string_view parent, std::string_view key);
std::string path_index(std::string_view parent, size_t i);

/// Type-checked optional getters: return nullopt when the key is absent or null, an error naming
/// `path` when the type is wrong.
Result<std::optional<std::string_view>> opt_string(Object o, std::string_view key, std::string_view path);
Result<std::optional<int64_t>> opt_int(Object o, std::string_view key, std::string_view path);
Result<std::optional<double>> opt_number(Object o, std::string_view key, std::string_view path);
Result<std::optional<bool>> opt_bool(Object o, std::string_view key, std::string_view path);
Result<std::optional<Object>> opt_object(Object o, std::string_view key, std::string_view path);
Result<std::optional<Array>> opt_array(Object o, std::string_view key, std::string_view path);

/// Lenient getters for decoding upstream data (no errors; wrong type = absent).
std::string_view get_string(Object o, std::string_view key);
int64_t get_int(Object o, std::string_view key, int64_t fallback = 0);
bool has_key(Object o, std::string_view key);
std::optional<Object> get_object(Object o, std::string_view key);
std::optional<Array> get_array(Object o, std::string_view key);

}  // namespace openrain::json
