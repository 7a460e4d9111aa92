// Anthropic Messages surface: stream encoder golden frames, a strict grammar + SDK-style
// accumulator run over every encoded stream (re-framed with sse::Framer, event == data.type),
// recorded Anthropic streams replayed through the Anthropic decoder and re-encoded, and the
// non-streaming body.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json/reader.hpp"
#include "openrain/config.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "pipeline/fold.hpp"
#include "providers/anthropic.hpp"
#include "sse/framer.hpp"
#include "surfaces/anthropic_messages.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::surfaces {
namespace {

using K = StreamEvent::Kind;

// ---- event builders -------------------------------------------------------------------------

StreamEvent ev(K kind, std::string text = {}, int index = 0) {
  StreamEvent e;
  e.kind = kind;
  e.text = std::move(text);
  e.index = index;
  return e;
}
StreamEvent start() {
  StreamEvent e = ev(K::Start);
  e.id = "chatcmpl-up";
  e.name = "gpt-up";
  return e;
}
StreamEvent text(std::string t) { return ev(K::TextDelta, std::move(t)); }
StreamEvent tool_start(int i, std::string id, std::string name) {
  StreamEvent e = ev(K::ToolCallStart, {}, i);
  e.id = std::move(id);
  e.name = std::move(name);
  return e;
}
StreamEvent tool_args(int i, std::string a) { return ev(K::ToolCallDelta, std::move(a), i); }
StreamEvent tool_end(int i) { return ev(K::ToolCallEnd, {}, i); }
StreamEvent usage(int64_t in, int64_t out, int64_t cached = 0, int64_t cw = 0) {
  StreamEvent e = ev(K::Usage);
  e.usage.input_tokens = in;
  e.usage.output_tokens = out;
  e.usage.cached_input_tokens = cached;
  e.usage.cache_write_tokens = cw;
  return e;
}
StreamEvent finish(FinishReason r, std::string seq = {}, std::string native = {}) {
  StreamEvent e = ev(K::Finish);
  e.finish = r;
  e.stop_sequence = std::move(seq);
  e.native_finish = std::move(native);
  return e;
}

EncodeContext ctx(Protocol upstream = Protocol::OpenAIChat) {
  EncodeContext c;
  c.model_alias = "my-alias";
  c.stream = true;
  c.response_id = "msg_test123";
  c.upstream = upstream;
  return c;
}

std::string encode(const std::vector<StreamEvent>& evs, const EncodeContext& c = ctx()) {
  auto enc = make_anthropic_messages_encoder(c);
  std::string out;
  for (const auto& e : evs) enc->on_event(e, out);
  enc->on_end(out);
  return out;
}

// ---- strict grammar check + SDK-style accumulation ------------------------------------------

struct Block {
  std::string type, text, thinking, signature, data, id, name, input;
  std::string start;      // the whole content_block of content_block_start
  std::string citations;  // text: "[...]" built from the start member and citations_delta
};

struct Accumulated {
  std::vector<std::string> names;  // event names in order (pings included)
  std::string start_usage;
  std::vector<Block> blocks;
  std::string stop_reason;
  std::string stop_sequence;  // "null" or the JSON string value
  std::string final_usage;
  bool stopped = false;
  std::string error;  // error.type of an `event: error`
};

std::string str(json::Object o, std::string_view key) { return std::string(json::get_string(o, key)); }

/// Re-frame `sse` with sse::Framer and replay it like the Anthropic SDK's accumulator, failing the
/// test on any grammar violation (event name != data.type, message_start not first, overlapping
/// blocks, non-sequential indices, anything after message_stop / error).
Accumulated accumulate(const std::string& sse, bool ours = true) {
  Accumulated a;
  sse::Framer framer;
  std::vector<sse::Event> events;
  EXPECT_TRUE(framer.feed(sse, events).ok());
  size_t before = events.size();
  framer.finish(events);
  EXPECT_EQ(events.size(), before) << "stream must end with a blank line";
  EXPECT_EQ(sse.substr(sse.size() >= 2 ? sse.size() - 2 : 0), "\n\n");
  bool message_started = false;
  bool done = false;
  int open = -1;
  std::string json_buf;
  for (const auto& e : events) {
    a.names.push_back(e.event);
    EXPECT_FALSE(done) << "event after the end: " << e.event;
    json::Reader reader;
    auto parsed = reader.parse(e.data);
    EXPECT_TRUE(parsed.ok()) << e.data;
    if (!parsed.ok()) continue;
    json::Object d = parsed.value().get_object().value();
    EXPECT_EQ(str(d, "type"), e.event) << e.data;
    if (e.event == "ping") continue;
    if (e.event == "error") {
      a.error = str(*json::get_object(d, "error"), "type");
      EXPECT_FALSE(str(*json::get_object(d, "error"), "message").empty());
      done = true;
      continue;
    }
    if (e.event == "message_start") {
      EXPECT_FALSE(message_started) << "second message_start";
      message_started = true;
      json::Object m = *json::get_object(d, "message");
      if (ours) {
        EXPECT_EQ(str(m, "id"), "msg_test123");
        EXPECT_EQ(str(m, "model"), "my-alias");
      }
      EXPECT_EQ(str(m, "type"), "message");
      EXPECT_EQ(str(m, "role"), "assistant");
      EXPECT_EQ(json::to_json(m["content"].value()), "[]");
      EXPECT_TRUE(m["stop_reason"].value().is_null());
      a.start_usage = json::to_json(m["usage"].value());
      continue;
    }
    EXPECT_TRUE(message_started) << e.event << " before message_start";
    if (e.event == "content_block_start") {
      EXPECT_EQ(open, -1) << "block opened while another is open";
      int idx = static_cast<int>(json::get_int(d, "index", -1));
      EXPECT_EQ(idx, static_cast<int>(a.blocks.size()));
      open = idx;
      json::Object cb = *json::get_object(d, "content_block");
      Block b;
      b.type = str(cb, "type");
      b.start = json::to_json(d["content_block"].value());
      if (b.type == "text") EXPECT_EQ(str(cb, "text"), "");
      json::Element cits;
      if (cb["citations"].get(cits) == simdjson::SUCCESS && cits.is_array()) {
        b.citations = json::to_json(cits);
      }
      if (b.type != "tool_use" && json::has_key(cb, "input")) {
        b.input = json::to_json(cb["input"].value());  // server-tool blocks: {} then deltas
        json_buf.clear();
      }
      if (b.type == "thinking") {
        EXPECT_EQ(str(cb, "thinking"), "");
        EXPECT_EQ(str(cb, "signature"), "");
      }
      if (b.type == "redacted_thinking") b.data = str(cb, "data");
      if (b.type == "tool_use") {
        b.id = str(cb, "id");
        b.name = str(cb, "name");
        b.input = json::to_json(cb["input"].value());
        EXPECT_EQ(b.input, "{}");
        json_buf.clear();
      }
      a.blocks.push_back(b);
    } else if (e.event == "content_block_delta") {
      int idx = static_cast<int>(json::get_int(d, "index", -1));
      EXPECT_EQ(idx, open) << "delta for a block that is not open";
      if (idx < 0 || idx >= static_cast<int>(a.blocks.size())) continue;
      Block& b = a.blocks[idx];
      json::Object delta = *json::get_object(d, "delta");
      std::string t = str(delta, "type");
      if (t == "text_delta") {
        EXPECT_EQ(b.type, "text");
        b.text += str(delta, "text");
      } else if (t == "thinking_delta") {
        EXPECT_EQ(b.type, "thinking");
        EXPECT_TRUE(b.signature.empty()) << "thinking after signature";
        b.thinking += str(delta, "thinking");
      } else if (t == "signature_delta") {
        EXPECT_EQ(b.type, "thinking");
        b.signature = str(delta, "signature");
      } else if (t == "input_json_delta") {
        EXPECT_TRUE(b.type == "tool_use" || b.type == "server_tool_use" || b.type == "mcp_tool_use")
            << b.type;
        EXPECT_EQ(b.input, "{}") << "input deltas after a non-empty start input";
        json_buf += str(delta, "partial_json");
      } else if (t == "citations_delta") {
        EXPECT_EQ(b.type, "text");
        std::string c = json::to_json(delta["citation"].value());
        if (b.citations.size() <= 2) b.citations = "[" + c + "]";
        else b.citations.insert(b.citations.size() - 1, "," + c);
      } else {
        ADD_FAILURE() << "unknown delta " << t;
      }
    } else if (e.event == "content_block_stop") {
      int idx = static_cast<int>(json::get_int(d, "index", -1));
      EXPECT_EQ(idx, open);
      if (idx >= 0 && idx < static_cast<int>(a.blocks.size())) {
        Block& b = a.blocks[idx];
        if (b.type == "text") EXPECT_FALSE(b.text.empty()) << "empty text block";
        if (b.type != "text" && b.type != "thinking" && !json_buf.empty()) {
          // Invalid JSON (a call cut off by max_tokens) is kept as "!<buffer>" for the asserts.
          json::Reader r2;
          auto in = r2.parse(json_buf);
          b.input = in.ok() && in.value().is_object() ? json::to_json(in.value()) : "!" + json_buf;
        }
      }
      open = -1;
    } else if (e.event == "message_delta") {
      EXPECT_EQ(open, -1) << "message_delta with an open block";
      json::Object delta = *json::get_object(d, "delta");
      a.stop_reason = str(delta, "stop_reason");
      a.stop_sequence = json::to_json(delta["stop_sequence"].value());
      a.final_usage = json::to_json(d["usage"].value());
    } else if (e.event == "message_stop") {
      EXPECT_FALSE(a.stop_reason.empty()) << "message_stop without message_delta";
      a.stopped = true;
      done = true;
    } else {
      ADD_FAILURE() << "unexpected event " << e.event;
    }
  }
  return a;
}

/// The same replay over a recorded Anthropic stream (its own ids, model and padding).
Accumulated accumulate_original(const std::string& sse) { return accumulate(sse, false); }

std::string names(const Accumulated& a) {
  std::string s;
  for (const auto& n : a.names) s += (s.empty() ? "" : ",") + n;
  return s;
}

// ---- golden frames --------------------------------------------------------------------------

TEST(AnthropicMessagesSurfaceStream, TextGoldenFrames) {
  std::string out = encode({start(), text("Hel"), text(""), text("lo"), usage(10, 4),
                            finish(FinishReason::Stop)});
  const std::string want =
      "event: message_start\n"
      "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_test123\",\"type\":\"message\","
      "\"role\":\"assistant\",\"model\":\"my-alias\",\"content\":[],\"stop_reason\":null,"
      "\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"cache_creation_input_tokens\":0,"
      "\"cache_read_input_tokens\":0,\"output_tokens\":0}}}\n\n"
      "event: content_block_start\n"
      "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
      "\"text\":\"\"}}\n\n"
      "event: ping\ndata: {\"type\": \"ping\"}\n\n"
      "event: content_block_delta\n"
      "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
      "\"text\":\"Hel\"}}\n\n"
      "event: content_block_delta\n"
      "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
      "\"text\":\"lo\"}}\n\n"
      "event: content_block_stop\n"
      "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      "event: message_delta\n"
      "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
      "\"stop_sequence\":null},\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":0,"
      "\"cache_read_input_tokens\":0,\"output_tokens\":4}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  EXPECT_EQ(out, want);
  Accumulated a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 1u);
  EXPECT_EQ(a.blocks[0].text, "Hello");
  EXPECT_TRUE(a.stopped);
}

