// bench/framer_bench.cpp — sse::Framer throughput over recorded streams.
//
// Corpus per provider directory of /work/shared/fixtures (every *.sse file, each framed by its
// own Framer, as a gateway does per response), plus the benchmark's own 64-chunk OpenAI and
// Anthropic streams. Fed whole (one feed per stream) and in small chunks (64 and 7 bytes, i.e.
// the worst case of a byte-trickling upstream). Reports MB/s and time per SSE event.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_util.hpp"
#include "sse/framer.hpp"

namespace openrain::bench {
namespace {

struct Corpus {
  std::vector<std::string> streams;
  size_t bytes = 0;
  size_t events = 0;
};

Corpus make_corpus(const std::string& name) {
  Corpus c;
  if (name == "bench-openai") {
    c.streams.push_back(bench_reply(sim::Wire::OpenAIChat, true));
  } else if (name == "bench-anthropic") {
    c.streams.push_back(bench_reply(sim::Wire::Anthropic, true));
  } else {
    for (auto& [file, body] : fixture_files(name, ".sse")) c.streams.push_back(std::move(body));
  }
  for (const auto& s : c.streams) {
    c.bytes += s.size();
    sse::Framer f;
    std::vector<sse::Event> out;
    (void)f.feed(s, out);
    f.finish(out);
    c.events += out.size();
  }
  return c;
}

void BM_Framer(benchmark::State& state, const std::string& name, size_t chunk) {
  Corpus c = make_corpus(name);
  if (c.streams.empty()) {
    state.SkipWithError("no fixtures found (set OPENRAIN_FIXTURES_DIR)");
    return;
  }
  std::vector<sse::Event> out;
  out.reserve(256);
  for (auto _ : state) {
    for (const auto& s : c.streams) {
      sse::Framer f;
      if (chunk == 0) {
        (void)f.feed(s, out);
        out.clear();
      } else {
        for (size_t pos = 0; pos < s.size(); pos += chunk) {
          (void)f.feed(std::string_view(s).substr(pos, chunk), out);
          out.clear();
        }
      }
      f.finish(out);
      benchmark::DoNotOptimize(out.data());
      out.clear();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(c.bytes));
  set_event_counters(state, static_cast<double>(c.events));
}

const char* kCorpora[] = {"openai-chat", "anthropic", "gemini", "openai-responses", "openai-compatible",
                          "bench-openai", "bench-anthropic"};

int register_all() {
  for (const char* name : kCorpora) {
    for (size_t chunk : {size_t{0}, size_t{64}, size_t{7}}) {
      std::string label = std::string("Framer/") + name + (chunk == 0 ? "/whole" : "/chunk" + std::to_string(chunk));
      benchmark::RegisterBenchmark(label.c_str(), [name = std::string(name), chunk](benchmark::State& s) {
        BM_Framer(s, name, chunk);
      });
    }
  }
  return 0;
}

const int registered = register_all();

}  // namespace
}  // namespace openrain::bench
