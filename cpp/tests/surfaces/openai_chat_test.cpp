// Tests for the OpenAI Chat Completions surface: request parsing (every field and every error
// path, with OpenAI's exact param strings), recorded request fixtures, robustness on arbitrary
// input, and OpenAI-shaped error rendering. Encoder / response rendering tests live in
// openai_chat_render_test.cpp.
#include "surfaces/openai_chat.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "json/reader.hpp"
#include "surfaces/openai_errors.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::surfaces {
namespace {

Result<ChatRequest> parse(std::string body) {
  HttpRequest req;
  req.path = "/v1/chat/completions";
  req.headers = {{"content-type", "application/json"}};
  req.body = std::move(body);
  return openai_chat_surface().parse_request(req);
}

ChatRequest parse_ok(const std::string& body) {
  auto r = parse(body);
  EXPECT_TRUE(r.ok()) << body << "\n-> " << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return {};
  return std::move(r).value();
}

/// `{"model":"m","messages":[<messages>] <rest>}`
std::string body_with(const std::string& messages, const std::string& rest = "") {
  return R"({"model":"m","messages":[)" + messages + "]" + rest + "}";
}
const std::string kUser = R"({"role":"user","content":"hi"})";

TEST(OpenAIChatSurfaceParse, MinimalRequest) {
  ChatRequest r = parse_ok(body_with(kUser));
  EXPECT_EQ(r.source, Protocol::OpenAIChat);
  EXPECT_EQ(r.model, "m");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].role, Role::User);
  EXPECT_TRUE(r.messages[0].content_was_string);
  ASSERT_EQ(r.messages[0].content.size(), 1u);
  EXPECT_EQ(r.messages[0].content[0].kind, ContentPart::Kind::Text);
  EXPECT_EQ(r.messages[0].content[0].text, "hi");
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.include_usage);
  EXPECT_FALSE(r.max_tokens.has_value());
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::Unset);
  EXPECT_EQ(r.response_format.kind, ResponseFormat::Kind::Unset);
  EXPECT_TRUE(r.extras.empty());
  EXPECT_EQ(openai_chat_surface().protocol(), Protocol::OpenAIChat);
}

