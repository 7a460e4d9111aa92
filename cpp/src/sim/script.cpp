#include "sim/script.hpp"

#include <fstream>
#include <sstream>

#include "json/reader.hpp"

namespace openrain::sim {
namespace {

constexpr std::string_view kBuiltinText = "Hello from the OpenRain simulator.";

Error bad(std::string_view path, std::string msg) {
  return Error::invalid("script: " + std::string(path) + ": " + msg, std::string(path));
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid("script: replay.file: cannot read '" + path + "'", "replay.file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Typed extraction helpers over one member value.
Status want_string(json::Element v, std::string_view path, std::string& out) {
  if (!v.is_string()) return bad(path, "expected a string");
  out = std::string(v.get_string().value_unsafe());
  return {};
}
Status want_int(json::Element v, std::string_view path, int64_t& out) {
  if (v.is_int64()) { out = v.get_int64().value_unsafe(); return {}; }
  if (v.is_double()) {
    double d = v.get_double().value_unsafe();
    if (d == static_cast<double>(static_cast<int64_t>(d))) { out = static_cast<int64_t>(d); return {}; }
  }
  return bad(path, "expected an integer");
}
Status want_int(json::Element v, std::string_view path, int& out) {
  int64_t x = 0;
  if (auto st = want_int(v, path, x); !st) return st;
  if (x < -1 || x > 1'000'000'000) return bad(path, "out of range");
  out = static_cast<int>(x);
  return {};
}
Status want_bool(json::Element v, std::string_view path, bool& out) {
  if (!v.is_bool()) return bad(path, "expected a boolean");
  out = v.get_bool().value_unsafe();
  return {};
}
Status want_object(json::Element v, std::string_view path, json::Object& out) {
  if (!v.is_object()) return bad(path, "expected an object");
  out = v.get_object().value_unsafe();
  return {};
}

Status parse_tool_calls(json::Element v, Script& s) {
  if (!v.is_array()) return bad("tool_calls", "expected an array");
  size_t i = 0;
  simdjson::dom::array arr_ = v.get_array().value_unsafe();  // named: the result must outlive the loop
  for (json::Element item : arr_) {
    std::string path = json::path_index("tool_calls", i++);
    json::Object o;
    if (auto st = want_object(item, path, o); !st) return st;
    ScriptToolCall tc;
    bool has_args = false;
    for (auto field : o) {
      std::string_view k = field.key;
      std::string p = json::path_key(path, k);
      if (k == "id") {
        if (auto st = want_string(field.value, p, tc.id); !st) return st;
      } else if (k == "name") {
        if (auto st = want_string(field.value, p, tc.name); !st) return st;
      } else if (k == "arguments") {
        has_args = true;
        if (field.value.is_object()) {
          tc.arguments = json::to_json(field.value);
          tc.arguments_is_object = true;
        } else if (field.value.is_string()) {
          tc.arguments = std::string(field.value.get_string().value_unsafe());
        } else {
          return bad(p, "expected an object or a string");
        }
      } else {
        return bad(p, "unknown key");
      }
    }
    if (tc.name.empty()) return bad(json::path_key(path, "name"), "required");
    if (!has_args) { tc.arguments = "{}"; tc.arguments_is_object = true; }
    s.tool_calls.push_back(std::move(tc));
  }
  return {};
}

Status parse_usage(json::Element v, Script& s) {
  json::Object o;
  if (auto st = want_object(v, "usage", o); !st) return st;
  for (auto field : o) {
    std::string_view k = field.key;
    std::string p = json::path_key("usage", k);
    int64_t* dst = k == "input" ? &s.usage_input
                 : k == "output" ? &s.usage_output
                 : k == "cached" ? &s.usage_cached
                 : k == "cache_write" ? &s.usage_cache_write
                 : k == "reasoning" ? &s.usage_reasoning : nullptr;
    if (!dst) return bad(p, "unknown key");
    if (auto st = want_int(field.value, p, *dst); !st) return st;
    if (*dst < 0) return bad(p, "must be >= 0");
  }
  return {};
}

Status parse_midstream(json::Element v, Script& s) {
  json::Object o;
  if (auto st = want_object(v, "midstream_error", o); !st) return st;
  s.has_midstream_error = true;
  for (auto field : o) {
    std::string_view k = field.key;
    std::string p = json::path_key("midstream_error", k);
    Status st;
    if (k == "after_chunks") st = want_int(field.value, p, s.midstream_after_chunks);
    else if (k == "type") st = want_string(field.value, p, s.midstream_type);
    else if (k == "message") st = want_string(field.value, p, s.midstream_message);
    else st = bad(p, "unknown key");
    if (!st) return st;
  }
  if (s.midstream_after_chunks < 0) return bad("midstream_error.after_chunks", "must be >= 0");
  return {};
}

Status parse_replay(json::Element v, Script& s) {
  json::Object o;
  if (auto st = want_object(v, "replay", o); !st) return st;
  std::string file;
  for (auto field : o) {
    std::string_view k = field.key;
    std::string p = json::path_key("replay", k);
    Status st;
    if (k == "file") st = want_string(field.value, p, file);
    else if (k == "content_type") st = want_string(field.value, p, s.replay_content_type);
    else if (k == "status") st = want_int(field.value, p, s.replay_status);
    else st = bad(p, "unknown key");
    if (!st) return st;
  }
  if (file.empty()) return bad("replay.file", "required");
  auto body = read_file(file);
  if (!body) return body.take_error();
  s.replay_body = std::move(body.value());
  s.has_replay = true;
  return {};
}

Status parse_headers(json::Element v, Script& s) {
  json::Object o;
  if (auto st = want_object(v, "headers", o); !st) return st;
  for (auto field : o) {
    std::string value;
    if (auto st = want_string(field.value, json::path_key("headers", field.key), value); !st) return st;
    std::string name(field.key);
    for (char& c : name) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    s.headers.emplace_back(std::move(name), std::move(value));
  }
  return {};
}

Status parse_match(json::Element v, Script& s) {
  json::Object o;
  if (auto st = want_object(v, "match", o); !st) return st;
  for (auto field : o) {
    std::string_view k = field.key;
    std::string p = json::path_key("match", k);
    Status st;
    if (k == "model") st = want_string(field.value, p, s.match_model);
    else if (k == "count_tokens") st = want_bool(field.value, p, s.match_count_tokens);
    else st = bad(p, "unknown key");
    if (!st) return st;
  }
  return {};
}

Status parse_member(std::string_view k, json::Element v, Script& s) {
  if (k == "text") { s.has_text = true; return want_string(v, k, s.text); }
  if (k == "echo") return want_bool(v, k, s.echo);
  if (k == "reasoning") return want_string(v, k, s.reasoning);
  if (k == "openai_reasoning_field") return want_string(v, k, s.openai_reasoning_field);
  if (k == "tool_calls") return parse_tool_calls(v, s);
  if (k == "usage") return parse_usage(v, s);
  if (k == "finish") {
    if (auto st = want_string(v, k, s.finish); !st) return st;
    if (s.finish != "stop" && s.finish != "length" && s.finish != "tool_calls" &&
        s.finish != "content_filter" && s.finish != "stop_sequence") {
      return bad(k, "unknown finish '" + s.finish + "'");
    }
    return {};
  }
  if (k == "stop_sequence") return want_string(v, k, s.stop_sequence);
  if (k == "chunks") return want_int(v, k, s.chunks);
  if (k == "created") return want_int(v, k, s.created);
  if (k == "ttft_ms") return want_int(v, k, s.ttft_ms);
  if (k == "tokens_per_s") {
    if (!v.is_number()) return bad(k, "expected a number");
    double d = 0;
    if (v.is_double()) d = v.get_double().value_unsafe();
    else if (v.is_int64()) d = static_cast<double>(v.get_int64().value_unsafe());
    else d = static_cast<double>(v.get_uint64().value_unsafe());
    if (d < 0) return bad(k, "must be >= 0");
    s.tokens_per_s = d;
    return {};
  }
  if (k == "jitter_ms") return want_int(v, k, s.jitter_ms);
  if (k == "status") {
    if (auto st = want_int(v, k, s.status); !st) return st;
    if (s.status != 0 && (s.status < 100 || s.status > 599)) return bad(k, "not an HTTP status");
    return {};
  }
  if (k == "error_type") return want_string(v, k, s.error_type);
  if (k == "error_message") return want_string(v, k, s.error_message);
  if (k == "error_code") return want_string(v, k, s.error_code);
  if (k == "retry_after") {
    if (v.is_number()) { s.retry_after = json::to_json(v); return {}; }
    return want_string(v, k, s.retry_after);
  }
  if (k == "html") return want_bool(v, k, s.html);
  if (k == "cut_after_chunks") return want_int(v, k, s.cut_after_chunks);
  if (k == "stall_after_chunks") return want_int(v, k, s.stall_after_chunks);
  if (k == "stall_ms") return want_int(v, k, s.stall_ms);
  if (k == "first_byte_delay_ms") return want_int(v, k, s.first_byte_delay_ms);
  if (k == "midstream_error") return parse_midstream(v, s);
  if (k == "replay") return parse_replay(v, s);
  if (k == "headers") return parse_headers(v, s);
  if (k == "match") return parse_match(v, s);
  return bad(k, "unknown key");
}

}  // namespace

Result<Script> parse_script(std::string_view json_text) {
  json::Reader reader;  // local: callers may be on any thread
  auto root = reader.parse(json_text);
  if (!root) return root.take_error();
  if (!root->is_object()) return Error::invalid("script: expected a JSON object");
  Script s;
  json::Object top = root->get_object().value_unsafe();  // named: must outlive the loop
  for (auto field : top) {
    if (auto st = parse_member(field.key, field.value, s); !st) return st.take_error();
  }
  if (s.html && s.status == 0) s.status = 502;
  if (s.status != 0 && s.status < 400 && !s.has_replay) {
    return Error::invalid("script: status: a scripted fault needs a status >= 400", "status");
  }
  if (!s.has_text && !s.echo && s.tool_calls.empty()) s.text = std::string(kBuiltinText);
  return s;
}

const Script& builtin_script() {
  static const Script s = [] {
    Script b;
    b.text = std::string(kBuiltinText);
    return b;
  }();
  return s;
}

}  // namespace openrain::sim
