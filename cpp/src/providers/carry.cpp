#include "providers/carry.hpp"

#include <array>
#include <cstdint>

namespace openrain::providers {
namespace {

constexpr std::string_view kAnthropicPrefix = "toolu_or_";
constexpr std::string_view kCallPrefix = "call_or_";
constexpr std::string_view kSigMarker = "openrain-sig:";
constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr const char* kHex = "0123456789ABCDEF";

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void escape_into(std::string_view s, std::string& out) {
  for (char c : s) {
    if (is_word(c)) {
      out.push_back(c);
    } else {
      auto u = static_cast<unsigned char>(c);
      out.push_back('-');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
}

/// Unescape `s` up to the end or an unescaped "-t" separator; `pos` ends on the separator (or
/// s.size()). false on a malformed escape.
bool unescape(std::string_view s, size_t& pos, std::string& out) {
  while (pos < s.size()) {
    char c = s[pos];
    if (c != '-') {
      if (!is_word(c)) return false;
      out.push_back(c);
      ++pos;
      continue;
    }
    if (pos + 1 < s.size() && s[pos + 1] == 't') return true;
    if (pos + 2 >= s.size()) return false;
    int hi = hex_value(s[pos + 1]);
    int lo = hex_value(s[pos + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    pos += 3;
  }
  return true;
}

/// Canonical padded standard base64 text: [A-Za-z0-9+/]*, length % 4 == 0, at most two '='
/// at the end only.
bool is_padded_base64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return false;
  size_t n = s.size();
  size_t pad = 0;
  while (pad < 2 && n > 0 && s[n - 1] == '=') {
    --n;
    ++pad;
  }
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (!(is_word(c) && c != '_') && c != '+' && c != '/') return false;
  }
  return true;
}

std::string encode(std::string_view prefix, std::string_view id, std::string_view signature) {
  std::string out(prefix);
  out.reserve(prefix.size() + id.size() + signature.size() + 8);
  escape_into(id, out);
  if (signature.empty()) return out;
  out += "-t";
  if (is_padded_base64(signature)) {
    out.push_back('b');
    for (char c : signature) {
      if (c == '=') break;
      out.push_back(c == '+' ? '-' : c == '/' ? '_' : c);
    }
  } else {
    out.push_back('e');
    escape_into(signature, out);
  }
  return out;
}

char origin_letter(Protocol p) {
  switch (p) {
    case Protocol::OpenAIChat: return 'c';
    case Protocol::OpenAIResponses: return 'r';
    case Protocol::Anthropic: return 'a';
    case Protocol::Gemini: return 'g';
  }
  return 'c';
}

std::optional<Protocol> origin_from(char c) {
  switch (c) {
    case 'c': return Protocol::OpenAIChat;
    case 'r': return Protocol::OpenAIResponses;
    case 'a': return Protocol::Anthropic;
    case 'g': return Protocol::Gemini;
    default: return std::nullopt;
  }
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kB64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string caller_tool_id(std::string_view id, std::string_view signature) {
  if (signature.empty()) return std::string(id);
  return encode(kCallPrefix, id, signature);
}

std::string anthropic_tool_id(std::string_view id, std::string_view signature) {
  if (signature.empty() && id.substr(0, 6) == "toolu_" && id.size() > 6 &&
      id.substr(0, kAnthropicPrefix.size()) != kAnthropicPrefix) {
    bool ok = true;
    for (char c : id) ok = ok && (is_word(c) || c == '-');
    if (ok) return std::string(id);
  }
  return encode(kAnthropicPrefix, id, signature);
}

CarriedToolId parse_tool_id(std::string_view shown) {
  CarriedToolId plain{std::string(shown), {}};
  std::string_view rest;
  if (shown.substr(0, kAnthropicPrefix.size()) == kAnthropicPrefix) {
    rest = shown.substr(kAnthropicPrefix.size());
  } else if (shown.substr(0, kCallPrefix.size()) == kCallPrefix) {
    rest = shown.substr(kCallPrefix.size());
  } else {
    return plain;
  }
  CarriedToolId out;
  size_t pos = 0;
  if (!unescape(rest, pos, out.id)) return plain;
  if (pos == rest.size()) return out;
  std::string_view sig = rest.substr(pos + 2);  // after "-t"
  if (sig.empty()) return plain;
  if (sig[0] == 'b') {
    for (char c : sig.substr(1)) {
      if (!(is_word(c) || c == '-')) return plain;
      out.signature.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
    }
    if (out.signature.size() % 4 == 1) return plain;
    while (out.signature.size() % 4 != 0) out.signature.push_back('=');
    return out;
  }
  if (sig[0] == 'e') {
    std::string_view esc = sig.substr(1);
    size_t p = 0;
    if (!unescape(esc, p, out.signature) || p != esc.size()) return plain;
    return out;
  }
  return plain;
}

bool is_synth_tool_id(std::string_view id) {
  if (id.size() != 21 || id.substr(0, 5) != "call_") return false;
  for (char c : id.substr(5)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string wrap_signature(Protocol origin, std::string_view raw) {
  std::string plain(kSigMarker);
  plain.push_back(origin_letter(origin));
  plain.push_back(':');
  plain.append(raw);
  return base64_encode(plain);
}

std::optional<CarriedSignature> unwrap_signature(std::string_view shown) {
  // "openrain-sig:" is 13 bytes; its first 12 always encode to the same 16 characters.
  static const std::string kHead = base64_encode(kSigMarker.substr(0, 12));
  if (shown.size() < 20 || shown.substr(0, kHead.size()) != kHead) return std::nullopt;
  std::optional<std::string> plain = base64_decode(shown);
  if (!plain || plain->size() < kSigMarker.size() + 2 ||
      std::string_view(*plain).substr(0, kSigMarker.size()) != kSigMarker ||
      (*plain)[kSigMarker.size() + 1] != ':') {
    return std::nullopt;
  }
  std::optional<Protocol> origin = origin_from((*plain)[kSigMarker.size()]);
  if (!origin) return std::nullopt;
  return CarriedSignature{*origin, plain->substr(kSigMarker.size() + 2)};
}

}  // namespace openrain::providers
