"""One load run against one target, with CPU accounting around it.

Owns: :func:`run_wrk` (closed loop, wrk + bench/wrk_post.lua), :func:`run_orload` (open or
closed loop, bench/loadgen.cpp; streaming frame timing and body validation), and
:class:`CpuMeter` (CPU seconds of the watched process trees, of the load generator and of the
whole machine across one run). Every run returns a plain dict (JSON-serialisable) with the
generator's numbers plus ``cpu``: {name: µs per completed request} and ``other_cpu_pct`` (machine
busy time not attributable to the watched processes or the generator, in % of all cores — it
contains kernel softirq time for loopback traffic and anything else running on the box).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
from typing import Dict, List, Optional

from .contenders import Target
from .procs import cpu_ticks, CLK_TCK, machine_busy_seconds, tree

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRK_LUA = os.path.join(BENCH_DIR, "wrk_post.lua")


class CpuMeter:
    def __init__(self, watched: Dict[str, int]) -> None:
        self.watched = {k: v for k, v in watched.items() if v}

    def __enter__(self) -> "CpuMeter":
        self.trees = {k: tree(pid) for k, pid in self.watched.items()}
        self.t0 = {k: cpu_ticks(p) for k, p in self.trees.items()}
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.child0 = ru.ru_utime + ru.ru_stime
        self.busy0, self.total0 = machine_busy_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.delta = {k: (cpu_ticks(self.trees[k]) - self.t0[k]) / CLK_TCK for k in self.trees}
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.loadgen = ru.ru_utime + ru.ru_stime - self.child0
        busy1, total1 = machine_busy_seconds()
        self.busy = busy1 - self.busy0
        self.total = total1 - self.total0

    def summary(self, requests: int) -> Dict[str, object]:
        per_req = {k: (v * 1e6 / requests if requests else None) for k, v in self.delta.items()}
        other = self.busy - sum(self.delta.values()) - self.loadgen
        return {"cpu_us_per_req": per_req, "cpu_s": dict(self.delta), "loadgen_cpu_s": self.loadgen,
                "other_cpu_pct": max(0.0, 100.0 * other / self.total) if self.total > 0 else None,
                "machine_busy_pct": 100.0 * self.busy / self.total if self.total > 0 else None}


def _body_file(body: bytes, workdir: str) -> str:
    fd, path = tempfile.mkstemp(prefix="body-", suffix=".json", dir=workdir)
    with os.fdopen(fd, "wb") as f:
        f.write(body)
    return path


def run_wrk(t: Target, conns: int, duration_s: int, watched: Dict[str, int], workdir: str,
            timeout_s: int = 10) -> Dict[str, object]:
    body = _body_file(t.body, workdir)
    env = dict(os.environ, BODY_FILE=body, HEADERS="|".join(t.headers))
    argv = ["wrk", "-t1", f"-c{conns}", f"-d{max(1, int(duration_s))}s", "--timeout", f"{timeout_s}s",
            "-s", WRK_LUA, f"http://127.0.0.1:{t.port}{t.path}"]
    with CpuMeter(watched) as m:
        p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    os.unlink(body)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if p.returncode != 0 or line is None:
        return {"tool": "wrk", "failed": True, "output": p.stdout[-2000:], "errors": 1, "rps": 0.0}
    w = json.loads(line[len("WRKJSON "):])
    reqs = int(w["requests"])
    errors = sum(int(w[k]) for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
    dur = w["duration_us"] / 1e6
    res: Dict[str, object] = {"tool": "wrk", "conns": conns, "requests": reqs, "duration_s": dur,
                              "rps": reqs / dur if dur > 0 else 0.0, "errors": errors,
                              "error_detail": {k: w[k] for k in w if k.startswith("err_")},
                              "latency_us": {"mean": w["lat_mean"], "p50": w["lat_p50"], "p90": w["lat_p90"],
                                             "p99": w["lat_p99"], "p999": w["lat_p999"], "max": w["lat_max"]}}
    res.update(m.summary(reqs))
    return res


def run_orload(orload: str, t: Target, workdir: str, watched: Dict[str, int], *, rate: float = 0,
               conns: int = 1, duration_s: float = 5, warmup_s: float = 0, max_conns: int = 0,
               timeout_s: float = 10) -> Dict[str, object]:
    body = _body_file(t.body, workdir)
    argv = [orload, "--port", str(t.port), "--path", t.path, "--body-file", body,
            "--duration", str(duration_s), "--warmup", str(warmup_s), "--conns", str(conns),
            "--timeout", str(timeout_s)]
    if rate > 0:
        argv += ["--rate", str(rate)]
    if max_conns:
        argv += ["--max-conns", str(max_conns)]
    for h in t.headers:
        argv += ["--header", h]
    for e in t.expect:
        argv += ["--expect", e]
    if t.stream:
        argv.append("--stream")
    with CpuMeter(watched) as m:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.unlink(body)
    try:
        res: Dict[str, object] = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"tool": "orload", "failed": True, "output": (p.stdout + p.stderr)[-2000:], "errors": 1,
                "rps": 0.0}
    res["tool"] = "orload"
    res["rps"] = res["achieved_rps"]
    if p.stderr.strip():
        res["stderr"] = p.stderr.strip()[-1500:]
    res.update(m.summary(int(res["ok"])))
    return res


def first_error_text(results: List[Dict[str, object]]) -> Optional[str]:
    for r in results:
        if r.get("stderr"):
            return str(r["stderr"])
        if r.get("output"):
            return str(r["output"])
    return None
