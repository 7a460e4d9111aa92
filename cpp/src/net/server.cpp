#include "net/server.hpp"
#include "net/deadline_stream.hpp"
#include "net/http1.hpp"
#include "util/ascii.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace openrain::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

using ascii::iequals;

constexpr std::uint32_t kRequestHeaderLimit = 64 * 1024;
constexpr std::size_t kReadBufferLimit = 1024 * 1024;  // transient bytes between parser calls
constexpr std::size_t kFirstRead = 8 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);  // after a 413: drain the caller's body
constexpr std::size_t kLingerMaxBytes = 8 << 20;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
constexpr auto kForcedCloseWait = std::chrono::seconds(2);
// A request still in flight after this long gets a disconnect watcher (see ShardSweep); the
// sweep runs at this period while requests are in flight, so a caller that leaves is noticed
// within two periods even when nothing is being written to it.
constexpr auto kWatchAfter = std::chrono::milliseconds(10);

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::chrono::milliseconds ms(int64_t v) { return std::chrono::milliseconds(v > 0 ? v : 1); }

/// co_spawn completion for server coroutines: exceptions never escape to the io threads.
struct Backstop {
  const char* what;
  void operator()(std::exception_ptr e) const {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "openrain: server %s failed: %s\n", what, ex.what());
    } catch (...) {
      std::fprintf(stderr, "openrain: server %s failed\n", what);
    }
  }
};

/// False for headers the server owns (framing, server name) and any that would break the
/// response framing (control characters, malformed names). One pass over each string.
bool passes_through(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == ' ' || c == ':' || c == '\r' || c == '\n' || c == '\0') return false;
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  switch (name.size()) {
    case 14: return !iequals(name, "content-length");
    case 17: return !iequals(name, "transfer-encoding");
    case 10: return !(iequals(name, "connection") || iequals(name, "keep-alive"));
    case 6: return !iequals(name, "server");
    default: return true;
  }
}

/// Append pieces to `out` (a tiny helper: no strlen, one capacity check per piece).
inline void put(std::string& out, std::string_view piece) { out.append(piece.data(), piece.size()); }

/// Serialise a response head straight into `out` (one buffer, one gathered write with the
/// body): status line, the handler's headers that pass through, Server, framing.
/// `content_length` < 0 means chunked (HTTP/1.1) or close-delimited (HTTP/1.0).
void render_head(std::string& out, unsigned version, int status, const Headers& headers,
                 bool keep_alive, int64_t content_length) {
  std::size_t need = 128;
  for (const auto& [name, value] : headers) need += name.size() + value.size() + 4;
  out.reserve(out.size() + need);
  put(out, version >= 11 ? std::string_view("HTTP/1.1 ") : std::string_view("HTTP/1.0 "));
  char num[24];
  auto r = std::to_chars(num, num + sizeof num, status);
  out.append(num, r.ptr);
  out.push_back(' ');
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  out.append(reason.data(), reason.size());
  put(out, "\r\n");
  for (const auto& [name, value] : headers) {
    if (!passes_through(name, value)) continue;
    put(out, name);
    put(out, ": ");
    put(out, value);
    put(out, "\r\n");
  }
  put(out, "Server: openrain\r\n");
  const bool bodyless = (status >= 100 && status < 200) || status == 204 || status == 304;
  if (content_length >= 0) {
    if (!bodyless) {
      r = std::to_chars(num, num + sizeof num, content_length);
      put(out, "Content-Length: ");
      out.append(num, r.ptr);
      put(out, "\r\n");
    }
  } else if (version >= 11) {
    put(out, "Transfer-Encoding: chunked\r\n");
  }
  if (version >= 11) {
    if (!keep_alive) put(out, "Connection: close\r\n");
  } else if (keep_alive) {
    put(out, "Connection: keep-alive\r\n");
  }
  put(out, "\r\n");
}

}  // namespace

std::string decode_path(std::string_view path) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      const int hi = hex(path[i + 1]);
      const int lo = hex(path[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(path[i]);
  }
  return out;
}

