"""Test helpers: the built-in provider simulator and gateways pointed at it.

:class:`MockProvider` runs the C++ simulator (OpenAI / Anthropic / Gemini wire formats on one
loopback port) in-process. Scripts describe the next answers (text, tool calls, usage, pacing,
faults such as cut streams or mid-stream errors — see ``cpp/src/sim/script.hpp``)::

    with MockProvider() as mock, gateway_for_mock(mock) as gw:
        mock.enqueue(text="Hello!", usage={"input": 3, "output": 2})
        resp = gw.chat.completions.create(model="claude-sonnet", messages=[...])
        assert mock.requests[-1].json["model"] == "claude-sonnet-4-5"

Thread-safety: the simulator is internally synchronised; a MockProvider may be used from any
thread.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .config import GatewayConfig, Model, Provider, ServerOptions, sim_models, sim_providers

__all__ = ["MockProvider", "RecordedRequest", "gateway_for_mock", "config_for_mock"]


class RecordedRequest(dict):
    """One request the simulator received: a dict (method, path, query, headers, body) with
    attribute access and ``.json`` (the parsed body, or ``None`` when it is not JSON)."""

    __slots__ = ()

    @property
    def method(self) -> str:
        return self["method"]

    @property
    def path(self) -> str:
        return self["path"]

    @property
    def query(self) -> str:
        return self["query"]

    @property
    def headers(self) -> List[Tuple[str, str]]:
        return self["headers"]

    @property
    def body(self) -> bytes:
        return self["body"]

    @property
    def json(self) -> Any:
        try:
            return json.loads(self["body"]) if self["body"] else None
        except ValueError:
            return None

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        name = name.lower()
        for k, v in self["headers"]:
            if k.lower() == name:
                return v
        return default


def _script(script: Optional[Mapping[str, Any]], kwargs: Mapping[str, Any]) -> str:
    if script is not None and kwargs:
        raise TypeError("pass a script dict or keyword arguments, not both")
    if isinstance(script, (str, bytes)):
        return script.decode() if isinstance(script, bytes) else script
    return json.dumps(dict(script if script is not None else kwargs))


class MockProvider:
    """The in-process provider simulator (starts immediately; ``close()`` or ``with`` stops it)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, threads: int = 1) -> None:
        from . import _engine

        self.host = host
        self._mock = _engine.MockServer(host, port, threads)
        self.port: int = int(self._mock.port)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- scripts --------------------------------------------------------------------------
    def enqueue(self, script: Optional[Mapping[str, Any]] = None, /, **kwargs: Any) -> "MockProvider":
        """Queue one reply script (a dict, or keyword arguments) for the next matching request.

        Raises :class:`openrain.errors.InvalidRequestError` naming the offending key."""
        self._mock.enqueue(_script(script, kwargs))
        return self

    def enqueue_many(self, scripts: Iterable[Mapping[str, Any]]) -> "MockProvider":
        for s in scripts:
            self.enqueue(s)
        return self

    def set_default(self, script: Optional[Mapping[str, Any]] = None, /, **kwargs: Any) -> "MockProvider":
        """Set the reply used when no queued script matches."""
        self._mock.set_default(_script(script, kwargs))
        return self

    def clear(self) -> None:
        """Drop queued scripts, the default script and the recorded requests."""
        self._mock.clear()

    # --- observations ---------------------------------------------------------------------
    @property
    def requests(self) -> List[RecordedRequest]:
        """Recorded requests, oldest first."""
        return [RecordedRequest(r) for r in self._mock.requests()]

    @property
    def last_request(self) -> RecordedRequest:
        reqs = self.requests
        if not reqs:
            raise LookupError("the simulator has not received any request")
        return reqs[-1]

    @property
    def request_count(self) -> int:
        return int(self._mock.request_count())

    @property
    def disconnects(self) -> int:
        return int(self._mock.disconnects())

    def wait_for_requests(self, n: int, timeout: Optional[float] = 5.0) -> bool:
        return bool(self._mock.wait_for_requests(n, timeout))

    def wait_for_disconnects(self, n: int, timeout: Optional[float] = 5.0) -> bool:
        """Wait until ``n`` client disconnects were seen mid-response (e.g. after a cancel)."""
        return bool(self._mock.wait_for_disconnects(n, timeout))

    # --- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        mock = getattr(self, "_mock", None)
        if mock is not None:
            mock.stop()

    stop = close

    def __enter__(self) -> "MockProvider":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<MockProvider {self.base_url}>"


def config_for_mock(mock: "MockProvider | str", *, strict: bool = False,
                    extra_providers: Sequence[Provider] = (), extra_models: Sequence[Model] = (),
                    server: Optional[ServerOptions] = None, threads: int = 1,
                    **provider_options: Any) -> GatewayConfig:
    """A config with sim-openai / sim-anthropic / sim-gemini at ``mock`` and the simulator
    aliases (``gpt-4o-mini``, ``gpt-4o``, ``claude-sonnet``, ``claude-haiku``, ``gemini-flash``,
    ``gemini-pro``). ``provider_options`` (e.g. ``quirks=``, ``timeouts=``) apply to all three."""
    base_url = mock if isinstance(mock, str) else mock.base_url
    providers = sim_providers(base_url, **provider_options) + tuple(extra_providers)
    models = sim_models(strict=strict) + tuple(extra_models)
    return GatewayConfig(providers=providers, models=models,
                         server=server or ServerOptions(port=0, threads=threads), source="<mock>")


def gateway_for_mock(mock: "MockProvider | str", **kwargs: Any) -> Any:
    """A :class:`~openrain.gateway.Gateway` over :func:`config_for_mock` (same arguments)."""
    from .gateway import Gateway

    return Gateway(config_for_mock(mock, **kwargs))


def scripts_from(items: Iterable[Dict[str, Any]]) -> List[str]:  # pragma: no cover - convenience
    return [json.dumps(i) for i in items]
