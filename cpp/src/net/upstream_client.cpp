#include "net/upstream_client.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <type_traits>
#include <span>
#include <unordered_map>
#include <vector>

#include "net/http1.hpp"
#include "net/tls.hpp"
#include "util/ascii.hpp"

namespace openrain {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

using ascii::iequals;
using ascii::lower;

constexpr std::string_view kUserAgent = "openrain/0.1";
constexpr std::size_t kInitialReadCapacity = 16 * 1024;  // see Connection
constexpr std::size_t kReadChunk = 16 * 1024;           // one read (and on_body() piece) at most
constexpr std::size_t kReadBufferLimit = 1024 * 1024;   // bound of the connection read buffer
constexpr std::uint32_t kHeaderLimit = 64 * 1024;       // response head size cap
constexpr auto kPoolIdleMax = std::chrono::seconds(30);  // idle connections older are dropped
constexpr auto kPoolProbeAfter = std::chrono::milliseconds(500);  // peek idle ones older than this
constexpr std::size_t kPoolMaxIdlePerKey = 32;

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

enum class Phase { Connect, FirstByte, Idle, Total };

bool has_control(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

/// One upstream connection (plain or TLS) plus its read buffer. Owned through shared_ptr by the
/// exchange using it, the pool, the cancel handler and the watchdog. While an exchange uses it,
/// it is closed only on that exchange's (serialised) executor; an idle pooled connection has
/// no operation pending and is closed by whoever removes it from the pool.
struct Connection {
  Connection(const asio::any_io_executor& ex, std::string pool_key,
             std::shared_ptr<ssl::context> tls_ctx)
      : key(std::move(pool_key)),
        ctx(std::move(tls_ctx)),
        buffer(kReadBufferLimit, kInitialReadCapacity) {  // a typical response in one recv()
    if (ctx) {
      tls = std::make_unique<net::TlsStream>(tcp::socket(ex), *ctx);
    } else {
      plain = std::make_unique<tcp::socket>(ex);
    }
  }

  tcp::socket& socket() { return tls ? tls->next_layer() : *plain; }

  void close() {
    error_code ec;
    if (resolver) resolver->cancel();
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
  }

  /// True when the idle connection still looks usable: open, nothing buffered, and the peer has
  /// neither closed it (recv() == 0) nor sent unsolicited bytes (a TLS close_notify, junk).
  /// `probe` false skips the recv(MSG_PEEK) syscall (for a connection idle only a moment: a
  /// peer that closed it meanwhile is caught by the one stale-connection retry).
  bool looks_alive(bool probe = true) {
    if (!socket().is_open() || buffer.size() != 0) return false;
    if (tls && SSL_pending(tls->native_handle()) > 0) return false;
    if (!probe) return true;
    char b;
    const ssize_t n = ::recv(socket().native_handle(), &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) return false;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }

  std::string key;
  std::shared_ptr<ssl::context> ctx;  // keeps the context alive for the TLS stream
  std::unique_ptr<tcp::socket> plain;
  std::unique_ptr<net::TlsStream> tls;
  std::optional<tcp::resolver> resolver;  // only while connecting
  net::http1::ReadBuffer buffer;  // received, not yet delivered
  net::http1::ResponseHead head;  // reused: its field vector keeps its capacity
  Clock::time_point idle_since{};
};

/// One timer per exchange attempt that closes the connection when the current phase deadline
/// (bounded by the total deadline) passes, recording which phase expired. Arming is lazy: the
/// asio timer is only re-scheduled when the new deadline is earlier than the one it waits for;
/// when it fires early (the deadline moved later meanwhile) it re-arms itself. So the many
/// arm() calls of one exchange (each body read) cost no timer-queue or timerfd work.
struct Watchdog : std::enable_shared_from_this<Watchdog> {
  Watchdog(const asio::any_io_executor& ex, std::shared_ptr<Connection> c)
      : timer(ex), conn(std::move(c)) {}

  void arm(Clock::time_point phase_deadline, Phase phase, Clock::time_point total_deadline) {
    armed = phase;
    deadline = phase_deadline;
    if (total_deadline <= phase_deadline) {
      armed = Phase::Total;
      deadline = total_deadline;
    }
    if (deadline == Clock::time_point::max()) return;  // no limit: a pending wait re-checks
    if (!waiting || deadline < scheduled) schedule(deadline);
  }

  void disarm() {
    deadline = Clock::time_point::max();
    if (waiting) {
      ++gen;
      waiting = false;
      timer.cancel();
    }
  }

  void schedule(Clock::time_point t) {
    ++gen;
    waiting = true;
    scheduled = t;
    timer.expires_at(t);
    timer.async_wait([self = shared_from_this(), g = gen](const error_code& ec) {
      if (g != self->gen) return;  // re-scheduled or disarmed since
      self->waiting = false;
      if (ec || self->fired || self->deadline == Clock::time_point::max()) return;
      if (Clock::now() < self->deadline) {
        self->schedule(self->deadline);  // the deadline moved later while we waited
        return;
      }
      self->fired = self->armed;
      self->conn->close();
    });
  }

  asio::steady_timer timer;
  std::shared_ptr<Connection> conn;
  std::uint64_t gen = 0;
  bool waiting = false;
  Clock::time_point scheduled{};
  Clock::time_point deadline = Clock::time_point::max();
  Phase armed = Phase::Total;
  std::optional<Phase> fired;
};

Clock::time_point after_ms(int64_t ms) {
  if (ms <= 0) return Clock::time_point::max();
  return Clock::now() + std::chrono::milliseconds(ms);
}

/// Everything one exchange needs that does not change between its (at most two) attempts.
struct ExchangeCtx {
  const ProviderConfig& provider;
  const ParsedUrl& url;
  const providers::UpstreamRequest& req;
  const std::string& http_head;  // request line + headers, serialised
  UpstreamHandler& handler;
  CancelToken& cancel;
  Clock::time_point total_deadline;
  const std::string& where;  // "host:port", for messages (never the path: it may carry a key)
};

Error cancelled_error() {
  return Error::make(ErrorKind::Cancelled, "the request was cancelled by the caller");
}

Error timeout_error(Phase phase, const ExchangeCtx& x) {
  const Timeouts& t = x.provider.timeouts;
  switch (phase) {
    case Phase::Connect:
      return Error::make(ErrorKind::Timeout, "connect timeout: no connection to " + x.where +
                                                 " within " + std::to_string(t.connect_ms) + " ms");
    case Phase::FirstByte:
      return Error::make(ErrorKind::Timeout, "first-byte timeout: no response head from " +
                                                 x.where + " within " +
                                                 std::to_string(t.first_byte_ms) + " ms");
    case Phase::Idle:
      return Error::make(ErrorKind::Timeout, "idle timeout: no body bytes from " + x.where +
                                                 " for " + std::to_string(t.idle_ms) + " ms");
    case Phase::Total:
      break;
  }
  return Error::make(ErrorKind::Timeout, "total timeout: the exchange with " + x.where +
                                             " exceeded " + std::to_string(t.total_ms) + " ms");
}

Error too_large_error(const ExchangeCtx& x) {
  return Error::make(ErrorKind::PayloadTooLarge,
                     "upstream response body from " + x.where + " exceeds max_response_bytes (" +
                         std::to_string(x.provider.max_response_bytes) + ")");
}

/// Result of one attempt on one connection.
struct Attempt {
  Status status;
  bool reusable = false;  // complete response, keep-alive, nothing left over
  bool stale = false;     // failed before any response byte: a dead keep-alive connection
};

Status classify_io(const error_code& ec, const Watchdog& wd, const ExchangeCtx& x,
                   std::string_view what) {
  if (x.cancel.cancelled()) return cancelled_error();
  if (wd.fired) return timeout_error(*wd.fired, x);
  return Error::make(ErrorKind::UpstreamConnection,
                     std::string(what) + " " + x.where + " failed: " + ec.message());
}

Headers to_headers(const net::http1::ResponseHead& head) {
  Headers out;
  out.reserve(head.fields.size());
  for (const auto& f : head.fields) {
    std::string name(f.name);
    for (char& c : name) c = ascii::to_lower(c);
    out.emplace_back(std::move(name), std::string(f.value));
  }
  return out;
}

/// Read more bytes into the connection's buffer. TLS peers that close without close_notify
/// report stream_truncated; callers treat it like EOF where the framing allows.
template <class Stream>
asio::awaitable<error_code> read_more(Stream& stream, Connection& conn) {
  const std::span<char> room = conn.buffer.prepare(kReadChunk);
  if (room.empty()) co_return asio::error::no_buffer_space;
  auto [ec, n] = co_await stream.async_read_some(asio::buffer(room.data(), room.size()), tuple_awaitable);
  conn.buffer.commit(n);
  co_return ec;
}

bool is_eof(const error_code& ec) {
  return ec == asio::error::eof || ec == ssl::error::stream_truncated;
}

Status protocol_error(const ExchangeCtx& x, std::string_view what) {
  return Error::make(ErrorKind::UpstreamProtocol,
                     "the upstream " + x.where + " sent " + std::string(what));
}

/// Write the request and stream the response into the handler. `Stream` is a TCP socket or a
/// TLS stream over one.
template <class Stream>
asio::awaitable<Attempt> run_attempt(Stream& stream, Connection& conn, Watchdog& wd,
                                     const ExchangeCtx& x) {
  namespace http1 = net::http1;
  Attempt out;
  const Timeouts& t = x.provider.timeouts;

  wd.arm(after_ms(t.first_byte_ms), Phase::FirstByte, x.total_deadline);
  {
    const std::array<asio::const_buffer, 2> bufs{asio::buffer(x.http_head),
                                                 asio::buffer(x.req.body)};
    auto [ec, n] = co_await asio::async_write(stream, bufs, tuple_awaitable);
    if (ec) {
      out.status = classify_io(ec, wd, x, "sending the request to");
      out.stale = !x.cancel.cancelled() && !wd.fired;
      co_return out;
    }
  }

  // Response head (skipping 1xx informational answers); the first-byte phase covers them all.
  http1::ResponseHead& head = conn.head;
  const bool head_request = iequals(x.req.method, "HEAD");
  bool got_some = !conn.buffer.empty();
  for (;;) {
    std::size_t scanned = 0;
    http1::ParseStatus ps;
    for (;;) {
      ps = http1::parse_response_head(conn.buffer.view(), kHeaderLimit, head_request, head,
                                      scanned);
      if (ps != http1::ParseStatus::Incomplete) break;
      // read_more, inlined: every response starts here
      const std::span<char> room = conn.buffer.prepare(kReadChunk);
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(room.data(), room.size()),
                                                     tuple_awaitable);
      conn.buffer.commit(n);
      if (ec) {
        out.status = classify_io(ec, wd, x, "reading the response head from");
        out.stale = !x.cancel.cancelled() && !wd.fired && !got_some && conn.buffer.empty();
        co_return out;
      }
      got_some = true;
    }
    if (ps != http1::ParseStatus::Complete) {
      out.status = protocol_error(x, ps == http1::ParseStatus::HeadTooLarge
                                         ? "a response head over 64 KiB"
                                         : "a malformed HTTP response head");
      co_return out;
    }
    if (head.status >= 100 && head.status < 200 && head.status != 101) {
      conn.buffer.consume(head.head_bytes);
      continue;
    }
    break;
  }
  const bool capped = !x.req.stream && x.provider.max_response_bytes > 0;
  const auto cap = static_cast<uint64_t>(x.provider.max_response_bytes);
  if (capped && head.framing == http1::Framing::Length && head.content_length > cap) {
    out.status = too_large_error(x);
    co_return out;
  }

  const Headers headers = to_headers(head);
  const int status = head.status;
  const http1::Framing framing = head.framing;
  uint64_t remaining = head.content_length;
  const bool keep_alive = head.keep_alive;
  conn.buffer.consume(head.head_bytes);  // the head's views are dead from here on
  // Time spent in the handler is not upstream idleness: only the total deadline applies.
  wd.arm(x.total_deadline, Phase::Total, x.total_deadline);
  Status hs = co_await x.handler.on_head(status, headers);
  if (!hs.ok()) {
    out.status = std::move(hs);
    co_return out;
  }

  uint64_t delivered = 0;
  http1::ChunkedDecoder chunked;
  bool done = framing == http1::Framing::None;
  while (!done) {
    // Deliver what is buffered: the body bytes of this response, de-chunked in place.
    std::string_view piece;
    std::size_t used = 0;
    if (framing == http1::Framing::Length) {
      used = static_cast<std::size_t>(std::min<uint64_t>(conn.buffer.size(), remaining));
      piece = conn.buffer.view().substr(0, used);
      remaining -= used;
      done = remaining == 0;
    } else if (framing == http1::Framing::Chunked) {
      char* const base = conn.buffer.data();
      char* w = base;
      const auto r = chunked.feed(conn.buffer.view(), used, [&](std::string_view p) {
        std::memmove(w, p.data(), p.size());  // payload never lies before w: moves left
        w += p.size();
      });
      if (r == http1::ChunkedDecoder::Result::Malformed) {
        out.status = protocol_error(x, "a malformed chunked body");
        co_return out;
      }
      piece = std::string_view(base, static_cast<std::size_t>(w - base));
      done = r == http1::ChunkedDecoder::Result::Done;
    } else {  // until close
      used = conn.buffer.size();
      piece = conn.buffer.view();
    }
    if (!piece.empty()) {
      delivered += piece.size();
      if (capped && delivered > cap) {
        out.status = too_large_error(x);
        co_return out;
      }
      wd.arm(x.total_deadline, Phase::Total, x.total_deadline);
      Status bs = co_await x.handler.on_body(piece);
      if (!bs.ok()) {
        out.status = std::move(bs);
        co_return out;
      }
    }
    conn.buffer.consume(used);
    if (done) break;

    wd.arm(after_ms(t.idle_ms), Phase::Idle, x.total_deadline);
    const error_code ec = co_await read_more(stream, conn);
    if (ec) {
      if (framing == http1::Framing::UntilClose && is_eof(ec)) {
        if (!conn.buffer.empty()) continue;  // deliver the last bytes, then the EOF again
        co_return out;  // an EOF-delimited body is complete; the connection is not reusable
      }
      if (!conn.buffer.empty()) continue;  // deliver what arrived with the error first
      if (x.cancel.cancelled()) {
        out.status = cancelled_error();
      } else if (wd.fired) {
        out.status = timeout_error(*wd.fired, x);
      } else {
        out.status = Error::make(ErrorKind::StreamInterrupted,
                                 "the upstream response from " + x.where +
                                     " was cut before its end: " +
                                     (is_eof(ec) ? std::string("the connection closed mid-body")
                                                 : ec.message()));
      }
      co_return out;
    }
  }
  out.reusable = keep_alive && conn.buffer.empty() && !x.cancel.cancelled();
  co_return out;
}

}  // namespace

