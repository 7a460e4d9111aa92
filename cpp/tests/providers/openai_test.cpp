// Tests for the OpenAI Chat Completions provider, request side and error classification: exact
// request bodies (quirks, same-source passthrough, loss report) and every recorded error fixture.
// Response decoding is tested in openai_decoder_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <string>
#include <vector>

#include "providers/openai.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::providers {
namespace {

using openrain::testing::read_fixture;

constexpr const char* kKey = "sk-test-0123456789abcdef";

struct Env {
  ProviderConfig provider;
  ModelConfig model;
  Deployment d() const { return Deployment{&provider, &model}; }
};

Env make_env(std::string base_url = "https://api.openai.com", std::string key = kKey) {
  Env e;
  e.provider.name = "oai";
  e.provider.kind = ProviderKind::OpenAI;
  e.provider.base_url = std::move(base_url);
  e.provider.api_key = std::move(key);
  e.model.alias = "my-alias";
  e.model.provider = "oai";
  e.model.model = "gpt-4o-mini";
  return e;
}

Message text_msg(Role role, std::string text, bool was_string = true) {
  Message m;
  m.role = role;
  m.content_was_string = was_string;
  ContentPart p;
  p.text = std::move(text);
  m.content.push_back(std::move(p));
  return m;
}

ChatRequest base_request() {
  ChatRequest r;
  r.model = "my-alias";
  r.messages.push_back(text_msg(Role::User, "Hi"));
  return r;
}

UpstreamRequest build_ok(const ChatRequest& req, const Env& env, TranslationReport* report = nullptr) {
  TranslationReport local;
  auto r = openai_provider().build_request(req, env.d(), report ? *report : local);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : UpstreamRequest{};
}

std::string body_of(const ChatRequest& req, const Env& env, TranslationReport* report = nullptr) {
  return build_ok(req, env, report).body;
}

// ---------------------------------------------------------------------------------------------
// Request golden tests

TEST(OpenAIProviderRequest, SystemDeveloperUserAndSampling) {
  Env env = make_env();
  ChatRequest req;
  req.model = "my-alias";
  req.messages.push_back(text_msg(Role::System, "Be brief."));
  Message dev = text_msg(Role::System, "Use JSON.");
  dev.developer = true;
  req.messages.push_back(dev);
  Message user = text_msg(Role::User, "Hi \"there\"\n");
  user.name = "bob";
  req.messages.push_back(user);
  req.stop = {"END"};
  req.max_tokens = 100;
  req.temperature = 0.5;
  req.top_p = 0.9;
  req.seed = 7;
  req.user = "u-1";
  req.reasoning_effort = "low";
  UpstreamRequest up = build_ok(req, env);
  EXPECT_EQ(up.method, "POST");
  EXPECT_EQ(up.path, "/v1/chat/completions");
  EXPECT_FALSE(up.stream);
  EXPECT_EQ(up.body,
            R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},)"
            R"({"role":"developer","content":"Use JSON."},)"
            R"({"role":"user","content":"Hi \"there\"\n","name":"bob"}],)"
            R"("stop":["END"],"max_completion_tokens":100,"temperature":0.5,"top_p":0.9,)"
            R"("seed":7,"user":"u-1","reasoning_effort":"low"})");
  ASSERT_EQ(up.headers.size(), 2u);
  EXPECT_EQ(up.headers[0], (std::pair<std::string, std::string>{"content-type", "application/json"}));
  EXPECT_EQ(up.headers[1],
            (std::pair<std::string, std::string>{"authorization", std::string("Bearer ") + kKey}));
}

TEST(OpenAIProviderRequest, HeadersWithoutKeyAndExtraHeaders) {
  Env env = make_env("http://localhost:11434", "");
  env.provider.extra_headers = {{"x-tenant", "t1"}};
  UpstreamRequest up = build_ok(base_request(), env);
  ASSERT_EQ(up.headers.size(), 2u);
  EXPECT_EQ(up.headers[0].first, "content-type");
  EXPECT_EQ(up.headers[1], (std::pair<std::string, std::string>{"x-tenant", "t1"}));
  EXPECT_EQ(up.body, R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]})");
}

