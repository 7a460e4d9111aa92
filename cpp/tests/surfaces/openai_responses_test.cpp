// OpenAI Responses surface: request decoding (every recorded request, key translations, error
// paths with exact field names) and error rendering. Stream / body rendering tests live in
// openai_responses_encode_test.cpp.
#include "surfaces/openai_responses.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "json/reader.hpp"
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
  req.path = std::string(json::get_string(o, "path"));
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

Result<ChatRequest> parse(std::string body) {
  HttpRequest req;
  req.path = "/v1/responses";
  req.body = std::move(body);
  return openai_responses_surface().parse_request(req);
}

Result<ChatRequest> parse_fixture(const std::string& rel) {
  return openai_responses_surface().parse_request(load_envelope(rel));
}

/// `{"model":"m","input":<input>,<extra>}`
std::string body_with(const std::string& input, const std::string& extra = {}) {
  return R"({"model":"gpt-x","input":)" + input + (extra.empty() ? "" : "," + extra) + "}";
}

std::string_view extra(const ChatRequest& r, std::string_view key) {
  for (const auto& f : r.extras) if (f.key == key) return f.json;
  return "<absent>";
}

/// Expect `r` to be an error of `kind` naming `param` (with `code`, when given).
void expect_error(const Result<ChatRequest>& r, ErrorKind kind, const std::string& param,
                  const std::string& code = {}) {
  ASSERT_FALSE(r.ok()) << "expected an error naming " << param;
  EXPECT_EQ(r.error().kind, kind) << r.error().message;
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().param, param) << r.error().message;
  if (!code.empty()) EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_FALSE(r.error().message.empty());
}

// ---- every recorded request -----------------------------------------------------------------

TEST(OpenAIResponsesSurfaceParse, EveryRecordedRequestParses) {
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(OPENRAIN_FIXTURES_DIR) / "openai-responses")) {
    std::string name = entry.path().filename().string();
    if (name.size() < 13 || name.substr(name.size() - 13) != ".request.json") continue;
    ++count;
    auto r = parse_fixture(entry.path().string());
    if (name == "error-400-invalid-value.request.json") continue;  // checked below
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
    EXPECT_EQ(r->source, Protocol::OpenAIResponses) << name;
    EXPECT_FALSE(r->model.empty()) << name;
    ASSERT_FALSE(r->messages.empty()) << name;
    // A System message comes first exactly when the request had non-empty instructions.
    const std::string body = load_envelope(entry.path().string()).body;
    const bool has_instructions = body.find(R"("instructions":"")") == std::string::npos &&
                                  body.find(R"("instructions":")") != std::string::npos;
    EXPECT_EQ(r->messages.front().role == Role::System, has_instructions) << name;
  }
  EXPECT_EQ(count, 11);
}

TEST(OpenAIResponsesSurfaceParse, RecordedRangeErrorMatchesOpenAI) {
  auto r = parse_fixture("openai-responses/error-400-invalid-value.request.json");
  ASSERT_FALSE(r.ok());
  // Byte-identical to fixtures/openai-responses/error-400-invalid-value.response.json.
  EXPECT_EQ(r.error().message,
            "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got "
            "-1 instead.");
  EXPECT_EQ(r.error().param, "temperature");
  EXPECT_EQ(r.error().code, "decimal_below_min_value");
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
}

