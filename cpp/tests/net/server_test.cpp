#include "net/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <thread>

#include "net/loopback_peer.hpp"

namespace openrain::net {
namespace {

namespace asio = boost::asio;
using namespace testing_net;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

/// A one-shot gate a coroutine can wait on; open() is callable from any thread.
class AsyncGate {
 public:
  explicit AsyncGate(asio::io_context& io) : io_(io), timer_(io) {
    timer_.expires_at(asio::steady_timer::time_point::max());
  }
  void open() {
    asio::post(io_, [this] {
      opened_ = true;
      timer_.cancel();
    });
  }
  asio::awaitable<void> wait() {
    while (!opened_) co_await timer_.async_wait(tuple_awaitable);
  }

 private:
  asio::io_context& io_;
  asio::steady_timer timer_;
  bool opened_ = false;  // io thread only
};

/// Waits on the io thread until `cancel` fires (like the pipeline waiting on a silent upstream).
asio::awaitable<void> wait_for_cancel(CancelToken& cancel) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer t(ex, asio::steady_timer::time_point::max());
  bool woken = false;  // set by the posted closure, so `t` outlives every reference to it
  cancel.on_cancel([ex, &t, &woken] {
    asio::post(ex, [&t, &woken] {
      woken = true;
      t.cancel();
    });
  });
  while (!woken) co_await t.async_wait(tuple_awaitable);
  cancel.clear();
}

/// Fake engine: routes by path.
class FakeHandler : public RequestHandler {
 public:
  explicit FakeHandler(asio::io_context& io) : io_(io), gate(io) {}

  asio::io_context& io() override { return io_; }