TEST(OpenAIProviderRequest, PathFollowsBaseUrl) {
  EXPECT_EQ(openai::chat_completions_path("https://api.openai.com"), "/v1/chat/completions");
  EXPECT_EQ(openai::chat_completions_path("https://api.openai.com/"), "/v1/chat/completions");
  EXPECT_EQ(openai::chat_completions_path("http://host:8000/v1"), "/chat/completions");
  EXPECT_EQ(openai::chat_completions_path("http://host:8000/v1/"), "/chat/completions");
  EXPECT_EQ(openai::chat_completions_path("https://api.groq.com/openai/v1"), "/chat/completions");
  EXPECT_EQ(openai::chat_completions_path("http://host/v1beta"), "/v1/chat/completions");
  EXPECT_EQ(openai::chat_completions_path("http://host/proxy"), "/v1/chat/completions");
  Env env = make_env("http://127.0.0.1:8000/v1");
  EXPECT_EQ(build_ok(base_request(), env).path, "/chat/completions");
}

TEST(OpenAIProviderRequest, QuirksLegacyMaxTokensDeveloperAsSystemNoStreamOptions) {
  Env env = make_env("https://api.deepseek.com");
  env.provider.kind = ProviderKind::OpenAICompatible;
  env.provider.quirks.max_tokens_legacy = true;
  env.provider.quirks.supports_developer_role = false;
  env.provider.quirks.supports_stream_options = false;
  ChatRequest req;
  Message dev = text_msg(Role::System, "Rules.");
  dev.developer = true;
  req.messages.push_back(dev);
  req.messages.push_back(text_msg(Role::User, "Hi"));
  req.max_tokens = 50;
  req.stream = true;
  UpstreamRequest up = build_ok(req, env);
  EXPECT_TRUE(up.stream);
  EXPECT_EQ(up.body,
            R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"Rules."},)"
            R"({"role":"user","content":"Hi"}],"max_tokens":50,"stream":true})");
}

TEST(OpenAIProviderRequest, StreamAlwaysAsksForUsage) {
  Env env = make_env();
  ChatRequest req = base_request();
  req.stream = true;
  req.include_usage = false;  // the gateway needs usage even when the caller did not ask
  EXPECT_EQ(body_of(req, env),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],)"
            R"("stream":true,"stream_options":{"include_usage":true}})");
}

TEST(OpenAIProviderRequest, ImagesByUrlAndInline) {
  Env env = make_env();
  ChatRequest req;
  Message m;
  m.role = Role::User;
  ContentPart t;
  t.text = "What is this?";
  ContentPart u;
  u.kind = ContentPart::Kind::Image;
  u.url = "https://ex.com/a.png";
  u.detail = "high";
  ContentPart inl;
  inl.kind = ContentPart::Kind::Image;
  inl.media_type = "image/png";
  inl.data = "iVBORw0KGgo=";
  m.content = {t, u, inl};
  req.messages.push_back(m);
  EXPECT_EQ(body_of(req, env),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":[)"
            R"({"type":"text","text":"What is this?"},)"
            R"({"type":"image_url","image_url":{"url":"https://ex.com/a.png","detail":"high"}},)"
            R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]})");
}

TEST(OpenAIProviderRequest, InlineFilesBecomeFileParts) {
  Env env = make_env();
  ChatRequest req;
  req.source = Protocol::Anthropic;
  Message m;
  m.role = Role::User;
  ContentPart pdf;
  pdf.kind = ContentPart::Kind::File;
  pdf.media_type = "application/pdf";
  pdf.data = "JVBERi0=";
  ContentPart named = pdf;
  named.filename = "report.pdf";
  ContentPart by_url;
  by_url.kind = ContentPart::Kind::File;
  by_url.url = "https://ex.com/a.pdf";
  ContentPart t;
  t.text = "Summarise";
  m.content = {pdf, named, by_url, t};
  req.messages.push_back(m);
  TranslationReport report;
  EXPECT_EQ(body_of(req, env, &report),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":[)"
            R"({"type":"file","file":{"filename":"document.pdf","file_data":"data:application/pdf;base64,JVBERi0="}},)"
            R"({"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,JVBERi0="}},)"
            R"({"type":"text","text":"Summarise"}]}]})");
  EXPECT_EQ(report.dropped, std::vector<std::string>{"messages[0].content[2] (file)"});
}

