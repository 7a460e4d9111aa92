// sim/styled_json.hpp — a tiny append-only JSON writer with the three layouts providers use on
// the wire: Compact (`{"a":1}` — OpenAI chunks, Anthropic), Spaced (`{"a": 1,"b": 2}` — Gemini
// SSE) and Pretty (2-space indent, `": "` — OpenAI and Gemini non-stream bodies, Gemini array
// streams). The gateway's json::Writer only knows Compact, and the simulator must reproduce the
// recordings' bytes, hence this separate writer. Owns only a reference to the output string.
// Thread-safety: one writer per output.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "json/writer.hpp"

namespace openrain::sim {

enum class Style : uint8_t { Compact, Spaced, Pretty };

class StyledWriter {
 public:
  StyledWriter(std::string& out, Style style) : out_(out), style_(style) {}

  StyledWriter& obj() { open('{'); return *this; }
  StyledWriter& end_obj() { close('}'); return *this; }
  StyledWriter& arr() { open('['); return *this; }
  StyledWriter& end_arr() { close(']'); return *this; }
  StyledWriter& key(std::string_view k) {
    sep();
    json::append_quoted(out_, k);
    out_.append(style_ == Style::Compact ? ":" : ": ");
    after_key_ = true;
    return *this;
  }
  StyledWriter& str(std::string_view s) { sep(); json::append_quoted(out_, s); return *this; }
  StyledWriter& num(int64_t v) {
    sep();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    return *this;
  }
  StyledWriter& boolean(bool b) { sep(); out_.append(b ? "true" : "false"); return *this; }
  StyledWriter& null() { sep(); out_.append("null"); return *this; }
  /// Verbatim JSON text (kept as is, whatever the style).
  StyledWriter& raw(std::string_view j) { sep(); out_.append(j); return *this; }
  /// Re-emit a parsed value in this writer's style.
  StyledWriter& value(simdjson::dom::element e) {
    using T = simdjson::dom::element_type;
    switch (e.type()) {
      case T::OBJECT: {
        obj();
        simdjson::dom::object o = e.get_object().value_unsafe();  // named: must outlive the loop
        for (auto f : o) { key(f.key); value(f.value); }
        return end_obj();
      }
      case T::ARRAY: {
        arr();
        simdjson::dom::array a = e.get_array().value_unsafe();  // named: must outlive the loop
        for (auto v : a) value(v);
        return end_arr();
      }
      case T::STRING: return str(e.get_string().value_unsafe());
      default: return raw(simdjson::minify(e));
    }
  }

  StyledWriter& f(std::string_view k, std::string_view v) { key(k); return str(v); }
  StyledWriter& f(std::string_view k, const char* v) { key(k); return str(v); }
  StyledWriter& f(std::string_view k, int64_t v) { key(k); return num(v); }
  StyledWriter& f(std::string_view k, int v) { key(k); return num(v); }
  StyledWriter& f(std::string_view k, bool v) { key(k); return boolean(v); }
  StyledWriter& f_null(std::string_view k) { key(k); return null(); }

 private:
  void sep() {
    if (after_key_) { after_key_ = false; return; }
    if (depth_ > 0 && depth_ <= kMaxDepth) {
      if (has_items_[depth_ - 1]) out_.push_back(',');
      has_items_[depth_ - 1] = true;
      if (style_ == Style::Pretty) newline(depth_);
    }
  }
  void open(char c) {
    sep();
    out_.push_back(c);
    if (depth_ < kMaxDepth) has_items_[depth_] = false;
    ++depth_;
  }
  void close(char c) {
    if (depth_ > 0) --depth_;
    if (style_ == Style::Pretty && depth_ < kMaxDepth && has_items_[depth_]) newline(depth_);
    out_.push_back(c);
  }
  void newline(int depth) {
    out_.push_back('\n');
    out_.append(static_cast<size_t>(depth) * 2, ' ');
  }

  static constexpr int kMaxDepth = 64;
  std::string& out_;
  Style style_;
  bool has_items_[kMaxDepth] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace openrain::sim
