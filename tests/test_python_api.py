"""Smoke tests of each Python entry point over the simulator (the SDK matrix lives elsewhere).

Covers: the sync / async / streaming Python API, error mapping, cancellation on early close and on
task cancellation, Ctrl-C during a blocking wait, raw requests, the httpx transports with the
official OpenAI SDK, the ASGI app (mounted under /llm in FastAPI, served by uvicorn; and called
directly for the 413 path), the native server, and the CLI's check-config.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import Any, List

import pytest

from openrain import errors as E

MSG = [{"role": "user", "content": "hi"}]


# --- Python API ---------------------------------------------------------------------------------


def test_chat_sync_openai_route(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="Hello there", usage={"input": 5, "output": 2})
    resp = gateway.chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert resp.choices[0].message.content == "Hello there"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.prompt_tokens == 5
    assert resp.usage.completion_tokens == 2
    assert resp.model == "gpt-4o-mini"
    assert resp["choices"][0]["message"]["role"] == "assistant"
    assert mock.request_count == 1
    assert mock.last_request.json["model"] == "gpt-4o-mini"


def test_chat_sync_anthropic_route(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="From Claude")
    resp = gateway.chat.completions.create(model="claude-sonnet", messages=MSG, max_tokens=50)
    assert resp.choices[0].message.content == "From Claude"
    req = mock.last_request
    assert req.path.endswith("/v1/messages")
    assert req.json["model"] == "claude-sonnet-4-5"
    assert req.json["max_tokens"] == 50


def test_chat_stream_sync(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="one two three four")
    stream = gateway.chat.completions.create(model="gemini-flash", messages=MSG, stream=True)
    with stream:
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "one two three four"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert ":streamGenerateContent" in mock.last_request.path


def test_chat_async_and_async_stream(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="async hello")
    mock.enqueue(text="a b c")

    async def main() -> List[str]:
        resp = await gateway.chat.completions.acreate(model="gpt-4o-mini", messages=MSG)
        stream = await gateway.achat.completions.create(model="claude-sonnet", messages=MSG, stream=True)
        parts = []
        async with stream:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    parts.append(chunk.choices[0].delta.content)
        return [resp.choices[0].message.content, "".join(parts)]

    assert asyncio.run(main()) == ["async hello", "a b c"]


def test_unknown_model_raises_not_found(gateway: Any, mock: Any) -> None:
    with pytest.raises(E.NotFoundError) as info:
        gateway.chat.completions.create(model="no-such-alias", messages=MSG)
    assert info.value.status_code == 404
    assert isinstance(info.value, LookupError)
    assert mock.request_count == 0


def test_upstream_rate_limit_maps_to_rate_limit_error(gateway: Any, mock: Any) -> None:
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="3")
    with pytest.raises(E.RateLimitError) as info:
        gateway.chat.completions.create(model="claude-sonnet", messages=MSG)
    assert info.value.status_code == 429
    assert info.value.retry_after == 3.0


def test_async_error(gateway: Any, mock: Any) -> None:
    mock.enqueue(status=503, error_type="overloaded_error", error_message="Overloaded")

    async def main() -> None:
        await gateway.chat.completions.acreate(model="claude-sonnet", messages=MSG)

    with pytest.raises(E.OverloadedError):
        asyncio.run(main())


def test_midstream_error_raises_from_stream(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="a b c d e f", midstream_error={"after_chunks": 3, "type": "overloaded_error",
                                                      "message": "Overloaded"})
    got: List[str] = []
    with pytest.raises(E.OverloadedError) as info:
        for chunk in gateway.chat.completions.create(model="claude-sonnet", messages=MSG, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                got.append(chunk.choices[0].delta.content)
    assert info.value.message == "Overloaded"
    assert "".join(got) != "a b c d e f"


def test_cut_stream_raises_stream_interrupted(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="a b c d e f", cut_after_chunks=3)
    with pytest.raises(E.StreamInterruptedError):
        list(gateway.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True))


def test_close_gateway_releases_blocked_waiter(sim: Any) -> None:
    import threading

    from openrain.testing import gateway_for_mock

    sim.clear()
    sim.enqueue(text="late", first_byte_delay_ms=30000)
    gw = gateway_for_mock(sim)
    outcome: List[BaseException] = []

    def call() -> None:
        try:
            gw.chat.completions.create(model="gpt-4o-mini", messages=MSG)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            outcome.append(exc)

    t = threading.Thread(target=call)
    t.start()
    assert sim.wait_for_requests(1, timeout=10)
    gw.close()
    t.join(timeout=10)
    assert not t.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], E.CancelledError), outcome


def test_stream_close_cancels_upstream(gateway: Any, mock: Any) -> None:
    mock.enqueue(text=" ".join(["word"] * 200), tokens_per_s=50)
    stream = gateway.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True)
    first = next(stream)
    assert first.choices[0].delta is not None
    stream.close()
    assert mock.wait_for_disconnects(1, timeout=5.0)


def test_async_task_cancel_cancels_upstream(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="late", first_byte_delay_ms=30000)

    async def main() -> None:
        task = asyncio.ensure_future(gateway.chat.completions.acreate(model="gpt-4o-mini", messages=MSG))
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, mock.wait_for_requests, 1, 10.0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert mock.wait_for_disconnects(1, timeout=5.0)


def test_sync_timeout_cancels(gateway: Any, mock: Any) -> None:
    mock.enqueue(text="late", first_byte_delay_ms=30000)
    with pytest.raises(E.TimeoutError):
        gateway.chat.completions.create(model="gpt-4o-mini", messages=MSG, timeout=0.3)
    assert mock.wait_for_disconnects(1, timeout=5.0)


def test_raw_request_models(gateway: Any) -> None:
    resp = gateway.request("GET", "/v1/models")
    assert resp.status_code == 200
    ids = {m["id"] for m in resp.json()["data"]}
    assert {"gpt-4o-mini", "claude-sonnet", "gemini-flash"} <= ids


def test_ctrl_c_interrupts_blocking_wait() -> None:
    """SIGINT during a blocking create() raises KeyboardInterrupt promptly and cancels upstream."""
    code = textwrap.dedent("""
        import os, signal, threading, time
        from openrain.testing import MockProvider, gateway_for_mock
        with MockProvider() as mock, gateway_for_mock(mock) as gw:
            mock.enqueue(text="late", first_byte_delay_ms=30000)
            def interrupt():
                if mock.wait_for_requests(1, timeout=20):  # the engine now waits on the upstream
                    os.kill(os.getpid(), signal.SIGINT)
            threading.Thread(target=interrupt, daemon=True).start()
            t0 = time.monotonic()
            try:
                gw.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
                print("not interrupted")
            except KeyboardInterrupt:
                print("interrupted", time.monotonic() - t0 < 5, mock.wait_for_disconnects(1, timeout=5))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "interrupted True True", out.stderr


