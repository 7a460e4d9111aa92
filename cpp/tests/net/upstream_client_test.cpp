#include "net/upstream_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <fstream>

#include "net/loopback_peer.hpp"

namespace openrain {
namespace {

namespace asio = boost::asio;
using namespace testing_net;

/// Records the response; optional hooks run on every head / body piece.
class RecordingHandler : public UpstreamHandler {
 public:
  asio::awaitable<Status> on_head(int status, const Headers& headers) override {
    status_ = status;
    headers_ = headers;
    if (head_hook) co_return head_hook(status);
    co_return Status{};
  }
  asio::awaitable<Status> on_body(std::string_view bytes) override {
    pieces.emplace_back(bytes);
    if (body_hook) co_return body_hook(bytes);
    co_return Status{};
  }
  std::string body() const {
    std::string out;
    for (const auto& p : pieces) out += p;
    return out;
  }
  std::string header(std::string_view name) const {
    return std::string(find_header(headers_, name));
  }

  int status_ = 0;
  Headers headers_;
  std::vector<std::string> pieces;
  std::function<Status(int)> head_hook;
  std::function<Status(std::string_view)> body_hook;
};

ProviderConfig provider_at(uint16_t port, std::string scheme = "http",
                           std::string host = "127.0.0.1") {
  ProviderConfig p;
  p.name = "test";
  p.api_key = "sk-secret-key";
  p.base_url = scheme + "://" + host + ":" + std::to_string(port) + "/v1/";
  p.timeouts.connect_ms = 5000;
  p.timeouts.first_byte_ms = 5000;
  p.timeouts.idle_ms = 5000;
  p.timeouts.total_ms = 20000;
  return p;
}

providers::UpstreamRequest post_request(std::string path = "/chat/completions",
                                        bool stream = false) {
  providers::UpstreamRequest r;
  r.method = "POST";
  r.path = std::move(path);
  r.headers = {{"authorization", "Bearer sk-secret-key"}, {"content-type", "application/json"}};
  r.body = R"({"model":"m"})";
  r.stream = stream;
  return r;
}

class UpstreamClientTest : public ::testing::Test {
 protected:
  Status run(const ProviderConfig& p, const providers::UpstreamRequest& r, UpstreamHandler& h,
             CancelToken& cancel) {
    std::optional<Status> out;
    asio::co_spawn(io_, client_->exchange(p, r, h, cancel),
                   [&](std::exception_ptr e, Status s) {
                     out = e ? Status(Error::make(ErrorKind::Internal, "exchange threw"))
                             : std::move(s);
                   });
    io_.restart();
    io_.run();
    EXPECT_TRUE(out.has_value());
    return out ? *out : Status(Error::make(ErrorKind::Internal, "exchange did not finish"));
  }
  Status run(const ProviderConfig& p, const providers::UpstreamRequest& r, UpstreamHandler& h) {
    CancelToken cancel;
    return run(p, r, h, cancel);
  }

  asio::io_context io_;
  std::unique_ptr<UpstreamClient> client_ = std::make_unique<UpstreamClient>(io_);
};

// ---- parse_base_url -----------------------------------------------------------------------

TEST(ParseBaseUrl, DefaultsAndPaths) {
  auto a = parse_base_url("https://api.openai.com/v1/");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "api.openai.com");
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->base_path, "/v1");

  auto b = parse_base_url("HTTP://LocalHost:8080");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->host, "localhost");
  EXPECT_EQ(b->port, "8080");
  EXPECT_EQ(b->base_path, "");

  auto c = parse_base_url("http://[::1]:9000/x/y");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, "9000");
  EXPECT_EQ(c->base_path, "/x/y");

  auto d = parse_base_url("http://example.com");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, "80");
}

TEST(ParseBaseUrl, ErrorsNameTheProblemWithoutEchoingTheUrl) {
  auto no_scheme = parse_base_url("ftp://x");
  ASSERT_FALSE(no_scheme.ok());
  EXPECT_EQ(no_scheme.error().message, "base_url must start with http:// or https://");
  auto creds = parse_base_url("https://user:sk-secret@host/v1");
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().message.find("sk-secret"), std::string::npos);
  auto query = parse_base_url("https://host/v1?key=sk-secret");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().message, "base_url must not contain a query or a fragment");
  EXPECT_FALSE(parse_base_url("https://host:0/").ok());
  EXPECT_FALSE(parse_base_url("https://host:70000/").ok());
  EXPECT_FALSE(parse_base_url("https://host:/").ok());
  EXPECT_FALSE(parse_base_url("https://:80/").ok());
  EXPECT_FALSE(parse_base_url("https://host:8a/").ok());
  EXPECT_FALSE(parse_base_url("https://[::1/").ok());
}

