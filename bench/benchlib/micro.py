"""C++ micro-benchmarks (Google Benchmark, cpp/bench/*.cpp → openrain_bench) and the
`import openrain` time.

Owns: building ``openrain_bench`` in ``build/bench-cpp`` (Release, OPENRAIN_BUILD_BENCH=ON, no
Python module), running it with JSON output, and timing ``import openrain`` in fresh interpreters.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
from typing import Dict, List

from .setup_env import ROOT, log

BUILD = os.path.join(ROOT, "build", "bench-cpp")


def run_cpp_micro(quick: bool = False) -> Dict[str, object]:
    cfg = ["cmake", "-S", ROOT, "-B", BUILD, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
           "-DOPENRAIN_BUILD_PYTHON=OFF", "-DOPENRAIN_BUILD_TESTS=OFF", "-DOPENRAIN_BUILD_BENCH=ON"]
    log("building openrain_bench (C++ micro-benchmarks, Release)")
    r = subprocess.run(cfg, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        return {"error": "cmake failed: " + r.stdout[-1500:]}
    for attempt in range(2):
        r = subprocess.run(["ninja", "-C", BUILD, "-j2", "openrain_bench"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode == 0:
            break
        if attempt == 0:
            log("openrain_bench build failed (maybe a concurrent edit); retrying in 60 s")
            import time

            time.sleep(60)
    else:
        return {"error": "build failed: " + r.stdout[-2500:]}
    exe = os.path.join(BUILD, "cpp", "openrain_bench")
    min_time = "0.05" if quick else "0.3"
    names = subprocess.run([exe, "--benchmark_list_tests"], stdout=subprocess.PIPE, text=True).stdout.split()
    log(f"running openrain_bench ({len(names)} benchmarks, one process each so a crash stays contained)")
    rows: List[Dict[str, object]] = []
    context: Dict[str, object] = {}
    for name in names:
        r = subprocess.run([exe, "--benchmark_format=json", f"--benchmark_min_time={min_time}",
                            "--benchmark_filter=^" + re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", name) + "$"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sig = f"signal {-r.returncode}" if r.returncode < 0 else f"exit {r.returncode}"
            rows.append({"name": name, "crashed": sig, "stderr": r.stderr[-300:]})
            log(f"openrain_bench {name}: CRASHED ({sig})")
            continue
        try:
            data = json.loads(r.stdout)
        except ValueError:
            rows.append({"name": name, "skipped": "no output: " + r.stderr[-200:]})
            continue
        context = data.get("context", {})
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                continue
            if b.get("error_occurred"):
                rows.append({"name": b["name"], "skipped": b.get("error_message", "")})
                continue
            row = {"name": b["name"], "cpu_time": b["cpu_time"], "real_time": b["real_time"],
                   "time_unit": b.get("time_unit", "ns"), "iterations": b.get("iterations")}
            for k, v in b.items():  # bytes_per_second, items_per_second, user counters
                if k not in row and isinstance(v, (int, float)) and k not in (
                        "repetitions", "repetition_index", "threads", "family_index",
                        "per_family_instance_index"):
                    row[k] = v
            rows.append(row)
    return {"context": {k: context.get(k) for k in
                        ("num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "library_build_type")},
            "benchmarks": rows}


def import_time(python: str, runs: int) -> Dict[str, object]:
    code = ("import time; t0 = time.perf_counter(); import openrain; t1 = time.perf_counter(); "
            "openrain.Gateway; t2 = time.perf_counter(); from openrain import _engine; "
            "t3 = time.perf_counter(); print(t1 - t0, t2 - t1, t3 - t2)")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    imp, api, eng, wall, base = [], [], [], [], []
    import time

    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run([python, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env, cwd="/")
        wall.append(time.perf_counter() - t)
        if r.returncode != 0:
            return {"error": r.stderr[-800:]}
        a, b, c = r.stdout.split()
        imp.append(float(a))
        api.append(float(b))
        eng.append(float(c))
        t = time.perf_counter()
        subprocess.run([python, "-c", "pass"], env=env, cwd="/")
        base.append(time.perf_counter() - t)
    ms = lambda xs: round(statistics.median(xs) * 1000, 2)  # noqa: E731
    return {"runs": runs, "import_ms": ms(imp), "gateway_api_ms": ms(api), "engine_module_ms": ms(eng),
            "import_total_ms": ms([x + y + z for x, y, z in zip(imp, api, eng)]),
            "process_ms": ms(wall), "bare_interpreter_ms": ms(base),
            "import_ms_min": round(min(imp) * 1000, 2), "import_ms_max": round(max(imp) * 1000, 2)}
