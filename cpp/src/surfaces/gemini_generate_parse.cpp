// Gemini request decoding: GenerateContentRequest / countTokens body → ChatRequest
// (source = Gemini).
//
// Member names are matched after folding proto snake_case to lowerCamelCase ("inline_data" →
// "inlineData"), so both spellings — even mixed in one body — are accepted, as Google's JSON
// parser does. Only message member names are folded: property names inside schemas, `args`,
// `response` and `labels` are user data and stay untouched. Unknown names are rejected with
// Google's wording; wrong types say "Invalid value at '<path>' (<TYPE>), <value>". See
// surfaces/gemini_generate.hpp for how ids, signatures, media and extras travel.
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "surfaces/gemini_generate.hpp"

namespace openrain::surfaces {

namespace {

using json::Array;
using json::Element;
using json::Object;

#define GM_TRY(expr)                                        \
  do {                                                      \
    Status gm_status_ = (expr);                             \
    if (!gm_status_.ok()) return gm_status_.take_error();   \
  } while (0)

#define GM_CONCAT_(a, b) a##b
#define GM_CONCAT(a, b) GM_CONCAT_(a, b)
#define GM_ASSIGN(var, expr)                                \
  auto GM_CONCAT(gm_res_, __LINE__) = (expr);               \
  if (!GM_CONCAT(gm_res_, __LINE__).ok())                   \
    return GM_CONCAT(gm_res_, __LINE__).take_error();       \
  auto var = std::move(GM_CONCAT(gm_res_, __LINE__).value())

using gemini_detail::as_array;
using gemini_detail::as_bool;
using gemini_detail::as_int;
using gemini_detail::as_number;
using gemini_detail::as_object;
using gemini_detail::as_string;
using gemini_detail::bad_value;
using gemini_detail::canon;
using gemini_detail::expect_array;
using gemini_detail::expect_bool;
using gemini_detail::expect_object;
using gemini_detail::expect_string;
using gemini_detail::missing;
using gemini_detail::openapi_to_json_schema;
using gemini_detail::type_err;
using gemini_detail::unknown_name;

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

/// Append `"key":<json>` to an object body being built as text ("" until the first member).
void add_member(std::string& obj, std::string_view key, std::string_view json) {
  obj += obj.empty() ? "{" : ",";
  json::append_quoted(obj, key);
  obj += ':';
  obj += json;
}

// ---- parts ----------------------------------------------------------------------------------

/// The members of one Part, found by their folded names.
struct PartFields {
  std::optional<Element> text, thought, signature, inline_data, file_data, call, response;
  bool code = false;  // executableCode / codeExecutionResult
  bool meta = false;  // videoMetadata / mediaResolution / partMetadata
  int data_fields = 0;
};

Result<PartFields> collect_part(Object part, const std::string& path) {
  PartFields pf;
  for (auto f : part) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    if (k == "text") {
      pf.text = f.value;
    } else if (k == "thought") {
      pf.thought = f.value;
      continue;
    } else if (k == "thoughtSignature") {
      pf.signature = f.value;
      continue;
    } else if (k == "inlineData") {
      pf.inline_data = f.value;
    } else if (k == "fileData") {
      pf.file_data = f.value;
    } else if (k == "functionCall") {
      pf.call = f.value;
    } else if (k == "functionResponse") {
      pf.response = f.value;
    } else if (k == "executableCode" || k == "codeExecutionResult") {
      pf.code = true;
    } else if (k == "videoMetadata" || k == "mediaResolution" || k == "partMetadata") {
      pf.meta = true;
      continue;
    } else {
      return unknown_name(f.key, path);
    }
    ++pf.data_fields;
  }
  if (pf.data_fields != 1) {
    return bad_value(path, pf.data_fields == 0
                               ? "a part must hold one data field (text, inlineData, fileData, "
                                 "functionCall, functionResponse, executableCode, "
                                 "codeExecutionResult)"
                               : "a part must hold only one data field");
  }
  return pf;
}

/// Google accepts (and google-genai sends) URL-safe base64; the canonical form, which the OpenAI
/// and Anthropic upstreams require, is standard base64 with padding.
std::string standard_base64(std::string_view data) {
  std::string out(data);
  for (char& c : out) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

/// inlineData / fileData → an Image part (image/* media), a File part (an inline PDF, so it
/// reaches every upstream as a document), or a Raw part holding `whole` (other media: Gemini
/// upstreams only).
Status parse_media(Element media, bool inline_data, Element whole, const std::string& path,
                   std::vector<ContentPart>& out) {
  const std::string mpath = json::path_key(path, inline_data ? "inlineData" : "fileData");
  GM_ASSIGN(o, as_object(media, mpath));
  std::string_view mime, data, uri, display_name;
  bool has_mime = false, has_data = false, has_uri = false;
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    const std::string fpath = json::path_key(mpath, f.key);
    if (k == "mimeType") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      mime = s;
      has_mime = true;
    } else if (k == "data" && inline_data) {
      GM_ASSIGN(s, as_string(f.value, fpath));
      data = s;
      has_data = true;
    } else if (k == "fileUri" && !inline_data) {
      GM_ASSIGN(s, as_string(f.value, fpath));
      uri = s;
      has_uri = true;
    } else if (k == "displayName") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      display_name = s;
    } else {
      return unknown_name(f.key, mpath);
    }
  }
  if (inline_data && !has_mime) return missing(json::path_key(mpath, "mimeType"));
  if (inline_data && !has_data) return missing(json::path_key(mpath, "data"));
  if (!inline_data && !has_uri) return missing(json::path_key(mpath, "fileUri"));
  ContentPart p;
  const bool pdf = starts_with_ci(mime, "application/pdf") &&
                   (mime.size() == 15 || mime[15] == ';' || mime[15] == ' ');
  if (inline_data && pdf) {
    p.kind = ContentPart::Kind::File;
    p.media_type = "application/pdf";
    p.data = standard_base64(data);
    p.filename = std::string(display_name);
    out.push_back(std::move(p));
    return {};
  }
  if (!starts_with_ci(mime, "image/")) {
    p.kind = ContentPart::Kind::Raw;  // audio, video, YouTube, files by URI...: Gemini only
    p.raw = json::to_json(whole);
    out.push_back(std::move(p));
    return {};
  }
  p.kind = ContentPart::Kind::Image;
  p.media_type = std::string(mime);
  if (inline_data) {
    p.data = standard_base64(data);
  } else {
    p.url = std::string(uri);
  }
  out.push_back(std::move(p));
  return {};
}

