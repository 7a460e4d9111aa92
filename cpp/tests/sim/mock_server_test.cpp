// Simulator wire formats: exact bodies and frames per provider, checked over real HTTP.
#include <gtest/gtest.h>

#include <string>

#include "sim/sim_test_util.hpp"

namespace openrain::sim::testing {
namespace {

constexpr std::string_view kOpenAI = "/v1/chat/completions";
constexpr std::string_view kAnthropic = "/v1/messages";
constexpr std::string_view kOpenAIBody = R"({"model":"gpt-x","messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kOpenAIStream = R"({"model":"gpt-x","stream":true,"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kOpenAIStreamUsage = R"({"model":"gpt-x","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kAnthropicBody = R"({"model":"claude-x","max_tokens":100,"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kAnthropicStream = R"({"model":"claude-x","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kGeminiBody = R"({"contents":[{"role":"user","parts":[{"text":"hello"}]}]})";

// A chat.completion.chunk frame as the simulator writes it (prefix shared by all chunks).
std::string oa_chunk(std::string_view choices, bool usage_null) {
  std::string s = R"(data: {"id":"chatcmpl-sim1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-x","service_tier":"default","system_fingerprint":"fp_sim","choices":[)";
  s.append(choices).append("]");
  if (usage_null) s.append(R"(,"usage":null)");
  s.append("}\n\n");
  return s;
}

// ---- OpenAI -------------------------------------------------------------------------------

using MockServerOpenAI = SimFixture;

TEST_F(MockServerOpenAI, PlainTextBodyIsExact) {
  enqueue(R"({"text":"Hi there","created":1700000000,"usage":{"input":5,"output":2}})");
  auto r = post(kOpenAI, kOpenAIBody);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-request-id"), "req_sim1");
  EXPECT_FALSE(r.chunked);
  EXPECT_EQ(r.body, R"({
  "id": "chatcmpl-sim1",
  "object": "chat.completion",
  "created": 1700000000,
  "model": "gpt-x",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "Hi there",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 5,
    "completion_tokens": 2,
    "total_tokens": 7,
    "prompt_tokens_details": {
      "cached_tokens": 0,
      "audio_tokens": 0
    },
    "completion_tokens_details": {
      "reasoning_tokens": 0,
      "audio_tokens": 0,
      "accepted_prediction_tokens": 0,
      "rejected_prediction_tokens": 0
    }
  },
  "service_tier": "default",
  "system_fingerprint": "fp_sim"
})");
}

TEST_F(MockServerOpenAI, BuiltinReplyAndDefaultUsageEstimates) {
  auto r = post("/chat/completions", kOpenAIBody);  // path without /v1 also routes
  ASSERT_TRUE(r.complete) << r.error;
  json::Reader reader;
  auto doc = reader.parse(r.body);
  ASSERT_TRUE(doc.ok());
  std::string_view content = doc.value()["choices"].at(0)["message"]["content"].get_string().value();
  EXPECT_EQ(content, "Hello from the OpenRain simulator.");
  // input = (body bytes + 3) / 4; output = (34 text bytes + 3) / 4 = 9
  EXPECT_EQ(doc.value()["usage"]["prompt_tokens"].get_int64().value(),
            static_cast<int64_t>((kOpenAIBody.size() + 3) / 4));
  EXPECT_EQ(doc.value()["usage"]["completion_tokens"].get_int64().value(), 9);
  EXPECT_EQ(doc.value()["model"].get_string().value(), "gpt-x");
  EXPECT_GT(doc.value()["created"].get_int64().value(), 1700000000);
}

TEST_F(MockServerOpenAI, StreamWithoutIncludeUsageHasNoUsage) {
  enqueue(R"({"text":"Hello big world","created":1700000000})");
  auto r = post(kOpenAI, kOpenAIStream);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_TRUE(r.chunked);
  std::string expected =
      oa_chunk(R"({"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"content":" big"},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"})", false) +
      "data: [DONE]\n\n";
  EXPECT_EQ(r.body, expected);
  auto events = sse_events(r.body);
  ASSERT_EQ(events.size(), 6u);
  expect_json_events(events);
  EXPECT_EQ(events.back().data, "[DONE]");
}

