// Gemini provider: response decoding of every recorded fixture (SSE, JSON-array stream, whole
// bodies, Vertex streamed arguments), each through all split variants, plus synthetic edge cases.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "providers/common.hpp"
#include "providers/gemini.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::providers {
namespace {

using openrain::testing::read_fixture;
using openrain::testing::Recorder;
using openrain::testing::split_variants;

struct Env {
  Env() {
    prov.name = "gem";
    prov.kind = ProviderKind::Gemini;
    prov.base_url = "https://generativelanguage.googleapis.com";
    prov.api_key = "AIzaSyTESTKEY0123456789abcdefghijklmnopq";
    model.alias = "m";
    model.provider = "gem";
    model.model = "gemini-2.5-flash";
    dep = Deployment{&prov, &model};
  }
  Env(const Env&) = delete;
  ProviderConfig prov;
  ModelConfig model;
  Deployment dep;
};

struct Decoded {
  std::string summary;
  Recorder rec;  // events of the whole-body variant
  Status status;
};

/// Decode `body` through every split variant; all must yield the same summary and status.
Decoded decode(std::string_view body, bool streaming) {
  Env env;
  ChatRequest req;
  req.stream = streaming;
  Decoded first;
  bool have_first = false;
  for (const auto& parts : split_variants(body)) {
    auto dec = gemini_provider().make_decoder(req, env.dep, streaming);
    Recorder rec;
    Status st;
    for (const auto& p : parts) {
      st = dec->feed(p, rec);
      if (!st.ok()) break;
    }
    if (st.ok()) st = dec->finish(rec);
    std::string summary = rec.summary();
    if (!st.ok()) summary += std::string("\n<status ") + error_kind_name(st.error().kind) + ">";
    if (!have_first) {
      first.summary = summary;
      first.rec = std::move(rec);
      first.status = st;
      have_first = true;
    } else {
      EXPECT_EQ(summary, first.summary) << "split variant differs";
    }
  }
  return first;
}

std::string sid(std::string_view seed, int k) { return synth_tool_id(seed, k); }

const StreamEvent* find_event(const Recorder& r, StreamEvent::Kind k, int nth = 0) {
  for (const auto& e : r.events) {
    if (e.kind == k && nth-- == 0) return &e;
  }
  return nullptr;
}

// ---- streamed fixtures -----------------------------------------------------------------------

TEST(GeminiProviderDecode, TextStreamSse) {
  Decoded d = decode(read_fixture("gemini/text-stream.sse"), true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary,
            "start id=w1peaMz6INOvnvgPgYfPiQY model=gemini-2.0-flash-exp\n"
            "text The capital of France is Paris.\n\n"
            "usage in=13 out=8 cached=0 cw=0 reasoning=0\n"
            "finish stop");
  EXPECT_EQ(find_event(d.rec, StreamEvent::Kind::Finish)->native_finish, "STOP");
  // Exactly one Usage, immediately before Finish.
  ASSERT_GE(d.rec.events.size(), 2u);
  EXPECT_EQ(d.rec.events[d.rec.events.size() - 2].kind, StreamEvent::Kind::Usage);
  EXPECT_EQ(find_event(d.rec, StreamEvent::Kind::Usage, 1), nullptr);
}

TEST(GeminiProviderDecode, ThinkingStreamSse) {
  Decoded d = decode(read_fixture("gemini/thinking-stream.sse"), true);
  ASSERT_TRUE(d.status.ok());
  std::string reasoning, text;
  for (const auto& e : d.rec.events) {
    if (e.kind == StreamEvent::Kind::ReasoningDelta) reasoning += e.text;
    if (e.kind == StreamEvent::Kind::TextDelta) text += e.text;
  }
  EXPECT_EQ(reasoning.size(), 1575u);
  EXPECT_EQ(text.size(), 1938u);
  EXPECT_EQ(reasoning.rfind("**Clarifying User Goals**\n\nI'm currently focused on defining", 0), 0u);
  EXPECT_EQ(text.rfind("This is a great question! Safely crossing the street is all ", 0), 0u);
  const std::string tail = " be predictable**. Always assume a driver might not see you.";
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail);
  // Thoughts first, then the answer: the summary has exactly one reasoning and one text block.
  EXPECT_EQ(d.summary.rfind("start id=beHBaJfEMIi-qtsP3769-Q8 model=gemini-2.5-pro\nreasoning ", 0), 0u);
  const std::string end = "\nusage in=34 out=1256 cached=0 cw=0 reasoning=787\nfinish stop";
  EXPECT_EQ(d.summary.substr(d.summary.size() - end.size()), end);
  size_t blocks = 0;
  for (const auto& e : d.rec.events) {
    blocks += e.kind == StreamEvent::Kind::Start || e.kind == StreamEvent::Kind::Usage ||
              e.kind == StreamEvent::Kind::Finish;
  }
  EXPECT_EQ(blocks, 3u);
  EXPECT_EQ(d.summary.find("\nreasoning", d.summary.find("\ntext ")), std::string::npos);
}

