// pipeline/stage_metrics.hpp — per-stage request timing: Server-Timing header and histograms.
//
// Owns: StageClock (one request's stage durations, in the request's coroutine frame) and
// StageHistograms (process-wide, lock-free: log2-bucketed atomic counters per stage), exported as
// Prometheus text on GET /metrics. Stages: parse (decode the caller body), route (alias lookup +
// upstream request encoding), upstream (request handed to the client → response head: connect,
// TLS, upstream think time), translate (decoding upstream bytes and rendering caller bytes),
// write (handing bytes to the caller's sink). Thread-safety: StageClock is per request;
// StageHistograms::record is wait-free and safe from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace openrain::pipeline {

enum class Stage : uint8_t { Parse, Route, Upstream, Translate, Write, Total, kCount };
const char* stage_name(Stage s);

class StageHistograms {
 public:
  static constexpr int kBuckets = 28;  // 2^0 .. 2^27 microseconds (~134 s)
  void record(Stage s, int64_t micros);
  /// Append Prometheus text exposition of every stage histogram.
  void render_prometheus(std::string& out) const;
  static StageHistograms& global();

 private:
  struct Hist {
    std::array<std::atomic<uint64_t>, kBuckets> buckets{};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_us{0};
  };
  std::array<Hist, static_cast<size_t>(Stage::kCount)> hists_{};
};

class StageClock {
 public:
  using Clock = std::chrono::steady_clock;
  StageClock() : start_(Clock::now()), mark_(start_) {}
  /// Attribute the time since the previous mark to `s`.
  void lap(Stage s) {
    auto now = Clock::now();
    add(s, now - mark_);
    mark_ = now;
  }
  /// Add an explicitly measured duration to `s` (does not move the mark).
  void add(Stage s, Clock::duration d) {
    us_[static_cast<size_t>(s)] += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  }
  void reset_mark() { mark_ = Clock::now(); }
  /// "parse;dur=0.012, route;dur=0.004, ..." (milliseconds, as Server-Timing wants).
  std::string server_timing() const;
  /// Record every stage (and the total) into the global histograms.
  void publish() const;

 private:
  Clock::time_point start_;
  Clock::time_point mark_;
  std::array<int64_t, static_cast<size_t>(Stage::kCount)> us_{};  // nanoseconds, despite the name
};

}  // namespace openrain::pipeline