TEST(OpenAIResponsesSurfaceParse, ToolCallFollowupPairsCallAndOutputByCallId) {
  auto r = parse_fixture("openai-responses/tool-call-followup.request.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 3u);
  const Message& user = r->messages[0];
  EXPECT_EQ(user.role, Role::User);
  EXPECT_TRUE(user.content_was_string);
  ASSERT_EQ(user.content.size(), 1u);
  EXPECT_EQ(user.content[0].text, "What is the capital of PotatoLand?");

  const Message& call = r->messages[1];
  EXPECT_EQ(call.role, Role::Assistant);
  EXPECT_TRUE(call.content.empty());
  ASSERT_EQ(call.tool_calls.size(), 1u);
  EXPECT_EQ(call.tool_calls[0].id, "call_YfwRsW8sUxDKipwyhWTzOXCA");
  EXPECT_EQ(call.tool_calls[0].name, "get_capital");
  EXPECT_EQ(call.tool_calls[0].arguments, R"({"country":"PotatoLand"})");

  const Message& result = r->messages[2];
  EXPECT_EQ(result.role, Role::Tool);
  EXPECT_EQ(result.tool_call_id, "call_YfwRsW8sUxDKipwyhWTzOXCA");
  EXPECT_EQ(result.tool_name, "get_capital");
  EXPECT_TRUE(result.content_was_string);
  ASSERT_EQ(result.content.size(), 1u);
  EXPECT_EQ(result.content[0].text, "Potato City");

  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].name, "get_capital");
  EXPECT_EQ(r->tools[0].description, "");  // "description": null
  EXPECT_EQ(r->tools[0].parameters,
            R"({"additionalProperties":false,"properties":{"country":{"type":"string"}},)"
            R"("required":["country"],"type":"object"})");
  EXPECT_EQ(r->tools[0].strict, std::optional<bool>(true));
  EXPECT_EQ(r->tool_choice.mode, ToolChoice::Mode::Auto);
  EXPECT_FALSE(r->stream);
}

