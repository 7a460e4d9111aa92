// Anthropic Messages request decoding: body JSON → ChatRequest (source = Anthropic).
//
// Errors name the field path in OpenRain's style ("messages[1].content[0].source.data") with
// Anthropic's wording ("<path>: Field required", "<path>: Input should be a valid string",
// "<name>: Extra inputs are not permitted"). Unknown top-level names are rejected as Anthropic
// does; documented fields OpenRain does not model are kept raw in `extras`. A user turn holding
// tool_result blocks becomes one Role::Tool message per result (in order), followed by a User
// message with the remaining blocks. See surfaces/anthropic_messages.hpp for what travels raw.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/reader.hpp"
#include "providers/carry.hpp"
#include "surfaces/anthropic_messages.hpp"

namespace openrain::surfaces {

namespace {

using json::Element;
using json::Object;

#define AM_TRY(expr)                                        \
  do {                                                      \
    Status am_status_ = (expr);                             \
    if (!am_status_.ok()) return am_status_.take_error();   \
  } while (0)

#define AM_CONCAT_(a, b) a##b
#define AM_CONCAT(a, b) AM_CONCAT_(a, b)
#define AM_ASSIGN(var, expr)                                \
  auto AM_CONCAT(am_res_, __LINE__) = (expr);               \
  if (!AM_CONCAT(am_res_, __LINE__).ok())                   \
    return AM_CONCAT(am_res_, __LINE__).take_error();       \
  auto var = std::move(AM_CONCAT(am_res_, __LINE__).value())

// ---- error builders (Anthropic wording, OpenRain paths) -------------------------------------

Error missing(const std::string& path) {
  return Error::invalid(path + ": Field required", path, "missing");
}

Error type_err(const std::string& path, std::string_view want) {
  return Error::invalid(path + ": Input should be a valid " + std::string(want), path,
                        "invalid_type");
}

Error bad_value(const std::string& path, std::string_view message) {
  return Error::invalid(path + ": " + std::string(message), path, "invalid_value");
}

Error bad_tag(const std::string& path, std::string_view got, std::string_view expected) {
  return bad_value(path, "Input tag '" + std::string(got) +
                             "' found using 'type' does not match any of the expected tags: " +
                             std::string(expected));
}

// ---- typed member access --------------------------------------------------------------------

/// Member `key` of `o` when present and not null.
std::optional<Element> member(Object o, std::string_view key) {
  Element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

Result<std::optional<std::string_view>> opt_str(Object o, std::string_view key,
                                                std::string_view parent) {
  auto e = member(o, key);
  if (!e) return std::optional<std::string_view>{};
  if (!e->is_string()) return type_err(json::path_key(parent, key), "string");
  return std::optional<std::string_view>(std::string_view(e->get_string().value_unsafe()));
}

Result<std::string_view> req_str(Object o, std::string_view key, std::string_view parent) {
  auto r = opt_str(o, key, parent);
  if (!r.ok()) return r.take_error();
  if (!r.value()) return missing(json::path_key(parent, key));
  return *r.value();
}

Result<std::optional<int64_t>> opt_integer(Object o, std::string_view key,
                                           std::string_view parent) {
  auto e = member(o, key);
  if (!e) return std::optional<int64_t>{};
  if (e->is_int64()) return std::optional<int64_t>(e->get_int64().value_unsafe());
  if (e->is_double()) {
    double d = e->get_double().value_unsafe();
    if (d >= -9.0e18 && d <= 9.0e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  return type_err(json::path_key(parent, key), "integer");
}

Result<std::optional<double>> opt_num(Object o, std::string_view key, std::string_view parent) {
  auto e = member(o, key);
  if (!e) return std::optional<double>{};
  if (e->is_int64()) return std::optional<double>(static_cast<double>(e->get_int64().value_unsafe()));
  if (e->is_uint64()) {
    return std::optional<double>(static_cast<double>(e->get_uint64().value_unsafe()));
  }
  if (e->is_double()) return std::optional<double>(e->get_double().value_unsafe());
  return type_err(json::path_key(parent, key), "number");
}

Result<std::optional<bool>> opt_boolean(Object o, std::string_view key, std::string_view parent) {
  auto e = member(o, key);
  if (!e) return std::optional<bool>{};
  if (!e->is_bool()) return type_err(json::path_key(parent, key), "boolean");
  return std::optional<bool>(e->get_bool().value_unsafe());
}

Result<std::optional<Object>> opt_obj(Object o, std::string_view key, std::string_view parent) {
  auto e = member(o, key);
  if (!e) return std::optional<Object>{};
  if (!e->is_object()) return type_err(json::path_key(parent, key), "dictionary");
  return std::optional<Object>(e->get_object().value_unsafe());
}

/// `{"cache_control":<json>}` when the block has a cache_control object, else "".
Result<std::string> cache_control_extras(Object block, std::string_view path) {
  auto cc = member(block, "cache_control");
  if (!cc) return std::string();
  if (!cc->is_object()) return type_err(json::path_key(path, "cache_control"), "dictionary");
  std::string raw = "{\"cache_control\":";
  raw += json::to_json(*cc);
  raw += '}';
  return raw;
}

/// Top-level fields Anthropic documents that OpenRain does not model: kept raw in `extras`.
/// (metadata, thinking and output_config are modelled and also kept raw, see top_field.)
bool is_passthrough_field(std::string_view k) {
  return k == "service_tier" || k == "container" || k == "mcp_servers" ||
         k == "context_management" || k == "cache_control" || k == "inference_geo";
}

// ---- the parser -----------------------------------------------------------------------------

class Parser {
 public:
  explicit Parser(bool require_max_tokens) : require_max_tokens_(require_max_tokens) {}
  Result<ChatRequest> run(const HttpRequest& http);

 private:
  Status top_field(Object root, std::string_view key, Element v);
  Status parse_system(Element v);
  Status parse_messages(Element v);
  Status parse_message(Element v, size_t i);
  /// Blocks allowed anywhere content appears (text, image, raw): appended to `parts`.
  Status parse_common_block(Element v, Object b, std::string_view type, const std::string& path,
                            std::vector<ContentPart>& parts);
  /// A base64 or url `document` → a File part (true); false leaves the block Raw.
  bool parse_document(Object b, std::vector<ContentPart>& parts);
  Status parse_image(Element v, Object b, const std::string& path,
                     std::vector<ContentPart>& parts);
  Status parse_assistant_block(Element v, const std::string& path, Message& m);
  Status parse_user_block(Element v, const std::string& path, Message& m,
                          std::vector<Message>& tool_msgs);
  Status parse_tool_result(Object b, const std::string& path, Message& t);
  Status parse_tools(Element v);
  Status parse_tool_choice(Element v);
  Status parse_stop_sequences(Element v);
  Status parse_thinking(Element v);
  Status parse_output_config(Element v);
  Status parse_format(Object f, const std::string& path);
  std::string resolve_tool_name(std::string_view id) const;
  /// Keep the caller's own object for an Anthropic upstream (which merges or re-emits it).
  void keep_raw(const std::string& key, Element v) {
    if (!v.is_null()) req_.extras.push_back({key, json::to_json(v)});
  }

  bool require_max_tokens_;
  ChatRequest req_;
  bool has_model_ = false;
  bool has_messages_ = false;
  bool adaptive_thinking_ = false;
  std::string effort_;
  std::vector<std::pair<std::string, std::string>> tool_names_;  // tool_use id → name
};

Result<ChatRequest> Parser::run(const HttpRequest& http) {
  req_.source = Protocol::Anthropic;
  auto parsed = json::thread_reader().parse(http.body);
  if (!parsed.ok()) return parsed.take_error();
  Element root_el = parsed.value();
  if (!root_el.is_object()) {
    return Error::invalid("Input should be a valid dictionary (the request body must be a JSON "
                          "object)",
                          "", "invalid_type");
  }
  Object root = root_el.get_object().value_unsafe();
  for (auto field : root) AM_TRY(top_field(root, field.key, field.value));

  if (!has_model_) return missing("model");
  if (!has_messages_) return missing("messages");
  if (require_max_tokens_ && !req_.max_tokens) return missing("max_tokens");
  if (req_.messages.empty()) return bad_value("messages", "at least one message is required");

  if (adaptive_thinking_ && req_.reasoning_effort.empty()) req_.reasoning_effort = "medium";
  if (!effort_.empty()) req_.reasoning_effort = effort_;

  std::string beta;
  for (const auto& [name, value] : http.headers) {
    if (name.size() != 14) continue;
    bool match = true;
    static constexpr std::string_view kBeta = "anthropic-beta";
    for (size_t i = 0; i < kBeta.size() && match; ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      match = c == kBeta[i];
    }
    if (!match) continue;
    std::string_view v = value;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == ',')) {
      v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == ',')) {
      v.remove_suffix(1);
    }
    if (v.empty()) continue;
    if (!beta.empty()) beta += ',';
    beta += v;
  }
  if (!beta.empty()) req_.forward_headers.emplace_back("anthropic-beta", std::move(beta));
  // Client identification (Claude Code, the Anthropic SDKs): only an Anthropic upstream gets it.
  for (const auto& [name, value] : http.headers) {
    if (name == "user-agent" || name == "x-app" || name.rfind("x-stainless-", 0) == 0) {
      req_.forward_headers.emplace_back(name, value);
    }
  }
  return std::move(req_);
}

Status Parser::top_field(Object root, std::string_view key, Element v) {
  const std::string k(key);
  if (key == "model") {
    if (v.is_null()) return missing("model");
    if (!v.is_string()) return type_err("model", "string");
    req_.model = std::string(v.get_string().value_unsafe());
    has_model_ = true;
    return {};
  }
  if (key == "max_tokens") {
    if (v.is_null()) return require_max_tokens_ ? missing("max_tokens") : Status{};
    AM_ASSIGN(n, opt_integer(root, key, ""));
    if (n && *n < 1) return bad_value(k, "Input should be greater than or equal to 1");
    req_.max_tokens = n;
    return {};
  }
  if (key == "messages") {
    if (v.is_null()) return missing("messages");
    has_messages_ = true;
    return parse_messages(v);
  }
  if (key == "system") return parse_system(v);
  if (key == "tools") return parse_tools(v);
  if (key == "tool_choice") return parse_tool_choice(v);
  if (key == "stop_sequences") return parse_stop_sequences(v);
  if (key == "temperature" || key == "top_p") {
    AM_ASSIGN(x, opt_num(root, key, ""));
    if (!x) return {};
    if (*x < 0) return bad_value(k, "Input should be greater than or equal to 0");
    if (*x > 1) return bad_value(k, "Input should be less than or equal to 1");
    (key == "temperature" ? req_.temperature : req_.top_p) = *x;
    return {};
  }
  if (key == "top_k") {
    AM_ASSIGN(n, opt_integer(root, key, ""));
    if (n && *n < 0) return bad_value(k, "Input should be greater than or equal to 0");
    req_.top_k = n;
    return {};
  }
  if (key == "stream") {
    AM_ASSIGN(b, opt_boolean(root, key, ""));
    req_.stream = b.value_or(false);  // stream only when exactly true
    return {};
  }
  if (key == "metadata") {
    AM_ASSIGN(md, opt_obj(root, key, ""));
    if (!md) return {};
    AM_ASSIGN(uid, opt_str(*md, "user_id", "metadata"));
    if (uid) req_.user = std::string(*uid);
    keep_raw(k, v);
    return {};
  }
  if (key == "thinking") {
    AM_TRY(parse_thinking(v));
    keep_raw(k, v);
    return {};
  }
  if (key == "output_config") {
    AM_TRY(parse_output_config(v));
    keep_raw(k, v);
    return {};
  }
  if (key == "output_format") {  // deprecated beta spelling of output_config.format
    if (v.is_null()) return {};
    if (!v.is_object()) return type_err(k, "dictionary");
    return parse_format(v.get_object().value_unsafe(), k);
  }
  if (is_passthrough_field(key)) {
    keep_raw(k, v);
    return {};
  }
  return Error::invalid(k + ": Extra inputs are not permitted", k, "extra_forbidden");
}

Status Parser::parse_system(Element v) {
  if (v.is_null()) return {};
  Message m;
  m.role = Role::System;
  if (v.is_string()) {
    std::string_view s = v.get_string().value_unsafe();
    if (s.empty()) return {};
    m.content_was_string = true;
    ContentPart p;
    p.text = std::string(s);
    m.content.push_back(std::move(p));
  } else if (v.is_array()) {
    size_t i = 0;
    for (Element b : json::Array(v.get_array().value_unsafe())) {
      std::string path = json::path_index("system", i++);
      if (!b.is_object()) return type_err(path, "dictionary");
      Object o = b.get_object().value_unsafe();
      AM_ASSIGN(type, req_str(o, "type", path));
      if (type != "text") return bad_value(json::path_key(path, "type"), "Input should be 'text'");
      AM_ASSIGN(text, req_str(o, "text", path));
      ContentPart p;
      p.text = std::string(text);
      AM_ASSIGN(extras, cache_control_extras(o, path));
      p.raw = std::move(extras);
      m.content.push_back(std::move(p));
    }
    if (m.content.empty()) return {};
  } else {
    return type_err("system", "string or a list of text blocks");
  }
  // System content always comes first, whatever the field order in the body.
  size_t pos = 0;
  while (pos < req_.messages.size() && req_.messages[pos].role == Role::System) ++pos;
  req_.messages.insert(req_.messages.begin() + static_cast<std::ptrdiff_t>(pos), std::move(m));
  return {};
}

Status Parser::parse_messages(Element v) {
  if (!v.is_array()) return type_err("messages", "list");
  size_t i = 0;
  for (Element m : json::Array(v.get_array().value_unsafe())) AM_TRY(parse_message(m, i++));
  return {};
}

Status Parser::parse_message(Element v, size_t i) {
  const std::string path = json::path_index("messages", i);
  if (!v.is_object()) return type_err(path, "dictionary");
  Object o = v.get_object().value_unsafe();
  AM_ASSIGN(role_s, req_str(o, "role", path));
  Role role;
  if (role_s == "user") {
    role = Role::User;
  } else if (role_s == "assistant") {
    role = Role::Assistant;
  } else {
    return bad_value(json::path_key(path, "role"), "Input should be 'user' or 'assistant'");
  }
  const std::string cpath = json::path_key(path, "content");
  auto content = member(o, "content");
  if (!content) return missing(cpath);

  Message m;
  m.role = role;
  if (content->is_string()) {
    m.content_was_string = true;
    ContentPart p;
    p.text = std::string(content->get_string().value_unsafe());
    m.content.push_back(std::move(p));
    req_.messages.push_back(std::move(m));
    return {};
  }
  if (!content->is_array()) return type_err(cpath, "list");

  std::vector<Message> tool_msgs;
  size_t j = 0;
  for (Element b : json::Array(content->get_array().value_unsafe())) {
    std::string bpath = json::path_index(cpath, j++);
    if (role == Role::Assistant) {
      AM_TRY(parse_assistant_block(b, bpath, m));
    } else {
      AM_TRY(parse_user_block(b, bpath, m, tool_msgs));
    }
  }
  // Tool results answer the previous assistant turn, so they come first; remaining user content
  // (if any) follows in its original order.
  bool keep_user = !m.content.empty() || tool_msgs.empty();
  for (Message& t : tool_msgs) req_.messages.push_back(std::move(t));
  if (keep_user) req_.messages.push_back(std::move(m));
  return {};
}

Status Parser::parse_common_block(Element v, Object b, std::string_view type,
                                  const std::string& path, std::vector<ContentPart>& parts) {
  if (type == "text") {
    AM_ASSIGN(text, req_str(b, "text", path));
    ContentPart p;
    p.text = std::string(text);
    AM_ASSIGN(extras, cache_control_extras(b, path));
    // A replayed answer's citations go back to an Anthropic upstream unchanged.
    if (auto citations = member(b, "citations"); citations && !citations->is_null()) {
      if (extras.empty()) {
        extras = "{";
      } else {
        extras.pop_back();
        extras += ',';
      }
      extras += "\"citations\":" + json::to_json(*citations) + "}";
    }
    p.raw = std::move(extras);
    parts.push_back(std::move(p));
    return {};
  }
  if (type == "image") return parse_image(v, b, path, parts);
  if (type == "document" && parse_document(b, parts)) return {};
  // Other documents (text / content / file sources), search_result, server-tool blocks,
  // container_upload, and block types newer than this gateway: only an Anthropic upstream can
  // take them, byte for byte.
  ContentPart p;
  p.kind = ContentPart::Kind::Raw;
  p.raw = json::to_json(v);
  parts.push_back(std::move(p));
  return {};
}

bool Parser::parse_document(Object b, std::vector<ContentPart>& parts) {
  auto src_el = member(b, "source");
  Object src;
  if (!src_el || src_el->get_object().get(src) != simdjson::SUCCESS) return false;
  std::string_view stype = json::get_string(src, "type");
  ContentPart p;
  p.kind = ContentPart::Kind::File;
  if (stype == "base64") {
    p.media_type = std::string(json::get_string(src, "media_type"));
    p.data = std::string(json::get_string(src, "data"));
    if (p.media_type.empty() || p.data.empty()) return false;
  } else if (stype == "url") {
    p.url = std::string(json::get_string(src, "url"));
    if (p.url.empty()) return false;
  } else {
    return false;  // text / content / file sources stay Raw
  }
  p.filename = std::string(json::get_string(b, "title"));
  std::string extras;  // title, context, citations, cache_control: for an Anthropic upstream
  for (auto f : b) {
    std::string_view k = f.key;
    if (k == "type" || k == "source") continue;
    extras += extras.empty() ? "{" : ",";
    json::append_quoted(extras, k);
    extras += ':';
    extras += json::to_json(f.value);
  }
  if (!extras.empty()) extras += '}';
  p.raw = std::move(extras);
  parts.push_back(std::move(p));
  return true;
}

Status Parser::parse_image(Element v, Object b, const std::string& path,
                           std::vector<ContentPart>& parts) {
  const std::string spath = json::path_key(path, "source");
  auto src_el = member(b, "source");
  if (!src_el) return missing(spath);
  if (!src_el->is_object()) return type_err(spath, "dictionary");
  Object src = src_el->get_object().value_unsafe();
  AM_ASSIGN(stype, req_str(src, "type", spath));
  ContentPart p;
  p.kind = ContentPart::Kind::Image;
  if (stype == "base64") {
    AM_ASSIGN(media, req_str(src, "media_type", spath));
    AM_ASSIGN(data, req_str(src, "data", spath));
    p.media_type = std::string(media);
    p.data = std::string(data);
  } else if (stype == "url") {
    AM_ASSIGN(url, req_str(src, "url", spath));
    p.url = std::string(url);
  } else if (stype == "file") {
    ContentPart raw;
    raw.kind = ContentPart::Kind::Raw;
    raw.raw = json::to_json(v);
    parts.push_back(std::move(raw));
    return {};
  } else {
    return bad_tag(json::path_key(spath, "type"), stype, "'base64', 'url', 'file'");
  }
  AM_ASSIGN(extras, cache_control_extras(b, path));
  p.raw = std::move(extras);
  parts.push_back(std::move(p));
  return {};
}

Status Parser::parse_assistant_block(Element v, const std::string& path, Message& m) {
  if (!v.is_object()) return type_err(path, "dictionary");
  Object b = v.get_object().value_unsafe();
  AM_ASSIGN(type, req_str(b, "type", path));
  if (type == "tool_use") {
    AM_ASSIGN(id, req_str(b, "id", path));
    AM_ASSIGN(name, req_str(b, "name", path));
    auto input = member(b, "input");
    if (input && !input->is_object()) return type_err(json::path_key(path, "input"), "dictionary");
    ToolCall tc;
    // Ids this surface showed for another upstream decode to that upstream's own id (and the
    // Gemini thoughtSignature they carry); see providers/carry.hpp.
    providers::CarriedToolId carried = providers::parse_tool_id(id);
    tc.id = std::move(carried.id);
    tc.thought_signature = std::move(carried.signature);
    tc.name = std::string(name);
    tc.arguments = input ? json::to_json(*input) : std::string("{}");
    tool_names_.emplace_back(tc.id, tc.name);
    m.tool_calls.push_back(std::move(tc));
    return {};
  }
  if (type == "thinking") {
    AM_ASSIGN(thinking, req_str(b, "thinking", path));
    AM_ASSIGN(signature, opt_str(b, "signature", path));
    ContentPart p;
    p.kind = ContentPart::Kind::Thinking;
    p.text = std::string(thinking);
    if (signature) {
      if (auto carried = providers::unwrap_signature(*signature)) {  // minted by another upstream
        p.signature = std::move(carried->raw);
        p.signature_origin = carried->origin;
      } else {
        p.signature = std::string(*signature);
      }
    }
    m.content.push_back(std::move(p));
    return {};
  }
  if (type == "redacted_thinking") {
    AM_ASSIGN(data, req_str(b, "data", path));
    ContentPart p;
    p.kind = ContentPart::Kind::RedactedThinking;
    p.data = std::string(data);
    m.content.push_back(std::move(p));
    return {};
  }
  if (type == "tool_result") {
    return bad_value(path, "tool_result blocks are only allowed in user messages");
  }
  return parse_common_block(v, b, type, path, m.content);
}

Status Parser::parse_user_block(Element v, const std::string& path, Message& m,
                                std::vector<Message>& tool_msgs) {
  if (!v.is_object()) return type_err(path, "dictionary");
  Object b = v.get_object().value_unsafe();
  AM_ASSIGN(type, req_str(b, "type", path));
  if (type == "tool_result") {
    Message t;
    t.role = Role::Tool;
    AM_TRY(parse_tool_result(b, path, t));
    tool_msgs.push_back(std::move(t));
    return {};
  }
  if (type == "tool_use") {
    return bad_value(path, "tool_use blocks are only allowed in assistant messages");
  }
  return parse_common_block(v, b, type, path, m.content);
}

Status Parser::parse_tool_result(Object b, const std::string& path, Message& t) {
  AM_ASSIGN(id, req_str(b, "tool_use_id", path));
  t.tool_call_id = providers::parse_tool_id(id).id;
  t.tool_name = resolve_tool_name(t.tool_call_id);
  AM_ASSIGN(is_error, opt_boolean(b, "is_error", path));
  t.is_error = is_error.value_or(false);
  const std::string cpath = json::path_key(path, "content");
  if (auto content = member(b, "content")) {
    if (content->is_string()) {
      t.content_was_string = true;
      std::string_view s = content->get_string().value_unsafe();
      if (!s.empty()) {
        ContentPart p;
        p.text = std::string(s);
        t.content.push_back(std::move(p));
      }
    } else if (content->is_array()) {
      size_t j = 0;
      for (Element e : json::Array(content->get_array().value_unsafe())) {
        std::string bpath = json::path_index(cpath, j++);
        if (!e.is_object()) return type_err(bpath, "dictionary");
        Object nb = e.get_object().value_unsafe();
        AM_ASSIGN(ntype, req_str(nb, "type", bpath));
        AM_TRY(parse_common_block(e, nb, ntype, bpath, t.content));
      }
    } else {
      return type_err(cpath, "list");
    }
  }
  // The result's own breakpoint rides on its last content part (same cache prefix end).
  AM_ASSIGN(cc, cache_control_extras(b, path));
  if (!cc.empty() && !t.content.empty()) {
    ContentPart& last = t.content.back();
    if (last.kind != ContentPart::Kind::Raw && last.raw.empty()) {
      last.raw = std::move(cc);
      t.content_was_string = false;
    }
  }
  return {};
}

Status Parser::parse_tools(Element v) {
  if (v.is_null()) return {};
  if (!v.is_array()) return type_err("tools", "list");
  size_t i = 0;
  for (Element e : json::Array(v.get_array().value_unsafe())) {
    const std::string path = json::path_index("tools", i++);
    if (!e.is_object()) return type_err(path, "dictionary");
    Object o = e.get_object().value_unsafe();
    AM_ASSIGN(type, opt_str(o, "type", path));
    if (type && *type != "custom") {
      // A typed server tool (web_search_20250305, bash_20250124, ...): no input_schema; the whole
      // object travels raw and only an Anthropic upstream re-emits it (see the header).
      AM_ASSIGN(sname, opt_str(o, "name", path));
      ToolDef st;
      st.kind = ToolDef::Kind::Server;
      st.type = std::string(*type);
      if (sname) st.name = std::string(*sname);
      st.raw_extras = json::to_json(e);
      req_.tools.push_back(std::move(st));
      continue;
    }
    ToolDef t;
    AM_ASSIGN(name, req_str(o, "name", path));
    t.name = std::string(name);
    AM_ASSIGN(desc, opt_str(o, "description", path));
    if (desc) t.description = std::string(*desc);
    const std::string spath = json::path_key(path, "input_schema");
    auto schema = member(o, "input_schema");
    if (!schema) return missing(spath);
    if (!schema->is_object()) return type_err(spath, "dictionary");
    t.parameters = json::to_json(*schema);
    AM_ASSIGN(strict, opt_boolean(o, "strict", path));
    t.strict = strict;
    // Everything else (cache_control, eager_input_streaming, defer_loading, input_examples, ...)
    // travels raw for an Anthropic upstream.
    std::string extras;
    for (auto f : o) {
      std::string_view k = f.key;
      if (k == "name" || k == "description" || k == "input_schema" || k == "strict" ||
          k == "type" || f.value.is_null()) {
        continue;
      }
      extras += extras.empty() ? "{" : ",";
      json::append_quoted(extras, k);
      extras += ':';
      extras += json::to_json(f.value);
    }
    if (!extras.empty()) extras += '}';
    t.raw_extras = std::move(extras);
    req_.tools.push_back(std::move(t));
  }
  return {};
}

Status Parser::parse_tool_choice(Element v) {
  if (v.is_null()) return {};
  if (!v.is_object()) return type_err("tool_choice", "dictionary");
  Object o = v.get_object().value_unsafe();
  AM_ASSIGN(type, req_str(o, "type", "tool_choice"));
  ToolChoice& tc = req_.tool_choice;
  if (type == "auto") {
    tc.mode = ToolChoice::Mode::Auto;
  } else if (type == "any") {
    tc.mode = ToolChoice::Mode::Required;
  } else if (type == "none") {
    tc.mode = ToolChoice::Mode::None;
  } else if (type == "tool") {
    AM_ASSIGN(name, req_str(o, "name", "tool_choice"));
    tc.mode = ToolChoice::Mode::Function;
    tc.name = std::string(name);
  } else {
    return bad_tag("tool_choice.type", type, "'auto', 'any', 'tool', 'none'");
  }
  AM_ASSIGN(disable, opt_boolean(o, "disable_parallel_tool_use", "tool_choice"));
  if (disable && *disable) req_.parallel_tool_calls = false;
  return {};
}

Status Parser::parse_stop_sequences(Element v) {
  if (v.is_null()) return {};
  if (!v.is_array()) return type_err("stop_sequences", "list");
  size_t i = 0;
  for (Element s : json::Array(v.get_array().value_unsafe())) {
    std::string path = json::path_index("stop_sequences", i++);
    if (!s.is_string()) return type_err(path, "string");
    req_.stop.emplace_back(s.get_string().value_unsafe());
  }
  return {};
}

Status Parser::parse_thinking(Element v) {
  if (v.is_null()) return {};
  if (!v.is_object()) return type_err("thinking", "dictionary");
  Object o = v.get_object().value_unsafe();
  AM_ASSIGN(type, req_str(o, "type", "thinking"));
  AM_ASSIGN(display, opt_str(o, "display", "thinking"));
  bool show = !(display && *display == "omitted");
  if (type == "enabled") {
    AM_ASSIGN(budget, opt_integer(o, "budget_tokens", "thinking"));
    if (!budget) return missing("thinking.budget_tokens");
    if (*budget < 1) {
      return bad_value("thinking.budget_tokens", "Input should be greater than or equal to 1");
    }
    req_.reasoning_budget_tokens = *budget;
    req_.include_thoughts = show;
  } else if (type == "adaptive") {
    adaptive_thinking_ = true;
    req_.include_thoughts = show;
  } else if (type != "disabled") {
    return bad_tag("thinking.type", type, "'enabled', 'disabled', 'adaptive'");
  }
  return {};
}

Status Parser::parse_output_config(Element v) {
  if (v.is_null()) return {};
  if (!v.is_object()) return type_err("output_config", "dictionary");
  Object o = v.get_object().value_unsafe();
  AM_ASSIGN(effort, opt_str(o, "effort", "output_config"));
  if (effort) {
    if (effort->empty()) {
      return bad_value("output_config.effort", "Input should be a non-empty string");
    }
    effort_ = std::string(*effort);
  }
  AM_ASSIGN(format, opt_obj(o, "format", "output_config"));
  if (format) AM_TRY(parse_format(*format, "output_config.format"));
  return {};
}

Status Parser::parse_format(Object f, const std::string& path) {
  AM_ASSIGN(type, req_str(f, "type", path));
  if (type != "json_schema") return bad_tag(json::path_key(path, "type"), type, "'json_schema'");
  const std::string spath = json::path_key(path, "schema");
  auto schema = member(f, "schema");
  if (!schema) return missing(spath);
  if (!schema->is_object()) return type_err(spath, "dictionary");
  req_.response_format.kind = ResponseFormat::Kind::JsonSchema;
  req_.response_format.schema = json::to_json(*schema);
  AM_ASSIGN(name, opt_str(f, "name", path));
  if (name) req_.response_format.name = std::string(*name);
  return {};
}

std::string Parser::resolve_tool_name(std::string_view id) const {
  for (auto it = tool_names_.rbegin(); it != tool_names_.rend(); ++it) {
    if (it->first == id) return it->second;
  }
  return {};
}

}  // namespace

Result<ChatRequest> parse_anthropic_request(const HttpRequest& req, bool require_max_tokens) {
  Parser p(require_max_tokens);
  return p.run(req);
}

}  // namespace openrain::surfaces
