"""The benchmark's environment: a Release build of OpenRain in its own venv, LiteLLM in another,
the orload load generator, and the C++ micro-benchmark binary.

Owns the locations under ``build/bench`` and the steps that (re)create them. Nothing here touches
the interpreter other engineers use: OpenRain is installed (Release, ``-Cbuild-dir=build/bench-wheel``)
into ``build/bench/venv``; LiteLLM (heavy, many pinned dependencies) into ``build/bench/litellm-venv``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH_BUILD = os.path.join(ROOT, "build", "bench")
VENV = os.path.join(BENCH_BUILD, "venv")
LITELLM_VENV = os.path.join(BENCH_BUILD, "litellm-venv")
# Newest LiteLLM that installs from this machine's registry: 1.106.5 and later (and the 1.104.9 /
# 1.105.7 backports) require certifi>=2026.10.19, which the registry does not carry.
LITELLM_VERSION = "1.106.0"
#: Runtime packages that `litellm[proxy]` from PyPI lacks but a deployed proxy has: prisma and
#: opentelemetry-sdk come with LiteLLM's Docker image (its requirements.txt) and the request path imports
#: them (without them every request retries a failing import: opentelemetry.sdk in auth, prisma.errors on
#: the no-database path); httptools is uvicorn's C HTTP parser (`uvicorn[standard]`; without it uvicorn
#: falls back to h11). Module → pip name. See bench/README.md, "LiteLLM configuration".
LITELLM_RUNTIME = {"httptools": "httptools", "opentelemetry.sdk": "opentelemetry-sdk", "prisma": "prisma"}
BENCH_DEPS = {"yaml": "pyyaml", "uvicorn": "uvicorn", "uvloop": "uvloop", "httptools": "httptools",
              "fastapi": "fastapi", "matplotlib": "matplotlib", "scikit_build_core": "scikit-build-core",
              "pybind11": "pybind11"}


_T0 = __import__("time").monotonic()


def log(msg: str) -> None:
    print(f"[bench {__import__('time').monotonic() - _T0:6.1f}s] {msg}", flush=True)


def venv_python(venv: str) -> str:
    return os.path.join(venv, "bin", "python")


def _missing(python: str, modules: List[str]) -> List[str]:
    code = ("import importlib.util,sys\n"
            f"print(' '.join(m for m in {modules!r} if importlib.util.find_spec(m) is None))")
    out = subprocess.run([python, "-c", code], stdout=subprocess.PIPE, text=True, check=True).stdout
    return out.split()


def pip(python: str, args: List[str], quiet: bool = True) -> int:
    argv = [python, "-m", "pip", "install", "--disable-pip-version-check"] + (["-q"] if quiet else []) + args
    return subprocess.run(argv).returncode


def ensure_venv(build_openrain: bool) -> str:
    """Create/refresh build/bench/venv; returns its python."""
    py = venv_python(VENV)
    if not os.path.exists(py):
        log(f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    missing = _missing(py, list(BENCH_DEPS))
    if missing:
        log("installing " + ", ".join(BENCH_DEPS[m] for m in missing))
        if pip(py, [BENCH_DEPS[m] for m in missing]) != 0:
            raise SystemExit("bench: could not install the benchmark dependencies")
    have = not _missing(py, ["openrain"])
    if build_openrain or not have:
        log("building OpenRain (Release) into the bench venv: pip install --no-build-isolation "
            f"{ROOT} -Cbuild-dir=build/bench-wheel -Ccmake.build-type=Release")
        for attempt in range(2):
            rc = subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                                 "--no-build-isolation", "--force-reinstall", "--no-deps", ROOT,
                                 "-Cbuild-dir=build/bench-wheel", "-Ccmake.build-type=Release"],
                                cwd=ROOT).returncode
            if rc == 0:
                break
            if attempt == 0:
                log("build failed (another engineer may be mid-edit); retrying in 60 s")
                import time

                time.sleep(60)
        else:
            raise SystemExit("bench: the OpenRain Release build failed (see the compiler output above)")
    return py


def ensure_litellm(install: bool) -> Tuple[Optional[str], str]:
    """(path of the `litellm` CLI or None, note)."""
    exe = os.path.join(LITELLM_VENV, "bin", "litellm")
    py = venv_python(LITELLM_VENV)

    def installed_version() -> Optional[str]:
        if not os.path.exists(py):
            return None
        r = subprocess.run([py, "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    def runtime_missing() -> List[str]:
        return _missing(py, list(LITELLM_RUNTIME))

    def install_runtime(missing: List[str]) -> bool:
        # opentelemetry-sdk must match the opentelemetry-api LiteLLM's dependencies brought in
        r = subprocess.run([py, "-c", "import importlib.metadata as m; print(m.version('opentelemetry-api'))"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        otel = r.stdout.strip() if r.returncode == 0 else ""
        names = [LITELLM_RUNTIME[m] + (f"=={otel}" if LITELLM_RUNTIME[m] == "opentelemetry-sdk" and otel else "")
                 for m in missing]
        log("installing the LiteLLM proxy's runtime packages: " + ", ".join(names))
        return pip(py, names) == 0 and not runtime_missing()

    v = installed_version()
    if v == LITELLM_VERSION and os.path.exists(exe):
        missing = runtime_missing()
        if not missing:
            return exe, f"litellm {v}"
        if install and install_runtime(missing):
            return exe, f"litellm {v}"
        return exe, f"litellm {v} (without {', '.join(LITELLM_RUNTIME[m] for m in missing)}: slower than deployed)"
    if not install:
        return None, "LiteLLM not installed (run without --no-litellm to install it)"
    log(f"installing litellm[proxy]=={LITELLM_VERSION} into {LITELLM_VENV} (heavy; once)")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", LITELLM_VENV], check=True)
    if pip(py, [f"litellm[proxy]=={LITELLM_VERSION}"]) != 0 or installed_version() is None:
        return None, f"could not install litellm[proxy]=={LITELLM_VERSION}; LiteLLM skipped"
    missing = runtime_missing()
    if missing and not install_runtime(missing):
        return exe, (f"litellm {installed_version()} (could not install "
                     f"{', '.join(LITELLM_RUNTIME[m] for m in missing)}: slower than deployed)")
    return exe, f"litellm {installed_version()}"


def ensure_orload() -> str:
    src = os.path.join(ROOT, "bench", "loadgen.cpp")
    out = os.path.join(BENCH_BUILD, "orload")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        os.makedirs(BENCH_BUILD, exist_ok=True)
        cxx = os.environ.get("CXX") or shutil.which("g++") or "c++"
        log(f"compiling {src}")
        subprocess.run([cxx, "-O2", "-std=c++17", "-o", out, src], check=True)
    return out


def ensure_matplotlib(python: str) -> bool:
    if not _missing(python, ["matplotlib"]):
        return True
    log("installing matplotlib")
    return pip(python, ["matplotlib"]) == 0
