#include "openrain/engine.hpp"

#include <malloc.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>

#include "net/upstream_client.hpp"
#include "pipeline/pipeline.hpp"

namespace asio = boost::asio;

namespace openrain {

// ---- CancelToken --------------------------------------------------------------------------

void CancelToken::cancel() {
  std::function<void()> fn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
    fn = std::move(fn_);
    fn_ = nullptr;
  }
  if (fn) fn();
}

void CancelToken::on_cancel(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_.load(std::memory_order_acquire)) {
      fn_ = std::move(fn);
      return;
    }
  }
  if (fn) fn();
}

void CancelToken::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  fn_ = nullptr;
}

// ---- Exchange -----------------------------------------------------------------------------

Exchange::Exchange(std::size_t max_queued_bytes)
    : efd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      max_queued_(max_queued_bytes > 0 ? max_queued_bytes : kDefaultMaxQueuedBytes) {}

Exchange::~Exchange() {
  if (efd_ >= 0) ::close(efd_);
  if (space_fd_ >= 0) ::close(space_fd_);
}

void Exchange::signal() {
  if (efd_ >= 0) {
    uint64_t one = 1;
    ssize_t r = ::write(efd_, &one, sizeof one);
    (void)r;
  }
}

void Exchange::drain_fd() {
  if (efd_ >= 0) {
    uint64_t v;
    ssize_t r = ::read(efd_, &v, sizeof v);
    (void)r;
  }
}

void Exchange::wake_producer_locked() {
  producer_waiting_ = false;
  if (space_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t r = ::write(space_fd_, &one, sizeof one);
    (void)r;
  }
}

bool Exchange::push(std::string part, bool head, bool done) {
  bool wait = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (head) have_head_ = true;
    if (!part.empty() && !consumer_cancelled_) {  // nobody reads a cancelled exchange
      queued_ += part.size();
      peak_ = std::max(peak_, queued_);
      parts_.push_back(std::move(part));
    }
    if (done) done_ = true;
    if (!done_ && !consumer_cancelled_ && queued_ > max_queued_) {
      if (space_fd_ < 0) space_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      wait = space_fd_ >= 0;  // (no fd left: degrade to an unbounded queue rather than fail)
      if (wait) {
        producer_waiting_ = true;
        ++stalls_;
      }
    }
  }
  cv_.notify_all();
  signal();
  return wait;
}

asio::awaitable<Status> Exchange::wait_for_space() {
  // The descriptor only borrows space_fd_ (owned by this Exchange, which outlives the request
  // coroutine): release it before it is destroyed, also when the frame is destroyed suspended.
  // Reading (not async_wait) both resets the eventfd and is race-free on any executor: the
  // reactor retries the read on every readiness edge after its first attempt.
  asio::posix::stream_descriptor fd(co_await asio::this_coro::executor, space_fd_);
  struct Borrow {
    asio::posix::stream_descriptor& d;
    ~Borrow() { d.release(); }
  } borrow{fd};
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (consumer_cancelled_) break;
      if (!producer_waiting_) co_return Status{};
    }
    uint64_t v = 0;
    auto [ec, n] = co_await fd.async_read_some(asio::buffer(&v, sizeof v),
                                               asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (ec) {  // the reactor failed us: stop waiting (unbounded from here) rather than spin
      std::lock_guard<std::mutex> lock(mu_);
      if (consumer_cancelled_) break;
      producer_waiting_ = false;
      co_return Status{};
    }
  }
  co_return Error::make(ErrorKind::Cancelled, "the caller cancelled the request");
}

bool Exchange::wait_head(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  bool ok = cv_.wait_for(lock, timeout, [&] { return have_head_; });
  return ok;
}

bool Exchange::next_batch(std::vector<std::string>& out, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !parts_.empty() || done_; });
  while (!parts_.empty()) {
    out.push_back(std::move(parts_.front()));
    parts_.pop_front();
  }
  queued_ = 0;  // everything was taken: far below any low-water mark, so resume the producer
  if (producer_waiting_) wake_producer_locked();
  drain_fd();
  return done_;
}

