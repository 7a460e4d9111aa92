#include "pipeline/pipeline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstring>
#include <random>

#include "json/writer.hpp"
#include "net/upstream_client.hpp"
#include "pipeline/fold.hpp"
#include "pipeline/stage_metrics.hpp"
#include "providers/provider.hpp"
#include "providers/request_policy.hpp"
#include "surfaces/anthropic_messages.hpp"
#include "surfaces/openai_chat.hpp"

namespace openrain {

namespace {

std::string random_id(std::string_view prefix) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr std::size_t kChars = 24;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id;
  id.resize(prefix.size() + kChars);
  std::memcpy(id.data(), prefix.data(), prefix.size());
  char* out = id.data() + prefix.size();
  for (std::size_t i = 0; i < kChars; i += 8) {
    uint64_t bits = rng();
    for (std::size_t k = 0; k < 8; ++k, bits >>= 8) {
      out[i + k] = kAlphabet[((bits & 0xff) * 62) >> 8];  // 8 random bits onto 62 letters
    }
  }
  return id;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& f : items) {
    if (!out.empty()) out += ", ";
    out += f;
  }
  return out;
}

const char* id_prefix(Protocol p) {
  switch (p) {
    case Protocol::OpenAIChat: return "chatcmpl-";
    case Protocol::OpenAIResponses: return "resp_";
    case Protocol::Anthropic: return "msg_";
    case Protocol::Gemini: return "";
  }
  return "";
}

/// Streaming: renders each canonical event straight into the pending output buffer.
class StreamRenderer final : public EventSink {
 public:
  explicit StreamRenderer(surfaces::SurfaceEncoder& enc) : enc_(enc) {}
  void on_event(StreamEvent&& ev) override {
    if (failed_) return;
    if (ev.kind == StreamEvent::Kind::Error) {
      failed_ = true;
      enc_.on_stream_error(ev.error, out);
      return;
    }
    if (ev.kind == StreamEvent::Kind::Finish) finished_ = true;
    enc_.on_event(ev, out);
  }
  bool failed() const { return failed_; }
  bool finished() const { return finished_; }
  std::string out;

 private:
  surfaces::SurfaceEncoder& enc_;
  bool failed_ = false;
  bool finished_ = false;
};

/// Receives the upstream HTTP response and drives decoder → (renderer | fold) → sink.
class Exchanger final : public UpstreamHandler {
 public:
  Exchanger(const ChatRequest& req, const Deployment& dep, const providers::Provider& provider,
            surfaces::SurfaceEncoder& encoder, ResponseSink& sink, CancelToken& cancel,
            Headers route_headers, pipeline::StageClock& clock, bool timing_header,
            std::string stream_content_type)
      : req_(req), dep_(dep), provider_(provider), encoder_(encoder), sink_(sink),
        cancel_(cancel), route_headers_(std::move(route_headers)), clock_(clock),
        timing_header_(timing_header), stream_content_type_(std::move(stream_content_type)),
        renderer_(encoder) {}

  boost::asio::awaitable<Status> on_head(int status, const Headers& headers) override {
    clock_.lap(pipeline::Stage::Upstream);
    status_ = status;
    if (status < 200 || status >= 300) {
      error_headers_ = headers;
      co_return Status{};
    }
    decoder_ = provider_.make_decoder(req_, dep_, req_.stream);
    forwarded_headers_ = provider_.forwarded_response_headers(headers);
    if (req_.stream) {
      ResponseHead head;
      head.status = 200;
      head.headers.emplace_back("content-type", stream_content_type_);
      head.headers.emplace_back("cache-control", "no-cache");
      for (auto& h : route_headers_) head.headers.push_back(h);
      for (auto& h : forwarded_headers_) head.headers.push_back(h);
      if (timing_header_) head.headers.emplace_back("server-timing", clock_.server_timing());
      auto t0 = pipeline::StageClock::Clock::now();
      Status s = co_await sink_.start_stream(std::move(head));
      clock_.add(pipeline::Stage::Write, pipeline::StageClock::Clock::now() - t0);
      if (!s.ok()) co_return caller_gone();
      stream_started_ = true;
      last_write_ = std::chrono::steady_clock::now();
      start_pinger();
    }
    co_return Status{};
  }

