#!/usr/bin/env bash
# Cheap static checks that catch bugs the compiler does not.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
# simdjson 3.0.1: `x.get_array().value_unsafe()` returns T&& into a temporary that a C++20
# range-for destroys before the loop body runs. Wrap it: json::Array(x.get_array().value_unsafe()).
if grep -rnP 'for \([^;]*: (?!json::(Array|Object)\()[^;]*(\.|->)get_(array|object)\(\)\.(value_unsafe|value)\(\)\)' cpp/src cpp/bindings cpp/tests cpp/bench cpp/fuzz; then
  echo "lint: range-for over a simdjson temporary (dangling); wrap it in json::Array(...)/json::Object(...)" >&2
  status=1
fi
# Same trap through an optional: `for (x : *json::get_array(...))` dereferences a temporary.
if grep -rnE 'for \([^;]*: \*[a-zA-Z_:]*\(' cpp/src cpp/bindings cpp/tests cpp/bench cpp/fuzz; then
  echo "lint: range-for over *temporary (dangling); bind the optional to a local first" >&2
  status=1
fi
# The core library must never include Python.
if grep -rnE '#include [<"](pybind11|Python\.h)' cpp/src cpp/include; then
  echo "lint: cpp/src and cpp/include must not include Python or pybind11" >&2
  status=1
fi
exit $status
