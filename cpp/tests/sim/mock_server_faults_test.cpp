// Simulator behaviour: scripted faults, pacing, disconnect counting, replay, request log, script
// selection (FIFO, match, default), routing errors and concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "sim/sim_test_util.hpp"

namespace openrain::sim::testing {
namespace {

constexpr std::string_view kOpenAI = "/v1/chat/completions";
constexpr std::string_view kAnthropic = "/v1/messages";
constexpr std::string_view kGeminiSse = "/v1beta/models/gemini-x:streamGenerateContent?alt=sse";
constexpr std::string_view kGeminiArray = "/v1beta/models/gemini-x:streamGenerateContent";
constexpr std::string_view kGeminiPlain = "/v1beta/models/gemini-x:generateContent";
constexpr std::string_view kOpenAIBody = R"({"model":"gpt-x","messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kOpenAIStream = R"({"model":"gpt-x","stream":true,"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kAnthropicBody = R"({"model":"claude-x","max_tokens":100,"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kAnthropicStream = R"({"model":"claude-x","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kGeminiBody = R"({"contents":[{"role":"user","parts":[{"text":"hello"}]}]})";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Offset just past the n-th occurrence of `sep` in `s` (npos when absent).
size_t after_nth(std::string_view s, std::string_view sep, int n) {
  size_t pos = 0;
  for (int i = 0; i < n; ++i) {
    size_t f = s.find(sep, pos);
    if (f == std::string_view::npos) return f;
    pos = f + sep.size();
  }
  return pos;
}

std::string openai_content(const HttpResult& r) {
  json::Reader reader;
  auto doc = reader.parse(r.body);
  if (!doc.ok()) return "<not json>";
  std::string_view s;
  if (doc.value()["choices"].at(0)["message"]["content"].get(s) != simdjson::SUCCESS) return "<none>";
  return std::string(s);
}

// ---- HTTP faults --------------------------------------------------------------------------

using MockServerFaults = SimFixture;

TEST_F(MockServerFaults, RateLimitInEachProvidersShape) {
  for (int i = 0; i < 4; ++i) enqueue(R"({"status":429,"error_message":"slow down","retry_after":"2"})");

  auto o = post(kOpenAI, kOpenAIStream);  // errors before the first byte are plain HTTP errors
  EXPECT_EQ(o.status, 429);
  EXPECT_EQ(o.header("retry-after"), "2");
  EXPECT_FALSE(o.chunked);
  EXPECT_EQ(o.body, R"({
  "error": {
    "message": "slow down",
    "type": "requests",
    "param": null,
    "code": "rate_limit_exceeded"
  }
})");

  auto a = post(kAnthropic, kAnthropicStream);
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.header("retry-after"), "2");
  EXPECT_EQ(a.body, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"},"request_id":"req_sim2"})");

  auto g = post(kGeminiPlain, kGeminiBody);
  EXPECT_EQ(g.status, 429);
  EXPECT_EQ(g.header("retry-after"), "");
  const std::string gemini_error = R"({
  "error": {
    "code": 429,
    "message": "slow down",
    "status": "RESOURCE_EXHAUSTED",
    "details": [
      {
        "@type": "type.googleapis.com/google.rpc.RetryInfo",
        "retryDelay": "2s"
      }
    ]
  }
})";
  EXPECT_EQ(g.body, gemini_error);

  auto ga = post(kGeminiArray, kGeminiBody);  // array-mode stream: one-element array
  EXPECT_EQ(ga.status, 429);
  EXPECT_EQ(ga.body, "[" + gemini_error + "\n]");
  EXPECT_TRUE(is_json(ga.body));
}