TEST(OpenAIChatSurfaceParse, ScalarFields) {
  ChatRequest r = parse_ok(body_with(kUser, R"(,"temperature":0.5,"top_p":1,"seed":-7,"user":"u-1",
      "reasoning_effort":"high","stream":true,"stream_options":{"include_usage":true},
      "max_tokens":50,"max_completion_tokens":100,"parallel_tool_calls":false,"stop":"END","n":1)"));
  EXPECT_EQ(r.temperature, 0.5);
  EXPECT_EQ(r.top_p, 1.0);
  EXPECT_EQ(r.seed, -7);
  EXPECT_EQ(r.user, "u-1");
  EXPECT_EQ(r.reasoning_effort, "high");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  EXPECT_EQ(r.max_tokens, 100);  // max_completion_tokens wins
  EXPECT_EQ(r.parallel_tool_calls, false);
  EXPECT_EQ(r.stop, std::vector<std::string>{"END"});
  EXPECT_TRUE(r.extras.empty());

  ChatRequest legacy = parse_ok(body_with(kUser, R"(,"max_tokens":7,"stop":["a","b","c","d"],
      "stream":true,"stream_options":{"include_usage":false},"temperature":null)"));
  EXPECT_EQ(legacy.max_tokens, 7);
  EXPECT_EQ(legacy.stop, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_FALSE(legacy.include_usage);
  EXPECT_FALSE(legacy.temperature.has_value());
}

TEST(OpenAIChatSurfaceParse, RolesAndContentParts) {
  ChatRequest r = parse_ok(body_with(
      R"({"role":"system","content":"sys"},
         {"role":"developer","content":[{"type":"text","text":"dev"}],"name":"ops"},
         {"role":"user","name":"alice","content":[
            {"type":"text","text":"look"},
            {"type":"image_url","image_url":{"url":"https://x.test/a.png","detail":"low"}},
            {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,QUJD","detail":"high"}}]},
         {"role":"assistant","content":null,"refusal":null,"tool_calls":[
            {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"c\":\"P\"}"}},
            {"id":"call_2","type":"function","function":{"name":"noop","arguments":""}}]},
         {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"done"}]},
         {"role":"tool","tool_call_id":"call_1","content":"sunny"},
         {"role":"tool","tool_call_id":"call_zzz","content":"?"},
         {"role":"assistant","content":[{"type":"text","text":"a"},{"type":"refusal","refusal":"no"}]})"));
  ASSERT_EQ(r.messages.size(), 8u);
  const auto& m = r.messages;
  EXPECT_EQ(m[0].role, Role::System);
  EXPECT_FALSE(m[0].developer);
  EXPECT_TRUE(m[0].content_was_string);
  EXPECT_EQ(m[1].role, Role::System);
  EXPECT_TRUE(m[1].developer);
  EXPECT_FALSE(m[1].content_was_string);
  EXPECT_EQ(m[1].name, "ops");
  ASSERT_EQ(m[1].content.size(), 1u);
  EXPECT_EQ(m[1].content[0].text, "dev");

  EXPECT_EQ(m[2].name, "alice");
  ASSERT_EQ(m[2].content.size(), 3u);
  EXPECT_EQ(m[2].content[0].text, "look");
  EXPECT_EQ(m[2].content[1].kind, ContentPart::Kind::Image);
  EXPECT_EQ(m[2].content[1].url, "https://x.test/a.png");
  EXPECT_EQ(m[2].content[1].detail, "low");
  EXPECT_EQ(m[2].content[1].data, "");
  EXPECT_EQ(m[2].content[2].kind, ContentPart::Kind::Image);
  EXPECT_EQ(m[2].content[2].url, "");
  EXPECT_EQ(m[2].content[2].media_type, "image/jpeg");
  EXPECT_EQ(m[2].content[2].data, "QUJD");
  EXPECT_EQ(m[2].content[2].detail, "high");

  EXPECT_EQ(m[3].role, Role::Assistant);
  EXPECT_TRUE(m[3].content.empty());
  ASSERT_EQ(m[3].tool_calls.size(), 2u);
  EXPECT_EQ(m[3].tool_calls[0].id, "call_1");
  EXPECT_EQ(m[3].tool_calls[0].name, "get_weather");
  EXPECT_EQ(m[3].tool_calls[0].arguments, "{\"c\":\"P\"}");
  EXPECT_EQ(m[3].tool_calls[1].arguments, "");

  EXPECT_EQ(m[4].role, Role::Tool);
  EXPECT_EQ(m[4].tool_call_id, "call_2");
  EXPECT_EQ(m[4].tool_name, "noop");
  ASSERT_EQ(m[4].content.size(), 1u);
  EXPECT_EQ(m[4].content[0].text, "done");
  EXPECT_EQ(m[5].tool_name, "get_weather");
  EXPECT_TRUE(m[5].content_was_string);
  EXPECT_EQ(m[6].tool_call_id, "call_zzz");
  EXPECT_EQ(m[6].tool_name, "");  // no matching assistant call

  ASSERT_EQ(m[7].content.size(), 1u);  // refusal part ignored
  EXPECT_EQ(m[7].content[0].text, "a");
}

TEST(OpenAIChatSurfaceParse, InlineFilePartsBecomeFileParts) {
  ChatRequest r = parse_ok(body_with(
      R"({"role":"user","content":[{"type":"text","text":"sum"},)"
      R"({"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]})"));
  ASSERT_EQ(r.messages.size(), 1u);
  ASSERT_EQ(r.messages[0].content.size(), 2u);
  const ContentPart& f = r.messages[0].content[1];
  EXPECT_EQ(f.kind, ContentPart::Kind::File);
  EXPECT_EQ(f.media_type, "application/pdf");
  EXPECT_EQ(f.data, "JVBERi0=");
  EXPECT_EQ(f.filename, "a.pdf");
  auto bad = parse(body_with(R"({"role":"user","content":[{"type":"file","file":{"file_data":"https://x/a.pdf"}}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().param, "messages[0].content[0].file.file_data");
}

TEST(OpenAIChatSurfaceParse, ToolsToolChoiceAndResponseFormat) {
  ChatRequest r = parse_ok(body_with(kUser, R"(,
      "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
                 "parameters":{"type":"object", "properties":{"c":{"type":"string"}}},"strict":true}},
               {"type":"function","function":{"name":"no-args_2"}}],
      "tool_choice":{"type":"function","function":{"name":"no-args_2"}},
      "response_format":{"type":"json_schema","json_schema":{"name":"out","description":"d",
                         "schema":{"type":"object" ,"additionalProperties":false},"strict":true}})"));
  ASSERT_EQ(r.tools.size(), 2u);
  EXPECT_EQ(r.tools[0].name, "get_weather");
  EXPECT_EQ(r.tools[0].description, "Weather");
  EXPECT_EQ(r.tools[0].parameters, R"({"type":"object","properties":{"c":{"type":"string"}}})");
  EXPECT_EQ(r.tools[0].strict, true);
  EXPECT_EQ(r.tools[1].name, "no-args_2");
  EXPECT_EQ(r.tools[1].parameters, "");
  EXPECT_FALSE(r.tools[1].strict.has_value());
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::Function);
  EXPECT_EQ(r.tool_choice.name, "no-args_2");
  EXPECT_EQ(r.response_format.kind, ResponseFormat::Kind::JsonSchema);
  EXPECT_EQ(r.response_format.name, "out");
  EXPECT_EQ(r.response_format.description, "d");
  EXPECT_EQ(r.response_format.schema, R"({"type":"object","additionalProperties":false})");
  EXPECT_EQ(r.response_format.strict, true);

  const std::pair<const char*, ToolChoice::Mode> modes[] = {
      {"none", ToolChoice::Mode::None}, {"auto", ToolChoice::Mode::Auto},
      {"required", ToolChoice::Mode::Required}};
  for (const auto& [s, mode] : modes) {
    ChatRequest c = parse_ok(body_with(kUser, std::string(R"(,"tools":[{"type":"function",
        "function":{"name":"f"}}],"tool_choice":")") + s + "\""));
    EXPECT_EQ(c.tool_choice.mode, mode) << s;
  }
  EXPECT_EQ(parse_ok(body_with(kUser, R"(,"response_format":{"type":"text"})")).response_format.kind,
            ResponseFormat::Kind::Text);
  EXPECT_EQ(parse_ok(body_with(kUser, R"(,"response_format":{"type":"json_object"})"))
                .response_format.kind,
            ResponseFormat::Kind::JsonObject);
}