TEST(AnthropicMessagesSurfaceStream, UsageRightAfterStartFillsMessageStartAndCacheIsExcluded) {
  // OpenRain usage is inclusive; Anthropic's input_tokens excludes both cache counts.
  std::string out = encode({start(), usage(1532, 1, 1111, 418), text("Hi"),
                            usage(1532, 50, 1111, 418), finish(FinishReason::Stop)});
  Accumulated a = accumulate(out);
  EXPECT_EQ(a.start_usage,
            R"({"input_tokens":3,"cache_creation_input_tokens":418,"cache_read_input_tokens":1111,"output_tokens":1})");
  EXPECT_EQ(a.final_usage,
            R"({"input_tokens":3,"cache_creation_input_tokens":418,"cache_read_input_tokens":1111,"output_tokens":50})");
  EXPECT_EQ(names(a),
            "message_start,content_block_start,ping,content_block_delta,content_block_stop,"
            "message_delta,message_stop");
}

TEST(AnthropicMessagesSurfaceStream, ThinkingWithSignatureThenText) {
  std::string out = encode({start(), ev(K::ReasoningDelta, "Let me"),
                            ev(K::ReasoningDelta, " think."), ev(K::ReasoningSignature, "EqQB+/sig=="),
                            text("Answer"), usage(43, 282), finish(FinishReason::Stop)},
                           ctx(Protocol::Anthropic));
  Accumulated a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 2u);
  EXPECT_EQ(a.blocks[0].type, "thinking");
  EXPECT_EQ(a.blocks[0].thinking, "Let me think.");
  EXPECT_EQ(a.blocks[0].signature, "EqQB+/sig==");
  EXPECT_EQ(a.blocks[1].type, "text");
  EXPECT_EQ(a.blocks[1].text, "Answer");
  EXPECT_EQ(names(a),
            "message_start,content_block_start,ping,content_block_delta,content_block_delta,"
            "content_block_delta,content_block_stop,content_block_start,content_block_delta,"
            "content_block_stop,message_delta,message_stop");
  // The signature is the last delta of block 0, right before its stop.
  EXPECT_NE(out.find("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                     "\"signature_delta\",\"signature\":\"EqQB+/sig==\"}}\n\nevent: "
                     "content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}"),
            std::string::npos);
}

