// Gemini provider: request encoding (golden JSON), schema clean-up and error classification.
// Response decoding is covered in gemini_decode_test.cpp.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "providers/common.hpp"
#include "providers/gemini.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::providers {
namespace {

struct Env {
  explicit Env(std::string base = "https://generativelanguage.googleapis.com",
               std::string key = "test-key-123") {
    prov.name = "gem";
    prov.kind = ProviderKind::Gemini;
    prov.base_url = std::move(base);
    prov.api_key = std::move(key);
    model.alias = "m";
    model.provider = "gem";
    model.model = "gemini-2.5-flash";
    dep = Deployment{&prov, &model};
  }
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  ProviderConfig prov;
  ModelConfig model;
  Deployment dep;
};

ContentPart text_part(std::string t) {
  ContentPart p;
  p.kind = ContentPart::Kind::Text;
  p.text = std::move(t);
  return p;
}

Message msg(Role r, std::string text) {
  Message m;
  m.role = r;
  m.content.push_back(text_part(std::move(text)));
  return m;
}

ToolCall call(std::string id, std::string name, std::string args, std::string sig = "") {
  ToolCall c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.arguments = std::move(args);
  c.thought_signature = std::move(sig);
  return c;
}

Message calls(std::vector<ToolCall> cs) {
  Message m;
  m.role = Role::Assistant;
  m.tool_calls = std::move(cs);
  return m;
}

Message result(std::string id, std::string text, std::string name = "", bool is_error = false) {
  Message m = msg(Role::Tool, std::move(text));
  m.tool_call_id = std::move(id);
  m.tool_name = std::move(name);
  m.is_error = is_error;
  return m;
}

ChatRequest request(std::vector<Message> messages) {
  ChatRequest r;
  r.model = "m";
  r.messages = std::move(messages);
  return r;
}

std::string body_of(const ChatRequest& req, TranslationReport* report = nullptr) {
  Env env;
  TranslationReport local;
  Result<UpstreamRequest> r =
      gemini_provider().build_request(req, env.dep, report != nullptr ? *report : local);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value().body : std::string();
}

Error build_error(const ChatRequest& req) {
  Env env;
  TranslationReport report;
  Result<UpstreamRequest> r = gemini_provider().build_request(req, env.dep, report);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

// ---- paths, headers, system, merging ---------------------------------------------------------

TEST(GeminiProviderRequest, PathHeadersAndSystemInstruction) {
  Env env;
  env.prov.extra_headers.emplace_back("x-extra", "1");
  ChatRequest req = request({msg(Role::System, "You are terse."), msg(Role::User, "Hi"),
                             msg(Role::System, "Be kind.")});
  TranslationReport report;
  auto r = gemini_provider().build_request(req, env.dep, report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(gemini_provider().protocol(), Protocol::Gemini);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_FALSE(r->stream);
  EXPECT_EQ(r->path.find("key="), std::string::npos);
  EXPECT_EQ(find_header(r->headers, "x-goog-api-key"), "test-key-123");
  EXPECT_EQ(find_header(r->headers, "content-type"), "application/json");
  EXPECT_EQ(find_header(r->headers, "x-extra"), "1");
  // Only the leading system message is hoisted; a later one stays in place as user text
  // (pitfall MO2), reported as a role change.
  EXPECT_EQ(r->body,
            R"({"systemInstruction":{"parts":[{"text":"You are terse."}]},)"
            R"("contents":[{"role":"user","parts":[{"text":"Hi"},{"text":"Be kind."}]}]})");
  EXPECT_EQ(report.dropped, std::vector<std::string>{"messages[2].role"});
}

TEST(GeminiProviderRequest, StreamingPathVersionedBaseAndNoKey) {
  Env env("https://proxy.example/gemini/v1beta/", "");
  ChatRequest req = request({msg(Role::User, "Hi")});
  req.stream = true;
  TranslationReport report;
  auto r = gemini_provider().build_request(req, env.dep, report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  EXPECT_TRUE(r->stream);
  EXPECT_EQ(find_header(r->headers, "x-goog-api-key"), "");
  for (const auto& h : r->headers) EXPECT_NE(h.first, "x-goog-api-key");

  Env plain("http://127.0.0.1:9000");
  plain.model.model = "tunedModels/my model";
  auto r2 = gemini_provider().build_request(request({msg(Role::User, "Hi")}), plain.dep, report);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->path, "/v1beta/tunedModels/my%20model:generateContent");
}

TEST(GeminiProviderRequest, MergesConsecutiveSameRoleContents) {
  ChatRequest req = request({msg(Role::User, "a"), msg(Role::User, "b"),
                             msg(Role::Assistant, "c"), msg(Role::Assistant, "d"),
                             msg(Role::User, "e")});
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"a"},{"text":"b"}]},)"
            R"({"role":"model","parts":[{"text":"c"},{"text":"d"}]},)"
            R"({"role":"user","parts":[{"text":"e"}]}]})");
}

// ---- tools round trip ------------------------------------------------------------------------

TEST(GeminiProviderRequest, ToolRoundTripNameLookupAndCallOrder) {
  Message a = calls({call("call_a", "get_weather", R"({"city": "Paris"})", "SIG1"),
                     call("call_b", "get_time", "")});
  a.content.push_back(text_part("Let me check."));
  ChatRequest req = request({msg(Role::User, "Weather?"), a,
                             result("call_b", "12:00"),             // answered out of order,
                             result("call_a", R"( {"temp": 21} )"),  // names looked up by id
                             msg(Role::User, "thanks")});
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"Weather?"}]},)"
            R"({"role":"model","parts":[{"text":"Let me check."},)"
            R"({"functionCall":{"name":"get_weather","args":{"city":"Paris"},"id":"call_a"},"thoughtSignature":"SIG1"},)"
            R"({"functionCall":{"name":"get_time","args":{},"id":"call_b"}}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"id":"call_a","name":"get_weather","response":{"temp":21}}},)"
            R"({"functionResponse":{"id":"call_b","name":"get_time","response":{"output":"12:00"}}}]},)"
            R"({"role":"model","parts":[{"text":"OK."}]},)"  // function responses stay alone
            R"({"role":"user","parts":[{"text":"thanks"}]}]})");
}