TEST(OpenAIChatSurfaceParse, DocumentedUnmodelledFieldsGoToExtras) {
  ChatRequest r = parse_ok(body_with(kUser, R"(,"metadata":{"a": "b"},"store":false,
      "service_tier":"flex","presence_penalty":0.5,"frequency_penalty":-1,"logit_bias":{"50256":-100},
      "logprobs":true,"top_logprobs":3,"prompt_cache_key":"k","safety_identifier":"s",
      "verbosity":"low","prediction":{"type":"content","content":"x"},"web_search_options":{},
      "modalities":["text"],"prompt_cache_retention":"24h","audio":null,"functions":null)"));
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& f : r.extras) got.emplace_back(f.key, f.json);
  std::vector<std::pair<std::string, std::string>> want = {
      {"metadata", R"({"a":"b"})"}, {"store", "false"}, {"service_tier", "\"flex\""},
      {"presence_penalty", "0.5"}, {"frequency_penalty", "-1"}, {"logit_bias", R"({"50256":-100})"},
      {"logprobs", "true"}, {"top_logprobs", "3"}, {"prompt_cache_key", "\"k\""},
      {"safety_identifier", "\"s\""}, {"verbosity", "\"low\""},
      {"prediction", R"({"type":"content","content":"x"})"}, {"web_search_options", "{}"},
      {"modalities", R"(["text"])"}, {"prompt_cache_retention", "\"24h\""}};
  EXPECT_EQ(got, want);
}

struct ErrCase {
  std::string body;
  ErrorKind kind;
  std::string param;
  std::string code;
};

void expect_error(const ErrCase& c) {
  auto r = parse(c.body);
  ASSERT_FALSE(r.ok()) << c.body;
  const Error& e = r.error();
  EXPECT_EQ(e.kind, c.kind) << c.body << "\n" << e.message;
  EXPECT_EQ(e.http_status, 400) << c.body;
  EXPECT_EQ(e.param, c.param) << c.body << "\n" << e.message;
  EXPECT_EQ(e.code, c.code) << c.body << "\n" << e.message;
  EXPECT_FALSE(e.message.empty());
}

constexpr ErrorKind kInv = ErrorKind::InvalidRequest;
constexpr ErrorKind kUns = ErrorKind::UnsupportedParameter;

