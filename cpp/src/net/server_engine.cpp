// The Engine adapter for net::Server, kept in its own translation unit so that the server (and
// its tests) link without the engine and pipeline.
#include "net/server.hpp"

namespace openrain::net {

namespace {

class EngineRequestHandler final : public RequestHandler {
 public:
  explicit EngineRequestHandler(Engine& engine) : engine_(engine) {}

  boost::asio::io_context& io() override { return engine_.io(); }
  std::size_t io_count() const override { return engine_.shard_count(); }
  boost::asio::io_context& io_at(std::size_t i) override { return engine_.shard(i); }
  bool io_single_threaded() const override { return true; }

  // Not a coroutine: hands back the engine's awaitable (one coroutine frame less per request).
  boost::asio::awaitable<void> serve(HttpRequest req, ResponseSink& sink,
                                     CancelToken& cancel) override {
    return engine_.serve(std::move(req), sink, cancel);
  }

  void render_error_for_path(std::string_view path, const Error& err, ResponseHead& head,
                             std::string& body) const override {
    engine_.render_error_for_path(path, err, head, body);
  }

 private:
  Engine& engine_;
};

}  // namespace

std::shared_ptr<RequestHandler> engine_request_handler(Engine& engine) {
  return std::make_shared<EngineRequestHandler>(engine);
}

Result<std::unique_ptr<Server>> Server::start(Engine& engine, ServerOptions opts) {
  engine.start();
  return start(engine_request_handler(engine), std::move(opts));
}

}  // namespace openrain::net
