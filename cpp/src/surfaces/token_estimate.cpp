#include "surfaces/token_estimate.hpp"

#include <string_view>

#include "json/writer.hpp"

namespace openrain::surfaces {

namespace {

constexpr int64_t kBase = 3;
constexpr int64_t kPerMessage = 4;
constexpr int64_t kPerImage = 1600;
constexpr int64_t kPerToolCall = 8;
constexpr int64_t kPerToolDef = 8;
constexpr int64_t kToolSystemPrompt = 300;

class Counter {
 public:
  void text(std::string_view s) {
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      if (c < 0x80) ++ascii_;
      else if ((c & 0xC0) != 0x80) ++other_;  // a UTF-8 lead byte starts one code point
    }
  }
  void fixed(int64_t n) { fixed_ += n; }
  int64_t total() const { return (ascii_ + 3) / 4 + other_ + fixed_; }

 private:
  int64_t ascii_ = 0;
  int64_t other_ = 0;
  int64_t fixed_ = 0;
};

}  // namespace

int64_t estimate_input_tokens(const ChatRequest& req) {
  Counter c;
  c.fixed(kBase);
  for (const Message& m : req.messages) {
    c.fixed(kPerMessage);
    for (const ContentPart& p : m.content) {
      switch (p.kind) {
        case ContentPart::Kind::Text:
        case ContentPart::Kind::Thinking:
          c.text(p.text);
          break;
        case ContentPart::Kind::Image: c.fixed(kPerImage); break;
        case ContentPart::Kind::RedactedThinking: break;
        case ContentPart::Kind::File:  // as when documents travelled raw: by encoded size
          c.text(p.data);
          c.text(p.url);
          c.text(p.raw);
          break;
        case ContentPart::Kind::Raw: c.text(p.raw); break;
      }
    }
    for (const ToolCall& tc : m.tool_calls) {
      c.fixed(kPerToolCall);
      c.text(tc.id);
      c.text(tc.name);
      c.text(tc.arguments);
    }
    if (m.role == Role::Tool) {
      c.fixed(kPerToolCall);
      c.text(m.tool_call_id);
    }
  }
  if (!req.tools.empty()) c.fixed(kToolSystemPrompt);
  for (const ToolDef& t : req.tools) {
    c.fixed(kPerToolDef);
    c.text(t.name);
    c.text(t.description);
    c.text(t.parameters);
  }
  c.text(req.response_format.schema);
  int64_t n = c.total();
  return n < 1 ? 1 : n;
}

void render_anthropic_count_tokens(int64_t n, std::string& out) {
  json::Writer w(out);
  w.begin_object().field("input_tokens", n).end_object();
}

}  // namespace openrain::surfaces