// ---- the parser -----------------------------------------------------------------------------

class Parser {
 public:
  explicit Parser(std::string model) { req_.model = std::move(model); }

  /// A GenerateContentRequest object at `base` ("" or "generateContentRequest").
  Status parse_request(Object root, const std::string& base, bool require_contents);
  /// countTokens: {"contents"} or {"generateContentRequest"}.
  Status parse_count_tokens(Object root);
  ChatRequest take() { return std::move(req_); }

 private:
  struct CallSlot {
    std::string name;
    std::string id;
    bool answered = false;
  };

  Status top_field(std::string_view raw, Element v, const std::string& base);
  Status parse_contents(Element v, const std::string& path);
  Status parse_content(Element v, size_t ci, const std::string& path);
  Status parse_part(Element v, const std::string& path, bool model_turn, size_t ci, int& call_k,
                    Message& m, std::vector<Message>& tool_msgs);
  Status parse_call(Element v, const std::string& path, const std::optional<Element>& signature,
                    size_t ci, int call_k, Message& m);
  Status parse_response(Element v, const std::string& path, size_t ci, Message& t);
  Status parse_system(Element v, const std::string& path);
  Status parse_tools(Element v, const std::string& path);
  Status parse_declaration(Element v, const std::string& path);
  Status parse_tool_config(Element v, const std::string& path);
  Status parse_generation_config(Element v, const std::string& path);
  Status parse_thinking_config(Element v, const std::string& path);
  void finish_request();