TEST(GeminiProviderDecode, FunctionCallStreamSseWithSignature) {
  Decoded d = decode(read_fixture("gemini/function-call-stream.sse"), true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=QUVVadTSNJ6_qtsPvN7J8Q0 model=gemini-3-pro-preview\n"
                       "tool_start 0 " + sid("QUVVadTSNJ6_qtsPvN7J8Q0", 0) + " get_country sig\n"
                       "tool_args 0 {}\n"
                       "tool_end 0\n"
                       "usage in=29 out=212 cached=0 cw=0 reasoning=202\n"
                       "finish tool_calls");
  const StreamEvent* st = find_event(d.rec, StreamEvent::Kind::ToolCallStart);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->signature.rfind("EpwICpkIAXLI2nxlU6gsWZaZ", 0), 0u);
  EXPECT_EQ(st->signature.size(), 1408u);
  // Deterministic: decoding again gives the same id.
  Decoded again = decode(read_fixture("gemini/function-call-stream.sse"), true);
  EXPECT_EQ(find_event(again.rec, StreamEvent::Kind::ToolCallStart)->id, st->id);
}

TEST(GeminiProviderDecode, FunctionCallJsonArrayStream) {
  Decoded d = decode(read_fixture("gemini/function-call-stream-no-sse.txt"), true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary,
            "start id=OYpyaqycKd2V_uMP65TsgA0 model=gemini-2.5-flash\n"
            "reasoning **Generating Pelican Names**\n\nOkay, I'm thinking I should use the "
            "`pelican_name_generator` tool to address the user's request. It seems straightforward: "
            "call it twice to get two different names for the pet pelican. It's a quick plan.\n\n\n\n"
            "tool_start 0 " + sid("OYpyaqycKd2V_uMP65TsgA0", 0) + " pelican_name_generator sig\n"
            "tool_args 0 {}\n"
            "tool_end 0\n"
            "usage in=32 out=54 cached=0 cw=0 reasoning=42\n"
            "finish tool_calls");
}

const char* kVertexExpected =
    "start id=_vr4aYiWEJnYodAPkujX0QM model=gemini-3-flash-preview\n"
    "reasoning **Processing User Requests**\n\nI've started by understanding the user's "
    "instructions. Currently, I'm focusing on the initial steps: reading the specified theme using "
    "the appropriate tool. Next, I plan to tackle reading the screens, beginning with screen \"A,\" "
    "then proceeding with \"B\" and \"C\" in parallel as instructed.\n\n\n\n";

std::string vertex_calls() {
  const std::string seed = "_vr4aYiWEJnYodAPkujX0QM";
  return "tool_start 0 " + sid(seed, 0) + " read_theme sig\ntool_args 0 {}\ntool_end 0\n"
         "tool_start 1 " + sid(seed, 1) + " read_screen\ntool_args 1 {\"id\":\"A\"}\ntool_end 1\n"
         "tool_start 2 " + sid(seed, 2) + " read_screen\ntool_args 2 {\"id\":\"B\"}\ntool_end 2\n"
         "tool_start 3 " + sid(seed, 3) + " read_screen\ntool_args 3 {\"id\":\"C\"}\ntool_end 3\n"
         "usage in=249 out=241 cached=0 cw=0 reasoning=183\nfinish tool_calls";
}

