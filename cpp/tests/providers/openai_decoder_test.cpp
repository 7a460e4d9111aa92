// Tests for the OpenAI Chat Completions provider, response side: every recorded openai-chat /
// openai-compatible body decoded under all split strategies with exact canonical content, and
// synthetic stream edge cases (sparse indices, missing ids/indices, truncation, in-stream errors).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "pipeline/fold.hpp"
#include "providers/common.hpp"
#include "providers/openai.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::providers {
namespace {

using openrain::testing::read_fixture;
using openrain::testing::Recorder;
using openrain::testing::split_variants;
using openrain::testing::sse_from_jsonl;

constexpr const char* kKey = "sk-test-0123456789abcdef";

struct Env {
  ProviderConfig provider;
  ModelConfig model;
  Deployment d() const { return Deployment{&provider, &model}; }
};

Env make_env(std::string base_url = "https://api.openai.com", std::string key = kKey) {
  Env e;
  e.provider.name = "oai";
  e.provider.kind = ProviderKind::OpenAI;
  e.provider.base_url = std::move(base_url);
  e.provider.api_key = std::move(key);
  e.model.alias = "my-alias";
  e.model.provider = "oai";
  e.model.model = "gpt-4o-mini";
  return e;
}

// ---------------------------------------------------------------------------------------------
// Decoder helpers

struct Decoded {
  std::string summary;
  std::vector<StreamEvent> events;
  Status status;
};

Decoded run_parts(const std::vector<std::string>& parts, const Env& env, bool streaming,
              const ChatRequest& req) {
  auto dec = openai_provider().make_decoder(req, env.d(), streaming);
  Recorder rec;
  Status st;
  for (const std::string& p : parts) {
    st = dec->feed(p, rec);
    if (!st.ok()) break;
  }
  if (st.ok()) st = dec->finish(rec);
  return Decoded{rec.summary(), std::move(rec.events), st};
}

// Decodes `body` under every split strategy and checks they all agree.
Decoded decode_all(std::string_view body, const Env& env, bool streaming,
               const ChatRequest& req = ChatRequest{}) {
  auto variants = split_variants(body);
  Decoded first = run_parts(variants[0], env, streaming, req);
  for (size_t i = 1; i < variants.size(); ++i) {
    Decoded r = run_parts(variants[i], env, streaming, req);
    EXPECT_EQ(r.summary, first.summary) << "split variant " << i;
    EXPECT_EQ(r.status.ok(), first.status.ok()) << "split variant " << i;
  }
  return first;
}

FoldedResponse fold(const Decoded& r) {
  pipeline::Fold f;
  for (StreamEvent ev : r.events) f.on_event(std::move(ev));
  return f.result();
}

std::string lines(std::initializer_list<std::string> ls) {
  std::string out;
  for (const auto& l : ls) {
    if (!out.empty()) out += "\n";
    out += l;
  }
  return out;
}

const StreamEvent* find_event(const Decoded& r, StreamEvent::Kind k) {
  for (const auto& e : r.events) {
    if (e.kind == k) return &e;
  }
  return nullptr;
}

// Every fixture file the OpenAI provider tests use (error bodies are classified in openai_test.cpp).
const std::set<std::string>& covered_fixtures() {
  static const std::set<std::string> s = {
      "openai-chat/length-stream.sse",
      "openai-chat/parallel-tool-calls-stream.sse",
      "openai-chat/refusal-stream.sse",
      "openai-chat/text-stream.sse",
      "openai-chat/tool-call-stream.sse",
      "openai-chat/text.response.json",
      "openai-chat/parallel-tool-calls.response.json",
      "openai-chat/reasoning-usage.response.json",
      "openai-chat/error-400-unsupported-parameter.json",
      "openai-chat/error-400-unsupported-value.response.json",
      "openai-chat/error-404-model-not-found.response.json",
      "openai-compatible/anthropic-compat-tool-call-stream.sse",
      "openai-compatible/deepseek-reasoning-stream.sse",
      "openai-compatible/deepseek-tool-call-cache.response.json",
      "openai-compatible/groq-error-400-tool-use-failed.response.json",
      "openai-compatible/mistral-tool-call-stream.chunks.jsonl",
      "openai-compatible/mistral-tool-call.response.json",
  };
  return s;
}

TEST(OpenAIProviderFixtures, EveryFixtureIsCovered) {
  namespace fs = std::filesystem;
  for (const char* dir : {"openai-chat", "openai-compatible"}) {
    fs::path root = fs::path(OPENRAIN_FIXTURES_DIR) / dir;
    ASSERT_TRUE(fs::exists(root)) << root;
    for (const auto& entry : fs::directory_iterator(root)) {
      std::string name = entry.path().filename().string();
      if (name == "SOURCES.md" || name.ends_with(".request.json")) continue;
      EXPECT_TRUE(covered_fixtures().count(std::string(dir) + "/" + name)) << "untested fixture " << name;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming fixtures

TEST(OpenAIProviderStream, TextStream) {
  Env env = make_env();
  Decoded r = decode_all(read_fixture("openai-chat/text-stream.sse"), env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=chatcmpl-Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc model=gpt-4o-mini-2024-07-18",
                              "text The capital of the UK is London.",
                              "usage in=78 out=9 cached=0 cw=0 reasoning=0", "finish stop"}));
  const StreamEvent* start = find_event(r, StreamEvent::Kind::Start);
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(start->created, 1782955818);
  ASSERT_EQ(start->extras.size(), 2u);
  EXPECT_EQ(start->extras[0].key, "system_fingerprint");
  EXPECT_EQ(start->extras[0].json, "\"fp_d0469e1700\"");
  EXPECT_EQ(start->extras[1].key, "service_tier");
  EXPECT_EQ(start->extras[1].json, "\"default\"");
  EXPECT_EQ(r.events.back().native_finish, "stop");
  EXPECT_FALSE(r.events.back().usage.has_cache_write);
}

TEST(OpenAIProviderStream, ToolCallStream) {
  Env env = make_env();
  Decoded r = decode_all(read_fixture("openai-chat/tool-call-stream.sse"), env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=chatcmpl-Dx0XpqH8w09uBXwq1zFGYdETjtnEl model=gpt-4o-mini-2024-07-18",
                              "tool_start 0 call_ZR5UUuTt3pf61kjwAJIYdVMj get_capital",
                              "tool_args 0 {\"country\":\"UK\"}", "tool_end 0",
                              "usage in=53 out=15 cached=0 cw=0 reasoning=0", "finish tool_calls"}));
}

