// Tests for the Anthropic Messages provider: request encoding (golden bodies and headers) and
// upstream error classification. Response decoding is covered in anthropic_decoder_test.cpp.
#include "providers/anthropic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "providers/common.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::providers {
namespace {

struct Env {
  ProviderConfig pc;
  ModelConfig mc;
  Deployment d;
  Env() {
    pc.name = "claude-main";
    pc.kind = ProviderKind::Anthropic;
    pc.base_url = "https://api.anthropic.com";
    pc.api_key = "sk-ant-secret-0123456789";
    pc.default_max_tokens = 4096;
    mc.alias = "claude";
    mc.provider = "claude-main";
    mc.model = "claude-sonnet-4-5";
    d.provider = &pc;
    d.model = &mc;
  }
};

ContentPart text_part(std::string t, std::string raw = {}) {
  ContentPart p;
  p.kind = ContentPart::Kind::Text;
  p.text = std::move(t);
  p.raw = std::move(raw);
  return p;
}

Message msg(Role role, std::string text, bool was_string = true) {
  Message m;
  m.role = role;
  m.content.push_back(text_part(std::move(text)));
  m.content_was_string = was_string;
  return m;
}

Message tool_msg(std::string call_id, std::string text, bool is_error = false) {
  Message m = msg(Role::Tool, std::move(text));
  m.tool_call_id = std::move(call_id);
  m.is_error = is_error;
  return m;
}

ToolCall call(std::string id, std::string name, std::string args) {
  ToolCall c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.arguments = std::move(args);
  return c;
}

ToolDef tool(std::string name, std::string params, std::string description = {}) {
  ToolDef t;
  t.name = std::move(name);
  t.parameters = std::move(params);
  t.description = std::move(description);
  return t;
}

ChatRequest base_request() {
  ChatRequest r;
  r.model = "claude";
  r.messages.push_back(msg(Role::User, "Hi"));
  return r;
}

std::string body_of(const ChatRequest& req, Env& env, TranslationReport& report) {
  auto r = anthropic_provider().build_request(req, env.d, report);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value().body : std::string();
}

std::string body_of(const ChatRequest& req) {
  Env env;
  TranslationReport report;
  return body_of(req, env, report);
}

/// The JSON text of top-level member `key` in a body produced by our writer (no whitespace).
std::string member(const std::string& body, const std::string& key) {
  std::string needle = "\"" + key + "\":";
  auto pos = body.find(needle);
  if (pos == std::string::npos) return {};
  pos += needle.size();
  size_t end = pos;
  int depth = 0;
  bool in_str = false;
  for (; end < body.size(); ++end) {
    char c = body[end];
    if (in_str) {
      if (c == '\\') ++end;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (depth == 0) break;
      --depth;
    } else if (c == ',' && depth == 0) break;
  }
  return body.substr(pos, end - pos);
}

// ---------------------------------------------------------------------------------------------

TEST(AnthropicProviderRequest, MinimalRequestPathHeadersAndDefaults) {
  Env env;
  TranslationReport report;
  ChatRequest req = base_request();
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(anthropic_provider().protocol(), Protocol::Anthropic);
  EXPECT_EQ(&provider_for(ProviderKind::Anthropic), &anthropic_provider());
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/v1/messages");
  EXPECT_FALSE(r->stream);
  Headers expected = {{"content-type", "application/json"},
                      {"x-api-key", "sk-ant-secret-0123456789"},
                      {"anthropic-version", "2023-06-01"}};
  EXPECT_EQ(r->headers, expected);
  EXPECT_EQ(r->body,
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]})");
  EXPECT_TRUE(report.dropped.empty());
}

TEST(AnthropicProviderRequest, BaseUrlEndingInV1AndEmptyKey) {
  Env env;
  env.pc.base_url = "http://127.0.0.1:9000/anthropic/v1/";
  env.pc.api_key.clear();
  TranslationReport report;
  auto r = anthropic_provider().build_request(base_request(), env.d, report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "/messages");
  EXPECT_EQ(find_header(r->headers, "x-api-key"), "");
  EXPECT_EQ(std::count_if(r->headers.begin(), r->headers.end(),
                          [](const auto& h) { return h.first == "x-api-key"; }),
            0);
  env.pc.base_url = "https://proxy.example/anthropic";
  auto r2 = anthropic_provider().build_request(base_request(), env.d, report);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->path, "/v1/messages");
}

TEST(AnthropicProviderRequest, LeadingSystemLiftedLaterOnesStayInPlace) {
  // Pitfall MO2: only the leading system/developer messages become `system`; a later one keeps
  // its position as user-role text (merged into the adjacent user turn) and is reported.
  ChatRequest req;
  req.messages.push_back(msg(Role::System, "You are terse."));
  Message lead_dev = msg(Role::System, "No emojis.");
  lead_dev.developer = true;
  req.messages.push_back(lead_dev);
  req.messages.push_back(msg(Role::User, "Hi"));
  Message dev = msg(Role::System, "Answer in French.");
  dev.developer = true;
  req.messages.push_back(dev);
  req.messages.push_back(msg(Role::Assistant, "Salut"));
  req.messages.push_back(msg(Role::System, ""));  // empty: never sent, nothing to report
  req.messages.push_back(msg(Role::User, "Bye"));
  Env env;
  TranslationReport report;
  EXPECT_EQ(body_of(req, env, report),
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,"system":"You are terse.\n\nNo emojis.",)"
            R"("messages":[{"role":"user","content":[{"type":"text","text":"Hi"},)"
            R"({"type":"text","text":"Answer in French."}]},)"
            R"({"role":"assistant","content":[{"type":"text","text":"Salut"}]},)"
            R"({"role":"user","content":[{"type":"text","text":"Bye"}]}]})");
  EXPECT_EQ(report.dropped, std::vector<std::string>{"messages[3].role"});
  ASSERT_EQ(report.reasons.size(), 1u);

  // Between a tool call and its result the instruction follows the tool_result block.
  ChatRequest tools;
  tools.messages.push_back(msg(Role::User, "weather?"));
  Message a;
  a.role = Role::Assistant;
  a.tool_calls.push_back(call("toolu_1", "get_weather", "{}"));
  tools.messages.push_back(a);
  tools.messages.push_back(msg(Role::System, "Be brief."));
  tools.messages.push_back(tool_msg("toolu_1", "sunny"));
  EXPECT_EQ(member(body_of(tools), "messages"),
            R"([{"role":"user","content":[{"type":"text","text":"weather?"}]},)"
            R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},)"
            R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"},)"
            R"({"type":"text","text":"Be brief."}]}])");
}