TEST(AnthropicMessagesSurfaceStream, SignedThinkingBlocksStaySeparate) {
  std::string out = encode({start(), ev(K::ReasoningDelta, "a"), ev(K::ReasoningSignature, "s1"),
                            ev(K::ReasoningDelta, "b"), ev(K::ReasoningSignature, "s2"),
                            ev(K::RedactedReasoning, "opaque=="), text("x"),
                            finish(FinishReason::Stop)},
                           ctx(Protocol::Anthropic));
  Accumulated a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 4u);
  EXPECT_EQ(a.blocks[0].thinking + "|" + a.blocks[0].signature, "a|s1");
  EXPECT_EQ(a.blocks[1].thinking + "|" + a.blocks[1].signature, "b|s2");
  EXPECT_EQ(a.blocks[2].type, "redacted_thinking");
  EXPECT_EQ(a.blocks[2].data, "opaque==");
  EXPECT_EQ(a.blocks[3].text, "x");
}

TEST(AnthropicMessagesSurfaceStream, TwoParallelToolCallsGetSequentialBlocks) {
  std::string out =
      encode({start(), text("Checking."), tool_start(0, "toolu_a", "get_weather"),
              tool_args(0, "{\"city\":"), tool_args(0, "\"Paris\"}"), tool_end(0),
              tool_start(1, "toolu_b", "get_time"), tool_args(1, "{\"tz\":\"CET\"}"), tool_end(1),
              usage(100, 30), finish(FinishReason::ToolCalls)});
  Accumulated a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 3u);
  EXPECT_EQ(a.blocks[0].text, "Checking.");
  EXPECT_EQ(a.blocks[1].type, "tool_use");
  EXPECT_EQ(a.blocks[1].id, "toolu_a");
  EXPECT_EQ(a.blocks[1].name, "get_weather");
  EXPECT_EQ(a.blocks[1].input, R"({"city":"Paris"})");
  EXPECT_EQ(a.blocks[2].id, "toolu_b");
  EXPECT_EQ(a.blocks[2].input, R"({"tz":"CET"})");
  EXPECT_EQ(a.stop_reason, "tool_use");
  EXPECT_NE(out.find("\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
                     "\"{\\\"tz\\\":\\\"CET\\\"}\"}"),
            std::string::npos);
}

