// Tests for the Anthropic Messages response decoders: every recorded fixture through every split
// variant (identical summaries), exact content and usage, stream errors and truncation.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "providers/anthropic.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::providers {
namespace {

using K = StreamEvent::Kind;

struct Env {
  ProviderConfig pc;
  ModelConfig mc;
  Deployment d;
  Env() {
    pc.name = "claude-main";
    pc.kind = ProviderKind::Anthropic;
    pc.base_url = "https://api.anthropic.com";
    pc.api_key = "sk-ant-secret-0123456789";
    mc.model = "claude-sonnet-4-5";
    d.provider = &pc;
    d.model = &mc;
  }
};

struct Decoded {
  std::string summary;
  std::vector<StreamEvent> events;
  bool ok = true;
  ErrorKind error_kind = ErrorKind::Internal;
  std::string error_message;
};

Decoded decode_parts(const std::vector<std::string>& parts, bool streaming) {
  Env env;
  ChatRequest req;
  req.stream = streaming;
  auto dec = anthropic_provider().make_decoder(req, env.d, streaming);
  testing::Recorder rec;
  Status st;
  for (const auto& p : parts) {
    st = dec->feed(p, rec);
    if (!st.ok()) break;
  }
  if (st.ok()) st = dec->finish(rec);
  Decoded out;
  out.summary = rec.summary();
  out.events = std::move(rec.events);
  out.ok = st.ok();
  if (!st.ok()) {
    out.error_kind = st.error().kind;
    out.error_message = st.error().message;
  }
  return out;
}

/// Decode `body` under every split variant; all must agree. Returns the whole-body result.
Decoded decode_all(std::string_view body, bool streaming) {
  auto variants = testing::split_variants(body);
  Decoded first = decode_parts(variants.front(), streaming);
  for (size_t v = 1; v < variants.size(); ++v) {
    Decoded d = decode_parts(variants[v], streaming);
    EXPECT_EQ(d.summary, first.summary) << "split variant " << v;
    EXPECT_EQ(d.ok, first.ok) << "split variant " << v;
    EXPECT_EQ(d.error_kind, first.error_kind) << "split variant " << v;
  }
  return first;
}

std::string joined(const Decoded& d, K kind, int index = -1) {
  std::string s;
  for (const auto& e : d.events) {
    if (e.kind == kind && (index < 0 || e.index == index)) s += e.text;
  }
  return s;
}

const StreamEvent* last_of(const Decoded& d, K kind) {
  for (auto it = d.events.rbegin(); it != d.events.rend(); ++it) if (it->kind == kind) return &*it;
  return nullptr;
}

/// The event-order contract: Start first; Usage right before Finish; Finish last.
void expect_clean_order(const Decoded& d) {
  ASSERT_GE(d.events.size(), 3u);
  EXPECT_EQ(d.events.front().kind, K::Start);
  EXPECT_EQ(d.events.back().kind, K::Finish);
  EXPECT_EQ(d.events[d.events.size() - 2].kind, K::Usage);
  for (const auto& e : d.events) {
    if (e.kind == K::TextDelta || e.kind == K::ReasoningDelta || e.kind == K::ToolCallDelta) {
      EXPECT_FALSE(e.text.empty()) << "empty delta emitted";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Recorded streams

const std::map<std::string, std::string>& expected_stream_summaries() {
  static const std::map<std::string, std::string> m = {
      {"text-stream.sse",
       "start id=msg_01T8kTq7cYyYJeQ5DxcVUc6D model=claude-haiku-4-5-20251001\n"
       "usage in=10 out=2 cached=0 cw=0 reasoning=0\n"
       "text Hello\n"
       "usage in=10 out=4 cached=0 cw=0 reasoning=0\n"
       "finish stop"},
      {"tool-use-stream.sse",
       "start id=msg_01AusY9WEbCaj3N7Tv5J4YjH model=claude-haiku-4-5-20251001\n"
       "usage in=656 out=26 cached=0 cw=0 reasoning=0\n"
       "tool_start 0 toolu_018acGYLtfR52q9yDbWaEdQZ get_weather\n"
       "tool_args 0 {\"location\": \"San Francisco, CA\", \"units\": \"f\"}\n"
       "tool_end 0\n"
       "usage in=656 out=74 cached=0 cw=0 reasoning=0\n"
       "finish tool_calls"},
      {"parallel-tool-use-stream.sse",
       "start id=msg_01V2noLbAb2NgKnjaNw6Cn3w model=claude-haiku-4-5-20251001\n"
       "usage in=542 out=62 cached=0 cw=0 reasoning=0\n"
       "tool_start 0 toolu_01LtHJmixrs9NcWQkK8hu8hj pelican_name_generator\n"
       "tool_args 0 {}\n"
       "tool_end 0\n"
       "tool_start 1 toolu_01N8a4jWyf116qKTMqKKmjyt pelican_name_generator\n"
       "tool_args 1 {}\n"
       "tool_end 1\n"
       "usage in=542 out=62 cached=0 cw=0 reasoning=0\n"
       "finish tool_calls"},
      {"stop-sequence-prefill-stream.sse",
       "start id=msg_01KozUDYHvRtgs3NLgG7jzN9 model=claude-haiku-4-5-20251001\n"
       "usage in=16 out=3 cached=0 cw=0 reasoning=0\n"
       "text \ndef pelican():\n    return \"A large waterbird with a long bill and a throat pouch "
       "for catching fish.\"\n\n"
       "usage in=16 out=28 cached=0 cw=0 reasoning=0\n"
       "finish stop_sequence seq=```"},
      {"structured-output-stream.sse",
       "start id=msg_013nnniYDrJDocdy5nrMU7cH model=claude-sonnet-4-5-20250929\n"
       "usage in=135 out=1 cached=0 cw=0 reasoning=0\n"
       "text [12345,67890]\n"
       "usage in=135 out=10 cached=0 cw=0 reasoning=0\n"
       "finish stop"},
      {"tool-result-followup-stream.sse",
       "start id=msg_016HxyUMAncysqX7dn1kWNRx model=claude-haiku-4-5-20251001\n"
       "usage in=770 out=8 cached=0 cw=0 reasoning=0\n"
       "text The weather in San Francisco, CA is currently:\n- **Temperature:** 68\xC2\xB0"
       "F\n- **Condition:** Sunny\n\nIt's a nice sunny day!\n"
       "usage in=770 out=38 cached=0 cw=0 reasoning=0\n"
       "finish stop"},
      {"thinking-stream.sse", ""},  // long: checked field by field below
  };
  return m;
}

const std::map<std::string, std::string>& expected_message_summaries() {
  static const std::map<std::string, std::string> m = {
      {"text.response.json",
       "start id=msg_01VdEjxAP5ahtHKrrRdNBteQ model=claude-sonnet-4-5-20250929\n"
       "text Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I "
       "can help you with?\n"
       "usage in=12 out=29 cached=0 cw=0 reasoning=0\n"
       "finish stop"},
      {"cache-usage.response.json",
       "start id=msg_01KPaKTJSqAKoZri7Ujrny58 model=claude-sonnet-4-5-20250929\n"
       "text Python is a beginner-friendly, versatile programming language widely used for web "
       "development, data science, machine learning, automation, and scientific computing.\n"
       "usage in=1532 out=33 cached=1111 cw=418 reasoning=0\n"
       "finish stop"},
      {"parallel-tool-use.response.json",
       "start id=msg_011S3wxtqL5CVescWqS3zeg2 model=claude-haiku-4-5-20251001\n"
       "text I'll help you find out who is the youngest by retrieving information about each "
       "family member. I'll retrieve their entity information to compare their ages.\n"
       "tool_start 0 toolu_0167cfEnoQaPviGdVXA95zcu retrieve_entity_info\n"
       "tool_args 0 {\"name\":\"Alice\"}\n"
       "tool_end 0\n"
       "tool_start 1 toolu_01EEe2V5HD1Ac4rKiUR4HD2T retrieve_entity_info\n"
       "tool_args 1 {\"name\":\"Bob\"}\n"
       "tool_end 1\n"
       "tool_start 2 toolu_01XFyAjstT3966qvRynZyVPo retrieve_entity_info\n"
       "tool_args 2 {\"name\":\"Charlie\"}\n"
       "tool_end 2\n"
       "tool_start 3 toolu_013mnQZbgtK2oe3Mo3XKJsx3 retrieve_entity_info\n"
       "tool_args 3 {\"name\":\"Daisy\"}\n"
       "tool_end 3\n"
       "usage in=423 out=202 cached=0 cw=0 reasoning=0\n"
       "finish tool_calls"},
      {"tool-result-followup.response.json",
       "start id=msg_01JVqZPgDwmnyb2kKC3MwCVf model=claude-haiku-4-5-20251001\n"
       "text Based on the retrieved information, we can see the family relationships:\n- Alice and "
       "Bob are married\n- Charlie is their son\n- Daisy is their daughter and Charlie's younger "
       "sister\n\nTherefore, Daisy is the youngest in the family. She is described as Charlie's "
       "younger sister, which indicates she is the youngest among the four family members.\n"
       "usage in=771 out=77 cached=0 cw=0 reasoning=0\n"
       "finish stop"},
      {"thinking.response.json", ""},  // long: checked field by field below
      // Error envelopes served with 200 become a terminal Error event.
      {"error-400-invalid-request.response.json", "error invalid_request 400"},
      {"error-404-not-found.response.json", "error not_found 404"},
      {"error-429-rate-limit.response.json", "error rate_limited 429"},
      // Not a message at all: a protocol error, no events.
      {"count-tokens.response.json", ""},
  };
  return m;
}

TEST(AnthropicProviderDecoder, EveryRecordedFixtureIsCoveredAndSplitInvariant) {
  namespace fs = std::filesystem;
  std::string dir = std::string(OPENRAIN_FIXTURES_DIR) + "/anthropic";
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    bool sse = name.size() > 4 && name.substr(name.size() - 4) == ".sse";
    bool msg = name.size() > 14 && name.substr(name.size() - 14) == ".response.json";
    if (!sse && !msg) continue;
    ++seen;
    SCOPED_TRACE(name);
    const auto& table = sse ? expected_stream_summaries() : expected_message_summaries();
    auto it = table.find(name);
    ASSERT_NE(it, table.end()) << "new fixture without an expectation: " << name;
    Decoded d = decode_all(testing::read_fixture("anthropic/" + name), sse);
    if (name == "count-tokens.response.json") {
      EXPECT_FALSE(d.ok);
      EXPECT_EQ(d.error_kind, ErrorKind::UpstreamProtocol);
      EXPECT_TRUE(d.events.empty());
      continue;
    }
    EXPECT_TRUE(d.ok) << d.error_message;
    if (!it->second.empty()) EXPECT_EQ(d.summary, it->second);
    if (name.rfind("error-", 0) != 0) expect_clean_order(d);
  }
  EXPECT_EQ(seen, static_cast<int>(expected_stream_summaries().size() +
                                    expected_message_summaries().size()));
}

TEST(AnthropicProviderDecoder, ThinkingStream) {
  Decoded d = decode_all(testing::read_fixture("anthropic/thinking-stream.sse"), true);
  ASSERT_TRUE(d.ok) << d.error_message;
  expect_clean_order(d);
  EXPECT_EQ(joined(d, K::ReasoningDelta),
            "This is a straightforward question about pedestrian safety. I should provide clear, "
            "helpful advice about how to safely cross a street. This is basic safety information "
            "that could help prevent accidents.");
  std::string sig = joined(d, K::ReasoningSignature);
  EXPECT_EQ(sig.size(), 504u);
  EXPECT_EQ(sig.substr(0, 20), "EvMCCkYICxgCKkCHP2cS");
  EXPECT_EQ(sig.substr(sig.size() - 10), "UhjfQYAQ==");
  std::string text = joined(d, K::TextDelta);
  EXPECT_EQ(text.size(), 1021u);
  EXPECT_EQ(text.substr(0, 40), "Here are the basic steps for safely cros");
  EXPECT_EQ(text.substr(text.size() - 40), "safety over speed when crossing streets.");
  // Reasoning and its signature come before the text.
  size_t last_sig = 0, first_text = 0;
  for (size_t i = 0; i < d.events.size(); ++i) {
    if (d.events[i].kind == K::ReasoningSignature) last_sig = i;
    if (d.events[i].kind == K::TextDelta && first_text == 0) first_text = i;
  }
  EXPECT_LT(last_sig, first_text);
  const StreamEvent* u = last_of(d, K::Usage);
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->usage.input_tokens, 43);
  EXPECT_EQ(u->usage.output_tokens, 282);
  EXPECT_EQ(d.events.front().id, "msg_01ALwQ87pTS7hH1PjSdC9wJD");
  EXPECT_EQ(d.events.front().name, "claude-sonnet-4-20250514");
}

TEST(AnthropicProviderDecoder, ThinkingMessage) {
  Decoded d = decode_all(testing::read_fixture("anthropic/thinking.response.json"), false);
  ASSERT_TRUE(d.ok);
  expect_clean_order(d);
  EXPECT_EQ(joined(d, K::ReasoningDelta),
            "This is a straightforward question about pedestrian safety. I should provide clear, "
            "practical advice about crossing the street safely.");
  std::string sig = joined(d, K::ReasoningSignature);
  EXPECT_EQ(sig.size(), 412u);
  EXPECT_EQ(sig.substr(0, 20), "Eq8CCkYICxgCKkDdadQO");
  std::string text = joined(d, K::TextDelta);
  EXPECT_EQ(text.size(), 1062u);
  EXPECT_EQ(text.substr(text.size() - 40), "ou, so stay alert and make safe choices.");
  const StreamEvent* f = last_of(d, K::Finish);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finish, FinishReason::Stop);
  EXPECT_EQ(f->native_finish, "end_turn");
}

TEST(AnthropicProviderDecoder, CacheUsageNormalisedToInclusiveInput) {
  Decoded d = decode_all(testing::read_fixture("anthropic/cache-usage.response.json"), false);
  const StreamEvent* u = last_of(d, K::Usage);
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->usage.input_tokens, 1532);  // 3 + 1111 + 418
  EXPECT_EQ(u->usage.cached_input_tokens, 1111);
  EXPECT_EQ(u->usage.cache_write_tokens, 418);
  EXPECT_TRUE(u->usage.has_cache_write);
  EXPECT_EQ(u->usage.output_tokens, 33);
  EXPECT_EQ(u->usage.total(), 1565);
}

