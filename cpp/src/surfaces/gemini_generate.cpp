// The Gemini Surface object and the small pieces around it: path splitting, query mode, the
// countTokens body, and the request-decoding helpers shared with gemini_generate_parse.cpp
// (member-name folding, typed values with Google's error wording, OpenAPI Schema → JSON Schema).
// Parsing lives in gemini_generate_parse.cpp, rendering in gemini_generate_render.cpp.
#include "surfaces/gemini_generate.hpp"

#include <cctype>
#include <string>
#include <string_view>

#include "json/writer.hpp"
#include "util/ascii.hpp"

namespace openrain::surfaces {

namespace gemini_detail {

using json::Array;
using json::Element;
using json::Object;

/// proto snake_case → lowerCamelCase ("max_output_tokens" → "maxOutputTokens"); camelCase names
/// pass unchanged.
std::string canon(std::string_view k) {
  std::string out;
  out.reserve(k.size());
  bool up = false;
  for (char c : k) {
    if (c == '_' && !out.empty()) {
      up = true;
      continue;
    }
    if (up && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    up = false;
    out.push_back(c);
  }
  return out;
}



Error unknown_name(std::string_view name, std::string_view parent) {
  std::string msg = "Invalid JSON payload received. Unknown name \"" + std::string(name) + "\"";
  if (!parent.empty()) msg += " at '" + std::string(parent) + "'";
  msg += ": Cannot find field.";
  return Error::invalid(std::move(msg), json::path_key(parent, name), "unknown_name");
}

Error type_err(const std::string& path, std::string_view want, Element got) {
  std::string shown = json::to_json(got);
  if (shown.size() > 64) shown = shown.substr(0, 61) + "...";
  return Error::invalid("Invalid value at '" + path + "' (" + std::string(want) + "), " + shown,
                        path, "invalid_type");
}

Error bad_value(const std::string& path, std::string_view message) {
  return Error::invalid(path + ": " + std::string(message), path, "invalid_value");
}

Error missing(const std::string& path) {
  return Error::invalid(path + ": required field is not specified", path, "missing");
}

// ---- typed values (null members are skipped by the callers) ---------------------------------

Result<std::string_view> as_string(Element v, const std::string& path) {
  if (!v.is_string()) return type_err(path, "TYPE_STRING", v);
  return std::string_view(v.get_string().value_unsafe());
}

/// Integers: JSON numbers with an integral value, or numeric strings (proto3 JSON allows both).
Result<int64_t> as_int(Element v, const std::string& path) {
  if (v.is_int64()) return v.get_int64().value_unsafe();
  if (v.is_double()) {
    double d = v.get_double().value_unsafe();
    if (d >= -9.0e18 && d <= 9.0e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
      return static_cast<int64_t>(d);
    }
  }
  if (v.is_string()) {
    std::string_view s = v.get_string().value_unsafe();
    size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
    if (i < s.size() && s.size() - i <= 18) {
      int64_t n = 0;
      bool ok = true;
      for (size_t j = i; j < s.size() && ok; ++j) {
        ok = s[j] >= '0' && s[j] <= '9';
        n = n * 10 + (s[j] - '0');
      }
      if (ok) return i == 1 ? -n : n;
    }
  }
  return type_err(path, "TYPE_INT32", v);
}

Result<double> as_number(Element v, const std::string& path) {
  if (v.is_int64()) return static_cast<double>(v.get_int64().value_unsafe());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64().value_unsafe());
  if (v.is_double()) return v.get_double().value_unsafe();
  return type_err(path, "TYPE_FLOAT", v);
}

Result<bool> as_bool(Element v, const std::string& path) {
  if (!v.is_bool()) return type_err(path, "TYPE_BOOL", v);
  return v.get_bool().value_unsafe();
}

Result<Object> as_object(Element v, const std::string& path) {
  if (!v.is_object()) return type_err(path, "object", v);
  return v.get_object().value_unsafe();
}

Result<Array> as_array(Element v, const std::string& path) {
  if (!v.is_array()) return type_err(path, "list", v);
  return v.get_array().value_unsafe();
}

Status expect_string(Element v, const std::string& path) {
  return v.is_string() ? Status{} : Status(type_err(path, "TYPE_STRING", v));
}
Status expect_bool(Element v, const std::string& path) {
  return v.is_bool() ? Status{} : Status(type_err(path, "TYPE_BOOL", v));
}
Status expect_object(Element v, const std::string& path) {
  return v.is_object() ? Status{} : Status(type_err(path, "object", v));
}
Status expect_array(Element v, const std::string& path) {
  return v.is_array() ? Status{} : Status(type_err(path, "list", v));
}

// ---- Google OpenAPI Schema → JSON Schema ------------------------------------------------------

namespace {

void write_schema(Element e, json::Writer& w);

void write_schema_object(Object o, json::Writer& w) {
  std::string type;
  bool nullable = false;
  for (auto f : o) {
    std::string k = canon(f.key);
    if (k == "type" && f.value.is_string()) type = std::string(f.value.get_string().value_unsafe());
    if (k == "nullable" && f.value.is_bool()) nullable = f.value.get_bool().value_unsafe();
  }
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type == "type_unspecified") type.clear();
  w.begin_object();
  if (!type.empty()) {
    w.key("type");
    if (nullable && type != "null") {
      w.begin_array().value(type).value("null").end_array();
    } else {
      w.value(type);
    }
  }
  for (auto f : o) {
    std::string k = canon(f.key);
    if ((k == "type" && f.value.is_string()) || k == "nullable" || k == "propertyOrdering") {
      continue;
    }
    if (k == "format" && f.value.is_string() && f.value.get_string().value_unsafe() == "enum") {
      continue;  // Google's marker for string enums; not a JSON Schema format
    }
    if (k == "properties" && f.value.is_object()) {
      w.key(k).begin_object();
      for (auto p : json::Object(f.value.get_object().value_unsafe())) {
        w.key(p.key);  // property names are data: never folded
        write_schema(p.value, w);
      }
      w.end_object();
    } else if ((k == "items" || k == "not" || k == "additionalProperties") &&
               f.value.is_object()) {
      w.key(k);
      write_schema(f.value, w);
    } else if ((k == "anyOf" || k == "oneOf" || k == "allOf" || k == "prefixItems") &&
               f.value.is_array()) {
      w.key(k).begin_array();
      for (Element s : json::Array(f.value.get_array().value_unsafe())) write_schema(s, w);
      w.end_array();
    } else {
      w.field_raw(k, json::to_json(f.value));
    }
  }
  w.end_object();
}

void write_schema(Element e, json::Writer& w) {
  if (e.is_object()) {
    write_schema_object(e.get_object().value_unsafe(), w);
  } else {
    w.raw(json::to_json(e));
  }
}

}  // namespace

std::string openapi_to_json_schema(Element schema) {
  std::string out;
  json::Writer w(out);
  write_schema(schema, w);
  return out;
}


}  // namespace gemini_detail

