// providers/gemini_decoder.cpp — Gemini response bytes → canonical StreamEvents.
//
// One decoder per response, single-threaded. Streaming bodies are sniffed: a leading '[' is the
// bare JSON-array stream (`:streamGenerateContent` without alt=sse), a leading '{' a whole JSON
// body, anything else SSE. Every chunk is a complete GenerateContentResponse carrying only new
// parts; only candidates[0] is read. finishReason and usage are remembered and emitted when the
// body ends (Gemini has no terminator; a finishReason may even appear mid-stream), so the final
// Usage immediately precedes Finish. Vertex streamed function-call arguments (partialArgs /
// willContinue) are assembled and emitted as one argument string when the call closes.
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "providers/common.hpp"
#include "providers/gemini.hpp"
#include "sse/framer.hpp"

namespace openrain::providers {

namespace gemini_detail {

Status JsonArraySplitter::feed(std::string_view bytes, std::vector<std::string>& out) {
  auto bad = [] {
    return Error::make(ErrorKind::UpstreamProtocol,
                       "upstream sent a malformed JSON-array stream");
  };
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    switch (state_) {
      case State::BeforeArray: {
        static constexpr char kBom[] = "\xEF\xBB\xBF";
        if (bom_seen_ < 3 && c == kBom[bom_seen_]) {
          ++bom_seen_;
          continue;
        }
        if (ws) continue;
        if (c != '[') return bad();
        state_ = State::BeforeElement;
        break;
      }
      case State::BeforeElement:
        if (ws) continue;
        if (c == ']') {
          state_ = State::Done;
        } else if (c == '{' || c == '[') {
          state_ = State::InElement;
          depth_ = 1;
          in_string_ = false;
          escape_ = false;
          cur_.assign(1, c);
        } else {
          return bad();
        }
        break;
      case State::InElement: {
        // Copy the run of bytes that cannot change state in one go.
        size_t j = i;
        while (j < bytes.size()) {
          char d = bytes[j];
          if (in_string_) {
            if (escape_) {
              escape_ = false;
            } else if (d == '\\') {
              escape_ = true;
            } else if (d == '"') {
              in_string_ = false;
            }
          } else if (d == '"') {
            in_string_ = true;
          } else if (d == '{' || d == '[') {
            ++depth_;
          } else if (d == '}' || d == ']') {
            if (--depth_ == 0) break;
          }
          ++j;
        }
        if (j == bytes.size()) {
          cur_.append(bytes.data() + i, j - i);
          i = j - 1;
        } else {
          cur_.append(bytes.data() + i, j - i + 1);
          out.push_back(std::move(cur_));
          cur_.clear();
          state_ = State::AfterElement;
          i = j;
        }
        if (cur_.size() > max_element_bytes_) {
          return Error::make(ErrorKind::UpstreamProtocol,
                             "upstream JSON-array element exceeds size limit");
        }
        break;
      }
      case State::AfterElement:
        if (ws) continue;
        if (c == ',') {
          state_ = State::BeforeElement;
        } else if (c == ']') {
          state_ = State::Done;
        } else {
          return bad();
        }
        break;
      case State::Done:
        if (!ws) return bad();
        break;
    }
  }
  return {};
}

}  // namespace gemini_detail

namespace {

/// The JSON tree PartialArgs builds. Object members are a plain struct completed after the node,
/// and the functions touching them are defined after it: a std::pair<std::string, ArgNode> member
/// type makes clang + libstdc++ check ArgNode's default constructibility while it is incomplete.
struct ArgNode {
  enum class T : uint8_t { Unset, Obj, Arr, Str, Lit } t = T::Unset;
  struct Member;
  std::string text;  // Str value or Lit JSON
  std::vector<Member> obj;
  std::vector<ArgNode> arr;
  ArgNode* at(const std::string& key);  // becomes an object if it is not one
  ArgNode* at(size_t index);            // becomes an array if it is not one
};

struct ArgNode::Member {
  std::string key;
  ArgNode value;
};

ArgNode* ArgNode::at(const std::string& key) {
  if (t != T::Obj) {
    *this = ArgNode{};
    t = T::Obj;
  }
  for (auto& [k, v] : obj)
    if (k == key) return &v;
  obj.push_back(Member{key, ArgNode{}});
  return &obj.back().value;
}

ArgNode* ArgNode::at(size_t index) {
  if (t != T::Arr) {
    *this = ArgNode{};
    t = T::Arr;
  }
  if (index > 4096) index = 4096;  // bound hostile indices
  if (arr.size() <= index) arr.resize(index + 1);
  return &arr[index];
}

/// Assembles Vertex `partialArgs` fragments ({jsonPath, stringValue|numberValue|boolValue|
/// nullValue, willContinue}) into one JSON object.
class PartialArgs {
 public:
  void reset() { root_ = Node{}; }

