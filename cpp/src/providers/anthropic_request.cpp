// providers/anthropic_request.cpp — ChatRequest → Anthropic Messages request (body + headers).
//
// Policies (see protocols/anthropic-messages.md and research/provider-pitfalls.md):
//   * the leading System/developer messages (those before the first other message) are lifted
//     into top-level `system` (one string when all parts are plain text, joined by a blank line;
//     otherwise text blocks keeping each part's Anthropic extras such as cache_control when the
//     caller spoke Anthropic); a later system message keeps its place as user-role text (its
//     role change is reported as `messages[i].role`), since moving it to the top would change
//     what the model follows (pitfall MO2);
//   * image media types come from the bytes when they say otherwise (pitfall MM3);
//   * inline files: a PDF is a base64 `document`, text (text/*, JSON, XML) a `text`-source
//     document (decoded, sent as text/plain), an image an `image` block; any other type is a 400
//     naming the part, never a document Anthropic would reject;
//   * thinking: a budget is at least 1024 and below max_tokens, also for a same-protocol
//     caller's own `thinking` (pitfall CC6); with thinking on (enabled or adaptive) a forced
//     tool_choice becomes auto and is reported (pitfall TC6), and sampling parameters thinking
//     rejects are dropped and reported;
//   * client identification headers (user-agent, x-app, x-stainless-*) of an Anthropic caller
//     are forwarded, never credentials (pitfall CC5);
//   * Tool messages become `tool_result` blocks in a user turn; consecutive same-role turns are
//     merged and, in every user turn, tool_result blocks come before anything else;
//   * empty or whitespace-only text blocks are never sent (Anthropic rejects them) and messages
//     left without content are dropped; a conversation that starts with an assistant turn is sent
//     as is (nothing is prepended);
//   * tool-call ids go through safe_tool_id() on both tool_use.id and tool_result.tool_use_id;
//   * thinking blocks are replayed byte-identical, only when signed and not produced by Gemini;
//   * Raw blocks and unknown top-level fields are forwarded only when req.source == Anthropic.
#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "providers/anthropic.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "util/ascii.hpp"

