// bench/decode_bench.cpp — provider decoders (upstream bytes → canonical events) and request
// builders (canonical request → upstream body).
//
// Decode corpora: each provider's recorded streams (*.sse) and non-streaming bodies
// (*.response.json) from /work/shared/fixtures, plus the benchmark's own 64-chunk reply rendered by
// the simulator (the bytes the gateways decode under load in bench/run.py). Streams are fed whole
// and in 64-byte chunks. Recordings the decoder rejects (e.g. in-stream errors) are left out of
// the corpus. Reports MB/s and time per canonical event.
// Build: the benchmark's own OpenAI request, parsed by the OpenAI Chat surface, built for each
// provider (what a cross-format request costs on the way up).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "providers/provider.hpp"
#include "surfaces/openai_chat.hpp"

namespace openrain::bench {
namespace {

using providers::Provider;

struct Env {
  ProviderConfig provider;
  ModelConfig model;
  Deployment d() const { return Deployment{&provider, &model}; }
};

Env make_env(ProviderKind kind) {
  Env e;
  e.provider.name = "p";
  e.provider.kind = kind;
  e.provider.base_url = kind == ProviderKind::Anthropic ? "https://api.anthropic.com"
                        : kind == ProviderKind::Gemini  ? "https://generativelanguage.googleapis.com"
                                                        : "https://api.openai.com";
  e.provider.api_key = "sk-bench";
  e.model.alias = "bench";
  e.model.provider = "p";
  e.model.model = kind == ProviderKind::Anthropic ? "claude-sonnet-4-5"
                  : kind == ProviderKind::Gemini  ? "gemini-2.5-flash"
                                                  : "gpt-4o-mini";
  return e;
}

struct Corpus {
  std::vector<std::string> bodies;
  size_t bytes = 0;
  size_t events = 0;
};

// Decode `body` once; returns the event count, or -1 when the decoder rejects it.
long decode_once(const Provider& p, const Env& env, const ChatRequest& req, bool streaming,
                 std::string_view body, size_t chunk, CountingSink& sink) {
  auto dec = p.make_decoder(req, env.d(), streaming);
  size_t before = sink.events;
  if (chunk == 0) {
    if (!dec->feed(body, sink).ok()) return -1;
  } else {
    for (size_t pos = 0; pos < body.size(); pos += chunk) {
      if (!dec->feed(body.substr(pos, chunk), sink).ok()) return -1;
    }
  }
  if (!dec->finish(sink).ok()) return -1;
  return static_cast<long>(sink.events - before);
}

ChatRequest request_for(bool streaming) {
  ChatRequest req;
  req.model = "bench";
  req.stream = streaming;
  return req;
}

Corpus make_corpus(ProviderKind kind, const std::string& source, bool streaming) {
  Corpus c;
  std::vector<std::string> raw;
  if (source == "bench") {
    sim::Wire w = kind == ProviderKind::Anthropic ? sim::Wire::Anthropic
                  : kind == ProviderKind::Gemini  ? sim::Wire::Gemini
                                                  : sim::Wire::OpenAIChat;
    raw.push_back(bench_reply(w, streaming));
  } else {
    for (auto& [name, body] : fixture_files(source, streaming ? ".sse" : ".response.json")) {
      if (name.rfind("error-", 0) == 0) continue;
      raw.push_back(std::move(body));
    }
  }
  const Provider& p = providers::provider_for(kind);
  Env env = make_env(kind);
  ChatRequest req = request_for(streaming);
  CountingSink sink;
  for (auto& body : raw) {
    long n = decode_once(p, env, req, streaming, body, 0, sink);
    if (n < 0) continue;
    c.events += static_cast<size_t>(n);
    c.bytes += body.size();
    c.bodies.push_back(std::move(body));
  }
  return c;
}

void BM_Decode(benchmark::State& state, ProviderKind kind, const std::string& source, bool streaming,
               size_t chunk) {
  Corpus c = make_corpus(kind, source, streaming);
  if (c.bodies.empty()) {
    state.SkipWithError("empty corpus (fixtures missing or all rejected)");
    return;
  }
  const Provider& p = providers::provider_for(kind);
  Env env = make_env(kind);
  ChatRequest req = request_for(streaming);
  CountingSink sink;
  for (auto _ : state) {
    for (const auto& b : c.bodies) decode_once(p, env, req, streaming, b, chunk, sink);
  }
  benchmark::DoNotOptimize(sink.last.text.data());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(c.bytes));
  set_event_counters(state, static_cast<double>(c.events));
}

void BM_BuildRequest(benchmark::State& state, ProviderKind kind) {
  HttpRequest http;
  http.path = "/v1/chat/completions";
  http.headers = {{"content-type", "application/json"}};
  http.body = R"({"model":"bench","messages":[{"role":"system","content":"You are a helpful assistant."},)"
              R"({"role":"user","content":"Write a short poem about the sea at dawn, please."}],"max_tokens":64})";
  auto parsed = surfaces::openai_chat_surface().parse_request(http);
  if (!parsed.ok()) {
    state.SkipWithError("the OpenAI Chat surface rejected the bench request");
    return;
  }
  const Provider& p = providers::provider_for(kind);
  Env env = make_env(kind);
  size_t bytes = 0;
  for (auto _ : state) {
    providers::TranslationReport report;
    auto up = p.build_request(parsed.value(), env.d(), report);
    if (!up.ok()) {
      state.SkipWithError("build_request failed");
      return;
    }
    bytes = up.value().body.size();
    benchmark::DoNotOptimize(up.value().body.data());
  }
  state.counters["body_bytes"] = static_cast<double>(bytes);
}

struct DecodeCase {
  const char* label;
  ProviderKind kind;
  const char* source;
};

const DecodeCase kDecodeCases[] = {
    {"openai", ProviderKind::OpenAI, "openai-chat"},
    {"openai-compatible", ProviderKind::OpenAICompatible, "openai-compatible"},
    {"anthropic", ProviderKind::Anthropic, "anthropic"},
    {"gemini", ProviderKind::Gemini, "gemini"},
    {"openai", ProviderKind::OpenAI, "bench"},
    {"anthropic", ProviderKind::Anthropic, "bench"},
    {"gemini", ProviderKind::Gemini, "bench"},
};

int register_all() {
  for (const DecodeCase& dc : kDecodeCases) {
    std::string src = std::string(dc.source) == "bench" ? "bench64" : "recorded";
    for (bool streaming : {true, false}) {
      for (size_t chunk : streaming ? std::vector<size_t>{0, 64} : std::vector<size_t>{0}) {
        std::string label = std::string("Decode/") + dc.label + "/" + src + (streaming ? "/stream" : "/json") +
                            (chunk ? "/chunk64" : "");
        benchmark::RegisterBenchmark(label.c_str(), [dc, streaming, chunk](benchmark::State& s) {
          BM_Decode(s, dc.kind, dc.source, streaming, chunk);
        });
      }
    }
  }
  for (auto [label, kind] : {std::pair{"openai", ProviderKind::OpenAI},
                             std::pair{"anthropic", ProviderKind::Anthropic},
                             std::pair{"gemini", ProviderKind::Gemini}}) {
    benchmark::RegisterBenchmark((std::string("BuildRequest/") + label).c_str(),
                                 [kind = kind](benchmark::State& s) { BM_BuildRequest(s, kind); });
  }
  return 0;
}

const int registered = register_all();

}  // namespace
}  // namespace openrain::bench
