#include "openrain/engine.hpp"

#include <malloc.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

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

Exchange::Exchange() : efd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Exchange::~Exchange() {
  if (efd_ >= 0) ::close(efd_);
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

void Exchange::push(std::string part, bool head, bool done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (head) have_head_ = true;
    if (!part.empty()) parts_.push_back(std::move(part));
    if (done) done_ = true;
  }
  cv_.notify_all();
  signal();
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
  drain_fd();
  return done_;
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
  push(std::string(bytes), false, false);
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
      parts_.push_back(
          "{\"error\":{\"message\":\"internal error\",\"type\":\"server_error\",\"param\":null,"
          "\"code\":null}}");
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

std::shared_ptr<Exchange> Engine::submit(HttpRequest req) {
  start();
  auto ex = std::make_shared<Exchange>();
  // Round robin over the shards; a shard is single-threaded, so the request coroutine, its
  // upstream connection and its keep-alive pinger are serialised without locks.
  Shard& shard = *shards_[next_shard_.fetch_add(1, std::memory_order_relaxed) % shards_.size()];
  asio::co_spawn(
      shard.io,
      [this, ex, req = std::move(req)]() mutable -> asio::awaitable<void> {
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
