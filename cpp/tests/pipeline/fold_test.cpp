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

TEST(Fold, NativeOutputKeepsBlockBoundariesAndRawMembers) {
  using K = StreamEvent::Kind;
  auto native = [](K kind, std::string text, std::string name = {}) {
    StreamEvent e = ev(kind, std::move(text));
    e.name = std::move(name);
    e.native = Protocol::Anthropic;
    return e;
  };
  Fold f;
  f.on_event(ev(K::TextDelta, "Let me "));
  f.on_event(ev(K::TextDelta, "look."));
  f.on_event(native(K::NativeBlock, R"({"type":"server_tool_use","id":"s1","input":{}})", "server_tool_use"));
  StreamEvent ts = native(K::TextStart, {});
  ts.extras = {{"citations", "[]"}};
  f.on_event(std::move(ts));
  f.on_event(native(K::TextAnnotation, R"({"n":1})", "citations"));
  f.on_event(ev(K::TextDelta, "It is "));
  f.on_event(native(K::TextAnnotation, R"({"n":2})", "citations"));
  f.on_event(ev(K::TextDelta, "cold."));
  f.on_event(native(K::TextStart, {}));  // a plain block right after: not merged into the last
  f.on_event(ev(K::TextDelta, " Bye."));
  f.on_event(native(K::TextAnnotation, R"({"n":3})", "notes"));  // a member the block lacked
  const auto& b = f.result().blocks;
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0].kind, OutputBlock::Kind::Text);
  EXPECT_EQ(b[0].text, "Let me look.");
  EXPECT_TRUE(b[0].extras.empty());
  EXPECT_EQ(b[1].kind, OutputBlock::Kind::Native);
  EXPECT_EQ(b[1].name, "server_tool_use");
  EXPECT_EQ(b[1].native, Protocol::Anthropic);
  EXPECT_EQ(b[1].text, R"({"type":"server_tool_use","id":"s1","input":{}})");
  EXPECT_EQ(b[2].text, "It is cold.");
  ASSERT_EQ(b[2].extras.size(), 1u);
  EXPECT_EQ(b[2].extras[0].key, "citations");
  EXPECT_EQ(b[2].extras[0].json, R"([{"n":1},{"n":2}])");
  EXPECT_EQ(b[2].native, Protocol::Anthropic);
  EXPECT_EQ(b[3].text, " Bye.");
  ASSERT_EQ(b[3].extras.size(), 1u);
  EXPECT_EQ(b[3].extras[0].json, R"([{"n":3}])");

  // A member that is not an array (null) is replaced by one.
  Fold g;
  StreamEvent nul = native(K::TextStart, {});
  nul.extras = {{"citations", "null"}};
  g.on_event(std::move(nul));
  g.on_event(native(K::TextAnnotation, R"({"n":1})", "citations"));
  ASSERT_EQ(g.result().blocks.size(), 1u);
  EXPECT_EQ(g.result().blocks[0].extras[0].json, R"([{"n":1}])");

  // An announced text block that got no text does not lend its members to a later one.
  Fold h;
  StreamEvent empty = native(K::TextStart, {});
  empty.extras = {{"citations", "[]"}};
  h.on_event(std::move(empty));
  StreamEvent call = ev(K::ToolCallStart, {}, 0);
  call.id = "c";
  call.name = "f";
  h.on_event(std::move(call));
  h.on_event(ev(K::TextDelta, "later"));
  ASSERT_EQ(h.result().blocks.size(), 2u);
  EXPECT_EQ(h.result().blocks[1].text, "later");
  EXPECT_TRUE(h.result().blocks[1].extras.empty());
}

}  // namespace
}  // namespace openrain::pipeline