TEST_F(MockServerFaults, ScriptedTypesAndDefaultsPerStatus) {
  enqueue(R"({"status":529})");
  enqueue(R"({"status":503,"error_type":"overloaded_error","error_message":"busy"})");
  enqueue(R"({"status":400,"error_type":"invalid_request_error","error_message":"bad","error_code":"invalid_value"})");
  auto a = post(kAnthropic, kAnthropicBody);
  EXPECT_EQ(a.status, 529);
  EXPECT_EQ(a.body, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_sim1"})");
  auto g = post(kGeminiPlain, kGeminiBody);  // another provider's type is mapped to a Google status
  EXPECT_EQ(g.status, 503);
  EXPECT_NE(g.body.find(R"("code": 503,
    "message": "busy",
    "status": "UNAVAILABLE")"), std::string::npos) << g.body;
  auto o = post(kOpenAI, kOpenAIBody);
  EXPECT_EQ(o.status, 400);
  EXPECT_NE(o.body.find(R"("code": "invalid_value")"), std::string::npos);
}

TEST_F(MockServerFaults, HtmlBadGateway) {
  enqueue(R"({"html":true,"headers":{"x-extra":"1"}})");
  auto r = post(kOpenAI, kOpenAIBody);
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.header("content-type"), "text/html");
  EXPECT_EQ(r.header("x-extra"), "1");
  EXPECT_EQ(r.body.rfind("<html>", 0), 0u);
  EXPECT_NE(r.body.find("<title>502 Bad Gateway</title>"), std::string::npos);
}

TEST_F(MockServerFaults, CutMidStreamSendsExactlyNFrames) {
  enqueue(R"({"text":"a b c d e","created":1700000000})");
  enqueue(R"({"text":"a b c d e","created":1700000000,"cut_after_chunks":3})");
  auto full = post(kOpenAI, kOpenAIStream);
  ASSERT_TRUE(full.complete);
  auto cut = post(kOpenAI, kOpenAIStream);
  EXPECT_EQ(cut.status, 200);
  EXPECT_FALSE(cut.complete);
  EXPECT_FALSE(cut.error.empty());
  // Same serial-independent prefix: ids differ only in the serial digit.
  std::string expected = full.body.substr(0, after_nth(full.body, "\n\n", 3));
  for (size_t p = 0; (p = expected.find("chatcmpl-sim1", p)) != std::string::npos; ++p) expected[p + 12] = '2';
  EXPECT_EQ(cut.body, expected);
  EXPECT_EQ(sse_events(cut.body).size(), 3u);

  // The connection was closed; the next request reconnects and works.
  auto next = post(kOpenAI, kOpenAIBody);
  EXPECT_EQ(next.status, 200);
  EXPECT_TRUE(next.complete);
}

TEST_F(MockServerFaults, CutNonStreamAfterNBytes) {
  enqueue(R"({"text":"hello","cut_after_chunks":10})");
  auto r = post(kAnthropic, kAnthropicBody);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.body, R"({"model":")");
}

TEST_F(MockServerFaults, MidstreamErrorAnthropic) {
  enqueue(R"({"text":"one two three","midstream_error":{"after_chunks":4,"type":"overloaded_error","message":"Overloaded"}})");
  auto r = post(kAnthropic, kAnthropicStream);
  ASSERT_TRUE(r.complete) << r.error;  // the body ends cleanly, then the connection closes
  EXPECT_EQ(r.header("connection"), "close");
  auto events = sse_events(r.body);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[3].event, "content_block_delta");
  EXPECT_EQ(events[4].event, "error");
  EXPECT_EQ(events[4].data, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  EXPECT_EQ(r.body.find("message_stop"), std::string::npos);
}

TEST_F(MockServerFaults, MidstreamErrorOpenAIAndGemini) {
  enqueue(R"({"text":"one two three","midstream_error":{"after_chunks":2,"message":"boom"}})");
  auto o = post(kOpenAI, kOpenAIStream);
  auto oe = sse_events(o.body);
  ASSERT_EQ(oe.size(), 3u);
  EXPECT_EQ(oe[2].data, R"({"error":{"message":"boom","type":"server_error","param":null,"code":null}})");
  EXPECT_EQ(o.body.find("[DONE]"), std::string::npos);

  enqueue(R"({"text":"one two three","midstream_error":{"after_chunks":1,"type":"overloaded_error","message":"Overloaded"}})");
  auto g = post(kGeminiSse, kGeminiBody);
  auto ge = sse_events(g.body);
  ASSERT_EQ(ge.size(), 2u);
  const std::string tail =
      "data: {\"error\": {\"code\": 503,\"message\": \"Overloaded\",\"status\": \"UNAVAILABLE\"}}\r\n\r\n";
  ASSERT_GE(g.body.size(), tail.size());
  EXPECT_EQ(g.body.substr(g.body.size() - tail.size()), tail);

  enqueue(R"({"text":"one two three","midstream_error":{"after_chunks":1,"type":"RESOURCE_EXHAUSTED","message":"quota"}})");
  auto ga = post(kGeminiArray, kGeminiBody);
  ASSERT_TRUE(ga.complete);
  json::Reader reader;
  auto doc = reader.parse(ga.body);
  ASSERT_TRUE(doc.ok()) << ga.body;
  auto arr = doc.value().get_array().value();
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr.at(1)["error"]["code"].get_int64().value(), 429);
  EXPECT_EQ(arr.at(1)["error"]["status"].get_string().value(), "RESOURCE_EXHAUSTED");
}

