// net/deadline_stream.hpp — a TCP socket with one lazily armed deadline, for server sessions.
//
// Owns: the connection's socket and a single steady_timer. expires_after() only moves a time
// point; the timer is re-scheduled only when the new deadline is earlier than the one it already
// waits for, and when it fires early (the deadline moved later meanwhile) it re-arms itself. So a
// request's several reads and writes cost no timer-queue or timerfd work, unlike
// beast::tcp_stream, which re-arms a timer for every operation. When the deadline passes the
// socket is closed: the pending operation completes with an error and the session ends.
// Satisfies AsyncReadStream / AsyncWriteStream, so Beast's HTTP reads and asio::async_write
// work on it unchanged.
// Thread-safety: like a socket — use it from one strand (or a single-threaded io_context). The
// state lives in a shared_ptr held by the timer's handler, so the handler never outlives it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

namespace openrain::net {

class DeadlineStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using Clock = std::chrono::steady_clock;

  explicit DeadlineStream(boost::asio::ip::tcp::socket socket)
      : impl_(std::make_shared<Impl>(std::move(socket))) {}

  executor_type get_executor() { return impl_->socket.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return impl_->socket; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return impl_->socket.async_read_some(buffers, std::forward<Token>(token));
  }
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return impl_->socket.async_write_some(buffers, std::forward<Token>(token));
  }

  /// Close the socket if the next operations have not finished within `d`.
  void expires_after(Clock::duration d) {
    impl_->deadline = Clock::now() + d;
    if (!impl_->waiting || impl_->deadline < impl_->scheduled) schedule(impl_, impl_->deadline);
  }
  /// No deadline (a pending timer wait finds nothing to do when it fires).
  void expires_never() { impl_->deadline = Clock::time_point::max(); }
  /// True once the deadline closed the socket.
  bool timed_out() const { return impl_->timed_out; }

  void close() {
    boost::system::error_code ec;
    impl_->socket.close(ec);
    impl_->deadline = Clock::time_point::max();
    impl_->timer.cancel();
  }

 private:
  struct Impl {
    explicit Impl(boost::asio::ip::tcp::socket s)
        : socket(std::move(s)), timer(socket.get_executor()) {}
    boost::asio::ip::tcp::socket socket;
    boost::asio::steady_timer timer;
    Clock::time_point deadline = Clock::time_point::max();
    Clock::time_point scheduled{};
    std::uint64_t gen = 0;
    bool waiting = false;
    bool timed_out = false;
  };

  static void schedule(const std::shared_ptr<Impl>& impl, Clock::time_point t) {
    ++impl->gen;
    impl->waiting = true;
    impl->scheduled = t;
    impl->timer.expires_at(t);
    impl->timer.async_wait([impl, g = impl->gen](const boost::system::error_code& ec) {
      if (g != impl->gen) return;  // re-scheduled since
      impl->waiting = false;
      if (ec || impl->deadline == Clock::time_point::max()) return;
      if (Clock::now() < impl->deadline) {
        schedule(impl, impl->deadline);  // the deadline moved later while we waited
        return;
      }
      impl->timed_out = true;
      boost::system::error_code ignored;
      impl->socket.close(ignored);
    });
  }

  std::shared_ptr<Impl> impl_;
};

}  // namespace openrain::net
