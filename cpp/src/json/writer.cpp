#include "json/writer.hpp"

#include <algorithm>
#include <cstring>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace openrain::json {

namespace {

/// True when any of the 8 bytes in `w` needs escaping in a JSON string: a control character
/// (< 0x20), '"' or '\\'. Classic SWAR "has byte less than / equal to" tests; exact for "any".
inline bool word_needs_escape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const uint64_t ctl = (w - kOnes * 0x20) & ~w & kHighs;
  const uint64_t q = w ^ (kOnes * static_cast<uint8_t>('"'));
  const uint64_t bs = w ^ (kOnes * static_cast<uint8_t>('\\'));
  return (ctl | ((q - kOnes) & ~q & kHighs) | ((bs - kOnes) & ~bs & kHighs)) != 0;
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  size_t run = 0;  // start of the current run of characters needing no escape
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    // Skip 8 clean bytes at a time; fall back to bytes only around a byte that needs work.
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!word_needs_escape(w)) {
        i += 8;
        continue;
      }
    }
    const size_t stop = std::min(n, i + 8);
    for (; i < stop; ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default: {
          char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out.append(buf, 6);
        }
      }
    }
  }
  out.append(s.data() + run, n - run);
}

bool needs_escape(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == '"' || c == '\\') return true;
  }
  return false;
}

void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  append_escaped(out, s);
  out.push_back('"');
}

Writer& Writer::value(int64_t v) {
  sep();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

Writer& Writer::value(double v) {
  sep();
  if (!std::isfinite(v)) { out_.append("null"); return *this; }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  out_.append(buf, r.ptr);
  return *this;
}

}  // namespace openrain::json
