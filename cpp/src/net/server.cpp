#include "net/server.hpp"
#include "net/deadline_stream.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

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

constexpr std::uint32_t kRequestHeaderLimit = 64 * 1024;
constexpr std::size_t kReadBufferLimit = 1024 * 1024;  // transient bytes between parser calls
constexpr std::size_t kFirstRead = 8 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);  // after a 413: drain the caller's body
constexpr std::size_t kLingerMaxBytes = 8 << 20;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
constexpr auto kForcedCloseWait = std::chrono::seconds(2);
constexpr std::string_view kServerName = "openrain";

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::chrono::milliseconds ms(int64_t v) { return std::chrono::milliseconds(v > 0 ? v : 1); }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool has_control(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

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
/// response framing (control characters, malformed names).
bool passes_through(const std::string& name, const std::string& value) {
  if (name.empty() || has_control(name) || has_control(value) ||
      name.find_first_of(" :") != std::string::npos) {
    return false;
  }
  return !(iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
           iequals(name, "connection") || iequals(name, "server") || iequals(name, "keep-alive"));
}

/// Copy the headers that pass through into `fields` and set the server name.
void fill_headers(http::fields& fields, const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (passes_through(name, value)) fields.insert(name, value);
  }
  fields.set(http::field::server, kServerName);
}

/// Serialise a response head straight into `out` (one buffer, one gathered write with the
/// body): status line, the handler's headers (filtered like fill_headers), Server, framing.
/// `content_length` < 0 means chunked (HTTP/1.1) or close-delimited (HTTP/1.0).
void render_head(std::string& out, unsigned version, int status, const Headers& headers,
                 bool keep_alive, int64_t content_length) {
  out.reserve(out.size() + 256);
  out.append(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ");
  char num[24];
  auto r = std::to_chars(num, num + sizeof num, status);
  out.append(num, r.ptr);
  out.push_back(' ');
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  for (const auto& [name, value] : headers) {
    if (passes_through(name, value)) out.append(name).append(": ").append(value).append("\r\n");
  }
  out.append("Server: ").append(kServerName).append("\r\n");
  const bool bodyless = (status >= 100 && status < 200) || status == 204 || status == 304;
  if (content_length >= 0) {
    if (!bodyless) {
      r = std::to_chars(num, num + sizeof num, content_length);
      out.append("Content-Length: ").append(num, r.ptr).append("\r\n");
    }
  } else if (version >= 11) {
    out.append("Transfer-Encoding: chunked\r\n");
  }
  if (version >= 11) {
    if (!keep_alive) out.append("Connection: close\r\n");
  } else if (keep_alive) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
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
}

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
};

