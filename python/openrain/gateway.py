"""The Gateway: one native engine and every way to reach it from Python.

A :class:`Gateway` owns one C++ engine built from a :class:`~openrain.config.GatewayConfig`. The
engine starts lazily on first use (no lifespan needed) and stops on :meth:`Gateway.close` (or at
the end of a ``with`` / ``async with`` block, or a host app's lifespan via :meth:`Gateway.lifespan`).
Entry points, all served by the same engine:

* ``gw.chat.completions.create(...)`` / ``await gw.chat.completions.acreate(...)`` /
  ``await gw.achat.completions.create(...)`` — OpenAI-shaped calls returning attribute-access
  objects or chunk streams;
* ``gw.request(...)`` / ``await gw.arequest(...)`` — raw HTTP-shaped calls on any engine route;
* ``gw.http_transport()`` / ``gw.async_http_transport()`` — httpx transports, so the official
  SDKs can run in-process with no socket;
* ``gw.asgi()`` — a pure ASGI app to mount in FastAPI/Starlette or run under any ASGI server;
* ``gw.serve()`` / ``gw.start_server()`` — the native HTTP server (no Python per request).

Thread-safety: a Gateway may be shared by threads and event loops; the engine is thread-safe and
lazy initialisation is locked. Errors are :mod:`openrain.errors` classes.
"""

from __future__ import annotations

import contextlib
import json as _json
import os
import threading
from typing import Any, AsyncIterator, Dict, Iterable, List, Literal, Mapping, Optional, Tuple, Union, overload

from . import _exchange as _x
from ._objects import AsyncChatCompletionStream, ChatCompletionStream, Obj, parse_json
from .config import GatewayConfig, demo_config, load_config, parse_config
from .errors import ConfigError, error_from_response

__all__ = ["Gateway", "ServerHandle"]

PathLike = Union[str, "os.PathLike[str]"]
CHAT_PATH = "/v1/chat/completions"


def _native() -> Any:
    from . import _engine  # the compiled module; imported on first engine use only

    return _engine


