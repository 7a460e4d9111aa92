// providers/gemini_request.cpp — ChatRequest → Gemini generateContent request.
//
// Owns the message-to-contents translation (system hoisting, role merging, functionCall /
// functionResponse parts, thought signatures, images), tool declarations, toolConfig and
// generationConfig. Pure functions; thread-safe.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "providers/gemini.hpp"

namespace openrain::providers {
namespace {

constexpr std::string_view kSkipSignature = "skip_thought_signature_validator";
constexpr size_t kMaxStopSequences = 5;
// Turns inserted so roles alternate (see alternate_roles).
constexpr std::string_view kOpeningUserText = "(earlier conversation omitted)";
constexpr std::string_view kBridgeModelText = "OK.";

struct Part {
  bool call = false;
  std::string json;                       // non-call parts: the complete part
  std::string name, args, signature, id;  // call parts (args: minified JSON object)
};

struct Content {
  std::string role;  // "user" | "model"
  std::vector<Part> parts;
  bool function_responses = false;  // a user turn made of functionResponse parts
};

/// Append `c`, merging it into the previous content when the role is the same. A turn of
/// function responses is never merged with human text (Gemini 3 then continues the tool output).
void add_content(std::vector<Content>& out, Content c) {
  if (c.parts.empty()) return;
  if (!out.empty() && out.back().role == c.role &&
      out.back().function_responses == c.function_responses) {
    for (auto& p : c.parts) out.back().parts.push_back(std::move(p));
    return;
  }
  out.push_back(std::move(c));
}

bool has_calls(const Content& c) {
  return std::any_of(c.parts.begin(), c.parts.end(), [](const Part& p) { return p.call; });
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

/// Guess an image media type from a URL's extension; "image/jpeg" when unknown.
std::string guess_mime(std::string_view url) {
  size_t end = url.find_first_of("?#");
  if (end != std::string_view::npos) url = url.substr(0, end);
  size_t slash = url.rfind('/');
  size_t dot = url.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "image/jpeg";
  }
  std::string ext = lower(url.substr(dot + 1));
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "heic") return "image/heic";
  if (ext == "heif") return "image/heif";
  if (ext == "pdf") return "application/pdf";
  return "image/jpeg";
}

std::string inline_part(std::string_view mime, std::string_view data) {
  std::string out;
  json::Writer w(out);
  w.begin_object().key("inlineData").begin_object();
  w.field("mimeType", mime.empty() ? std::string_view("image/jpeg") : mime);
  w.field("data", data);
  w.end_object().end_object();
  return out;
}

std::string image_part(const ContentPart& p) {
  if (!p.data.empty()) return inline_part(p.media_type, p.data);
  if (auto du = parse_data_url(p.url)) return inline_part(du->media_type, du->data);
  std::string out;
  json::Writer w(out);
  w.begin_object().key("fileData").begin_object();
  w.field("mimeType", p.media_type.empty() ? guess_mime(p.url) : p.media_type);
  w.field("fileUri", p.url);
  w.end_object().end_object();
  return out;
}

std::string text_part(std::string_view text, std::string_view signature) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("text", text);
  if (!signature.empty()) w.field("thoughtSignature", signature);
  w.end_object();
  return out;
}

std::string content_path(size_t i, size_t j) {
  return json::path_index(json::path_key(json::path_index("messages", i), "content"), j);
}

