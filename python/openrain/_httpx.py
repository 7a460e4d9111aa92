"""httpx transports that route requests into a Gateway's engine in-process (no socket).

With these, the official SDKs run against OpenRain unchanged::

    client = openai.OpenAI(base_url="http://openrain.local/v1", api_key="x",
                           http_client=httpx.Client(transport=gw.http_transport()))

The response body is a stream that pulls engine batches: sync reads block in the compiled module
(GIL released), async reads wait on the exchange's fd. Closing the response early cancels the
exchange (and therefore the upstream request). httpx's read timeout bounds the wait for the head
and for each batch (→ ``httpx.ReadTimeout``).

Imported lazily by :meth:`Gateway.http_transport` (this module imports httpx).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Iterator, List, Optional, Tuple

import httpx

from . import _exchange as _x
from .errors import OpenRainError
from .errors import TimeoutError as _OpenRainTimeout

if TYPE_CHECKING:  # pragma: no cover
    from .gateway import Gateway

__all__ = ["OpenRainTransport", "AsyncOpenRainTransport"]

_DROP_RESPONSE_HEADERS = frozenset({"transfer-encoding", "connection", "keep-alive"})


def _read_timeout(request: httpx.Request) -> Optional[float]:
    t = request.extensions.get("timeout") or {}
    value = t.get("read")
    return float(value) if value is not None else None


def _request_parts(request: httpx.Request, root_path: str) -> Tuple[str, str, str, List[Tuple[str, str]]]:
    path = request.url.path
    if root_path and (path == root_path or path.startswith(root_path + "/")):
        path = path[len(root_path):] or "/"
    raw_query = request.url.query
    query = raw_query.decode("ascii", "replace") if isinstance(raw_query, bytes) else str(raw_query)
    headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in request.headers.raw]
    return request.method, path, query, headers


def _response_headers(ex: Any) -> List[Tuple[str, str]]:
    return [(k, v) for k, v in ex.headers if k.lower() not in _DROP_RESPONSE_HEADERS]


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, ex: Any, timeout: Optional[float], request: httpx.Request) -> None:
        self._ex = ex
        self._timeout = timeout
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from _x.sync_iter_batches(self._ex, self._timeout)
        except _OpenRainTimeout as exc:
            raise httpx.ReadTimeout(str(exc), request=self._request) from exc
        except OpenRainError as exc:  # e.g. the gateway was closed mid-response
            raise httpx.ReadError(str(exc), request=self._request) from exc

    def close(self) -> None:
        if not self._ex.done:
            self._ex.cancel()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, ex: Any, timeout: Optional[float], request: httpx.Request) -> None:
        self._ex = ex
        self._timeout = timeout
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while True:
                parts, done = await _x.async_next_batch(self._ex, None, self._timeout)
                if parts:
                    yield parts[0] if len(parts) == 1 else b"".join(parts)
                if done:
                    return
        except _OpenRainTimeout as exc:
            raise httpx.ReadTimeout(str(exc), request=self._request) from exc
        except OpenRainError as exc:
            raise httpx.ReadError(str(exc), request=self._request) from exc
        except BaseException:
            self._ex.cancel()
            raise

    async def aclose(self) -> None:
        if not self._ex.done:
            self._ex.cancel()


class OpenRainTransport(httpx.BaseTransport):
    """Sync httpx transport into a Gateway's engine. ``root_path`` is stripped from paths."""

    def __init__(self, gateway: "Gateway", *, root_path: str = "") -> None:
        self._gw = gateway
        self._root = root_path.rstrip("/")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        method, path, query, headers = _request_parts(request, self._root)
        body = request.read()
        timeout = _read_timeout(request)
        ex = self._gw._submit(method, path, query, headers, body)
        try:
            if not ex.wait_head(timeout):
                raise httpx.ReadTimeout(f"no response head within {timeout} s", request=request)
            return httpx.Response(ex.status, headers=_response_headers(ex),
                                  stream=_SyncBody(ex, timeout, request),
                                  extensions={"http_version": b"HTTP/1.1"}, request=request)
        except OpenRainError as exc:
            ex.cancel()
            raise httpx.ReadError(str(exc), request=request) from exc
        except BaseException:
            ex.cancel()
            raise

    def close(self) -> None:  # the gateway outlives its transports
        pass


class AsyncOpenRainTransport(httpx.AsyncBaseTransport):
    """Async httpx transport into a Gateway's engine. ``root_path`` is stripped from paths."""

    def __init__(self, gateway: "Gateway", *, root_path: str = "") -> None:
        self._gw = gateway
        self._root = root_path.rstrip("/")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        method, path, query, headers = _request_parts(request, self._root)
        body = await request.aread()
        timeout = _read_timeout(request)
        ex = self._gw._submit(method, path, query, headers, body)
        try:
            await _x.async_wait_head(ex, None, timeout)
            return httpx.Response(ex.status, headers=_response_headers(ex),
                                  stream=_AsyncBody(ex, timeout, request),
                                  extensions={"http_version": b"HTTP/1.1"}, request=request)
        except _OpenRainTimeout as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from exc
        except OpenRainError as exc:
            ex.cancel()
            raise httpx.ReadError(str(exc), request=request) from exc
        except BaseException:
            ex.cancel()
            raise

    async def aclose(self) -> None:
        pass
