// libFuzzer target: every provider decoder, streaming and not, fed arbitrary upstream bytes at an
// arbitrary split, must emit events or a clean Error — never crash; every provider's error
// classifier must accept the same bytes as an error body. No error (returned, or emitted as an
// event) may carry the deployment's key.
//
// Input layout: the body, then one control byte (split point, request options, error status).
// The body comes first so the recorded fixtures in the seed corpus reach each decoder intact;
// each input runs through all three providers, streaming and not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "openrain/config.hpp"
#include "providers/provider.hpp"

namespace {

constexpr std::string_view kKey = "sk-fuzzkey0123456789abcdef";

void check_no_key(const openrain::Error& e) {
  for (const std::string* s : {&e.message, &e.param, &e.code, &e.upstream_type}) {
    if (s->find(kKey) != std::string::npos) std::abort();
  }
}

class CheckingSink final : public openrain::EventSink {
 public:
  void on_event(openrain::StreamEvent&& ev) override {
    if (ev.kind == openrain::StreamEvent::Kind::Error) check_no_key(ev.error);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  using namespace openrain;
  static const ProviderKind kKinds[] = {ProviderKind::OpenAI, ProviderKind::Anthropic,
                                        ProviderKind::Gemini};
  static const int kStatuses[] = {400, 401, 403, 404, 413, 429, 500, 503};
  const uint8_t control = data[size - 1];
  std::string_view body(reinterpret_cast<const char*>(data), size - 1);
  const size_t split = body.size() * control / 255;

  ModelConfig mc;
  mc.alias = "m";
  mc.provider = "fuzz";
  mc.model = "m";
  ChatRequest req;
  req.model = "m";
  if (control & 1) req.stop = {"\n\n", "END"};
  if (control & 2) req.source = Protocol::Gemini;

  for (ProviderKind kind : kKinds) {
    ProviderConfig pc;
    pc.name = "fuzz";
    pc.kind = kind;
    pc.base_url = "http://127.0.0.1";
    pc.api_key = std::string(kKey);
    Deployment d{&pc, &mc};
    const providers::Provider& p = providers::provider_for(kind);
    for (bool streaming : {false, true}) {
      auto dec = p.make_decoder(req, d, streaming);
      CheckingSink sink;
      Status st = dec->feed(body.substr(0, split), sink);
      if (st.ok()) st = dec->feed(body.substr(split), sink);
      if (st.ok()) st = dec->finish(sink);
      if (!st.ok()) check_no_key(st.error());
    }
    check_no_key(p.classify_error(kStatuses[control % 8], {}, body, d));
  }
  return 0;
}