  std::string seed(size_t ci) const { return req_.model + "#" + std::to_string(ci); }

  ChatRequest req_;
  bool has_contents_ = false;
  std::vector<CallSlot> calls_;
  int orphan_responses_ = 0;
  std::string gen_extras_;          // unmodelled generationConfig members, "{..." (open)
  std::string tool_config_extras_;  // unmodelled toolConfig members, "{..." (open)
  std::string mime_;
  std::optional<Element> response_schema_;
  bool schema_is_openapi_ = false;
  std::string schema_key_;  // as the caller spelled it, for text/x.enum passthrough
};

Status Parser::parse_request(Object root, const std::string& base, bool require_contents) {
  for (auto f : root) {
    if (f.value.is_null()) continue;
    GM_TRY(top_field(f.key, f.value, base));
  }
  const std::string cpath = json::path_key(base, "contents");
  if (require_contents && !has_contents_) return bad_value(cpath, "contents is not specified");
  finish_request();
  return {};
}

Status Parser::parse_count_tokens(Object root) {
  std::optional<Element> contents, inner;
  for (auto f : root) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    if (k == "contents") {
      contents = f.value;
    } else if (k == "generateContentRequest") {
      inner = f.value;
    } else {
      return unknown_name(f.key, "");
    }
  }
  if (contents && inner) {
    return bad_value("generateContentRequest",
                     "contents and generateContentRequest are mutually exclusive");
  }
  if (inner) {
    GM_ASSIGN(o, as_object(*inner, "generateContentRequest"));
    return parse_request(o, "generateContentRequest", false);
  }
  if (contents) GM_TRY(parse_contents(*contents, "contents"));
  finish_request();
  return {};
}

Status Parser::top_field(std::string_view raw, Element v, const std::string& base) {
  const std::string k = canon(raw);
  const std::string path = json::path_key(base, raw);
  if (k == "contents") {
    GM_TRY(parse_contents(v, path));
    has_contents_ = v.get_array().value_unsafe().size() > 0;
    return {};
  }
  if (k == "systemInstruction") return parse_system(v, path);
  if (k == "tools") return parse_tools(v, path);
  if (k == "toolConfig") return parse_tool_config(v, path);
  if (k == "generationConfig") return parse_generation_config(v, path);
  if (k == "model") return expect_string(v, path);  // the path names the model
  if (k == "safetySettings") {
    GM_TRY(expect_array(v, path));
  } else if (k == "cachedContent") {
    GM_TRY(expect_string(v, path));
  } else if (k == "labels" || k == "modelArmorConfig") {
    GM_TRY(expect_object(v, path));
  } else {
    return unknown_name(raw, base);
  }
  req_.extras.push_back({k, json::to_json(v)});  // same-protocol passthrough, camelCase key
  return {};
}

Status Parser::parse_contents(Element v, const std::string& path) {
  GM_ASSIGN(arr, as_array(v, path));
  size_t i = 0;
  for (Element c : arr) {
    GM_TRY(parse_content(c, i, json::path_index(path, i)));
    ++i;
  }
  return {};
}

Status Parser::parse_content(Element v, size_t ci, const std::string& path) {
  GM_ASSIGN(o, as_object(v, path));
  std::optional<Element> parts;
  std::string role = "user";
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    if (k == "role") {
      GM_ASSIGN(r, as_string(f.value, json::path_key(path, f.key)));
      if (r == "model") {
        role = "model";
      } else if (r.empty() || r == "user" || r == "function") {
        role = "user";  // "function" is the legacy role of function responses
      } else {
        return bad_value(json::path_key(path, f.key), "Please use a valid role: user, model.");
      }
    } else if (k == "parts") {
      parts = f.value;
    } else {
      return unknown_name(f.key, path);
    }
  }
  const std::string ppath = json::path_key(path, "parts");
  if (!parts) return bad_value(ppath, "contents.parts must not be empty");
  GM_ASSIGN(arr, as_array(*parts, ppath));
  if (arr.size() == 0) return bad_value(ppath, "contents.parts must not be empty");

  const bool model_turn = role == "model";
  Message m;
  m.role = model_turn ? Role::Assistant : Role::User;
  std::vector<Message> tool_msgs;
  int call_k = 0;
  size_t j = 0;
  for (Element p : arr) {
    GM_TRY(parse_part(p, json::path_index(ppath, j++), model_turn, ci, call_k, m, tool_msgs));
  }
  // Function responses answer the previous model turn, so they come first; the rest of the user
  // content (if any) follows in its original order.
  bool keep = model_turn || !m.content.empty() || tool_msgs.empty();
  for (Message& t : tool_msgs) req_.messages.push_back(std::move(t));
  if (keep) req_.messages.push_back(std::move(m));
  return {};
}

