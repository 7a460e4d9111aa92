"""Backpressure between the engine and Python consumers (``server.stream_buffer_bytes``).

A stream consumed slowly from Python (raw exchange, lazy sync iteration, async iteration, an ASGI
client that reads slowly) must never make the engine queue more than the limit plus one part,
and must still arrive whole and in order; abandoning it (close, garbage collection) must cancel
the upstream (the simulator sees the connection close) and drop the queue; and a stalled consumer
must not hold up other requests on the same single-threaded engine. The "slow consumer" is
deterministic: it drains only once ``Exchange.wait_stalled`` says the engine can go no further
without it. Timeouts are failure guards only.
"""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any, Iterator, List, Tuple

import pytest

from openrain import errors as E
from openrain._exchange import SSEDecoder

MSG = [{"role": "user", "content": "hi"}]
LIMIT = 256 << 10
GUARD = 20.0  # seconds; a failure guard, never a synchronisation delay
MAX_PART = 64 << 10  # one upstream read (16 KiB) re-rendered stays far below this


@pytest.fixture(scope="module")
def big_text() -> str:
    """~20 MiB of unique 9-byte words: a gap or a reordering cannot go unnoticed."""
    return "".join(f"{i:08d} " for i in range((20 << 20) // 9 + 1))


@pytest.fixture(scope="module")
def small_gw(sim: Any) -> Iterator[Any]:
    """One engine thread (one shard) and a 256 KiB stream buffer."""
    from openrain.config import ServerOptions
    from openrain.testing import gateway_for_mock

    with gateway_for_mock(sim, server=ServerOptions(port=0, threads=1, stream_buffer_bytes=LIMIT)) as gw:
        yield gw


class Recording:
    """Wraps a native Exchange and records the size of every part the consumer takes."""

    def __init__(self, ex: Any) -> None:
        self.ex = ex
        self.largest = 0

    def next_batch(self, timeout_s: Any = None) -> Tuple[List[bytes], bool]:
        parts, done = self.ex.next_batch(timeout_s)
        for p in parts:
            self.largest = max(self.largest, len(p))
        return parts, done

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ex, name)


@pytest.fixture
def recorded(small_gw: Any, monkeypatch: pytest.MonkeyPatch) -> List[Recording]:
    """Every exchange ``small_gw`` submits during the test, wrapped in a Recording."""
    made: List[Recording] = []
    submit = small_gw._submit

    def wrapped(*args: Any) -> Recording:
        rec = Recording(submit(*args))
        made.append(rec)
        return rec

    monkeypatch.setattr(small_gw, "_submit", wrapped)
    return made


def _stream_body(model: str = "gpt-4o-mini") -> bytes:
    return json.dumps({"model": model, "messages": MSG, "stream": True}).encode()


def _sse_text(body: bytes) -> Tuple[str, bool]:
    """Joined delta contents of an OpenAI Chat SSE body, and whether [DONE] was seen."""
    text: List[str] = []
    done = False
    for _event, data in SSEDecoder().feed(body):
        if data == "[DONE]":
            done = True
            continue
        for choice in json.loads(data).get("choices") or []:
            text.append((choice.get("delta") or {}).get("content") or "")
    return "".join(text), done


def _assert_bounded(rec: Recording) -> None:
    assert rec.stalls >= 10, "backpressure never engaged"
    assert LIMIT < rec.peak_queued_bytes <= LIMIT + rec.largest
    assert rec.largest < MAX_PART


# --- bounded and intact ------------------------------------------------------------------------


def test_slow_raw_consumer_is_bounded_and_gets_everything_in_order(
        small_gw: Any, mock: Any, big_text: str) -> None:
    mock.enqueue(text=big_text, chunks=2000)
    rec = Recording(small_gw.submit("POST", "/v1/chat/completions",
                                    headers={"content-type": "application/json"}, body=_stream_body()))
    assert rec.wait_head(GUARD) and rec.status == 200 and rec.streaming
    assert rec.max_queued_bytes == LIMIT
    body: List[bytes] = []
    stalled_drains = 0
    done = False
    while not done:
        assert rec.wait_stalled(GUARD)
        queued = rec.queued_bytes
        parts, done = rec.next_batch(0)
        if not done:
            assert queued > LIMIT  # the engine waits for us with a full queue
            stalled_drains += 1
        body.extend(parts)
    _assert_bounded(rec)
    assert rec.stalls == stalled_drains  # one producer suspension per full queue
    assert rec.queued_bytes == 0
    text, saw_done = _sse_text(b"".join(body))
    assert saw_done
    assert len(text) == len(big_text) and text == big_text
    assert mock.disconnects == 0


def test_lazy_sync_iteration_is_bounded(small_gw: Any, mock: Any, recorded: List[Recording],
                                        big_text: str) -> None:
    mock.enqueue(text=big_text, chunks=2000)
    stream = small_gw.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True, timeout=GUARD)
    rec = recorded[0]
    pieces: List[str] = []
    for i, chunk in enumerate(stream):
        if i % 25 == 0:  # a lazy consumer: every so often it lets the engine run into the limit
            assert rec.wait_stalled(GUARD)
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
    _assert_bounded(rec)
    assert "".join(pieces) == big_text


