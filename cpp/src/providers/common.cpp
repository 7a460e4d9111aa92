#include "providers/common.hpp"

#include <cstdio>
#include <cstring>

namespace openrain::providers {

namespace {

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// Position of `needle` (lower-case ASCII) in `hay`, ignoring case, from `from`; npos if none.
size_t ifind(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

void replace_all(std::string& s, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size())) {
    s.replace(pos, what.size(), with);
  }
}

/// Text of `html` without tags (and without script / style contents), one space per tag.
std::string strip_tags(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  size_t i = 0;
  while (i < html.size()) {
    char c = html[i];
    if (c != '<') {
      out.push_back(c);
      ++i;
      continue;
    }
    for (std::string_view skip : {std::string_view("<script"), std::string_view("<style")}) {
      if (ifind(html.substr(i, skip.size()), skip) == 0) {
        std::string close = "</" + std::string(skip.substr(1));
        size_t end = ifind(html, close, i);
        i = end == std::string_view::npos ? html.size() : end;
        break;
      }
    }
    size_t gt = html.find('>', i);
    i = gt == std::string_view::npos ? html.size() : gt + 1;
    out.push_back(' ');
  }
  return out;
}

bool token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '+' || c == '=';
}

}  // namespace

std::string sniff_image_media_type(std::string_view data) {
  unsigned char bytes[16];
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : data) {
    if (n == sizeof bytes) break;
    if (c == '=') break;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v = b64_value(c);
    if (v < 0) return {};
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = static_cast<unsigned char>((acc >> bits) & 0xFF);
    }
  }
  auto starts = [&](const char* magic, size_t len, size_t at = 0) {
    return n >= at + len && std::memcmp(bytes + at, magic, len) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (starts("\xFF\xD8\xFF", 3)) return "image/jpeg";
  if (starts("GIF87a", 6) || starts("GIF89a", 6)) return "image/gif";
  if (starts("RIFF", 4) && starts("WEBP", 4, 8)) return "image/webp";
  return {};
}

std::string error_body_snippet(std::string_view body, std::string_view api_key, size_t max_len) {
  constexpr std::string_view kRedacted = "[redacted]";
  std::string raw(body.substr(0, 64 * 1024));
  const bool scrub_key = api_key.size() >= 4;
  if (scrub_key) replace_all(raw, api_key, kRedacted);

  std::string_view view = raw;
  if (size_t t = ifind(view, "<title"); t != std::string_view::npos) {
    size_t gt = view.find('>', t);
    size_t end = gt == std::string_view::npos ? gt : ifind(view, "</title", gt);
    if (end != std::string_view::npos) {
      std::string title = strip_tags(view.substr(gt + 1, end - gt - 1));
      if (title.find_first_not_of(" \t\r\n") != std::string::npos) raw = std::move(title);
    }
  }
  std::string text = strip_tags(raw);

  // Printable ASCII only, whitespace runs collapsed.
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    bool space = u <= 0x20 || u >= 0x7F;
    if (space) {
      if (!clean.empty() && clean.back() != ' ') clean.push_back(' ');
    } else {
      clean.push_back(c);
    }
  }
  while (!clean.empty() && clean.back() == ' ') clean.pop_back();
  if (scrub_key) replace_all(clean, api_key, kRedacted);  // tags may have split it

  // Token-like runs (keys, bearer tokens, signed URLs) are never shown.
  std::string out;
  out.reserve(clean.size());
  for (size_t i = 0; i < clean.size();) {
    if (!token_char(clean[i])) {
      out.push_back(clean[i++]);
      continue;
    }
    size_t j = i;
    bool letter = false, digit = false;
    while (j < clean.size() && token_char(clean[j])) {
      char c = clean[j];
      if (c >= '0' && c <= '9') digit = true;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) letter = true;
      ++j;
    }
    if (j - i >= 20 && letter && digit) {
      out.append(kRedacted);
    } else {
      out.append(clean, i, j - i);
    }
    i = j;
  }
  if (out.size() > max_len) {
    size_t cut = max_len > 3 ? max_len - 3 : 0;
    out.resize(cut);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "...";
  }
  return out;
}

std::optional<DataUrl> parse_data_url(std::string_view url) {
  if (url.substr(0, 5) != "data:") return std::nullopt;
  auto comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view meta = url.substr(5, comma - 5);
  constexpr std::string_view kB64 = ";base64";
  if (meta.size() < kB64.size() || meta.substr(meta.size() - kB64.size()) != kB64) return std::nullopt;
  DataUrl d;
  d.media_type = std::string(meta.substr(0, meta.size() - kB64.size()));
  if (auto semi = d.media_type.find(';'); semi != std::string::npos) d.media_type.resize(semi);
  if (d.media_type.empty()) d.media_type = "application/octet-stream";
  d.data = std::string(url.substr(comma + 1));
  return d;
}

uint64_t fnv1a(std::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string safe_tool_id(std::string_view id) {
  bool ok = !id.empty() && id.size() <= 64;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      ok = false;
      break;
    }
  }
  if (ok) return std::string(id);
  std::string out;
  for (char c : id) {
    if (out.size() >= 40) break;
    bool good = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    out.push_back(good ? c : '_');
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "_%016llx", static_cast<unsigned long long>(fnv1a(id)));
  out += buf;  // the hash keeps distinct ids distinct after character replacement
  return out;
}

std::string synth_tool_id(std::string_view seed, int index) {
  char buf[40];
  uint64_t h = fnv1a(seed);
  h = fnv1a(std::to_string(index), h);
  std::snprintf(buf, sizeof buf, "call_%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace openrain::providers
