// bindings/common.hpp — helpers shared by the pybind11 binding files (the only code that
// includes pybind11).
//
// Owns: the register_* entry points module.cpp calls, raise_error() (openrain::Error → the
// matching openrain.errors class), and wait_sliced(), the one way the bindings block: the wait
// runs with the GIL released in short slices, re-acquiring it between slices to run
// PyErr_CheckSignals() so Ctrl-C interrupts any blocking call.
// Thread-safety: every function here must be called with the GIL held; wait_sliced() releases it
// only around the C++ wait.
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <string_view>

#include "openrain/status.hpp"

namespace openrain::bindings {

namespace py = pybind11;

void register_errors(py::module_& m);
void register_engine(py::module_& m);
void register_server(py::module_& m);
void register_mock(py::module_& m);

/// Raise `err` as the openrain.errors class for its kind (or `class_name` when given, e.g.
/// "ConfigError"). Never returns: throws py::error_already_set.
[[noreturn]] void raise_error(const Error& err, const char* class_name = nullptr);

/// The length of one blocking slice between signal checks.
inline constexpr std::chrono::milliseconds kWaitSlice{50};

/// Convert a Python timeout in seconds (None or negative = forever) to an optional deadline.
inline std::optional<std::chrono::steady_clock::time_point> deadline_from(std::optional<double> timeout_s) {
  if (!timeout_s || *timeout_s < 0 || !std::isfinite(*timeout_s)) return std::nullopt;
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(*timeout_s));
}

/// Call `attempt(slice)` — which blocks at most `slice` and returns true when satisfied — with
/// the GIL released, until it succeeds or the deadline passes. Between slices, re-acquire the GIL
/// and check for signals: on a pending exception (KeyboardInterrupt), run `on_interrupt` and
/// throw py::error_already_set. Returns whether `attempt` succeeded.
bool wait_sliced(const std::function<bool(std::chrono::milliseconds)>& attempt,
                 std::optional<double> timeout_s, const std::function<void()>& on_interrupt = {});

/// True while the interpreter is shutting down (releasing the GIL is then unsafe).
bool interpreter_finalizing();

/// Text → Python str without ever raising: invalid UTF-8 is replaced (U+FFFD).
py::str to_str(std::string_view s);
/// Header text → Python str: header bytes are latin-1 per HTTP, so every byte maps.
py::str header_str(std::string_view s);

}  // namespace openrain::bindings