TEST(OpenAIChatSurfaceParseErrors, BodyModelAndMessages) {
  const ErrCase cases[] = {
      {"not json", kInv, "", "invalid_json"},
      {"", kInv, "", "invalid_json"},
      {"[1,2]", kInv, "", "invalid_type"},
      {R"({"messages":[{"role":"user","content":"hi"}]})", kInv, "model", "missing_required_parameter"},
      {R"({"model":null,"messages":[{"role":"user","content":"hi"}]})", kInv, "model",
       "missing_required_parameter"},
      {R"({"model":5,"messages":[{"role":"user","content":"hi"}]})", kInv, "model", "invalid_type"},
      {R"({"model":"m"})", kInv, "messages", "missing_required_parameter"},
      {R"({"model":"m","messages":[]})", kInv, "messages", "empty_array"},
      {R"({"model":"m","messages":{"role":"user"}})", kInv, "messages", "invalid_type"},
      {body_with(R"("hi")"), kInv, "messages[0]", "invalid_type"},
      {body_with(R"({"content":"hi"})"), kInv, "messages[0].role", "missing_required_parameter"},
      {body_with(R"({"role":7,"content":"hi"})"), kInv, "messages[0].role", "invalid_type"},
      {body_with(R"({"role":"bogus","content":"hi"})"), kInv, "messages[0].role", "invalid_value"},
      {body_with(R"({"role":"function","name":"f","content":"x"})"), kUns, "messages[0].role",
       "unsupported_value"},
      {body_with(kUser + R"(,{"role":"user","content":42})"), kInv, "messages[1].content",
       "invalid_type"},
      {body_with(R"({"role":"user"})"), kInv, "messages[0].content", "missing_required_parameter"},
      {body_with(R"({"role":"system","content":null})"), kInv, "messages[0].content",
       "missing_required_parameter"},
      {body_with(R"({"role":"user","content":"hi","name":3})"), kInv, "messages[0].name",
       "invalid_type"},
      {body_with(R"({"role":"user","content":["hi"]})"), kInv, "messages[0].content[0]",
       "invalid_type"},
      {body_with(R"({"role":"user","content":[{"text":"hi"}]})"), kInv, "messages[0].content[0].type",
       "missing_required_parameter"},
      {body_with(R"({"role":"user","content":[{"type":"text","text":"a"},{"type":"video"}]})"), kInv,
       "messages[0].content[1].type", "invalid_value"},
      {body_with(R"({"role":"user","content":[{"type":"text","text":1}]})"), kInv,
       "messages[0].content[0].text", "invalid_type"},
      {body_with(R"({"role":"system","content":[{"type":"image_url","image_url":{"url":"https://a"}}]})"),
       kInv, "messages[0].content[0].type", "invalid_value"},
      {body_with(R"({"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA","format":"wav"}}]})"),
       kUns, "messages[0].content[0]", "unsupported_parameter"},
      {body_with(R"({"role":"user","content":[{"type":"text","text":"a"},{"type":"file","file":{"file_id":"f"}}]})"),
       kUns, "messages[0].content[1]", "unsupported_parameter"},
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(OpenAIChatSurfaceParseErrors, ImagesToolCallsAndToolMessages) {
  auto img = [](const std::string& url) {
    return body_with(R"({"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":")" +
                     url + R"("}}]})");
  };
  const std::string url_param = "messages[0].content[1].image_url.url";
  const ErrCase cases[] = {
      {img("data:image/png,abc"), kInv, url_param, "invalid_image_url"},
      {img("data:image/png;base64"), kInv, url_param, "invalid_image_url"},
      {img("data:image/png;base64,"), kInv, url_param, "invalid_image_url"},
      {img("data:image/png;base64,@@@"), kInv, url_param, "invalid_image_url"},
      {img("ftp://x/y.png"), kInv, url_param, "invalid_image_url"},
      {body_with(R"({"role":"user","content":[{"type":"image_url","image_url":{}}]})"), kInv,
       "messages[0].content[0].image_url.url", "missing_required_parameter"},
      {body_with(R"({"role":"user","content":[{"type":"image_url","image_url":"https://a"}]})"), kInv,
       "messages[0].content[0].image_url", "invalid_type"},
      {body_with(R"({"role":"user","content":[{"type":"image_url","image_url":{"url":"https://a","detail":1}}]})"),
       kInv, "messages[0].content[0].image_url.detail", "invalid_type"},
      {body_with(kUser + R"(,{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":{}}}]})"),
       kInv, "messages[1].tool_calls[0].function.arguments", "invalid_type"},
      {body_with(kUser + R"(,{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f"}}]})"),
       kInv, "messages[1].tool_calls[0].function.arguments", "missing_required_parameter"},
      {body_with(kUser + R"(,{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]})"),
       kInv, "messages[1].tool_calls[0].id", "missing_required_parameter"},
      {body_with(kUser + R"(,{"role":"assistant","tool_calls":[{"id":"c","type":"function"}]})"),
       kInv, "messages[1].tool_calls[0].function", "missing_required_parameter"},
      {body_with(kUser + R"(,{"role":"assistant","tool_calls":[{"id":"c","type":"other","function":{"name":"f","arguments":"{}"}}]})"),
       kInv, "messages[1].tool_calls[0].type", "invalid_value"},
      {body_with(kUser + R"(,{"role":"assistant","tool_calls":{}})"), kInv, "messages[1].tool_calls",
       "invalid_type"},
      {body_with(kUser + R"(,{"role":"assistant","content":5})"), kInv, "messages[1].content",
       "invalid_type"},
      {body_with(kUser + R"(,{"role":"assistant","content":[{"type":"image_url"}]})"), kInv,
       "messages[1].content[0].type", "invalid_value"},
      {body_with(kUser + R"(,{"role":"tool","content":"x"})"), kInv, "messages[1].tool_call_id",
       "missing_required_parameter"},
      {body_with(kUser + R"(,{"role":"tool","tool_call_id":1,"content":"x"})"), kInv,
       "messages[1].tool_call_id", "invalid_type"},
      {body_with(kUser + R"(,{"role":"tool","tool_call_id":"c"})"), kInv, "messages[1].content",
       "missing_required_parameter"},
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(OpenAIChatSurfaceParseErrors, TopLevelFields) {
  const std::string tool_f = R"(,"tools":[{"type":"function","function":{"name":"f"}}])";
  const ErrCase cases[] = {
      {body_with(kUser, R"(,"n":2)"), kUns, "n", "unsupported_value"},
      {body_with(kUser, R"(,"n":0)"), kInv, "n", "integer_below_min_value"},
      {body_with(kUser, R"(,"foo":1)"), kInv, "foo", "unknown_parameter"},
      {body_with(kUser, R"(,"top_k":null)"), kInv, "top_k", "unknown_parameter"},
      {body_with(kUser, R"(,"stream_options":{"include_usage":true})"), kInv, "stream_options",
       "invalid_value"},
      {body_with(kUser, R"(,"stream":false,"stream_options":{"include_usage":true})"), kInv,
       "stream_options", "invalid_value"},
      {body_with(kUser, R"(,"stream":true,"stream_options":{"include_usage":"yes"})"), kInv,
       "stream_options.include_usage", "invalid_type"},
      {body_with(kUser, R"(,"stream":true,"stream_options":true)"), kInv, "stream_options",
       "invalid_type"},
      {body_with(kUser, R"(,"stream":"true")"), kInv, "stream", "invalid_type"},
      {body_with(kUser, tool_f + R"(,"tool_choice":{"type":"function","function":{"name":"g"}})"), kInv,
       "tool_choice", "invalid_value"},
      {body_with(kUser, R"(,"tool_choice":{"type":"function","function":{"name":"g"}})"), kInv,
       "tool_choice", "invalid_value"},
      {body_with(kUser, R"(,"tool_choice":"required")"), kInv, "tool_choice", "invalid_value"},
      {body_with(kUser, tool_f + R"(,"tool_choice":"sometimes")"), kInv, "tool_choice", "invalid_value"},
      {body_with(kUser, tool_f + R"(,"tool_choice":{"type":"function"})"), kInv,
       "tool_choice.function", "missing_required_parameter"},
      {body_with(kUser, tool_f + R"(,"tool_choice":{"type":"function","function":{}})"), kInv,
       "tool_choice.function.name", "missing_required_parameter"},
      {body_with(kUser, tool_f + R"(,"tool_choice":{"type":"allowed_tools","allowed_tools":{}})"), kUns,
       "tool_choice", "unsupported_value"},
      {body_with(kUser, tool_f + R"(,"tool_choice":3)"), kInv, "tool_choice", "invalid_type"},
      {body_with(kUser, R"(,"tools":{})"), kInv, "tools", "invalid_type"},
      {body_with(kUser, R"(,"tools":[{"type":"retrieval"}])"), kInv, "tools[0].type", "invalid_value"},
      {body_with(kUser, R"(,"tools":[{"type":"custom","custom":{"name":"x"}}])"), kUns, "tools[0].type",
       "unsupported_value"},
      {body_with(kUser, R"(,"tools":[{"function":{"name":"f"}}])"), kInv, "tools[0].type",
       "missing_required_parameter"},
      {body_with(kUser, R"(,"tools":[{"type":"function"}])"), kInv, "tools[0].function",
       "missing_required_parameter"},
      {body_with(kUser, tool_f.substr(0, tool_f.size() - 1) + R"(,{"type":"function","function":{"name":"bad name"}}])"),
       kInv, "tools[1].function.name", "invalid_value"},
      {body_with(kUser, R"(,"tools":[{"type":"function","function":{"name":""}}])"), kInv,
       "tools[0].function.name", "invalid_value"},
      {body_with(kUser, R"(,"tools":[{"type":"function","function":{"name":")" + std::string(65, 'a') + "\"}}]"),
       kInv, "tools[0].function.name", "string_above_max_length"},
      {body_with(kUser, R"(,"tools":[{"type":"function","function":{"name":"f","parameters":"{}"}}])"),
       kInv, "tools[0].function.parameters", "invalid_type"},
      {body_with(kUser, R"(,"tools":[{"type":"function","function":{"name":"f","strict":"yes"}}])"),
       kInv, "tools[0].function.strict", "invalid_type"},
      {body_with(kUser, R"(,"response_format":{"type":"xml"})"), kInv, "response_format.type",
       "invalid_value"},
      {body_with(kUser, R"(,"response_format":"json")"), kInv, "response_format", "invalid_type"},
      {body_with(kUser, R"(,"response_format":{"type":"json_schema"})"), kInv,
       "response_format.json_schema", "missing_required_parameter"},
      {body_with(kUser, R"(,"response_format":{"type":"json_schema","json_schema":{"schema":{}}})"), kInv,
       "response_format.json_schema.name", "missing_required_parameter"},
      {body_with(kUser, R"(,"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":[]}})"),
       kInv, "response_format.json_schema.schema", "invalid_type"},
      {body_with(kUser, R"(,"stop":["a","b","c","d","e"])"), kInv, "stop", "array_above_max_length"},
      {body_with(kUser, R"(,"stop":["a",1])"), kInv, "stop[1]", "invalid_type"},
      {body_with(kUser, R"(,"stop":1)"), kInv, "stop", "invalid_type"},
      {body_with(kUser, R"(,"max_tokens":0)"), kInv, "max_tokens", "integer_below_min_value"},
      {body_with(kUser, R"(,"max_completion_tokens":"5")"), kInv, "max_completion_tokens", "invalid_type"},
      {body_with(kUser, R"(,"max_completion_tokens":1.5)"), kInv, "max_completion_tokens", "invalid_type"},
      {body_with(kUser, R"(,"max_tokens":1e300)"), kInv, "max_tokens", "invalid_type"},
      {body_with(kUser, R"(,"seed":18446744073709551615)"), kInv, "seed", "invalid_type"},
      {body_with(kUser, R"(,"seed":-1e19)"), kInv, "seed", "invalid_type"},
      {body_with(kUser, R"(,"temperature":3)"), kInv, "temperature", "decimal_above_max_value"},
      {body_with(kUser, R"(,"temperature":"hot")"), kInv, "temperature", "invalid_type"},
      {body_with(kUser, R"(,"top_p":-0.1)"), kInv, "top_p", "decimal_below_min_value"},
      {body_with(kUser, R"(,"seed":"1")"), kInv, "seed", "invalid_type"},
      {body_with(kUser, R"(,"user":1)"), kInv, "user", "invalid_type"},
      {body_with(kUser, R"(,"reasoning_effort":true)"), kInv, "reasoning_effort", "invalid_type"},
      {body_with(kUser, R"(,"parallel_tool_calls":"no")"), kInv, "parallel_tool_calls", "invalid_type"},
      {body_with(kUser, R"(,"functions":[{"name":"f"}])"), kUns, "functions", "unsupported_parameter"},
      {body_with(kUser, R"(,"function_call":"auto")"), kUns, "function_call", "unsupported_parameter"},
      {body_with(kUser, R"(,"audio":{"voice":"alloy","format":"wav"})"), kUns, "audio",
       "unsupported_parameter"},
      {body_with(kUser, R"(,"modalities":["text","audio"])"), kUns, "modalities", "unsupported_value"},
      {body_with(kUser, R"(,"modalities":["text",1])"), kInv, "modalities[1]", "invalid_type"},
      {body_with(kUser, R"(,"presence_penalty":3)"), kInv, "presence_penalty", "decimal_above_max_value"},
      {body_with(kUser, R"(,"top_logprobs":21)"), kInv, "top_logprobs", "integer_above_max_value"},
      {body_with(kUser, R"(,"metadata":[])"), kInv, "metadata", "invalid_type"},
      {body_with(kUser, R"(,"store":"yes")"), kInv, "store", "invalid_type"},
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(OpenAIChatSurfaceParseErrors, ExactMessagesMatchOpenAIWording) {
  auto msg = [](const std::string& body) {
    auto r = parse(body);
    return r.ok() ? std::string("<ok>") : r.error().message;
  };
  EXPECT_EQ(msg(body_with(kUser, R"(,"foo":1)")), "Unrecognized request argument supplied: foo");
  EXPECT_EQ(msg(R"({"model":"m"})"), "Missing required parameter: 'messages'.");
  EXPECT_EQ(msg(body_with(kUser, R"(,"max_tokens":0)")),
            "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 "
            "instead.");
  EXPECT_EQ(msg(body_with(kUser, R"(,"temperature":2.5)")),
            "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got "
            "2.5 instead.");
  EXPECT_EQ(msg(body_with(kUser, R"(,"stream_options":{})")),
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  EXPECT_EQ(msg(body_with(R"({"role":"user","content":1})")),
            "Invalid type for 'messages[0].content': expected one of a string or array of "
            "objects, but got number.");
  EXPECT_EQ(msg("[]"), "body must be a JSON object, but got array.");
  EXPECT_EQ(msg("{").rfind("could not parse JSON body", 0), 0u);
}

// ---- recorded request fixtures --------------------------------------------------------------

std::string fixture_body(const std::string& rel) {
  std::string text = testing::read_fixture(rel);
  json::Reader local;  // parse_request uses the thread reader; keep ours separate
  auto root = local.parse(text);
  EXPECT_TRUE(root.ok()) << rel;
  if (!root.ok()) return {};
  json::Element body;
  EXPECT_EQ(root->at_key("body").get(body), simdjson::SUCCESS) << rel;
  return json::to_json(body);
}

TEST(OpenAIChatSurfaceFixtures, RecordedRequestsParse) {
  std::vector<std::string> files = {
      "openai-compatible/deepseek-reasoning-stream.request.json",
      "openai-compatible/groq-error-400-tool-use-failed.request.json"};
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OPENRAIN_FIXTURES_DIR) + "/openai-chat")) {
    std::string name = entry.path().filename().string();
    if (name.size() > 13 && name.substr(name.size() - 13) == ".request.json") {
      files.push_back("openai-chat/" + name);
    }
  }
  EXPECT_GE(files.size(), 8u);
  for (const auto& f : files) {
    auto r = parse(fixture_body(f));
    EXPECT_TRUE(r.ok()) << f << ": " << (r.ok() ? "" : r.error().message + " @" + r.error().param);
  }
}