// ---- parse_base_url -----------------------------------------------------------------------

Result<ParsedUrl> parse_base_url(std::string_view url) {
  ParsedUrl out;
  std::string_view rest;
  auto starts_with_ci = [&](std::string_view prefix) {
    return url.size() >= prefix.size() && iequals(url.substr(0, prefix.size()), prefix);
  };
  if (starts_with_ci("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (starts_with_ci("http://")) {
    out.tls = false;
    rest = url.substr(7);
  } else {
    return Error::invalid("base_url must start with http:// or https://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Error::invalid("base_url must not contain a query or a fragment");
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return Error::invalid("base_url must not contain credentials (user@host)");
  }
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Error::invalid("base_url has an unterminated IPv6 host");
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error::invalid("base_url has junk after the IPv6 host");
      port = after.substr(1);
      if (port.empty()) return Error::invalid("base_url has an empty port");
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return Error::invalid("base_url has an empty port");
    }
  }
  if (host.empty()) return Error::invalid("base_url has no host");
  for (char c : host) {
    if (c <= ' ' || c == '/' || c == '\\' || c == 0x7f) {
      return Error::invalid("base_url host contains an invalid character");
    }
  }
  if (!port.empty()) {
    if (port.size() > 5) return Error::invalid("base_url port is out of range");
    unsigned v = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return Error::invalid("base_url port is not a number");
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return Error::invalid("base_url port is out of range");
    out.port = std::to_string(v);
  } else {
    out.port = out.tls ? "443" : "80";
  }
  for (char c : path) {
    if (c <= ' ' || c == 0x7f) return Error::invalid("base_url path contains an invalid character");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.host = lower(host);
  out.base_path = std::string(path);
  return out;
}

// ---- UpstreamClient -----------------------------------------------------------------------

/// What a request needs to know about its upstream endpoint that does not change between
/// requests: the parsed base URL, the Host line, the pool key (which includes the execution
/// context: a connection's socket belongs to the context that opened it) and the name used in
/// messages. Computed once per (base_url, TLS settings, context) and cached per thread.
struct Endpoint {
  std::string base_url;
  bool verify_tls = true;
  std::string ca_file;
  const void* ctx = nullptr;
  ParsedUrl url;
  std::string host_line;  // "Host: h[:port]\r\n"
  std::string pool_key;
  std::string where;      // "host:port"
};

Result<std::shared_ptr<const Endpoint>> endpoint_for(const ProviderConfig& p, const void* ctx) {
  constexpr std::size_t kCacheMax = 64;
  thread_local std::vector<std::shared_ptr<const Endpoint>> cache;
  for (const auto& e : cache) {
    if (e->ctx == ctx && e->verify_tls == p.verify_tls && e->base_url == p.base_url &&
        e->ca_file == p.ca_file) {
      return e;
    }
  }
  Result<ParsedUrl> parsed = parse_base_url(p.base_url);
  if (!parsed.ok()) {
    return Error::make(ErrorKind::Internal, "provider '" + p.name +
                                                "' has an invalid base_url: " +
                                                parsed.error().message);
  }
  auto e = std::make_shared<Endpoint>();
  e->base_url = p.base_url;
  e->verify_tls = p.verify_tls;
  e->ca_file = p.ca_file;
  e->ctx = ctx;
  e->url = std::move(parsed.value());
  const ParsedUrl& url = e->url;
  const bool ipv6 = url.host.find(':') != std::string::npos;
  const std::string host_only = ipv6 ? "[" + url.host + "]" : url.host;
  const bool default_port = url.port == (url.tls ? "443" : "80");
  e->host_line = "Host: " + host_only + (default_port ? "" : ":" + url.port) + "\r\n";
  char ctx_tag[24];
  std::snprintf(ctx_tag, sizeof ctx_tag, "|%p", ctx);
  e->pool_key = std::string(url.tls ? "https://" : "http://") + host_only + ":" + url.port + "|" +
                (p.verify_tls ? "v|" : "n|") + p.ca_file + ctx_tag;
  e->where = host_only + ":" + url.port;
  if (cache.size() >= kCacheMax) cache.clear();  // in-flight exchanges keep theirs alive
  cache.push_back(e);
  return std::shared_ptr<const Endpoint>(std::move(e));
}

struct UpstreamClient::Impl {
  Impl(asio::io_context& io_ctx, std::vector<const asio::execution_context*> serial)
      : io(io_ctx), single_threaded(std::move(serial)) {}

  bool is_single_threaded(const asio::execution_context& ctx) const {
    for (const auto* c : single_threaded) {
      if (c == &ctx) return true;
    }
    return false;
  }

  asio::awaitable<Status> exchange(const ProviderConfig& provider,
                                   const providers::UpstreamRequest& req, UpstreamHandler& handler,
                                   CancelToken& cancel);

  Result<std::shared_ptr<ssl::context>> tls_context(bool verify, const std::string& ca_file) {
    std::string key = (verify ? "v|" : "n|") + ca_file;
    std::lock_guard<std::mutex> lock(mu);
    auto it = tls_contexts.find(key);
    if (it != tls_contexts.end()) return it->second;
    auto made = net::make_client_tls_context(verify, ca_file);
    if (!made.ok()) return made.take_error();
    tls_contexts.emplace(std::move(key), made.value());
    return made.value();
  }

  std::shared_ptr<Connection> checkout(const std::string& key) {
    std::vector<std::shared_ptr<Connection>> dead;  // destroyed outside the lock
    std::shared_ptr<Connection> found;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = idle.find(key);
      if (it == idle.end()) return nullptr;
      auto& list = it->second;
      const auto now = Clock::now();
      while (!list.empty()) {
        std::shared_ptr<Connection> c = std::move(list.back());
        list.pop_back();
        const auto idle_for = now - c->idle_since;
        if (idle_for < kPoolIdleMax && c->looks_alive(idle_for >= kPoolProbeAfter)) {
          found = std::move(c);
          break;
        }
        dead.push_back(std::move(c));
      }
    }
    for (auto& c : dead) c->close();
    return found;
  }

  /// Return a healthy connection to its pool. Entries idle for longer than kPoolIdleMax are
  /// dropped on the way (checkout already skips peer-closed ones), so sockets the upstream
  /// half-closed do not pile up in CLOSE_WAIT for longer than that (reap_idle covers pools
  /// that see no more traffic). Each list is oldest first, so the expired ones are a prefix.
  void checkin(std::shared_ptr<Connection> c) {
    const auto now = Clock::now();
    c->idle_since = now;
    std::vector<std::shared_ptr<Connection>> dropped;  // closed outside the lock
    {
      std::lock_guard<std::mutex> lock(mu);
      auto& list = idle[c->key];
      drop_expired(list, now, dropped);
      if (list.size() >= kPoolMaxIdlePerKey) {
        dropped.push_back(std::move(list.front()));
        list.erase(list.begin());
      }
      list.push_back(std::move(c));
    }
    for (auto& d : dropped) d->close();
  }

  static void drop_expired(std::vector<std::shared_ptr<Connection>>& list, Clock::time_point now,
                           std::vector<std::shared_ptr<Connection>>& dropped) {
    std::size_t n = 0;
    while (n < list.size() && now - list[n]->idle_since >= kPoolIdleMax) ++n;
    if (n == 0) return;
    for (std::size_t i = 0; i < n; ++i) dropped.push_back(std::move(list[i]));
    list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(n));
  }

  std::size_t reap_idle(Clock::time_point now) {
    std::vector<std::shared_ptr<Connection>> dropped;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (auto it = idle.begin(); it != idle.end();) {
        drop_expired(it->second, now, dropped);
        it = it->second.empty() ? idle.erase(it) : std::next(it);
      }
    }
    for (auto& d : dropped) d->close();
    return dropped.size();
  }

  std::size_t idle_count() {
    std::lock_guard<std::mutex> lock(mu);
    std::size_t n = 0;
    for (const auto& [key, list] : idle) n += list.size();
    return n;
  }

  asio::awaitable<Status> connect(Connection& conn, Watchdog& wd, const ExchangeCtx& x);

  asio::io_context& io;
  const std::vector<const asio::execution_context*> single_threaded;
  std::mutex mu;  // guards idle and tls_contexts
  std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>> idle;
  std::unordered_map<std::string, std::shared_ptr<ssl::context>> tls_contexts;
};