// ---- timing and disconnects ---------------------------------------------------------------

TEST_F(MockServerFaults, FirstByteDelayHoldsTheHead) {
  enqueue(R"({"text":"x","first_byte_delay_ms":300})");
  auto r = post(kOpenAI, kOpenAIBody);
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(r.head_latency.count(), 300);
}

TEST_F(MockServerFaults, PacingSpacesContentFrames) {
  enqueue(R"({"text":"a b c d e","ttft_ms":200,"tokens_per_s":50})");
  auto r = post(kOpenAI, kOpenAIStream);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(sse_events(r.body).size(), 8u);
  EXPECT_GE(r.total_latency.count(), 200 + 4 * 20);  // ttft, then 4 gaps of 20 ms
  EXPECT_LT(r.head_latency.count(), r.total_latency.count());

  enqueue(R"({"text":"abc","ttft_ms":150})");  // non-stream: the whole reply waits
  auto n = post(kOpenAI, kOpenAIBody);
  EXPECT_GE(n.head_latency.count(), 150);
}

TEST_F(MockServerFaults, StallThenResumeDeliversEverything) {
  enqueue(R"({"text":"a b c","created":1700000000})");
  enqueue(R"({"text":"a b c","created":1700000000,"stall_after_chunks":2,"stall_ms":150})");
  auto plain = post(kOpenAI, kOpenAIStream);
  auto stalled = post(kOpenAI, kOpenAIStream);
  ASSERT_TRUE(stalled.complete);
  EXPECT_GE(stalled.total_latency.count(), 150);
  std::string expected = plain.body;
  for (size_t p = 0; (p = expected.find("chatcmpl-sim1", p)) != std::string::npos; ++p) expected[p + 12] = '2';
  EXPECT_EQ(stalled.body, expected);
  EXPECT_EQ(server_->disconnects(), 0u);
}

TEST_F(MockServerFaults, ClientCloseDuringStallIsCounted) {
  enqueue(R"({"text":"a b c d","stall_after_chunks":2,"stall_ms":60000})");
  auto r = client_->post_then_close(kOpenAI, kOpenAIStream, 1);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.rfind("data: ", 0), 0u);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(server_->wait_for_disconnects(1, 10000));
  EXPECT_EQ(server_->disconnects(), 1u);
}

TEST_F(MockServerFaults, ClientCloseDuringPacedStreamIsCounted) {
  enqueue(R"({"text":"a b c d e f g h","tokens_per_s":2})");
  auto r = client_->post_then_close(kAnthropic, kAnthropicStream, 1);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(server_->wait_for_disconnects(1, 10000));
  EXPECT_FALSE(server_->wait_for_disconnects(2, 50));
}

// ---- replay -------------------------------------------------------------------------------

using MockServerReplay = SimFixture;

TEST_F(MockServerReplay, ServesFixtureByteExact) {
  std::string path = fixture_path("anthropic/text-stream.sse");
  std::string file = read_file(path);
  ASSERT_FALSE(file.empty());
  enqueue(R"({"replay":{"file":")" + path + R"("}})");
  auto r = post(kAnthropic, kAnthropicStream);
  ASSERT_TRUE(r.complete);
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.header("content-type"), "text/event-stream");
  EXPECT_EQ(r.body, file);
  expect_json_events(sse_events(r.body));

  std::string gpath = fixture_path("gemini/function-call-stream-no-sse.txt");
  enqueue(R"({"replay":{"file":")" + gpath + R"(","content_type":"application/json; charset=UTF-8"}})");
  auto g = post(kGeminiArray, kGeminiBody);
  ASSERT_TRUE(g.complete);
  EXPECT_FALSE(g.chunked);
  EXPECT_EQ(g.body, read_file(gpath));
}

