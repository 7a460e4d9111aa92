#include "pipeline/fold.hpp"

#include <gtest/gtest.h>

namespace openrain::pipeline {
namespace {

StreamEvent ev(StreamEvent::Kind k, std::string text = {}, int index = 0) {
  StreamEvent e;
  e.kind = k;
  e.text = std::move(text);
  e.index = index;
  return e;
}

TEST(Fold, MergesDeltasAndJoinsToolArgumentsPerIndex) {
  Fold f;
  using K = StreamEvent::Kind;
  StreamEvent start = ev(K::Start);
  start.id = "up-1";
  start.name = "gpt-x";
  f.on_event(std::move(start));
  f.on_event(ev(K::ReasoningDelta, "th"));
  f.on_event(ev(K::ReasoningDelta, "ink"));
  f.on_event(ev(K::TextDelta, "Hel"));
  f.on_event(ev(K::TextDelta, "lo"));
  StreamEvent t0 = ev(K::ToolCallStart, {}, 0);
  t0.id = "call_a";
  t0.name = "f";
  f.on_event(std::move(t0));
  StreamEvent t1 = ev(K::ToolCallStart, {}, 1);
  t1.id = "call_b";
  t1.name = "g";
  f.on_event(std::move(t1));
  f.on_event(ev(K::ToolCallDelta, "{\"x\":", 0));
  f.on_event(ev(K::ToolCallDelta, "{}", 1));
  f.on_event(ev(K::ToolCallDelta, "1}", 0));
  StreamEvent u = ev(K::Usage);
  u.usage.input_tokens = 10;
  u.usage.output_tokens = 3;
  f.on_event(std::move(u));
  StreamEvent fin = ev(K::Finish);
  fin.finish = FinishReason::ToolCalls;
  f.on_event(std::move(fin));

  const FoldedResponse& r = f.result();
  EXPECT_EQ(r.id, "up-1");
  EXPECT_EQ(r.upstream_model, "gpt-x");
  ASSERT_EQ(r.blocks.size(), 4u);
  EXPECT_EQ(r.blocks[0].kind, OutputBlock::Kind::Reasoning);
  EXPECT_EQ(r.blocks[0].text, "think");
  EXPECT_EQ(r.blocks[1].text, "Hello");
  EXPECT_EQ(r.blocks[2].arguments, "{\"x\":1}");
  EXPECT_EQ(r.blocks[3].arguments, "{}");
  EXPECT_TRUE(r.has_usage);
  EXPECT_EQ(r.usage.total(), 13);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.finish, FinishReason::ToolCalls);
}

TEST(Fold, SignedReasoningBlocksStaySeparate) {
  Fold f;
  f.on_event(ev(StreamEvent::Kind::ReasoningDelta, "a"));
  f.on_event(ev(StreamEvent::Kind::ReasoningSignature, "s1"));
  f.on_event(ev(StreamEvent::Kind::ReasoningDelta, "b"));
  f.on_event(ev(StreamEvent::Kind::ReasoningSignature, "s2"));
  ASSERT_EQ(f.result().blocks.size(), 2u);
  EXPECT_EQ(f.result().blocks[0].text, "a");
  EXPECT_EQ(f.result().blocks[0].signature, "s1");
  EXPECT_EQ(f.result().blocks[1].text, "b");
  EXPECT_EQ(f.result().blocks[1].signature, "s2");
}

TEST(Fold, ErrorIsRecorded) {
  Fold f;
  StreamEvent e;
  e.kind = StreamEvent::Kind::Error;
  e.error = Error::make(ErrorKind::Overloaded, "Overloaded");
  f.on_event(std::move(e));
  ASSERT_TRUE(f.result().error.has_value());
  EXPECT_EQ(f.result().error->kind, ErrorKind::Overloaded);
  EXPECT_FALSE(f.result().finished);
}

TEST(Fold, GeminiTextSignaturesStayOnTheirPart) {
  using K = StreamEvent::Kind;
  auto signed_text = [](std::string t, std::string sig) {
    StreamEvent e = ev(K::TextDelta, std::move(t));
    e.signature = std::move(sig);
    return e;
  };
  Fold f;
  f.on_event(ev(K::ReasoningDelta, "Plan."));
  f.on_event(signed_text("Hel", "S1"));  // first visible part signed
  f.on_event(ev(K::TextDelta, "lo"));
  f.on_event(signed_text("", "S2"));     // Gemini 3 trailing signature-only part
  const auto& b = f.result().blocks;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[1].text, "Hello");
  EXPECT_EQ(b[1].signature, "S1");
  EXPECT_EQ(b[2].text, "");
  EXPECT_EQ(b[2].signature, "S2");

  Fold g;  // a trailing signature-only part signs the unsigned text before it
  g.on_event(ev(K::TextDelta, "Hi"));
  g.on_event(signed_text("", "S3"));
  ASSERT_EQ(g.result().blocks.size(), 1u);
  EXPECT_EQ(g.result().blocks[0].text, "Hi");
  EXPECT_EQ(g.result().blocks[0].signature, "S3");
}

}  // namespace
}  // namespace openrain::pipeline
