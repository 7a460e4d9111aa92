// libFuzzer target: the hot-path HTTP/1.1 parser (request heads, response heads, chunked bodies)
// must answer arbitrary bytes, split anywhere, with a parse status — never a crash or UB — and
// incremental parsing must agree with parsing the same bytes at once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/http1.hpp"

using namespace openrain::net::http1;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const unsigned mode = data[0] % 3;
  const std::size_t split = data[1];
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t cut = std::min(split, in.size());
  if (mode == 0) {
    RequestHead whole;
    std::size_t s0 = 0;
    const ParseStatus a = parse_request_head(in, 4096, whole, s0);
    RequestHead part;
    std::size_t s1 = 0;
    ParseStatus b = parse_request_head(in.substr(0, cut), 4096, part, s1);
    if (b == ParseStatus::Incomplete) b = parse_request_head(in, 4096, part, s1);
    if (a != b) std::abort();
    if (a == ParseStatus::Complete &&
        (whole.head_bytes != part.head_bytes || whole.target != part.target ||
         whole.head_bytes > in.size() || whole.framing != part.framing)) {
      std::abort();
    }
  } else if (mode == 1) {
    ResponseHead h;
    std::size_t s = 0;
    const ParseStatus st = parse_response_head(in, 4096, (split & 1) != 0, h, s);
    if (st == ParseStatus::Complete && h.head_bytes > in.size()) std::abort();
  } else {
    std::string whole_out;
    std::string split_out;
    ChunkedDecoder d1;
    std::size_t used = 0;
    const auto r1 = d1.feed(in, used, [&](std::string_view p) { whole_out.append(p); });
    ChunkedDecoder d2;
    std::size_t u1 = 0;
    std::size_t u2 = 0;
    auto r2 = d2.feed(in.substr(0, cut), u1, [&](std::string_view p) { split_out.append(p); });
    if (r2 == ChunkedDecoder::Result::NeedMore) {
      r2 = d2.feed(in.substr(u1), u2, [&](std::string_view p) { split_out.append(p); });
    }
    if (r1 != r2 || (r1 != ChunkedDecoder::Result::Malformed && whole_out != split_out)) {
      std::abort();
    }
  }
  return 0;
}
