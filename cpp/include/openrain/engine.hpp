// engine.hpp — the Engine facade: one engine behind all three entry points.
//
// Owns: the shards — one io_context per worker thread, each run by exactly that thread — the
// immutable config snapshot, the surfaces (by path), the upstream client (whose keep-alive pools
// are kept per shard), and the request pipeline. A request, its upstream connection and its
// keep-alive pinger all live on one shard, so nothing on the hot path needs a strand, a lock or
// a cross-thread wake-up. Entry points:
//   * serve()  — a coroutine the native Beast server co_awaits per request, writing to its own
//                ResponseSink (no Python anywhere).
//   * submit() — from any thread (the Python bindings: ASGI app and Python API): returns an
//                Exchange, a bounded thread-safe queue of response parts with an eventfd for
//                asyncio; a stream whose consumer falls behind suspends its request coroutine
//                (never the shard's thread) until the consumer drains it.
// Thread-safety: all public methods are thread-safe. Requests run on the engine's threads; each
// request is confined to one shard (one thread). Config is shared read-only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "openrain/config.hpp"
#include "openrain/http.hpp"
#include "openrain/status.hpp"

namespace openrain {

/// Thread-safe one-shot cancellation: cancel() runs the registered handler once.
/// Handlers must be cheap and thread-safe (typically: post a socket close to an executor).
class CancelToken {
 public:
  void cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  /// Register the handler; runs it immediately if already cancelled. Replaces a previous one.
  void on_cancel(std::function<void()> fn);
  void clear();

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  std::function<void()> fn_;
};

/// Where the pipeline writes one response. Implemented by the native server's session and by
/// Exchange. All calls happen on the engine's executor, in order: start, write*, end — or
/// send_full alone.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  /// Send a complete (non-streaming) response.
  virtual boost::asio::awaitable<Status> send_full(ResponseHead head, std::string body) = 0;
  /// Begin a streaming response of unknown length.
  virtual boost::asio::awaitable<Status> start_stream(ResponseHead head) = 0;
  /// Send stream bytes. An error means the caller is gone: the pipeline cancels the upstream.
  virtual boost::asio::awaitable<Status> write(std::string_view bytes) = 0;
  virtual boost::asio::awaitable<Status> end_stream() = 0;
};

/// A response consumed from a foreign thread (Python). Parts are pushed by the engine and
/// popped in batches by the consumer; notify_fd() becomes readable whenever parts are pending.
///
/// Backpressure: a streamed write() that leaves more than max_queued_bytes() queued suspends the
/// producing coroutine — never its thread: the shard keeps running other requests — until the
/// consumer has drained the queue (next_batch takes every queued part, so the producer refills
/// from empty: the hysteresis is the whole limit), or cancelled. The upstream is not read
/// meanwhile, so TCP flow control pushes back on it, and the queue never holds more than the
/// limit plus one part. send_full() bodies are bounded by the provider's response limit and never
/// wait. The suspended producer reads an eventfd that the consumer (or cancel()) writes to, so
/// waking it never touches the engine's io_context from the consumer's thread, and the Exchange
/// may outlive the engine.
class Exchange final : public ResponseSink {
 public:
  static constexpr std::size_t kDefaultMaxQueuedBytes = std::size_t{1} << 20;

  /// `max_queued_bytes` 0 = kDefaultMaxQueuedBytes.
  explicit Exchange(std::size_t max_queued_bytes = kDefaultMaxQueuedBytes);
  ~Exchange() override;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // --- consumer side (any thread) ---
  /// Block up to `timeout` for the response head. Returns false on timeout.
  bool wait_head(std::chrono::milliseconds timeout);
  const ResponseHead& head() const { return head_; }
  bool streaming() const { return streaming_; }
  /// Block up to `timeout` for body parts; moves all pending parts into `out` (waking a producer
  /// suspended by backpressure). Returns true once the body is complete and drained (then `out`
  /// holds the last parts).
  bool next_batch(std::vector<std::string>& out, std::chrono::milliseconds timeout);
  /// eventfd readable while head or parts are pending (level-triggered; drained by next_batch
  /// and wait_head).
  int notify_fd() const { return efd_; }
  /// The caller went away: cancel the upstream request, drop the queued parts and wake a
  /// producer suspended by backpressure.
  void cancel();
  CancelToken& cancel_token() { return cancel_; }

  // --- introspection (any thread) ---
  std::size_t max_queued_bytes() const { return max_queued_; }
  /// Bytes pushed by the engine and not yet taken by the consumer.
  std::size_t queued_bytes() const;
  /// The most bytes ever queued at once.
  std::size_t peak_queued_bytes() const;
  /// How many times backpressure suspended the producer.
  uint64_t stalls() const;
  /// Block up to `timeout` until the engine can go no further without the consumer: its
  /// producer is suspended by backpressure, or the response is complete (after cancel(): only
  /// the latter). For diagnostics and tests (a deterministic "slow consumer").
  bool wait_stalled(std::chrono::milliseconds timeout);