TEST_F(MockServerOpenAI, StreamWithIncludeUsageEndsWithUsageChunk) {
  enqueue(R"({"text":"Hi you","created":1700000000,"usage":{"input":11,"output":3,"cached":4,"reasoning":1}})");
  auto r = post(kOpenAI, kOpenAIStreamUsage);
  ASSERT_TRUE(r.complete) << r.error;
  std::string expected =
      oa_chunk(R"({"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null})", true) +
      oa_chunk(R"({"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null})", true) +
      oa_chunk(R"({"index":0,"delta":{"content":" you"},"logprobs":null,"finish_reason":null})", true) +
      oa_chunk(R"({"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"})", true) +
      R"(data: {"id":"chatcmpl-sim1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-x","service_tier":"default","system_fingerprint":"fp_sim","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":1,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}})"
      "\n\ndata: [DONE]\n\n";
  EXPECT_EQ(r.body, expected);
  expect_json_events(sse_events(r.body));
}

TEST_F(MockServerOpenAI, ParallelAndZeroArgumentToolCallsStream) {
  enqueue(R"({"created":1700000000,"tool_calls":[
      {"id":"call_1","name":"get_weather","arguments":{"city":"Paris"}},
      {"name":"list_files","arguments":{}}]})");
  auto r = post(kOpenAI, kOpenAIStream);
  ASSERT_TRUE(r.complete) << r.error;
  std::string expected =
      oa_chunk(R"({"index":0,"delta":{"role":"assistant","content":null,"refusal":null},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_sim1_1","type":"function","function":{"name":"list_files","arguments":""}}]},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"})", false) +
      "data: [DONE]\n\n";
  EXPECT_EQ(r.body, expected);
  expect_json_events(sse_events(r.body));
}

TEST_F(MockServerOpenAI, ToolCallsNonStreamAndRawStringArguments) {
  enqueue(R"({"created":1700000000,"usage":{"input":3,"output":4},"tool_calls":[
      {"name":"a","arguments":{}},{"id":"x","name":"b","arguments":"{\"k\": 1"}]})");
  auto r = post(kOpenAI, kOpenAIBody);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_NE(r.body.find(R"(        "content": null,
        "tool_calls": [
          {
            "id": "call_sim1_0",
            "type": "function",
            "function": {
              "name": "a",
              "arguments": "{}"
            }
          },
          {
            "id": "x",
            "type": "function",
            "function": {
              "name": "b",
              "arguments": "{\"k\": 1"
            }
          }
        ],
        "refusal": null,)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("finish_reason": "tool_calls")"), std::string::npos);
}

TEST_F(MockServerOpenAI, ReasoningOnlyInUsageUnlessFieldRequested) {
  enqueue(R"({"text":"ok","reasoning":"thinking hard","created":1700000000,"usage":{"input":2,"output":5,"reasoning":4}})");
  auto plain = post(kOpenAI, kOpenAIStreamUsage);
  ASSERT_TRUE(plain.complete);
  EXPECT_EQ(plain.body.find("thinking"), std::string::npos);
  EXPECT_NE(plain.body.find(R"("completion_tokens_details":{"reasoning_tokens":4,)"), std::string::npos);

  server_->clear();
  enqueue(R"({"text":"ok","reasoning":"thinking hard","openai_reasoning_field":"reasoning_content","created":1700000000})");
  auto r = post(kOpenAI, kOpenAIStream);
  ASSERT_TRUE(r.complete);
  std::string expected =
      oa_chunk(R"({"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"content":null,"reasoning_content":"thinking"},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"content":null,"reasoning_content":" hard"},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{"content":"ok"},"logprobs":null,"finish_reason":null})", false) +
      oa_chunk(R"({"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"})", false) +
      "data: [DONE]\n\n";
  EXPECT_EQ(r.body, expected);

  enqueue(R"({"text":"ok","reasoning":"deep","openai_reasoning_field":"reasoning_content"})");
  auto ns = post(kOpenAI, kOpenAIBody);
  EXPECT_NE(ns.body.find(R"("content": "ok",
        "reasoning_content": "deep",)"), std::string::npos) << ns.body;
}

TEST_F(MockServerOpenAI, ChunksOptionAndFinishLength) {
  enqueue(R"({"text":"abcdefghij","chunks":3,"finish":"length","created":1700000000})");
  auto r = post(kOpenAI, kOpenAIStream);
  auto events = sse_events(r.body);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_NE(events[1].data.find(R"("content":"abcd")"), std::string::npos);
  EXPECT_NE(events[2].data.find(R"("content":"efgh")"), std::string::npos);
  EXPECT_NE(events[3].data.find(R"("content":"ij")"), std::string::npos);
  EXPECT_NE(events[4].data.find(R"("finish_reason":"length")"), std::string::npos);
}

