// testing/event_recorder.hpp — shared helpers for decoder tests: record canonical events, render
// them as a compact comparable text, read fixtures, and split a byte string whole / byte-by-byte /
// at random points so every decoder is proven split-invariant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "openrain/canonical.hpp"

namespace openrain::testing {

class Recorder final : public EventSink {
 public:
  void on_event(StreamEvent&& ev) override { events.push_back(std::move(ev)); }
  /// One line per event, adjacent deltas of the same kind/index merged, e.g.
  /// "start id=... model=...", "text Hello world", "tool_start 0 call_1 get_weather",
  /// "tool_args 0 {\"a\":1}", "usage in=10 out=5 cached=2 cw=0 reasoning=3", "finish tool_calls".
  std::string summary() const;
  std::vector<StreamEvent> events;
};

/// Read a file (absolute, or relative to OPENRAIN_FIXTURES_DIR). Fails the test if missing.
std::string read_fixture(std::string_view rel_path);
/// Rebuild an SSE body from a .chunks.jsonl file: "data: <line>\n\n" per line
/// (plus "event: <type>\n" first when `with_event_names`).
std::string sse_from_jsonl(std::string_view jsonl, bool with_event_names);

/// Split strategies: whole, byte-by-byte, and `n` deterministic random splits (seeded).
std::vector<std::vector<std::string>> split_variants(std::string_view body, uint32_t seed = 42,
                                                     int random_variants = 8);

}  // namespace openrain::testing
