// Gemini surface rendering: stream chunks in SSE and JSON-array mode (exact golden bytes,
// re-framed with sse::Framer / parsed as one JSON array), in-stream errors in both modes, the
// folded non-streaming body, usage and finishReason mapping, and Google-RPC error rendering.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json/reader.hpp"
#include "pipeline/fold.hpp"
#include "providers/carry.hpp"
#include "providers/common.hpp"
#include "providers/gemini.hpp"
#include "sse/framer.hpp"
#include "surfaces/gemini_generate.hpp"
#include "testing/event_recorder.hpp"

namespace openrain::surfaces {
namespace {

using K = StreamEvent::Kind;

StreamEvent ev(K kind, std::string text = {}, int index = 0) {
  StreamEvent e;
  e.kind = kind;
  e.text = std::move(text);
  e.index = index;
  return e;
}

StreamEvent tool_start(int index, std::string id, std::string name, std::string sig = {}) {
  StreamEvent e = ev(K::ToolCallStart, {}, index);
  e.id = std::move(id);
  e.name = std::move(name);
  e.signature = std::move(sig);
  return e;
}

StreamEvent usage(int64_t in, int64_t out, int64_t cached = 0, int64_t reasoning = 0) {
  StreamEvent e = ev(K::Usage);
  e.usage.input_tokens = in;
  e.usage.output_tokens = out;
  e.usage.cached_input_tokens = cached;
  e.usage.reasoning_tokens = reasoning;
  return e;
}

StreamEvent finish(FinishReason r, std::string native = {}) {
  StreamEvent e = ev(K::Finish);
  e.finish = r;
  e.native_finish = std::move(native);
  return e;
}

EncodeContext context(Protocol upstream = Protocol::OpenAIChat) {
  EncodeContext ctx;
  ctx.model_alias = "gem-alias";
  ctx.stream = true;
  ctx.response_id = "resp123";
  ctx.upstream = upstream;
  return ctx;
}

/// Encode `events` one on_event call each; then on_end.
std::string encode(const std::vector<StreamEvent>& events, bool sse,
                   Protocol upstream = Protocol::OpenAIChat) {
  auto enc = make_gemini_encoder(context(upstream), sse);
  std::string out;
  for (const StreamEvent& e : events) enc->on_event(e, out);
  enc->on_end(out);
  return out;
}

const std::string kTail = R"("modelVersion":"gem-alias","responseId":"resp123"})";

std::string frame(const std::string& parts, const std::string& finish = {},
                  const std::string& usage_json = {}) {
  std::string s = R"({"candidates":[{"content":{"parts":[)" + parts + R"(],"role":"model"},)";
  if (!finish.empty()) s += R"("finishReason":")" + finish + "\",";
  s += R"("index":0}],)";
  if (!usage_json.empty()) s += R"("usageMetadata":)" + usage_json + ",";
  return s + kTail;
}

std::string sse(const std::string& json) { return "data: " + json + "\r\n\r\n"; }

// ---- SSE mode -------------------------------------------------------------------------------

TEST(GeminiGenerateSurfaceEncode, TextStreamGolden) {
  std::string out = encode({ev(K::Start), ev(K::TextDelta, "Hel"), ev(K::TextDelta, "lo"),
                            ev(K::TextDelta, ""), usage(10, 5), finish(FinishReason::Stop)},
                           true);
  EXPECT_EQ(out, sse(frame(R"({"text":"Hel"})")) + sse(frame(R"({"text":"lo"})")) +
                     sse(frame(R"({"text":""})", "STOP",
                               R"({"promptTokenCount":10,"candidatesTokenCount":5,)"
                               R"("totalTokenCount":15})")));
}

TEST(GeminiGenerateSurfaceEncode, UsageRidesOnEveryFrameOnceKnown) {
  std::string out =
      encode({ev(K::Start), usage(7, 0), ev(K::TextDelta, "a"), usage(7, 2),
              finish(FinishReason::StopSequence)},
             true);
  EXPECT_EQ(out, sse(frame(R"({"text":"a"})", "",
                           R"({"promptTokenCount":7,"candidatesTokenCount":0,"totalTokenCount":7})")) +
                     sse(frame(R"({"text":""})", "STOP",
                               R"({"promptTokenCount":7,"candidatesTokenCount":2,)"
                               R"("totalTokenCount":9})")));
}

TEST(GeminiGenerateSurfaceEncode, ThoughtsAndSignature) {
  std::string out = encode({ev(K::Start), ev(K::ReasoningDelta, "Think"),
                            ev(K::ReasoningSignature, "SIG"), ev(K::RedactedReasoning, "opaque"),
                            ev(K::TextDelta, "Answer"), usage(5, 20, 0, 12),
                            finish(FinishReason::Stop)},
                           true);
  // Another protocol's reasoning signature is wrapped: thoughtSignature is proto bytes, and the
  // wrapper tells this surface's parser where it came from (providers/carry.hpp).
  const std::string wrapped = providers::wrap_signature(Protocol::OpenAIChat, "SIG");
  EXPECT_EQ(out, sse(frame(R"({"text":"Think","thought":true})")) +
                     sse(frame(R"({"text":"","thought":true,"thoughtSignature":")" + wrapped +
                               R"("})")) +
                     sse(frame(R"({"text":"Answer"})")) +
                     sse(frame(R"({"text":""})", "STOP",
                               R"({"promptTokenCount":5,"candidatesTokenCount":8,)"
                               R"("thoughtsTokenCount":12,"totalTokenCount":25})")));
}

