#include "net/http1.hpp"
#include "util/ascii.hpp"

#include <array>
#include <cstring>

namespace openrain::net::http1 {

namespace {

using ascii::iequals;

constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);
constexpr std::size_t kBareLf = static_cast<std::size_t>(-2);
constexpr std::size_t kChunkLineLimit = 16 * 1024;    // one extension or trailer line
constexpr uint64_t kMaxChunkSizeDigits = 15;          // < 2^60: no overflow

constexpr std::array<bool, 256> make_tchar() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kTchar = make_tchar();

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!kTchar[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

/// True when buf[0, n) is nothing but CRLF pairs (empty lines before a start line).
bool only_empty_lines(std::string_view buf, std::size_t n) {
  if (n % 2 != 0) return false;
  for (std::size_t i = 0; i < n; i += 2) {
    if (buf[i] != '\r' || buf[i + 1] != '\n') return false;
  }
  return true;
}

/// Find the end of the head (just past the empty line), checking that every line ends in CRLF.
/// Empty lines before the start line are skipped (RFC 9112 §2.2). `scanned` is the start of the
/// first line not yet seen whole. Returns kNotFound (incomplete) or kBareLf (malformed).
std::size_t find_head_end(std::string_view buf, std::size_t& scanned) {
  std::size_t line = scanned;
  for (;;) {
    if (line >= buf.size()) break;
    const void* nl = std::memchr(buf.data() + line, '\n', buf.size() - line);
    if (nl == nullptr) break;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
    if (at == line || buf[at - 1] != '\r') return kBareLf;
    const bool empty = at == line + 1;
    const std::size_t next = at + 1;
    if (empty && !only_empty_lines(buf, line)) return next;
    line = next;
  }
  scanned = line;
  return kNotFound;
}

/// "HTTP/1.1" → 11, "HTTP/1.0" → 10; 0 when not HTTP at all, 1 for another version.
unsigned parse_version(std::string_view v) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return 0;
  if (v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9') return 0;
  if (v[5] == '1' && v[7] == '1') return 11;
  if (v[5] == '1' && v[7] == '0') return 10;
  return 1;
}

/// Strict decimal: digits only, no sign, no overflow.
bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

/// Calls fn(element) for each non-empty element of a comma-separated list, trimmed.
template <class Fn>
void for_each_element(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view el = trim(list.substr(0, comma));
    if (!el.empty()) fn(el);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

/// Field lines and framing shared by requests and responses. `body` is the head after the
/// start line (field lines, then the empty line). `is_request` selects the stricter rules.
struct FramingFacts {
  bool have_length = false;
  uint64_t length = 0;
  bool have_te = false;
  bool chunked_last = false;  // the final transfer coding is chunked
  bool other_coding = false;  // a coding other than chunked, or chunked not last
  bool conn_close = false;
  bool conn_keep_alive = false;
  bool expect_continue = false;
};

ParseStatus parse_fields(std::string_view lines, MessageHead& out, FramingFacts& f) {
  out.fields.clear();
  while (!lines.empty()) {
    const std::size_t eol = lines.find("\r\n");  // present: find_head_end checked every line
    const std::string_view line = lines.substr(0, eol);
    lines.remove_prefix(eol + 2);
    if (line.empty()) break;  // the empty line ending the head
    if (is_ows(line.front())) return ParseStatus::Malformed;  // obsolete line folding
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return ParseStatus::Malformed;
    const std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return ParseStatus::Malformed;  // includes whitespace before ':'
    const std::string_view value = trim(line.substr(colon + 1));
    for (char c : value) {
      if (c == '\0' || c == '\r' || c == '\n') return ParseStatus::Malformed;
    }
    out.fields.push_back(Field{name, value});

    switch (name.size()) {
      case 14:
        if (iequals(name, "content-length")) {
          bool ok = true;
          for_each_element(value, [&](std::string_view el) {
            uint64_t n = 0;
            if (!parse_u64(el, n) || (f.have_length && n != f.length)) ok = false;
            f.have_length = true;
            f.length = n;
          });
          if (!ok || value.empty()) return ParseStatus::Malformed;
        }
        break;
      case 17:
        if (iequals(name, "transfer-encoding")) {
          f.have_te = true;
          for_each_element(value, [&](std::string_view el) {
            if (f.chunked_last) f.other_coding = true;  // anything after chunked
            if (iequals(el, "chunked")) {
              f.chunked_last = true;
            } else {
              f.other_coding = true;
            }
          });
        }
        break;
      case 10:
        if (iequals(name, "connection")) {
          for_each_element(value, [&](std::string_view el) {
            if (iequals(el, "close")) f.conn_close = true;
            if (iequals(el, "keep-alive")) f.conn_keep_alive = true;
          });
        }
        break;
      case 6:
        if (iequals(name, "expect") && iequals(value, "100-continue")) f.expect_continue = true;
        break;
      default:
        break;
    }
  }
  if (out.version >= 11) {
    out.keep_alive = !f.conn_close;
  } else {
    out.keep_alive = f.conn_keep_alive && !f.conn_close;
  }
  return ParseStatus::Complete;
}

/// The head's text and how far the start line goes; shared first step of both parsers.
ParseStatus locate_head(std::string_view buf, std::size_t head_limit, std::size_t& scanned,
                        std::string_view& start_line, std::string_view& field_lines,
                        std::size_t& head_bytes) {
  const std::size_t end = find_head_end(buf, scanned);
  if (end == kBareLf) return ParseStatus::Malformed;
  if (end == kNotFound) {
    return buf.size() >= head_limit ? ParseStatus::HeadTooLarge : ParseStatus::Incomplete;
  }
  if (end > head_limit) return ParseStatus::HeadTooLarge;
  std::size_t start = 0;
  while (start + 1 < end && buf[start] == '\r' && buf[start + 1] == '\n') start += 2;
  const std::string_view head = buf.substr(start, end - start);
  const std::size_t eol = head.find("\r\n");
  start_line = head.substr(0, eol);
  field_lines = head.substr(eol + 2);
  head_bytes = end;
  return ParseStatus::Complete;
}

}  // namespace

std::string_view MessageHead::field(std::string_view name) const {
  for (const Field& f : fields) {
    if (iequals(f.name, name)) return f.value;
  }
  return {};
}

ParseStatus parse_request_head(std::string_view buf, std::size_t head_limit, RequestHead& out,
                               std::size_t& scanned) {
  out.method = {};
  out.target = {};
  out.fields.clear();
  std::string_view start_line;
  std::string_view field_lines;
  std::size_t head_bytes = 0;
  ParseStatus st = locate_head(buf, head_limit, scanned, start_line, field_lines, head_bytes);
  if (st != ParseStatus::Complete) return st;

  // request-line = method SP request-target SP HTTP-version
  const std::size_t sp1 = start_line.find(' ');
  if (sp1 == std::string_view::npos) return ParseStatus::Malformed;
  const std::size_t sp2 = start_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return ParseStatus::Malformed;
  out.method = start_line.substr(0, sp1);
  out.target = start_line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!is_token(out.method) || out.target.empty()) return ParseStatus::Malformed;
  for (char c : out.target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return ParseStatus::Malformed;
  }
  const unsigned v = parse_version(start_line.substr(sp2 + 1));
  if (v == 0) return ParseStatus::Malformed;
  if (v == 1) return ParseStatus::BadVersion;
  out.version = v;

  FramingFacts f;
  st = parse_fields(field_lines, out, f);
  if (st != ParseStatus::Complete) return st;
  out.head_bytes = head_bytes;
  out.expect_continue = f.expect_continue && v >= 11;
  out.content_length = 0;
  if (f.have_te) {
    // Both framings at once is the classic smuggling vector; HTTP/1.0 has no chunked coding.
    if (f.have_length || v < 11) return ParseStatus::Malformed;
    if (f.other_coding || !f.chunked_last) return ParseStatus::BadTransferCoding;
    out.framing = Framing::Chunked;
  } else if (f.have_length && f.length > 0) {
    out.framing = Framing::Length;
    out.content_length = f.length;
  } else {
    out.framing = Framing::None;
  }
  return ParseStatus::Complete;
}

ParseStatus parse_response_head(std::string_view buf, std::size_t head_limit, bool head_request,
                                ResponseHead& out, std::size_t& scanned) {
  std::string_view start_line;
  std::string_view field_lines;
  std::size_t head_bytes = 0;
  ParseStatus st = locate_head(buf, head_limit, scanned, start_line, field_lines, head_bytes);
  if (st != ParseStatus::Complete) return st;

  // status-line = HTTP-version SP status-code SP [ reason-phrase ]  (a missing SP is tolerated)
  if (start_line.size() < 12 || start_line[8] != ' ') return ParseStatus::Malformed;
  const unsigned v = parse_version(start_line.substr(0, 8));
  if (v == 0) return ParseStatus::Malformed;
  if (v == 1) return ParseStatus::BadVersion;
  out.version = v;
  int code = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    const char c = start_line[i];
    if (c < '0' || c > '9') return ParseStatus::Malformed;
    code = code * 10 + (c - '0');
  }
  if (code < 100) return ParseStatus::Malformed;
  if (start_line.size() > 12 && start_line[12] != ' ') return ParseStatus::Malformed;
  out.status = code;
  out.reason = start_line.size() > 13 ? start_line.substr(13) : std::string_view{};

