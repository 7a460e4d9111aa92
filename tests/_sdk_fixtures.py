"""Fixtures for the OpenAI-SDK matrix tests; a test module loads them with
``pytest_plugins = ["_sdk_fixtures"]`` (and must not import this module itself).

``entry`` — "native" | "asgi" | "inprocess".
``sdk``   — an ``openai.OpenAI`` client (max_retries=0) through that entry point: the native
            server, the FastAPI/uvicorn ASGI mount under /llm, or the in-process httpx transport.
            Requesting it also clears the simulator (it depends on ``mock``).
``fam``   — one upstream family (:class:`_sdk_matrix.Family`): an alias routed to sim-openai,
            sim-anthropic or sim-gemini.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from _sdk_matrix import ENTRY_POINTS, FAMILIES, Family


@pytest.fixture(params=FAMILIES, ids=[f.name for f in FAMILIES])
def fam(request: Any) -> Family:
    return request.param


@pytest.fixture(params=ENTRY_POINTS)
def entry(request: Any) -> str:
    return request.param


@pytest.fixture(scope="session")
def _sdk_clients() -> Iterator[Dict[str, Any]]:
    """Network clients per entry point, built once (building an httpx client costs ~0.1 s)."""
    clients: Dict[str, Any] = {}
    try:
        yield clients
    finally:
        for c in clients.values():
            c.close()


@pytest.fixture
def sdk(entry: str, mock: Any, request: Any, _sdk_clients: Dict[str, Any]) -> Any:
    openai = pytest.importorskip("openai")
    if entry == "inprocess":
        return request.getfixturevalue("openai_inprocess")
    if entry not in _sdk_clients:
        server = request.getfixturevalue(f"{entry}_server")
        _sdk_clients[entry] = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0,
                                            timeout=30)
    return _sdk_clients[entry]