TEST_F(MockServerReplay, CrlfFixtureSplitsIntoEventsForFaults) {
  std::string path = fixture_path("gemini/text-stream.sse");
  std::string file = read_file(path);
  enqueue(R"({"replay":{"file":")" + path + R"("},"cut_after_chunks":2})");
  auto r = post(kGeminiSse, kGeminiBody);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.body, file.substr(0, after_nth(file, "\r\n\r\n", 2)));
}

TEST_F(MockServerReplay, MissingFileIsAScriptError) {
  auto st = server_->enqueue(R"({"replay":{"file":"/nonexistent/x.sse"}})");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("replay.file"), std::string::npos);
}

// ---- script selection, request log, routing -----------------------------------------------

using MockServerScripts = SimFixture;

TEST_F(MockServerScripts, FifoThenDefaultThenBuiltin) {
  enqueue(R"({"text":"A"})");
  enqueue(R"({"text":"B"})");
  enqueue(R"({"text":"C"})");
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "A");
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "B");
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "C");
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "Hello from the OpenRain simulator.");
  ASSERT_TRUE(server_->set_default(R"({"text":"D"})").ok());
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "D");
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "D");
  server_->clear();
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "Hello from the OpenRain simulator.");
  EXPECT_EQ(server_->request_count(), 1u);
}

TEST_F(MockServerScripts, MatchByModelSkipsInFifo) {
  enqueue(R"({"text":"for m1","match":{"model":"m1"}})");
  enqueue(R"({"text":"any"})");
  EXPECT_EQ(openai_content(post(kOpenAI, R"({"model":"m2","messages":[]})")), "any");
  EXPECT_EQ(openai_content(post(kOpenAI, R"({"model":"m2","messages":[]})")),
            "Hello from the OpenRain simulator.");
  EXPECT_EQ(openai_content(post(kOpenAI, R"({"model":"m1","messages":[]})")), "for m1");

  enqueue(R"({"text":"gem","match":{"model":"gemini-x"}})");  // Gemini: model from the path
  auto g = post("/v1beta/models/other:generateContent", kGeminiBody);
  EXPECT_EQ(g.body.find(R"("text": "gem")"), std::string::npos);
  auto g2 = post(kGeminiPlain, kGeminiBody);
  EXPECT_NE(g2.body.find(R"("text": "gem")"), std::string::npos);
}

TEST_F(MockServerScripts, EchoReturnsLastUserText) {
  enqueue(R"({"echo":true})");
  auto o = post(kOpenAI, R"({"model":"m","messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":[{"type":"text","text":"second "},{"type":"image_url","image_url":{"url":"https://x"}},{"type":"text","text":"part"}]}]})");
  EXPECT_EQ(openai_content(o), "second part");
  enqueue(R"({"echo":true})");
  auto a = post(kAnthropic, R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"héllo \"q\""}]}]})");
  EXPECT_NE(a.body.find(R"({"type":"text","text":"héllo \"q\""})"), std::string::npos) << a.body;
  enqueue(R"({"echo":true})");
  auto g = post(kGeminiPlain, R"({"contents":[{"role":"user","parts":[{"text":"ping"}]},{"role":"model","parts":[{"text":"pong"}]},{"parts":[{"text":"again"}]}]})");
  EXPECT_NE(g.body.find(R"("text": "again")"), std::string::npos) << g.body;
}

