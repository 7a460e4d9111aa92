// bindings/engine.cpp — Python classes Engine and Exchange over openrain::Engine / Exchange.
//
// Arguments are converted to C++ values while the GIL is held; every engine call then runs with
// the GIL released. Blocking waits (wait_head, next_batch) go through wait_sliced() so Ctrl-C
// interrupts them; an interrupted wait cancels the exchange (the upstream request is abandoned)
// and propagates KeyboardInterrupt. A response is handed to Python one batch at a time: each
// next_batch() moves every pending part in one GIL round trip. The queue behind an Exchange is
// bounded (submit's max_queued_bytes): while Python does not drain it, the engine stops reading
// that upstream without blocking its thread; cancel() and garbage collection wake it and cancel.
// Thread-safety: Engine is safe to use from many Python threads; an Exchange is meant to be
// consumed by one consumer at a time (the GIL serialises its Python-visible state).
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "engine_handle.hpp"
#include "openrain/config.hpp"
#include "openrain/engine.hpp"

namespace openrain::bindings {

using namespace pybind11::literals;
using std::chrono::milliseconds;

namespace {

class PyExchange {
 public:
  PyExchange(std::shared_ptr<Exchange> ex, std::shared_ptr<std::atomic<bool>> engine_stopped)
      : ex_(std::move(ex)), engine_stopped_(std::move(engine_stopped)) {}
  ~PyExchange() {
    // Dropped before the end of the response: nobody will read it, stop paying for tokens.
    if (!ex_ || done_) return;
    if (interpreter_finalizing()) {
      ex_->cancel();
    } else {
      py::gil_scoped_release release;
      ex_->cancel();
    }
  }
  PyExchange(const PyExchange&) = delete;
  PyExchange& operator=(const PyExchange&) = delete;

  bool wait_head(std::optional<double> timeout_s) {
    if (have_head_) return true;
    bool stopped = false;
    bool ok = wait_sliced(
        [&](milliseconds slice) {
          if (ex_->wait_head(slice)) return true;
          stopped = engine_stopped_->load(std::memory_order_acquire);
          return stopped;
        },
        timeout_s, [this] { cancel(); });
    if (stopped && !ex_->wait_head(milliseconds::zero())) raise_closed();
    if (ok) have_head_ = true;
    return ok;
  }

  py::tuple next_batch(std::optional<double> timeout_s) {
    std::vector<std::string> parts;
    if (!done_) {
      bool done = false;
      bool stopped = false;
      wait_sliced(
          [&](milliseconds slice) {
            done = ex_->next_batch(parts, slice);
            if (done || !parts.empty()) return true;
            stopped = engine_stopped_->load(std::memory_order_acquire);
            return stopped;
          },
          timeout_s, [this] { cancel(); });
      if (stopped && !done && parts.empty()) raise_closed();
      done_ = done;
      if (done) have_head_ = true;
    }
    py::list out(parts.size());
    for (size_t i = 0; i < parts.size(); ++i) {
      out[i] = py::bytes(parts[i].data(), parts[i].size());
      std::string().swap(parts[i]);  // free as we go: large bodies are not held twice
    }
    return py::make_tuple(std::move(out), done_);
  }

  int status() const { return head().status; }
  bool streaming() const {
    require_head();
    return ex_->streaming();
  }
  py::list headers() const {
    const auto& h = head().headers;
    py::list out(h.size());
    for (size_t i = 0; i < h.size(); ++i) out[i] = py::make_tuple(header_str(h[i].first), header_str(h[i].second));
    return out;
  }
  bool done() const { return done_; }
  bool has_head() const { return have_head_; }
  int fileno() const { return ex_->notify_fd(); }
  void cancel() {
    if (done_) return;
    py::gil_scoped_release release;
    ex_->cancel();
  }
  bool wait_stalled(std::optional<double> timeout_s) {
    return wait_sliced([&](milliseconds slice) { return ex_->wait_stalled(slice); }, timeout_s);
  }
  size_t max_queued_bytes() const { return ex_->max_queued_bytes(); }
  size_t queued_bytes() const {
    py::gil_scoped_release release;
    return ex_->queued_bytes();
  }
  size_t peak_queued_bytes() const {
    py::gil_scoped_release release;
    return ex_->peak_queued_bytes();
  }
  uint64_t stalls() const {
    py::gil_scoped_release release;
    return ex_->stalls();
  }