// ---- Anthropic ----------------------------------------------------------------------------

using MockServerAnthropic = SimFixture;

TEST_F(MockServerAnthropic, PlainTextBodyIsExact) {
  enqueue(R"({"text":"Hi there","usage":{"input":12,"output":7}})");
  auto r = post("/v1/messages?beta=true", kAnthropicBody);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("request-id"), "req_sim1");
  EXPECT_EQ(r.body,
            R"({"model":"claude-x","id":"msg_sim1","type":"message","role":"assistant","content":[{"type":"text","text":"Hi there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":7,"service_tier":"standard","inference_geo":"not_available"}})");
}

TEST_F(MockServerAnthropic, StreamEventSequenceIsExact) {
  enqueue(R"({"text":"Hi there","usage":{"input":10,"output":4}})");
  auto r = post(kAnthropic, kAnthropicStream);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(r.body, R"(event: message_start
data: {"type":"message_start","message":{"model":"claude-x","id":"msg_sim1","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"stop_details":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard","inference_geo":"not_available"}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null,"stop_details":null},"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":4}}

event: message_stop
data: {"type":"message_stop"}

)");
  auto events = sse_events(r.body);
  expect_json_events(events);
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.event);
  EXPECT_EQ(names, (std::vector<std::string>{"message_start", "content_block_start", "ping",
                                             "content_block_delta", "content_block_delta",
                                             "content_block_stop", "message_delta", "message_stop"}));
}

TEST_F(MockServerAnthropic, ThinkingTextAndToolsCountBlockIndices) {
  enqueue(R"({"reasoning":"Let me think","text":"Sure","tool_calls":[
      {"name":"get_weather","arguments":{"city":"Paris"}},{"id":"toolu_x","name":"noop","arguments":{}}],
      "usage":{"input":20,"output":9,"cached":5,"cache_write":3}})");
  auto r = post(kAnthropic, kAnthropicStream);
  ASSERT_TRUE(r.complete) << r.error;
  auto events = sse_events(r.body);
  expect_json_events(events);
  std::vector<std::string> datas;
  for (const auto& e : events) {
    if (e.event != "ping") {  // event name == data.type
      EXPECT_EQ(e.data.rfind(R"({"type":")" + e.event + "\"", 0), 0u) << e.data;
    }
    if (e.event != "message_start") datas.push_back(e.data);
  }
  EXPECT_EQ(datas, (std::vector<std::string>{
      R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})",
      R"({"type": "ping"})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let"}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" me"}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" think"}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig-1"}})",
      R"({"type":"content_block_stop","index":0})",
      R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})",
      R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Sure"}})",
      R"({"type":"content_block_stop","index":1})",
      R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_sim1_0","name":"get_weather","input":{},"caller":{"type":"direct"}}})",
      R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}})",
      R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}})",
      R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}})",
      R"({"type":"content_block_stop","index":2})",
      R"({"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_x","name":"noop","input":{},"caller":{"type":"direct"}}})",
      R"({"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":""}})",
      R"({"type":"content_block_stop","index":3})",
      R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null,"stop_details":null},"usage":{"input_tokens":12,"cache_creation_input_tokens":3,"cache_read_input_tokens":5,"output_tokens":9}})",
      R"({"type":"message_stop"})"}));
  // input_tokens excludes both cache counts: 20 - 5 - 3.
  EXPECT_NE(events[0].data.find(R"("usage":{"input_tokens":12,"cache_creation_input_tokens":3,"cache_read_input_tokens":5,"cache_creation":{"ephemeral_5m_input_tokens":3,"ephemeral_1h_input_tokens":0},"output_tokens":1,)"), std::string::npos);
}

TEST_F(MockServerAnthropic, NonStreamThinkingAndToolUse) {
  enqueue(R"({"reasoning":"Let me think","text":"Sure","tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}],"usage":{"input":20,"output":9,"cached":5,"cache_write":3}})");
  auto r = post(kAnthropic, kAnthropicBody);
  EXPECT_EQ(r.body,
            R"({"model":"claude-x","id":"msg_sim1","type":"message","role":"assistant","content":[{"type":"thinking","thinking":"Let me think","signature":"sig-1"},{"type":"text","text":"Sure"},{"type":"tool_use","id":"toolu_sim1_0","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":3,"cache_read_input_tokens":5,"cache_creation":{"ephemeral_5m_input_tokens":3,"ephemeral_1h_input_tokens":0},"output_tokens":9,"service_tier":"standard","inference_geo":"not_available"}})");
}

