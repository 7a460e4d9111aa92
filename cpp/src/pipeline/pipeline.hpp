// pipeline/pipeline.hpp — one request's life: surface → route → provider → upstream → decoder →
// encoder → sink.
//
// Owns: the path → surface table and the per-request state machine. For each request it decodes
// the caller's body with the surface, resolves the model alias to a deployment, encodes the
// upstream request with the provider, streams the upstream answer through the provider's decoder
// into canonical events, and either renders them incrementally (streaming: one sink write per
// upstream read, never per token) or folds them into one response. Errors are rendered exactly
// once, in the caller's native shape: as an HTTP error before the first byte, or in-stream after.
// Thread-safety: Pipeline is immutable after construction and shared by all requests; all
// per-request state lives in the run() coroutine frame.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

#include "openrain/config.hpp"
#include "openrain/engine.hpp"
#include "openrain/http.hpp"
#include "surfaces/surface.hpp"

namespace openrain {

class UpstreamClient;

/// What a request path resolved to.
struct Route {
  const surfaces::Surface* surface = nullptr;
  bool count_tokens = false;  // /v1/messages/count_tokens or :countTokens
  bool gemini = false;        // a Gemini-surface path
  bool gemini_sse = false;    // ?alt=sse on :streamGenerateContent
};

class Pipeline {
 public:
  Pipeline(std::shared_ptr<const GatewayConfig> config, UpstreamClient& upstream);

  boost::asio::awaitable<void> run(HttpRequest req, ResponseSink& sink, CancelToken& cancel);

  /// Resolve a request to its surface (nullptr surface when no route matches).
  Route route_for(const HttpRequest& req) const;
  /// Render `err` in the shape of the surface owning `path` (OpenAI shape when none).
  void render_error(std::string_view path, const Error& err, ResponseHead& head,
                    std::string& body) const;

 private:
  boost::asio::awaitable<void> send_error(const surfaces::Surface& surface, const Error& err,
                                          ResponseSink& sink) const;
  /// GET model listings in the OpenAI, Anthropic and Gemini shapes; false if not a listing path.
  boost::asio::awaitable<bool> serve_listing(const HttpRequest& req, ResponseSink& sink) const;
  Result<ChatRequest> parse_count_request(const Route& route, const HttpRequest& req) const;
  /// Token counting: forwarded to a same-protocol upstream that counts natively, otherwise a
  /// local estimate (no upstream call, no effect on health or limits).
  boost::asio::awaitable<void> count_tokens(const Route& route, const ChatRequest& req,
                                            const Deployment& dep, ResponseSink& sink,
                                            CancelToken& cancel);
  std::unique_ptr<surfaces::SurfaceEncoder> make_encoder(const Route& route,
                                                         const ChatRequest& creq,
                                                         const surfaces::EncodeContext& ctx) const;
  std::string stream_content_type(const Route& route, const HttpRequest& req) const;

  std::shared_ptr<const GatewayConfig> config_;
  UpstreamClient& upstream_;
};

}  // namespace openrain