TEST(GeminiProviderRequest, FirstUnsignedCallGetsSentinelOnly) {
  ChatRequest req = request({msg(Role::User, "go"),
                             calls({call("c1", "f", "{}"), call("c2", "g", R"({"x":[1,2]})")}),
                             result("c1", "one", "f"), result("c2", "[1,2]", "g")});
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"go"}]},)"
            R"({"role":"model","parts":[{"functionCall":{"name":"f","args":{},"id":"c1"},)"
            R"("thoughtSignature":"skip_thought_signature_validator"},)"
            R"({"functionCall":{"name":"g","args":{"x":[1,2]},"id":"c2"}}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"id":"c1","name":"f","response":{"output":"one"}}},)"
            R"({"functionResponse":{"id":"c2","name":"g","response":{"output":"[1,2]"}}}]}]})");
}

TEST(GeminiProviderRequest, ErrorResultsAndTextSignatures) {
  Message a = calls({call(synth_tool_id("r", 0), "f", "{}", "SIGF")});
  ContentPart signed_text = text_part("thinking out loud");
  signed_text.signature = "SIGT";
  signed_text.signature_origin = Protocol::Gemini;  // read back from a Gemini upstream's answer
  a.content.insert(a.content.begin(), signed_text);
  ChatRequest req = request({msg(Role::User, "go"), a,
                             result(synth_tool_id("r", 0), "boom", "", true)});
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"go"}]},)"
            R"({"role":"model","parts":[{"text":"thinking out loud","thoughtSignature":"SIGT"},)"
            R"({"functionCall":{"name":"f","args":{}},"thoughtSignature":"SIGF"}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"name":"f","response":{"error":"boom"}}}]}]})");
  ChatRequest req2 = request({msg(Role::User, "go"), calls({call("c1", "f", "{}", "S")}),
                              result("c1", R"({"code":7})", "", true)});
  EXPECT_NE(body_of(req2).find(R"("response":{"error":{"code":7}})"), std::string::npos);
}

TEST(GeminiProviderRequest, UnresolvableToolResultAndBadArgumentsAreErrors) {
  Error e = build_error(request({msg(Role::User, "go"), result("nope", "x")}));
  EXPECT_EQ(e.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.param, "messages[1].tool_call_id");

  Error e2 = build_error(request({msg(Role::User, "go"), calls({call("c1", "f", "{}"),
                                                               call("c2", "g", "{not json")})}));
  EXPECT_EQ(e2.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(e2.param, "messages[1].tool_calls[1].function.arguments");

  Error e3 = build_error(request({msg(Role::User, "go"), calls({call("c1", "f", "[1]")})}));
  EXPECT_EQ(e3.param, "messages[1].tool_calls[0].function.arguments");
}

TEST(GeminiProviderRequest, SystemBetweenToolResultsKeepsOneResponseTurn) {
  ChatRequest req = request({msg(Role::User, "go"),
                             calls({call("c1", "f", "{}", "S1"), call("c2", "g", "{}")}),
                             result("c2", "two"), msg(Role::System, "note"), result("c1", "one")});
  // The mid-conversation note stays after the results (never hoisted, never splitting them).
  EXPECT_EQ(body_of(req),
            R"({"contents":[)"
            R"({"role":"user","parts":[{"text":"go"}]},)"
            R"({"role":"model","parts":[{"functionCall":{"name":"f","args":{},"id":"c1"},"thoughtSignature":"S1"},)"
            R"({"functionCall":{"name":"g","args":{},"id":"c2"}}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"id":"c1","name":"f","response":{"output":"one"}}},)"
            R"({"functionResponse":{"id":"c2","name":"g","response":{"output":"two"}}}]},)"
            R"({"role":"model","parts":[{"text":"OK."}]},)"  // roles alternate (MO4)
            R"({"role":"user","parts":[{"text":"note"}]}]})");
}

TEST(GeminiProviderRequest, RawPartsOnlyForGeminiSourceAndNamesReported) {
  Message u = msg(Role::User, "run");
  u.name = "alice";
  ContentPart raw;
  raw.kind = ContentPart::Kind::Raw;
  raw.raw = R"j({"executableCode":{"language":"PYTHON","code":"print(1)"}})j";
  u.content.push_back(raw);
  ChatRequest req = request({u});
  TranslationReport report;
  EXPECT_EQ(body_of(req, &report), R"({"contents":[{"role":"user","parts":[{"text":"run"}]}]})");
  EXPECT_EQ(report.dropped, (std::vector<std::string>{"messages[0].name", "messages[0].content[1]"}));
  req.source = Protocol::Gemini;
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"run"},)"
            R"j({"executableCode":{"language":"PYTHON","code":"print(1)"}}]}]})j");
}

TEST(GeminiProviderRequest, SynthesisedIdsAreNotSentBack) {
  std::string id = synth_tool_id("resp", 0);  // Gemini sent none; the gateway minted this one
  ChatRequest req = request({msg(Role::User, "go"), calls({call(id, "f", "{}", "S")}),
                             result(id, "one")});
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"go"}]},)"
            R"({"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"S"}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"name":"f","response":{"output":"one"}}}]}]})");
}

// ---- role alternation --------------------------------------------------------------------------

TEST(GeminiProviderRequest, HumanTextAfterResultsGetsItsOwnTurnBehindABridge) {
  std::string id = synth_tool_id("resp", 0);
  ChatRequest req = request({msg(Role::User, "weather?"), calls({call(id, "f", "{}", "S")}),
                             result(id, "5 C"), msg(Role::User, "what to wear?")});
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"weather?"}]},)"
            R"({"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"S"}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"name":"f","response":{"output":"5 C"}}}]},)"
            R"({"role":"model","parts":[{"text":"OK."}]},)"
            R"({"role":"user","parts":[{"text":"what to wear?"}]}]})");
}

TEST(GeminiProviderRequest, HumanTextBetweenCallAndResultMovesAfterTheResult) {
  std::string id = synth_tool_id("resp", 0);
  ChatRequest req = request({msg(Role::User, "weather?"), calls({call(id, "f", "{}", "S")}),
                             msg(Role::User, "hurry"), result(id, "5 C")});
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"weather?"}]},)"
            R"({"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"S"}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"name":"f","response":{"output":"5 C"}}}]},)"
            R"({"role":"model","parts":[{"text":"OK."}]},)"
            R"({"role":"user","parts":[{"text":"hurry"}]}]})");
}