TEST_F(MockServerAnthropic, StopSequenceAndFinishMapping) {
  enqueue(R"({"text":"a","finish":"stop_sequence","stop_sequence":"END"})");
  enqueue(R"({"text":"a","finish":"length"})");
  enqueue(R"({"text":"a","finish":"content_filter"})");
  auto r1 = post(kAnthropic, kAnthropicBody);
  EXPECT_NE(r1.body.find(R"("stop_reason":"stop_sequence","stop_sequence":"END")"), std::string::npos) << r1.body;
  auto r2 = post(kAnthropic, kAnthropicStream);
  EXPECT_NE(r2.body.find(R"("delta":{"stop_reason":"max_tokens","stop_sequence":null)"), std::string::npos) << r2.body;
  auto r3 = post(kAnthropic, kAnthropicBody);
  EXPECT_NE(r3.body.find(R"("stop_reason":"refusal")"), std::string::npos) << r3.body;
}

TEST_F(MockServerAnthropic, CountTokens) {
  auto r = post("/v1/messages/count_tokens?beta=true", kAnthropicBody);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"input_tokens":)" + std::to_string((kAnthropicBody.size() + 3) / 4) + "}");
  enqueue(R"({"match":{"count_tokens":true},"usage":{"input":1114}})");
  enqueue(R"({"text":"chat"})");  // chat scripts are not consumed by count_tokens
  auto r2 = post("/v1/messages/count_tokens", kAnthropicBody);
  EXPECT_EQ(r2.body, R"({"input_tokens":1114})");
  auto chat = post(kAnthropic, kAnthropicBody);
  EXPECT_NE(chat.body.find(R"("text":"chat")"), std::string::npos);
}

// ---- Gemini -------------------------------------------------------------------------------

using MockServerGemini = SimFixture;

TEST_F(MockServerGemini, SseUsesCrlfAndSpacedJson) {
  enqueue(R"({"text":"Hi there","usage":{"input":5,"output":2}})");
  auto r = post("/v1beta/models/gemini-x:streamGenerateContent?alt=sse", kGeminiBody);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.header("content-type"), "text/event-stream");
  EXPECT_EQ(r.body,
            "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],\"role\": \"model\"},\"index\": 0}],"
            "\"usageMetadata\": {\"promptTokenCount\": 5,\"totalTokenCount\": 5,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 5}]},"
            "\"modelVersion\": \"gemini-x\",\"responseId\": \"sim1\"}\r\n\r\n"
            "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" there\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],"
            "\"usageMetadata\": {\"promptTokenCount\": 5,\"candidatesTokenCount\": 2,\"totalTokenCount\": 7,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 5}]},"
            "\"modelVersion\": \"gemini-x\",\"responseId\": \"sim1\"}\r\n\r\n");
  auto events = sse_events(r.body);
  EXPECT_EQ(events.size(), 2u);
  expect_json_events(events);
}

TEST_F(MockServerGemini, ArrayStreamWithoutAltSse) {
  enqueue(R"({"text":"Hi there","usage":{"input":5,"output":2}})");
  auto r = post("/v1beta/models/gemini-x:streamGenerateContent", kGeminiBody);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.header("content-type"), "application/json; charset=UTF-8");
  const std::string first = R"([{
  "candidates": [
    {
      "content": {
        "parts": [
          {
            "text": "Hi"
          }
        ],
        "role": "model"
      },
      "index": 0
    }
  ],
  "usageMetadata": {
    "promptTokenCount": 5,
    "totalTokenCount": 5,
    "promptTokensDetails": [
      {
        "modality": "TEXT",
        "tokenCount": 5
      }
    ]
  },
  "modelVersion": "gemini-x",
  "responseId": "sim1"
})";
  ASSERT_EQ(r.body.substr(0, first.size()), first);
  EXPECT_EQ(r.body.substr(first.size(), 5), "\n,\r\n{");
  EXPECT_EQ(r.body.substr(r.body.size() - 4), "\n}\n]");
  json::Reader reader;
  auto doc = reader.parse(r.body);
  ASSERT_TRUE(doc.ok());
  auto arr = doc.value().get_array().value();
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr.at(1)["candidates"].at(0)["finishReason"].get_string().value(), "STOP");
  EXPECT_EQ(arr.at(1)["usageMetadata"]["totalTokenCount"].get_int64().value(), 7);
}

