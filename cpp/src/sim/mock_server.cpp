#include "sim/mock_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "sim/request_probe.hpp"
#include "sim/script.hpp"
#include "sim/wire_render.hpp"

namespace openrain::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct MockServer::Impl {
  MockOptions opts;
  std::optional<asio::io_context> io;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::once_flag stop_once;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::deque<std::shared_ptr<const Script>> queue;
  std::shared_ptr<const Script> default_script;
  std::vector<RecordedRequest> log;
  size_t request_count = 0;
  size_t disconnects = 0;
  uint64_t serial = 0;
  std::atomic<bool> log_full{false};  // hint: skip copying requests the log cannot take

  std::shared_ptr<const Script> builtin =
      std::shared_ptr<const Script>(&builtin_script(), [](const Script*) {});

  /// Record the request, assign its serial and pick its script (null = count-token estimate).
  std::shared_ptr<const Script> admit(const http::request<http::string_body>& req,
                                      std::string_view path, std::string_view query,
                                      const Route& route, std::string_view model, bool matchable,
                                      uint64_t& serial_out) {
    std::shared_ptr<const Script> picked;
    std::optional<RecordedRequest> rec;
    if (!log_full.load(std::memory_order_relaxed)) {  // copy outside the lock
      rec.emplace();
      rec->method = std::string(req.method_string());
      rec->path = std::string(path);
      rec->query = std::string(query);
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (char& c : name) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        rec->headers.emplace_back(std::move(name), std::string(f.value()));
      }
      rec->body = req.body();
    }
    {
      std::lock_guard lock(mu);
      ++request_count;
      serial_out = ++serial;
      if (rec && log.size() < opts.request_log_limit) log.push_back(std::move(*rec));
      if (log.size() >= opts.request_log_limit) log_full.store(true, std::memory_order_relaxed);
      if (matchable) {
        bool count = route.kind == Route::Kind::CountTokens;
        for (auto it = queue.begin(); it != queue.end(); ++it) {
          const Script& s = **it;
          if (s.match_count_tokens != count) continue;
          if (!s.match_model.empty() && s.match_model != model) continue;
          picked = std::move(*it);
          queue.erase(it);
          break;
        }
        if (!picked && !count) picked = default_script ? default_script : builtin;
      }
    }
    cv.notify_all();
    return picked;
  }

  void count_disconnect() {
    {
      std::lock_guard lock(mu);
      ++disconnects;
    }
    cv.notify_all();
  }
};

namespace {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Site Overloaded";
    default: return "Status";
  }
}

void append_num(std::string& out, uint64_t v, int base = 10) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v, base);
  out.append(buf, r.ptr);
}

enum class Outcome : uint8_t { Done, Closed, Disconnected };

/// One connection: read requests (keep-alive), answer each from its script.
class Session {
 public:
  Session(MockServer::Impl& impl, tcp::socket sock) : impl_(impl), sock_(std::move(sock)) {}

