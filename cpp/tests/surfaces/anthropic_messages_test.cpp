// Anthropic Messages surface: request decoding (every recorded request, key translations, error
// paths with exact field names), the count_tokens estimate, and error rendering per kind.
// Stream / body rendering tests live in anthropic_messages_encode_test.cpp.
#include "surfaces/anthropic_messages.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "json/reader.hpp"
#include "providers/carry.hpp"
#include "surfaces/token_estimate.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::surfaces {
namespace {

/// Turn a recorded `<case>.request.json` envelope into the HttpRequest the engine would see.
HttpRequest load_envelope(const std::string& abs_or_rel) {
  std::string text = testing::read_fixture(abs_or_rel);
  json::Reader reader;
  auto parsed = reader.parse(text);
  EXPECT_TRUE(parsed.ok()) << abs_or_rel;
  HttpRequest req;
  if (!parsed.ok()) return req;
  json::Object o = parsed.value().get_object().value();
  req.method = std::string(json::get_string(o, "method"));
  std::string path(json::get_string(o, "path"));
  if (auto q = path.find('?'); q != std::string::npos) {
    req.query = path.substr(q + 1);
    path.resize(q);
  }
  req.path = path;
  if (auto h = json::get_object(o, "headers")) {
    for (auto f : *h) {
      std::string name(f.key);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string_view v;
      if (f.value.get_string().get(v) == simdjson::SUCCESS) req.headers.emplace_back(name, v);
    }
  }
  json::Element body;
  EXPECT_EQ(o.at_key("body").get(body), simdjson::SUCCESS);
  req.body = json::to_json(body);
  return req;
}

HttpRequest body_request(std::string body) {
  HttpRequest req;
  req.path = "/v1/messages";
  req.body = std::move(body);
  return req;
}

Result<ChatRequest> parse(std::string body) {
  return anthropic_messages_surface().parse_request(body_request(std::move(body)));
}

const char* kMinimalTail = R"("model":"claude-x","max_tokens":64)";

std::string with_messages(const std::string& messages, const std::string& extra = {}) {
  return std::string("{") + kMinimalTail + ",\"messages\":" + messages +
         (extra.empty() ? "" : "," + extra) + "}";
}

// ---- every recorded request -----------------------------------------------------------------

TEST(AnthropicMessagesSurfaceParse, EveryRecordedRequestParses) {
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(OPENRAIN_FIXTURES_DIR) / "anthropic")) {
    std::string name = entry.path().filename().string();
    if (name.size() < 13 || name.substr(name.size() - 13) != ".request.json") continue;
    ++count;
    HttpRequest req = load_envelope(entry.path().string());
    auto r = anthropic_messages_surface().parse_request(req);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
    EXPECT_EQ(r->source, Protocol::Anthropic) << name;
    EXPECT_FALSE(r->model.empty()) << name;
    EXPECT_FALSE(r->messages.empty()) << name;
  }
  EXPECT_EQ(count, 15);
}

TEST(AnthropicMessagesSurfaceParse, ToolResultFollowupBecomesToolMessages) {
  auto r = anthropic_messages_surface().parse_request(
      load_envelope("anthropic/tool-result-followup.request.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& ms = r->messages;
  ASSERT_EQ(ms.size(), 7u);  // system, user, assistant, 4 tool results
  EXPECT_EQ(ms[0].role, Role::System);
  EXPECT_TRUE(ms[0].content_was_string);
  EXPECT_EQ(ms[1].role, Role::User);
  EXPECT_FALSE(ms[1].content_was_string);
  EXPECT_EQ(ms[1].content[0].text, "Alice, Bob, Charlie and Daisy are a family. Who is the youngest?");
  EXPECT_EQ(ms[2].role, Role::Assistant);
  ASSERT_EQ(ms[2].content.size(), 1u);
  ASSERT_EQ(ms[2].tool_calls.size(), 4u);
  EXPECT_EQ(ms[2].tool_calls[0].id, "toolu_0167cfEnoQaPviGdVXA95zcu");
  EXPECT_EQ(ms[2].tool_calls[0].name, "retrieve_entity_info");
  EXPECT_EQ(ms[2].tool_calls[0].arguments, R"({"name":"Alice"})");
  EXPECT_EQ(ms[2].tool_calls[3].arguments, R"({"name":"Daisy"})");
  const char* results[] = {"alice is bob's wife", "bob is alice's husband",
                           "charlie is alice's son",
                           "daisy is bob's daughter and charlie's younger sister"};
  for (int k = 0; k < 4; ++k) {
    const Message& t = ms[3 + k];
    EXPECT_EQ(t.role, Role::Tool);
    EXPECT_EQ(t.tool_call_id, ms[2].tool_calls[k].id);
    EXPECT_EQ(t.tool_name, "retrieve_entity_info");
    EXPECT_TRUE(t.content_was_string);
    EXPECT_FALSE(t.is_error);
    ASSERT_EQ(t.content.size(), 1u);
    EXPECT_EQ(t.content[0].text, results[k]);
  }
  EXPECT_EQ(r->tool_choice.mode, ToolChoice::Mode::Auto);
  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].name, "retrieve_entity_info");
  EXPECT_EQ(r->tools[0].description, "Get the knowledge about the given entity.");
  EXPECT_EQ(r->tools[0].parameters,
            R"({"additionalProperties":false,"properties":{"name":{"type":"string"}},)"
            R"("required":["name"],"type":"object"})");
  EXPECT_TRUE(r->tools[0].raw_extras.empty());
  EXPECT_FALSE(r->stream);
  EXPECT_EQ(r->max_tokens, 4096);
}