std::vector<StreamEvent> parallel_calls() {
  return {ev(K::Start),
          tool_start(0, "call_a", "get_weather", "SIG1"),
          ev(K::ToolCallDelta, R"({"city":)", 0),
          ev(K::ToolCallDelta, R"("Paris"})", 0),
          ev(K::ToolCallEnd, {}, 0),
          tool_start(1, "call_b", "get_weather"),
          ev(K::ToolCallDelta, R"({"city":"Rome"})", 1),
          ev(K::ToolCallEnd, {}, 1),
          tool_start(2, "call_c", "ping"),
          ev(K::ToolCallEnd, {}, 2),
          usage(30, 12),
          finish(FinishReason::ToolCalls)};
}

TEST(GeminiGenerateSurfaceEncode, ParallelCallsShareOneChunk) {
  const std::string u = R"({"promptTokenCount":30,"candidatesTokenCount":12,"totalTokenCount":42})";
  EXPECT_EQ(encode(parallel_calls(), true),
            sse(frame(R"({"functionCall":{"name":"get_weather","args":{"city":"Paris"},)"
                      R"("id":"call_a"},"thoughtSignature":"SIG1"},)"
                      R"({"functionCall":{"name":"get_weather","args":{"city":"Rome"},)"
                      R"("id":"call_b"}},)"
                      R"({"functionCall":{"name":"ping","args":{},"id":"call_c"}})",
                      "STOP", u)));
  // A Gemini upstream: Google's own shape, without the ids the decoder synthesised because
  // Gemini sent none (ids Gemini did send are kept, as above).
  std::vector<StreamEvent> gemini = parallel_calls();
  gemini[1].id = providers::synth_tool_id("r", 0);  // the three ToolCallStart events
  gemini[5].id = providers::synth_tool_id("r", 1);
  gemini[8].id = providers::synth_tool_id("r", 2);
  EXPECT_EQ(encode(gemini, true, Protocol::Gemini),
            sse(frame(R"({"functionCall":{"name":"get_weather","args":{"city":"Paris"}},)"
                      R"("thoughtSignature":"SIG1"},)"
                      R"({"functionCall":{"name":"get_weather","args":{"city":"Rome"}}},)"
                      R"({"functionCall":{"name":"ping","args":{}}})",
                      "STOP", u)));
}

