// Gemini surface: path splitting, request decoding (every recorded request, camelCase/snake_case
// equivalence, functionCall/functionResponse pairing, signatures, media, generationConfig, error
// paths with exact wording), countTokens, stream encoding in both wire modes (exact golden bytes,
// re-framed and JSON-parsed), the non-streaming body, and error rendering.
#include "surfaces/gemini_generate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "json/reader.hpp"
#include "pipeline/fold.hpp"
#include "providers/common.hpp"
#include "sse/framer.hpp"
#include "surfaces/token_estimate.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::surfaces {
namespace {

HttpRequest load_envelope(const std::string& abs_path) {
  std::string text = testing::read_fixture(abs_path);
  json::Reader reader;
  auto parsed = reader.parse(text);
  EXPECT_TRUE(parsed.ok()) << abs_path;
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
  json::Element body;
  EXPECT_EQ(o.at_key("body").get(body), simdjson::SUCCESS);
  req.body = json::to_json(body);
  return req;
}

HttpRequest gen_request(std::string body, std::string method = "generateContent") {
  HttpRequest req;
  req.path = "/v1beta/models/gem-alias:" + method;
  req.body = std::move(body);
  return req;
}

Result<ChatRequest> parse(std::string body) {
  return gemini_generate_surface().parse_request(gen_request(std::move(body)));
}

const char* role_name(Role r) {
  switch (r) {
    case Role::System: return "system";
    case Role::User: return "user";
    case Role::Assistant: return "assistant";
    case Role::Tool: return "tool";
  }
  return "?";
}

/// A compact, complete text form of a ChatRequest for exact comparisons.
std::string dump(const ChatRequest& r) {
  std::string s = "model=" + r.model + " stream=" + (r.stream ? "1" : "0") + "\n";
  for (const Message& m : r.messages) {
    s += std::string(role_name(m.role));
    if (m.role == Role::Tool) s += "(" + m.tool_call_id + "," + m.tool_name + ")";
    s += ":";
    for (const ContentPart& p : m.content) {
      switch (p.kind) {
        case ContentPart::Kind::Text: s += " text[" + p.text + "|" + p.signature + "]"; break;
        case ContentPart::Kind::Thinking: s += " think[" + p.text + "|" + p.signature + "]"; break;
        case ContentPart::Kind::Image:
          s += " image[" + p.media_type + "|" + p.data + "|" + p.url + "]";
          break;
        case ContentPart::Kind::Raw: s += " raw" + p.raw; break;
        case ContentPart::Kind::RedactedThinking: s += " redacted"; break;
        case ContentPart::Kind::File:
          s += " file[" + p.media_type + "|" + p.data + "|" + p.filename + "]";
          break;
      }
    }
    for (const ToolCall& tc : m.tool_calls) {
      s += " call[" + tc.id + "," + tc.name + "," + tc.arguments + "|" + tc.thought_signature + "]";
    }
    s += "\n";
  }
  for (const ToolDef& t : r.tools) {
    s += "tool " + t.name + " desc=" + t.description + " params=" + t.parameters +
         " extras=" + t.raw_extras + "\n";
  }
  s += "choice=" + std::to_string(static_cast<int>(r.tool_choice.mode)) + ":" + r.tool_choice.name;
  s += " format=" + std::to_string(static_cast<int>(r.response_format.kind)) + ":" +
       r.response_format.schema;
  s += " stop=";
  for (const auto& x : r.stop) s += x + ";";
  s += " max=" + (r.max_tokens ? std::to_string(*r.max_tokens) : "-");
  s += " temp=" + (r.temperature ? std::to_string(*r.temperature) : "-");
  s += " top_p=" + (r.top_p ? std::to_string(*r.top_p) : "-");
  s += " top_k=" + (r.top_k ? std::to_string(*r.top_k) : "-");
  s += " seed=" + (r.seed ? std::to_string(*r.seed) : "-");
  s += " effort=" + r.reasoning_effort;
  s += " budget=" + (r.reasoning_budget_tokens ? std::to_string(*r.reasoning_budget_tokens) : "-");
  s += " thoughts=" + std::string(r.include_thoughts ? "1" : "0") + "\n";
  for (const RawField& f : r.extras) s += "extra " + f.key + "=" + f.json + "\n";
  return s;
}

// ---- paths ----------------------------------------------------------------------------------

TEST(GeminiGenerateSurfacePath, SplitsModelAndMethod) {
  auto p = parse_gemini_path("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->model, "gemini-2.5-flash");
  EXPECT_EQ(p->method, "streamGenerateContent");

  p = parse_gemini_path("/v1/models/gemini-2.5-pro:generateContent/");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->model, "gemini-2.5-pro");
  EXPECT_EQ(p->method, "generateContent");

  p = parse_gemini_path("/v1beta/models/gemini-2.5-flash%3AcountTokens");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->model, "gemini-2.5-flash");
  EXPECT_EQ(p->method, "countTokens");