  // --- producer side (engine executor) ---
  boost::asio::awaitable<Status> send_full(ResponseHead head, std::string body) override;
  boost::asio::awaitable<Status> start_stream(ResponseHead head) override;
  /// Queue `bytes`; suspends while the queue is over the limit (see above). Cancelled once the
  /// consumer cancelled.
  boost::asio::awaitable<Status> write(std::string_view bytes) override;
  boost::asio::awaitable<Status> end_stream() override;
  /// Mark complete without a body (used when the pipeline itself fails unexpectedly).
  void abort();

 private:
  /// Queue `part`; returns true when the producer must now wait for the consumer.
  bool push(std::string part, bool head, bool done);
  boost::asio::awaitable<Status> wait_for_space();
  void signal();
  void drain_fd();
  void wake_producer_locked();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  ResponseHead head_;
  bool have_head_ = false;
  bool streaming_ = false;
  bool done_ = false;
  std::deque<std::string> parts_;
  CancelToken cancel_;
  int efd_ = -1;
  // Backpressure (guarded by mu_).
  const std::size_t max_queued_;
  std::size_t queued_ = 0;
  std::size_t peak_ = 0;
  uint64_t stalls_ = 0;
  bool producer_waiting_ = false;
  bool consumer_cancelled_ = false;
  int space_fd_ = -1;  // eventfd the consumer writes to wake the producer; made at the first stall
};

struct EngineOptions {
  int threads = 1;  // engine worker threads (0 = hardware concurrency)
};

class UpstreamClient;  // net/upstream_client.hpp
class Pipeline;        // pipeline/pipeline.hpp

class Engine {
 public:
  /// Build an engine for `config`. Does not start threads.
  static Result<std::unique_ptr<Engine>> create(std::shared_ptr<const GatewayConfig> config,
                                                EngineOptions options = {});
  ~Engine();

  /// Start worker threads (idempotent). The engine is started lazily by submit() too.
  void start();
  /// Stop: cancel in-flight work, join threads (idempotent).
  void stop();

  /// The first shard's io_context (every engine has at least one shard).
  boost::asio::io_context& io() { return shards_.front()->io; }
  /// Shard `i` (0 ≤ i < shard_count()); each is run by exactly one engine thread once started.
  boost::asio::io_context& shard(std::size_t i) { return shards_[i]->io; }
  std::size_t shard_count() const { return shards_.size(); }
  std::shared_ptr<const GatewayConfig> config() const;

  /// Serve one request, writing the response to `sink`. Runs on the engine's executor.
  boost::asio::awaitable<void> serve(HttpRequest req, ResponseSink& sink, CancelToken& cancel);
  /// Serve one request from a foreign thread; the returned Exchange receives the response and
  /// queues at most about `max_queued_bytes` of it (0 = Exchange::kDefaultMaxQueuedBytes).
  std::shared_ptr<Exchange> submit(HttpRequest req, std::size_t max_queued_bytes = 0);
  /// Render `err` in the native error shape of the surface that owns `path` (OpenAI shape when
  /// no surface matches). Used by the native server for errors found before the pipeline runs
  /// (e.g. a body over the size limit → 413).
  void render_error_for_path(std::string_view path, const Error& err, ResponseHead& head,
                             std::string& body) const;

 private:
  Engine(std::shared_ptr<const GatewayConfig> config, EngineOptions options);

  struct Shard {
    Shard() : io(1) {}  // concurrency hint 1: exactly one thread runs it
    boost::asio::io_context io;
    std::thread thread;
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  };

  void schedule_trim();

  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::size_t> next_shard_{0};  // submit(): round robin over the shards
  // Memory hygiene: after a burst, glibc keeps freed memory in its per-thread arenas. A timer on
  // shard 0 hands it back (malloc_trim) after a quiet interval with no request served. Declared after shards_ so
  // it is destroyed before the io_context it belongs to.
  std::atomic<int64_t> inflight_{0};
  std::atomic<uint64_t> served_{0};
  uint64_t served_at_trim_ = 0;  // shard 0 only
  uint64_t served_at_tick_ = 0;  // shard 0 only
  std::unique_ptr<boost::asio::steady_timer> trim_timer_;
  std::shared_ptr<const GatewayConfig> config_;
  EngineOptions options_;
  std::unique_ptr<UpstreamClient> upstream_;
  std::unique_ptr<Pipeline> pipeline_;
  std::mutex start_mu_;
  bool started_ = false;
};

}  // namespace openrain