  asio::awaitable<void> serve(HttpRequest req, ResponseSink& sink, CancelToken& cancel) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      requests.push_back(req);
    }
    if (req.path == "/stream") {
      ResponseHead head;
      head.headers = {{"content-type", "text/event-stream"}, {"content-length", "999"}};
      Status s = co_await sink.start_stream(head);
      if (s.ok()) s = co_await sink.write("alpha");
      if (s.ok()) s = co_await sink.write("");  // must not end the stream
      co_await gate.wait();
      if (s.ok()) s = co_await sink.write("beta");
      if (s.ok()) s = co_await sink.end_stream();
      stream_status = s;
      done.set();
      co_return;
    }
    if (req.path == "/hang") {
      serving.set();
      co_await wait_for_cancel(cancel);
      cancelled.set();
      co_return;
    }
    if (req.path == "/stream-then-hang") {
      ResponseHead head;
      head.headers = {{"content-type", "text/event-stream"}};
      Status s = co_await sink.start_stream(head);
      if (s.ok()) s = co_await sink.write("first");
      serving.set();
      co_await wait_for_cancel(cancel);
      cancelled.set();
      co_return;
    }
    if (req.path == "/nothing") co_return;
    ResponseHead head;
    head.status = 200;
    head.headers = {{"content-type", "text/plain"}, {"x-echo", "1"}};
    std::string body = req.method + " " + req.path + " ?" + req.query + " |" + req.body;
    co_await sink.send_full(std::move(head), std::move(body));
  }

  void render_error_for_path(std::string_view path, const Error& err, ResponseHead& head,
                             std::string& body) const override {
    head.status = err.http_status;
    head.headers = {{"content-type", "application/json"}};
    body = std::string("{\"path\":\"") + std::string(path) + "\",\"kind\":\"" +
           error_kind_name(err.kind) + "\",\"message\":\"" + err.message + "\"}";
  }

  asio::io_context& io_;
  AsyncGate gate;
  std::mutex mu;
  std::vector<HttpRequest> requests;
  Latch serving, cancelled, done;
  Status stream_status;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_.reset();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  void start(ServerOptions opts = {}) {
    auto r = Server::start(handler_, std::move(opts));
    ASSERT_TRUE(r.ok()) << r.error().message;
    server_ = std::move(r.value());
    ASSERT_NE(server_->port(), 0);
  }
  std::unique_ptr<Peer> connect() {
    int fd = connect_loopback(server_->port());
    EXPECT_GE(fd, 0);
    return std::make_unique<Peer>(fd, nullptr);
  }
  HttpRequest request(size_t i) {
    std::lock_guard<std::mutex> lock(handler_->mu);
    return i < handler_->requests.size() ? handler_->requests[i] : HttpRequest{};
  }
  size_t request_count() {
    std::lock_guard<std::mutex> lock(handler_->mu);
    return handler_->requests.size();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::shared_ptr<FakeHandler> handler_ = std::make_shared<FakeHandler>(io_);
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST(DecodePath, DecodesPercentEscapesAndKeepsInvalidOnes) {
  EXPECT_EQ(decode_path("/v1beta/models/gemini-pro%3AstreamGenerateContent"),
            "/v1beta/models/gemini-pro:streamGenerateContent");
  EXPECT_EQ(decode_path("/a%3a%20b"), "/a: b");
  EXPECT_EQ(decode_path("/x%zz%4"), "/x%zz%4");
  EXPECT_EQ(decode_path("/100%"), "/100%");
  EXPECT_EQ(decode_path(""), "");
}

TEST_F(ServerTest, ConvertsTheRequestAndSendsAFullResponse) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write(
      "POST /v1beta/models/g%3AgenerateContent?alt=sse&key=k HTTP/1.1\r\nHost: x\r\n"
      "X-Custom-Header: Value\r\nContent-Length: 5\r\n\r\nhello"));
  auto r = c->read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /v1beta/models/g:generateContent ?alt=sse&key=k |hello");
  EXPECT_EQ(r->headers["content-length"], std::to_string(r->body.size()));
  EXPECT_EQ(r->headers["server"], "openrain");
  EXPECT_EQ(r->headers["x-echo"], "1");
  HttpRequest seen = request(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/v1beta/models/g:generateContent");
  EXPECT_EQ(seen.query, "alt=sse&key=k");
  EXPECT_EQ(find_header(seen.headers, "x-custom-header"), "Value");
  EXPECT_EQ(find_header(seen.headers, "host"), "x");
  EXPECT_EQ(seen.body, "hello");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r1 = c->read_response();
  ASSERT_TRUE(r1.has_value());
  EXPECT_EQ(r1->body, "GET /a ? |");
  ASSERT_TRUE(c->write("GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto r2 = c->read_response();
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->body, "GET /b ? |");
  EXPECT_EQ(r2->headers["connection"], "close");
  EXPECT_TRUE(c->wait_closed());
  EXPECT_EQ(request_count(), 2u);
}

TEST_F(ServerTest, HeadRequestGetsHeadersWithoutBody) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c->read_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-length"], std::to_string(std::string("HEAD /h ? |").size()));
  ASSERT_TRUE(c->write("GET /next HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c->read_response();  // would misparse if the HEAD answer had carried a body
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /next ? |");
}

TEST_F(ServerTest, StreamsChunksIncrementally) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write("POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  auto head = c->read_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["transfer-encoding"], "chunked");
  EXPECT_EQ(head->headers.count("content-length"), 0u);  // the engine's value is dropped
  EXPECT_EQ(head->headers["content-type"], "text/event-stream");
  EXPECT_EQ(head->headers["server"], "openrain");
  auto first = c->read_chunk();  // arrives while the handler is parked on the gate
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, "alpha");
  handler_->gate.open();
  auto second = c->read_chunk();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, "beta");
  auto last = c->read_chunk();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, "");
  ASSERT_TRUE(handler_->done.wait());
  EXPECT_TRUE(handler_->stream_status.ok());
  // The connection stays usable after a stream.
  ASSERT_TRUE(c->write("GET /after HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c->read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "GET /after ? |");
}

TEST_F(ServerTest, BodyOverTheLimitByContentLengthIs413) {
  ServerOptions o;
  o.max_request_bytes = 100;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->write(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" +
                       std::string(1000, 'a')));
  auto r = c->read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body,
            "{\"path\":\"/v1/chat/completions\",\"kind\":\"payload_too_large\",\"message\":"
            "\"request body exceeds the limit of 100 bytes\"}");
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_EQ(r->headers["server"], "openrain");
  EXPECT_TRUE(c->wait_closed());
  EXPECT_EQ(request_count(), 0u);
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  ServerOptions o;
  o.max_request_bytes = 100;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->write(
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       chunk(std::string(80, 'a')) + chunk(std::string(80, 'b')) + "0\r\n\r\n"));
  auto r = c->read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("\"path\":\"/v1/messages\""), std::string::npos) << r->body;
  EXPECT_TRUE(c->wait_closed());
  EXPECT_EQ(request_count(), 0u);
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  ServerOptions o;
  o.max_request_bytes = 100;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->write("POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
                       std::string(100, 'z')));
  auto r = c->read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /ok ? |" + std::string(100, 'z'));
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimResponse) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write(
      "POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
  auto interim = c->read_response();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c->write("abc"));
  auto r = c->read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /e ? |abc");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"));
  auto r = c->read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body,
            "{\"path\":\"/x\",\"kind\":\"invalid_request\",\"message\":"
            "\"malformed HTTP request\"}");
  EXPECT_TRUE(c->wait_closed());
}

TEST_F(ServerTest, HandlerThatAnswersNothingYields500) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c->read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "{\"path\":\"/nothing\",\"kind\":\"internal\",\"message\":"
                     "\"the request produced no response\"}");
}

TEST_F(ServerTest, CallerDisconnectWhileUpstreamIsSilentCancelsTheRequest) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write("POST /hang HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(handler_->serving.wait());
  EXPECT_FALSE(handler_->cancelled.is_set());
  c.reset();  // the caller goes away without a byte being written to it
  EXPECT_TRUE(handler_->cancelled.wait());
}