  p = parse_gemini_path("/v1alpha/models/my%2Falias%3agenerateContent");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->model, "my/alias");

  p = parse_gemini_path("/v1beta/models/team:model:generateContent");  // last colon wins
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->model, "team:model");
  EXPECT_EQ(p->method, "generateContent");

  EXPECT_FALSE(parse_gemini_path("/v1beta/models/gemini-2.5-flash:embedContent"));
  EXPECT_FALSE(parse_gemini_path("/v1beta/models/gemini-2.5-flash"));
  EXPECT_FALSE(parse_gemini_path("/v1beta/models/:generateContent"));
  EXPECT_FALSE(parse_gemini_path("/v2/models/g:generateContent"));
  EXPECT_FALSE(parse_gemini_path("/v1/chat/completions"));
}

TEST(GeminiGenerateSurfacePath, StreamFlagAndSseQuery) {
  HttpRequest req = gen_request(R"({"contents":[{"parts":[{"text":"hi"}]}]})",
                                "streamGenerateContent");
  auto r = gemini_generate_surface().parse_request(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->stream);
  EXPECT_EQ(r->model, "gem-alias");
  EXPECT_EQ(r->source, Protocol::Gemini);
  EXPECT_FALSE(gemini_wants_sse(req));
  req.query = "key=abc&alt=sse";
  EXPECT_TRUE(gemini_wants_sse(req));
  EXPECT_STREQ(gemini_stream_content_type(false), "application/json; charset=UTF-8");
  EXPECT_EQ(gemini_generate_surface().protocol(), Protocol::Gemini);

  HttpRequest bad = gen_request("{}");
  bad.path = "/v1beta/models/x:embedContent";
  auto e = gemini_generate_surface().parse_request(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::NotFound);
}

// ---- recorded requests ----------------------------------------------------------------------

TEST(GeminiGenerateSurfaceParse, EveryRecordedRequestParses) {
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(OPENRAIN_FIXTURES_DIR) / "gemini")) {
    std::string name = entry.path().filename().string();
    if (name.size() < 13 || name.substr(name.size() - 13) != ".request.json") continue;
    ++count;
    HttpRequest req = load_envelope(entry.path().string());
    auto r = gemini_generate_surface().parse_request(req);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
    auto path = parse_gemini_path(req.path);
    ASSERT_TRUE(path.has_value()) << name;
    EXPECT_EQ(r->source, Protocol::Gemini) << name;
    EXPECT_EQ(r->model, path->model) << name;
    EXPECT_EQ(r->stream, path->method == "streamGenerateContent") << name;
    EXPECT_FALSE(r->messages.empty()) << name;
  }
  EXPECT_EQ(count, 11);
}