TEST(AnthropicProviderDecoder, StopSequenceFinishCarriesTheSequence) {
  Decoded d = decode_all(testing::read_fixture("anthropic/stop-sequence-prefill-stream.sse"), true);
  const StreamEvent* f = last_of(d, K::Finish);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finish, FinishReason::StopSequence);
  EXPECT_EQ(f->stop_sequence, "```");
  EXPECT_EQ(f->native_finish, "stop_sequence");
}

// ---------------------------------------------------------------------------------------------
// Synthetic streams

std::string frame(std::string_view type, std::string_view data) {
  return "event: " + std::string(type) + "\ndata: " + std::string(data) + "\n\n";
}

const char* kStart =
    R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"container":{"id":"c1"},"usage":{"input_tokens":5,"cache_read_input_tokens":7,"cache_creation_input_tokens":2,"output_tokens":1}}})";

TEST(AnthropicProviderDecoder, ErrorEventMidStreamIsTerminal) {
  std::string body = frame("message_start", kStart) +
                     frame("content_block_start",
                           R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
                     frame("content_block_delta",
                           R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})") +
                     frame("error",
                           R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_9"})") +
                     frame("content_block_delta",
                           R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ignored"}})");
  Decoded d = decode_all(body, true);
  EXPECT_TRUE(d.ok);  // the error travelled as an event; nothing else to report
  EXPECT_EQ(d.summary,
            "start id=msg_1 model=claude-x\n"
            "usage in=14 out=1 cached=7 cw=2 reasoning=0\n"
            "text Hi\n"
            "error overloaded 503");
  const StreamEvent& e = d.events.back();
  EXPECT_EQ(e.error.upstream_type, "overloaded_error");
  EXPECT_EQ(e.error.message, "Overloaded");
  EXPECT_EQ(e.error.provider, "claude-main");
  EXPECT_EQ(e.error.upstream_request_id, "req_9");
  // Unmodelled message fields travel on Start as extras.
  ASSERT_EQ(d.events.front().extras.size(), 1u);
  EXPECT_EQ(d.events.front().extras[0].key, "container");
  EXPECT_EQ(d.events.front().extras[0].json, R"({"id":"c1"})");
}