TEST(AnthropicMessagesSurfaceParse, ToolUseWithCallerAndStreamFlag) {
  auto r = anthropic_messages_surface().parse_request(
      load_envelope("anthropic/tool-result-followup-stream.request.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 3u);
  ASSERT_EQ(r->messages[1].tool_calls.size(), 1u);
  EXPECT_EQ(r->messages[1].tool_calls[0].arguments,
            R"({"location":"San Francisco, CA","units":"f"})");
  EXPECT_TRUE(r->messages[1].content.empty());
  EXPECT_EQ(r->messages[2].role, Role::Tool);
  EXPECT_EQ(r->messages[2].tool_name, "get_weather");
  EXPECT_EQ(r->messages[2].content[0].text,
            "{\"location\": \"San Francisco, CA\", \"temperature\": \"68\\u00b0F\", "
            "\"condition\": \"Sunny\"}");
  EXPECT_TRUE(r->stream);
}

TEST(AnthropicMessagesSurfaceParse, RecordedFieldTranslations) {
  auto cache = anthropic_messages_surface().parse_request(
      load_envelope("anthropic/cache-usage.request.json"));
  ASSERT_TRUE(cache.ok());
  ASSERT_EQ(cache->extras.size(), 1u);
  EXPECT_EQ(cache->extras[0].key, "cache_control");
  EXPECT_EQ(cache->extras[0].json, R"({"ttl":"5m","type":"ephemeral"})");
  EXPECT_EQ(cache->messages[0].role, Role::System);
  EXPECT_EQ(cache->messages[0].content[0].text, "You are a helpful assistant.");

  auto thinking = anthropic_messages_surface().parse_request(
      load_envelope("anthropic/thinking.request.json"));
  ASSERT_TRUE(thinking.ok());
  EXPECT_EQ(thinking->reasoning_budget_tokens, 1024);
  EXPECT_TRUE(thinking->include_thoughts);
  EXPECT_TRUE(thinking->reasoning_effort.empty());
  ASSERT_EQ(thinking->extras.size(), 1u);
  EXPECT_EQ(thinking->extras[0].json, R"({"budget_tokens":1024,"type":"enabled"})");

  auto so = anthropic_messages_surface().parse_request(
      load_envelope("anthropic/structured-output-stream.request.json"));
  ASSERT_TRUE(so.ok());
  EXPECT_EQ(so->response_format.kind, ResponseFormat::Kind::JsonSchema);
  EXPECT_EQ(so->response_format.schema, R"({"type":"array","items":{"type":"integer"}})");
  EXPECT_TRUE(so->messages[0].content_was_string);
  ASSERT_EQ(so->extras.size(), 1u);
  EXPECT_EQ(so->extras[0].key, "output_config");
  EXPECT_EQ(so->extras[0].json,
            R"({"format":{"type":"json_schema","schema":{"type":"array","items":{"type":"integer"}}}})");

  auto stop = anthropic_messages_surface().parse_request(
      load_envelope("anthropic/stop-sequence-prefill-stream.request.json"));
  ASSERT_TRUE(stop.ok());
  ASSERT_EQ(stop->stop.size(), 1u);
  EXPECT_EQ(stop->stop[0], "```");
  EXPECT_EQ(stop->temperature, 1.0);
  EXPECT_EQ(stop->messages.back().role, Role::Assistant);
  EXPECT_EQ(stop->messages.back().content[0].text, "```python");

  auto orphan = anthropic_messages_surface().parse_request(
      load_envelope("anthropic/error-400-invalid-request.request.json"));
  ASSERT_TRUE(orphan.ok());
  ASSERT_EQ(orphan->forward_headers.size(), 1u);
  EXPECT_EQ(orphan->forward_headers[0].first, "anthropic-beta");
  EXPECT_EQ(orphan->forward_headers[0].second, "structured-outputs-2025-12-15");
  ASSERT_EQ(orphan->messages.size(), 2u);
  EXPECT_EQ(orphan->messages[1].role, Role::Tool);
  EXPECT_EQ(orphan->messages[1].tool_call_id, "toolu_01GHndag5wQmbzNihYmV2UBj");
  EXPECT_EQ(orphan->messages[1].tool_name, "");  // no earlier tool_use to resolve it from
}

TEST(AnthropicMessagesSurfaceParse, CountTokensDoesNotRequireMaxTokens) {
  HttpRequest req = load_envelope("anthropic/count-tokens.request.json");
  EXPECT_EQ(req.path, "/v1/messages/count_tokens");
  auto via_surface = anthropic_messages_surface().parse_request(req);
  ASSERT_TRUE(via_surface.ok()) << via_surface.error().message;
  EXPECT_FALSE(via_surface->max_tokens.has_value());
  auto strict = parse_anthropic_request(req, true);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().param, "max_tokens");
  EXPECT_EQ(strict.error().message, "max_tokens: Field required");
}

// ---- synthetic translations -----------------------------------------------------------------

TEST(AnthropicMessagesSurfaceParse, SystemBlocksKeepCacheControlAndComeFirst) {
  auto r = parse(std::string("{") + kMinimalTail +
                 R"(,"messages":[{"role":"user","content":"hi"}],"system":[)"
                 R"({"type":"text","text":"A","cache_control":{"type":"ephemeral","ttl":"1h"}},)"
                 R"({"type":"text","text":"B","citations":null}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 2u);
  const Message& sys = r->messages[0];
  EXPECT_EQ(sys.role, Role::System);
  EXPECT_FALSE(sys.content_was_string);
  ASSERT_EQ(sys.content.size(), 2u);
  EXPECT_EQ(sys.content[0].text, "A");
  EXPECT_EQ(sys.content[0].raw, R"({"cache_control":{"type":"ephemeral","ttl":"1h"}})");
  EXPECT_EQ(sys.content[1].text, "B");
  EXPECT_EQ(sys.content[1].raw, "");
  EXPECT_EQ(r->messages[1].role, Role::User);
}

TEST(AnthropicMessagesSurfaceParse, ToolResultsComeBeforeRemainingUserContent) {
  auto r = parse(with_messages(
      R"([{"role":"assistant","content":[{"type":"tool_use","id":"toolu_A","name":"fa","input":{}},)"
      R"({"type":"tool_use","id":"toolu_B","name":"fb","input":{"x":[1,2]}}]},)"
      R"({"role":"user","content":[{"type":"text","text":"before"},)"
      R"({"type":"tool_result","tool_use_id":"toolu_A","content":"ra"},)"
      R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},)"
      R"({"type":"tool_result","tool_use_id":"toolu_B","is_error":true,"cache_control":{"type":"ephemeral"},)"
      R"("content":[{"type":"text","text":"boom"},{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]},)"
      R"({"type":"text","text":"after"}]}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& ms = r->messages;
  ASSERT_EQ(ms.size(), 4u);
  EXPECT_EQ(ms[0].tool_calls[1].arguments, R"({"x":[1,2]})");
  EXPECT_EQ(ms[0].tool_calls[0].arguments, "{}");

  EXPECT_EQ(ms[1].role, Role::Tool);
  EXPECT_EQ(ms[1].tool_call_id, "toolu_A");
  EXPECT_EQ(ms[1].tool_name, "fa");
  EXPECT_FALSE(ms[1].is_error);
  ASSERT_EQ(ms[1].content.size(), 1u);
  EXPECT_EQ(ms[1].content[0].text, "ra");

  EXPECT_EQ(ms[2].role, Role::Tool);
  EXPECT_EQ(ms[2].tool_call_id, "toolu_B");
  EXPECT_EQ(ms[2].tool_name, "fb");
  EXPECT_TRUE(ms[2].is_error);
  EXPECT_FALSE(ms[2].content_was_string);
  ASSERT_EQ(ms[2].content.size(), 2u);
  EXPECT_EQ(ms[2].content[0].text, "boom");
  EXPECT_EQ(ms[2].content[0].raw, "");
  EXPECT_EQ(ms[2].content[1].kind, ContentPart::Kind::Image);
  EXPECT_EQ(ms[2].content[1].url, "https://x/y.png");
  EXPECT_EQ(ms[2].content[1].raw, R"({"cache_control":{"type":"ephemeral"}})");

  EXPECT_EQ(ms[3].role, Role::User);
  ASSERT_EQ(ms[3].content.size(), 3u);
  EXPECT_EQ(ms[3].content[0].text, "before");
  EXPECT_EQ(ms[3].content[1].kind, ContentPart::Kind::Image);
  EXPECT_EQ(ms[3].content[1].media_type, "image/png");
  EXPECT_EQ(ms[3].content[1].data, "iVBORw0KGgo=");
  EXPECT_EQ(ms[3].content[1].url, "");
  EXPECT_EQ(ms[3].content[2].text, "after");
}

TEST(AnthropicMessagesSurfaceParse, ThinkingBlocksKeepTextAndSignatureExactly) {
  const std::string sig =
      "EqQBCkYIBxgCKkBmx4Dm/+abc+/=ZZ9vWq1/Rz7o8XdQ3j0tQ0U2Zr6VwYt8hP6VXo2lGq4nYbEwJwW4M4bPA==";
  auto r = parse(with_messages(
      R"([{"role":"user","content":"q"},{"role":"assistant","content":[)"
      R"({"type":"thinking","thinking":"Let me \"think\"\n\u00e9\u2028 ok","signature":")" + sig +
      R"("},{"type":"redacted_thinking","data":"EmwKAhgBEgy+opaque/data=="},)"
      R"({"type":"text","text":"Calling.","cache_control":{"type":"ephemeral"}},)"
      R"({"type":"tool_use","id":"toolu_1","name":"f","input":{"a":"b"}}]}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Message& a = r->messages[1];
  ASSERT_EQ(a.content.size(), 3u);
  EXPECT_EQ(a.content[0].kind, ContentPart::Kind::Thinking);
  EXPECT_EQ(a.content[0].text, "Let me \"think\"\n\xc3\xa9\xe2\x80\xa8 ok");
  EXPECT_EQ(a.content[0].signature, sig);
  EXPECT_EQ(a.content[1].kind, ContentPart::Kind::RedactedThinking);
  EXPECT_EQ(a.content[1].data, "EmwKAhgBEgy+opaque/data==");
  EXPECT_EQ(a.content[2].text, "Calling.");
  EXPECT_EQ(a.content[2].raw, R"({"cache_control":{"type":"ephemeral"}})");
  ASSERT_EQ(a.tool_calls.size(), 1u);
  EXPECT_EQ(a.tool_calls[0].arguments, R"({"a":"b"})");
}

TEST(AnthropicMessagesSurfaceParse, CarriedIdsAndSignaturesDecode) {
  // What this surface showed for a Gemini upstream comes back as Gemini's own values.
  const std::string shown_id = providers::anthropic_tool_id("call_0123456789abcdef", "c2lnLTE=");
  const std::string shown_sig = providers::wrap_signature(Protocol::Gemini, "c2lnLTE=");
  auto r = parse(with_messages(
      R"([{"role":"user","content":"q"},{"role":"assistant","content":[)"
      R"({"type":"thinking","thinking":"Plan.","signature":")" + shown_sig + R"("},)"
      R"({"type":"tool_use","id":")" + shown_id + R"(","name":"f","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":")" + shown_id +
      R"(","content":"ok"}]}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Message& a = r->messages[1];
  EXPECT_EQ(a.content[0].signature, "c2lnLTE=");
  EXPECT_EQ(a.content[0].signature_origin, Protocol::Gemini);
  EXPECT_EQ(a.tool_calls[0].id, "call_0123456789abcdef");
  EXPECT_EQ(a.tool_calls[0].thought_signature, "c2lnLTE=");
  const Message& t = r->messages[2];
  EXPECT_EQ(t.tool_call_id, "call_0123456789abcdef");
  EXPECT_EQ(t.tool_name, "f");
  // Anthropic's own ids and signatures are untouched.
  auto own = parse(with_messages(
      R"([{"role":"user","content":"q"},{"role":"assistant","content":[)"
      R"({"type":"thinking","thinking":"x","signature":"EqQB"},)"
      R"({"type":"tool_use","id":"toolu_01AB","name":"f","input":{}}]}])"));
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->messages[1].content[0].signature, "EqQB");
  EXPECT_FALSE(own->messages[1].content[0].signature_origin.has_value());
  EXPECT_EQ(own->messages[1].tool_calls[0].id, "toolu_01AB");
  EXPECT_EQ(own->messages[1].tool_calls[0].thought_signature, "");
}