Status Parser::parse_part(Element v, const std::string& path, bool model_turn, size_t ci,
                          int& call_k, Message& m, std::vector<Message>& tool_msgs) {
  GM_ASSIGN(o, as_object(v, path));
  GM_ASSIGN(pf, collect_part(o, path));
  std::string signature;
  std::optional<Protocol> origin;  // a signature this gateway wrapped for another protocol
  if (pf.signature) {
    GM_ASSIGN(s, as_string(*pf.signature, json::path_key(path, "thoughtSignature")));
    if (auto carried = providers::unwrap_signature(s)) {
      signature = std::move(carried->raw);
      origin = carried->origin;
    } else {
      signature = std::string(s);
    }
  }
  bool thought = false;
  if (pf.thought) {
    GM_ASSIGN(t, as_bool(*pf.thought, json::path_key(path, "thought")));
    thought = t;
  }
  if (pf.call) {
    if (!model_turn) {
      return bad_value(json::path_key(path, "functionCall"),
                       "functionCall parts are only allowed in model turns");
    }
    GM_TRY(parse_call(*pf.call, json::path_key(path, "functionCall"), pf.signature, ci, call_k,
                      m));
    ++call_k;
    return {};
  }
  if (pf.response) {
    if (model_turn) {
      return bad_value(json::path_key(path, "functionResponse"),
                       "functionResponse parts are only allowed in user turns");
    }
    Message t;
    t.role = Role::Tool;
    GM_TRY(parse_response(*pf.response, json::path_key(path, "functionResponse"), ci, t));
    tool_msgs.push_back(std::move(t));
    return {};
  }
  if (pf.code || pf.meta) {  // code execution parts, media with video metadata: Gemini only
    ContentPart p;
    p.kind = ContentPart::Kind::Raw;
    p.raw = json::to_json(v);
    m.content.push_back(std::move(p));
    return {};
  }
  if (pf.inline_data) return parse_media(*pf.inline_data, true, v, path, m.content);
  if (pf.file_data) return parse_media(*pf.file_data, false, v, path, m.content);

  GM_ASSIGN(text, as_string(*pf.text, json::path_key(path, "text")));
  if (model_turn && thought) {
    // Thought summaries stream as many parts; one signature closes the reasoning block.
    if (!m.content.empty() && m.content.back().kind == ContentPart::Kind::Thinking &&
        m.content.back().signature.empty()) {
      m.content.back().text += text;
      m.content.back().signature = std::move(signature);
      m.content.back().signature_origin = origin;
      return {};
    }
    ContentPart p;
    p.kind = ContentPart::Kind::Thinking;
    p.text = std::string(text);
    p.signature = std::move(signature);
    p.signature_origin = origin;
    m.content.push_back(std::move(p));
    return {};
  }
  ContentPart p;
  p.text = std::string(text);
  p.signature = std::move(signature);
  p.signature_origin = origin;
  m.content.push_back(std::move(p));
  return {};
}