TEST(OpenAIChatSurfaceFixtures, TextStreamRequestContent) {
  ChatRequest r = parse_ok(fixture_body("openai-chat/text-stream.request.json"));
  EXPECT_EQ(r.model, "gpt-4o-mini");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[1].role, Role::Assistant);
  EXPECT_TRUE(r.messages[1].content.empty());
  ASSERT_EQ(r.messages[1].tool_calls.size(), 1u);
  EXPECT_EQ(r.messages[1].tool_calls[0].arguments, R"({"country":"UK"})");
  EXPECT_EQ(r.messages[2].role, Role::Tool);
  EXPECT_EQ(r.messages[2].tool_call_id, "call_ZR5UUuTt3pf61kjwAJIYdVMj");
  EXPECT_EQ(r.messages[2].tool_name, "get_capital");
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::Auto);
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].strict, true);
  EXPECT_EQ(r.tools[0].parameters,
            R"({"additionalProperties":false,"properties":{"country":{"type":"string"}},)"
            R"("required":["country"],"type":"object"})");

  ChatRequest dev = parse_ok(fixture_body("openai-chat/error-400-unsupported-value.request.json"));
  EXPECT_TRUE(dev.messages[0].developer);
  ChatRequest reasoning = parse_ok(fixture_body("openai-chat/reasoning-usage.request.json"));
  EXPECT_EQ(reasoning.reasoning_effort, "high");
  EXPECT_EQ(reasoning.messages.size(), 3u);
}