TEST(OpenAIProviderStream, ParallelToolCallsStream) {
  Env env = make_env();
  Decoded r = decode_all(read_fixture("openai-chat/parallel-tool-calls-stream.sse"), env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary,
            lines({"start id=chatcmpl-ABfwAwrNePHUgBBezonVC6MX3zd63 model=gpt-4o-2024-08-06",
                   "tool_start 0 call_JMW1whyEaYG438VE1OIflxA2 GetWeatherArgs",
                   "tool_args 0 {\"city\": \"Edinburgh\", \"country\": \"GB\", \"units\": \"c\"}",
                   "tool_start 1 call_DNYTawLBoN8fj3KN6qU9N1Ou get_stock_price",
                   "tool_args 1 {\"ticker\": \"AAPL\", \"exchange\": \"NASDAQ\"}", "tool_end 0",
                   "tool_end 1", "usage in=149 out=60 cached=0 cw=0 reasoning=0",
                   "finish tool_calls"}));
  EXPECT_EQ(r.events.front().extras.size(), 1u);  // system_fingerprint only
}

TEST(OpenAIProviderStream, LengthStream) {
  Env env = make_env();
  Decoded r = decode_all(read_fixture("openai-chat/length-stream.sse"), env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=chatcmpl-ABfw3Oqj8RD0z6aJiiX37oTjV2HFh model=gpt-4o-2024-08-06",
                              "text {\"", "usage in=79 out=1 cached=0 cw=0 reasoning=0",
                              "finish length"}));
}

