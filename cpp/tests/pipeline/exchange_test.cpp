// Exchange backpressure through the real engine: a streamed response consumed from a foreign
// thread is bounded (the engine stops reading the upstream while the consumer lags), a cancel
// wakes the suspended producer and closes the upstream, and a stalled consumer never blocks the
// shard's thread. The simulator is the upstream; waits are on conditions, with timeouts only as
// failure guards.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openrain/config.hpp"
#include "openrain/engine.hpp"
#include "sim/mock_server.hpp"
#include "sse/framer.hpp"

namespace openrain {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kGuard{20'000};  // failure guard only: every wait ends on a condition

/// `bytes` of "00000000 00000001 ..." — every 9-byte word unique, so order and gaps show.
std::string numbered_text(size_t bytes) {
  std::string out;
  out.reserve(bytes + 9);
  char word[16];
  for (size_t i = 0; out.size() < bytes; ++i) {
    std::snprintf(word, sizeof word, "%08zu ", i);
    out += word;
  }
  return out;
}

/// The streamed text of an OpenAI Chat SSE body (delta contents joined); `done` = saw [DONE].
std::string stream_text(std::string_view body, bool& done) {
  sse::Framer framer;
  std::vector<sse::Event> events;
  EXPECT_TRUE(framer.feed(body, events).ok());
  std::string text;
  done = false;
  for (const auto& ev : events) {
    if (ev.data == "[DONE]") {
      done = true;
      continue;
    }
    constexpr std::string_view kKey = "\"content\":\"";
    size_t at = ev.data.find(kKey);
    if (at == std::string::npos) continue;
    at += kKey.size();
    size_t end = ev.data.find('"', at);  // the text is digits and spaces: nothing escaped
    EXPECT_NE(end, std::string::npos);
    text.append(ev.data, at, end - at);
  }
  return text;
}

class ExchangeBackpressure : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = sim::MockServer::start(sim::MockOptions{});
    ASSERT_TRUE(sim.ok()) << sim.error().message;
    sim_ = std::move(sim.value());
    auto cfg = parse_config_json(
        R"({"providers":[{"name":"sim","kind":"openai","base_url":"http://127.0.0.1:)" +
        std::to_string(sim_->port()) + R"(","api_key":"sim-key"}],
            "models":[{"alias":"m","provider":"sim","model":"gpt-x"}]})");
    ASSERT_TRUE(cfg.ok()) << cfg.error().message;
    auto engine = Engine::create(cfg.value(), EngineOptions{1});  // one shard: one io thread
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(engine.value());
    engine_->start();
  }
  void TearDown() override {
    if (engine_) engine_->stop();
    engine_.reset();
    sim_.reset();
  }

  void enqueue_text(const std::string& text, int chunks) {
    std::string script = R"({"text":")" + text + R"(","chunks":)" + std::to_string(chunks) + "}";
    auto st = sim_->enqueue(script);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  std::shared_ptr<Exchange> submit(bool stream, size_t max_queued) {
    HttpRequest req;
    req.path = "/v1/chat/completions";
    req.headers.emplace_back("content-type", "application/json");
    req.body = std::string(R"({"model":"m","stream":)") + (stream ? "true" : "false") +
               R"(,"messages":[{"role":"user","content":"hi"}]})";
    return engine_->submit(std::move(req), max_queued);
  }

  std::unique_ptr<sim::MockServer> sim_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(ExchangeBackpressure, SlowConsumerBoundsTheQueueAndGetsEveryByteInOrder) {
  const std::string text = numbered_text(20u << 20);  // 20 MiB in ~2000 deltas of ~10 KiB
  enqueue_text(text, 2000);
  constexpr size_t kLimit = 256u << 10;
  auto ex = submit(true, kLimit);
  ASSERT_TRUE(ex->wait_head(kGuard));
  ASSERT_EQ(ex->head().status, 200);
  EXPECT_EQ(ex->max_queued_bytes(), kLimit);

  // The slowest consumer: it only drains once the engine can go no further without it.
  std::string body;
  size_t largest_part = 0;
  bool done = false;
  int stalled_drains = 0;
  while (!done) {
    ASSERT_TRUE(ex->wait_stalled(kGuard));
    const size_t queued = ex->queued_bytes();
    EXPECT_LE(queued, ex->peak_queued_bytes());
    std::vector<std::string> parts;
    done = ex->next_batch(parts, milliseconds::zero());
    if (!done) {  // suspended by backpressure: the queue is over the limit
      EXPECT_GT(queued, kLimit);
      ++stalled_drains;
    }
    for (auto& p : parts) {
      largest_part = std::max(largest_part, p.size());
      body += p;
    }
  }
  EXPECT_LE(ex->peak_queued_bytes(), kLimit + largest_part);
  EXPECT_GT(ex->peak_queued_bytes(), kLimit);
  EXPECT_LT(largest_part, 64u << 10);  // one upstream read's worth, far below the limit
  // Every stall was one suspension of the producer (≈ 20 MiB / 256 KiB of them).
  EXPECT_EQ(ex->stalls(), static_cast<uint64_t>(stalled_drains));
  EXPECT_GE(stalled_drains, 40);
  EXPECT_EQ(ex->queued_bytes(), 0u);

  bool saw_done = false;
  std::string got = stream_text(body, saw_done);
  EXPECT_TRUE(saw_done);
  ASSERT_EQ(got.size(), text.size());
  EXPECT_TRUE(got == text) << "the streamed text differs from the upstream's";
  EXPECT_EQ(sim_->disconnects(), 0u);
}

TEST_F(ExchangeBackpressure, CancelWakesTheSuspendedProducerAndClosesTheUpstream) {
  enqueue_text(numbered_text(20u << 20), 2000);
  auto ex = submit(true, 64u << 10);
  ASSERT_TRUE(ex->wait_head(kGuard));
  ASSERT_TRUE(ex->wait_stalled(kGuard));
  ASSERT_GT(ex->queued_bytes(), 64u << 10);
  ASSERT_EQ(ex->stalls(), 1u);

  ex->cancel();
  EXPECT_EQ(ex->queued_bytes(), 0u);  // the queued parts are dropped at once
  ASSERT_TRUE(sim_->wait_for_disconnects(1, static_cast<int>(kGuard.count())));
  // The request coroutine ends (the woken write returned Cancelled) and completes the exchange
  // without the consumer draining anything; nothing more was queued after the cancel.
  ASSERT_TRUE(ex->wait_stalled(kGuard));
  std::vector<std::string> parts;
  EXPECT_TRUE(ex->next_batch(parts, milliseconds::zero()));
  EXPECT_TRUE(parts.empty());
  EXPECT_EQ(ex->queued_bytes(), 0u);
  EXPECT_EQ(ex->stalls(), 1u);
}

TEST_F(ExchangeBackpressure, AStalledConsumerDoesNotBlockTheShard) {
  const std::string text = numbered_text(20u << 20);
  enqueue_text(text, 2000);
  constexpr size_t kLimit = 64u << 10;
  auto stalled = submit(true, kLimit);
  ASSERT_TRUE(stalled->wait_head(kGuard));
  ASSERT_TRUE(stalled->wait_stalled(kGuard));
  const size_t queued = stalled->queued_bytes();
  ASSERT_GT(queued, kLimit);

  // The same (only) shard serves another request to completion meanwhile.
  ASSERT_TRUE(sim_->enqueue(R"({"text":"second reply"})").ok());
  auto other = submit(false, kLimit);
  ASSERT_TRUE(other->wait_head(kGuard));
  std::vector<std::string> parts;
  bool done = false;
  auto deadline = std::chrono::steady_clock::now() + kGuard;
  while (!done && std::chrono::steady_clock::now() < deadline) done = other->next_batch(parts, kGuard);
  ASSERT_TRUE(done);
  EXPECT_EQ(other->head().status, 200);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_NE(parts[0].find("second reply"), std::string::npos) << parts[0];

  // ...while the first stayed suspended: nothing more was queued, no new stall.
  EXPECT_EQ(stalled->queued_bytes(), queued);
  EXPECT_EQ(stalled->stalls(), 1u);

  // And it resumes intact once drained.
  std::string body;
  done = false;
  while (!done) {
    ASSERT_TRUE(stalled->wait_stalled(kGuard));
    std::vector<std::string> got;
    done = stalled->next_batch(got, milliseconds::zero());
    for (auto& p : got) body += p;
  }
  bool saw_done = false;
  EXPECT_TRUE(stream_text(body, saw_done) == text);
  EXPECT_TRUE(saw_done);
}

TEST_F(ExchangeBackpressure, TheEngineMayBeDestroyedUnderASuspendedProducer) {
  enqueue_text(numbered_text(4u << 20), 400);
  auto ex = submit(true, 64u << 10);
  ASSERT_TRUE(ex->wait_head(kGuard));
  ASSERT_TRUE(ex->wait_stalled(kGuard));
  engine_.reset();  // stops the shard and destroys the suspended request coroutine...
  EXPECT_EQ(ex.use_count(), 1);  // ...which released its reference
  // ...and the upstream connection with it, although the consumer still holds the Exchange.
  ASSERT_TRUE(sim_->wait_for_disconnects(1, static_cast<int>(kGuard.count())));
  // The Exchange outlives the engine: its parts, the wake-up path and cancel() stay usable
  // (cancel() must no longer reach the destroyed engine).
  EXPECT_GT(ex->queued_bytes(), 64u << 10);
  std::vector<std::string> parts;
  EXPECT_FALSE(ex->next_batch(parts, milliseconds::zero()));  // (the response never completes)
  EXPECT_FALSE(parts.empty());
  ex->cancel();
  EXPECT_EQ(ex->queued_bytes(), 0u);
}

TEST_F(ExchangeBackpressure, ANonStreamingBodyIsNotHeldBack) {
  // send_full never waits: a body above the limit arrives whole (the provider's response limit
  // bounds it instead).
  const std::string text = numbered_text(100u << 10);
  ASSERT_TRUE(sim_->enqueue(R"({"text":")" + text + R"("})").ok());
  auto ex = submit(false, 4u << 10);
  ASSERT_TRUE(ex->wait_head(kGuard));
  std::vector<std::string> parts;
  bool done = false;
  auto deadline = std::chrono::steady_clock::now() + kGuard;
  while (!done && std::chrono::steady_clock::now() < deadline) done = ex->next_batch(parts, kGuard);
  ASSERT_TRUE(done);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_NE(parts[0].find(text), std::string::npos);
  EXPECT_EQ(ex->stalls(), 0u);
}

}  // namespace
}  // namespace openrain