Status Parser::parse_call(Element v, const std::string& path,
                          const std::optional<Element>& signature, size_t ci, int call_k,
                          Message& m) {
  GM_ASSIGN(o, as_object(v, path));
  std::string_view name, id;
  bool has_name = false;
  std::string args = "{}";
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    const std::string fpath = json::path_key(path, f.key);
    if (k == "name") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      name = s;
      has_name = !s.empty();
    } else if (k == "args") {
      GM_TRY(expect_object(f.value, fpath));
      args = json::to_json(f.value);
    } else if (k == "id") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      id = s;
    } else if (k == "willContinue" || k == "partialArgs") {
      continue;  // Vertex streaming bookkeeping a client may echo back; nothing to keep
    } else {
      return unknown_name(f.key, path);
    }
  }
  if (!has_name) return missing(json::path_key(path, "name"));
  ToolCall tc;
  tc.name = std::string(name);
  tc.id = id.empty() ? providers::synth_tool_id(seed(ci), call_k) : std::string(id);
  tc.arguments = std::move(args);
  if (signature) tc.thought_signature = std::string(signature->get_string().value_unsafe());
  calls_.push_back({tc.name, tc.id, false});
  m.tool_calls.push_back(std::move(tc));
  return {};
}

Status Parser::parse_response(Element v, const std::string& path, size_t ci, Message& t) {
  GM_ASSIGN(o, as_object(v, path));
  std::string_view name, id;
  bool has_name = false;
  std::string response = "{}";
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    const std::string fpath = json::path_key(path, f.key);
    if (k == "name") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      name = s;
      has_name = !s.empty();
    } else if (k == "response") {
      GM_TRY(expect_object(f.value, fpath));
      response = json::to_json(f.value);
    } else if (k == "id") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      id = s;
    } else if (k == "parts") {
      GM_ASSIGN(arr, as_array(f.value, fpath));
      size_t j = 0;
      for (Element pe : arr) {
        const std::string ppath = json::path_index(fpath, j++);
        GM_ASSIGN(po, as_object(pe, ppath));
        GM_ASSIGN(pf, collect_part(po, ppath));
        if (pf.inline_data) {
          GM_TRY(parse_media(*pf.inline_data, true, pe, ppath, t.content));
        } else if (pf.file_data) {
          GM_TRY(parse_media(*pf.file_data, false, pe, ppath, t.content));
        } else {
          return bad_value(ppath, "function response parts must be inlineData or fileData");
        }
      }
    } else if (k == "willContinue" || k == "scheduling") {
      continue;  // NON_BLOCKING function bookkeeping: no canonical form, nothing to keep
    } else {
      return unknown_name(f.key, path);
    }
  }
  if (!has_name) return missing(json::path_key(path, "name"));

  // Pair with the call this answers: same id, else the first unanswered call of that name.
  CallSlot* slot = nullptr;
  if (!id.empty()) {
    for (CallSlot& c : calls_) {
      if (c.id == id && !c.answered) { slot = &c; break; }
    }
  }
  if (slot == nullptr) {
    for (CallSlot& c : calls_) {
      if (!c.answered && c.name == name) { slot = &c; break; }
    }
  }
  if (slot != nullptr) {
    slot->answered = true;
    t.tool_call_id = slot->id;
  } else if (!id.empty()) {
    t.tool_call_id = std::string(id);
  } else {
    t.tool_call_id = providers::synth_tool_id(seed(ci) + "#response", orphan_responses_++);
  }
  t.tool_name = std::string(name);
  ContentPart text;
  text.text = std::move(response);
  t.content.insert(t.content.begin(), std::move(text));
  return {};
}

Status Parser::parse_system(Element v, const std::string& path) {
  GM_ASSIGN(o, as_object(v, path));
  Message m;
  m.role = Role::System;
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    if (k == "role") {  // ignored by Google (clients send "user" or nothing)
      GM_TRY(expect_string(f.value, json::path_key(path, f.key)));
      continue;
    }
    if (k != "parts") return unknown_name(f.key, path);
    const std::string ppath = json::path_key(path, f.key);
    GM_ASSIGN(arr, as_array(f.value, ppath));
    size_t j = 0;
    for (Element pe : arr) {
      const std::string ipath = json::path_index(ppath, j++);
      GM_ASSIGN(po, as_object(pe, ipath));
      GM_ASSIGN(pf, collect_part(po, ipath));
      if (!pf.text) {
        return Error::make(ErrorKind::UnsupportedParameter,
                           ipath + ": only text parts are supported in systemInstruction", ipath,
                           "unsupported_parameter");
      }
      GM_ASSIGN(text, as_string(*pf.text, json::path_key(ipath, "text")));
      ContentPart p;
      p.text = std::string(text);
      m.content.push_back(std::move(p));
    }
  }
  if (m.content.empty()) return {};
  size_t pos = 0;  // system content first, whatever the member order in the body
  while (pos < req_.messages.size() && req_.messages[pos].role == Role::System) ++pos;
  req_.messages.insert(req_.messages.begin() + static_cast<std::ptrdiff_t>(pos), std::move(m));
  return {};
}