class ServerHandle:
    """A running native server: ``port``, ``url``, ``stop()``; also a context manager."""

    def __init__(self, server: Any, host: str) -> None:
        self._server = server
        self.host = host
        self.port: int = int(server.port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (``http://host:port/v1``)."""
        return self.url + "/v1"

    @property
    def running(self) -> bool:
        return bool(self._server.running)

    def serve_forever(self) -> None:
        """Block until :meth:`stop` (from another thread) or Ctrl-C (stops, then re-raises)."""
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> "ServerHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ServerHandle {self.url}{'' if self.running else ' stopped'}>"


class _Completions:
    """``chat.completions``: ``create`` (sync) and ``acreate`` (async)."""

    def __init__(self, gateway: "Gateway") -> None:
        self._gw = gateway

    @staticmethod
    def _body(model: str, messages: Any, stream: bool, extra_body: Optional[Mapping[str, Any]],
              kwargs: Dict[str, Any]) -> bytes:
        body: Dict[str, Any] = {"model": model, "messages": messages}
        body.update(kwargs)
        if stream:
            body["stream"] = True
        if extra_body:
            body.update(extra_body)
        return _json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()

    @overload
    def create(self, *, model: str, messages: Any, stream: Literal[False] = ...,
               extra_headers: Optional[Mapping[str, str]] = ..., extra_body: Optional[Mapping[str, Any]] = ...,
               timeout: Optional[float] = ..., **kwargs: Any) -> Obj: ...

    @overload
    def create(self, *, model: str, messages: Any, stream: Literal[True],
               extra_headers: Optional[Mapping[str, str]] = ..., extra_body: Optional[Mapping[str, Any]] = ...,
               timeout: Optional[float] = ..., **kwargs: Any) -> ChatCompletionStream: ...

    def create(self, *, model: str, messages: Any, stream: bool = False,
               extra_headers: Optional[Mapping[str, str]] = None,
               extra_body: Optional[Mapping[str, Any]] = None,
               timeout: Optional[float] = None, **kwargs: Any) -> Any:
        """Create a chat completion (OpenAI Chat Completions parameters).

        Returns the response object, or with ``stream=True`` a :class:`ChatCompletionStream` of
        chunk objects. ``timeout`` bounds each wait (head, each batch); the engine's own upstream
        timeouts always apply.
        """
        ex = self._gw._submit("POST", CHAT_PATH, "", _chat_headers(extra_headers),
                              self._body(model, messages, stream, extra_body, kwargs))
        try:
            _x.sync_wait_head(ex, timeout)
            status, headers = ex.status, ex.headers
            if status >= 400:
                raise error_from_response(status, headers, _x.sync_read_all(ex, timeout))
            if ex.streaming:
                return ChatCompletionStream(ex, headers, timeout)
            return parse_json(_x.sync_read_all(ex, timeout))
        except BaseException:
            ex.cancel()
            raise

    @overload
    async def acreate(self, *, model: str, messages: Any, stream: Literal[False] = ...,
                      extra_headers: Optional[Mapping[str, str]] = ..., extra_body: Optional[Mapping[str, Any]] = ...,
                      timeout: Optional[float] = ..., **kwargs: Any) -> Obj: ...

    @overload
    async def acreate(self, *, model: str, messages: Any, stream: Literal[True],
                      extra_headers: Optional[Mapping[str, str]] = ..., extra_body: Optional[Mapping[str, Any]] = ...,
                      timeout: Optional[float] = ..., **kwargs: Any) -> AsyncChatCompletionStream: ...

    async def acreate(self, *, model: str, messages: Any, stream: bool = False,
                      extra_headers: Optional[Mapping[str, str]] = None,
                      extra_body: Optional[Mapping[str, Any]] = None,
                      timeout: Optional[float] = None, **kwargs: Any) -> Any:
        """Async :meth:`create`: never blocks the event loop (waits on the exchange's fd).

        With ``stream=True`` returns an :class:`AsyncChatCompletionStream`. ``timeout`` bounds
        each wait, as in :meth:`create`.
        """
        ex = self._gw._submit("POST", CHAT_PATH, "", _chat_headers(extra_headers),
                              self._body(model, messages, stream, extra_body, kwargs))
        try:
            await _x.async_wait_head(ex, None, timeout)
            status, headers = ex.status, ex.headers
            if status >= 400:
                raise error_from_response(status, headers, await _x.async_read_all(ex, timeout))
            if ex.streaming:
                return AsyncChatCompletionStream(ex, headers, timeout)
            return parse_json(await _x.async_read_all(ex, timeout))
        except BaseException:  # includes asyncio.CancelledError: abandon the upstream request
            ex.cancel()
            raise


class _AsyncCompletions:
    def __init__(self, completions: _Completions) -> None:
        self.create = completions.acreate


class _Chat:
    def __init__(self, completions: Any) -> None:
        self.completions = completions


def _chat_headers(extra: Optional[Mapping[str, str]]) -> List[Tuple[str, str]]:
    headers = [("content-type", "application/json")]
    if extra:
        headers.extend((str(k).lower(), str(v)) for k, v in extra.items())
    return headers


class Gateway:
    """An OpenRain gateway: one native engine built from a config.

    ``Gateway(config)`` accepts a :class:`GatewayConfig`, a path to a YAML file, a dict shaped like
    the YAML, or ``None`` (``./openrain.yaml`` when it exists, else the offline demo).
    """

    def __init__(self, config: Union[GatewayConfig, PathLike, Mapping[str, Any], None] = None, *,
                 threads: Optional[int] = None) -> None:
        if config is None:
            config = "openrain.yaml" if os.path.exists("openrain.yaml") else None
        self._owned: List[Any] = []  # resources closed with the gateway (demo simulator)
        if config is None:
            from .testing import MockProvider

            mock = MockProvider()
            self._owned.append(mock)
            config = demo_config(mock_port=mock.port)
        elif isinstance(config, (str, os.PathLike)):
            config = load_config(config)
        elif isinstance(config, Mapping):
            config = parse_config(config)
        if not isinstance(config, GatewayConfig):
            raise ConfigError(f"Gateway() needs a GatewayConfig, a file path or a dict, got {type(config).__name__}")
        self.config: GatewayConfig = config
        self._threads = threads
        self._lock = threading.Lock()
        self._engine: Any = None
        self._closed = False
        self._servers: List[ServerHandle] = []
        self._asgi: Any = None
        completions = _Completions(self)
        self.chat = _Chat(completions)
        self.achat = _Chat(_AsyncCompletions(completions))

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: PathLike, **kwargs: Any) -> "Gateway":
        return cls(load_config(path), **kwargs)

    @classmethod
    def demo(cls, **kwargs: Any) -> "Gateway":
        """The offline demo: simulator-backed providers (plus real ones whose API key is set)."""
        from .testing import MockProvider

        mock = MockProvider()
        try:
            gw = cls(demo_config(mock_port=mock.port), **kwargs)
        except BaseException:
            mock.close()
            raise
        gw._owned.append(mock)
        return gw

    # --- lifecycle ------------------------------------------------------------------------
    @property
    def engine(self) -> Any:
        """The native engine (created and started on first access)."""
        eng = self._engine
        if eng is not None:
            return eng
        with self._lock:
            if self._closed:
                raise RuntimeError("this Gateway is closed")
            if self._engine is None:
                threads = -1 if self._threads is None else int(self._threads)
                eng = _native().Engine(self.config.to_engine_json(), threads)
                eng.start()
                self._engine = eng
            return self._engine

    def start(self) -> "Gateway":
        """Create and start the engine now (otherwise it starts on first use)."""
        _ = self.engine
        return self

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop servers started by this gateway, the engine, and owned resources (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            servers, self._servers = self._servers, []
            engine, self._engine = self._engine, None
            owned, self._owned = self._owned, []
        for s in servers:
            s.stop()
        if engine is not None:
            engine.stop()
        for o in owned:
            o.close()

    def __enter__(self) -> "Gateway":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> "Gateway":
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Any = None) -> AsyncIterator[None]:
        """Lifespan for a host app: ``FastAPI(lifespan=gw.lifespan)``. Closes the gateway at exit."""
        self.start()
        try:
            yield
        finally:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("running" if self._engine is not None else "idle")
        return f"<Gateway {state}: {len(self.config.providers)} providers, aliases {self.config.aliases}>"

    # --- raw requests ---------------------------------------------------------------------
    def _submit(self, method: str, path: str, query: str, headers: List[Tuple[str, str]], body: bytes) -> Any:
        # Bounded: a stream nobody reads holds at most ~server.stream_buffer_bytes in the engine,
        # which then stops reading the upstream until the consumer catches up.
        return self.engine.submit(method, path, query, headers, body, self.config.server.stream_buffer_bytes)

    def submit(self, method: str, path: str, *, query: str = "",
               headers: Union[Mapping[str, str], Iterable[Tuple[str, str]], None] = None,
               body: bytes = b"") -> Any:
        """Submit a raw HTTP request; returns the native Exchange (see ``openrain._engine``)."""
        return self._submit(method, path, query, _header_list(headers), bytes(body))

    def request(self, method: str, path: str, *, json: Any = None, content: Optional[bytes] = None,
                query: str = "", headers: Union[Mapping[str, str], Iterable[Tuple[str, str]], None] = None,
                timeout: Optional[float] = None) -> _x.Response:
        """Send one request to any engine route and buffer the response (errors are NOT raised;
        call ``.raise_for_status()``)."""
        hdrs, body = _encode_body(json, content, headers)
        ex = self._submit(method, path, query, hdrs, body)
        try:
            _x.sync_wait_head(ex, timeout)
            status, rh = ex.status, ex.headers
            return _x.Response(status, rh, _x.sync_read_all(ex, timeout))
        except BaseException:
            ex.cancel()
            raise

    async def arequest(self, method: str, path: str, *, json: Any = None, content: Optional[bytes] = None,
                       query: str = "", headers: Union[Mapping[str, str], Iterable[Tuple[str, str]], None] = None,
                       timeout: Optional[float] = None) -> _x.Response:
        """Async :meth:`request` (waits on the exchange's fd, never blocks the loop)."""
        hdrs, body = _encode_body(json, content, headers)
        ex = self._submit(method, path, query, hdrs, body)
        try:
            await _x.async_wait_head(ex, None, timeout)
            status, rh = ex.status, ex.headers
            return _x.Response(status, rh, await _x.async_read_all(ex, timeout))
        except BaseException:
            ex.cancel()
            raise

    # --- adapters -------------------------------------------------------------------------
    def http_transport(self, *, root_path: str = "") -> Any:
        """An ``httpx.BaseTransport`` routing requests into this engine in-process.

        ``openai.OpenAI(base_url="http://openrain.local/v1", api_key="x",
        http_client=httpx.Client(transport=gw.http_transport()))``
        """
        from ._httpx import OpenRainTransport

        return OpenRainTransport(self, root_path=root_path)

    def async_http_transport(self, *, root_path: str = "") -> Any:
        """An ``httpx.AsyncBaseTransport`` routing requests into this engine in-process."""
        from ._httpx import AsyncOpenRainTransport

        return AsyncOpenRainTransport(self, root_path=root_path)

    def asgi(self) -> Any:
        """The ASGI application over this gateway (mountable; honours ``root_path``)."""
        if self._asgi is None:
            from .asgi import OpenRainASGI

            self._asgi = OpenRainASGI(self)
        return self._asgi

    # --- native server --------------------------------------------------------------------
    def start_server(self, host: Optional[str] = None, port: Optional[int] = 0) -> ServerHandle:
        """Start the native HTTP server without blocking (``port=0``: any free port)."""
        host = host or self.config.server.host
        port = self.config.server.port if port is None else port
        server = _native().NativeServer(self.engine, host, int(port), int(self.config.server.max_request_bytes))
        handle = ServerHandle(server, host)
        with self._lock:
            self._servers.append(handle)
        return handle

    def serve(self, host: Optional[str] = None, port: Optional[int] = None) -> None:
        """Run the native server in the foreground (config host/port by default) until Ctrl-C
        (the server stops, then KeyboardInterrupt propagates) or until stopped elsewhere."""
        handle = self.start_server(host, port)
        try:
            handle.serve_forever()
        finally:
            handle.stop()


def _header_list(headers: Union[Mapping[str, str], Iterable[Tuple[str, str]], None]) -> List[Tuple[str, str]]:
    if not headers:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(k).lower(), str(v)) for k, v in items]


HeaderArg = Union[Mapping[str, str], Iterable[Tuple[str, str]], None]


def _encode_body(json: Any, content: Optional[bytes], headers: HeaderArg) -> Tuple[List[Tuple[str, str]], bytes]:
    hdrs = _header_list(headers)
    if json is not None:
        if content is not None:
            raise ValueError("pass either json= or content=, not both")
        body = _json.dumps(json, separators=(",", ":"), ensure_ascii=False).encode()
        if not any(k == "content-type" for k, _ in hdrs):
            hdrs.append(("content-type", "application/json"))
        return hdrs, body
    return hdrs, bytes(content or b"")


# Re-exported for type hints in user code.
Response = _x.Response
ChatCompletion = Obj
