// OpenAI Responses surface: stream encoder goldens and lifecycle cases (text, reasoning, refusal,
// interleaved parallel calls, zero-argument calls, incomplete finishes, in-stream errors), every
// stream run through the strict checker of openai_responses_testing.hpp. Shapes against the
// recorded streams, replays of recorded upstream streams and the non-streaming body live in
// openai_responses_render_test.cpp.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "providers/common.hpp"
#include "surfaces/openai_responses_testing.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::surfaces {
namespace {

using namespace responses_testing;  // NOLINT(google-build-using-namespace)

// ---- goldens --------------------------------------------------------------------------------

/// The Response object this encoder writes with no request echo available.
std::string response_json(const std::string& status, const std::string& output,
                          const std::string& usage, const std::string& error = "null",
                          const std::string& incomplete = "null") {
  return R"({"id":"resp_test1","object":"response","created_at":1700,"status":")" + status +
         R"(","background":false,"error":)" + error + R"(,"incomplete_details":)" + incomplete +
         R"(,"model":"my-alias","output":)" + output +
         R"(,"instructions":null,"max_output_tokens":null,"max_tool_calls":null,)"
         R"("parallel_tool_calls":true,"previous_response_id":null,"prompt_cache_key":null,)"
         R"("reasoning":{"effort":null,"summary":null},"safety_identifier":null,)"
         R"("service_tier":"default","store":false,"temperature":null,)"
         R"("text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_logprobs":0,)"
         R"("top_p":null,"truncation":"disabled","user":null,"metadata":{},"usage":)" + usage + "}";
}

std::string frame(const std::string& type, const std::string& data) {
  return "event: " + type + "\ndata: " + data + "\n\n";
}

TEST(OpenAIResponsesSurfaceStream, TextGolden) {
  std::string got = encode({start(), text("Hel"), text("lo"), usage(10, 5, 2), finish(FinishReason::Stop)});
  const std::string msg = R"("item_id":"msg_test1_0","output_index":0,"content_index":0)";
  const std::string part_done = R"({"type":"output_text","annotations":[],"logprobs":[],"text":"Hello"})";
  const std::string item_done = R"({"id":"msg_test1_0","type":"message","status":"completed",)"
                                R"("content":[)" + part_done + R"(],"role":"assistant"})";
  std::string want =
      frame("response.created", R"({"type":"response.created","sequence_number":0,"response":)" +
                                    response_json("in_progress", "[]", "null") + "}") +
      frame("response.in_progress",
            R"({"type":"response.in_progress","sequence_number":1,"response":)" +
                response_json("in_progress", "[]", "null") + "}") +
      frame("response.output_item.added",
            R"({"type":"response.output_item.added","sequence_number":2,"output_index":0,)"
            R"("item":{"id":"msg_test1_0","type":"message","status":"in_progress","content":[],)"
            R"("role":"assistant"}})") +
      frame("response.content_part.added",
            R"({"type":"response.content_part.added","sequence_number":3,)" + msg +
                R"(,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}})") +
      frame("response.output_text.delta",
            R"({"type":"response.output_text.delta","sequence_number":4,)" + msg +
                R"(,"delta":"Hel","logprobs":[]})") +
      frame("response.output_text.delta",
            R"({"type":"response.output_text.delta","sequence_number":5,)" + msg +
                R"(,"delta":"lo","logprobs":[]})") +
      frame("response.output_text.done",
            R"({"type":"response.output_text.done","sequence_number":6,)" + msg +
                R"(,"text":"Hello","logprobs":[]})") +
      frame("response.content_part.done",
            R"({"type":"response.content_part.done","sequence_number":7,)" + msg + R"(,"part":)" +
                part_done + "}") +
      frame("response.output_item.done",
            R"({"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":)" +
                item_done + "}") +
      frame("response.completed",
            R"({"type":"response.completed","sequence_number":9,"response":)" +
                response_json("completed", "[" + item_done + "]",
                              R"({"input_tokens":10,"input_tokens_details":{"cached_tokens":2},)"
                              R"("output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},)"
                              R"("total_tokens":15})") +
                "}");
  EXPECT_EQ(got, want);
  check(got);
}