TEST(OpenAIResponsesSurfaceParse, InstructionsBecomeTheFirstSystemMessage) {
  auto r = parse_fixture("openai-responses/text-stream.request.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 2u);
  EXPECT_EQ(r->messages[0].role, Role::System);
  EXPECT_FALSE(r->messages[0].developer);
  ASSERT_EQ(r->messages[0].content.size(), 1u);
  EXPECT_EQ(r->messages[0].content[0].text, "You are a helpful assistant.");
  EXPECT_EQ(r->messages[1].role, Role::User);
  EXPECT_EQ(r->messages[1].content[0].text, "What is the capital of Minas Gerais?");
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_EQ(r->model, "gpt-4o-mini");
  EXPECT_EQ(extra(*r, "include"), R"(["message.output_text.logprobs"])");

  // Empty instructions add nothing (an empty system block breaks some upstreams).
  auto e = parse(body_with(R"("hi")", R"("instructions":"")"));
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->messages.size(), 1u);
  EXPECT_EQ(e->messages[0].role, Role::User);
  // Instructions go first even when they come after `input` in the body.
  auto after = parse(R"({"input":[{"role":"user","content":"q"}],"instructions":"be brief","model":"m"})");
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->messages.size(), 2u);
  EXPECT_EQ(after->messages[0].content[0].text, "be brief");
  // Kept as given for the Response object's echo (source-protocol extras only).
  EXPECT_EQ(extra(*after, "instructions"), R"("be brief")");
  EXPECT_EQ(extra(*e, "instructions"), R"("")");
  auto none = parse(body_with(R"("hi")", R"("instructions":null)"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(extra(*none, "instructions"), "<absent>");
}

TEST(OpenAIResponsesSurfaceParse, ReasoningConfigAndPassthroughFields) {
  auto r = parse_fixture("openai-responses/reasoning-summary-stream.request.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->reasoning_effort, "high");
  EXPECT_TRUE(r->include_thoughts);
  EXPECT_EQ(extra(*r, "reasoning"), R"({"effort":"high","summary":"detailed"})");
  EXPECT_EQ(extra(*r, "include"), R"(["reasoning.encrypted_content"])");

  auto t = parse_fixture("openai-responses/tool-call-stream.request.json");
  ASSERT_TRUE(t.ok()) << t.error().message;  // "previous_response_id": null is fine
  EXPECT_EQ(t->reasoning_effort, "low");
  EXPECT_FALSE(t->include_thoughts);  // "summary": null
  EXPECT_EQ(extra(*t, "service_tier"), R"("flex")");
  EXPECT_EQ(t->tool_choice.mode, ToolChoice::Mode::Required);
  EXPECT_EQ(t->tools[0].description, "The final response which ends this conversation");

  auto n = parse(body_with(R"("x")", R"("reasoning":{"effort":"minimal","summary":"none"})"));
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->include_thoughts);
  EXPECT_EQ(n->reasoning_effort, "minimal");

  auto all = parse(body_with(
      R"("x")",
      R"("metadata":{"k":"v"},"store":false,"prompt_cache_key":"pck","truncation":"auto",)"
      R"("safety_identifier":"u-1","top_logprobs":3,"max_tool_calls":2,"user":"alice",)"
      R"("max_output_tokens":256,"temperature":0.5,"top_p":0.9,"parallel_tool_calls":false,)"
      R"("stream_options":{"include_obfuscation":false},"background":false,"conversation":null)"));
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(extra(*all, "metadata"), R"({"k":"v"})");
  EXPECT_EQ(extra(*all, "store"), "false");
  EXPECT_EQ(extra(*all, "prompt_cache_key"), R"("pck")");
  EXPECT_EQ(extra(*all, "truncation"), R"("auto")");
  EXPECT_EQ(extra(*all, "safety_identifier"), R"("u-1")");
  EXPECT_EQ(extra(*all, "top_logprobs"), "3");
  EXPECT_EQ(extra(*all, "max_tool_calls"), "2");
  EXPECT_EQ(extra(*all, "stream_options"), "<absent>");
  EXPECT_EQ(all->user, "alice");
  EXPECT_EQ(all->max_tokens, std::optional<int64_t>(256));
  EXPECT_EQ(all->temperature, std::optional<double>(0.5));
  EXPECT_EQ(all->top_p, std::optional<double>(0.9));
  EXPECT_EQ(all->parallel_tool_calls, std::optional<bool>(false));
  EXPECT_FALSE(all->stream);
  EXPECT_FALSE(all->include_usage);
}

TEST(OpenAIResponsesSurfaceParse, ToolsAreFlatAndStrictByDefault) {
  auto r = parse(body_with(
      R"("x")",
      R"("tools":[{"type":"function","name":"a","parameters":{"type":"object"}},)"
      R"({"type":"function","name":"b","description":"B","strict":false},)"
      R"({"type":"function","name":"c","strict":null}],)"
      R"("tool_choice":{"type":"function","name":"b"})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->tools.size(), 3u);
  EXPECT_EQ(r->tools[0].strict, std::optional<bool>(true));
  EXPECT_EQ(r->tools[0].parameters, R"({"type":"object"})");
  EXPECT_EQ(r->tools[1].strict, std::optional<bool>(false));
  EXPECT_EQ(r->tools[1].description, "B");
  EXPECT_EQ(r->tools[1].parameters, "");
  EXPECT_EQ(r->tools[2].strict, std::optional<bool>(true));
  EXPECT_EQ(r->tool_choice.mode, ToolChoice::Mode::Function);
  EXPECT_EQ(r->tool_choice.name, "b");

  auto none = parse(body_with(R"("x")", R"("tool_choice":"none")"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->tool_choice.mode, ToolChoice::Mode::None);
}

TEST(OpenAIResponsesSurfaceParse, TextFormatBecomesResponseFormat) {
  auto js = parse(body_with(
      R"("x")",
      R"("text":{"format":{"type":"json_schema","name":"person","description":"A person",)"
      R"("schema":{"type":"object","properties":{"n":{"type":"string"}}},"strict":true},)"
      R"("verbosity":"low"})"));
  ASSERT_TRUE(js.ok()) << js.error().message;
  const ResponseFormat& rf = js->response_format;
  EXPECT_EQ(rf.kind, ResponseFormat::Kind::JsonSchema);
  EXPECT_EQ(rf.name, "person");
  EXPECT_EQ(rf.description, "A person");
  EXPECT_EQ(rf.schema, R"({"type":"object","properties":{"n":{"type":"string"}}})");
  EXPECT_EQ(rf.strict, std::optional<bool>(true));
  EXPECT_EQ(extra(*js, "text"),
            R"({"format":{"type":"json_schema","name":"person","description":"A person",)"
            R"("schema":{"type":"object","properties":{"n":{"type":"string"}}},"strict":true},)"
            R"("verbosity":"low"})");

  auto jo = parse(body_with(R"("x")", R"("text":{"format":{"type":"json_object"}})"));
  ASSERT_TRUE(jo.ok());
  EXPECT_EQ(jo->response_format.kind, ResponseFormat::Kind::JsonObject);
  auto tx = parse(body_with(R"("x")", R"("text":{"format":{"type":"text"}})"));
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(tx->response_format.kind, ResponseFormat::Kind::Text);
  auto verb = parse(body_with(R"("x")", R"("text":{"verbosity":"high"})"));
  ASSERT_TRUE(verb.ok());
  EXPECT_EQ(verb->response_format.kind, ResponseFormat::Kind::Unset);
}

TEST(OpenAIResponsesSurfaceParse, OneModelTurnBecomesOneAssistantMessage) {
  // A Codex-style stateless replay: reasoning, commentary, two parallel calls, their outputs.
  auto r = parse(body_with(R"([
    {"role":"user","content":[{"type":"input_text","text":"go"}]},
    {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"s1"},
      {"type":"summary_text","text":"s2"}],"encrypted_content":"gAAA"},
    {"type":"message","role":"assistant","id":"msg_1","status":"completed",
      "content":[{"type":"output_text","text":"checking","annotations":[]}]},
    {"type":"function_call","id":"fc_1","call_id":"call_a","name":"fa","arguments":"{\"x\":1}"},
    {"type":"function_call","call_id":"call_b","name":"fb","arguments":"{}","status":"completed"},
    {"type":"function_call_output","call_id":"call_b","output":"B"},
    {"type":"function_call_output","call_id":"call_a","output":[{"type":"input_text","text":"A"}]},
    {"type":"function_call","call_id":"call_c","name":"fa","arguments":"{}"},
    {"type":"function_call_output","call_id":"call_c","output":"C"},
    {"role":"assistant","content":"done"},
    {"role":"user","content":"thanks"}
  ])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 8u);
  EXPECT_EQ(r->messages[0].role, Role::User);
  EXPECT_FALSE(r->messages[0].content_was_string);

  const Message& turn = r->messages[1];
  EXPECT_EQ(turn.role, Role::Assistant);
  ASSERT_EQ(turn.content.size(), 2u);
  EXPECT_EQ(turn.content[0].kind, ContentPart::Kind::Thinking);
  EXPECT_EQ(turn.content[0].text, "s1\n\ns2");
  EXPECT_EQ(turn.content[0].signature, "");
  EXPECT_EQ(turn.content[0].raw,
            R"({"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"s1"},)"
            R"({"type":"summary_text","text":"s2"}],"encrypted_content":"gAAA"})");
  EXPECT_EQ(turn.content[1].kind, ContentPart::Kind::Text);
  EXPECT_EQ(turn.content[1].text, "checking");
  ASSERT_EQ(turn.tool_calls.size(), 2u);
  EXPECT_EQ(turn.tool_calls[0].id, "call_a");
  EXPECT_EQ(turn.tool_calls[0].arguments, R"({"x":1})");
  EXPECT_EQ(turn.tool_calls[1].id, "call_b");
  EXPECT_EQ(turn.tool_calls[1].name, "fb");

  EXPECT_EQ(r->messages[2].role, Role::Tool);
  EXPECT_EQ(r->messages[2].tool_call_id, "call_b");
  EXPECT_EQ(r->messages[2].tool_name, "fb");
  EXPECT_EQ(r->messages[3].tool_call_id, "call_a");
  EXPECT_EQ(r->messages[3].tool_name, "fa");
  EXPECT_FALSE(r->messages[3].content_was_string);
  EXPECT_EQ(r->messages[3].content[0].text, "A");

  // A call after tool outputs is a new model turn.
  EXPECT_EQ(r->messages[4].role, Role::Assistant);
  ASSERT_EQ(r->messages[4].tool_calls.size(), 1u);
  EXPECT_EQ(r->messages[4].tool_calls[0].id, "call_c");
  EXPECT_EQ(r->messages[5].tool_name, "fa");
  // Text after a tool output is a separate assistant message; "easy" items need no type.
  EXPECT_EQ(r->messages[6].role, Role::Assistant);
  EXPECT_TRUE(r->messages[6].content_was_string);
  EXPECT_EQ(r->messages[6].content[0].text, "done");
  EXPECT_EQ(r->messages[7].content[0].text, "thanks");
}