TEST(GeminiProviderRequest, HistoryOpeningWithAModelTurnGetsAUserTurnFirst) {
  std::string id = synth_tool_id("resp", 0);
  ChatRequest req = request({calls({call(id, "f", "{}")}), result(id, "5 C")});
  std::string body = body_of(req);
  EXPECT_EQ(body.rfind(R"j({"contents":[{"role":"user","parts":[{"text":"(earlier conversation omitted)"}]},)j"
                       R"({"role":"model","parts":[{"functionCall")", 0), 0u) << body;
}

// ---- thought signatures carried through other surfaces ---------------------------------------

ContentPart thinking(std::string text, std::string sig, std::optional<Protocol> origin) {
  ContentPart p;
  p.kind = ContentPart::Kind::Thinking;
  p.text = std::move(text);
  p.signature = std::move(sig);
  p.signature_origin = origin;
  return p;
}

TEST(GeminiProviderRequest, GeminiSignedThinkingHandsItsSignatureToTheNextPart) {
  // Anthropic surface: thinking{signature: Gemini's, from the text after the thought} + text.
  Message a = msg(Role::Assistant, "Hello.");
  a.content.insert(a.content.begin(), thinking("Plan.", "GSIG", Protocol::Gemini));
  ChatRequest req = request({msg(Role::User, "hi"), a, msg(Role::User, "and?")});
  req.source = Protocol::Anthropic;
  TranslationReport report;
  EXPECT_EQ(body_of(req, &report),
            R"({"contents":[{"role":"user","parts":[{"text":"hi"}]},)"
            R"({"role":"model","parts":[{"text":"Hello.","thoughtSignature":"GSIG"}]},)"
            R"({"role":"user","parts":[{"text":"and?"}]}]})");
  EXPECT_TRUE(report.dropped.empty());

  // thinking + call: the call's own (id-carried) signature wins; the copy is not repeated.
  std::string id = synth_tool_id("resp", 0);
  Message c = calls({call(id, "f", "{}", "GSIG")});
  c.content.push_back(thinking("Plan.", "GSIG", Protocol::Gemini));
  std::string body = body_of(request({msg(Role::User, "hi"), c, result(id, "x")}));
  EXPECT_NE(body.find(R"({"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"GSIG"}]})"),
            std::string::npos) << body;

  // thinking + call without a signature of its own: the call takes the thinking's.
  Message c2 = calls({call(id, "f", "{}")});
  c2.content.push_back(thinking("Plan.", "GSIG", Protocol::Gemini));
  body = body_of(request({msg(Role::User, "hi"), c2, result(id, "x")}));
  EXPECT_NE(body.find(R"("args":{}},"thoughtSignature":"GSIG"})"), std::string::npos) << body;

  // A thinking-only turn keeps its signature on an empty text part.
  Message t;
  t.role = Role::Assistant;
  t.content.push_back(thinking("Plan.", "GSIG", Protocol::Gemini));
  body = body_of(request({msg(Role::User, "hi"), t, msg(Role::User, "go on")}));
  EXPECT_NE(body.find(R"({"role":"model","parts":[{"text":"","thoughtSignature":"GSIG"}]})"),
            std::string::npos) << body;
}

TEST(GeminiProviderRequest, ForeignSignaturesNeverReachGemini) {
  Message a = msg(Role::Assistant, "Hello.");
  a.content[0].signature = "ANTHROPIC";  // a text signature of another origin
  a.content[0].signature_origin = Protocol::Anthropic;
  a.content.insert(a.content.begin(), thinking("Plan.", "ANTHROPIC", Protocol::Anthropic));
  ChatRequest req = request({msg(Role::User, "hi"), a});
  req.source = Protocol::Gemini;
  std::string body = body_of(req);
  EXPECT_EQ(body.find("ANTHROPIC"), std::string::npos) << body;
}

// ---- images, thinking ------------------------------------------------------------------------

TEST(GeminiProviderRequest, ImagesInlineAndFileData) {
  Message u = msg(Role::User, "Describe");
  ContentPart inl;
  inl.kind = ContentPart::Kind::Image;
  inl.media_type = "image/png";
  inl.data = "iVBORw0KGgo=";
  u.content.push_back(inl);
  ContentPart url;
  url.kind = ContentPart::Kind::Image;
  url.url = "https://generativelanguage.googleapis.com/v1beta/files/cat.WEBP?size=2#x";
  u.content.push_back(url);
  url.url = "gs://bucket/photo";
  u.content.push_back(url);
  url.url = "data:image/gif;base64,R0lGODlh";
  u.content.push_back(url);
  TranslationReport report;
  EXPECT_EQ(body_of(request({u}), &report),
            R"({"contents":[{"role":"user","parts":[{"text":"Describe"},)"
            R"({"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},)"
            R"({"fileData":{"mimeType":"image/webp","fileUri":"https://generativelanguage.googleapis.com/v1beta/files/cat.WEBP?size=2#x"}},)"
            R"({"fileData":{"mimeType":"image/jpeg","fileUri":"gs://bucket/photo"}},)"
            R"({"inlineData":{"mimeType":"image/gif","data":"R0lGODlh"}}]}]})");
  EXPECT_TRUE(report.dropped.empty());
}

TEST(GeminiProviderRequest, InlineFilesAndToolResultMediaAreSent) {
  Message u = msg(Role::User, "Summarise");
  ContentPart pdf;
  pdf.kind = ContentPart::Kind::File;
  pdf.media_type = "application/pdf";
  pdf.data = "JVBERi0=";
  u.content.push_back(pdf);
  ContentPart by_url;
  by_url.kind = ContentPart::Kind::File;
  by_url.url = "https://example.com/a.pdf";
  u.content.push_back(by_url);
  Message r1 = result("c1", "screenshot:", "shot");
  ContentPart img;
  img.kind = ContentPart::Kind::Image;
  img.media_type = "image/png";
  img.data = "iVBORw0KGgo=";
  r1.content.push_back(img);
  Message r2 = result("c2", "page", "shot");
  r2.content.push_back(pdf);
  TranslationReport report;
  EXPECT_EQ(body_of(request({u, calls({call("c1", "shot", "{}"), call("c2", "shot", "{}")}), r1, r2}),
                    &report),
            R"({"contents":[{"role":"user","parts":[{"text":"Summarise"},)"
            R"({"inlineData":{"mimeType":"application/pdf","data":"JVBERi0="}}]},)"
            R"({"role":"model","parts":[{"functionCall":{"name":"shot","args":{},"id":"c1"},)"
            R"("thoughtSignature":"skip_thought_signature_validator"},)"
            R"({"functionCall":{"name":"shot","args":{},"id":"c2"}}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"id":"c1","name":"shot","response":{"output":"screenshot:"}}},)"
            R"({"functionResponse":{"id":"c2","name":"shot","response":{"output":"page"}}},)"
            R"({"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},)"
            R"({"inlineData":{"mimeType":"application/pdf","data":"JVBERi0="}}]}]})");
  EXPECT_EQ(report.dropped, std::vector<std::string>{"messages[0].content[2]"});
}