TEST(AnthropicProviderDecoder, ErrorEventAsFirstEvent) {
  Decoded d = decode_all(frame("error", R"({"type":"error","error":{"type":"api_error","message":"Internal server error"}})"),
                         true);
  EXPECT_TRUE(d.ok);
  EXPECT_EQ(d.summary, "error upstream_server_error 500");
}

TEST(AnthropicProviderDecoder, TruncatedStreamIsInterrupted) {
  std::string full = testing::read_fixture("anthropic/text-stream.sse");
  std::string cut = full.substr(0, full.find("event: message_stop"));
  ASSERT_LT(cut.size(), full.size());
  Decoded d = decode_all(cut, true);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.error_kind, ErrorKind::StreamInterrupted);
  EXPECT_EQ(last_of(d, K::Finish), nullptr);
  EXPECT_EQ(joined(d, K::TextDelta), "Hello");

  // Cut in the middle of a tool call's arguments.
  std::string tool = testing::read_fixture("anthropic/tool-use-stream.sse");
  Decoded t = decode_all(tool.substr(0, tool.size() / 2), true);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.error_kind, ErrorKind::StreamInterrupted);

  Decoded empty = decode_all("", true);
  EXPECT_FALSE(empty.ok);
  EXPECT_EQ(empty.error_kind, ErrorKind::StreamInterrupted);
}