TEST(AnthropicMessagesSurfaceStream, OverlappingToolCallsAreSerialisedWithoutLosingBytes) {
  // An OpenAI upstream may open call 1 before call 0 ends and interleave their fragments.
  std::string out = encode({start(), tool_start(0, "call_0", "f"), tool_start(1, "call_1", "g"),
                            tool_args(0, "{\"a\":"), tool_args(1, "{\"b\":"), text(""),
                            tool_args(0, "1}"), tool_args(1, "2}"), tool_end(0), tool_end(1),
                            finish(FinishReason::ToolCalls)});
  Accumulated a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 2u);
  EXPECT_EQ(a.blocks[0].id, "toolu_or_call_0");  // toolu_ ids for every upstream (reversible)
  EXPECT_EQ(a.blocks[0].input, R"({"a":1})");
  EXPECT_EQ(a.blocks[1].id, "toolu_or_call_1");
  EXPECT_EQ(a.blocks[1].input, R"({"b":2})");
}

TEST(AnthropicMessagesSurfaceStream, ZeroArgumentToolsAccumulateToEmptyObject) {
  std::string out = encode({start(), tool_start(0, "toolu_1", "pelican"), tool_end(0),
                            tool_start(1, "toolu_2", "pelican"), tool_args(1, "{}"), tool_end(1),
                            finish(FinishReason::ToolCalls)});
  Accumulated a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 2u);
  EXPECT_EQ(a.blocks[0].input, "{}");
  EXPECT_EQ(a.blocks[1].input, "{}");
  // Block 0 has no delta at all: the SDK keeps the start's `input: {}`.
  EXPECT_EQ(names(a),
            "message_start,content_block_start,ping,content_block_stop,content_block_start,"
            "content_block_delta,content_block_stop,message_delta,message_stop");
}

TEST(AnthropicMessagesSurfaceStream, NoEmptyTextBlockBeforeAToolCall) {
  std::string out = encode({start(), text(""), tool_start(0, "", "f"), tool_args(0, "{}"),
                            tool_end(0), finish(FinishReason::Stop)});
  Accumulated a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 1u);
  EXPECT_EQ(a.blocks[0].type, "tool_use");
  EXPECT_FALSE(a.blocks[0].id.empty());  // a missing id is synthesised, never sent empty
  EXPECT_EQ(a.stop_reason, "tool_use");  // a natural end after client tool calls
}

TEST(AnthropicMessagesSurfaceStream, FinishReasonMapping) {
  struct Case {
    FinishReason r;
    std::string seq;
    const char* reason;
    const char* seq_json;
  };
  const Case cases[] = {
      {FinishReason::Stop, "", "end_turn", "null"},
      {FinishReason::StopSequence, "```", "stop_sequence", "\"```\""},
      {FinishReason::StopSequence, "", "stop_sequence", "null"},
      {FinishReason::Length, "", "max_tokens", "null"},
      {FinishReason::ToolCalls, "", "tool_use", "null"},
      {FinishReason::ContentFilter, "", "refusal", "null"},
      {FinishReason::Other, "", "end_turn", "null"},
  };
  for (const auto& c : cases) {
    Accumulated a = accumulate(encode({start(), text("x"), finish(c.r, c.seq)}));
    EXPECT_EQ(a.stop_reason, c.reason);
    EXPECT_EQ(a.stop_sequence, c.seq_json);
  }
  // Length wins over the tool relabel (a cut-off call must not look complete).
  Accumulated cut = accumulate(encode({start(), tool_start(0, "t", "f"), tool_args(0, "{\"a"),
                                       finish(FinishReason::Length)}));
  EXPECT_EQ(cut.stop_reason, "max_tokens");
  ASSERT_EQ(cut.blocks.size(), 1u);
  EXPECT_EQ(cut.blocks[0].input, "!{\"a");  // every byte forwarded, nothing invented
}

