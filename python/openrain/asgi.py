"""A pure ASGI application over a Gateway (no Starlette dependency).

Mount it in FastAPI/Starlette (``app.mount("/llm", gw.asgi())``) or run it under any ASGI server
(``uvicorn module:app``). Per HTTP request it:

1. strips ``scope["root_path"]`` from ``scope["path"]`` when mounted (Starlette passes the full
   path and the mount prefix in ``root_path``);
2. rejects a body over ``server.max_request_bytes`` early (declared ``content-length``) or while
   reading, with a 413 in the native error shape of the target route;
3. reads the whole body, submits it to the engine, sends ``http.response.start``;
4. sends the body batch by batch: each wake of the event loop (the exchange's eventfd, via
   ``loop.add_reader``) drains every pending part into ONE ``http.response.body`` message;
5. meanwhile watches ``receive()`` for ``http.disconnect`` and then cancels the exchange, which
   cancels the upstream request (servers may silently drop sends after a disconnect, so the app
   listens instead of relying on ``send()`` raising).

Lifespan messages are answered politely when run standalone (the engine is started at startup),
but the app never requires them: the engine also starts lazily on the first request.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, List, MutableMapping, Optional, Tuple

from . import _exchange as _x
from .errors import OpenRainError

if TYPE_CHECKING:  # pragma: no cover
    from .gateway import Gateway

__all__ = ["OpenRainASGI", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _Disconnected(Exception):
    pass


class OpenRainASGI:
    """The ASGI app. ``OpenRainASGI(gateway)``; usually obtained from ``gateway.asgi()``."""

    def __init__(self, gateway: "Gateway", *, owns_gateway: bool = False) -> None:
        self.gateway = gateway
        self.owns_gateway = owns_gateway  # close the gateway at lifespan shutdown
        self.max_request_bytes = int(gateway.config.server.max_request_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})
        else:  # pragma: no cover - unknown scope types are ignored per the ASGI spec
            return

    # --- lifespan (standalone only; mounted apps never see it) ----------------------------
    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.gateway.start()
                except Exception as exc:  # report, do not crash the server loop
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # A shared gateway is closed by its owner; one made by create_app() is ours.
                if self.owns_gateway:
                    self.gateway.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- http ----------------------------------------------------------------------------
    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path") or "/"
        root: str = scope.get("root_path") or ""
        if root and (path == root or path.startswith(root.rstrip("/") + "/")):
            path = path[len(root.rstrip("/")):] or "/"
        method: str = scope.get("method", "GET")
        query = (scope.get("query_string") or b"").decode("latin-1")
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers") or ()]

        limit = self.max_request_bytes
        declared = _x.header_value(headers, "content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._send_error(send, path, "payload_too_large",
                                   f"Request body is {int(declared)} bytes; the limit is {limit} bytes.")
            return
        try:
            body = await self._read_body(receive, limit)
        except _Disconnected:
            return
        if body is None:
            await self._send_error(send, path, "payload_too_large",
                                   f"Request body exceeds the limit of {limit} bytes.")
            return

        try:
            ex = self.gateway._submit(method, path, query, headers, body)
        except OpenRainError as exc:
            await self._send_error(send, path, exc.kind, str(exc))
            return

        loop = asyncio.get_running_loop()
        disconnected: "asyncio.Future[None]" = loop.create_future()
        watcher = loop.create_task(self._watch_disconnect(receive, disconnected, ex))
        try:
            await self._respond(ex, send, disconnected)
        except BaseException:
            ex.cancel()
            raise
        finally:
            watcher.cancel()

    @staticmethod
    async def _read_body(receive: Receive, limit: int) -> Optional[bytes]:
        """Whole request body; None when over ``limit``; raises _Disconnected."""
        chunks: List[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected()
            chunk = message.get("body") or b""
            if chunk:
                size += len(chunk)
                if size > limit:
                    return None
                chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    @staticmethod
    async def _watch_disconnect(receive: Receive, disconnected: "asyncio.Future[None]", ex: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if not ex.done:
                    ex.cancel()  # the caller is gone: stop paying for tokens
                if not disconnected.done():
                    disconnected.set_result(None)
                return

    @staticmethod
    async def _respond(ex: Any, send: Send, disconnected: "asyncio.Future[None]") -> None:
        if not await _x.async_wait_head(ex, disconnected):
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in ex.headers
                   if k.lower() not in ("transfer-encoding", "connection")]
        streaming = bool(ex.streaming)
        await send({"type": "http.response.start", "status": int(ex.status), "headers": headers})
        if not streaming:
            chunks: List[bytes] = []
            while True:
                parts, done = await _x.async_next_batch(ex, disconnected)
                chunks.extend(parts)
                if done:
                    break
                if disconnected.done():
                    return
            await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": False})
            return
        while True:
            parts, done = await _x.async_next_batch(ex, disconnected)
            if disconnected.done() and not done:
                return
            if parts or done:
                body = parts[0] if len(parts) == 1 else b"".join(parts)
                await send({"type": "http.response.body", "body": body, "more_body": not done})
            if done:
                return

    async def _send_error(self, send: Send, path: str, kind: str, message: str) -> None:
        status, headers, body = self._render_error(path, kind, message)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _render_error(self, path: str, kind: str, message: str) -> Tuple[int, List[Tuple[str, str]], bytes]:
        try:
            status, headers, body = self.gateway.engine.render_error(path, kind, message)
            return int(status), list(headers), bytes(body)
        except Exception:  # engine unavailable: fall back to the OpenAI shape
            import json

            from .errors import from_kind

            cls = from_kind(kind)
            payload: Dict[str, Any] = {"error": {"message": message, "type": "invalid_request_error",
                                                 "param": None, "code": "request_too_large"
                                                 if kind == "payload_too_large" else None}}
            return cls.default_status, [("content-type", "application/json")], json.dumps(payload).encode()


def create_app(config: Any = None) -> OpenRainASGI:
    """App factory for ASGI servers: ``uvicorn --factory openrain.asgi:create_app``.

    The config is ``config`` (a GatewayConfig or path), else ``$OPENRAIN_CONFIG``, else
    ``./openrain.yaml``, else the offline demo. The app owns its gateway and closes it at lifespan
    shutdown.
    """
    import os

    from .gateway import Gateway

    gateway = Gateway(config if config is not None else os.environ.get("OPENRAIN_CONFIG"))
    return OpenRainASGI(gateway, owns_gateway=True)