TEST(AnthropicProviderDecoder, UsageMergedFieldByFieldAndToolWithoutDeltas) {
  std::string body =
      frame("message_start", kStart) +
      frame("content_block_start",
            R"({"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"opaque=="}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":0})") +
      frame("content_block_start",
            R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"now","input":{}}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":1})") +
      frame("content_block_start",
            R"({"type":"content_block_start","index":2,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"q\":1}"}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":2})") +
      frame("content_block_start",
            R"({"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_b","name":"add","input":{}}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"2}"}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":3})") +
      frame("message_delta",
            R"({"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":50}})") +
      frame("message_delta", R"({"type":"message_delta","delta":{},"usage":{"cache_read_input_tokens":9}})") +
      "data: {\"type\": \"ping\"}\r\n\r\n" + frame("message_stop", R"({"type":"message_stop"}  )");
  Decoded d = decode_all(body, true);
  ASSERT_TRUE(d.ok) << d.error_message;
  EXPECT_EQ(d.summary,
            "start id=msg_1 model=claude-x\n"
            "usage in=14 out=1 cached=7 cw=2 reasoning=0\n"
            "redacted opaque==\n"
            "tool_start 0 toolu_a now\n"
            "tool_args 0 {}\n"
            "tool_end 0\n"
            "native server_tool_use "
            "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{\"q\":1}}\n"
            "tool_start 1 toolu_b add\n"
            "tool_args 1 {\"a\":2}\n"
            "tool_end 1\n"
            "usage in=16 out=50 cached=9 cw=2 reasoning=0\n"
            "finish length");
}