TEST(AnthropicMessagesSurfaceStream, AnthropicUpstreamKeepsItsOwnStopReasonAndExtras) {
  StreamEvent s = start();
  s.extras = {{"container", R"({"id":"c1"})"}, {"usage", "{}"}};
  std::string out = encode({s, text("x"), finish(FinishReason::Stop, "", "pause_turn")},
                           ctx(Protocol::Anthropic));
  EXPECT_NE(out.find(R"("stop_sequence":null,"container":{"id":"c1"},"usage":)"), std::string::npos);
  EXPECT_EQ(accumulate(out).stop_reason, "pause_turn");
  // Other upstreams never leak their extras or native reasons.
  std::string other = encode({s, text("x"), finish(FinishReason::Stop, "", "pause_turn")});
  EXPECT_EQ(other.find("container"), std::string::npos);
  EXPECT_EQ(accumulate(other).stop_reason, "end_turn");
}

TEST(AnthropicMessagesSurfaceStream, RefusalIsPlainText) {
  Accumulated a = accumulate(encode({start(), text("I "), ev(K::RefusalDelta, "can't."),
                                     finish(FinishReason::ContentFilter)}));
  ASSERT_EQ(a.blocks.size(), 1u);
  EXPECT_EQ(a.blocks[0].text, "I can't.");
  EXPECT_EQ(a.stop_reason, "refusal");
}

TEST(AnthropicMessagesSurfaceStream, StreamErrorIsTerminalWithoutMessageStop) {
  auto enc = make_anthropic_messages_encoder(ctx());
  std::string out;
  enc->on_event(start(), out);
  enc->on_event(text("partial"), out);
  enc->on_stream_error(Error::make(ErrorKind::Overloaded, "Overloaded"), out);
  enc->on_event(text("late"), out);
  enc->on_stream_error(Error::make(ErrorKind::Internal, "again"), out);
  EXPECT_EQ(out.substr(out.find("event: error")),
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
            "\"message\":\"Overloaded\"}}\n\n");
  Accumulated a = accumulate(out);
  EXPECT_EQ(a.error, "overloaded_error");
  EXPECT_FALSE(a.stopped);
  EXPECT_EQ(out.find("message_stop"), std::string::npos);

  std::string early;
  auto enc2 = make_anthropic_messages_encoder(ctx());
  enc2->on_stream_error(Error::make(ErrorKind::StreamInterrupted, "cut"), early);
  EXPECT_EQ(early,
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
            "\"message\":\"cut\"}}\n\n");
}