TEST_F(MockServerScripts, RequestLogRecordsEverything) {
  auto r = client_->request("POST", "/v1/messages?beta=true", kAnthropicBody,
                            {{"X-Custom-Header", "Yes"}, {"anthropic-version", "2023-06-01"}},
                            SimClient::kReadAll);
  ASSERT_EQ(r.status, 200);
  post("/v1/unknown", "{}");
  ASSERT_TRUE(server_->wait_for_requests(2, 1000));
  auto log = server_->requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].method, "POST");
  EXPECT_EQ(log[0].path, "/v1/messages");
  EXPECT_EQ(log[0].query, "beta=true");
  EXPECT_EQ(log[0].body, kAnthropicBody);
  EXPECT_EQ(find_header(log[0].headers, "x-custom-header"), "Yes");
  EXPECT_EQ(find_header(log[0].headers, "anthropic-version"), "2023-06-01");
  for (const auto& [k, v] : log[0].headers) {
    std::string lower = k;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(k, lower);
  }
  EXPECT_EQ(log[1].path, "/v1/unknown");
  EXPECT_EQ(server_->request_count(), 2u);
  server_->clear();
  EXPECT_TRUE(server_->requests().empty());
  EXPECT_EQ(server_->request_count(), 0u);
}

TEST_F(MockServerScripts, UnknownRouteIsOpenAI404AndBadJsonIs400) {
  enqueue(R"({"text":"kept"})");
  auto r = post("/v1/nope", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({
  "error": {
    "message": "Unknown request URL: POST /v1/nope. Please check the URL for typos, or see the docs at https://platform.openai.com/docs/api-reference/.",
    "type": "invalid_request_error",
    "param": null,
    "code": "unknown_url"
  }
})");
  auto get = client_->request("GET", kOpenAI, "", {}, SimClient::kReadAll);
  EXPECT_EQ(get.status, 404);
  auto bad = post(kAnthropic, "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find(R"({"type":"error","error":{"type":"invalid_request_error",)"), std::string::npos);
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "kept");  // nothing was consumed
}

TEST_F(MockServerScripts, InvalidScriptsAreRejected) {
  auto unknown = server_->enqueue(R"({"txt":"typo"})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("txt"), std::string::npos);
  EXPECT_FALSE(server_->enqueue(R"({"finish":"done"})").ok());
  EXPECT_FALSE(server_->enqueue(R"({"tool_calls":[{"arguments":{}}]})").ok());
  EXPECT_FALSE(server_->enqueue("[1]").ok());
  EXPECT_FALSE(server_->set_default(R"({"status":200})").ok());
  EXPECT_EQ(openai_content(post(kOpenAI, kOpenAIBody)), "Hello from the OpenRain simulator.");
}

TEST_F(MockServerScripts, ExtraHeadersAreSent) {
  enqueue(R"({"text":"x","headers":{"X-RateLimit-Remaining-Requests":"0"}})");
  auto r = post(kOpenAI, kOpenAIBody);
  EXPECT_EQ(r.header("x-ratelimit-remaining-requests"), "0");
}

// ---- server lifecycle ---------------------------------------------------------------------

using MockServerLifecycle = SimFixture;

TEST_F(MockServerLifecycle, ManyClientsOnSeveralThreads) {
  MockOptions opts;
  opts.threads = 2;
  start(opts);
  ASSERT_TRUE(server_->set_default(R"({"text":"hi","created":1700000000})").ok());
  constexpr int kClients = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      SimClient client(server_->port());
      for (int i = 0; i < kEach; ++i) {
        auto r = client.post(c % 2 ? kOpenAI : kAnthropic, c % 2 ? kOpenAIStream : kAnthropicBody);
        if (r.status == 200 && r.complete) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kEach);
  EXPECT_TRUE(server_->wait_for_requests(kClients * kEach, 1000));
  EXPECT_EQ(server_->request_count(), static_cast<size_t>(kClients * kEach));
}

TEST_F(MockServerLifecycle, StopClosesListenerAndIsIdempotent) {
  uint16_t port = server_->port();
  EXPECT_NE(port, 0);
  EXPECT_EQ(post(kOpenAI, kOpenAIBody).status, 200);
  server_->stop();
  server_->stop();
  SimClient fresh(port, std::chrono::seconds(2));
  auto r = fresh.post(kOpenAI, kOpenAIBody);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(MockServerLifecycle, LogLimitBoundsMemory) {
  MockOptions opts;
  opts.request_log_limit = 1;
  start(opts);
  post(kOpenAI, kOpenAIBody);
  post(kOpenAI, kOpenAIBody);
  EXPECT_EQ(server_->request_count(), 2u);
  EXPECT_EQ(server_->requests().size(), 1u);
}

}  // namespace
}  // namespace openrain::sim::testing