TEST_F(ServerTest, CallerDisconnectMidStreamCancelsTheRequest) {
  start();
  auto c = connect();
  ASSERT_TRUE(c->write("POST /stream-then-hang HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  auto head = c->read_head();
  ASSERT_TRUE(head.has_value());
  auto first = c->read_chunk();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, "first");
  ASSERT_TRUE(handler_->serving.wait());
  c.reset();
  EXPECT_TRUE(handler_->cancelled.wait());
}

TEST_F(ServerTest, HeaderTimeoutClosesTheConnection) {
  ServerOptions o;
  o.header_timeout_ms = 200;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->write("POST /x HTTP/1.1\r\nHost:"));  // never finished
  EXPECT_TRUE(c->wait_closed());
  EXPECT_EQ(request_count(), 0u);
}

TEST_F(ServerTest, IdleKeepAliveTimeoutClosesTheConnection) {
  ServerOptions o;
  o.idle_keepalive_ms = 200;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c->read_response().has_value());
  EXPECT_TRUE(c->wait_closed());
}

TEST_F(ServerTest, GracefulStopClosesIdleConnectionsAndFinishesInFlightStreams) {
  start();
  auto idle = connect();
  ASSERT_TRUE(idle->write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle->read_response().has_value());

  auto busy = connect();
  ASSERT_TRUE(busy->write("POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  auto head = busy->read_head();
  ASSERT_TRUE(head.has_value());
  auto first = busy->read_chunk();
  ASSERT_TRUE(first.has_value());
  const uint16_t port = server_->port();

  std::thread stopper([&] { server_->stop(); });
  EXPECT_TRUE(idle->wait_closed());     // idle connection closed at once
  handler_->gate.open();                // the in-flight stream may finish
  auto second = busy->read_chunk();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, "beta");
  auto last = busy->read_chunk();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, "");
  EXPECT_TRUE(busy->wait_closed());     // not kept alive during shutdown
  stopper.join();
  EXPECT_TRUE(handler_->stream_status.ok());
  EXPECT_LT(connect_loopback(port), 0);  // no longer accepting
}

TEST_F(ServerTest, StopForceClosesAfterTheGracePeriod) {
  ServerOptions o;
  o.stop_grace_ms = 200;
  start(o);
  auto c = connect();
  ASSERT_TRUE(c->write("POST /hang HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(handler_->serving.wait());
  server_->stop();  // blocks ~200 ms, then cancels the request and closes
  EXPECT_TRUE(handler_->cancelled.is_set());
  EXPECT_TRUE(c->wait_closed());
}

TEST_F(ServerTest, BindFailureIsReported) {
  uint16_t port = 0;
  int fd = listen_loopback(port);
  ServerOptions o;
  o.port = port;
  auto r = Server::start(handler_, o);
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("cannot listen on 127.0.0.1:" + std::to_string(port), 0), 0u)
      << r.error().message;
}

TEST(ServerEngine, ServesHealthThroughTheRealEngine) {
  auto cfg = parse_config_json(R"({"providers":[],"models":[]})");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  auto engine = Engine::create(cfg.value(), EngineOptions{1});
  ASSERT_TRUE(engine.ok());
  auto server = Server::start(*engine.value(), ServerOptions{});
  ASSERT_TRUE(server.ok()) << server.error().message;
  int fd = connect_loopback(server.value()->port());
  ASSERT_GE(fd, 0);
  Peer c(fd, nullptr);
  ASSERT_TRUE(c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}");
  EXPECT_EQ(r->headers["server"], "openrain");
  server.value().reset();
  engine.value()->stop();
}

TEST(ServerEngine, CallerDisconnectClosesTheSilentUpstreamConnection) {
  Latch upstream_got_request;
  bool upstream_saw_close = false;
  ScriptServer upstream([&](Peer& peer, int) {
    if (!peer.read_request()) return;
    upstream_got_request.set();
    upstream_saw_close = peer.wait_closed();  // never answers: a model thinking for a long time
  });
  auto cfg = parse_config_json(
      R"({"providers":[{"name":"up","kind":"openai","base_url":"http://127.0.0.1:)" +
      std::to_string(upstream.port()) +
      R"(/v1","api_key":"sk-test","timeouts":{"first_byte_ms":60000}}],
          "models":[{"alias":"m","provider":"up","model":"gpt-x"}]})");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  auto engine = Engine::create(cfg.value(), EngineOptions{1});
  ASSERT_TRUE(engine.ok());
  auto server = Server::start(*engine.value(), ServerOptions{});
  ASSERT_TRUE(server.ok()) << server.error().message;
  {
    int fd = connect_loopback(server.value()->port());
    ASSERT_GE(fd, 0);
    Peer c(fd, nullptr);
    const std::string body =
        R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})";
    ASSERT_TRUE(c.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                        "Content-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body));
    ASSERT_TRUE(upstream_got_request.wait());
  }  // the caller leaves while the upstream is silent
  upstream.stop();  // joins the upstream script: it saw the close or gave up after 10 s
  EXPECT_TRUE(upstream_saw_close);
  server.value().reset();
  engine.value()->stop();
}

}  // namespace
}  // namespace openrain::net