TEST(GeminiProviderDecode, VertexStreamedFunctionCallArgumentsSse) {
  std::string jsonl = read_fixture("gemini/vertex-streamed-function-call-args.chunks.jsonl");
  Decoded d = decode(testing::sse_from_jsonl(jsonl, false), true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, kVertexExpected + vertex_calls());
  EXPECT_EQ(find_event(d.rec, StreamEvent::Kind::Start)->created, 1777924862);
}

TEST(GeminiProviderDecode, VertexChunksAsJsonArrayStream) {
  std::string jsonl = read_fixture("gemini/vertex-streamed-function-call-args.chunks.jsonl");
  std::string arr = "[";
  size_t pos = 0;
  bool first = true;
  while (pos < jsonl.size()) {
    size_t nl = jsonl.find('\n', pos);
    std::string line = jsonl.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? jsonl.size() : nl + 1;
    if (line.empty()) continue;
    arr += (first ? "" : "\n,\r\n") + line;
    first = false;
  }
  arr += "\n]";
  Decoded d = decode(arr, true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, kVertexExpected + vertex_calls());
}

// ---- whole-body fixtures ---------------------------------------------------------------------

TEST(GeminiProviderDecode, TextResponse) {
  Decoded d = decode(read_fixture("gemini/text.response.json"), false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=bzlXaa_EE_aHqtsPi_zw8Ao model=gemini-2.5-flash\n"
                       "text Hello! How can I help you today?\n"
                       "usage in=9 out=43 cached=0 cw=0 reasoning=34\n"
                       "finish stop");
}

TEST(GeminiProviderDecode, CachedContentUsage) {
  Decoded d = decode(read_fixture("gemini/cached-content-usage.response.json"), false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=_VQYaqvRGbW6qtsPg4TDoAg model=gemini-2.5-flash\n"
                       "text Paris.\n"
                       "usage in=3520 out=44 cached=3512 cw=0 reasoning=42\n"
                       "finish stop");
}

TEST(GeminiProviderDecode, MaxTokensWithoutParts) {
  Decoded d = decode(read_fixture("gemini/max-tokens-no-parts.response.json"), false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=fH8oaunbEbr9qtsPjYGX4A0 model=gemini-2.5-pro\n"
                       "usage in=15 out=2 cached=0 cw=0 reasoning=2\n"
                       "finish length");
  EXPECT_EQ(find_event(d.rec, StreamEvent::Kind::Finish)->native_finish, "MAX_TOKENS");
}

TEST(GeminiProviderDecode, ParallelFunctionCalls) {
  Decoded d = decode(read_fixture("gemini/parallel-function-calls.response.json"), false);
  ASSERT_TRUE(d.status.ok());
  const std::string seed = "wOd8abGuO5rgz7IP5tLEGA";
  EXPECT_EQ(d.summary, "start id=wOd8abGuO5rgz7IP5tLEGA model=gemini-3-flash-preview\n"
                       "tool_start 0 " + sid(seed, 0) + " generate_topic sig\ntool_args 0 {}\ntool_end 0\n"
                       "tool_start 1 " + sid(seed, 1) + " generate_topic\ntool_args 1 {}\ntool_end 1\n"
                       "tool_start 2 " + sid(seed, 2) + " generate_topic\ntool_args 2 {}\ntool_end 2\n"
                       "usage in=83 out=220 cached=0 cw=0 reasoning=190\n"
                       "finish tool_calls");
  EXPECT_NE(sid(seed, 0), sid(seed, 1));
}

TEST(GeminiProviderDecode, SafetyBlocked) {
  Decoded d = decode(read_fixture("gemini/safety-blocked.response.json"), false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=5lpeaLOIBf__698Pv8HGgAg model=gemini-1.5-flash\n"
                       "usage in=14 out=0 cached=0 cw=0 reasoning=0\n"
                       "finish content_filter");
  EXPECT_EQ(find_event(d.rec, StreamEvent::Kind::Finish)->native_finish, "SAFETY");
}

TEST(GeminiProviderDecode, Gemini3TextWithSignature) {
  Decoded d = decode(read_fixture("gemini/text-gemini3.response.json"), false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=Un6LacrVMcjUxs0PmJfWoQc model=gemini-3-pro-preview\n"
                       "text There are **3** r's in strawberry.\n\nHere is the breakdown: "
                       "st**r**awbe**rr**y.\n"
                       "usage in=9 out=272 cached=0 cw=0 reasoning=244\n"
                       "finish stop");
}