TEST(GeminiGenerateSurfaceEncode, TextSignaturesGoBackOnTheirParts) {
  StreamEvent signed_text = ev(K::TextDelta, "Hello");
  signed_text.signature = "c2lnLTE=";
  StreamEvent trailing = ev(K::TextDelta, "");
  trailing.signature = "RU5E";
  std::string out = encode({ev(K::Start), ev(K::ReasoningDelta, "Plan."), signed_text,
                            ev(K::TextDelta, "!"), trailing, finish(FinishReason::Stop)},
                           true, Protocol::Gemini);
  EXPECT_EQ(out, sse(frame(R"({"text":"Plan.","thought":true})")) +
                     sse(frame(R"({"text":"Hello","thoughtSignature":"c2lnLTE="})")) +
                     sse(frame(R"({"text":"!"})")) +
                     sse(frame(R"({"text":"","thoughtSignature":"RU5E"})")) +
                     sse(frame(R"({"text":""})", "STOP",
                               R"({"promptTokenCount":0,"candidatesTokenCount":0,"totalTokenCount":0})")));
}

TEST(GeminiGenerateSurfaceEncode, CallsFlushBeforeLaterTextInStartOrder) {
  const std::string synth = providers::synth_tool_id("resp123", 0);
  std::string out = encode({ev(K::Start), tool_start(0, "", "slow"), tool_start(1, "c1", "fast"),
                            ev(K::ToolCallDelta, R"({"x":1})", 1), ev(K::ToolCallEnd, {}, 1),
                            ev(K::TextDelta, "mid"),  // call 0 is still open: call 1 waits
                            ev(K::ToolCallDelta, "not json", 0), ev(K::ToolCallEnd, {}, 0),
                            ev(K::TextDelta, "after"), finish(FinishReason::Stop)},
                           true);
  EXPECT_EQ(out, sse(frame(R"({"text":"mid"})")) +
                     sse(frame(R"({"functionCall":{"name":"slow","args":{},"id":")" + synth +
                               R"("}},{"functionCall":{"name":"fast","args":{"x":1},"id":"c1"}},)"
                               R"({"text":"after"})")) +
                     sse(frame(R"({"text":""})", "STOP",
                               R"({"promptTokenCount":0,"candidatesTokenCount":0,)"
                               R"("totalTokenCount":0})")));
}

TEST(GeminiGenerateSurfaceEncode, FinishReasonMapping) {
  auto last_reason = [](FinishReason r, std::string native, Protocol upstream) {
    std::string out = encode({ev(K::Start), finish(r, std::move(native))}, true, upstream);
    json::Reader reader;
    auto parsed = reader.parse(out.substr(6));
    EXPECT_TRUE(parsed.ok()) << out;
    json::Element c;
    EXPECT_EQ(parsed.value()["candidates"].at(0).get(c), simdjson::SUCCESS);
    return std::string(json::get_string(c.get_object().value(), "finishReason"));
  };
  EXPECT_EQ(last_reason(FinishReason::Length, "length", Protocol::OpenAIChat), "MAX_TOKENS");
  EXPECT_EQ(last_reason(FinishReason::ContentFilter, "refusal", Protocol::Anthropic), "SAFETY");
  EXPECT_EQ(last_reason(FinishReason::Other, "", Protocol::OpenAIChat), "OTHER");
  EXPECT_EQ(last_reason(FinishReason::ToolCalls, "tool_use", Protocol::Anthropic), "STOP");
  EXPECT_EQ(last_reason(FinishReason::ContentFilter, "RECITATION", Protocol::Gemini), "RECITATION");
  EXPECT_EQ(last_reason(FinishReason::ContentFilter, "JAILBREAK", Protocol::Gemini), "SAFETY");
  EXPECT_EQ(last_reason(FinishReason::Length, "MAX_TOKENS", Protocol::OpenAIChat), "MAX_TOKENS");
}

TEST(GeminiGenerateSurfaceEncode, UsageMapping) {
  Usage u;
  u.input_tokens = 100;
  u.cached_input_tokens = 40;
  u.output_tokens = 30;
  u.reasoning_tokens = 10;
  std::string out;
  json::Writer w(out);
  write_gemini_usage(u, w);
  EXPECT_EQ(out, R"({"promptTokenCount":100,"cachedContentTokenCount":40,)"
                 R"("candidatesTokenCount":20,"thoughtsTokenCount":10,"totalTokenCount":130})");
}