// ---- plain HTTP -----------------------------------------------------------------------------

TEST_F(UpstreamClientTest, SendsRequestAndDeliversResponse) {
  std::optional<RawRequest> seen;
  ScriptServer server([&](Peer& peer, int) {
    seen = peer.read_request();
    peer.write(full_response(201, "hello world", "X-Upstream-Id: abc\r\n"));
  });
  RecordingHandler h;
  auto req = post_request("/chat/completions?alt=sse");
  req.headers.emplace_back("x-custom", "v1");
  Status st = run(provider_at(server.port()), req, h);
  server.stop();
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->method, "POST");
  EXPECT_EQ(seen->target, "/v1/chat/completions?alt=sse");
  EXPECT_EQ(seen->version, "HTTP/1.1");
  EXPECT_EQ(seen->headers["host"], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen->headers["user-agent"], "openrain/0.1");
  EXPECT_EQ(seen->headers["content-length"], "13");
  EXPECT_EQ(seen->headers["authorization"], "Bearer sk-secret-key");
  EXPECT_EQ(seen->headers["content-type"], "application/json");
  EXPECT_EQ(seen->headers["x-custom"], "v1");
  EXPECT_EQ(seen->body, R"({"model":"m"})");
  EXPECT_EQ(h.status_, 201);
  EXPECT_EQ(h.header("x-upstream-id"), "abc");  // names lower-cased
  EXPECT_EQ(h.header("content-length"), "11");
  EXPECT_EQ(h.body(), "hello world");
}

TEST_F(UpstreamClientTest, StreamingBodyIsDeliveredBeforeTheServerFinishes) {
  Latch first_piece_seen;
  bool server_saw_signal = false;
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n");
    peer.write(chunk("data: one\n\n"));
    server_saw_signal = first_piece_seen.wait();  // the client must deliver before we go on
    peer.write(chunk("data: two\n\n"));
    peer.write("0\r\n\r\n");
  });
  RecordingHandler h;
  h.body_hook = [&](std::string_view) {
    first_piece_seen.set();
    return Status{};
  };
  Status st = run(provider_at(server.port()), post_request("/chat/completions", true), h);
  server.stop();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_TRUE(server_saw_signal);
  ASSERT_EQ(h.pieces.size(), 2u);
  EXPECT_EQ(h.pieces[0], "data: one\n\n");
  EXPECT_EQ(h.pieces[1], "data: two\n\n");
}

TEST_F(UpstreamClientTest, LargeStreamingBodyIsSplitIntoBoundedPieces) {
  const std::string big(200000, 'x');
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write(full_response(200, big));
  });
  RecordingHandler h;
  auto p = provider_at(server.port());
  p.max_response_bytes = 1000;  // ignored for streams
  Status st = run(p, post_request("/s", true), h);
  server.stop();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h.body(), big);
  for (const auto& piece : h.pieces) EXPECT_LE(piece.size(), 16u * 1024u);
}

TEST_F(UpstreamClientTest, KeepAliveReusesTheConnection) {
  ScriptServer server([&](Peer& peer, int index) {
    while (auto r = peer.read_request()) {
      peer.write(full_response(200, std::to_string(index) + r->target));
    }
  });
  auto p = provider_at(server.port());
  RecordingHandler h1, h2;
  ASSERT_TRUE(run(p, post_request("/a"), h1).ok());
  ASSERT_TRUE(run(p, post_request("/b"), h2).ok());
  EXPECT_EQ(h1.body(), "0/v1/a");
  EXPECT_EQ(h2.body(), "0/v1/b");
  EXPECT_EQ(server.accepts(), 1);
  client_.reset();  // closes the pooled connection so the server loop ends
  server.stop();
}