TEST(GeminiGenerateSurfaceParse, RecordedTranslations) {
  const std::string dir = std::string(OPENRAIN_FIXTURES_DIR) + "/gemini/";
  auto r = gemini_generate_surface().parse_request(load_envelope(dir + "text.request.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(dump(*r),
            "model=gemini-2.5-flash stream=0\n"
            "system: text[You are a chatbot.|]\n"
            "user: text[Hello!|]\n"
            "choice=0: format=0: stop= max=- temp=- top_p=- top_k=- seed=- effort= budget=- "
            "thoughts=0\n"
            "extra generationConfig={\"responseModalities\":[\"TEXT\"]}\n");

  r = gemini_generate_surface().parse_request(
      load_envelope(dir + "function-call-stream-no-sse.request.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_thoughts);
  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].name, "pelican_name_generator");
  EXPECT_EQ(r->tools[0].description, "");  // "description": null
  EXPECT_EQ(r->tools[0].parameters, R"({"type":"object","properties":{}})");
  ASSERT_EQ(r->extras.size(), 1u);
  EXPECT_EQ(r->extras[0].key, "safetySettings");
  EXPECT_EQ(r->extras[0].json,
            R"([{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","threshold":"BLOCK_NONE"},)"
            R"({"category":"HARM_CATEGORY_SEXUALLY_EXPLICIT","threshold":"BLOCK_NONE"},)"
            R"({"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_NONE"},)"
            R"({"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}])");

  r = gemini_generate_surface().parse_request(
      load_envelope(dir + "parallel-function-calls.request.json"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->tools.size(), 2u);
  EXPECT_EQ(r->tools[0].parameters,
            R"({"additionalProperties":false,"properties":{},"type":"object"})");
  EXPECT_EQ(r->tools[1].description, "The final response which ends this conversation");
  EXPECT_EQ(r->tool_choice.mode, ToolChoice::Mode::Required);  // ANY with two names
  ASSERT_EQ(r->messages.size(), 2u);
  EXPECT_EQ(r->messages[0].role, Role::System);

  r = gemini_generate_surface().parse_request(
      load_envelope(dir + "max-tokens-no-parts.request.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_tokens, 5);

  r = gemini_generate_surface().parse_request(
      load_envelope(dir + "cached-content-usage.request.json"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->extras.size(), 2u);
  EXPECT_EQ(r->extras[0].key, "cachedContent");
  EXPECT_EQ(r->extras[0].json, "\"cachedContents/7lf5him5ev4iemi1yjv2gwli5bhpz3yidzejwllo\"");

  r = gemini_generate_surface().parse_request(load_envelope(dir + "thinking-stream.request.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tools[0].parameters, R"({"type":"object","properties":{}})");  // OBJECT lowered
}

// ---- conversations --------------------------------------------------------------------------

TEST(GeminiGenerateSurfaceParse, FunctionCallsPairWithResponsesAndKeepSignatures) {
  auto r = parse(R"({
    "systemInstruction": {"role": "user", "parts": [{"text": "Be brief."}, {"text": "Use tools."}]},
    "contents": [
      {"role": "user", "parts": [{"text": "Weather in Paris and Rome?"}]},
      {"role": "model", "parts": [
        {"text": "Let me ", "thought": true},
        {"text": "check.", "thought": true, "thoughtSignature": "SIG_T"},
        {"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "SIG_1"},
        {"functionCall": {"name": "weather", "args": {"city": "Rome"}}},
        {"functionCall": {"name": "time", "id": "given-id"}}]},
      {"role": "user", "parts": [
        {"functionResponse": {"name": "weather", "response": {"temp": 20}}},
        {"functionResponse": {"name": "time", "id": "given-id", "response": {"output": "noon"}}},
        {"functionResponse": {"name": "weather", "response": {"temp": 25}}},
        {"text": "Thanks"}]},
      {"role": "model", "parts": [{"text": "Done.", "thoughtSignature": "SIG_TEXT"}]},
      {"parts": [{"functionResponse": {"name": "ghost", "response": {}}}]}
    ]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string c0 = providers::synth_tool_id("gem-alias#1", 0);
  const std::string c1 = providers::synth_tool_id("gem-alias#1", 1);
  const std::string orphan = providers::synth_tool_id("gem-alias#4#response", 0);
  EXPECT_EQ(dump(*r),
            "model=gem-alias stream=0\n"
            "system: text[Be brief.|] text[Use tools.|]\n"
            "user: text[Weather in Paris and Rome?|]\n"
            "assistant: think[Let me check.|SIG_T] call[" + c0 +
                ",weather,{\"city\":\"Paris\"}|SIG_1] call[" + c1 +
                ",weather,{\"city\":\"Rome\"}|] call[given-id,time,{}|]\n"
            "tool(" + c0 + ",weather): text[{\"temp\":20}|]\n"
            "tool(given-id,time): text[{\"output\":\"noon\"}|]\n"
            "tool(" + c1 + ",weather): text[{\"temp\":25}|]\n"
            "user: text[Thanks|]\n"
            "assistant: text[Done.|SIG_TEXT]\n"
            "tool(" + orphan + ",ghost): text[{}|]\n"
            "choice=0: format=0: stop= max=- temp=- top_p=- top_k=- seed=- effort= budget=- "
            "thoughts=0\n");
}

TEST(GeminiGenerateSurfaceParse, MediaParts) {
  auto r = parse(R"j({"contents":[{"role":"user","parts":[
      {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
      {"inline_data":{"mime_type":"application/pdf","data":"JVBERi0"}},
      {"inlineData":{"mimeType":"application/pdf","data":"JVBERi0-_w","displayName":"r.pdf"}},
      {"fileData":{"mimeType":"application/pdf","fileUri":"gs://b/r.pdf"}},
      {"inlineData":{"mimeType":"audio/wav","data":"UklGRg=="}},
      {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/cat.jpg"}},
      {"file_data":{"file_uri":"https://youtu.be/x","mime_type":"video/mp4"}},
      {"executableCode":{"language":"PYTHON","code":"print(1)"}}]}]})j");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 1u);
  // An inline PDF is a File part (standard, padded base64) so it reaches every upstream; a PDF by
  // URI and other media stay Gemini-only.
  EXPECT_EQ(dump(*r).substr(0, dump(*r).find("\nchoice")),
            "model=gem-alias stream=0\n"
            "user: image[image/png|iVBORw0KGgo=|] "
            "file[application/pdf|JVBERi0=|] "
            "file[application/pdf|JVBERi0+/w==|r.pdf] "
            "raw{\"fileData\":{\"mimeType\":\"application/pdf\",\"fileUri\":\"gs://b/r.pdf\"}} "
            "raw{\"inlineData\":{\"mimeType\":\"audio/wav\",\"data\":\"UklGRg==\"}} "
            "image[image/jpeg||https://example.com/cat.jpg] "
            "raw{\"file_data\":{\"file_uri\":\"https://youtu.be/x\",\"mime_type\":\"video/mp4\"}} "
            "raw{\"executableCode\":{\"language\":\"PYTHON\",\"code\":\"print(1)\"}}");
}

TEST(GeminiGenerateSurfaceParse, SnakeCaseEqualsCamelCase) {
  const std::string camel = R"({
    "systemInstruction": {"parts": [{"text": "sys"}]},
    "contents": [
      {"role": "user", "parts": [{"text": "q"}, {"inlineData": {"mimeType": "image/png", "data": "AA=="}}]},
      {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {"a_b": 1}}, "thoughtSignature": "S"}]},
      {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"x_y": 2}}}]}],
    "tools": [{"functionDeclarations": [{"name": "f", "description": "d",
                "parametersJsonSchema": {"type": "object", "properties": {"a_b": {"type": "integer"}}}}]}],
    "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}},
    "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF"}],
    "generationConfig": {"maxOutputTokens": 100, "stopSequences": ["END"], "topP": 0.5, "topK": 40,
      "temperature": 0.2, "seed": 7, "candidateCount": 1, "responseMimeType": "application/json",
      "responseJsonSchema": {"type": "object"}, "presencePenalty": 0.1,
      "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": true, "thinkingLevel": "HIGH"}}
  })";
  const std::string snake = R"({
    "system_instruction": {"parts": [{"text": "sys"}]},
    "contents": [
      {"role": "user", "parts": [{"text": "q"}, {"inline_data": {"mime_type": "image/png", "data": "AA=="}}]},
      {"role": "model", "parts": [{"function_call": {"name": "f", "args": {"a_b": 1}}, "thought_signature": "S"}]},
      {"role": "user", "parts": [{"function_response": {"name": "f", "response": {"x_y": 2}}}]}],
    "tools": [{"function_declarations": [{"name": "f", "description": "d",
                "parameters_json_schema": {"type": "object", "properties": {"a_b": {"type": "integer"}}}}]}],
    "tool_config": {"function_calling_config": {"mode": "ANY", "allowed_function_names": ["f"]}},
    "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF"}],
    "generation_config": {"max_output_tokens": "100", "stop_sequences": ["END"], "top_p": 0.5, "top_k": 40,
      "temperature": 0.2, "seed": 7, "candidate_count": 1, "response_mime_type": "application/json",
      "response_json_schema": {"type": "object"}, "presence_penalty": 0.1,
      "thinking_config": {"thinking_budget": 1024, "include_thoughts": true, "thinking_level": "HIGH"}}
  })";
  auto a = parse(camel);
  auto b = parse(snake);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(dump(*a), dump(*b));
  const std::string call = providers::synth_tool_id("gem-alias#1", 0);
  EXPECT_EQ(dump(*a),
            "model=gem-alias stream=0\n"
            "system: text[sys|]\n"
            "user: text[q|] image[image/png|AA==|]\n"
            "assistant: call[" + call + ",f,{\"a_b\":1}|S]\n"
            "tool(" + call + ",f): text[{\"x_y\":2}|]\n"
            "tool f desc=d params={\"type\":\"object\",\"properties\":{\"a_b\":{\"type\":\"integer\"}}}"
            " extras=\n"
            "choice=4:f format=3:{\"type\":\"object\"} stop=END; max=100 temp=0.200000 "
            "top_p=0.500000 top_k=40 seed=7 effort=high budget=1024 thoughts=1\n"
            "extra safetySettings=[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"OFF\"}]\n"
            "extra generationConfig={\"presencePenalty\":0.1}\n");
}

