// Responses request decoding: body JSON → ChatRequest (source = OpenAIResponses).
//
// Validation follows OpenAI's own wording: every error names the field path ("input[1].content[0]
// .image_url", "tools[2]"), with OpenAI's codes (invalid_type, missing_required_parameter,
// invalid_value, unknown_parameter, decimal_below_min_value, ...). Documented fields OpenRain does
// not model are kept raw in `extras`; features needing server-side state or hosted tools are
// UnsupportedParameter errors. See surfaces/openai_responses.hpp for what travels raw.
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "json/reader.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "surfaces/openai_parts.hpp"
#include "surfaces/openai_responses.hpp"

namespace openrain::surfaces {

namespace {

using json::Array;
using json::Element;
using json::Object;

#define RS_TRY(expr)                                         \
  do {                                                       \
    Status rs_status_ = (expr);                              \
    if (!rs_status_.ok()) return rs_status_.take_error();    \
  } while (0)

#define RS_CONCAT_(a, b) a##b
#define RS_CONCAT(a, b) RS_CONCAT_(a, b)
#define RS_ASSIGN(var, expr)                                 \
  auto RS_CONCAT(rs_res_, __LINE__) = (expr);                \
  if (!RS_CONCAT(rs_res_, __LINE__).ok())                    \
    return RS_CONCAT(rs_res_, __LINE__).take_error();        \
  auto var = std::move(RS_CONCAT(rs_res_, __LINE__).value())

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

Error bad_enum(const std::string& path, std::string_view got, std::string_view supported) {
  return bad_value(path, "Invalid value: '" + std::string(got) + "'. Supported values are: " +
                             std::string(supported) + ".");
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

Status check_int_range(int64_t v, int64_t lo, std::optional<int64_t> hi, const std::string& path) {
  if (v < lo) {
    return bad_value(path,
                     "Invalid '" + path + "': integer below minimum value. Expected a value >= " +
                         std::to_string(lo) + ", but got " + std::to_string(v) + " instead.",
                     "integer_below_min_value");
  }
  if (hi && v > *hi) {
    return bad_value(path,
                     "Invalid '" + path + "': integer above maximum value. Expected a value <= " +
                         std::to_string(*hi) + ", but got " + std::to_string(v) + " instead.",
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

/// json::opt_int, but a double outside int64 range is a type error (never cast).
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

using openai_parts::check_function_name;

constexpr std::string_view kStateless =
    "OpenRain does not store responses; send the full conversation in `input` instead of ";

/// Which content parts a message of a given role may carry.
enum class PartMode { Instructions, User, Assistant, ToolOutput };

// ---- the parser ---------------------------------------------------------------------------

class Parser {
 public:
  Result<ChatRequest> run(Object root);

 private:
  Status top_field(Object root, std::string_view key, Element v);
  Status parse_input(Element v);
  Status parse_item(Element v, size_t i);
  Status parse_message_item(Object o, const std::string& path);
  Status parse_function_call(Object o, const std::string& path);
  Status parse_function_call_output(Object o, const std::string& path);
  Status parse_reasoning(Object o, Element whole, const std::string& path);
  Status parse_parts(Element content, const std::string& path, PartMode mode, Message& m);
  Status parse_part(Element v, const std::string& path, PartMode mode, Message& m);
  Status parse_image(Object part, const std::string& path, Message& m);
  Status parse_file(Object part, const std::string& path, Message& m);
  Status parse_tools(Element v);
  Status parse_tool_choice(Element v);
  Status parse_text(Element v);
  Status parse_reasoning_config(Element v);
  Status passthrough(Object root, std::string_view key, Element v, bool& known);
  /// The assistant message the previous input item produced (so reasoning, text and calls of one
  /// model turn stay one message), or nullptr.
  Message* open_assistant(bool for_call);
  Message& assistant_for(bool for_call);
  std::string resolve_tool_name(std::string_view call_id) const;
  /// Keep `json` raw under `key` (a repeated key replaces the earlier value).
  void set_extra(std::string_view key, std::string json);

  ChatRequest req_;
  std::optional<std::string> instructions_;
  bool has_model_ = false;
  bool has_input_ = false;
  bool prev_item_assistant_ = false;  // the previous input item added to req_.messages.back()
};

Result<ChatRequest> Parser::run(Object root) {
  req_.source = Protocol::OpenAIResponses;
  for (auto field : root) RS_TRY(top_field(root, field.key, field.value));

  if (!has_model_) return missing("model");
  if (!has_input_) return missing("input");
  if (instructions_) {  // echoed as given by the Response object (see openai_responses_echo)
    std::string quoted;
    json::append_quoted(quoted, *instructions_);
    set_extra("instructions", std::move(quoted));
  }
  if (instructions_ && !instructions_->empty()) {
    Message sys;
    sys.role = Role::System;
    sys.content_was_string = true;
    ContentPart p;
    p.text = std::move(*instructions_);
    sys.content.push_back(std::move(p));
    req_.messages.insert(req_.messages.begin(), std::move(sys));
  }
  if (req_.messages.empty()) {
    return bad_value("input",
                     "Invalid 'input': empty array. Expected an array with minimum length 1, but "
                     "got an empty array instead.",
                     "empty_array");
  }
  const ToolChoice& tc = req_.tool_choice;
  if (tc.mode == ToolChoice::Mode::Function) {
    bool found = false;
    for (const auto& t : req_.tools) found = found || t.name == tc.name;
    if (!found) {
      return bad_value("tool_choice", "Tool choice 'function' not found in 'tools' parameter: '" +
                                          tc.name + "'.");
    }
  } else if (tc.mode == ToolChoice::Mode::Required && req_.tools.empty()) {
    return bad_value("tool_choice",
                     "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' "
                     "are specified.");
  }
  // Usage always arrives in the terminal event of a Responses stream.
  req_.include_usage = req_.stream;
  return std::move(req_);
}

Status Parser::top_field(Object root, std::string_view key, Element v) {
  const std::string k(key);
  if (key == "model") {
    RS_ASSIGN(model, json::opt_string(root, key, ""));
    if (model) {
      req_.model = std::string(*model);
      has_model_ = true;
    }
    return {};
  }
  if (key == "input") return v.is_null() ? Status() : parse_input(v);
  if (key == "instructions") {
    RS_ASSIGN(s, json::opt_string(root, key, ""));
    if (s) instructions_ = std::string(*s);
    else instructions_.reset();
    return {};
  }
  if (key == "tools") return v.is_null() ? Status() : parse_tools(v);
  if (key == "tool_choice") return v.is_null() ? Status() : parse_tool_choice(v);
  if (key == "parallel_tool_calls") {
    RS_ASSIGN(b, json::opt_bool(root, key, ""));
    req_.parallel_tool_calls = b;
    return {};
  }
  if (key == "text") return v.is_null() ? Status() : parse_text(v);
  if (key == "reasoning") return v.is_null() ? Status() : parse_reasoning_config(v);
  if (key == "max_output_tokens") {
    RS_ASSIGN(n, opt_int(root, key, ""));
    if (n) RS_TRY(check_int_range(*n, 1, std::nullopt, k));
    req_.max_tokens = n;
    return {};
  }
  if (key == "temperature" || key == "top_p") {
    RS_ASSIGN(d, json::opt_number(root, key, ""));
    if (d) RS_TRY(check_range(*d, 0.0, key == "temperature" ? 2.0 : 1.0, k));
    (key == "temperature" ? req_.temperature : req_.top_p) = d;
    return {};
  }
  if (key == "user") {
    RS_ASSIGN(s, json::opt_string(root, key, ""));
    req_.user = s ? std::string(*s) : std::string();
    return {};
  }
  if (key == "stream") {
    RS_ASSIGN(b, json::opt_bool(root, key, ""));
    req_.stream = b.value_or(false);
    return {};
  }
  if (key == "stream_options") {
    if (v.is_null()) return {};
    if (!v.is_object()) return type_err(k, "an object", v);
    RS_ASSIGN(obf, json::opt_bool(v.get_object().value_unsafe(), "include_obfuscation", k));
    (void)obf;  // OpenRain never pads its own deltas
    return {};
  }
  if (key == "previous_response_id" || key == "conversation") {
    if (v.is_null()) return {};
    if (key == "previous_response_id") {
      if (!v.is_string()) return type_err(k, "a string", v);
      return unsupported(k, std::string(kStateless) + "previous_response_id.");
    }
    if (!v.is_string() && !v.is_object()) return type_err(k, "one of a string or object", v);
    return unsupported(k, "OpenRain does not store conversations; send the full conversation in "
                          "`input` instead of conversation.");
  }
  if (key == "background") {
    RS_ASSIGN(b, json::opt_bool(root, key, ""));
    if (b && *b) {
      return unsupported(k, "Background responses are not supported: OpenRain does not store "
                            "responses. Use 'stream' instead.");
    }
    return {};
  }
  if (key == "prompt") {
    if (v.is_null()) return {};
    return unsupported(k, "Stored prompt templates are not supported by this gateway; send the "
                          "prompt in 'instructions' and 'input' instead.");
  }
  bool known = false;
  RS_TRY(passthrough(root, key, v, known));
  if (known) return {};
  return bad_value(k, "Unknown parameter: '" + k + "'.", "unknown_parameter");
}

/// Documented Responses fields OpenRain does not model: type-checked, then kept raw.
Status Parser::passthrough(Object root, std::string_view key, Element v, bool& known) {
  enum class T { Bool, String, Obj, StrArr, Int0to20, IntMin1 };
  struct Spec { std::string_view name; T type; };
  static constexpr Spec kSpecs[] = {
      {"metadata", T::Obj},           {"store", T::Bool},
      {"include", T::StrArr},         {"prompt_cache_key", T::String},
      {"prompt_cache_retention", T::String}, {"service_tier", T::String},
      {"truncation", T::String},      {"safety_identifier", T::String},
      {"top_logprobs", T::Int0to20},  {"max_tool_calls", T::IntMin1},
  };
  const Spec* spec = nullptr;
  for (const auto& s : kSpecs) if (s.name == key) spec = &s;
  if (!spec) return {};
  known = true;
  if (v.is_null()) return {};
  const std::string k(key);
  switch (spec->type) {
    case T::Bool: { RS_ASSIGN(x, json::opt_bool(root, key, "")); (void)x; break; }
    case T::String: { RS_ASSIGN(x, json::opt_string(root, key, "")); (void)x; break; }
    case T::Obj: { RS_ASSIGN(x, json::opt_object(root, key, "")); (void)x; break; }
    case T::Int0to20: {
      RS_ASSIGN(x, opt_int(root, key, ""));
      RS_TRY(check_int_range(*x, 0, 20, k));
      break;
    }
    case T::IntMin1: {
      RS_ASSIGN(x, opt_int(root, key, ""));
      RS_TRY(check_int_range(*x, 1, std::nullopt, k));
      break;
    }
    case T::StrArr: {
      RS_ASSIGN(arr, json::opt_array(root, key, ""));
      size_t i = 0;
      for (Element m : *arr) {
        if (!m.is_string()) return type_err(json::path_index(k, i), "a string", m);
        ++i;
      }
      break;
    }
  }
  set_extra(k, json::to_json(v));
  return {};
}

void Parser::set_extra(std::string_view key, std::string json) {
  for (RawField& f : req_.extras) {
    if (f.key == key) {
      f.json = std::move(json);
      return;
    }
  }
  req_.extras.push_back(RawField{std::string(key), std::move(json)});
}

// ---- input items --------------------------------------------------------------------------

Status Parser::parse_input(Element v) {
  has_input_ = true;
  req_.messages.clear();  // a repeated key replaces, never appends
  prev_item_assistant_ = false;
  if (v.is_string()) {
    Message m;
    m.role = Role::User;
    m.content_was_string = true;
    ContentPart p;
    p.text = std::string(v.get_string().value_unsafe());
    m.content.push_back(std::move(p));
    req_.messages.push_back(std::move(m));
    return {};
  }
  if (!v.is_array()) return type_err("input", "one of a string or array of input items", v);
  size_t i = 0;
  Array items = v.get_array().value_unsafe();  // a named Array: never range over a temporary
  for (Element item : items) RS_TRY(parse_item(item, i++));
  return {};
}

Message* Parser::open_assistant(bool for_call) {
  if (!prev_item_assistant_ || req_.messages.empty()) return nullptr;
  Message& last = req_.messages.back();
  if (last.role != Role::Assistant) return nullptr;
  // Canonical assistant turns keep content before tool calls: content after a call starts anew.
  if (!for_call && !last.tool_calls.empty()) return nullptr;
  return &last;
}

Message& Parser::assistant_for(bool for_call) {
  if (Message* m = open_assistant(for_call)) return *m;
  Message m;
  m.role = Role::Assistant;
  req_.messages.push_back(std::move(m));
  return req_.messages.back();
}

std::string Parser::resolve_tool_name(std::string_view call_id) const {
  for (auto it = req_.messages.rbegin(); it != req_.messages.rend(); ++it) {
    if (it->role != Role::Assistant) continue;
    for (const auto& c : it->tool_calls) if (c.id == call_id) return c.name;
  }
  return {};
}

Status Parser::parse_item(Element v, size_t i) {
  const std::string path = json::path_index("input", i);
  if (!v.is_object()) return type_err(path, "an object", v);
  Object o = v.get_object().value_unsafe();
  RS_ASSIGN(type, json::opt_string(o, "type", path));
  bool assistant_item = false;
  Status st;
  if (!type || *type == "message") {
    st = parse_message_item(o, path);
    assistant_item = st.ok() && req_.messages.back().role == Role::Assistant;
  } else if (*type == "function_call") {
    st = parse_function_call(o, path);
    assistant_item = true;
  } else if (*type == "function_call_output") {
    st = parse_function_call_output(o, path);
  } else if (*type == "reasoning") {
    st = parse_reasoning(o, v, path);
    assistant_item = true;
  } else if (*type == "item_reference") {
    return unsupported(path, "Input items of type 'item_reference' are not supported: OpenRain "
                             "does not store responses; send the referenced item itself.");
  } else {
    return unsupported(path, "Input items of type '" + std::string(*type) +
                                 "' are not supported by this gateway.");
  }
  if (!st.ok()) return st;
  prev_item_assistant_ = assistant_item;
  return {};
}

Status Parser::parse_message_item(Object o, const std::string& path) {
  RS_ASSIGN(role, req_string(o, "role", path));
  const std::string cpath = json::path_key(path, "content");
  auto content = member(o, "content");
  if (!content) return missing(cpath);
  if (!content->is_string() && !content->is_array()) {
    return type_err(cpath, "one of a string or array of objects", *content);
  }
  Message m;
  PartMode mode = PartMode::User;
  if (role == "user") {
    m.role = Role::User;
  } else if (role == "system" || role == "developer") {
    m.role = Role::System;
    m.developer = role == "developer";
    mode = PartMode::Instructions;
  } else if (role == "assistant") {
    m.role = Role::Assistant;
    mode = PartMode::Assistant;
  } else {
    return bad_enum(json::path_key(path, "role"), role,
                    "'user', 'assistant', 'system', and 'developer'");
  }
  RS_TRY(parse_parts(*content, cpath, mode, m));
  if (m.role == Role::Assistant) {
    if (Message* open = open_assistant(false)) {  // e.g. reasoning item, then its message
      open->content_was_string = open->content.empty() && m.content_was_string;
      for (auto& p : m.content) open->content.push_back(std::move(p));
      return {};
    }
  }
  req_.messages.push_back(std::move(m));
  return {};
}

Status Parser::parse_function_call(Object o, const std::string& path) {
  RS_ASSIGN(call_id, req_string(o, "call_id", path));
  RS_ASSIGN(name, req_string(o, "name", path));
  RS_ASSIGN(args, req_string(o, "arguments", path));
  RS_ASSIGN(id, json::opt_string(o, "id", path));      // type-checked; ids are not kept
  RS_ASSIGN(status, json::opt_string(o, "status", path));
  (void)id;
  (void)status;
  ToolCall call;
  providers::CarriedToolId carried = providers::parse_tool_id(call_id);  // providers/carry.hpp
  call.id = std::move(carried.id);
  call.thought_signature = std::move(carried.signature);
  call.name = std::string(name);
  call.arguments = std::string(args);
  assistant_for(true).tool_calls.push_back(std::move(call));
  return {};
}

Status Parser::parse_function_call_output(Object o, const std::string& path) {
  RS_ASSIGN(call_id, req_string(o, "call_id", path));
  const std::string opath = json::path_key(path, "output");
  auto output = member(o, "output");
  if (!output) return missing(opath);
  if (!output->is_string() && !output->is_array()) {
    return type_err(opath, "one of a string or array of objects", *output);
  }
  Message m;
  m.role = Role::Tool;
  m.tool_call_id = providers::parse_tool_id(call_id).id;
  m.tool_name = resolve_tool_name(m.tool_call_id);
  RS_TRY(parse_parts(*output, opath, PartMode::ToolOutput, m));
  req_.messages.push_back(std::move(m));
  return {};
}

Status Parser::parse_reasoning(Object o, Element whole, const std::string& path) {
  const std::string spath = json::path_key(path, "summary");
  RS_ASSIGN(summary, json::opt_array(o, "summary", path));
  RS_ASSIGN(encrypted, json::opt_string(o, "encrypted_content", path));
  (void)encrypted;  // travels inside `raw`; only OpenAI can verify it
  ContentPart p;
  p.kind = ContentPart::Kind::Thinking;
  if (summary) {
    size_t j = 0;
    for (Element s : *summary) {
      const std::string ppath = json::path_index(spath, j++);
      if (!s.is_object()) return type_err(ppath, "an object", s);
      RS_ASSIGN(text, req_string(s.get_object().value_unsafe(), "text", ppath));
      if (!p.text.empty()) p.text += "\n\n";
      p.text += text;
    }
  }
  p.raw = json::to_json(whole);
  assistant_for(false).content.push_back(std::move(p));
  return {};
}

Status Parser::parse_parts(Element content, const std::string& path, PartMode mode, Message& m) {
  if (content.is_string()) {
    ContentPart p;
    p.text = std::string(content.get_string().value_unsafe());
    m.content.push_back(std::move(p));
    m.content_was_string = true;
    return {};
  }
  size_t j = 0;
  Array parts = content.get_array().value_unsafe();
  for (Element part : parts) RS_TRY(parse_part(part, json::path_index(path, j++), mode, m));
  return {};
}

Status Parser::parse_part(Element v, const std::string& path, PartMode mode, Message& m) {
  if (!v.is_object()) return type_err(path, "an object", v);
  Object po = v.get_object().value_unsafe();
  RS_ASSIGN(type, req_string(po, "type", path));
  if (type == "input_text" || type == "output_text") {
    RS_ASSIGN(p, openai_parts::text_part(po, "text", path));
    m.content.push_back(std::move(p));
    return {};
  }
  if (type == "refusal" && mode == PartMode::Assistant) {
    RS_ASSIGN(refusal, req_string(po, "refusal", path));
    ContentPart p;  // an earlier refusal stays visible to the model as plain assistant text
    p.text = std::string(refusal);
    m.content.push_back(std::move(p));
    return {};
  }
  if (type == "input_image" && (mode == PartMode::User || mode == PartMode::ToolOutput)) {
    return parse_image(po, path, m);
  }
  if (type == "input_file" && (mode == PartMode::User || mode == PartMode::ToolOutput)) {
    return parse_file(po, path, m);
  }
  if (type == "input_file" || type == "input_audio") {
    return unsupported(path, "Unsupported content part: '" + std::string(type) +
                                 "' parts are not supported by this gateway.");
  }
  switch (mode) {
    case PartMode::Instructions: return bad_enum(json::path_key(path, "type"), type, "'input_text'");
    case PartMode::Assistant:
      return bad_enum(json::path_key(path, "type"), type, "'output_text' and 'refusal'");
    case PartMode::User:
    case PartMode::ToolOutput:
      break;
  }
  return bad_enum(json::path_key(path, "type"), type,
                  "'input_text', 'input_image', and 'input_file'");
}

Status Parser::parse_image(Object part, const std::string& path, Message& m) {
  const std::string upath = json::path_key(path, "image_url");
  RS_ASSIGN(url, json::opt_string(part, "image_url", path));
  RS_ASSIGN(file_id, json::opt_string(part, "file_id", path));
  RS_ASSIGN(detail, json::opt_string(part, "detail", path));
  if (!url) {
    if (file_id) {
      return unsupported(json::path_key(path, "file_id"),
                         "Images by 'file_id' are not supported by this gateway; send an http(s) "
                         "or base64 data URL in 'image_url'.");
    }
    return missing(upath);
  }
  RS_ASSIGN(p, openai_parts::image_part(*url, detail.value_or(std::string_view()), upath));
  m.content.push_back(std::move(p));
  return {};
}

Status Parser::parse_file(Object part, const std::string& path, Message& m) {
  RS_ASSIGN(data, json::opt_string(part, "file_data", path));
  RS_ASSIGN(url, json::opt_string(part, "file_url", path));
  RS_ASSIGN(filename, json::opt_string(part, "filename", path));
  if (data) {
    RS_ASSIGN(p, openai_parts::file_part(*data, filename.value_or(std::string_view()),
                                         json::path_key(path, "file_data")));
    m.content.push_back(std::move(p));
    return {};
  }
  if (url && (openai_parts::starts_with_ci(*url, "http://") ||
              openai_parts::starts_with_ci(*url, "https://"))) {
    ContentPart p;
    p.kind = ContentPart::Kind::File;
    p.url = std::string(*url);
    p.filename = std::string(filename.value_or(std::string_view()));
    m.content.push_back(std::move(p));
    return {};
  }
  if (url) {
    const std::string upath = json::path_key(path, "file_url");
    return bad_value(upath, "Invalid '" + upath + "': expected an http(s) URL.");
  }
  return unsupported(path, "Unsupported content part: 'input_file' parts by 'file_id' are not "
                           "supported by this gateway; send the file inline in 'file_data' or "
                           "by 'file_url'.");
}

// ---- tools, tool_choice, text, reasoning --------------------------------------------------

Status Parser::parse_tools(Element v) {
  if (!v.is_array()) return type_err("tools", "an array", v);
  req_.tools.clear();
  size_t i = 0;
  Array tools = v.get_array().value_unsafe();
  for (Element t : tools) {
    const std::string p = json::path_index("tools", i++);
    if (!t.is_object()) return type_err(p, "an object", t);
    Object to = t.get_object().value_unsafe();
    RS_ASSIGN(type, req_string(to, "type", p));
    if (type != "function") {
      return unsupported(p, "Unsupported tool: tools of type '" + std::string(type) +
                                "' are hosted by OpenAI and not supported by this gateway; only "
                                "'function' tools are.");
    }
    RS_ASSIGN(name, req_string(to, "name", p));
    RS_TRY(check_function_name(name, json::path_key(p, "name")));
    RS_ASSIGN(desc, json::opt_string(to, "description", p));
    RS_ASSIGN(strict, json::opt_bool(to, "strict", p));
    RS_ASSIGN(params, json::opt_object(to, "parameters", p));
    ToolDef def;
    def.name = std::string(name);
    if (desc) def.description = std::string(*desc);
    if (params) def.parameters = json::to_json(*member(to, "parameters"));
    def.strict = strict.value_or(true);  // Responses: strict unless the caller says otherwise
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
    else return bad_enum("tool_choice", s, "'none', 'auto', and 'required'");
    return {};
  }
  if (!v.is_object()) return type_err("tool_choice", "one of a string or object", v);
  Object o = v.get_object().value_unsafe();
  RS_ASSIGN(type, req_string(o, "type", "tool_choice"));
  if (type == "function") {
    RS_ASSIGN(name, req_string(o, "name", "tool_choice"));
    tc.mode = ToolChoice::Mode::Function;
    tc.name = std::string(name);
    return {};
  }
  return unsupported("tool_choice", "Unsupported value: tool_choice of type '" +
                                        std::string(type) + "' is not supported by this gateway.",
                     "unsupported_value");
}

Status Parser::parse_text(Element v) {
  if (!v.is_object()) return type_err("text", "an object", v);
  Object o = v.get_object().value_unsafe();
  RS_ASSIGN(verbosity, json::opt_string(o, "verbosity", "text"));
  (void)verbosity;
  RS_ASSIGN(format, json::opt_object(o, "format", "text"));
  ResponseFormat& rf = req_.response_format;
  rf = ResponseFormat{};
  if (format) {
    const std::string fpath = "text.format";
    RS_ASSIGN(type, req_string(*format, "type", fpath));
    if (type == "text") {
      rf.kind = ResponseFormat::Kind::Text;
    } else if (type == "json_object") {
      rf.kind = ResponseFormat::Kind::JsonObject;
    } else if (type == "json_schema") {
      rf.kind = ResponseFormat::Kind::JsonSchema;
      RS_ASSIGN(name, req_string(*format, "name", fpath));
      RS_TRY(check_function_name(name, fpath + ".name"));
      RS_ASSIGN(desc, json::opt_string(*format, "description", fpath));
      RS_ASSIGN(schema, json::opt_object(*format, "schema", fpath));
      RS_ASSIGN(strict, json::opt_bool(*format, "strict", fpath));
      if (!schema) return missing(fpath + ".schema");
      rf.name = std::string(name);
      if (desc) rf.description = std::string(*desc);
      rf.schema = json::to_json(*member(*format, "schema"));
      rf.strict = strict;
    } else {
      return bad_enum(fpath + ".type", type, "'text', 'json_object', and 'json_schema'");
    }
  }
  set_extra("text", json::to_json(v));
  return {};
}

Status Parser::parse_reasoning_config(Element v) {
  if (!v.is_object()) return type_err("reasoning", "an object", v);
  Object o = v.get_object().value_unsafe();
  RS_ASSIGN(effort, json::opt_string(o, "effort", "reasoning"));
  RS_ASSIGN(summary, json::opt_string(o, "summary", "reasoning"));
  RS_ASSIGN(generate, json::opt_string(o, "generate_summary", "reasoning"));  // deprecated alias
  req_.reasoning_effort = effort ? std::string(*effort) : std::string();
  std::optional<std::string_view> s = summary ? summary : generate;
  req_.include_thoughts = s && *s != "none";
  set_extra("reasoning", json::to_json(v));
  return {};
}

}  // namespace

Result<ChatRequest> parse_openai_responses_request(std::string_view body) {
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
