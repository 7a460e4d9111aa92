// libFuzzer target: every provider decoder, streaming and not, fed arbitrary upstream bytes at an
// arbitrary split, must emit events or a clean Error — never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "openrain/config.hpp"
#include "providers/provider.hpp"

namespace {
class NullSink final : public openrain::EventSink {
 public:
  void on_event(openrain::StreamEvent&&) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  using namespace openrain;
  static const ProviderKind kKinds[] = {ProviderKind::OpenAI, ProviderKind::Anthropic,
                                        ProviderKind::Gemini};
  ProviderConfig pc;
  pc.name = "fuzz";
  pc.kind = kKinds[data[0] % 3];
  pc.base_url = "http://127.0.0.1";
  ModelConfig mc;
  mc.alias = "m";
  mc.provider = "fuzz";
  mc.model = "m";
  Deployment d{&pc, &mc};
  ChatRequest req;
  req.model = "m";
  bool streaming = (data[0] & 4) != 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  size_t split = data[1] % (body.size() + 1);
  auto dec = providers::provider_for(pc.kind).make_decoder(req, d, streaming);
  NullSink sink;
  if (dec->feed(body.substr(0, split), sink).ok() && dec->feed(body.substr(split), sink).ok()) {
    (void)dec->finish(sink);
  }
  (void)providers::provider_for(pc.kind).classify_error(429, {}, body, d);
  return 0;
}