namespace detail {

/// One accepted connection. Everything but the constructor and destructor runs on the
/// connection's strand (the stream's executor).
struct Session {
  Session(std::shared_ptr<Server::State> st, tcp::socket socket, uint64_t session_id)
      : state(std::move(st)), stream(std::move(socket)), buffer(kReadBufferLimit), id(session_id) {}

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
  beast::flat_buffer buffer;
  const uint64_t id;
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

/// Shared between a session and the completion handler of its socket wait (same executor).
struct WatchState {
  CancelToken* cancel = nullptr;
  bool done = false;  // the request finished: the wait's handler must not touch `cancel`
};

/// Watch the caller's socket while a request is served: readable with EOF (or an error) means
/// the caller is gone, so the request's CancelToken fires even if nothing is being written.
/// A plain completion handler, not a coroutine: it costs one reactor op per request.
void watch_disconnect(const std::shared_ptr<Session>& s, std::shared_ptr<WatchState> w) {
  s->stream.socket().async_wait(tcp::socket::wait_read, [s, w](const error_code& ec) {
    if (w->done) return;
    if (ec) {
      w->cancel->cancel();
      return;
    }
    char c;
    const ssize_t n = ::recv(s->stream.socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return;  // the caller sent more (a pipelined request): nothing more to learn here
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      w->cancel->cancel();
      return;
    }
    watch_disconnect(s, w);  // spurious wake-up: wait again
  });
}

/// The request is over: the pending wait (if any) completes with operation_aborted and its
/// handler, seeing `done`, does nothing.
void stop_watch(Session& s, WatchState& w) {
  w.done = true;
  error_code ec;
  s.stream.socket().cancel(ec);  // only the watcher's wait is outstanding now
}

HttpRequest to_http_request(http::request<http::string_body>& msg) {
  HttpRequest r;
  r.method = std::string(msg.method_string());
  const std::string_view target = msg.target();
  const std::size_t q = target.find('?');
  r.path = decode_path(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  for (const auto& f : msg) {
    r.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
  }
  r.body = std::move(msg.body());
  return r;
}

/// Answer a request that could not be read (413 / 431 / 400) and close politely: stop sending,
/// then drain what the caller is still sending for a moment so it can read the answer.
asio::awaitable<void> reject(std::shared_ptr<Session> s,
                             const http::request_parser<http::string_body>& parser,
                             error_code ec) {
  const Server::State& st = *s->state;
  Error err;
  if (ec == http::error::body_limit) {
    err = Error::make(ErrorKind::PayloadTooLarge,
                      "request body exceeds the limit of " +
                          std::to_string(st.opts.max_request_bytes) + " bytes");
  } else if (ec == http::error::header_limit) {
    err = Error::make(ErrorKind::InvalidRequest, "request header too large");
    err.http_status = 431;
  } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message) {
    err = Error::invalid("malformed HTTP request");
  } else {
    co_return;  // timeout, reset, EOF: nobody to answer
  }
  const std::string_view target = parser.get().target();
  const std::string path = decode_path(target.substr(0, target.find('?')));
  ResponseHead head;
  std::string body;
  st.handler->render_error_for_path(path, err, head, body);
  http::response<http::string_body> res;
  res.version(11);
  res.result(static_cast<unsigned>(head.status));
  fill_headers(res.base(), head.headers);
  res.keep_alive(false);
  res.body() = std::move(body);
  res.prepare_payload();
  s->stream.expires_after(ms(st.opts.write_timeout_ms));
  auto [wec, wn] = co_await http::async_write(s->stream, res, tuple_awaitable);
  if (wec) co_return;
  error_code ignored;
  s->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  s->stream.expires_after(kLingerTime);
  std::size_t drained = 0;
  while (drained < kLingerMaxBytes) {
    s->buffer.consume(s->buffer.size());
    auto [rec, n] =
        co_await s->stream.async_read_some(s->buffer.prepare(kFirstRead), tuple_awaitable);
    if (rec) break;
    drained += n;
  }
}

asio::awaitable<void> run_session(std::shared_ptr<Session> s) {
  Server::State& st = *s->state;
  const ServerOptions& o = st.opts;
  bool first = true;
  for (;;) {
    s->idle = true;
    if (s->stop_requested || st.stopping.load()) break;
    if (s->buffer.size() == 0) {
      s->stream.expires_after(ms(first ? o.header_timeout_ms : o.idle_keepalive_ms));
      auto [ec, n] =
          co_await s->stream.async_read_some(s->buffer.prepare(kFirstRead), tuple_awaitable);
      if (ec) break;
      s->buffer.commit(n);
    }
    first = false;
    s->idle = false;

    http::request_parser<http::string_body> parser;
    parser.header_limit(kRequestHeaderLimit);
    if (o.max_request_bytes > 0) {
      parser.body_limit(static_cast<std::uint64_t>(o.max_request_bytes));
    } else {
      parser.body_limit(boost::none);
    }
    s->stream.expires_after(ms(o.header_timeout_ms));
    {
      auto [ec, n] =
          co_await http::async_read_header(s->stream, s->buffer, parser, tuple_awaitable);
      if (ec) {
        co_await reject(s, parser, ec);
        break;
      }
    }
    if (iequals(parser.get()[http::field::expect], "100-continue") && !parser.is_done()) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      s->stream.expires_after(ms(o.write_timeout_ms));
      auto [ec, n] = co_await http::async_write(s->stream, cont, tuple_awaitable);
      if (ec) break;
    }
    bool failed = false;
    while (!parser.is_done()) {
      s->stream.expires_after(ms(o.header_timeout_ms));
      auto [ec, n] = co_await http::async_read_some(s->stream, s->buffer, parser, tuple_awaitable);
      if (ec) {
        co_await reject(s, parser, ec);
        failed = true;
        break;
      }
    }
    if (failed) break;
    s->stream.expires_never();

    const unsigned version = parser.get().version();
    HttpRequest req = to_http_request(parser.get());
    const std::string path = req.path;
    SessionSink sink(*s, version, parser.keep_alive(), parser.get().method() == http::verb::head);
    CancelToken cancel;
    auto watch = std::make_shared<WatchState>();
    watch->cancel = &cancel;
    watch_disconnect(s, watch);
    s->current_cancel = &cancel;
    try {
      co_await st.handler->serve(std::move(req), sink, cancel);
    } catch (const std::exception& e) {  // backstop; the data plane reports through the sink
      std::fprintf(stderr, "openrain: request handler threw: %s\n", e.what());
    }
    s->current_cancel = nullptr;
    stop_watch(*s, *watch);

    if (sink.phase() == SessionSink::Phase::Idle && !cancel.cancelled()) {
      ResponseHead head;
      std::string body;
      st.handler->render_error_for_path(
          path, Error::make(ErrorKind::Internal, "the request produced no response"), head, body);
      co_await sink.send_full(std::move(head), std::move(body));
    }
    if (sink.phase() != SessionSink::Phase::Done || !sink.keep_alive()) break;
  }
  s->close();
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> st) {
  const std::size_t n_io = std::max<std::size_t>(1, st->handler->io_count());
  const bool single = st->handler->io_single_threaded();
  for (;;) {
    asio::io_context& target = st->handler->io_at(st->next_io++ % n_io);
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
      session = std::make_shared<Session>(st, std::move(socket), id);
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