TEST(GeminiProviderRequest, PublicImageUrlIsA400NamingThePart) {
  Message u = msg(Role::User, "Describe");
  ContentPart url;
  url.kind = ContentPart::Kind::Image;
  url.url = "https://example.com/cat.png";
  u.content.push_back(url);
  Error e = build_error(request({u}));
  EXPECT_EQ(e.kind, ErrorKind::UnsupportedParameter);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.param, "messages[0].content[1]");
  EXPECT_NE(e.message.find("base64"), std::string::npos);
  // A Gemini caller's own fileData passes unchanged (Gemini decides).
  ChatRequest same = request({u});
  same.source = Protocol::Gemini;
  EXPECT_NE(body_of(same).find(R"("fileUri":"https://example.com/cat.png")"), std::string::npos);
}

TEST(GeminiProviderRequest, ThinkingPartsAreDroppedAndReported) {
  Message a = msg(Role::Assistant, "Answer");
  ContentPart th;
  th.kind = ContentPart::Kind::Thinking;
  th.text = "hmm";
  th.signature = "anthropic-sig";
  a.content.insert(a.content.begin(), th);
  TranslationReport report;
  EXPECT_EQ(body_of(request({msg(Role::User, "q"), a}), &report),
            R"({"contents":[{"role":"user","parts":[{"text":"q"}]},)"
            R"({"role":"model","parts":[{"text":"Answer"}]}]})");
  ASSERT_EQ(report.dropped.size(), 1u);
  EXPECT_EQ(report.dropped[0], "messages[1].content[0]");
}

// ---- tools, toolConfig -----------------------------------------------------------------------

ToolDef tool(std::string name, std::string desc, std::string params) {
  ToolDef t;
  t.name = std::move(name);
  t.description = std::move(desc);
  t.parameters = std::move(params);
  return t;
}

TEST(GeminiProviderRequest, FunctionDeclarationsWithCleanSchemasAndZeroArgTools) {
  ChatRequest req = request({msg(Role::User, "q")});
  req.tools.push_back(tool("get_weather", "Weather for a city",
                           R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object",)"
                           R"("properties":{"city":{"type":"string","description":"City"}},)"
                           R"("required":["city"],"additionalProperties":false})"));
  req.tools.push_back(tool("ping", "", R"({"type":"object","properties":{},"additionalProperties":false})"));
  req.tools.push_back(tool("noop", "No parameters at all", ""));
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"q"}]}],"tools":[{"functionDeclarations":[)"
            R"({"name":"get_weather","description":"Weather for a city","parameters":{"type":"object",)"
            R"("properties":{"city":{"type":"string","description":"City"}},"required":["city"]}},)"
            R"({"name":"ping"},{"name":"noop","description":"No parameters at all"}]}]})");
}

TEST(GeminiProviderRequest, ToolConfigVariants) {
  auto config_of = [](ToolChoice::Mode mode, std::string name) {
    ChatRequest req = request({msg(Role::User, "q")});
    req.tools.push_back(tool("f", "", ""));
    req.tool_choice.mode = mode;
    req.tool_choice.name = std::move(name);
    std::string body = body_of(req);
    auto pos = body.find("\"toolConfig\"");
    return pos == std::string::npos ? std::string() : body.substr(pos, body.size() - pos - 1);
  };
  EXPECT_EQ(config_of(ToolChoice::Mode::Unset, ""), "");
  EXPECT_EQ(config_of(ToolChoice::Mode::Auto, ""),
            R"("toolConfig":{"functionCallingConfig":{"mode":"AUTO"}})");
  EXPECT_EQ(config_of(ToolChoice::Mode::None, ""),
            R"("toolConfig":{"functionCallingConfig":{"mode":"NONE"}})");
  EXPECT_EQ(config_of(ToolChoice::Mode::Required, ""),
            R"("toolConfig":{"functionCallingConfig":{"mode":"ANY"}})");
  EXPECT_EQ(config_of(ToolChoice::Mode::Function, "f"),
            R"("toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f"]}})");
}

