// sim/sim_client.hpp — a minimal Beast HTTP/1.1 client for the simulator's tests.
//
// Owns a private io_context and one keep-alive connection to 127.0.0.1:<port>. Every call runs a
// coroutine to completion on the calling thread, with a timeout on each network operation so a
// misbehaving server fails the test instead of hanging it. Header-only because the test build
// only globs *_test.cpp. Thread-safety: one client per thread.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "openrain/http.hpp"

namespace openrain::sim::testing {

struct HttpResult {
  int status = 0;
  Headers headers;       // lower-case names
  std::string body;      // decoded body (chunked framing removed)
  bool complete = false; // the whole message arrived
  bool chunked = false;
  std::string error;     // transport / parse error, if any
  std::chrono::milliseconds head_latency{0};  // request written → head parsed
  std::chrono::milliseconds total_latency{0}; // request written → last byte read

  std::string header(std::string_view name) const { return std::string(find_header(headers, name)); }
};

class SimClient {
 public:
  explicit SimClient(uint16_t port, std::chrono::seconds op_timeout = std::chrono::seconds(10))
      : port_(port), timeout_(op_timeout) {}

  /// POST `body` (JSON) to `target` on the kept-alive connection (reconnecting when needed).
  HttpResult post(std::string_view target, std::string_view body, const Headers& extra = {}) {
    return request("POST", target, body, extra, kReadAll);
  }
  /// Send a request, read the head and at least `body_bytes` of the body, then close the socket.
  HttpResult post_then_close(std::string_view target, std::string_view body, size_t body_bytes) {
    return request("POST", target, body, {}, body_bytes);
  }
  HttpResult request(std::string_view method, std::string_view target, std::string_view body,
                     const Headers& extra, size_t close_after) {
    std::optional<HttpResult> out;
    std::exception_ptr failure;
    boost::asio::co_spawn(io_, exchange(std::string(method), std::string(target), std::string(body), extra, close_after),
                          [&](std::exception_ptr e, HttpResult r) {
                            failure = e;
                            out = std::move(r);
                          });
    io_.restart();
    io_.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
  }

  static constexpr size_t kReadAll = std::numeric_limits<size_t>::max();

 private:
  using Stream = boost::beast::tcp_stream;

  boost::asio::awaitable<HttpResult> exchange(std::string method, std::string target,
                                              std::string body, Headers extra, size_t close_after) {
    namespace http = boost::beast::http;
    using Clock = std::chrono::steady_clock;
    constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    HttpResult res;
    if (!stream_) {
      stream_.emplace(io_);
      buf_.clear();
      stream_->expires_after(timeout_);
      boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port_);
      auto [ec] = co_await stream_->async_connect(ep, tuple);
      if (ec) { res.error = "connect: " + ec.message(); stream_.reset(); co_return res; }
    }
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : extra) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    stream_->expires_after(timeout_);
    auto [wec, wn] = co_await http::async_write(*stream_, req, tuple);
    if (wec) { res.error = "write: " + wec.message(); stream_.reset(); co_return res; }
    auto t0 = Clock::now();

    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    stream_->expires_after(timeout_);
    auto [hec, hn] = co_await http::async_read_header(*stream_, buf_, parser, tuple);
    if (hec) { res.error = "read header: " + hec.message(); stream_.reset(); co_return res; }
    res.head_latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    const auto& head = parser.get();
    res.status = static_cast<int>(head.result_int());
    res.chunked = parser.chunked();
    for (const auto& f : head) {
      std::string name(f.name_string());
      for (char& c : name) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      res.headers.emplace_back(std::move(name), std::string(f.value()));
    }

    if (close_after != kReadAll) {
      while (!parser.is_done() && parser.get().body().size() < close_after) {
        stream_->expires_after(timeout_);
        auto [ec, n] = co_await http::async_read_some(*stream_, buf_, parser, tuple);
        if (ec) { res.error = ec.message(); break; }
      }
      res.body = parser.get().body();
      res.complete = parser.is_done();
      boost::system::error_code ignored;
      stream_->socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
      stream_->socket().close(ignored);
      stream_.reset();
      co_return res;
    }
    stream_->expires_after(timeout_);
    auto [bec, bn] = co_await http::async_read(*stream_, buf_, parser, tuple);
    res.total_latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    res.body = parser.get().body();
    res.complete = !bec && parser.is_done();
    if (bec) res.error = bec.message();
    if (bec || !parser.keep_alive()) stream_.reset();
    co_return res;
  }

  uint16_t port_;
  std::chrono::seconds timeout_;
  boost::asio::io_context io_;
  std::optional<Stream> stream_;
  boost::beast::flat_buffer buf_;
};

}  // namespace openrain::sim::testing