TEST(OpenAIResponsesSurfaceParse, CallAfterAssistantTextJoinsIt) {
  auto r = parse(body_with(R"([
    {"role":"user","content":"q"},
    {"role":"assistant","content":"let me look"},
    {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
    {"type":"function_call_output","call_id":"c1","output":"r"},
    {"type":"function_call_output","call_id":"unknown","output":"?"}
  ])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 4u);
  EXPECT_EQ(r->messages[1].content[0].text, "let me look");
  EXPECT_TRUE(r->messages[1].content_was_string);
  ASSERT_EQ(r->messages[1].tool_calls.size(), 1u);
  EXPECT_EQ(r->messages[2].tool_name, "f");
  EXPECT_EQ(r->messages[3].tool_name, "");  // no matching call: left for the provider to handle
}

TEST(OpenAIResponsesSurfaceParse, RolesImagesAndStringInput) {
  auto s = parse(R"({"model":"m","input":"hello"})");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->messages.size(), 1u);
  EXPECT_EQ(s->messages[0].role, Role::User);
  EXPECT_TRUE(s->messages[0].content_was_string);
  EXPECT_EQ(s->messages[0].content[0].text, "hello");

  auto r = parse(body_with(R"([
    {"type":"message","role":"developer","content":[{"type":"input_text","text":"dev"}]},
    {"role":"system","content":"sys"},
    {"role":"user","content":[{"type":"input_text","text":"look"},
      {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"},
      {"type":"input_image","image_url":"https://example.com/a.jpg"}]},
    {"role":"assistant","content":[{"type":"refusal","refusal":"no"}]}
  ])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 4u);
  EXPECT_EQ(r->messages[0].role, Role::System);
  EXPECT_TRUE(r->messages[0].developer);
  EXPECT_FALSE(r->messages[1].developer);
  const auto& parts = r->messages[2].content;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].kind, ContentPart::Kind::Image);
  EXPECT_EQ(parts[1].media_type, "image/png");
  EXPECT_EQ(parts[1].data, "iVBORw0KGgo=");
  EXPECT_EQ(parts[1].detail, "high");
  EXPECT_EQ(parts[2].url, "https://example.com/a.jpg");
  EXPECT_EQ(r->messages[3].content[0].text, "no");
}

