"""Regression tests for provider-pitfalls.md sections 8 (errors) and 10 (Claude Code, Codex and SDKs
through a gateway) on the Anthropic Messages, Responses and Gemini surfaces. See test_pitfalls.py
for the conventions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from _pitfall_helpers import GEMINI_BODY, MSG, messages_stream, post, replay
from _sdk_matrix import LONG_TEXT, sse_frames

ALIASES = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet", "gemini": "gemini-flash"}
FAMS = list(ALIASES)
SURFACES = ["messages", "responses", "gemini"]
WEATHER = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


def _call(server: Any, surface: str, alias: str, stream: bool = False, headers: Any = None,
          **extra: Any) -> Any:
    if surface == "messages":
        body = {"model": alias, "max_tokens": 64, "messages": MSG, **extra}
        if stream:
            body["stream"] = True
        return post(server, "/v1/messages", body, headers=headers)
    if surface == "responses":
        return post(server, "/v1/responses", {"model": alias, "input": "hi", "stream": stream, **extra},
                    headers=headers)
    verb = "streamGenerateContent" if stream else "generateContent"
    return post(server, f"/v1beta/models/{alias}:{verb}", {**GEMINI_BODY, **extra}, headers=headers,
                params={"alt": "sse"} if stream else None)


def _error(surface: str, r: Any) -> Dict[str, Any]:
    """The surface's error object, checking its envelope."""
    body = r.json()
    if surface == "messages":
        assert body["type"] == "error" and set(body["error"]) == {"type", "message"}
        return body["error"]
    if surface == "responses":
        assert set(body["error"]) == {"message", "type", "param", "code"}
        return body["error"]
    assert {"code", "message", "status"} <= set(body["error"]) and body["error"]["code"] == r.status_code
    return body["error"]


# --- section 8: errors ----------------------------------------------------------------------------

# (upstream status, error type) -> expected status on (messages, responses, gemini)
STATUS_CLASSES = [
    # protocols/errors.md: Gemini reports a bad key as 400 INVALID_ARGUMENT + ErrorInfo API_KEY_INVALID
    (401, "authentication_error", (401, 401, 400)),
    (403, "permission_error", (403, 403, 403)),
    (500, "api_error", (500, 500, 500)),
    (529, "overloaded_error", (529, 503, 503)),
]


@pytest.mark.parametrize("status,etype,expected", STATUS_CLASSES, ids=[str(s[0]) for s in STATUS_CLASSES])
@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER1_status_class_kept(native_server: Any, mock: Any, surface: str, status: int, etype: str,
                                       expected: Tuple[int, int, int]) -> None:
    mock.enqueue(status=status, error_type=etype, error_message="upstream said no")
    r = _call(native_server, surface, "claude-sonnet")
    assert r.status_code == expected[SURFACES.index(surface)]
    err = _error(surface, r)
    assert err["message"] == "upstream said no"
    if surface == "gemini" and status == 401:
        assert err["status"] == "INVALID_ARGUMENT"
        assert [d.get("reason") for d in err["details"]] == ["API_KEY_INVALID"]


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ER1_rate_limit_substring_is_not_a_429(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(status=400, error_type="invalid_request_error",
                 error_message="metadata.rate_limit_tier: Extra inputs are not permitted")
    r = _call(native_server, "messages", ALIASES[fam])
    assert r.status_code == 400
    assert _error("messages", r)["type"] == "invalid_request_error"


def test_pitfall_ER1_gemini_invalid_key_is_401_elsewhere(native_server: Any, mock: Any, tmp_path: Path) -> None:
    body = {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                      "status": "INVALID_ARGUMENT", "details": [
                          {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                           "domain": "googleapis.com"}]}}
    for surface in ("messages", "responses"):
        replay(mock, tmp_path, json.dumps(body), content_type="application/json", status=400)
        r = _call(native_server, surface, "gemini-flash")
        assert r.status_code == 401, surface
        assert "API key not valid" in _error(surface, r)["message"]