TEST(AnthropicMessagesSurfaceStream, IdleIsAPingAndEndAddsNothing) {
  auto enc = make_anthropic_messages_encoder(ctx());
  std::string out;
  enc->on_idle(out);
  EXPECT_EQ(out, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
  std::string end;
  enc->on_end(end);
  EXPECT_EQ(end, "");
}

// ---- recorded Anthropic streams through the Anthropic decoder and back ----------------------

std::string reencode_fixture(const std::string& rel) {
  std::string body = testing::read_fixture(rel);
  ChatRequest req;
  req.stream = true;
  Deployment d;
  auto dec = providers::anthropic::make_decoder(req, d, true);
  testing::Recorder rec;
  EXPECT_TRUE(dec->feed(body, rec).ok());
  EXPECT_TRUE(dec->finish(rec).ok());
  return encode(rec.events, ctx(Protocol::Anthropic));
}

TEST(AnthropicMessagesSurfaceStream, RecordedStreamsSurviveTheRoundTrip) {
  const char* files[] = {"anthropic/text-stream.sse", "anthropic/thinking-stream.sse",
                         "anthropic/parallel-tool-use-stream.sse", "anthropic/tool-use-stream.sse",
                         "anthropic/stop-sequence-prefill-stream.sse",
                         "anthropic/structured-output-stream.sse",
                         "anthropic/tool-result-followup-stream.sse"};
  for (const char* f : files) {
    SCOPED_TRACE(f);
    std::string original = testing::read_fixture(f);
    Accumulated want = accumulate_original(original);
    Accumulated got = accumulate(reencode_fixture(f));
    ASSERT_EQ(got.blocks.size(), want.blocks.size());
    for (size_t i = 0; i < want.blocks.size(); ++i) {
      EXPECT_EQ(got.blocks[i].type, want.blocks[i].type) << i;
      EXPECT_EQ(got.blocks[i].text, want.blocks[i].text) << i;
      EXPECT_EQ(got.blocks[i].thinking, want.blocks[i].thinking) << i;
      EXPECT_EQ(got.blocks[i].signature, want.blocks[i].signature) << i;
      EXPECT_EQ(got.blocks[i].id, want.blocks[i].id) << i;
      EXPECT_EQ(got.blocks[i].name, want.blocks[i].name) << i;
      EXPECT_EQ(got.blocks[i].input, want.blocks[i].input) << i;
    }
    EXPECT_EQ(got.stop_reason, want.stop_reason);
    EXPECT_EQ(got.stop_sequence, want.stop_sequence);
    EXPECT_TRUE(got.stopped);
  }
}

// ---- non-streaming body ---------------------------------------------------------------------

OutputBlock block(OutputBlock::Kind k, std::string text = {}) {
  OutputBlock b;
  b.kind = k;
  b.text = std::move(text);
  return b;
}

OutputBlock call(std::string id, std::string name, std::string args) {
  OutputBlock b = block(OutputBlock::Kind::ToolCall);
  b.id = std::move(id);
  b.name = std::move(name);
  b.arguments = std::move(args);
  return b;
}

TEST(AnthropicMessagesSurfaceRender, BodyGolden) {
  FoldedResponse r;
  r.id = "chatcmpl-up";
  r.upstream_model = "gpt-up";
  OutputBlock think = block(OutputBlock::Kind::Reasoning, "hmm");
  think.signature = "s==";
  r.blocks = {think,
              block(OutputBlock::Kind::RedactedReasoning, "opaque"),
              block(OutputBlock::Kind::Text, "Hel"),
              block(OutputBlock::Kind::Refusal, "lo"),
              call("toolu_1", "f", ""),
              call("", "g", "{\"a\": [1, 2]}"),
              call("toolu_3", "h", "{\"a\":")};
  r.usage.input_tokens = 1532;
  r.usage.cached_input_tokens = 1111;
  r.usage.cache_write_tokens = 418;
  r.usage.output_tokens = 50;
  r.has_usage = true;
  r.finish = FinishReason::ToolCalls;
  r.finished = true;
  std::string out;
  make_anthropic_messages_encoder(ctx(Protocol::Anthropic))->render_response(r, out);
  const std::string synth_id = "toolu_or_" + providers::synth_tool_id("msg_test123", 1);
  EXPECT_EQ(out,
            R"({"id":"msg_test123","type":"message","role":"assistant","model":"my-alias",)"
            R"("content":[{"type":"thinking","thinking":"hmm","signature":"s=="},)"
            // an Anthropic upstream's text blocks stay apart (one folded block each)
            R"({"type":"redacted_thinking","data":"opaque"},{"type":"text","text":"Hel"},)"
            R"({"type":"text","text":"lo"},{"type":"tool_use","id":"toolu_1","name":"f","input":{}},)"
            R"({"type":"tool_use","id":")" + synth_id + R"(","name":"g","input":{"a":[1,2]}},)"
            R"({"type":"tool_use","id":"toolu_3","name":"h","input":{}}],)"
            R"("stop_reason":"tool_use","stop_sequence":null,)"
            R"("usage":{"input_tokens":3,"cache_creation_input_tokens":418,)"
            R"("cache_read_input_tokens":1111,"output_tokens":50}})");
  json::Reader reader;
  EXPECT_TRUE(reader.parse(out).ok());
}

TEST(AnthropicMessagesSurfaceStream, ServerToolUsageOfAnAnthropicUpstreamIsKept) {
  StreamEvent u0 = usage(10, 1);
  u0.usage.server_tool_use = R"({"web_search_requests":0})";
  StreamEvent u1 = usage(10, 40);
  u1.usage.server_tool_use = R"({"web_search_requests":2})";
  std::string out = encode({start(), u0, text("Found."), u1, finish(FinishReason::Stop)});
  Accumulated a = accumulate(out);
  EXPECT_EQ(a.start_usage,
            R"({"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,)"
            R"("output_tokens":1,"server_tool_use":{"web_search_requests":0}})");
  EXPECT_EQ(a.final_usage,
            R"({"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,)"
            R"("output_tokens":40,"server_tool_use":{"web_search_requests":2}})");

  FoldedResponse r;
  r.blocks = {block(OutputBlock::Kind::Text, "Found.")};
  r.usage = u1.usage;
  r.has_usage = true;
  r.finished = true;
  std::string body;
  make_anthropic_messages_encoder(ctx(Protocol::Anthropic))->render_response(r, body);
  EXPECT_NE(body.find(R"("output_tokens":40,"server_tool_use":{"web_search_requests":2}})"),
            std::string::npos)
      << body;
}