TEST(AnthropicProviderRequest, SystemBlocksKeepCacheControlOnlyForAnthropicSource) {
  ChatRequest req;
  Message sys;
  sys.role = Role::System;
  sys.content.push_back(text_part("Long shared prefix", R"({"cache_control":{"type":"ephemeral"}})"));
  sys.content.push_back(text_part("Tail"));
  req.messages.push_back(sys);
  req.messages.push_back(msg(Role::User, "Hi"));

  req.source = Protocol::Anthropic;
  EXPECT_EQ(member(body_of(req), "system"),
            R"([{"type":"text","text":"Long shared prefix","cache_control":{"type":"ephemeral"}},)"
            R"({"type":"text","text":"Tail"}])");
  // Same-protocol user string content is re-sent as a string.
  EXPECT_EQ(member(body_of(req), "messages"), R"([{"role":"user","content":"Hi"}])");

  req.source = Protocol::OpenAIChat;
  EXPECT_EQ(member(body_of(req), "system"), R"("Long shared prefix\n\nTail")");
}

TEST(AnthropicProviderRequest, ConsecutiveRolesMergedAndEmptyTextDropped) {
  ChatRequest req;
  req.messages.push_back(msg(Role::User, "a"));
  req.messages.push_back(msg(Role::User, "   "));  // whitespace only: dropped
  req.messages.push_back(msg(Role::User, "b"));
  req.messages.push_back(msg(Role::Assistant, "c"));
  req.messages.push_back(msg(Role::Assistant, ""));
  req.messages.push_back(msg(Role::Assistant, "d"));
  req.messages.push_back(msg(Role::User, "e"));
  EXPECT_EQ(member(body_of(req), "messages"),
            R"([{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},)"
            R"({"role":"assistant","content":[{"type":"text","text":"c"},{"type":"text","text":"d"}]},)"
            R"({"role":"user","content":[{"type":"text","text":"e"}]}])");
}

TEST(AnthropicProviderRequest, ConversationStartingWithAssistantIsSentAsIs) {
  ChatRequest req;
  req.messages.push_back(msg(Role::Assistant, "Hello, how can I help?"));
  req.messages.push_back(msg(Role::User, "Hi"));
  EXPECT_EQ(member(body_of(req), "messages"),
            R"([{"role":"assistant","content":[{"type":"text","text":"Hello, how can I help?"}]},)"
            R"({"role":"user","content":[{"type":"text","text":"Hi"}]}])");
}

TEST(AnthropicProviderRequest, NoSendableMessageIsInvalid) {
  Env env;
  TranslationReport report;
  ChatRequest req;
  req.messages.push_back(msg(Role::System, "only a system prompt"));
  req.messages.push_back(msg(Role::User, ""));
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(r.error().param, "messages");
}

TEST(AnthropicProviderRequest, ToolRoundTripWithForeignIdsStaysPaired) {
  ChatRequest req;
  req.tools.push_back(tool("get_weather", R"({"type":"object","properties":{"city":{"type":"string"}}})",
                           "Weather for a city"));
  req.messages.push_back(msg(Role::User, "Weather in Paris?"));
  Message a = msg(Role::Assistant, "");  // empty content alongside tool calls: no empty block
  a.tool_calls.push_back(call("call_abc.123", "get_weather", R"({"city": "Paris"})"));
  req.messages.push_back(a);
  req.messages.push_back(tool_msg("call_abc.123", "sunny, 21C"));

  std::string id = safe_tool_id("call_abc.123");
  ASSERT_TRUE(std::regex_match(id, std::regex("^[a-zA-Z0-9_-]+$"))) << id;
  ASSERT_NE(id, "call_abc.123");
  EXPECT_EQ(body_of(req),
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[)"
            R"({"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},)"
            R"({"role":"assistant","content":[{"type":"tool_use","id":")" + id +
                R"(","name":"get_weather","input":{"city": "Paris"}}]},)"
            R"({"role":"user","content":[{"type":"tool_result","tool_use_id":")" + id +
                R"(","content":"sunny, 21C"}]}],)"
            R"("tools":[{"name":"get_weather","description":"Weather for a city",)"
            R"("input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]})");
  // Valid Anthropic ids pass through unchanged.
  EXPECT_EQ(safe_tool_id("toolu_01AusY9WEbCaj3N7Tv5J4YjH"), "toolu_01AusY9WEbCaj3N7Tv5J4YjH");
}

TEST(AnthropicProviderRequest, ParallelToolResultsShareOneUserTurnBeforeText) {
  ChatRequest req;
  req.tools.push_back(tool("lookup", ""));
  req.messages.push_back(msg(Role::User, "Look up A and B"));
  Message a = msg(Role::Assistant, "Looking both up.");
  a.tool_calls.push_back(call("toolu_A", "lookup", R"({"q":"A"})"));
  a.tool_calls.push_back(call("toolu_B", "lookup", R"({"q":"B"})"));
  req.messages.push_back(a);
  req.messages.push_back(tool_msg("toolu_A", "result A"));
  req.messages.push_back(msg(Role::User, "and be brief"));  // text placed between results
  req.messages.push_back(tool_msg("toolu_B", "no such entry", /*is_error=*/true));
  EXPECT_EQ(member(body_of(req), "messages"),
            R"([{"role":"user","content":[{"type":"text","text":"Look up A and B"}]},)"
            R"({"role":"assistant","content":[{"type":"text","text":"Looking both up."},)"
            R"({"type":"tool_use","id":"toolu_A","name":"lookup","input":{"q":"A"}},)"
            R"({"type":"tool_use","id":"toolu_B","name":"lookup","input":{"q":"B"}}]},)"
            R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_A","content":"result A"},)"
            R"({"type":"tool_result","tool_use_id":"toolu_B","content":"no such entry","is_error":true},)"
            R"({"type":"text","text":"and be brief"}]}])");
}

TEST(AnthropicProviderRequest, ToolResultWithBlocksAndEmptyResult) {
  ChatRequest req;
  Message a = msg(Role::Assistant, "");
  a.tool_calls.push_back(call("t1", "shot", ""));
  a.tool_calls.push_back(call("t2", "noop", ""));
  req.messages.push_back(msg(Role::User, "go"));
  req.messages.push_back(a);
  Message r1 = tool_msg("t1", "here:");
  ContentPart img;
  img.kind = ContentPart::Kind::Image;
  img.media_type = "image/png";
  img.data = "iVBORw0KGgo=";
  r1.content.push_back(img);
  req.messages.push_back(r1);
  req.messages.push_back(tool_msg("t2", ""));
  EXPECT_EQ(member(body_of(req), "messages"),
            R"([{"role":"user","content":[{"type":"text","text":"go"}]},)"
            R"({"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"shot","input":{}},)"
            R"({"type":"tool_use","id":"t2","name":"noop","input":{}}]},)"
            R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[)"
            R"({"type":"text","text":"here:"},)"
            R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},)"
            R"({"type":"tool_result","tool_use_id":"t2"}]}])");
}

