#include "pipeline/fold.hpp"

namespace openrain::pipeline {

OutputBlock* Fold::tool_block(int index) {
  for (auto& [i, pos] : tool_slots_) if (i == index) return &r_.blocks[pos];
  return nullptr;
}

void Fold::on_event(StreamEvent&& ev) {
  using K = StreamEvent::Kind;
  auto append_text = [&](OutputBlock::Kind kind, std::string& text) {
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
  }
}

}  // namespace openrain::pipeline
