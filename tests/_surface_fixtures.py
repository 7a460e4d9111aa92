"""Fixtures for the Anthropic-Messages / Responses / Gemini SDK matrices; a test module loads them
with ``pytest_plugins = ["_sdk_fixtures", "_surface_fixtures", "_compat_report"]`` (and must not
import this module itself). They depend on ``entry``, which each test module defines itself (usually
the native server only; single tests widen it with ``@pytest.mark.parametrize("entry", ...)``).

``gateway_url``   — the gateway root for ``entry`` (no ``/v1``): the native server, the ASGI mount
                    (``.../llm``) or ``http://openrain.local`` for the in-process transport.
``http``          — an ``httpx.Client`` on that root (raw requests; in-process uses the transport).
``claude``        — an ``anthropic.Anthropic`` client (max_retries=0, api key ``CALLER_KEY``).
``gclient``       — a ``google.genai.Client`` (api version v1beta, one attempt, api key ``CALLER_KEY``).
``keepalive_url`` — the native server of a second gateway over the same simulator whose
                    ``server.stream_keepalive_ms`` is 50.
The OpenAI client is ``sdk`` from _sdk_fixtures (api key "test"; use ``with_options`` to change it).
Requesting any client also clears the simulator (they depend on ``mock``).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from _sdk_matrix import CALLER_KEY

INPROCESS_ROOT = "http://openrain.local"


@pytest.fixture(scope="session")
def _surface_clients() -> Iterator[Dict[Any, Any]]:
    """Clients per (kind, entry), built once per session."""
    clients: Dict[Any, Any] = {}
    try:
        yield clients
    finally:
        for c in clients.values():
            close = getattr(c, "close", None)
            if close is not None:
                close()


def _root(entry: str, request: Any) -> str:
    if entry == "inprocess":
        return INPROCESS_ROOT
    return request.getfixturevalue(f"{entry}_server").url


def _httpx(entry: str, request: Any, clients: Dict[Any, Any]) -> Any:
    import httpx

    key = ("httpx", entry)
    if key not in clients:
        if entry == "inprocess":
            gateway = request.getfixturevalue("gateway")
            clients[key] = httpx.Client(transport=gateway.http_transport(), base_url=INPROCESS_ROOT, timeout=30)
        else:
            clients[key] = httpx.Client(base_url=_root(entry, request), timeout=30)
    return clients[key]


@pytest.fixture
def gateway_url(entry: str, request: Any) -> str:
    return _root(entry, request)


@pytest.fixture
def http(entry: str, mock: Any, request: Any, _surface_clients: Dict[Any, Any]) -> Any:
    return _httpx(entry, request, _surface_clients)


@pytest.fixture
def claude(entry: str, mock: Any, request: Any, _surface_clients: Dict[Any, Any]) -> Any:
    anthropic = pytest.importorskip("anthropic")
    key = ("anthropic", entry)
    if key not in _surface_clients:
        if entry == "inprocess":
            # anthropic >= 2 sends through httpx2 and rejects httpx clients; Gateway.http_transport()
            # is an httpx transport, so this SDK has no in-process entry point.
            pytest.skip("the anthropic SDK uses httpx2; Gateway.http_transport() is an httpx transport")
        _surface_clients[key] = anthropic.Anthropic(base_url=_root(entry, request), api_key=CALLER_KEY,
                                                    max_retries=0, timeout=30)
    return _surface_clients[key]


@pytest.fixture
def gclient(entry: str, mock: Any, request: Any, _surface_clients: Dict[Any, Any]) -> Any:
    genai = pytest.importorskip("google.genai")
    from google.genai import types

    key = ("genai", entry)
    if key not in _surface_clients:
        opts: Dict[str, Any] = {"base_url": _root(entry, request), "api_version": "v1beta",
                                "retry_options": types.HttpRetryOptions(attempts=1), "timeout": 30_000}
        if entry == "inprocess":
            opts["httpx_client"] = _httpx(entry, request, _surface_clients)
        _surface_clients[key] = genai.Client(api_key=CALLER_KEY, http_options=types.HttpOptions(**opts))
    return _surface_clients[key]


@pytest.fixture(scope="session")
def keepalive_url(sim: Any) -> Iterator[str]:
    from openrain.config import ServerOptions
    from openrain.testing import gateway_for_mock

    with gateway_for_mock(sim, server=ServerOptions(port=0, threads=2, stream_keepalive_ms=50)) as gw:
        handle = gw.start_server("127.0.0.1", 0)
        try:
            yield handle.url
        finally:
            handle.stop()