TEST(AnthropicProviderRequest, ImagesInlineDataUrlAndHttpUrl) {
  ChatRequest req;
  Message u;
  u.role = Role::User;
  u.content.push_back(text_part("What are these?"));
  ContentPart by_url;
  by_url.kind = ContentPart::Kind::Image;
  by_url.url = "https://example.com/cat.png";
  by_url.detail = "high";
  u.content.push_back(by_url);
  ContentPart inline_jpg;
  inline_jpg.kind = ContentPart::Kind::Image;
  inline_jpg.media_type = "image/jpg";  // normalised: Anthropic only knows image/jpeg
  inline_jpg.data = "/9j/4AAQSkZJRg==";
  u.content.push_back(inline_jpg);
  ContentPart data_url;
  data_url.kind = ContentPart::Kind::Image;
  data_url.url = "data:image/webp;base64,UklGRhYAAABXRUJQ";
  u.content.push_back(data_url);
  req.messages.push_back(u);
  Env env;
  TranslationReport report;
  EXPECT_EQ(member(body_of(req, env, report), "messages"),
            R"([{"role":"user","content":[{"type":"text","text":"What are these?"},)"
            R"({"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},)"
            R"({"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQSkZJRg=="}},)"
            R"({"type":"image","source":{"type":"base64","media_type":"image/webp","data":"UklGRhYAAABXRUJQ"}}]}])");
  EXPECT_EQ(report.dropped, std::vector<std::string>{"messages[0].content[1].detail"});
}

TEST(AnthropicProviderRequest, ImageMediaTypeComesFromTheBytes) {
  // Pitfall MM3: PNG bytes declared as image/jpeg (or image/jpg) are sent as image/png; bytes
  // that are none of the four supported types keep the declared (normalised) type.
  const std::string png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
  auto sent_type = [](ContentPart p) {
    ChatRequest req;
    Message u;
    u.role = Role::User;
    u.content.push_back(std::move(p));
    req.messages.push_back(u);
    std::string messages = member(body_of(req), "messages");
    auto at = messages.find("\"media_type\":\"");
    if (at == std::string::npos) return std::string();
    at += 14;
    return messages.substr(at, messages.find('"', at) - at);
  };
  ContentPart inline_part;
  inline_part.kind = ContentPart::Kind::Image;
  inline_part.data = png;
  for (const char* declared : {"image/jpeg", "image/jpg", "IMAGE/GIF", "", "application/octet-stream"}) {
    inline_part.media_type = declared;
    EXPECT_EQ(sent_type(inline_part), "image/png") << declared;
  }
  ContentPart data_url;
  data_url.kind = ContentPart::Kind::Image;
  data_url.url = "data:image/jpeg;base64," + png;
  EXPECT_EQ(sent_type(data_url), "image/png");
  ContentPart unknown;
  unknown.kind = ContentPart::Kind::Image;
  unknown.data = "Qk0+AAAAAAAAAD4AAAAo";  // BMP
  unknown.media_type = "image/JPG";
  EXPECT_EQ(sent_type(unknown), "image/jpeg");
  unknown.media_type = "";
  EXPECT_EQ(sent_type(unknown), "image/png");
}

TEST(AnthropicProviderRequest, ZeroArgumentToolAndSchemaWithoutType) {
  ChatRequest req = base_request();
  req.tools.push_back(tool("ping", ""));
  req.tools.push_back(tool("echo", R"({"properties":{"s":{"type":"string"}}})"));
  req.tools.push_back(tool("nothing", "{}"));
  ToolDef strict = tool("exact", R"({"type":"object","properties":{}})");
  strict.strict = true;
  req.tools.push_back(strict);
  EXPECT_EQ(member(body_of(req), "tools"),
            R"([{"name":"ping","input_schema":{"type":"object","properties":{}}},)"
            R"({"name":"echo","input_schema":{"type":"object","properties":{"s":{"type":"string"}}}},)"
            R"({"name":"nothing","input_schema":{"type":"object","properties":{}}},)"
            R"({"name":"exact","input_schema":{"type":"object","properties":{}},"strict":true}])");
}

TEST(AnthropicProviderRequest, ToolChoiceVariantsAndParallelFalse) {
  using M = ToolChoice::Mode;
  auto choice = [](M mode, std::optional<bool> parallel, bool with_tools = true) {
    ChatRequest req = base_request();
    if (with_tools) req.tools.push_back(tool("get_weather", ""));
    req.tool_choice.mode = mode;
    if (mode == M::Function) req.tool_choice.name = "get_weather";
    req.parallel_tool_calls = parallel;
    return member(body_of(req), "tool_choice");
  };
  EXPECT_EQ(choice(M::Unset, std::nullopt), "");
  EXPECT_EQ(choice(M::Auto, std::nullopt), R"({"type":"auto"})");
  EXPECT_EQ(choice(M::Required, std::nullopt), R"({"type":"any"})");
  EXPECT_EQ(choice(M::Function, std::nullopt), R"({"type":"tool","name":"get_weather"})");
  EXPECT_EQ(choice(M::None, std::nullopt), R"({"type":"none"})");
  EXPECT_EQ(choice(M::None, std::nullopt, /*with_tools=*/false), "");
  EXPECT_EQ(choice(M::Auto, std::nullopt, /*with_tools=*/false), "");
  EXPECT_EQ(choice(M::Unset, false), R"({"type":"auto","disable_parallel_tool_use":true})");
  EXPECT_EQ(choice(M::Required, false), R"({"type":"any","disable_parallel_tool_use":true})");
  EXPECT_EQ(choice(M::Function, false),
            R"({"type":"tool","name":"get_weather","disable_parallel_tool_use":true})");
  EXPECT_EQ(choice(M::None, false), R"({"type":"none"})");
  EXPECT_EQ(choice(M::Auto, true), R"({"type":"auto"})");

  Env env;
  TranslationReport report;
  ChatRequest req = base_request();
  req.tool_choice.mode = M::Required;
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().param, "tool_choice");
}

TEST(AnthropicProviderRequest, MaxTokensFromRequestOrProviderDefault) {
  Env env;
  TranslationReport report;
  ChatRequest req = base_request();
  EXPECT_EQ(member(body_of(req, env, report), "max_tokens"), "4096");
  env.pc.default_max_tokens = 16000;
  EXPECT_EQ(member(body_of(req, env, report), "max_tokens"), "16000");
  req.max_tokens = 123;
  EXPECT_EQ(member(body_of(req, env, report), "max_tokens"), "123");
  EXPECT_TRUE(report.dropped.empty());
}