TEST(OpenAIProviderRequest, ToolErrorsVisibleAndToolImagesFollowInAUserMessage) {
  Env env = make_env();
  ChatRequest req;
  req.source = Protocol::Anthropic;
  req.messages.push_back(text_msg(Role::User, "look"));
  Message a;
  a.role = Role::Assistant;
  a.tool_calls.push_back(ToolCall{"toolu_1", "shot", "{}", ""});
  a.tool_calls.push_back(ToolCall{"toolu_2", "shot", "{}", ""});
  req.messages.push_back(a);
  Message r1 = text_msg(Role::Tool, "screenshot:", false);
  r1.tool_call_id = "toolu_1";
  ContentPart img;
  img.kind = ContentPart::Kind::Image;
  img.media_type = "image/png";
  img.data = "iVBORw0KGgo=";
  r1.content.push_back(img);
  req.messages.push_back(r1);
  Message r2 = text_msg(Role::Tool, "city not found");
  r2.tool_call_id = "toolu_2";
  r2.is_error = true;
  req.messages.push_back(r2);
  req.messages.push_back(text_msg(Role::User, "and?"));
  TranslationReport report;
  EXPECT_EQ(body_of(req, env, &report),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"look"},)"
            R"({"role":"assistant","content":null,"tool_calls":[)"
            R"({"id":"toolu_1","type":"function","function":{"name":"shot","arguments":"{}"}},)"
            R"({"id":"toolu_2","type":"function","function":{"name":"shot","arguments":"{}"}}]},)"
            R"({"role":"tool","tool_call_id":"toolu_1","content":"screenshot:\n[1 attachment returned: )"
            R"(see the next user message]"},)"
            R"({"role":"tool","tool_call_id":"toolu_2","content":"Error: city not found"},)"
            R"({"role":"user","content":[{"type":"text","text":"Attachments returned by tool call toolu_1:"},)"
            R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},)"
            R"({"role":"user","content":"and?"}]})");
  EXPECT_TRUE(report.dropped.empty());
}

ChatRequest tool_round_trip_request() {
  ChatRequest req;
  req.messages.push_back(text_msg(Role::User, "What is the capital of the UK? Use the tool, then answer."));
  Message a;
  a.role = Role::Assistant;
  a.tool_calls.push_back(ToolCall{"call_ZR5UUuTt3pf61kjwAJIYdVMj", "get_capital", R"({"country":"UK"})", ""});
  req.messages.push_back(a);
  Message tr = text_msg(Role::Tool, "London");
  tr.tool_call_id = "call_ZR5UUuTt3pf61kjwAJIYdVMj";
  tr.tool_name = "get_capital";
  req.messages.push_back(tr);
  ToolDef td;
  td.name = "get_capital";
  td.parameters =
      R"({"additionalProperties":false,"properties":{"country":{"type":"string"}},"required":["country"],"type":"object"})";
  td.strict = true;
  req.tools.push_back(td);
  req.tool_choice.mode = ToolChoice::Mode::Auto;
  req.stream = true;
  return req;
}

TEST(OpenAIProviderRequest, ToolRoundTrip) {
  Env env = make_env();
  EXPECT_EQ(
      body_of(tool_round_trip_request(), env),
      R"({"model":"gpt-4o-mini","messages":[)"
      R"({"role":"user","content":"What is the capital of the UK? Use the tool, then answer."},)"
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_ZR5UUuTt3pf61kjwAJIYdVMj",)"
      R"("type":"function","function":{"name":"get_capital","arguments":"{\"country\":\"UK\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_ZR5UUuTt3pf61kjwAJIYdVMj","content":"London"}],)"
      R"("tools":[{"type":"function","function":{"name":"get_capital","parameters":)"
      R"({"additionalProperties":false,"properties":{"country":{"type":"string"}},"required":["country"],"type":"object"},)"
      R"("strict":true}}],"tool_choice":"auto","stream":true,"stream_options":{"include_usage":true}})");
}

TEST(OpenAIProviderRequest, AssistantTextWithToolCallsAndEmptyArguments) {
  Env env = make_env();
  ChatRequest req = base_request();
  Message a = text_msg(Role::Assistant, "Let me check.");
  a.tool_calls.push_back(ToolCall{"c1", "now", "", ""});
  req.messages.push_back(a);
  EXPECT_EQ(body_of(req, env),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"},)"
            R"({"role":"assistant","content":"Let me check.","tool_calls":[{"id":"c1","type":"function",)"
            R"("function":{"name":"now","arguments":"{}"}}]}]})");
}