TEST(GeminiProviderDecode, CountTokensBodyHasNoCandidates) {
  Decoded d = decode(read_fixture("gemini/count-tokens.response.json"), false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id= model=\nfinish other");
}

TEST(GeminiProviderDecode, WholeBodyFixturesAlsoDecodeAsStreams) {
  // A streaming request answered with one JSON object (sniffed '{') decodes the same way.
  Decoded d = decode(read_fixture("gemini/text.response.json"), true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, decode(read_fixture("gemini/text.response.json"), false).summary);
}

// ---- synthetic edge cases --------------------------------------------------------------------

TEST(GeminiProviderDecode, TruncatedStreamIsInterrupted) {
  std::string body = read_fixture("gemini/text-stream.sse");
  std::string cut = body.substr(0, body.rfind("data: "));
  Decoded d = decode(cut, true);
  ASSERT_FALSE(d.status.ok());
  EXPECT_EQ(d.status.error().kind, ErrorKind::StreamInterrupted);
  EXPECT_EQ(d.summary, "start id=w1peaMz6INOvnvgPgYfPiQY model=gemini-2.0-flash-exp\n"
                       "text The capital of France\n<status stream_interrupted>");

  std::string arr = read_fixture("gemini/function-call-stream-no-sse.txt");
  Decoded a = decode(arr.substr(0, arr.find(",\r\n") + 10), true);
  EXPECT_EQ(a.status.error().kind, ErrorKind::StreamInterrupted);
  Decoded empty = decode("", true);
  EXPECT_EQ(empty.status.error().kind, ErrorKind::StreamInterrupted);
}

TEST(GeminiProviderDecode, ErrorChunkMidStream) {
  std::string body =
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"}}],"
      "\"responseId\":\"r1\",\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n"
      "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"ignored\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n";
  Decoded d = decode(body, true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=r1 model=gemini-2.5-flash\ntext Hel\nerror overloaded 503");
  const StreamEvent* err = find_event(d.rec, StreamEvent::Kind::Error);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->error.message, "The model is overloaded.");
  EXPECT_EQ(err->error.provider, "gem");

  Decoded arr = decode("[{\"error\": {\"code\": 429, \"message\": \"slow\", \"status\": \"RESOURCE_EXHAUSTED\"}}]", true);
  EXPECT_EQ(arr.summary, "error rate_limited 429");
  Decoded whole = decode("{\"error\": {\"code\": 500, \"message\": \"x\", \"status\": \"INTERNAL\"}}", false);
  EXPECT_EQ(whole.summary, "error upstream_server_error 500");
}

TEST(GeminiProviderDecode, PromptBlockedWithoutCandidates) {
  std::string body = "data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},"
                     "\"usageMetadata\":{\"promptTokenCount\":7,\"totalTokenCount\":7},"
                     "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"b1\"}\r\n\r\n";
  Decoded d = decode(body, true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=b1 model=gemini-2.5-flash\n"
                       "usage in=7 out=0 cached=0 cw=0 reasoning=0\nfinish content_filter");
  EXPECT_EQ(find_event(d.rec, StreamEvent::Kind::Finish)->native_finish, "PROHIBITED_CONTENT");
}

TEST(GeminiProviderDecode, FinishReasonMappingAndUpstreamIds) {
  auto finish_of = [](std::string reason, std::string parts) {
    std::string body = "{\"candidates\":[{\"content\":{\"parts\":[" + parts +
                       "],\"role\":\"model\"},\"finishReason\":\"" + reason +
                       "\"}],\"responseId\":\"x\"}";
    Decoded d = decode(body, false);
    return d.summary.substr(d.summary.rfind('\n') + 1);
  };
  const std::string call = R"({"functionCall":{"name":"f","args":{"a":1}}})";
  EXPECT_EQ(finish_of("STOP", R"({"text":"hi"})"), "finish stop");
  EXPECT_EQ(finish_of("STOP", call), "finish tool_calls");
  EXPECT_EQ(finish_of("MAX_TOKENS", call), "finish length");
  EXPECT_EQ(finish_of("RECITATION", R"({"text":"hi"})"), "finish content_filter");
  EXPECT_EQ(finish_of("SPII", R"({"text":"hi"})"), "finish content_filter");
  EXPECT_EQ(finish_of("IMAGE_SAFETY", R"({"text":"hi"})"), "finish content_filter");
  EXPECT_EQ(finish_of("BLOCKLIST", R"({"text":"hi"})"), "finish content_filter");
  EXPECT_EQ(finish_of("PROHIBITED_CONTENT", R"({"text":"hi"})"), "finish content_filter");
  // A rejected call of the model's own is an error for other protocols' callers (below: Gemini).
  EXPECT_EQ(finish_of("MALFORMED_FUNCTION_CALL", R"({"text":""})"), "error upstream_server_error 502");
  EXPECT_EQ(finish_of("UNEXPECTED_TOOL_CALL", R"({"text":""})"), "error upstream_server_error 502");
  EXPECT_EQ(finish_of("LANGUAGE", R"({"text":"hi"})"), "finish other");

  Decoded ids = decode(R"({"candidates":[{"content":{"parts":[{"functionCall":{"id":"fc-up-1","name":"f",)"
                       R"("args":{"b":[1,{"c":null}]}}},{"text":"","thoughtSignature":"S"}]},)"
                       R"("finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,)"
                       R"("toolUsePromptTokenCount":3,"candidatesTokenCount":2}})",
                       false);
  EXPECT_EQ(ids.summary, "start id= model=\ntool_start 0 fc-up-1 f\ntool_args 0 {\"b\":[1,{\"c\":null}]}\n"
                         "tool_end 0\ntext \nusage in=8 out=2 cached=0 cw=0 reasoning=0\nfinish tool_calls");
  EXPECT_EQ(find_event(ids.rec, StreamEvent::Kind::TextDelta)->signature, "S");
}