Status Parser::parse_tools(Element v, const std::string& path) {
  GM_ASSIGN(arr, as_array(v, path));
  size_t i = 0;
  for (Element te : arr) {
    const std::string tpath = json::path_index(path, i++);
    GM_ASSIGN(o, as_object(te, tpath));
    for (auto f : o) {
      if (f.value.is_null()) continue;
      const std::string fpath = json::path_key(tpath, f.key);
      if (canon(f.key) != "functionDeclarations") {
        return Error::make(ErrorKind::UnsupportedParameter,
                           fpath + ": built-in Gemini tools are not supported by this gateway; "
                                   "declare functions in functionDeclarations instead",
                           fpath, "unsupported_parameter");
      }
      GM_ASSIGN(decls, as_array(f.value, fpath));
      size_t j = 0;
      for (Element d : decls) GM_TRY(parse_declaration(d, json::path_index(fpath, j++)));
    }
  }
  return {};
}

Status Parser::parse_declaration(Element v, const std::string& path) {
  GM_ASSIGN(o, as_object(v, path));
  ToolDef t;
  bool has_name = false, has_params = false;
  std::string extras;
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    const std::string fpath = json::path_key(path, f.key);
    if (k == "name") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      t.name = std::string(s);
      has_name = !s.empty();
    } else if (k == "description") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      t.description = std::string(s);
    } else if (k == "parameters" || k == "parametersJsonSchema") {
      if (has_params) {
        return bad_value(fpath, "parameters and parametersJsonSchema are mutually exclusive");
      }
      has_params = true;
      if (k == "parameters") {
        GM_TRY(expect_object(f.value, fpath));
        t.parameters = openapi_to_json_schema(f.value);
      } else {
        if (!f.value.is_object() && !f.value.is_bool()) return type_err(fpath, "object", f.value);
        t.parameters = json::to_json(f.value);
      }
    } else if (k == "response" || k == "responseJsonSchema" || k == "behavior") {
      add_member(extras, k, json::to_json(f.value));  // re-emitted by a Gemini upstream only
    } else {
      return unknown_name(f.key, path);
    }
  }
  if (!has_name) return missing(json::path_key(path, "name"));
  if (!extras.empty()) t.raw_extras = extras + "}";
  req_.tools.push_back(std::move(t));
  return {};
}

Status Parser::parse_tool_config(Element v, const std::string& path) {
  GM_ASSIGN(o, as_object(v, path));
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    const std::string fpath = json::path_key(path, f.key);
    if (k == "retrievalConfig") {
      add_member(tool_config_extras_, k, json::to_json(f.value));
      continue;
    }
    if (k != "functionCallingConfig") return unknown_name(f.key, path);
    GM_ASSIGN(fc, as_object(f.value, fpath));
    std::string mode;
    std::vector<std::string> names;
    for (auto g : fc) {
      if (g.value.is_null()) continue;
      std::string gk = canon(g.key);
      const std::string gpath = json::path_key(fpath, g.key);
      if (gk == "mode") {
        GM_ASSIGN(s, as_string(g.value, gpath));
        mode = upper(s);
        if (mode != "AUTO" && mode != "ANY" && mode != "NONE" && mode != "VALIDATED" &&
            mode != "MODE_UNSPECIFIED") {
          return type_err(gpath, "TYPE_ENUM", g.value);
        }
      } else if (gk == "allowedFunctionNames") {
        GM_ASSIGN(arr, as_array(g.value, gpath));
        size_t i = 0;
        for (Element n : arr) {
          GM_ASSIGN(s, as_string(n, json::path_index(gpath, i++)));
          names.emplace_back(s);
        }
      } else if (gk == "streamFunctionCallArguments") {
        GM_TRY(expect_bool(g.value, gpath));
      } else {
        return unknown_name(g.key, fpath);
      }
    }
    ToolChoice& tc = req_.tool_choice;
    if (mode == "AUTO" || mode == "VALIDATED") {
      tc.mode = ToolChoice::Mode::Auto;
    } else if (mode == "NONE") {
      tc.mode = ToolChoice::Mode::None;
    } else if (mode == "ANY") {
      if (names.size() == 1) {
        tc.mode = ToolChoice::Mode::Function;
        tc.name = names.front();
      } else {
        tc.mode = ToolChoice::Mode::Required;
      }
    }
  }
  return {};
}

