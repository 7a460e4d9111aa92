// sse/framer.hpp — the one incremental Server-Sent-Events framer every provider uses.
//
// Owns: the partial-line and partial-event buffers of one byte stream. Feed it bytes split
// anywhere; it yields complete events per the WHATWG EventSource rules: LF, CR and CRLF line ends
// (a CR at the end of a chunk waits for a possible LF), ':' comments, multi-line `data` joined by
// '\n', one optional space after the colon, a leading UTF-8 BOM, `id`, `retry` ignored.
// Providers contain no framing code; they only map an Event's data to canonical events.
// Thread-safety: one Framer per stream; not shareable.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "openrain/status.hpp"

namespace openrain::sse {

struct Event {
  std::string event;  // "" when the stream has no event: line (dispatch as "message")
  std::string data;   // data lines joined with '\n' (no trailing newline)
  std::string id;     // last event id seen
};

class Framer {
 public:
  explicit Framer(size_t max_event_bytes = 16u << 20) : max_event_bytes_(max_event_bytes) {}

  /// Consume `bytes`; append every completed event to `out`. Returns an error (UpstreamProtocol)
  /// when one event exceeds the size cap.
  Status feed(std::string_view bytes, std::vector<Event>& out);
  /// End of stream: dispatch a final event that lacked its blank line (lenient), then reset.
  void finish(std::vector<Event>& out);
  /// Count of comment lines seen (keep-alives).
  size_t comments() const { return comments_; }

 private:
  void process_line(std::string_view line, std::vector<Event>& out);

  std::string line_;
  std::string event_;
  std::string data_;
  std::string last_id_;
  bool has_data_ = false;
  bool skip_lf_ = false;
  bool at_start_ = true;
  size_t comments_ = 0;
  size_t max_event_bytes_;
};

}  // namespace openrain::sse
