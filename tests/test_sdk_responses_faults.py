"""The official OpenAI SDK on the Responses surface, continued: upstream errors (429 with
``retry-after``, 400, HTML 502), broken streams (``response.failed``), stateless refusals
(``previous_response_id``), and the caller's Bearer credential never reaching an upstream.

Parametrised like test_sdk_responses_matrix.py (``fam`` x native server; some tests add the ASGI
mount and the in-process transport).
"""

from __future__ import annotations

import json
from typing import Any, List

import pytest

from _sdk_matrix import (CALLER_KEY, CONTEXT_ERRORS, LONG_TEXT, Family, assert_credentials_not_forwarded,
                         error_body, sse_frames)

pytest_plugins = ["_sdk_fixtures", "_surface_fixtures", "_compat_report"]

openai = pytest.importorskip("openai")

COMPAT_SURFACE = "responses"
ALL_ENTRIES = ["native", "asgi", "inprocess"]

HTML_502 = {
    "openai": "upstream provider sim-openai returned HTTP 502 with a non-JSON body: 502 Bad Gateway",
    "anthropic": "Anthropic upstream returned HTTP 502 with a non-JSON body (text/html): 502 Bad Gateway",
    "gemini": "Gemini returned HTTP 502 with a body that is not a Google API error: 502 Bad Gateway",
}


@pytest.fixture(params=["native"])
def entry(request: Any) -> str:
    return request.param


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_rate_limit(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 429", "rate-limit headers")
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="7")
    with pytest.raises(openai.RateLimitError) as info:
        sdk.responses.create(model=fam.alias, input="hi")
    e = info.value
    assert e.status_code == 429
    assert e.response.headers["retry-after"] == "7"
    assert error_body(e)["error"]["message"] == "Slow down"
    assert e.code == "rate_limit_exceeded"
    assert mock.request_count == 1


def test_rate_limit_on_stream_request(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 429", "rate-limit headers")
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="3")
    with pytest.raises(openai.RateLimitError) as info:
        with sdk.responses.stream(model=fam.alias, input="hi") as s:
            list(s)
    assert info.value.response.headers["retry-after"] == "3"


def test_bad_request(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 400")
    message = "temperature: Input should be less than or equal to 2"
    mock.enqueue(status=400, error_type="invalid_request_error", error_message=message)
    with pytest.raises(openai.BadRequestError) as info:
        sdk.responses.create(model=fam.alias, input="hi")
    err = error_body(info.value)["error"]
    assert (err["message"], err["type"]) == (message, "invalid_request_error")


def test_context_length(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("context-length error")
    script = CONTEXT_ERRORS[fam.name]
    mock.enqueue(status=400, **script)
    with pytest.raises(openai.BadRequestError) as info:
        sdk.responses.create(model=fam.alias, input="hi")
    assert error_body(info.value) == {"error": {"message": script["error_message"], "type": "invalid_request_error",
                                                "param": None, "code": "context_length_exceeded"}}


def test_html_502_is_clean_json(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: HTML 502")
    mock.enqueue(status=502, html=True)
    with pytest.raises(openai.InternalServerError) as info:
        sdk.responses.create(model=fam.alias, input="hi")
    e = info.value
    assert e.status_code == 502
    assert e.response.headers["content-type"] == "application/json"
    assert "<" not in e.response.text
    assert error_body(e) == {"error": {"message": HTML_502[fam.name], "type": "server_error", "param": None,
                                       "code": None}}


# --- broken streams -----------------------------------------------------------------------------


def _consume(sdk: Any, fam: Family, got: List[Any]) -> None:
    with sdk.responses.stream(model=fam.alias, input="hi") as stream:
        for ev in stream:  # not list(): keep what arrived before the error
            got.append(ev)  # noqa: PERF402


def _assert_partial(got: List[Any]) -> None:
    text = "".join(e.delta for e in got if e.type == "response.output_text.delta")
    assert text and LONG_TEXT.startswith(text) and text != LONG_TEXT
    assert "response.completed" not in [e.type for e in got]


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_midstream_error(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, midstream_error={"after_chunks": 5, "type": "overloaded_error",
                                                  "message": "Overloaded"})
    got: List[Any] = []
    with pytest.raises(openai.APIError) as info:
        _consume(sdk, fam, got)
    assert info.value.message == "Overloaded"
    _assert_partial(got)


def test_cut_stream(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, cut_after_chunks=5)
    got: List[Any] = []
    with pytest.raises(openai.APIError) as info:
        _consume(sdk, fam, got)
    assert info.value.message == \
        f"the upstream response from 127.0.0.1:{mock.port} was cut before its end: the connection closed mid-body"
    _assert_partial(got)


def test_midstream_error_wire_ends_with_response_failed(http: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, midstream_error={"after_chunks": 5, "type": "overloaded_error",
                                                  "message": "Overloaded"})
    r = http.post("/v1/responses", json={"model": fam.alias, "input": "hi", "stream": True})
    assert r.status_code == 200
    frames = sse_frames(r.content)
    data = [json.loads(d) for _, d in frames]
    assert all(ev == d["type"] for (ev, _), d in zip(frames, data))
    assert frames[-1][0] == "response.failed"
    failed = data[-1]["response"]
    assert failed["status"] == "failed"
    assert failed["error"]["message"] == "Overloaded"
    assert failed["model"] == fam.alias
    assert [d["sequence_number"] for d in data] == list(range(len(data)))
    assert b"[DONE]" not in r.content


# --- stateless gateway, credentials -------------------------------------------------------------


def test_previous_response_id_is_a_clear_400(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("previous_response_id (stateless 400)")
    with pytest.raises(openai.BadRequestError) as info:
        sdk.responses.create(model=fam.alias, input="and then?", previous_response_id="resp_123")
    assert error_body(info.value) == {"error": {
        "message": "OpenRain does not store responses; send the full conversation in `input` instead of "
                   "previous_response_id.",
        "type": "invalid_request_error", "param": "previous_response_id", "code": "unsupported_parameter"}}
    assert mock.request_count == 0


def test_caller_credentials_never_forwarded(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("credentials")
    mock.enqueue(text="ok")
    sdk.with_options(api_key=CALLER_KEY).responses.create(model=fam.alias, input="hi")
    assert_credentials_not_forwarded(mock, fam)


def test_unknown_model_is_400(sdk: Any, mock: Any, compat: Any) -> None:
    for u in ("openai", "anthropic", "gemini"):
        compat("errors: 400", upstream=u)
    with pytest.raises(openai.BadRequestError) as info:
        sdk.responses.create(model="no-such-model", input="hi")
    err = error_body(info.value)["error"]
    assert (err["param"], err["code"]) == ("model", "model_not_found")
    assert mock.request_count == 0