TEST(OpenAIProviderRequest, ToolChoiceVariants) {
  Env env = make_env();
  auto with_choice = [&](ToolChoice::Mode mode, std::optional<bool> parallel) {
    ChatRequest req = base_request();
    ToolDef td;
    td.name = "f";
    td.description = "does f";
    req.tools.push_back(td);
    req.tool_choice.mode = mode;
    req.tool_choice.name = mode == ToolChoice::Mode::Function ? "f" : "";
    req.parallel_tool_calls = parallel;
    return body_of(req, env);
  };
  const std::string prefix =
      R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],)"
      R"("tools":[{"type":"function","function":{"name":"f","description":"does f"}}])";
  EXPECT_EQ(with_choice(ToolChoice::Mode::Unset, std::nullopt), prefix + "}");
  EXPECT_EQ(with_choice(ToolChoice::Mode::None, std::nullopt), prefix + R"(,"tool_choice":"none"})");
  EXPECT_EQ(with_choice(ToolChoice::Mode::Required, false),
            prefix + R"(,"tool_choice":"required","parallel_tool_calls":false})");
  EXPECT_EQ(with_choice(ToolChoice::Mode::Function, true),
            prefix + R"(,"tool_choice":{"type":"function","function":{"name":"f"}},"parallel_tool_calls":true})");
  // parallel_tool_calls and tool_choice are only sent with tools.
  ChatRequest no_tools = base_request();
  no_tools.parallel_tool_calls = false;
  no_tools.tool_choice.mode = ToolChoice::Mode::Auto;
  EXPECT_EQ(body_of(no_tools, env),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]})");
}

TEST(OpenAIProviderRequest, ResponseFormats) {
  Env env = make_env();
  ChatRequest req = base_request();
  req.response_format.kind = ResponseFormat::Kind::JsonObject;
  EXPECT_EQ(body_of(req, env),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],)"
            R"("response_format":{"type":"json_object"}})");
  req.response_format.kind = ResponseFormat::Kind::JsonSchema;
  req.response_format.name = "answer";
  req.response_format.description = "An answer";
  req.response_format.schema = R"({"type":"object","properties":{"a":{"type":"string"}}})";
  req.response_format.strict = true;
  EXPECT_EQ(body_of(req, env),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],)"
            R"("response_format":{"type":"json_schema","json_schema":{"name":"answer",)"
            R"("description":"An answer","schema":{"type":"object","properties":{"a":{"type":"string"}}},)"
            R"("strict":true}}})");
}

TEST(OpenAIProviderRequest, UnsupportedResponseFormatIsAnError) {
  Env env = make_env();
  env.provider.quirks.supports_json_schema = false;
  env.provider.quirks.supports_json_object = false;
  for (auto kind : {ResponseFormat::Kind::JsonSchema, ResponseFormat::Kind::JsonObject}) {
    ChatRequest req = base_request();
    req.response_format.kind = kind;
    req.response_format.schema = R"({"type":"object"})";
    TranslationReport rep;
    auto r = openai_provider().build_request(req, env.d(), rep);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::UnsupportedParameter);
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_EQ(r.error().param, "response_format");
    EXPECT_EQ(r.error().provider, "oai");
  }
}

TEST(OpenAIProviderRequest, MistralToolIdsAreNineAlnumAndPaired) {
  Env env = make_env("https://api.mistral.ai");
  env.provider.kind = ProviderKind::OpenAICompatible;
  env.provider.quirks.tool_call_id_9_alnum = true;
  const std::string mapped = openai::mistral_tool_id("call_ZR5UUuTt3pf61kjwAJIYdVMj");
  ASSERT_EQ(mapped.size(), 9u);
  EXPECT_TRUE(std::all_of(mapped.begin(), mapped.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }));
  EXPECT_EQ(openai::mistral_tool_id("call_ZR5UUuTt3pf61kjwAJIYdVMj"), mapped);  // deterministic
  EXPECT_NE(openai::mistral_tool_id("call_other"), mapped);
  EXPECT_EQ(openai::mistral_tool_id("gSIMJiOkT"), "gSIMJiOkT");  // already valid: kept
  EXPECT_NE(openai::mistral_tool_id("gSIMJiOk_"), "gSIMJiOk_");
  ChatRequest req = tool_round_trip_request();
  req.stream = false;
  req.tools.clear();
  req.tool_choice = {};
  EXPECT_EQ(body_of(req, env),
            R"({"model":"gpt-4o-mini","messages":[)"
            R"({"role":"user","content":"What is the capital of the UK? Use the tool, then answer."},)"
            R"({"role":"assistant","content":null,"tool_calls":[{"id":")" + mapped +
                R"(","type":"function","function":{"name":"get_capital","arguments":"{\"country\":\"UK\"}"}}]},)"
                R"({"role":"tool","tool_call_id":")" + mapped + R"(","content":"London"}]})");
}