TEST(GeminiProviderDecode, MalformedFunctionCallKeepsItsNativeFinishForGeminiCallers) {
  std::string body = R"({"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},)"
                     R"("finishReason":"MALFORMED_FUNCTION_CALL"}],"responseId":"x"})";
  Env env;
  ChatRequest req;
  Recorder rec;
  auto dec = gemini_provider().make_decoder(req, env.dep, false);
  ASSERT_TRUE(dec->feed(body, rec).ok());
  ASSERT_TRUE(dec->finish(rec).ok());
  const StreamEvent* err = find_event(rec, StreamEvent::Kind::Error);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->error.code, "gemini_malformed_function_call");
  EXPECT_EQ(err->error.provider, "gem");
  EXPECT_NE(err->error.message.find("MALFORMED_FUNCTION_CALL"), std::string::npos);
  EXPECT_EQ(find_event(rec, StreamEvent::Kind::Finish), nullptr);

  req.source = Protocol::Gemini;
  Recorder same;
  dec = gemini_provider().make_decoder(req, env.dep, false);
  ASSERT_TRUE(dec->feed(body, same).ok());
  ASSERT_TRUE(dec->finish(same).ok());
  const StreamEvent* fin = find_event(same, StreamEvent::Kind::Finish);
  ASSERT_NE(fin, nullptr);
  EXPECT_EQ(fin->finish, FinishReason::Other);
  EXPECT_EQ(fin->native_finish, "MALFORMED_FUNCTION_CALL");
}

TEST(GeminiProviderDecode, TextAndThoughtSignaturesAreKept) {
  // Thought, then the first visible text part signed (Gemini 2.5 / the simulator), then more text;
  // a signed thought part closes its reasoning block.
  std::string body =
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Plan.\",\"thought\":true}]}}],\"responseId\":\"r\"}\r\n\r\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\",\"thoughtSignature\":\"TSIG\"}]}}]}\r\n\r\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"},{\"text\":\"more\",\"thought\":true,"
      "\"thoughtSignature\":\"RSIG\"},{\"text\":\"\",\"thoughtSignature\":\"ESIG\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n";
  Decoded d = decode(body, true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=r model=\nreasoning Plan.\ntext Hello\nreasoning more\n"
                       "signature RSIG\ntext \nfinish stop");
  std::vector<std::string> text_sigs;
  for (const auto& e : d.rec.events) {
    if (e.kind == StreamEvent::Kind::TextDelta) text_sigs.push_back(e.signature);
  }
  EXPECT_EQ(text_sigs, (std::vector<std::string>{"TSIG", "", "ESIG"}));
}