TEST(OpenAIProviderStream, RefusalStream) {
  Env env = make_env();
  Decoded r = decode_all(read_fixture("openai-chat/refusal-stream.sse"), env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=chatcmpl-ABfw4IfQfCCrcuybFm41wJyxjbkz7 model=gpt-4o-2024-08-06",
                              "refusal I'm sorry, I can't assist with that request.",
                              "usage in=79 out=11 cached=0 cw=0 reasoning=0", "finish stop"}));
}

TEST(OpenAIProviderStream, AnthropicCompatToolIndexStartsAtOne) {
  Env env = make_env("https://api.anthropic.com/v1");
  env.provider.kind = ProviderKind::OpenAICompatible;
  Decoded r = decode_all(read_fixture("openai-compatible/anthropic-compat-tool-call-stream.sse"), env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=msg_sanitized model=claude-haiku-4-5-20251001",
                              "text Reading it.", "tool_start 0 toolu_sanitized read_file",
                              "tool_args 0 {\"path\": \"a.txt\"}", "tool_end 0",
                              "finish tool_calls"}));
  EXPECT_EQ(find_event(r, StreamEvent::Kind::Usage), nullptr);
}

TEST(OpenAIProviderStream, DeepSeekReasoningStream) {
  const std::string body = read_fixture("openai-compatible/deepseek-reasoning-stream.sse");
  Env plain = make_env("https://api.deepseek.com");
  plain.provider.kind = ProviderKind::OpenAICompatible;
  Env quirked = plain;
  quirked.provider.quirks.reasoning_field = "reasoning_content";
  quirked.provider.quirks.usage_on_finish_chunk = true;
  Decoded r = decode_all(body, quirked, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(decode_all(body, plain, true).summary, r.summary);  // reasoning_content accepted by default
  FoldedResponse f = fold(r);
  ASSERT_EQ(f.blocks.size(), 2u);
  EXPECT_EQ(f.blocks[0].kind, OutputBlock::Kind::Reasoning);
  EXPECT_EQ(f.blocks[0].text.size(), 882u);
  EXPECT_EQ(f.blocks[0].text.rfind("Hmm, the user just said \"Hello\".", 0), 0u);
  EXPECT_TRUE(f.blocks[0].text.ends_with("not reply further - and that's okay too."));
  EXPECT_EQ(f.blocks[1].kind, OutputBlock::Kind::Text);
  EXPECT_EQ(f.blocks[1].text, "Hello there! \xF0\x9F\x98\x8A How can I help you today?");
  EXPECT_EQ(f.id, "33be18fc-3842-486c-8c29-dd8e578f7f20");
  EXPECT_EQ(f.upstream_model, "deepseek-reasoner");
  ASSERT_TRUE(f.has_usage);
  EXPECT_EQ(f.usage.input_tokens, 6);
  EXPECT_EQ(f.usage.output_tokens, 212);
  EXPECT_EQ(f.usage.cached_input_tokens, 0);
  EXPECT_EQ(f.usage.reasoning_tokens, 198);
  EXPECT_EQ(f.finish, FinishReason::Stop);
  // Usage rides on the finish chunk: it is still emitted once, right before Finish.
  ASSERT_GE(r.events.size(), 2u);
  EXPECT_EQ(r.events[r.events.size() - 2].kind, StreamEvent::Kind::Usage);
  EXPECT_EQ(r.events.back().kind, StreamEvent::Kind::Finish);
}

TEST(OpenAIProviderStream, MistralToolCallWithoutIndexOrDone) {
  const std::string body =
      sse_from_jsonl(read_fixture("openai-compatible/mistral-tool-call-stream.chunks.jsonl"), false);
  Env env = make_env("https://api.mistral.ai");
  env.provider.kind = ProviderKind::OpenAICompatible;
  const std::string expected =
      lines({"start id=b3999b8c93e04e11bcbff7bcab829667 model=mistral-small-latest",
             "tool_start 0 gSIMJiOkT weather", "tool_args 0 {\"location\": \"San Francisco\"}",
             "tool_end 0", "usage in=124 out=22 cached=0 cw=0 reasoning=0", "finish tool_calls"});
  Decoded r = decode_all(body, env, true);
  ASSERT_TRUE(r.status.ok());  // no [DONE], but finish_reason was seen: complete
  EXPECT_EQ(r.summary, expected);
  env.provider.quirks.tool_call_index_missing = true;
  env.provider.quirks.tool_call_id_9_alnum = true;
  EXPECT_EQ(decode_all(body, env, true).summary, expected);
}

// ---------------------------------------------------------------------------------------------
// Non-streaming fixtures

TEST(OpenAIProviderNonStream, Text) {
  Env env = make_env();
  Decoded r = decode_all(read_fixture("openai-chat/text.response.json"), env, false);
  ASSERT_TRUE(r.status.ok());
  FoldedResponse f = fold(r);
  EXPECT_EQ(f.id, "chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU");
  EXPECT_EQ(f.upstream_model, "gpt-4.1-nano-2025-04-14");
  EXPECT_EQ(f.created, 1770933883);
  ASSERT_EQ(f.blocks.size(), 1u);
  EXPECT_EQ(f.blocks[0].text.size(), 1844u);
  EXPECT_EQ(f.blocks[0].text.rfind("**Holiday Name:** Galaxy Day  \n\n**Date:**", 0), 0u);
  EXPECT_TRUE(f.blocks[0].text.ends_with("up and dream beyond our world."));
  EXPECT_EQ(f.usage.input_tokens, 16);
  EXPECT_EQ(f.usage.output_tokens, 363);
  EXPECT_EQ(f.finish, FinishReason::Stop);
  EXPECT_EQ(f.native_finish, "stop");
  ASSERT_EQ(f.extras.size(), 2u);
  EXPECT_EQ(f.extras[0].json, "\"fp_de604bd877\"");
  // Event order: Start, Text, Usage, Finish.
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[2].kind, StreamEvent::Kind::Usage);
}

