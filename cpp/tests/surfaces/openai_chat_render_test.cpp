// Tests for the OpenAI Chat Completions encoder and non-streaming renderer: byte-exact goldens,
// including replays of recorded OpenAI streams (fixtures/openai-chat/*.sse, "obfuscation"
// padding removed) from the canonical events they stand for.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipeline/fold.hpp"
#include "providers/common.hpp"
#include "surfaces/openai_chat.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::surfaces {
namespace {

using K = StreamEvent::Kind;

StreamEvent ev(K k, std::string text = {}, int index = 0) {
  StreamEvent e;
  e.kind = k;
  e.text = std::move(text);
  e.index = index;
  return e;
}
StreamEvent start(std::vector<RawField> extras = {}) {
  StreamEvent e = ev(K::Start);
  e.id = "upstream-id";
  e.name = "gpt-upstream-2025-01-01";
  e.created = 111;
  e.extras = std::move(extras);
  return e;
}
StreamEvent tool_start(int index, std::string id, std::string name) {
  StreamEvent e = ev(K::ToolCallStart, {}, index);
  e.id = std::move(id);
  e.name = std::move(name);
  return e;
}
StreamEvent usage(int64_t in, int64_t out, int64_t cached = 0, int64_t reasoning = 0) {
  StreamEvent e = ev(K::Usage);
  e.usage.input_tokens = in;
  e.usage.output_tokens = out;
  e.usage.cached_input_tokens = cached;
  e.usage.reasoning_tokens = reasoning;
  return e;
}
StreamEvent finish(FinishReason r) {
  StreamEvent e = ev(K::Finish);
  e.finish = r;
  return e;
}

EncodeContext context(bool include_usage, std::string id = "chatcmpl-1", int64_t created = 1700,
                      std::string alias = "my-alias") {
  EncodeContext c;
  c.model_alias = std::move(alias);
  c.stream = true;
  c.include_usage = include_usage;
  c.response_id = std::move(id);
  c.created = created;
  c.upstream = Protocol::OpenAIChat;
  return c;
}

std::string encode(const EncodeContext& ctx, const std::vector<StreamEvent>& events,
                   bool end = true) {
  auto enc = openai_chat_surface().make_encoder(ctx);
  std::string out;
  for (const auto& e : events) enc->on_event(e, out);
  if (end) enc->on_end(out);
  return out;
}

/// Expected frame for our default context: a chunk with `delta` and `finish` (JSON literal).
std::string chunk(const std::string& delta, const std::string& finish = "null",
                  bool usage_null = false) {
  return R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700,)"
         R"("model":"my-alias","choices":[{"index":0,"delta":)" +
         delta + R"(,"logprobs":null,"finish_reason":)" + finish + "}]" +
         (usage_null ? R"(,"usage":null)" : "") + "}\n\n";
}

const std::string kZeroUsageDetails =
    R"("prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},)"
    R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)"
    R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0})";

/// A recorded stream with OpenAI's random `"obfuscation":"..."` padding removed.
std::string strip_obfuscation(std::string s) {
  const std::string key = R"(,"obfuscation":")";
  for (size_t p; (p = s.find(key)) != std::string::npos;) {
    size_t end = s.find('"', p + key.size());
    s.erase(p, end + 1 - p);
  }
  return s;
}

std::vector<RawField> openai_extras(bool tier) {
  std::vector<RawField> x;
  if (tier) x.push_back({"service_tier", "\"default\""});
  return x;
}

// ---- replays of recorded OpenAI streams -----------------------------------------------------

TEST(OpenAIChatSurfaceEncoder, ReplaysRecordedTextStream) {
  auto extras = openai_extras(true);
  extras.push_back({"system_fingerprint", "\"fp_d0469e1700\""});
  std::vector<StreamEvent> events = {start(extras)};
  for (const char* t : {"The", " capital", " of", " the", " UK", " is", " London", "."}) {
    events.push_back(ev(K::TextDelta, t));
  }
  events.push_back(usage(78, 9));
  events.push_back(finish(FinishReason::Stop));
  std::string got = encode(context(true, "chatcmpl-Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc", 1782955818,
                                   "gpt-4o-mini-2024-07-18"),
                           events);
  EXPECT_EQ(got, strip_obfuscation(testing::read_fixture("openai-chat/text-stream.sse")));
}

