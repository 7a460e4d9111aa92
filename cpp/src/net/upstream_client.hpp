// net/upstream_client.hpp — the engine's HTTP/1.1 client for upstream providers (Asio + net/http1).
//
// Owns: keep-alive connection pools per (scheme, host, port); TLS contexts with certificate and
// host-name verification (SNI set); explicit body limits; connect / first-byte / idle / total
// timeouts; incremental delivery of the response body (a stream is never buffered whole);
// cancellation through CancelToken (closes the socket). It never retries: retries belong to the
// router. Thread-safety: exchange() may be called concurrently from coroutines on any thread;
// pools are internally synchronised and keyed by the caller's execution context, so a pooled
// connection is only ever reused on the context (shard) that opened it. Callers running on a
// context listed as single-threaded (the engine's shards) or on a strand run the exchange in
// place; any other caller gets a fresh strand on the fallback io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openrain/config.hpp"
#include "openrain/engine.hpp"
#include "openrain/http.hpp"
#include "openrain/status.hpp"
#include "providers/provider.hpp"

namespace openrain {

/// Receives one upstream response. Called on the client's coroutine, in order.
class UpstreamHandler {
 public:
  virtual ~UpstreamHandler() = default;
  /// The response head arrived. Returning an error aborts the exchange.
  virtual boost::asio::awaitable<Status> on_head(int status, const Headers& headers) = 0;
  /// Next decoded body bytes (chunked encoding removed). Returning an error aborts.
  virtual boost::asio::awaitable<Status> on_body(std::string_view bytes) = 0;
};

struct ParsedUrl {
  bool tls = true;
  std::string host;
  std::string port;       // "443" / "80" default
  std::string base_path;  // without trailing '/', may be empty
};
/// Parse "https://host[:port][/base]". Errors name the URL problem (not the URL's secrets).
Result<ParsedUrl> parse_base_url(std::string_view url);

class UpstreamClient {
 public:
  /// `fallback`: where exchanges from multi-threaded contexts run (on a fresh strand).
  /// `single_threaded`: contexts each run by exactly one thread (no strand needed there).
  explicit UpstreamClient(boost::asio::io_context& fallback,
                          std::vector<const boost::asio::execution_context*> single_threaded = {});
  ~UpstreamClient();

  /// Close pooled connections idle for longer than the pool's limit (30 s) as of `now`, so a
  /// pool whose upstream goes quiet does not keep its sockets forever. Callable from any
  /// thread (the engine calls it from its periodic tick); returns how many were closed.
  std::size_t reap_idle(std::chrono::steady_clock::time_point now);
  /// Pooled idle connections, all keys (for tests and metrics).
  std::size_t idle_connections() const;

  /// Send `req` to `provider` (base URL + req.path) and stream the response into `handler`.
  /// Returns OK when the whole body was delivered; Timeout, UpstreamConnection,
  /// StreamInterrupted (cut mid-body), PayloadTooLarge (non-stream body over
  /// provider.max_response_bytes) or Cancelled otherwise. Errors from the handler pass through.
  boost::asio::awaitable<Status> exchange(const ProviderConfig& provider,
                                          const providers::UpstreamRequest& req,
                                          UpstreamHandler& handler, CancelToken& cancel);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openrain