TEST(GeminiGenerateSurfaceEncode, SseFramesReparse) {
  std::vector<StreamEvent> events = {ev(K::Start), usage(3, 0), ev(K::ReasoningDelta, "r\n\"q\""),
                                     ev(K::TextDelta, "line1\r\nline2"), ev(K::TextDelta, " é")};
  for (const StreamEvent& e : parallel_calls()) {
    if (e.kind != K::Start) events.push_back(e);
  }
  std::string out = encode(events, true);
  sse::Framer framer;
  std::vector<sse::Event> frames;
  ASSERT_TRUE(framer.feed(out, frames).ok());
  size_t before = frames.size();
  framer.finish(frames);
  EXPECT_EQ(frames.size(), before);
  ASSERT_EQ(frames.size(), 4u);
  std::string text;
  int calls = 0;
  for (const auto& f : frames) {
    json::Reader reader;
    auto parsed = reader.parse(f.data);
    ASSERT_TRUE(parsed.ok()) << f.data;
    json::Object o = parsed.value().get_object().value();
    EXPECT_EQ(json::get_string(o, "responseId"), "resp123");
    EXPECT_EQ(json::get_string(o, "modelVersion"), "gem-alias");
    json::Element cand;
    ASSERT_EQ(o["candidates"].at(0).get(cand), simdjson::SUCCESS);
    // Bind the optional first: a range-for over `*temporary_optional` dangles in C++20.
    json::Array parts = *json::get_array(*json::get_object(cand.get_object().value(), "content"),
                                         "parts");
    for (json::Element p : parts) {
      json::Object po = p.get_object().value();
      if (json::has_key(po, "functionCall")) ++calls;
      if (!json::has_key(po, "thought")) text += json::get_string(po, "text");
    }
  }
  EXPECT_EQ(text, "line1\r\nline2 é");
  EXPECT_EQ(calls, 3);
}

// ---- JSON-array mode ------------------------------------------------------------------------

TEST(GeminiGenerateSurfaceEncode, ArrayModeGolden) {
  std::string out = encode({ev(K::Start), ev(K::TextDelta, "Hi"), usage(2, 1),
                            finish(FinishReason::Length)},
                           false);
  EXPECT_EQ(out, "[" + frame(R"({"text":"Hi"})") + ",\r\n" +
                     frame(R"({"text":""})", "MAX_TOKENS",
                           R"({"promptTokenCount":2,"candidatesTokenCount":1,"totalTokenCount":3})") +
                     "]");
  EXPECT_EQ(encode({}, false), "[]");

  std::string calls = encode(parallel_calls(), false);
  json::Reader reader;
  auto parsed = reader.parse(calls);
  ASSERT_TRUE(parsed.ok()) << calls;
  ASSERT_TRUE(parsed.value().is_array());
  EXPECT_EQ(parsed.value().get_array().value().size(), 1u);
}

// ---- in-stream errors -----------------------------------------------------------------------

TEST(GeminiGenerateSurfaceEncode, StreamErrorBothModes) {
  Error err = Error::make(ErrorKind::Overloaded, "The model is overloaded.");
  err.retry_after_s = 3;  // never rendered in-stream
  const std::string body =
      R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})";

  auto sse_enc = make_gemini_encoder(context(), true);
  std::string out;
  sse_enc->on_event(ev(K::Start), out);
  sse_enc->on_event(ev(K::TextDelta, "a"), out);
  sse_enc->on_stream_error(err, out);
  sse_enc->on_event(ev(K::TextDelta, "ignored"), out);
  sse_enc->on_end(out);
  EXPECT_EQ(out, sse(frame(R"({"text":"a"})")) + "data: " + body + "\r\n\r\n");

  auto arr = make_gemini_encoder(context(), false);
  out.clear();
  arr->on_event(ev(K::TextDelta, "a"), out);
  StreamEvent e = ev(K::Error);
  e.error = err;
  arr->on_event(e, out);  // the Error event takes the same path
  arr->on_end(out);
  EXPECT_EQ(out, "[" + frame(R"({"text":"a"})") + ",\r\n" + body + "]");
  json::Reader reader;
  EXPECT_TRUE(reader.parse(out).ok());

  auto empty = make_gemini_encoder(context(), false);
  out.clear();
  empty->on_stream_error(err, out);
  empty->on_stream_error(err, out);
  EXPECT_EQ(out, "[" + body + "]");

  auto sse_first = make_gemini_encoder(context(), true);
  out.clear();
  sse_first->on_stream_error(Error::make(ErrorKind::StreamInterrupted, "cut"), out);
  EXPECT_EQ(out, R"(data: {"error":{"code":500,"message":"cut","status":"INTERNAL"}})"
                 "\r\n\r\n");
}