Status Parser::parse_generation_config(Element v, const std::string& path) {
  GM_ASSIGN(o, as_object(v, path));
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    const std::string fpath = json::path_key(path, f.key);
    if (k == "temperature" || k == "topP") {
      GM_ASSIGN(x, as_number(f.value, fpath));
      if (x < 0) return bad_value(fpath, "must be greater than or equal to 0");
      (k == "temperature" ? req_.temperature : req_.top_p) = x;
    } else if (k == "topK") {
      GM_ASSIGN(n, as_int(f.value, fpath));
      if (n < 0) return bad_value(fpath, "must be greater than or equal to 0");
      req_.top_k = n;
    } else if (k == "seed") {
      GM_ASSIGN(n, as_int(f.value, fpath));
      req_.seed = n;
    } else if (k == "maxOutputTokens") {
      GM_ASSIGN(n, as_int(f.value, fpath));
      if (n < 0) return bad_value(fpath, "must be greater than or equal to 0");
      if (n > 0) req_.max_tokens = n;  // 0 is proto3's "unset"
    } else if (k == "candidateCount") {
      GM_ASSIGN(n, as_int(f.value, fpath));
      if (n > 1) {
        return Error::make(ErrorKind::UnsupportedParameter,
                           fpath + ": only one candidate is supported (got " +
                               std::to_string(n) + ")",
                           fpath, "unsupported_value");
      }
      if (n < 0) return bad_value(fpath, "must be greater than or equal to 0");
    } else if (k == "stopSequences") {
      GM_ASSIGN(arr, as_array(f.value, fpath));
      size_t i = 0;
      for (Element s : arr) {
        GM_ASSIGN(str, as_string(s, json::path_index(fpath, i++)));
        req_.stop.emplace_back(str);
      }
    } else if (k == "responseMimeType") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      mime_ = std::string(s);
    } else if (k == "responseSchema" || k == "responseJsonSchema") {
      if (response_schema_) {
        return bad_value(fpath, "responseSchema and responseJsonSchema are mutually exclusive");
      }
      if (k == "responseSchema" && !f.value.is_object()) return type_err(fpath, "object", f.value);
      response_schema_ = f.value;
      schema_is_openapi_ = k == "responseSchema";
      schema_key_ = k;
    } else if (k == "thinkingConfig") {
      GM_TRY(parse_thinking_config(f.value, fpath));
    } else if (k == "presencePenalty" || k == "frequencyPenalty" || k == "responseLogprobs" ||
               k == "logprobs" || k == "responseModalities" || k == "mediaResolution" ||
               k == "speechConfig" || k == "enableEnhancedCivicAnswers" || k == "imageConfig" ||
               k == "routingConfig" || k == "audioTimestamp" || k == "modelSelectionConfig" ||
               k == "enableAffectiveDialog") {
      add_member(gen_extras_, k, json::to_json(f.value));  // Gemini upstreams only
    } else {
      return unknown_name(f.key, path);
    }
  }
  return {};
}

