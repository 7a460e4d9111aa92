#include "json/reader.hpp"

#include <charconv>
#include <vector>

#include "json/writer.hpp"

namespace openrain::json {

namespace {

constexpr std::size_t kPoolMax = 16;               // parsers kept per thread
constexpr std::size_t kPooledCapacityMax = 1 << 20;  // bigger ones are freed, not kept

/// Per-thread free list. `alive` outlives the pool (trivially destructible), so a Reader
/// destroyed during thread exit after the pool knows not to touch it.
struct ParserPool {
  ParserPool() { alive = true; }
  ~ParserPool() { alive = false; }
  std::vector<std::unique_ptr<simdjson::dom::parser>> free;
  static thread_local bool alive;
};
thread_local bool ParserPool::alive = false;

ParserPool& pool() {
  thread_local ParserPool p;
  return p;
}

}  // namespace

Reader::~Reader() {
  if (!parser_ || !ParserPool::alive) return;
  ParserPool& p = pool();
  if (p.free.size() < kPoolMax && parser_->capacity() <= kPooledCapacityMax) {
    p.free.push_back(std::move(parser_));
  }
}

Result<Element> Reader::parse(std::string_view text) {
  if (!parser_) {
    ParserPool& p = pool();
    if (!p.free.empty()) {
      parser_ = std::move(p.free.back());
      p.free.pop_back();
    } else {
      parser_ = std::make_unique<simdjson::dom::parser>();
    }
  }
  Element e;
  auto err = parser_->parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(e);
  if (err) {
    return Error::invalid(std::string("could not parse JSON body: ") + simdjson::error_message(err),
                          "", "invalid_json");
  }
  return e;
}

Reader& thread_reader() {
  thread_local Reader reader;
  return reader;
}

std::string to_json(Element e) {
  // Scalars directly (the common case: ids, fingerprints, flags); containers through minify.
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string out;
      append_quoted(out, e.get_string().value_unsafe());
      return out;
    }
    case simdjson::dom::element_type::INT64: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, e.get_int64().value_unsafe());
      return std::string(buf, r.ptr);
    }
    case simdjson::dom::element_type::BOOL:
      return e.get_bool().value_unsafe() ? "true" : "false";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return simdjson::minify(e);
  }
}

const char* type_name(Element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: return "array";
    case simdjson::dom::element_type::OBJECT: return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return "number";
    case simdjson::dom::element_type::STRING: return "string";
    case simdjson::dom::element_type::BOOL: return "boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "value";
}

std::string path_key(std::string_view parent, std::string_view key) {
  std::string p(parent);
  if (!p.empty()) p.push_back('.');
  p.append(key);
  return p;
}

std::string path_index(std::string_view parent, size_t i) {
  std::string p(parent);
  p.push_back('[');
  p.append(std::to_string(i));
  p.push_back(']');
  return p;
}

namespace {
Error type_error(std::string_view path, std::string_view key, const char* want, Element got) {
  std::string p = path_key(path, key);
  return Error::invalid("Invalid type for '" + p + "': expected " + want + ", but got " +
                            type_name(got) + ".",
                        p, "invalid_type");
}
bool lookup(Object o, std::string_view key, Element& out) {
  return o.at_key(key).get(out) == simdjson::SUCCESS && !out.is_null();
}
}  // namespace

Result<std::optional<std::string_view>> opt_string(Object o, std::string_view key, std::string_view path) {
  Element e;
  if (!lookup(o, key, e)) return std::optional<std::string_view>{};
  if (!e.is_string()) return type_error(path, key, "a string", e);
  return std::optional<std::string_view>(std::string_view(e.get_string().value_unsafe()));
}

Result<std::optional<int64_t>> opt_int(Object o, std::string_view key, std::string_view path) {
  Element e;
  if (!lookup(o, key, e)) return std::optional<int64_t>{};
  if (e.is_int64()) return std::optional<int64_t>(e.get_int64().value_unsafe());
  if (e.is_uint64()) return type_error(path, key, "an integer in range", e);
  if (e.is_double()) {
    double d = e.get_double().value_unsafe();
    // Range check before the cast: converting an out-of-range double is undefined behaviour.
    if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  return type_error(path, key, "an integer", e);
}

Result<std::optional<double>> opt_number(Object o, std::string_view key, std::string_view path) {
  Element e;
  if (!lookup(o, key, e)) return std::optional<double>{};
  if (e.is_number()) {
    double d = 0;
    if (e.is_int64()) d = static_cast<double>(e.get_int64().value_unsafe());
    else if (e.is_uint64()) d = static_cast<double>(e.get_uint64().value_unsafe());
    else d = e.get_double().value_unsafe();
    return std::optional<double>(d);
  }
  return type_error(path, key, "a number", e);
}

Result<std::optional<bool>> opt_bool(Object o, std::string_view key, std::string_view path) {
  Element e;
  if (!lookup(o, key, e)) return std::optional<bool>{};
  if (!e.is_bool()) return type_error(path, key, "a boolean", e);
  return std::optional<bool>(e.get_bool().value_unsafe());
}

Result<std::optional<Object>> opt_object(Object o, std::string_view key, std::string_view path) {
  Element e;
  if (!lookup(o, key, e)) return std::optional<Object>{};
  if (!e.is_object()) return type_error(path, key, "an object", e);
  return std::optional<Object>(e.get_object().value_unsafe());
}

Result<std::optional<Array>> opt_array(Object o, std::string_view key, std::string_view path) {
  Element e;
  if (!lookup(o, key, e)) return std::optional<Array>{};
  if (!e.is_array()) return type_error(path, key, "an array", e);
  return std::optional<Array>(e.get_array().value_unsafe());
}

std::string_view get_string(Object o, std::string_view key) {
  std::string_view s;
  if (o.at_key(key).get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

int64_t get_int(Object o, std::string_view key, int64_t fallback) {
  Element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return fallback;
  if (e.is_int64()) return e.get_int64().value_unsafe();
  if (e.is_uint64()) return static_cast<int64_t>(e.get_uint64().value_unsafe());
  if (e.is_double()) {
    double d = e.get_double().value_unsafe();
    if (d >= -9.2e18 && d <= 9.2e18) return static_cast<int64_t>(d);
  }
  return fallback;
}

bool has_key(Object o, std::string_view key) {
  Element e;
  return o.at_key(key).get(e) == simdjson::SUCCESS && !e.is_null();
}

std::optional<Object> get_object(Object o, std::string_view key) {
  Object r;
  if (o.at_key(key).get_object().get(r) != simdjson::SUCCESS) return std::nullopt;
  return r;
}

std::optional<Array> get_array(Object o, std::string_view key) {
  Array r;
  if (o.at_key(key).get_array().get(r) != simdjson::SUCCESS) return std::nullopt;
  return r;
}

}  // namespace openrain::json
