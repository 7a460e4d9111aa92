// bindings/errors.cpp — openrain::Error → openrain.errors exceptions, plus the shared wait and
// string helpers declared in common.hpp.
//
// The Python classes are looked up once (the openrain.errors module is imported on first use and
// cached for the life of the interpreter); the class comes from errors.from_kind(<kind name>) so
// Python and C++ share one table: the kind names of error_kind_name().
#include <pybind11/stl.h>

#include "common.hpp"

namespace openrain::bindings {

using namespace pybind11::literals;

namespace {

py::object& errors_module() {
  PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
  return storage
      .call_once_and_store_result([] { return py::object(py::module_::import("openrain.errors")); })
      .get_stored();
}

constexpr int kLastKind = static_cast<int>(ErrorKind::Internal);

std::optional<ErrorKind> kind_from_name(std::string_view name) {
  for (int i = 0; i <= kLastKind; ++i) {
    auto k = static_cast<ErrorKind>(i);
    if (name == error_kind_name(k)) return k;
  }
  return std::nullopt;
}

}  // namespace

py::str to_str(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::str header_str(std::string_view s) {
  PyObject* o = PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

bool interpreter_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
}

void raise_error(const Error& err, const char* class_name) {
  py::object mod = errors_module();
  py::object cls = class_name ? mod.attr(class_name) : mod.attr("from_kind")(error_kind_name(err.kind));
  py::dict headers;
  for (const auto& [k, v] : err.headers) headers[header_str(k)] = header_str(v);
  py::object retry_after = err.retry_after_s ? py::object(py::float_(*err.retry_after_s)) : py::none();
  auto opt = [](const std::string& s) { return s.empty() ? py::object(py::none()) : py::object(to_str(s)); };
  py::object exc = cls(to_str(err.message), "status_code"_a = err.http_status,
                       "kind"_a = error_kind_name(err.kind), "param"_a = opt(err.param),
                       "code"_a = opt(err.code), "provider"_a = opt(err.provider),
                       "retry_after"_a = retry_after, "headers"_a = headers,
                       "error_type"_a = opt(err.upstream_type));
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw py::error_already_set();
}

bool wait_sliced(const std::function<bool(std::chrono::milliseconds)>& attempt,
                 std::optional<double> timeout_s, const std::function<void()>& on_interrupt) {
  using clock = std::chrono::steady_clock;
  const auto deadline = deadline_from(timeout_s);
  for (;;) {
    auto slice = kWaitSlice;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now());
      if (left < std::chrono::milliseconds::zero()) left = std::chrono::milliseconds::zero();
      if (left < slice) slice = left;
    }
    bool ok;
    {
      py::gil_scoped_release release;
      ok = attempt(slice);
    }
    if (ok) return true;
    if (PyErr_CheckSignals() != 0) {
      if (on_interrupt) on_interrupt();
      throw py::error_already_set();
    }
    if (deadline && clock::now() >= *deadline) return false;
  }
}

void register_errors(py::module_& m) {
  m.def(
      "error_kinds",
      [] {
        std::vector<std::pair<std::string, int>> out;
        for (int i = 0; i <= kLastKind; ++i) {
          auto k = static_cast<ErrorKind>(i);
          out.emplace_back(error_kind_name(k), default_http_status(k));
        }
        return out;
      },
      "[(kind name, default HTTP status)] for every engine ErrorKind, in enum order.");
  m.def(
      "_raise_error",
      [](const std::string& kind, const std::string& message, int status, const std::string& param,
         const std::string& code, const std::string& provider, std::optional<double> retry_after,
         const std::vector<std::pair<std::string, std::string>>& headers) {
        auto k = kind_from_name(kind);
        if (!k) throw py::value_error("unknown error kind '" + kind + "'");
        Error e = Error::make(*k, message, param, code);
        if (status) e.http_status = status;
        e.provider = provider;
        e.retry_after_s = retry_after;
        e.headers = headers;
        raise_error(e);
      },
      "kind"_a, "message"_a, "status"_a = 0, "param"_a = "", "code"_a = "", "provider"_a = "",
      "retry_after"_a = py::none(), "headers"_a = std::vector<std::pair<std::string, std::string>>{},
      "Raise the openrain.errors exception the bindings produce for an engine Error (tests).");
}

}  // namespace openrain::bindings