  void apply(json::Object frag) {
    std::string_view path = json::get_string(frag, "jsonPath");
    std::vector<Seg> segs;
    if (!parse_path(path, segs)) return;
    Node* n = &root_;
    for (const Seg& s : segs) n = s.is_index ? n->at(s.index) : n->at(s.key);
    json::Element v;
    if (frag.at_key("stringValue").get(v) == simdjson::SUCCESS && v.is_string()) {
      if (n->t != Node::T::Str) {
        *n = Node{};
        n->t = Node::T::Str;
      }
      n->text.append(v.get_string().value_unsafe());
    } else if (frag.at_key("numberValue").get(v) == simdjson::SUCCESS && v.is_number()) {
      set_literal(*n, json::to_json(v));
    } else if (frag.at_key("boolValue").get(v) == simdjson::SUCCESS && v.is_bool()) {
      set_literal(*n, v.get_bool().value_unsafe() ? "true" : "false");
    } else if (frag.at_key("nullValue").get(v) == simdjson::SUCCESS) {
      set_literal(*n, "null");
    }
  }

  std::string json() const {
    if (root_.t != Node::T::Obj) return "{}";
    std::string out;
    json::Writer w(out);
    write(w, root_);
    return out;
  }

 private:
  using Node = ArgNode;
  struct Seg {
    bool is_index = false;
    std::string key;
    size_t index = 0;
  };

  static void set_literal(Node& n, std::string lit) {
    n = Node{};
    n.t = Node::T::Lit;
    n.text = std::move(lit);
  }

  /// "$.a.b[0]['c d']" → segments. Only object keys and array indices.
  static bool parse_path(std::string_view p, std::vector<Seg>& out) {
    if (p.empty() || p[0] != '$') return false;
    size_t i = 1;
    while (i < p.size()) {
      Seg s;
      if (p[i] == '.') {
        size_t j = i + 1;
        while (j < p.size() && p[j] != '.' && p[j] != '[') ++j;
        s.key = std::string(p.substr(i + 1, j - i - 1));
        if (s.key.empty()) return false;
        i = j;
      } else if (p[i] == '[') {
        if (i + 1 < p.size() && (p[i + 1] == '\'' || p[i + 1] == '"')) {
          char q = p[i + 1];
          size_t j = p.find(q, i + 2);
          if (j == std::string_view::npos || j + 1 >= p.size() || p[j + 1] != ']') return false;
          s.key = std::string(p.substr(i + 2, j - i - 2));
          i = j + 2;
        } else {
          size_t j = i + 1;
          size_t v = 0;
          while (j < p.size() && p[j] >= '0' && p[j] <= '9') v = v * 10 + (p[j++] - '0');
          if (j == i + 1 || j >= p.size() || p[j] != ']') return false;
          s.is_index = true;
          s.index = v;
          i = j + 1;
        }
      } else {
        return false;
      }
      out.push_back(std::move(s));
    }
    return !out.empty();
  }

  static void write(json::Writer& w, const Node& n) {
    switch (n.t) {
      case Node::T::Unset: w.null(); break;
      case Node::T::Str: w.value(n.text); break;
      case Node::T::Lit: w.raw(n.text); break;
      case Node::T::Obj:
        w.begin_object();
        for (const auto& [k, v] : n.obj) {
          w.key(k);
          write(w, v);
        }
        w.end_object();
        break;
      case Node::T::Arr:
        w.begin_array();
        for (const auto& v : n.arr) write(w, v);
        w.end_array();
        break;
    }
  }