namespace openrain::providers::anthropic {
namespace {

using ascii::iequals;

using json::Writer;

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool contains(std::initializer_list<std::string_view> keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

/// Write the members of the raw JSON object `raw` into the currently open object, except `skip`.
/// Anything that is not a non-empty object is ignored (extras are best-effort).
void write_extras(Writer& w, std::string_view raw, std::initializer_list<std::string_view> skip) {
  raw = trim(raw);
  if (raw.size() <= 2 || raw.front() != '{') return;
  auto parsed = json::thread_reader().parse(raw);
  json::Object obj;
  if (!parsed.ok() || parsed.value().get_object().get(obj) != simdjson::SUCCESS) return;
  for (auto field : obj) {
    if (contains(skip, field.key)) continue;
    w.field_raw(field.key, json::to_json(field.value));
  }
}

/// True when `raw` is empty or an empty JSON object (no extras to carry).
bool no_extras(std::string_view raw) {
  raw = trim(raw);
  if (raw.empty()) return true;
  if (raw.front() != '{' || raw.back() != '}') return false;
  return blank(raw.substr(1, raw.size() - 2));
}

/// The media type to declare for inline image bytes: what the bytes are when they are one of the
/// four types Anthropic takes (a mislabelled image is rejected with "Image does not match the
/// provided media type"), otherwise the declared type normalised (image/jpg → image/jpeg;
/// nothing declared → image/png).
std::string normalise_media_type(std::string mt, std::string_view data) {
  std::string sniffed = sniff_image_media_type(data);
  if (!sniffed.empty()) return sniffed;
  for (char& c : mt) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (mt == "image/jpg") return "image/jpeg";
  if (mt.empty() || mt == "application/octet-stream") return "image/png";
  return mt;
}

/// Caller headers that identify the client application (Claude Code's entitlement checks key on
/// them). Credentials are never in this set.
bool is_client_identification_header(std::string_view name) {
  if (iequals(name, "user-agent") || iequals(name, "x-app")) return true;
  constexpr std::string_view kStainless = "x-stainless-";
  return name.size() > kStainless.size() && iequals(name.substr(0, kStainless.size()), kStainless);
}

/// Index of the first message that is not a System message (messages before it are "leading").
size_t leading_system_end(const std::vector<Message>& messages) {
  size_t i = 0;
  while (i < messages.size() && messages[i].role == Role::System) ++i;
  return i;
}

/// How an inline file reaches Anthropic: a PDF as a base64 document, text as a text document
/// (Anthropic's text source is always text/plain), an image as an image block; nothing else.
enum class DocumentSource : uint8_t { Pdf, Text, Image, Url, Unsupported };

DocumentSource document_source(std::string_view media_type) {
  std::string mt(trim(media_type.substr(0, media_type.find(';'))));  // drop "; charset=..."
  for (char& c : mt) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (mt == "application/pdf") return DocumentSource::Pdf;
  if (mt.rfind("text/", 0) == 0 || mt == "application/json" || mt == "application/xml") {
    return DocumentSource::Text;
  }
  if (mt == "image/png" || mt == "image/jpeg" || mt == "image/jpg" || mt == "image/gif" ||
      mt == "image/webp") {
    return DocumentSource::Image;
  }
  return DocumentSource::Unsupported;
}

struct Block {
  std::string json;
  bool tool_result = false;
};

struct Turn {
  Role role = Role::User;  // User or Assistant only
  std::vector<Block> blocks;
  const std::string* string_content = nullptr;  // same-protocol string content, re-sent as is
};

struct Thinking {
  bool enabled = false;   // type "enabled" with `budget`
  bool adaptive = false;  // the caller's own adaptive thinking (same protocol), re-sent raw
  int64_t budget = 0;
  bool on() const { return enabled || adaptive; }
};

class RequestEncoder {
 public:
  RequestEncoder(const ChatRequest& req, const Deployment& d, TranslationReport& report)
      : req_(req), d_(d), report_(report), same_(req.source == Protocol::Anthropic) {}

  Result<UpstreamRequest> run();

 private:
  void drop(std::string field, std::string reason = {}) {
    if (std::find(report_.dropped.begin(), report_.dropped.end(), field) == report_.dropped.end()) {
      report_.dropped.push_back(std::move(field));
      if (!reason.empty()) report_.reasons.push_back(std::move(reason));
    }
  }
  Thinking resolve_thinking();
  Status write_system(Writer& w);
  Status build_turns(std::vector<Turn>& turns);
  Status content_block(const ContentPart& p, Role role, const std::string& path, std::string& out);
  Status image_block(const ContentPart& p, const std::string& path, std::string& out);
  Status document_block(const ContentPart& p, const std::string& path, std::string& out);
  Status tool_result_block(const Message& m, size_t i, std::string& out);
  Status tool_use_block(const ToolCall& c, size_t i, size_t j, std::string& out);
  Status write_tools(Writer& w);
  Status write_tool_choice(Writer& w, bool thinking);
  void write_merged(Writer& w, std::string_view key,
                    const std::vector<std::pair<std::string, std::string>>& mine);
  const RawField* extra(std::string_view key) const {
    if (!same_) return nullptr;
    for (const auto& f : req_.extras) if (f.key == key) return &f;
    return nullptr;
  }
  void emitted(std::string_view key) { emitted_.emplace_back(key); }
  std::string path() const;
  Headers headers() const;

  const ChatRequest& req_;
  const Deployment& d_;
  TranslationReport& report_;
  const bool same_;
  std::vector<std::string> emitted_;
};

std::string RequestEncoder::path() const {
  std::string_view base = d_.provider != nullptr ? std::string_view(d_.provider->base_url) : "";
  if (auto scheme = base.find("://"); scheme != std::string_view::npos) {
    base.remove_prefix(scheme + 3);
    auto slash = base.find('/');
    base = slash == std::string_view::npos ? std::string_view() : base.substr(slash);
  }
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  if (base.size() >= 3 && base.substr(base.size() - 3) == "/v1") return "/messages";
  return "/v1/messages";
}

Headers RequestEncoder::headers() const {
  Headers h;
  h.emplace_back("content-type", "application/json");
  if (d_.provider != nullptr && !d_.provider->api_key.empty()) {
    h.emplace_back("x-api-key", d_.provider->api_key);
  }
  h.emplace_back("anthropic-version", std::string(kApiVersion));

  std::vector<std::string> betas;
  auto add_betas = [&](std::string_view value) {
    while (!value.empty()) {
      auto comma = value.find(',');
      std::string_view tok = trim(value.substr(0, comma));
      if (!tok.empty() && std::find(betas.begin(), betas.end(), tok) == betas.end()) {
        betas.emplace_back(tok);
      }
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  };
  // An Anthropic caller's client identification; the provider's own extra_headers win.
  if (same_) {
    for (const auto& [name, value] : req_.forward_headers) {
      if (is_client_identification_header(name)) h.emplace_back(name, value);
    }
  }
  if (d_.provider != nullptr) {
    for (const auto& [name, value] : d_.provider->extra_headers) {
      if (iequals(name, "anthropic-beta")) {
        add_betas(value);
        continue;
      }
      const std::string& header = name;  // clang < 16 cannot capture structured bindings
      auto it = std::find_if(h.begin(), h.end(), [&](const auto& kv) { return iequals(kv.first, header); });
      if (it != h.end()) it->second = value;
      else h.emplace_back(name, value);
    }
  }
  for (const auto& [name, value] : req_.forward_headers) {
    if (iequals(name, "anthropic-beta")) add_betas(value);  // only this provider forwards them
  }
  if (!betas.empty()) {
    std::string joined;
    for (const auto& b : betas) {
      if (!joined.empty()) joined += ',';
      joined += b;
    }
    h.emplace_back("anthropic-beta", std::move(joined));
  }
  return h;
}

Thinking RequestEncoder::resolve_thinking() {
  Thinking t;
  // Same protocol: the caller's own `thinking` (enabled / adaptive / disabled, display) and
  // `output_config.effort` travel raw in extras; reasoning_effort is only the surface's reading
  // of them, so nothing is synthesised. An enabled budget is still clamped (below).
  if (same_) {
    const RawField* raw = extra("thinking");
    if (raw == nullptr && !req_.reasoning_budget_tokens) return t;
    if (raw != nullptr && !req_.reasoning_budget_tokens) {
      auto parsed = json::thread_reader().parse(raw->json);
      json::Object o;
      t.adaptive = parsed.ok() && parsed.value().get_object().get(o) == simdjson::SUCCESS &&
                   json::get_string(o, "type") == "adaptive";
      return t;
    }
  }
  if (req_.reasoning_budget_tokens) {
    int64_t b = *req_.reasoning_budget_tokens;
    if (b == 0) return t;      // explicit "off"
    t.enabled = true;
    t.budget = b < 0 ? 4096 : std::max<int64_t>(b, 1024);  // -1 = dynamic; Anthropic's minimum
    return t;
  }
  const std::string& e = req_.reasoning_effort;
  if (e.empty() || e == "none") return t;
  t.enabled = true;
  if (e == "minimal" || e == "low") t.budget = 1024;
  else if (e == "medium") t.budget = 4096;
  else if (e == "high") t.budget = 16384;
  else if (e == "xhigh" || e == "max") t.budget = 32768;
  else {
    t.budget = 4096;  // unknown level: medium, and say so
    drop("reasoning_effort");
  }
  return t;
}

Status RequestEncoder::write_system(Writer& w) {
  std::vector<const ContentPart*> parts;
  size_t system_messages = 0;
  bool all_string = true;
  bool plain = true;
  const size_t leading = leading_system_end(req_.messages);
  for (size_t i = 0; i < leading; ++i) {
    const Message& m = req_.messages[i];
    ++system_messages;
    all_string = all_string && m.content_was_string;
    for (size_t j = 0; j < m.content.size(); ++j) {
      const ContentPart& p = m.content[j];
      if (p.kind == ContentPart::Kind::Text) {
        if (blank(p.text)) continue;
        if (same_ && !no_extras(p.raw)) plain = false;
        parts.push_back(&p);
      } else {
        drop(json::path_index(json::path_index("messages", i) + ".content", j));
      }
    }
  }
  if (parts.empty()) return {};
  emitted("system");
  // Other sources: one string (blank-line separated). Same protocol: keep the caller's shape.
  bool as_string = plain && (!same_ || (system_messages == 1 && all_string && parts.size() == 1));
  if (as_string) {
    std::string text;
    for (const ContentPart* p : parts) {
      if (!text.empty()) text += "\n\n";
      text += p->text;
    }
    w.field("system", text);
    return {};
  }
  w.key("system").begin_array();
  for (const ContentPart* p : parts) {
    w.begin_object().field("type", "text").field("text", p->text);
    if (same_) write_extras(w, p->raw, {"type", "text"});
    w.end_object();
  }
  w.end_array();
  return {};
}

Status RequestEncoder::image_block(const ContentPart& p, const std::string& path, std::string& out) {
  Writer w(out);
  w.begin_object().field("type", "image").key("source").begin_object();
  if (!p.data.empty()) {
    w.field("type", "base64")
        .field("media_type", normalise_media_type(p.media_type, p.data))
        .field("data", p.data);
  } else if (p.url.rfind("data:", 0) == 0) {
    auto du = parse_data_url(p.url);
    if (!du) {
      return Error::invalid("Invalid image data URL at '" + path + "': expected data:<type>;base64,<data>.",
                            path, "invalid_image_url");
    }
    w.field("type", "base64")
        .field("media_type", normalise_media_type(du->media_type, du->data))
        .field("data", du->data);
  } else {
    w.field("type", "url").field("url", p.url);
  }
  w.end_object();
  if (same_) write_extras(w, p.raw, {"type", "source"});
  w.end_object();
  if (!p.detail.empty() && p.detail != "auto") drop(path + ".detail");
  return {};
}

Status RequestEncoder::document_block(const ContentPart& p, const std::string& path,
                                      std::string& out) {
  DocumentSource source = DocumentSource::Url;
  std::string text;
  if (!p.data.empty()) {
    source = document_source(p.media_type);
    if (source == DocumentSource::Image) return image_block(p, path, out);
    if (source == DocumentSource::Unsupported) {
      return Error::make(ErrorKind::UnsupportedParameter,
                         "'" + path + "': Anthropic takes documents as PDF (application/pdf) or "
                         "plain text (text/*, application/json, application/xml); a file of type '" +
                             p.media_type + "' cannot be sent. Convert it, or send its text.",
                         path, "unsupported_value");
    }
    if (source == DocumentSource::Text) {
      std::optional<std::string> decoded = base64_decode(p.data);
      if (!decoded || !simdjson::validate_utf8(decoded->data(), decoded->size())) {
        return Error::invalid("'" + path + "': a " + p.media_type +
                                  " file must be base64 of UTF-8 text for this upstream.",
                              path, "invalid_value");
      }
      text = std::move(*decoded);
    }
  }
  Writer w(out);
  w.begin_object().field("type", "document").key("source").begin_object();
  switch (source) {
    case DocumentSource::Pdf:
      w.field("type", "base64").field("media_type", "application/pdf").field("data", p.data);
      break;
    case DocumentSource::Text:
      w.field("type", "text").field("media_type", "text/plain").field("data", text);
      break;
    default:
      w.field("type", "url").field("url", p.url);
      break;
  }
  w.end_object();
  if (same_) {
    write_extras(w, p.raw, {"type", "source"});
  } else if (!p.filename.empty()) {
    w.field("title", p.filename);
  }
  w.end_object();
  return {};
}

/// Encode one content part of a user/assistant message into `out` (left empty when the part is
/// not sent).
Status RequestEncoder::content_block(const ContentPart& p, Role role, const std::string& path,
                                     std::string& out) {
  using K = ContentPart::Kind;
  Writer w(out);
  switch (p.kind) {
    case K::Text:
      if (blank(p.text)) return {};
      w.begin_object().field("type", "text").field("text", p.text);
      if (same_) write_extras(w, p.raw, {"type", "text"});
      w.end_object();
      return {};
    case K::Image:
      if (role == Role::Assistant) {  // Anthropic assistant turns cannot carry images
        drop(path);
        return {};
      }
      return image_block(p, path, out);
    case K::Thinking:
      // Unsigned thinking, or thinking signed by another protocol (a Gemini caller's, or one
      // the gateway carried through another surface, see providers/carry.hpp), would be
      // rejected ("Invalid signature"): never fabricate, just leave it out. OpenAI-shaped
      // callers have no signatures of their own, so theirs can only be Anthropic's.
      if (role != Role::Assistant || p.signature.empty() ||
          p.signature_origin.value_or(req_.source == Protocol::Gemini ? Protocol::Gemini
                                                                       : Protocol::Anthropic) !=
              Protocol::Anthropic) {
        return {};
      }
      w.begin_object().field("type", "thinking").field("thinking", p.text).field("signature", p.signature);
      if (same_) write_extras(w, p.raw, {"type", "thinking", "signature"});
      w.end_object();
      return {};
    case K::RedactedThinking:
      if (role != Role::Assistant || p.data.empty() || req_.source == Protocol::Gemini) return {};
      w.begin_object().field("type", "redacted_thinking").field("data", p.data).end_object();
      return {};
    case K::File:
      if (role == Role::Assistant) {  // documents are user content
        drop(path);
        return {};
      }
      return document_block(p, path, out);
    case K::Raw:
      if (same_ && !blank(p.raw)) {
        out.append(trim(p.raw));
      } else {
        drop(path);
      }
      return {};
  }
  return {};
}

Status RequestEncoder::tool_result_block(const Message& m, size_t i, std::string& out) {
  std::string mpath = json::path_index("messages", i);
  std::vector<std::string> blocks;
  std::vector<const ContentPart*> texts;
  bool only_text = true;
  for (size_t j = 0; j < m.content.size(); ++j) {
    const ContentPart& p = m.content[j];
    std::string ppath = json::path_index(mpath + ".content", j);
    if (p.kind == ContentPart::Kind::Thinking || p.kind == ContentPart::Kind::RedactedThinking) {
      continue;
    }
    std::string b;
    if (Status s = content_block(p, Role::User, ppath, b); !s.ok()) return s;
    if (b.empty()) continue;
    if (p.kind == ContentPart::Kind::Text && (!same_ || no_extras(p.raw))) {
      texts.push_back(&p);
    } else {
      only_text = false;
    }
    blocks.push_back(std::move(b));
  }
  Writer w(out);
  w.begin_object().field("type", "tool_result").field("tool_use_id", safe_tool_id(m.tool_call_id));
  if (only_text && texts.size() == 1) {
    w.field("content", texts.front()->text);
  } else if (!blocks.empty()) {
    w.key("content").begin_array();
    for (const auto& b : blocks) w.raw(b);
    w.end_array();
  }
  if (m.is_error) w.field("is_error", true);
  w.end_object();
  return {};
}

Status RequestEncoder::tool_use_block(const ToolCall& c, size_t i, size_t j, std::string& out) {
  std::string_view args = trim(c.arguments);
  if (args.empty()) {
    args = "{}";
  } else {
    std::string param = json::path_index(json::path_index("messages", i) + ".tool_calls", j) +
                        ".function.arguments";
    auto parsed = json::thread_reader().parse(args);
    if (!parsed.ok() || !parsed.value().is_object()) {
      return Error::invalid("Invalid value for '" + param +
                                "': tool call arguments must be a JSON object for this upstream.",
                            param, "invalid_tool_arguments");
    }
  }
  Writer w(out);
  w.begin_object()
      .field("type", "tool_use")
      .field("id", safe_tool_id(c.id))
      .field("name", c.name)
      .field_raw("input", args)
      .end_object();
  return {};
}

Status RequestEncoder::build_turns(std::vector<Turn>& turns) {
  const size_t leading = leading_system_end(req_.messages);
  for (size_t i = leading; i < req_.messages.size(); ++i) {
    const Message& m = req_.messages[i];
    Turn t;
    t.role = m.role == Role::Assistant ? Role::Assistant : Role::User;
    std::string mpath = json::path_index("messages", i);
    if (!m.name.empty()) drop(mpath + ".name");
    if (m.role == Role::Tool) {
      Block b;
      b.tool_result = true;
      if (Status s = tool_result_block(m, i, b.json); !s.ok()) return s;
      t.blocks.push_back(std::move(b));
    } else {
      for (size_t j = 0; j < m.content.size(); ++j) {
        Block b;
        if (Status s = content_block(m.content[j], t.role, json::path_index(mpath + ".content", j), b.json);
            !s.ok()) {
          return s;
        }
        if (!b.json.empty()) t.blocks.push_back(std::move(b));
      }
      if (m.role == Role::Assistant) {
        for (size_t j = 0; j < m.tool_calls.size(); ++j) {
          Block b;
          if (Status s = tool_use_block(m.tool_calls[j], i, j, b.json); !s.ok()) return s;
          t.blocks.push_back(std::move(b));
        }
      }
    }
    if (t.blocks.empty()) continue;  // Anthropic rejects messages without content
    if (m.role == Role::System) {
      // Anthropic has no system role inside `messages`: the instruction stays where it was,
      // as user-role text (merged into the neighbouring user turn if there is one).
      drop(mpath + ".role", "Anthropic has no system role after the conversation started: `" +
                                mpath + "` goes as user text in its place.");
    }
    if (same_ && m.content_was_string && m.role != Role::Tool && m.content.size() == 1 &&
        t.blocks.size() == 1 && m.content[0].kind == ContentPart::Kind::Text) {
      t.string_content = &m.content[0].text;
    }
    if (!turns.empty() && turns.back().role == t.role) {
      auto& dst = turns.back().blocks;
      for (auto& b : t.blocks) dst.push_back(std::move(b));
      turns.back().string_content = nullptr;
    } else {
      turns.push_back(std::move(t));
    }
  }
  for (auto& t : turns) {
    if (t.role == Role::User) {
      std::stable_partition(t.blocks.begin(), t.blocks.end(), [](const Block& b) { return b.tool_result; });
    }
  }
  if (turns.empty()) {
    return Error::invalid("The request has no non-empty user or assistant message to send.",
                          "messages", "empty_messages");
  }
  return {};
}

Status RequestEncoder::write_tools(Writer& w) {
  if (req_.tools.empty()) return {};
  emitted("tools");
  w.key("tools").begin_array();
  for (size_t i = 0; i < req_.tools.size(); ++i) {
    const ToolDef& t = req_.tools[i];
    std::string_view params = trim(t.parameters);
    if (t.kind == ToolDef::Kind::Server && !no_extras(t.raw_extras)) {
      // A typed server tool ({"type":"web_search_20250305",...}): the caller's object, unchanged.
      w.raw(trim(t.raw_extras));
      continue;
    }
    w.begin_object().field("name", t.name);
    if (!t.description.empty()) w.field("description", t.description);
    if (params.empty()) {
      w.field_raw("input_schema", R"({"type":"object","properties":{}})");
    } else {
      std::string param = json::path_index("tools", i) + ".function.parameters";
      auto parsed = json::thread_reader().parse(params);
      json::Object o;
      if (!parsed.ok() || parsed.value().get_object().get(o) != simdjson::SUCCESS) {
        return Error::invalid("Invalid value for '" + param + "': expected a JSON Schema object.",
                              param, "invalid_tool_schema");
      }
      if (json::has_key(o, "type")) {
        w.field_raw("input_schema", params);
      } else if (o.size() == 0) {
        w.field_raw("input_schema", R"({"type":"object","properties":{}})");
      } else {
        // Anthropic requires an object schema with an explicit "type".
        std::string s = R"({"type":"object",)";
        s.append(trim(params.substr(1)));
        w.field_raw("input_schema", s);
      }
    }
    if (t.strict && *t.strict) w.field("strict", true);
    if (same_) write_extras(w, t.raw_extras, {"name", "description", "input_schema", "strict"});
    w.end_object();
  }
  w.end_array();
  return {};
}

Status RequestEncoder::write_tool_choice(Writer& w, bool thinking) {
  using M = ToolChoice::Mode;
  M mode = req_.tool_choice.mode;
  bool no_parallel = req_.parallel_tool_calls.has_value() && !*req_.parallel_tool_calls;
  if (req_.tools.empty()) {
    if (mode == M::Required || mode == M::Function) {
      return Error::invalid("'tool_choice' requires 'tools' to be specified.", "tool_choice",
                            "invalid_tool_choice");
    }
    return {};  // auto / none without tools: nothing to say
  }
  if (thinking && (mode == M::Required || mode == M::Function)) {
    // Anthropic rejects forced tool use while extended thinking is on: degrade to auto.
    drop("tool_choice", "A forced tool_choice cannot be combined with extended thinking "
                        "(`thinking`); it goes as auto.");
    mode = M::Auto;
  }
  if (mode == M::Unset && !no_parallel) return {};
  emitted("tool_choice");
  w.key("tool_choice").begin_object();
  switch (mode) {
    case M::Unset:
    case M::Auto: w.field("type", "auto"); break;
    case M::None: w.field("type", "none"); break;
    case M::Required: w.field("type", "any"); break;
    case M::Function: w.field("type", "tool").field("name", req_.tool_choice.name); break;
  }
  if (no_parallel && mode != M::None) w.field("disable_parallel_tool_use", true);
  w.end_object();
  return {};
}

/// Write `key` as an object made of `mine`, plus (same-protocol only) the members of the caller's
/// own unmodelled `key` object that `mine` does not already set.
void RequestEncoder::write_merged(Writer& w, std::string_view key,
                                  const std::vector<std::pair<std::string, std::string>>& mine) {
  emitted(key);
  w.key(key).begin_object();
  for (const auto& [k, v] : mine) w.field_raw(k, v);
  if (const RawField* f = extra(key)) {
    std::string_view raw = trim(f->json);
    auto parsed = json::thread_reader().parse(raw);
    json::Object o;
    if (parsed.ok() && parsed.value().get_object().get(o) == simdjson::SUCCESS) {
      for (auto field : o) {
        bool dup = std::any_of(mine.begin(), mine.end(), [&](const auto& kv) { return kv.first == field.key; });
        if (!dup) w.field_raw(field.key, json::to_json(field.value));
      }
    }
  }
  w.end_object();
}

Result<UpstreamRequest> RequestEncoder::run() {
  if (d_.provider == nullptr || d_.model == nullptr) {
    return Error::make(ErrorKind::Internal, "anthropic: deployment has no provider or model");
  }
  std::vector<Turn> turns;
  if (Status s = build_turns(turns); !s.ok()) return s.take_error();

  Thinking thinking = resolve_thinking();
  int64_t max_tokens = req_.max_tokens.value_or(d_.provider->default_max_tokens);
  if (thinking.enabled && max_tokens <= thinking.budget) {
    // max_tokens counts thinking too and must exceed the budget: keep the caller's room for the
    // visible answer on top of the budget.
    max_tokens = thinking.budget + std::max<int64_t>(max_tokens, 1024);
  }

  UpstreamRequest up;
  up.method = "POST";
  up.path = path();
  up.headers = headers();
  up.stream = req_.stream;

  std::string& body = up.body;
  body.reserve(1024);
  Writer w(body);
  w.begin_object();
  w.field("model", d_.model->model);
  w.field("max_tokens", max_tokens);
  emitted("model");
  emitted("max_tokens");
  if (Status s = write_system(w); !s.ok()) return s.take_error();

  emitted("messages");
  w.key("messages").begin_array();
  for (const auto& t : turns) {
    w.begin_object().field("role", t.role == Role::Assistant ? "assistant" : "user");
    if (t.string_content != nullptr) {
      w.field("content", *t.string_content);
    } else {
      w.key("content").begin_array();
      for (const auto& b : t.blocks) w.raw(b.json);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();

  if (Status s = write_tools(w); !s.ok()) return s.take_error();
  if (Status s = write_tool_choice(w, thinking.on()); !s.ok()) return s.take_error();

  bool any_stop = std::any_of(req_.stop.begin(), req_.stop.end(), [](const std::string& s) { return !s.empty(); });
  if (any_stop) {
    emitted("stop_sequences");
    w.key("stop_sequences").begin_array();
    for (const auto& s : req_.stop) if (!s.empty()) w.value(s);
    w.end_array();
  }

  if (req_.temperature) {
    double t = *req_.temperature;
    if (thinking.on()) {
      if (t != 1.0) drop("temperature");  // thinking requires the default temperature
    } else {
      if (t > 1.0) {
        t = 1.0;  // Anthropic's range is 0..1
        drop("temperature");
      }
      emitted("temperature");
      w.field("temperature", t);
    }
  }
  // Claude 4.x models reject temperature and top_p together ("cannot both be specified");
  // keep the caller's temperature and report top_p as dropped (pitfall CC7).
  const bool sent_temperature = req_.temperature && !thinking.on();
  if (req_.top_p && sent_temperature) {
    drop("top_p");
  } else if (req_.top_p) {
    if (thinking.on() && *req_.top_p < 0.95) {
      drop("top_p");  // thinking accepts only 0.95..1
    } else {
      emitted("top_p");
      w.field("top_p", *req_.top_p);
    }
  }
  if (req_.top_k) {
    if (thinking.on()) {
      drop("top_k");
    } else {
      emitted("top_k");
      w.field("top_k", *req_.top_k);
    }
  }
  if (req_.seed) drop("seed");

  if (!req_.user.empty()) {
    std::string v;
    json::append_quoted(v, req_.user);
    write_merged(w, "metadata", {{"user_id", v}});
  }

  if (thinking.enabled) {
    // Same protocol: the caller's other members (display...) are merged back in.
    write_merged(w, "thinking", {{"type", "\"enabled\""}, {"budget_tokens", std::to_string(thinking.budget)}});
  }

  switch (req_.response_format.kind) {
    case ResponseFormat::Kind::Unset:
    case ResponseFormat::Kind::Text:
      break;
    case ResponseFormat::Kind::JsonObject:
      return Error::make(ErrorKind::UnsupportedParameter,
                         "response_format 'json_object' is not supported by Anthropic models: "
                         "use 'json_schema' with an explicit schema instead.",
                         "response_format", "unsupported_parameter");
    case ResponseFormat::Kind::JsonSchema: {
      std::string_view schema = trim(req_.response_format.schema);
      if (schema.empty()) {
        return Error::invalid("response_format 'json_schema' requires a schema.",
                              "response_format.json_schema.schema", "missing_schema");
      }
      std::string format = R"({"type":"json_schema","schema":)";
      format.append(schema);
      format.push_back('}');
      write_merged(w, "output_config", {{"format", format}});
      break;
    }
  }

  if (req_.stream) {
    emitted("stream");
    w.field("stream", true);
  }

  if (same_) {
    for (const auto& f : req_.extras) {
      if (std::find(emitted_.begin(), emitted_.end(), f.key) != emitted_.end()) continue;
      w.field_raw(f.key, trim(f.json));
    }
  }
  w.end_object();
  return up;
}

}  // namespace

Result<UpstreamRequest> build_request(const ChatRequest& req, const Deployment& d,
                                      TranslationReport& report) {
  RequestEncoder enc(req, d, report);
  return enc.run();
}

}  // namespace openrain::providers::anthropic