TEST_F(UpstreamClientTest, IdleConnectionsAreReapedWithoutFurtherTraffic) {
  Latch closed;
  ScriptServer server([&](Peer& peer, int /*index*/) {
    while (auto r = peer.read_request()) peer.write(full_response(200, "ok"));
    closed.set();  // the client closed its pooled connection
  });
  auto p = provider_at(server.port());
  RecordingHandler h;
  ASSERT_TRUE(run(p, post_request("/a"), h).ok());
  EXPECT_EQ(client_->idle_connections(), 1u);
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(client_->reap_idle(now), 0u);  // idle for a moment only: kept
  EXPECT_EQ(client_->idle_connections(), 1u);
  EXPECT_EQ(client_->reap_idle(now + std::chrono::seconds(31)), 1u);
  EXPECT_EQ(client_->idle_connections(), 0u);
  EXPECT_TRUE(closed.wait());  // the upstream saw the close, with no request on that key
  server.stop();
}

TEST_F(UpstreamClientTest, StalePooledConnectionIsRetriedOnceOnAFreshOne) {
  ScriptServer server([&](Peer& peer, int index) {
    auto r = peer.read_request();
    if (index == 0) {
      peer.write(full_response(200, "first"));
      peer.read_request();  // the reused connection carries the next request...
      peer.close_now();     // ...which dies without a single response byte
      return;
    }
    peer.write(full_response(200, "second"));
  });
  auto p = provider_at(server.port());
  RecordingHandler h1, h2;
  ASSERT_TRUE(run(p, post_request("/a"), h1).ok());
  Status st = run(p, post_request("/b"), h2);
  server.stop();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h1.body(), "first");
  EXPECT_EQ(h2.body(), "second");
  EXPECT_EQ(server.accepts(), 2);
}

TEST_F(UpstreamClientTest, IdleConnectionClosedByThePeerIsNotReused) {
  Latch closed;
  ScriptServer server([&](Peer& peer, int index) {
    peer.read_request();
    peer.write(full_response(200, "r" + std::to_string(index)));
    if (index == 0) {
      peer.close_now();
      closed.set();
    }
  });
  auto p = provider_at(server.port());
  RecordingHandler h1, h2;
  ASSERT_TRUE(run(p, post_request("/a"), h1).ok());
  ASSERT_TRUE(closed.wait());
  Status st = run(p, post_request("/b"), h2);
  server.stop();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h2.body(), "r1");
  EXPECT_EQ(server.accepts(), 2);
}

TEST_F(UpstreamClientTest, ConnectionCloseResponseIsNotPooled) {
  ScriptServer server([&](Peer& peer, int index) {
    peer.read_request();
    peer.write(full_response(200, "r" + std::to_string(index), "connection: close\r\n"));
  });
  auto p = provider_at(server.port());
  RecordingHandler h1, h2;
  ASSERT_TRUE(run(p, post_request("/a"), h1).ok());
  ASSERT_TRUE(run(p, post_request("/b"), h2).ok());
  server.stop();
  EXPECT_EQ(h2.body(), "r1");
  EXPECT_EQ(server.accepts(), 2);
}

TEST_F(UpstreamClientTest, FreshConnectionClosedBeforeResponseIsNotRetried) {
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.close_now();
  });
  RecordingHandler h;
  Status st = run(provider_at(server.port()),
                  post_request("/models/x:generateContent?key=sk-secret-key"), h);
  server.stop();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::UpstreamConnection);
  EXPECT_EQ(st.error().message.find("sk-secret"), std::string::npos) << st.error().message;
  EXPECT_EQ(server.accepts(), 1);
}

TEST_F(UpstreamClientTest, ConnectionRefusedIsUpstreamConnectionWithoutSecrets) {
  uint16_t port = 0;
  int fd = listen_loopback(port);
  ::close(fd);  // nothing listens there any more
  RecordingHandler h;
  Status st = run(provider_at(port), post_request("/x?key=sk-secret-key"), h);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::UpstreamConnection);
  EXPECT_NE(st.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << st.error().message;
  EXPECT_EQ(st.error().message.find("sk-secret"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().message.find("Bearer"), std::string::npos);
}

TEST_F(UpstreamClientTest, InvalidBaseUrlIsAnInternalError) {
  ProviderConfig p;
  p.name = "broken";
  p.base_url = "ftp://nope";
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::Internal);
  EXPECT_EQ(st.error().message,
            "provider 'broken' has an invalid base_url: "
            "base_url must start with http:// or https://");
}