asio::awaitable<Status> UpstreamClient::Impl::connect(Connection& conn, Watchdog& wd,
                                                      const ExchangeCtx& x) {
  wd.arm(after_ms(x.provider.timeouts.connect_ms), Phase::Connect, x.total_deadline);
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver::results_type endpoints;
  if (is_ip_literal(x.url.host)) {
    error_code ec;
    auto addr = asio::ip::make_address(x.url.host, ec);
    const auto port = static_cast<unsigned short>(std::strtoul(x.url.port.c_str(), nullptr, 10));
    endpoints = tcp::resolver::results_type::create(tcp::endpoint(addr, port), x.url.host,
                                                    x.url.port);
  } else {
    conn.resolver.emplace(ex);
    auto [ec, results] = co_await conn.resolver->async_resolve(x.url.host, x.url.port,
                                                               tuple_awaitable);
    conn.resolver.reset();
    if (ec) {
      if (x.cancel.cancelled()) co_return cancelled_error();
      if (wd.fired) co_return timeout_error(*wd.fired, x);
      co_return Error::make(ErrorKind::UpstreamConnection,
                            "cannot resolve upstream host '" + x.url.host + "': " + ec.message());
    }
    endpoints = std::move(results);
  }
  if (x.cancel.cancelled()) co_return cancelled_error();
  if (wd.fired) co_return timeout_error(*wd.fired, x);
  {
    auto [ec, ep] = co_await asio::async_connect(conn.socket(), endpoints, tuple_awaitable);
    if (ec) co_return classify_io(ec, wd, x, "connecting to");
  }
  error_code ignored;
  conn.socket().set_option(tcp::no_delay(true), ignored);
  if (conn.tls) {
    auto state = std::make_shared<net::TlsVerifyState>();
    Status st = net::prepare_client_tls(*conn.tls, x.url.host, x.provider.verify_tls, state);
    if (!st.ok()) co_return st;
    auto [ec] = co_await conn.tls->async_handshake(ssl::stream_base::client, tuple_awaitable);
    if (ec) {
      if (x.cancel.cancelled()) co_return cancelled_error();
      if (wd.fired) co_return timeout_error(*wd.fired, x);
      co_return Error::make(ErrorKind::UpstreamConnection,
                            "TLS handshake with " + x.where + " failed: " +
                                net::describe_tls_failure(*conn.tls, ec, *state, x.url.host));
    }
  }
  co_return Status{};
}

