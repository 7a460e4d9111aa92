// bench/render_bench.cpp — surface encoders (canonical events → caller wire bytes) and request
// decoding per surface (caller body → ChatRequest).
//
// Encode: the benchmark's reply as canonical events (Start, 64 text deltas, Usage, Finish — what
// bench/run.py's streams carry) through each surface's streaming encoder (time per event), and
// the same events folded and rendered as a non-streaming body. Parse: the benchmark's own small
// requests (OpenAI Chat, Anthropic Messages) and the recorded request of each surface's
// text-stream fixture.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "pipeline/fold.hpp"
#include "surfaces/anthropic_messages.hpp"
#include "surfaces/gemini_generate.hpp"
#include "surfaces/openai_chat.hpp"
#include "surfaces/openai_responses.hpp"
#include "surfaces/surface.hpp"

namespace openrain::bench {
namespace {

using surfaces::Surface;

const Surface& surface_named(const std::string& name) {
  if (name == "openai-chat") return surfaces::openai_chat_surface();
  if (name == "anthropic") return surfaces::anthropic_messages_surface();
  if (name == "openai-responses") return surfaces::openai_responses_surface();
  return surfaces::gemini_generate_surface();
}

std::vector<StreamEvent> bench_events() {
  std::vector<StreamEvent> evs;
  StreamEvent start;
  start.kind = StreamEvent::Kind::Start;
  start.id = "chatcmpl-sim1";
  start.name = "gpt-4o-mini";
  start.created = 1700000000;
  evs.push_back(start);
  std::string text =
      "The sea at dawn is calm and grey while gulls drift over the harbour wall and fishing boats "
      "return with their nets full of silver light that flickers on the water as the town wakes up "
      "slowly under a pale sky full of clouds moving east toward the hills where old stone houses "
      "stand quiet in the morning mist and one small striped zebra";
  size_t n = 64, step = (text.size() + n - 1) / n;
  for (size_t pos = 0; pos < text.size(); pos += step) evs.push_back(StreamEvent::text_delta(text.substr(pos, step)));
  StreamEvent usage;
  usage.kind = StreamEvent::Kind::Usage;
  usage.usage.input_tokens = 40;
  usage.usage.output_tokens = 64;
  evs.push_back(usage);
  StreamEvent fin;
  fin.kind = StreamEvent::Kind::Finish;
  fin.finish = FinishReason::Stop;
  fin.native_finish = "stop";
  evs.push_back(fin);
  return evs;
}

surfaces::EncodeContext context(bool stream) {
  surfaces::EncodeContext ctx;
  ctx.model_alias = "bench-oai";
  ctx.stream = stream;
  ctx.response_id = "resp-0123456789abcdef";
  ctx.created = 1700000000;
  ctx.upstream = Protocol::OpenAIChat;
  return ctx;
}

void BM_EncodeStream(benchmark::State& state, const std::string& name) {
  const Surface& s = surface_named(name);
  const std::vector<StreamEvent> evs = bench_events();
  std::string out;
  out.reserve(64 << 10);
  size_t bytes = 0;
  for (auto _ : state) {
    auto enc = s.make_encoder(context(true));
    for (const StreamEvent& e : evs) enc->on_event(e, out);
    enc->on_end(out);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
    out.clear();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  set_event_counters(state, static_cast<double>(evs.size()));
}

void BM_RenderResponse(benchmark::State& state, const std::string& name) {
  const Surface& s = surface_named(name);
  std::vector<StreamEvent> evs = bench_events();
  std::string out;
  for (auto _ : state) {
    pipeline::Fold fold;
    for (const StreamEvent& e : evs) {
      StreamEvent copy = e;
      fold.on_event(std::move(copy));
    }
    auto enc = s.make_encoder(context(false));
    enc->render_response(fold.result(), out);
    benchmark::DoNotOptimize(out.data());
    out.clear();
  }
  set_event_counters(state, static_cast<double>(evs.size()));
}

HttpRequest bench_request(const std::string& name) {
  HttpRequest r;
  r.headers = {{"content-type", "application/json"}};
  if (name == "openai-chat") {
    r.path = "/v1/chat/completions";
    r.body = R"({"model":"bench-oai","messages":[{"role":"system","content":"You are a helpful assistant."},)"
             R"({"role":"user","content":"Write a short poem about the sea at dawn, please."}],"max_tokens":64})";
  } else {
    r.path = "/v1/messages";
    r.body = R"({"model":"bench-oai","system":"You are a helpful assistant.","max_tokens":64,)"
             R"("messages":[{"role":"user","content":"Write a short poem about the sea at dawn, please."}]})";
  }
  return r;
}

HttpRequest fixture_request(const std::string& dir) {
  HttpRequest r;
  std::string env = read_file(fixtures_dir() + "/" + dir + "/text-stream.request.json");
  r.headers = {{"content-type", "application/json"}};
  r.body = envelope_body(env);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view path;
  if (!parser.parse(env).get(doc) && !doc["path"].get(path)) {
    std::string p(path);
    size_t q = p.find('?');
    r.path = p.substr(0, q);
    if (q != std::string::npos) r.query = p.substr(q + 1);
  }
  return r;
}

void BM_ParseRequest(benchmark::State& state, const std::string& name, bool fixture) {
  const Surface& s = surface_named(name);
  HttpRequest r = fixture ? fixture_request(name) : bench_request(name);
  if (r.body.empty()) {
    state.SkipWithError("fixture request missing");
    return;
  }
  auto probe = s.parse_request(r);
  if (!probe.ok()) {
    state.SkipWithError(("surface rejected the request: " + probe.error().message).c_str());
    return;
  }
  for (auto _ : state) {
    auto parsed = s.parse_request(r);
    benchmark::DoNotOptimize(parsed.ok());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(r.body.size()));
}

int register_all() {
  for (const char* name : {"openai-chat", "anthropic", "openai-responses", "gemini"}) {
    std::string n = name;
    benchmark::RegisterBenchmark(("Encode/" + n + "/stream64").c_str(),
                                 [n](benchmark::State& s) { BM_EncodeStream(s, n); });
    benchmark::RegisterBenchmark(("Encode/" + n + "/response").c_str(),
                                 [n](benchmark::State& s) { BM_RenderResponse(s, n); });
  }
  for (const char* name : {"openai-chat", "anthropic"}) {
    std::string n = name;
    benchmark::RegisterBenchmark(("ParseRequest/" + n + "/bench").c_str(),
                                 [n](benchmark::State& s) { BM_ParseRequest(s, n, false); });
  }
  for (const char* name : {"openai-chat", "anthropic", "openai-responses", "gemini"}) {
    std::string n = name;
    benchmark::RegisterBenchmark(("ParseRequest/" + n + "/recorded").c_str(),
                                 [n](benchmark::State& s) { BM_ParseRequest(s, n, true); });
  }
  return 0;
}

const int registered = register_all();

}  // namespace
}  // namespace openrain::bench
