// OpenAI Responses surface: the non-streaming `response` body, event / item / part / response
// shapes compared with the recorded Responses traffic (fixtures/openai-responses), and recorded
// Chat Completions and Anthropic streams replayed through their decoders and re-encoded (the
// lifecycle checker passes, and the streamed final response equals the non-streaming body).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "openrain/config.hpp"
#include "providers/anthropic.hpp"
#include "providers/common.hpp"
#include "providers/openai.hpp"
#include "surfaces/openai_responses_testing.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::surfaces {
namespace {

using namespace responses_testing;  // NOLINT(google-build-using-namespace)

// ---- non-streaming body ---------------------------------------------------------------------

TEST(OpenAIResponsesSurfaceRender, FullBody) {
  std::string body = render({start(), reasoning("hmm"), signature("sig"), text("Hi "), text("there"),
                             tool_start(0, "call_1", "lookup"), tool_args(0, R"({"q":1})"),
                             tool_end(0), tool_start(1, "", "noargs"), tool_end(1),
                             usage(40, 18, 8, 6), finish(FinishReason::ToolCalls)});
  EXPECT_EQ(
      body,
      R"({"id":"resp_test1","object":"response","created_at":1700,"status":"completed",)"
      R"("background":false,"error":null,"incomplete_details":null,"model":"my-alias","output":[)"
      R"({"id":"rs_test1_0","type":"reasoning","summary":[{"type":"summary_text","text":"hmm"}]},)"
      R"({"id":"msg_test1_1","type":"message","status":"completed","content":[{"type":"output_text",)"
      R"("annotations":[],"logprobs":[],"text":"Hi there"}],"role":"assistant"},)"
      R"({"id":"fc_test1_2","type":"function_call","status":"completed","arguments":"{\"q\":1}",)"
      R"("call_id":"call_1","name":"lookup"},)"
      R"({"id":"fc_test1_3","type":"function_call","status":"completed","arguments":"{}",)"
      R"("call_id":")" + providers::synth_tool_id("resp_test1", 1) + R"(","name":"noargs"}],)"
      R"("instructions":null,"max_output_tokens":null,"max_tool_calls":null,)"
      R"("parallel_tool_calls":true,"previous_response_id":null,"prompt_cache_key":null,)"
      R"("reasoning":{"effort":null,"summary":null},"safety_identifier":null,)"
      R"("service_tier":"default","store":false,"temperature":null,)"
      R"("text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_logprobs":0,)"
      R"("top_p":null,"truncation":"disabled","user":null,"metadata":{},)"
      R"("usage":{"input_tokens":40,"input_tokens_details":{"cached_tokens":8},"output_tokens":18,)"
      R"("output_tokens_details":{"reasoning_tokens":6},"total_tokens":58}})");
  // `output_text` is an SDK convenience, never a wire field.
  EXPECT_EQ(member_of(body, "output_text"), "<absent>");
}

TEST(OpenAIResponsesSurfaceRender, IncompleteRefusalAndSameProtocolReasoning) {
  std::string cut = render({start(), text("trunc"), finish(FinishReason::Length)});
  EXPECT_EQ(member_of(cut, "status"), R"("incomplete")");
  EXPECT_EQ(member_of(cut, "incomplete_details"), R"({"reason":"max_output_tokens"})");
  EXPECT_EQ(member_of(cut, "output"),
            R"([{"id":"msg_test1_0","type":"message","status":"incomplete","content":[)"
            R"({"type":"output_text","annotations":[],"logprobs":[],"text":"trunc"}],)"
            R"("role":"assistant"}])");
  // No usage reported: zeros, never a missing object.
  EXPECT_EQ(member_of(cut, "usage"),
            R"({"input_tokens":0,"input_tokens_details":{"cached_tokens":0},"output_tokens":0,)"
            R"("output_tokens_details":{"reasoning_tokens":0},"total_tokens":0})");

  std::string filtered = render({start(), refusal("No."), finish(FinishReason::ContentFilter)});
  EXPECT_EQ(member_of(filtered, "incomplete_details"), R"({"reason":"content_filter"})");
  EXPECT_EQ(member_of(filtered, "output"),
            R"([{"id":"msg_test1_0","type":"message","status":"incomplete","content":[)"
            R"({"type":"refusal","refusal":"No."}],"role":"assistant"}])");

  StreamEvent s = start();
  s.extras.push_back({"service_tier", R"("flex")"});
  EncodeContext same = ctx(Protocol::OpenAIResponses);
  std::string enc = render({s, signature("gAAA1"), reasoning("r"), signature("gAAA2"),
                            ev(K::RedactedReasoning, "gAAA3"), text("ok"),
                            finish(FinishReason::Stop)}, same);
  EXPECT_EQ(member_of(enc, "output"),
            R"([{"id":"rs_test1_0","type":"reasoning","summary":[],"encrypted_content":"gAAA1"},)"
            R"({"id":"rs_test1_1","type":"reasoning","summary":[{"type":"summary_text","text":"r"}],)"
            R"("encrypted_content":"gAAA2"},)"
            R"({"id":"rs_test1_2","type":"reasoning","summary":[],"encrypted_content":"gAAA3"},)"
            R"({"id":"msg_test1_3","type":"message","status":"completed","content":[)"
            R"({"type":"output_text","annotations":[],"logprobs":[],"text":"ok"}],)"
            R"("role":"assistant"}])");
  // The stream says the same.
  Checked streamed = check(encode({s, signature("gAAA1"), reasoning("r"), signature("gAAA2"),
                                   ev(K::RedactedReasoning, "gAAA3"), text("ok"),
                                   finish(FinishReason::Stop)}, same), same);
  EXPECT_EQ(streamed.final_response, enc);
  EXPECT_EQ(member_of(enc, "service_tier"), R"("flex")");
  // From another protocol the signature stays out, and so does a summary-less reasoning block.
  std::string other = render({start(), signature("sig"), text("ok"), finish(FinishReason::Stop)});
  EXPECT_EQ(member_of(other, "output"),
            R"([{"id":"msg_test1_0","type":"message","status":"completed","content":[)"
            R"({"type":"output_text","annotations":[],"logprobs":[],"text":"ok"}],)"
            R"("role":"assistant"}])");
}

// ---- shapes against the recorded traffic ----------------------------------------------------

struct Recorded {
  std::map<std::string, KeySet> event_keys, item_keys, part_keys;
  KeySet response_keys;
};

void collect_item(json::Object it, Recorded& r) {
  r.item_keys[str(it, "type")].merge(keys(it));
  for (const char* list : {"content", "summary"}) {
    if (auto parts = json::get_array(it, list)) {
      for (json::Element p : *parts) {
        json::Object po = p.get_object().value();
        r.part_keys[str(po, "type")].merge(keys(po));
      }
    }
  }
}

void collect_response(json::Object resp, Recorded& r) {
  r.response_keys.merge(keys(resp));
  if (auto out = json::get_array(resp, "output")) {
    for (json::Element it : *out) collect_item(it.get_object().value(), r);
  }
}

/// Key sets of every event type, item type, part type and response object OpenAI sent.
const Recorded& recorded() {
  static const Recorded r = [] {
    Recorded rec;
    std::vector<std::string> datas;
    for (const char* f : {"text-stream.sse", "reasoning-summary-stream.sse", "tool-call-stream.sse",
                          "text-then-tool-call-stream.sse"}) {
      sse::Framer framer;
      std::vector<sse::Event> events;
      EXPECT_TRUE(framer.feed(testing::read_fixture(std::string("openai-responses/") + f), events).ok());
      framer.finish(events);
      for (auto& e : events) datas.push_back(std::move(e.data));
    }
    std::string jsonl = testing::read_fixture("openai-responses/stream-error-insufficient-quota.chunks.jsonl");
    for (size_t pos = 0; pos < jsonl.size();) {
      size_t nl = jsonl.find('\n', pos);
      if (nl == std::string::npos) nl = jsonl.size();
      if (nl > pos) datas.push_back(jsonl.substr(pos, nl - pos));
      pos = nl + 1;
    }
    for (const auto& d : datas) {
      json::Reader reader;
      auto parsed = reader.parse(d);
      EXPECT_TRUE(parsed.ok());
      json::Object o = parsed.value().get_object().value();
      KeySet k = keys(o);
      k.erase("obfuscation");  // padding, never needed
      rec.event_keys[str(o, "type")].merge(k);
      if (auto item = json::get_object(o, "item")) collect_item(*item, rec);
      if (auto part = json::get_object(o, "part")) rec.part_keys[str(*part, "type")].merge(keys(*part));
      if (auto resp = json::get_object(o, "response")) collect_response(*resp, rec);
    }
    for (const char* f : {"text.response.json", "tool-call.response.json",
                          "parallel-tool-calls.response.json", "tool-call-followup.response.json"}) {
      json::Reader reader;
      auto parsed = reader.parse(testing::read_fixture(std::string("openai-responses/") + f));
      EXPECT_TRUE(parsed.ok());
      collect_response(parsed.value().get_object().value(), rec);
    }
    return rec;
  }();
  return r;
}

std::string join(const KeySet& k) {
  std::string s;
  for (const auto& x : k) s += x + " ";
  return s;
}

/// Every key we send must be one OpenAI sends; every key OpenAI sends in an event must be ours
/// too (except the listed optional ones).
void expect_keys_match(const KeySet& ours, const KeySet& theirs, const KeySet& optional_theirs,
                       const std::string& what) {
  for (const auto& k : ours) EXPECT_TRUE(theirs.count(k)) << what << ": we send extra '" << k << "'";
  for (const auto& k : theirs) {
    if (!optional_theirs.count(k)) EXPECT_TRUE(ours.count(k)) << what << ": missing '" << k << "'";
  }
}

TEST(OpenAIResponsesSurfaceRender, ShapesMatchRecordedTraffic) {
  const Recorded& rec = recorded();
  ASSERT_GE(rec.event_keys.size(), 15u);
  Checked all[] = {
      check(encode({start(), reasoning("r"), text("t"), tool_start(0, "c", "f"), tool_args(0, "{}"),
                    tool_end(0), usage(1, 2), finish(FinishReason::ToolCalls)})),
      check(encode({start(), text("partial"), ev(K::Error)})),
  };
  std::set<std::string> seen;
  for (const Checked& k : all) {
    for (const auto& [type, ours] : k.event_keys) {
      seen.insert(type);
      auto it = rec.event_keys.find(type);
      ASSERT_NE(it, rec.event_keys.end()) << "OpenAI never sent " << type;
      KeySet theirs = it->second;
      if (type == "error") theirs.insert({"code", "message", "param"});  // the spec's flat form
      expect_keys_match(ours, theirs, {}, type);
    }
    for (const auto& [type, ours] : k.item_keys) {
      auto it = rec.item_keys.find(type);
      ASSERT_NE(it, rec.item_keys.end()) << type;
      // Newer models add `phase` to messages and `content` to reasoning items; encrypted content
      // only exists with a Responses upstream.
      expect_keys_match(ours, it->second, {"phase", "content", "encrypted_content"}, "item " + type);
    }
    for (const auto& [type, ours] : k.part_keys) {
      auto it = rec.part_keys.find(type);
      ASSERT_NE(it, rec.part_keys.end()) << type;
      expect_keys_match(ours, it->second, {}, "part " + type);
    }
    for (const auto& key : k.response_keys) {
      EXPECT_TRUE(rec.response_keys.count(key)) << "response key '" << key << "' never recorded";
    }
  }
  for (const char* type : {"response.created", "response.in_progress", "response.output_item.added",
                           "response.output_item.done", "response.content_part.added",
                           "response.content_part.done", "response.output_text.delta",
                           "response.output_text.done", "response.reasoning_summary_part.added",
                           "response.reasoning_summary_part.done",
                           "response.reasoning_summary_text.delta",
                           "response.reasoning_summary_text.done",
                           "response.function_call_arguments.delta",
                           "response.function_call_arguments.done", "response.completed", "error",
                           "response.failed"}) {
    EXPECT_TRUE(seen.count(type)) << type;
  }
  // The response object keeps every member the SDK and Codex read.
  for (const char* key : {"id", "object", "created_at", "status", "error", "incomplete_details",
                          "model", "output", "usage", "tools", "tool_choice", "parallel_tool_calls",
                          "text", "reasoning", "temperature", "top_p", "metadata", "store"}) {
    EXPECT_TRUE(all[0].response_keys.count(key)) << key;
  }
  std::string body = render({start(), text("x"), usage(1, 1), finish(FinishReason::Stop)});
  json::Reader reader;
  auto parsed = reader.parse(body);
  ASSERT_TRUE(parsed.ok());
  json::Object o = parsed.value().get_object().value();
  for (const auto& key : keys(o)) EXPECT_TRUE(rec.response_keys.count(key)) << key;
  json::Reader fixture_reader;
  auto fixture = fixture_reader.parse(testing::read_fixture("openai-responses/text.response.json"));
  ASSERT_TRUE(fixture.ok());
  EXPECT_EQ(join(keys(*json::get_object(o, "usage"))),
            join(keys(*json::get_object(fixture.value().get_object().value(), "usage"))));
}

// ---- recorded upstream streams, re-encoded --------------------------------------------------

enum class Upstream { OpenAIChat, Anthropic };

std::vector<StreamEvent> decode_fixture(const std::string& rel, Upstream up, bool streaming) {
  ChatRequest req;
  req.stream = streaming;
  Deployment d;
  auto dec = up == Upstream::Anthropic ? providers::anthropic::make_decoder(req, d, streaming)
                                       : providers::openai::make_decoder(req, d, streaming);
  testing::Recorder rec;
  EXPECT_TRUE(dec->feed(testing::read_fixture(rel), rec).ok()) << rel;
  EXPECT_TRUE(dec->finish(rec).ok()) << rel;
  return rec.events;
}

TEST(OpenAIResponsesSurfaceRender, RecordedStreamsReencodeConsistently) {
  struct Case {
    const char* file;
    Upstream up;
    const char* terminal;
    size_t items;
  };
  const Case cases[] = {
      {"openai-chat/text-stream.sse", Upstream::OpenAIChat, "response.completed", 1},
      {"openai-chat/parallel-tool-calls-stream.sse", Upstream::OpenAIChat, "response.completed", 2},
      {"openai-chat/tool-call-stream.sse", Upstream::OpenAIChat, "response.completed", 1},
      {"openai-chat/refusal-stream.sse", Upstream::OpenAIChat, "response.completed", 1},
      {"openai-chat/length-stream.sse", Upstream::OpenAIChat, "response.incomplete", 1},
      {"openai-compatible/deepseek-reasoning-stream.sse", Upstream::OpenAIChat,
       "response.completed", 2},
      {"anthropic/thinking-stream.sse", Upstream::Anthropic, "response.completed", 2},
      {"anthropic/parallel-tool-use-stream.sse", Upstream::Anthropic, "response.completed", 2},
      {"anthropic/tool-use-stream.sse", Upstream::Anthropic, "response.completed", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    std::vector<StreamEvent> events = decode_fixture(c.file, c.up, true);
    EncodeContext cx = ctx(c.up == Upstream::Anthropic ? Protocol::Anthropic : Protocol::OpenAIChat);
    Checked k = check(encode(events, cx), cx);
    EXPECT_EQ(k.names.back(), c.terminal);
    EXPECT_EQ(k.final_output.size(), c.items);
    // Streaming and non-streaming answers are the same document.
    EXPECT_EQ(k.final_response, render(events, cx));
    // Every tool call's accumulated arguments are the upstream's, byte for byte.
    pipeline::Fold fold;
    for (StreamEvent e : events) fold.on_event(std::move(e));
    std::vector<std::string> want_args;
    for (const auto& b : fold.result().blocks) {
      if (b.kind == OutputBlock::Kind::ToolCall) want_args.push_back(b.arguments.empty() ? "{}" : b.arguments);
    }
    std::vector<std::string> got_args;
    for (const auto& it : k.snapshot) if (it.type == "function_call") got_args.push_back(it.arguments);
    EXPECT_EQ(got_args, want_args);
  }
}

// ---- samples for the real openai SDK (openai_responses_sdk_check.py) -------------------------

TEST(OpenAIResponsesSurfaceRender, DumpSamplesForSdkCheck) {
  const char* dir = std::getenv("OPENRAIN_RESPONSES_DUMP_DIR");
  if (dir == nullptr || *dir == '\0') GTEST_SKIP() << "set OPENRAIN_RESPONSES_DUMP_DIR to dump";
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream f(std::string(dir) + "/" + name, std::ios::binary);
    f << bytes;
    ASSERT_TRUE(f.good()) << name;
  };
  const std::vector<StreamEvent> text_events = {start(), text("Hello"), text(" world"), usage(10, 2),
                                                finish(FinishReason::Stop)};
  const std::vector<StreamEvent> tool_events = {
      start(), reasoning("Need two lookups."), tool_start(0, "call_a", "get_weather"),
      tool_start(1, "call_b", "get_time"), tool_args(0, R"({"city")"), tool_args(1, "{}"),
      tool_args(0, R"(:"Paris"})"), tool_end(0), tool_end(1), tool_start(2, "call_c", "ping"),
      tool_end(2), usage(30, 12, 4, 3), finish(FinishReason::ToolCalls)};
  write("text.sse", encode(text_events));
  write("text.json", render(text_events));
  write("tools.sse", encode(tool_events));
  write("tools.json", render(tool_events));
  write("refusal.sse", encode({start(), text("Well. "), refusal("I can't help."), finish(FinishReason::Stop)}));
  write("length.sse", encode({start(), text("cut sho"), usage(5, 16), finish(FinishReason::Length)}));
  write("length.json", render({start(), text("cut sho"), usage(5, 16), finish(FinishReason::Length)}));
  auto enc = make_openai_responses_encoder(ctx());
  std::string failed;
  enc->on_event(start(), failed);
  enc->on_event(text("partial"), failed);
  enc->on_stream_error(Error::make(ErrorKind::Overloaded, "upstream overloaded"), failed);
  write("error.sse", failed);
}

}  // namespace
}  // namespace openrain::surfaces