TEST(OpenAIResponsesSurfaceStream, ReasoningThenText) {
  std::string got = encode({start(), reasoning("Think"), reasoning("ing"), signature("sig-anthropic"),
                            text("Answer"), usage(5, 20, 0, 12), finish(FinishReason::Stop)});
  Checked k = check(got);
  EXPECT_EQ(body_names(k), (std::vector<std::string>{
                               "response.output_item.added",
                               "response.reasoning_summary_part.added",
                               "response.reasoning_summary_text.delta",
                               "response.reasoning_summary_text.delta",
                               "response.reasoning_summary_text.done",
                               "response.reasoning_summary_part.done",
                               "response.output_item.done",
                               "response.output_item.added",
                               "response.content_part.added",
                               "response.output_text.delta",
                               "response.output_text.done",
                               "response.content_part.done",
                               "response.output_item.done",
                               "response.completed",
                           }));
  ASSERT_EQ(k.final_output.size(), 2u);
  EXPECT_EQ(k.final_output[0].type, "reasoning");
  EXPECT_EQ(k.final_output[0].id, "rs_test1_0");
  EXPECT_EQ(k.final_output[0].parts, (std::vector<OutPart>{{"summary_text", "Thinking"}}));
  EXPECT_EQ(k.final_output[0].encrypted, "");  // an Anthropic signature never leaks as OpenAI's
  EXPECT_EQ(k.final_output[1].id, "msg_test1_1");
  EXPECT_EQ(k.final_output[1].parts, (std::vector<OutPart>{{"output_text", "Answer"}}));
  EXPECT_EQ(member_of(k.final_response, "usage"),
            R"({"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":20,)"
            R"("output_tokens_details":{"reasoning_tokens":12},"total_tokens":25})");
  // Byte-level shape of the summary events.
  EXPECT_NE(got.find(R"({"type":"response.reasoning_summary_part.added","sequence_number":3,)"
                     R"("item_id":"rs_test1_0","output_index":0,"summary_index":0,)"
                     R"("part":{"type":"summary_text","text":""}})"),
            std::string::npos);
  EXPECT_NE(got.find(R"({"type":"response.reasoning_summary_text.delta","sequence_number":4,)"
                     R"("item_id":"rs_test1_0","output_index":0,"summary_index":0,"delta":"Think"})"),
            std::string::npos);
}

TEST(OpenAIResponsesSurfaceStream, SameProtocolReasoningCarriesEncryptedContent) {
  EncodeContext c = ctx(Protocol::OpenAIResponses);
  std::string got = encode({start(), reasoning("plan"), signature("gAAAenc"), signature("more"),
                            reasoning("second"), tool_start(0, "call_1", "f"), tool_args(0, "{}"),
                            tool_end(0), finish(FinishReason::ToolCalls)}, c);
  Checked k = check(got, c);
  ASSERT_EQ(k.final_output.size(), 3u);
  EXPECT_EQ(k.final_output[0].encrypted, "gAAAencmore");
  EXPECT_EQ(k.final_output[0].parts, (std::vector<OutPart>{{"summary_text", "plan"}}));
  EXPECT_EQ(k.final_output[1].type, "reasoning");  // a signed item is closed: new item
  EXPECT_EQ(k.final_output[1].parts, (std::vector<OutPart>{{"summary_text", "second"}}));
  EXPECT_EQ(k.final_output[2].type, "function_call");

  // Encrypted content without any summary: a reasoning item with an empty summary.
  std::string only = encode({start(), signature("gAAAonly"), text("hi"), finish(FinishReason::Stop)}, c);
  Checked k2 = check(only, c);
  ASSERT_EQ(k2.final_output.size(), 2u);
  EXPECT_EQ(k2.final_output[0].type, "reasoning");
  EXPECT_TRUE(k2.final_output[0].parts.empty());
  EXPECT_EQ(k2.final_output[0].encrypted, "gAAAonly");
  EXPECT_EQ(body_names(k2)[0], "response.output_item.added");
  EXPECT_EQ(body_names(k2)[1], "response.output_item.done");

  // From another protocol a lone signature or redacted block has no Responses form.
  std::string other = encode({start(), signature("sig"), ev(K::RedactedReasoning, "opaque"),
                              text("hi"), finish(FinishReason::Stop)});
  Checked k3 = check(other);
  ASSERT_EQ(k3.final_output.size(), 1u);
  EXPECT_EQ(k3.final_output[0].type, "message");
}

