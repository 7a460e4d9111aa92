"""Upstream and caller faults as the OpenAI SDK sees them, through each entry point and family.

Rate limits keep their ``retry-after``; upstream 400s keep the upstream's message; an HTML 502
becomes a JSON error; a cut or errored stream raises instead of finishing; unknown models and
malformed requests are rejected without touching the upstream; a caller that walks away from a
stream (native server and ASGI mount) or whose SDK timeout fires (every entry point) cancels the
upstream request.
"""

from __future__ import annotations

from typing import Any, List

import pytest

from _sdk_matrix import MSG, Family, error_body

pytest_plugins = ["_sdk_fixtures"]  # fixtures: sdk, fam, entry

openai = pytest.importorskip("openai")

LONG_TEXT = "one two three four five six seven eight nine ten"


# --- upstream HTTP errors -----------------------------------------------------------------------


def test_rate_limit_keeps_retry_after(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="7")
    with pytest.raises(openai.RateLimitError) as info:
        sdk.chat.completions.create(model=fam.alias, messages=MSG)
    e = info.value
    assert e.status_code == 429
    assert e.response.headers["retry-after"] == "7"
    assert e.response.headers["content-type"] == "application/json"
    assert error_body(e)["error"]["message"] == "Slow down"
    assert e.code == "rate_limit_exceeded"
    assert mock.request_count == 1  # max_retries=0 on the client, and the gateway does not retry


def test_rate_limit_on_stream_request(sdk: Any, fam: Family, mock: Any) -> None:
    """A stream that the upstream refuses before its head is an HTTP error, not an SSE error."""
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="3")
    with pytest.raises(openai.RateLimitError) as info:
        sdk.chat.completions.create(model=fam.alias, messages=MSG, stream=True)
    assert info.value.response.headers["retry-after"] == "3"


# Each family's own wording for a prompt that is too long (see /work/shared/protocols/errors.md).
CONTEXT_ERRORS = {
    "openai": {"error_type": "invalid_request_error", "error_code": "context_length_exceeded",
               "error_message": "This model's maximum context length is 128000 tokens. However, your "
                                "messages resulted in 300000 tokens. Please reduce the length of the messages."},
    "anthropic": {"error_type": "invalid_request_error",
                  "error_message": "prompt is too long: 300000 tokens > 200000 maximum"},
    "gemini": {"error_type": "invalid_request_error",
               "error_message": "The input token count (300000) exceeds the maximum number of tokens allowed "
                                "(1048576)."},
}


def test_context_length_400(sdk: Any, fam: Family, mock: Any) -> None:
    script = CONTEXT_ERRORS[fam.name]
    mock.enqueue(status=400, **script)
    with pytest.raises(openai.BadRequestError) as info:
        sdk.chat.completions.create(model=fam.alias, messages=MSG)
    assert info.value.status_code == 400
    assert error_body(info.value) == {"error": {"message": script["error_message"], "type": "invalid_request_error",
                                                "param": None, "code": "context_length_exceeded"}}


def test_invalid_request_400_keeps_upstream_message(sdk: Any, fam: Family, mock: Any) -> None:
    message = "temperature: Input should be less than or equal to 2"
    mock.enqueue(status=400, error_type="invalid_request_error", error_message=message)
    with pytest.raises(openai.BadRequestError) as info:
        sdk.chat.completions.create(model=fam.alias, messages=MSG)
    err = error_body(info.value)["error"]
    assert (err["message"], err["type"]) == (message, "invalid_request_error")
    assert info.value.message == f"Error code: 400 - {message}"


HTML_502_MESSAGES = {
    "openai": "upstream provider sim-openai returned HTTP 502 with a non-JSON body: 502 Bad Gateway",
    "anthropic": "Anthropic upstream returned HTTP 502 with a non-JSON body (text/html): 502 Bad Gateway",
    "gemini": "Gemini returned HTTP 502 with a body that is not a Google API error: 502 Bad Gateway",
}


