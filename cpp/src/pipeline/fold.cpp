#include "pipeline/fold.hpp"

namespace openrain::pipeline {

namespace {

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

/// Append the raw JSON `element` to the array member `key` of `extras` (created when absent or
/// not an array). An empty `element` only makes sure the member exists.
void append_element(std::vector<RawField>& extras, const std::string& key, const std::string& element) {
  RawField* f = nullptr;
  for (auto& e : extras) if (e.key == key) f = &e;
  if (f == nullptr) {
    extras.push_back({key, "[]"});
    f = &extras.back();
  }
  std::string& a = f->json;
  size_t open = a.find_first_not_of(" \t\r\n");
  size_t close = a.find_last_not_of(" \t\r\n");
  if (open == std::string::npos || a[open] != '[' || a[close] != ']') {
    a = "[]";
    open = 0;
    close = 1;
  }
  if (blank(element)) return;
  const bool empty = blank(std::string_view(a).substr(open + 1, close - open - 1));
  a.insert(close, empty ? element : "," + element);
}

}  // namespace

OutputBlock* Fold::tool_block(int index) {
  for (auto& [i, pos] : tool_slots_) if (i == index) return &r_.blocks[pos];
  return nullptr;
}

void Fold::on_event(StreamEvent&& ev) {
  using K = StreamEvent::Kind;
  auto append_text = [&](OutputBlock::Kind kind, std::string& text) {
    if (kind == OutputBlock::Kind::Text) {
      current_text().text += text;
      return;
    }
    // A signed reasoning block is complete: the next reasoning delta opens a new block.
    if (!r_.blocks.empty() && r_.blocks.back().kind == kind &&
        !(kind == OutputBlock::Kind::Reasoning && !r_.blocks.back().signature.empty())) {
      r_.blocks.back().text += text;
    } else {
      OutputBlock b;
      b.kind = kind;
      b.text = std::move(text);
      r_.blocks.push_back(std::move(b));
    }
  };
  const bool other_block = ev.kind == K::RefusalDelta || ev.kind == K::ReasoningDelta ||
                           ev.kind == K::ReasoningSignature || ev.kind == K::RedactedReasoning ||
                           ev.kind == K::ToolCallStart || ev.kind == K::NativeBlock;
  if (other_block && text_break_) {  // an announced text block that never got text
    text_break_ = false;
    next_text_extras_.clear();
  }
  switch (ev.kind) {
    case K::Start:
      r_.id = std::move(ev.id);
      r_.upstream_model = std::move(ev.name);
      r_.created = ev.created;
      r_.extras = std::move(ev.extras);
      break;
    case K::TextDelta:
      if (ev.signature.empty()) {
        append_text(OutputBlock::Kind::Text, ev.text);
      } else if (!r_.blocks.empty() && r_.blocks.back().kind == OutputBlock::Kind::Text &&
                 r_.blocks.back().signature.empty() &&
                 (ev.text.empty() || r_.blocks.back().text.empty())) {
        // Gemini's trailing {"text":"","thoughtSignature":...} part signs the text before it.
        r_.blocks.back().text += ev.text;
        r_.blocks.back().signature = std::move(ev.signature);
      } else {
        OutputBlock b;  // a signed text part starts its own block (the signature stays on it)
        b.kind = OutputBlock::Kind::Text;
        b.text = std::move(ev.text);
        b.signature = std::move(ev.signature);
        r_.blocks.push_back(std::move(b));
      }
      break;
    case K::RefusalDelta: append_text(OutputBlock::Kind::Refusal, ev.text); break;
    case K::ReasoningDelta: append_text(OutputBlock::Kind::Reasoning, ev.text); break;
    case K::ReasoningSignature:
      if (!r_.blocks.empty() && r_.blocks.back().kind == OutputBlock::Kind::Reasoning) {
        r_.blocks.back().signature += ev.text;
      } else {
        OutputBlock b;
        b.kind = OutputBlock::Kind::Reasoning;
        b.signature = std::move(ev.text);
        r_.blocks.push_back(std::move(b));
      }
      break;
    case K::RedactedReasoning: {
      OutputBlock b;
      b.kind = OutputBlock::Kind::RedactedReasoning;
      b.text = std::move(ev.text);
      r_.blocks.push_back(std::move(b));
      break;
    }
    case K::ToolCallStart: {
      OutputBlock b;
      b.kind = OutputBlock::Kind::ToolCall;
      b.id = std::move(ev.id);
      b.name = std::move(ev.name);
      b.signature = std::move(ev.signature);
      tool_slots_.emplace_back(ev.index, r_.blocks.size());
      r_.blocks.push_back(std::move(b));
      break;
    }
    case K::ToolCallDelta:
      if (auto* b = tool_block(ev.index)) b->arguments += ev.text;
      break;
    case K::ToolCallEnd: break;
    case K::Usage:
      r_.usage = ev.usage;
      r_.has_usage = true;
      break;
    case K::Finish:
      r_.finish = ev.finish;
      r_.finished = true;
      r_.stop_sequence = std::move(ev.stop_sequence);
      r_.native_finish = std::move(ev.native_finish);
      break;
    case K::Error:
      r_.error = std::move(ev.error);
      break;
    case K::TextStart:
      text_break_ = true;
      next_text_extras_ = std::move(ev.extras);
      next_text_native_ = ev.native;
      break;
    case K::TextAnnotation: {
      OutputBlock& b = current_text();
      b.native = ev.native;
      append_element(b.extras, ev.name, ev.text);
      break;
    }
    case K::NativeBlock: {
      OutputBlock b;
      b.kind = OutputBlock::Kind::Native;
      b.text = std::move(ev.text);
      b.name = std::move(ev.name);
      b.native = ev.native;
      r_.blocks.push_back(std::move(b));
      break;
    }
  }
}

OutputBlock& Fold::current_text() {
  if (text_break_ || r_.blocks.empty() || r_.blocks.back().kind != OutputBlock::Kind::Text) {
    OutputBlock b;
    b.kind = OutputBlock::Kind::Text;
    if (text_break_) {
      b.extras = std::move(next_text_extras_);
      b.native = next_text_native_;
      next_text_extras_.clear();
    }
    text_break_ = false;
    r_.blocks.push_back(std::move(b));
  }
  return r_.blocks.back();
}

}  // namespace openrain::pipeline
