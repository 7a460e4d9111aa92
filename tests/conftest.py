"""Shared fixtures: one simulator, one gateway over it, and the three ways to serve it.

* ``sim``            — session-scoped :class:`openrain.testing.MockProvider` (loopback, port 0)
* ``mock``           — the same simulator, cleared before the test (queue, default, request log)
* ``gateway``        — session-scoped Gateway with sim-openai / sim-anthropic / sim-gemini and the
                       simulator aliases (gpt-4o-mini, gpt-4o, claude-sonnet, claude-haiku,
                       gemini-flash, gemini-pro)
* ``native_server``  — the native server over ``gateway`` on port 0 (``.base_url`` = .../v1)
* ``asgi_server``    — a FastAPI app mounting ``gateway.asgi()`` under ``/llm``, served by uvicorn on
                       port 0 in a background thread (``.base_url`` = http://127.0.0.1:P/llm/v1)
* ``openai_inprocess`` — an ``openai.OpenAI`` client using ``gateway.http_transport()``

Everything is loopback-only; nothing here needs network access or API keys.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Iterator

import pytest


def _engine_available() -> bool:
    try:
        from openrain import _engine  # noqa: F401
    except ImportError:
        return False
    return True


requires_engine = pytest.mark.skipif(not _engine_available(), reason="openrain._engine is not built")


@pytest.fixture(scope="session")
def sim() -> Iterator[Any]:
    if not _engine_available():
        pytest.skip("openrain._engine is not built")
    from openrain.testing import MockProvider

    with MockProvider(threads=2) as mock:
        yield mock


@pytest.fixture
def mock(sim: Any) -> Any:
    sim.clear()
    return sim


@pytest.fixture(scope="session")
def gateway(sim: Any) -> Iterator[Any]:
    from openrain.testing import gateway_for_mock

    gw = gateway_for_mock(sim, threads=2)
    with gw:
        yield gw


@dataclass
class ServerInfo:
    port: int
    url: str

    @property
    def base_url(self) -> str:
        return self.url + "/v1"


@pytest.fixture(scope="session")
def native_server(gateway: Any) -> Iterator[ServerInfo]:
    handle = gateway.start_server("127.0.0.1", 0)
    try:
        yield ServerInfo(handle.port, handle.url)
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def asgi_server(gateway: Any) -> Iterator[ServerInfo]:
    fastapi = pytest.importorskip("fastapi")
    uvicorn = pytest.importorskip("uvicorn")

    app = fastapi.FastAPI()

    @app.get("/health")
    def health() -> dict:
        return {"ok": True}

    app.mount("/llm", gateway.asgi())
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                            access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        deadline = 200  # x 50 ms
        while not server.started and thread.is_alive() and deadline > 0:
            threading.Event().wait(0.05)
            deadline -= 1
        if not server.started:
            pytest.fail("uvicorn did not start")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield ServerInfo(port, f"http://127.0.0.1:{port}/llm")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def openai_inprocess(gateway: Any) -> Iterator[Any]:
    openai = pytest.importorskip("openai")
    import httpx

    http = httpx.Client(transport=gateway.http_transport())
    client = openai.OpenAI(base_url="http://openrain.local/v1", api_key="test", http_client=http, max_retries=0)
    try:
        yield client
    finally:
        client.close()