TEST(OpenAIChatSurfaceEncoder, ReplaysRecordedToolCallStream) {
  auto extras = openai_extras(true);
  extras.push_back({"system_fingerprint", "\"fp_d0469e1700\""});
  std::vector<StreamEvent> events = {start(extras),
                                     tool_start(0, "call_ZR5UUuTt3pf61kjwAJIYdVMj", "get_capital")};
  for (const char* a : {"{\"", "country", "\":\"", "UK", "\"}"}) {
    events.push_back(ev(K::ToolCallDelta, a, 0));
  }
  events.push_back(ev(K::ToolCallEnd, {}, 0));
  events.push_back(usage(53, 15));
  events.push_back(finish(FinishReason::ToolCalls));
  std::string got = encode(context(true, "chatcmpl-Dx0XpqH8w09uBXwq1zFGYdETjtnEl", 1782955817,
                                   "gpt-4o-mini-2024-07-18"),
                           events);
  EXPECT_EQ(got, strip_obfuscation(testing::read_fixture("openai-chat/tool-call-stream.sse")));
}

/// The recording up to and including its finish chunk (older recordings carry a shorter usage).
std::string through_finish(const std::string& sse) {
  size_t p = sse.find(R"("finish_reason":")");
  return sse.substr(0, sse.find("\n\n", p) + 2);
}

TEST(OpenAIChatSurfaceEncoder, ReplaysRecordedRefusalAndLengthStreams) {
  std::vector<StreamEvent> refusal = {start({{"system_fingerprint", "\"fp_5050236cbd\""}})};
  for (const char* t : {"I'm", " sorry", ",", " I", " can't", " assist", " with", " that",
                        " request", "."}) {
    refusal.push_back(ev(K::RefusalDelta, t));
  }
  refusal.push_back(finish(FinishReason::Stop));
  EXPECT_EQ(encode(context(false, "chatcmpl-ABfw4IfQfCCrcuybFm41wJyxjbkz7", 1727346172,
                           "gpt-4o-2024-08-06"),
                   refusal, /*end=*/false),
            through_finish(testing::read_fixture("openai-chat/refusal-stream.sse")));

  std::vector<StreamEvent> length = {start({{"system_fingerprint", "\"fp_7568d46099\""}}),
                                     ev(K::TextDelta, "{\""), finish(FinishReason::Length)};
  EXPECT_EQ(encode(context(false, "chatcmpl-ABfw3Oqj8RD0z6aJiiX37oTjV2HFh", 1727346171,
                           "gpt-4o-2024-08-06"),
                   length, /*end=*/false),
            through_finish(testing::read_fixture("openai-chat/length-stream.sse")));
}

// ---- hand-written goldens -------------------------------------------------------------------

TEST(OpenAIChatSurfaceEncoder, TextWithoutIncludeUsageUsesAliasAndDropsForeignExtras) {
  EncodeContext ctx = context(false);
  ctx.upstream = Protocol::Anthropic;  // extras of another protocol are never re-emitted
  std::string got = encode(ctx, {start({{"system_fingerprint", "\"fp_x\""}}),
                                 ev(K::TextDelta, "Hel"), ev(K::TextDelta, ""),
                                 ev(K::TextDelta, "lo \"q\"\n"), usage(5, 2),
                                 finish(FinishReason::StopSequence)});
  EXPECT_EQ(got, chunk(R"({"role":"assistant","content":"","refusal":null})") +
                     chunk(R"({"content":"Hel"})") + chunk(R"({"content":"lo \"q\"\n"})") +
                     chunk("{}", "\"stop\"") + "data: [DONE]\n\n");
}

TEST(OpenAIChatSurfaceEncoder, TwoParallelToolCallsIncludingZeroArgs) {
  std::string got = encode(context(true), {
      start(), tool_start(0, "call_a", "get_weather"), ev(K::ToolCallDelta, "{\"city\":", 0),
      ev(K::ToolCallDelta, "\"Paris\"}", 0), ev(K::ToolCallEnd, {}, 0),
      tool_start(1, "call_b", "list_files"), ev(K::ToolCallEnd, {}, 1),
      usage(20, 10, 4, 3), finish(FinishReason::ToolCalls)});
  std::string want =
      chunk(R"({"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a",)"
            R"("type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null})",
            "null", true) +
      chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]})", "null", true) +
      chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]})", "null", true) +
      chunk(R"({"tool_calls":[{"index":1,"id":"call_b","type":"function","function":)"
            R"({"name":"list_files","arguments":""}}]})",
            "null", true) +
      chunk(R"({"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]})", "null", true) +
      chunk("{}", "\"tool_calls\"", true) +
      R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700,"model":"my-alias",)"
      R"("choices":[],"usage":{"prompt_tokens":20,"completion_tokens":10,"total_tokens":30,)"
      R"("prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},)"
      R"("completion_tokens_details":{"reasoning_tokens":3,"audio_tokens":0,)"
      R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}})"
      "\n\ndata: [DONE]\n\n";
  EXPECT_EQ(got, want);
}