  boost::asio::awaitable<Status> on_body(std::string_view bytes) override {
    if (!ok_status()) {
      if (error_body_.size() < kMaxErrorBody) {
        error_body_.append(bytes.substr(0, kMaxErrorBody - error_body_.size()));
      }
      co_return Status{};
    }
    using SC = pipeline::StageClock;
    if (req_.stream) {
      auto t0 = SC::Clock::now();
      Status s = decoder_->feed(bytes, renderer_);
      auto t1 = SC::Clock::now();
      clock_.add(pipeline::Stage::Translate, t1 - t0);
      if (!s.ok()) co_return s;
      if (!renderer_.out.empty()) {
        std::string out = std::move(renderer_.out);
        renderer_.out.clear();
        Status w = co_await gated_write(out);
        clock_.add(pipeline::Stage::Write, SC::Clock::now() - t1);
        if (!w.ok()) co_return caller_gone();
      }
      if (renderer_.failed()) {
        co_return Error::make(ErrorKind::StreamInterrupted, "upstream reported an error mid-stream");
      }
    } else {
      auto t0 = SC::Clock::now();
      Status s = decoder_->feed(bytes, fold_);
      clock_.add(pipeline::Stage::Translate, SC::Clock::now() - t0);
      if (!s.ok()) co_return s;
    }
    co_return Status{};
  }

  /// Write stream bytes, serialised with the keep-alive pinger (both run on this request's
  /// strand; the gate only guards the window in which a write is suspended).
  boost::asio::awaitable<Status> gated_write(std::string_view bytes) {
    while (busy_) co_await wait_gate();
    busy_ = true;
    Status s = co_await sink_.write(bytes);
    busy_ = false;
    last_write_ = std::chrono::steady_clock::now();
    if (gate_) gate_->cancel();
    co_return s;
  }
  boost::asio::awaitable<Status> gated_end() {
    while (busy_) co_await wait_gate();
    co_return co_await sink_.end_stream();
  }

  /// Keep-alive: while the upstream is silent, let the encoder write its keep-alive frame
  /// (Anthropic `ping`, an SSE comment for OpenAI) whenever nothing was written for the
  /// configured interval (server.stream_keepalive_ms, default 10 s; Anthropic wants ≤ 15 s).
  void start_pinger() {
    pinger_running_ = true;
    boost::asio::co_spawn(executor_, pinger(), boost::asio::detached);
  }
  boost::asio::awaitable<void> stop_pinger() {
    stopping_ = true;
    if (ping_timer_) ping_timer_->cancel();
    while (pinger_running_) co_await wait_gate();
  }

  bool ok_status() const { return status_ >= 200 && status_ < 300; }
  bool stream_started() const { return stream_started_; }
  bool renderer_failed() const { return renderer_.failed(); }
  int status() const { return status_; }
  const Headers& error_headers() const { return error_headers_; }
  const Headers& forwarded_headers() const { return forwarded_headers_; }
  const std::string& error_body() const { return error_body_; }
  providers::ResponseDecoder* decoder() { return decoder_.get(); }
  StreamRenderer& renderer() { return renderer_; }
  pipeline::Fold& fold() { return fold_; }
  bool caller_left() const { return caller_left_; }
  void set_executor(boost::asio::any_io_executor ex) { executor_ = std::move(ex); }
  void set_ping_interval(std::chrono::milliseconds d) { ping_interval_ = d; }

 private:

  boost::asio::awaitable<void> wait_gate() {
    if (!gate_) gate_.emplace(executor_);
    gate_->expires_at(std::chrono::steady_clock::time_point::max());
    co_await gate_->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  boost::asio::awaitable<void> pinger() {
    boost::asio::steady_timer timer(executor_);
    ping_timer_ = &timer;
    while (!stopping_ && !caller_left_) {
      timer.expires_after(ping_interval_);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (stopping_ || caller_left_) break;
      if (busy_ || std::chrono::steady_clock::now() - last_write_ < ping_interval_) continue;
      std::string out;
      encoder_.on_idle(out);
      if (out.empty()) continue;
      Status s = co_await gated_write(out);
      if (!s.ok()) {
        caller_gone();
        break;
      }
    }
    ping_timer_ = nullptr;
    pinger_running_ = false;
    if (gate_) gate_->cancel();
  }

  Status caller_gone() {
    caller_left_ = true;
    cancel_.cancel();
    return Error::make(ErrorKind::Cancelled, "the caller closed the connection");
  }

  static constexpr size_t kMaxErrorBody = 64 * 1024;
  const ChatRequest& req_;
  const Deployment& dep_;
  const providers::Provider& provider_;
  surfaces::SurfaceEncoder& encoder_;
  ResponseSink& sink_;
  CancelToken& cancel_;
  Headers route_headers_;
  pipeline::StageClock& clock_;
  bool timing_header_;
  std::string stream_content_type_;
  StreamRenderer renderer_;
  pipeline::Fold fold_;
  std::unique_ptr<providers::ResponseDecoder> decoder_;
  int status_ = 0;
  bool stream_started_ = false;
  bool caller_left_ = false;
  Headers error_headers_;
  Headers forwarded_headers_;  // from a 2xx head, filtered by the provider
  std::string error_body_;
  boost::asio::any_io_executor executor_;
  std::optional<boost::asio::steady_timer> gate_;
  boost::asio::steady_timer* ping_timer_ = nullptr;
  bool busy_ = false;
  bool stopping_ = false;
  bool pinger_running_ = false;
  std::chrono::milliseconds ping_interval_{10'000};
  std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

}  // namespace

Pipeline::Pipeline(std::shared_ptr<const GatewayConfig> config, UpstreamClient& upstream)
    : config_(std::move(config)), upstream_(upstream) {}

boost::asio::awaitable<void> Pipeline::send_error(const surfaces::Surface& surface,
                                                  const Error& err, ResponseSink& sink) const {
  ResponseHead head;
  std::string body;
  surface.render_error(err, head, body);
  co_await sink.send_full(std::move(head), std::move(body));
}

boost::asio::awaitable<void> Pipeline::run(HttpRequest req, ResponseSink& sink,
                                           CancelToken& cancel) {
  if (req.method == "GET") {
    if (req.path == "/health" || req.path == "/healthz") {
      ResponseHead head;
      head.headers.emplace_back("content-type", "application/json");
      co_await sink.send_full(std::move(head), "{\"status\":\"ok\"}");
      co_return;
    }
    if (req.path == "/metrics") {
      ResponseHead head;
      head.headers.emplace_back("content-type", "text/plain; version=0.0.4");
      std::string body;
      pipeline::StageHistograms::global().render_prometheus(body);
      co_await sink.send_full(std::move(head), std::move(body));
      co_return;
    }
    if (co_await serve_listing(req, sink)) co_return;
  }
  Route route = route_for(req);
  if (route.surface == nullptr) {
    Error e = Error::make(ErrorKind::NotFound, "Unknown request URL: " + req.method + " " +
                                                   req.path + ".", "", "unknown_url");
    co_await send_error(surfaces::openai_chat_surface(), e, sink);
    co_return;
  }
  const surfaces::Surface* surface = route.surface;
  if (req.method != "POST") {
    Error e = Error::invalid("Method " + req.method + " is not allowed on " + req.path +
                             "; use POST.", "", "method_not_allowed");
    e.http_status = 405;
    co_await send_error(*surface, e, sink);
    co_return;
  }

  pipeline::StageClock clock;
  const bool timing_header = !find_header(req.headers, "x-openrain-timing").empty();
  Result<ChatRequest> parsed = route.count_tokens ? parse_count_request(route, req)
                                                  : surface->parse_request(req);
  if (!parsed.ok()) {
    co_await send_error(*surface, parsed.error(), sink);
    co_return;
  }
  ChatRequest& creq = parsed.value();
  clock.lap(pipeline::Stage::Parse);

  const ModelConfig* model = config_->find_model(creq.model);
  if (model == nullptr) {
    Error e = Error::make(ErrorKind::NotFound,
                          "The model `" + creq.model + "` does not exist or you do not have "
                          "access to it.", "model", "model_not_found");
    co_await send_error(*surface, e, sink);
    co_return;
  }
  Deployment dep{config_->find_provider(model->provider), model};
  if (dep.provider == nullptr) {
    co_await send_error(*surface, Error::make(ErrorKind::Internal, "model has no provider"), sink);
    co_return;
  }
  const providers::Provider& provider = providers::provider_for(dep.provider->kind);

  if (route.count_tokens) {
    co_await count_tokens(route, creq, dep, sink, cancel);
    co_return;
  }

  // Rules every upstream request obeys (server tools, orphan tool results and calls), before
  // any provider; what they change joins the provider's own loss report.
  providers::TranslationReport report;
  if (Status policy = providers::apply_request_policy(creq, provider.protocol(), report);
      !policy.ok()) {
    co_await send_error(*surface, policy.error(), sink);
    co_return;
  }
  Result<providers::UpstreamRequest> upstream_req = provider.build_request(creq, dep, report);
  if (!upstream_req.ok()) {
    co_await send_error(*surface, upstream_req.error(), sink);
    co_return;
  }
  // Translation loss: reported in a header; a 400 naming the fields in strict mode.
  std::string dropped = join(report.dropped);
  std::string_view strict_header = find_header(req.headers, "x-openrain-strict");
  bool strict = model->strict || strict_header == "1" || strict_header == "true";
  if (strict && !dropped.empty()) {
    std::string why;
    for (const auto& r : report.reasons) why += " " + r;
    Error e = Error::make(ErrorKind::UnsupportedParameter,
                          "The model `" + creq.model + "` cannot honour these request fields "
                          "(strict mode): " + dropped + "." + why, report.dropped.front(),
                          "unsupported_parameter");
    co_await send_error(*surface, e, sink);
    co_return;
  }
  clock.lap(pipeline::Stage::Route);

  Headers route_headers;
  route_headers.emplace_back("x-openrain-provider", dep.provider->name);
  route_headers.emplace_back("x-openrain-upstream-model", model->model);
  if (!dropped.empty()) route_headers.emplace_back("x-openrain-dropped-fields", dropped);

  surfaces::EncodeContext ctx;
  ctx.model_alias = creq.model;
  ctx.stream = creq.stream;
  ctx.include_usage = creq.include_usage;
  ctx.response_id = random_id(id_prefix(surface->protocol()));
  ctx.created = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  ctx.upstream = provider.protocol();
  std::unique_ptr<surfaces::SurfaceEncoder> encoder = make_encoder(route, creq, ctx);
  std::string content_type = stream_content_type(route, req);

  Exchanger ex(creq, dep, provider, *encoder, sink, cancel, route_headers, clock, timing_header,
               content_type);
  ex.set_executor(co_await boost::asio::this_coro::executor);
  ex.set_ping_interval(std::chrono::milliseconds(config_->server.stream_keepalive_ms));
  Status st = co_await upstream_.exchange(*dep.provider, upstream_req.value(), ex, cancel);
  co_await ex.stop_pinger();  // the pinger references this frame: it must end first

  if (ex.caller_left() || (cancel.cancelled() && !st.ok())) co_return;  // nobody to answer

  // Upstream answered with an error status: classify and render in the caller's shape.
  if (st.ok() && !ex.ok_status()) {
    Error e = provider.classify_error(ex.status(), ex.error_headers(), ex.error_body(), dep);
    co_await send_error(*surface, e, sink);
    clock.publish();
    co_return;
  }

  // Let the decoder flush (and detect truncation) when the transfer itself completed.
  if (st.ok() && ex.decoder() != nullptr) {
    auto t0 = pipeline::StageClock::Clock::now();
    if (creq.stream) {
      st = ex.decoder()->finish(ex.renderer());
    } else {
      st = ex.decoder()->finish(ex.fold());
    }
    clock.add(pipeline::Stage::Translate, pipeline::StageClock::Clock::now() - t0);
  }

  if (creq.stream) {
    if (!ex.stream_started()) {  // failed before any byte: ordinary HTTP error
      co_await send_error(*surface, st.ok() ? Error::make(ErrorKind::Internal, "no response")
                                            : st.error(), sink);
      co_return;
    }
    std::string& out = ex.renderer().out;
    if (!st.ok() && !ex.renderer_failed()) {
      encoder->on_stream_error(st.error(), out);
    } else if (st.ok() && !ex.renderer_failed()) {
      encoder->on_end(out);
    }
    if (!out.empty()) {
      Status w = co_await sink.write(out);
      if (!w.ok()) co_return;
    }
    co_await sink.end_stream();
    clock.publish();  // (the pinger has stopped: direct sink writes are safe again)
    co_return;
  }

  // Non-streaming: the response is the fold of the events.
  FoldedResponse& folded = ex.fold().result();
  if (folded.error) {  // the upstream's own in-body error wins over the truncation it causes
    co_await send_error(*surface, *folded.error, sink);
    co_return;
  }
  if (!st.ok()) {
    co_await send_error(*surface, st.error(), sink);
    co_return;
  }
  auto t0 = pipeline::StageClock::Clock::now();
  std::string body;
  encoder->render_response(folded, body);
  clock.add(pipeline::Stage::Translate, pipeline::StageClock::Clock::now() - t0);
  ResponseHead head;
  head.headers.emplace_back("content-type", "application/json");
  for (auto& h : route_headers) head.headers.push_back(std::move(h));
  for (const auto& h : ex.forwarded_headers()) head.headers.push_back(h);
  // Output only the upstream's own protocol can carry (server-tool blocks, citations) is left
  // out of another surface's body: say so.
  std::vector<std::string> dropped_output;
  for (const OutputBlock& b : folded.blocks) {
    std::string what;
    if (b.kind == OutputBlock::Kind::Native && b.native != surface->protocol()) {
      what = b.name.empty() ? std::string("block") : b.name;
    } else if (b.kind == OutputBlock::Kind::Text && !b.extras.empty() &&
               b.native != surface->protocol()) {
      what = "text." + b.extras.front().key;
    }
    if (what.empty() ||
        std::find(dropped_output.begin(), dropped_output.end(), what) != dropped_output.end()) {
      continue;
    }
    dropped_output.push_back(std::move(what));
  }
  if (!dropped_output.empty()) {
    head.headers.emplace_back("x-openrain-dropped-output", join(dropped_output));
  }
  if (timing_header) head.headers.emplace_back("server-timing", clock.server_timing());
  clock.reset_mark();
  co_await sink.send_full(std::move(head), std::move(body));
  clock.lap(pipeline::Stage::Write);
  clock.publish();
}

}  // namespace openrain