TEST(GeminiGenerateSurfaceEncode, SurfaceEncoderDefaultsToSse) {
  auto enc = gemini_generate_surface().make_encoder(context());
  std::string out;
  enc->on_event(ev(K::TextDelta, "x"), out);
  EXPECT_EQ(out, sse(frame(R"({"text":"x"})")));
}

// ---- non-streaming body ---------------------------------------------------------------------

TEST(GeminiGenerateSurfaceRender, FoldedResponseGolden) {
  pipeline::Fold fold;
  std::vector<StreamEvent> events = {ev(K::Start), ev(K::ReasoningDelta, "Hmm"),
                                     ev(K::ReasoningSignature, "S1"), ev(K::TextDelta, "Hello "),
                                     ev(K::TextDelta, "world"), tool_start(0, "call_1", "f", "TS"),
                                     ev(K::ToolCallDelta, R"({"a": 1})", 0), ev(K::ToolCallEnd, {}, 0),
                                     tool_start(1, "", "g"), ev(K::ToolCallEnd, {}, 1),
                                     usage(10, 20, 3, 5), finish(FinishReason::ToolCalls)};
  for (StreamEvent& e : events) fold.on_event(std::move(e));
  EncodeContext ctx = context();
  ctx.stream = false;
  auto enc = make_gemini_encoder(ctx, true);
  std::string out;
  enc->render_response(fold.result(), out);
  EXPECT_EQ(out, frame(R"({"text":"Hmm","thought":true,"thoughtSignature":")" +
                           providers::wrap_signature(Protocol::OpenAIChat, "S1") + R"("},)"
                       R"({"text":"Hello world"},)"
                       R"({"functionCall":{"name":"f","args":{"a":1},"id":"call_1"},)"
                       R"("thoughtSignature":"TS"},)"
                       R"({"functionCall":{"name":"g","args":{},"id":")" +
                           providers::synth_tool_id("resp123", 1) + R"("}})",
                       "STOP",
                       R"({"promptTokenCount":10,"cachedContentTokenCount":3,)"
                       R"("candidatesTokenCount":15,"thoughtsTokenCount":5,"totalTokenCount":30})"));

  FoldedResponse empty;
  empty.finish = FinishReason::Length;
  empty.finished = true;
  out.clear();
  enc->render_response(empty, out);
  EXPECT_EQ(out, frame(R"({"text":""})", "MAX_TOKENS",
                       R"({"promptTokenCount":0,"candidatesTokenCount":0,"totalTokenCount":0})"));
}

// ---- errors ---------------------------------------------------------------------------------

std::string header(const ResponseHead& h, std::string_view name) {
  std::string found;
  int n = 0;
  for (const auto& [k, v] : h.headers) {
    if (k == name) {
      found = v;
      ++n;
    }
  }
  EXPECT_LE(n, 1) << name;
  return found;
}