TEST(OpenAIProviderNonStream, ParallelToolCalls) {
  Env env = make_env();
  Decoded r = decode_all(read_fixture("openai-chat/parallel-tool-calls.response.json"), env, false);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=chatcmpl-C9f7f1SbHRzcwlJwrYKdSonTRWPvV model=gpt-4o-2024-08-06",
                              "tool_start 0 call_jYdIdRZHxZTn5bWCq5jlMrJi delete_file",
                              "tool_args 0 {\"path\": \".env\"}", "tool_end 0",
                              "tool_start 1 call_TmlTVWQbzrXCZ4jNsCVNbNqu create_file",
                              "tool_args 1 {\"path\": \"test.txt\"}", "tool_end 1",
                              "usage in=71 out=46 cached=0 cw=0 reasoning=0", "finish tool_calls"}));
}

TEST(OpenAIProviderNonStream, ReasoningUsage) {
  Env env = make_env();
  Decoded r = decode_all(read_fixture("openai-chat/reasoning-usage.response.json"), env, false);
  ASSERT_TRUE(r.status.ok());
  FoldedResponse f = fold(r);
  ASSERT_EQ(f.blocks.size(), 1u);
  EXPECT_EQ(f.blocks[0].kind, OutputBlock::Kind::Text);
  EXPECT_EQ(f.blocks[0].text.size(), 2570u);
  EXPECT_EQ(f.blocks[0].text.rfind("When it comes to crossing a river safely", 0), 0u);
  EXPECT_EQ(f.usage.input_tokens, 577);
  EXPECT_EQ(f.usage.output_tokens, 2320);
  EXPECT_EQ(f.usage.reasoning_tokens, 1792);
  EXPECT_EQ(f.finish, FinishReason::Stop);
}

