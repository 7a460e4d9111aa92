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
  size_t pos = s.find(what);
  if (pos == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t from = 0;
  for (; pos != std::string::npos; pos = s.find(what, from)) {
    out.append(s, from, pos - from);
    out.append(with);
    from = pos + what.size();
  }
  out.append(s, from, std::string::npos);
  s = std::move(out);
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

constexpr std::string_view kRedacted = "[redacted]";

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

/// Characters of a key after its prefix ('*': a partly masked echo such as "sk-proj-ab***wxyz").
bool key_char(char c) { return is_alnum(c) || c == '-' || c == '_' || c == '*'; }

/// RFC 7235 token68 (plus '*'): what may follow "Bearer ".
bool credential_char(char c) {
  return key_char(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}

/// Characters of an opaque token run (base64 and base64url alphabets, '*'; '=' ends a run, so
/// "name=value" splits, and trailing padding is dropped with a masked run).
bool token_char(char c) { return key_char(c) || c == '+'; }

/// Prefixes of provider keys and tokens, masked with what follows them.
constexpr std::string_view kKeyPrefixes[] = {"sk-",  "sk_",  "AIza", "ya29.",
                                             "gsk_", "xai-", "pplx-", "hf_"};

/// Prefixes of upstream request and object ids: runs starting with one are ids, not secrets.
constexpr std::string_view kIdPrefixes[] = {
    "req_",   "request_", "msg_",  "msgbatch_", "toolu_", "srvtoolu_", "chatcmpl-", "cmpl-",
    "call_",  "resp_",    "rs_",   "fc_",       "file-",  "file_",     "batch_",    "org-",
    "proj_",  "asst_",    "thread_", "run_",    "step_",  "ftjob-",    "vs_"};

/// `...key=<value>` (echoed request URLs and query strings): the value goes.
void mask_key_params(std::string& s) {
  constexpr std::string_view kEnd = "&\"' )]>,;<\n\r\t";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const bool param = i + 4 <= s.size() && lower(s[i]) == 'k' && lower(s[i + 1]) == 'e' &&
                       lower(s[i + 2]) == 'y' && s[i + 3] == '=';
    if (!param) {
      out.push_back(s[i++]);
      continue;
    }
    out.append(s, i, 4);
    size_t start = i + 4;
    size_t end = start;
    if (s.compare(start, kRedacted.size(), kRedacted) == 0) {
      end = start + kRedacted.size();  // the key itself, already masked
    } else {
      while (end < s.size() && kEnd.find(s[end]) == std::string_view::npos) ++end;
    }
    if (end > start) out.append(kRedacted);
    i = end;
  }
  s = std::move(out);
}

/// "Bearer <credential>": the credential goes when it looks like one (8+ characters with a digit,
/// or 20+), so prose such as "Bearer authentication is required" stays.
void mask_bearer(std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if ((i == 0 || !is_alnum(s[i - 1])) && ifind(std::string_view(s).substr(i, 6), "bearer") == 0) {
      size_t sp = i + 6;
      while (sp < s.size() && (s[sp] == ' ' || s[sp] == '\t')) ++sp;
      size_t end = sp;
      bool digit = false;
      while (end < s.size() && credential_char(s[end])) digit = is_digit(s[end++]) || digit;
      size_t len = end - sp;
      if (sp > i + 6 && (len >= 20 || (len >= 8 && digit))) {
        out.append(s, i, sp - i);
        out.append(kRedacted);
        i = end;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  s = std::move(out);
}

/// Known key prefixes at a word start, followed by 6 or more key characters ('.' inside, as in
/// "ya29.c.b0A...", but not a sentence's final period).
void mask_prefixed_keys(std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (i == 0 || !key_char(s[i - 1])) {
      size_t end = std::string::npos;
      for (std::string_view p : kKeyPrefixes) {
        if (s.compare(i, p.size(), p) != 0) continue;
        size_t k = i + p.size();
        while (k < s.size() &&
               (key_char(s[k]) || (s[k] == '.' && k + 1 < s.size() && key_char(s[k + 1])))) {
          ++k;
        }
        if (k - (i + p.size()) >= 6) end = k;
        break;
      }
      if (end != std::string::npos) {
        out.append(kRedacted);
        i = end;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  s = std::move(out);
}

/// 8-4-4-4-12 hex digits: a request / organisation id (Anthropic names the org in rate limits).
bool is_uuid(std::string_view run) {
  if (run.size() != 36) return false;
  for (size_t i = 0; i < run.size(); ++i) {
    char c = run[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

/// An opaque token: 20+ characters holding a piece of 8+ mixed letters and digits between
/// separators (model names and dates are made of shorter or unmixed pieces), and not an id.
bool opaque_run(std::string_view run) {
  if (run.size() < 20 || is_uuid(run)) return false;
  for (std::string_view p : kIdPrefixes) {
    if (run.substr(0, p.size()) == p) return false;
  }
  bool letter = false, digit = false;
  size_t len = 0;
  for (char c : run) {
    if (!is_alnum(c)) {
      letter = digit = false;
      len = 0;
      continue;
    }
    letter = letter || is_alpha(c);
    digit = digit || is_digit(c);
    if (++len >= 8 && letter && digit) return true;
  }
  return false;
}

void mask_opaque_runs(std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (!token_char(s[i])) {
      out.push_back(s[i++]);
      continue;
    }
    size_t j = i;
    while (j < s.size() && token_char(s[j])) ++j;
    std::string_view run = std::string_view(s).substr(i, j - i);
    if (opaque_run(run)) {
      out.append(kRedacted);
      while (j < s.size() && s[j] == '=') ++j;  // base64 padding goes with it
    } else {
      out.append(run);
    }
    i = j;
  }
  s = std::move(out);
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

std::string scrub_secrets(std::string_view text, std::string_view api_key) {
  std::string s(text);
  if (api_key.size() >= 4) replace_all(s, api_key, kRedacted);
  mask_key_params(s);
  mask_bearer(s);
  mask_prefixed_keys(s);
  mask_opaque_runs(s);
  return s;
}

std::string error_body_snippet(std::string_view body, std::string_view api_key, size_t max_len) {
  std::string raw(body.substr(0, 64 * 1024));
  if (api_key.size() >= 4) replace_all(raw, api_key, kRedacted);

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
  // Secrets go before the cut (tags may have split the key; the scrubber sees it again).
  std::string out = scrub_secrets(clean, api_key);
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