TEST(AnthropicMessagesSurfaceRender, NoEmptyTextBlockAndStopSequence) {
  FoldedResponse r;
  r.blocks = {block(OutputBlock::Kind::Text, ""), call("toolu_1", "f", "{}")};
  r.finish = FinishReason::Stop;
  r.finished = true;
  std::string out;
  make_anthropic_messages_encoder(ctx())->render_response(r, out);
  EXPECT_NE(out.find(R"("content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}],)"
                     R"("stop_reason":"tool_use")"),
            std::string::npos)
      << out;

  FoldedResponse s;
  s.blocks = {block(OutputBlock::Kind::Text, "def f():\n")};
  s.finish = FinishReason::StopSequence;
  s.stop_sequence = "```";
  s.finished = true;
  std::string out2;
  make_anthropic_messages_encoder(ctx())->render_response(s, out2);
  EXPECT_NE(out2.find(R"("content":[{"type":"text","text":"def f():\n"}],)"
                      R"("stop_reason":"stop_sequence","stop_sequence":"```")"),
            std::string::npos)
      << out2;
}

/// Decode a recorded non-streaming body with the Anthropic decoder, fold it, render it.
std::string rerender(const std::string& rel) {
  std::string body = testing::read_fixture(rel);
  ChatRequest req;
  Deployment d;
  auto dec = providers::anthropic::make_decoder(req, d, false);
  pipeline::Fold fold;
  EXPECT_TRUE(dec->feed(body, fold).ok());
  EXPECT_TRUE(dec->finish(fold).ok());
  std::string out;
  make_anthropic_messages_encoder(ctx(Protocol::Anthropic))->render_response(fold.result(), out);
  return out;
}

TEST(AnthropicMessagesSurfaceRender, RecordedBodiesSurviveTheRoundTrip) {
  for (const char* f : {"anthropic/parallel-tool-use.response.json",
                        "anthropic/thinking.response.json", "anthropic/cache-usage.response.json",
                        "anthropic/text.response.json"}) {
    SCOPED_TRACE(f);
    std::string original = testing::read_fixture(f);
    std::string ours = rerender(f);
    json::Reader r1, r2;
    auto a = r1.parse(original);
    auto b = r2.parse(ours);
    ASSERT_TRUE(a.ok() && b.ok()) << ours;
    json::Object oa = a.value().get_object().value();
    json::Object ob = b.value().get_object().value();
    EXPECT_EQ(str(ob, "id"), "msg_test123");
    EXPECT_EQ(str(ob, "model"), "my-alias");
    EXPECT_EQ(str(ob, "stop_reason"), str(oa, "stop_reason"));
    json::Array ca = *json::get_array(oa, "content");
    json::Array cb = *json::get_array(ob, "content");
    ASSERT_EQ(ca.size(), cb.size());
    for (size_t i = 0; i < ca.size(); ++i) {
      json::Object x = ca.at(i).get_object().value();
      json::Object y = cb.at(i).get_object().value();
      EXPECT_EQ(str(y, "type"), str(x, "type"));
      for (const char* k : {"text", "thinking", "signature", "id", "name"}) {
        EXPECT_EQ(str(y, k), str(x, k)) << i << " " << k;
      }
      if (str(x, "type") == "tool_use") {
        EXPECT_EQ(json::to_json(y["input"].value()), json::to_json(x["input"].value()));
      }
    }
    json::Object ua = *json::get_object(oa, "usage");
    json::Object ub = *json::get_object(ob, "usage");
    for (const char* k : {"input_tokens", "output_tokens", "cache_read_input_tokens",
                          "cache_creation_input_tokens"}) {
      EXPECT_EQ(json::get_int(ub, k, -1), json::get_int(ua, k, -2)) << k;
    }
  }
}

// ---- Gemini upstream: signatures and ids the caller can replay ------------------------------

TEST(AnthropicMessagesSurfaceStream, GeminiSignaturesSignTheThinkingBlockAndRideInToolIds) {
  StreamEvent signed_text = text("Hello.");
  signed_text.signature = "GSIG==";  // Gemini signs the first part after its thoughts
  std::string out = encode({start(), ev(K::ReasoningDelta, "Plan."), signed_text,
                            finish(FinishReason::Stop)},
                           ctx(Protocol::Gemini));
  Accumulated a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 2u);
  auto carried = providers::unwrap_signature(a.blocks[0].signature);
  ASSERT_TRUE(carried.has_value()) << a.blocks[0].signature;
  EXPECT_EQ(carried->origin, Protocol::Gemini);
  EXPECT_EQ(carried->raw, "GSIG==");
  EXPECT_EQ(a.blocks[1].text, "Hello.");

  StreamEvent call = tool_start(0, "", "f");
  call.signature = "CSIG";
  out = encode({start(), ev(K::ReasoningDelta, "Plan."), call, tool_args(0, "{}"), tool_end(0),
                finish(FinishReason::Stop)},
               ctx(Protocol::Gemini));
  a = accumulate(out);
  ASSERT_EQ(a.blocks.size(), 2u);
  EXPECT_EQ(providers::unwrap_signature(a.blocks[0].signature)->raw, "CSIG");
  EXPECT_EQ(a.blocks[1].id.rfind("toolu_", 0), 0u);
  providers::CarriedToolId id = providers::parse_tool_id(a.blocks[1].id);
  EXPECT_EQ(id.id, providers::synth_tool_id("msg_test123", 0));
  EXPECT_EQ(id.signature, "CSIG");

  // A thinking block with no signature anywhere still gets a (recognisably foreign) one.
  out = encode({start(), ev(K::ReasoningDelta, "hmm"), text("x"), finish(FinishReason::Stop)},
               ctx(Protocol::OpenAIChat));
  a = accumulate(out);
  auto none = providers::unwrap_signature(a.blocks[0].signature);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->origin, Protocol::OpenAIChat);
  EXPECT_EQ(none->raw, "");
}

TEST(AnthropicMessagesSurfaceRender, GeminiSignaturesInTheBody) {
  FoldedResponse r;
  OutputBlock text = block(OutputBlock::Kind::Text, "Hello.");
  text.signature = "GSIG==";
  OutputBlock c = call("", "f", "{}");
  c.signature = "CSIG";
  r.blocks = {block(OutputBlock::Kind::Reasoning, "Plan."), text, c};
  r.finished = true;
  std::string out;
  make_anthropic_messages_encoder(ctx(Protocol::Gemini))->render_response(r, out);
  json::Reader reader;
  auto parsed = reader.parse(out);
  ASSERT_TRUE(parsed.ok());
  json::Array content = *json::get_array(parsed.value().get_object().value(), "content");
  json::Object th = content.at(0).get_object().value();
  EXPECT_EQ(providers::unwrap_signature(json::get_string(th, "signature"))->raw, "GSIG==");
  json::Object use = content.at(2).get_object().value();
  providers::CarriedToolId id = providers::parse_tool_id(json::get_string(use, "id"));
  EXPECT_EQ(id.signature, "CSIG");
  EXPECT_EQ(id.id, providers::synth_tool_id("msg_test123", 0));
}

// ---- output OpenRain does not model (pitfall TC18) ------------------------------------------

const char* kSearchUse =
    R"({"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"oslo"}})";
const char* kSearchResult =
    R"({"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result",)"
    R"("url":"https://x.example","title":"X","encrypted_content":"abc","page_age":null}]})";
const char* kCitation = R"({"type":"web_search_result_location","url":"https://x.example","cited_text":"cold"})";

StreamEvent native_ev(K kind, std::string text, std::string name = {},
                      Protocol p = Protocol::Anthropic) {
  StreamEvent e = ev(kind, std::move(text));
  e.name = std::move(name);
  e.native = p;
  return e;
}

std::vector<StreamEvent> server_tool_events(Protocol p = Protocol::Anthropic) {
  StreamEvent cited = native_ev(K::TextStart, {}, {}, p);
  cited.extras = {{"citations", "[]"}};
  return {start(),
          usage(5, 1),
          text("Let me look."),
          native_ev(K::NativeBlock, kSearchUse, "server_tool_use", p),
          native_ev(K::NativeBlock, kSearchResult, "web_search_tool_result", p),
          cited,
          native_ev(K::TextAnnotation, kCitation, "citations", p),
          text("It is cold."),
          native_ev(K::TextStart, {}, {}, p),
          text(" Bye."),
          usage(5, 9),
          finish(FinishReason::Stop, {}, "pause_turn")};
}

TEST(AnthropicMessagesSurfaceStream, NativeBlocksAndCitationsComeBackUnchanged) {
  Accumulated a = accumulate(encode(server_tool_events(), ctx(Protocol::Anthropic)));
  ASSERT_EQ(a.blocks.size(), 5u);
  EXPECT_EQ(a.blocks[0].type, "text");
  EXPECT_EQ(a.blocks[0].text, "Let me look.");
  EXPECT_EQ(a.blocks[1].type, "server_tool_use");
  EXPECT_EQ(a.blocks[1].start,  // the input streams as a delta after an empty one, as Anthropic does
            R"({"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}})");
  EXPECT_EQ(a.blocks[1].input, R"({"query":"oslo"})");
  EXPECT_EQ(a.blocks[2].start, kSearchResult);
  EXPECT_EQ(a.blocks[3].text, "It is cold.");
  EXPECT_EQ(a.blocks[3].citations, "[" + std::string(kCitation) + "]");
  EXPECT_EQ(a.blocks[4].text, " Bye.");
  EXPECT_EQ(a.blocks[4].citations, "");
  EXPECT_EQ(a.stop_reason, "pause_turn");
}

TEST(AnthropicMessagesSurfaceStream, NativeOutputOfAnotherProtocolIsIgnored) {
  Accumulated a = accumulate(encode(server_tool_events(Protocol::OpenAIResponses)));
  ASSERT_EQ(a.blocks.size(), 1u);  // text only, merged as for any other upstream
  EXPECT_EQ(a.blocks[0].text, "Let me look.It is cold. Bye.");
  EXPECT_EQ(a.blocks[0].citations, "");
}

TEST(AnthropicMessagesSurfaceRender, NativeBlocksAndCitationsComeBackUnchanged) {
  pipeline::Fold fold;
  for (StreamEvent e : server_tool_events()) fold.on_event(std::move(e));
  std::string out;
  make_anthropic_messages_encoder(ctx(Protocol::Anthropic))->render_response(fold.result(), out);
  EXPECT_NE(out.find(std::string(R"("content":[{"type":"text","text":"Let me look."},)") + kSearchUse + "," +
                     kSearchResult + R"(,{"type":"text","text":"It is cold.","citations":[)" + kCitation +
                     R"(]},{"type":"text","text":" Bye."}],"stop_reason":"pause_turn")"),
            std::string::npos)
      << out;
  json::Reader reader;
  EXPECT_TRUE(reader.parse(out).ok());

  // Another surface's upstream: the native blocks are left out, the text stays.
  pipeline::Fold other;
  for (StreamEvent e : server_tool_events(Protocol::Gemini)) other.on_event(std::move(e));
  std::string out2;
  make_anthropic_messages_encoder(ctx())->render_response(other.result(), out2);
  EXPECT_NE(out2.find(R"("content":[{"type":"text","text":"Let me look.It is cold. Bye."}])"),
            std::string::npos)
      << out2;
}

}  // namespace
}  // namespace openrain::surfaces
