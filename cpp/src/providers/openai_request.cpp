// providers/openai_request.cpp — ChatRequest → OpenAI Chat Completions HTTP request.
//
// Renders the body with json::Writer only (no DOM). Same-protocol traffic (source OpenAIChat)
// keeps its unmodelled fields: top-level extras, raw content parts and per-part extras are
// re-emitted verbatim; for other sources they are never emitted. Quirks decide developer-role
// support, the max-tokens field name, stream_options, response_format support and Mistral ids.
// Tool messages carry text only: images / files a tool returned go in one user message after the
// run of tool messages (with a text line naming the calls), and is_error becomes an "Error: "
// prefix. Inline File parts (PDFs) in user turns become `file` parts with a data URL.
#include <string>
#include <string_view>
#include <vector>

#include "json/writer.hpp"
#include "providers/common.hpp"
#include "providers/openai.hpp"

namespace openrain::providers::openai {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Path of a base URL without scheme/host, query and trailing slashes.
std::string_view base_path_of(std::string_view url) {
  auto scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return {};
  std::string_view path = rest.substr(slash);
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

// Members of a raw JSON object without its braces ("" when not a non-empty object).
std::string_view object_members(std::string_view raw) {
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\n' || raw.front() == '\t' ||
                          raw.front() == '\r'))
    raw.remove_prefix(1);
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\t' ||
                          raw.back() == '\r'))
    raw.remove_suffix(1);
  if (raw.size() < 2 || raw.front() != '{' || raw.back() != '}') return {};
  std::string_view inner = raw.substr(1, raw.size() - 2);
  for (char c : inner) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return inner;
  }
  return {};
}

/// Marks a failed tool result (Anthropic is_error) in the text an OpenAI model sees.
constexpr std::string_view kToolErrorPrefix = "Error: ";

/// A file name for an inline file that came without one ("document.pdf").
std::string default_filename(std::string_view media_type) {
  if (media_type == "application/pdf") return "document.pdf";
  if (media_type == "text/plain") return "document.txt";
  return "document";
}

class BodyWriter {
 public:
  BodyWriter(const ChatRequest& req, const Deployment& d, TranslationReport& report,
             std::string& out)
      : req_(req), d_(d), q_(d.provider->quirks), report_(report), w_(out),
        same_source_(req.source == Protocol::OpenAIChat) {}

  Status write() {
    w_.begin_object();
    emit_key("model");
    w_.value(d_.model != nullptr ? std::string_view(d_.model->model) : std::string_view(req_.model));
    emit_key("messages");
    w_.begin_array();
    for (size_t i = 0; i < req_.messages.size(); ++i) {
      if (req_.messages[i].role != Role::Tool) flush_tool_media();
      write_message(req_.messages[i], i);
    }
    flush_tool_media();
    w_.end_array();
    write_tools();
    if (Status s = write_response_format(); !s.ok()) return s;
    write_sampling();
    write_extras();
    w_.end_object();
    return {};
  }

 private:
  void emit_key(std::string_view k) {
    emitted_.push_back(k);
    w_.key(k);
  }

  std::string tool_id(const std::string& id) const {
    return q_.tool_call_id_9_alnum ? mistral_tool_id(id) : id;
  }

  void drop(size_t mi, size_t pj, const char* what, bool& once) {
    if (once) return;
    once = true;
    report_.dropped.push_back("messages[" + std::to_string(mi) + "].content[" +
                              std::to_string(pj) + "] (" + what + ")");
  }

  // Which parts of message `m` this role can carry; drops (and reports) the others.
  std::vector<const ContentPart*> usable_parts(const Message& m, size_t mi, bool allow_images) {
    std::vector<const ContentPart*> parts;
    for (size_t j = 0; j < m.content.size(); ++j) {
      const ContentPart& p = m.content[j];
      switch (p.kind) {
        case ContentPart::Kind::Text: parts.push_back(&p); break;
        case ContentPart::Kind::Image:
          if (allow_images) parts.push_back(&p);
          else drop(mi, j, "image", dropped_image_);
          break;
        case ContentPart::Kind::Thinking: drop(mi, j, "thinking", dropped_thinking_); break;
        case ContentPart::Kind::RedactedThinking:
          drop(mi, j, "redacted_thinking", dropped_redacted_);
          break;
        case ContentPart::Kind::File:
          if (allow_images && !p.data.empty()) parts.push_back(&p);  // inline files only
          else drop(mi, j, "file", dropped_file_);
          break;
        case ContentPart::Kind::Raw:
          if (same_source_ && !p.raw.empty()) parts.push_back(&p);
          else drop(mi, j, "raw", dropped_raw_);
          break;
      }
    }
    return parts;
  }

