"""Host OpenRain's provider simulator for the benchmark, in its own process.

Starts two simulators in this process (so their CPU can be read from /proc/<pid>/stat apart from
the gateways and the load generator):

* ``fast``  — every request gets the same unpaced reply (BENCH_TEXT in 64 chunks), written at once;
* ``paced`` — the same reply streamed as 64 content frames ``1000 / tokens_per_s`` ms apart.

Prints one JSON line ``{"fast": PORT, "paced": PORT, "pid": PID}`` on stdout once both listen,
then serves until stdin closes, SIGTERM or SIGINT.

Usage: python bench/sim_host.py [--threads N] [--tokens-per-s R]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

#: 64 words; the last one ("zebra") is what the load generator checks each body for.
BENCH_WORDS = ("The sea at dawn is calm and grey while gulls drift over the harbour wall and "
               "fishing boats return with their nets full of silver light that flickers on the "
               "water as the town wakes up slowly under a pale sky full of clouds moving east "
               "toward the hills where old stone houses stand quiet in the morning mist and one "
               "small striped zebra").split()
assert len(BENCH_WORDS) == 64, len(BENCH_WORDS)
BENCH_TEXT = " ".join(BENCH_WORDS)
MARKER = BENCH_WORDS[-1]


def scripts(tokens_per_s: float) -> dict:
    usage = {"input": 40, "output": 64}
    fast = {"text": BENCH_TEXT, "chunks": 64, "usage": usage, "created": 1700000000}
    paced = dict(fast, tokens_per_s=tokens_per_s)
    return {"fast": fast, "paced": paced}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tokens-per-s", type=float, default=1000.0)
    args = ap.parse_args()

    from openrain.testing import MockProvider

    sc = scripts(args.tokens_per_s)
    fast = MockProvider(threads=args.threads)
    paced = MockProvider(threads=args.threads)
    try:
        fast.set_default(sc["fast"])
        paced.set_default(sc["paced"])
        print(json.dumps({"fast": fast.port, "paced": paced.port, "pid": os.getpid()}), flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

        def watch_stdin() -> None:
            try:
                sys.stdin.read()
            except Exception:
                pass
            stop.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
        try:
            while not stop.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        fast.close()
        paced.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