TEST(OpenAIProviderNonStream, DeepSeekToolCallWithCache) {
  Env env = make_env("https://api.deepseek.com");
  env.provider.kind = ProviderKind::OpenAICompatible;
  Decoded r = decode_all(read_fixture("openai-compatible/deepseek-tool-call-cache.response.json"), env, false);
  ASSERT_TRUE(r.status.ok());
  FoldedResponse f = fold(r);
  ASSERT_EQ(f.blocks.size(), 2u);
  EXPECT_EQ(f.blocks[0].kind, OutputBlock::Kind::Reasoning);
  EXPECT_EQ(f.blocks[0].text.size(), 242u);
  EXPECT_TRUE(f.blocks[0].text.ends_with(" me call the weather function."));
  EXPECT_EQ(f.blocks[1].kind, OutputBlock::Kind::ToolCall);
  EXPECT_EQ(f.blocks[1].id, "call_00_9V0vrf86Pc9aelHCJMZqnJBo");
  EXPECT_EQ(f.blocks[1].name, "weather");
  EXPECT_EQ(f.blocks[1].arguments, "{\"location\": \"San Francisco\"}");
  EXPECT_EQ(f.usage.input_tokens, 339);
  EXPECT_EQ(f.usage.output_tokens, 92);
  EXPECT_EQ(f.usage.cached_input_tokens, 320);
  EXPECT_EQ(f.usage.reasoning_tokens, 48);
  EXPECT_EQ(f.finish, FinishReason::ToolCalls);
}

TEST(OpenAIProviderNonStream, MistralToolCall) {
  Env env = make_env("https://api.mistral.ai");
  env.provider.kind = ProviderKind::OpenAICompatible;
  Decoded r = decode_all(read_fixture("openai-compatible/mistral-tool-call.response.json"), env, false);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=b3999b8c93e04e11bcbff7bcab829667 model=mistral-small-latest",
                              "tool_start 0 gSIMJiOkT weather",
                              "tool_args 0 {\"location\": \"San Francisco\"}", "tool_end 0",
                              "usage in=124 out=22 cached=0 cw=0 reasoning=0", "finish tool_calls"}));
}

TEST(OpenAIProviderNonStream, TruncatedOrHtmlBodyIsProtocolError) {
  Env env = make_env();
  std::string body = read_fixture("openai-chat/text.response.json");
  Decoded r = run_parts({body.substr(0, body.size() / 2)}, env, false, ChatRequest{});
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().kind, ErrorKind::UpstreamProtocol);
  Decoded html = run_parts({"<html><body>bad gateway</body></html>"}, env, false, ChatRequest{});
  ASSERT_FALSE(html.status.ok());
  EXPECT_EQ(html.status.error().kind, ErrorKind::UpstreamProtocol);
  EXPECT_EQ(html.status.error().message.find("<html>"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Stream edge cases

std::string chunk(const std::string& delta, const std::string& finish = "null",
                  const std::string& extra = "") {
  return R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":)" +
         delta + R"(,"finish_reason":)" + finish + "}]" + extra + "}\n\n";
}

TEST(OpenAIProviderStream, TruncatedBeforeFinishIsInterrupted) {
  Env env = make_env();
  const std::string body = read_fixture("openai-chat/text-stream.sse");
  size_t cut = body.find("\"finish_reason\":\"stop\"");
  ASSERT_NE(cut, std::string::npos);
  cut = body.rfind("data:", cut);
  Decoded r = decode_all(std::string_view(body).substr(0, cut), env, true);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().kind, ErrorKind::StreamInterrupted);
  EXPECT_EQ(r.status.error().http_status, 502);
  EXPECT_EQ(r.status.error().provider, "oai");
  EXPECT_EQ(r.summary, lines({"start id=chatcmpl-Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc model=gpt-4o-mini-2024-07-18",
                              "text The capital of the UK is London."}));
  // Cut mid-event (no blank line yet) is interrupted too.
  Decoded mid = decode_all(std::string_view(body).substr(0, cut + 40), env, true);
  ASSERT_FALSE(mid.status.ok());
  EXPECT_EQ(mid.status.error().kind, ErrorKind::StreamInterrupted);
}

TEST(OpenAIProviderStream, FinishSeenWithoutDoneIsComplete) {
  Env env = make_env();
  const std::string body = read_fixture("openai-chat/text-stream.sse");
  size_t cut = body.find("\"choices\":[],\"usage\"");
  cut = body.rfind("data:", cut);
  Decoded r = decode_all(std::string_view(body).substr(0, cut), env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=chatcmpl-Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc model=gpt-4o-mini-2024-07-18",
                              "text The capital of the UK is London.", "finish stop"}));
}

