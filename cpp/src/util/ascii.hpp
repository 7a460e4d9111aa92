// util/ascii.hpp — ASCII case helpers for protocol tokens (HTTP field names, wire enum values).
//
// Owns nothing: inline pure functions, thread-safe. Locale-independent on purpose: field names and
// wire enums are ASCII, and std::tolower depends on the C locale. One definition for every file
// that compares or folds such tokens.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace openrain::ascii {

/// 'A'..'Z' → 'a'..'z'; every other byte unchanged.
constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// A copy of `s` with ASCII letters lower-cased.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

/// ASCII case-insensitive equality.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

}  // namespace openrain::ascii