TEST(OpenAIResponsesSurfaceStream, InterleavedParallelToolCallsAreSequential) {
  std::string got = encode({start(), tool_start(0, "call_a", "get_weather"),
                            tool_start(1, "call_b", "get_time"), tool_args(0, R"({"city")"),
                            tool_args(1, R"({"tz":"UTC"})"), tool_args(0, R"(:"Paris"})"),
                            tool_end(0), tool_end(1), usage(30, 12),
                            finish(FinishReason::ToolCalls)});
  Checked k = check(got);
  EXPECT_EQ(body_names(k), (std::vector<std::string>{
                               "response.output_item.added",
                               "response.function_call_arguments.delta",
                               "response.function_call_arguments.delta",
                               "response.function_call_arguments.done",
                               "response.output_item.done",
                               "response.output_item.added",
                               "response.function_call_arguments.delta",
                               "response.function_call_arguments.done",
                               "response.output_item.done",
                               "response.completed",
                           }));
  ASSERT_EQ(k.final_output.size(), 2u);
  EXPECT_EQ(k.final_output[0].id, "fc_test1_0");
  EXPECT_EQ(k.final_output[0].call_id, "call_a");
  EXPECT_EQ(k.final_output[0].name, "get_weather");
  EXPECT_EQ(k.final_output[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(k.final_output[0].status, "completed");
  EXPECT_EQ(k.final_output[1].call_id, "call_b");
  EXPECT_EQ(k.final_output[1].arguments, R"({"tz":"UTC"})");
  EXPECT_EQ(k.status, "completed");
  EXPECT_NE(got.find(R"({"type":"response.output_item.added","sequence_number":2,"output_index":0,)"
                     R"("item":{"id":"fc_test1_0","type":"function_call","status":"in_progress",)"
                     R"("arguments":"","call_id":"call_a","name":"get_weather"}})"),
            std::string::npos);
  EXPECT_NE(got.find(R"({"type":"response.function_call_arguments.done","sequence_number":5,)"
                     R"("item_id":"fc_test1_0","output_index":0,"arguments":"{\"city\":\"Paris\"}"})"),
            std::string::npos);
}

TEST(OpenAIResponsesSurfaceStream, ZeroArgumentCallGetsEmptyObject) {
  StreamEvent anon = tool_start(0, "", "ping");  // no upstream id: a deterministic one
  std::string got = encode({start(), anon, tool_end(0), finish(FinishReason::ToolCalls)});
  Checked k = check(got);
  ASSERT_EQ(k.final_output.size(), 1u);
  EXPECT_EQ(k.final_output[0].arguments, "{}");
  EXPECT_EQ(k.snapshot[0].arguments, "{}");  // the SDK's accumulated arguments are valid JSON
  EXPECT_EQ(k.final_output[0].call_id, providers::synth_tool_id("resp_test1", 0));
  EXPECT_EQ(body_names(k)[1], "response.function_call_arguments.delta");
}

TEST(OpenAIResponsesSurfaceStream, TextAfterAnOpenCallWaitsItsTurn) {
  std::string got = encode({start(), tool_start(0, "call_a", "f"), text("note"),
                            tool_args(0, "{\"x\":1}"), tool_end(0), text(" more"),
                            finish(FinishReason::ToolCalls)});
  Checked k = check(got);
  ASSERT_EQ(k.final_output.size(), 2u);
  EXPECT_EQ(k.final_output[0].type, "function_call");
  EXPECT_EQ(k.final_output[0].arguments, "{\"x\":1}");
  EXPECT_EQ(k.final_output[1].type, "message");
  EXPECT_EQ(k.final_output[1].parts, (std::vector<OutPart>{{"output_text", "note more"}}));
}

TEST(OpenAIResponsesSurfaceStream, LengthAndFilterAreIncomplete) {
  std::string got = encode({start(), text("abc"), usage(3, 16), finish(FinishReason::Length)});
  Checked k = check(got);
  EXPECT_EQ(k.names.back(), "response.incomplete");
  EXPECT_EQ(k.status, "incomplete");
  EXPECT_EQ(member_of(k.final_response, "incomplete_details"), R"({"reason":"max_output_tokens"})");
  ASSERT_EQ(k.final_output.size(), 1u);
  EXPECT_EQ(k.final_output[0].status, "incomplete");
  EXPECT_EQ(k.final_output[0].parts, (std::vector<OutPart>{{"output_text", "abc"}}));

  Checked f = check(encode({start(), text("x"), finish(FinishReason::ContentFilter)}));
  EXPECT_EQ(f.names.back(), "response.incomplete");
  EXPECT_EQ(member_of(f.final_response, "incomplete_details"), R"({"reason":"content_filter"})");

  // A call cut by the cap is incomplete, never a clean tool turn; an earlier closed item is not.
  Checked t = check(encode({start(), text("a"), tool_start(0, "c", "f"), tool_args(0, "{\"q\":"),
                            finish(FinishReason::Length)}));
  ASSERT_EQ(t.final_output.size(), 2u);
  EXPECT_EQ(t.final_output[0].status, "completed");
  EXPECT_EQ(t.final_output[1].status, "incomplete");
  EXPECT_EQ(t.final_output[1].arguments, "{\"q\":");
}

TEST(OpenAIResponsesSurfaceStream, RefusalPart) {
  std::string got = encode({start(), refusal("I can't"), refusal(" help."), finish(FinishReason::Stop)});
  Checked k = check(got);
  EXPECT_EQ(body_names(k), (std::vector<std::string>{
                               "response.output_item.added", "response.content_part.added",
                               "response.refusal.delta", "response.refusal.delta",
                               "response.refusal.done", "response.content_part.done",
                               "response.output_item.done", "response.completed"}));
  ASSERT_EQ(k.final_output.size(), 1u);
  EXPECT_EQ(k.final_output[0].parts, (std::vector<OutPart>{{"refusal", "I can't help."}}));
  EXPECT_NE(got.find(R"("part":{"type":"refusal","refusal":""})"), std::string::npos);
  EXPECT_NE(got.find(R"({"type":"response.refusal.done","sequence_number":6,"item_id":"msg_test1_0",)"
                     R"("output_index":0,"content_index":0,"refusal":"I can't help."})"),
            std::string::npos);

  // Text then refusal: two content parts of one message.
  Checked both = check(encode({start(), text("Hm. "), refusal("No."), finish(FinishReason::Stop)}));
  ASSERT_EQ(both.final_output.size(), 1u);
  EXPECT_EQ(both.final_output[0].parts,
            (std::vector<OutPart>{{"output_text", "Hm. "}, {"refusal", "No."}}));
}

TEST(OpenAIResponsesSurfaceStream, StreamErrorEndsWithResponseFailed) {
  auto enc = make_openai_responses_encoder(ctx());
  std::string out;
  enc->on_event(start(), out);
  enc->on_event(text("partial"), out);
  enc->on_event(usage(7, 1), out);
  Error err = Error::make(ErrorKind::RateLimited, "Rate limit reached for requests");
  enc->on_stream_error(err, out);
  enc->on_event(text("ignored"), out);
  enc->on_end(out);
  enc->on_stream_error(err, out);
  Checked k = check(out);
  ASSERT_GE(k.names.size(), 2u);
  EXPECT_EQ(k.names[k.names.size() - 2], "error");
  EXPECT_EQ(k.names.back(), "response.failed");
  EXPECT_EQ(k.status, "failed");
  EXPECT_EQ(member_of(k.error_event, "code"), R"("rate_limit_exceeded")");
  EXPECT_EQ(member_of(k.error_event, "message"), R"("Rate limit reached for requests")");
  EXPECT_EQ(member_of(k.error_event, "param"), "null");
  EXPECT_EQ(member_of(k.error_event, "error"),
            R"({"message":"Rate limit reached for requests","type":"requests","param":null,)"
            R"("code":"rate_limit_exceeded"})");
  EXPECT_EQ(member_of(k.final_response, "error"),
            R"({"code":"rate_limit_exceeded","message":"Rate limit reached for requests"})");
  EXPECT_EQ(member_of(k.final_response, "usage"),
            R"({"input_tokens":7,"input_tokens_details":{"cached_tokens":0},"output_tokens":1,)"
            R"("output_tokens_details":{"reasoning_tokens":0},"total_tokens":8})");
  ASSERT_EQ(k.final_output.size(), 1u);
  EXPECT_EQ(k.final_output[0].status, "incomplete");
  EXPECT_EQ(k.final_output[0].parts, (std::vector<OutPart>{{"output_text", "partial"}}));
  EXPECT_EQ(out.find("ignored"), std::string::npos);
}

TEST(OpenAIResponsesSurfaceStream, OverflowIsContextLengthExceededWhateverTheUpstreamSaid) {
  // Copilot / Codex upstreams say model_max_prompt_tokens_exceeded; Codex-style clients only
  // recognise OpenAI's own code, in the HTTP error and in response.failed alike.
  Error err = Error::make(ErrorKind::ContextLengthExceeded,
                          "prompt token count of 200123 exceeds the limit of 128000", "",
                          "model_max_prompt_tokens_exceeded");
  ResponseHead head;
  std::string body;
  openai_responses_surface().render_error(err, head, body);
  EXPECT_EQ(head.status, 400);
  EXPECT_EQ(body, R"({"error":{"message":"prompt token count of 200123 exceeds the limit of 128000",)"
                  R"("type":"invalid_request_error","param":null,"code":"context_length_exceeded"}})");

  auto enc = make_openai_responses_encoder(ctx());
  std::string out;
  enc->on_event(start(), out);
  enc->on_stream_error(err, out);
  Checked k = check(out);
  EXPECT_EQ(k.names.back(), "response.failed");
  EXPECT_EQ(member_of(k.error_event, "code"), R"("context_length_exceeded")");
  EXPECT_EQ(member_of(k.final_response, "error"),
            R"({"code":"context_length_exceeded","message":"prompt token count of 200123 exceeds )"
            R"(the limit of 128000"})");
}

TEST(OpenAIResponsesSurfaceStream, ErrorBeforeAnyOutputAndCutStreams) {
  auto enc = make_openai_responses_encoder(ctx());
  std::string out;
  enc->on_event(ev(K::Error), out);  // an Error event is the same as on_stream_error
  Checked k = check(out);
  EXPECT_EQ(k.names, (std::vector<std::string>{"response.created", "response.in_progress", "error",
                                               "response.failed"}));
  EXPECT_EQ(member_of(k.final_response, "output"), "[]");
  EXPECT_EQ(member_of(k.final_response, "usage"), "null");
  EXPECT_EQ(member_of(k.final_response, "error"),
            R"({"code":"server_error","message":"An error occurred while generating the response."})");
  EXPECT_EQ(member_of(k.error_event, "code"), "null");

  // The upstream ended without a finish: on_end never fakes response.completed.
  std::string cut = encode({start(), text("half")});
  Checked c = check(cut);
  EXPECT_EQ(c.names.back(), "response.failed");
  EXPECT_NE(member_of(c.error_event, "message").find("ended before"), std::string::npos);

  // After a clean finish, on_end adds nothing (no [DONE] on this surface).
  auto done = make_openai_responses_encoder(ctx());
  std::string o2;
  done->on_event(finish(FinishReason::Stop), o2);
  std::string tail;
  done->on_end(tail);
  done->on_idle(tail);
  EXPECT_EQ(tail, "");
  Checked d = check(o2);
  EXPECT_EQ(d.names.back(), "response.completed");
  EXPECT_EQ(member_of(d.final_response, "output"), "[]");
}

TEST(OpenAIResponsesSurfaceStream, IdleIsAComment) {
  auto enc = make_openai_responses_encoder(ctx());
  std::string out;
  enc->on_event(start(), out);
  std::string idle;
  enc->on_idle(idle);
  EXPECT_EQ(idle, ": keep-alive\n\n");
  out += idle;
  enc->on_event(text("a"), out);
  enc->on_event(finish(FinishReason::Stop), out);
  check(out);  // sequence numbers are unaffected by keep-alives
}

TEST(OpenAIResponsesSurfaceStream, EchoesTheRequestWhenGiven) {
  HttpRequest http;
  ChatRequest req;
  {
    std::string envelope = testing::read_fixture("openai-responses/tool-call.request.json");
    json::Reader reader;
    auto parsed = reader.parse(envelope);
    ASSERT_TRUE(parsed.ok());
    http.body = member_json(parsed.value().get_object().value(), "body");
    auto r = parse_openai_responses_request(http.body);
    ASSERT_TRUE(r.ok()) << r.error().message;
    req = std::move(r.value());
  }
  std::string got = encode({start(), text("x"), finish(FinishReason::Stop)}, ctx(), &req);
  Checked k = check(got);
  // Same `tools` echo as fixtures/openai-responses/tool-call.response.json.
  std::string recorded = testing::read_fixture("openai-responses/tool-call.response.json");
  EXPECT_EQ(sorted_json(member_of(k.final_response, "tools")),
            sorted_json(member_of(recorded, "tools")));
  EXPECT_EQ(member_of(k.final_response, "tool_choice"), R"("auto")");
  EXPECT_EQ(member_of(k.final_response, "parallel_tool_calls"), "true");

  ChatRequest other;
  other.max_tokens = 64;
  other.temperature = 0.5;
  other.parallel_tool_calls = false;
  other.user = "u1";
  other.tool_choice.mode = ToolChoice::Mode::Function;
  other.tool_choice.name = "f";
  other.extras.push_back({"metadata", R"({"a":"b"})"});
  other.extras.push_back({"instructions", R"("Be terse.")"});
  other.extras.push_back({"text", R"({"format":{"type":"json_object"},"verbosity":"low"})"});
  std::string body;
  auto enc = make_openai_responses_encoder(ctx(), &other);
  pipeline::Fold fold;
  enc->render_response(fold.result(), body);
  EXPECT_EQ(member_of(body, "instructions"), R"("Be terse.")");
  EXPECT_EQ(member_of(body, "max_output_tokens"), "64");
  EXPECT_EQ(member_of(body, "temperature"), "0.5");
  EXPECT_EQ(member_of(body, "parallel_tool_calls"), "false");
  EXPECT_EQ(member_of(body, "user"), R"("u1")");
  EXPECT_EQ(member_of(body, "tool_choice"), R"({"type":"function","name":"f"})");
  EXPECT_EQ(member_of(body, "metadata"), R"({"a":"b"})");
  EXPECT_EQ(member_of(body, "text"), R"({"format":{"type":"json_object"},"verbosity":"low"})");
  EXPECT_EQ(member_of(body, "store"), "false");
}

// ---- the checker itself catches violations ----------------------------------------------------

/// True when running check() over `sse` reports a failure whose text contains `needle`.
bool check_fails_with(const std::string& sse, const std::string& needle) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    check(sse);
  }
  for (int i = 0; i < results.size(); ++i) {
    if (std::string(results.GetTestPartResult(i).message()).find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(OpenAIResponsesSurfaceStream, CheckerRejectsBrokenStreams) {
  const std::string good = encode({start(), text("a"), finish(FinishReason::Stop)});
  EXPECT_FALSE(check_fails_with(good, ""));
  auto without = [&](const std::string& type) {  // drop the first frame of `type`
    size_t at = good.find("event: " + type + "\n");
    size_t end = good.find("\n\n", at) + 2;
    return good.substr(0, at) + good.substr(end);
  };
  EXPECT_TRUE(check_fails_with(without("response.output_item.added"), "delta before its item"));
  EXPECT_TRUE(check_fails_with(without("response.content_part.added"), "delta before its part"));
  EXPECT_TRUE(check_fails_with(without("response.completed"), "stream without a terminal event"));
  std::string renumbered = good;
  renumbered.replace(renumbered.find("\"sequence_number\":3"), 19, "\"sequence_number\":9");
  EXPECT_TRUE(check_fails_with(renumbered, "sequence_number"));
  EXPECT_TRUE(check_fails_with(good + good.substr(good.find("event: response.completed")),
                               "event after the terminal event"));
}

}  // namespace
}  // namespace openrain::surfaces
