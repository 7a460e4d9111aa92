// pipeline/pipeline_routes.cpp — which surface serves a path, model listings, token counting.
#include <boost/asio/awaitable.hpp>

#include "json/writer.hpp"
#include "net/upstream_client.hpp"
#include "pipeline/pipeline.hpp"
#include "providers/count_tokens.hpp"
#include "surfaces/anthropic_messages.hpp"
#include "surfaces/gemini_generate.hpp"
#include "surfaces/openai_chat.hpp"
#include "surfaces/openai_responses.hpp"
#include "surfaces/token_estimate.hpp"

namespace openrain {

Route Pipeline::route_for(const HttpRequest& req) const {
  Route r;
  const std::string& path = req.path;
  if (path == "/v1/chat/completions" || path == "/chat/completions") {
    r.surface = &surfaces::openai_chat_surface();
  } else if (path == "/v1/responses" || path == "/responses") {
    r.surface = &surfaces::openai_responses_surface();
  } else if (path == "/v1/messages") {
    r.surface = &surfaces::anthropic_messages_surface();
  } else if (path == "/v1/messages/count_tokens") {
    r.surface = &surfaces::anthropic_messages_surface();
    r.count_tokens = true;
  } else if (auto g = surfaces::parse_gemini_path(path)) {
    r.surface = &surfaces::gemini_generate_surface();
    r.gemini = true;
    if (g->method == "countTokens") {
      r.count_tokens = true;
    } else if (g->method == "streamGenerateContent") {
      r.gemini_sse = find_query_param(req.query, "alt") == "sse";
    } else if (g->method != "generateContent") {
      r.surface = nullptr;
    }
  }
  return r;
}

void Pipeline::render_error(std::string_view path, const Error& err, ResponseHead& head,
                            std::string& body) const {
  HttpRequest probe;
  probe.path = std::string(path);
  Route r = route_for(probe);
  const surfaces::Surface* s = r.surface ? r.surface : &surfaces::openai_chat_surface();
  s->render_error(err, head, body);
}

boost::asio::awaitable<bool> Pipeline::serve_listing(const HttpRequest& req,
                                                     ResponseSink& sink) const {
  std::string body;
  json::Writer w(body);
  if (req.path == "/v1beta/models") {
    w.begin_object().key("models").begin_array();
    for (const auto& m : config_->models) {
      w.begin_object()
          .field("name", "models/" + m.alias)
          .field("displayName", m.alias)
          .key("supportedGenerationMethods").begin_array()
          .value("generateContent").value("streamGenerateContent").value("countTokens")
          .end_array()
          .end_object();
    }
    w.end_array().end_object();
  } else if (req.path == "/v1/models" || req.path == "/models") {
    bool anthropic = !find_header(req.headers, "anthropic-version").empty();
    if (anthropic) {
      w.begin_object().key("data").begin_array();
      for (const auto& m : config_->models) {
        w.begin_object()
            .field("type", "model")
            .field("id", m.alias)
            .field("display_name", m.alias)
            .field("created_at", "1970-01-01T00:00:00Z")
            .end_object();
      }
      w.end_array().field("has_more", false);
      if (config_->models.empty()) {
        w.field_null("first_id").field_null("last_id");
      } else {
        w.field("first_id", config_->models.front().alias)
            .field("last_id", config_->models.back().alias);
      }
      w.end_object();
    } else {
      w.begin_object().field("object", "list").key("data").begin_array();
      for (const auto& m : config_->models) {
        w.begin_object()
            .field("id", m.alias)
            .field("object", "model")
            .field("created", int64_t{0})
            .field("owned_by", m.provider)
            .end_object();
      }
      w.end_array().end_object();
    }
  } else {
    co_return false;
  }
  ResponseHead head;
  head.headers.emplace_back("content-type", "application/json");
  co_await sink.send_full(std::move(head), std::move(body));
  co_return true;
}

Result<ChatRequest> Pipeline::parse_count_request(const Route& route,
                                                  const HttpRequest& req) const {
  if (route.gemini) return surfaces::parse_gemini_count_tokens(req);
  return surfaces::parse_anthropic_request(req, /*require_max_tokens=*/false);
}

namespace {

/// Buffers a small non-streaming upstream answer (token counts).
class BufferingHandler final : public UpstreamHandler {
 public:
  boost::asio::awaitable<Status> on_head(int status, const Headers& headers) override {
    status_ = status;
    headers_ = headers;
    co_return Status{};
  }
  boost::asio::awaitable<Status> on_body(std::string_view bytes) override {
    if (body_.size() + bytes.size() > kMax) {
      co_return Error::make(ErrorKind::UpstreamProtocol, "upstream token count answer too large");
    }
    body_.append(bytes);
    co_return Status{};
  }
  static constexpr size_t kMax = 1 << 20;
  int status_ = 0;
  Headers headers_;
  std::string body_;
};

}  // namespace

boost::asio::awaitable<void> Pipeline::count_tokens(const Route& route, const ChatRequest& req,
                                                    const Deployment& dep, ResponseSink& sink,
                                                    CancelToken& cancel) {
  const surfaces::Surface& surface = *route.surface;
  const bool native = (route.gemini && dep.provider->kind == ProviderKind::Gemini) ||
                      (!route.gemini && dep.provider->kind == ProviderKind::Anthropic);
  int64_t count = 0;
  Headers extra;
  if (native) {
    auto up = providers::build_count_tokens_request(req, dep);
    if (!up.ok()) {
      co_await send_error(surface, up.error(), sink);
      co_return;
    }
    BufferingHandler h;
    Status st = co_await upstream_.exchange(*dep.provider, up.value(), h, cancel);
    if (cancel.cancelled()) co_return;
    if (!st.ok()) {
      co_await send_error(surface, st.error(), sink);
      co_return;
    }
    if (h.status_ < 200 || h.status_ >= 300) {
      const auto& provider = providers::provider_for(dep.provider->kind);
      co_await send_error(surface, provider.classify_error(h.status_, h.headers_, h.body_, dep),
                          sink);
      co_return;
    }
    auto n = providers::parse_count_tokens_response(dep.provider->kind, h.body_);
    if (!n.ok()) {
      co_await send_error(surface, n.error(), sink);
      co_return;
    }
    count = n.value();
    extra.emplace_back("x-openrain-token-count", "upstream");
  } else {
    count = surfaces::estimate_input_tokens(req);
    extra.emplace_back("x-openrain-token-count", "estimate");
  }
  std::string body;
  if (route.gemini) {
    surfaces::render_gemini_count_tokens(count, body);
  } else {
    surfaces::render_anthropic_count_tokens(count, body);
  }
  ResponseHead head;
  head.headers.emplace_back("content-type", "application/json");
  head.headers.emplace_back("x-openrain-provider", dep.provider->name);
  for (auto& h : extra) head.headers.push_back(std::move(h));
  co_await sink.send_full(std::move(head), std::move(body));
}

std::unique_ptr<surfaces::SurfaceEncoder> Pipeline::make_encoder(
    const Route& route, const ChatRequest& creq, const surfaces::EncodeContext& ctx) const {
  if (route.gemini) return surfaces::make_gemini_encoder(ctx, route.gemini_sse);
  // Responses objects echo the caller's request settings (tools, tool_choice, text, ...).
  if (route.surface == &surfaces::openai_responses_surface()) {
    return surfaces::make_openai_responses_encoder(ctx, &creq);
  }
  return route.surface->make_encoder(ctx);
}

std::string Pipeline::stream_content_type(const Route& route, const HttpRequest& req) const {
  (void)req;
  if (route.gemini && !route.gemini_sse) return "application/json; charset=utf-8";
  return route.surface->stream_content_type();
}

}  // namespace openrain
