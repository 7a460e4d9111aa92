"""Helpers of bench/run.py: processes and /proc (procs), contenders and cases (contenders), load
runs (load), environment setup (setup_env), micro-benchmarks and import time (micro), and the
report and plot (report)."""
