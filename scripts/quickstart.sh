#!/usr/bin/env bash
# Install everything, build the package, and start the gateway on the embedded offline demo
# configuration (models served by the built-in provider simulator; real providers are added
# when OPENAI_API_KEY / ANTHROPIC_API_KEY / GEMINI_API_KEY are set).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
bash scripts/install-deps.sh
$PY -m pip install -q --no-build-isolation --disable-pip-version-check -Cbuild-dir=build/wheel .
exec $PY -m openrain serve --demo --host "${OPENRAIN_HOST:-127.0.0.1}" --port "${OPENRAIN_PORT:-8080}"