TEST(OpenAIChatSurfaceEncoder, TextThenToolCallAndMissingIdIsSynthesised) {
  std::string got = encode(context(false), {start(), ev(K::TextDelta, "ok"),
                                            tool_start(0, "", "f"), ev(K::ToolCallDelta, "{}", 0),
                                            ev(K::ToolCallEnd, {}, 0), finish(FinishReason::ToolCalls)});
  const std::string synthesized = providers::synth_tool_id("chatcmpl-1", 0);
  EXPECT_EQ(synthesized.rfind("call_", 0), 0u);
  EXPECT_EQ(got, chunk(R"({"role":"assistant","content":"","refusal":null})") +
                     chunk(R"({"content":"ok"})") +
                     chunk(R"({"tool_calls":[{"index":0,"id":")" + synthesized +
                           R"(","type":"function","function":{"name":"f","arguments":""}}]})") +
                     chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]})") +
                     chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n");
}

TEST(OpenAIChatSurfaceEncoder, FinishWithoutContentReasoningAndCacheWrite) {
  EXPECT_EQ(encode(context(false), {start(), finish(FinishReason::ContentFilter)}),
            chunk(R"({"role":"assistant","content":"","refusal":null})") +
                chunk("{}", "\"content_filter\"") + "data: [DONE]\n\n");

  StreamEvent u = usage(10, 8, 0, 5);
  u.usage.cache_write_tokens = 6;
  u.usage.has_cache_write = true;
  std::string got = encode(context(true), {start(), ev(K::ReasoningDelta, "hmm"),
                                           ev(K::ReasoningSignature, "sig"),
                                           ev(K::TextDelta, "A"), u, finish(FinishReason::Other)});
  std::string want =
      chunk(R"({"role":"assistant","content":"","refusal":null})", "null", true) +
      chunk(R"({"reasoning_content":"hmm"})", "null", true) +
      chunk(R"({"content":"A"})", "null", true) + chunk("{}", "\"stop\"", true) +
      R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700,"model":"my-alias",)"
      R"("choices":[],"usage":{"prompt_tokens":10,"completion_tokens":8,"total_tokens":18,)"
      R"("prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0,"cache_write_tokens":6},)"
      R"("completion_tokens_details":{"reasoning_tokens":5,"audio_tokens":0,)"
      R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}})"
      "\n\ndata: [DONE]\n\n";
  EXPECT_EQ(got, want);
}

TEST(OpenAIChatSurfaceEncoder, IncludeUsageWithoutUsageEventSendsZeros) {
  std::string got = encode(context(true), {start(), ev(K::TextDelta, "x"), finish(FinishReason::Stop)});
  EXPECT_NE(got.find(R"("choices":[],"usage":{"prompt_tokens":0,"completion_tokens":0,)"
                     R"("total_tokens":0,)" + kZeroUsageDetails + "}}\n\ndata: [DONE]\n\n"),
            std::string::npos)
      << got;
}

TEST(OpenAIChatSurfaceEncoder, StreamErrorIsTerminal) {
  auto enc = openai_chat_surface().make_encoder(context(true));
  std::string out;
  enc->on_event(start(), out);
  enc->on_event(ev(K::TextDelta, "par"), out);
  Error err = Error::make(ErrorKind::StreamInterrupted, "upstream stream ended early");
  enc->on_stream_error(err, out);
  enc->on_event(ev(K::TextDelta, "tial"), out);
  enc->on_end(out);
  enc->on_stream_error(err, out);
  EXPECT_EQ(out, chunk(R"({"role":"assistant","content":"","refusal":null})", "null", true) +
                     chunk(R"({"content":"par"})", "null", true) +
                     R"(data: {"error":{"message":"upstream stream ended early",)"
                     R"("type":"server_error","param":null,"code":null}})"
                     "\n\n");

  // An Error event delivered through on_event renders the same terminal frame.
  auto enc2 = openai_chat_surface().make_encoder(context(false));
  std::string out2;
  StreamEvent e = ev(K::Error);
  e.error = Error::make(ErrorKind::RateLimited, "slow");
  enc2->on_event(e, out2);
  enc2->on_end(out2);
  EXPECT_EQ(out2, R"(data: {"error":{"message":"slow","type":"requests","param":null,)"
                  R"("code":"rate_limit_exceeded"}})"
                  "\n\n");
}