namespace detail {
struct Session;

/// The requests in flight on one shard (one io_context run by one thread), oldest first, and
/// the timer that arms their disconnect watchers once they are older than kWatchAfter. Fast
/// requests finish before that and never register their socket for a read wait (asio issues
/// an epoll_ctl for each such wait). Only touched on its shard's thread.
struct ShardSweep {
  explicit ShardSweep(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  bool armed = false;
  Session* head = nullptr;
  Session* tail = nullptr;
};
}  // namespace detail

struct Server::State {
  State(std::shared_ptr<RequestHandler> h, ServerOptions o)
      : handler(std::move(h)),
        opts(std::move(o)),
        io(handler->io()),
        strand(asio::make_strand(io)),
        acceptor(strand) {}

  std::vector<std::shared_ptr<detail::Session>> live_sessions();
  void force_close_all();
  bool drained() const { return sessions.empty() && accept_loop_done; }  // under mu

  std::shared_ptr<RequestHandler> handler;
  const ServerOptions opts;
  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;  // the acceptor's
  tcp::acceptor acceptor;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};

  std::mutex mu;  // guards the fields below
  std::condition_variable cv;
  std::unordered_map<uint64_t, std::weak_ptr<detail::Session>> sessions;
  uint64_t next_id = 0;
  bool accept_loop_done = false;
  std::size_t next_io = 0;  // accept loop only: round robin over handler->io_at()
  // One per io_at(i) when those are single-threaded (else empty: watchers are armed at once).
  std::vector<std::unique_ptr<detail::ShardSweep>> sweeps;
};

namespace detail {

/// The disconnect watch of the request in flight on a session (there is one at a time).
struct Watch {
  CancelToken* cancel = nullptr;
  uint64_t gen = 0;      // per request: a late completion of an earlier wait is recognised
  bool active = false;   // the request is in flight
  bool waiting = false;  // a socket wait is pending
  bool linked = false;   // in the shard's sweep list
  std::chrono::steady_clock::time_point since{};
  Session* prev = nullptr;
  Session* next = nullptr;
};

/// One accepted connection. Everything but the constructor and destructor runs on the
/// connection's strand (the stream's executor).
struct Session : std::enable_shared_from_this<Session> {
  Session(std::shared_ptr<Server::State> st, tcp::socket socket, uint64_t session_id,
          ShardSweep* shard_sweep)
      : state(std::move(st)),
        stream(std::move(socket)),
        in(kReadBufferLimit),
        id(session_id),
        sweep(shard_sweep) {}

  ~Session() {
    std::lock_guard<std::mutex> lock(state->mu);
    state->sessions.erase(id);
    state->cv.notify_all();
  }

  void close() {
    error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
  }
  /// Graceful stop: an idle connection closes now, a busy one after its current response.
  void request_stop() {
    stop_requested = true;
    if (idle) close();
  }
  /// Grace period over: cancel the request in flight and close.
  void force_close() {
    stop_requested = true;
    if (current_cancel) current_cancel->cancel();
    close();
  }

  std::shared_ptr<Server::State> state;
  net::DeadlineStream stream;
  http1::ReadBuffer in;        // received, not yet parsed
  http1::RequestHead head;     // reused: its field vector keeps its capacity
  const uint64_t id;
  ShardSweep* const sweep;  // nullptr: not on a single-threaded shard
  Watch watch;
  bool idle = true;  // waiting for the first byte of a request
  bool stop_requested = false;
  CancelToken* current_cancel = nullptr;  // while a request is being served
};

}  // namespace detail