TEST(GeminiProviderRequest, InvalidToolSchemaNamesTheTool) {
  ChatRequest req = request({msg(Role::User, "q")});
  req.tools.push_back(tool("ok", "", R"({"type":"object","properties":{"a":{"type":"string"}}})"));
  req.tools.push_back(tool("loop", "", R"({"type":"object","properties":{"next":{"$ref":"#"}}})"));
  Error e = build_error(req);
  EXPECT_EQ(e.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.param, "tools[1].function.parameters");
}

// ---- schema clean-up -------------------------------------------------------------------------

std::string clean(std::string_view schema) {
  Result<std::string> r = gemini_clean_schema(schema, "p");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : std::string();
}

TEST(GeminiProviderSchema, RemovesUnsupportedKeywordsRecursively) {
  EXPECT_EQ(clean(R"({"$schema":"x","$id":"y","$comment":"c","title":"T","type":"object","strict":true,)"
                  R"("additionalProperties":false,"properties":{"a":{"type":"array","examples":[[1]],)"
                  R"("default":[],"items":{"type":"object","additionalProperties":{"type":"string"},)"
                  R"("properties":{"additionalProperties":{"type":"string","format":"uri"}}}},)"
                  R"("when":{"type":"string","format":"date-time","pattern":"^2"}}})"),
            R"({"title":"T","type":"object","properties":{"a":{"type":"array","default":[],)"
            R"("items":{"type":"object","properties":{"additionalProperties":{"type":"string"}}}},)"
            R"("when":{"type":"string","format":"date-time","pattern":"^2"}}})");
}

TEST(GeminiProviderSchema, InlinesLocalRefsFromDefsAndDefinitions) {
  EXPECT_EQ(clean(R"({"type":"object","properties":{"a":{"$ref":"#/$defs/A","description":"outer"},)"
                  R"("b":{"type":"array","items":{"$ref":"#/definitions/B"}}},)"
                  R"("$defs":{"A":{"type":"object","properties":{"x":{"type":"string"}},)"
                  R"("required":["x"],"additionalProperties":false}},)"
                  R"("definitions":{"B":{"type":"integer","minimum":0}}})"),
            R"({"type":"object","properties":{"a":{"type":"object","properties":{"x":{"type":"string"}},)"
            R"("required":["x"],"description":"outer"},"b":{"type":"array","items":{"type":"integer","minimum":0}}}})");
  // The same definition used twice is not a cycle.
  EXPECT_EQ(clean(R"({"type":"object","properties":{"p":{"$ref":"#/$defs/S"},"q":{"$ref":"#/$defs/S"}},)"
                  R"("$defs":{"S":{"type":"string"}}})"),
            R"({"type":"object","properties":{"p":{"type":"string"},"q":{"type":"string"}}})");
}

TEST(GeminiProviderSchema, RecursiveOrUnknownRefIsAnErrorNamingTheParam) {
  Result<std::string> r = gemini_clean_schema(
      R"({"type":"object","properties":{"child":{"$ref":"#/$defs/Node"}},)"
      R"("$defs":{"Node":{"type":"object","properties":{"child":{"$ref":"#/$defs/Node"}}}}})",
      "tools[3].function.parameters");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(r.error().param, "tools[3].function.parameters");
  EXPECT_NE(r.error().message.find("#/$defs/Node"), std::string::npos);

  Result<std::string> r2 = gemini_clean_schema(R"({"$ref":"https://example.com/s.json"})", "p");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().param, "p");
  Result<std::string> r3 = gemini_clean_schema("[1]", "p");
  ASSERT_FALSE(r3.ok());
  Result<std::string> r4 = gemini_clean_schema("{", "p");
  ASSERT_FALSE(r4.ok());
}

TEST(GeminiProviderSchema, ConstBecomesEnum) {
  EXPECT_EQ(clean(R"({"const":"fixed"})"), R"({"enum":["fixed"],"type":"string"})");
  EXPECT_EQ(clean(R"({"type":"string","const":"a","description":"d"})"),
            R"({"type":"string","description":"d","enum":["a"]})");
  EXPECT_EQ(clean(R"({"type":"integer","const":3})"), R"({"type":"integer"})");
}

TEST(GeminiProviderSchema, NullableFromTypeArraysAnyOfOneOfAndEnum) {
  EXPECT_EQ(clean(R"({"type":["string","null"],"description":"d"})"),
            R"({"type":"string","description":"d","nullable":true})");
  EXPECT_EQ(clean(R"({"anyOf":[{"type":"integer"},{"type":"null"}],"description":"n"})"),
            R"({"type":"integer","description":"n","nullable":true})");
  EXPECT_EQ(clean(R"({"oneOf":[{"type":"string"},{"type":"number"},{"type":"null"}]})"),
            R"({"anyOf":[{"type":"string"},{"type":"number"}],"nullable":true})");
  EXPECT_EQ(clean(R"({"type":["string","integer"]})"),
            R"({"anyOf":[{"type":"string"},{"type":"integer"}]})");
  EXPECT_EQ(clean(R"({"type":"string","enum":["a",null]})"),
            R"({"type":"string","enum":["a"],"nullable":true})");
}

TEST(GeminiProviderSchema, AllOfMergedAndRequiredRestrictedToProperties) {
  EXPECT_EQ(clean(R"({"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},)"
                  R"({"properties":{"b":{"type":"number"}},"required":["b","ghost"]}]})"),
            R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number"}},"required":["a","b"]})");
  EXPECT_EQ(clean(R"({"type":"object","properties":{"o":{"type":"object","properties":{}}}})"),
            R"({"type":"object","properties":{"o":{"type":"object"}}})");
}

// ---- generationConfig ------------------------------------------------------------------------

TEST(GeminiProviderRequest, GenerationConfigSamplingAndStops) {
  ChatRequest req = request({msg(Role::User, "q")});
  req.max_tokens = 100;
  req.temperature = 0.5;
  req.top_p = 0.9;
  req.top_k = 40;
  req.seed = 7;
  req.stop = {"END", "STOP"};
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"q"}]}],"generationConfig":{)"
            R"("maxOutputTokens":100,"temperature":0.5,"topP":0.9,"topK":40,"seed":7,)"
            R"("stopSequences":["END","STOP"]}})");
}

TEST(GeminiProviderRequest, MoreThanFiveStopSequencesIsUnsupported) {
  ChatRequest req = request({msg(Role::User, "q")});
  req.stop = {"1", "2", "3", "4", "5", "6"};
  Error e = build_error(req);
  EXPECT_EQ(e.kind, ErrorKind::UnsupportedParameter);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.param, "stop");
}

TEST(GeminiProviderRequest, ResponseFormatJsonObjectAndJsonSchema) {
  ChatRequest req = request({msg(Role::User, "q")});
  req.response_format.kind = ResponseFormat::Kind::JsonObject;
  EXPECT_EQ(body_of(req), R"({"contents":[{"role":"user","parts":[{"text":"q"}]}],)"
                          R"("generationConfig":{"responseMimeType":"application/json"}})");
  req.response_format.kind = ResponseFormat::Kind::JsonSchema;
  req.response_format.name = "answer";
  req.response_format.schema =
      R"({"type":"object","properties":{"n":{"type":["integer","null"]}},"required":["n"],)"
      R"("additionalProperties":false})";
  EXPECT_EQ(body_of(req), R"({"contents":[{"role":"user","parts":[{"text":"q"}]}],)"
                          R"("generationConfig":{"responseMimeType":"application/json",)"
                          R"("responseSchema":{"type":"object","properties":{"n":{"type":"integer",)"
                          R"("nullable":true}},"required":["n"]}}})");
  req.response_format.kind = ResponseFormat::Kind::Text;
  EXPECT_EQ(body_of(req), R"({"contents":[{"role":"user","parts":[{"text":"q"}]}]})");
}