TEST_F(UpstreamClientTest, HandlerErrorPassesThroughAndDropsTheConnection) {
  ScriptServer server([&](Peer& peer, int index) {
    while (auto r = peer.read_request()) peer.write(full_response(200, "body"));
  });
  auto p = provider_at(server.port());
  RecordingHandler h1;
  h1.head_hook = [](int) { return Status(Error::make(ErrorKind::UpstreamProtocol, "nope")); };
  Status st = run(p, post_request(), h1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::UpstreamProtocol);
  EXPECT_EQ(st.error().message, "nope");
  RecordingHandler h2;
  ASSERT_TRUE(run(p, post_request(), h2).ok());
  EXPECT_EQ(h2.body(), "body");
  client_.reset();
  server.stop();
  EXPECT_EQ(server.accepts(), 2);
}

// ---- timeouts -------------------------------------------------------------------------------

TEST_F(UpstreamClientTest, ConnectTimeout) {
  uint16_t port = 0;
  int fd = listen_loopback(port, 0);  // accept queue of one, never accepted
  int filler = connect_loopback(port);
  ASSERT_GE(filler, 0);
  auto p = provider_at(port);
  p.timeouts.connect_ms = 200;
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  ::close(filler);
  ::close(fd);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::Timeout);
  EXPECT_EQ(st.error().message,
            "connect timeout: no connection to 127.0.0.1:" + std::to_string(port) +
                " within 200 ms");
}

TEST_F(UpstreamClientTest, FirstByteTimeoutOnAListenerThatNeverAccepts) {
  uint16_t port = 0;
  int fd = listen_loopback(port);
  auto p = provider_at(port);
  p.timeouts.first_byte_ms = 200;
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  ::close(fd);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::Timeout);
  EXPECT_EQ(st.error().message, "first-byte timeout: no response head from 127.0.0.1:" +
                                    std::to_string(port) + " within 200 ms");
  EXPECT_EQ(h.status_, 0);
}

TEST_F(UpstreamClientTest, IdleTimeoutWhenTheBodyStalls) {
  bool client_closed = false;
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + chunk("abc"));
    client_closed = peer.wait_closed();
  });
  auto p = provider_at(server.port());
  p.timeouts.idle_ms = 200;
  RecordingHandler h;
  Status st = run(p, post_request("/s", true), h);
  server.stop();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::Timeout);
  EXPECT_EQ(st.error().message, "idle timeout: no body bytes from 127.0.0.1:" +
                                    std::to_string(server.port()) + " for 200 ms");
  EXPECT_EQ(h.body(), "abc");
  EXPECT_TRUE(client_closed);
}

TEST_F(UpstreamClientTest, TotalTimeoutBoundsTheWholeExchange) {
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + chunk("abc"));
    peer.wait_closed();
  });
  auto p = provider_at(server.port());
  p.timeouts.total_ms = 300;  // every phase timeout is 5 s
  RecordingHandler h;
  Status st = run(p, post_request("/s", true), h);
  server.stop();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::Timeout);
  EXPECT_EQ(st.error().message, "total timeout: the exchange with 127.0.0.1:" +
                                    std::to_string(server.port()) + " exceeded 300 ms");
}

// ---- limits and cuts ------------------------------------------------------------------------

TEST_F(UpstreamClientTest, MaxResponseBytesByContentLength) {
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write(full_response(200, std::string(64, 'a')));
  });
  auto p = provider_at(server.port());
  p.max_response_bytes = 32;
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  server.stop();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::PayloadTooLarge);
  EXPECT_EQ(st.error().message, "upstream response body from 127.0.0.1:" +
                                    std::to_string(server.port()) +
                                    " exceeds max_response_bytes (32)");
}

TEST_F(UpstreamClientTest, MaxResponseBytesOnAChunkedBody) {
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" +
               chunk(std::string(20, 'a')) + chunk(std::string(20, 'b')) + "0\r\n\r\n");
  });
  auto p = provider_at(server.port());
  p.max_response_bytes = 30;
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  server.stop();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::PayloadTooLarge);
  EXPECT_LE(h.body().size(), 30u);
}