  asio::awaitable<void> run() {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(256u << 20);
      parser.header_limit(256u << 10);
      auto [ec, n] = co_await http::async_read(sock_, buf_, parser, kTuple);
      if (ec) co_return;  // closed between requests, or not HTTP
      auto req = parser.release();
      bool keep_alive = req.keep_alive();
      const Script* script = prepare(req);
      Outcome out = co_await send(script ? *script : builtin_script(), keep_alive);
      script_.reset();
      if (out == Outcome::Disconnected) impl_.count_disconnect();
      if (out != Outcome::Done || !keep_alive || reply_.close_after) {
        boost::system::error_code ignored;
        sock_.shutdown(tcp::socket::shutdown_both, ignored);
        sock_.close(ignored);
        co_return;
      }
    }
  }

 private:
  /// Route, probe, log, pick the script and render the reply (no suspension in between: the
  /// probe's views live in this thread's JSON reader).
  const Script* prepare(const http::request<http::string_body>& req) {
    reply_.clear();
    std::string_view target = req.target();
    size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    Route route = route_request(req.method_string(), path, query);

    RenderContext ctx;
    ctx.wire = route.wire;
    ctx.now = static_cast<int64_t>(std::time(nullptr));
    ctx.prompt_tokens = std::max<int64_t>(1, estimate_tokens(req.body().size()));

    if (route.kind == Route::Kind::Unknown) {
      impl_.admit(req, path, query, route, {}, false, ctx.serial);
      std::string msg = "Unknown request URL: ";
      msg.append(req.method_string()).append(" ").append(path)
          .append(". Please check the URL for typos, or see the docs at "
                  "https://platform.openai.com/docs/api-reference/.");
      ctx.wire = Wire::OpenAIChat;
      render_error(ctx, 404, "invalid_request_error", msg, "unknown_url", {}, reply_);
      return nullptr;
    }
    auto probe = probe_body(route, req.body());
    if (!probe) {
      impl_.admit(req, path, query, route, {}, false, ctx.serial);
      ctx.stream = route.gemini_stream;
      ctx.gemini_sse = route.gemini_sse;
      render_error(ctx, 400, {}, probe.error().message, {}, {}, reply_);
      return nullptr;
    }
    ctx.model = probe->model;
    ctx.stream = probe->stream;
    ctx.include_usage = probe->include_usage;
    ctx.gemini_sse = route.gemini_sse;
    script_ = impl_.admit(req, path, query, route, probe->model, true, ctx.serial);

    if (route.kind == Route::Kind::CountTokens) {
      ctx.stream = false;
      if (script_ && (script_->status >= 400 || script_->has_replay)) {
        render_reply(*script_, ctx, reply_);
      } else {
        int64_t n = script_ && script_->usage_input >= 0 ? script_->usage_input : ctx.prompt_tokens;
        render_count_tokens(ctx, n, reply_);
      }
      return script_.get();
    }
    if (script_->echo) {
      last_user_text(route, echo_);
      ctx.echo_text = echo_;
    }
    render_reply(*script_, ctx, reply_);
    return script_.get();
  }

  void build_head(bool keep_alive) {
    head_.clear();
    head_.append("HTTP/1.1 ");
    append_num(head_, static_cast<uint64_t>(reply_.status));
    head_.push_back(' ');
    head_.append(reason_phrase(reply_.status)).append("\r\ncontent-type: ")
        .append(reply_.content_type).append("\r\n");
    if (reply_.chunked) {
      head_.append("transfer-encoding: chunked\r\n");
    } else {
      head_.append("content-length: ");
      append_num(head_, reply_.body.size());
      head_.append("\r\n");
    }
    head_.append(reply_.head_extra);
    if (!keep_alive || reply_.close_after) head_.append("connection: close\r\n");
    head_.append("\r\n");
  }

  /// Wait `d` unless the client goes away first (false). Bytes the client sends meanwhile (a
  /// pipelined request) are kept for the next read.
  asio::awaitable<bool> wait(Clock::duration d) {
    using namespace asio::experimental::awaitable_operators;
    if (d <= Clock::duration::zero()) co_return true;
    auto deadline = Clock::now() + d;
    asio::steady_timer timer(sock_.get_executor());
    for (;;) {
      timer.expires_at(deadline);
      auto mb = buf_.prepare(4096);
      auto res = co_await (timer.async_wait(kTuple) || sock_.async_read_some(mb, kTuple));
      if (res.index() == 0) co_return true;
      auto [ec, n] = std::get<1>(res);
      if (ec) co_return false;
      buf_.commit(n);
      if (Clock::now() >= deadline) co_return true;
    }
  }

  asio::awaitable<bool> write(std::string_view bytes) {
    if (bytes.empty()) co_return true;
    auto [ec, n] = co_await asio::async_write(sock_, asio::buffer(bytes.data(), bytes.size()), kTuple);
    co_return !ec;
  }

  void append_chunk(size_t from, size_t to) {
    if (to <= from) return;
    append_num(out_, to - from, 16);
    out_.append("\r\n").append(reply_.body, from, to - from).append("\r\n");
  }

  /// Write out_ plus the body bytes [sent_to, pos) as one chunk.
  asio::awaitable<bool> flush(size_t& sent_to, size_t pos) {
    append_chunk(sent_to, pos);
    sent_to = pos;
    bool ok = co_await write(out_);
    out_.clear();
    co_return ok;
  }

  asio::awaitable<Outcome> send(const Script& s, bool keep_alive) {
    build_head(keep_alive);
    {
      bool ok_ = co_await wait(std::chrono::milliseconds(s.first_byte_delay_ms));
      if (!ok_) co_return Outcome::Disconnected;
    }
    Outcome out = Outcome::Done;
    if (!reply_.chunked) out = co_await send_plain(s);
    else out = co_await send_stream(s);
    co_return out;
  }

  asio::awaitable<Outcome> send_plain(const Script& s) {
    const std::string& body = reply_.body;
    if (reply_.status < 400 && !s.has_replay) {
      auto delay = std::chrono::microseconds(static_cast<int64_t>(s.ttft_ms) * 1000);
      if (s.tokens_per_s > 0) {
        delay += std::chrono::microseconds(
            static_cast<int64_t>(static_cast<double>(reply_.output_tokens) * 1e6 / s.tokens_per_s));
      }
      {
        bool ok_ = co_await wait(delay);
        if (!ok_) co_return Outcome::Disconnected;
      }
    }
    out_.assign(head_);
    if (s.cut_after_chunks >= 0) {
      out_.append(body, 0, std::min(body.size(), static_cast<size_t>(s.cut_after_chunks)));
      co_await write(out_);
      co_return Outcome::Closed;
    }
    size_t split = body.size();
    if (s.stall_after_chunks >= 0) split = std::min(body.size(), static_cast<size_t>(s.stall_after_chunks));
    out_.append(body, 0, split);
    if (split < body.size() || s.stall_after_chunks >= 0) {
      {
        bool ok_ = co_await write(out_);
        if (!ok_) co_return Outcome::Disconnected;
      }
      {
        bool ok_ = co_await wait(std::chrono::milliseconds(s.stall_ms));
        if (!ok_) co_return Outcome::Disconnected;
      }
      out_.assign(body, split, body.size() - split);
    }
    {
      bool ok_ = co_await write(out_);
      if (!ok_) co_return Outcome::Disconnected;
    }
    co_return Outcome::Done;
  }

  asio::awaitable<Outcome> send_stream(const Script& s) {
    const auto& frames = reply_.frames;
    const bool paced = s.ttft_ms > 0 || s.tokens_per_s > 0 || s.jitter_ms > 0;
    const auto gap = s.tokens_per_s > 0
                         ? std::chrono::microseconds(static_cast<int64_t>(1e6 / s.tokens_per_s))
                         : std::chrono::microseconds(0);
    std::minstd_rand rng(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(this)));
    out_.assign(head_);
    size_t sent_to = 0;  // body bytes already placed in out_ / on the wire
    size_t pos = 0;      // end of the frames taken so far
    bool seen_content = false;

    for (size_t i = 0; i <= frames.size(); ++i) {
      if (s.cut_after_chunks >= 0 && i == static_cast<size_t>(s.cut_after_chunks)) {
        co_await flush(sent_to, pos);
        co_return Outcome::Closed;
      }
      if (s.stall_after_chunks >= 0 && i == static_cast<size_t>(s.stall_after_chunks)) {
        {
          bool ok_ = co_await flush(sent_to, pos);
          if (!ok_) co_return Outcome::Disconnected;
        }
        {
          bool ok_ = co_await wait(std::chrono::milliseconds(s.stall_ms));
          if (!ok_) co_return Outcome::Disconnected;
        }
      }
      if (i == frames.size()) break;
      if (paced && frames[i].content) {
        auto delay = seen_content ? std::chrono::duration_cast<Clock::duration>(gap)
                                  : std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::milliseconds(s.ttft_ms));
        if (seen_content && s.jitter_ms > 0) {
          delay += std::chrono::microseconds(rng() % (static_cast<uint32_t>(s.jitter_ms) * 1000 + 1));
        }
        seen_content = true;
        if (delay > Clock::duration::zero()) {
          {
            bool ok_ = co_await flush(sent_to, pos);
            if (!ok_) co_return Outcome::Disconnected;
          }
          {
            bool ok_ = co_await wait(delay);
            if (!ok_) co_return Outcome::Disconnected;
          }
        }
      }
      pos = frames[i].end;
    }
    append_chunk(sent_to, pos);
    sent_to = pos;
    out_.append("0\r\n\r\n");
    {
      bool ok_ = co_await write(out_);
      if (!ok_) co_return Outcome::Disconnected;
    }
    co_return Outcome::Done;
  }

  MockServer::Impl& impl_;
  tcp::socket sock_;
  beast::flat_buffer buf_;
  std::shared_ptr<const Script> script_;
  Reply reply_;
  std::string echo_;
  std::string head_;
  std::string out_;
};