# --- httpx transports + official SDK ------------------------------------------------------------


def test_openai_sdk_over_inprocess_transport(openai_inprocess: Any, mock: Any) -> None:
    mock.enqueue(text="via transport")
    mock.enqueue(text="x y z")
    resp = openai_inprocess.chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert resp.choices[0].message.content == "via transport"
    stream = openai_inprocess.chat.completions.create(model="claude-haiku", messages=MSG, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "x y z"


def test_openai_sdk_error_over_transport(openai_inprocess: Any) -> None:
    openai = pytest.importorskip("openai")
    with pytest.raises(openai.NotFoundError):
        openai_inprocess.chat.completions.create(model="no-such-alias", messages=MSG)


def test_async_openai_sdk_over_transport(gateway: Any, mock: Any) -> None:
    openai = pytest.importorskip("openai")
    import httpx

    mock.enqueue(text="async transport")

    async def main() -> str:
        async with httpx.AsyncClient(transport=gateway.async_http_transport()) as http:
            client = openai.AsyncOpenAI(base_url="http://openrain.local/v1", api_key="x", http_client=http)
            resp = await client.chat.completions.create(model="gpt-4o-mini", messages=MSG)
            return resp.choices[0].message.content

    assert asyncio.run(main()) == "async transport"


# --- ASGI ------------------------------------------------------------------------------------------


def test_asgi_mounted_under_prefix(asgi_server: Any, mock: Any) -> None:
    import httpx

    mock.enqueue(text="via asgi")
    with httpx.Client(base_url=asgi_server.url, timeout=30) as client:
        r = client.post("/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": MSG})
        assert r.status_code == 200
        assert r.json()["choices"][0]["message"]["content"] == "via asgi"
        mock.enqueue(text="s t r")
        with client.stream("POST", "/v1/chat/completions",
                           json={"model": "gpt-4o-mini", "messages": MSG, "stream": True}) as s:
            assert s.headers["content-type"].startswith("text/event-stream")
            body = b"".join(s.iter_bytes())
        assert body.rstrip().endswith(b"data: [DONE]")
        r = client.post("/v1/chat/completions", json={"model": "nope", "messages": MSG})
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "model_not_found"