TEST(GeminiGenerateSurfaceParse, OpenApiSchemasBecomeJsonSchema) {
  auto r = parse(R"({"contents":[{"parts":[{"text":"q"}]}],
    "tools":[{"functionDeclarations":[{"name":"f","behavior":"NON_BLOCKING","parameters":{
      "type":"OBJECT","propertyOrdering":["b_c"],"required":["b_c"],
      "properties":{"b_c":{"type":"STRING","nullable":true,"format":"enum","enum":["x","y"]},
                    "list":{"type":"ARRAY","max_items":3,"items":{"type":"INTEGER"}}}}}]}],
    "generationConfig":{"responseMimeType":"application/json",
      "responseSchema":{"type":"OBJECT","properties":{"n":{"type":"NUMBER"}}}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].parameters,
            R"({"type":"object","required":["b_c"],"properties":{"b_c":{"type":["string","null"],)"
            R"("enum":["x","y"]},"list":{"type":"array","maxItems":3,"items":{"type":"integer"}}}})");
  EXPECT_EQ(r->tools[0].raw_extras, R"({"behavior":"NON_BLOCKING"})");
  EXPECT_EQ(r->response_format.kind, ResponseFormat::Kind::JsonSchema);
  EXPECT_EQ(r->response_format.schema, R"({"type":"object","properties":{"n":{"type":"number"}}})");

  auto json_only = parse(R"({"contents":[{"parts":[{"text":"q"}]}],
    "generationConfig":{"responseMimeType":"application/json"}})");
  ASSERT_TRUE(json_only.ok());
  EXPECT_EQ(json_only->response_format.kind, ResponseFormat::Kind::JsonObject);

  auto enum_mode = parse(R"({"contents":[{"parts":[{"text":"q"}]}],
    "generationConfig":{"responseMimeType":"text/x.enum","responseSchema":{"type":"STRING","enum":["a"]}}})");
  ASSERT_TRUE(enum_mode.ok());
  EXPECT_EQ(enum_mode->response_format.kind, ResponseFormat::Kind::Unset);
  ASSERT_EQ(enum_mode->extras.size(), 1u);
  EXPECT_EQ(enum_mode->extras[0].json,
            R"({"responseMimeType":"text/x.enum","responseSchema":{"type":"STRING","enum":["a"]}})");
}

