"""BENCHMARKS.md and the PNG plot, from the results dict bench/run.py collects.

Owns: the machine/version description, every table of the report, the evaluation of the stated
targets (met / missed, never hidden), and the matplotlib figure. Pure functions of ``results``.
"""

from __future__ import annotations

import os
import platform
import subprocess
from typing import Dict, List, Optional, Tuple

from .contenders import CASES

ORDER = ["direct", "native", "asgi", "fastapi", "litellm"]
CASE_BY_KEY = {c.key: c for c in CASES}


# --- machine and versions ---------------------------------------------------------------------

def _out(argv: List[str]) -> str:
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_and_versions(python: str, litellm_bin: Optional[str]) -> Dict[str, object]:
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(next(ln for ln in f if ln.startswith("MemTotal:")).split()[1])
    code = ("import importlib.metadata as m, sys\n"
            "def v(n):\n"
            "    try: return m.version(n)\n"
            "    except Exception: return 'not installed'\n"
            "print(sys.version.split()[0])\n"
            "for n in ['openrain','uvicorn','uvloop','httptools','fastapi','starlette']: print(v(n))")
    vals = _out([python, "-c", code]).splitlines()
    names = ["python", "openrain", "uvicorn", "uvloop", "httptools", "fastapi", "starlette"]
    versions = dict(zip(names, vals))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rev = _out(["git", "-C", root, "rev-parse", "--short", "HEAD"])
    dirty = _out(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"])
    versions["openrain"] = f"{versions.get('openrain', '?')} (git {rev}{', uncommitted changes' if dirty else ''})"
    if litellm_bin:
        lp = os.path.join(os.path.dirname(litellm_bin), "python")
        lcode = ("import importlib.metadata as m\n"
                 "def v(n):\n"
                 "    try: return m.version(n)\n"
                 "    except Exception: return 'not installed'\n"
                 "print(' '.join(v(n) for n in ['litellm','uvicorn','uvloop','httptools']))")
        lv = (_out([lp, "-c", lcode]).split() + ["?"] * 4)[:4]
        versions["litellm"] = (f"{lv[0]} (uvicorn {lv[1]}, uvloop {lv[2]}, httptools {lv[3]})"
                               if lv[0] != "?" else "?")
    else:
        versions["litellm"] = "not run"
    versions["wrk"] = _out(["dpkg-query", "-W", "-f=${Version}", "wrk"]) or _out(["wrk", "-v"]).split("\n")[0]
    versions["g++"] = _out(["g++", "-dumpfullversion"])
    versions["google-benchmark"] = _out(["dpkg-query", "-W", "-f=${Version}", "libbenchmark-dev"])
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kib / 1048576, 1),
            "kernel": platform.release(), "os": _out(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"]),
            "loadavg_start": os.getloadavg(), "versions": versions}


# --- lookups ----------------------------------------------------------------------------------

def _runs(R: Dict, **kw: object) -> List[Dict]:
    return [r for r in R["runs"] if all(r.get(k) == v for k, v in kw.items())]


def _run(R: Dict, case: str, who: str, metric: str, param: float) -> Optional[Dict]:
    rs = [r for r in _runs(R, case=case, contender=who, metric=metric) if float(r["param"]) == float(param)]
    return rs[0] if rs else None


def _ceiling(R: Dict, case: str, who: str) -> Optional[float]:
    rs = [float(r.get("rps", 0)) for r in _runs(R, case=case, contender=who, metric="closed")]
    return max(rs) if rs else None


def _pct(r: Optional[Dict], key: str, p: str) -> Optional[float]:
    if not r or r.get("skipped") or r.get("failed"):
        return None
    d = r.get(key)
    return float(d[p]) if isinstance(d, dict) and d.get(p) is not None else None


def _direct_case(case: str) -> str:
    """The direct run that is the baseline of `case` (same upstream format, same streaming)."""
    c = CASE_BY_KEY[case]
    for o in CASES:
        if o.upstream == c.upstream and o.stream == c.stream and o.surface == o.upstream:
            return o.key
    return case


def _baseline(R: Dict, case: str, metric: str, param: float) -> Optional[Dict]:
    return _run(R, case, "direct", metric, param) or _run(R, _direct_case(case), "direct", metric, param)