// ---- robustness: never crash on any input ---------------------------------------------------

TEST(OpenAIChatSurfaceRobustness, TruncationsMutationsAndDeepNesting) {
  const std::string body = fixture_body("openai-chat/text-stream.request.json");
  ASSERT_FALSE(body.empty());
  for (size_t n = 0; n < body.size(); ++n) {
    auto r = parse(body.substr(0, n));
    EXPECT_FALSE(r.ok()) << n;  // every strict prefix of an object is invalid JSON
  }
  const std::string rich = body_with(
      R"({"role":"developer","content":[{"type":"text","text":"dev"}],"name":"ops"},
         {"role":"user","content":[{"type":"text","text":"look"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,QUJD","detail":"low"}}]},
         {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
            "function":{"name":"f","arguments":"{}"}}]},
         {"role":"tool","tool_call_id":"c1","content":"ok"})",
      R"(,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"},
         "strict":true}}],"tool_choice":{"type":"function","function":{"name":"f"}},
         "response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{}}},
         "stop":["x"],"max_tokens":5,"temperature":1,"stream":true,
         "stream_options":{"include_usage":true},"metadata":{"k":"v"},"n":1)");
  ASSERT_TRUE(parse(rich).ok());
  std::mt19937 rng(7);
  const char alphabet[] = "{}[]\",:0123456789.-eEtrufalsn \\";
  int ok = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string m = (i % 2) ? rich : body;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      size_t pos = rng() % m.size();
      switch (rng() % 3) {
        case 0: m[pos] = alphabet[rng() % (sizeof alphabet - 1)]; break;
        case 1: m.erase(pos, 1 + rng() % 8); break;
        default: m.insert(pos, 1, alphabet[rng() % (sizeof alphabet - 1)]); break;
      }
      if (m.empty()) m = "{";
    }
    auto r = parse(m);
    if (r.ok()) ++ok;
    else EXPECT_EQ(r.error().http_status, 400);
  }
  EXPECT_GT(ok, 0);  // some mutations stay valid (e.g. inside strings)
  auto deep = parse(std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_FALSE(deep.ok());
  auto deep_content = parse(body_with(R"({"role":"user","content":[)" + std::string(5000, '[') +
                                      std::string(5000, ']') + "]}"));
  ASSERT_FALSE(deep_content.ok());
  EXPECT_EQ(deep_content.error().http_status, 400);
}

