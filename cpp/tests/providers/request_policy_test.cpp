// Tests for providers/request_policy: server tools per upstream protocol, orphan tool calls.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "providers/request_policy.hpp"

namespace openrain::providers {
namespace {

Message text(Role role, std::string t) {
  Message m;
  m.role = role;
  ContentPart p;
  p.text = std::move(t);
  m.content.push_back(std::move(p));
  return m;
}

Message calls(std::vector<std::string> ids) {
  Message m;
  m.role = Role::Assistant;
  for (auto& id : ids) m.tool_calls.push_back(ToolCall{id, "fn_" + id, "{}", ""});
  return m;
}

Message result(std::string id, std::string t = "ok") {
  Message m = text(Role::Tool, std::move(t));
  m.tool_call_id = std::move(id);
  return m;
}

/// "u a t:c1 t:c1! ..." — roles, tool ids, "!" for a synthesized (is_error) result.
std::string shape(const ChatRequest& req) {
  std::string s;
  for (const Message& m : req.messages) {
    if (!s.empty()) s += ' ';
    switch (m.role) {
      case Role::System: s += 's'; break;
      case Role::User: s += 'u'; break;
      case Role::Assistant: s += 'a'; break;
      case Role::Tool:
        s += "t:" + m.tool_call_id;
        if (m.is_error) s += '!';
        break;
    }
  }
  return s;
}

ChatRequest with_server_tool(Protocol source) {
  ChatRequest req;
  req.source = source;
  req.model = "alias";
  req.messages.push_back(text(Role::User, "hi"));
  ToolDef fn;
  fn.name = "get_weather";
  fn.parameters = R"({"type":"object"})";
  req.tools.push_back(fn);
  ToolDef web;
  web.kind = ToolDef::Kind::Server;
  web.type = "web_search_20250305";
  web.name = "web_search";
  web.raw_extras = R"({"type":"web_search_20250305","name":"web_search"})";
  req.tools.push_back(web);
  return req;
}

TEST(RequestPolicyTools, ServerToolOnlyForItsOwnProtocol) {
  ChatRequest req = with_server_tool(Protocol::Anthropic);
  EXPECT_TRUE(check_tool_kinds(req, Protocol::Anthropic).ok());
  for (Protocol up : {Protocol::OpenAIChat, Protocol::Gemini}) {
    Status s = check_tool_kinds(req, up);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().kind, ErrorKind::UnsupportedParameter);
    EXPECT_EQ(s.error().param, "tools[1]");
    EXPECT_NE(s.error().message.find("'web_search'"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("web_search_20250305"), std::string::npos);
  }
}

TEST(RequestPolicyTools, ToolChoiceNamingTheServerToolIsMentioned) {
  ChatRequest req = with_server_tool(Protocol::Anthropic);
  req.tool_choice.mode = ToolChoice::Mode::Function;
  req.tool_choice.name = "web_search";
  TranslationReport report;
  Status s = apply_request_policy(req, Protocol::OpenAIChat, report);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("tool_choice"), std::string::npos);
}

TEST(RequestPolicyTools, FunctionToolsPassEverywhere) {
  ChatRequest req = with_server_tool(Protocol::Anthropic);
  req.tools.pop_back();
  for (Protocol up : {Protocol::OpenAIChat, Protocol::Gemini, Protocol::Anthropic}) {
    EXPECT_TRUE(check_tool_kinds(req, up).ok());
  }
}

TEST(RequestPolicyOrphans, AnsweredCallsAreUntouched) {
  ChatRequest req;
  req.messages = {text(Role::User, "q"), calls({"c1", "c2"}), result("c2"), result("c1"),
                  text(Role::User, "next")};
  EXPECT_EQ(answer_orphan_tool_calls(req), 0u);
  EXPECT_EQ(shape(req), "u a t:c2 t:c1 u");
}

TEST(RequestPolicyOrphans, MissingResultIsSynthesizedAfterTheRun) {
  ChatRequest req;
  req.messages = {text(Role::User, "q"), calls({"c1", "c2"}), result("c1"),
                  text(Role::User, "never mind")};
  EXPECT_EQ(answer_orphan_tool_calls(req), 1u);
  EXPECT_EQ(shape(req), "u a t:c1 t:c2! u");
  const Message& t = req.messages[3];
  EXPECT_EQ(t.tool_name, "fn_c2");
  ASSERT_EQ(t.content.size(), 1u);
  EXPECT_EQ(t.content[0].text, kOrphanResultText);
}

TEST(RequestPolicyOrphans, OrphanAtTheEndAndAcrossSeveralTurns) {
  ChatRequest req;
  req.messages = {text(Role::User, "q"), calls({"a"}), text(Role::User, "joke?"), calls({"b", "c"}),
                  result("c")};
  EXPECT_EQ(answer_orphan_tool_calls(req), 2u);
  EXPECT_EQ(shape(req), "u a t:a! u a t:c t:b!");
}

TEST(RequestPolicyOrphans, LateResultMovesUpInsteadOfBeingSynthesized) {
  ChatRequest req;
  req.messages = {text(Role::User, "q"), calls({"c1", "c2"}), result("c1"), text(Role::User, "hm"),
                  result("c2", "late")};
  EXPECT_EQ(answer_orphan_tool_calls(req), 0u);
  EXPECT_EQ(shape(req), "u a t:c1 t:c2 u");
  EXPECT_EQ(req.messages[3].content[0].text, "late");
  // A result after the next assistant turn belongs to no run: the call is answered here instead.
  ChatRequest far;
  far.messages = {calls({"x"}), text(Role::User, "u"), text(Role::Assistant, "a"), result("x")};
  EXPECT_EQ(answer_orphan_tool_calls(far), 1u);
  EXPECT_EQ(shape(far), "a t:x! u a t:x");
}

// ---- orphan tool results --------------------------------------------------------------------

TEST(RequestPolicyOrphanResults, ResultWithoutItsCallBecomesUserText) {
  // History trimmed by the client: the assistant turn that called `gone` was dropped.
  ChatRequest req;
  Message r = result("gone", "21 C");
  r.tool_name = "get_weather";
  req.messages = {text(Role::User, "q"), r, text(Role::User, "and now?")};
  TranslationReport report;
  EXPECT_EQ(convert_orphan_tool_results(req, report), 1u);
  EXPECT_EQ(shape(req), "u u u");
  const Message& m = req.messages[1];
  ASSERT_EQ(m.content.size(), 1u);
  EXPECT_EQ(m.content[0].text,
            "Tool result for call `gone` of tool `get_weather`; the call itself is not in this "
            "conversation:\n21 C");
  EXPECT_EQ(report.dropped, std::vector<std::string>{"messages[1].role"});
  ASSERT_EQ(report.reasons.size(), 1u);
  EXPECT_NE(report.reasons[0].find("messages[1]"), std::string::npos);
  EXPECT_NE(report.reasons[0].find("'gone'"), std::string::npos);
}

TEST(RequestPolicyOrphanResults, WrongIdDuplicateAndAfterAnotherAssistantTurn) {
  ChatRequest req;
  Message err = result("c1", "boom");
  err.is_error = true;
  req.messages = {text(Role::User, "q"), calls({"c1"}), result("c1"), err, result("zz"),
                  text(Role::Assistant, "done"), result("c1", "late")};
  TranslationReport report;
  EXPECT_EQ(convert_orphan_tool_results(req, report), 3u);
  EXPECT_EQ(shape(req), "u a t:c1 u u a u");
  EXPECT_EQ(report.dropped,
            (std::vector<std::string>{"messages[3].role", "messages[4].role", "messages[6].role"}));
  EXPECT_NE(req.messages[3].content[0].text.find("(the tool reported an error)"), std::string::npos);
}

TEST(RequestPolicyOrphanResults, LegitimateResultsAreUntouched) {
  ChatRequest req;
  req.messages = {text(Role::User, "q"), calls({"c1", "c2"}), result("c2"), text(Role::User, "hm"),
                  result("c1", "late")};
  TranslationReport report;
  EXPECT_EQ(convert_orphan_tool_results(req, report), 0u);
  EXPECT_TRUE(report.dropped.empty());
  EXPECT_EQ(shape(req), "u a t:c2 u t:c1");  // the late one is moved up by the next policy
}

TEST(RequestPolicyOrphanResults, NonTextPartsFollowTheHeading) {
  ChatRequest req;
  Message r = result("x", "see image");
  ContentPart img;
  img.kind = ContentPart::Kind::Image;
  img.media_type = "image/png";
  img.data = "iVBORw0KGgo=";
  r.content.push_back(img);
  req.messages = {r};
  TranslationReport report;
  EXPECT_EQ(convert_orphan_tool_results(req, report), 1u);
  const Message& m = req.messages[0];
  EXPECT_EQ(m.role, Role::User);
  ASSERT_EQ(m.content.size(), 3u);
  EXPECT_EQ(m.content[0].text, orphan_result_heading(r));
  EXPECT_EQ(m.content[1].text, "see image");
  EXPECT_EQ(m.content[2].kind, ContentPart::Kind::Image);
}

TEST(RequestPolicyOrphanResults, AllPoliciesTogether) {
  // The far case of LateResultMovesUpInsteadOfBeingSynthesized: the result after another
  // assistant turn becomes text, and the call it belonged to gets a synthesized answer.
  ChatRequest far;
  far.messages = {calls({"x"}), text(Role::User, "u"), text(Role::Assistant, "a"), result("x")};
  TranslationReport report;
  ASSERT_TRUE(apply_request_policy(far, Protocol::Anthropic, report).ok());
  EXPECT_EQ(shape(far), "a t:x! u a u");
  EXPECT_EQ(report.dropped, std::vector<std::string>{"messages[3].role"});
}

}  // namespace
}  // namespace openrain::providers