def _f(v: Optional[float], nd: int = 0, unit: str = "") -> str:
    if v is None:
        return "–"
    return f"{v:,.{nd}f}{unit}"


def _added(v: Optional[float], base: Optional[float]) -> str:
    if v is None or base is None:
        return "–"
    return f"{v - base:+,.0f}"


def _label(R: Dict, who: str) -> str:
    for c in R["contenders"]:
        if c["name"] == who:
            return c["label"]
    return who


def _present(R: Dict) -> List[str]:
    names = {r["contender"] for r in R["runs"]}
    return [n for n in ORDER if n in names]


def _cpu_run(R: Dict, case: str, who: str) -> Optional[Dict]:
    """The closed-loop run used for CPU per request: c32 if present, else the most connections."""
    rs = _runs(R, case=case, contender=who, metric="closed")
    if not rs:
        rs = _runs(R, case=case, contender=who, metric="stream_tput")
    if not rs:
        return None
    by = {float(r["param"]): r for r in rs}
    return by.get(32.0) or by[max(by)]


def _cpu(r: Optional[Dict], who: str) -> Optional[float]:
    if not r:
        return None
    v = (r.get("cpu_us_per_req") or {}).get(who)
    return float(v) if v is not None else None


# --- targets ----------------------------------------------------------------------------------

def evaluate_targets(R: Dict) -> List[Tuple[str, str, Optional[bool]]]:
    T: List[Tuple[str, str, Optional[bool]]] = []
    d, n = _ceiling(R, "oai>oai", "direct"), _ceiling(R, "oai>oai", "native")
    T.append(("Native, same format, non-streaming throughput ≥ 0.75 × direct",
              f"{n / d:.2f} × ({_f(n)} vs {_f(d)} req/s)" if n and d else "–",
              (n / d >= 0.75) if n and d else None))
    g, b = _run(R, "oai>oai", "native", "closed", 1), _baseline(R, "oai>oai", "closed", 1)
    for p, lim in (("p50", 25), ("p99", 150)):
        gv, bv = _pct(g, "latency_us", p), _pct(b, "latency_us", p)
        T.append((f"Added latency at one request in flight ≤ {lim} µs {p}",
                  f"{gv - bv:+.0f} µs ({gv:.0f} vs {bv:.0f})" if gv is not None and bv is not None else "–",
                  (gv - bv <= lim) if gv is not None and bv is not None else None))
    g, b = _run(R, "oai>oai", "native", "open", 5000), _baseline(R, "oai>oai", "open", 5000)
    gv, bv = _pct(g, "latency_us", "p99"), _pct(b, "latency_us", "p99")
    T.append(("Added p99 at ~5k req/s (open loop) ≤ 600 µs",
              f"{gv - bv:+.0f} µs ({gv:.0f} vs {bv:.0f})" if gv is not None and bv is not None else "–",
              (gv - bv <= 600) if gv is not None and bv is not None else None))
    same = _cpu(_cpu_run(R, "oai>oai", "native"), "gateway")
    T.append(("Native CPU per request (same format, closed loop c32) ≤ 15 µs", _f(same, 1, " µs"),
              (same <= 15) if same is not None else None))
    for ck in ("oai>anth", "anth>oai"):
        cx = _cpu(_cpu_run(R, ck, "native"), "gateway")
        T.append((f"Cross-format CPU ({ck}) ≤ 1.5 × same-format",
                  f"{cx / same:.2f} × ({cx:.1f} vs {same:.1f} µs)" if cx and same else "–",
                  (cx / same <= 1.5) if cx and same else None))
    for ck in ("oai>oai~", "oai>anth~", "anth>oai~"):
        g, b = _run(R, ck, "native", "paced", _stream_rate(R)), _baseline(R, ck, "paced", _stream_rate(R))
        gv, bv = _pct(g, "ttft_us", "p99"), _pct(b, "ttft_us", "p99")
        span_g, span_b = _pct(g, "span_us", "p50"), _pct(b, "span_us", "p50")
        unbuf = (span_g is not None and span_b is not None and span_g >= 0.5 * span_b)
        ok = None if gv is None or bv is None else (unbuf and gv - bv <= 1000)
        T.append((f"Streaming {ck.rstrip('~')} unbuffered and ≤ 1 ms p99 added TTFT",
                  (f"{'unbuffered' if unbuf else 'BUFFERED'} (span {span_g / 1000:.1f} vs {span_b / 1000:.1f} ms); "
                   f"TTFT p99 {gv - bv:+.0f} µs") if ok is not None and span_g and span_b else "–", ok))
    nat = next((c for c in R["contenders"] if c["name"] == "native"), None)
    if nat:
        peak = float(nat["extra"].get("peak_rss_mib", 0) or 0) or None
        idle, after = nat.get("idle_rss_mib"), nat.get("after_rss_mib")
        T.append(("Native RSS under load ≤ 48 MiB", _f(peak, 1, " MiB"), (peak <= 48) if peak else None))
        after_s = R["meta"]["settings"].get("after")
        T.append((f"Native RSS back near idle {after_s:g} s after load (≤ 1.5 × idle)",
                  f"{_f(after, 1)} MiB vs idle {_f(idle, 1)} MiB" if after and idle else "–",
                  (after <= 1.5 * idle) if after and idle else None))
    a, lt = _ceiling(R, "oai>oai", "asgi"), _ceiling(R, "oai>oai", "litellm")
    lw = R["meta"]["settings"].get("litellm_workers")
    procs = (f"; ASGI: 1 uvicorn process, LiteLLM: {lw} worker{'s' if lw != 1 else ''}") if lw else ""
    T.append(("ASGI (uvicorn) throughput ≥ 10 × LiteLLM", f"{a / lt:.1f} × ({_f(a)} vs {_f(lt)} req/s{procs})"
              if a and lt else "– (LiteLLM not run)", (a / lt >= 10) if a and lt else None))
    im = R.get("import") or {}
    imp, tot = im.get("import_ms"), im.get("import_total_ms")
    T.append(("`import openrain` < 100 ms", f"{_f(imp, 1, ' ms')} (with `Gateway` and the native module: "
              f"{_f(tot, 1, ' ms')})", (imp < 100) if imp is not None else None))
    return T