void Exchange::cancel() {
  cancel_.cancel();  // first: the upstream client closes its connection
  std::deque<std::string> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    consumer_cancelled_ = true;
    dropped.swap(parts_);  // freed outside the lock
    queued_ = 0;
    if (producer_waiting_) wake_producer_locked();
  }
}

std::size_t Exchange::queued_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_;
}

std::size_t Exchange::peak_queued_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_;
}

uint64_t Exchange::stalls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stalls_;
}

bool Exchange::wait_stalled(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  // After a cancel nothing waits for the consumer any more: wait for the end of the request.
  return cv_.wait_for(lock, timeout,
                      [&] { return (producer_waiting_ && !consumer_cancelled_) || done_; });
}

asio::awaitable<Status> Exchange::send_full(ResponseHead head, std::string body) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    head_ = std::move(head);
    streaming_ = false;
  }
  push(std::move(body), true, true);
  co_return Status{};
}

asio::awaitable<Status> Exchange::start_stream(ResponseHead head) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    head_ = std::move(head);
    streaming_ = true;
  }
  push({}, true, false);
  co_return Status{};
}

asio::awaitable<Status> Exchange::write(std::string_view bytes) {
  if (cancel_.cancelled()) {
    co_return Error::make(ErrorKind::Cancelled, "the caller cancelled the request");
  }
  if (push(std::string(bytes), false, false)) {
    Status waited = co_await wait_for_space();
    co_return waited;
  }
  co_return Status{};
}

asio::awaitable<Status> Exchange::end_stream() {
  push({}, false, true);
  co_return Status{};
}

void Exchange::abort() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!have_head_) {
      head_.status = 500;
      head_.headers = {{"content-type", "application/json"}};
      std::string body =
          "{\"error\":{\"message\":\"internal error\",\"type\":\"server_error\",\"param\":null,"
          "\"code\":null}}";
      queued_ += body.size();
      peak_ = std::max(peak_, queued_);
      parts_.push_back(std::move(body));
    }
  }
  push({}, true, true);
}

// ---- Engine -------------------------------------------------------------------------------

Engine::Engine(std::shared_ptr<const GatewayConfig> config, EngineOptions options)
    : config_(std::move(config)), options_(options) {
  const int n = options.threads > 0 ? options.threads : 1;
  std::vector<const asio::execution_context*> serial;
  for (int i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Shard>());
    serial.push_back(&shards_.back()->io);
  }
  upstream_ = std::make_unique<UpstreamClient>(shards_.front()->io, std::move(serial));
  pipeline_ = std::make_unique<Pipeline>(config_, *upstream_);
}

Result<std::unique_ptr<Engine>> Engine::create(std::shared_ptr<const GatewayConfig> config,
                                               EngineOptions options) {
  if (!config) return Error::make(ErrorKind::Internal, "engine created without a config");
  if (options.threads <= 0) {
    options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  return std::unique_ptr<Engine>(new Engine(std::move(config), options));
}

Engine::~Engine() { stop(); }

void Engine::start() {
  std::lock_guard<std::mutex> lock(start_mu_);
  if (started_) return;
  started_ = true;
  trim_timer_ = std::make_unique<asio::steady_timer>(shards_.front()->io);
  schedule_trim();
  for (auto& shard : shards_) {
    Shard* sh = shard.get();
    sh->work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        sh->io.get_executor());
    sh->thread = std::thread([sh] {
      for (;;) {
        try {
          sh->io.run();
          return;
        } catch (const std::exception& e) {  // backstop: never let a handler kill the thread
          std::fprintf(stderr, "openrain: engine handler threw: %s\n", e.what());
        }
      }
    });
  }
}