TEST(AnthropicMessagesSurfaceParse, Base64AndUrlDocumentsBecomeFileParts) {
  auto r = parse(with_messages(
      R"([{"role":"user","content":[)"
      R"({"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="},)"
      R"("title":"t","citations":{"enabled":true},"cache_control":{"type":"ephemeral"}},)"
      R"({"type":"document","source":{"type":"url","url":"https://x/a.pdf"}},)"
      R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"abc"}}]}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& u = r->messages[0].content;
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].kind, ContentPart::Kind::File);
  EXPECT_EQ(u[0].media_type, "application/pdf");
  EXPECT_EQ(u[0].data, "JVBERi0=");
  EXPECT_EQ(u[0].filename, "t");
  EXPECT_EQ(u[0].raw,
            R"({"title":"t","citations":{"enabled":true},"cache_control":{"type":"ephemeral"}})");
  EXPECT_EQ(u[1].kind, ContentPart::Kind::File);
  EXPECT_EQ(u[1].url, "https://x/a.pdf");
  EXPECT_TRUE(u[1].raw.empty());
  EXPECT_EQ(u[2].kind, ContentPart::Kind::Raw);  // text sources: Anthropic upstreams only
}

TEST(AnthropicMessagesSurfaceParse, ServerToolsAreServerKind) {
  auto r = parse(with_messages(R"([{"role":"user","content":"hi"}])",
                               R"("tools":[{"type":"web_search_20250305","name":"web_search",)"
                               R"("max_uses":2},{"name":"f","input_schema":{"type":"object"}}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->tools.size(), 2u);
  EXPECT_EQ(r->tools[0].kind, ToolDef::Kind::Server);
  EXPECT_EQ(r->tools[0].type, "web_search_20250305");
  EXPECT_EQ(r->tools[0].name, "web_search");
  EXPECT_EQ(r->tools[0].raw_extras, R"({"type":"web_search_20250305","name":"web_search","max_uses":2})");
  EXPECT_EQ(r->tools[1].kind, ToolDef::Kind::Function);
}

TEST(AnthropicMessagesSurfaceParse, FilesAndServerBlocksTravelRaw) {
  auto r = parse(with_messages(
      R"([{"role":"user","content":[)"
      R"({"type":"document","source":{"type":"file","file_id":"file_012"},"title":"t"},)"
      R"({"type":"image","source":{"type":"file","file_id":"file_011"}},)"
      R"({"type":"search_result","source":"s","title":"t","content":[{"type":"text","text":"x"}]}]},)"
      R"({"role":"assistant","content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}}]}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& u = r->messages[0].content;
  ASSERT_EQ(u.size(), 3u);
  for (const auto& p : u) EXPECT_EQ(p.kind, ContentPart::Kind::Raw);
  EXPECT_EQ(u[0].raw, R"({"type":"document","source":{"type":"file","file_id":"file_012"},"title":"t"})");
  EXPECT_EQ(u[1].raw, R"({"type":"image","source":{"type":"file","file_id":"file_011"}})");
  const auto& a = r->messages[1].content;
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, ContentPart::Kind::Raw);
  EXPECT_EQ(a[0].raw,
            R"({"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}})");
  EXPECT_TRUE(r->messages[1].tool_calls.empty());
}