  FramingFacts f;
  st = parse_fields(field_lines, out, f);
  if (st != ParseStatus::Complete) return st;
  out.head_bytes = head_bytes;
  out.content_length = 0;
  const bool bodyless = head_request || (code >= 100 && code < 200) || code == 204 || code == 304;
  if (bodyless) {
    out.framing = Framing::None;
  } else if (f.have_te) {
    if (v < 11) return ParseStatus::Malformed;
    if (f.other_coding || !f.chunked_last) return ParseStatus::BadTransferCoding;
    out.framing = Framing::Chunked;
    if (f.have_length) out.keep_alive = false;  // RFC 9112 §6.3: TE wins, then close
  } else if (f.have_length) {
    out.framing = f.length > 0 ? Framing::Length : Framing::None;
    out.content_length = f.length;
  } else {
    out.framing = Framing::UntilClose;
    out.keep_alive = false;
  }
  return ParseStatus::Complete;
}

ChunkedDecoder::Result ChunkedDecoder::step_control(char c) {
  auto hex = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  switch (state_) {
    case State::Size: {
      const int d = hex(c);
      if (d >= 0) {
        if (++size_digits_ > kMaxChunkSizeDigits) return Result::Malformed;
        remaining_ = remaining_ * 16 + static_cast<uint64_t>(d);
        return Result::NeedMore;
      }
      if (size_digits_ == 0) return Result::Malformed;
      if (c == ';' || is_ows(c)) {
        state_ = State::Ext;
        line_bytes_ = 0;
        return Result::NeedMore;
      }
      if (c == '\r') {
        state_ = State::SizeLf;
        return Result::NeedMore;
      }
      return Result::Malformed;
    }
    case State::Ext:
      if (c == '\r') {
        state_ = State::SizeLf;
        return Result::NeedMore;
      }
      if (c == '\n' || c == '\0' || ++line_bytes_ > kChunkLineLimit) return Result::Malformed;
      return Result::NeedMore;
    case State::SizeLf:
      if (c != '\n') return Result::Malformed;
      size_digits_ = 0;
      if (remaining_ == 0) {
        state_ = State::Trailer;
        trailer_line_empty_ = true;
        line_bytes_ = 0;
      } else {
        state_ = State::Data;
      }
      return Result::NeedMore;
    case State::DataCr:
      if (c != '\r') return Result::Malformed;
      state_ = State::DataLf;
      return Result::NeedMore;
    case State::DataLf:
      if (c != '\n') return Result::Malformed;
      state_ = State::Size;
      remaining_ = 0;
      return Result::NeedMore;
    case State::Trailer:
      if (c == '\r') {
        state_ = State::TrailerLf;
        return Result::NeedMore;
      }
      if (c == '\n' || c == '\0' || ++line_bytes_ > kChunkLineLimit) return Result::Malformed;
      trailer_line_empty_ = false;
      return Result::NeedMore;
    case State::TrailerLf:
      if (c != '\n') return Result::Malformed;
      if (trailer_line_empty_) {
        state_ = State::Done;
      } else {
        state_ = State::Trailer;
        trailer_line_empty_ = true;
      }
      return Result::NeedMore;
    case State::Data:
    case State::Done:
      break;
  }
  return Result::Malformed;
}

}  // namespace openrain::net::http1
