// The simulator's frames have the same JSON layout (keys, nesting and key order) as the real
// provider recordings in /work/shared/fixtures; only values differ.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "sim/sim_test_util.hpp"

namespace openrain::sim::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void collect_keys(simdjson::dom::element e, const std::string& path, const std::set<std::string>& ignore,
                  std::vector<std::string>& out) {
  if (e.is_object()) {
    simdjson::dom::object obj_ = e.get_object().value_unsafe();  // named: the result must outlive the loop
    for (auto f : obj_) {
      std::string key(f.key);
      if (ignore.count(key)) continue;
      std::string p = path.empty() ? key : path + "." + key;
      out.push_back(p);
      collect_keys(f.value, p, ignore, out);
    }
  } else if (e.is_array()) {
    simdjson::dom::array arr_ = e.get_array().value_unsafe();  // named: the result must outlive the loop
    for (auto v : arr_) collect_keys(v, path + "[]", ignore, out);
  }
}

/// Key paths of a JSON document in document order ("a.b", "a.c[].d", ...).
std::vector<std::string> layout(std::string_view json_text, const std::set<std::string>& ignore = {}) {
  json::Reader reader;
  auto doc = reader.parse(json_text);
  EXPECT_TRUE(doc.ok()) << json_text;
  std::vector<std::string> keys;
  if (doc.ok()) collect_keys(doc.value(), "", ignore, keys);
  return keys;
}

std::vector<sse::Event> fixture_events(std::string_view rel) {
  std::string body = read_file(fixture_path(rel));
  EXPECT_FALSE(body.empty()) << rel;
  return sse_events(body);
}

using MockServerFixtures = SimFixture;

TEST_F(MockServerFixtures, AnthropicTextStreamMatchesRecordingEventByEvent) {
  auto rec = fixture_events("anthropic/text-stream.sse");
  enqueue(R"({"text":"Hello"})");
  auto r = post("/v1/messages", R"({"model":"claude-haiku-4-5","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  auto ours = sse_events(r.body);
  ASSERT_EQ(ours.size(), rec.size());
  for (size_t i = 0; i < rec.size(); ++i) {
    EXPECT_EQ(ours[i].event, rec[i].event) << i;
    EXPECT_EQ(layout(ours[i].data), layout(rec[i].data)) << rec[i].data;
  }
  EXPECT_EQ(ours[2].data, rec[2].data);  // ping, byte for byte
  EXPECT_EQ(ours[4].data, R"({"type":"content_block_stop","index":0})");
}

TEST_F(MockServerFixtures, AnthropicThinkingAndToolBlocksMatchRecordings) {
  auto thinking = fixture_events("anthropic/thinking-stream.sse");
  auto tool = fixture_events("anthropic/tool-use-stream.sse");
  enqueue(R"({"reasoning":"Hmm.","text":"Yes","tool_calls":[{"name":"get_weather","arguments":{"location":"Paris"}}]})");
  auto r = post("/v1/messages", R"({"model":"c","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  auto ours = sse_events(r.body);
  ASSERT_GE(ours.size(), 12u);
  // thinking block start, thinking delta, signature delta
  EXPECT_EQ(layout(ours[1].data), layout(thinking[1].data));
  EXPECT_EQ(layout(ours[3].data), layout(thinking[3].data));
  size_t sig = 0;
  for (size_t i = 0; i < thinking.size(); ++i) {
    if (thinking[i].data.find("signature_delta") != std::string::npos) { sig = i; break; }
  }
  ASSERT_NE(sig, 0u);
  EXPECT_EQ(ours[4].event, "content_block_delta");
  EXPECT_EQ(layout(ours[4].data), layout(thinking[sig].data));
  // tool_use block start and input_json_delta
  size_t start = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i].data.find(R"("type":"tool_use")") != std::string::npos) { start = i; break; }
  }
  ASSERT_NE(start, 0u);
  EXPECT_EQ(layout(ours[start].data), layout(tool[1].data));
  EXPECT_EQ(layout(ours[start + 1].data), layout(tool[3].data));
}