TEST(GeminiGenerateSurfaceParse, ToolConfigModes) {
  auto mode = [](const std::string& cfg) {
    auto r = parse(R"({"contents":[{"parts":[{"text":"q"}]}],"toolConfig":{"functionCallingConfig":)" +
                   cfg + "}}");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::to_string(static_cast<int>(r->tool_choice.mode)) + ":" + r->tool_choice.name
                  : std::string("error");
  };
  EXPECT_EQ(mode(R"({"mode":"AUTO"})"), "1:");
  EXPECT_EQ(mode(R"({"mode":"NONE"})"), "2:");
  EXPECT_EQ(mode(R"({"mode":"ANY"})"), "3:");
  EXPECT_EQ(mode(R"({"mode":"ANY","allowedFunctionNames":["only"]})"), "4:only");
  EXPECT_EQ(mode(R"({"mode":"VALIDATED"})"), "1:");
}

// ---- errors ---------------------------------------------------------------------------------

struct ErrCase {
  std::string body;
  ErrorKind kind;
  std::string param;
  std::string message;  // exact when non-empty
};

TEST(GeminiGenerateSurfaceParse, ErrorsNameTheField) {
  const std::string ok_contents = R"("contents":[{"parts":[{"text":"q"}]}])";
  const std::vector<ErrCase> cases = {
      {"{" + ok_contents + R"(,"foo":1})", ErrorKind::InvalidRequest, "foo",
       R"(Invalid JSON payload received. Unknown name "foo": Cannot find field.)"},
      {"{" + ok_contents + R"(,"generationConfig":{"max_tokens":5}})", ErrorKind::InvalidRequest,
       "generationConfig.max_tokens",
       "Invalid JSON payload received. Unknown name \"max_tokens\" at 'generationConfig': Cannot "
       "find field."},
      {"{" + ok_contents + R"(,"generationConfig":{"candidateCount":2}})",
       ErrorKind::UnsupportedParameter, "generationConfig.candidateCount",
       "generationConfig.candidateCount: only one candidate is supported (got 2)"},
      {"{" + ok_contents + R"(,"generation_config":{"temperature":"hot"}})",
       ErrorKind::InvalidRequest, "generation_config.temperature",
       R"(Invalid value at 'generation_config.temperature' (TYPE_FLOAT), "hot")"},
      {R"({"contents":"hello"})", ErrorKind::InvalidRequest, "contents",
       R"(Invalid value at 'contents' (list), "hello")"},
      {R"({"contents":[{"parts":[{"text":5}]}]})", ErrorKind::InvalidRequest,
       "contents[0].parts[0].text", "Invalid value at 'contents[0].parts[0].text' (TYPE_STRING), 5"},
      {R"({"contents":[{"role":"assistant","parts":[{"text":"x"}]}]})", ErrorKind::InvalidRequest,
       "contents[0].role", "contents[0].role: Please use a valid role: user, model."},
      {R"({"contents":[{"role":"user","parts":[]}]})", ErrorKind::InvalidRequest,
       "contents[0].parts", "contents[0].parts: contents.parts must not be empty"},
      {R"({"contents":[{"parts":[{"functionCall":{"name":"f"}}]}]})", ErrorKind::InvalidRequest,
       "contents[0].parts[0].functionCall", ""},
      {R"({"contents":[{"role":"model","parts":[{"functionCall":{"args":{}}}]}]})",
       ErrorKind::InvalidRequest, "contents[0].parts[0].functionCall.name", ""},
      {R"({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":"{}"}}]}]})",
       ErrorKind::InvalidRequest, "contents[0].parts[0].functionCall.args", ""},
      {R"({"contents":[{"parts":[{"text":"a","inlineData":{"mimeType":"image/png","data":"AA=="}}]}]})",
       ErrorKind::InvalidRequest, "contents[0].parts[0]",
       "contents[0].parts[0]: a part must hold only one data field"},
      {R"({"contents":[{"parts":[{"txt":"a"}]}]})", ErrorKind::InvalidRequest,
       "contents[0].parts[0].txt", ""},
      {R"({"systemInstruction":{"parts":[{"text":"s"}]}})", ErrorKind::InvalidRequest, "contents",
       "contents: contents is not specified"},
      {R"({"contents":[]})", ErrorKind::InvalidRequest, "contents",
       "contents: contents is not specified"},
      {"{" + ok_contents + R"(,"tools":[{"googleSearch":{}}]})", ErrorKind::UnsupportedParameter,
       "tools[0].googleSearch", ""},
      {"{" + ok_contents + R"(,"tools":[{"function_declarations":[]},{"code_execution":{}}]})",
       ErrorKind::UnsupportedParameter, "tools[1].code_execution", ""},
      {"{" + ok_contents + R"(,"tools":[{"functionDeclarations":[{"description":"x"}]}]})",
       ErrorKind::InvalidRequest, "tools[0].functionDeclarations[0].name", ""},
      {"{" + ok_contents + R"(,"toolConfig":{"functionCallingConfig":{"mode":"SOMETIMES"}}})",
       ErrorKind::InvalidRequest, "toolConfig.functionCallingConfig.mode", ""},
      {"{" + ok_contents + R"(,"generationConfig":{"stopSequences":[1]}})",
       ErrorKind::InvalidRequest, "generationConfig.stopSequences[0]", ""},
      {"{" + ok_contents + R"(,"generationConfig":{"thinkingConfig":{"thinkingBudget":1.5}}})",
       ErrorKind::InvalidRequest, "generationConfig.thinkingConfig.thinkingBudget", ""},
      {"[1]", ErrorKind::InvalidRequest, "", ""},
      {"{not json", ErrorKind::InvalidRequest, "", ""},
  };
  for (const ErrCase& c : cases) {
    auto r = parse(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().kind, c.kind) << c.body;
    EXPECT_EQ(r.error().param, c.param) << c.body;
    EXPECT_EQ(r.error().http_status, 400) << c.body;
    if (!c.message.empty()) EXPECT_EQ(r.error().message, c.message) << c.body;
  }
}

