"""Processes the benchmark starts, and what /proc says about them.

Owns: :class:`ProcessSet` (every child the benchmark starts, each in its own session so it can be
stopped with its children by process-group id; stopped in reverse order on exit, on Ctrl-C, on
SIGTERM and on any failure), CPU-time and RSS readers over a process tree (``/proc/<pid>/stat``
utime+stime, ``/proc/<pid>/status`` VmRSS), machine-wide busy time (``/proc/stat``), and
:class:`RssSampler` (a background thread that records the peak RSS of each watched tree).

Thread-safety: ProcessSet is used from the main thread only; RssSampler's peaks are read under its
lock.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

CLK_TCK = os.sysconf("SC_CLK_TCK")


class ProcessSet:
    """Children started by the benchmark; ``stop_all()`` ends them (idempotent)."""

    def __init__(self) -> None:
        self.procs: List[Tuple[str, subprocess.Popen]] = []
        self._stopped = False

    def start(self, name: str, argv: Sequence[str], *, env: Optional[Dict[str, str]] = None,
              cwd: Optional[str] = None, stdin: Optional[int] = subprocess.DEVNULL,
              stdout: Optional[int] = None, log: Optional[str] = None) -> subprocess.Popen:
        out = stdout
        fh = None
        if out is None and log is not None:
            fh = open(log, "wb")
            out = fh
        p = subprocess.Popen(list(argv), env=env, cwd=cwd, stdin=stdin, stdout=out,
                             stderr=fh if fh is not None else subprocess.STDOUT if out is not None else None,
                             start_new_session=True)
        if fh is not None:
            fh.close()
        self.procs.append((name, p))
        return p

    def stop(self, p: subprocess.Popen, timeout: float = 5.0) -> None:
        if p.poll() is not None:
            return
        try:
            os.killpg(p.pid, signal.SIGTERM)  # the child's own group (start_new_session)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(5)

    def stop_all(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for _, p in reversed(self.procs):
            try:
                self.stop(p)
            except Exception:  # keep stopping the others
                pass


def install_signal_handlers() -> None:
    """Turn SIGTERM / SIGHUP into KeyboardInterrupt so ``finally`` blocks stop the children."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float, proc: Optional[subprocess.Popen] = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


# --- /proc readers ---------------------------------------------------------------------------

def _children(pid: int) -> List[int]:
    out: List[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out


def tree(pid: int) -> List[int]:
    """``pid`` and all its descendants that are alive now."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo.extend(_children(p))
    return seen


def cpu_ticks(pids: Iterable[int]) -> int:
    """utime + stime (clock ticks) summed over ``pids`` (each includes all its threads)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
        except (OSError, IndexError, ValueError):
            pass
    return total


def tree_cpu_seconds(pid: int) -> float:
    return cpu_ticks(tree(pid)) / CLK_TCK


def rss_kib(pids: Iterable[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            pass
    return total


def tree_rss_mib(pid: int) -> float:
    return rss_kib(tree(pid)) / 1024.0


def machine_busy_seconds() -> Tuple[float, float]:
    """(busy, total) CPU seconds over all cores since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    vals = [int(x) for x in parts[:8]]
    idle = vals[3] + vals[4]  # idle + iowait
    total = sum(vals)
    return (total - idle) / CLK_TCK, total / CLK_TCK


class RssSampler:
    """Samples the RSS of named process trees every ``interval`` s and keeps each one's peak."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self._watch: Dict[str, int] = {}
        self._peak: Dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def watch(self, name: str, pid: int) -> None:
        with self._lock:
            self._watch[name] = pid

    def reset_peaks(self) -> None:
        with self._lock:
            self._peak.clear()

    def peaks(self) -> Dict[str, float]:
        with self._lock:
            return dict(self._peak)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                items = list(self._watch.items())
            for name, pid in items:
                v = tree_rss_mib(pid)
                with self._lock:
                    if v > self._peak.get(name, 0.0):
                        self._peak[name] = v