asio::awaitable<void> accept_loop(MockServer::Impl& impl) {
  for (;;) {
    auto [ec, sock] = co_await impl.acceptor->async_accept(asio::make_strand(*impl.io), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !impl.acceptor->is_open()) co_return;
      continue;
    }
    boost::system::error_code ignored;
    sock.set_option(tcp::no_delay(true), ignored);
    auto exec = sock.get_executor();
    auto session = std::make_shared<Session>(impl, std::move(sock));
    asio::co_spawn(exec, [session]() { return session->run(); }, [](std::exception_ptr) {});
  }
}

}  // namespace

MockServer::MockServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MockServer::~MockServer() { stop(); }

Result<std::unique_ptr<MockServer>> MockServer::start(MockOptions opts) {
  auto impl = std::make_unique<Impl>();
  impl->opts = std::move(opts);
  impl->log_full.store(impl->opts.request_log_limit == 0);
  int threads = std::max(1, impl->opts.threads);
  impl->io.emplace(threads);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(impl->opts.host, ec);
  if (ec) return Error::make(ErrorKind::Internal, "simulator: bad host '" + impl->opts.host + "'");
  tcp::endpoint ep(addr, impl->opts.port);
  impl->acceptor.emplace(asio::make_strand(*impl->io));
  auto& acc = *impl->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::make(ErrorKind::Internal, "simulator: cannot listen: " + ec.message());
  }
  impl->port = acc.local_endpoint(ec).port();
  Impl& ref = *impl;
  asio::co_spawn(acc.get_executor(), accept_loop(ref), [](std::exception_ptr) {});
  for (int i = 0; i < threads; ++i) impl->threads.emplace_back([&ref] { ref.io->run(); });
  return std::unique_ptr<MockServer>(new MockServer(std::move(impl)));
}

