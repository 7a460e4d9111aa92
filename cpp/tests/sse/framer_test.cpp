#include "sse/framer.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "testing/event_recorder.hpp"

namespace openrain::sse {
namespace {

std::vector<Event> frame_all(const std::vector<std::string>& parts) {
  Framer f;
  std::vector<Event> out;
  for (const auto& p : parts) EXPECT_TRUE(f.feed(p, out).ok());
  f.finish(out);
  return out;
}

std::string describe(const std::vector<Event>& evs) {
  std::string s;
  for (const auto& e : evs) s += "[" + e.event + "|" + e.data + "|" + e.id + "]";
  return s;
}

TEST(SseFramer, LfCrlfAndCrLineEndingsAreEquivalent) {
  auto lf = frame_all({"event: a\ndata: 1\n\ndata: 2\n\n"});
  auto crlf = frame_all({"event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n"});
  auto cr = frame_all({"event: a\rdata: 1\r\rdata: 2\r\r"});
  EXPECT_EQ(describe(lf), "[a|1|][|2|]");
  EXPECT_EQ(describe(crlf), describe(lf));
  EXPECT_EQ(describe(cr), describe(lf));
}

TEST(SseFramer, CrAtChunkEndWaitsForLf) {
  // "\r" ends a chunk; the "\n" that starts the next one belongs to the same line break and must
  // not produce an empty line (which would dispatch early).
  auto evs = frame_all({"data: x\r", "\ndata: y\r", "\n\r", "\n"});
  EXPECT_EQ(describe(evs), "[|x\ny|]");
}

TEST(SseFramer, MultiLineDataJoinedWithNewline) {
  auto evs = frame_all({"data: {\"a\":\ndata: 1}\n\n"});
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data, "{\"a\":\n1}");
}

TEST(SseFramer, CommentsAreIgnoredAndCounted) {
  Framer f;
  std::vector<Event> out;
  ASSERT_TRUE(f.feed(": keep-alive\n\n:another\ndata: z\n\n", out).ok());
  EXPECT_EQ(describe(out), "[|z|]");
  EXPECT_EQ(f.comments(), 2u);
}

TEST(SseFramer, OnlyOneLeadingSpaceStripped) {
  auto evs = frame_all({"data:  two\n\ndata:none\n\n"});
  EXPECT_EQ(describe(evs), "[| two|][|none|]");
}

TEST(SseFramer, LeadingBomStripped) {
  auto evs = frame_all({"\xEF\xBB\xBF", "data: a\n\n"});
  EXPECT_EQ(describe(evs), "[|a|]");
}

TEST(SseFramer, EventWithoutDataIsNotDispatched) {
  auto evs = frame_all({"event: ping\n\nevent: x\ndata: 1\n\n"});
  EXPECT_EQ(describe(evs), "[x|1|]");
}

TEST(SseFramer, IdPersistsAndRetryIgnored) {
  auto evs = frame_all({"id: 7\nretry: 100\ndata: a\n\ndata: b\n\n"});
  EXPECT_EQ(describe(evs), "[|a|7][|b|7]");
}

TEST(SseFramer, FieldWithoutColonAndEmptyData) {
  auto evs = frame_all({"data\n\n"});
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data, "");
}

TEST(SseFramer, FinalEventWithoutBlankLineIsFlushedAtFinish) {
  auto evs = frame_all({"data: [DONE]"});
  EXPECT_EQ(describe(evs), "[|[DONE]|]");
}

TEST(SseFramer, OversizeEventIsAnError) {
  Framer f(64);
  std::vector<Event> out;
  Status s = f.feed("data: " + std::string(100, 'x'), out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::UpstreamProtocol);
}

// Every recorded SSE transcript frames identically whole, byte by byte and at random splits.
TEST(SseFramer, EveryFixtureIsSplitInvariant) {
  namespace fs = std::filesystem;
  int files = 0;
  for (auto& entry : fs::recursive_directory_iterator(OPENRAIN_FIXTURES_DIR)) {
    if (entry.path().extension() != ".sse") continue;
    ++files;
    std::string body = testing::read_fixture(entry.path().string());
    auto variants = testing::split_variants(body);
    std::string want = describe(frame_all(variants[0]));
    ASSERT_FALSE(want.empty()) << entry.path();
    for (size_t v = 1; v < variants.size(); ++v) {
      EXPECT_EQ(describe(frame_all(variants[v])), want) << entry.path() << " variant " << v;
    }
  }
  EXPECT_GE(files, 15);
}

TEST(SseFramer, AnthropicPaddingAndPingSpacingSurvive) {
  std::string body = testing::read_fixture("anthropic/text-stream.sse");
  auto evs = frame_all({body});
  ASSERT_GT(evs.size(), 3u);
  EXPECT_EQ(evs.front().event, "message_start");
  EXPECT_EQ(evs.back().event, "message_stop");
  for (const auto& e : evs) EXPECT_NE(e.data.find("\"type\""), std::string::npos);
}

TEST(SseFramer, GeminiCrlfChunks) {
  std::string body = testing::read_fixture("gemini/text-stream.sse");
  auto evs = frame_all({body});
  ASSERT_GT(evs.size(), 1u);
  for (const auto& e : evs) {
    EXPECT_EQ(e.event, "");
    EXPECT_EQ(e.data.front(), '{');
    EXPECT_EQ(e.data.find('\r'), std::string::npos);
  }
}

}  // namespace
}  // namespace openrain::sse
