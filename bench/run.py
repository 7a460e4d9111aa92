#!/usr/bin/env python3
"""OpenRain benchmark: one command that sets up, runs the matrix, stops everything and reports.

    python bench/run.py                 # full run (~15 min): writes BENCHMARKS.md + bench/benchmarks.png
    python bench/run.py --quick         # shorter runs (~5 min), same report
    python bench/run.py --smoke         # CI smoke (~15 s): tiny runs, no LiteLLM, report to a temp
                                        # file; exit 1 if any contender errors
    options: --duration S (per run) --after S (RSS "after load" delay) --no-litellm --no-build
             --no-micro --no-profile --out FILE --sim-threads N --threads N --litellm-workers N

What runs (all on 127.0.0.1): the provider simulator (bench/sim_host.py, its own process), and the
contenders — direct to the simulator (the physical limit), OpenRain's native server
(`openrain serve`), OpenRain's ASGI app under uvicorn (uvloop + httptools), the same app mounted in
FastAPI, and the LiteLLM proxy — for six cases (OpenAI Chat → OpenAI, OpenAI Chat → Anthropic,
Anthropic Messages → OpenAI; each non-streaming and streaming). Load: wrk closed loop at several
connection counts (throughput ceiling, latency at one in flight), bench/loadgen.cpp open loop at
fixed rates (latency from the scheduled send) and paced streams (time to first frame, gaps).
Per run: CPU µs per request of each server process (/proc/<pid>/stat), RSS peaks, errors.

Full and quick runs use build/bench/venv (a Release build of this tree; rebuilt each run unless
--no-build) and re-exec themselves in it; --smoke uses the current interpreter as it is.
Every child process is started in its own session and stopped by its id on exit, Ctrl-C or error.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import setup_env  # noqa: E402
from benchlib.contenders import (CASES, Case, Contender, contenders_template, launch_specs,  # noqa: E402
                                 litellm_summary, python_has)
from benchlib.load import run_orload, run_wrk  # noqa: E402
from benchlib.procs import (ProcessSet, RssSampler, free_port, install_signal_handlers,  # noqa: E402
                            tree_rss_mib, wait_port)

ROOT = setup_env.ROOT
log = setup_env.log


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="OpenRain benchmark (see the module docstring)")
    p.add_argument("--quick", action="store_true", help="shorter runs and fewer points (~5 min)")
    p.add_argument("--smoke", action="store_true", help="CI smoke: ~15 s, no LiteLLM, temp report, "
                                                        "exit 1 on any error")
    p.add_argument("--duration", type=float, help="seconds per load run (default 5; quick 2)")
    p.add_argument("--after", type=float, help="seconds after the last load to read 'after' RSS "
                                               "(default 60; quick 10)")
    p.add_argument("--no-litellm", action="store_true", help="skip the LiteLLM contender")
    p.add_argument("--render", metavar="RESULTS_JSON",
                   help="only re-render the report (and plot) from a run's results.json")
    p.add_argument("--no-build", action="store_true", help="reuse the bench venv's OpenRain build")
    p.add_argument("--no-micro", action="store_true", help="skip the C++ micro-benchmarks")
    p.add_argument("--no-profile", action="store_true", help="skip the perf profile of the native server")
    p.add_argument("--out", help="report path (default BENCHMARKS.md; --smoke: a temp file)")
    p.add_argument("--sim-threads", type=int, default=2, help="simulator threads (default 2)")
    p.add_argument("--threads", type=int, default=0, help="OpenRain engine threads (default 0 = cores)")
    p.add_argument("--litellm-workers", type=int, default=0,
                   help="LiteLLM proxy worker processes, --num_workers (default 0 = one per core, as "
                        "LiteLLM's docs advise on a VM; see bench/README.md)")
    p.add_argument("--nice", type=int, default=0,
                   help="run the benchmark and everything it starts at this nice value (e.g. -10 on a "
                        "shared box; negative values need root)")
    p.add_argument("--in-venv", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


class Settings:
    def __init__(self, a: argparse.Namespace) -> None:
        self.mode = "smoke" if a.smoke else "quick" if a.quick else "full"
        if self.mode == "smoke":
            self.duration, self.after, self.conns = 0.25, 0.5, [4]
            self.rates, self.stream_rate, self.stream_conns, self.warmup = [200.0], 40.0, 8, 0.05
            self.import_runs, self.wrk_check = 1, True
        elif self.mode == "quick":
            self.duration, self.after, self.conns = 2.0, 10.0, [1, 32]
            self.rates, self.stream_rate, self.stream_conns, self.warmup = [1000.0, 5000.0], 50.0, 32, 0.5
            self.import_runs, self.wrk_check = 9, False
        else:
            self.duration, self.after, self.conns = 5.0, 60.0, [1, 8, 32, 64]
            self.rates, self.stream_rate, self.stream_conns, self.warmup = [1000.0, 5000.0], 50.0, 32, 1.0
            self.import_runs, self.wrk_check = 21, False
        if a.duration:
            self.duration = a.duration
        if a.after is not None:
            self.after = a.after
        self.litellm = not (a.no_litellm or self.mode == "smoke")
        self.micro = not (a.no_micro or self.mode == "smoke")
        self.profile = not (a.no_profile or self.mode == "smoke")
        self.sim_threads = a.sim_threads
        self.threads = a.threads
        self.litellm_workers = a.litellm_workers if a.litellm_workers > 0 else (os.cpu_count() or 1)


# --- the run -------------------------------------------------------------------------------------

class Bench:
    def __init__(self, s: Settings, python: str, orload: str, workdir: str) -> None:
        self.s, self.python, self.orload, self.workdir = s, python, orload, workdir
        self.procs = ProcessSet()
        self.sampler = RssSampler(0.2)
        self.sim_ports: Dict[str, int] = {}
        self.sim_pid = 0
        self.contenders: List[Contender] = []
        self.runs: List[Dict[str, object]] = []
        self.notes: List[str] = []
        self.last_load = time.monotonic()
        self.direct_cache: Dict[tuple, Dict[str, object]] = {}
        self.sim_idle_rss: Optional[float] = None

    # processes
    def start_sim(self) -> None:
        p = self.procs.start("sim", [self.python, os.path.join(ROOT, "bench", "sim_host.py"),
                                     "--threads", str(self.s.sim_threads)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = p.stdout.readline() if p.stdout else b""
        if not line:
            raise SystemExit("bench: the simulator did not start")
        info = json.loads(line)
        self.sim_ports = {"fast": int(info["fast"]), "paced": int(info["paced"])}
        self.sim_pid = p.pid
        self.sampler.watch("sim", p.pid)
        time.sleep(0.2)
        self.sim_idle_rss = tree_rss_mib(p.pid)

    def start_gateways(self, litellm_bin: Optional[str], litellm_note: str) -> None:
        self.contenders = contenders_template()
        have_uvloop = python_has(self.python, "uvloop")
        have_httptools = python_has(self.python, "httptools")
        have_uvicorn = python_has(self.python, "uvicorn")
        have_fastapi = python_has(self.python, "fastapi")
        if not (have_uvloop and have_httptools):
            self.notes.append("uvloop/httptools not installed in this interpreter: uvicorn ran with "
                              "its pure-Python loop/parser (asyncio/h11).")
        ports = {c.name: free_port() for c in self.contenders}
        specs = launch_specs(self.python, self.workdir, self.sim_ports, ports, self.s.threads,
                             have_uvloop, have_httptools, litellm_bin, self.s.litellm_workers)
        started = []
        for c in self.contenders:
            if c.kind == "direct":
                continue
            c.port = ports[c.name]
            if c.name in ("asgi", "fastapi") and not (have_uvicorn and (have_fastapi or c.name == "asgi")):
                c.available, c.note = False, "uvicorn/fastapi not installed"
                continue
            if c.name == "litellm" and c.name not in specs:
                c.available, c.note = False, litellm_note
                continue
            argv, env = specs[c.name]
            p = self.procs.start(c.name, argv, env=env, log=os.path.join(self.workdir, f"{c.name}.log"))
            c.pid = p.pid
            c.extra["command"] = " ".join(shlex.quote(x) for x in argv)
            started.append((c, p))
        for c, p in started:
            limit = 120.0 if c.name == "litellm" else 30.0
            if not wait_port(c.port, limit, p):
                c.available = False
                c.note = f"did not start (see {os.path.join(self.workdir, c.name + '.log')}): " + _tail(
                    os.path.join(self.workdir, f"{c.name}.log"))
                continue
            time.sleep(1.0 if c.name == "litellm" else 0.3)
            c.idle_rss_mib = tree_rss_mib(c.pid)
            self.sampler.watch(c.name, c.pid)
        if litellm_bin is None:
            for c in self.contenders:
                if c.name == "litellm":
                    c.available, c.note = False, litellm_note

    def active(self) -> List[Contender]:
        return [c for c in self.contenders if c.available]

    def watched(self, c: Contender) -> Dict[str, int]:
        w = {"sim": self.sim_pid}
        if c.kind == "gateway":
            w["gateway"] = c.pid
        return w

    # runs
    def record(self, case: Case, c: Contender, metric: str, param: float, res: Dict[str, object]) -> None:
        res = dict(res, case=case.key, contender=c.name, metric=metric, param=param)
        self.runs.append(res)
        self.last_load = time.monotonic()
        err = res.get("errors", 0)
        lat = res.get("latency_us") or {}
        p50 = lat.get("p50") if isinstance(lat, dict) else None
        p99 = lat.get("p99") if isinstance(lat, dict) else None
        cpu = (res.get("cpu_us_per_req") or {}).get("gateway")  # type: ignore[union-attr]
        log(f"{case.key:10s} {c.name:8s} {metric:11s} {param:>6g}: {res.get('rps', 0):9.0f} req/s  "
            f"p50 {_fmt(p50)}  p99 {_fmt(p99)} us  gw cpu {_fmt(cpu)} us/req  errors {err}"
            + (f"  [{str(res.get('stderr') or res.get('output'))[:160]}]" if err else ""))

    def direct_or_run(self, case: Case, c: Contender, metric: str, param: float, fn) -> Dict[str, object]:
        if c.kind != "direct":
            return fn()
        key = (case.direct_key, metric, param)
        if key not in self.direct_cache:
            self.direct_cache[key] = fn()
        else:
            return dict(self.direct_cache[key], reused=True)
        return self.direct_cache[key]

    def warm_up(self) -> None:
        for c in self.active():
            for case in CASES:
                for paced in (False, True) if case.stream and self.s.mode != "smoke" else (False,):
                    t = c.target(case, self.sim_ports, paced=paced)
                    # LiteLLM imports lazily on the first requests of each route, in each worker
                    warm = max(self.s.warmup, 3.0) if c.name == "litellm" else self.s.warmup
                    r = run_orload(self.orload, t, self.workdir, {}, conns=4, duration_s=warm, timeout_s=30)
                    if r.get("errors") or not r.get("ok"):
                        msg = str(r.get("stderr") or r.get("output") or "no response")[:300]
                        log(f"warm-up: {c.name} {case.key}{' paced' if paced else ''} failed: {msg}")
                        self.runs.append(dict(r, case=case.key, contender=c.name, metric="warmup", param=4))
        self.sampler.reset_peaks()

    def matrix(self) -> None:
        s = self.s
        wrk_dur = max(1, int(round(s.duration)))
        for case in CASES:
            if case.stream:
                for c in self.active() if s.mode != "smoke" else []:  # smoke: the paced runs cover streams
                    t = c.target(case, self.sim_ports)
                    fn = lambda t=t, c=c: run_wrk(t, s.stream_conns, wrk_dur, self.watched(c), self.workdir)
                    self.record(case, c, "stream_tput", s.stream_conns,
                                self.direct_or_run(case, c, "stream_tput", 0, fn))
                for c in self.active():
                    t = c.target(case, self.sim_ports, paced=True)
                    # a contender whose stream ceiling is low gets a lighter rate (¼ of its ceiling),
                    # so the timing run measures latency, not an overflowing queue
                    tput = [float(r.get("rps", 0)) for r in self.runs if r["case"] == case.key
                            and r["contender"] == c.name and r["metric"] == "stream_tput"]
                    rate = s.stream_rate if not tput or tput[0] >= 4 * s.stream_rate else max(2.0, tput[0] / 4)
                    fn = lambda t=t, c=c, rate=rate: run_orload(self.orload, t, self.workdir, self.watched(c),
                                                     rate=rate, conns=8, max_conns=256,
                                                     duration_s=max(s.duration, 0.3),
                                                     warmup_s=0.05 if s.mode == "smoke" else 0.2)
                    self.record(case, c, "paced", s.stream_rate,
                                self.direct_or_run(case, c, "paced", s.stream_rate, fn))
                continue
            for n in s.conns:
                for c in self.active():
                    t = c.target(case, self.sim_ports)
                    if s.mode == "smoke":
                        fn = lambda t=t, c=c, n=n: run_orload(self.orload, t, self.workdir, self.watched(c),
                                                              conns=n, duration_s=s.duration)
                    else:
                        fn = lambda t=t, c=c, n=n: run_wrk(t, n, wrk_dur, self.watched(c), self.workdir)
                    self.record(case, c, "closed", n, self.direct_or_run(case, c, "closed", n, fn))
            for rate in s.rates if s.mode != "smoke" or case is CASES[0] else []:
                for c in self.active():
                    ceiling = max([float(r.get("rps", 0)) for r in self.runs  # type: ignore[arg-type]
                                   if r["case"] == case.key and r["contender"] == c.name
                                   and r["metric"] == "closed"] or [0.0])
                    if s.mode != "smoke" and ceiling < rate * 1.15:
                        self.runs.append({"case": case.key, "contender": c.name, "metric": "open",
                                          "param": rate, "skipped": f"ceiling {ceiling:.0f} req/s < 1.15 × rate",
                                          "errors": 0})
                        continue
                    t = c.target(case, self.sim_ports)
                    pre = int(min(64, max(8, rate // 100)))
                    fn = lambda t=t, c=c, rate=rate, pre=pre: run_orload(
                        self.orload, t, self.workdir, self.watched(c), rate=rate, conns=pre, max_conns=1024,
                        duration_s=s.duration, warmup_s=min(1.0, s.duration / 5))
                    self.record(case, c, "open", rate, self.direct_or_run(case, c, "open", rate, fn))
        if s.wrk_check:  # smoke: exercise the wrk path once
            c = next((x for x in self.active() if x.name == "native"), None)
            if c is not None:
                case = CASES[0]
                self.record(case, c, "closed_wrk", 8,
                            run_wrk(c.target(case, self.sim_ports), 8, 1, self.watched(c), self.workdir))

    def probe_server_timing(self, n: int) -> Dict[str, Dict[str, Dict[str, float]]]:
        """Per-stage timing from the engine's opt-in `Server-Timing` header (`x-openrain-timing: 1`):
        ``n`` sequential requests per OpenRain contender and case on one keep-alive connection;
        returns the median of each stage in µs (empty when the engine does not emit the header)."""
        import http.client
        import statistics

        out: Dict[str, Dict[str, Dict[str, float]]] = {}
        for c in self.active():
            if c.kind != "gateway" or c.name == "litellm":
                continue
            for case in CASES:
                t = c.target(case, self.sim_ports)
                hdrs = dict(h.split(": ", 1) for h in t.headers)
                hdrs.update({"content-type": "application/json", "x-openrain-timing": "1"})
                stages: Dict[str, List[float]] = {}
                conn = http.client.HTTPConnection("127.0.0.1", t.port, timeout=10)
                try:
                    for _ in range(n):
                        conn.request("POST", t.path, body=t.body, headers=hdrs)
                        resp = conn.getresponse()
                        st = resp.getheader("server-timing")
                        resp.read()
                        if not st:
                            break
                        for item in st.split(","):
                            name, _, dur = item.strip().partition(";dur=")
                            if dur:
                                stages.setdefault(name, []).append(float(dur) * 1000.0)
                except OSError:
                    pass
                finally:
                    conn.close()
                if stages:
                    out.setdefault(c.name, {})[case.key] = {k: statistics.median(v) for k, v in stages.items()}
        self.last_load = time.monotonic()
        return out

    def profile_native(self) -> Optional[Dict[str, object]]:
        c = next((x for x in self.active() if x.name == "native"), None)
        if c is None or not _which("perf"):
            return None
        out: Dict[str, object] = {}
        for case in (CASES[0], CASES[1], CASES[3]):
            data = os.path.join(self.workdir, f"perf-{case.key.replace('>', '-').replace('~', 's')}.data")
            rec = subprocess.Popen(["perf", "record", "-F", "999", "-p", str(c.pid), "-o", data],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(0.5)
            conns = 32
            r = run_wrk(c.target(case, self.sim_ports), conns, max(2, int(self.s.duration)), self.watched(c),
                        self.workdir)
            os.killpg(rec.pid, 2)
            rec.wait(30)
            rep = subprocess.run(["perf", "report", "--stdio", "--no-children", "--sort", "dso,symbol",
                                  "-i", data], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            rows = []
            for ln in rep.stdout.splitlines():
                ln = ln.strip()
                if not ln or ln.startswith("#"):
                    continue
                parts = ln.split(None, 3)
                if len(parts) >= 4 and parts[0].endswith("%"):
                    name = re.split(r"\s{2,}", parts[3].strip())[0]  # perf pads the column widely
                    sym = ("[kernel] " if parts[2] == "[k]" else "") + name
                    rows.append({"pct": float(parts[0].rstrip("%")), "dso": parts[1], "symbol": sym[:140]})
            out[case.key] = {"rps": r.get("rps"), "top": rows[:25], "groups": _perf_groups(rows)}
            self.last_load = time.monotonic()
        return out

    def measure_after(self) -> None:
        wait = self.s.after - (time.monotonic() - self.last_load)
        if wait > 0:
            log(f"waiting {wait:.0f} s to read RSS after load")
            time.sleep(wait)
        for c in self.active():
            if c.kind == "gateway":
                c.after_rss_mib = tree_rss_mib(c.pid)


def _perf_groups(rows: List[Dict[str, object]]) -> Dict[str, float]:
    """Self time by kind of code: kernel, allocator, locks, the engine, the C++ runtime, Python."""
    import re

    groups: Dict[str, float] = {}
    alloc = re.compile(r"malloc|free|_int_|unlink_chunk|consolidate|tcache|operator new|operator delete|realloc")
    lock = re.compile(r"mutex|lll_lock|futex|spin")
    for r in rows:
        dso, sym, pct = str(r["dso"]), str(r["symbol"]), float(r["pct"])  # type: ignore[arg-type]
        if sym.startswith("[kernel]") or "kernel" in dso:
            g = "kernel (syscalls, TCP loopback, scheduling)"
        elif alloc.search(sym):
            g = "allocator (malloc/free)"
        elif lock.search(sym) or "pthread" in sym:
            g = "locks / pthread"
        elif "_engine" in dso:
            g = "engine: boost::asio / coroutines" if "boost::" in sym else "engine: OpenRain code + simdjson"
        elif "libstdc++" in dso or "libc.so" in dso or "ld-linux" in dso:
            g = "libc / libstdc++ (other)"
        elif "python" in dso or "libpython" in dso:
            g = "Python interpreter"
        else:
            g = "other"
        groups[g] = groups.get(g, 0.0) + pct
    return dict(sorted(groups.items(), key=lambda kv: -kv[1]))


def _which(cmd: str) -> Optional[str]:
    import shutil

    return shutil.which(cmd)


def _tail(path: str, n: int = 400) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read()
        return data[-n:].decode("utf-8", "replace").replace("\n", " ⏎ ")
    except OSError:
        return ""


def _fmt(v: object) -> str:
    return f"{float(v):7.0f}" if isinstance(v, (int, float)) else "      -"


def rerender(results_json: str, out: Optional[str]) -> int:
    """Re-render BENCHMARKS.md and the plot from a finished run (no measurement)."""
    from benchlib import report
    with open(results_json) as f:
        results = json.load(f)
    out = out or os.path.join(ROOT, "BENCHMARKS.md")
    png = os.path.join(ROOT, "bench", "benchmarks.png")
    if not report.plot(results, png):
        png = None
    with open(out, "w") as f:
        f.write(report.render(results, png, out))
    log(f"report: {out} (re-rendered from {results_json})")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    a = parse_args(argv)
    if a.render:
        return rerender(a.render, a.out)
    s = Settings(a)
    command = "python bench/run.py" + "".join(" " + shlex.quote(x) for x in (argv or sys.argv[1:])
                                              if x != "--in-venv")
    started_at = _dt.datetime.now().astimezone()
    t_start = time.monotonic()
    install_signal_handlers()

    litellm_bin, litellm_note = None, "disabled (--no-litellm)" if a.no_litellm else "not run in --smoke"
    if s.mode != "smoke" and not a.in_venv:
        py = setup_env.ensure_venv(build_openrain=not a.no_build)
        if s.litellm:
            setup_env.ensure_litellm(install=True)
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        args = [py, os.path.abspath(__file__)] + (argv if argv is not None else sys.argv[1:]) + ["--in-venv"]
        os.execve(py, args, env)
    python = sys.executable
    if a.nice:
        try:
            os.nice(a.nice - os.nice(0))  # absolute: children (servers, simulator, load) inherit it
        except OSError as exc:
            log(f"cannot set nice {a.nice}: {exc}")
    if s.litellm:
        litellm_bin, litellm_note = setup_env.ensure_litellm(install=False)
    orload = setup_env.ensure_orload()

    from benchlib import micro, report  # noqa: E402  (after the re-exec: needs the bench venv)

    os.makedirs(setup_env.BENCH_BUILD, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix=f"run-{s.mode}-", dir=setup_env.BENCH_BUILD)
    out = a.out or (os.path.join(workdir, "BENCHMARKS.md") if s.mode == "smoke"
                    else os.path.join(ROOT, "BENCHMARKS.md"))
    meta = report.machine_and_versions(python, litellm_bin)
    if litellm_bin:
        meta["litellm_config"] = litellm_summary(s.litellm_workers)
    meta.update(command=command, date=started_at.isoformat(timespec="seconds"), mode=s.mode, nice=os.nice(0),
                settings={k: v for k, v in vars(s).items()})

    results: Dict[str, object] = {"meta": meta}
    if s.micro:
        results["micro"] = micro.run_cpp_micro(quick=s.mode == "quick")
    results["import"] = micro.import_time(python, s.import_runs)

    b = Bench(s, python, orload, workdir)
    if litellm_bin and "(" in litellm_note:  # installed, but without its deployed runtime packages
        b.notes.append("LiteLLM: " + litellm_note)
    failed = False
    try:
        b.sampler.start()
        log(f"mode {s.mode}; work dir {workdir}")
        b.start_sim()
        b.start_gateways(litellm_bin, litellm_note)
        log("processes up: " + ", ".join(f"{c.name}:{c.port}" for c in b.active() if c.port))
        for c in b.contenders:
            if not c.available:
                log(f"contender {c.name}: skipped — {c.note}")
        b.warm_up()
        log("warm-up done")
        results["server_timing"] = b.probe_server_timing(5 if s.mode == "smoke" else 200)
        b.matrix()
        load_peaks = b.sampler.peaks()
        if s.profile:
            results["profile"] = b.profile_native()
        b.measure_after()
    except KeyboardInterrupt:
        log("interrupted: stopping everything")
        failed = True
        raise
    finally:
        b.sampler.stop()
        b.procs.stop_all()
    for c in b.contenders:
        if c.kind == "gateway":
            c.extra["peak_rss_mib"] = f"{load_peaks.get(c.name, 0.0):.1f}"
    results.update(contenders=[vars(c) for c in b.contenders], runs=b.runs, notes=b.notes,
                   sim={"idle_rss_mib": b.sim_idle_rss, "peak_rss_mib": load_peaks.get("sim"),
                        "threads": s.sim_threads},
                   elapsed_s=time.monotonic() - t_start)
    with open(os.path.join(workdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    png = None if s.mode == "smoke" else os.path.join(ROOT, "bench", "benchmarks.png")
    if png and not report.plot(results, png):
        png = None
    md = report.render(results, png, out)
    with open(out, "w") as f:
        f.write(md)
    log(f"report: {out}" + (f"; plot: {png}" if png else "") + f"; raw: {workdir}/results.json")

    errors = sum(int(r.get("errors", 0) or 0) for r in b.runs)  # type: ignore[arg-type]
    missing = [c.name for c in b.contenders if not c.available and c.note.startswith("did not start")]
    if errors or missing or failed:
        log(f"FAILED: {errors} errors; contenders that did not run: {', '.join(missing) or 'none'}")
        return 1
    log(f"done in {time.monotonic() - t_start:.0f} s, 0 errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