// ---- countTokens ----------------------------------------------------------------------------

TEST(GeminiGenerateSurfaceCountTokens, BothBodyFormsAndTheResponse) {
  HttpRequest req = load_envelope(std::string(OPENRAIN_FIXTURES_DIR) +
                                  "/gemini/count-tokens.request.json");
  auto a = parse_gemini_count_tokens(req);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->model, "gemini-2.5-flash");
  ASSERT_EQ(a->messages.size(), 1u);
  EXPECT_EQ(a->messages[0].content[0].text, "The quick brown fox jumps over the lazydog.");

  req.body = R"({"generateContentRequest":{"model":"models/gemini-2.5-flash",)"
             R"("contents":[{"role":"user","parts":[{"text":"The quick brown fox jumps over the lazydog."}]}]}})";
  auto b = parse_gemini_count_tokens(req);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(dump(*a), dump(*b));
  const int64_t n = estimate_input_tokens(*a);
  EXPECT_EQ(n, 18);  // 3 base + 4 per message + ceil(43 / 4)

  std::string out;
  render_gemini_count_tokens(n, out);
  EXPECT_EQ(out, R"({"totalTokens":18,"promptTokensDetails":[{"modality":"TEXT","tokenCount":18}]})");

  req.body = R"({"contents":[],"generateContentRequest":{}})";
  auto c = parse_gemini_count_tokens(req);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().param, "generateContentRequest");
  req.body = R"({"generateContentRequest":{"contents":[],"bogus":1}})";
  c = parse_gemini_count_tokens(req);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().param, "generateContentRequest.bogus");
}

}  // namespace
}  // namespace openrain::surfaces
