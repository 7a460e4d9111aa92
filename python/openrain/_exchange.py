"""Waiting on native Exchanges from sync code and from asyncio — the one place that does it.

A native ``Exchange`` (see ``_engine.pyi``) is a queue of response parts filled by engine threads.
Sync code blocks inside the compiled module (GIL released, Ctrl-C-interruptible slices). Async
code never blocks: it registers the exchange's eventfd with ``loop.add_reader`` and, on each wake,
drains *every* pending part with one non-blocking ``next_batch(0)`` call — one GIL round trip
per batch, never per token. The engine queues at most about ``server.stream_buffer_bytes`` per
exchange: a consumer that does not drain makes it stop reading that upstream (backpressure),
without blocking the engine's threads.

Also here: :class:`SSEDecoder`, the small incremental SSE splitter the Python API uses to turn
batches of bytes into events, and :class:`Response`, a complete buffered HTTP response.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .errors import OpenRainError, TimeoutError, error_from_response

Headers = List[Tuple[str, str]]


# ---------------------------------------------------------------------------------------------
# async waits
# ---------------------------------------------------------------------------------------------


async def wait_readable(fd: int, extra: "Optional[asyncio.Future[Any]]" = None,
                        timeout: Optional[float] = None) -> bool:
    """Wait until ``fd`` is readable or ``extra`` completes; False when ``timeout`` expired first.

    The reader is removed on exit (the eventfd is level-triggered and only drained by the
    exchange, so it must not stay registered while nobody waits).
    """
    loop = asyncio.get_running_loop()
    fut: "asyncio.Future[bool]" = loop.create_future()

    def wake(*_: Any) -> None:
        if not fut.done():
            fut.set_result(True)

    def expire() -> None:
        if not fut.done():
            fut.set_result(False)

    loop.add_reader(fd, wake)
    if extra is not None:
        extra.add_done_callback(wake)
    timer = loop.call_later(timeout, expire) if timeout is not None else None
    try:
        return await fut
    finally:
        loop.remove_reader(fd)
        if extra is not None:
            extra.remove_done_callback(wake)
        if timer is not None:
            timer.cancel()


async def async_wait_head(ex: Any, stop: "Optional[asyncio.Future[Any]]" = None,
                          timeout: Optional[float] = None) -> bool:
    """Wait for the response head without blocking the loop; False if ``stop`` completed first.

    Raises :class:`openrain.errors.TimeoutError` (after cancelling the exchange) on timeout.
    """
    deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
    while not ex.wait_head(0):
        if stop is not None and stop.done():
            return False
        left = None if deadline is None else max(0.0, deadline - asyncio.get_running_loop().time())
        if not await wait_readable(ex.fileno(), stop, left):
            ex.cancel()
            raise TimeoutError(f"no response within {timeout} s")
    return True


async def async_next_batch(ex: Any, stop: "Optional[asyncio.Future[Any]]" = None,
                           timeout: Optional[float] = None) -> Tuple[List[bytes], bool]:
    """Return (parts, done) as soon as at least one part is pending or the body ended.

    Returns ``([], False)`` when ``stop`` completed first (e.g. the caller disconnected); raises
    :class:`openrain.errors.TimeoutError` (after cancelling) when nothing arrived in ``timeout``.
    """
    while True:
        parts, done = ex.next_batch(0)
        if parts or done:
            return parts, done
        if stop is not None and stop.done():
            return [], False
        if not await wait_readable(ex.fileno(), stop, timeout):
            ex.cancel()
            raise TimeoutError(f"no response data within {timeout} s")


async def async_read_all(ex: Any, timeout: Optional[float] = None) -> bytes:
    chunks: List[bytes] = []
    while True:
        parts, done = await async_next_batch(ex, None, timeout)
        chunks.extend(parts)
        if done:
            return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# sync waits
# ---------------------------------------------------------------------------------------------


def sync_wait_head(ex: Any, timeout: Optional[float]) -> None:
    if not ex.wait_head(timeout):
        ex.cancel()
        raise TimeoutError(f"no response within {timeout} s")


def sync_read_all(ex: Any, timeout: Optional[float] = None) -> bytes:
    chunks: List[bytes] = []
    while True:
        parts, done = ex.next_batch(timeout)
        if not parts and not done:
            ex.cancel()
            raise TimeoutError(f"no response data within {timeout} s")
        chunks.extend(parts)
        if done:
            return b"".join(chunks)


def sync_iter_batches(ex: Any, timeout: Optional[float] = None) -> Iterator[bytes]:
    """Yield the body batch by batch (each batch = all parts pending at that moment, joined)."""
    while True:
        parts, done = ex.next_batch(timeout)
        if not parts and not done:
            ex.cancel()
            raise TimeoutError(f"no response data within {timeout} s")
        if parts:
            yield parts[0] if len(parts) == 1 else b"".join(parts)
        if done:
            return


# ---------------------------------------------------------------------------------------------
# buffered responses
# ---------------------------------------------------------------------------------------------


class Response:
    """A complete HTTP response from the engine (status, headers, body bytes)."""

    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code: int, headers: Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def raise_for_status(self) -> "Response":
        if self.status_code >= 400:
            raise error_from_response(self.status_code, self.headers, self.content)
        return self

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {len(self.content)} bytes>"


def raise_for_status(status: int, headers: Headers, body: bytes) -> None:
    if status >= 400:
        raise error_from_response(status, headers, body)


# ---------------------------------------------------------------------------------------------
# SSE
# ---------------------------------------------------------------------------------------------


class SSEDecoder:
    """Incremental SSE splitter: feed bytes, get (event, data) pairs for complete events."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, chunk: bytes) -> List[Tuple[str, str]]:
        buf = self._buf + chunk if self._buf else chunk
        if b"\r" in buf:
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        events: List[Tuple[str, str]] = []
        start = 0
        while True:
            end = buf.find(b"\n\n", start)
            if end < 0:
                break
            block = buf[start:end]
            start = end + 2
            event = ""
            data: List[str] = []
            for line in block.split(b"\n"):
                if not line or line.startswith(b":"):
                    continue
                name, _, value = line.partition(b":")
                if value.startswith(b" "):
                    value = value[1:]
                if name == b"data":
                    data.append(value.decode("utf-8", "replace"))
                elif name == b"event":
                    event = value.decode("utf-8", "replace")
            if data or event:
                events.append((event, "\n".join(data)))
        self._buf = buf[start:]
        return events

    @property
    def pending(self) -> bytes:
        return self._buf


def head_of(ex: Any) -> Tuple[int, Headers]:
    return ex.status, ex.headers


def header_value(headers: Headers, name: str) -> Optional[str]:
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def error_for(ex: Any, body: bytes) -> OpenRainError:
    return error_from_response(ex.status, ex.headers, body)


def to_wire_headers(headers: Optional[Dict[str, str]]) -> Headers:
    if not headers:
        return []
    return [(str(k).lower(), str(v)) for k, v in headers.items()]