// ---- OpenAI-shaped errors -------------------------------------------------------------------

struct KindCase {
  ErrorKind kind;
  int status;
  const char* type;
  const char* code;  // nullptr = JSON null
};

TEST(OpenAIChatSurfaceErrors, RenderPerKind) {
  const KindCase cases[] = {
      {ErrorKind::InvalidRequest, 400, "invalid_request_error", nullptr},
      {ErrorKind::UnsupportedParameter, 400, "invalid_request_error", "unsupported_parameter"},
      {ErrorKind::ContextLengthExceeded, 400, "invalid_request_error", "context_length_exceeded"},
      {ErrorKind::NotFound, 404, "invalid_request_error", "model_not_found"},
      {ErrorKind::PayloadTooLarge, 413, "invalid_request_error", nullptr},
      {ErrorKind::Authentication, 401, "invalid_request_error", "invalid_api_key"},
      {ErrorKind::PermissionDenied, 403, "permission_error", nullptr},
      {ErrorKind::RateLimited, 429, "requests", "rate_limit_exceeded"},
      {ErrorKind::QuotaExceeded, 429, "insufficient_quota", "insufficient_quota"},
      {ErrorKind::UpstreamServerError, 500, "server_error", nullptr},
      {ErrorKind::UpstreamProtocol, 502, "server_error", nullptr},
      {ErrorKind::UpstreamConnection, 502, "server_error", nullptr},
      {ErrorKind::StreamInterrupted, 502, "server_error", nullptr},
      {ErrorKind::Internal, 500, "server_error", nullptr},
      {ErrorKind::Overloaded, 503, "service_unavailable_error", nullptr},
      {ErrorKind::Timeout, 504, "timeout_error", nullptr},
  };
  for (const auto& c : cases) {
    Error e = Error::make(c.kind, "boom");
    ResponseHead head;
    std::string body;
    openai_chat_surface().render_error(e, head, body);
    EXPECT_EQ(head.status, c.status) << error_kind_name(c.kind);
    EXPECT_EQ(head.headers, (Headers{{"content-type", "application/json"}}));
    std::string code = c.code ? std::string("\"") + c.code + "\"" : "null";
    EXPECT_EQ(body, std::string(R"({"error":{"message":"boom","type":")") + c.type +
                        R"(","param":null,"code":)" + code + "}}")
        << error_kind_name(c.kind);
  }
}