std::vector<std::shared_ptr<detail::Session>> Server::State::live_sessions() {
  std::vector<std::shared_ptr<detail::Session>> out;
  std::lock_guard<std::mutex> lock(mu);
  for (auto& [id, weak] : sessions) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void Server::State::force_close_all() {
  for (auto& s : live_sessions()) {
    asio::post(s->stream.get_executor(), [s] { s->force_close(); });
  }
}

namespace {

using detail::Session;
using detail::ShardSweep;
using detail::Watch;

/// Writes one response to the session's connection: full (content-length) or chunked stream.
class SessionSink final : public ResponseSink {
 public:
  enum class Phase { Idle, Streaming, Done, Failed };

  /// `head_only`: the request was HEAD, so heads are sent and bodies are not.
  SessionSink(Session& s, unsigned version, bool keep_alive, bool head_only)
      : s_(s), version_(version), keep_alive_(keep_alive), head_only_(head_only) {}

  asio::awaitable<Status> send_full(ResponseHead head, std::string body) override {
    if (phase_ != Phase::Idle) co_return misuse("send_full");
    std::string wire;
    render_head(wire, version_, head.status, head.headers, keep_alive(),
                static_cast<int64_t>(body.size()));
    s_.stream.expires_after(ms(s_.state->opts.write_timeout_ms));
    const std::array<asio::const_buffer, 2> bufs{
        asio::buffer(wire), head_only_ ? asio::const_buffer() : asio::buffer(body)};
    auto [ec, n] = co_await asio::async_write(s_.stream, bufs, tuple_awaitable);
    if (ec) co_return gone();
    phase_ = Phase::Done;
    co_return Status{};
  }

  asio::awaitable<Status> start_stream(ResponseHead head) override {
    if (phase_ != Phase::Idle) co_return misuse("start_stream");
    chunked_ = version_ >= 11;
    if (!chunked_) keep_alive_ = false;  // HTTP/1.0: the body ends when the connection does
    std::string wire;
    render_head(wire, version_, head.status, head.headers, keep_alive(), -1);
    s_.stream.expires_after(ms(s_.state->opts.write_timeout_ms));
    auto [ec, n] = co_await asio::async_write(s_.stream, asio::buffer(wire), tuple_awaitable);
    if (ec) co_return gone();
    phase_ = Phase::Streaming;
    co_return Status{};
  }

  asio::awaitable<Status> write(std::string_view bytes) override {
    if (phase_ == Phase::Failed) co_return gone();
    if (phase_ != Phase::Streaming) co_return misuse("write");
    if (bytes.empty() || head_only_) co_return Status{};  // an empty chunk would end the stream
    s_.stream.expires_after(ms(s_.state->opts.write_timeout_ms));
    const asio::const_buffer data(bytes.data(), bytes.size());
    error_code ec;
    if (chunked_) {
      char size_line[24];
      auto r = std::to_chars(size_line, size_line + sizeof size_line - 2, bytes.size(), 16);
      *r.ptr++ = '\r';
      *r.ptr++ = '\n';
      const std::array<asio::const_buffer, 3> bufs{
          asio::buffer(size_line, static_cast<std::size_t>(r.ptr - size_line)), data,
          asio::buffer("\r\n", 2)};
      auto [e, n] = co_await asio::async_write(s_.stream, bufs, tuple_awaitable);
      ec = e;
    } else {
      auto [e, n] = co_await asio::async_write(s_.stream, data, tuple_awaitable);
      ec = e;
    }
    if (ec) co_return gone();
    co_return Status{};
  }

  asio::awaitable<Status> end_stream() override {
    if (phase_ == Phase::Failed) co_return gone();
    if (phase_ != Phase::Streaming) co_return misuse("end_stream");
    if (chunked_ && !head_only_) {
      s_.stream.expires_after(ms(s_.state->opts.write_timeout_ms));
      auto [ec, n] =
          co_await asio::async_write(s_.stream, asio::buffer("0\r\n\r\n", 5), tuple_awaitable);
      if (ec) co_return gone();
    }
    phase_ = Phase::Done;
    co_return Status{};
  }

  Phase phase() const { return phase_; }
  bool keep_alive() const {
    return keep_alive_ && !s_.stop_requested && !s_.state->stopping.load();
  }

 private:
  Status gone() {
    phase_ = Phase::Failed;
    return Error::make(ErrorKind::Cancelled, "the caller closed the connection");
  }
  Status misuse(const char* call) {
    return Error::make(ErrorKind::Internal, std::string("response sink misuse: ") + call +
                                                " out of order");
  }

  Session& s_;
  unsigned version_;
  bool keep_alive_;
  bool head_only_;
  bool chunked_ = true;
  Phase phase_ = Phase::Idle;
};

/// Watch the caller's socket while a request is served: readable with EOF (or an error) means
/// the caller is gone, so the request's CancelToken fires even if nothing is being written.
/// A plain completion handler, not a coroutine.
void arm_watch(const std::shared_ptr<Session>& s) {
  Watch& w = s->watch;
  w.waiting = true;
  s->stream.socket().async_wait(tcp::socket::wait_read, [s, g = w.gen](const error_code& ec) {
    Watch& w = s->watch;
    if (g != w.gen) return;  // an earlier request's wait
    w.waiting = false;
    if (!w.active) return;
    if (ec) {
      w.cancel->cancel();
      return;
    }
    char c;
    const ssize_t n = ::recv(s->stream.socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return;  // the caller sent more (a pipelined request): nothing more to learn here
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      w.cancel->cancel();
      return;
    }
    arm_watch(s);  // spurious wake-up: wait again
  });
}

void unlink(ShardSweep& sw, Session& s) {
  Watch& w = s.watch;
  if (!w.linked) return;
  (w.prev ? w.prev->watch.next : sw.head) = w.next;
  (w.next ? w.next->watch.prev : sw.tail) = w.prev;
  w.prev = w.next = nullptr;
  w.linked = false;
}

/// Arm the watchers of the shard's requests older than kWatchAfter; tick again while any
/// request is in flight.
void sweep_shard(ShardSweep& sw);

/// Tick the shard's sweep after kWatchAfter. The handler holds the server state (which owns
/// `sw`), so the timer never outlives it.
void schedule_sweep(std::shared_ptr<Server::State> st, ShardSweep& sw) {
  sw.armed = true;
  sw.timer.expires_after(kWatchAfter);
  sw.timer.async_wait([st = std::move(st), &sw](const error_code& ec) {
    if (!ec) sweep_shard(sw);
    else sw.armed = false;
  });
}

void sweep_shard(ShardSweep& sw) {
  sw.armed = false;
  const auto old = std::chrono::steady_clock::now() - kWatchAfter;
  while (sw.head != nullptr && sw.head->watch.since <= old) {
    Session& s = *sw.head;
    unlink(sw, s);
    arm_watch(s.shared_from_this());
  }
  if (sw.head != nullptr) schedule_sweep(sw.head->state, sw);
}

/// A request starts: watch for the caller leaving (at once, or after kWatchAfter on a shard).
void begin_watch(const std::shared_ptr<Session>& s, CancelToken& cancel) {
  Watch& w = s->watch;
  ++w.gen;
  w.cancel = &cancel;
  w.active = true;
  w.waiting = false;
  ShardSweep* sw = s->sweep;
  if (sw == nullptr) {
    arm_watch(s);
    return;
  }
  w.since = std::chrono::steady_clock::now();
  w.prev = sw->tail;
  w.next = nullptr;
  (sw->tail ? sw->tail->watch.next : sw->head) = s.get();
  sw->tail = s.get();
  w.linked = true;
  if (!sw->armed) schedule_sweep(s->state, *sw);
}

/// The request is over: a pending wait completes with operation_aborted and its handler,
/// seeing the request inactive, does nothing.
void end_watch(Session& s) {
  Watch& w = s.watch;
  w.active = false;
  w.cancel = nullptr;
  if (s.sweep != nullptr) unlink(*s.sweep, s);
  if (w.waiting) {
    error_code ec;
    s.stream.socket().cancel(ec);  // only the watcher's wait is outstanding now
  }
}

/// Copy what the engine needs out of the parsed head (whose views point into the read buffer).
HttpRequest to_http_request(const http1::RequestHead& head) {
  HttpRequest r;
  r.method.assign(head.method);
  const std::string_view target = head.target;
  const std::size_t q = target.find('?');
  r.path = decode_path(target.substr(0, q));
  if (q != std::string_view::npos) r.query.assign(target.substr(q + 1));
  r.headers.reserve(head.fields.size());
  for (const auto& f : head.fields) {
    std::string name(f.name);
    for (char& c : name) c = ascii::to_lower(c);
    r.headers.emplace_back(std::move(name), std::string(f.value));
  }
  return r;
}

/// Why a request could not be read; None when there is nobody to answer (EOF, reset, timeout).
Error read_error(http1::ParseStatus st, const ServerOptions& o) {
  switch (st) {
    case http1::ParseStatus::HeadTooLarge: {
      Error e = Error::make(ErrorKind::InvalidRequest, "request header too large");
      e.http_status = 431;
      return e;
    }
    case http1::ParseStatus::BadVersion: {
      Error e = Error::make(ErrorKind::InvalidRequest, "HTTP version not supported");
      e.http_status = 505;
      return e;
    }
    case http1::ParseStatus::BadTransferCoding: {
      Error e = Error::make(ErrorKind::InvalidRequest,
                            "unsupported transfer-encoding (only chunked is)");
      e.http_status = 501;
      return e;
    }
    case http1::ParseStatus::Complete:  // the body was over the limit
      return Error::make(ErrorKind::PayloadTooLarge, "request body exceeds the limit of " +
                                                         std::to_string(o.max_request_bytes) +
                                                         " bytes");
    case http1::ParseStatus::Malformed:
    case http1::ParseStatus::Incomplete:
      break;
  }
  return Error::invalid("malformed HTTP request");
}

/// Answer a request that could not be read (413 / 431 / 400 / 501 / 505) and close politely:
/// stop sending, then drain what the caller is still sending for a moment so it can read the
/// answer. `path` may be empty when the request line itself was bad.
asio::awaitable<void> reject(std::shared_ptr<Session> s, std::string path, Error err) {
  const Server::State& st = *s->state;
  ResponseHead head;
  std::string body;
  st.handler->render_error_for_path(path, err, head, body);
  std::string wire;
  render_head(wire, 11, head.status, head.headers, /*keep_alive=*/false,
              static_cast<int64_t>(body.size()));
  wire.append(body);
  s->stream.expires_after(ms(st.opts.write_timeout_ms));
  auto [wec, wn] = co_await asio::async_write(s->stream, asio::buffer(wire), tuple_awaitable);
  if (wec) co_return;
  error_code ignored;
  s->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  s->stream.expires_after(kLingerTime);
  std::size_t drained = 0;
  while (drained < kLingerMaxBytes) {
    s->in.consume(s->in.size());
    const std::span<char> room = s->in.prepare(kFirstRead);
    auto [rec, n] = co_await s->stream.async_read_some(asio::buffer(room.data(), room.size()),
                                                       tuple_awaitable);
    if (rec) break;
    drained += n;
  }
}

std::string path_of(std::string_view target) {
  return decode_path(target.substr(0, target.find('?')));
}

/// Read more bytes into the session's buffer. False on EOF, error, timeout or a full buffer.
asio::awaitable<bool> read_more(Session& s) {
  const std::span<char> room = s.in.prepare(kFirstRead);
  if (room.empty()) co_return false;
  auto [ec, n] = co_await s.stream.async_read_some(asio::buffer(room.data(), room.size()), tuple_awaitable);
  if (ec) co_return false;
  s.in.commit(n);
  co_return true;
}

/// What reading one request's body produced.
enum class BodyRead { Ok, Gone, TooLarge, Malformed };

/// Read the body announced by `framing` into `body`, consuming it from the buffer. Sends
/// 100 Continue first when the caller asked for it and the body is not here yet.
asio::awaitable<BodyRead> read_body(Session& s, http1::Framing framing, uint64_t length,
                                    bool expect_continue, std::string& body) {
  const ServerOptions& o = s.state->opts;
  const uint64_t limit =
      o.max_request_bytes > 0 ? static_cast<uint64_t>(o.max_request_bytes) : UINT64_MAX;
  if (framing == http1::Framing::None) co_return BodyRead::Ok;
  if (framing == http1::Framing::Length && length > limit) co_return BodyRead::TooLarge;
  const bool have_all = framing == http1::Framing::Length && s.in.size() >= length;
  if (expect_continue && !have_all) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    s.stream.expires_after(ms(o.write_timeout_ms));
    auto [ec, n] = co_await asio::async_write(s.stream, asio::buffer(kContinue.data(), kContinue.size()),
                                              tuple_awaitable);
    if (ec) co_return BodyRead::Gone;
  }
  if (framing == http1::Framing::Length) {
    body.reserve(static_cast<std::size_t>(std::min<uint64_t>(length, 1 << 20)));
    for (;;) {
      const std::size_t take =
          static_cast<std::size_t>(std::min<uint64_t>(s.in.size(), length - body.size()));
      body.append(s.in.data(), take);
      s.in.consume(take);
      if (body.size() == length) co_return BodyRead::Ok;
      s.stream.expires_after(ms(o.header_timeout_ms));
      const bool more = co_await read_more(s);
      if (!more) co_return BodyRead::Gone;
    }
  }
  http1::ChunkedDecoder decoder;
  bool over = false;
  for (;;) {
    std::size_t used = 0;
    const auto r = decoder.feed(s.in.view(), used, [&](std::string_view piece) {
      if (body.size() + piece.size() > limit) {
        over = true;
        return;
      }
      body.append(piece);
    });
    s.in.consume(used);
    if (over) co_return BodyRead::TooLarge;
    if (r == http1::ChunkedDecoder::Result::Malformed) co_return BodyRead::Malformed;
    if (r == http1::ChunkedDecoder::Result::Done) co_return BodyRead::Ok;
    s.stream.expires_after(ms(o.header_timeout_ms));
    const bool more = co_await read_more(s);
    if (!more) co_return BodyRead::Gone;
  }
}

asio::awaitable<void> run_session(std::shared_ptr<Session> s) {
  Server::State& st = *s->state;
  const ServerOptions& o = st.opts;
  bool first = true;
  for (;;) {
    s->idle = true;
    if (s->stop_requested || st.stopping.load()) break;
    if (s->in.empty()) {  // read_more, inlined: this read starts every request
      s->stream.expires_after(ms(first ? o.header_timeout_ms : o.idle_keepalive_ms));
      const std::span<char> room = s->in.prepare(kFirstRead);
      auto [ec, n] = co_await s->stream.async_read_some(asio::buffer(room.data(), room.size()),
                                                        tuple_awaitable);
      if (ec) break;
      s->in.commit(n);
    }
    first = false;
    s->idle = false;

    // The head: parse what is buffered, read more until it is whole.
    http1::RequestHead& head = s->head;
    std::size_t scanned = 0;
    s->stream.expires_after(ms(o.header_timeout_ms));
    http1::ParseStatus ps;
    for (;;) {
      ps = http1::parse_request_head(s->in.view(), kRequestHeaderLimit, head, scanned);
      if (ps != http1::ParseStatus::Incomplete) break;
      const bool more = co_await read_more(*s);
      if (!more) break;
    }
    if (ps == http1::ParseStatus::Incomplete) break;  // EOF, reset or timeout: nobody to answer
    if (ps != http1::ParseStatus::Complete) {
      Error err = read_error(ps, o);
      std::string where = path_of(head.target);
      co_await reject(s, std::move(where), std::move(err));
      break;
    }

    HttpRequest req = to_http_request(head);
    const unsigned version = head.version;
    const bool keep_alive = head.keep_alive;
    const http1::Framing framing = head.framing;
    const uint64_t length = head.content_length;
    const bool expect_continue = head.expect_continue;
    s->in.consume(head.head_bytes);  // the head's views are dead from here on

    const BodyRead br = co_await read_body(*s, framing, length, expect_continue, req.body);
    if (br == BodyRead::Gone) break;
    if (br != BodyRead::Ok) {
      // (GCC 12 mis-destroys a conditional temporary passed to a coroutine: name it first.)
      Error err = br == BodyRead::TooLarge
                      ? read_error(http1::ParseStatus::Complete, o)
                      : Error::invalid("malformed HTTP request (chunked body)");
      std::string where = req.path;
      co_await reject(s, std::move(where), std::move(err));
      break;
    }
    s->stream.expires_never();

    const std::string path = req.path;
    SessionSink sink(*s, version, keep_alive, req.method == "HEAD");
    CancelToken cancel;
    begin_watch(s, cancel);
    s->current_cancel = &cancel;
    try {
      co_await st.handler->serve(std::move(req), sink, cancel);
    } catch (const std::exception& e) {  // backstop; the data plane reports through the sink
      std::fprintf(stderr, "openrain: request handler threw: %s\n", e.what());
    }
    s->current_cancel = nullptr;
    end_watch(*s);

    if (sink.phase() == SessionSink::Phase::Idle && !cancel.cancelled()) {
      ResponseHead rhead;
      std::string body;
      st.handler->render_error_for_path(
          path, Error::make(ErrorKind::Internal, "the request produced no response"), rhead, body);
      co_await sink.send_full(std::move(rhead), std::move(body));
    }
    if (sink.phase() != SessionSink::Phase::Done || !sink.keep_alive()) break;
  }
  s->close();
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> st) {
  const std::size_t n_io = std::max<std::size_t>(1, st->handler->io_count());
  const bool single = st->handler->io_single_threaded();
  for (;;) {
    const std::size_t shard = st->next_io++ % n_io;
    asio::io_context& target = st->handler->io_at(shard);
    tcp::socket socket(single ? asio::any_io_executor(target.get_executor())
                              : asio::any_io_executor(asio::make_strand(target)));
    auto [ec] = co_await st->acceptor.async_accept(socket, tuple_awaitable);
    if (st->stopping.load() || !st->acceptor.is_open()) break;
    if (ec) {  // e.g. out of file descriptors: back off instead of spinning
      asio::steady_timer delay(st->strand, kAcceptRetryDelay);
      co_await delay.async_wait(tuple_awaitable);
      continue;
    }
    std::shared_ptr<Session> session;
    {
      std::lock_guard<std::mutex> lock(st->mu);
      if (st->stopping.load()) break;
      const uint64_t id = st->next_id++;
      session = std::make_shared<Session>(
          st, std::move(socket), id, shard < st->sweeps.size() ? st->sweeps[shard].get() : nullptr);
      st->sessions.emplace(id, session);
    }
    error_code ignored;
    session->stream.socket().set_option(tcp::no_delay(true), ignored);
    auto ex = session->stream.get_executor();
    asio::co_spawn(ex, run_session(std::move(session)), Backstop{"session"});
  }
  std::lock_guard<std::mutex> lock(st->mu);
  st->accept_loop_done = true;
  st->cv.notify_all();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::start(std::shared_ptr<RequestHandler> handler,
                                              ServerOptions opts) {
  if (!handler) return Error::make(ErrorKind::Internal, "server started without a handler");
  auto st = std::make_shared<State>(std::move(handler), std::move(opts));
  const std::string where = st->opts.host + ":" + std::to_string(st->opts.port);
  error_code ec;
  tcp::endpoint endpoint;
  const auto addr = asio::ip::make_address(st->opts.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(addr, st->opts.port);
  } else {
    tcp::resolver resolver(st->io);
    auto results = resolver.resolve(st->opts.host, std::to_string(st->opts.port),
                                    tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return Error::make(ErrorKind::Internal, "cannot resolve the listen address " + where + ": " +
                                                  (ec ? ec.message() : "no address"));
    }
    endpoint = results.begin()->endpoint();
  }
  st->acceptor.open(endpoint.protocol(), ec);
  if (!ec) st->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) st->acceptor.bind(endpoint, ec);
  if (!ec) st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::make(ErrorKind::Internal, "cannot listen on " + where + ": " + ec.message());
  }
  st->port = st->acceptor.local_endpoint(ec).port();
  if (st->handler->io_single_threaded()) {
    for (std::size_t i = 0; i < st->handler->io_count(); ++i) {
      st->sweeps.push_back(std::make_unique<detail::ShardSweep>(st->handler->io_at(i)));
    }
  }
  if (ec) return Error::make(ErrorKind::Internal, "cannot read the bound port: " + ec.message());
  asio::co_spawn(st->strand, accept_loop(st), Backstop{"accept loop"});
  return std::unique_ptr<Server>(new Server(std::move(st)));
}