def test_html_502_becomes_json(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(status=502, html=True)
    with pytest.raises(openai.APIStatusError) as info:
        sdk.chat.completions.create(model=fam.alias, messages=MSG)
    e = info.value
    assert isinstance(e, openai.InternalServerError)
    assert e.status_code == 502
    assert e.response.headers["content-type"] == "application/json"
    assert "<" not in e.response.text
    assert error_body(e) == {"error": {"message": HTML_502_MESSAGES[fam.name], "type": "server_error",
                                       "param": None, "code": None}}


# --- broken streams -----------------------------------------------------------------------------


def _assert_partial(got: List[Any]) -> None:
    text = "".join(c.choices[0].delta.content or "" for c in got if c.choices)
    assert LONG_TEXT.startswith(text) and text != LONG_TEXT
    assert text  # what arrived before the fault was relayed, not buffered
    assert [c for c in got if c.choices and c.choices[0].finish_reason] == []


def test_cut_stream_raises(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text=LONG_TEXT, cut_after_chunks=5)
    got: List[Any] = []
    with pytest.raises(openai.APIError) as info:
        stream = sdk.chat.completions.create(model=fam.alias, messages=MSG, stream=True)
        with stream:
            for chunk in stream:  # not list(): keep what arrived before the error
                got.append(chunk)  # noqa: PERF402
    e = info.value
    assert type(e) is openai.APIError  # an in-stream error event, not an HTTP status
    # Chat Completions has no code for an interrupted stream: type server_error, code null
    assert (e.body["type"], e.body["param"], e.body["code"]) == ("server_error", None, None)
    assert e.message == f"the upstream response from 127.0.0.1:{mock.port} was cut before its end: the connection closed mid-body"
    _assert_partial(got)


def test_midstream_error_raises(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text=LONG_TEXT, midstream_error={"after_chunks": 5, "type": "overloaded_error",
                                                  "message": "Overloaded"})
    got: List[Any] = []
    with pytest.raises(openai.APIError) as info:
        stream = sdk.chat.completions.create(model=fam.alias, messages=MSG, stream=True)
        with stream:
            for chunk in stream:  # not list(): keep what arrived before the error
                got.append(chunk)  # noqa: PERF402
    e = info.value
    assert type(e) is openai.APIError
    assert e.message == "Overloaded"
    assert e.body == {"message": "Overloaded", "type": "service_unavailable_error", "param": None, "code": None}
    _assert_partial(got)


def test_cut_nonstream_body(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text=LONG_TEXT, cut_after_chunks=20)  # non-stream: 20 body bytes, then close
    with pytest.raises(openai.APIStatusError) as info:
        sdk.chat.completions.create(model=fam.alias, messages=MSG)
    assert info.value.status_code == 502
    assert error_body(info.value)["error"]["type"] == "server_error"


# --- caller errors ------------------------------------------------------------------------------


def test_unknown_model(sdk: Any, mock: Any) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        sdk.chat.completions.create(model="no-such-model", messages=MSG)
    assert info.value.status_code == 404
    assert error_body(info.value) == {"error": {
        "message": "The model `no-such-model` does not exist or you do not have access to it.",
        "type": "invalid_request_error", "param": "model", "code": "model_not_found"}}
    assert mock.request_count == 0


def test_unknown_model_streaming(sdk: Any, mock: Any) -> None:
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model="no-such-model", messages=MSG, stream=True)
    assert mock.request_count == 0


def test_messages_not_a_list(sdk: Any, fam: Family, mock: Any) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        sdk.chat.completions.create(model=fam.alias, messages="hi")  # type: ignore[arg-type]
    assert error_body(info.value) == {"error": {
        "message": "Invalid type for 'messages': expected an array, but got string.",
        "type": "invalid_request_error", "param": "messages", "code": "invalid_type"}}
    assert mock.request_count == 0


def test_missing_messages(sdk: Any, mock: Any) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        sdk.chat.completions.create(model="gpt-4o-mini", messages=openai.omit)  # type: ignore[arg-type]
    err = error_body(info.value)["error"]
    assert (err["message"], err["param"], err["code"]) == (
        "Missing required parameter: 'messages'.", "messages", "missing_required_parameter")
    assert mock.request_count == 0


# --- client disconnect cancels the upstream -----------------------------------------------------


@pytest.mark.parametrize("entry", ["native", "asgi"])
def test_disconnect_cancels_upstream(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text=LONG_TEXT, stall_after_chunks=4, stall_ms=60000)
    stream = sdk.chat.completions.create(model=fam.alias, messages=MSG, stream=True)
    first = next(iter(stream))
    assert first.model == fam.alias
    assert mock.disconnects == 0
    stream.close()
    assert mock.wait_for_disconnects(1, timeout=5)
    assert mock.request_count == 1


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_client_timeout_cancels_upstream(sdk: Any, fam: Family, mock: Any, stream: bool) -> None:
    """The SDK's own timeout (before the head, or between stream chunks) frees the upstream too."""
    if stream:
        mock.enqueue(text=LONG_TEXT, stall_after_chunks=4, stall_ms=60000)
    else:
        mock.enqueue(text="late", first_byte_delay_ms=60000)
    got: List[Any] = []
    with pytest.raises(openai.APITimeoutError):
        resp = sdk.with_options(timeout=0.3).chat.completions.create(model=fam.alias, messages=MSG, stream=stream)
        if stream:
            for chunk in resp:  # not list(): keep what arrived before the timeout
                got.append(chunk)  # noqa: PERF402
    assert mock.wait_for_disconnects(1, timeout=5)
    assert mock.request_count == 1
    if stream:
        _assert_partial(got)
