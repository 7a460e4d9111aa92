#include "providers/common.hpp"

#include <cstdio>

namespace openrain::providers {

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
