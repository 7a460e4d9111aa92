"""Response objects of the Python API: attribute access over parsed JSON, and chunk streams.

:class:`Obj` is a ``dict`` (so ``resp["choices"]`` works and it serialises as-is) whose keys are
also attributes (``resp.choices[0].message.content``), mirroring the OpenAI SDK's objects. Absent
keys read as ``None`` (as optional fields do in the SDK); names starting with ``_`` are never
looked up as keys.

:class:`ChatCompletionStream` / :class:`AsyncChatCompletionStream` turn the engine's SSE batches
into chunk objects. Closing a stream early (``close()``, ``break`` out of a ``with`` block, garbage
collection) cancels the exchange, which cancels the upstream request.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any, AsyncIterator, Deque, Iterator, List, Optional

from ._exchange import Headers, SSEDecoder, async_next_batch
from .errors import OpenRainError, TimeoutError, error_from_stream_event


class Obj(dict):
    """A JSON object with attribute access (``obj.key`` == ``obj["key"]``; absent → ``None``)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_dict(self) -> dict:
        """A plain-``dict`` deep copy."""
        return json.loads(json.dumps(self))

    model_dump = to_dict

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self, **kwargs)

    model_dump_json = to_json

    def __dir__(self) -> List[str]:
        return sorted(set(dir(type(self))) | {k for k in self if isinstance(k, str)})


def parse_json(data: Any) -> Any:
    """Parse JSON text/bytes so every object is an :class:`Obj`."""
    return json.loads(data, object_hook=Obj)


def _data_events(decoder: SSEDecoder, batch: bytes) -> List[Any]:
    """Complete SSE events of ``batch`` as parsed chunk objects; ``None`` marks ``[DONE]``."""
    out: List[Any] = []
    for _event, data in decoder.feed(batch):
        if data == "[DONE]":
            out.append(None)
            continue
        if not data:
            continue
        obj = parse_json(data)
        if isinstance(obj, dict) and "error" in obj and len(obj) <= 2 and "choices" not in obj:
            raise error_from_stream_event(obj)
        out.append(obj)
    return out


class ChatCompletionStream:
    """Iterator of chat completion chunks pulled from an engine exchange in batches."""

    def __init__(self, exchange: Any, headers: Headers, timeout: Optional[float] = None) -> None:
        self._ex = exchange
        self.response_headers = headers
        self._timeout = timeout
        self._decoder = SSEDecoder()
        self._pending: Deque[Any] = deque()
        self._finished = False

    def __iter__(self) -> Iterator[Obj]:
        return self

    def __next__(self) -> Obj:
        while True:
            if self._pending:
                item = self._pending.popleft()
                if item is None:  # [DONE]
                    self._finish()
                    raise StopIteration
                return item
            if self._finished:
                raise StopIteration
            self._fill()

    def _fill(self) -> None:
        try:
            parts, done = self._ex.next_batch(self._timeout)
            if not parts and not done:
                raise TimeoutError(f"no stream data within {self._timeout} s")
            self._pending.extend(_data_events(self._decoder, b"".join(parts)))
        except BaseException:
            self.close()
            raise
        if done:
            self._finished = True  # pending chunks are still served, then StopIteration

    def _finish(self) -> None:
        self._finished = True
        self._pending.clear()

    def close(self) -> None:
        """Stop reading; cancels the upstream request if the stream has not ended."""
        if not self._ex.done:
            self._ex.cancel()
        self._finished = True
        self._pending.clear()

    def __enter__(self) -> "ChatCompletionStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        ex = getattr(self, "_ex", None)
        if ex is not None and not ex.done:
            ex.cancel()


class AsyncChatCompletionStream:
    """Async iterator of chat completion chunks; one event-loop wake per engine batch."""

    def __init__(self, exchange: Any, headers: Headers, timeout: Optional[float] = None) -> None:
        self._ex = exchange
        self.response_headers = headers
        self._timeout = timeout
        self._decoder = SSEDecoder()
        self._pending: Deque[Any] = deque()
        self._finished = False

    def __aiter__(self) -> AsyncIterator[Obj]:
        return self

    async def __anext__(self) -> Obj:
        while True:
            if self._pending:
                item = self._pending.popleft()
                if item is None:
                    self._finished = True
                    self._pending.clear()
                    raise StopAsyncIteration
                return item
            if self._finished:
                raise StopAsyncIteration
            try:
                parts, done = await async_next_batch(self._ex, None, self._timeout)
                self._pending.extend(_data_events(self._decoder, b"".join(parts)))
            except BaseException:  # includes asyncio.CancelledError: abandon the upstream
                await self.aclose()
                raise
            if done:
                self._finished = True

    async def aclose(self) -> None:
        if not self._ex.done:
            self._ex.cancel()
        self._finished = True
        self._pending.clear()

    close = aclose

    async def __aenter__(self) -> "AsyncChatCompletionStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    def __del__(self) -> None:
        ex = getattr(self, "_ex", None)
        if ex is not None and not ex.done:
            ex.cancel()


__all__ = ["Obj", "parse_json", "ChatCompletionStream", "AsyncChatCompletionStream", "OpenRainError"]
