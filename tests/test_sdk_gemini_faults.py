"""The ``google-genai`` SDK on the Gemini surface, continued: upstream errors as Google-RPC errors
(429 → ``ClientError`` code 429 with ``retry-after`` and ``RetryInfo``, 400, HTML 502), broken streams
(an error object in the SSE stream and in the JSON-array stream), credentials (``x-goog-api-key``,
``?key=``), ``countTokens`` (forwarded to a Gemini upstream, estimated otherwise), the non-SSE
``streamGenerateContent`` framing and the ``/v1beta/models`` listing.

Parametrised like test_sdk_gemini_matrix.py (``fam`` x native server; some tests add more entries).
"""

from __future__ import annotations

import json
from typing import Any, List

import pytest

from _sdk_matrix import (CALLER_KEY, CONTEXT_ERRORS, LONG_TEXT, Family, assert_credentials_not_forwarded,
                         sse_json, upstream)

pytest_plugins = ["_sdk_fixtures", "_surface_fixtures", "_compat_report"]

genai = pytest.importorskip("google.genai")
from google.genai import errors as genai_errors  # noqa: E402
from google.genai import types  # noqa: E402

COMPAT_SURFACE = "gemini"
ALL_ENTRIES = ["native", "asgi", "inprocess"]
BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}

HTML_502 = {
    "openai": "upstream provider sim-openai returned HTTP 502 with a non-JSON body: 502 Bad Gateway",
    "anthropic": "Anthropic upstream returned HTTP 502 with a non-JSON body (text/html): 502 Bad Gateway",
    "gemini": "Gemini returned HTTP 502 with a body that is not a Google API error: 502 Bad Gateway",
}


@pytest.fixture(params=["native"])
def entry(request: Any) -> str:
    return request.param


def _generate(gclient: Any, fam: Family) -> Any:
    return gclient.models.generate_content(model=fam.alias, contents="hi")


# --- upstream HTTP errors -----------------------------------------------------------------------


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_rate_limit(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 429", "rate-limit headers")
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="7")
    with pytest.raises(genai_errors.ClientError) as info:
        _generate(gclient, fam)
    e = info.value
    assert (e.code, e.status, e.message) == (429, "RESOURCE_EXHAUSTED", "Slow down")
    assert e.response.headers["retry-after"] == "7"
    assert e.details["error"]["details"] == [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                              "retryDelay": "7s"}]
    assert mock.request_count == 1


def test_rate_limit_on_stream_request(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 429", "rate-limit headers")
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="Slow down", retry_after="3")
    with pytest.raises(genai_errors.ClientError) as info:
        list(gclient.models.generate_content_stream(model=fam.alias, contents="hi"))
    assert info.value.code == 429
    assert info.value.response.headers["retry-after"] == "3"