TEST(OpenAIChatSurfaceErrors, ParamCodeUpstreamTypeAndHeaders) {
  ResponseHead head;
  std::string body;
  Error bad = Error::invalid("Invalid 'n'", "n", "integer_below_min_value");
  render_openai_error(bad, head, body);
  EXPECT_EQ(body, R"({"error":{"message":"Invalid 'n'","type":"invalid_request_error",)"
                  R"("param":"n","code":"integer_below_min_value"}})");

  Error rl = Error::make(ErrorKind::RateLimited, "slow down");
  rl.upstream_type = "tokens";  // OpenAI's own type survives
  rl.retry_after_s = 1.2;
  rl.headers = {{"x-ratelimit-remaining-tokens", "0"}};
  head = ResponseHead{};
  head.headers = {{"Content-Type", "text/plain"}, {"x-request-id", "req_1"}};
  render_openai_error(rl, head, body);
  EXPECT_EQ(head.status, 429);
  EXPECT_EQ(head.headers, (Headers{{"x-request-id", "req_1"},
                                   {"content-type", "application/json"},
                                   {"x-ratelimit-remaining-tokens", "0"},
                                   {"retry-after", "2"}}));
  EXPECT_EQ(body, R"({"error":{"message":"slow down","type":"tokens","param":null,)"
                  R"("code":"rate_limit_exceeded"}})");

  Error anth = Error::make(ErrorKind::RateLimited, "x");
  anth.upstream_type = "rate_limit_error";  // Anthropic vocabulary never leaks
  anth.retry_after_s = 3.0;
  anth.headers = {{"retry-after", "7"}};
  head = ResponseHead{};
  render_openai_error(anth, head, body);
  EXPECT_EQ(head.headers, (Headers{{"content-type", "application/json"}, {"retry-after", "7"}}));
  EXPECT_EQ(openai_error_type(anth), "requests");

  Error over = Error::make(ErrorKind::Overloaded, "");
  over.upstream_type = "overloaded_error";
  over.code = "server_is_overloaded";
  over.http_status = 529;  // surfaces keep the given status when valid
  head = ResponseHead{};
  render_openai_error(over, head, body);
  EXPECT_EQ(head.status, 529);
  EXPECT_EQ(body, R"({"error":{"message":"The upstream server is overloaded. Please retry later.",)"
                  R"("type":"service_unavailable_error","param":null,"code":"server_is_overloaded"}})");

  Error weird = Error::make(ErrorKind::Internal, "x");
  weird.http_status = 0;
  head = ResponseHead{};
  render_openai_error(weird, head, body);
  EXPECT_EQ(head.status, 500);

  std::string obj;
  json::Writer w(obj);
  render_openai_error_object(Error::make(ErrorKind::NotFound, "nope", "model"), w);
  EXPECT_EQ(obj, R"({"message":"nope","type":"invalid_request_error","param":"model",)"
                 R"("code":"model_not_found"})");
}

}  // namespace
}  // namespace openrain::surfaces
