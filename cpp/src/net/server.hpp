// net/server.hpp — the native standalone HTTP/1.1 server (Asio + net/http1) in front of the Engine.
//
// Owns: the listening socket and its accept loop, one session coroutine per connection (request
// parsing with net/http1 straight from the session's read buffer, head/body limits and
// timeouts, keep-alive, Expect: 100-continue, 413 for bodies over the limit), the ResponseSink
// that writes full responses (content-length) or chunked streams, the caller-disconnect watcher
// that fires the request's CancelToken while the engine waits on a silent upstream (armed by a
// per-shard sweep once a request has run for 10 ms), and graceful stop (stop accepting, close
// idle connections, let in-flight requests finish up to a grace period, then close them and
// cancel their upstreams).
// Requests are served through RequestHandler so the server can be tested without an Engine;
// Server::start(Engine&, ...) adapts the Engine.
// Thread-safety: start/port/stop/~Server may be called from any thread. Connections are spread
// round robin over the handler's io_contexts; when each of those is run by a single thread (the
// engine's shards) a connection runs directly on its context, otherwise on its own strand, so
// the whole request (including the upstream exchange the engine co_awaits) is serialised.
// stop() blocks up to the grace period when called from a thread that is not running the
// io_context; from an io thread it only schedules the forced close.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "openrain/engine.hpp"
#include "openrain/http.hpp"
#include "openrain/status.hpp"

namespace openrain::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                        // 0 = any free port (see Server::port())
  int64_t max_request_bytes = 32 << 20;     // request body cap → 413 beyond
  int64_t header_timeout_ms = 30000;        // read of one request (head, then each body read)
  int64_t idle_keepalive_ms = 60000;        // wait for the next request on a kept-alive connection
  int64_t write_timeout_ms = 60000;         // a write to the caller stalled this long: caller gone
  int64_t stop_grace_ms = 5000;             // stop(): how long in-flight requests may finish
};

/// What the server needs from the engine. Engine satisfies it through engine_request_handler().
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  /// The io_context the server accepts on (must be run by someone).
  virtual boost::asio::io_context& io() = 0;
  /// The io_contexts connections are spread over, round robin (default: just io()).
  virtual std::size_t io_count() const { return 1; }
  virtual boost::asio::io_context& io_at(std::size_t /*i*/) { return io(); }
  /// True when each io_at(i) is run by exactly one thread: sessions then need no strand.
  virtual bool io_single_threaded() const { return false; }
  /// Serve one request, writing the response to `sink`; `cancel` fires when the caller leaves.
  virtual boost::asio::awaitable<void> serve(HttpRequest req, ResponseSink& sink,
                                             CancelToken& cancel) = 0;
  /// Render an error found before the pipeline runs in the shape of the surface owning `path`.
  virtual void render_error_for_path(std::string_view path, const Error& err, ResponseHead& head,
                                     std::string& body) const = 0;
};

/// Adapt `engine` (which must outlive the returned handler and any server using it).
std::shared_ptr<RequestHandler> engine_request_handler(Engine& engine);

/// Percent-decode %XX sequences in a request path (invalid sequences are kept literally).
std::string decode_path(std::string_view path);

class Server {
 public:
  /// Start the engine's threads (idempotent), bind host:port and accept on engine.io().
  static Result<std::unique_ptr<Server>> start(Engine& engine, ServerOptions opts);
  /// Bind host:port and accept on handler->io().
  static Result<std::unique_ptr<Server>> start(std::shared_ptr<RequestHandler> handler,
                                               ServerOptions opts);

  /// The bound port (the real one when ServerOptions::port was 0).
  uint16_t port() const;
  /// Stop accepting, close idle connections, let in-flight requests finish for up to
  /// stop_grace_ms, then close the rest (cancelling their requests). Idempotent.
  void stop();
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  struct State;  // shared with the sessions; outlives the Server while they run

 private:
  explicit Server(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace openrain::net
