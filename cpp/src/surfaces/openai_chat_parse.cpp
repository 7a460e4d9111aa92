// Chat Completions request decoding: body JSON → ChatRequest (source = OpenAIChat).
//
// Validation follows OpenAI's own behaviour: every error names the field path the way OpenAI does
// ("messages[1].content[0].image_url.url"), with OpenAI's codes (invalid_type,
// missing_required_parameter, invalid_value, empty_array, integer_below_min_value, ...).
// Documented fields OpenRain does not model are kept raw in `extras`; features this gateway cannot
// honour (n > 1, audio, deprecated functions) are UnsupportedParameter errors; unknown top-level
// names are rejected like OpenAI does ("Unrecognized request argument supplied: <name>").
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "json/reader.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "surfaces/openai_chat.hpp"
#include "surfaces/openai_parts.hpp"

namespace openrain::surfaces {

namespace {

using json::Array;
using json::Element;
using json::Object;

#define OR_TRY(expr)                                   \
  do {                                                 \
    Status or_status_ = (expr);                        \
    if (!or_status_.ok()) return or_status_.take_error(); \
  } while (0)

#define OR_CONCAT_(a, b) a##b
#define OR_CONCAT(a, b) OR_CONCAT_(a, b)
#define OR_ASSIGN(var, expr)                                   \
  auto OR_CONCAT(or_res_, __LINE__) = (expr);                  \
  if (!OR_CONCAT(or_res_, __LINE__).ok())                      \
    return OR_CONCAT(or_res_, __LINE__).take_error();          \
  auto var = std::move(OR_CONCAT(or_res_, __LINE__).value())

// ---- error builders (OpenAI wording) ------------------------------------------------------

Error type_err(const std::string& path, std::string_view want, Element got) {
  return Error::invalid("Invalid type for '" + path + "': expected " + std::string(want) +
                            ", but got " + json::type_name(got) + ".",
                        path, "invalid_type");
}

Error missing(const std::string& path) {
  return Error::invalid("Missing required parameter: '" + path + "'.", path,
                        "missing_required_parameter");
}

Error bad_value(const std::string& path, std::string message, std::string code = "invalid_value") {
  return Error::invalid(std::move(message), path, std::move(code));
}

Error unsupported(const std::string& path, std::string message,
                  std::string code = "unsupported_parameter") {
  return Error::make(ErrorKind::UnsupportedParameter, std::move(message), path, std::move(code));
}

std::string fmt_num(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

Status check_range(double v, double lo, double hi, const std::string& path) {
  if (v < lo) {
    return bad_value(path,
                     "Invalid '" + path + "': decimal below minimum value. Expected a value >= " +
                         fmt_num(lo) + ", but got " + fmt_num(v) + " instead.",
                     "decimal_below_min_value");
  }
  if (v > hi) {
    return bad_value(path,
                     "Invalid '" + path + "': decimal above maximum value. Expected a value <= " +
                         fmt_num(hi) + ", but got " + fmt_num(v) + " instead.",
                     "decimal_above_max_value");
  }
  return {};
}

Status check_int_min(int64_t v, int64_t lo, const std::string& path) {
  if (v < lo) {
    return bad_value(path,
                     "Invalid '" + path + "': integer below minimum value. Expected a value >= " +
                         std::to_string(lo) + ", but got " + std::to_string(v) + " instead.",
                     "integer_below_min_value");
  }
  return {};
}

Status check_int_max(int64_t v, int64_t hi, const std::string& path) {
  if (v > hi) {
    return bad_value(path,
                     "Invalid '" + path + "': integer above maximum value. Expected a value <= " +
                         std::to_string(hi) + ", but got " + std::to_string(v) + " instead.",
                     "integer_above_max_value");
  }
  return {};
}

/// Member `key` of `o` when present and not null.
std::optional<Element> member(Object o, std::string_view key) {
  Element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

/// json::opt_int, but a double outside int64 range is a type error here: the shared reader would
/// cast it (undefined behaviour) before checking.
Result<std::optional<int64_t>> opt_int(Object o, std::string_view key, std::string_view path) {
  auto e = member(o, key);
  if (e && e->is_double()) {
    double d = e->get_double().value_unsafe();
    if (!(d > -9.2e18 && d < 9.2e18)) return type_err(json::path_key(path, key), "an integer", *e);
  }
  return json::opt_int(o, key, path);
}

Result<std::string_view> req_string(Object o, std::string_view key, std::string_view parent) {
  auto r = json::opt_string(o, key, parent);
  if (!r.ok()) return r.take_error();
  if (!r.value()) return missing(json::path_key(parent, key));
  return *r.value();
}

Result<Object> req_object(Object o, std::string_view key, std::string_view parent) {
  auto r = json::opt_object(o, key, parent);
  if (!r.ok()) return r.take_error();
  if (!r.value()) return missing(json::path_key(parent, key));
  return *r.value();
}

using openai_parts::check_function_name;

enum class ContentMode { TextOnly, User, Assistant };

// ---- the parser ---------------------------------------------------------------------------

class Parser {
 public:
  Result<ChatRequest> run(Object root);

 private:
  Status top_field(Object root, std::string_view key, Element v);
  Status parse_messages(Element v);
  Status parse_message(Element v, size_t i);
  Status parse_content(Object o, const std::string& path, ContentMode mode, bool required,
                       Message& m);
  Status parse_part(Element v, const std::string& path, ContentMode mode, Message& m);
  Status parse_image(Object part, const std::string& path, Message& m);
  Status parse_file(Object part, const std::string& path, Message& m);
  Status parse_tool_calls(Object o, const std::string& path, Message& m);
  Status parse_tools(Element v);
  Status parse_tool_choice(Element v);
  Status parse_response_format(Element v);
  Status parse_stop(Element v);
  Status parse_stream_options(Element v);
  Status passthrough(Object root, std::string_view key, Element v, bool& known);
  std::string resolve_tool_name(std::string_view call_id) const;

  ChatRequest req_;
  bool has_model_ = false;
  bool has_messages_ = false;
  bool has_stream_options_ = false;
  std::optional<int64_t> max_completion_tokens_;
  std::optional<int64_t> max_tokens_;
};

Result<ChatRequest> Parser::run(Object root) {
  req_.source = Protocol::OpenAIChat;
  for (auto field : root) OR_TRY(top_field(root, field.key, field.value));

  if (!has_model_) return missing("model");
  if (!has_messages_) return missing("messages");
  if (req_.messages.empty()) {
    return bad_value("messages",
                     "Invalid 'messages': empty array. Expected an array with minimum length 1, "
                     "but got an empty array instead.",
                     "empty_array");
  }
  if (has_stream_options_ && !req_.stream) {
    return bad_value("stream_options",
                     "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  }
  if (!req_.stream) req_.include_usage = false;
  if (max_completion_tokens_) req_.max_tokens = max_completion_tokens_;
  else if (max_tokens_) req_.max_tokens = max_tokens_;

  const ToolChoice& tc = req_.tool_choice;
  if (tc.mode == ToolChoice::Mode::Function) {
    bool found = false;
    for (const auto& t : req_.tools) found = found || t.name == tc.name;
    if (!found) {
      return bad_value("tool_choice", "Invalid value for 'tool_choice': function '" + tc.name +
                                          "' is not one of the functions in 'tools'.");
    }
  } else if (tc.mode == ToolChoice::Mode::Required && req_.tools.empty()) {
    return bad_value("tool_choice",
                     "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' "
                     "are specified.");
  }
  return std::move(req_);
}

Status Parser::top_field(Object root, std::string_view key, Element v) {
  const std::string k(key);
  if (key == "model") {
    OR_ASSIGN(model, json::opt_string(root, key, ""));
    if (model) {
      req_.model = std::string(*model);
      has_model_ = true;
    }
    return {};
  }
  if (key == "messages") {
    if (v.is_null()) return {};
    return parse_messages(v);
  }
  if (key == "tools") return v.is_null() ? Status() : parse_tools(v);
  if (key == "tool_choice") return v.is_null() ? Status() : parse_tool_choice(v);
  if (key == "parallel_tool_calls") {
    OR_ASSIGN(b, json::opt_bool(root, key, ""));
    req_.parallel_tool_calls = b;
    return {};
  }
  if (key == "response_format") return v.is_null() ? Status() : parse_response_format(v);
  if (key == "stop") return v.is_null() ? Status() : parse_stop(v);
  if (key == "max_completion_tokens" || key == "max_tokens") {
    OR_ASSIGN(n, opt_int(root, key, ""));
    if (!n) return {};
    OR_TRY(check_int_min(*n, 1, k));
    (key == "max_tokens" ? max_tokens_ : max_completion_tokens_) = n;
    return {};
  }
  if (key == "temperature" || key == "top_p") {
    OR_ASSIGN(d, json::opt_number(root, key, ""));
    if (!d) return {};
    OR_TRY(check_range(*d, 0.0, key == "temperature" ? 2.0 : 1.0, k));
    (key == "temperature" ? req_.temperature : req_.top_p) = d;
    return {};
  }
  if (key == "seed") {
    OR_ASSIGN(n, opt_int(root, key, ""));
    req_.seed = n;
    return {};
  }
  if (key == "user" || key == "reasoning_effort") {
    OR_ASSIGN(s, json::opt_string(root, key, ""));
    if (s) (key == "user" ? req_.user : req_.reasoning_effort) = std::string(*s);
    return {};
  }
  if (key == "stream") {
    OR_ASSIGN(b, json::opt_bool(root, key, ""));
    req_.stream = b.value_or(false);
    return {};
  }
  if (key == "stream_options") return v.is_null() ? Status() : parse_stream_options(v);
  if (key == "n") {
    OR_ASSIGN(n, opt_int(root, key, ""));
    if (!n) return {};
    OR_TRY(check_int_min(*n, 1, k));
    if (*n > 1) {
      return unsupported("n", "Unsupported value: 'n' greater than 1 is not supported by this "
                              "gateway; request one choice per call.",
                         "unsupported_value");
    }
    return {};
  }
  if (key == "functions" || key == "function_call") {
    if (v.is_null()) return {};
    return unsupported(k, "Unsupported parameter: '" + k +
                              "' is deprecated and not supported by this gateway. Use '" +
                              (key == "functions" ? "tools" : "tool_choice") + "' instead.");
  }
  if (key == "audio") {
    if (v.is_null()) return {};
    return unsupported(k, "Unsupported parameter: audio output is not supported by this gateway.");
  }
  bool known = false;
  OR_TRY(passthrough(root, key, v, known));
  if (known) return {};
  return bad_value(k, "Unrecognized request argument supplied: " + k, "unknown_parameter");
}

/// Documented Chat Completions fields OpenRain does not model: type-checked, then kept raw.
Status Parser::passthrough(Object root, std::string_view key, Element v, bool& known) {
  enum class T { Bool, Number, Int, String, Obj, Arr };
  struct Spec { std::string_view name; T type; };
  static constexpr Spec kSpecs[] = {
      {"metadata", T::Obj},          {"store", T::Bool},
      {"service_tier", T::String},   {"prompt_cache_key", T::String},
      {"prompt_cache_retention", T::String}, {"presence_penalty", T::Number},
      {"frequency_penalty", T::Number}, {"logit_bias", T::Obj},
      {"logprobs", T::Bool},         {"top_logprobs", T::Int},
      {"safety_identifier", T::String}, {"verbosity", T::String},
      {"prediction", T::Obj},        {"web_search_options", T::Obj},
      {"modalities", T::Arr},
  };
  const Spec* spec = nullptr;
  for (const auto& s : kSpecs) if (s.name == key) spec = &s;
  if (!spec) return {};
  known = true;
  if (v.is_null()) return {};
  const std::string k(key);
  switch (spec->type) {
    case T::Bool: { OR_ASSIGN(x, json::opt_bool(root, key, "")); (void)x; break; }
    case T::Number: {
      OR_ASSIGN(x, json::opt_number(root, key, ""));
      OR_TRY(check_range(*x, -2.0, 2.0, k));  // presence / frequency penalties
      break;
    }
    case T::Int: {
      OR_ASSIGN(x, opt_int(root, key, ""));
      OR_TRY(check_int_min(*x, 0, k));
      OR_TRY(check_int_max(*x, 20, k));  // top_logprobs
      break;
    }
    case T::String: { OR_ASSIGN(x, json::opt_string(root, key, "")); (void)x; break; }
    case T::Obj: { OR_ASSIGN(x, json::opt_object(root, key, "")); (void)x; break; }
    case T::Arr: {
      OR_ASSIGN(arr, json::opt_array(root, key, ""));
      size_t i = 0;
      for (Element m : *arr) {
        std::string p = json::path_index(k, i++);
        if (!m.is_string()) return type_err(p, "a string", m);
        std::string_view s = m.get_string().value_unsafe();
        if (s == "audio") {
          return unsupported(k, "Unsupported value: audio output ('modalities' containing "
                                "'audio') is not supported by this gateway.",
                             "unsupported_value");
        }
      }
      break;
    }
  }
  req_.extras.push_back(RawField{k, json::to_json(v)});
  return {};
}

Status Parser::parse_messages(Element v) {
  if (!v.is_array()) return type_err("messages", "an array", v);
  has_messages_ = true;
  req_.messages.clear();  // a repeated key replaces, never appends
  size_t i = 0;
  Array arr = v.get_array().value_unsafe();  // a named Array: never range over a temporary
  for (Element m : arr) OR_TRY(parse_message(m, i++));
  return {};
}

std::string Parser::resolve_tool_name(std::string_view call_id) const {
  for (auto it = req_.messages.rbegin(); it != req_.messages.rend(); ++it) {
    if (it->role != Role::Assistant) continue;
    for (const auto& c : it->tool_calls) if (c.id == call_id) return c.name;
  }
  return {};
}

Status Parser::parse_message(Element v, size_t i) {
  const std::string path = json::path_index("messages", i);
  if (!v.is_object()) return type_err(path, "an object", v);
  Object o = v.get_object().value_unsafe();
  OR_ASSIGN(role, req_string(o, "role", path));
  Message m;
  OR_ASSIGN(name, json::opt_string(o, "name", path));
  if (name) m.name = std::string(*name);
  if (role == "system" || role == "developer") {
    m.role = Role::System;
    m.developer = role == "developer";
    OR_TRY(parse_content(o, path, ContentMode::TextOnly, true, m));
  } else if (role == "user") {
    m.role = Role::User;
    OR_TRY(parse_content(o, path, ContentMode::User, true, m));
  } else if (role == "assistant") {
    m.role = Role::Assistant;
    OR_TRY(parse_content(o, path, ContentMode::Assistant, false, m));
    OR_ASSIGN(refusal, json::opt_string(o, "refusal", path));  // type-checked, then ignored
    (void)refusal;
    OR_TRY(parse_tool_calls(o, path, m));
  } else if (role == "tool") {
    m.role = Role::Tool;
    OR_ASSIGN(call_id, req_string(o, "tool_call_id", path));
    m.tool_call_id = providers::parse_tool_id(call_id).id;  // ids the gateway encoded
    m.tool_name = resolve_tool_name(m.tool_call_id);
    OR_TRY(parse_content(o, path, ContentMode::TextOnly, true, m));
  } else if (role == "function") {
    return unsupported(json::path_key(path, "role"),
                       "Unsupported value: 'function' messages are deprecated and not supported "
                       "by this gateway. Use 'tool' messages instead.",
                       "unsupported_value");
  } else {
    return bad_value(json::path_key(path, "role"),
                     "Invalid value: '" + std::string(role) +
                         "'. Supported values are: 'system', 'assistant', 'user', 'function', "
                         "'tool', and 'developer'.");
  }
  req_.messages.push_back(std::move(m));
  return {};
}

Status Parser::parse_content(Object o, const std::string& path, ContentMode mode, bool required,
                             Message& m) {
  auto c = member(o, "content");
  const std::string cpath = json::path_key(path, "content");
  if (!c) {
    if (required) return missing(cpath);
    return {};
  }
  if (c->is_string()) {
    ContentPart p;
    p.text = std::string(c->get_string().value_unsafe());
    m.content.push_back(std::move(p));
    m.content_was_string = true;
    return {};
  }
  if (!c->is_array()) return type_err(cpath, "one of a string or array of objects", *c);
  size_t j = 0;
  Array parts = c->get_array().value_unsafe();
  for (Element part : parts) {
    OR_TRY(parse_part(part, json::path_index(cpath, j++), mode, m));
  }
  return {};
}

Status Parser::parse_part(Element v, const std::string& path, ContentMode mode, Message& m) {
  if (!v.is_object()) return type_err(path, "an object", v);
  Object po = v.get_object().value_unsafe();
  OR_ASSIGN(type, req_string(po, "type", path));
  if (type == "text") {
    OR_ASSIGN(p, openai_parts::text_part(po, "text", path));
    m.content.push_back(std::move(p));
    return {};
  }
  if (mode == ContentMode::User) {
    if (type == "image_url") return parse_image(po, path, m);
    if (type == "file") return parse_file(po, path, m);
    if (type == "input_audio") {
      return unsupported(path, "Unsupported content part: '" + std::string(type) +
                                   "' parts are not supported by this gateway.");
    }
    return bad_value(json::path_key(path, "type"),
                     "Invalid value: '" + std::string(type) +
                         "'. Supported values are: 'text', 'image_url', 'input_audio', and "
                         "'file'.");
  }
  if (mode == ContentMode::Assistant) {
    if (type == "refusal") {
      OR_ASSIGN(refusal, json::opt_string(po, "refusal", path));  // ignored
      (void)refusal;
      return {};
    }
    return bad_value(json::path_key(path, "type"),
                     "Invalid value: '" + std::string(type) +
                         "'. Supported values are: 'text' and 'refusal'.");
  }
  return bad_value(json::path_key(path, "type"),
                   "Invalid value: '" + std::string(type) + "'. Supported values are: 'text'.");
}

Status Parser::parse_image(Object part, const std::string& path, Message& m) {
  const std::string ipath = json::path_key(path, "image_url");
  OR_ASSIGN(img, req_object(part, "image_url", path));
  OR_ASSIGN(url, req_string(img, "url", ipath));
  OR_ASSIGN(detail, json::opt_string(img, "detail", ipath));
  const std::string upath = json::path_key(ipath, "url");
  OR_ASSIGN(p, openai_parts::image_part(url, detail.value_or(std::string_view()), upath));
  m.content.push_back(std::move(p));
  return {};
}

Status Parser::parse_file(Object part, const std::string& path, Message& m) {
  const std::string fpath = json::path_key(path, "file");
  OR_ASSIGN(file, req_object(part, "file", path));
  OR_ASSIGN(data, json::opt_string(file, "file_data", fpath));
  OR_ASSIGN(filename, json::opt_string(file, "filename", fpath));
  if (!data) {
    return unsupported(path, "Unsupported content part: 'file' parts by 'file_id' are not "
                             "supported by this gateway; send the file inline in 'file_data'.");
  }
  OR_ASSIGN(p, openai_parts::file_part(*data, filename.value_or(std::string_view()),
                                       json::path_key(fpath, "file_data")));
  m.content.push_back(std::move(p));
  return {};
}

Status Parser::parse_tool_calls(Object o, const std::string& path, Message& m) {
  OR_ASSIGN(arr, json::opt_array(o, "tool_calls", path));
  if (!arr) return {};
  const std::string tpath = json::path_key(path, "tool_calls");
  size_t k = 0;
  for (Element tc : *arr) {
    const std::string p = json::path_index(tpath, k++);
    if (!tc.is_object()) return type_err(p, "an object", tc);
    Object to = tc.get_object().value_unsafe();
    OR_ASSIGN(id, req_string(to, "id", p));
    OR_ASSIGN(type, json::opt_string(to, "type", p));
    if (type && *type != "function") {
      if (*type == "custom") {
        return unsupported(json::path_key(p, "type"),
                           "Unsupported value: custom tool calls are not supported by this "
                           "gateway.",
                           "unsupported_value");
      }
      return bad_value(json::path_key(p, "type"),
                       "Invalid value: '" + std::string(*type) +
                           "'. Supported values are: 'function' and 'custom'.");
    }
    const std::string fpath = json::path_key(p, "function");
    OR_ASSIGN(fn, req_object(to, "function", p));
    OR_ASSIGN(name, req_string(fn, "name", fpath));
    OR_ASSIGN(args, req_string(fn, "arguments", fpath));
    ToolCall call;
    providers::CarriedToolId carried = providers::parse_tool_id(id);  // see providers/carry.hpp
    call.id = std::move(carried.id);
    call.thought_signature = std::move(carried.signature);
    call.name = std::string(name);
    call.arguments = std::string(args);
    m.tool_calls.push_back(std::move(call));
  }
  return {};
}

Status Parser::parse_tools(Element v) {
  if (!v.is_array()) return type_err("tools", "an array", v);
  req_.tools.clear();
  size_t i = 0;
  Array tools = v.get_array().value_unsafe();
  for (Element t : tools) {
    const std::string p = json::path_index("tools", i++);
    if (!t.is_object()) return type_err(p, "an object", t);
    Object to = t.get_object().value_unsafe();
    OR_ASSIGN(type, req_string(to, "type", p));
    if (type != "function") {
      if (type == "custom") {
        return unsupported(json::path_key(p, "type"),
                           "Unsupported value: custom tools are not supported by this gateway.",
                           "unsupported_value");
      }
      return bad_value(json::path_key(p, "type"),
                       "Invalid value: '" + std::string(type) +
                           "'. Supported values are: 'function' and 'custom'.");
    }
    const std::string fpath = json::path_key(p, "function");
    OR_ASSIGN(fn, req_object(to, "function", p));
    OR_ASSIGN(name, req_string(fn, "name", fpath));
    OR_TRY(check_function_name(name, json::path_key(fpath, "name")));
    OR_ASSIGN(desc, json::opt_string(fn, "description", fpath));
    OR_ASSIGN(strict, json::opt_bool(fn, "strict", fpath));
    OR_ASSIGN(params, json::opt_object(fn, "parameters", fpath));
    ToolDef def;
    def.name = std::string(name);
    if (desc) def.description = std::string(*desc);
    if (params) def.parameters = json::to_json(*member(fn, "parameters"));
    def.strict = strict;
    req_.tools.push_back(std::move(def));
  }
  return {};
}

Status Parser::parse_tool_choice(Element v) {
  ToolChoice& tc = req_.tool_choice;
  if (v.is_string()) {
    std::string_view s = v.get_string().value_unsafe();
    if (s == "none") tc.mode = ToolChoice::Mode::None;
    else if (s == "auto") tc.mode = ToolChoice::Mode::Auto;
    else if (s == "required") tc.mode = ToolChoice::Mode::Required;
    else {
      return bad_value("tool_choice", "Invalid value: '" + std::string(s) +
                                          "'. Supported values are: 'none', 'auto', and "
                                          "'required'.");
    }
    return {};
  }
  if (!v.is_object()) return type_err("tool_choice", "one of a string or object", v);
  Object o = v.get_object().value_unsafe();
  OR_ASSIGN(type, req_string(o, "type", "tool_choice"));
  if (type == "function") {
    OR_ASSIGN(fn, req_object(o, "function", "tool_choice"));
    OR_ASSIGN(name, req_string(fn, "name", "tool_choice.function"));
    tc.mode = ToolChoice::Mode::Function;
    tc.name = std::string(name);
    return {};
  }
  if (type == "allowed_tools" || type == "custom") {
    return unsupported("tool_choice", "Unsupported value: tool_choice of type '" +
                                          std::string(type) +
                                          "' is not supported by this gateway.",
                       "unsupported_value");
  }
  return bad_value("tool_choice.type", "Invalid value: '" + std::string(type) +
                                           "'. Supported values are: 'function', "
                                           "'allowed_tools', and 'custom'.");
}

Status Parser::parse_response_format(Element v) {
  if (!v.is_object()) return type_err("response_format", "an object", v);
  Object o = v.get_object().value_unsafe();
  ResponseFormat& rf = req_.response_format;
  OR_ASSIGN(type, req_string(o, "type", "response_format"));
  if (type == "text") {
    rf.kind = ResponseFormat::Kind::Text;
    return {};
  }
  if (type == "json_object") {
    rf.kind = ResponseFormat::Kind::JsonObject;
    return {};
  }
  if (type != "json_schema") {
    return bad_value("response_format.type",
                     "Invalid value: '" + std::string(type) +
                         "'. Supported values are: 'text', 'json_object', and 'json_schema'.");
  }
  rf.kind = ResponseFormat::Kind::JsonSchema;
  const std::string jpath = "response_format.json_schema";
  OR_ASSIGN(js, req_object(o, "json_schema", "response_format"));
  OR_ASSIGN(name, req_string(js, "name", jpath));
  OR_TRY(check_function_name(name, jpath + ".name"));
  OR_ASSIGN(desc, json::opt_string(js, "description", jpath));
  OR_ASSIGN(schema, json::opt_object(js, "schema", jpath));
  OR_ASSIGN(strict, json::opt_bool(js, "strict", jpath));
  rf.name = std::string(name);
  if (desc) rf.description = std::string(*desc);
  if (schema) rf.schema = json::to_json(*member(js, "schema"));
  rf.strict = strict;
  return {};
}

Status Parser::parse_stop(Element v) {
  req_.stop.clear();
  if (v.is_string()) {
    req_.stop.emplace_back(v.get_string().value_unsafe());
    return {};
  }
  if (!v.is_array()) return type_err("stop", "one of a string or array of strings", v);
  Array arr = v.get_array().value_unsafe();
  size_t n = arr.size();
  if (n > 4) {
    return bad_value("stop",
                     "Invalid 'stop': array too long. Expected an array with maximum length 4, but "
                     "got an array with length " +
                         std::to_string(n) + " instead.",
                     "array_above_max_length");
  }
  size_t i = 0;
  for (Element s : arr) {
    if (!s.is_string()) return type_err(json::path_index("stop", i), "a string", s);
    req_.stop.emplace_back(s.get_string().value_unsafe());
    ++i;
  }
  return {};
}

Status Parser::parse_stream_options(Element v) {
  if (!v.is_object()) return type_err("stream_options", "an object", v);
  Object o = v.get_object().value_unsafe();
  has_stream_options_ = true;
  OR_ASSIGN(usage, json::opt_bool(o, "include_usage", "stream_options"));
  OR_ASSIGN(obf, json::opt_bool(o, "include_obfuscation", "stream_options"));  // never obfuscated
  (void)obf;
  req_.include_usage = usage.value_or(false);
  return {};
}

}  // namespace

Result<ChatRequest> parse_openai_chat_request(std::string_view body) {
  auto root = json::thread_reader().parse(body);
  if (!root.ok()) return root.take_error();
  if (!root->is_object()) {
    return Error::invalid(std::string("body must be a JSON object, but got ") +
                              json::type_name(*root) + ".",
                          "", "invalid_type");
  }
  Parser p;
  return p.run(root->get_object().value_unsafe());
}

}  // namespace openrain::surfaces
