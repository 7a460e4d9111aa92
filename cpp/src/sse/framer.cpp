#include "sse/framer.hpp"

#include <cstring>

namespace openrain::sse {

Status Framer::feed(std::string_view b, std::vector<Event>& out) {
  size_t i = 0;
  const size_t n = b.size();
  if (n == 0) return {};
  if (skip_lf_) {
    skip_lf_ = false;
    if (b[0] == '\n') i = 1;
  }
  while (i < n) {
    // The line ends at the first CR or LF: memchr for LF (vectorised), then for a CR before it.
    const void* lf = std::memchr(b.data() + i, '\n', n - i);
    size_t p = lf ? static_cast<size_t>(static_cast<const char*>(lf) - b.data()) : n;
    if (const void* cr = std::memchr(b.data() + i, '\r', p - i)) {
      p = static_cast<size_t>(static_cast<const char*>(cr) - b.data());
    }
    if (p == n) {
      line_.append(b.data() + i, n - i);
      if (line_.size() + data_.size() > max_event_bytes_) {
        return Error::make(ErrorKind::UpstreamProtocol, "upstream SSE event exceeds size limit");
      }
      break;
    }
    if (line_.empty()) {
      process_line(b.substr(i, p - i), out);
    } else {
      line_.append(b.data() + i, p - i);
      process_line(line_, out);
      line_.clear();
    }
    if (data_.size() > max_event_bytes_) {
      return Error::make(ErrorKind::UpstreamProtocol, "upstream SSE event exceeds size limit");
    }
    if (b[p] == '\r') {
      if (p + 1 < n) {
        if (b[p + 1] == '\n') ++p;
      } else {
        skip_lf_ = true;
      }
    }
    i = p + 1;
  }
  return {};
}

void Framer::finish(std::vector<Event>& out) {
  if (!line_.empty()) {
    std::string line = std::move(line_);
    line_.clear();
    process_line(line, out);
  }
  if (has_data_) process_line(std::string_view(), out);
  event_.clear();
  data_.clear();
  has_data_ = false;
  skip_lf_ = false;
}

void Framer::process_line(std::string_view line, std::vector<Event>& out) {
  if (at_start_) {
    at_start_ = false;
    if (line.size() >= 3 && std::memcmp(line.data(), "\xEF\xBB\xBF", 3) == 0) line.remove_prefix(3);
  }
  if (line.empty()) {  // dispatch
    if (has_data_) {
      Event ev;
      ev.event = std::move(event_);
      ev.data = std::move(data_);
      if (!ev.data.empty() && ev.data.back() == '\n') ev.data.pop_back();
      ev.id = last_id_;
      out.push_back(std::move(ev));
    }
    event_.clear();
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line[0] == ':') {
    ++comments_;
    return;
  }
  std::string_view field = line, value;
  if (auto c = line.find(':'); c != std::string_view::npos) {
    field = line.substr(0, c);
    value = line.substr(c + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    event_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  }
  // "retry" and unknown fields are ignored.
}

}  // namespace openrain::sse