  Node root_;
};

/// Parse "2026-05-04T20:01:02.264968Z" into unix seconds (0 when malformed).
int64_t parse_rfc3339(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 19) return 0;
  std::string head(s.substr(0, 19));
  if (std::sscanf(head.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) {
    return 0;
  }
  // days_from_civil (proleptic Gregorian).
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(mo + (mo > 2 ? -3 : 9)) + 2) / 5 +
                       static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

/// A boolean member, false when absent or not a boolean.
bool flag(json::Object o, std::string_view key) {
  bool v = false;
  if (o.at_key(key).get_bool().get(v) != simdjson::SUCCESS) return false;
  return v;
}

/// finishReasons meaning the upstream rejected the model's own function call.
bool is_tool_call_failure(std::string_view r) {
  return r == "MALFORMED_FUNCTION_CALL" || r == "UNEXPECTED_TOOL_CALL" ||
         r == "TOO_MANY_TOOL_CALLS";
}

std::string lower_ascii(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

bool is_content_filter(std::string_view r) {
  return r == "SAFETY" || r == "RECITATION" || r == "BLOCKLIST" || r == "PROHIBITED_CONTENT" ||
         r == "SPII" || r.substr(0, 6) == "IMAGE_";
}

class GeminiDecoder final : public ResponseDecoder {
 public:
  GeminiDecoder(const ChatRequest& req, const Deployment& d, bool streaming)
      : dep_(d),
        mode_(streaming ? Mode::Sniff : Mode::Whole),
        streaming_(streaming),
        gemini_caller_(req.source == Protocol::Gemini) {}

  Status feed(std::string_view bytes, EventSink& sink) override {
    if (errored_) return {};
    if (mode_ == Mode::Sniff) {
      buf_.append(bytes);
      size_t i = 0;
      while (i < buf_.size()) {
        unsigned char c = static_cast<unsigned char>(buf_[i]);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB ||
            c == 0xBF) {
          ++i;
          continue;
        }
        break;
      }
      if (i == buf_.size()) return {};
      mode_ = buf_[i] == '[' ? Mode::Array : buf_[i] == '{' ? Mode::Whole : Mode::Sse;
      std::string first = std::move(buf_);
      buf_.clear();
      return feed_mode(first, sink);
    }
    return feed_mode(bytes, sink);
  }

  Status finish(EventSink& sink) override {
    if (errored_) return {};
    bool whole_body = false;
    if (mode_ == Mode::Sse) {
      std::vector<sse::Event> events;
      framer_.finish(events);
      Status s = handle_events(events, sink);
      if (!s.ok()) return s;
    } else if (mode_ == Mode::Whole) {
      whole_body = true;
      if (buf_.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Error::make(ErrorKind::UpstreamProtocol, "Gemini returned an empty response body");
      }
      Status s = handle_json(buf_, sink);
      buf_.clear();
      if (!s.ok()) return s;
    }
    if (errored_) return {};
    bool natural = have_finish_ || !block_reason_.empty() || (whole_body && started_);
    if (!natural) {
      return Error::make(ErrorKind::StreamInterrupted,
                         "the Gemini response ended before a finishReason");
    }
    close_streamed_call(sink);
    if (have_usage_) {
      StreamEvent u;
      u.kind = StreamEvent::Kind::Usage;
      u.usage = usage_;
      sink.on_event(std::move(u));
    }
    if (have_finish_ && !gemini_caller_ && is_tool_call_failure(finish_reason_)) {
      // No other protocol has a finish reason for "the model's own call was rejected": a
      // clean end (stop / end_turn) would hide it and content_filter would misdirect, so the
      // caller gets a retryable upstream error. A Gemini caller sees Gemini's own reason.
      StreamEvent e;
      e.kind = StreamEvent::Kind::Error;
      e.error = Error::make(ErrorKind::UpstreamServerError,
                            "Gemini ended the turn with finishReason " + finish_reason_ +
                                ": the model produced a function call Gemini could not accept. "
                                "Retrying the request may succeed.",
                            {}, "gemini_" + lower_ascii(finish_reason_));
      e.error.http_status = 502;
      e.error.upstream_type = finish_reason_;
      e.error.provider = dep_.provider != nullptr ? dep_.provider->name : std::string();
      sink.on_event(std::move(e));
      return {};
    }
    StreamEvent f;
    f.kind = StreamEvent::Kind::Finish;
    if (!have_finish_ && !block_reason_.empty()) {
      f.finish = FinishReason::ContentFilter;
      f.native_finish = block_reason_;
    } else {
      f.native_finish = finish_reason_;
      if (finish_reason_.empty() && !saw_candidate_) {
        f.finish = FinishReason::Other;  // a complete body that held no candidate at all
      } else if (finish_reason_ == "STOP" || finish_reason_.empty()) {
        f.finish = saw_call_ ? FinishReason::ToolCalls : FinishReason::Stop;
      } else if (finish_reason_ == "MAX_TOKENS") {
        f.finish = FinishReason::Length;
      } else if (is_content_filter(finish_reason_)) {
        f.finish = FinishReason::ContentFilter;
      } else {
        f.finish = FinishReason::Other;
      }
    }
    sink.on_event(std::move(f));
    return {};
  }

 private:
  enum class Mode : uint8_t { Sniff, Sse, Array, Whole };

  Status feed_mode(std::string_view bytes, EventSink& sink) {
    switch (mode_) {
      case Mode::Sse: {
        std::vector<sse::Event> events;
        Status s = framer_.feed(bytes, events);
        Status h = handle_events(events, sink);
        if (!h.ok()) return h;
        return s;
      }
      case Mode::Array: {
        std::vector<std::string> elems;
        Status s = splitter_.feed(bytes, elems);
        for (const auto& e : elems) {
          if (errored_) break;
          Status h = handle_json(e, sink);
          if (!h.ok()) return h;
        }
        return s;
      }
      case Mode::Whole:
      case Mode::Sniff: buf_.append(bytes); return {};
    }
    return {};
  }

  Status handle_events(const std::vector<sse::Event>& events, EventSink& sink) {
    for (const auto& ev : events) {
      if (errored_) break;
      std::string_view data = ev.data;
      size_t b = data.find_first_not_of(" \t\r\n");
      if (b == std::string_view::npos) continue;
      data.remove_prefix(b);
      if (data == "[DONE]") continue;
      Status s = handle_json(data, sink);
      if (!s.ok()) return s;
    }
    return {};
  }

  Status handle_json(std::string_view text, EventSink& sink) {
    Result<json::Element> e = reader_.parse(text);
    if (!e.ok()) {
      return Error::make(ErrorKind::UpstreamProtocol, "Gemini sent a response that is not valid JSON");
    }
    if (e.value().is_array()) {
      json::Array items = e.value().get_array().value_unsafe();
      for (json::Element item : items) {
        if (errored_) break;
        if (item.is_object()) handle_chunk(item.get_object().value_unsafe(), text, sink);
      }
    } else if (e.value().is_object()) {
      handle_chunk(e.value().get_object().value_unsafe(), text, sink);
    } else {
      return Error::make(ErrorKind::UpstreamProtocol, "Gemini sent a chunk that is not an object");
    }
    return {};
  }

  void handle_chunk(json::Object root, std::string_view raw, EventSink& sink) {
    if (auto err = json::get_object(root, "error")) {
      int code = static_cast<int>(json::get_int(*err, "code", 500));
      StreamEvent ev;
      ev.kind = StreamEvent::Kind::Error;
      ev.error = gemini_detail::classify_error_object(simdjson::minify(*err), code,
                                                      Headers{}, dep_);
      errored_ = true;
      sink.on_event(std::move(ev));
      return;
    }
    if (!started_) {
      started_ = true;
      std::string_view rid = json::get_string(root, "responseId");
      if (!rid.empty()) {
        seed_ = std::string(rid);
      } else {
        char buf[24];
        std::snprintf(buf, sizeof buf, "%016llx",
                      static_cast<unsigned long long>(fnv1a(raw)));
        seed_ = buf;
      }
      StreamEvent s;
      s.kind = StreamEvent::Kind::Start;
      s.id = std::string(rid);
      s.name = std::string(json::get_string(root, "modelVersion"));
      s.created = parse_rfc3339(json::get_string(root, "createTime"));
      sink.on_event(std::move(s));
    }
    if (auto um = json::get_object(root, "usageMetadata")) {
      Usage u;
      u.input_tokens = json::get_int(*um, "promptTokenCount") +
                       json::get_int(*um, "toolUsePromptTokenCount");
      u.cached_input_tokens = json::get_int(*um, "cachedContentTokenCount");
      u.reasoning_tokens = json::get_int(*um, "thoughtsTokenCount");
      u.output_tokens = json::get_int(*um, "candidatesTokenCount") + u.reasoning_tokens;
      usage_ = u;
      have_usage_ = true;
    }
    if (auto pf = json::get_object(root, "promptFeedback")) {
      std::string_view br = json::get_string(*pf, "blockReason");
      if (!br.empty()) block_reason_ = std::string(br);
    }
    auto cands = json::get_array(root, "candidates");
    if (!cands) return;
    json::Element first;
    if (cands->at(0).get(first) != simdjson::SUCCESS || !first.is_object()) return;
    saw_candidate_ = true;
    json::Object cand = first.get_object().value_unsafe();
    if (auto content = json::get_object(cand, "content")) {
      if (auto parts = json::get_array(*content, "parts")) {
        for (json::Element p : *parts) {
          if (p.is_object()) handle_part(p.get_object().value_unsafe(), sink);
        }
      }
    }
    std::string_view fr = json::get_string(cand, "finishReason");
    if (!fr.empty()) {
      finish_reason_ = std::string(fr);
      have_finish_ = true;
    }
  }

  void handle_part(json::Object part, EventSink& sink) {
    std::string_view signature = json::get_string(part, "thoughtSignature");
    if (auto fc = json::get_object(part, "functionCall")) {
      handle_call(*fc, signature, sink);
      return;
    }
    std::string_view text;
    if (part.at_key("text").get_string().get(text) != simdjson::SUCCESS) return;
    if (flag(part, "thought")) {
      if (!text.empty()) {
        StreamEvent ev;
        ev.kind = StreamEvent::Kind::ReasoningDelta;
        ev.text = std::string(text);
        sink.on_event(std::move(ev));
      }
      if (!signature.empty()) {  // a signed thought part closes the reasoning block
        StreamEvent ev;
        ev.kind = StreamEvent::Kind::ReasoningSignature;
        ev.text = std::string(signature);
        sink.on_event(std::move(ev));
      }
      return;
    }
    // A text part's signature (often on an empty final part of Gemini 3) must go back on the
    // same part next turn, so it travels with the text.
    if (text.empty() && signature.empty()) return;
    StreamEvent ev = StreamEvent::text_delta(std::string(text));
    ev.signature = std::string(signature);
    sink.on_event(std::move(ev));
  }

  void handle_call(json::Object fc, std::string_view signature, EventSink& sink) {
    std::string_view name = json::get_string(fc, "name");
    bool will_continue = flag(fc, "willContinue");
    auto partial = json::get_array(fc, "partialArgs");
    if (!name.empty()) {
      close_streamed_call(sink);
      int index = next_index_++;
      saw_call_ = true;
      StreamEvent st;
      st.kind = StreamEvent::Kind::ToolCallStart;
      st.index = index;
      std::string_view id = json::get_string(fc, "id");
      st.id = id.empty() ? synth_tool_id(seed_, index) : std::string(id);
      st.name = std::string(name);
      st.signature = std::string(signature);
      sink.on_event(std::move(st));
      if (will_continue) {  // Vertex: arguments follow in partialArgs fragments
        streamed_open_ = true;
        streamed_index_ = index;
        args_.reset();
        if (partial) apply_partial(*partial);
        return;
      }
      std::string args = "{}";
      if (auto a = json::get_object(fc, "args")) args = simdjson::minify(*a);
      emit_args_and_end(index, std::move(args), sink);
      return;
    }
    if (!streamed_open_) return;  // a nameless fragment with no open call: nothing to attach to
    if (partial) apply_partial(*partial);
    if (!will_continue) close_streamed_call(sink);
  }

  void apply_partial(json::Array frags) {
    for (json::Element f : frags) {
      if (f.is_object()) args_.apply(f.get_object().value_unsafe());
    }
  }

  void close_streamed_call(EventSink& sink) {
    if (!streamed_open_) return;
    streamed_open_ = false;
    emit_args_and_end(streamed_index_, args_.json(), sink);
  }

  static void emit_args_and_end(int index, std::string args, EventSink& sink) {
    StreamEvent d;
    d.kind = StreamEvent::Kind::ToolCallDelta;
    d.index = index;
    d.text = std::move(args);
    sink.on_event(std::move(d));
    StreamEvent e;
    e.kind = StreamEvent::Kind::ToolCallEnd;
    e.index = index;
    sink.on_event(std::move(e));
  }

  Deployment dep_;
  Mode mode_;
  bool streaming_;
  bool gemini_caller_;  // the caller speaks Gemini: native finish reasons pass through
  std::string buf_;  // sniff bytes, or the whole non-streaming body
  sse::Framer framer_;
  gemini_detail::JsonArraySplitter splitter_;
  json::Reader reader_;

  bool started_ = false;
  bool errored_ = false;
  bool saw_call_ = false;
  bool saw_candidate_ = false;
  std::string seed_;
  int next_index_ = 0;
  std::string finish_reason_;
  bool have_finish_ = false;
  std::string block_reason_;
  Usage usage_;
  bool have_usage_ = false;

  bool streamed_open_ = false;
  int streamed_index_ = 0;
  PartialArgs args_;
};

}  // namespace

std::unique_ptr<ResponseDecoder> make_gemini_decoder(const ChatRequest& req, const Deployment& d,
                                                     bool streaming) {
  return std::make_unique<GeminiDecoder>(req, d, streaming);
}

}  // namespace openrain::providers