  void write_part(const ContentPart& p) {
    if (p.kind == ContentPart::Kind::Raw) {
      w_.raw(p.raw);
      return;
    }
    w_.begin_object();
    if (p.kind == ContentPart::Kind::Text) {
      w_.field("type", "text").field("text", p.text);
    } else if (p.kind == ContentPart::Kind::File) {  // inline only (see usable_parts)
      w_.field("type", "file").key("file").begin_object();
      w_.field("filename", p.filename.empty() ? default_filename(p.media_type) : p.filename);
      w_.field("file_data", "data:" + p.media_type + ";base64," + p.data);
      w_.end_object();
    } else {  // Image
      w_.field("type", "image_url").key("image_url").begin_object();
      if (!p.url.empty()) {
        w_.field("url", p.url);
      } else {
        std::string url = "data:";
        url += p.media_type.empty() ? std::string("application/octet-stream") : p.media_type;
        url += ";base64,";
        url += p.data;
        w_.field("url", url);
      }
      if (!p.detail.empty()) w_.field("detail", p.detail);
      w_.end_object();
    }
    if (same_source_) {
      if (auto members = object_members(p.raw); !members.empty()) w_.raw(members);
    }
    w_.end_object();
  }

  // Writes the "content" value. `null_when_empty`: assistant turns that only call tools.
  void write_content(const Message& m, size_t mi, bool allow_images, bool null_when_empty) {
    std::vector<const ContentPart*> parts = usable_parts(m, mi, allow_images);
    bool all_text = true;
    for (const ContentPart* p : parts) all_text = all_text && p->kind == ContentPart::Kind::Text;
    w_.key("content");
    if (parts.empty()) {
      if (null_when_empty) w_.null();
      else w_.value("");
      return;
    }
    if (all_text && (m.content_was_string || (!same_source_ && parts.size() == 1))) {
      std::string joined;
      for (const ContentPart* p : parts) joined += p->text;
      w_.value(joined);
      return;
    }
    w_.begin_array();
    for (const ContentPart* p : parts) write_part(*p);
    w_.end_array();
  }

  void write_message(const Message& m, size_t mi) {
    w_.begin_object();
    switch (m.role) {
      case Role::System:
        w_.field("role", m.developer && q_.supports_developer_role ? "developer" : "system");
        write_content(m, mi, /*allow_images=*/false, /*null_when_empty=*/false);
        if (!m.name.empty()) w_.field("name", m.name);
        break;
      case Role::User:
        w_.field("role", "user");
        write_content(m, mi, /*allow_images=*/true, /*null_when_empty=*/false);
        if (!m.name.empty()) w_.field("name", m.name);
        break;
      case Role::Assistant:
        w_.field("role", "assistant");
        write_content(m, mi, /*allow_images=*/false, /*null_when_empty=*/!m.tool_calls.empty());
        if (!m.name.empty()) w_.field("name", m.name);
        if (!m.tool_calls.empty()) {
          w_.key("tool_calls").begin_array();
          for (const ToolCall& tc : m.tool_calls) {
            w_.begin_object();
            w_.field("id", tool_id(tc.id)).field("type", "function");
            w_.key("function").begin_object();
            w_.field("name", tc.name);
            w_.field("arguments", tc.arguments.empty() ? std::string_view("{}")
                                                       : std::string_view(tc.arguments));
            w_.end_object();
            w_.end_object();
          }
          w_.end_array();
        }
        break;
      case Role::Tool:
        w_.field("role", "tool");
        w_.field("tool_call_id", tool_id(m.tool_call_id));
        write_tool_content(m, mi);
        break;
    }
    w_.end_object();
  }