TEST(OpenAIProviderRequest, ExtrasPassThroughOnlyForSameSource) {
  Env env = make_env();
  ChatRequest req = base_request();
  req.stream = true;
  req.extras = {{"logprobs", "true"},
                {"metadata", R"({"k":"v"})"},
                {"stream_options", R"({"include_usage":true,"include_obfuscation":false})"}};
  req.forward_headers = {{"openai-organization", "org-1"}};
  // Same protocol: unknown fields appended verbatim; a modelled field already written wins.
  UpstreamRequest same = build_ok(req, env);
  EXPECT_EQ(same.body,
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],)"
            R"("stream":true,"stream_options":{"include_usage":true},)"
            R"("logprobs":true,"metadata":{"k":"v"}})");
  EXPECT_EQ(same.headers.back(), (std::pair<std::string, std::string>{"openai-organization", "org-1"}));
  // Another source protocol: its extras and forwarded headers never reach OpenAI.
  req.source = Protocol::Anthropic;
  UpstreamRequest other = build_ok(req, env);
  EXPECT_EQ(other.body,
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],)"
            R"("stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(other.headers.size(), 2u);
}

TEST(OpenAIProviderRequest, RawPartsAndPartExtrasOnlyForSameSource) {
  Env env = make_env();
  ChatRequest req;
  Message m;
  m.role = Role::User;
  ContentPart t;
  t.text = "Listen";
  t.raw = R"({"cache_control":{"type":"ephemeral"}})";
  ContentPart audio;
  audio.kind = ContentPart::Kind::Raw;
  audio.raw = R"({"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}})";
  m.content = {t, audio};
  req.messages.push_back(m);
  EXPECT_EQ(body_of(req, env),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":[)"
            R"({"type":"text","text":"Listen","cache_control":{"type":"ephemeral"}},)"
            R"({"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]})");
  req.source = Protocol::Anthropic;
  TranslationReport rep;
  EXPECT_EQ(body_of(req, env, &rep),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Listen"}]})");
  EXPECT_EQ(rep.dropped, (std::vector<std::string>{"messages[0].content[1] (raw)"}));
}

TEST(OpenAIProviderRequest, ThinkingDroppedAndReportedOncePerKind) {
  Env env = make_env();
  ChatRequest req;
  req.source = Protocol::Anthropic;
  req.messages.push_back(text_msg(Role::User, "Q1"));
  for (int turn = 0; turn < 2; ++turn) {
    Message a;
    a.role = Role::Assistant;
    ContentPart th;
    th.kind = ContentPart::Kind::Thinking;
    th.text = "hmm";
    th.signature = "sig";
    ContentPart tx;
    tx.text = "A" + std::to_string(turn);
    a.content = {th, tx};
    req.messages.push_back(a);
    req.messages.push_back(text_msg(Role::User, "Q"));
  }
  req.top_k = 40;
  req.reasoning_budget_tokens = 2048;
  TranslationReport rep;
  EXPECT_EQ(body_of(req, env, &rep),
            R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Q1"},)"
            R"({"role":"assistant","content":"A0"},{"role":"user","content":"Q"},)"
            R"({"role":"assistant","content":"A1"},{"role":"user","content":"Q"}]})");
  EXPECT_EQ(rep.dropped, (std::vector<std::string>{"messages[1].content[0] (thinking)", "top_k",
                                                   "reasoning_budget_tokens"}));
}

TEST(OpenAIProviderRequest, SameSourceArrayContentStaysArray) {
  Env env = make_env();
  ChatRequest req;
  req.messages.push_back(text_msg(Role::System, "S", /*was_string=*/false));
  req.messages.push_back(text_msg(Role::User, "U", /*was_string=*/false));
  EXPECT_EQ(body_of(req, env),
            R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":[{"type":"text","text":"S"}]},)"
            R"({"role":"user","content":[{"type":"text","text":"U"}]}]})");
}

// ---------------------------------------------------------------------------------------------
// Error classification

Error classify(int status, std::string_view body, const Headers& headers = {},
               const Env& env = make_env()) {
  return openai_provider().classify_error(status, headers, body, env.d());
}