TEST(AnthropicMessagesSurfaceParse, ControlsAndPassthroughFields) {
  HttpRequest req = body_request(with_messages(
      R"([{"role":"user","content":"hi"}])",
      R"("tools":[{"name":"f","description":"d","input_schema":{"type":"object"},"strict":true,)"
      R"("cache_control":{"type":"ephemeral"},"eager_input_streaming":true}],)"
      R"("tool_choice":{"type":"any","disable_parallel_tool_use":true},)"
      R"("temperature":0.5,"top_p":0.9,"top_k":40,"metadata":{"user_id":"u-1"},)"
      R"("stream":true,"service_tier":"auto","container":"c1","inference_geo":"us",)"
      R"("mcp_servers":[{"type":"url","url":"https://m","name":"m"}],)"
      R"("context_management":{"edits":[]},"thinking":{"type":"adaptive"},)"
      R"("output_config":{"effort":"high"})"));
  req.headers.emplace_back("anthropic-beta", "context-1m-2025-08-07, interleaved-thinking-2025-05-14");
  req.headers.emplace_back("anthropic-version", "2023-06-01");
  req.headers.emplace_back("anthropic-beta", "mcp-client-2025-11-20");
  auto r = anthropic_messages_surface().parse_request(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].parameters, R"({"type":"object"})");
  EXPECT_EQ(r->tools[0].strict, true);
  EXPECT_EQ(r->tools[0].raw_extras,
            R"({"cache_control":{"type":"ephemeral"},"eager_input_streaming":true})");
  EXPECT_EQ(r->tool_choice.mode, ToolChoice::Mode::Required);
  EXPECT_EQ(r->parallel_tool_calls, false);
  EXPECT_EQ(r->temperature, 0.5);
  EXPECT_EQ(r->top_p, 0.9);
  EXPECT_EQ(r->top_k, 40);
  EXPECT_EQ(r->user, "u-1");
  EXPECT_TRUE(r->stream);
  EXPECT_EQ(r->reasoning_effort, "high");
  EXPECT_TRUE(r->include_thoughts);
  EXPECT_FALSE(r->reasoning_budget_tokens.has_value());
  std::string extras;
  for (const auto& f : r->extras) extras += f.key + "=" + f.json + ";";
  EXPECT_EQ(extras,
            "metadata={\"user_id\":\"u-1\"};service_tier=\"auto\";container=\"c1\";"
            "inference_geo=\"us\";"
            "mcp_servers=[{\"type\":\"url\",\"url\":\"https://m\",\"name\":\"m\"}];"
            "context_management={\"edits\":[]};thinking={\"type\":\"adaptive\"};"
            "output_config={\"effort\":\"high\"};");
  ASSERT_EQ(r->forward_headers.size(), 1u);
  EXPECT_EQ(r->forward_headers[0].second,
            "context-1m-2025-08-07, interleaved-thinking-2025-05-14,mcp-client-2025-11-20");
}