 private:
  void require_head() const {
    if (!have_head_) throw py::value_error("the response head has not arrived yet: call wait_head() first");
  }
  const ResponseHead& head() const {
    require_head();
    return ex_->head();
  }
  [[noreturn]] void raise_closed() {
    done_ = true;
    raise_error(Error::make(ErrorKind::Cancelled, "the gateway engine was stopped while a request was in flight"));
  }

  std::shared_ptr<Exchange> ex_;
  std::shared_ptr<std::atomic<bool>> engine_stopped_;
  bool have_head_ = false;
  bool done_ = false;
};

Result<std::shared_ptr<const GatewayConfig>> parse_config_released(const std::string& json) {
  py::gil_scoped_release release;
  return parse_config_json(json);
}

HttpRequest make_request(std::string method, std::string path, std::string query,
                         std::vector<std::pair<std::string, std::string>> headers, const py::bytes& body) {
  HttpRequest req;
  req.method = std::move(method);
  req.path = std::move(path);
  req.query = std::move(query);
  for (auto& [k, v] : headers) {
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  req.headers = std::move(headers);
  char* data = nullptr;
  Py_ssize_t size = 0;
  if (PyBytes_AsStringAndSize(body.ptr(), &data, &size) != 0) throw py::error_already_set();
  req.body.assign(data, static_cast<size_t>(size));
  return req;
}

}  // namespace

// ---- EngineHandle (engine_handle.hpp) ----------------------------------------------------

EngineHandle::EngineHandle(const std::string& config_json, int threads) {
  auto cfg = parse_config_released(config_json);
  if (!cfg.ok()) raise_error(cfg.error(), "ConfigError");
  EngineOptions opts;
  opts.threads = threads >= 0 ? threads : cfg.value()->server.threads;
  auto created = [&] {
    py::gil_scoped_release release;
    return Engine::create(cfg.value(), opts);
  }();
  if (!created.ok()) raise_error(created.error());
  engine_ = std::move(created.value());
}

EngineHandle::~EngineHandle() {
  stopped_->store(true, std::memory_order_release);
  if (!engine_) return;
  if (interpreter_finalizing()) {
    engine_.reset();
  } else {
    py::gil_scoped_release release;
    engine_.reset();
  }
}

Engine& EngineHandle::engine() {
  if (!engine_) throw py::value_error("engine is closed");
  return *engine_;
}

void EngineHandle::start() {
  Engine& e = engine();
  stopped_->store(false, std::memory_order_release);
  py::gil_scoped_release release;
  e.start();
}

void EngineHandle::stop() {
  if (!engine_) return;
  stopped_->store(true, std::memory_order_release);
  py::gil_scoped_release release;
  engine_->stop();
}

void register_engine(py::module_& m) {
  py::class_<PyExchange>(m, "Exchange",
                         "One in-flight response: wait for the head, then pull body batches.")
      .def("wait_head", &PyExchange::wait_head, "timeout_s"_a = py::none(),
           "Block (interruptibly, GIL released) until the response head arrives; False on timeout.")
      .def("next_batch", &PyExchange::next_batch, "timeout_s"_a = py::none(),
           "Return (parts, done): every pending body part, waiting up to timeout_s for at least one.")
      .def_property_readonly("status", &PyExchange::status)
      .def_property_readonly("headers", &PyExchange::headers)
      .def_property_readonly("streaming", &PyExchange::streaming)
      .def_property_readonly("done", &PyExchange::done)
      .def_property_readonly("has_head", &PyExchange::has_head)
      .def("fileno", &PyExchange::fileno, "An fd readable while the head or body parts are pending.")
      .def("cancel", &PyExchange::cancel,
           "Abandon the response: cancel the upstream request and drop the queued parts.")
      .def_property_readonly("max_queued_bytes", &PyExchange::max_queued_bytes,
                             "Backpressure limit: the engine stops reading the upstream while more "
                             "bytes than this wait for the consumer.")
      .def_property_readonly("queued_bytes", &PyExchange::queued_bytes,
                             "Bytes queued by the engine and not yet taken by next_batch().")
      .def_property_readonly("peak_queued_bytes", &PyExchange::peak_queued_bytes,
                             "The most bytes ever queued at once (at most max_queued_bytes + one part).")
      .def_property_readonly("stalls", &PyExchange::stalls,
                             "How many times backpressure suspended the engine's producer.")
      .def("wait_stalled", &PyExchange::wait_stalled, "timeout_s"_a = py::none(),
           "Block (interruptibly, GIL released) until the engine can go no further without the "
           "consumer (backpressure suspended it, or the body is complete); False on timeout. For "
           "diagnostics and tests.");

  py::class_<EngineHandle>(m, "Engine", "The OpenRain engine, built from the engine JSON config.")
      .def(py::init<const std::string&, int>(), "config_json"_a, "threads"_a = -1)
      .def("start", &EngineHandle::start)
      .def("stop", &EngineHandle::stop)
      .def_property_readonly("closed", [](const EngineHandle& h) { return h.stopped(); })
      .def(
          "submit",
          [](EngineHandle& h, std::string method, std::string path, std::string query,
             std::vector<std::pair<std::string, std::string>> headers, const py::bytes& body,
             int64_t max_queued_bytes) {
            if (max_queued_bytes < 0) throw py::value_error("max_queued_bytes must be >= 0");
            HttpRequest req = make_request(std::move(method), std::move(path), std::move(query),
                                           std::move(headers), body);
            Engine& engine = h.engine();
            if (h.stopped()) throw py::value_error("the engine is stopped (call start() to restart it)");
            std::shared_ptr<Exchange> ex;
            {
              py::gil_scoped_release release;
              ex = engine.submit(std::move(req), static_cast<size_t>(max_queued_bytes));
            }
            return std::make_unique<PyExchange>(std::move(ex), h.stopped_flag());
          },
          "method"_a, "path"_a, "query"_a, "headers"_a, "body"_a, "max_queued_bytes"_a = 0,
          "Submit one HTTP request to the engine; returns its Exchange immediately. A stream "
          "queues at most about max_queued_bytes (0 = 1 MiB) before the engine waits for the "
          "consumer.")
      .def(
          "render_error",
          [](EngineHandle& h, const std::string& path, const std::string& kind, const std::string& message,
             const std::string& param, const std::string& code) {
            ErrorKind k = ErrorKind::Internal;
            for (int i = 0; i <= static_cast<int>(ErrorKind::Internal); ++i) {
              if (kind == error_kind_name(static_cast<ErrorKind>(i))) k = static_cast<ErrorKind>(i);
            }
            Error err = Error::make(k, message, param, code);
            ResponseHead head;
            std::string body;
            Engine& engine = h.engine();
            {
              py::gil_scoped_release release;
              engine.render_error_for_path(path, err, head, body);
            }
            py::list hdrs;
            for (const auto& [hk, hv] : head.headers) hdrs.append(py::make_tuple(header_str(hk), header_str(hv)));
            return py::make_tuple(head.status, hdrs, py::bytes(body));
          },
          "path"_a, "kind"_a, "message"_a, "param"_a = "", "code"_a = "",
          "Render an error in the native shape of the surface owning `path`: (status, headers, body).");

  m.def(
      "validate_config",
      [](const std::string& config_json) {
        auto cfg = parse_config_released(config_json);
        if (!cfg.ok()) raise_error(cfg.error(), "ConfigError");
      },
      "config_json"_a, "Validate engine JSON with the engine's own parser; raises ConfigError.");
}

}  // namespace openrain::bindings