def test_asgi_disconnect_cancels_upstream(asgi_server: Any, mock: Any) -> None:
    import httpx

    mock.enqueue(text=" ".join(["tok"] * 300), tokens_per_s=50)
    with httpx.Client(base_url=asgi_server.url, timeout=30) as client:
        with client.stream("POST", "/v1/chat/completions",
                           json={"model": "gpt-4o-mini", "messages": MSG, "stream": True}) as s:
            next(s.iter_bytes())
    assert mock.wait_for_disconnects(1, timeout=10.0)


def test_fastapi_lifespan_and_mount_with_testclient(sim: Any) -> None:
    fastapi = pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from openrain.testing import gateway_for_mock

    sim.clear()
    sim.enqueue(text="mounted")
    gw = gateway_for_mock(sim)
    app = fastapi.FastAPI(lifespan=gw.lifespan)
    app.mount("/llm", gw.asgi())
    with TestClient(app) as client:
        assert gw.engine is not None  # started by the host app's lifespan
        r = client.post("/llm/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": MSG})
        assert r.status_code == 200
        assert r.json()["choices"][0]["message"]["content"] == "mounted"
    assert gw.closed  # closed at lifespan shutdown


def test_asgi_payload_too_large_direct_call(sim: Any) -> None:
    from openrain.config import ServerOptions
    from openrain.testing import gateway_for_mock

    with gateway_for_mock(sim, server=ServerOptions(port=0, max_request_bytes=100)) as gw:
        app = gw.asgi()
        sent: List[Any] = []

        async def run(headers: List[Any], chunks: List[bytes]) -> None:
            queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                     for i, c in enumerate(chunks)]

            async def receive() -> Any:
                if queue:
                    return queue.pop(0)
                await asyncio.Event().wait()

            async def send(message: Any) -> None:
                sent.append(message)

            scope = {"type": "http", "method": "POST", "path": "/llm/v1/chat/completions",
                     "root_path": "/llm", "query_string": b"", "headers": headers}
            await app(scope, receive, send)

        asyncio.run(run([(b"content-length", b"1000")], [b"x" * 1000]))  # declared size
        assert sent[0]["status"] == 413
        assert json.loads(sent[1]["body"])["error"]["type"] == "invalid_request_error"
        sent.clear()
        asyncio.run(run([], [b"x" * 60, b"x" * 60]))  # discovered while reading
        assert sent[0]["status"] == 413


# --- native server -------------------------------------------------------------------------------


def test_native_server(native_server: Any, mock: Any) -> None:
    import httpx

    mock.enqueue(text="native")
    r = httpx.post(native_server.base_url + "/chat/completions",
                   json={"model": "gpt-4o-mini", "messages": MSG}, timeout=30)
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"] == "native"


# --- CLI -------------------------------------------------------------------------------------------


def test_cli_check_config(tmp_path: Any) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("providers: [{name: p, kind: openai, base_url: 'http://127.0.0.1:9'}]\n"
                    "model_list: [{model_name: m, litellm_params: {model: p/x}}]\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("providers: [{name: p, kind: openai, base_url: 'http://127.0.0.1:9'}]\n"
                   "model_list: [{model_name: m, litellm_params: {model: q/x}}]\n")
    env = {**os.environ}
    ok = subprocess.run([sys.executable, "-m", "openrain", "check-config", "good.yaml"],
                        capture_output=True, text=True, timeout=60, env=env, cwd=str(tmp_path))
    assert ok.returncode == 0, ok.stderr
    assert "1 provider(s), 1 model alias(es)" in ok.stdout
    ko = subprocess.run([sys.executable, "-m", "openrain", "check-config", "bad.yaml"],
                        capture_output=True, text=True, timeout=60, env=env, cwd=str(tmp_path))
    assert ko.returncode == 2
    assert ko.stderr.strip() == ("openrain: bad.yaml: model_list[0].litellm_params.model: provider 'q' "
                                 "is not defined (known: p)")


def test_cli_serve_demo_sigint(tmp_path: Any) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "openrain", "serve", "--demo", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(tmp_path))
    try:
        line = proc.stdout.readline()
        assert line.startswith("OpenRain listening on http://127.0.0.1:"), line + proc.stderr.read()
        port = int(line.split("http://127.0.0.1:")[1].split()[0])
        import httpx

        r = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions",
                       json={"model": "claude-sonnet", "messages": MSG}, timeout=30)
        assert r.status_code == 200
        assert r.json()["choices"][0]["message"]["content"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