/// Only Files API and Cloud Storage URIs (and YouTube links) may be `fileData.fileUri`; the
/// Developer API fetches nothing else.
bool is_gemini_file_uri(std::string_view url) {
  static constexpr std::string_view kPrefixes[] = {
      "gs://", "https://generativelanguage.googleapis.com/", "https://www.youtube.com/",
      "https://youtube.com/", "https://m.youtube.com/", "https://youtu.be/"};
  for (std::string_view prefix : kPrefixes) {
    if (url.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

/// The signature `p` carries when Gemini minted it (never a foreign one: Gemini would reject it).
std::string_view gemini_signature(const ContentPart& p, const ChatRequest& req) {
  if (p.signature.empty() || p.signature_origin.value_or(req.source) != Protocol::Gemini) return {};
  return p.signature;
}

/// Translate the content parts of a user or assistant message. Gemini signs the part after its
/// thoughts; a thinking part holding a Gemini signature (thought text is never sent back) hands
/// it to the next text part, or leaves it in `carried` for the first function call.
Status add_parts(const ChatRequest& req, const Message& m, size_t mi, bool model_turn,
                 std::vector<Part>& parts, std::string& carried, TranslationReport& report) {
  auto flush_carried = [&] {
    if (carried.empty()) return;
    Part part;
    part.json = text_part("", carried);
    parts.push_back(std::move(part));
    carried.clear();
  };
  for (size_t j = 0; j < m.content.size(); ++j) {
    const ContentPart& p = m.content[j];
    Part part;
    switch (p.kind) {
      case ContentPart::Kind::Text: {
        std::string signature(gemini_signature(p, req));
        if (!signature.empty()) {
          flush_carried();
        } else {
          signature = std::move(carried);
          carried.clear();
        }
        if (model_turn && p.text.empty() && signature.empty()) continue;
        part.json = text_part(p.text, signature);
        break;
      }
      case ContentPart::Kind::Image:
        if (req.source != Protocol::Gemini && p.data.empty() && !parse_data_url(p.url) &&
            !is_gemini_file_uri(p.url)) {
          std::string param = content_path(mi, j);
          return Error::make(ErrorKind::UnsupportedParameter,
                             "'" + param + "': Gemini cannot fetch image URLs; only Files API "
                             "(https://generativelanguage.googleapis.com/...) and gs:// URIs are "
                             "accepted. Send the image as base64 data instead.",
                             param, "unsupported_value");
        }
        part.json = image_part(p);
        break;
      case ContentPart::Kind::File:
        if (p.data.empty()) {  // a document by URL: Gemini takes only Files-API URIs there
          report.dropped.push_back(content_path(mi, j));
          continue;
        }
        part.json = inline_part(p.media_type, p.data);
        break;
      case ContentPart::Kind::Raw:
        if (req.source == Protocol::Gemini && !p.raw.empty()) {
          part.json = p.raw;
          break;
        }
        report.dropped.push_back(content_path(mi, j));
        continue;
      case ContentPart::Kind::Thinking:
        if (std::string_view sig = gemini_signature(p, req); !sig.empty()) {
          flush_carried();
          carried = std::string(sig);
          continue;
        }
        report.dropped.push_back(content_path(mi, j));
        continue;
      case ContentPart::Kind::RedactedThinking:
        report.dropped.push_back(content_path(mi, j));
        continue;
    }
    parts.push_back(std::move(part));
  }
  return {};
}

/// An id to send back as functionCall.id / functionResponse.id: one the upstream (or caller)
/// chose, never one the gateway synthesised because Gemini sent none.
std::string_view upstream_call_id(std::string_view id) {
  return is_synth_tool_id(id) ? std::string_view() : id;
}

/// `part` (a functionResponse part written by function_response_part) with `id` added.
std::string with_response_id(std::string part, std::string_view id) {
  constexpr std::string_view kHead = "{\"functionResponse\":{";
  if (id.empty() || std::string_view(part).substr(0, kHead.size()) != kHead) return part;
  std::string member;
  json::Writer w(member);
  w.begin_object().field("id", id).end_object();  // {"id":"..."}
  part.insert(kHead.size(), member.substr(1, member.size() - 2) + ",");
  return part;
}

/// Gemini wants alternating user / model turns that open with a user turn, and function
/// responses alone in their turn (human text merged into it makes Gemini 3 continue the tool
/// output or answer empty). Same-role neighbours left by add_content (a function-response turn
/// next to a human turn) get a short bridging turn of the other role between them; a history that
/// opens with a model turn (e.g. after truncation) gets an opening user turn.
void alternate_roles(std::vector<Content>& contents) {
  auto filler = [](std::string_view role, std::string_view text) {
    Content c;
    c.role = std::string(role);
    Part part;
    part.json = text_part(text, {});
    c.parts.push_back(std::move(part));
    return c;
  };
  std::vector<Content> out;
  out.reserve(contents.size() + 2);
  for (Content& c : contents) {
    if (out.empty() && c.role == "model") {
      out.push_back(filler("user", kOpeningUserText));
    } else if (!out.empty() && out.back().role == c.role) {
      out.push_back(c.role == "user" ? filler("model", kBridgeModelText)
                                     : filler("user", kOpeningUserText));
    }
    out.push_back(std::move(c));
  }
  contents = std::move(out);
}

/// Concatenated text of a tool result. Images and inline files become parts in `media` (sent
/// next to the functionResponse parts); other non-text parts are reported.
std::string tool_text(const Message& m, size_t mi, std::vector<std::string>& media,
                      TranslationReport& report) {
  std::string text;
  for (size_t j = 0; j < m.content.size(); ++j) {
    const ContentPart& p = m.content[j];
    if (p.kind == ContentPart::Kind::Text) {
      text += p.text;
    } else if (p.kind == ContentPart::Kind::Image) {
      media.push_back(image_part(p));
    } else if (p.kind == ContentPart::Kind::File && !p.data.empty()) {
      media.push_back(inline_part(p.media_type, p.data));
    } else {
      report.dropped.push_back(content_path(mi, j));
    }
  }
  return text;
}

/// The minified JSON object `text` holds, or empty when it is not a JSON object.
std::string as_json_object(std::string_view text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos || text[b] != '{') return {};
  json::Reader reader;
  Result<json::Element> e = reader.parse(text);
  if (!e.ok() || !e.value().is_object()) return {};
  return json::to_json(e.value());
}

std::string function_response_part(const std::string& name, const Message& m,
                                   const std::string& text) {
  std::string obj = as_json_object(text);
  std::string out;
  json::Writer w(out);
  w.begin_object().key("functionResponse").begin_object();
  w.field("name", name);
  w.key("response");
  if (m.is_error) {
    w.begin_object().key("error");
    if (obj.empty()) {
      w.value(text);
    } else {
      w.raw(obj);
    }
    w.end_object();
  } else if (!obj.empty()) {
    w.raw(obj);
  } else {
    w.begin_object().field("output", text).end_object();
  }
  w.end_object().end_object();
  return out;
}

void write_content(json::Writer& w, const Content& c) {
  w.begin_object().field("role", c.role).key("parts").begin_array();
  bool first_call = true;
  for (const Part& p : c.parts) {
    if (!p.call) {
      w.raw(p.json);
      continue;
    }
    w.begin_object().key("functionCall").begin_object();
    w.field("name", p.name).field_raw("args", p.args);
    if (!p.id.empty()) w.field("id", p.id);
    w.end_object();
    if (!p.signature.empty()) {
      w.field("thoughtSignature", p.signature);
    } else if (first_call) {
      w.field("thoughtSignature", kSkipSignature);
    }
    w.end_object();
    first_call = false;
  }
  w.end_array().end_object();
}

/// The path of the provider base URL ("https://h/x/v1beta/" → "/x/v1beta").
std::string_view url_path(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t slash = url.find('/', start);
  if (slash == std::string_view::npos) return {};
  std::string_view p = url.substr(slash);
  size_t q = p.find_first_of("?#");
  if (q != std::string_view::npos) p = p.substr(0, q);
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return p;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string percent_encode_model(std::string_view model) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : model) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string build_path(const Deployment& d, const ChatRequest& req) {
  std::string_view base = d.provider != nullptr ? url_path(d.provider->base_url) : std::string_view();
  bool has_version = ends_with(base, "/v1beta") || ends_with(base, "/v1") ||
                     ends_with(base, "/v1alpha");
  std::string model = d.model != nullptr && !d.model->model.empty() ? d.model->model : req.model;
  std::string path = has_version ? "" : "/v1beta";
  path += "/";
  if (model.rfind("models/", 0) != 0 && model.rfind("tunedModels/", 0) != 0) path += "models/";
  path += percent_encode_model(model);
  path += req.stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
  return path;
}

}  // namespace

Result<UpstreamRequest> build_gemini_request(const ChatRequest& req, const Deployment& d,
                                             TranslationReport& report) {
  if (req.stop.size() > kMaxStopSequences) {
    return Error::make(ErrorKind::UnsupportedParameter,
                       "Gemini accepts at most 5 stop sequences; got " +
                           std::to_string(req.stop.size()) + ".",
                       "stop", "unsupported_value");
  }

  // ---- messages → systemInstruction + contents -------------------------------------------
  std::vector<std::string> system_texts;
  std::vector<Content> contents;
  std::unordered_map<std::string, std::string> call_names;  // tool_call_id → function name
  std::vector<std::string> last_call_ids;                   // call order of the last model turn
  struct PendingResponse {
    size_t order;
    std::string json;
  };
  std::vector<PendingResponse> pending;
  std::vector<std::string> pending_media;  // images / files the pending results returned
  std::vector<Content> after_responses;  // later system text met between tool results
  json::Reader reader;

  auto flush_responses = [&]() {
    if (pending.empty()) return;
    std::stable_sort(pending.begin(), pending.end(),
                     [](const PendingResponse& a, const PendingResponse& b) {
                       return a.order < b.order;
                     });
    Content c;
    c.role = "user";
    c.function_responses = true;
    for (auto& p : pending) {
      Part part;
      part.json = std::move(p.json);
      c.parts.push_back(std::move(part));
    }
    for (auto& m : pending_media) {  // after every functionResponse: the counts must match
      Part part;
      part.json = std::move(m);
      c.parts.push_back(std::move(part));
    }
    pending.clear();
    pending_media.clear();
    // Responses answer the model turn before them: a human turn that slipped in between (e.g. a
    // user message between a Responses function_call and its output) moves after them.
    if (contents.size() >= 2 && contents.back().role == "user" &&
        !contents.back().function_responses && has_calls(contents[contents.size() - 2])) {
      Content human = std::move(contents.back());
      contents.pop_back();
      add_content(contents, std::move(c));
      contents.push_back(std::move(human));
      return;
    }
    add_content(contents, std::move(c));
    for (auto& later : after_responses) add_content(contents, std::move(later));
    after_responses.clear();
  };

  bool leading = true;  // only the system messages before the conversation are hoisted
  for (size_t i = 0; i < req.messages.size(); ++i) {
    const Message& m = req.messages[i];
    leading = leading && m.role == Role::System;
    if (m.role == Role::System && !leading) {
      // A later system message stays in place as user-role text (pitfall MO2); between
      // parallel tool results it follows them, so they keep sharing one turn.
      bool blank = std::all_of(m.content.begin(), m.content.end(), [](const ContentPart& p) {
        return p.kind == ContentPart::Kind::Text &&
               p.text.find_first_not_of(" \t\r\n") == std::string::npos;
      });
      if (blank) continue;
      Content c;
      c.role = "user";
      std::string carried;
      Status st = add_parts(req, m, i, false, c.parts, carried, report);
      if (!st.ok()) return st.take_error();
      report.dropped.push_back(json::path_key(json::path_index("messages", i), "role"));
      if (pending.empty()) add_content(contents, std::move(c));
      else after_responses.push_back(std::move(c));
      continue;
    }
    if (m.role == Role::User || m.role == Role::Assistant) flush_responses();
    if (!m.name.empty() && m.role != Role::Tool) {
      report.dropped.push_back(json::path_key(json::path_index("messages", i), "name"));
    }
    switch (m.role) {
      case Role::System:
        for (size_t j = 0; j < m.content.size(); ++j) {
          const ContentPart& p = m.content[j];
          if (p.kind == ContentPart::Kind::Text) {
            system_texts.push_back(p.text);
          } else {
            report.dropped.push_back(content_path(i, j));
          }
        }
        break;
      case Role::User: {
        Content c;
        c.role = "user";
        std::string carried;
        Status st = add_parts(req, m, i, false, c.parts, carried, report);
        if (!st.ok()) return st.take_error();
        add_content(contents, std::move(c));
        break;
      }
      case Role::Assistant: {
        Content c;
        c.role = "model";
        std::string carried;  // a Gemini signature for the first call (see add_parts)
        Status st = add_parts(req, m, i, true, c.parts, carried, report);
        if (!st.ok()) return st.take_error();
        last_call_ids.clear();
        for (size_t j = 0; j < m.tool_calls.size(); ++j) {
          const ToolCall& tc = m.tool_calls[j];
          std::string param = json::path_key(
              json::path_key(json::path_index(json::path_key(json::path_index("messages", i),
                                                              "tool_calls"),
                                              j),
                             "function"),
              "arguments");
          Part part;
          part.call = true;
          part.name = tc.name;
          part.id = std::string(upstream_call_id(tc.id));
          part.signature = tc.thought_signature;
          if (!carried.empty()) {  // only the first call of a step is signed
            if (part.signature.empty()) part.signature = carried;
            if (part.signature == carried) carried.clear();
          }
          if (tc.arguments.find_first_not_of(" \t\r\n") == std::string::npos) {
            part.args = "{}";
          } else {
            Result<json::Element> e = reader.parse(tc.arguments);
            if (!e.ok()) {
              return Error::invalid("'" + param + "' is not valid JSON.", param, "invalid_value");
            }
            if (!e.value().is_object()) {
              return Error::invalid("'" + param + "' must be a JSON object.", param,
                                    "invalid_value");
            }
            part.args = json::to_json(e.value());
          }
          c.parts.push_back(std::move(part));
          if (!tc.id.empty()) call_names[tc.id] = tc.name;
          last_call_ids.push_back(tc.id);
        }
        if (!carried.empty()) {  // a thinking-only turn: keep the signature on an empty part
          Part part;
          part.json = text_part("", carried);
          c.parts.push_back(std::move(part));
        }
        add_content(contents, std::move(c));
        break;
      }
      case Role::Tool: {
        std::string name = m.tool_name;
        if (name.empty()) {
          auto it = call_names.find(m.tool_call_id);
          if (it == call_names.end()) {
            std::string param = json::path_key(json::path_index("messages", i), "tool_call_id");
            return Error::invalid("'" + param + "' does not match any earlier assistant tool call.",
                                  param, "invalid_value");
          }
          name = it->second;
        }
        size_t order = last_call_ids.size() + pending.size();
        for (size_t k = 0; k < last_call_ids.size(); ++k) {
          if (!m.tool_call_id.empty() && last_call_ids[k] == m.tool_call_id) {
            order = k;
            break;
          }
        }
        std::string text = tool_text(m, i, pending_media, report);
        pending.push_back({order, with_response_id(function_response_part(name, m, text),
                                                   upstream_call_id(m.tool_call_id))});
        break;
      }
    }
  }
  flush_responses();
  alternate_roles(contents);

  // ---- body ---------------------------------------------------------------------------------
  std::string body;
  json::Writer w(body);
  std::vector<std::string_view> emitted;
  w.begin_object();
  if (!system_texts.empty()) {
    emitted.insert(emitted.end(), {"systemInstruction", "system_instruction"});
    w.key("systemInstruction").begin_object().key("parts").begin_array();
    for (const auto& t : system_texts) w.begin_object().field("text", t).end_object();
    w.end_array().end_object();
  }
  emitted.push_back("contents");
  w.key("contents").begin_array();
  for (const auto& c : contents) write_content(w, c);
  w.end_array();

  if (!req.tools.empty()) {
    emitted.push_back("tools");
    w.key("tools").begin_array().begin_object().key("functionDeclarations").begin_array();
    for (size_t i = 0; i < req.tools.size(); ++i) {
      const ToolDef& t = req.tools[i];
      w.begin_object().field("name", t.name);
      if (!t.description.empty()) w.field("description", t.description);
      if (!t.parameters.empty()) {
        std::string param =
            json::path_key(json::path_key(json::path_index("tools", i), "function"), "parameters");
        Result<std::string> schema = gemini_clean_schema(t.parameters, param);
        if (!schema.ok()) return schema.take_error();
        // A parameterless function: omit `parameters` (an empty OBJECT is rejected by some
        // model versions).
        bool empty_object = false;
        {
          Result<json::Element> e = reader.parse(schema.value());
          if (e.ok() && e.value().is_object()) {
            json::Object o = e.value().get_object().value_unsafe();
            std::string type = lower(json::get_string(o, "type"));
            empty_object = (type == "object" || type.empty()) && !json::has_key(o, "properties") &&
                           !json::has_key(o, "anyOf");
          }
        }
        if (!empty_object) w.field_raw("parameters", schema.value());
      }
      if (req.source == Protocol::Gemini && t.raw_extras.size() > 2) {
        Result<json::Element> e = reader.parse(t.raw_extras);
        if (e.ok() && e.value().is_object()) {
          json::Object extras = e.value().get_object().value_unsafe();
          for (auto field : extras) {
            std::string_view k = field.key;
            if (k == "name" || k == "description" || k == "parameters") continue;
            w.field_raw(k, json::to_json(field.value));
          }
        }
      }
      w.end_object();
    }
    w.end_array().end_object().end_array();

    if (req.tool_choice.mode != ToolChoice::Mode::Unset) {
      emitted.insert(emitted.end(), {"toolConfig", "tool_config"});
      w.key("toolConfig").begin_object().key("functionCallingConfig").begin_object();
      switch (req.tool_choice.mode) {
        case ToolChoice::Mode::Auto:
        case ToolChoice::Mode::Unset: w.field("mode", "AUTO"); break;
        case ToolChoice::Mode::None: w.field("mode", "NONE"); break;
        case ToolChoice::Mode::Required: w.field("mode", "ANY"); break;
        case ToolChoice::Mode::Function:
          w.field("mode", "ANY");
          w.key("allowedFunctionNames").begin_array().value(req.tool_choice.name).end_array();
          break;
      }
      w.end_object().end_object();
    }
  } else if (req.tool_choice.mode == ToolChoice::Mode::Function ||
             req.tool_choice.mode == ToolChoice::Mode::Required) {
    report.dropped.push_back("tool_choice");
  }
  if (req.parallel_tool_calls.has_value() && !*req.parallel_tool_calls) {
    report.dropped.push_back("parallel_tool_calls");
  }

  // ---- generationConfig ---------------------------------------------------------------------
  const std::string_view upstream_model =
      d.model != nullptr && !d.model->model.empty() ? std::string_view(d.model->model)
                                                    : std::string_view(req.model);
  const gemini_detail::ThinkingChoice thinking =
      gemini_detail::resolve_thinking(req, upstream_model, report);
  const bool thinking_set = thinking.budget.has_value() || !thinking.level.empty();
  std::string schema;
  if (req.response_format.kind == ResponseFormat::Kind::JsonSchema &&
      !req.response_format.schema.empty()) {
    Result<std::string> s = gemini_clean_schema(req.response_format.schema,
                                                "response_format.json_schema.schema");
    if (!s.ok()) return s.take_error();
    schema = std::move(s.value());
  }
  bool json_mode = req.response_format.kind == ResponseFormat::Kind::JsonObject ||
                   req.response_format.kind == ResponseFormat::Kind::JsonSchema;
  bool any_gen = req.max_tokens || req.temperature || req.top_p || req.top_k || req.seed ||
                 !req.stop.empty() || json_mode || thinking_set || req.include_thoughts;
  if (any_gen) {
    emitted.insert(emitted.end(), {"generationConfig", "generation_config"});
    w.key("generationConfig").begin_object();
    if (req.max_tokens) w.field("maxOutputTokens", *req.max_tokens);
    if (req.temperature) w.field("temperature", *req.temperature);
    if (req.top_p) w.field("topP", *req.top_p);
    if (req.top_k) w.field("topK", *req.top_k);
    if (req.seed) w.field("seed", *req.seed);
    if (!req.stop.empty()) {
      w.key("stopSequences").begin_array();
      for (const auto& s : req.stop) w.value(s);
      w.end_array();
    }
    if (json_mode) w.field("responseMimeType", "application/json");
    if (!schema.empty()) w.field_raw("responseSchema", schema);
    if (thinking_set || req.include_thoughts) {
      w.key("thinkingConfig").begin_object();
      if (thinking.budget) w.field("thinkingBudget", *thinking.budget);
      if (!thinking.level.empty()) w.field("thinkingLevel", thinking.level);
      if (req.include_thoughts) w.field("includeThoughts", true);
      w.end_object();
    }
    w.end_object();
  }
  if (!req.user.empty()) report.dropped.push_back("user");

  // Same-protocol extras (safetySettings, cachedContent, ...) pass through unchanged.
  if (req.source == Protocol::Gemini) {
    for (const auto& x : req.extras) {
      if (std::find(emitted.begin(), emitted.end(), x.key) != emitted.end()) continue;
      w.field_raw(x.key, x.json);
    }
  }
  w.end_object();

  UpstreamRequest out;
  out.method = "POST";
  out.path = build_path(d, req);
  out.stream = req.stream;
  out.body = std::move(body);
  out.headers.emplace_back("content-type", "application/json");
  if (d.provider != nullptr) {
    if (!d.provider->api_key.empty()) out.headers.emplace_back("x-goog-api-key", d.provider->api_key);
    for (const auto& h : d.provider->extra_headers) out.headers.push_back(h);
  }
  return out;
}

}  // namespace openrain::providers
