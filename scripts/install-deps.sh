#!/usr/bin/env bash
# Install everything OpenRain needs to build, test and run on Debian 12 (bookworm).
# Idempotent: packages already present are skipped quickly.
set -euo pipefail
APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libssl-dev libsimdjson-dev pybind11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev wrk
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
PY=${PYTHON:-python3}
$PY -m pip install -q --disable-pip-version-check \
  "scikit-build-core>=0.8" "pybind11>=2.10" pyyaml \
  pytest pytest-timeout openai anthropic google-genai fastapi uvicorn httpx
