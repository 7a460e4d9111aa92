// libFuzzer target: the SSE framer must never crash or leak on arbitrary input split anywhere.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sse/framer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t split = data[0] % (size + 1);
  openrain::sse::Framer f(1 << 16);
  std::vector<openrain::sse::Event> out;
  (void)f.feed(in.substr(0, split), out);
  (void)f.feed(in.substr(split), out);
  f.finish(out);
  return 0;
}