@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER2_gateway_errors_use_the_surface_envelope(native_server: Any, mock: Any, surface: str) -> None:
    r = _call(native_server, surface, "no-such-model")
    assert r.status_code == {"messages": 404, "responses": 400, "gemini": 404}[surface]
    err = _error(surface, r)
    assert "no-such-model" in err["message"]
    if surface == "messages":
        assert err["type"] == "not_found_error"
    elif surface == "gemini":
        assert err["status"] == "NOT_FOUND"
    path = {"messages": "/v1/messages", "responses": "/v1/responses",
            "gemini": "/v1beta/models/gemini-flash:generateContent"}[surface]
    import httpx

    bad = httpx.post(native_server.url + path, content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    _error(surface, bad)
    assert mock.request_count == 0


@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER3_html_502_wrapped_in_the_surface_envelope(native_server: Any, mock: Any, surface: str) -> None:
    mock.enqueue(status=502, html=True)
    r = _call(native_server, surface, "gpt-4o-mini")
    assert 500 <= r.status_code < 600
    if surface != "gemini":  # Google RPC has no 502; protocols/errors.md maps upstream 5xx to 500 INTERNAL
        assert r.status_code == 502
    assert r.headers["content-type"].startswith("application/json") and "<" not in r.text
    assert "502" in _error(surface, r)["message"]


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ER3_html_error_keeps_a_short_snippet(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(status=502, html=True)
    r = _call(native_server, "messages", ALIASES[fam])
    message = _error("messages", r)["message"]
    assert "Bad Gateway" in message and "<" not in message and len(message) < 400


UPSTREAM_KEY = "sk-ant-api03-Upstream_Secret-0123456789abcdefXYZ"


@pytest.fixture(scope="module")
def keyed_server(sim: Any) -> Iterator[Any]:
    """A gateway whose upstreams use a realistic key, to prove it never reaches the caller."""
    from openrain.config import Model, Provider
    from openrain.testing import gateway_for_mock

    providers = [Provider(name=f"keyed-{kind}", kind=kind, base_url=sim.base_url, api_key=UPSTREAM_KEY)
                 for kind in ("openai", "anthropic", "gemini")]
    models = [Model(alias="keyed-openai", provider="keyed-openai", model="gpt-4o-mini"),
              Model(alias="keyed-anthropic", provider="keyed-anthropic", model="claude-sonnet-4-5"),
              Model(alias="keyed-gemini", provider="keyed-gemini", model="gemini-2.5-flash")]
    with gateway_for_mock(sim, extra_providers=providers, extra_models=models) as gw:
        handle = gw.start_server("127.0.0.1", 0)
        try:
            yield handle
        finally:
            handle.stop()


@pytest.mark.parametrize("fam", FAMS)
@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER3_snippet_never_contains_the_upstream_key(keyed_server: Any, mock: Any, fam: str,
                                                             surface: str, tmp_path: Path) -> None:
    """An upstream (or its proxy) that echoes the key in an HTML error page: the snippet stays, the
    key does not, not even a prefix of it."""
    page = (f"<html><head><title>502 Bad Gateway: key {UPSTREAM_KEY} rejected</title></head>"
            f"<body><p>GET /v1/messages?key={UPSTREAM_KEY}</p><p>Authorization: Bearer {UPSTREAM_KEY}</p>"
            "</body></html>")
    replay(mock, tmp_path, page, content_type="text/html", status=502)
    r = _call(keyed_server, surface, f"keyed-{fam}")
    assert 500 <= r.status_code < 600
    message = _error(surface, r)["message"]
    assert "Bad Gateway" in message
    for leak in (UPSTREAM_KEY, UPSTREAM_KEY[:16], "Upstream_Secret"):
        assert leak not in r.text and leak not in json.dumps(dict(r.headers))


# A JSON error message (not an HTML page) echoing the key and key-shaped tokens of every provider.
OTHER_KEYS = ("sk-ant-api03-Other_Secret-0123456789abcdefXYZ", "sk-proj-AbCdEf0123456789wxyz",
              "AIzaSyD0123456789abcdefghijklmnopqrstu", "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9")
ECHOING_MESSAGE = (f"key {UPSTREAM_KEY} rejected; also {OTHER_KEYS[0]}, {OTHER_KEYS[1]}, {OTHER_KEYS[2]}"
                   f" and Bearer {OTHER_KEYS[3]} for claude-sonnet-4-5-20250929 at messages.0.content"
                   " (request req_011CVEA3SF7rnb3DuBZytqQa)")
SCRUBBED_MESSAGE = ("key [redacted] rejected; also [redacted], [redacted], [redacted] and Bearer [redacted]"
                    " for claude-sonnet-4-5-20250929 at messages.0.content (request req_011CVEA3SF7rnb3DuBZytqQa)")


def _assert_no_key_material(r: Any) -> None:
    for leak in (UPSTREAM_KEY, UPSTREAM_KEY[:16], "Upstream_Secret", "Other_Secret", "AbCdEf0123456789",
                 "AIzaSy", "eyJ0eXAi"):
        assert leak not in r.text and leak not in json.dumps(dict(r.headers)), leak


@pytest.mark.parametrize("fam", FAMS)
@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER3_json_error_message_never_contains_key_material(keyed_server: Any, mock: Any, fam: str,
                                                                   surface: str) -> None:
    """Each upstream's own JSON error echoing the key and other providers' keys: the message is
    kept word for word except the secrets; the model name, field path and request id survive."""
    mock.enqueue(status=400, error_type="invalid_request_error", error_message=ECHOING_MESSAGE)
    r = _call(keyed_server, surface, f"keyed-{fam}")
    assert r.status_code == 400
    assert _error(surface, r)["message"] == SCRUBBED_MESSAGE
    _assert_no_key_material(r)


@pytest.mark.parametrize("fam", FAMS)
@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER3_midstream_error_never_contains_key_material(keyed_server: Any, mock: Any, fam: str,
                                                                 surface: str) -> None:
    mock.enqueue(text=LONG_TEXT, midstream_error={"after_chunks": 2, "type": "overloaded_error",
                                                  "message": ECHOING_MESSAGE})
    r = _call(keyed_server, surface, f"keyed-{fam}", stream=True)
    assert r.status_code == 200
    assert SCRUBBED_MESSAGE in r.text
    _assert_no_key_material(r)


@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER4_terminal_error_frame_per_surface(native_server: Any, mock: Any, surface: str) -> None:
    mock.enqueue(text=LONG_TEXT, midstream_error={"after_chunks": 4, "type": "overloaded_error",
                                                  "message": "Overloaded"})
    r = _call(native_server, surface, "claude-sonnet", stream=True)
    assert r.status_code == 200
    frames = sse_frames(r.content)
    last_event, last_data = frames[-1]
    data = json.loads(last_data)
    if surface == "messages":
        assert last_event == "error" and data["error"]["type"] == "overloaded_error"
    elif surface == "responses":
        assert last_event == "response.failed" and data["response"]["status"] == "failed"
        assert frames[-2][0] == "error"
    else:
        assert data == {"error": {"code": 503, "message": "Overloaded", "status": "UNAVAILABLE"}}


INVALID = {"messages": {"max_tokens": -1}, "responses": {"temperature": 9}, "gemini": {"bogusField": 1}}


@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER5_errors_before_the_stream_get_a_real_status(native_server: Any, mock: Any, surface: str) -> None:
    r = _call(native_server, surface, "gpt-4o-mini", stream=True, **INVALID[surface])
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/json")
    _error(surface, r)
    assert mock.request_count == 0
    mock.enqueue(status=429, error_type="rate_limit_error", error_message="slow", retry_after="2")
    r = _call(native_server, surface, "gpt-4o-mini", stream=True)
    assert r.status_code == 429 and r.headers["retry-after"] == "2"


@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER6_empty_upstream_400_is_not_a_context_overflow(native_server: Any, mock: Any, tmp_path: Path,
                                                                  surface: str) -> None:
    replay(mock, tmp_path, "", content_type="application/json", status=400)
    r = _call(native_server, surface, "claude-sonnet")
    assert r.status_code == 400
    err = _error(surface, r)
    assert err["message"]
    assert "too long" not in err["message"].lower() and "context" not in err["message"].lower()
    if surface == "responses":
        assert err["code"] != "context_length_exceeded"


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
@pytest.mark.parametrize("code", ["context_length_exceeded", "model_max_prompt_tokens_exceeded"])
def test_pitfall_ER7_overflow_says_prompt_is_too_long(native_server: Any, mock: Any, code: str,
                                                      stream: bool) -> None:
    mock.enqueue(status=400, error_type="invalid_request_error", error_code=code,
                 error_message="prompt token count of 200123 exceeds the limit of 128000")
    r = _call(native_server, "messages", "gpt-4o-mini", stream=stream)
    assert r.status_code == 400
    err = _error("messages", r)
    assert err["type"] == "invalid_request_error"
    assert "prompt is too long" in err["message"].lower() and "200123" in err["message"]


@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_ER8_unknown_model_is_never_swapped(native_server: Any, mock: Any, surface: str) -> None:
    for stream in (False, True):
        r = _call(native_server, surface, "claude-sonnet-typo", stream=stream)
        assert r.status_code in (400, 404)
    assert mock.request_count == 0


# --- section 10: Claude Code, Codex and SDKs ------------------------------------------------------


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_CC1_count_tokens_beta_endpoint(native_server: Any, mock: Any, fam: str) -> None:
    body = {"model": ALIASES[fam], "messages": MSG, "tools": [WEATHER]}
    r = post(native_server, "/v1/messages/count_tokens", body, params={"beta": "true"})
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"input_tokens"} and r.json()["input_tokens"] > 0
    if fam == "anthropic":
        assert [q.path for q in mock.requests] == ["/v1/messages/count_tokens"]
        assert r.headers["x-openrain-token-count"] == "upstream"
    else:
        assert mock.request_count == 0
        assert r.headers["x-openrain-token-count"] == "estimate"


def test_pitfall_CC1_count_tokens_failure_does_not_hurt_the_model(native_server: Any, mock: Any) -> None:
    mock.enqueue(match={"count_tokens": True}, status=404, error_type="not_found_error", error_message="nope")
    r = post(native_server, "/v1/messages/count_tokens", {"model": "claude-sonnet", "messages": MSG})
    assert r.status_code == 404
    mock.enqueue(text="still here")
    assert _call(native_server, "messages", "claude-sonnet").json()["content"][0]["text"] == "still here"


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_CC2_real_sdk_accumulator_accepts_the_stream(native_server: Any, mock: Any, fam: str) -> None:
    anthropic = pytest.importorskip("anthropic")
    mock.enqueue(reasoning="Plan it.", text="Calling two tools.", tool_calls=[
        {"name": "get_weather", "arguments": {"city": "Oslo"}}, {"name": "get_weather", "arguments": {"city": "Rome"}}],
        usage={"input": 20, "output": 9, "cached": 5})
    client = anthropic.Anthropic(base_url=native_server.url, api_key="k", max_retries=0)
    with client.messages.stream(model=ALIASES[fam], max_tokens=2048, messages=MSG, tools=[WEATHER],
                                thinking={"type": "enabled", "budget_tokens": 1024}) as s:
        final = s.get_final_message()
    kinds = [b.type for b in final.content]
    assert kinds[-3:] == ["text", "tool_use", "tool_use"]
    assert [b.input for b in final.content if b.type == "tool_use"] == [{"city": "Oslo"}, {"city": "Rome"}]
    assert (final.stop_reason, final.usage.cache_read_input_tokens, final.usage.output_tokens) == ("tool_use", 5, 9)


@pytest.mark.parametrize("stream_field", [None, False, "true", 1], ids=["absent", "false", "string", "int"])
def test_pitfall_CC3_stream_only_when_exactly_true(native_server: Any, mock: Any, stream_field: Any) -> None:
    mock.enqueue(text="json please")
    body: Dict[str, Any] = {"model": "claude-sonnet", "max_tokens": 9, "messages": MSG}
    if stream_field is not None:
        body["stream"] = stream_field
    r = post(native_server, "/v1/messages", body)
    assert not r.headers["content-type"].startswith("text/event-stream")
    if r.status_code == 200:
        assert r.json()["content"] == [{"type": "text", "text": "json please"}]
    else:
        assert r.status_code == 400 and isinstance(stream_field, (str, int))


@pytest.mark.parametrize("fam", ["openai", "gemini"])
def test_pitfall_CC4_messages_are_translated_not_forwarded(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    _call(native_server, "messages", ALIASES[fam], system="Be brief.", stop_sequences=["X"])
    body = mock.last_request.json
    assert not {"system", "max_tokens", "stop_sequences"} & set(body)
    assert mock.last_request.path == ("/v1/chat/completions" if fam == "openai"
                                      else "/v1beta/models/gemini-2.5-flash:generateContent")


CLIENT_HEADERS = {"user-agent": "claude-cli/2.0.1 (external, cli)", "x-app": "cli",
                  "x-stainless-lang": "js", "x-stainless-package-version": "0.60.0"}


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_CC5_client_identification_headers(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    _call(native_server, "messages", ALIASES[fam],
          headers={**CLIENT_HEADERS, "anthropic-beta": "context-1m-2025-08-07", "x-api-key": "caller-key",
                   "authorization": "Bearer caller-token"})
    got = {k: mock.last_request.header(k) for k in CLIENT_HEADERS}
    # The caller's own credentials never travel upstream, whatever the upstream.
    assert "caller-key" not in (mock.last_request.header("x-api-key") or "")
    assert "caller-token" not in (mock.last_request.header("authorization") or "")
    if fam == "anthropic":
        assert mock.last_request.header("anthropic-beta") == "context-1m-2025-08-07"
        assert got == CLIENT_HEADERS
    else:
        assert mock.last_request.header("anthropic-beta") is None
        assert got["x-app"] is None and got["x-stainless-lang"] is None
        assert got["user-agent"] != CLIENT_HEADERS["user-agent"]


def _budget(body: Dict[str, Any]) -> Tuple[int, int]:
    return body["thinking"]["budget_tokens"], body["max_tokens"]


@pytest.mark.parametrize("surface", SURFACES)
def test_pitfall_CC6_thinking_budget_clamped(native_server: Any, mock: Any, surface: str) -> None:
    mock.enqueue(text="ok")
    if surface == "messages":
        _call(native_server, surface, "claude-sonnet", max_tokens=2000,
              thinking={"type": "enabled", "budget_tokens": 500})
    elif surface == "responses":
        _call(native_server, surface, "claude-sonnet", max_output_tokens=2000, reasoning={"effort": "high"})
    else:
        _call(native_server, surface, "claude-sonnet", generationConfig={
            "maxOutputTokens": 2000, "thinkingConfig": {"thinkingBudget": 100}})
    budget, max_tokens = _budget(mock.last_request.json)
    assert 1024 <= budget < max_tokens


@pytest.mark.parametrize("surface", ["responses", "gemini"])
def test_pitfall_CC7_temperature_kept_top_p_dropped(native_server: Any, mock: Any, surface: str) -> None:
    mock.enqueue(text="ok")
    if surface == "responses":
        r = _call(native_server, surface, "claude-sonnet", temperature=0.5, top_p=0.9)
    else:
        r = _call(native_server, surface, "claude-sonnet", generationConfig={"temperature": 0.5, "topP": 0.9})
    body = mock.last_request.json
    assert body["temperature"] == 0.5 and "top_p" not in body
    assert "top_p" in r.headers.get("x-openrain-dropped-fields", "").replace("topP", "top_p")


@pytest.fixture(scope="module")
def big_default_server(sim: Any) -> Iterator[Any]:
    from openrain.testing import gateway_for_mock

    with gateway_for_mock(sim, default_max_tokens=64000) as gw:
        handle = gw.start_server("127.0.0.1", 0)
        try:
            yield handle
        finally:
            handle.stop()


@pytest.mark.parametrize("surface", ["responses", "gemini"])
def test_pitfall_CC8_max_tokens_default_is_configurable(big_default_server: Any, mock: Any, surface: str) -> None:
    mock.enqueue(text="ok")
    assert _call(big_default_server, surface, "claude-sonnet").status_code == 200
    assert mock.last_request.json["max_tokens"] == 64000
    mock.enqueue(text="ok")
    extra = {"max_output_tokens": 77} if surface == "responses" else {"generationConfig": {"maxOutputTokens": 77}}
    _call(big_default_server, surface, "claude-sonnet", **extra)
    assert mock.last_request.json["max_tokens"] == 77


def test_pitfall_CC9_cache_breakpoints_kept_in_place(native_server: Any, mock: Any) -> None:
    eph = {"type": "ephemeral"}
    body = {
        "system": [{"type": "text", "text": "Static rules.", "cache_control": eph},
                   {"type": "text", "text": "Dynamic part."}],
        "tools": [{**WEATHER, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "long doc", "cache_control": eph},
                                         {"type": "text", "text": "question"}]},
            {"role": "assistant", "content": "answer"},
            {"role": "user", "content": [{"type": "text", "text": "follow-up", "cache_control": eph}]}],
    }
    mock.enqueue(text="ok")
    _call(native_server, "messages", "claude-sonnet", **body)
    up = mock.last_request.json
    assert (up["system"], up["tools"], up["messages"]) == (body["system"], body["tools"], body["messages"])
    assert json.dumps(up).count("cache_control") == 4


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_CC10_alias_echoed_upstream_model_in_a_header(native_server: Any, mock: Any, fam: str) -> None:
    upstream_model = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-5", "gemini": "gemini-2.5-flash"}[fam]
    for surface in SURFACES:
        mock.enqueue(text="ok")
        r = _call(native_server, surface, ALIASES[fam])
        got = r.json().get("modelVersion") if surface == "gemini" else r.json()["model"]
        assert got == ALIASES[fam], surface
        assert r.headers["x-openrain-upstream-model"] == upstream_model
    mock.enqueue(text="a b")
    assert messages_stream(native_server, ALIASES[fam])[0][1]["message"]["model"] == ALIASES[fam]


def test_pitfall_CC11_unknown_responses_items_are_not_dropped(native_server: Any, mock: Any) -> None:
    r = _call(native_server, "responses", "claude-sonnet", input=[
        {"role": "user", "content": "hi"}, {"type": "compaction", "encrypted_content": "opaque"}])
    assert r.status_code == 400
    assert "compaction" in _error("responses", r)["message"]
    assert mock.request_count == 0


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_CC12_codex_stateless_requests(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    r = _call(native_server, "responses", ALIASES[fam], store=False, include=["reasoning.encrypted_content"],
              input=[{"role": "user", "content": "hi"},
                     {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAAA-opaque"},
                     {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hello"}]},
                     {"role": "user", "content": "again"}])
    assert r.status_code == 200, r.text
    assert r.json()["output"][0]["content"][0]["text"] == "ok"


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_CC14_gemini_surface_speaks_gemini(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="one two")
    r = _call(native_server, "gemini", ALIASES[fam], stream=True)
    assert r.headers["content-type"].startswith("text/event-stream")
    assert b"[DONE]" not in r.content and r.content.endswith(b"\r\n\r\n")
    chunks = [json.loads(d) for _, d in sse_frames(r.content)]
    assert all(set(c) >= {"candidates", "modelVersion", "responseId"} for c in chunks)
    assert "".join(p.get("text", "") for c in chunks for p in c["candidates"][0]["content"]["parts"]) == "one two"


# --- rate-limit state on success ------------------------------------------------------------------

RATE_LIMIT = {"anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
              "anthropic-ratelimit-tokens-remaining": "39000",
              "anthropic-ratelimit-tokens-reset": "2026-01-01T00:00:30Z"}


@pytest.mark.parametrize("stream", [False, True], ids=["non-stream", "stream"])
def test_anthropic_ratelimit_headers_on_success(native_server: Any, mock: Any, stream: bool) -> None:
    """Anthropic's rate-limit headers reach an Anthropic caller on a 200 too, not only on a 429, so
    Claude Code and the SDKs can pace themselves before they hit the limit."""
    mock.enqueue(text="ok", headers={**RATE_LIMIT, "set-cookie": "upstream=1"})
    r = _call(native_server, "messages", "claude-sonnet", stream=stream)
    assert r.status_code == 200, r.text
    assert {k: r.headers.get(k) for k in RATE_LIMIT} == RATE_LIMIT
    assert "set-cookie" not in r.headers
    if stream:
        assert sse_frames(r.content)[-1][0] == "message_stop"


def test_anthropic_ratelimit_headers_through_the_sdk(native_server: Any, mock: Any) -> None:
    import anthropic

    mock.enqueue(text="ok", headers=RATE_LIMIT)
    client = anthropic.Anthropic(base_url=native_server.url, api_key="k", max_retries=0)
    raw = client.messages.with_raw_response.create(model="claude-sonnet", max_tokens=16, messages=MSG)
    assert raw.headers["anthropic-ratelimit-requests-remaining"] == "49"
    assert raw.parse().content[0].text == "ok"