TEST(AnthropicProviderRequest, SamplingParametersClampAndReport) {
  Env env;
  TranslationReport report;
  ChatRequest req = base_request();
  req.temperature = 1.5;
  req.top_p = 0.9;
  req.top_k = 40;
  req.seed = 7;
  req.user = "user-42";
  req.stop = {"END", "", "\n\nHuman:"};
  std::string body = body_of(req, env, report);
  EXPECT_EQ(body,
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],)"
            R"("stop_sequences":["END","\n\nHuman:"],"temperature":1,"top_k":40,)"
            R"("metadata":{"user_id":"user-42"}})");
  // temperature + top_p together are rejected by Claude 4.x: top_p is dropped (pitfall CC7).
  EXPECT_EQ(report.dropped, (std::vector<std::string>{"temperature", "top_p", "seed"}));

  TranslationReport report2;
  req.temperature = 0.25;
  req.top_p.reset();
  req.seed.reset();
  EXPECT_EQ(member(body_of(req, env, report2), "temperature"), "0.25");
  EXPECT_TRUE(report2.dropped.empty());
}

TEST(AnthropicProviderRequest, JsonSchemaBecomesOutputConfigFormat) {
  ChatRequest req = base_request();
  req.response_format.kind = ResponseFormat::Kind::JsonSchema;
  req.response_format.name = "ids";
  req.response_format.schema = R"({"type":"array","items":{"type":"integer"}})";
  EXPECT_EQ(member(body_of(req), "output_config"),
            R"({"format":{"type":"json_schema","schema":{"type":"array","items":{"type":"integer"}}}})");
}

TEST(AnthropicProviderRequest, JsonObjectIsUnsupported) {
  Env env;
  TranslationReport report;
  ChatRequest req = base_request();
  req.response_format.kind = ResponseFormat::Kind::JsonObject;
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::UnsupportedParameter);
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().param, "response_format");
  EXPECT_NE(r.error().message.find("json_object"), std::string::npos);
}

TEST(AnthropicProviderRequest, ReasoningEffortMapsToThinking) {
  Env env;
  TranslationReport report;
  ChatRequest req = base_request();
  req.tools.push_back(tool("t", ""));
  req.reasoning_effort = "high";
  req.temperature = 0.5;
  req.top_k = 40;
  req.top_p = 0.97;
  req.tool_choice.mode = ToolChoice::Mode::Required;
  std::string body = body_of(req, env, report);
  EXPECT_EQ(member(body, "thinking"), R"({"type":"enabled","budget_tokens":16384})");
  EXPECT_EQ(member(body, "max_tokens"), "20480");  // 16384 + the default 4096 for the answer
  EXPECT_EQ(member(body, "temperature"), "");
  EXPECT_EQ(member(body, "top_k"), "");
  EXPECT_EQ(member(body, "top_p"), "0.97");
  EXPECT_EQ(member(body, "tool_choice"), R"({"type":"auto"})");  // forced choice + thinking = 400
  EXPECT_EQ(report.dropped, (std::vector<std::string>{"tool_choice", "temperature", "top_k"}));

  struct Case {
    std::string effort;
    std::optional<int64_t> budget;
    std::optional<int64_t> max_tokens;
    std::string thinking;
    std::string max;
  };
  std::vector<Case> cases = {
      {"low", std::nullopt, std::nullopt, R"({"type":"enabled","budget_tokens":1024})", "4096"},
      {"minimal", std::nullopt, 500, R"({"type":"enabled","budget_tokens":1024})", "2048"},
      {"medium", std::nullopt, 8000, R"({"type":"enabled","budget_tokens":4096})", "8000"},
      {"none", std::nullopt, std::nullopt, "", "4096"},
      {"", 2000, 8000, R"({"type":"enabled","budget_tokens":2000})", "8000"},
      {"", 100, 8000, R"({"type":"enabled","budget_tokens":1024})", "8000"},
      {"", 0, std::nullopt, "", "4096"},
      {"high", 3000, 3000, R"({"type":"enabled","budget_tokens":3000})", "6000"},
  };
  for (const auto& c : cases) {
    ChatRequest r = base_request();
    r.reasoning_effort = c.effort;
    r.reasoning_budget_tokens = c.budget;
    r.max_tokens = c.max_tokens;
    TranslationReport rep;
    std::string b = body_of(r, env, rep);
    EXPECT_EQ(member(b, "thinking"), c.thinking) << c.effort;
    EXPECT_EQ(member(b, "max_tokens"), c.max) << c.effort;
  }
}

TEST(AnthropicProviderRequest, ThinkingBlocksReplayedByteIdentical) {
  const std::string sig = "EvMCCkYICxgCKkCHP2cSuEdcJK/0rFwqES/ecn+Vu+/=";
  auto make = [&](Protocol source) {
    ChatRequest req;
    req.source = source;
    req.messages.push_back(msg(Role::User, "q"));
    Message a;
    a.role = Role::Assistant;
    ContentPart th;
    th.kind = ContentPart::Kind::Thinking;
    th.text = "Let me think.\n";
    th.signature = sig;
    a.content.push_back(th);
    ContentPart unsigned_th;
    unsigned_th.kind = ContentPart::Kind::Thinking;
    unsigned_th.text = "reasoning_content without signature";
    a.content.push_back(unsigned_th);
    ContentPart red;
    red.kind = ContentPart::Kind::RedactedThinking;
    red.data = "EmwKAhgBEgy3va3pzix";
    a.content.push_back(red);
    a.tool_calls.push_back(call("toolu_1", "f", R"({"x":1})"));
    req.messages.push_back(a);
    return member(body_of(req), "messages");
  };
  std::string expected =
      R"([{"role":"user","content":[{"type":"text","text":"q"}]},)"
      R"({"role":"assistant","content":[{"type":"thinking","thinking":"Let me think.\n","signature":")" +
      sig +
      R"("},{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"},)"
      R"({"type":"tool_use","id":"toolu_1","name":"f","input":{"x":1}}]}])";
  EXPECT_EQ(make(Protocol::OpenAIChat), expected);
  // Gemini-produced thought signatures are meaningless to Anthropic: dropped.
  EXPECT_EQ(make(Protocol::Gemini),
            R"([{"role":"user","content":[{"type":"text","text":"q"}]},)"
            R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{"x":1}}]}])");
}

TEST(AnthropicProviderRequest, CarriedSignaturesKeepTheirOrigin) {
  // A Gemini signature carried through the Messages surface is never sent as Claude's; a Claude
  // signature carried through the Gemini surface is.
  auto make = [&](Protocol source, Protocol origin) {
    ChatRequest req;
    req.source = source;
    req.messages.push_back(msg(Role::User, "q"));
    Message a = msg(Role::Assistant, "answer");
    ContentPart th;
    th.kind = ContentPart::Kind::Thinking;
    th.text = "plan";
    th.signature = "SIG";
    th.signature_origin = origin;
    a.content.insert(a.content.begin(), th);
    req.messages.push_back(a);
    return member(body_of(req), "messages");
  };
  EXPECT_EQ(make(Protocol::Anthropic, Protocol::Gemini).find("thinking"), std::string::npos);
  EXPECT_EQ(make(Protocol::Anthropic, Protocol::OpenAIResponses).find("thinking"), std::string::npos);
  EXPECT_NE(make(Protocol::Gemini, Protocol::Anthropic)
                .find(R"({"type":"thinking","thinking":"plan","signature":"SIG"})"),
            std::string::npos);
}