TEST(OpenAIProviderErrors, RecordedFixtures) {
  Error a = classify(400, read_fixture("openai-chat/error-400-unsupported-parameter.json"));
  EXPECT_EQ(a.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(a.http_status, 400);
  EXPECT_EQ(a.upstream_status, 400);
  EXPECT_EQ(a.param, "max_tokens");
  EXPECT_EQ(a.code, "unsupported_parameter");
  EXPECT_EQ(a.upstream_type, "invalid_request_error");
  EXPECT_EQ(a.provider, "oai");
  EXPECT_EQ(a.message,
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
            "'max_completion_tokens' instead.");

  Error b = classify(400, read_fixture("openai-chat/error-400-unsupported-value.response.json"));
  EXPECT_EQ(b.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(b.param, "messages[0].role");
  EXPECT_EQ(b.code, "unsupported_value");

  Error c = classify(404, read_fixture("openai-chat/error-404-model-not-found.response.json"));
  EXPECT_EQ(c.kind, ErrorKind::NotFound);
  EXPECT_EQ(c.http_status, 404);
  EXPECT_EQ(c.param, "");
  EXPECT_EQ(c.code, "model_not_found");
  EXPECT_EQ(c.message, "The model `gpt-5.2-proo` does not exist or you do not have access to it.");

  Error g = classify(400, read_fixture("openai-compatible/groq-error-400-tool-use-failed.response.json"));
  EXPECT_EQ(g.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(g.http_status, 400);
  EXPECT_EQ(g.code, "tool_use_failed");
  EXPECT_EQ(g.upstream_type, "invalid_request_error");
  EXPECT_EQ(g.message.rfind("Tool call validation failed:", 0), 0u);
}

TEST(OpenAIProviderErrors, QuotaVersusRateLimitAndHeaders) {
  Error q = classify(429, R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})");
  EXPECT_EQ(q.kind, ErrorKind::QuotaExceeded);
  EXPECT_EQ(q.http_status, 429);

  Headers h = {{"Retry-After", "20"},
               {"x-ratelimit-remaining-requests", "0"},
               {"x-ratelimit-reset-tokens", "6m0s"},
               {"x-request-id", "req_123"},
               {"content-type", "application/json"}};
  Error r = classify(429, R"({"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}})", h);
  EXPECT_EQ(r.kind, ErrorKind::RateLimited);
  EXPECT_EQ(r.http_status, 429);
  ASSERT_TRUE(r.retry_after_s.has_value());
  EXPECT_DOUBLE_EQ(*r.retry_after_s, 20.0);
  EXPECT_EQ(r.upstream_request_id, "req_123");
  EXPECT_EQ(r.headers, (std::vector<std::pair<std::string, std::string>>{
                           {"Retry-After", "20"},
                           {"x-ratelimit-remaining-requests", "0"},
                           {"x-ratelimit-reset-tokens", "6m0s"}}));

  Error ms = classify(429, R"({"error":{"message":"slow down"}})", {{"retry-after-ms", "1500"}, {"retry-after", "2"}});
  ASSERT_TRUE(ms.retry_after_s.has_value());
  EXPECT_DOUBLE_EQ(*ms.retry_after_s, 1.5);

  Error past = classify(429, "{}", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}});
  ASSERT_TRUE(past.retry_after_s.has_value());
  EXPECT_DOUBLE_EQ(*past.retry_after_s, 0.0);

  std::time_t later = std::time(nullptr) + 120;
  char date[64];
  std::tm tm{};
  gmtime_r(&later, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  Error future = classify(503, "{}", {{"retry-after", date}});
  EXPECT_EQ(future.kind, ErrorKind::Overloaded);
  ASSERT_TRUE(future.retry_after_s.has_value());
  EXPECT_GE(*future.retry_after_s, 115.0);
  EXPECT_LE(*future.retry_after_s, 120.0);

  Error none = classify(429, "{}", {{"retry-after", "soon"}});
  EXPECT_FALSE(none.retry_after_s.has_value());
}