TEST(AnthropicMessagesSurfaceParse, ToolChoiceAndThinkingVariants) {
  auto forced = parse(with_messages(
      R"([{"role":"user","content":"hi"}])",
      R"("tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"f"},)"
      R"("thinking":{"type":"adaptive"})"));
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ(forced->tool_choice.mode, ToolChoice::Mode::Function);
  EXPECT_EQ(forced->tool_choice.name, "f");
  EXPECT_FALSE(forced->parallel_tool_calls.has_value());
  EXPECT_EQ(forced->reasoning_effort, "medium");

  auto none = parse(with_messages(R"([{"role":"user","content":"hi"}])",
                                  R"("tool_choice":{"type":"none"},"thinking":{"type":"disabled"})"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->tool_choice.mode, ToolChoice::Mode::None);
  EXPECT_FALSE(none->include_thoughts);
  EXPECT_TRUE(none->reasoning_effort.empty());

  auto omitted = parse(with_messages(
      R"([{"role":"user","content":"hi"}])",
      R"("thinking":{"type":"enabled","budget_tokens":2048,"display":"omitted"})"));
  ASSERT_TRUE(omitted.ok());
  EXPECT_EQ(omitted->reasoning_budget_tokens, 2048);
  EXPECT_FALSE(omitted->include_thoughts);
}