TEST(OpenAIResponsesSurfaceParse, InputFilesBecomeFileParts) {
  auto r = parse(body_with(R"([
    {"role":"user","content":[{"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="},
      {"type":"input_file","file_url":"https://example.com/b.pdf"}]},
    {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
    {"type":"function_call_output","call_id":"c1","output":[{"type":"input_file","file_data":"data:application/pdf;base64,JVBE"}]}
  ])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& parts = r->messages[0].content;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].kind, ContentPart::Kind::File);
  EXPECT_EQ(parts[0].media_type, "application/pdf");
  EXPECT_EQ(parts[0].data, "JVBERi0=");
  EXPECT_EQ(parts[0].filename, "a.pdf");
  EXPECT_EQ(parts[1].kind, ContentPart::Kind::File);
  EXPECT_EQ(parts[1].url, "https://example.com/b.pdf");
  ASSERT_EQ(r->messages.back().role, Role::Tool);
  ASSERT_EQ(r->messages.back().content.size(), 1u);
  EXPECT_EQ(r->messages.back().content[0].kind, ContentPart::Kind::File);
  expect_error(parse(body_with(R"([{"role":"user","content":[{"type":"input_file","file_data":"JVBERi0="}]}])")),
               ErrorKind::InvalidRequest, "input[0].content[0].file_data", "invalid_value");
  expect_error(parse(body_with(R"([{"role":"user","content":[{"type":"input_file","file_url":"ftp://x"}]}])")),
               ErrorKind::InvalidRequest, "input[0].content[0].file_url", "invalid_value");
}

// ---- error paths ----------------------------------------------------------------------------

TEST(OpenAIResponsesSurfaceParse, StatelessFeaturesAreRejectedWithAnExplanation) {
  auto prev = parse(body_with(R"("x")", R"("previous_response_id":"resp_123")"));
  expect_error(prev, ErrorKind::UnsupportedParameter, "previous_response_id",
               "unsupported_parameter");
  EXPECT_EQ(prev.error().message,
            "OpenRain does not store responses; send the full conversation in `input` instead of "
            "previous_response_id.");
  auto conv = parse(body_with(R"("x")", R"("conversation":"conv_1")"));
  expect_error(conv, ErrorKind::UnsupportedParameter, "conversation");
  EXPECT_NE(conv.error().message.find("send the full conversation in `input`"), std::string::npos);
  expect_error(parse(body_with(R"("x")", R"("conversation":{"id":"conv_1"})")),
               ErrorKind::UnsupportedParameter, "conversation");
  expect_error(parse(body_with(R"("x")", R"("background":true)")),
               ErrorKind::UnsupportedParameter, "background");
  expect_error(parse(body_with(R"("x")", R"("prompt":{"id":"pmpt_1"})")),
               ErrorKind::UnsupportedParameter, "prompt");
  expect_error(parse(body_with(R"([{"type":"item_reference","id":"msg_1"}])")),
               ErrorKind::UnsupportedParameter, "input[0]");
  expect_error(parse(body_with(R"("x")", R"("previous_response_id":5)")),
               ErrorKind::InvalidRequest, "previous_response_id", "invalid_type");
}

TEST(OpenAIResponsesSurfaceParse, UnknownFieldsAndItemsAreNamed) {
  auto u = parse(body_with(R"("x")", R"("max_tokens":5)"));
  expect_error(u, ErrorKind::InvalidRequest, "max_tokens", "unknown_parameter");
  EXPECT_EQ(u.error().message, "Unknown parameter: 'max_tokens'.");
  expect_error(parse(body_with(R"([{"role":"user","content":"a"},
      {"type":"web_search_call","id":"ws_1","status":"completed"}])")),
               ErrorKind::UnsupportedParameter, "input[1]");
  expect_error(parse(body_with(R"([{"type":"computer_call_output","call_id":"c"}])")),
               ErrorKind::UnsupportedParameter, "input[0]");
}

TEST(OpenAIResponsesSurfaceParse, HostedToolsAreRejectedByIndex) {
  auto r = parse(body_with(R"("x")", R"("tools":[{"type":"function","name":"f"},{"type":"web_search"}])"));
  expect_error(r, ErrorKind::UnsupportedParameter, "tools[1]");
  EXPECT_NE(r.error().message.find("web_search"), std::string::npos);
  expect_error(parse(body_with(R"("x")", R"("tools":[{"type":"file_search","vector_store_ids":[]}])")),
               ErrorKind::UnsupportedParameter, "tools[0]");
  expect_error(parse(body_with(R"("x")", R"("tool_choice":{"type":"web_search"})")),
               ErrorKind::UnsupportedParameter, "tool_choice");
}

TEST(OpenAIResponsesSurfaceParse, TypeErrorsNameTheField) {
  using EK = ErrorKind;
  expect_error(parse(R"({"input":"x"})"), EK::InvalidRequest, "model", "missing_required_parameter");
  expect_error(parse(R"({"model":"m"})"), EK::InvalidRequest, "input", "missing_required_parameter");
  expect_error(parse(R"({"model":5,"input":"x"})"), EK::InvalidRequest, "model", "invalid_type");
  expect_error(parse(body_with("5")), EK::InvalidRequest, "input", "invalid_type");
  expect_error(parse(body_with("[]")), EK::InvalidRequest, "input", "empty_array");
  expect_error(parse(body_with("[3]")), EK::InvalidRequest, "input[0]", "invalid_type");
  expect_error(parse(body_with(R"([{"role":"user","content":3}])")), EK::InvalidRequest,
               "input[0].content", "invalid_type");
  expect_error(parse(body_with(R"([{"role":"user"}])")), EK::InvalidRequest, "input[0].content",
               "missing_required_parameter");
  expect_error(parse(body_with(R"([{"role":"robot","content":"x"}])")), EK::InvalidRequest,
               "input[0].role", "invalid_value");
  expect_error(parse(body_with(R"([{"role":"user","content":[{"type":"input_text","text":1}]}])")),
               EK::InvalidRequest, "input[0].content[0].text", "invalid_type");
  expect_error(parse(body_with(R"([{"role":"user","content":[{"type":"bogus"}]}])")),
               EK::InvalidRequest, "input[0].content[0].type", "invalid_value");
  expect_error(parse(body_with(R"([{"role":"user","content":[{"type":"input_file","file_id":"f"}]}])")),
               EK::UnsupportedParameter, "input[0].content[0]");
  expect_error(parse(body_with(R"([{"role":"user","content":[{"type":"input_image","image_url":"ftp://x"}]}])")),
               EK::InvalidRequest, "input[0].content[0].image_url", "invalid_image_url");
  expect_error(parse(body_with(R"([{"role":"user","content":"q"},{"type":"function_call","name":"f","arguments":"{}"}])")),
               EK::InvalidRequest, "input[1].call_id", "missing_required_parameter");
  expect_error(parse(body_with(R"([{"type":"function_call","call_id":"c","name":"f","arguments":{}}])")),
               EK::InvalidRequest, "input[0].arguments", "invalid_type");
  expect_error(parse(body_with(R"([{"type":"function_call_output","call_id":"c","output":5}])")),
               EK::InvalidRequest, "input[0].output", "invalid_type");
  expect_error(parse(body_with(R"([{"type":"reasoning","summary":[{"type":"summary_text"}]}])")),
               EK::InvalidRequest, "input[0].summary[0].text", "missing_required_parameter");
  expect_error(parse(body_with(R"("x")", R"("temperature":"hot")")), EK::InvalidRequest,
               "temperature", "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("top_p":1.5)")), EK::InvalidRequest, "top_p",
               "decimal_above_max_value");
  expect_error(parse(body_with(R"("x")", R"("stream":"yes")")), EK::InvalidRequest, "stream",
               "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("max_output_tokens":0)")), EK::InvalidRequest,
               "max_output_tokens", "integer_below_min_value");
  expect_error(parse(body_with(R"("x")", R"("max_output_tokens":1e30)")), EK::InvalidRequest,
               "max_output_tokens", "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("tools":"f")")), EK::InvalidRequest, "tools",
               "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("tools":[{"type":"function"}])")), EK::InvalidRequest,
               "tools[0].name", "missing_required_parameter");
  expect_error(parse(body_with(R"("x")", R"("tools":[{"type":"function","name":"a b"}])")),
               EK::InvalidRequest, "tools[0].name", "invalid_value");
  expect_error(parse(body_with(R"("x")", R"("tools":[{"type":"function","name":"f","strict":"y"}])")),
               EK::InvalidRequest, "tools[0].strict", "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("tool_choice":"sometimes")")), EK::InvalidRequest,
               "tool_choice", "invalid_value");
  expect_error(parse(body_with(R"("x")", R"("tool_choice":{"type":"function"})")),
               EK::InvalidRequest, "tool_choice.name", "missing_required_parameter");
  expect_error(parse(body_with(R"("x")", R"("tool_choice":{"type":"function","name":"g"})")),
               EK::InvalidRequest, "tool_choice", "invalid_value");
  expect_error(parse(body_with(R"("x")", R"("tool_choice":"required")")), EK::InvalidRequest,
               "tool_choice", "invalid_value");
  expect_error(parse(body_with(R"("x")", R"("text":"json")")), EK::InvalidRequest, "text",
               "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("text":{"format":{"type":"xml"}})")),
               EK::InvalidRequest, "text.format.type", "invalid_value");
  expect_error(parse(body_with(R"("x")", R"("text":{"format":{"type":"json_schema","schema":{}}})")),
               EK::InvalidRequest, "text.format.name", "missing_required_parameter");
  expect_error(parse(body_with(R"("x")", R"("text":{"format":{"type":"json_schema","name":"n"}})")),
               EK::InvalidRequest, "text.format.schema", "missing_required_parameter");
  expect_error(parse(body_with(R"("x")", R"("reasoning":{"effort":3})")), EK::InvalidRequest,
               "reasoning.effort", "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("metadata":[])")), EK::InvalidRequest, "metadata",
               "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("include":["a",1])")), EK::InvalidRequest,
               "include[1]", "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("top_logprobs":21)")), EK::InvalidRequest,
               "top_logprobs", "integer_above_max_value");
  expect_error(parse(body_with(R"("x")", R"("store":"no")")), EK::InvalidRequest, "store",
               "invalid_type");
  expect_error(parse(body_with(R"("x")", R"("stream_options":{"include_obfuscation":1})")),
               EK::InvalidRequest, "stream_options.include_obfuscation", "invalid_type");

  auto not_json = parse("{nope");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().kind, EK::InvalidRequest);
  auto not_object = parse("[1]");
  ASSERT_FALSE(not_object.ok());
  EXPECT_EQ(not_object.error().code, "invalid_type");
}