namespace {
constexpr auto kTrimInterval = std::chrono::seconds(2);
}

void Engine::schedule_trim() {
  trim_timer_->expires_after(kTrimInterval);
  trim_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    // Trim only after a whole quiet interval (nothing served, nothing in flight) that followed
    // some work: malloc_trim walks every arena and the pages it returns fault back in when
    // reused, so it must never run while traffic flows.
    const uint64_t served = served_.load(std::memory_order_relaxed);
    const bool quiet = served == served_at_tick_ && inflight_.load(std::memory_order_relaxed) == 0;
    if (quiet && served != served_at_trim_) {
      served_at_trim_ = served;
      ::malloc_trim(0);
    }
    served_at_tick_ = served;
    upstream_->reap_idle(std::chrono::steady_clock::now());  // pools of upstreams gone quiet
    schedule_trim();
  });
}

void Engine::stop() {
  std::lock_guard<std::mutex> lock(start_mu_);
  if (!started_) return;
  for (auto& sh : shards_) {
    sh->work.reset();
    sh->io.stop();
  }
  for (auto& sh : shards_) {
    if (sh->thread.joinable()) sh->thread.join();
  }
  trim_timer_.reset();  // its cancelled wait is destroyed with the queue below, never invoked
  for (auto& sh : shards_) sh->io.restart();
  started_ = false;
}

std::shared_ptr<const GatewayConfig> Engine::config() const { return config_; }

asio::awaitable<void> Engine::serve(HttpRequest req, ResponseSink& sink, CancelToken& cancel) {
  struct InFlight {  // counts requests for the idle-time malloc_trim
    Engine& e;
    explicit InFlight(Engine& en) : e(en) { e.inflight_.fetch_add(1, std::memory_order_relaxed); }
    ~InFlight() {
      e.inflight_.fetch_sub(1, std::memory_order_relaxed);
      e.served_.fetch_add(1, std::memory_order_relaxed);
    }
  } in_flight(*this);
  std::string path = req.path;
  bool failed = false;
  try {
    co_await pipeline_->run(std::move(req), sink, cancel);
  } catch (const std::exception& e) {  // backstop; the data plane itself never throws
    std::fprintf(stderr, "openrain: request pipeline threw: %s\n", e.what());
    failed = true;
  }
  if (failed) {
    ResponseHead head;
    std::string body;
    pipeline_->render_error(path, Error::make(ErrorKind::Internal, "internal error"), head, body);
    co_await sink.send_full(std::move(head), std::move(body));
  }
}

std::shared_ptr<Exchange> Engine::submit(HttpRequest req, std::size_t max_queued_bytes) {
  start();
  auto ex = std::make_shared<Exchange>(max_queued_bytes);
  // Round robin over the shards; a shard is single-threaded, so the request coroutine, its
  // upstream connection and its keep-alive pinger are serialised without locks.
  Shard& shard = *shards_[next_shard_.fetch_add(1, std::memory_order_relaxed) % shards_.size()];
  asio::co_spawn(
      shard.io,
      [this, ex, req = std::move(req)]() mutable -> asio::awaitable<void> {
        // An engine destroyed while this request is suspended destroys this frame unfinished:
        // then drop the upstream's cancel handler (it posts to this engine's io_context and holds
        // the upstream connection), so the Exchange, which Python may keep, outlives the engine.
        struct Detach {
          Exchange& ex;
          ~Detach() { ex.cancel_token().clear(); }
        } detach{*ex};
        co_await serve(std::move(req), *ex, ex->cancel_token());
        ex->abort();  // no-op when the pipeline completed the exchange; safety net otherwise
      },
      [ex](std::exception_ptr e) {
        if (e) ex->abort();
      });
  return ex;
}

void Engine::render_error_for_path(std::string_view path, const Error& err, ResponseHead& head,
                                   std::string& body) const {
  pipeline_->render_error(path, err, head, body);
}

}  // namespace openrain
