// bindings/mock.cpp — Python class MockServer over the provider simulator (openrain::sim).
//
// Scripts cross as JSON text (the simulator parses them when queued, so a typo raises here);
// recorded requests come back as a list of dicts. Waits are sliced and interruptible.
// Thread-safety: the simulator is internally synchronised; methods may be called from any thread.
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common.hpp"
#include "sim/mock_server.hpp"

namespace openrain::bindings {

using namespace pybind11::literals;

namespace {

class PyMock {
 public:
  PyMock(const std::string& host, int port, int threads) {
    if (port < 0 || port > 65535) throw py::value_error("port must be in 0..65535");
    sim::MockOptions opts;
    opts.host = host;
    opts.port = static_cast<decltype(opts.port)>(port);
    opts.threads = static_cast<decltype(opts.threads)>(threads < 1 ? 1 : threads);
    auto started = [&] {
      py::gil_scoped_release release;
      return sim::MockServer::start(opts);
    }();
    if (!started.ok()) raise_error(started.error());
    mock_ = std::move(started.value());
    port_ = static_cast<int>(mock_->port());
  }
  ~PyMock() {
    if (interpreter_finalizing()) {
      mock_.reset();
    } else {
      py::gil_scoped_release release;
      mock_.reset();
    }
  }
  PyMock(const PyMock&) = delete;
  PyMock& operator=(const PyMock&) = delete;

  int port() const { return port_; }
  void stop() {
    if (!mock_) return;
    py::gil_scoped_release release;
    mock_->stop();
  }
  // live() may raise, so it is always called with the GIL held, before releasing it.
  void enqueue(const std::string& script_json) {
    auto& mock = live();
    Status s = [&] {
      py::gil_scoped_release release;
      return mock.enqueue(script_json);
    }();
    if (!s.ok()) raise_error(s.error());
  }
  void set_default(const std::string& script_json) {
    auto& mock = live();
    Status s = [&] {
      py::gil_scoped_release release;
      return mock.set_default(script_json);
    }();
    if (!s.ok()) raise_error(s.error());
  }
  void clear() {
    auto& mock = live();
    py::gil_scoped_release release;
    mock.clear();
  }
  py::list requests() {
    auto& mock = live();
    auto recorded = [&] {
      py::gil_scoped_release release;
      return mock.requests();
    }();
    py::list out;
    for (const auto& r : recorded) {
      py::list headers;
      for (const auto& [k, v] : r.headers) headers.append(py::make_tuple(header_str(k), header_str(v)));
      py::dict d;
      d["method"] = to_str(r.method);
      d["path"] = to_str(r.path);
      d["query"] = to_str(r.query);
      d["headers"] = headers;
      d["body"] = py::bytes(r.body);
      out.append(d);
    }
    return out;
  }
  int64_t request_count() {
    auto& mock = live();
    py::gil_scoped_release release;
    return static_cast<int64_t>(mock.request_count());
  }
  int64_t disconnects() {
    auto& mock = live();
    py::gil_scoped_release release;
    return static_cast<int64_t>(mock.disconnects());
  }
  bool wait_for_requests(int64_t n, std::optional<double> timeout_s) {
    if (n < 0) throw py::value_error("n must be >= 0");
    auto& mock = live();
    return wait_sliced(
        [&](std::chrono::milliseconds slice) { return mock.wait_for_requests(static_cast<size_t>(n), static_cast<int>(slice.count())); },
        timeout_s);
  }
  bool wait_for_disconnects(int64_t n, std::optional<double> timeout_s) {
    if (n < 0) throw py::value_error("n must be >= 0");
    auto& mock = live();
    return wait_sliced(
        [&](std::chrono::milliseconds slice) { return mock.wait_for_disconnects(static_cast<size_t>(n), static_cast<int>(slice.count())); },
        timeout_s);
  }

 private:
  sim::MockServer& live() {
    if (!mock_) throw py::value_error("the mock server is closed");
    return *mock_;
  }
  std::unique_ptr<sim::MockServer> mock_;
  int port_ = 0;
};

}  // namespace

void register_mock(py::module_& m) {
  py::class_<PyMock>(m, "MockServer", "The built-in provider simulator (OpenAI / Anthropic / Gemini).")
      .def(py::init<const std::string&, int, int>(), "host"_a = "127.0.0.1", "port"_a = 0, "threads"_a = 1)
      .def_property_readonly("port", &PyMock::port)
      .def("stop", &PyMock::stop)
      .def("enqueue", &PyMock::enqueue, "script_json"_a, "Queue a reply script (JSON) for the next request.")
      .def("set_default", &PyMock::set_default, "script_json"_a, "Script used when the queue is empty.")
      .def("clear", &PyMock::clear, "Drop queued scripts, the default and recorded requests.")
      .def("requests", &PyMock::requests, "Recorded requests: [{method, path, query, headers, body}].")
      .def("request_count", &PyMock::request_count)
      .def("disconnects", &PyMock::disconnects, "Client disconnects seen while a response was in progress.")
      .def("wait_for_requests", &PyMock::wait_for_requests, "n"_a, "timeout_s"_a = py::none())
      .def("wait_for_disconnects", &PyMock::wait_for_disconnects, "n"_a, "timeout_s"_a = py::none());
}

}  // namespace openrain::bindings