TEST(AnthropicProviderRequest, InvalidToolArgumentsAreNamed) {
  Env env;
  TranslationReport report;
  for (std::string bad : {"{\"city\": ", "[1,2]", "\"str\""}) {
    ChatRequest req = base_request();
    Message a = msg(Role::Assistant, "");
    a.tool_calls.push_back(call("ok", "f", "{}"));
    a.tool_calls.push_back(call("bad", "f", bad));
    req.messages.push_back(a);
    auto r = anthropic_provider().build_request(req, env.d, report);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
    EXPECT_EQ(r.error().param, "messages[1].tool_calls[1].function.arguments");
  }
  ChatRequest req = base_request();
  req.tools.push_back(tool("f", "[]"));
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().param, "tools[0].function.parameters");
}

TEST(AnthropicProviderRequest, AnthropicBetaForwardedAndMerged) {
  Env env;
  env.pc.extra_headers = {{"anthropic-beta", "context-1m-2025-08-07"}, {"x-team", "blue"}};
  ChatRequest req = base_request();
  req.forward_headers = {{"anthropic-beta", "interleaved-thinking-2025-05-14, context-1m-2025-08-07"},
                         {"anthropic-beta", "files-api-2025-04-14"},
                         {"x-stainless-lang", "python"}};
  TranslationReport report;
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_TRUE(r.ok());
  Headers expected = {{"content-type", "application/json"},
                      {"x-api-key", "sk-ant-secret-0123456789"},
                      {"anthropic-version", "2023-06-01"},
                      {"x-team", "blue"},
                      {"anthropic-beta",
                       "context-1m-2025-08-07,interleaved-thinking-2025-05-14,files-api-2025-04-14"}};
  EXPECT_EQ(r->headers, expected);
}

TEST(AnthropicProviderRequest, ExtrasPassThroughOnlyForAnthropicSource) {
  ChatRequest req = base_request();
  req.stream = true;
  req.user = "u-1";
  req.extras = {{"service_tier", R"("auto")"},
                {"cache_control", R"({"type":"ephemeral","ttl":"5m"})"},
                {"metadata", R"({"user_id":"ignored","session":"s9"})"},
                {"container", R"("container_011")"}};
  req.source = Protocol::Anthropic;
  Env env;
  TranslationReport report;
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->stream);
  EXPECT_EQ(r->body,
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"Hi"}],)"
            R"("metadata":{"user_id":"u-1","session":"s9"},"stream":true,"service_tier":"auto",)"
            R"("cache_control":{"type":"ephemeral","ttl":"5m"},"container":"container_011"})");

  req.source = Protocol::OpenAIChat;
  auto r2 = anthropic_provider().build_request(req, env.d, report);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->body,
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],)"
            R"("metadata":{"user_id":"u-1"},"stream":true})");
}

TEST(AnthropicProviderRequest, SameProtocolThinkingAndEffortTravelUntouched) {
  // What the Anthropic surface produces for thinking:{type:adaptive} + output_config:{effort,format}.
  ChatRequest req = base_request();
  req.source = Protocol::Anthropic;
  req.reasoning_effort = "high";
  req.temperature = 0.3;
  req.response_format.kind = ResponseFormat::Kind::JsonSchema;
  req.response_format.schema = R"({"type":"object"})";
  req.extras = {{"thinking", R"({"type":"adaptive","display":"omitted"})"},
                {"output_config", R"({"effort":"high","format":{"type":"json_schema","schema":{"type":"object"}}})"}};
  Env env;
  TranslationReport report;
  // Adaptive thinking rejects a non-default temperature just like enabled thinking does, so
  // it is left out and reported rather than sent to a certain 400.
  EXPECT_EQ(body_of(req, env, report),
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"Hi"}],)"
            R"("output_config":{"format":{"type":"json_schema","schema":{"type":"object"}},"effort":"high"},)"
            R"("thinking":{"type":"adaptive","display":"omitted"}})");
  EXPECT_EQ(report.dropped, std::vector<std::string>{"temperature"});

  // Enabled thinking from an Anthropic caller keeps its own members; only the budget is made
  // valid: max_tokens (1000) must exceed it, so room for the answer (at least 1024) goes on top.
  ChatRequest req2 = base_request();
  req2.source = Protocol::Anthropic;
  req2.max_tokens = 1000;
  req2.reasoning_budget_tokens = 2048;
  req2.extras = {{"thinking", R"({"type":"enabled","budget_tokens":2048,"display":"summarized"})"}};
  TranslationReport report2;
  EXPECT_EQ(body_of(req2, env, report2),
            R"({"model":"claude-sonnet-4-5","max_tokens":3072,"messages":[{"role":"user","content":"Hi"}],)"
            R"("thinking":{"type":"enabled","budget_tokens":2048,"display":"summarized"}})");
  EXPECT_TRUE(report2.dropped.empty());
}

TEST(AnthropicProviderRequest, SameProtocolThinkingBudgetClampedToTheMinimum) {
  // Pitfall CC6: Claude Code's background calls send budget_tokens below Anthropic's 1024.
  ChatRequest req = base_request();
  req.source = Protocol::Anthropic;
  req.max_tokens = 2000;
  req.reasoning_budget_tokens = 500;
  req.extras = {{"thinking", R"({"type":"enabled","budget_tokens":500})"}};
  std::string body = body_of(req);
  EXPECT_EQ(member(body, "thinking"), R"({"type":"enabled","budget_tokens":1024})");
  EXPECT_EQ(member(body, "max_tokens"), "2000");
  EXPECT_EQ(body.find("budget_tokens\":500"), std::string::npos);
}

TEST(AnthropicProviderRequest, ForcedToolChoiceWithThinkingBecomesAutoAndSaysWhy) {
  // Pitfall TC6, same protocol: enabled and adaptive thinking both reject any / tool.
  for (const char* thinking : {R"({"type":"enabled","budget_tokens":2048})", R"({"type":"adaptive"})"}) {
    SCOPED_TRACE(thinking);
    ChatRequest req = base_request();
    req.source = Protocol::Anthropic;
    req.max_tokens = 4096;
    if (std::string(thinking).find("enabled") != std::string::npos) req.reasoning_budget_tokens = 2048;
    req.extras = {{"thinking", thinking}};
    req.tools.push_back(tool("get_weather", R"({"type":"object"})"));
    req.tool_choice.mode = ToolChoice::Mode::Function;
    req.tool_choice.name = "get_weather";
    Env env;
    TranslationReport report;
    std::string body = body_of(req, env, report);
    EXPECT_EQ(member(body, "tool_choice"), R"({"type":"auto"})");
    EXPECT_EQ(member(body, "thinking"), thinking);
    EXPECT_EQ(report.dropped, std::vector<std::string>{"tool_choice"});
    ASSERT_EQ(report.reasons.size(), 1u);
    EXPECT_NE(report.reasons[0].find("thinking"), std::string::npos);
  }
  // Disabled thinking leaves a forced choice alone.
  ChatRequest off = base_request();
  off.source = Protocol::Anthropic;
  off.extras = {{"thinking", R"({"type":"disabled"})"}};
  off.tools.push_back(tool("get_weather", R"({"type":"object"})"));
  off.tool_choice.mode = ToolChoice::Mode::Required;
  EXPECT_EQ(member(body_of(off), "tool_choice"), R"({"type":"any"})");
}

