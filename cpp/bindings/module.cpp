// bindings/module.cpp — the openrain._engine extension module: registration only.
#include "common.hpp"

PYBIND11_MODULE(_engine, m) {
  m.doc() = "OpenRain's C++ engine (internal; use the openrain package)";
  openrain::bindings::register_errors(m);
  openrain::bindings::register_engine(m);
  openrain::bindings::register_server(m);
  openrain::bindings::register_mock(m);
}
