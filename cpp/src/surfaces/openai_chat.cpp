// The Chat Completions Surface object: wires parsing (openai_chat_parse.cpp), rendering
// (openai_chat_render.cpp) and OpenAI-shaped errors (openai_errors.cpp) behind the Surface
// interface.
#include "surfaces/openai_chat.hpp"

#include "surfaces/openai_errors.hpp"

namespace openrain::surfaces {

namespace {

class OpenAIChatSurface final : public Surface {
 public:
  Protocol protocol() const override { return Protocol::OpenAIChat; }
  Result<ChatRequest> parse_request(const HttpRequest& req) const override {
    return parse_openai_chat_request(req.body);
  }
  std::unique_ptr<SurfaceEncoder> make_encoder(const EncodeContext& ctx) const override {
    return make_openai_chat_encoder(ctx);
  }
  void render_error(const Error& err, ResponseHead& head, std::string& body) const override {
    render_openai_error(err, head, body);
  }
};

}  // namespace

const Surface& openai_chat_surface() {
  static const OpenAIChatSurface surface;
  return surface;
}

}  // namespace openrain::surfaces