TEST(AnthropicProviderRequest, ClientIdentificationHeadersOnlyFromAnAnthropicCaller) {
  // Pitfall CC5: user-agent, x-app and x-stainless-* of an Anthropic caller reach Anthropic;
  // credentials never do, and the provider's configured headers win.
  Env env;
  env.pc.extra_headers = {{"x-app", "configured"}};
  ChatRequest req = base_request();
  req.source = Protocol::Anthropic;
  req.forward_headers = {{"anthropic-beta", "context-1m-2025-08-07"},
                         {"user-agent", "claude-cli/2.0.1 (external, cli)"},
                         {"x-app", "cli"},
                         {"x-stainless-lang", "js"},
                         {"x-stainless-package-version", "0.60.0"},
                         {"x-api-key", "caller-key"},
                         {"authorization", "Bearer caller"},
                         {"cookie", "a=b"}};
  TranslationReport report;
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_TRUE(r.ok());
  Headers expected = {{"content-type", "application/json"},
                      {"x-api-key", "sk-ant-secret-0123456789"},
                      {"anthropic-version", "2023-06-01"},
                      {"user-agent", "claude-cli/2.0.1 (external, cli)"},
                      {"x-app", "configured"},
                      {"x-stainless-lang", "js"},
                      {"x-stainless-package-version", "0.60.0"},
                      {"anthropic-beta", "context-1m-2025-08-07"}};
  EXPECT_EQ(r->headers, expected);

  req.source = Protocol::OpenAIChat;  // another surface's client is not Anthropic's client
  auto other = anthropic_provider().build_request(req, env.d, report);
  ASSERT_TRUE(other.ok());
  for (const auto& [k, v] : other->headers) {
    EXPECT_NE(k, "user-agent");
    EXPECT_NE(k, "x-stainless-lang");
  }
}

TEST(AnthropicProviderRequest, SameProtocolServerToolsAndToolExtras) {
  ChatRequest req = base_request();
  req.source = Protocol::Anthropic;
  ToolDef web;
  web.kind = ToolDef::Kind::Server;
  web.type = "web_search_20250305";
  web.name = "web_search";
  web.raw_extras = R"({"type":"web_search_20250305","name":"web_search","max_uses":5})";
  req.tools.push_back(web);
  ToolDef fn = tool("get_weather", R"({"type":"object","properties":{}})", "Weather");
  fn.raw_extras = R"({"cache_control":{"type":"ephemeral"}})";
  req.tools.push_back(fn);
  EXPECT_EQ(member(body_of(req), "tools"),
            R"([{"type":"web_search_20250305","name":"web_search","max_uses":5},)"
            R"({"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{}},)"
            R"("cache_control":{"type":"ephemeral"}}])");
  req.tools.erase(req.tools.begin());  // (a server tool from another source: request_policy 400)
  req.source = Protocol::OpenAIChat;  // extras never leak to other sources
  EXPECT_EQ(member(body_of(req), "tools"),
            R"([{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{}}}])");
}

TEST(AnthropicProviderRequest, FilePartsBecomeDocuments) {
  ChatRequest req;
  Message u;
  u.role = Role::User;
  ContentPart pdf;
  pdf.kind = ContentPart::Kind::File;
  pdf.media_type = "application/pdf";
  pdf.data = "JVBERi0=";
  pdf.filename = "a.pdf";
  pdf.raw = R"({"title":"a.pdf","citations":{"enabled":true}})";
  u.content.push_back(pdf);
  ContentPart url;
  url.kind = ContentPart::Kind::File;
  url.url = "https://x/b.pdf";
  u.content.push_back(url);
  req.messages.push_back(u);
  Env env;
  TranslationReport report;
  req.source = Protocol::Anthropic;
  EXPECT_EQ(member(body_of(req, env, report), "messages"),
            R"([{"role":"user","content":[{"type":"document","source":{"type":"base64",)"
            R"("media_type":"application/pdf","data":"JVBERi0="},"title":"a.pdf","citations":{"enabled":true}},)"
            R"({"type":"document","source":{"type":"url","url":"https://x/b.pdf"}}]}])");
  req.source = Protocol::OpenAIChat;  // extras stay behind; the file name becomes the title
  EXPECT_EQ(member(body_of(req, env, report), "messages"),
            R"([{"role":"user","content":[{"type":"document","source":{"type":"base64",)"
            R"("media_type":"application/pdf","data":"JVBERi0="},"title":"a.pdf"},)"
            R"({"type":"document","source":{"type":"url","url":"https://x/b.pdf"}}]}])");
  EXPECT_TRUE(report.dropped.empty());
}

ContentPart file_part(std::string media_type, std::string data, std::string filename = {}) {
  ContentPart p;
  p.kind = ContentPart::Kind::File;
  p.media_type = std::move(media_type);
  p.data = std::move(data);
  p.filename = std::move(filename);
  return p;
}

ChatRequest with_user_parts(std::vector<ContentPart> parts) {
  ChatRequest req;
  req.model = "claude";
  Message u;
  u.role = Role::User;
  u.content = std::move(parts);
  req.messages.push_back(std::move(u));
  return req;
}

TEST(AnthropicProviderRequest, TextFilesBecomeTextDocuments) {
  // base64("Hello, café\n") and base64("{\"a\":1}"); Anthropic's text source is always text/plain.
  ChatRequest req = with_user_parts({file_part("text/plain", "SGVsbG8sIGNhZsOpCg==", "notes.txt"),
                                     file_part("application/json; charset=utf-8", "eyJhIjoxfQ=="),
                                     file_part("text/markdown", "IyBU")});
  EXPECT_EQ(member(body_of(req), "messages"),
            R"([{"role":"user","content":[)"
            R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"Hello, café\n"},"title":"notes.txt"},)"
            R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"{\"a\":1}"}},)"
            R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"# T"}}]}])");
}

TEST(AnthropicProviderRequest, ImageFilesBecomeImageBlocks) {
  // A 1x1 PNG sent as a file part (e.g. an OpenAI `file` with an image data URL).
  const std::string png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  ChatRequest req = with_user_parts({file_part("image/png", png, "dot.png")});
  EXPECT_EQ(member(body_of(req), "messages"),
            R"([{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":")" +
                png + R"("}}]}])");
}

