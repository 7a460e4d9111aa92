// sim/mock_server.hpp — OpenRain's in-process provider simulator: an HTTP/1.1 server that answers
// like OpenAI Chat Completions, Anthropic Messages and Gemini generateContent, driven by scripts.
//
// Owns: its io_context and thread(s), the listening socket, every connection (keep-alive, one
// coroutine per connection on its own strand), the FIFO of one-shot reply scripts, the default
// script, the request log and the counters. Tests, the demo and the benchmarks use it as the
// upstream, so the hot path is cheap: scripts are parsed once when queued, routing is plain string
// comparison, each connection reuses its reply buffers, a whole unpaced response leaves in one
// write, and pacing / stalls use timers (a thread is never blocked).
//
// Routing (POST only; anything else → 404 in OpenAI's error shape):
//   .../chat/completions                      OpenAI ("stream":true → SSE; a usage chunk with
//                                             choices:[] only when stream_options.include_usage)
//   .../v1/messages[?beta=true]               Anthropic ("stream":true → named SSE events)
//   .../v1/messages/count_tokens              Anthropic {"input_tokens":N}
//   .../models/{model}:generateContent        Gemini JSON
//   .../models/{model}:streamGenerateContent  Gemini stream: ?alt=sse → SSE with "\r\n\r\n",
//                                             otherwise one JSON array streamed element by element
//   .../models/{model}:countTokens            Gemini {"totalTokens": N, ...}
// The response `model` echoes the request's model (Gemini modelVersion = the model in the path).
// A body that is not JSON gets a 400 in the provider's shape and consumes no script.
// Count-token answers use (body bytes + 3) / 4 unless a queued script with
// "match": {"count_tokens": true} says otherwise (see sim/script.hpp for the script language).
//
// Disconnects: when the client closes while a response is delayed, paced, stalled or being
// written, the response is abandoned and counted in disconnects(); waiters are woken.
// Thread-safety: every public member may be called from any thread while the server runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openrain/http.hpp"
#include "openrain/status.hpp"

namespace openrain::sim {

struct MockOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;              // 0 = pick a free port (see MockServer::port())
  int threads = 1;                // io_context threads
  size_t request_log_limit = 10000;  // keep at most this many in requests(); benchmarks: 0
};

struct RecordedRequest {
  std::string method, path, query;  // path without the query; query without '?'
  Headers headers;                  // lower-case names, arrival order
  std::string body;
};

class MockServer {
 public:
  /// Listen on opts.host:opts.port and start serving on opts.threads threads.
  /// Errors: Internal (bad address, port in use).
  static Result<std::unique_ptr<MockServer>> start(MockOptions opts);
  ~MockServer();  // stops
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  uint16_t port() const;
  /// Close the listener and every connection, join the threads. Idempotent.
  void stop();

  /// Queue a one-shot reply script (FIFO; a script with "match" is skipped by requests it does
  /// not match). Errors: InvalidRequest naming the bad script key.
  Status enqueue(std::string_view script_json);
  /// Reply used when no queued script applies (replaces the builtin reply).
  Status set_default(std::string_view script_json);
  /// Drop the queue, restore the builtin default, clear the request log and the counters
  /// (request_count, disconnects, and the response serial used in generated ids).
  void clear();

  /// Everything received, in arrival order (up to MockOptions::request_log_limit).
  std::vector<RecordedRequest> requests() const;
  size_t request_count() const;
  /// Responses abandoned because the client closed before they were complete.
  size_t disconnects() const;
  /// Block until disconnects() >= n or the timeout expires; returns whether it was reached.
  bool wait_for_disconnects(size_t n, int timeout_ms) const;
  /// Block until request_count() >= n or the timeout expires; returns whether it was reached.
  bool wait_for_requests(size_t n, int timeout_ms) const;

  struct Impl;

 private:
  explicit MockServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openrain::sim