asio::awaitable<Status> UpstreamClient::Impl::exchange(const ProviderConfig& provider,
                                                       const providers::UpstreamRequest& req,
                                                       UpstreamHandler& handler,
                                                       CancelToken& cancel) {
  if (cancel.cancelled()) co_return cancelled_error();
  auto ex = co_await asio::this_coro::executor;
  const void* const ctx = &asio::query(ex, asio::execution::context);
  Result<std::shared_ptr<const Endpoint>> ep_or = endpoint_for(provider, ctx);
  if (!ep_or.ok()) co_return ep_or.take_error();
  const std::shared_ptr<const Endpoint> ep = std::move(ep_or.value());
  const ParsedUrl& url = ep->url;

  // The HTTP request head, serialised once; the body is referenced, not copied, and both go
  // out in one gathered write.
  std::string target = url.base_path + req.path;
  if (target.empty() || target.front() != '/') target.insert(target.begin(), '/');
  if (has_control(target) || target.find(' ') != std::string::npos) {
    co_return Error::make(ErrorKind::Internal,
                          "the upstream request path contains invalid characters");
  }
  if (req.method.empty() || has_control(req.method) ||
      req.method.find_first_of(" :") != std::string::npos) {
    co_return Error::make(ErrorKind::Internal, "the upstream request method is invalid");
  }
  std::string head;
  head.reserve(256 + target.size());
  head.append(req.method).append(" ").append(target).append(" HTTP/1.1\r\n");
  head.append(ep->host_line);
  std::string_view user_agent = kUserAgent;  // a provider may pass the caller's own on
  for (const auto& [name, value] : req.headers) {
    if (iequals(name, "user-agent") && !value.empty() && !has_control(value)) {
      user_agent = value;
      continue;
    }
    if (iequals(name, "host") || iequals(name, "content-length") ||
        iequals(name, "transfer-encoding") || iequals(name, "connection") ||
        iequals(name, "user-agent")) {
      continue;
    }
    if (name.empty() || has_control(name) || has_control(value) ||
        name.find_first_of(" :") != std::string::npos) {
      co_return Error::make(ErrorKind::Internal,
                            "an upstream request header contains invalid characters");
    }
    head.append(name).append(": ").append(value).append("\r\n");
  }
  head.append("User-Agent: ").append(user_agent).append("\r\n");
  if (!req.body.empty() || !(iequals(req.method, "GET") || iequals(req.method, "HEAD"))) {
    char num[24];
    auto r = std::to_chars(num, num + sizeof num, req.body.size());
    head.append("Content-Length: ").append(num, r.ptr).append("\r\n");
  }
  head.append("\r\n");

  std::shared_ptr<ssl::context> tls_ctx;
  if (url.tls) {
    auto ctx = tls_context(provider.verify_tls, provider.ca_file);
    if (!ctx.ok()) co_return ctx.take_error();
    tls_ctx = std::move(ctx.value());
  }
  ExchangeCtx x{provider, url, req, head, handler, cancel,
                after_ms(provider.timeouts.total_ms), ep->where};
  const std::string& key = ep->pool_key;

  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<Connection> conn = attempt == 0 ? checkout(key) : nullptr;
    const bool reused = conn != nullptr;
    if (!conn) conn = std::make_shared<Connection>(ex, key, tls_ctx);
    auto wd = std::make_shared<Watchdog>(ex, conn);
    cancel.on_cancel([ex, conn] { asio::post(ex, [conn] { conn->close(); }); });

    if (!reused) {
      Status st = co_await connect(*conn, *wd, x);
      if (!st.ok()) {
        wd->disarm();
        cancel.clear();
        conn->close();
        co_return st;
      }
    }
    Attempt result;
    if (conn->tls) {
      result = co_await run_attempt(*conn->tls, *conn, *wd, x);
    } else {
      result = co_await run_attempt(*conn->plain, *conn, *wd, x);
    }
    wd->disarm();
    cancel.clear();  // after this no close can be posted; cancelled() covers an earlier one
    if (result.status.ok()) {
      if (result.reusable && !cancel.cancelled()) {
        checkin(std::move(conn));
      } else {
        conn->close();
      }
      co_return Status{};
    }
    conn->close();
    if (result.stale && reused && attempt == 0 && !cancel.cancelled()) continue;
    co_return std::move(result.status);
  }
}