TEST(AnthropicMessagesSurfaceParse, ServerToolsTravelRawForAnAnthropicUpstream) {
  auto r = parse(with_messages(
      R"([{"role":"user","content":"hi"}])",
      R"("tools":[{"name":"f","input_schema":{"type":"object"}},)"
      R"({"type":"web_search_20250305","name":"web_search","max_uses":5},)"
      R"({"type":"custom","name":"g","input_schema":{"type":"object","properties":{}}}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->tools.size(), 3u);
  EXPECT_EQ(r->tools[1].name, "web_search");
  EXPECT_EQ(r->tools[1].parameters, "");
  EXPECT_EQ(r->tools[1].raw_extras,
            R"({"type":"web_search_20250305","name":"web_search","max_uses":5})");
  EXPECT_EQ(r->tools[2].name, "g");
  EXPECT_EQ(r->tools[2].parameters, R"({"type":"object","properties":{}})");
  EXPECT_EQ(r->tools[2].raw_extras, "");
}

// ---- error paths ----------------------------------------------------------------------------

struct ErrCase {
  std::string body;
  std::string param;
  std::string message;
};

TEST(AnthropicMessagesSurfaceParse, ErrorsNameTheField) {
  const std::string msgs = R"("messages":[{"role":"user","content":"hi"}])";
  std::vector<ErrCase> cases = {
      {R"({"model":"m",)" + msgs + "}", "max_tokens", "max_tokens: Field required"},
      {R"({"max_tokens":5,)" + msgs + "}", "model", "model: Field required"},
      {R"({"model":"m","max_tokens":5})", "messages", "messages: Field required"},
      {R"({"model":"m","max_tokens":"100",)" + msgs + "}", "max_tokens",
       "max_tokens: Input should be a valid integer"},
      {R"({"model":"m","max_tokens":0,)" + msgs + "}", "max_tokens",
       "max_tokens: Input should be greater than or equal to 1"},
      {R"({"model":7,"max_tokens":5,)" + msgs + "}", "model", "model: Input should be a valid string"},
      {R"({"model":"m","max_tokens":5,"messages":{}})", "messages",
       "messages: Input should be a valid list"},
      {R"({"model":"m","max_tokens":5,"messages":[]})", "messages",
       "messages: at least one message is required"},
      {with_messages(R"([{"role":"user","content":"a"},{"role":"system","content":"b"}])"),
       "messages[1].role", "messages[1].role: Input should be 'user' or 'assistant'"},
      {with_messages(R"([{"role":"user"}])"), "messages[0].content",
       "messages[0].content: Field required"},
      {with_messages(R"([{"role":"user","content":[{"type":"image"}]}])"),
       "messages[0].content[0].source", "messages[0].content[0].source: Field required"},
      {with_messages(
           R"([{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png"}}]}])"),
       "messages[0].content[0].source.data", "messages[0].content[0].source.data: Field required"},
      {with_messages(R"([{"role":"user","content":[{"type":"text","text":5}]}])"),
       "messages[0].content[0].text", "messages[0].content[0].text: Input should be a valid string"},
      {with_messages(R"([{"role":"user","content":[{"text":"x"}]}])"), "messages[0].content[0].type",
       "messages[0].content[0].type: Field required"},
      {with_messages(R"([{"role":"user","content":[{"type":"tool_use","id":"a","name":"b","input":{}}]}])"),
       "messages[0].content[0]",
       "messages[0].content[0]: tool_use blocks are only allowed in assistant messages"},
      {with_messages(R"([{"role":"user","content":"x"}])", R"("foo":1)"), "foo",
       "foo: Extra inputs are not permitted"},
      {with_messages(R"([{"role":"user","content":"x"}])", R"("temperature":1.5)"), "temperature",
       "temperature: Input should be less than or equal to 1"},
      {with_messages(R"([{"role":"user","content":"x"}])", R"("stop_sequences":["a",3])"),
       "stop_sequences[1]", "stop_sequences[1]: Input should be a valid string"},
      {with_messages(R"([{"role":"user","content":"x"}])", R"("tools":[{"name":"f"}])"),
       "tools[0].input_schema", "tools[0].input_schema: Field required"},
      {with_messages(R"([{"role":"user","content":"x"}])", R"("tool_choice":{"type":"required"})"),
       "tool_choice.type",
       "tool_choice.type: Input tag 'required' found using 'type' does not match any of the "
       "expected tags: 'auto', 'any', 'tool', 'none'"},
      {with_messages(R"([{"role":"user","content":"x"}])", R"("thinking":{"type":"enabled"})"),
       "thinking.budget_tokens", "thinking.budget_tokens: Field required"},
      {with_messages(R"([{"role":"user","content":"x"}])", R"("stream":"yes")"), "stream",
       "stream: Input should be a valid boolean"},
  };
  for (const auto& c : cases) {
    auto r = parse(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest) << c.body;
    EXPECT_EQ(r.error().http_status, 400) << c.body;
    EXPECT_EQ(r.error().param, c.param) << c.body;
    EXPECT_EQ(r.error().message, c.message) << c.body;
  }
}