def _stream_rate(R: Dict) -> float:
    return float(R["meta"]["settings"]["stream_rate"])


# --- markdown ---------------------------------------------------------------------------------

def render(R: Dict, png: Optional[str], out_path: str) -> str:
    m = R["meta"]
    v = m["versions"]
    s = m["settings"]
    L: List[str] = []
    L += ["# OpenRain benchmarks", "",
          f"Produced by `{m['command']}` on {m['date']} (mode: {m['mode']}, {R['elapsed_s']:.0f} s). "
          "Regenerate with the same command; raw numbers are in the run's `results.json` "
          "(path printed at the end of the run).", ""]
    if m["mode"] == "smoke":
        L += ["> **Smoke run**: tiny durations for CI; the numbers below only show that every "
              "contender works. Do not quote them.", ""]
    la = m["loadavg_start"]
    L += ["## Machine and versions", "",
          f"* **Machine:** {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Linux {m['kernel']} "
          f"({m['os']}); load average at start {la[0]:.2f} / {la[1]:.2f} / {la[2]:.2f}.",
          "* **Placement:** the load generator, every gateway and the simulator share these "
          f"{m['cores']} cores (no pinning). All gateways run for the whole benchmark; only one is "
          "loaded at a time. The \"other CPU\" column shows machine busy time that is not the "
          "measured server, the simulator or the load generator (kernel loopback work and other "
          "tenants of the box).",
          f"* **Versions:** OpenRain {v['openrain']}, Python {v['python']}, uvicorn {v['uvicorn']} "
          f"(uvloop {v['uvloop']}, httptools {v['httptools']}), FastAPI {v['fastapi']} (Starlette "
          f"{v['starlette']}), LiteLLM {v['litellm']}, wrk {v['wrk']}, g++ {v['g++']}, "
          f"Google Benchmark {v['google-benchmark']}.",
          *([f"* **LiteLLM configuration:** {m['litellm_config']}"]
            if m.get("litellm_config") and v.get("litellm") != "not run" else []),
          f"* **Simulator:** OpenRain's provider simulator (`bench/sim_host.py`), {s['sim_threads']} "
          "threads, its own process; reply = 64 words (non-streaming: one JSON body; streaming: 64 "
          "content frames, unpaced for throughput, 1 ms apart for the timing runs).",
          f"* **OpenRain engine threads:** {s['threads'] or 'one per core'}. Each run lasts "
          f"{s['duration']:g} s after a warm-up of every contender and case."
          + (f" The benchmark and every process it started ran at nice {m['nice']} (the box is shared "
             "with other work)." if m.get("nice") else ""), ""]
    for note in R.get("notes") or []:
        L.append(f"* Note: {note}")
    skipped = [c for c in R["contenders"] if not c["available"]]
    for c in skipped:
        L.append(f"* **{c['label']} not run:** {c['note']}")
    if skipped or R.get("notes"):
        L.append("")
    if png:
        L += [f"![OpenRain benchmark summary]({os.path.relpath(png, os.path.dirname(os.path.abspath(out_path)))})", ""]

    L += ["## Targets", "", "| target | measured | status |", "|---|---|---|"]
    for name, meas, ok in evaluate_targets(R):
        L.append(f"| {name} | {meas} | {'met' if ok else 'not measured' if ok is None else '**missed**'} |")
    L.append("")

    _throughput(R, L)
    _latency_c1(R, L)
    _open_loop(R, L)
    _streaming(R, L)
    _cpu_table(R, L)
    _memory(R, L)
    _errors(R, L)
    _micro(R, L)
    _imports(R, L)
    _server_timing(R, L)
    _profile(R, L)
    _analysis(L)
    _method(R, L)
    return "\n".join(L) + "\n"


