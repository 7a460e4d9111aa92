// providers/gemini.cpp — the Gemini Provider object: wires request encoding, decoding and error
// classification (implemented in gemini_request.cpp, gemini_decoder.cpp, gemini_errors.cpp).
// Stateless; one shared instance for all threads.
#include "providers/gemini.hpp"

namespace openrain::providers {
namespace {

class GeminiProvider final : public Provider {
 public:
  Protocol protocol() const override { return Protocol::Gemini; }

  Result<UpstreamRequest> build_request(const ChatRequest& req, const Deployment& d,
                                        TranslationReport& report) const override {
    return build_gemini_request(req, d, report);
  }

  std::unique_ptr<ResponseDecoder> make_decoder(const ChatRequest& req, const Deployment& d,
                                                bool streaming) const override {
    return make_gemini_decoder(req, d, streaming);
  }

  Error classify_error(int status, const Headers& headers, std::string_view body,
                       const Deployment& d) const override {
    return classify_gemini_error(status, headers, body, d);
  }
};

}  // namespace

const Provider& gemini_provider() {
  static const GeminiProvider provider;
  return provider;
}

}  // namespace openrain::providers