  // A tool message carries text only: images and files it returned are kept for one user
  // message after the run of tool messages (OpenAI wants every result right after its call);
  // an Anthropic is_error becomes a visible "Error: " prefix (OpenAI has no such flag).
  void write_tool_content(const Message& m, size_t mi) {
    std::vector<const ContentPart*> parts;
    size_t media = 0;
    for (const ContentPart* p : usable_parts(m, mi, /*allow_images=*/true)) {
      if (p->kind == ContentPart::Kind::Image || p->kind == ContentPart::Kind::File) {
        pending_media_.push_back(p);
        ++media;
      } else {
        parts.push_back(p);
      }
    }
    std::string notice;
    if (media > 0) {
      pending_media_calls_.push_back(m.tool_call_id);
      notice = "[" + std::to_string(media) + (media == 1 ? " attachment" : " attachments") +
               " returned: see the next user message]";
    }
    const std::string_view prefix = m.is_error ? kToolErrorPrefix : std::string_view();
    bool all_text = true;
    for (const ContentPart* p : parts) all_text = all_text && p->kind == ContentPart::Kind::Text;
    w_.key("content");
    const bool single = parts.size() == 1 && !same_source_;
    if (all_text && (parts.empty() || m.content_was_string || single)) {
      std::string text(prefix);
      for (const ContentPart* p : parts) text += p->text;
      if (!notice.empty()) {
        if (text.size() > prefix.size()) text += "\n";
        text += notice;
      }
      w_.value(text);
      return;
    }
    w_.begin_array();
    if (!prefix.empty()) w_.begin_object().field("type", "text").field("text", prefix).end_object();
    for (const ContentPart* p : parts) write_part(*p);
    if (!notice.empty()) w_.begin_object().field("type", "text").field("text", notice).end_object();
    w_.end_array();
  }

  // The user message holding the attachments of the tool results just written.
  void flush_tool_media() {
    if (pending_media_.empty()) return;
    w_.begin_object().field("role", "user").key("content").begin_array();
    std::string intro = "Attachments returned by tool call";
    intro += pending_media_calls_.size() == 1 ? " " : "s ";
    for (size_t k = 0; k < pending_media_calls_.size(); ++k) {
      if (k > 0) intro += ", ";
      intro += tool_id(pending_media_calls_[k]);
    }
    intro += ":";
    w_.begin_object().field("type", "text").field("text", intro).end_object();
    for (const ContentPart* p : pending_media_) write_part(*p);
    w_.end_array().end_object();
    pending_media_.clear();
    pending_media_calls_.clear();
  }

  void write_tools() {
    if (req_.tools.empty()) return;
    emit_key("tools");
    w_.begin_array();
    for (const ToolDef& t : req_.tools) {
      w_.begin_object().field("type", "function");
      w_.key("function").begin_object();
      w_.field("name", t.name);
      if (!t.description.empty()) w_.field("description", t.description);
      if (!t.parameters.empty()) w_.field_raw("parameters", t.parameters);
      if (t.strict) w_.field("strict", *t.strict);
      w_.end_object();
      w_.end_object();
    }
    w_.end_array();
    switch (req_.tool_choice.mode) {
      case ToolChoice::Mode::Unset: break;
      case ToolChoice::Mode::Auto: emit_key("tool_choice"); w_.value("auto"); break;
      case ToolChoice::Mode::None: emit_key("tool_choice"); w_.value("none"); break;
      case ToolChoice::Mode::Required: emit_key("tool_choice"); w_.value("required"); break;
      case ToolChoice::Mode::Function:
        emit_key("tool_choice");
        w_.begin_object().field("type", "function");
        w_.key("function").begin_object().field("name", req_.tool_choice.name).end_object();
        w_.end_object();
        break;
    }
    if (req_.parallel_tool_calls) {
      emit_key("parallel_tool_calls");
      w_.value(*req_.parallel_tool_calls);
    }
  }

  Status unsupported_format(const char* kind) const {
    Error e = Error::make(ErrorKind::UnsupportedParameter,
                          "provider '" + d_.provider->name + "' does not support response_format " +
                              kind,
                          "response_format", "unsupported_parameter");
    e.provider = d_.provider->name;
    return e;
  }

  Status write_response_format() {
    const ResponseFormat& rf = req_.response_format;
    switch (rf.kind) {
      case ResponseFormat::Kind::Unset: return {};
      case ResponseFormat::Kind::Text:
        emit_key("response_format");
        w_.begin_object().field("type", "text").end_object();
        return {};
      case ResponseFormat::Kind::JsonObject:
        if (!q_.supports_json_object) return unsupported_format("json_object");
        emit_key("response_format");
        w_.begin_object().field("type", "json_object").end_object();
        return {};
      case ResponseFormat::Kind::JsonSchema:
        if (!q_.supports_json_schema) return unsupported_format("json_schema");
        emit_key("response_format");
        w_.begin_object().field("type", "json_schema");
        w_.key("json_schema").begin_object();
        w_.field("name", rf.name.empty() ? std::string_view("response") : std::string_view(rf.name));
        if (!rf.description.empty()) w_.field("description", rf.description);
        if (!rf.schema.empty()) w_.field_raw("schema", rf.schema);
        if (rf.strict) w_.field("strict", *rf.strict);
        w_.end_object();
        w_.end_object();
        return {};
    }
    return {};
  }