uint16_t MockServer::port() const { return impl_->port; }

void MockServer::stop() {
  std::call_once(impl_->stop_once, [this] {
    impl_->io->stop();
    for (auto& t : impl_->threads) t.join();
    impl_->threads.clear();
    impl_->acceptor.reset();
    impl_->io.reset();  // destroys pending sessions, closing their sockets
  });
}

Status MockServer::enqueue(std::string_view script_json) {
  auto s = parse_script(script_json);
  if (!s) return s.take_error();
  auto sp = std::make_shared<const Script>(std::move(s.value()));
  std::lock_guard lock(impl_->mu);
  impl_->queue.push_back(std::move(sp));
  return {};
}

Status MockServer::set_default(std::string_view script_json) {
  auto s = parse_script(script_json);
  if (!s) return s.take_error();
  auto sp = std::make_shared<const Script>(std::move(s.value()));
  std::lock_guard lock(impl_->mu);
  impl_->default_script = std::move(sp);
  return {};
}

void MockServer::clear() {
  std::lock_guard lock(impl_->mu);
  impl_->queue.clear();
  impl_->default_script.reset();
  impl_->log.clear();
  impl_->log_full.store(impl_->opts.request_log_limit == 0, std::memory_order_relaxed);
  impl_->request_count = 0;
  impl_->disconnects = 0;
  impl_->serial = 0;
}

std::vector<RecordedRequest> MockServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->log;
}

size_t MockServer::request_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->request_count;
}

size_t MockServer::disconnects() const {
  std::lock_guard lock(impl_->mu);
  return impl_->disconnects;
}

bool MockServer::wait_for_disconnects(size_t n, int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return impl_->disconnects >= n; });
}

bool MockServer::wait_for_requests(size_t n, int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return impl_->request_count >= n; });
}

}  // namespace openrain::sim