TEST_F(UpstreamClientTest, BodyCutMidwayIsStreamInterrupted) {
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789");
    peer.close_now();
  });
  RecordingHandler h;
  Status st = run(provider_at(server.port()), post_request("/s", true), h);
  server.stop();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::StreamInterrupted);
  EXPECT_EQ(h.body(), "0123456789");
}

TEST_F(UpstreamClientTest, ChunkedBodyCutMidwayIsStreamInterrupted) {
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + chunk("data: 1\n\n"));
    peer.close_now();
  });
  RecordingHandler h;
  Status st = run(provider_at(server.port()), post_request("/s", true), h);
  server.stop();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::StreamInterrupted);
  EXPECT_EQ(h.body(), "data: 1\n\n");
}

TEST_F(UpstreamClientTest, EofDelimitedBodyIsComplete) {
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    peer.write("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil-eof");
    peer.close_now();
  });
  RecordingHandler h;
  Status st = run(provider_at(server.port()), post_request(), h);
  server.stop();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h.body(), "until-eof");
}

// ---- cancellation ---------------------------------------------------------------------------

TEST_F(UpstreamClientTest, CancelWhileWaitingForTheHeadClosesTheConnection) {
  CancelToken cancel;
  bool server_saw_close = false;
  ScriptServer server([&](Peer& peer, int) {
    peer.read_request();
    cancel.cancel();  // from a foreign thread, as the server's disconnect watcher would
    server_saw_close = peer.wait_closed();
  });
  RecordingHandler h;
  Status st = run(provider_at(server.port()), post_request(), h, cancel);
  server.stop();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::Cancelled);
  EXPECT_TRUE(server_saw_close);
  EXPECT_EQ(h.status_, 0);
}

TEST_F(UpstreamClientTest, CancelMidStreamDoesNotPoolTheConnection) {
  CancelToken cancel;
  bool server_saw_close = false;
  ScriptServer server([&](Peer& peer, int index) {
    auto r = peer.read_request();
    if (index == 0) {
      peer.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + chunk("one"));
      server_saw_close = peer.wait_closed();
      return;
    }
    peer.write(full_response(200, "fresh"));
  });
  auto p = provider_at(server.port());
  RecordingHandler h;
  h.body_hook = [&](std::string_view) {
    cancel.cancel();
    return Status{};
  };
  Status st = run(p, post_request("/s", true), h, cancel);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::Cancelled);
  EXPECT_EQ(h.body(), "one");
  RecordingHandler h2;
  ASSERT_TRUE(run(p, post_request(), h2).ok());
  EXPECT_EQ(h2.body(), "fresh");
  server.stop();
  EXPECT_TRUE(server_saw_close);
  EXPECT_EQ(server.accepts(), 2);
}

TEST_F(UpstreamClientTest, AlreadyCancelledTokenReturnsImmediately) {
  CancelToken cancel;
  cancel.cancel();
  RecordingHandler h;
  Status st = run(provider_at(1), post_request(), h, cancel);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::Cancelled);
}

TEST(UpstreamClientThreads, ConcurrentExchangesOnAMultiThreadedIoContext) {
  ScriptServer server([&](Peer& peer, int) {
    while (auto r = peer.read_request()) peer.write(full_response(200, "ok" + r->target));
  });
  constexpr int kExchanges = 24;
  std::atomic<int> ok{0};
  std::vector<std::unique_ptr<RecordingHandler>> handlers;
  std::vector<providers::UpstreamRequest> requests;
  for (int i = 0; i < kExchanges; ++i) {
    handlers.push_back(std::make_unique<RecordingHandler>());
    requests.push_back(post_request("/r" + std::to_string(i)));
  }
  std::vector<CancelToken> cancels(kExchanges);
  auto p = provider_at(server.port());
  {
    asio::io_context io;
    UpstreamClient client(io);
    for (int round = 0; round < 2; ++round) {  // the second round reuses pooled connections
      for (int i = 0; i < kExchanges; ++i) {
        asio::co_spawn(io, client.exchange(p, requests[i], *handlers[i], cancels[i]),
                       [&](std::exception_ptr e, Status s) {
                         if (!e && s.ok()) ok.fetch_add(1);
                       });
      }
      std::thread t1([&] { io.run(); });
      std::thread t2([&] { io.run(); });
      t1.join();
      t2.join();
      io.restart();
    }
  }  // the client closes its pooled connections here
  server.stop();
  EXPECT_EQ(ok.load(), 2 * kExchanges);
  for (int i = 0; i < kExchanges; ++i) {
    EXPECT_EQ(handlers[i]->body(), "ok/v1/r" + std::to_string(i) + "ok/v1/r" + std::to_string(i));
  }
  EXPECT_LE(server.accepts(), kExchanges);
}