namespace {

using ascii::iequals;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Percent-decode `s`; malformed escapes are kept literally.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

class GeminiGenerateSurface final : public Surface {
 public:
  Protocol protocol() const override { return Protocol::Gemini; }
  Result<ChatRequest> parse_request(const HttpRequest& req) const override {
    return parse_gemini_request(req);
  }
  std::unique_ptr<SurfaceEncoder> make_encoder(const EncodeContext& ctx) const override {
    return make_gemini_encoder(ctx, true);
  }
  void render_error(const Error& err, ResponseHead& head, std::string& body) const override {
    render_gemini_error(err, head, body);
  }
};

}  // namespace

std::optional<GeminiPath> parse_gemini_path(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::string_view rest;
  for (std::string_view prefix : {"/v1beta/models/", "/v1/models/", "/v1alpha/models/"}) {
    if (path.substr(0, prefix.size()) == prefix) {
      rest = path.substr(prefix.size());
      break;
    }
  }
  if (rest.empty()) return std::nullopt;
  // Model and method share the last segment; the colon may still be percent-encoded.
  size_t colon = rest.rfind(':');
  size_t colon_len = 1;
  size_t slash = rest.rfind('/');
  size_t last_segment = slash == std::string_view::npos ? 0 : slash + 1;
  if (colon == std::string_view::npos || colon < last_segment) {
    colon = std::string_view::npos;
    for (size_t i = rest.size(); i-- > last_segment;) {
      if (i + 3 <= rest.size() && iequals(rest.substr(i, 3), "%3A")) {
        colon = i;
        colon_len = 3;
        break;
      }
    }
  }
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view method = rest.substr(colon + colon_len);
  if (method != "generateContent" && method != "streamGenerateContent" &&
      method != "countTokens") {
    return std::nullopt;
  }
  GeminiPath out;
  out.model = percent_decode(rest.substr(0, colon));
  out.method = std::string(method);
  if (out.model.empty()) return std::nullopt;
  return out;
}

const Surface& gemini_generate_surface() {
  static const GeminiGenerateSurface surface;
  return surface;
}

bool gemini_wants_sse(const HttpRequest& req) {
  return find_query_param(req.query, "alt") == "sse";
}

const char* gemini_stream_content_type(bool sse) {
  return sse ? "text/event-stream; charset=utf-8" : "application/json; charset=UTF-8";
}

void render_gemini_count_tokens(int64_t n, std::string& out) {
  json::Writer w(out);
  w.begin_object().field("totalTokens", n).key("promptTokensDetails").begin_array();
  w.begin_object().field("modality", "TEXT").field("tokenCount", n).end_object();
  w.end_array().end_object();
}

}  // namespace openrain::surfaces