TEST(AnthropicMessagesSurfaceParse, MalformedBodies) {
  auto bad_json = parse("{\"model\":");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.error().kind, ErrorKind::InvalidRequest);
  auto not_object = parse("[1,2]");
  ASSERT_FALSE(not_object.ok());
  EXPECT_EQ(not_object.error().kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(not_object.error().param, "");
}

// ---- count_tokens estimate ------------------------------------------------------------------

TEST(AnthropicMessagesSurfaceCountTokens, EstimateIsDeterministicAndAdditive) {
  ChatRequest req;
  Message u;
  u.role = Role::User;
  ContentPart t;
  t.text = "12345678";  // 8 ASCII bytes -> 2 tokens
  u.content.push_back(t);
  req.messages.push_back(u);
  // base 3 + message 4 + text 2
  EXPECT_EQ(estimate_input_tokens(req), 9);

  ContentPart img;
  img.kind = ContentPart::Kind::Image;
  img.url = "https://x/y.png";
  req.messages[0].content.push_back(img);
  ContentPart cjk;
  cjk.text = "\xe4\xbd\xa0\xe5\xa5\xbd";  // two non-ASCII code points -> 2 tokens
  req.messages[0].content.push_back(cjk);
  EXPECT_EQ(estimate_input_tokens(req), 9 + 1600 + 2);

  ToolDef tool;
  tool.name = "abcd";                       // 4 bytes
  tool.parameters = R"({"type":"object"})";  // 17 bytes
  req.tools.push_back(tool);
  // ASCII 8 + 4 + 17 = 29 -> 8 tokens; + 300 tool prompt + 8 per tool
  EXPECT_EQ(estimate_input_tokens(req), 3 + 4 + 8 + 1600 + 2 + 300 + 8);
  EXPECT_EQ(estimate_input_tokens(req), estimate_input_tokens(req));
}

TEST(AnthropicMessagesSurfaceCountTokens, RecordedRequestEstimateIsNearTheRealCount) {
  auto r = anthropic_messages_surface().parse_request(
      load_envelope("anthropic/count-tokens.request.json"));
  ASSERT_TRUE(r.ok());
  int64_t n = estimate_input_tokens(*r);
  // Anthropic counted 1114; the estimate may err high but stays in the same range.
  EXPECT_GE(n, 1114);
  EXPECT_LE(n, 1114 * 3 / 2);
  std::string body;
  render_anthropic_count_tokens(n, body);
  EXPECT_EQ(body, "{\"input_tokens\":" + std::to_string(n) + "}");
}

// ---- error rendering ------------------------------------------------------------------------