TEST(OpenAIProviderStream, InStreamErrorIsTerminalErrorEvent) {
  Env env = make_env();
  const std::string body =
      chunk(R"({"role":"assistant","content":"Hel"})") +
      R"(data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}})"
      "\n\n" + chunk(R"({"content":"lo"})") + "data: [DONE]\n\n";
  Decoded r = decode_all(body, env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "text Hel", "error upstream_server_error 500"}));
  const Error& e = r.events.back().error;
  EXPECT_EQ(e.message, "The server had an error while processing your request.");
  EXPECT_EQ(e.upstream_type, "server_error");
  EXPECT_EQ(e.provider, "oai");

  const std::string limited =
      chunk(R"({"content":"x"})") +
      R"(data: {"error":{"message":"Rate limit reached for sk-proj-abcdefghijklmnop","type":"tokens","param":null,"code":"rate_limit_exceeded"}})"
      "\n\n";
  Decoded rl = decode_all(limited, env, true);
  ASSERT_TRUE(rl.status.ok());
  EXPECT_EQ(rl.summary, lines({"start id=c1 model=m", "text x", "error rate_limited 429"}));
  EXPECT_EQ(rl.events.back().error.message, "Rate limit reached for [redacted]");
  EXPECT_EQ(rl.events.back().error.code, "rate_limit_exceeded");

  const std::string with_status = R"(data: {"error":{"message":"bad","type":"invalid_request_error","code":400}})" "\n\n";
  Decoded st = decode_all(with_status, env, true);
  EXPECT_EQ(st.summary, "error invalid_request 400");
  EXPECT_EQ(st.events.back().error.upstream_status, 400);
}

TEST(OpenAIProviderStream, MalformedJsonIsProtocolError) {
  Env env = make_env();
  Decoded r = decode_all(chunk(R"({"content":"a"})") + "data: {\"id\":\"c1\",\"choices\":[\n\n", env, true);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().kind, ErrorKind::UpstreamProtocol);
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "text a"}));
}

TEST(OpenAIProviderStream, SparseInterleavedIndicesAreRenumbered) {
  Env env = make_env();
  const std::string body =
      chunk(R"({"tool_calls":[{"index":3,"id":"a","type":"function","function":{"name":"f","arguments":""}}]})") +
      chunk(R"({"tool_calls":[{"index":7,"id":"b","type":"function","function":{"name":"g","arguments":"{"}}]})") +
      chunk(R"({"content":null,"tool_calls":[{"index":9,"function":{}}]})") +  // empty: no call
      chunk(R"({"tool_calls":[{"index":3,"function":{"arguments":"{\"x\":1}"}}]})") +
      chunk(R"({"tool_calls":[{"index":7,"id":null,"function":{"name":"g","arguments":"}"}}]})") +
      chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n";
  Decoded r = decode_all(body, env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "tool_start 0 a f", "tool_start 1 b g",
                              "tool_args 1 {", "tool_args 0 {\"x\":1}", "tool_args 1 }", "tool_end 0",
                              "tool_end 1", "finish tool_calls"}));
  FoldedResponse f = fold(r);
  ASSERT_EQ(f.blocks.size(), 2u);
  EXPECT_EQ(f.blocks[0].arguments, "{\"x\":1}");
  EXPECT_EQ(f.blocks[1].arguments, "{}");
}

