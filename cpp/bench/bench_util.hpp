// bench/bench_util.hpp — shared helpers of the Google Benchmark micro-benchmarks (openrain_bench).
//
// Owns: locating /work/shared/fixtures (env OPENRAIN_FIXTURES_DIR, else ../../../shared/fixtures
// relative to this file, as the unit tests do), reading files, listing a fixture directory by
// extension, extracting the "body" of a recorded request envelope, rendering the benchmark's own
// 64-chunk reply (the exact stream bench/run.py loads the gateways with) in each wire format via
// the simulator's renderers, a throwaway EventSink, and the per-event counter helper.
// Thread-safety: plain functions; benchmarks are single-threaded.
#pragma once

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openrain/canonical.hpp"
#include "sim/script.hpp"
#include "sim/wire_render.hpp"

namespace openrain::bench {

inline std::string fixtures_dir() {
  if (const char* env = std::getenv("OPENRAIN_FIXTURES_DIR")) return env;
  std::filesystem::path here(__FILE__);
  return (here.parent_path() / ".." / ".." / ".." / "shared" / "fixtures").lexically_normal().string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// Files of fixtures/<dir> whose name ends with `suffix`, sorted; (name, contents).
inline std::vector<std::pair<std::string, std::string>> fixture_files(const std::string& dir,
                                                                      const std::string& suffix) {
  std::vector<std::pair<std::string, std::string>> out;
  std::filesystem::path p = std::filesystem::path(fixtures_dir()) / dir;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.emplace_back(name, read_file(e.path().string()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The minified "body" member of a recorded request envelope ({"method","path","headers","body"}).
inline std::string envelope_body(const std::string& envelope) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(envelope).get(doc)) return {};
  simdjson::dom::element body;
  if (doc["body"].get(body)) return {};
  return simdjson::minify(body);
}

/// The benchmark reply (bench/sim_host.py: 64 words in 64 chunks) in `wire`, as the simulator
/// sends it.
inline std::string bench_reply(sim::Wire wire, bool stream) {
  static const char* kScript =
      R"({"text": "The sea at dawn is calm and grey while gulls drift over the harbour wall and )"
      R"(fishing boats return with their nets full of silver light that flickers on the water as )"
      R"(the town wakes up slowly under a pale sky full of clouds moving east toward the hills )"
      R"(where old stone houses stand quiet in the morning mist and one small striped zebra", )"
      R"("chunks": 64, "usage": {"input": 40, "output": 64}, "created": 1700000000})";
  auto script = sim::parse_script(kScript);
  if (!script.ok()) return {};
  sim::RenderContext ctx;
  ctx.wire = wire;
  ctx.stream = stream;
  ctx.model = wire == sim::Wire::Anthropic ? "claude-sonnet-4-5" : "gpt-4o-mini";
  ctx.now = 1700000000;
  sim::Reply reply;
  sim::render_reply(script.value(), ctx, reply);
  return reply.body;
}

/// Counts events and keeps the last one alive so the optimiser cannot drop the work.
class CountingSink final : public EventSink {
 public:
  void on_event(StreamEvent&& ev) override {
    ++events;
    last = std::move(ev);
  }
  size_t events = 0;
  StreamEvent last;
};

/// Report "sec_per_event" (bench/run.py shows it as ns per event) and events/s.
inline void set_event_counters(benchmark::State& state, double events_per_iteration) {
  state.counters["sec_per_event"] = benchmark::Counter(
      events_per_iteration, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace openrain::bench