TEST(AnthropicMessagesSurfaceErrors, KindsMapToAnthropicTypesAndStatuses) {
  struct Case {
    ErrorKind kind;
    int status;
    const char* type;
  };
  const Case cases[] = {
      {ErrorKind::InvalidRequest, 400, "invalid_request_error"},
      {ErrorKind::UnsupportedParameter, 400, "invalid_request_error"},
      {ErrorKind::ContextLengthExceeded, 400, "invalid_request_error"},
      {ErrorKind::Authentication, 401, "authentication_error"},
      {ErrorKind::PermissionDenied, 403, "permission_error"},
      {ErrorKind::NotFound, 404, "not_found_error"},
      {ErrorKind::PayloadTooLarge, 413, "request_too_large"},
      {ErrorKind::RateLimited, 429, "rate_limit_error"},
      {ErrorKind::QuotaExceeded, 402, "billing_error"},
      {ErrorKind::Overloaded, 529, "overloaded_error"},
      {ErrorKind::Timeout, 504, "timeout_error"},
      {ErrorKind::UpstreamServerError, 500, "api_error"},
      {ErrorKind::UpstreamConnection, 502, "api_error"},
      {ErrorKind::UpstreamProtocol, 502, "api_error"},
      {ErrorKind::StreamInterrupted, 502, "api_error"},
      {ErrorKind::Internal, 500, "api_error"},
  };
  for (const auto& c : cases) {
    Error e = Error::make(c.kind, "boom");
    ResponseHead head;
    std::string body;
    anthropic_messages_surface().render_error(e, head, body);
    EXPECT_EQ(head.status, c.status) << error_kind_name(c.kind);
    std::string want_msg = c.kind == ErrorKind::ContextLengthExceeded ? "prompt is too long: boom"
                                                                       : "boom";
    EXPECT_EQ(body, std::string(R"({"type":"error","error":{"type":")") + c.type +
                        R"(","message":")" + want_msg + R"("}})")
        << error_kind_name(c.kind);
    ASSERT_FALSE(head.headers.empty());
    EXPECT_EQ(head.headers[0].first, "content-type");
    EXPECT_EQ(head.headers[0].second, "application/json");
  }
}

TEST(AnthropicMessagesSurfaceErrors, PromptTooLongWordingIsGuaranteedOnce) {
  Error openai = Error::make(ErrorKind::ContextLengthExceeded,
                             "This model's maximum context length is 128000 tokens.");
  EXPECT_EQ(anthropic_error_message(openai),
            "prompt is too long: This model's maximum context length is 128000 tokens.");
  Error native = Error::make(ErrorKind::ContextLengthExceeded,
                             "Prompt is too long: 210000 tokens > 200000 maximum");
  EXPECT_EQ(anthropic_error_message(native), "Prompt is too long: 210000 tokens > 200000 maximum");
  Error empty = Error::make(ErrorKind::ContextLengthExceeded, "");
  EXPECT_EQ(anthropic_error_message(empty), "prompt is too long");
}

TEST(AnthropicMessagesSurfaceErrors, HeadersRetryAfterAndRequestId) {
  Error e = Error::make(ErrorKind::RateLimited, "slow down");
  e.retry_after_s = 1.2;
  e.upstream_request_id = "req_011CYK5n67SytMUxm8WMZUWY";
  e.headers = {{"anthropic-ratelimit-requests-remaining", "0"}, {"x-should-retry", "true"}};
  ResponseHead head;
  head.headers.emplace_back("content-type", "text/plain");
  std::string body = "stale";
  render_anthropic_error(e, head, body);
  EXPECT_EQ(head.status, 429);
  Headers want = {{"content-type", "application/json"},
                  {"anthropic-ratelimit-requests-remaining", "0"},
                  {"x-should-retry", "true"},
                  {"retry-after", "2"}};
  EXPECT_EQ(head.headers, want);
  EXPECT_EQ(body,
            R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"},)"
            R"("request_id":"req_011CYK5n67SytMUxm8WMZUWY"})");

  Error given = Error::make(ErrorKind::Overloaded, "");
  given.retry_after_s = 30;
  given.headers = {{"retry-after", "7"}};
  ResponseHead h2;
  std::string b2;
  render_anthropic_error(given, h2, b2);
  Headers want2 = {{"content-type", "application/json"}, {"retry-after", "7"}};
  EXPECT_EQ(h2.headers, want2);
  EXPECT_EQ(b2, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
}

TEST(AnthropicMessagesSurfaceErrors, ParseErrorRendersAsInvalidRequest) {
  auto r = parse(with_messages(R"([{"role":"user","content":"x"}])", R"("foo":1)"));
  ASSERT_FALSE(r.ok());
  ResponseHead head;
  std::string body;
  anthropic_messages_surface().render_error(r.error(), head, body);
  EXPECT_EQ(head.status, 400);
  EXPECT_EQ(body,
            R"({"type":"error","error":{"type":"invalid_request_error",)"
            R"("message":"foo: Extra inputs are not permitted"}})");
}

}  // namespace
}  // namespace openrain::surfaces