TEST(AnthropicProviderDecoder, MalformedEventIsProtocolError) {
  std::string body = frame("message_start", kStart) + frame("content_block_delta", "{not json");
  Decoded d = decode_all(body, true);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.error_kind, ErrorKind::UpstreamProtocol);
}

// ---------------------------------------------------------------------------------------------
// Non-streaming specifics

TEST(AnthropicProviderDecoder, StopReasonMapping) {
  struct Case {
    std::string reason;
    std::string seq;
    FinishReason finish;
  };
  std::vector<Case> cases = {
      {"end_turn", "null", FinishReason::Stop},
      {"stop_sequence", R"("STOP")", FinishReason::StopSequence},
      {"max_tokens", "null", FinishReason::Length},
      {"model_context_window_exceeded", "null", FinishReason::Length},
      {"tool_use", "null", FinishReason::ToolCalls},
      {"refusal", "null", FinishReason::ContentFilter},
      {"pause_turn", "null", FinishReason::Stop},
      {"something_new", "null", FinishReason::Other},
  };
  for (const auto& c : cases) {
    std::string body = R"({"id":"msg_2","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"x"}],"stop_reason":")" +
                       c.reason + R"(","stop_sequence":)" + c.seq +
                       R"(,"usage":{"input_tokens":1,"output_tokens":2}})";
    Decoded d = decode_all(body, false);
    ASSERT_TRUE(d.ok) << c.reason;
    const StreamEvent* f = last_of(d, K::Finish);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->finish, c.finish) << c.reason;
    EXPECT_EQ(f->native_finish, c.reason);
    EXPECT_EQ(f->stop_sequence, c.finish == FinishReason::StopSequence ? "STOP" : "");
  }
}

