// bindings/server.cpp — Python class NativeServer over openrain::net::Server.
//
// The native server serves HTTP straight from the engine's threads (no Python per request).
// serve_forever() blocks with the GIL released, waking every slice to check for Ctrl-C; on
// KeyboardInterrupt the server is stopped and the exception propagates.
// Thread-safety: stop() may be called from any Python thread, including while another thread is
// inside serve_forever().
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common.hpp"
#include "engine_handle.hpp"
#include "net/server.hpp"

namespace openrain::bindings {

using namespace pybind11::literals;

namespace {

class PyServer {
 public:
  PyServer(EngineHandle& handle, const std::string& host, int port, int64_t max_request_bytes) {
    if (port < 0 || port > 65535) throw py::value_error("port must be in 0..65535");
    handle.start();
    net::ServerOptions opts;
    opts.host = host;
    opts.port = static_cast<decltype(opts.port)>(port);
    if (max_request_bytes > 0) opts.max_request_bytes = static_cast<decltype(opts.max_request_bytes)>(max_request_bytes);
    Engine& engine = handle.engine();
    auto started = [&] {
      py::gil_scoped_release release;
      return net::Server::start(engine, opts);
    }();
    if (!started.ok()) raise_error(started.error());
    server_ = std::move(started.value());
    port_ = static_cast<int>(server_->port());
  }
  ~PyServer() {
    if (interpreter_finalizing()) {
      stop_now();
    } else {
      py::gil_scoped_release release;
      stop_now();
    }
  }
  PyServer(const PyServer&) = delete;
  PyServer& operator=(const PyServer&) = delete;

  int port() const { return port_; }
  bool running() {
    std::lock_guard<std::mutex> lock(mu_);
    return !stopped_;
  }
  void stop() {
    py::gil_scoped_release release;
    stop_now();
  }
  void serve_forever() {
    wait_sliced(
        [this](std::chrono::milliseconds slice) {
          std::unique_lock<std::mutex> lock(mu_);
          return cv_.wait_for(lock, slice, [this] { return stopped_; });
        },
        std::nullopt, [this] { stop(); });
  }

 private:
  void stop_now() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_all();
    if (server_) server_->stop();
  }

  std::unique_ptr<net::Server> server_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

}  // namespace

void register_server(py::module_& m) {
  py::class_<PyServer>(m, "NativeServer", "OpenRain's native HTTP server over an Engine.")
      .def(py::init<EngineHandle&, const std::string&, int, int64_t>(), "engine"_a,
           "host"_a = "127.0.0.1", "port"_a = 0, "max_request_bytes"_a = 0,
           py::keep_alive<1, 2>(),  // the server keeps its engine alive
           "Start listening (port 0 = any free port); raises on bind failure.")
      .def_property_readonly("port", &PyServer::port)
      .def_property_readonly("running", &PyServer::running)
      .def("stop", &PyServer::stop, "Stop accepting and close connections (idempotent).")
      .def("serve_forever", &PyServer::serve_forever,
           "Block until stop() is called; Ctrl-C stops the server and raises KeyboardInterrupt.");
}

}  // namespace openrain::bindings