// ---- error rendering ------------------------------------------------------------------------

TEST(OpenAIResponsesSurfaceErrors, UnknownModelIs400WithParamModel) {
  Error e = Error::make(ErrorKind::NotFound, "The requested model 'gpt-5.2-proo' does not exist.");
  ResponseHead head;
  std::string body;
  openai_responses_surface().render_error(e, head, body);
  EXPECT_EQ(head.status, 400);
  // Same members as fixtures/openai-responses/error-400-model-not-found.response.json.
  EXPECT_EQ(body,
            R"({"error":{"message":"The requested model 'gpt-5.2-proo' does not exist.",)"
            R"("type":"invalid_request_error","param":"model","code":"model_not_found"}})");
  ASSERT_FALSE(head.headers.empty());
  EXPECT_EQ(head.headers.back(), (std::pair<std::string, std::string>{"content-type", "application/json"}));

  // Another NotFound code keeps OpenAI's default status.
  Error other = Error::make(ErrorKind::NotFound, "no such route", "", "not_found");
  ResponseHead h2;
  openai_responses_surface().render_error(other, h2, body);
  EXPECT_EQ(h2.status, 404);
}

TEST(OpenAIResponsesSurfaceErrors, OtherKindsUseTheOpenAIShape) {
  Error e = Error::make(ErrorKind::RateLimited, "slow down");
  e.retry_after_s = 1.2;
  ResponseHead head;
  std::string body;
  openai_responses_surface().render_error(e, head, body);
  EXPECT_EQ(head.status, 429);
  EXPECT_EQ(body, R"({"error":{"message":"slow down","type":"requests","param":null,)"
                  R"("code":"rate_limit_exceeded"}})");
  bool retry = false;
  for (const auto& [k, v] : head.headers) retry = retry || (k == "retry-after" && v == "2");
  EXPECT_TRUE(retry);

  auto parsed = parse(body_with(R"("x")", R"("temperature":-1)"));
  ASSERT_FALSE(parsed.ok());
  ResponseHead h2;
  openai_responses_surface().render_error(parsed.error(), h2, body);
  EXPECT_EQ(h2.status, 400);
  // The members of fixtures/openai-responses/error-400-invalid-value.response.json.
  EXPECT_EQ(body,
            R"({"error":{"message":"Invalid 'temperature': decimal below minimum value. Expected a )"
            R"(value >= 0, but got -1 instead.","type":"invalid_request_error","param":"temperature",)"
            R"("code":"decimal_below_min_value"}})");
  EXPECT_EQ(openai_responses_surface().protocol(), Protocol::OpenAIResponses);
}

}  // namespace
}  // namespace openrain::surfaces