TEST(AnthropicProviderDecoder, MessageBodyEdgeCases) {
  std::string full = testing::read_fixture("anthropic/text.response.json");
  Decoded cut = decode_all(full.substr(0, full.size() / 2), false);
  EXPECT_FALSE(cut.ok);
  EXPECT_EQ(cut.error_kind, ErrorKind::StreamInterrupted);

  Decoded empty = decode_all("", false);
  EXPECT_FALSE(empty.ok);
  EXPECT_EQ(empty.error_kind, ErrorKind::StreamInterrupted);

  Decoded html = decode_all("<html>oops</html>", false);
  EXPECT_FALSE(html.ok);
  EXPECT_EQ(html.error_kind, ErrorKind::UpstreamProtocol);

  // Empty text blocks are never emitted; redacted thinking survives.
  Decoded d = decode_all(
      R"({"id":"m","type":"message","model":"x","content":[{"type":"text","text":""},{"type":"redacted_thinking","data":"abc"},{"type":"tool_use","id":"t","name":"n","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}})",
      false);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.summary,
            "start id=m model=x\n"
            "redacted abc\n"
            "tool_start 0 t n\n"
            "tool_args 0 {}\n"
            "tool_end 0\n"
            "usage in=1 out=1 cached=0 cw=0 reasoning=0\n"
            "finish tool_calls");
}

// ---------------------------------------------------------------------------------------------
// Output OpenRain does not model (pitfall TC18): server-tool blocks, citations, text boundaries

const char* kSearchUse =
    R"({"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"oslo"}})";
const char* kSearchResult =
    R"({"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result",)"
    R"("url":"https://x.example","title":"X","encrypted_content":"abc","page_age":null}]})";
const char* kCitation =
    R"({"type":"web_search_result_location","url":"https://x.example","title":"X","encrypted_index":"e1",)"
    R"("cited_text":"cold"})";

TEST(AnthropicProviderDecoder, ServerToolBlocksAndCitationsStreamed) {
  std::string body =
      frame("message_start", kStart) +
      frame("content_block_start",
            R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me look."}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":0})") +
      frame("content_block_start",
            R"({"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"query\": "}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"oslo\"}"}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":1})") +
      frame("content_block_start",
            std::string(R"({"type":"content_block_start","index":2,"content_block":)") + kSearchResult + "}") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":2})") +
      frame("content_block_start",
            R"({"type":"content_block_start","index":3,"content_block":{"type":"text","text":"","citations":[]}})") +
      frame("content_block_delta",
            std::string(R"({"type":"content_block_delta","index":3,"delta":{"type":"citations_delta","citation":)") +
                kCitation + "}}") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"It is cold."}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":3})") +
      frame("content_block_start",
            R"({"type":"content_block_start","index":4,"content_block":{"type":"text","text":""}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":4,"delta":{"type":"text_delta","text":" Bye."}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":4})") +
      frame("message_delta",
            R"({"type":"message_delta","delta":{"stop_reason":"pause_turn","stop_sequence":null},"usage":{"output_tokens":9}})") +
      frame("message_stop", R"({"type":"message_stop"})");
  Decoded d = decode_all(body, true);
  ASSERT_TRUE(d.ok) << d.error_message;
  EXPECT_EQ(d.summary,
            "start id=msg_1 model=claude-x\n"
            "usage in=14 out=1 cached=7 cw=2 reasoning=0\n"
            "text Let me look.\n"
            "native server_tool_use " + std::string(kSearchUse) + "\n"
            "native web_search_tool_result " + kSearchResult + "\n"
            "text_start citations=[]\n"
            "annotation citations " + kCitation + "\n"
            "text It is cold.\n"
            "text_start\n"  // directly after another text block: the boundary is announced
            "text  Bye.\n"
            "usage in=14 out=9 cached=7 cw=2 reasoning=0\n"
            "finish stop");
  for (const auto& e : d.events) {
    if (e.kind == K::NativeBlock || e.kind == K::TextStart || e.kind == K::TextAnnotation) {
      EXPECT_EQ(e.native, Protocol::Anthropic);
    }
  }
  ASSERT_NE(last_of(d, K::Finish), nullptr);
  EXPECT_EQ(last_of(d, K::Finish)->native_finish, "pause_turn");
}

