"""The official Anthropic SDK on the Messages surface, continued: upstream errors and broken streams
as the SDK sees them, rate-limit headers, context-length errors from every family, credentials,
``anthropic-beta`` routing, ``count_tokens`` (forwarded or estimated), ``ping`` keep-alive frames
during a stalled upstream, and the Anthropic-shaped model listing.

Parametrised like test_sdk_messages_matrix.py (``fam`` x native server; a few tests add the ASGI
mount).
"""

from __future__ import annotations

import json
from typing import Any, List

import pytest

from _sdk_matrix import (CALLER_KEY, CONTEXT_ERRORS, LONG_TEXT, MSG, Family, assert_credentials_not_forwarded,
                         sse_frames, upstream)

pytest_plugins = ["_sdk_fixtures", "_surface_fixtures", "_compat_report"]

anthropic = pytest.importorskip("anthropic")
httpx = pytest.importorskip("httpx")

COMPAT_SURFACE = "messages"
ALL_ENTRIES = ["native", "asgi"]  # see test_sdk_messages_matrix.py: no in-process entry for this SDK

HTML_502 = {
    "openai": "upstream provider sim-openai returned HTTP 502 with a non-JSON body: 502 Bad Gateway",
    "anthropic": "Anthropic upstream returned HTTP 502 with a non-JSON body (text/html): 502 Bad Gateway",
    "gemini": "Gemini returned HTTP 502 with a body that is not a Google API error: 502 Bad Gateway",
}


@pytest.fixture(params=["native"])
def entry(request: Any) -> str:
    return request.param


def _create(claude: Any, fam: Family, **kw: Any) -> Any:
    return claude.messages.create(model=fam.alias, max_tokens=64, messages=MSG, **kw)


def _body(exc: Any) -> Any:
    return json.loads(exc.response.text)


# --- upstream HTTP errors -----------------------------------------------------------------------


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_rate_limit(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 429", "rate-limit headers")
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="7")
    with pytest.raises(anthropic.RateLimitError) as info:
        _create(claude, fam)
    e = info.value
    assert e.status_code == 429
    assert e.response.headers["retry-after"] == "7"
    body = _body(e)
    assert body["type"] == "error"
    assert body["error"] == {"type": "rate_limit_error", "message": "Slow down"}
    assert mock.request_count == 1


def test_rate_limit_on_stream_request(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 429", "rate-limit headers")
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="3")
    with pytest.raises(anthropic.RateLimitError) as info:
        with claude.messages.stream(model=fam.alias, max_tokens=64, messages=MSG) as s:
            for _ in s:
                pass
    assert info.value.response.headers["retry-after"] == "3"


def test_anthropic_ratelimit_headers_survive(claude: Any, mock: Any, compat: Any) -> None:
    compat("rate-limit headers", upstream="anthropic")
    headers = {"anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0",
               "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:07Z"}
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="7",
                 headers=headers)
    with pytest.raises(anthropic.RateLimitError) as info:
        claude.messages.create(model="claude-sonnet", max_tokens=10, messages=MSG)
    got = info.value.response.headers
    assert {k: got.get(k) for k in headers} == headers
    assert got["retry-after"] == "7"


