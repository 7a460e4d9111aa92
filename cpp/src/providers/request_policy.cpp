#include "providers/request_policy.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "json/reader.hpp"

namespace openrain::providers {

namespace {

const char* display_name(Protocol p) {
  switch (p) {
    case Protocol::OpenAIChat: return "OpenAI Chat Completions";
    case Protocol::OpenAIResponses: return "OpenAI Responses";
    case Protocol::Anthropic: return "Anthropic";
    case Protocol::Gemini: return "Gemini";
  }
  return "other";
}

bool answers(const Message& m, const ToolCall& c) {
  return m.role == Role::Tool && m.tool_call_id == c.id;
}

Message synthesized_result(const ToolCall& c) {
  Message t;
  t.role = Role::Tool;
  t.tool_call_id = c.id;
  t.tool_name = c.name;
  t.is_error = true;
  t.content_was_string = true;
  ContentPart p;
  p.text = std::string(kOrphanResultText);
  t.content.push_back(std::move(p));
  return t;
}

}  // namespace

Status check_tool_kinds(const ChatRequest& req, Protocol upstream) {
  for (size_t i = 0; i < req.tools.size(); ++i) {
    const ToolDef& t = req.tools[i];
    if (t.kind != ToolDef::Kind::Server || upstream == req.source) continue;
    const std::string path = json::path_index("tools", i);
    std::string msg = path + ": '" + t.name + "' is a " + display_name(req.source) +
                      " server tool (type '" + t.type + "') that only a " +
                      display_name(req.source) + " upstream can run; the model `" + req.model +
                      "` is served by a " + display_name(upstream) +
                      " upstream. Remove the tool or declare a client function instead.";
    if (req.tool_choice.mode == ToolChoice::Mode::Function && req.tool_choice.name == t.name) {
      msg += " (tool_choice names it too.)";
    }
    return Error::make(ErrorKind::UnsupportedParameter, std::move(msg), path, "unsupported_tool");
  }
  return {};
}

size_t answer_orphan_tool_calls(ChatRequest& req) {
  std::vector<Message>& msgs = req.messages;
  size_t synthesized = 0;
  for (size_t i = 0; i < msgs.size(); ++i) {
    if (msgs[i].role != Role::Assistant || msgs[i].tool_calls.empty()) continue;
    size_t end = i + 1;  // one past the run of results directly after the calls
    while (end < msgs.size() && msgs[end].role == Role::Tool) ++end;
    size_t next_assistant = end;
    while (next_assistant < msgs.size() && msgs[next_assistant].role != Role::Assistant) {
      ++next_assistant;
    }
    // Copy: inserting below invalidates references into `msgs`.
    const std::vector<ToolCall> calls = msgs[i].tool_calls;
    for (const ToolCall& c : calls) {
      bool answered = false;
      for (size_t k = i + 1; k < end && !answered; ++k) answered = answers(msgs[k], c);
      if (answered) continue;
      size_t late = end;
      while (late < next_assistant && !answers(msgs[late], c)) ++late;
      if (late < next_assistant) {  // answered after other messages: move it up into the run
        Message moved = std::move(msgs[late]);
        msgs.erase(msgs.begin() + static_cast<std::ptrdiff_t>(late));
        msgs.insert(msgs.begin() + static_cast<std::ptrdiff_t>(end), std::move(moved));
      } else {
        msgs.insert(msgs.begin() + static_cast<std::ptrdiff_t>(end), synthesized_result(c));
        ++next_assistant;
        ++synthesized;
      }
      ++end;
    }
    i = end - 1;
  }
  return synthesized;
}

std::string orphan_result_heading(const Message& result) {
  std::string h = "Tool result for call `" + result.tool_call_id + "`";
  if (!result.tool_name.empty()) h += " of tool `" + result.tool_name + "`";
  h += result.is_error ? " (the tool reported an error)" : "";
  h += "; the call itself is not in this conversation:";
  return h;
}

size_t convert_orphan_tool_results(ChatRequest& req, TranslationReport& report) {
  std::vector<Message>& msgs = req.messages;
  size_t converted = 0;
  size_t owner = msgs.size();            // the nearest assistant message so far (none yet)
  std::vector<std::string> answered;     // its calls answered since
  for (size_t i = 0; i < msgs.size(); ++i) {
    Message& m = msgs[i];
    if (m.role == Role::Assistant) {
      owner = i;
      answered.clear();
      continue;
    }
    if (m.role != Role::Tool) continue;
    bool legit = false;
    if (owner < msgs.size() && !m.tool_call_id.empty() &&
        std::find(answered.begin(), answered.end(), m.tool_call_id) == answered.end()) {
      for (const ToolCall& c : msgs[owner].tool_calls) legit = legit || answers(m, c);
    }
    if (legit) {
      answered.push_back(m.tool_call_id);
      continue;
    }
    const std::string path = json::path_key(json::path_index("messages", i), "role");
    report.dropped.push_back(path);
    report.reasons.push_back(
        json::path_index("messages", i) + ": the tool result for call '" + m.tool_call_id +
        "' answers no tool call of the assistant message before it, so it was sent as user "
        "text.");
    Message u;
    u.role = Role::User;
    ContentPart heading;
    heading.text = orphan_result_heading(m);
    // A single text result reads as one text part; other parts follow the heading as they are.
    if (m.content.size() == 1 && m.content[0].kind == ContentPart::Kind::Text) {
      heading.text += "\n" + m.content[0].text;
      u.content.push_back(std::move(heading));
      u.content_was_string = m.content_was_string;
    } else {
      u.content.push_back(std::move(heading));
      for (ContentPart& p : m.content) u.content.push_back(std::move(p));
    }
    m = std::move(u);
    ++converted;
  }
  return converted;
}

Status apply_request_policy(ChatRequest& req, Protocol upstream, TranslationReport& report) {
  if (Status s = check_tool_kinds(req, upstream); !s.ok()) return s;
  convert_orphan_tool_results(req, report);
  answer_orphan_tool_calls(req);
  return {};
}

}  // namespace openrain::providers
