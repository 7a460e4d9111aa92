"""What is benchmarked: the cases (surface → upstream, streaming or not), the request each case
sends, and the contenders (direct to the simulator, OpenRain native / ASGI / FastAPI, LiteLLM)
with their configs and launch commands.

Every contender gets byte-identical request bodies for a case (only the URL path prefix differs
for the FastAPI mount). "Direct" sends the same logical request in the upstream's own format
straight to the simulator, so it is the physical limit of that case.

Model aliases (same names in the OpenRain and LiteLLM configs):
  bench-oai / bench-anth             → the unpaced simulator, OpenAI / Anthropic wire format
  bench-oai-paced / bench-anth-paced → the paced simulator (streams: 64 frames, 1 ms apart)
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

SYSTEM = "You are a helpful assistant."
USER = "Write a short poem about the sea at dawn, please."
MAX_TOKENS = 64
#: The caller key every contender gets (LiteLLM's master key; OpenRain ignores caller keys).
BENCH_KEY = "sk-bench-7f3c9a1e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a"

UPSTREAM_MODEL = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-5"}
ALIAS = {"openai": "bench-oai", "anthropic": "bench-anth"}


@dataclass(frozen=True)
class Case:
    key: str          # e.g. "oai>anth"
    title: str
    surface: str      # "openai" | "anthropic" (caller-facing format)
    upstream: str     # "openai" | "anthropic"
    stream: bool

    @property
    def same_format(self) -> bool:
        return self.surface == self.upstream

    @property
    def direct_key(self) -> Tuple[str, bool]:
        return (self.upstream, self.stream)


CASES: List[Case] = [
    Case("oai>oai", "OpenAI Chat → OpenAI upstream (same format)", "openai", "openai", False),
    Case("oai>anth", "OpenAI Chat → Anthropic upstream (cross-format)", "openai", "anthropic", False),
    Case("anth>oai", "Anthropic Messages → OpenAI upstream (cross-format)", "anthropic", "openai", False),
    Case("oai>oai~", "OpenAI Chat → OpenAI upstream, streaming", "openai", "openai", True),
    Case("oai>anth~", "OpenAI Chat → Anthropic upstream, streaming", "openai", "anthropic", True),
    Case("anth>oai~", "Anthropic Messages → OpenAI upstream, streaming", "anthropic", "openai", True),
]


def surface_path(surface: str) -> str:
    return "/v1/chat/completions" if surface == "openai" else "/v1/messages"


def surface_headers(surface: str) -> List[str]:
    if surface == "openai":
        return [f"Authorization: Bearer {BENCH_KEY}"]
    return [f"x-api-key: {BENCH_KEY}", "anthropic-version: 2023-06-01"]


def request_body(surface: str, model: str, stream: bool) -> bytes:
    if surface == "openai":
        body: Dict[str, object] = {"model": model, "messages": [
            {"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}],
            "max_tokens": MAX_TOKENS}
    else:
        body = {"model": model, "system": SYSTEM, "max_tokens": MAX_TOKENS,
                "messages": [{"role": "user", "content": USER}]}
    if stream:
        body["stream"] = True
    return json.dumps(body, separators=(",", ":")).encode()


def expectations(surface: str, stream: bool) -> List[str]:
    """Substrings every successful body must contain (checked by orload)."""
    if not stream:
        return ["zebra"]  # the last word of the simulator's reply (bench/sim_host.py)
    return ["[DONE]"] if surface == "openai" else ["message_stop"]


@dataclass
class Target:
    """One request shape aimed at one server."""

    port: int
    path: str
    headers: List[str]
    body: bytes
    expect: List[str]
    stream: bool


@dataclass
class Contender:
    name: str
    label: str
    kind: str                       # "direct" | "gateway"
    prefix: str = ""                # URL path prefix (FastAPI mount)
    port: int = 0
    pid: int = 0                    # process whose tree is measured (0 for direct)
    available: bool = True
    note: str = ""
    idle_rss_mib: Optional[float] = None
    after_rss_mib: Optional[float] = None
    version: str = ""
    extra: Dict[str, str] = field(default_factory=dict)

    def target(self, case: Case, sim_ports: Dict[str, int], paced: bool = False) -> Target:
        if self.kind == "direct":
            port = sim_ports["paced" if paced else "fast"]
            model = UPSTREAM_MODEL[case.upstream]
            return Target(port, surface_path(case.upstream), surface_headers(case.upstream),
                          request_body(case.upstream, model, case.stream),
                          expectations(case.upstream, case.stream), case.stream)
        alias = ALIAS[case.upstream] + ("-paced" if paced else "")
        return Target(self.port, self.prefix + surface_path(case.surface), surface_headers(case.surface),
                      request_body(case.surface, alias, case.stream),
                      expectations(case.surface, case.stream), case.stream)


# --- configs ---------------------------------------------------------------------------------

def openrain_yaml(sim_ports: Dict[str, int], port: int, threads: int) -> str:
    lines = ["# written by bench/run.py", "providers:"]
    for sim in ("fast", "paced"):
        for kind in ("openai", "anthropic"):
            lines.append(f"  - {{name: sim-{sim}-{kind}, kind: {kind}, "
                         f"base_url: 'http://127.0.0.1:{sim_ports[sim]}', api_key: sim-key}}")
    lines.append("model_list:")
    for sim in ("fast", "paced"):
        for kind in ("openai", "anthropic"):
            alias = ALIAS[kind] + ("-paced" if sim == "paced" else "")
            lines.append(f"  - {{model_name: {alias}, litellm_params: "
                         f"{{model: sim-{sim}-{kind}/{UPSTREAM_MODEL[kind]}}}}}")
    lines.append(f"server: {{host: 127.0.0.1, port: {port}, threads: {threads}}}")
    return "\n".join(lines) + "\n"


def litellm_yaml(sim_ports: Dict[str, int]) -> str:
    """LiteLLM's proxy config: the model list plus the settings LiteLLM's production checklist
    recommends that do something in this setup (bench/README.md, "LiteLLM configuration", says
    why each one is there and which checklist items do not apply)."""
    lines = ["# written by bench/run.py", "model_list:"]
    for sim in ("fast", "paced"):
        port = sim_ports[sim]
        sfx = "-paced" if sim == "paced" else ""
        lines += [f"  - model_name: bench-oai{sfx}",
                  f"    litellm_params: {{model: openai/{UPSTREAM_MODEL['openai']}, "
                  f"api_base: 'http://127.0.0.1:{port}/v1', api_key: sim-key}}",
                  f"  - model_name: bench-anth{sfx}",
                  f"    litellm_params: {{model: anthropic/{UPSTREAM_MODEL['anthropic']}, "
                  f"api_base: 'http://127.0.0.1:{port}', api_key: sim-key}}"]
    lines += ["litellm_settings:",
              "  drop_params: true        # same bodies for every contender; drop what a provider lacks",
              "  request_timeout: 600     # production checklist value (default 6000 s)",
              "  json_logs: false",
              "general_settings:",
              f"  master_key: {BENCH_KEY}",
              "  disable_spend_logs: true  # checklist: no per-request spend-log rows",
              "  disable_error_logs: true  # checklist: no per-exception DB rows"]
    return "\n".join(lines) + "\n"


#: Environment of the LiteLLM proxy (each one explained in bench/README.md).
LITELLM_ENV = {
    "LITELLM_MODE": "PRODUCTION",             # checklist: no .env loading (dev-only behaviour)
    "LITELLM_LOG": "ERROR",                   # checklist: no INFO/DEBUG logs, no uvicorn access log
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",   # use the bundled cost map; no fetch at import (no network)
    "DISABLE_ADMIN_UI": "True",               # no UI build/serving: a headless gateway
    "NO_DOCS": "True", "NO_REDOC": "True",    # no Swagger/ReDoc routes
    # Python GC: LiteLLM's documented knob, with the example value from its docs. With the
    # interpreter's 700,10,10 the ~870 k-object heap got a full collection every 40-50 s of load,
    # each a 0.5-1.2 s stall of every request in flight.
    "PYTHON_GC_THRESHOLD": "1000,50,50",
    # route /v1/messages for openai/ models to chat/completions (the default bridges to the
    # Responses API, which the simulator does not serve)
    "LITELLM_USE_CHAT_COMPLETIONS_URL_FOR_ANTHROPIC_MESSAGES": "True",
}


def litellm_summary(workers: int = 1) -> str:
    """One line for the report: how LiteLLM was run."""
    return (f"`litellm --config … --num_workers {workers}` (uvicorn + uvloop + httptools); "
            "`LITELLM_MODE=PRODUCTION`, `LITELLM_LOG=ERROR`, bundled cost map, admin UI and docs off, "
            f"`PYTHON_GC_THRESHOLD={LITELLM_ENV['PYTHON_GC_THRESHOLD']}`; config: master key, no database, "
            "`disable_spend_logs`, `disable_error_logs`, `request_timeout: 600`, `drop_params`; "
            "installed with prisma and opentelemetry-sdk (in LiteLLM's Docker image; its request path "
            "imports them). See bench/README.md, \"LiteLLM configuration\".")


FASTAPI_PREFIX = "/llm"


def uvicorn_args(python: str, port: int, have_uvloop: bool, have_httptools: bool) -> List[str]:
    return [python, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
            "--loop", "uvloop" if have_uvloop else "asyncio",
            "--http", "httptools" if have_httptools else "h11",
            "--no-access-log", "--log-level", "warning", "--timeout-keep-alive", "60"]


def launch_specs(python: str, workdir: str, sim_ports: Dict[str, int], ports: Dict[str, int],
                 threads: int, have_uvloop: bool, have_httptools: bool,
                 litellm_bin: Optional[str], litellm_workers: int = 1
                 ) -> Dict[str, Tuple[List[str], Dict[str, str]]]:
    """name → (argv, env) for every gateway contender."""
    bench_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    specs: Dict[str, Tuple[List[str], Dict[str, str]]] = {}

    native_cfg = os.path.join(workdir, "openrain-native.yaml")
    with open(native_cfg, "w") as f:
        f.write(openrain_yaml(sim_ports, ports["native"], threads))
    specs["native"] = ([python, "-m", "openrain", "serve", "--config", native_cfg], env)

    asgi_cfg = os.path.join(workdir, "openrain-asgi.yaml")
    with open(asgi_cfg, "w") as f:
        f.write(openrain_yaml(sim_ports, 0, threads))
    e = dict(env, OPENRAIN_CONFIG=asgi_cfg)
    specs["asgi"] = (uvicorn_args(python, ports["asgi"], have_uvloop, have_httptools)
                     + ["--factory", "openrain.asgi:create_app"], e)
    specs["fastapi"] = (uvicorn_args(python, ports["fastapi"], have_uvloop, have_httptools)
                        + ["--app-dir", bench_dir, "--factory", "fastapi_app:create_app"], e)

    if litellm_bin:
        cfg = os.path.join(workdir, "litellm.yaml")
        with open(cfg, "w") as f:
            f.write(litellm_yaml(sim_ports))
        le = dict(env, **LITELLM_ENV)
        specs["litellm"] = ([litellm_bin, "--config", cfg, "--host", "127.0.0.1",
                             "--port", str(ports["litellm"]), "--num_workers", str(litellm_workers)], le)
    return specs


def contenders_template() -> List[Contender]:
    return [
        Contender("direct", "direct (simulator)", "direct"),
        Contender("native", "OpenRain native", "gateway"),
        Contender("asgi", "OpenRain ASGI (uvicorn)", "gateway"),
        Contender("fastapi", "OpenRain in FastAPI", "gateway", prefix=FASTAPI_PREFIX),
        Contender("litellm", "LiteLLM proxy", "gateway"),
    ]


def python_has(python: str, module: str) -> bool:
    import subprocess

    return subprocess.run([python, "-c", f"import {module}"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def self_python() -> str:
    return sys.executable