def test_bad_request(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 400")
    message = "messages.0.content: Input should be a valid list"
    mock.enqueue(status=400, error_type="invalid_request_error", error_message=message)
    with pytest.raises(anthropic.BadRequestError) as info:
        _create(claude, fam)
    assert info.value.status_code == 400
    assert _body(info.value)["error"] == {"type": "invalid_request_error", "message": message}


def test_html_502_is_clean_json(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: HTML 502")
    mock.enqueue(status=502, html=True)
    with pytest.raises(anthropic.InternalServerError) as info:
        _create(claude, fam)
    e = info.value
    assert e.status_code == 502
    assert e.response.headers["content-type"] == "application/json"
    assert "<" not in e.response.text
    assert _body(e)["error"] == {"type": "api_error", "message": HTML_502[fam.name]}


def test_context_length_from_any_upstream(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    """Claude Code compacts only on "prompt is too long": each family's own overflow wording (OpenAI's
    context_length_exceeded, Gemini's "input token count ... exceeds") is rewritten to contain it."""
    compat("context-length error")
    script = CONTEXT_ERRORS[fam.name]
    mock.enqueue(status=400, **script)
    with pytest.raises(anthropic.BadRequestError) as info:
        _create(claude, fam)
    err = _body(info.value)["error"]
    assert err["type"] == "invalid_request_error"
    assert "prompt is too long" in err["message"].lower()
    assert script["error_message"] in err["message"]


# --- broken streams -----------------------------------------------------------------------------


def _consume(claude: Any, fam: Family, got: List[str]) -> None:
    with claude.messages.stream(model=fam.alias, max_tokens=64, messages=MSG) as stream:
        for text in stream.text_stream:
            got.append(text)


def _assert_partial(got: List[str]) -> None:
    text = "".join(got)
    assert text and LONG_TEXT.startswith(text) and text != LONG_TEXT


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_midstream_error_event(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, midstream_error={"after_chunks": 5, "type": "overloaded_error",
                                                  "message": "Overloaded"})
    got: List[str] = []
    with pytest.raises(anthropic.APIStatusError) as info:
        _consume(claude, fam, got)
    assert info.value.body == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    _assert_partial(got)


def test_cut_stream_raises(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, cut_after_chunks=5)
    got: List[str] = []
    with pytest.raises(anthropic.APIStatusError) as info:
        _consume(claude, fam, got)
    assert info.value.body == {"type": "error", "error": {
        "type": "api_error",
        "message": f"the upstream response from 127.0.0.1:{mock.port} was cut before its end: the connection closed mid-body"}}
    _assert_partial(got)


def test_cut_stream_wire_ends_with_error_event(http: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, cut_after_chunks=5)
    r = http.post("/v1/messages", json={"model": fam.alias, "max_tokens": 64, "stream": True, "messages": MSG})
    assert r.status_code == 200
    frames = sse_frames(r.content)
    assert frames[-1][0] == "error"
    assert json.loads(frames[-1][1])["error"]["type"] == "api_error"
    assert "message_stop" not in [ev for ev, _ in frames]


# --- credentials and headers --------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["x-api-key", "bearer"])
def test_caller_credentials_never_forwarded(claude: Any, gateway_url: str, fam: Family, mock: Any, compat: Any,
                                            scheme: str) -> None:
    compat("credentials")
    mock.enqueue(text="ok")
    if scheme == "bearer":
        with anthropic.Anthropic(base_url=gateway_url, auth_token=CALLER_KEY, max_retries=0) as client:
            client.messages.create(model=fam.alias, max_tokens=10, messages=MSG)
    else:
        _create(claude, fam)
    assert_credentials_not_forwarded(mock, fam)


def test_anthropic_beta_reaches_only_anthropic(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("headers: anthropic-beta")
    mock.enqueue(text="ok")
    claude.messages.create(model=fam.alias, max_tokens=10, messages=MSG,
                           extra_headers={"anthropic-beta": "context-1m-2025-08-07,fine-grained-tool-streaming"})
    beta = mock.last_request.header("anthropic-beta")
    if fam.name == "anthropic":
        assert beta == "context-1m-2025-08-07,fine-grained-tool-streaming"
        assert mock.last_request.header("anthropic-version") == "2023-06-01"
    else:
        assert beta is None
        assert mock.last_request.header("anthropic-version") is None


# --- count_tokens -------------------------------------------------------------------------------


def test_count_tokens(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("count_tokens")
    if fam.name == "anthropic":
        mock.enqueue(match={"count_tokens": True}, usage={"input": 42})
    raw = claude.messages.with_raw_response.count_tokens(model=fam.alias, system="Be terse.", messages=MSG)
    assert raw.headers["x-openrain-provider"] == fam.provider
    count = raw.parse()
    if fam.name == "anthropic":
        assert raw.headers["x-openrain-token-count"] == "upstream"
        assert count.input_tokens == 42
        assert [r.path for r in mock.requests] == ["/v1/messages/count_tokens"]
        assert upstream(mock) == {"model": "claude-sonnet-4-5", "system": "Be terse.", "messages": MSG}
    else:
        assert raw.headers["x-openrain-token-count"] == "estimate"
        assert count.input_tokens > 0
        assert mock.request_count == 0


# --- keep-alive ---------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["claude-sonnet", "gpt-4o-mini", "gemini-flash"])
def test_ping_frames_during_stalled_upstream(keepalive_url: str, mock: Any, compat: Any, alias: str) -> None:
    """server.stream_keepalive_ms=50: a 500 ms silence mid-stream is bridged by `event: ping` frames."""
    compat("keep-alive (ping)", upstream={"claude-sonnet": "anthropic", "gpt-4o-mini": "openai",
                                          "gemini-flash": "gemini"}[alias])
    mock.enqueue(text=LONG_TEXT, stall_after_chunks=4, stall_ms=500)
    with httpx.stream("POST", keepalive_url + "/v1/messages", timeout=10,
                      json={"model": alias, "max_tokens": 64, "stream": True, "messages": MSG}) as r:
        assert r.status_code == 200
        body = b"".join(r.iter_bytes())
    events = [(ev, json.loads(d)) for ev, d in sse_frames(body)]
    names = [ev for ev, _ in events]
    deltas = [i for i, (ev, _) in enumerate(events) if ev == "content_block_delta"]
    # pings between two text deltas: the stall, bridged
    between = names[deltas[0]:deltas[-1]]
    assert between.count("ping") >= 2, names
    assert all(d == {"type": "ping"} for ev, d in events if ev == "ping")
    text = "".join(d["delta"]["text"] for ev, d in events if ev == "content_block_delta")
    assert text == LONG_TEXT
    assert names[-1] == "message_stop"


# --- model listing ------------------------------------------------------------------------------


def test_models_list_anthropic_shape(claude: Any, mock: Any, compat: Any) -> None:
    for u in ("openai", "anthropic", "gemini"):
        compat("model listing", upstream=u)
    ids = [m.id for m in claude.models.list()]
    assert ids == ["gpt-4o-mini", "gpt-4o", "claude-sonnet", "claude-haiku", "gemini-flash", "gemini-pro"]
    assert all(m.type == "model" for m in claude.models.list())
    assert mock.request_count == 0