TEST(OpenAIProviderStream, CallsWithoutIndexKeyedById) {
  Env env = make_env();
  env.provider.quirks.tool_call_index_missing = true;  // indices present but unreliable
  const std::string body =
      chunk(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{\"p\":"}}]})") +
      chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]})") +
      chunk(R"({"tool_calls":[{"index":0,"id":"b","function":{"name":"g","arguments":"{}"}}]})") +
      chunk("{}", "\"tool_calls\"");
  Decoded r = decode_all(body, env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "tool_start 0 a f", "tool_args 0 {\"p\":1}",
                              "tool_start 1 b g", "tool_args 1 {}", "tool_end 0", "tool_end 1",
                              "finish tool_calls"}));
}

TEST(OpenAIProviderStream, EmptyArgumentsBecomeEmptyObject) {
  Env env = make_env();
  const std::string body =
      chunk(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"now","arguments":""}}]})") +
      chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n";
  Decoded r = decode_all(body, env, true);
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "tool_start 0 a now", "tool_args 0 {}",
                              "tool_end 0", "finish tool_calls"}));
}

TEST(OpenAIProviderStream, NameArrivingLateAndMissingIdAndObjectArguments) {
  Env env = make_env();
  const std::string body =
      chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"a\""}}]})") +
      chunk(R"({"tool_calls":[{"index":0,"function":{"name":"late","arguments":":2}"}}]})") +
      chunk(R"({"tool_calls":[{"index":1,"function":{"name":"obj","arguments":{"k":[1,2]}}}]})") +
      chunk("{}", "\"stop\"") + "data: [DONE]\n\n";
  Decoded r = decode_all(body, env, true);
  ASSERT_TRUE(r.status.ok());
  const std::string id0 = synth_tool_id("c1", 0);
  const std::string id1 = synth_tool_id("c1", 1);
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "tool_start 0 " + id0 + " late",
                              "tool_args 0 {\"a\":2}", "tool_start 1 " + id1 + " obj",
                              "tool_args 1 {\"k\":[1,2]}", "tool_end 0", "tool_end 1",
                              "finish tool_calls"}));
  EXPECT_EQ(r.events.back().native_finish, "stop");  // "stop" + calls is reported as ToolCalls
}

TEST(OpenAIProviderStream, LengthWinsOverToolCalls) {
  Env env = make_env();
  const std::string body =
      chunk(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{\"p\":"}}]})") +
      chunk("{}", "\"length\"") + "data: [DONE]\n\n";
  Decoded r = decode_all(body, env, true);
  EXPECT_EQ(r.events.back().finish, FinishReason::Length);
}

TEST(OpenAIProviderStream, ReasoningFieldsAndStopSequence) {
  Env env = make_env("http://localhost:8000/v1");
  env.provider.kind = ProviderKind::OpenAICompatible;
  env.provider.quirks.reasoning_field = "thoughts";
  ChatRequest req;
  req.stop = {"###", "END"};
  const std::string body = chunk(R"({"role":"assistant","reasoning":"r1"})") +
                           chunk(R"({"thoughts":"r2","reasoning":"r2"})") +
                           chunk(R"({"reasoning_content":{"text":"r3"}})") +
                           chunk(R"({"content":"ok","tool_calls":[]})") +
                           R"(data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop","stop_reason":"END"}]})"
                           "\n\n" + "data: [DONE]\n\n";
  Decoded r = decode_all(body, env, true, req);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "reasoning r1r2r3", "text ok", "finish stop_sequence seq=END"}));
  EXPECT_EQ(r.events.back().native_finish, "stop");
}