uint16_t Server::port() const { return state_->port; }

void Server::stop() {
  std::shared_ptr<State> st = state_;
  {
    std::lock_guard<std::mutex> lock(st->mu);
    if (st->stopping.exchange(true)) return;
  }
  asio::post(st->strand, [st] {
    error_code ec;
    st->acceptor.close(ec);  // the pending accept completes with operation_aborted
  });
  for (auto& s : st->live_sessions()) {
    asio::post(s->stream.get_executor(), [s] { s->request_stop(); });
  }
  const auto grace = ms(st->opts.stop_grace_ms);
  bool on_io_thread = st->io.get_executor().running_in_this_thread();
  for (std::size_t i = 0; i < st->handler->io_count(); ++i) {
    on_io_thread = on_io_thread || st->handler->io_at(i).get_executor().running_in_this_thread();
  }
  if (on_io_thread) {  // blocking here could deadlock
    auto timer = std::make_shared<asio::steady_timer>(st->io, grace);
    timer->async_wait([st, timer](const error_code&) { st->force_close_all(); });
    return;
  }
  std::unique_lock<std::mutex> lock(st->mu);
  if (st->cv.wait_for(lock, grace, [&] { return st->drained(); })) return;
  lock.unlock();
  st->force_close_all();
  lock.lock();
  st->cv.wait_for(lock, kForcedCloseWait, [&] { return st->drained(); });
}

Server::~Server() { stop(); }

}  // namespace openrain::net