TEST(GeminiProviderRequest, ThinkingConfig) {
  auto gen = [](std::string effort, std::optional<int64_t> budget, bool include,
                TranslationReport* rep = nullptr) {
    ChatRequest req = request({msg(Role::User, "q")});
    req.reasoning_effort = std::move(effort);
    req.reasoning_budget_tokens = budget;
    req.include_thoughts = include;
    std::string body = body_of(req, rep);
    auto pos = body.find("\"generationConfig\"");
    return pos == std::string::npos ? std::string() : body.substr(pos, body.size() - pos - 1);
  };
  EXPECT_EQ(gen("low", std::nullopt, true),
            R"("generationConfig":{"thinkingConfig":{"thinkingBudget":1024,"includeThoughts":true}})");
  EXPECT_EQ(gen("medium", std::nullopt, false),
            R"("generationConfig":{"thinkingConfig":{"thinkingBudget":8192}})");
  EXPECT_EQ(gen("high", std::nullopt, false),
            R"("generationConfig":{"thinkingConfig":{"thinkingBudget":24576}})");
  EXPECT_EQ(gen("minimal", std::nullopt, false),
            R"("generationConfig":{"thinkingConfig":{"thinkingBudget":0}})");
  EXPECT_EQ(gen("none", std::nullopt, false),
            R"("generationConfig":{"thinkingConfig":{"thinkingBudget":0}})");
  EXPECT_EQ(gen("high", 2048, false),
            R"("generationConfig":{"thinkingConfig":{"thinkingBudget":2048}})");
  EXPECT_EQ(gen("", std::nullopt, true),
            R"("generationConfig":{"thinkingConfig":{"includeThoughts":true}})");
  TranslationReport rep;
  EXPECT_EQ(gen("turbo", std::nullopt, false, &rep), "");
  EXPECT_EQ(rep.dropped, std::vector<std::string>{"reasoning_effort"});
}

/// generationConfig.thinkingConfig for `effort` / `budget` sent by `source` to upstream `model`.
std::string thinking_for(const std::string& model, std::string effort,
                         std::optional<int64_t> budget = std::nullopt,
                         TranslationReport* report = nullptr,
                         Protocol source = Protocol::OpenAIChat) {
  Env env;
  env.model.model = model;
  ChatRequest req = request({msg(Role::User, "q")});
  req.source = source;
  req.reasoning_effort = std::move(effort);
  req.reasoning_budget_tokens = budget;
  TranslationReport local;
  Result<UpstreamRequest> r =
      gemini_provider().build_request(req, env.dep, report != nullptr ? *report : local);
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return {};
  const std::string& body = r.value().body;
  auto pos = body.find("\"thinkingConfig\":");
  if (pos == std::string::npos) return {};
  return body.substr(pos + 17, body.find('}', pos) - pos - 16);
}

TEST(GeminiProviderRequest, ThinkingFollowsTheModelFamily) {
  // Gemini 2.5 Pro cannot turn thinking off: its smallest budget is 128.
  TranslationReport rep;
  EXPECT_EQ(thinking_for("gemini-2.5-pro", "none", std::nullopt, &rep), R"({"thinkingBudget":128})");
  EXPECT_EQ(rep.dropped, std::vector<std::string>{"reasoning_effort"});
  ASSERT_EQ(rep.reasons.size(), 1u);
  EXPECT_NE(rep.reasons[0].find("cannot turn thinking off"), std::string::npos) << rep.reasons[0];
  TranslationReport quiet;
  EXPECT_EQ(thinking_for("models/gemini-2.5-pro", "minimal", std::nullopt, &quiet),
            R"({"thinkingBudget":128})");
  EXPECT_TRUE(quiet.dropped.empty());  // minimal thinking is what was asked
  EXPECT_EQ(thinking_for("gemini-2.5-pro", "high"), R"({"thinkingBudget":24576})");
  EXPECT_EQ(thinking_for("gemini-2.5-pro", "xhigh"), R"({"thinkingBudget":32768})");
  EXPECT_EQ(thinking_for("gemini-2.5-pro", "", 64000), R"({"thinkingBudget":32768})");  // clamped

  // Flash and Flash-Lite can; Flash-Lite's smallest budget above 0 is 512.
  EXPECT_EQ(thinking_for("gemini-2.5-flash", "none"), R"({"thinkingBudget":0})");
  EXPECT_EQ(thinking_for("gemini-2.5-flash-lite", "minimal"), R"({"thinkingBudget":0})");
  EXPECT_EQ(thinking_for("gemini-2.5-flash-lite", "", 100), R"({"thinkingBudget":512})");
  EXPECT_EQ(thinking_for("gemini-2.5-flash", "xhigh"), R"({"thinkingBudget":24576})");

  // Gemini 3 takes thinkingLevel, never a budget; a level the model lacks rounds up.
  EXPECT_EQ(thinking_for("gemini-3-pro-preview", "minimal"), R"({"thinkingLevel":"LOW"})");
  EXPECT_EQ(thinking_for("gemini-3-pro-preview", "low"), R"({"thinkingLevel":"LOW"})");
  EXPECT_EQ(thinking_for("gemini-3-pro-preview", "medium"), R"({"thinkingLevel":"HIGH"})");
  EXPECT_EQ(thinking_for("gemini-3-pro-preview", "xhigh"), R"({"thinkingLevel":"HIGH"})");
  EXPECT_EQ(thinking_for("gemini-3.1-pro-preview", "medium"), R"({"thinkingLevel":"MEDIUM"})");
  EXPECT_EQ(thinking_for("gemini-3.1-pro-preview", "minimal"), R"({"thinkingLevel":"LOW"})");
  EXPECT_EQ(thinking_for("gemini-3-flash-preview", "minimal"), R"({"thinkingLevel":"MINIMAL"})");
  EXPECT_EQ(thinking_for("gemini-3.5-flash", "medium"), R"({"thinkingLevel":"MEDIUM"})");
  TranslationReport off;
  EXPECT_EQ(thinking_for("gemini-3-flash-preview", "none", std::nullopt, &off),
            R"({"thinkingLevel":"MINIMAL"})");
  EXPECT_EQ(off.dropped, std::vector<std::string>{"reasoning_effort"});
  // Another protocol's budget (Anthropic thinking.budget_tokens) becomes the level it stands for.
  EXPECT_EQ(thinking_for("gemini-3-flash-preview", "", 1024), R"({"thinkingLevel":"LOW"})");
  EXPECT_EQ(thinking_for("gemini-3-flash-preview", "", 4096), R"({"thinkingLevel":"MEDIUM"})");
  EXPECT_EQ(thinking_for("gemini-3-flash-preview", "", 20000), R"({"thinkingLevel":"HIGH"})");
  EXPECT_EQ(thinking_for("gemini-3-pro-preview", "", 4096), R"({"thinkingLevel":"HIGH"})");
  EXPECT_EQ(thinking_for("gemini-3-pro-preview", "", -1), R"({"thinkingBudget":-1})");

  // A Gemini caller's own budget is native and goes as sent, whatever the model.
  EXPECT_EQ(thinking_for("gemini-2.5-pro", "", 0, nullptr, Protocol::Gemini), R"({"thinkingBudget":0})");
  EXPECT_EQ(thinking_for("gemini-3-pro-preview", "", 2048, nullptr, Protocol::Gemini),
            R"({"thinkingBudget":2048})");
  // ... while its thinkingLevel (reasoning_effort) still fits the model it reaches.
  EXPECT_EQ(thinking_for("gemini-2.5-flash", "low", std::nullopt, nullptr, Protocol::Gemini),
            R"({"thinkingBudget":1024})");
}