TEST(AnthropicProviderDecoder, ServerToolBlocksAndCitationsInAMessage) {
  std::string body =
      std::string(R"({"id":"msg_up","type":"message","role":"assistant","model":"claude-x","content":[)") +
      kSearchUse + "," + kSearchResult + R"(,{"type":"text","text":"It is cold.","citations":[)" + kCitation +
      R"(]},{"type":"text","text":" Bye."},{"type":"mcp_tool_use","id":"mcptoolu_1","name":"f","server_name":"s","input":{}}],)"
      R"("stop_reason":"pause_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":3}})";
  Decoded d = decode_all(body, false);
  ASSERT_TRUE(d.ok) << d.error_message;
  EXPECT_EQ(d.summary,
            "start id=msg_up model=claude-x\n"
            "native server_tool_use " + std::string(kSearchUse) + "\n"
            "native web_search_tool_result " + kSearchResult + "\n"
            "text_start citations=[" + kCitation + "]\n"
            "text It is cold.\n"
            "text_start\n"
            "text  Bye.\n"
            "native mcp_tool_use "
            R"({"type":"mcp_tool_use","id":"mcptoolu_1","name":"f","server_name":"s","input":{}})" "\n"
            "usage in=5 out=3 cached=0 cw=0 reasoning=0\n"
            "finish stop");
}

TEST(AnthropicProviderDecoder, ServerToolUsageIsCarried) {
  // Streamed: message_start says 0 searches, the final message_delta 2 (later wins).
  std::string body =
      frame("message_start",
            R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",)"
            R"("model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":)"
            R"({"input_tokens":3,"output_tokens":1,"server_tool_use":{"web_search_requests":0}}}})") +
      frame("content_block_start",
            R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
      frame("content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Found."}})") +
      frame("content_block_stop", R"({"type":"content_block_stop","index":0})") +
      frame("message_delta",
            R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
            R"("usage":{"output_tokens":9,"server_tool_use":{"web_search_requests":2,"web_fetch_requests":1}}})") +
      frame("message_stop", R"({"type":"message_stop"})");
  Decoded d = decode_all(body, true);
  ASSERT_TRUE(d.ok) << d.error_message;
  std::vector<std::string> seen;
  for (const auto& e : d.events) {
    if (e.kind == K::Usage) seen.push_back(e.usage.server_tool_use);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{R"({"web_search_requests":0})",
                                            R"({"web_search_requests":2,"web_fetch_requests":1})"}));

  // Whole message.
  Decoded m = decode_all(
      R"({"id":"msg_up","type":"message","role":"assistant","model":"claude-x","content":[)"
      R"({"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,)"
      R"("usage":{"input_tokens":5,"output_tokens":3,"server_tool_use":{"web_search_requests":1}}})",
      false);
  ASSERT_TRUE(m.ok) << m.error_message;
  ASSERT_NE(last_of(m, K::Usage), nullptr);
  EXPECT_EQ(last_of(m, K::Usage)->usage.server_tool_use, R"({"web_search_requests":1})");
  // Absent (or null) means nothing to carry.
  Decoded none = decode_all(
      R"({"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":"end_turn",)"
      R"("usage":{"input_tokens":1,"output_tokens":1,"server_tool_use":null}})",
      false);
  ASSERT_NE(last_of(none, K::Usage), nullptr);
  EXPECT_EQ(last_of(none, K::Usage)->usage.server_tool_use, "");
}

TEST(AnthropicProviderDecoder, PlainTextBlocksAnnounceNothing) {
  // A lone plain text block (`citations: null` says nothing) needs no TextStart: existing event
  // streams stay unchanged.
  Decoded d = decode_all(R"({"id":"m","type":"message","role":"assistant","model":"x","content":)"
                         R"([{"type":"text","text":"Hi","citations":null}],"stop_reason":"end_turn","usage":{}})",
                         false);
  ASSERT_TRUE(d.ok);
  for (const auto& e : d.events) EXPECT_NE(e.kind, K::TextStart);
}

}  // namespace
}  // namespace openrain::providers