TEST_F(MockServerFixtures, OpenAIStreamChunksMatchRecording) {
  auto rec = fixture_events("openai-chat/text-stream.sse");
  const std::set<std::string> ignore = {"obfuscation"};
  enqueue(R"({"text":"The capital"})");
  auto r = post("/v1/chat/completions", R"({"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[]})");
  auto ours = sse_events(r.body);
  ASSERT_EQ(ours.size(), 6u);
  EXPECT_EQ(layout(ours[0].data), layout(rec[0].data, ignore));  // role chunk
  EXPECT_EQ(layout(ours[1].data), layout(rec[1].data, ignore));  // content chunk
  EXPECT_EQ(layout(ours[3].data), layout(rec[rec.size() - 3].data, ignore));  // finish chunk
  EXPECT_EQ(layout(ours[4].data), layout(rec[rec.size() - 2].data, ignore));  // usage chunk
  EXPECT_EQ(ours[5].data, rec.back().data);                                   // [DONE]

  auto tools = fixture_events("openai-chat/parallel-tool-calls-stream.sse");
  // That recording predates service_tier and the role chunk's refusal:null.
  const std::set<std::string> older = {"service_tier", "refusal"};
  enqueue(R"({"tool_calls":[{"name":"a","arguments":{"x":1}},{"name":"b","arguments":{"y":2}}]})");
  auto t = post("/v1/chat/completions", R"({"model":"gpt-4o","stream":true,"messages":[]})");
  auto tev = sse_events(t.body);
  ASSERT_EQ(tev.size(), 7u);
  EXPECT_EQ(layout(tev[0].data, older), layout(tools[0].data));  // role + content null
  EXPECT_EQ(layout(tev[1].data, older), layout(tools[1].data));  // call start
  EXPECT_EQ(layout(tev[2].data, older), layout(tools[2].data));  // argument fragment
  EXPECT_NE(tev[3].data.find(R"("tool_calls":[{"index":1,"id":"call_sim2_1")"), std::string::npos);
  EXPECT_EQ(layout(tev[5].data, older), layout(tools[tools.size() - 3].data));  // finish
}

TEST_F(MockServerFixtures, GeminiThinkingStreamMatchesRecording) {
  auto rec = fixture_events("gemini/thinking-stream.sse");
  enqueue(R"({"reasoning":"Clarifying","text":"Yes sir"})");
  auto r = post("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
                R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})");
  auto ours = sse_events(r.body);
  ASSERT_EQ(ours.size(), 3u);
  EXPECT_EQ(layout(ours[0].data), layout(rec[0].data));           // thought chunk
  EXPECT_EQ(layout(ours[2].data), layout(rec.back().data));        // final chunk
  // The recording's framing: "data: " + spaced JSON + CRLF CRLF.
  const std::string prefix = R"(data: {"candidates": [{"content": {"parts": [{"text": ")";
  std::string body = read_file(fixture_path("gemini/thinking-stream.sse"));
  EXPECT_EQ(body.substr(0, prefix.size()), prefix);
  EXPECT_EQ(r.body.substr(0, prefix.size()), prefix);
  EXPECT_EQ(body.substr(body.size() - 4), "\r\n\r\n");
  EXPECT_EQ(r.body.substr(r.body.size() - 4), "\r\n\r\n");
}

TEST_F(MockServerFixtures, GeminiNonStreamMatchesRecording) {
  std::string rec = read_file(fixture_path("gemini/text.response.json"));
  enqueue(R"({"text":"Hello!","reasoning":"x","usage":{"input":9,"output":43,"reasoning":34}})");
  auto r = post("/v1beta/models/gemini-2.5-flash:generateContent",
                R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})");
  // That recording was re-serialised with sorted keys: compare the set of key paths.
  auto ours = layout(r.body, {"thought", "thoughtSignature"});
  auto theirs = layout(rec);
  std::sort(ours.begin(), ours.end());
  ours.erase(std::unique(ours.begin(), ours.end()), ours.end());
  std::sort(theirs.begin(), theirs.end());
  theirs.erase(std::unique(theirs.begin(), theirs.end()), theirs.end());
  EXPECT_EQ(ours, theirs);
}

}  // namespace
}  // namespace openrain::sim::testing