TEST(GeminiProviderRequest, ThinkingFamilyTable) {
  using gemini_detail::thinking_family;
  using Control = gemini_detail::ThinkingFamily::Control;
  EXPECT_EQ(thinking_family("gemini-3-pro-preview").control, Control::Level);
  EXPECT_EQ(thinking_family("tunedModels/gemini-3-flash-x").control, Control::Level);
  EXPECT_EQ(thinking_family("gemini-2.5-pro").min_budget, 128);
  EXPECT_FALSE(thinking_family("gemini-2.5-pro").can_disable);
  EXPECT_EQ(thinking_family("gemini-2.5-flash-lite-preview-09-2025").min_budget, 512);
  // Version 30 is not version 3; unknown models are budget models like 2.5 Flash.
  EXPECT_EQ(thinking_family("gemini-30-pro").control, Control::Budget);
  EXPECT_TRUE(thinking_family("gemini-flash-latest").can_disable);
}

TEST(GeminiProviderRequest, ReportsUserAndParallelToolCalls) {
  ChatRequest req = request({msg(Role::User, "q")});
  req.user = "user-42";
  req.parallel_tool_calls = false;
  req.tools.push_back(tool("f", "", ""));
  TranslationReport report;
  std::string body = body_of(req, &report);
  EXPECT_EQ(body.find("user-42"), std::string::npos);
  EXPECT_EQ(report.dropped, (std::vector<std::string>{"parallel_tool_calls", "user"}));
  req.parallel_tool_calls = true;
  req.user.clear();
  TranslationReport none;
  body_of(req, &none);
  EXPECT_TRUE(none.dropped.empty());
}

TEST(GeminiProviderRequest, ExtrasOnlyForSameProtocolSource) {
  ChatRequest req = request({msg(Role::User, "q")});
  req.extras.push_back({"safetySettings",
                        R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}])"});
  req.extras.push_back({"cachedContent", R"("cachedContents/abc")"});
  req.extras.push_back({"contents", R"([])"});  // never duplicates a key OpenRain wrote
  req.source = Protocol::OpenAIChat;
  EXPECT_EQ(body_of(req), R"({"contents":[{"role":"user","parts":[{"text":"q"}]}]})");
  req.source = Protocol::Anthropic;
  EXPECT_EQ(body_of(req), R"({"contents":[{"role":"user","parts":[{"text":"q"}]}]})");
  req.source = Protocol::Gemini;
  EXPECT_EQ(body_of(req),
            R"({"contents":[{"role":"user","parts":[{"text":"q"}]}],)"
            R"("safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],)"
            R"("cachedContent":"cachedContents/abc"})");
}

// ---- errors ----------------------------------------------------------------------------------

Error classify(int status, std::string_view body, Headers headers = {}) {
  Env env("https://generativelanguage.googleapis.com", "AIzaSyTESTKEY0123456789abcdefghijklmnopq");
  return gemini_provider().classify_error(status, headers, body, env.dep);
}

TEST(GeminiProviderErrors, RecordedFixtures) {
  Error nf = classify(404, testing::read_fixture("gemini/error-404-not-found.response.json"));
  EXPECT_EQ(nf.kind, ErrorKind::NotFound);
  EXPECT_EQ(nf.http_status, 404);
  EXPECT_EQ(nf.upstream_status, 404);
  EXPECT_EQ(nf.upstream_type, "NOT_FOUND");
  EXPECT_EQ(nf.provider, "gem");
  EXPECT_NE(nf.message.find("models/gemini-3.6-flahs is not found"), std::string::npos);
  EXPECT_FALSE(nf.retry_after_s.has_value());

  Error q = classify(429, testing::read_fixture("gemini/error-429-resource-exhausted.json"));
  EXPECT_EQ(q.kind, ErrorKind::RateLimited);  // per-minute free-tier quota with RetryInfo: retryable
  EXPECT_EQ(q.http_status, 429);
  ASSERT_TRUE(q.retry_after_s.has_value());
  EXPECT_DOUBLE_EQ(*q.retry_after_s, 34.4);
  EXPECT_EQ(q.message, "You exceeded your current quota, please check your plan.");
}

