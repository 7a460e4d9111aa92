#include "net/deadline_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>

namespace openrain::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

/// A connected loopback TCP pair: `server` goes into the DeadlineStream.
struct Pair {
  explicit Pair(asio::io_context& io) : acceptor(io, tcp::endpoint(tcp::v4(), 0)), client(io) {
    client.connect(acceptor.local_endpoint());
    server = std::make_unique<tcp::socket>(acceptor.accept());
  }
  tcp::acceptor acceptor;
  tcp::socket client;
  std::unique_ptr<tcp::socket> server;
};

/// Run `io` until `done()` or `limit` passes (no sleeps: the io_context's own clock).
template <class Done>
void run_until(asio::io_context& io, Done done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.run_for(5ms);
    io.restart();
  }
}

TEST(DeadlineStream, ClosesTheSocketWhenTheDeadlinePasses) {
  asio::io_context io;
  Pair p(io);
  DeadlineStream s(std::move(*p.server));
  const auto t0 = std::chrono::steady_clock::now();
  s.expires_after(50ms);
  run_until(io, [&] { return s.timed_out(); }, 5000ms);
  EXPECT_TRUE(s.timed_out());
  EXPECT_FALSE(s.socket().is_open());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 50ms);
}

TEST(DeadlineStream, AMovedLaterDeadlineIsHonouredNotTheFirstOne) {
  asio::io_context io;
  Pair p(io);
  DeadlineStream s(std::move(*p.server));
  const auto t0 = std::chrono::steady_clock::now();
  s.expires_after(30ms);   // the timer waits for this one...
  s.expires_after(300ms);  // ...and must re-arm itself when it fires early
  run_until(io, [&] { return s.timed_out(); }, 5000ms);
  EXPECT_TRUE(s.timed_out());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
}

TEST(DeadlineStream, ExpiresNeverKeepsTheSocketOpen) {
  asio::io_context io;
  Pair p(io);
  DeadlineStream s(std::move(*p.server));
  s.expires_after(20ms);
  s.expires_never();
  bool fired = false;  // a later, unrelated timer bounds the run
  asio::steady_timer t(io, 200ms);
  t.async_wait([&](const boost::system::error_code&) { fired = true; });
  run_until(io, [&] { return fired; }, 5000ms);
  EXPECT_TRUE(fired);
  EXPECT_FALSE(s.timed_out());
  EXPECT_TRUE(s.socket().is_open());
}

TEST(DeadlineStream, AnEarlierDeadlineReschedules) {
  asio::io_context io;
  Pair p(io);
  DeadlineStream s(std::move(*p.server));
  const auto t0 = std::chrono::steady_clock::now();
  s.expires_after(10s);
  s.expires_after(40ms);
  run_until(io, [&] { return s.timed_out(); }, 5000ms);
  EXPECT_TRUE(s.timed_out());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5000ms);
}

}  // namespace
}  // namespace openrain::net
