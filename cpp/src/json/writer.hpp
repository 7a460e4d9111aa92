// json/writer.hpp — append-only JSON writer used to render every wire body and frame.
//
// Owns nothing but a reference to the output string. Tracks commas with a small fixed stack, so
// rendering is allocation-free beyond the output buffer itself. No DOM is ever built.
// Thread-safety: one writer per thread/request.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

namespace openrain::json {

/// Append `s` to `out` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void append_quoted(std::string& out, std::string_view s);
/// Append `s` escaped but without quotes.
void append_escaped(std::string& out, std::string_view s);
/// True when `s` holds a byte JSON strings must escape (control, quote, backslash).
bool needs_escape(std::string_view s);

class Writer {
 public:
  /// Makes sure `out` has room for a typical small document, growing geometrically (so a
  /// response is not built through a chain of small reallocations).
  explicit Writer(std::string& out) : out_(out) {
    if (out_.capacity() - out_.size() < kMinHeadroom) {
      out_.reserve(std::max(out_.capacity() * 2, out_.size() + 2 * kMinHeadroom));
    }
  }

  Writer& begin_object() { sep(); out_.push_back('{'); push(); return *this; }
  Writer& end_object() { pop(); out_.push_back('}'); return *this; }
  /// Open an object whose first members are `members` (already-serialised `"k":v,...` text,
  /// possibly empty); further members follow with the right commas.
  Writer& begin_object_with(std::string_view members) {
    sep(); out_.push_back('{'); out_.append(members); push();
    if (depth_ <= kMaxDepth) need_comma_[depth_ - 1] = !members.empty();
    return *this;
  }
  Writer& begin_array() { sep(); out_.push_back('['); push(); return *this; }
  Writer& end_array() { pop(); out_.push_back(']'); return *this; }
  Writer& key(std::string_view k) {
    sep(); append_quoted(out_, k); out_.push_back(':'); after_key_ = true; return *this;
  }
  /// A key written as a string literal (every key in the renderers): it needs no escaping,
  /// so it is copied as is. Escaping is checked in debug builds.
  template <std::size_t N>
  Writer& key(const char (&lit)[N]) {
    const std::string_view k(lit);
    assert(!needs_escape(k));
    sep();
    out_.push_back('"');
    out_.append(k);
    out_.append("\":", 2);
    after_key_ = true;
    return *this;
  }
  Writer& value(std::string_view s) { sep(); append_quoted(out_, s); return *this; }
  Writer& value(const char* s) { return value(std::string_view(s)); }
  Writer& value(const std::string& s) { return value(std::string_view(s)); }
  Writer& value(int64_t v);
  Writer& value(int v) { return value(static_cast<int64_t>(v)); }
  Writer& value(double v);
  Writer& value(bool v) { sep(); out_.append(v ? "true" : "false"); return *this; }
  Writer& null() { sep(); out_.append("null"); return *this; }
  /// Append already-serialised JSON verbatim (must be a valid JSON value).
  Writer& raw(std::string_view json) { sep(); out_.append(json); return *this; }

  template <typename T>
  Writer& field(std::string_view k, const T& v) { key(k); return value(v); }
  template <std::size_t N, typename T>
  Writer& field(const char (&k)[N], const T& v) { key(k); return value(v); }
  Writer& field_null(std::string_view k) { key(k); return null(); }
  template <std::size_t N>
  Writer& field_null(const char (&k)[N]) { key(k); return null(); }
  Writer& field_raw(std::string_view k, std::string_view json) { key(k); return raw(json); }
  template <std::size_t N>
  Writer& field_raw(const char (&k)[N], std::string_view json) { key(k); return raw(json); }

  std::string& out() { return out_; }

 private:
  void sep() {
    if (after_key_) { after_key_ = false; return; }
    if (depth_ > 0) {
      if (need_comma_[depth_ - 1]) out_.push_back(',');
      need_comma_[depth_ - 1] = true;
    }
  }
  void push() { if (depth_ < kMaxDepth) need_comma_[depth_] = false; ++depth_; }
  void pop() { if (depth_ > 0) --depth_; }

  static constexpr int kMaxDepth = 64;
  static constexpr std::size_t kMinHeadroom = 512;
  std::string& out_;
  bool need_comma_[kMaxDepth] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace openrain::json