TEST(GeminiGenerateSurfaceErrors, StatusPerKind) {
  struct Row {
    ErrorKind kind;
    int status;
    const char* canonical;
  };
  const Row rows[] = {
      {ErrorKind::InvalidRequest, 400, "INVALID_ARGUMENT"},
      {ErrorKind::UnsupportedParameter, 400, "INVALID_ARGUMENT"},
      {ErrorKind::ContextLengthExceeded, 400, "INVALID_ARGUMENT"},
      {ErrorKind::PayloadTooLarge, 400, "INVALID_ARGUMENT"},
      {ErrorKind::Authentication, 400, "INVALID_ARGUMENT"},
      {ErrorKind::PermissionDenied, 403, "PERMISSION_DENIED"},
      {ErrorKind::NotFound, 404, "NOT_FOUND"},
      {ErrorKind::RateLimited, 429, "RESOURCE_EXHAUSTED"},
      {ErrorKind::QuotaExceeded, 429, "RESOURCE_EXHAUSTED"},
      {ErrorKind::Overloaded, 503, "UNAVAILABLE"},
      {ErrorKind::UpstreamConnection, 503, "UNAVAILABLE"},
      {ErrorKind::Timeout, 504, "DEADLINE_EXCEEDED"},
      {ErrorKind::UpstreamServerError, 500, "INTERNAL"},
      {ErrorKind::UpstreamProtocol, 500, "INTERNAL"},
      {ErrorKind::StreamInterrupted, 500, "INTERNAL"},
      {ErrorKind::Internal, 500, "INTERNAL"},
      {ErrorKind::Cancelled, 499, "CANCELLED"},
  };
  for (const Row& row : rows) {
    Error e = Error::make(row.kind, "m");
    ResponseHead head;
    std::string body;
    gemini_generate_surface().render_error(e, head, body);
    EXPECT_EQ(head.status, row.status) << error_kind_name(row.kind);
    EXPECT_EQ(header(head, "content-type"), "application/json; charset=UTF-8");
    json::Reader reader;
    auto parsed = reader.parse(body);
    ASSERT_TRUE(parsed.ok()) << body;
    json::Object err = *json::get_object(parsed.value().get_object().value(), "error");
    EXPECT_EQ(json::get_int(err, "code"), row.status);
    EXPECT_EQ(json::get_string(err, "status"), row.canonical);
    EXPECT_EQ(json::get_string(err, "message"), "m");
  }
}

