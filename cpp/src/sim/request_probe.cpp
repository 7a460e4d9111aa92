#include "sim/request_probe.hpp"

#include "json/reader.hpp"

namespace openrain::sim {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

thread_local json::Element t_root;  // the document of the latest probe_body() on this thread
thread_local bool t_has_root = false;

void append_text_parts(json::Element content, std::string_view part_type_key,
                       std::string_view want_type, std::string& out) {
  if (content.is_string()) { out.append(content.get_string().value_unsafe()); return; }
  if (!content.is_array()) return;
  simdjson::dom::array arr_ = content.get_array().value_unsafe();  // named: the result must outlive the loop
  for (json::Element part : arr_) {
    if (!part.is_object()) continue;
    json::Object o = part.get_object().value_unsafe();
    if (!part_type_key.empty() && json::get_string(o, part_type_key) != want_type) continue;
    bool thought = false;
    if (o.at_key("thought").get(thought) == simdjson::SUCCESS && thought) continue;
    out.append(json::get_string(o, "text"));
  }
}

}  // namespace

Route route_request(std::string_view method, std::string_view path, std::string_view query) {
  Route r;
  if (method != "POST") return r;
  if (ends_with(path, "/chat/completions")) {
    r.kind = Route::Kind::Chat;
    r.wire = Wire::OpenAIChat;
    return r;
  }
  if (ends_with(path, "/v1/messages/count_tokens")) {
    r.kind = Route::Kind::CountTokens;
    r.wire = Wire::Anthropic;
    return r;
  }
  if (ends_with(path, "/v1/messages")) {
    r.kind = Route::Kind::Chat;
    r.wire = Wire::Anthropic;
    return r;
  }
  size_t models = path.rfind("/models/");
  if (models == std::string_view::npos) return r;
  std::string_view rest = path.substr(models + 8);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return r;
  std::string_view verb = rest.substr(colon + 1);
  r.wire = Wire::Gemini;
  r.model = rest.substr(0, colon);
  if (verb == "generateContent") {
    r.kind = Route::Kind::Chat;
  } else if (verb == "streamGenerateContent") {
    r.kind = Route::Kind::Chat;
    r.gemini_stream = true;
    r.gemini_sse = find_query_param(query, "alt") == "sse";
  } else if (verb == "countTokens") {
    r.kind = Route::Kind::CountTokens;
  } else {
    r.kind = Route::Kind::Unknown;
  }
  return r;
}

Result<Probe> probe_body(const Route& route, std::string_view body) {
  t_has_root = false;
  auto root = json::thread_reader().parse(body);
  if (!root) return root.take_error();
  if (!root->is_object()) return Error::invalid("request body must be a JSON object");
  t_root = root.value();
  t_has_root = true;
  json::Object o = t_root.get_object().value_unsafe();
  Probe p;
  if (route.wire == Wire::Gemini) {
    p.model = route.model;
    p.stream = route.gemini_stream;
    return p;
  }
  p.model = json::get_string(o, "model");
  bool stream = false;
  if (o.at_key("stream").get(stream) == simdjson::SUCCESS) p.stream = stream;
  if (route.wire == Wire::OpenAIChat) {
    if (auto so = json::get_object(o, "stream_options")) {
      bool inc = false;
      if (so->at_key("include_usage").get(inc) == simdjson::SUCCESS) p.include_usage = inc;
    }
  }
  return p;
}

void last_user_text(const Route& route, std::string& out) {
  out.clear();
  if (!t_has_root) return;
  json::Object o = t_root.get_object().value_unsafe();
  auto messages = json::get_array(o, route.wire == Wire::Gemini ? "contents" : "messages");
  if (!messages) return;
  json::Element last;
  bool found = false;
  for (json::Element m : *messages) {
    if (!m.is_object()) continue;
    std::string_view role = json::get_string(m.get_object().value_unsafe(), "role");
    if (role == "user" || (route.wire == Wire::Gemini && role.empty())) { last = m; found = true; }
  }
  if (!found) return;
  json::Object msg = last.get_object().value_unsafe();
  json::Element content;
  if (route.wire == Wire::Gemini) {
    if (msg.at_key("parts").get(content) == simdjson::SUCCESS) append_text_parts(content, {}, {}, out);
  } else if (msg.at_key("content").get(content) == simdjson::SUCCESS) {
    append_text_parts(content, "type", "text", out);
  }
}

}  // namespace openrain::sim
