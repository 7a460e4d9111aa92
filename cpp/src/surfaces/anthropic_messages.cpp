// The Anthropic Messages Surface object: wires parsing (anthropic_messages_parse.cpp) and
// rendering (anthropic_messages_render.cpp) behind the Surface interface.
#include "surfaces/anthropic_messages.hpp"

namespace openrain::surfaces {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class AnthropicMessagesSurface final : public Surface {
 public:
  Protocol protocol() const override { return Protocol::Anthropic; }
  Result<ChatRequest> parse_request(const HttpRequest& req) const override {
    // count_tokens takes the same body without the required max_tokens.
    std::string_view path = req.path;
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    return parse_anthropic_request(req, !ends_with(path, "/count_tokens"));
  }
  std::unique_ptr<SurfaceEncoder> make_encoder(const EncodeContext& ctx) const override {
    return make_anthropic_messages_encoder(ctx);
  }
  void render_error(const Error& err, ResponseHead& head, std::string& body) const override {
    render_anthropic_error(err, head, body);
  }
};

}  // namespace

const Surface& anthropic_messages_surface() {
  static const AnthropicMessagesSurface surface;
  return surface;
}

}  // namespace openrain::surfaces