TEST_F(MockServerGemini, NonStreamReasoningToolsAndUsage) {
  enqueue(R"({"reasoning":"Let me think","text":"Sure","tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}],"usage":{"input":20,"output":9,"cached":5,"reasoning":3}})");
  auto r = post("/v1beta/models/gemini-x:generateContent", kGeminiBody);
  ASSERT_TRUE(r.complete) << r.error;
  EXPECT_EQ(r.body, R"({
  "candidates": [
    {
      "content": {
        "parts": [
          {
            "text": "Let me think",
            "thought": true
          },
          {
            "text": "Sure",
            "thoughtSignature": "c2lnLTE="
          },
          {
            "functionCall": {
              "name": "get_weather",
              "args": {
                "city": "Paris"
              }
            }
          }
        ],
        "role": "model"
      },
      "finishReason": "STOP",
      "index": 0
    }
  ],
  "usageMetadata": {
    "promptTokenCount": 20,
    "candidatesTokenCount": 6,
    "totalTokenCount": 29,
    "cachedContentTokenCount": 5,
    "promptTokensDetails": [
      {
        "modality": "TEXT",
        "tokenCount": 20
      }
    ],
    "cacheTokensDetails": [
      {
        "modality": "TEXT",
        "tokenCount": 5
      }
    ],
    "thoughtsTokenCount": 3
  },
  "modelVersion": "gemini-x",
  "responseId": "sim1"
})");
}

TEST_F(MockServerGemini, ParallelAndZeroArgCallsShareOneChunk) {
  enqueue(R"({"tool_calls":[{"name":"a","arguments":{"x":[1,2]}},{"name":"b","arguments":{}}],"usage":{"input":4,"output":6}})");
  auto r = post("/v1beta/models/gemini-x:streamGenerateContent?alt=sse", kGeminiBody);
  auto events = sse_events(r.body);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data,
            "{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"a\",\"args\": {\"x\": [1,2]}}},"
            "{\"functionCall\": {\"name\": \"b\",\"args\": {}}}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],"
            "\"usageMetadata\": {\"promptTokenCount\": 4,\"candidatesTokenCount\": 6,\"totalTokenCount\": 10,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 4}]},"
            "\"modelVersion\": \"gemini-x\",\"responseId\": \"sim1\"}");
}

TEST_F(MockServerGemini, ThoughtChunksThenSignedText) {
  enqueue(R"({"reasoning":"hmm ok","text":"Yes","finish":"length","usage":{"input":3,"output":5,"reasoning":2}})");
  auto r = post("/v1beta/models/gemini-x:streamGenerateContent?alt=sse", kGeminiBody);
  auto events = sse_events(r.body);
  ASSERT_EQ(events.size(), 3u);
  expect_json_events(events);
  EXPECT_NE(events[0].data.find(R"({"text": "hmm","thought": true})"), std::string::npos);
  EXPECT_NE(events[1].data.find(R"({"text": " ok","thought": true})"), std::string::npos);
  EXPECT_NE(events[2].data.find(R"({"text": "Yes","thoughtSignature": "c2lnLTE="}],"role": "model"},"finishReason": "MAX_TOKENS")"), std::string::npos);
  EXPECT_NE(events[2].data.find(R"("candidatesTokenCount": 3,"totalTokenCount": 8,)"), std::string::npos);
  EXPECT_NE(events[2].data.find(R"("thoughtsTokenCount": 2})"), std::string::npos);
}

TEST_F(MockServerGemini, CountTokensAndModelFromPath) {
  auto r = post("/v1beta/models/gemini-2.5-flash:countTokens", kGeminiBody);
  int64_t n = static_cast<int64_t>((kGeminiBody.size() + 3) / 4);
  std::string ns = std::to_string(n);
  EXPECT_EQ(r.body, "{\n  \"totalTokens\": " + ns + ",\n  \"promptTokensDetails\": [\n    {\n      \"modality\": \"TEXT\",\n      \"tokenCount\": " + ns + "\n    }\n  ]\n}");
  auto g = post("/v1beta/models/gemini-2.5-flash:generateContent", kGeminiBody);
  EXPECT_NE(g.body.find(R"("modelVersion": "gemini-2.5-flash")"), std::string::npos);
}

}  // namespace
}  // namespace openrain::sim::testing