  void write_sampling() {
    if (!req_.stop.empty()) {
      emit_key("stop");
      w_.begin_array();
      for (const std::string& s : req_.stop) w_.value(s);
      w_.end_array();
    }
    if (req_.max_tokens) {
      emit_key(q_.max_tokens_legacy ? "max_tokens" : "max_completion_tokens");
      w_.value(*req_.max_tokens);
    }
    if (req_.temperature) { emit_key("temperature"); w_.value(*req_.temperature); }
    if (req_.top_p) { emit_key("top_p"); w_.value(*req_.top_p); }
    if (req_.top_k) report_.dropped.push_back("top_k");
    if (req_.seed) { emit_key("seed"); w_.value(*req_.seed); }
    if (!req_.user.empty()) { emit_key("user"); w_.value(req_.user); }
    if (!req_.reasoning_effort.empty()) {
      emit_key("reasoning_effort");
      w_.value(req_.reasoning_effort);
    } else if (req_.reasoning_budget_tokens) {
      report_.dropped.push_back("reasoning_budget_tokens");
    }
    if (req_.stream) {
      emit_key("stream");
      w_.value(true);
      if (q_.supports_stream_options) {
        emit_key("stream_options");
        w_.begin_object().field("include_usage", true).end_object();
      }
    }
  }

  void write_extras() {
    if (!same_source_) return;
    for (const RawField& f : req_.extras) {
      bool dup = false;
      for (std::string_view k : emitted_) dup = dup || k == f.key;
      if (dup || f.json.empty()) continue;  // a modelled field already rendered wins
      w_.field_raw(f.key, f.json);
    }
  }

  const ChatRequest& req_;
  const Deployment& d_;
  const ProviderQuirks& q_;
  TranslationReport& report_;
  json::Writer w_;
  bool same_source_;
  std::vector<std::string_view> emitted_;
  bool dropped_image_ = false;
  bool dropped_thinking_ = false;
  bool dropped_redacted_ = false;
  bool dropped_raw_ = false;
  bool dropped_file_ = false;
  std::vector<const ContentPart*> pending_media_;  // tool-result images/files not yet sent
  std::vector<std::string> pending_media_calls_;   // the calls that returned them
};

}  // namespace

std::string chat_completions_path(std::string_view base_url) {
  std::string_view p = base_path_of(base_url);
  if (p.size() >= 3 && p.substr(p.size() - 3) == "/v1") return "/chat/completions";
  return "/v1/chat/completions";
}

std::string mistral_tool_id(std::string_view id) {
  bool ok = id.size() == 9;
  for (char c : id) ok = ok && is_alnum(c);
  if (ok) return std::string(id);
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t h = fnv1a(id);
  std::string out(9, 'A');
  for (char& c : out) {  // 62^9 < 2^64: nine base-62 digits of the hash
    c = kAlphabet[h % 62];
    h /= 62;
  }
  return out;
}

Result<UpstreamRequest> build_request(const ChatRequest& req, const Deployment& d,
                                      TranslationReport& report) {
  if (d.provider == nullptr) {
    return Error::make(ErrorKind::Internal, "deployment has no provider");
  }
  UpstreamRequest up;
  up.method = "POST";
  up.path = chat_completions_path(d.provider->base_url);
  up.stream = req.stream;
  up.headers.emplace_back("content-type", "application/json");
  if (!d.provider->api_key.empty()) {
    up.headers.emplace_back("authorization", "Bearer " + d.provider->api_key);
  }
  for (const auto& h : d.provider->extra_headers) up.headers.push_back(h);
  if (req.source == Protocol::OpenAIChat) {
    for (const auto& h : req.forward_headers) up.headers.push_back(h);
  }
  up.body.reserve(1024);
  BodyWriter bw(req, d, report, up.body);
  if (Status s = bw.write(); !s.ok()) return s.take_error();
  return up;
}

}  // namespace openrain::providers::openai