def test_bad_request(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: 400")
    mock.enqueue(status=400, error_type="invalid_request_error", error_message="bad temperature")
    with pytest.raises(genai_errors.ClientError) as info:
        _generate(gclient, fam)
    assert (info.value.code, info.value.status, info.value.message) == (400, "INVALID_ARGUMENT", "bad temperature")


def test_context_length(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("context-length error")
    mock.enqueue(status=400, **CONTEXT_ERRORS[fam.name])
    with pytest.raises(genai_errors.ClientError) as info:
        _generate(gclient, fam)
    assert (info.value.code, info.value.status) == (400, "INVALID_ARGUMENT")
    assert info.value.message == CONTEXT_ERRORS[fam.name]["error_message"]


def test_html_502_is_clean_json(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("errors: HTML 502")
    mock.enqueue(status=502, html=True)
    with pytest.raises(genai_errors.ServerError) as info:
        _generate(gclient, fam)
    e = info.value
    # protocols/errors.md: an upstream 5xx is re-emitted on the Gemini surface as 500 INTERNAL
    assert (e.code, e.status, e.message) == (500, "INTERNAL", HTML_502[fam.name])
    assert e.response.headers["content-type"].startswith("application/json")
    assert "<" not in e.response.text


# --- broken streams -----------------------------------------------------------------------------


def _consume(gclient: Any, fam: Family, got: List[str]) -> None:
    for chunk in gclient.models.generate_content_stream(model=fam.alias, contents="hi"):
        got.append(chunk.text or "")


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_midstream_error(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, midstream_error={"after_chunks": 5, "type": "overloaded_error",
                                                  "message": "Overloaded"})
    got: List[str] = []
    with pytest.raises(genai_errors.ServerError) as info:
        _consume(gclient, fam, got)
    assert (info.value.code, info.value.status, info.value.message) == (503, "UNAVAILABLE", "Overloaded")
    text = "".join(got)
    assert text and LONG_TEXT.startswith(text) and text != LONG_TEXT


def test_cut_stream(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, cut_after_chunks=5)
    got: List[str] = []
    with pytest.raises(genai_errors.ServerError) as info:
        _consume(gclient, fam, got)
    assert (info.value.code, info.value.status) == (500, "INTERNAL")
    assert info.value.message == \
        f"the upstream response from 127.0.0.1:{mock.port} was cut before its end: the connection closed mid-body"


@pytest.mark.parametrize("sse", [True, False], ids=["sse", "json-array"])
def test_midstream_error_wire(http: Any, fam: Family, mock: Any, compat: Any, sse: bool) -> None:
    compat("mid-stream errors")
    mock.enqueue(text=LONG_TEXT, midstream_error={"after_chunks": 5, "type": "overloaded_error",
                                                  "message": "Overloaded"})
    r = http.post(f"/v1beta/models/{fam.alias}:streamGenerateContent", params={"alt": "sse"} if sse else {},
                  json=BODY)
    assert r.status_code == 200
    items = sse_json(r.content) if sse else json.loads(r.content)
    assert items[-1] == {"error": {"code": 503, "message": "Overloaded", "status": "UNAVAILABLE"}}
    assert all("candidates" in i and i["modelVersion"] == fam.alias for i in items[:-1])
    assert b"[DONE]" not in r.content


# --- framing, listing ---------------------------------------------------------------------------


def test_stream_without_alt_sse_is_a_json_array(http: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("streaming", "model alias echoed")
    mock.enqueue(text="one two three")
    r = http.post(f"/v1beta/models/{fam.alias}:streamGenerateContent", json=BODY)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    items = json.loads(r.content)
    assert isinstance(items, list) and len(items) >= 3
    assert all(i["modelVersion"] == fam.alias for i in items)
    assert "".join(p.get("text", "") for i in items for p in i["candidates"][0]["content"]["parts"]) == \
        "one two three"
    assert items[-1]["candidates"][0]["finishReason"] == "STOP"


def test_models_listing(gclient: Any, mock: Any, compat: Any) -> None:
    for u in ("openai", "anthropic", "gemini"):
        compat("model listing", upstream=u)
    names = [m.name for m in gclient.models.list()]
    assert names == ["models/gpt-4o-mini", "models/gpt-4o", "models/claude-sonnet", "models/claude-haiku",
                     "models/gemini-flash", "models/gemini-pro"]
    assert mock.request_count == 0


# --- credentials --------------------------------------------------------------------------------


def test_x_goog_api_key_never_forwarded(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("credentials")
    mock.enqueue(text="ok")
    list(gclient.models.generate_content_stream(model=fam.alias, contents="hi"))
    assert_credentials_not_forwarded(mock, fam)


@pytest.mark.parametrize("entry", ["native", "inprocess"])
def test_key_query_parameter_never_forwarded(http: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("credentials")
    mock.enqueue(text="ok")
    r = http.post(f"/v1beta/models/{fam.alias}:generateContent", params={"key": CALLER_KEY}, json=BODY)
    assert r.status_code == 200
    assert r.json()["modelVersion"] == fam.alias
    assert_credentials_not_forwarded(mock, fam)
    assert "key=" not in mock.last_request.query


# --- countTokens --------------------------------------------------------------------------------


def test_count_tokens(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("count_tokens")
    if fam.name == "gemini":
        mock.enqueue(match={"count_tokens": True}, usage={"input": 42})
    resp = gclient.models.count_tokens(model=fam.alias, contents="How many tokens is this?")
    headers = resp.sdk_http_response.headers
    assert headers["x-openrain-provider"] == fam.provider
    if fam.name == "gemini":
        assert headers["x-openrain-token-count"] == "upstream"
        assert resp.total_tokens == 42
        assert [r.path for r in mock.requests] == ["/v1beta/models/gemini-2.5-flash:countTokens"]
        assert upstream(mock) == {"generateContentRequest": {
            "model": "models/gemini-2.5-flash",
            "contents": [{"role": "user", "parts": [{"text": "How many tokens is this?"}]}]}}
    else:
        assert headers["x-openrain-token-count"] == "estimate"
        assert resp.total_tokens > 0
        assert mock.request_count == 0


THINKING_BODY = {"contents": [{"role": "user", "parts": [{"text": "2+2?"}]}],
                 "generationConfig": {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 2048}}}


def test_thinking_config_and_thoughts(http: Any, fam: Family, mock: Any, compat: Any) -> None:
    """includeThoughts: the upstream's reasoning comes back as `thought: true` parts before the text."""
    compat("reasoning")
    mock.enqueue(text="The answer is 4.", reasoning="Two plus two is four.")
    r = http.post(f"/v1beta/models/{fam.alias}:generateContent", json=THINKING_BODY)
    assert r.status_code == 200, r.text
    parts = r.json()["candidates"][0]["content"]["parts"]
    thoughts = "".join(p["text"] for p in parts if p.get("thought"))
    visible = "".join(p.get("text", "") for p in parts if not p.get("thought"))
    assert visible == "The answer is 4."
    if fam.name == "openai":  # Chat Completions returns no reasoning text (only a token count)
        assert thoughts == ""
    else:
        assert thoughts == "Two plus two is four."
    body = upstream(mock)
    if fam.name == "anthropic":
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    elif fam.name == "gemini":
        assert body["generationConfig"]["thinkingConfig"] == {"includeThoughts": True, "thinkingBudget": 2048}


def test_thoughts_parse_in_the_sdk(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    """thoughtSignature is a proto `bytes` field: the SDK rejects anything that is not base64."""
    compat("reasoning")
    mock.enqueue(text="The answer is 4.", reasoning="Two plus two is four.")
    cfg = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(include_thoughts=True))
    resp = gclient.models.generate_content(model=fam.alias, contents="2+2?", config=cfg)
    assert resp.text == "The answer is 4."