TEST(OpenAIProviderErrors, StatusMapping) {
  struct Case {
    int status;
    ErrorKind kind;
    int http;
  };
  const char* body = R"({"error":{"message":"m","type":"t","param":null,"code":null}})";
  for (Case c : {Case{400, ErrorKind::InvalidRequest, 400}, Case{422, ErrorKind::InvalidRequest, 400},
                 Case{401, ErrorKind::Authentication, 401}, Case{402, ErrorKind::QuotaExceeded, 429},
                 Case{403, ErrorKind::PermissionDenied, 403}, Case{404, ErrorKind::NotFound, 404},
                 Case{408, ErrorKind::Timeout, 504}, Case{409, ErrorKind::InvalidRequest, 409},
                 Case{413, ErrorKind::PayloadTooLarge, 413}, Case{429, ErrorKind::RateLimited, 429},
                 Case{500, ErrorKind::UpstreamServerError, 500},
                 Case{502, ErrorKind::UpstreamServerError, 502}, Case{503, ErrorKind::Overloaded, 503},
                 Case{504, ErrorKind::Timeout, 504}, Case{529, ErrorKind::Overloaded, 503}}) {
    Error e = classify(c.status, body);
    EXPECT_EQ(e.kind, c.kind) << c.status;
    EXPECT_EQ(e.http_status, c.http) << c.status;
    EXPECT_EQ(e.upstream_status, c.status);
    EXPECT_EQ(e.message, "m");
    EXPECT_EQ(e.upstream_type, "t");
  }
}

TEST(OpenAIProviderErrors, ContextLengthExceeded) {
  Error e = classify(400, R"({"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})");
  EXPECT_EQ(e.kind, ErrorKind::ContextLengthExceeded);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "context_length_exceeded");
  EXPECT_EQ(e.param, "messages");
  EXPECT_EQ(e.message.rfind("This model's maximum context length is 128000 tokens.", 0), 0u);
  // vLLM's top-level error shape, no code string.
  Error v = classify(400, R"({"object":"error","message":"This model's maximum context length is 2048 tokens. However, you requested 3000 tokens.","type":"BadRequestError","param":null,"code":400})");
  EXPECT_EQ(v.kind, ErrorKind::ContextLengthExceeded);
  EXPECT_EQ(v.upstream_type, "BadRequestError");
  EXPECT_EQ(v.code, "");
}

TEST(OpenAIProviderErrors, OverflowCodesAndMessagesAreData) {
  // GitHub Copilot / Codex: no "context" wording, only the code.
  Error c = classify(400, R"({"error":{"message":"prompt token count of 200123 exceeds the limit of 128000","type":"invalid_request_error","code":"model_max_prompt_tokens_exceeded"}})");
  EXPECT_EQ(c.kind, ErrorKind::ContextLengthExceeded);
  EXPECT_EQ(c.code, "model_max_prompt_tokens_exceeded");
  Error l = classify(400, R"({"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}})");
  EXPECT_EQ(l.kind, ErrorKind::ContextLengthExceeded);
  // Only explicit markers: other 400s stay invalid requests.
  Error o = classify(400, R"({"error":{"message":"prompt must be a string","type":"invalid_request_error","code":"invalid_value"}})");
  EXPECT_EQ(o.kind, ErrorKind::InvalidRequest);
}

TEST(OpenAIProviderErrors, NonJsonBodiesAreNeverEchoed) {
  const std::string html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
  Error e = classify(502, html, {{"content-type", "text/html"}});
  EXPECT_EQ(e.kind, ErrorKind::UpstreamProtocol);
  EXPECT_EQ(e.http_status, 502);
  EXPECT_EQ(e.upstream_status, 502);
  // Only a short sanitised snippet (the page title) is kept, never the page (pitfall ER3).
  EXPECT_EQ(e.message, "upstream provider oai returned HTTP 502 with a non-JSON body: 502 Bad Gateway");
  Error s500 = classify(500, "Internal Server Error");
  EXPECT_EQ(s500.kind, ErrorKind::UpstreamProtocol);
  EXPECT_EQ(s500.message,
            "upstream provider oai returned HTTP 500 with a non-JSON body: Internal Server Error");
  Error empty401 = classify(401, "");
  EXPECT_EQ(empty401.kind, ErrorKind::UpstreamProtocol);
  // Status codes whose meaning is clear keep it (retry semantics), still without the body.
  Error rl = classify(429, "Too Many Requests", {{"retry-after", "3"}});
  EXPECT_EQ(rl.kind, ErrorKind::RateLimited);
  EXPECT_EQ(rl.message, "upstream provider oai returned HTTP 429 with a non-JSON body: Too Many Requests");
  EXPECT_DOUBLE_EQ(rl.retry_after_s.value_or(-1), 3.0);
  EXPECT_EQ(classify(503, "<html>down</html>").kind, ErrorKind::Overloaded);
  EXPECT_EQ(classify(504, "<html>timeout</html>").kind, ErrorKind::Timeout);
}