// ---- TLS ------------------------------------------------------------------------------------

class UpstreamTlsTest : public UpstreamClientTest {
 protected:
  void SetUp() override {
    cert_ = make_self_signed_cert();
    ASSERT_NE(cert_, nullptr);
    ca_path_ = ::testing::TempDir() + "openrain_net_ca_" + std::to_string(::getpid()) + ".pem";
    std::ofstream(ca_path_) << cert_->cert_pem;
    server_ = std::make_unique<ScriptServer>(
        [](Peer& peer, int) {
          while (auto r = peer.read_request()) peer.write(full_response(200, "secure" + r->target));
        },
        cert_.get());
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    std::filesystem::remove(ca_path_);
  }

  std::unique_ptr<TestCert> cert_;
  std::string ca_path_;
  std::unique_ptr<ScriptServer> server_;
};

TEST_F(UpstreamTlsTest, VerifiesAgainstTheConfiguredCaFileWithSni) {
  auto p = provider_at(server_->port(), "https", "localhost");
  p.ca_file = ca_path_;
  RecordingHandler h1, h2;
  Status st = run(p, post_request("/a"), h1);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h1.body(), "secure/v1/a");
  EXPECT_EQ(server_->last_sni(), "localhost");
  ASSERT_TRUE(run(p, post_request("/b"), h2).ok());  // pooled TLS connection
  EXPECT_EQ(h2.body(), "secure/v1/b");
  EXPECT_EQ(server_->accepts(), 1);
}

TEST_F(UpstreamTlsTest, SelfSignedCertificateFailsAgainstTheSystemStore) {
  auto p = provider_at(server_->port(), "https", "localhost");
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::UpstreamConnection);
  EXPECT_NE(st.error().message.find("certificate verify failed: self-signed certificate"),
            std::string::npos)
      << st.error().message;
}

TEST_F(UpstreamTlsTest, WrongHostNameFailsVerification) {
  auto p = provider_at(server_->port(), "https", "127.0.0.1");  // the SAN only names localhost
  p.ca_file = ca_path_;
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::UpstreamConnection);
  EXPECT_EQ(st.error().message, "TLS handshake with 127.0.0.1:" + std::to_string(server_->port()) +
                                    " failed: certificate verify failed: certificate does not "
                                    "match host name '127.0.0.1'");
}

TEST_F(UpstreamTlsTest, VerifyTlsFalseAcceptsAnyCertificate) {
  auto p = provider_at(server_->port(), "https", "127.0.0.1");
  p.verify_tls = false;
  RecordingHandler h;
  Status st = run(p, post_request("/z"), h);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h.body(), "secure/v1/z");
  EXPECT_EQ(server_->last_sni(), "");  // no SNI for IP literals
}

TEST_F(UpstreamTlsTest, MissingCaFileIsReported) {
  auto p = provider_at(server_->port(), "https", "localhost");
  p.ca_file = ca_path_ + ".missing";
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::UpstreamConnection);
  EXPECT_EQ(st.error().message.rfind("cannot load the CA file '" + p.ca_file + "'", 0), 0u)
      << st.error().message;
}

TEST_F(UpstreamTlsTest, EofDelimitedBodyWithoutCloseNotifyIsComplete) {
  ScriptServer eof_server(
      [](Peer& peer, int) {
        peer.read_request();
        peer.write("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil-eof");
        peer.close_now();  // no TLS close_notify
      },
      cert_.get());
  auto p = provider_at(eof_server.port(), "https", "localhost");
  p.ca_file = ca_path_;
  RecordingHandler h;
  Status st = run(p, post_request(), h);
  eof_server.stop();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(h.body(), "until-eof");
}

}  // namespace
}  // namespace openrain
