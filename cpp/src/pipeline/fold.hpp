// pipeline/fold.hpp — a non-streaming response is the fold of the event stream.
//
// Owns: Fold, an EventSink that accumulates canonical events into a FoldedResponse (adjacent text
// and reasoning deltas merged, tool-call argument fragments joined per index, last usage wins;
// a TextStart event starts a new text block carrying its raw members, TextAnnotation appends to
// them, NativeBlock becomes an OutputBlock::Kind::Native).
// Every surface renders its non-streaming body from a FoldedResponse, so streamed and
// non-streamed answers can never disagree. Thread-safety: one Fold per response.
#pragma once

#include "openrain/canonical.hpp"

namespace openrain::pipeline {

class Fold final : public EventSink {
 public:
  void on_event(StreamEvent&& ev) override;
  FoldedResponse& result() { return r_; }

 private:
  OutputBlock* tool_block(int index);
  /// The text block text goes to (a new one after a TextStart or a non-text block).
  OutputBlock& current_text();
  FoldedResponse r_;
  bool text_break_ = false;
  std::vector<RawField> next_text_extras_;
  Protocol next_text_native_ = Protocol::OpenAIChat;
  std::vector<std::pair<int, size_t>> tool_slots_;  // tool index -> block position
};

}  // namespace openrain::pipeline
