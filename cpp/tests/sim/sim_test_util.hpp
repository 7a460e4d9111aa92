// sim/sim_test_util.hpp — helpers shared by the simulator's tests: a fixture that starts a
// MockServer on 127.0.0.1:0 with a client, SSE parsing through sse::Framer at random split points
// (proving each stream is well-formed), and JSON validity checks. Header-only (the test build only
// globs *_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "json/reader.hpp"
#include "sim/mock_server.hpp"
#include "sim/sim_client.hpp"
#include "sse/framer.hpp"

namespace openrain::sim::testing {

class SimFixture : public ::testing::Test {
 protected:
  void SetUp() override { start(MockOptions{}); }
  void start(MockOptions opts) {
    client_.reset();
    server_.reset();
    auto s = MockServer::start(std::move(opts));
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(s.value());
    client_ = std::make_unique<SimClient>(server_->port());
  }
  void enqueue(std::string_view script) {
    auto st = server_->enqueue(script);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  HttpResult post(std::string_view target, std::string_view body) { return client_->post(target, body); }

  std::unique_ptr<MockServer> server_;
  std::unique_ptr<SimClient> client_;
};

/// Parse `body` as SSE, fed to the framer in random pieces; every event must have data.
inline std::vector<sse::Event> sse_events(std::string_view body, uint32_t seed = 7) {
  std::vector<sse::Event> events;
  sse::Framer framer;
  std::mt19937 rng(seed);
  size_t pos = 0;
  while (pos < body.size()) {
    size_t n = std::min<size_t>(body.size() - pos, 1 + rng() % 17);
    auto st = framer.feed(body.substr(pos, n), events);
    EXPECT_TRUE(st.ok());
    pos += n;
  }
  std::vector<sse::Event> tail;
  framer.finish(tail);
  EXPECT_TRUE(tail.empty()) << "stream ended inside an event";
  return events;
}

inline bool is_json(std::string_view text) {
  json::Reader reader;
  return reader.parse(text).ok();
}

/// Every event's data is JSON (OpenAI's "[DONE]" excepted).
inline void expect_json_events(const std::vector<sse::Event>& events) {
  for (const auto& e : events) {
    if (e.data == "[DONE]") continue;
    EXPECT_TRUE(is_json(e.data)) << e.data;
  }
}

inline std::string fixture_path(std::string_view rel) {
  return std::string(OPENRAIN_FIXTURES_DIR) + "/" + std::string(rel);
}

}  // namespace openrain::sim::testing
