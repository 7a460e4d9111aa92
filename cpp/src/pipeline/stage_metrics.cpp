#include "pipeline/stage_metrics.hpp"

#include <bit>
#include <cstdio>

namespace openrain::pipeline {

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::Parse: return "parse";
    case Stage::Route: return "route";
    case Stage::Upstream: return "upstream";
    case Stage::Translate: return "translate";
    case Stage::Write: return "write";
    case Stage::Total: return "total";
    case Stage::kCount: break;
  }
  return "unknown";
}

StageHistograms& StageHistograms::global() {
  static StageHistograms h;
  return h;
}

void StageHistograms::record(Stage s, int64_t micros) {
  if (micros < 0) micros = 0;
  uint64_t u = static_cast<uint64_t>(micros);
  int b = u == 0 ? 0 : std::bit_width(u) - 1;  // bucket b holds [2^b, 2^(b+1)) µs
  if (b >= kBuckets) b = kBuckets - 1;
  Hist& h = hists_[static_cast<size_t>(s)];
  h.buckets[b].fetch_add(1, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_us.fetch_add(u, std::memory_order_relaxed);
}

void StageHistograms::render_prometheus(std::string& out) const {
  out += "# HELP openrain_stage_seconds Time spent per request in each pipeline stage.\n";
  out += "# TYPE openrain_stage_seconds histogram\n";
  char line[160];
  for (size_t i = 0; i < hists_.size(); ++i) {
    const Hist& h = hists_[i];
    const char* name = stage_name(static_cast<Stage>(i));
    uint64_t cumulative = 0;
    for (int b = 0; b < kBuckets; ++b) {
      cumulative += h.buckets[b].load(std::memory_order_relaxed);
      double le = static_cast<double>(uint64_t{1} << (b + 1)) / 1e6;
      std::snprintf(line, sizeof line, "openrain_stage_seconds_bucket{stage=\"%s\",le=\"%g\"} %llu\n",
                    name, le, static_cast<unsigned long long>(cumulative));
      out += line;
    }
    uint64_t count = h.count.load(std::memory_order_relaxed);
    std::snprintf(line, sizeof line,
                  "openrain_stage_seconds_bucket{stage=\"%s\",le=\"+Inf\"} %llu\n"
                  "openrain_stage_seconds_sum{stage=\"%s\"} %g\n"
                  "openrain_stage_seconds_count{stage=\"%s\"} %llu\n",
                  name, static_cast<unsigned long long>(count), name,
                  static_cast<double>(h.sum_us.load(std::memory_order_relaxed)) / 1e6, name,
                  static_cast<unsigned long long>(count));
    out += line;
  }
}

std::string StageClock::server_timing() const {
  std::string out;
  char buf[64];
  for (size_t i = 0; i < us_.size(); ++i) {
    int64_t ns = us_[i];
    if (static_cast<Stage>(i) == Stage::Total) {
      ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
    }
    std::snprintf(buf, sizeof buf, "%s%s;dur=%.3f", out.empty() ? "" : ", ",
                  stage_name(static_cast<Stage>(i)), static_cast<double>(ns) / 1e6);
    out += buf;
  }
  return out;
}

void StageClock::publish() const {
  auto& g = StageHistograms::global();
  for (size_t i = 0; i < us_.size(); ++i) {
    if (static_cast<Stage>(i) == Stage::Total) continue;
    g.record(static_cast<Stage>(i), us_[i] / 1000);
  }
  g.record(Stage::Total,
           std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count());
}

}  // namespace openrain::pipeline
