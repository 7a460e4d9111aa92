// Shared helpers for the Responses surface encoder tests: canonical event builders, an encode /
// render driver, and a strict lifecycle checker that replays an encoded stream like the openai
// SDK's ResponseStream accumulator (re-framed with sse::Framer: event == data.type,
// sequence_number 0,1,2..., no delta before its item and part are announced, items sequential by
// output_index, nothing after the terminal event, final `output` == the accumulated snapshot).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "pipeline/fold.hpp"
#include "sse/framer.hpp"
#include "surfaces/openai_responses.hpp"

namespace openrain::surfaces::responses_testing {

using K = StreamEvent::Kind;
using KeySet = std::set<std::string>;

// ---- event builders -------------------------------------------------------------------------

inline StreamEvent ev(K kind, std::string text = {}, int index = 0) {
  StreamEvent e;
  e.kind = kind;
  e.text = std::move(text);
  e.index = index;
  return e;
}
inline StreamEvent start() {
  StreamEvent e = ev(K::Start);
  e.id = "up-id";
  e.name = "gpt-up";
  return e;
}
inline StreamEvent text(std::string t) { return ev(K::TextDelta, std::move(t)); }
inline StreamEvent refusal(std::string t) { return ev(K::RefusalDelta, std::move(t)); }
inline StreamEvent reasoning(std::string t) { return ev(K::ReasoningDelta, std::move(t)); }
inline StreamEvent signature(std::string t) { return ev(K::ReasoningSignature, std::move(t)); }
inline StreamEvent tool_start(int i, std::string id, std::string name) {
  StreamEvent e = ev(K::ToolCallStart, {}, i);
  e.id = std::move(id);
  e.name = std::move(name);
  return e;
}
inline StreamEvent tool_args(int i, std::string a) { return ev(K::ToolCallDelta, std::move(a), i); }
inline StreamEvent tool_end(int i) { return ev(K::ToolCallEnd, {}, i); }
inline StreamEvent usage(int64_t in, int64_t out, int64_t cached = 0, int64_t reasoning_tokens = 0) {
  StreamEvent e = ev(K::Usage);
  e.usage.input_tokens = in;
  e.usage.output_tokens = out;
  e.usage.cached_input_tokens = cached;
  e.usage.reasoning_tokens = reasoning_tokens;
  return e;
}
inline StreamEvent finish(FinishReason r) {
  StreamEvent e = ev(K::Finish);
  e.finish = r;
  return e;
}

inline EncodeContext ctx(Protocol upstream = Protocol::OpenAIChat) {
  EncodeContext c;
  c.model_alias = "my-alias";
  c.stream = true;
  c.response_id = "resp_test1";
  c.created = 1700;
  c.upstream = upstream;
  return c;
}

inline std::string encode(const std::vector<StreamEvent>& evs, const EncodeContext& c = ctx(),
                   const ChatRequest* req = nullptr) {
  auto enc = make_openai_responses_encoder(c, req);
  std::string out;
  for (const auto& e : evs) enc->on_event(e, out);
  enc->on_end(out);
  return out;
}

inline std::string render(const std::vector<StreamEvent>& evs, const EncodeContext& c = ctx()) {
  pipeline::Fold fold;
  for (StreamEvent e : evs) fold.on_event(std::move(e));
  std::string out;
  make_openai_responses_encoder(c)->render_response(fold.result(), out);
  return out;
}

// ---- JSON helpers ---------------------------------------------------------------------------

inline std::string str(json::Object o, std::string_view key) { return std::string(json::get_string(o, key)); }

inline std::string member_json(json::Object o, std::string_view key) {
  json::Element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return "<absent>";
  return json::to_json(e);
}

inline KeySet keys(json::Object o) {
  KeySet k;
  for (auto f : o) k.emplace(f.key);
  return k;
}

inline void write_sorted(json::Element e, std::string& out) {
  if (e.is_object()) {
    std::map<std::string, std::string> members;
    for (auto f : json::Object(e.get_object().value())) {
      std::string v;
      write_sorted(f.value, v);
      members[std::string(f.key)] = std::move(v);
    }
    out += '{';
    bool first = true;
    for (const auto& [k, v] : members) {
      if (!first) out += ',';
      first = false;
      json::append_quoted(out, k);
      out += ':';
      out += v;
    }
    out += '}';
  } else if (e.is_array()) {
    out += '[';
    bool first = true;
    for (json::Element x : json::Array(e.get_array().value())) {
      if (!first) out += ',';
      first = false;
      write_sorted(x, out);
    }
    out += ']';
  } else {
    out += json::to_json(e);
  }
}

/// `doc` re-serialised with object keys sorted (order-insensitive comparison).
inline std::string sorted_json(const std::string& doc) {
  json::Reader reader;
  auto parsed = reader.parse(doc);
  EXPECT_TRUE(parsed.ok()) << doc;
  if (!parsed.ok()) return {};
  std::string out;
  write_sorted(parsed.value(), out);
  return out;
}

/// Minified member `key` of the JSON object text `doc`.
inline std::string member_of(const std::string& doc, std::string_view key) {
  json::Reader reader;
  auto parsed = reader.parse(doc);
  EXPECT_TRUE(parsed.ok()) << doc;
  if (!parsed.ok()) return {};
  return member_json(parsed.value().get_object().value(), key);
}

// ---- strict lifecycle check + SDK-style accumulation ----------------------------------------

struct OutPart {
  std::string type;  // output_text / refusal / summary_text
  std::string text;
  bool operator==(const OutPart& o) const { return type == o.type && text == o.text; }
};

struct OutItem {
  std::string type, id, status, arguments, call_id, name, encrypted;
  std::vector<OutPart> parts;  // message content or reasoning summary
  bool done = false;
};

inline OutItem item_from(json::Object it) {
  OutItem o;
  o.type = str(it, "type");
  o.id = str(it, "id");
  o.status = str(it, "status");
  o.arguments = str(it, "arguments");
  o.call_id = str(it, "call_id");
  o.name = str(it, "name");
  o.encrypted = str(it, "encrypted_content");
  auto parts = json::get_array(it, o.type == "reasoning" ? "summary" : "content");
  if (parts) {
    for (json::Element p : *parts) {
      json::Object po = p.get_object().value();
      std::string t = str(po, "type");
      o.parts.push_back({t, str(po, t == "refusal" ? "refusal" : "text")});
    }
  }
  return o;
}

struct Checked {
  std::vector<std::string> names;
  std::vector<OutItem> snapshot;  // built from added items + deltas, like the SDK accumulator
  std::vector<OutItem> final_output;
  std::string final_response;     // minified `response` of the terminal event
  std::string status;
  std::string error_event;        // minified data of an `error` event
  std::map<std::string, KeySet> event_keys, item_keys, part_keys;
  KeySet response_keys;
};

/// Re-frame `sse` and replay it like the openai SDK's ResponseStream accumulator, failing the test
/// on any lifecycle violation.
inline Checked check(const std::string& sse, const EncodeContext& c = ctx()) {
  Checked k;
  sse::Framer framer;
  std::vector<sse::Event> events;
  EXPECT_TRUE(framer.feed(sse, events).ok());
  size_t before = events.size();
  framer.finish(events);
  EXPECT_EQ(events.size(), before) << "stream must end with a blank line";
  EXPECT_EQ(sse.find("[DONE]"), std::string::npos);
  bool terminal = false;
  int64_t seq = 0;
  for (const auto& e : events) {
    k.names.push_back(e.event);
    EXPECT_FALSE(terminal) << "event after the terminal event: " << e.event;
    json::Reader reader;
    auto parsed = reader.parse(e.data);
    EXPECT_TRUE(parsed.ok()) << e.data;
    if (!parsed.ok()) continue;
    json::Object d = parsed.value().get_object().value();
    const std::string type = str(d, "type");
    EXPECT_EQ(type, e.event) << e.data;
    EXPECT_EQ(json::get_int(d, "sequence_number", -1), seq++) << e.data;
    for (const auto& key : keys(d)) k.event_keys[type].insert(key);
    if (seq == 1) EXPECT_EQ(type, "response.created");
    if (seq == 2) EXPECT_EQ(type, "response.in_progress");

    if (auto resp = json::get_object(d, "response")) {
      for (const auto& key : keys(*resp)) k.response_keys.insert(key);
      EXPECT_EQ(str(*resp, "id"), c.response_id);
      EXPECT_EQ(str(*resp, "model"), c.model_alias);
      EXPECT_EQ(json::get_int(*resp, "created_at"), c.created);
      EXPECT_EQ(member_json(*resp, "object"), R"("response")");
      if (type == "response.created" || type == "response.in_progress") {
        EXPECT_EQ(str(*resp, "status"), "in_progress");
        EXPECT_EQ(member_json(*resp, "output"), "[]");
        EXPECT_EQ(member_json(*resp, "usage"), "null");
        continue;
      }
      EXPECT_TRUE(type == "response.completed" || type == "response.incomplete" ||
                  type == "response.failed") << type;
      terminal = true;
      k.status = str(*resp, "status");
      k.final_response = member_json(d, "response");
      json::Array output = *json::get_array(*resp, "output");  // bind: `*temporary` dangles
      for (json::Element it : output) {
        k.final_output.push_back(item_from(it.get_object().value()));
      }
      if (type == "response.failed") {
        EXPECT_FALSE(k.error_event.empty()) << "response.failed without an error event";
        continue;
      }
      EXPECT_EQ(k.final_output.size(), k.snapshot.size());
      for (size_t i = 0; i < k.snapshot.size() && i < k.final_output.size(); ++i) {
        EXPECT_TRUE(k.snapshot[i].done) << i;
        EXPECT_EQ(k.final_output[i].id, k.snapshot[i].id) << i;
        EXPECT_EQ(k.final_output[i].parts, k.snapshot[i].parts) << i;
        EXPECT_EQ(k.final_output[i].arguments, k.snapshot[i].arguments) << i;
      }
      continue;
    }
    if (type == "error") {
      k.error_event = e.data;
      continue;
    }
    EXPECT_TRUE(k.error_event.empty()) << "only response.failed may follow an error event";

    const int64_t oi = json::get_int(d, "output_index", -1);
    if (type == "response.output_item.added") {
      EXPECT_EQ(oi, static_cast<int64_t>(k.snapshot.size())) << "items must be sequential";
      json::Object it = *json::get_object(d, "item");
      k.item_keys[str(it, "type")].merge(keys(it));
      OutItem o = item_from(it);
      EXPECT_FALSE(o.id.empty());
      for (const auto& prev : k.snapshot) {
        EXPECT_NE(prev.id, o.id);
        EXPECT_TRUE(prev.done) << "item " << o.id << " announced while " << prev.id << " is open";
      }
      if (o.type != "reasoning") EXPECT_EQ(o.status, "in_progress");
      EXPECT_TRUE(o.parts.empty());
      EXPECT_EQ(o.arguments, "");
      k.snapshot.push_back(o);
      continue;
    }
    EXPECT_GE(oi, 0) << e.data;
    EXPECT_LT(oi, static_cast<int64_t>(k.snapshot.size())) << "delta before its item: " << e.data;
    if (oi < 0 || oi >= static_cast<int64_t>(k.snapshot.size())) continue;
    OutItem& item = k.snapshot[static_cast<size_t>(oi)];
    EXPECT_FALSE(item.done) << "event after output_item.done: " << e.data;
    if (type == "response.output_item.done") {
      json::Object it = *json::get_object(d, "item");
      k.item_keys[str(it, "type")].merge(keys(it));
      OutItem o = item_from(it);
      EXPECT_EQ(o.id, item.id);
      EXPECT_EQ(o.parts, item.parts);
      EXPECT_EQ(o.arguments, item.arguments);
      if (o.type != "reasoning") EXPECT_TRUE(o.status == "completed" || o.status == "incomplete");
      item.status = o.status;
      item.encrypted = o.encrypted;
      item.done = true;
      continue;
    }
    EXPECT_EQ(str(d, "item_id"), item.id) << e.data;
    const bool summary = type.rfind("response.reasoning_summary", 0) == 0;
    const int64_t pi = json::get_int(d, summary ? "summary_index" : "content_index", -1);
    if (type == "response.content_part.added" || type == "response.reasoning_summary_part.added") {
      EXPECT_EQ(pi, static_cast<int64_t>(item.parts.size()));
      json::Object part = *json::get_object(d, "part");
      k.part_keys[str(part, "type")].merge(keys(part));
      OutPart p;
      p.type = str(part, "type");
      EXPECT_EQ(str(part, p.type == "refusal" ? "refusal" : "text"), "");
      item.parts.push_back(p);
      continue;
    }
    if (type == "response.function_call_arguments.delta") {
      EXPECT_EQ(item.type, "function_call");
      item.arguments += str(d, "delta");
      continue;
    }
    if (type == "response.function_call_arguments.done") {
      EXPECT_EQ(str(d, "arguments"), item.arguments);
      continue;
    }
    EXPECT_GE(pi, 0) << e.data;
    EXPECT_LT(pi, static_cast<int64_t>(item.parts.size())) << "delta before its part: " << e.data;
    if (pi < 0 || pi >= static_cast<int64_t>(item.parts.size())) continue;
    OutPart& part = item.parts[static_cast<size_t>(pi)];
    if (type == "response.output_text.delta" || type == "response.refusal.delta" ||
        type == "response.reasoning_summary_text.delta") {
      EXPECT_EQ(part.type, type == "response.output_text.delta" ? "output_text"
                           : type == "response.refusal.delta"   ? "refusal"
                                                                : "summary_text");
      EXPECT_FALSE(str(d, "delta").empty());
      part.text += str(d, "delta");
    } else if (type == "response.output_text.done" ||
               type == "response.reasoning_summary_text.done") {
      EXPECT_EQ(str(d, "text"), part.text);
    } else if (type == "response.refusal.done") {
      EXPECT_EQ(str(d, "refusal"), part.text);
    } else if (type == "response.content_part.done" ||
               type == "response.reasoning_summary_part.done") {
      json::Object p = *json::get_object(d, "part");
      EXPECT_EQ(str(p, "type"), part.type);
      EXPECT_EQ(str(p, part.type == "refusal" ? "refusal" : "text"), part.text);
    } else {
      ADD_FAILURE() << "unexpected event " << type;
    }
  }
  EXPECT_TRUE(terminal) << "stream without a terminal event";
  return k;
}

/// Event names without the two opening lifecycle events.
inline std::vector<std::string> body_names(const Checked& k) {
  return std::vector<std::string>(k.names.begin() + std::min<size_t>(2, k.names.size()),
                                  k.names.end());
}

}  // namespace openrain::surfaces::responses_testing