UpstreamClient::UpstreamClient(asio::io_context& fallback,
                               std::vector<const asio::execution_context*> single_threaded)
    : impl_(std::make_unique<Impl>(fallback, std::move(single_threaded))) {}

UpstreamClient::~UpstreamClient() = default;

std::size_t UpstreamClient::reap_idle(std::chrono::steady_clock::time_point now) {
  return impl_->reap_idle(now);
}

std::size_t UpstreamClient::idle_connections() const { return impl_->idle_count(); }

asio::awaitable<Status> UpstreamClient::exchange(const ProviderConfig& provider,
                                                 const providers::UpstreamRequest& req,
                                                 UpstreamHandler& handler, CancelToken& cancel) {
  // Socket operations, the watchdog, and the close posted by a cancel must never run at the
  // same time. A caller on a single-threaded context (an engine shard) or on a strand already
  // guarantees that. Any other caller, such as a bare io_context executor with several
  // threads, gets a fresh strand for the exchange.
  auto ex = co_await asio::this_coro::executor;
  const bool on_strand =
      impl_->is_single_threaded(asio::query(ex, asio::execution::context)) ||
      ex.target<asio::strand<asio::io_context::executor_type>>() != nullptr ||
      ex.target<asio::strand<asio::any_io_executor>>() != nullptr;
  try {
    if (!on_strand) {
      co_return co_await asio::co_spawn(asio::make_strand(impl_->io),
                                        impl_->exchange(provider, req, handler, cancel),
                                        asio::use_awaitable);
    }
    co_return co_await impl_->exchange(provider, req, handler, cancel);
  } catch (const std::exception& e) {  // backstop: the data plane reports through Status
    co_return Error::make(ErrorKind::Internal, std::string("upstream client failure: ") + e.what());
  }
}

}  // namespace openrain