def test_slow_async_iteration_is_bounded(small_gw: Any, mock: Any, recorded: List[Recording],
                                         big_text: str) -> None:
    mock.enqueue(text=big_text, chunks=2000)

    async def main() -> str:
        loop = asyncio.get_running_loop()
        stream = await small_gw.achat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True,
                                                         timeout=GUARD)
        rec = recorded[0]
        pieces: List[str] = []
        i = 0
        async for chunk in stream:
            if i % 25 == 0:
                assert await loop.run_in_executor(None, rec.wait_stalled, GUARD)
            i += 1
            if chunk.choices:
                pieces.append(chunk.choices[0].delta.content or "")
        return "".join(pieces)

    assert asyncio.run(main()) == big_text
    _assert_bounded(recorded[0])


def test_slow_asgi_client_is_bounded(small_gw: Any, mock: Any, recorded: List[Recording],
                                     big_text: str) -> None:
    """An ASGI server's send() only returns once its client took the bytes: a slow client."""
    mock.enqueue(text=big_text, chunks=2000)
    app = small_gw.asgi()
    scope = {"type": "http", "method": "POST", "path": "/v1/chat/completions", "root_path": "",
             "query_string": b"", "headers": [(b"content-type", b"application/json")]}

    async def main() -> Tuple[int, bytes]:
        loop = asyncio.get_running_loop()
        requested = False
        never: "asyncio.Future[Any]" = loop.create_future()
        status = 0
        body: List[bytes] = []

        async def receive() -> Any:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": _stream_body(), "more_body": False}
            return await never  # the client never disconnects

        async def send(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):  # the client is slow: the engine runs into the limit
                assert await loop.run_in_executor(None, recorded[0].wait_stalled, GUARD)

        await app({"asgi": {"version": "3.0"}, **scope}, receive, send)
        never.cancel()
        return status, b"".join(body)

    status, body = asyncio.run(main())
    assert status == 200
    text, saw_done = _sse_text(body)
    assert saw_done and text == big_text
    _assert_bounded(recorded[0])


# --- abandoning a stream ---------------------------------------------------------------------------


def test_close_mid_stream_cancels_the_suspended_upstream_and_drops_the_queue(
        small_gw: Any, mock: Any, recorded: List[Recording], big_text: str) -> None:
    mock.enqueue(text=big_text, chunks=2000)
    stream = small_gw.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True, timeout=GUARD)
    next(stream)
    rec = recorded[0]
    assert rec.wait_stalled(GUARD)
    assert rec.queued_bytes > LIMIT
    stalls = rec.stalls
    stream.close()
    assert rec.queued_bytes == 0
    assert mock.wait_for_disconnects(1, timeout=GUARD)
    # The request coroutine woke up, saw the cancel and ended (nobody drained anything): the
    # exchange completes, empty.
    assert rec.wait_stalled(GUARD)
    parts, done = rec.ex.next_batch(0)
    assert done and parts == []
    assert rec.stalls == stalls and rec.queued_bytes == 0


