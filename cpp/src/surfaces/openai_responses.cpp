// The Responses Surface object: wires parsing (openai_responses_parse.cpp), rendering
// (openai_responses_render.cpp) and OpenAI-shaped errors (openai_errors.cpp) behind the Surface
// interface, with the Responses-specific status for an unknown model.
#include "surfaces/openai_responses.hpp"

#include "surfaces/openai_errors.hpp"

namespace openrain::surfaces {

namespace {

class OpenAIResponsesSurface final : public Surface {
 public:
  Protocol protocol() const override { return Protocol::OpenAIResponses; }
  Result<ChatRequest> parse_request(const HttpRequest& req) const override {
    return parse_openai_responses_request(req.body);
  }
  std::unique_ptr<SurfaceEncoder> make_encoder(const EncodeContext& ctx) const override {
    return make_openai_responses_encoder(ctx);
  }
  void render_error(const Error& err, ResponseHead& head, std::string& body) const override {
    render_openai_responses_error(err, head, body);
  }
};

}  // namespace

void render_openai_responses_error(const Error& err, ResponseHead& head, std::string& body) {
  if (err.kind == ErrorKind::NotFound && openai_error_code(err) == "model_not_found") {
    // Responses answers an unknown model with 400 (Chat Completions says 404).
    Error e = err;
    e.http_status = 400;
    if (e.param.empty()) e.param = "model";
    render_openai_error(e, head, body);
    return;
  }
  render_openai_error(err, head, body);
}

const Surface& openai_responses_surface() {
  static const OpenAIResponsesSurface surface;
  return surface;
}

}  // namespace openrain::surfaces