Status Parser::parse_thinking_config(Element v, const std::string& path) {
  GM_ASSIGN(o, as_object(v, path));
  for (auto f : o) {
    if (f.value.is_null()) continue;
    std::string k = canon(f.key);
    const std::string fpath = json::path_key(path, f.key);
    if (k == "thinkingBudget") {
      GM_ASSIGN(n, as_int(f.value, fpath));
      if (n < -1) return bad_value(fpath, "must be -1 (dynamic) or greater than or equal to 0");
      req_.reasoning_budget_tokens = n;
    } else if (k == "includeThoughts") {
      GM_ASSIGN(b, as_bool(f.value, fpath));
      req_.include_thoughts = b;
    } else if (k == "thinkingLevel") {
      GM_ASSIGN(s, as_string(f.value, fpath));
      std::string level = upper(s);
      if (level == "THINKING_LEVEL_UNSPECIFIED" || level.empty()) continue;
      if (level != "MINIMAL" && level != "LOW" && level != "MEDIUM" && level != "HIGH") {
        return type_err(fpath, "TYPE_ENUM", f.value);
      }
      for (char& c : level) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req_.reasoning_effort = level;
    } else {
      return unknown_name(f.key, path);
    }
  }
  return {};
}

void Parser::finish_request() {
  const bool enum_mode = mime_ == "text/x.enum";
  if (response_schema_ && !enum_mode) {
    req_.response_format.kind = ResponseFormat::Kind::JsonSchema;
    req_.response_format.schema = schema_is_openapi_ ? openapi_to_json_schema(*response_schema_)
                                                     : json::to_json(*response_schema_);
  } else if (mime_ == "application/json") {
    req_.response_format.kind = ResponseFormat::Kind::JsonObject;
  } else if (!mime_.empty() && mime_ != "text/plain") {
    // text/x.enum and other modes only a Gemini upstream understands travel raw.
    std::string quoted;
    json::append_quoted(quoted, mime_);
    add_member(gen_extras_, "responseMimeType", quoted);
    if (response_schema_) add_member(gen_extras_, schema_key_, json::to_json(*response_schema_));
  }
  if (!gen_extras_.empty()) req_.extras.push_back({"generationConfig", gen_extras_ + "}"});
  if (!tool_config_extras_.empty()) {
    req_.extras.push_back({"toolConfig", tool_config_extras_ + "}"});
  }
}

Result<Object> parse_root(const HttpRequest& http) {
  auto parsed = json::thread_reader().parse(http.body);
  if (!parsed.ok()) {
    Error e = parsed.take_error();
    e.message = "Invalid JSON payload received. " + e.message;
    return e;
  }
  Element root = parsed.value();
  if (!root.is_object()) {
    return Error::invalid("Invalid JSON payload received. The request body must be a JSON object.",
                          "", "invalid_type");
  }
  return root.get_object().value_unsafe();
}

Result<GeminiPath> path_of(const HttpRequest& http) {
  auto p = parse_gemini_path(http.path);
  if (!p) {
    return Error::make(ErrorKind::NotFound, "Unknown Gemini method path: " + http.path, "",
                       "unknown_url");
  }
  return std::move(*p);
}

}  // namespace

Result<ChatRequest> parse_gemini_request(const HttpRequest& http) {
  GM_ASSIGN(path, path_of(http));
  if (path.method == "countTokens") return parse_gemini_count_tokens(http);
  GM_ASSIGN(root, parse_root(http));
  Parser p(path.model);
  GM_TRY(p.parse_request(root, "", true));
  ChatRequest req = p.take();
  req.source = Protocol::Gemini;
  req.stream = path.method == "streamGenerateContent";
  return req;
}

Result<ChatRequest> parse_gemini_count_tokens(const HttpRequest& http) {
  GM_ASSIGN(path, path_of(http));
  GM_ASSIGN(root, parse_root(http));
  Parser p(path.model);
  GM_TRY(p.parse_count_tokens(root));
  ChatRequest req = p.take();
  req.source = Protocol::Gemini;
  req.stream = false;
  return req;
}

}  // namespace openrain::surfaces