TEST(GeminiGenerateSurfaceErrors, DetailsAndHeaders) {
  ResponseHead head;
  head.headers.emplace_back("content-type", "text/plain");
  std::string body;
  render_gemini_error(Error::make(ErrorKind::Authentication, ""), head, body);
  EXPECT_EQ(body, R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API )"
                  R"(key.","status":"INVALID_ARGUMENT","details":[{"@type":)"
                  R"("type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID",)"
                  R"("domain":"googleapis.com"}]}})");
  EXPECT_EQ(header(head, "content-type"), "application/json; charset=UTF-8");

  Error rl = Error::make(ErrorKind::RateLimited, "Slow down.");
  rl.retry_after_s = 34.4;
  rl.headers.emplace_back("x-ratelimit-remaining-requests", "0");
  head = ResponseHead{};
  render_gemini_error(rl, head, body);
  EXPECT_EQ(head.status, 429);
  EXPECT_EQ(header(head, "retry-after"), "35");
  EXPECT_EQ(header(head, "x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(body, R"({"error":{"code":429,"message":"Slow down.","status":"RESOURCE_EXHAUSTED",)"
                  R"("details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo",)"
                  R"("retryDelay":"34.4s"}]}})");

  Error quota = Error::make(ErrorKind::QuotaExceeded, "");
  quota.retry_after_s = 5;
  quota.headers.emplace_back("retry-after", "7");
  head = ResponseHead{};
  render_gemini_error(quota, head, body);
  EXPECT_EQ(header(head, "retry-after"), "7");  // the upstream's own header wins, once
  EXPECT_NE(body.find(R"("retryDelay":"5s")"), std::string::npos) << body;

  head = ResponseHead{};
  render_gemini_error(Error::invalid("contents: contents is not specified", "contents"), head, body);
  EXPECT_EQ(body, R"({"error":{"code":400,"message":"contents: contents is not specified",)"
                  R"("status":"INVALID_ARGUMENT","details":[{"@type":)"
                  R"("type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":)"
                  R"("contents","description":"contents: contents is not specified"}]}]}})");

  Error up = Error::make(ErrorKind::InvalidRequest, "User location is not supported.");
  up.upstream_type = "FAILED_PRECONDITION";
  up.upstream_status = 400;
  head = ResponseHead{};
  render_gemini_error(up, head, body);
  EXPECT_EQ(head.status, 400);
  EXPECT_EQ(body, R"({"error":{"code":400,"message":"User location is not supported.",)"
                  R"("status":"FAILED_PRECONDITION"}})");

  Error foreign = Error::make(ErrorKind::Overloaded, "Overloaded");
  foreign.upstream_type = "overloaded_error";  // Anthropic vocabulary never leaks
  foreign.upstream_status = 529;
  head = ResponseHead{};
  render_gemini_error(foreign, head, body);
  EXPECT_EQ(head.status, 503);
  EXPECT_EQ(body, R"({"error":{"code":503,"message":"Overloaded","status":"UNAVAILABLE"}})");
}

// ---- end to end with the Gemini provider ----------------------------------------------------

struct GeminiUpstream {
  GeminiUpstream() {
    prov.name = "gem";
    prov.kind = ProviderKind::Gemini;
    prov.base_url = "https://generativelanguage.googleapis.com";
    model.alias = "gem-alias";
    model.provider = "gem";
    model.model = "gemini-2.5-flash";
    dep = Deployment{&prov, &model};
  }
  GeminiUpstream(const GeminiUpstream&) = delete;
  ProviderConfig prov;
  ModelConfig model;
  Deployment dep;
};

/// Feeds decoder events straight into a surface encoder.
class EncodingSink final : public EventSink {
 public:
  explicit EncodingSink(SurfaceEncoder& enc) : enc_(enc) {}
  void on_event(StreamEvent&& ev) override { enc_.on_event(ev, out); }
  std::string out;

 private:
  SurfaceEncoder& enc_;
};

std::string reencode(const std::string& body, bool sse_out) {
  GeminiUpstream up;
  ChatRequest req;
  req.stream = true;
  auto dec = providers::make_gemini_decoder(req, up.dep, true);
  auto enc = make_gemini_encoder(context(Protocol::Gemini), sse_out);
  EncodingSink sink(*enc);
  EXPECT_TRUE(dec->feed(body, sink).ok());
  EXPECT_TRUE(dec->finish(sink).ok());
  enc->on_end(sink.out);
  return sink.out;
}

/// Every GenerateContentResponse chunk of an SSE body or a JSON-array body, as JSON text.
std::vector<std::string> chunks_of(const std::string& body) {
  std::vector<std::string> out;
  size_t b = body.find_first_not_of(" \r\n");
  if (b != std::string::npos && body[b] == '[') {
    json::Reader reader;
    auto parsed = reader.parse(body);
    EXPECT_TRUE(parsed.ok());
    if (!parsed.ok() || !parsed.value().is_array()) return out;
    for (json::Element e : json::Array(parsed.value().get_array().value())) out.push_back(json::to_json(e));
    return out;
  }
  sse::Framer framer;
  std::vector<sse::Event> events;
  EXPECT_TRUE(framer.feed(body, events).ok());
  framer.finish(events);
  for (const auto& e : events) out.push_back(e.data);
  return out;
}

/// Concatenated answer text, thought text, functionCall summaries and the last finishReason /
/// usageMetadata of a stream.
std::string digest(const std::string& body) {
  std::string text, thoughts, calls, finish, usage_json;
  for (const std::string& c : chunks_of(body)) {
    json::Reader reader;
    auto parsed = reader.parse(c);
    EXPECT_TRUE(parsed.ok()) << c;
    if (!parsed.ok()) continue;
    json::Object o = parsed.value().get_object().value();
    if (auto um = json::get_object(o, "usageMetadata")) {
      usage_json = "in=" + std::to_string(json::get_int(*um, "promptTokenCount")) +
                   " cand=" + std::to_string(json::get_int(*um, "candidatesTokenCount")) +
                   " thoughts=" + std::to_string(json::get_int(*um, "thoughtsTokenCount")) +
                   " total=" + std::to_string(json::get_int(*um, "totalTokenCount"));
    }
    json::Element cand;
    if (o["candidates"].at(0).get(cand) != simdjson::SUCCESS) continue;
    json::Object co = cand.get_object().value();
    if (!json::get_string(co, "finishReason").empty()) {
      finish = std::string(json::get_string(co, "finishReason"));
    }
    auto content = json::get_object(co, "content");
    if (!content) continue;
    auto parts = json::get_array(*content, "parts");
    if (!parts) continue;
    for (json::Element p : *parts) {
      json::Object po = p.get_object().value();
      if (auto fc = json::get_object(po, "functionCall")) {
        calls += std::string(json::get_string(*fc, "name")) + json::to_json((*fc)["args"].value()) +
                 "|" + std::string(json::get_string(po, "thoughtSignature")) + ";";
      } else if (json::has_key(po, "thought")) {
        thoughts += json::get_string(po, "text");
      } else {
        text += json::get_string(po, "text");
      }
    }
  }
  return "text=" + text + "\nthoughts=" + thoughts + "\ncalls=" + calls + "\nfinish=" + finish +
         "\nusage=" + usage_json;
}

TEST(GeminiGenerateSurfaceRoundTrip, RecordedStreamsSurviveDecodeAndReencode) {
  for (const char* name : {"gemini/thinking-stream.sse", "gemini/text-stream.sse",
                           "gemini/function-call-stream.sse",
                           "gemini/function-call-stream-no-sse.txt"}) {
    std::string body = testing::read_fixture(name);
    for (bool sse_out : {true, false}) {
      std::string out = reencode(body, sse_out);
      EXPECT_EQ(digest(out), digest(body)) << name << " sse=" << sse_out;
    }
  }
  std::string no_sse = testing::read_fixture("gemini/function-call-stream-no-sse.txt");
  std::string d = digest(reencode(no_sse, false));
  EXPECT_NE(d.find("calls=pelican_name_generator{}|ClgBEU0yD8z3"), std::string::npos) << d;
  EXPECT_NE(d.find("usage=in=32 cand=12 thoughts=42 total=86"), std::string::npos) << d;
}

TEST(GeminiGenerateSurfaceRoundTrip, HistoryReachesGeminiUpstreamIntact) {
  HttpRequest http;
  http.path = "/v1beta/models/gem-alias:streamGenerateContent";
  http.query = "alt=sse";
  http.body = R"({
    "contents": [
      {"role": "user", "parts": [{"text": "Weather?"}]},
      {"role": "model", "parts": [
        {"functionCall": {"name": "weather", "args": {"city": "Paris"}}, "thoughtSignature": "SIG_1"},
        {"functionCall": {"name": "weather", "args": {"city": "Rome"}}}]},
      {"role": "user", "parts": [
        {"functionResponse": {"name": "weather", "response": {"temp": 20}}},
        {"functionResponse": {"name": "weather", "response": {"output": "{\"temp\": 25}"}}}]}],
    "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF"}],
    "cachedContent": "cachedContents/abc",
    "generationConfig": {"responseModalities": ["TEXT"]}
  })";
  auto req = gemini_generate_surface().parse_request(http);
  ASSERT_TRUE(req.ok()) << req.error().message;
  GeminiUpstream up;
  providers::TranslationReport report;
  auto built = providers::build_gemini_request(*req, up.dep, report);
  ASSERT_TRUE(built.ok()) << built.error().message;
  EXPECT_TRUE(report.dropped.empty());
  EXPECT_EQ(built->path, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(built->body,
            R"({"contents":[{"role":"user","parts":[{"text":"Weather?"}]},)"
            R"({"role":"model","parts":[{"functionCall":{"name":"weather","args":{"city":"Paris"}},)"
            R"("thoughtSignature":"SIG_1"},{"functionCall":{"name":"weather","args":{"city":"Rome"}}}]},)"
            R"({"role":"user","parts":[{"functionResponse":{"name":"weather","response":{"temp":20}}},)"
            R"({"functionResponse":{"name":"weather","response":{"output":"{\"temp\": 25}"}}}]}],)"
            R"("safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}],)"
            R"("cachedContent":"cachedContents/abc","generationConfig":{"responseModalities":["TEXT"]}})");
}

}  // namespace
}  // namespace openrain::surfaces