TEST(OpenAIProviderErrors, OtherBodyShapes) {
  Error s = classify(401, R"({"error":"Unauthorized"})");
  EXPECT_EQ(s.kind, ErrorKind::Authentication);
  EXPECT_EQ(s.message, "Unauthorized");
  Error d = classify(422, R"({"detail":"Field required"})");
  EXPECT_EQ(d.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(d.message, "Field required");
  Error g = classify(429, R"([{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}])");
  EXPECT_EQ(g.kind, ErrorKind::RateLimited);
  EXPECT_EQ(g.message, "Resource has been exhausted");
  EXPECT_EQ(g.upstream_type, "RESOURCE_EXHAUSTED");
  Error no_msg = classify(500, "{}");
  EXPECT_EQ(no_msg.kind, ErrorKind::UpstreamServerError);
  EXPECT_EQ(no_msg.message, "upstream provider oai returned HTTP 500");
}

// An upstream JSON error message echoing key-shaped tokens of every provider: all of them go,
// the model name, field path and request id stay (shared with the other providers' tests).
constexpr const char* kEchoMessage =
    "leaked sk-proj-AbCdEf0123456789 and AIzaSyD0123456789abcdefghijklmnopqrstu and Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9 for claude-sonnet-4-5-20250929 at messages.0.content (req_011CVEA3SF7rnb3DuBZytqQa)";
constexpr const char* kEchoScrubbed =
    "leaked [redacted] and [redacted] and Bearer [redacted] for claude-sonnet-4-5-20250929 at messages.0.content (req_011CVEA3SF7rnb3DuBZytqQa)";

TEST(OpenAIProviderErrors, KeyShapedTokensScrubbedInJsonAndStreamErrors) {
  Error e = classify(401, std::string(R"({"error":{"message":")") + kEchoMessage +
                              R"(","type":"invalid_request_error","param":"messages.0.content","code":"invalid_api_key"}})");
  EXPECT_EQ(e.kind, ErrorKind::Authentication);
  EXPECT_EQ(e.message, kEchoScrubbed);
  EXPECT_EQ(e.param, "messages.0.content");
  EXPECT_EQ(e.code, "invalid_api_key");

  Env env = make_env();
  ChatRequest req;
  req.stream = true;
  auto dec = openai_provider().make_decoder(req, env.d(), true);
  testing::Recorder rec;
  std::string body = std::string("data: {\"error\":{\"message\":\"") + kEchoMessage + " " + kKey +
                     "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
  ASSERT_TRUE(dec->feed(body, rec).ok());
  ASSERT_FALSE(rec.events.empty());
  const StreamEvent& ev = rec.events.back();
  ASSERT_EQ(ev.kind, StreamEvent::Kind::Error);
  EXPECT_EQ(ev.error.message, std::string(kEchoScrubbed) + " [redacted]");
}

TEST(OpenAIProviderErrors, SecretsAreScrubbed) {
  Env env = make_env("https://api.openai.com", "my-secret-deployment-key");
  Error e = classify(401, R"({"error":{"message":"Incorrect API key provided: sk-proj-AbCdEf123456*****wxyz. Also my-secret-deployment-key leaked.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})",
                     {}, env);
  EXPECT_EQ(e.kind, ErrorKind::Authentication);
  EXPECT_EQ(e.message, "Incorrect API key provided: [redacted]. Also [redacted] leaked.");
  EXPECT_EQ(e.message.find("my-secret"), std::string::npos);

  // A non-JSON page echoing the key (or any OpenAI-shaped key) keeps its snippet without them.
  Error page = classify(502, "<html><title>bad key my-secret-deployment-key / sk-abcdefgh</title></html>",
                        {{"content-type", "text/html"}}, env);
  EXPECT_EQ(page.message.find("my-secret"), std::string::npos) << page.message;
  EXPECT_EQ(page.message.find("sk-abcdefgh"), std::string::npos) << page.message;
  EXPECT_NE(page.message.find("bad key"), std::string::npos) << page.message;
}

TEST(OpenAIProvider, RateLimitHeadersForwardedOnSuccess) {
  Headers up = {{"x-ratelimit-remaining-requests", "59"}, {"x-request-id", "r1"}, {"openai-processing-ms", "5"}};
  Headers expected = {{"x-ratelimit-remaining-requests", "59"}};
  EXPECT_EQ(openai_provider().forwarded_response_headers(up), expected);
}

}  // namespace
}  // namespace openrain::providers