TEST(OpenAIChatSurfaceEncoder, DoneOnceAndIdleIsAComment) {
  auto enc = openai_chat_surface().make_encoder(context(false));
  std::string out;
  enc->on_idle(out);
  EXPECT_EQ(out, ": keep-alive\n\n");
  out.clear();
  enc->on_event(finish(FinishReason::Stop), out);
  enc->on_event(finish(FinishReason::Length), out);  // a second Finish is ignored
  enc->on_end(out);
  enc->on_end(out);
  EXPECT_EQ(out, chunk(R"({"role":"assistant","content":"","refusal":null})") +
                     chunk("{}", "\"stop\"") + "data: [DONE]\n\n");
}

// ---- non-streaming body ---------------------------------------------------------------------

std::string render(const EncodeContext& ctx, const std::vector<StreamEvent>& events) {
  pipeline::Fold fold;
  for (auto e : events) fold.on_event(std::move(e));
  std::string out;
  openai_chat_surface().make_encoder(ctx)->render_response(fold.result(), out);
  return out;
}

const std::string kHead =
    R"({"id":"chatcmpl-1","object":"chat.completion","created":1700,"model":"my-alias",)"
    R"("choices":[{"index":0,"message":{"role":"assistant",)";

TEST(OpenAIChatSurfaceRender, TextConcatenatedWithSameProtocolExtras) {
  EncodeContext ctx = context(false);
  ctx.stream = false;
  auto extras = openai_extras(true);
  extras.push_back({"system_fingerprint", "\"fp_1\""});
  std::string got = render(ctx, {start(extras), ev(K::TextDelta, "Hello"),
                                 ev(K::ReasoningDelta, "think"), ev(K::TextDelta, " world"),
                                 usage(16, 363, 2), finish(FinishReason::Stop)});
  EXPECT_EQ(got, kHead + R"("content":"Hello world","refusal":null,"annotations":[],)"
                         R"("reasoning_content":"think"},"logprobs":null,"finish_reason":"stop"}],)"
                         R"("usage":{"prompt_tokens":16,"completion_tokens":363,"total_tokens":379,)"
                         R"("prompt_tokens_details":{"cached_tokens":2,"audio_tokens":0},)"
                         R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)"
                         R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},)"
                         R"("service_tier":"default","system_fingerprint":"fp_1"})");

  ctx.upstream = Protocol::Gemini;
  std::string foreign = render(ctx, {start(extras), ev(K::TextDelta, "Hi"), finish(FinishReason::Stop)});
  EXPECT_EQ(foreign, kHead + R"("content":"Hi","refusal":null,"annotations":[]},"logprobs":null,)"
                             R"("finish_reason":"stop"}],"usage":{"prompt_tokens":0,)"
                             R"("completion_tokens":0,"total_tokens":0,)" +
                         kZeroUsageDetails + "}}");
}

TEST(OpenAIChatSurfaceRender, ToolCallsOnlyHaveNullContent) {
  std::string got = render(context(false), {
      start(), tool_start(0, "call_1", "delete_file"), ev(K::ToolCallDelta, "{\"path\": \".env\"}", 0),
      ev(K::ToolCallEnd, {}, 0), tool_start(1, "call_2", "ping"), ev(K::ToolCallEnd, {}, 1),
      usage(71, 46), finish(FinishReason::ToolCalls)});
  EXPECT_EQ(got, kHead + R"("content":null,"refusal":null,"annotations":[],"tool_calls":[)"
                         R"({"id":"call_1","type":"function","function":{"name":"delete_file",)"
                         R"("arguments":"{\"path\": \".env\"}"}},)"
                         R"({"id":"call_2","type":"function","function":{"name":"ping","arguments":"{}"}}]},)"
                         R"("logprobs":null,"finish_reason":"tool_calls"}],)"
                         R"("usage":{"prompt_tokens":71,"completion_tokens":46,"total_tokens":117,)" +
                         kZeroUsageDetails + "}}");
}

TEST(OpenAIChatSurfaceRender, RefusalEmptyAnswerAndLength) {
  std::string refusal = render(context(false), {start(), ev(K::RefusalDelta, "I can't"),
                                                ev(K::RefusalDelta, " help."), finish(FinishReason::Stop)});
  EXPECT_EQ(refusal, kHead + R"("content":null,"refusal":"I can't help.","annotations":[]},)"
                             R"("logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":0,)"
                             R"("completion_tokens":0,"total_tokens":0,)" +
                         kZeroUsageDetails + "}}");

  std::string empty = render(context(false), {start(), finish(FinishReason::Length)});
  EXPECT_NE(empty.find(R"("message":{"role":"assistant","content":"","refusal":null,"annotations":[]},)"
                       R"("logprobs":null,"finish_reason":"length"})"),
            std::string::npos)
      << empty;
  EXPECT_EQ(empty.find("tool_calls"), std::string::npos);
  EXPECT_EQ(empty.find("reasoning_content"), std::string::npos);
}

}  // namespace
}  // namespace openrain::surfaces