TEST(AnthropicProviderRequest, UnsupportedFileTypesAreA400NamingThePart) {
  Env env;
  TranslationReport report;
  ChatRequest req = with_user_parts({text_part("see"), file_part("application/zip", "UEsDBA==")});
  auto r = anthropic_provider().build_request(req, env.d, report);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::UnsupportedParameter);
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().param, "messages[0].content[1]");
  EXPECT_NE(r.error().message.find("application/zip"), std::string::npos) << r.error().message;

  // Text that is not base64 of UTF-8 is named too (never sent for Anthropic to reject).
  ChatRequest bad = with_user_parts({file_part("text/plain", "//79")});  // bytes ff fe fd
  auto b = anthropic_provider().build_request(bad, env.d, report);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(b.error().param, "messages[0].content[0]");

  // Inside a tool result the same rule applies, under the tool message's path.
  ChatRequest in_tool;
  in_tool.model = "claude";
  in_tool.messages = {msg(Role::User, "q")};
  Message a;
  a.role = Role::Assistant;
  a.tool_calls.push_back(call("toolu_1", "f", "{}"));
  in_tool.messages.push_back(a);
  Message t = tool_msg("toolu_1", "out");
  t.content.push_back(file_part("audio/wav", "UklGRg=="));
  in_tool.messages.push_back(t);
  auto c = anthropic_provider().build_request(in_tool, env.d, report);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().param, "messages[2].content[1]");
}

TEST(AnthropicProviderRequest, RawBlocksOnlyForAnthropicSource) {
  ChatRequest req;
  Message u;
  u.role = Role::User;
  ContentPart doc;
  doc.kind = ContentPart::Kind::Raw;
  doc.raw = R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"abc"}})";
  u.content.push_back(doc);
  u.content.push_back(text_part("Summarise", R"({"cache_control":{"type":"ephemeral"}})"));
  req.messages.push_back(u);

  req.source = Protocol::Anthropic;
  Env env;
  TranslationReport report;
  EXPECT_EQ(member(body_of(req, env, report), "messages"),
            R"([{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"abc"}},)"
            R"({"type":"text","text":"Summarise","cache_control":{"type":"ephemeral"}}]}])");
  EXPECT_TRUE(report.dropped.empty());

  req.source = Protocol::OpenAIResponses;
  TranslationReport report2;
  EXPECT_EQ(member(body_of(req, env, report2), "messages"),
            R"([{"role":"user","content":[{"type":"text","text":"Summarise"}]}])");
  EXPECT_EQ(report2.dropped, std::vector<std::string>{"messages[0].content[0]"});
}

// ---------------------------------------------------------------------------------------------
// Error classification

Error classify(int status, std::string_view body, const Headers& headers = {}) {
  Env env;
  return anthropic_provider().classify_error(status, headers, body, env.d);
}

TEST(AnthropicProviderErrors, RecordedFixtures) {
  Headers h400 = {{"content-type", "application/json"}, {"x-should-retry", "false"}};
  Error e400 = classify(400, testing::read_fixture("anthropic/error-400-invalid-request.response.json"), h400);
  EXPECT_EQ(e400.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(e400.http_status, 400);
  EXPECT_EQ(e400.upstream_status, 400);
  EXPECT_EQ(e400.upstream_type, "invalid_request_error");
  EXPECT_EQ(e400.provider, "claude-main");
  EXPECT_EQ(e400.upstream_request_id, "req_011CYHyk9NPsBYeGbC9LuDNK");
  EXPECT_EQ(e400.message.rfind("messages.0.content.1: unexpected `tool_use_id`", 0), 0u);
  EXPECT_EQ(e400.headers, (std::vector<std::pair<std::string, std::string>>{{"x-should-retry", "false"}}));

  Error e404 = classify(404, testing::read_fixture("anthropic/error-404-not-found.response.json"));
  EXPECT_EQ(e404.kind, ErrorKind::NotFound);
  EXPECT_EQ(e404.http_status, 404);
  EXPECT_EQ(e404.message, "model: claude-does-not-exist");
  EXPECT_EQ(e404.upstream_request_id, "req_011CVEA3SF7rnb3DuBZytqQa");

  Headers h429 = {{"content-type", "application/json"},
                  {"x-should-retry", "true"},
                  {"Retry-After", "17"},
                  {"anthropic-ratelimit-input-tokens-remaining", "0"},
                  {"request-id", "req_from_header"},
                  {"x-envoy-upstream-service-time", "12"}};
  Error e429 = classify(429, testing::read_fixture("anthropic/error-429-rate-limit.response.json"), h429);
  EXPECT_EQ(e429.kind, ErrorKind::RateLimited);
  EXPECT_EQ(e429.http_status, 429);
  ASSERT_TRUE(e429.retry_after_s.has_value());
  EXPECT_DOUBLE_EQ(*e429.retry_after_s, 17.0);
  EXPECT_EQ(e429.upstream_request_id, "req_from_header");
  EXPECT_EQ(e429.headers, (std::vector<std::pair<std::string, std::string>>{
                              {"x-should-retry", "true"},
                              {"retry-after", "17"},
                              {"anthropic-ratelimit-input-tokens-remaining", "0"}}));
}

TEST(AnthropicProviderErrors, TypeTable) {
  struct Case {
    int status;
    std::string type;
    std::string message;
    ErrorKind kind;
    int http;
  };
  std::vector<Case> cases = {
      {400, "invalid_request_error", "max_tokens: must be positive", ErrorKind::InvalidRequest, 400},
      {400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum",
       ErrorKind::ContextLengthExceeded, 400},
      {400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API.",
       ErrorKind::QuotaExceeded, 402},
      {401, "authentication_error", "invalid x-api-key", ErrorKind::Authentication, 401},
      {402, "billing_error", "billing problem", ErrorKind::QuotaExceeded, 402},
      {403, "permission_error", "no access", ErrorKind::PermissionDenied, 403},
      {404, "not_found_error", "model: x", ErrorKind::NotFound, 404},
      {413, "request_too_large", "Request exceeds the maximum allowed number of bytes.",
       ErrorKind::PayloadTooLarge, 413},
      {429, "rate_limit_error", "slow down", ErrorKind::RateLimited, 429},
      {500, "api_error", "Internal server error", ErrorKind::UpstreamServerError, 500},
      {504, "timeout_error", "Request timed out", ErrorKind::Timeout, 504},
      {529, "overloaded_error", "Overloaded", ErrorKind::Overloaded, 503},
      {529, "", "", ErrorKind::Overloaded, 503},
      {418, "some_new_error", "teapot", ErrorKind::InvalidRequest, 400},
      {502, "some_new_error", "bad gateway", ErrorKind::UpstreamServerError, 500},
  };
  for (const auto& c : cases) {
    std::string body = R"({"type":"error","error":{"type":")" + c.type + R"(","message":")" +
                       c.message + R"("},"request_id":"req_1"})";
    Error e = classify(c.status, body);
    EXPECT_EQ(e.kind, c.kind) << c.type << " " << c.message;
    EXPECT_EQ(e.http_status, c.http) << c.type;
    EXPECT_EQ(e.upstream_status, c.status);
    EXPECT_EQ(e.upstream_type, c.type);
    if (!c.message.empty()) {
      EXPECT_EQ(e.message, c.message);
    }
  }
  EXPECT_EQ(classify(400, R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}})").code,
            "context_length_exceeded");
}