TEST(GeminiProviderDecode, MissingResponseIdStillGivesStableDistinctIds) {
  std::string body = R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f"}},)"
                     R"({"functionCall":{"name":"g"}}]},"finishReason":"STOP"}]})";
  Decoded a = decode(body, false);
  Decoded b = decode(body, false);
  const StreamEvent* a0 = find_event(a.rec, StreamEvent::Kind::ToolCallStart, 0);
  const StreamEvent* a1 = find_event(a.rec, StreamEvent::Kind::ToolCallStart, 1);
  ASSERT_NE(a0, nullptr);
  ASSERT_NE(a1, nullptr);
  EXPECT_EQ(a0->id, find_event(b.rec, StreamEvent::Kind::ToolCallStart, 0)->id);
  EXPECT_NE(a0->id, a1->id);
  EXPECT_EQ(a0->id.rfind("call_", 0), 0u);
}

TEST(GeminiProviderDecode, VertexPartialArgsNestedPathsAndTypes) {
  std::string body =
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"plan\",\"willContinue\":true}}]}}],\"responseId\":\"v\"}\n\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"partialArgs\":["
      "{\"jsonPath\":\"$.title\",\"stringValue\":\"Hel\",\"willContinue\":true}],\"willContinue\":true}}]}}]}\n\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"partialArgs\":["
      "{\"jsonPath\":\"$.title\",\"stringValue\":\"lo \\\"x\\\"\"},"
      "{\"jsonPath\":\"$.steps[0].n\",\"numberValue\":2.5},"
      "{\"jsonPath\":\"$.steps[1]\",\"boolValue\":false},"
      "{\"jsonPath\":\"$.meta['a b']\",\"nullValue\":null}],\"willContinue\":true}}]}}]}\n\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"next\",\"args\":{}}}]},"
      "\"finishReason\":\"STOP\"}]}\n\n";
  Decoded d = decode(body, true);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.summary, "start id=v model=\n"
                       "tool_start 0 " + sid("v", 0) + " plan\n"
                       "tool_args 0 {\"title\":\"Hello \\\"x\\\"\",\"steps\":[{\"n\":2.5},false],"
                       "\"meta\":{\"a b\":null}}\n"
                       "tool_end 0\n"
                       "tool_start 1 " + sid("v", 1) + " next\ntool_args 1 {}\ntool_end 1\n"
                       "finish tool_calls");
}

TEST(GeminiProviderDecode, MalformedBodiesAreProtocolErrors) {
  Decoded bad = decode("data: {not json}\r\n\r\n", true);
  ASSERT_FALSE(bad.status.ok());
  EXPECT_EQ(bad.status.error().kind, ErrorKind::UpstreamProtocol);
  Decoded bad_whole = decode("<html>oops</html>", false);
  EXPECT_EQ(bad_whole.status.error().kind, ErrorKind::UpstreamProtocol);
  Decoded empty_whole = decode("", false);
  EXPECT_EQ(empty_whole.status.error().kind, ErrorKind::UpstreamProtocol);
  Decoded bad_array = decode("[{\"candidates\":[]} x", true);
  EXPECT_EQ(bad_array.status.error().kind, ErrorKind::UpstreamProtocol);
}

TEST(GeminiProviderDecode, ArraySplitterHandlesStringsWithBrackets) {
  gemini_detail::JsonArraySplitter s;
  std::vector<std::string> out;
  std::string body = "\xEF\xBB\xBF [ {\"a\":\"}]\\\"{[\"}\n,\r\n{\"b\":[1,{\"c\":\"\\\\\"}]} ]  ";
  for (char c : body) ASSERT_TRUE(s.feed(std::string_view(&c, 1), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "{\"a\":\"}]\\\"{[\"}");
  EXPECT_EQ(out[1], "{\"b\":[1,{\"c\":\"\\\\\"}]}");
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.mid_element());
}

}  // namespace
}  // namespace openrain::providers