def _throughput(R: Dict, L: List[str]) -> None:
    conns = sorted({float(r["param"]) for r in R["runs"] if r["metric"] == "closed"})
    if not conns:
        return
    L += ["## Throughput ceiling (closed loop)", "",
          "Requests per second with N connections each sending back to back (wrk, 1 thread; "
          "orload in --smoke). Ratio = best of the row ÷ best direct for the same upstream format.", ""]
    for case in [c for c in CASES if not c.stream]:
        L += [f"**{case.title}**", "",
              "| contender | " + " | ".join(f"c{int(n)}" for n in conns) + " | best | ratio to direct | errors |",
              "|---|" + "---:|" * (len(conns) + 3)]
        dbest = _ceiling(R, _direct_case(case.key), "direct") or _ceiling(R, case.key, "direct")
        for who in _present(R):
            row = [_run(R, case.key, who, "closed", n) for n in conns]
            if not any(row):
                continue
            best = _ceiling(R, case.key, who)
            errs = sum(int(r.get("errors", 0)) for r in row if r)
            ratio = f"{best / dbest:.2f}" if best and dbest else "–"
            cells = " | ".join(_f(r.get("rps") if r else None) for r in row)
            L.append(f"| {_label(R, who)} | {cells} | {_f(best)} | {ratio} | {errs} |")
        L.append("")


