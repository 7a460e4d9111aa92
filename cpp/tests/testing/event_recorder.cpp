#include "testing/event_recorder.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#ifndef OPENRAIN_FIXTURES_DIR
#define OPENRAIN_FIXTURES_DIR "../shared/fixtures"
#endif

namespace openrain::testing {

std::string Recorder::summary() const {
  using K = StreamEvent::Kind;
  std::string out;
  K last = K::Error;
  int last_index = -1;
  bool open_delta = false;
  for (const auto& e : events) {
    bool mergeable = e.kind == K::TextDelta || e.kind == K::RefusalDelta ||
                     e.kind == K::ReasoningDelta || e.kind == K::ToolCallDelta ||
                     e.kind == K::ReasoningSignature;
    if (mergeable && open_delta && e.kind == last && e.index == last_index) {
      out += e.text;
      continue;
    }
    if (!out.empty()) out += "\n";
    open_delta = mergeable;
    last = e.kind;
    last_index = e.index;
    switch (e.kind) {
      case K::Start: out += "start id=" + e.id + " model=" + e.name; break;
      case K::TextDelta: out += "text " + e.text; break;
      case K::RefusalDelta: out += "refusal " + e.text; break;
      case K::ReasoningDelta: out += "reasoning " + e.text; break;
      case K::ReasoningSignature: out += "signature " + e.text; break;
      case K::RedactedReasoning: out += "redacted " + e.text; break;
      case K::ToolCallStart:
        out += "tool_start " + std::to_string(e.index) + " " + e.id + " " + e.name;
        if (!e.signature.empty()) out += " sig";
        break;
      case K::ToolCallDelta: out += "tool_args " + std::to_string(e.index) + " " + e.text; break;
      case K::ToolCallEnd: out += "tool_end " + std::to_string(e.index); break;
      case K::Usage:
        out += "usage in=" + std::to_string(e.usage.input_tokens) +
               " out=" + std::to_string(e.usage.output_tokens) +
               " cached=" + std::to_string(e.usage.cached_input_tokens) +
               " cw=" + std::to_string(e.usage.cache_write_tokens) +
               " reasoning=" + std::to_string(e.usage.reasoning_tokens);
        break;
      case K::Finish:
        out += std::string("finish ") + finish_reason_name(e.finish);
        if (!e.stop_sequence.empty()) out += " seq=" + e.stop_sequence;
        break;
      case K::Error:
        out += std::string("error ") + error_kind_name(e.error.kind) + " " +
               std::to_string(e.error.http_status);
        break;
      case K::TextStart:
        out += "text_start";
        for (const auto& f : e.extras) out += " " + f.key + "=" + f.json;
        break;
      case K::TextAnnotation: out += "annotation " + e.name + " " + e.text; break;
      case K::NativeBlock: out += "native " + e.name + " " + e.text; break;
    }
  }
  return out;
}

std::string read_fixture(std::string_view rel) {
  std::string path(rel);
  if (path.empty() || path[0] != '/') path = std::string(OPENRAIN_FIXTURES_DIR) + "/" + path;
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing fixture " << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string sse_from_jsonl(std::string_view jsonl, bool with_event_names) {
  std::string out;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    size_t nl = jsonl.find('\n', pos);
    std::string_view line = jsonl.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? jsonl.size() : nl + 1;
    if (line.empty()) continue;
    if (with_event_names) {
      auto t = line.find("\"type\"");
      if (t != std::string_view::npos) {
        auto q1 = line.find('"', line.find(':', t) + 1);
        auto q2 = line.find('"', q1 + 1);
        out += "event: ";
        out += line.substr(q1 + 1, q2 - q1 - 1);
        out += "\n";
      }
    }
    out += "data: ";
    out += line;
    out += "\n\n";
  }
  return out;
}

std::vector<std::vector<std::string>> split_variants(std::string_view body, uint32_t seed,
                                                     int random_variants) {
  std::vector<std::vector<std::string>> v;
  v.push_back({std::string(body)});
  std::vector<std::string> bytes;
  bytes.reserve(body.size());
  for (char c : body) bytes.emplace_back(1, c);
  v.push_back(std::move(bytes));
  std::mt19937 rng(seed);
  for (int r = 0; r < random_variants; ++r) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos < body.size()) {
      size_t len = 1 + rng() % 97;
      parts.emplace_back(body.substr(pos, len));
      pos += len;
    }
    v.push_back(std::move(parts));
  }
  return v;
}

}  // namespace openrain::testing