TEST(OpenAIProviderStream, UsageVariants) {
  Env env = make_env();
  const std::string body =
      chunk(R"({"content":"a"})", "null", R"(,"usage":{"prompt_tokens":5,"completion_tokens":1})") +
      chunk("{}", "\"stop\"") +
      R"(data: {"id":"c1","choices":[],"usage":{"prompt_tokens":2000,"completion_tokens":30,"prompt_tokens_details":{"cached_tokens":1024,"cache_write_tokens":512},"completion_tokens_details":{"reasoning_tokens":12}}})"
      "\n\ndata: [DONE]\n\n";
  Decoded r = decode_all(body, env, true);
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "text a",
                              "usage in=2000 out=30 cached=1024 cw=512 reasoning=12", "finish stop"}));
  const StreamEvent* u = find_event(r, StreamEvent::Kind::Usage);
  ASSERT_NE(u, nullptr);
  EXPECT_TRUE(u->usage.has_cache_write);
  // DeepSeek: prompt_cache_hit_tokens when prompt_tokens_details is absent.
  Decoded ds = decode_all(chunk("{}", "\"stop\"", R"(,"usage":{"prompt_tokens":100,"completion_tokens":3,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36})"),
                      env, true);
  EXPECT_EQ(ds.summary, lines({"start id=c1 model=m", "usage in=100 out=3 cached=64 cw=0 reasoning=0",
                               "finish stop"}));
}

TEST(OpenAIProviderStream, DoneOnlyAndOtherChoicesIgnored) {
  Env env = make_env();
  Decoded done = decode_all("data: [DONE]\n\n", env, true);
  ASSERT_TRUE(done.status.ok());
  EXPECT_EQ(done.summary, lines({"start id= model=", "finish stop"}));
  const std::string body =
      R"(data: {"id":"c1","model":"m","choices":[{"index":1,"delta":{"content":"other"},"finish_reason":null},{"index":0,"delta":{"content":"mine"},"finish_reason":null}]})"
      "\n\n" + chunk("{}", "\"content_filter\"") + "data: [DONE]\n\n";
  Decoded r = decode_all(body, env, true);
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "text mine", "finish content_filter"}));
  Decoded weird = decode_all(chunk("{}", "\"eos\"") + "data: [DONE]\n\n", env, true);
  EXPECT_EQ(weird.events.back().finish, FinishReason::Other);
  EXPECT_EQ(weird.events.back().native_finish, "eos");
}

TEST(OpenAIProviderStream, JsonBodyOnStreamingRequest) {
  Env env = make_env();
  // A server that ignores `stream` (or answers an error with 200) sends one JSON document.
  Decoded r = decode_all(read_fixture("openai-compatible/mistral-tool-call.response.json"), env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.events.back().finish, FinishReason::ToolCalls);
  Decoded e = decode_all("\n{\"error\":{\"message\":\"quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}", env, true);
  ASSERT_TRUE(e.status.ok());
  EXPECT_EQ(e.summary, "error quota_exceeded 429");
}

TEST(OpenAIProviderStream, CommentsAndCrlfAreTolerated) {
  Env env = make_env();
  std::string body = ": keep-alive\r\n\r\n" + chunk(R"({"content":"hi"})") + chunk("{}", "\"stop\"") + "data: [DONE]\n\n";
  std::string crlf;
  for (char c : body) {
    if (c == '\n') crlf += "\r\n";
    else crlf += c;
  }
  Decoded r = decode_all(crlf, env, true);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary, lines({"start id=c1 model=m", "text hi", "finish stop"}));
}

}  // namespace
}  // namespace openrain::providers