def _latency_c1(R: Dict, L: List[str]) -> None:
    if not _runs(R, metric="closed", param=1.0) and not _runs(R, metric="closed", param=1):
        return
    L += ["## Latency with one request in flight (c1)", "",
          "Closed loop, one connection (wrk). Added = contender − direct at the same percentile (µs).", "",
          "| case | contender | p50 | p90 | p99 | p99.9 | added p50 | added p90 | added p99 |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for case in [c for c in CASES if not c.stream]:
        base = _baseline(R, case.key, "closed", 1)
        for who in _present(R):
            r = _run(R, case.key, who, "closed", 1)
            if not r:
                continue
            g = lambda p, rr=r: _pct(rr, "latency_us", p)  # noqa: E731
            bb = lambda p: _pct(base, "latency_us", p)  # noqa: E731
            add = who != "direct"
            L.append(f"| {case.key} | {_label(R, who)} | {_f(g('p50'))} | {_f(g('p90'))} | {_f(g('p99'))} | "
                     f"{_f(g('p999'))} | {_added(g('p50'), bb('p50')) if add else ''} | "
                     f"{_added(g('p90'), bb('p90')) if add else ''} | {_added(g('p99'), bb('p99')) if add else ''} |")
    L.append("")


def _open_loop(R: Dict, L: List[str]) -> None:
    runs = _runs(R, metric="open")
    if not runs:
        return
    L += ["## Latency at fixed offered rates (open loop)", "",
          "bench/loadgen.cpp sends request i at t0 + i/rate whatever happened before, on a pool of "
          "keep-alive connections that grows when all are busy; latency counts from the scheduled "
          "send (no coordinated omission). Rows whose closed-loop ceiling is below 1.15 × the rate "
          "are skipped (they would only measure an ever-growing queue).", "",
          "| case | contender | offered | achieved | p50 | p90 | p99 | p99.9 | added p50 | added p99 | conns | errors |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    rates = sorted({float(r["param"]) for r in runs})
    for case in [c for c in CASES if not c.stream]:
        for rate in rates:
            base = _baseline(R, case.key, "open", rate)
            for who in _present(R):
                r = _run(R, case.key, who, "open", rate)
                if not r:
                    continue
                if r.get("skipped"):
                    L.append(f"| {case.key} | {_label(R, who)} | {rate:,.0f} | skipped: {r['skipped']} |"
                             " | | | | | | | |")
                    continue
                g = lambda p, rr=r: _pct(rr, "latency_us", p)  # noqa: E731
                bb = lambda p: _pct(base, "latency_us", p)  # noqa: E731
                add = who != "direct"
                L.append(f"| {case.key} | {_label(R, who)} | {rate:,.0f} | {_f(r.get('rps'))} | {_f(g('p50'))} | "
                         f"{_f(g('p90'))} | {_f(g('p99'))} | {_f(g('p999'))} | "
                         f"{_added(g('p50'), bb('p50')) if add else ''} | {_added(g('p99'), bb('p99')) if add else ''} | "
                         f"{r.get('conns_max', '–')} | {r.get('errors', 0)} |")
    L.append("")


def _streaming(R: Dict, L: List[str]) -> None:
    if not _runs(R, metric="paced") and not _runs(R, metric="stream_tput"):
        return
    rate = _stream_rate(R)
    L += ["## Streaming", "",
          "Throughput: closed loop on unpaced 64-frame streams (whole stream per request). Timing: "
          f"open loop at {rate:g} streams/s against the paced simulator (64 content frames 1 ms apart); "
          "TTFT = scheduled send → first SSE frame; gap = time between consecutive frames; span = "
          "first → last frame. A stream counts as buffered when its median span is under half the "
          "direct one. Added values are µs versus direct.", "",
          "| case | contender | stream req/s | ratio | timing rate | TTFT p50 | TTFT p99 | added TTFT p50 | added TTFT p99 | "
          "gap p50 | gap p99 | added gap p50 | added gap p99 | span p50 (ms) | frames | buffered? | errors |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for case in [c for c in CASES if c.stream]:
        base = _baseline(R, case.key, "paced", rate)
        tb = [r for r in _runs(R, case=_direct_case(case.key), contender="direct", metric="stream_tput")]
        tbase = float(tb[0]["rps"]) if tb else None
        for who in _present(R):
            p = _run(R, case.key, who, "paced", rate)
            t = next(iter(_runs(R, case=case.key, contender=who, metric="stream_tput")), None)
            if not p and not t:
                continue
            g = lambda k, q, rr=p: _pct(rr, k, q)  # noqa: E731
            bb = lambda k, q: _pct(base, k, q)  # noqa: E731
            add = who != "direct"
            span, bspan = g("span_us", "p50"), bb("span_us", "p50")
            buf = "" if not add or span is None or bspan is None else ("**yes**" if span < 0.5 * bspan else "no")
            errs = (int(p.get("errors", 0)) if p else 0) + (int(t.get("errors", 0)) if t else 0)
            trps = float(t["rps"]) if t else None
            ratio = f"{trps / tbase:.2f}" if trps and tbase else "–"
            L.append(f"| {case.key.rstrip('~')} | {_label(R, who)} | {_f(trps)} | {ratio} | "
                     f"{_f(p.get('offered_rps') if p else None, 0)}/s |")
            L[-1] += (f" {_f(g('ttft_us', 'p50'))} | {_f(g('ttft_us', 'p99'))} | "
                      f"{_added(g('ttft_us', 'p50'), bb('ttft_us', 'p50')) if add else ''} | "
                      f"{_added(g('ttft_us', 'p99'), bb('ttft_us', 'p99')) if add else ''} | "
                      f"{_f(g('gap_us', 'p50'))} | {_f(g('gap_us', 'p99'))} | "
                      f"{_added(g('gap_us', 'p50'), bb('gap_us', 'p50')) if add else ''} | "
                      f"{_added(g('gap_us', 'p99'), bb('gap_us', 'p99')) if add else ''} | "
                      f"{_f(span / 1000 if span is not None else None, 1)} | {_f(g('frames', 'p50'))} | {buf} | {errs} |")
    L.append("")


def _cpu_table(R: Dict, L: List[str]) -> None:
    L += ["## CPU per request", "",
          "CPU time (user + system, from /proc/<pid>/stat) of each process tree during the closed-loop "
          "run with 32 connections (or the most connections run), divided by the requests completed. "
          "Cross-format ratio = this case ÷ the same contender's OpenAI → OpenAI non-streaming value.", "",
          "| case | contender | req/s | gateway µs/req | × same-format | simulator µs/req | load generator µs/req | other CPU % |",
          "|---|---|---:|---:|---:|---:|---:|---:|"]
    for case in CASES:
        for who in _present(R):
            r = _cpu_run(R, case.key, who)
            if not r:
                continue
            gw, sim = _cpu(r, "gateway"), _cpu(r, "sim")
            same = _cpu(_cpu_run(R, "oai>oai", who), "gateway")
            reqs = r.get("requests") or r.get("ok") or 0
            lg = (float(r.get("loadgen_cpu_s", 0)) * 1e6 / reqs) if reqs else None
            ratio = f"{gw / same:.2f}" if gw and same and case.key != "oai>oai" and not case.stream else ""
            L.append(f"| {case.key} | {_label(R, who)} | {_f(r.get('rps'))} | {_f(gw, 1) if who != 'direct' else ''} | "
                     f"{ratio} | {_f(sim, 1)} | {_f(lg, 1)} | {_f(r.get('other_cpu_pct'), 0)} |")
    L.append("")


def _memory(R: Dict, L: List[str]) -> None:
    after = R["meta"]["settings"].get("after")
    L += ["## Memory (RSS)", "",
          f"Idle = after start, before the first request; peak = highest 0.2 s sample during the load "
          f"runs; after = {after:g} s after the last load run. Process trees, MiB.", "",
          "| process | idle | peak under load | after |", "|---|---:|---:|---:|"]
    for c in R["contenders"]:
        if c["kind"] != "gateway" or not c["available"]:
            continue
        L.append(f"| {c['label']} | {_f(c.get('idle_rss_mib'), 1)} | {_f(float(c['extra'].get('peak_rss_mib') or 0), 1)} | "
                 f"{_f(c.get('after_rss_mib'), 1)} |")
    sim = R.get("sim") or {}
    L.append(f"| simulator (both instances) | {_f(sim.get('idle_rss_mib'), 1)} | {_f(sim.get('peak_rss_mib'), 1)} | |")
    L.append("")


def _errors(R: Dict, L: List[str]) -> None:
    L += ["## Errors", "",
          "Non-2xx answers, socket errors, timeouts and (orload runs) bodies missing the expected text "
          "(the reply's last word, or the stream terminator). Must be 0.", "",
          "| contender | runs | errors |", "|---|---:|---:|"]
    for who in _present(R):
        rs = [r for r in R["runs"] if r["contender"] == who and not r.get("skipped")]
        L.append(f"| {_label(R, who)} | {len(rs)} | {sum(int(r.get('errors', 0) or 0) for r in rs)} |")
    L.append("")


def _micro(R: Dict, L: List[str]) -> None:
    mi = R.get("micro")
    if not mi:
        return
    L += ["## Micro-benchmarks (C++, Google Benchmark)", ""]
    if mi.get("error"):
        L += [f"Not available: {mi['error'][:600]}", ""]
        return
    L += ["`openrain_bench` built from cpp/bench/*.cpp (Release). Per-event and per-request numbers "
          "are CPU time on one core.", "",
          "| benchmark | CPU time | throughput | per event |", "|---|---:|---:|---:|"]
    for b in mi["benchmarks"]:
        if b.get("crashed") or b.get("skipped") is not None:
            what = f"**CRASHED ({b['crashed']})**" if b.get("crashed") else f"skipped: {b['skipped']}"
            L.append(f"| {b['name']} | {what} | | |")
            continue
        tp = ""
        if b.get("bytes_per_second"):
            tp = f"{b['bytes_per_second'] / 1e6:,.0f} MB/s"
        elif b.get("items_per_second"):
            tp = f"{b['items_per_second'] / 1e6:,.2f} M items/s"
        per = f"{b['sec_per_event'] * 1e9:,.0f} ns" if b.get("sec_per_event") else ""
        L.append(f"| {b['name']} | {b['cpu_time']:,.0f} {b['time_unit']} | {tp} | {per} |")
    L.append("")


def _imports(R: Dict, L: List[str]) -> None:
    im = R.get("import") or {}
    if not im or im.get("error"):
        return
    L += ["## Import time", "",
          f"Fresh interpreter, median of {im['runs']}: `import openrain` {im['import_ms']} ms (min "
          f"{im['import_ms_min']}, max {im['import_ms_max']}; the package is lazy); then touching "
          f"`openrain.Gateway` (imports gateway, config, errors, testing) {im['gateway_api_ms']} ms; then "
          f"loading the native module `openrain._engine` {im['engine_module_ms']} ms — "
          f"**{im['import_total_ms']} ms in all**. A whole `python -c` process doing this takes "
          f"{im['process_ms']} ms vs {im['bare_interpreter_ms']} ms for `python -c pass`.", ""]


def _server_timing(R: Dict, L: List[str]) -> None:
    st = R.get("server_timing")
    L += ["## Per-stage timing (Server-Timing)", ""]
    if not st:
        L += ["The engine did not emit a `Server-Timing` header (requested with `x-openrain-timing: 1`).", ""]
        return
    n = 5 if R["meta"]["mode"] == "smoke" else 200
    L += [f"The engine's own stage clock (opt-in `x-openrain-timing: 1` → `Server-Timing`), median of {n} "
          "sequential requests per row, µs. parse = decode the caller body; route = alias lookup + "
          "upstream request encoding; upstream = request handed to the client → upstream response head "
          "(includes the simulator); translate = decode upstream bytes + render caller bytes; write = "
          "hand bytes to the caller's sink. Streams: the header leaves with the response head, so it "
          "only covers the work before the first byte.", "",
          "| contender | case | parse | route | upstream | translate | write | total | total − upstream |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for who in ORDER:
        for case in [c.key for c in CASES]:
            d = (st.get(who) or {}).get(case)
            if not d:
                continue
            g = lambda k: d.get(k)  # noqa: E731
            own = (g("total") - g("upstream")) if g("total") is not None and g("upstream") is not None else None
            L.append(f"| {_label(R, who)} | {case} | {_f(g('parse'), 1)} | {_f(g('route'), 1)} | "
                     f"{_f(g('upstream'), 1)} | {_f(g('translate'), 1)} | {_f(g('write'), 1)} | "
                     f"{_f(g('total'), 1)} | {_f(own, 1)} |")
    L.append("")


def _profile(R: Dict, L: List[str]) -> None:
    pr = R.get("profile")
    if not pr:
        return
    L += ["## Where the native server spends its CPU (perf)", "",
          "`perf record -F 999 -p <openrain serve>` during a separate closed-loop c32 run; self time "
          "by kind of code, then the hottest symbols.", ""]
    for case, d in pr.items():
        groups = d.get("groups") or {}
        L += [f"**{case}** ({_f(d.get('rps'))} req/s while profiled): "
              + "; ".join(f"{k} {v:.0f} %" for k, v in groups.items()), "",
              "| self % | object | symbol |", "|---:|---|---|"]
        for row in d["top"][:18]:
            sym = row["symbol"].replace("|", "\\|")
            L.append(f"| {row['pct']:.1f} | {row['dso']} | `{sym}` |")
        L.append("")


ANALYSIS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "analysis.md")


def _analysis(L: List[str]) -> None:
    """What was profiled and fixed, and what limits the missed targets: kept by hand in
    bench/analysis.md (it explains the measurements; it never states them)."""
    if not os.path.exists(ANALYSIS):
        return
    with open(ANALYSIS, encoding="utf-8") as f:
        text = f.read().strip()
    L += [text, ""]


def _method(R: Dict, L: List[str]) -> None:
    L += ["## Method", "",
          "* Same request bodies for every contender of a case (only the FastAPI mount adds `/llm` to the "
          "path); \"direct\" sends the same request in the upstream's own format to the simulator.",
          "* Closed loop: `wrk -t1 -cN -d<duration>s --timeout 10s -s bench/wrk_post.lua`. Open loop and "
          "streaming timing: `bench/loadgen.cpp` (built to build/bench/orload), which also checks every "
          "body. Added latency = contender percentile − direct percentile for the same case and load.",
          "* CPU per request from /proc/<pid>/stat (utime + stime, clock ticks) deltas around each run; "
          "RSS from /proc/<pid>/status sampled every 0.2 s.",
          "* The box is shared: the load generator, the simulator and the gateway compete for the same "
          "cores, so a gateway that uses less CPU leaves more for the simulator and the generator. "
          "Compare runs of one report; between reports compare ratios and CPU per request.", ""]


# --- plot -------------------------------------------------------------------------------------

def plot(R: Dict, png: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    who = _present(R)
    colors = {"direct": "#555555", "native": "#1f77b4", "asgi": "#2ca02c", "fastapi": "#98df8a",
              "litellm": "#d62728"}
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    ax = axes[0][0]
    for w in who:
        rs = sorted(_runs(R, case="oai>oai", contender=w, metric="closed"), key=lambda r: float(r["param"]))
        if rs:
            ax.plot([float(r["param"]) for r in rs], [float(r["rps"]) for r in rs], marker="o",
                    label=_label(R, w), color=colors.get(w))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("connections (closed loop)")
    ax.set_ylabel("req/s")
    ax.set_title("Throughput, OpenAI → OpenAI, non-streaming")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)

    def bars(ax, cases, value, title, ylabel, skip_direct=False) -> None:
        ws = [w for w in who if not (skip_direct and w == "direct")]
        width = 0.8 / max(1, len(ws))
        for i, w in enumerate(ws):
            vals = [value(c, w) or 0 for c in cases]
            ax.bar([x + i * width for x in range(len(cases))], vals, width, label=_label(R, w), color=colors.get(w))
        ax.set_xticks([x + width * (len(ws) - 1) / 2 for x in range(len(cases))])
        ax.set_xticklabels([c.replace("~", "\nstream") for c in cases], fontsize=8)
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(True, axis="y", which="both", alpha=0.3)

    allc = [c.key for c in CASES]

    def ceiling(c: str, w: str) -> Optional[float]:
        if CASE_BY_KEY[c].stream:
            rs = _runs(R, case=c, contender=w, metric="stream_tput") or (
                _runs(R, case=_direct_case(c), contender=w, metric="stream_tput") if w == "direct" else [])
            return float(rs[0]["rps"]) if rs else None
        return _ceiling(R, c, w) or (_ceiling(R, _direct_case(c), w) if w == "direct" else None)

    bars(axes[0][1], allc, ceiling, "Best closed-loop throughput per case", "req/s")
    axes[0][1].legend(fontsize=8)

    def added_p99(c: str, w: str) -> Optional[float]:
        g, b = _run(R, c, w, "closed", 1), _baseline(R, c, "closed", 1)
        gv, bv = _pct(g, "latency_us", "p50"), _pct(b, "latency_us", "p50")
        return max(1.0, gv - bv) if gv is not None and bv is not None else None

    nonstream = [c.key for c in CASES if not c.stream]
    bars(axes[1][0], nonstream, added_p99, "Added latency p50 at one request in flight", "µs", skip_direct=True)
    axes[1][0].legend(fontsize=8)
    bars(axes[1][1], allc, lambda c, w: _cpu(_cpu_run(R, c, w), "gateway"),
         "Gateway CPU per request (closed loop, c32)", "µs", skip_direct=True)
    axes[1][1].legend(fontsize=8)
    m = R["meta"]
    fig.suptitle(f"OpenRain benchmark — {m['cpu']}, {m['cores']} cores shared by load, gateway and simulator "
                 f"({m['date'][:10]})", fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return True
