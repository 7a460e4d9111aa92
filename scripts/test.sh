#!/usr/bin/env bash
# Run OpenRain's whole test suite:
#   1. static lint;  2. Release build of engine + Python module + C++ tests (one build dir, reused
#   by the pip install);  3. C++ unit tests (ctest);  4. the same tests under ASan + UBSan;
#   5. libFuzzer smoke runs of the parsers and the provider decoders (clang, FUZZ_SECONDS each);
#   6. pytest end to end with the official SDKs against the built-in provider simulator;
#   7. a benchmark smoke run.
# Hermetic: loopback only. Set OPENRAIN_SKIP_SANITIZERS=1 / OPENRAIN_SKIP_FUZZ=1 / OPENRAIN_SKIP_BENCH=1
# to skip stages locally.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
JOBS=${JOBS:-$(nproc)}
bash scripts/install-deps.sh
bash scripts/lint.sh

LAUNCHER=""
if command -v ccache >/dev/null; then
  LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
  export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
  export CCACHE_BASEDIR="$ROOT"
fi

echo "== build: engine, Python module and C++ tests (Release) =="
export CMAKE_BUILD_PARALLEL_LEVEL=$JOBS
$PY -m pip install -q --no-build-isolation --disable-pip-version-check \
  -Cbuild-dir=build/release -Ccmake.build-type=Release \
  -Ccmake.define.OPENRAIN_BUILD_TESTS=ON ${LAUNCHER:+-Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache} \
  "$ROOT"

echo "== C++ unit tests =="
ninja -C build/release -j"$JOBS" openrain_tests >/dev/null
(cd build/release && ctest --output-on-failure -j"$JOBS" --timeout 120)

if [ "${OPENRAIN_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== C++ unit tests under ASan + UBSan =="
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOPENRAIN_BUILD_PYTHON=OFF \
        -DOPENRAIN_BUILD_TESTS=ON -DOPENRAIN_SANITIZE=ON $LAUNCHER >/dev/null
  ninja -C build/asan -j"$JOBS" openrain_tests
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build/asan/cpp/openrain_tests --gtest_brief=1
fi

if [ "${OPENRAIN_SKIP_FUZZ:-0}" != "1" ] && command -v clang++-14 >/dev/null; then
  echo "== libFuzzer smoke (parsers, provider decoders) =="
  cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
        -DOPENRAIN_BUILD_PYTHON=OFF -DOPENRAIN_BUILD_FUZZ=ON $LAUNCHER >/dev/null
  FUZZ_TARGETS="sse_framer_fuzz request_parse_fuzz provider_decode_fuzz http1_fuzz"
  ninja -C build/fuzz -j"$JOBS" $FUZZ_TARGETS
  corpus=$(mktemp -d)
  find ../shared/fixtures -type f \( -name '*.sse' -o -name '*.json' -o -name '*.txt' -o -name '*.jsonl' \) \
    -exec cp {} "$corpus/" \; 2>/dev/null || true
  for t in $FUZZ_TARGETS; do
    build/fuzz/cpp/$t -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 -print_final_stats=0 \
      "$corpus" >"build/fuzz/$t.log" 2>&1 || { tail -40 "build/fuzz/$t.log"; exit 1; }
    echo "$t: $(grep -Eo 'Done [0-9]+ runs' "build/fuzz/$t.log" | tail -1)"
  done
  rm -rf "$corpus"
fi

echo "== Python end to end =="
cd "$ROOT/tests"   # import the installed package, not the source tree
$PY -m pytest -q -p no:cacheprovider "$ROOT/tests"

if [ "${OPENRAIN_SKIP_BENCH:-0}" != "1" ] && [ -f "$ROOT/bench/run.py" ]; then
  echo "== benchmark smoke =="
  $PY "$ROOT/bench/run.py" --smoke
fi