TEST(AnthropicProviderErrors, NonJsonAndEmptyBodies) {
  Error html = classify(502, "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
                        {{"content-type", "text/html"}});
  EXPECT_EQ(html.kind, ErrorKind::UpstreamProtocol);
  EXPECT_EQ(html.http_status, 502);
  EXPECT_EQ(html.upstream_status, 502);
  EXPECT_EQ(html.message,
            "Anthropic upstream returned HTTP 502 with a non-JSON body (text/html): 502 Bad Gateway");

  Error empty = classify(503, "");
  EXPECT_EQ(empty.kind, ErrorKind::Overloaded);
  EXPECT_EQ(empty.http_status, 503);
  EXPECT_EQ(empty.message, "Anthropic upstream returned HTTP 503 with an empty body");

  Error foreign = classify(401, R"({"message":"Unauthorized"})");
  EXPECT_EQ(foreign.kind, ErrorKind::Authentication);
  EXPECT_EQ(foreign.message, "Unauthorized");
}

// An upstream JSON error message echoing key-shaped tokens of every provider: all of them go,
// the model name, field path and request id stay (shared with the other providers' tests).
constexpr const char* kEchoMessage =
    "leaked sk-proj-AbCdEf0123456789 and AIzaSyD0123456789abcdefghijklmnopqrstu and Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9 for claude-sonnet-4-5-20250929 at messages.0.content (req_011CVEA3SF7rnb3DuBZytqQa)";
constexpr const char* kEchoScrubbed =
    "leaked [redacted] and [redacted] and Bearer [redacted] for claude-sonnet-4-5-20250929 at messages.0.content (req_011CVEA3SF7rnb3DuBZytqQa)";

TEST(AnthropicProviderErrors, KeyShapedTokensScrubbedInJsonAndStreamErrors) {
  Error e = classify(401, std::string(R"({"type":"error","error":{"type":"authentication_error","message":")") +
                              kEchoMessage + R"("},"request_id":"req_1"})");
  EXPECT_EQ(e.kind, ErrorKind::Authentication);
  EXPECT_EQ(e.message, kEchoScrubbed);

  Env env;
  ChatRequest req;
  auto dec = anthropic_provider().make_decoder(req, env.d, true);
  testing::Recorder rec;
  std::string body = std::string("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                                 "\"overloaded_error\",\"message\":\"") +
                     kEchoMessage + " " + env.pc.api_key + "\"}}\n\n";
  ASSERT_TRUE(dec->feed(body, rec).ok());
  ASSERT_FALSE(rec.events.empty());
  const StreamEvent& ev = rec.events.back();
  ASSERT_EQ(ev.kind, StreamEvent::Kind::Error);
  EXPECT_EQ(ev.error.kind, ErrorKind::Overloaded);
  EXPECT_EQ(ev.error.message, std::string(kEchoScrubbed) + " [redacted]");
}

TEST(AnthropicProviderErrors, RequestIdEchoingTheKeyIsScrubbed) {
  // The request id reaches Anthropic callers (error.request_id): an upstream (or a proxy in
  // front of it) that puts the key there must not leak it; ordinary ids pass unchanged.
  Error e = classify(429, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow"},)"
                          R"("request_id":"req_sk-ant-secret-0123456789"})");
  EXPECT_EQ(e.upstream_request_id.find("sk-ant-secret-0123456789"), std::string::npos);
  Error h = classify(429, R"({"type":"error","error":{"type":"rate_limit_error","message":"x"}})",
                     {{"request-id", "sk-ant-secret-0123456789"}});
  EXPECT_EQ(h.upstream_request_id.find("sk-ant-secret-0123456789"), std::string::npos);
  Error ok = classify(429, R"({"type":"error","error":{"type":"rate_limit_error","message":"x"},)"
                           R"("request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"})");
  EXPECT_EQ(ok.upstream_request_id, "req_011CSHoEeqs5C35K2UUqR7Fy");

  Env env;
  ChatRequest req;
  auto dec = anthropic_provider().make_decoder(req, env.d, true);
  testing::Recorder rec;
  ASSERT_TRUE(dec->feed("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                        "\"overloaded_error\",\"message\":\"busy\"},\"request_id\":\"" +
                            env.pc.api_key + "\"}\n\n",
                        rec)
                  .ok());
  ASSERT_FALSE(rec.events.empty());
  EXPECT_EQ(rec.events.back().error.upstream_request_id.find(env.pc.api_key), std::string::npos);
}

TEST(AnthropicProviderErrors, ApiKeyNeverEchoed) {
  Error e = classify(401, R"({"type":"error","error":{"type":"authentication_error",)"
                          R"("message":"invalid x-api-key sk-ant-secret-0123456789"}})");
  EXPECT_EQ(e.kind, ErrorKind::Authentication);
  EXPECT_EQ(e.message.find("sk-ant-secret-0123456789"), std::string::npos);
  EXPECT_EQ(e.message, "invalid x-api-key [redacted]");

  // A non-JSON page that echoes the key (a proxy's debug page) keeps a snippet without it.
  Error page = classify(502, "<html><title>Bad upstream key sk-ant-secret-0123456789</title></html>",
                        {{"content-type", "text/html"}});
  EXPECT_EQ(page.message.find("sk-ant-secret"), std::string::npos) << page.message;
  EXPECT_NE(page.message.find("Bad upstream key"), std::string::npos) << page.message;
}

TEST(AnthropicProvider, RateLimitHeadersForwardedOnSuccess) {
  Headers up = {{"content-type", "application/json"},
                {"Anthropic-RateLimit-Requests-Remaining", "99"},
                {"anthropic-ratelimit-tokens-reset", "2026-01-01T00:00:00Z"},
                {"request-id", "req_1"},
                {"set-cookie", "x=y"}};
  Headers expected = {{"anthropic-ratelimit-requests-remaining", "99"},
                      {"anthropic-ratelimit-tokens-reset", "2026-01-01T00:00:00Z"}};
  EXPECT_EQ(anthropic_provider().forwarded_response_headers(up), expected);
}

}  // namespace
}  // namespace openrain::providers