def test_garbage_collected_exchange_cancels_the_suspended_upstream(
        small_gw: Any, mock: Any, big_text: str) -> None:
    mock.enqueue(text=big_text, chunks=2000)
    ex = small_gw.submit("POST", "/v1/chat/completions", headers={"content-type": "application/json"},
                         body=_stream_body())
    assert ex.wait_head(GUARD)
    assert ex.wait_stalled(GUARD)
    assert ex.queued_bytes > LIMIT
    del ex
    gc.collect()
    assert mock.wait_for_disconnects(1, timeout=GUARD)


def test_garbage_collected_stream_cancels_the_suspended_upstream(
        small_gw: Any, mock: Any, recorded: List[Recording], big_text: str) -> None:
    mock.enqueue(text=big_text, chunks=2000)
    stream = small_gw.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True, timeout=GUARD)
    next(stream)
    assert recorded[0].wait_stalled(GUARD)
    recorded.clear()  # drop the test's own reference to the exchange
    del stream
    gc.collect()
    assert mock.wait_for_disconnects(1, timeout=GUARD)


def test_gateway_closed_under_a_stalled_stream(sim: Any, big_text: str) -> None:
    """The engine goes away while a stream it stalled is still held: the upstream is closed, the
    queued parts can still be read, then the stream ends with CancelledError; nothing crashes."""
    from openrain.config import ServerOptions
    from openrain.testing import gateway_for_mock

    sim.clear()
    sim.enqueue(text=big_text, chunks=2000)
    gw = gateway_for_mock(sim, server=ServerOptions(port=0, threads=1, stream_buffer_bytes=LIMIT))
    stream = gw.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True, timeout=GUARD)
    next(stream)
    assert stream._ex.wait_stalled(GUARD)
    gw.close()
    gc.collect()
    assert sim.wait_for_disconnects(1, timeout=GUARD)
    with pytest.raises(E.CancelledError):
        for _ in stream:
            pass
    del stream
    gc.collect()


# --- the engine's thread is never blocked ---------------------------------------------------------


def test_stalled_consumer_does_not_block_other_requests_on_the_same_thread(
        small_gw: Any, mock: Any, big_text: str) -> None:
    assert small_gw.config.server.threads == 1
    mock.enqueue(text=big_text, chunks=2000)
    stalled = small_gw.submit("POST", "/v1/chat/completions", headers={"content-type": "application/json"},
                              body=_stream_body())
    assert stalled.wait_head(GUARD)
    assert stalled.wait_stalled(GUARD)
    queued, stalls = stalled.queued_bytes, stalled.stalls
    assert queued > LIMIT

    mock.enqueue(text="meanwhile")
    resp = small_gw.chat.completions.create(model="gpt-4o-mini", messages=MSG, timeout=GUARD)
    assert resp.choices[0].message.content == "meanwhile"
    mock.enqueue(text="streamed too")
    streamed = small_gw.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True, timeout=GUARD)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == "streamed too"

    # The stalled stream did not move meanwhile (its producer stayed suspended)...
    assert stalled.queued_bytes == queued and stalled.stalls == stalls
    stalled.cancel()
    assert mock.wait_for_disconnects(1, timeout=GUARD)


# --- configuration ----------------------------------------------------------------------------------


def test_default_limit_is_one_mib(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="x")
    ex = gateway.submit("POST", "/v1/chat/completions", headers={"content-type": "application/json"},
                        body=_stream_body())
    assert ex.max_queued_bytes == 1 << 20
    assert ex.wait_head(GUARD)
    while not ex.next_batch(GUARD)[1]:
        pass
    assert ex.stalls == 0 and 0 < ex.peak_queued_bytes < 1 << 20


def test_stream_buffer_bytes_is_validated() -> None:
    from openrain.config import ServerOptions, parse_config

    with pytest.raises(E.ConfigError) as info:
        ServerOptions(stream_buffer_bytes=0)
    assert str(info.value).startswith("server.stream_buffer_bytes: must be a positive integer")
    cfg = parse_config({"providers": [{"name": "p", "kind": "openai", "base_url": "http://127.0.0.1:9"}],
                        "model_list": [{"model_name": "m", "litellm_params": {"model": "p/x"}}],
                        "server": {"stream_buffer_bytes": 4096}})
    assert cfg.server.stream_buffer_bytes == 4096
    assert "stream_buffer_bytes" not in json.loads(cfg.to_engine_json())["server"]