TEST(GeminiProviderErrors, StatusMapping) {
  auto body = [](int code, std::string status, std::string msg, std::string details = "") {
    return R"({"error":{"code":)" + std::to_string(code) + R"(,"message":")" + msg +
           R"(","status":")" + status + "\"" + (details.empty() ? "" : ",\"details\":" + details) +
           "}}";
  };
  struct Case {
    int http;
    std::string status;
    ErrorKind kind;
    int out_status;
  };
  std::vector<Case> cases = {
      {400, "INVALID_ARGUMENT", ErrorKind::InvalidRequest, 400},
      {400, "FAILED_PRECONDITION", ErrorKind::InvalidRequest, 400},
      {401, "UNAUTHENTICATED", ErrorKind::Authentication, 401},
      {403, "PERMISSION_DENIED", ErrorKind::PermissionDenied, 403},
      {404, "NOT_FOUND", ErrorKind::NotFound, 404},
      {429, "RESOURCE_EXHAUSTED", ErrorKind::RateLimited, 429},
      {500, "INTERNAL", ErrorKind::UpstreamServerError, 500},
      {503, "UNAVAILABLE", ErrorKind::Overloaded, 503},
      {504, "DEADLINE_EXCEEDED", ErrorKind::Timeout, 504},
  };
  for (const auto& c : cases) {
    Error e = classify(c.http, body(c.http, c.status, "msg"));
    EXPECT_EQ(e.kind, c.kind) << c.status;
    EXPECT_EQ(e.http_status, c.out_status) << c.status;
    EXPECT_EQ(e.upstream_type, c.status);
    EXPECT_EQ(e.message, "msg");
  }
  Error key = classify(400, body(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                                 R"([{"@type":"type.googleapis.com/google.rpc.ErrorInfo",)"
                                 R"("reason":"API_KEY_INVALID","domain":"googleapis.com"}])"));
  EXPECT_EQ(key.kind, ErrorKind::Authentication);
  EXPECT_EQ(key.http_status, 401);
  EXPECT_EQ(key.code, "API_KEY_INVALID");

  Error ctx = classify(400, body(400, "INVALID_ARGUMENT",
                                 "The input token count (1200000) exceeds the maximum number of "
                                 "tokens allowed (1048576)."));
  EXPECT_EQ(ctx.kind, ErrorKind::ContextLengthExceeded);
  EXPECT_EQ(ctx.http_status, 400);

  Error daily = classify(429, body(429, "RESOURCE_EXHAUSTED", "quota",
                                   R"([{"@type":"type.googleapis.com/google.rpc.QuotaFailure",)"
                                   R"("violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel"}]}])"));
  EXPECT_EQ(daily.kind, ErrorKind::QuotaExceeded);

  Error rl = classify(429, body(429, "RESOURCE_EXHAUSTED", "slow down"), {{"retry-after", "7"}});
  EXPECT_EQ(rl.kind, ErrorKind::RateLimited);
  ASSERT_TRUE(rl.retry_after_s.has_value());
  EXPECT_DOUBLE_EQ(*rl.retry_after_s, 7.0);

  Error rl2 = classify(429, body(429, "RESOURCE_EXHAUSTED", "slow down",
                                 R"([{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2s"}])"),
                       {{"retry-after", "9"}});
  EXPECT_EQ(rl2.kind, ErrorKind::RateLimited);
  EXPECT_DOUBLE_EQ(*rl2.retry_after_s, 2.0);
}

TEST(GeminiProviderErrors, ArrayWrappedNonJsonAndMissingStatus) {
  Error arr = classify(404, R"([{"error":{"code":404,"message":"gone","status":"NOT_FOUND"}}])");
  EXPECT_EQ(arr.kind, ErrorKind::NotFound);
  EXPECT_EQ(arr.message, "gone");

  Error html = classify(502, "<html><body><h1>502 Bad Gateway</h1></body></html>");
  EXPECT_EQ(html.kind, ErrorKind::UpstreamProtocol);
  EXPECT_EQ(html.http_status, 502);
  EXPECT_EQ(html.message.find('<'), std::string::npos);
  EXPECT_EQ(html.message,
            "Gemini returned HTTP 502 with a body that is not a Google API error: 502 Bad Gateway");
  // Google's HTML 404 page echoes the request URL; a key in it never reaches the message.
  Error url = classify(404, "<html><title>Error 404 (Not Found)</title><p>The requested URL "
                            "/v1beta/models/x:generateContent?key=test-key-123 was not found.</p></html>");
  EXPECT_EQ(url.message.find("test-key-123"), std::string::npos) << url.message;
  EXPECT_EQ(html.upstream_status, 502);

  Error html503 = classify(503, "<html>Service Unavailable</html>", {{"retry-after", "3"}});
  EXPECT_EQ(html503.kind, ErrorKind::Overloaded);
  EXPECT_DOUBLE_EQ(*html503.retry_after_s, 3.0);

  Error bare = classify(500, R"({"oops":true})");
  EXPECT_EQ(bare.kind, ErrorKind::UpstreamServerError);
  EXPECT_EQ(bare.http_status, 500);
  Error nostatus = classify(403, R"({"error":{"code":403,"message":"no"}})");
  EXPECT_EQ(nostatus.kind, ErrorKind::PermissionDenied);
}

// An upstream JSON error message echoing key-shaped tokens of every provider: all of them go,
// the model name, field path and request id stay (shared with the other providers' tests).
constexpr const char* kEchoMessage =
    "leaked sk-proj-AbCdEf0123456789 and AIzaSyD0123456789abcdefghijklmnopqrstu and Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9 for claude-sonnet-4-5-20250929 at messages.0.content (req_011CVEA3SF7rnb3DuBZytqQa)";
constexpr const char* kEchoScrubbed =
    "leaked [redacted] and [redacted] and Bearer [redacted] for claude-sonnet-4-5-20250929 at messages.0.content (req_011CVEA3SF7rnb3DuBZytqQa)";

TEST(GeminiProviderErrors, KeyShapedTokensScrubbedInJsonAndStreamErrors) {
  Error e = classify(400, std::string(R"({"error":{"code":400,"message":")") + kEchoMessage +
                              R"(","status":"INVALID_ARGUMENT"}})");
  EXPECT_EQ(e.kind, ErrorKind::InvalidRequest);
  EXPECT_EQ(e.message, kEchoScrubbed);

  Env env;
  ChatRequest req;
  auto dec = gemini_provider().make_decoder(req, env.dep, true);
  testing::Recorder rec;
  std::string body = std::string("data: {\"error\":{\"code\":503,\"message\":\"") + kEchoMessage +
                     " " + env.prov.api_key + "\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n";
  ASSERT_TRUE(dec->feed(body, rec).ok());
  ASSERT_FALSE(rec.events.empty());
  const StreamEvent& ev = rec.events.back();
  ASSERT_EQ(ev.kind, StreamEvent::Kind::Error);
  EXPECT_EQ(ev.error.kind, ErrorKind::Overloaded);
  EXPECT_EQ(ev.error.message, std::string(kEchoScrubbed) + " [redacted]");
}

TEST(GeminiProviderErrors, NeverEchoesTheApiKey) {
  const std::string key = "AIzaSyTESTKEY0123456789abcdefghijklmnopq";
  Error e = classify(400, R"({"error":{"code":400,"message":"Bad URL https://x/v1beta/models/m?key=)" +
                              key + R"(&alt=sse and key )" + key +
                              R"( and AIzaSyOTHERKEY0123456789abcdefghijklmnop","status":"INVALID_ARGUMENT"}})");
  EXPECT_EQ(e.message.find(key), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("AIza"), std::string::npos) << e.message;
  EXPECT_EQ(e.message,
            "Bad URL https://x/v1beta/models/m?key=[redacted]&alt=sse and key [redacted] and [redacted]");
}

}  // namespace
}  // namespace openrain::providers
