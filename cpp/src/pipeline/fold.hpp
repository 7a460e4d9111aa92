// pipeline/fold.hpp — a non-streaming response is the fold of the event stream.
//
// Owns: Fold, an EventSink that accumulates canonical events into a FoldedResponse (adjacent text
// and reasoning deltas merged, tool-call argument fragments joined per index, last usage wins).
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
  FoldedResponse r_;
  std::vector<std::pair<int, size_t>> tool_slots_;  // tool index -> block position
};

}  // namespace openrain::pipeline
