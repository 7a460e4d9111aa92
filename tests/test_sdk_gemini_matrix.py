"""The official ``google-genai`` SDK on the gateway's Gemini surface
(``/v1beta/models/{alias}:generateContent`` / ``:streamGenerateContent?alt=sse``) against each upstream
family: text, streaming, function calling (single, parallel, zero-argument), function responses,
images, system instructions, structured output, stop sequences, usage and finish reasons — and what
each upstream received in ITS native shape.

The client is ``genai.Client(api_key=..., http_options=HttpOptions(base_url=<gateway>,
api_version="v1beta", retry_options=HttpRetryOptions(attempts=1)))`` (this SDK defaults to "v1").
Parametrised over ``fam`` and ``entry`` (native server; a few tests also through the ASGI mount and the
in-process transport). Faults, credentials and count_tokens are in test_sdk_gemini_faults.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, List

import pytest

from _sdk_matrix import PNG_B64, Family, upstream

pytest_plugins = ["_sdk_fixtures", "_surface_fixtures", "_compat_report"]

genai = pytest.importorskip("google.genai")
from google.genai import types  # noqa: E402

COMPAT_SURFACE = "gemini"
ALL_ENTRIES = ["native", "asgi", "inprocess"]

WEATHER_PARAMS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
WEATHER = types.FunctionDeclaration(name="get_weather", description="Current weather for a city",
                                    parameters_json_schema=WEATHER_PARAMS)
CLOCK = types.FunctionDeclaration(name="get_time", description="Current time (no arguments)")
TOOLS = [types.Tool(function_declarations=[WEATHER, CLOCK])]


@pytest.fixture(params=["native"])
def entry(request: Any) -> str:
    return request.param


def _generate(gclient: Any, fam: Family, contents: Any = "hi", **config: Any) -> Any:
    cfg = types.GenerateContentConfig(**config) if config else None
    return gclient.models.generate_content(model=fam.alias, contents=contents, config=cfg)


def _stream(gclient: Any, fam: Family, contents: Any = "hi", **config: Any) -> List[Any]:
    cfg = types.GenerateContentConfig(**config) if config else None
    return list(gclient.models.generate_content_stream(model=fam.alias, contents=contents, config=cfg))


def _final_text(chunks: List[Any]) -> str:
    return "".join(c.text or "" for c in chunks)


def _calls(resp_or_chunks: Any) -> List[Any]:
    if isinstance(resp_or_chunks, list):
        return [fc for c in resp_or_chunks for fc in (c.function_calls or [])]
    return list(resp_or_chunks.function_calls or [])


# --- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_text(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("text", "model alias echoed", "max_tokens")
    mock.enqueue(text="Hello from the matrix.", usage={"input": 7, "output": 4})
    resp = _generate(gclient, fam, max_output_tokens=99)
    headers = resp.sdk_http_response.headers
    assert headers["x-openrain-provider"] == fam.provider
    assert headers["x-openrain-upstream-model"] == fam.upstream_model
    assert resp.text == "Hello from the matrix."
    assert resp.model_version == fam.alias
    assert resp.response_id
    cand = resp.candidates[0]
    assert (cand.content.role, cand.finish_reason, cand.index) == ("model", types.FinishReason.STOP, 0)
    um = resp.usage_metadata
    assert (um.prompt_token_count, um.candidates_token_count, um.total_token_count) == (7, 4, 11)
    assert mock.last_request.path == fam.chat_path(stream=False)
    body = upstream(mock)
    if fam.name == "openai":
        assert body == {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}],
                        "max_completion_tokens": 99}
    elif fam.name == "anthropic":
        assert body == {"model": "claude-sonnet-4-5", "max_tokens": 99,
                        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
    else:
        assert body == {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                        "generationConfig": {"maxOutputTokens": 99}}


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_stream(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("streaming", "model alias echoed")
    mock.enqueue(text="alpha beta gamma delta", usage={"input": 5, "output": 4})
    chunks = _stream(gclient, fam)
    assert [c.text for c in chunks if c.text] == ["alpha", " beta", " gamma", " delta"]
    assert all(c.model_version == fam.alias for c in chunks)
    assert len({c.response_id for c in chunks}) == 1 and chunks[0].response_id
    finishes = [c.candidates[0].finish_reason for c in chunks if c.candidates and c.candidates[0].finish_reason]
    assert finishes == [types.FinishReason.STOP]
    assert chunks[-1].usage_metadata.candidates_token_count == 4
    assert mock.last_request.path == fam.chat_path(stream=True)


# --- function calling ---------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_function_call(gclient: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("tool calls")
    mock.enqueue(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    out = (_stream if stream else _generate)(gclient, fam, tools=TOOLS)
    calls = _calls(out)
    assert [(c.name, c.args) for c in calls] == [("get_weather", {"city": "Paris"})]
    body = upstream(mock)
    if fam.name == "openai":
        assert [t["function"]["name"] for t in body["tools"]] == ["get_weather", "get_time"]
        assert body["tools"][0]["function"]["parameters"] == WEATHER_PARAMS
    elif fam.name == "anthropic":
        assert [(t["name"], t["input_schema"]) for t in body["tools"]] == [
            ("get_weather", WEATHER_PARAMS), ("get_time", {"type": "object", "properties": {}})]
    else:
        # the declaration's JSON Schema goes up in Gemini's own schema form (`parameters`)
        decls = body["tools"][0]["functionDeclarations"]
        assert decls == [{"name": "get_weather", "description": "Current weather for a city",
                          "parameters": WEATHER_PARAMS},
                         {"name": "get_time", "description": "Current time (no arguments)"}]


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_parallel_function_calls(gclient: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("parallel tool calls")
    mock.enqueue(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}},
                             {"name": "get_weather", "arguments": {"city": "Tokyo"}}])
    out = (_stream if stream else _generate)(gclient, fam, tools=TOOLS)
    assert [(c.name, c.args) for c in _calls(out)] == [("get_weather", {"city": "Paris"}),
                                                       ("get_weather", {"city": "Tokyo"})]
    last = out[-1] if stream else out
    assert last.candidates[0].finish_reason == types.FinishReason.STOP


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_zero_argument_function_call(gclient: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("zero-argument tool calls")
    mock.enqueue(tool_calls=[{"name": "get_time", "arguments": {}}])
    out = (_stream if stream else _generate)(gclient, fam, tools=TOOLS)
    assert [(c.name, c.args or {}) for c in _calls(out)] == [("get_time", {})]


def test_function_responses_round_trip(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("tool results")
    mock.enqueue(text="Paris 21, Tokyo 30.")
    contents = [
        types.Content(role="user", parts=[types.Part(text="Weather in Paris and Tokyo?")]),
        types.Content(role="model", parts=[
            types.Part(function_call=types.FunctionCall(name="get_weather", args={"city": "Paris"})),
            types.Part(function_call=types.FunctionCall(name="get_weather", args={"city": "Tokyo"}))]),
        types.Content(role="user", parts=[
            types.Part.from_function_response(name="get_weather", response={"temp": 21}),
            types.Part.from_function_response(name="get_weather", response={"temp": 30})]),
    ]
    assert _generate(gclient, fam, contents, tools=TOOLS).text == "Paris 21, Tokyo 30."
    body = upstream(mock)
    if fam.name == "openai":
        msgs = body["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "tool"]
        ids = [c["id"] for c in msgs[1]["tool_calls"]]
        assert len(set(ids)) == 2 and all(ids)
        assert [json.loads(c["function"]["arguments"]) for c in msgs[1]["tool_calls"]] == [{"city": "Paris"},
                                                                                           {"city": "Tokyo"}]
        # results pair with the calls in order (same function name, no ids on the wire)
        assert [(m["tool_call_id"], json.loads(m["content"])) for m in msgs[2:]] == [
            (ids[0], {"temp": 21}), (ids[1], {"temp": 30})]
    elif fam.name == "anthropic":
        msgs = body["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
        ids = [b["id"] for b in msgs[1]["content"]]
        assert len(set(ids)) == 2 and all(ids)
        assert [(b["tool_use_id"], json.loads(b["content"])) for b in msgs[2]["content"]] == [
            (ids[0], {"temp": 21}), (ids[1], {"temp": 30})]
    else:
        assert body["contents"][2]["parts"] == [
            {"functionResponse": {"name": "get_weather", "response": {"temp": 21}}},
            {"functionResponse": {"name": "get_weather", "response": {"temp": 30}}}]


# --- images, system instruction -----------------------------------------------------------------


def test_inline_image(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("images")
    mock.enqueue(text="A single pixel.")
    parts = [types.Part(text="What is this?"),
             types.Part.from_bytes(data=base64.b64decode(PNG_B64), mime_type="image/png")]
    assert _generate(gclient, fam, [types.Content(role="user", parts=parts)]).text == "A single pixel."
    body = upstream(mock)
    png = base64.b64decode(PNG_B64)
    if fam.name == "openai":
        [msg] = body["messages"]
        assert msg["content"][0] == {"type": "text", "text": "What is this?"}
        url = msg["content"][1]["image_url"]["url"]
        assert url.startswith("data:image/png;base64,")
        assert base64.urlsafe_b64decode(url.split(",", 1)[1].replace("+", "-").replace("/", "_")) == png
    elif fam.name == "anthropic":
        [msg] = body["messages"]
        assert msg["content"][0] == {"type": "text", "text": "What is this?"}
        src = msg["content"][1]["source"]
        assert (src["type"], src["media_type"]) == ("base64", "image/png")
        assert base64.urlsafe_b64decode(src["data"].replace("+", "-").replace("/", "_")) == png
    else:
        [content] = body["contents"]
        assert content["parts"][0] == {"text": "What is this?"}
        inline = content["parts"][1]["inlineData"]
        assert inline["mimeType"] == "image/png"
        assert base64.urlsafe_b64decode(inline["data"].replace("+", "-").replace("/", "_")) == png


def test_inline_image_standard_base64_for_other_upstreams(gclient: Any, fam: Family, mock: Any,
                                                          compat: Any) -> None:
    """google-genai sends URL-safe base64; OpenAI and Anthropic need the standard alphabet."""
    compat("images")
    mock.enqueue(text="A single pixel.")
    parts = [types.Part.from_bytes(data=base64.b64decode(PNG_B64), mime_type="image/png")]
    _generate(gclient, fam, [types.Content(role="user", parts=parts)])
    body = upstream(mock)
    if fam.name == "openai":
        assert body["messages"][0]["content"][0]["image_url"]["url"] == "data:image/png;base64," + PNG_B64
    elif fam.name == "anthropic":
        assert body["messages"][0]["content"][0]["source"]["data"] == PNG_B64
    else:  # Google takes either alphabet: whatever the caller sent goes through
        data = body["contents"][0]["parts"][0]["inlineData"]["data"]
        assert data in (PNG_B64, base64.urlsafe_b64encode(base64.b64decode(PNG_B64)).decode())


def test_system_instruction(gclient: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("system prompts")
    mock.enqueue(text="ok")
    _generate(gclient, fam, system_instruction="Be terse.")
    body = upstream(mock)
    if fam.name == "openai":
        assert body["messages"] == [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "hi"}]
    elif fam.name == "anthropic":
        assert body["system"] == "Be terse."
    else:
        assert body["systemInstruction"] == {"parts": [{"text": "Be terse."}]}
        assert body["contents"] == [{"role": "user", "parts": [{"text": "hi"}]}]


# --- structured output, stop sequences ----------------------------------------------------------

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "temp": {"type": "integer"}},
          "required": ["city", "temp"]}


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_structured_output(gclient: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("structured output")
    mock.enqueue(text='{"city": "Paris", "temp": 21}')
    cfg: Dict[str, Any] = {"response_mime_type": "application/json", "response_json_schema": SCHEMA}
    out = (_stream if stream else _generate)(gclient, fam, **cfg)
    text = _final_text(out) if stream else out.text
    assert json.loads(text) == {"city": "Paris", "temp": 21}
    body = upstream(mock)
    if fam.name == "openai":
        assert body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    elif fam.name == "anthropic":
        assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    else:
        assert body["generationConfig"] == {"responseMimeType": "application/json", "responseSchema": SCHEMA}


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_stop_sequences(gclient: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("stop sequences")
    mock.enqueue(text="abc def", finish="stop_sequence", stop_sequence="END")
    out = (_stream if stream else _generate)(gclient, fam, stop_sequences=["END", "STOP"])
    assert (_final_text(out) if stream else out.text) == "abc def"
    last = out[-1] if stream else out
    assert last.candidates[0].finish_reason == types.FinishReason.STOP
    body = upstream(mock)
    if fam.name == "openai":
        assert body["stop"] == ["END", "STOP"]
    elif fam.name == "anthropic":
        assert body["stop_sequences"] == ["END", "STOP"]
    else:
        assert body["generationConfig"]["stopSequences"] == ["END", "STOP"]


# --- usage, finish reasons ----------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_usage_cached_and_reasoning(gclient: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("usage (cached, reasoning)")
    mock.enqueue(text="ok then", usage={"input": 100, "output": 20, "cached": 40, "reasoning": 5})
    out = (_stream if stream else _generate)(gclient, fam)
    um = (out[-1] if stream else out).usage_metadata
    # candidatesTokenCount excludes thoughts; Anthropic reports no thinking count (all 20 are output)
    thoughts = 0 if fam.name == "anthropic" else 5
    assert (um.prompt_token_count, um.cached_content_token_count, um.candidates_token_count,
            um.thoughts_token_count or 0, um.total_token_count) == (100, 40, 20 - thoughts, thoughts, 120)


@pytest.mark.parametrize("scripted,expected", [("length", types.FinishReason.MAX_TOKENS),
                                               ("content_filter", types.FinishReason.SAFETY),
                                               ("stop", types.FinishReason.STOP)])
@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_finish_reasons(gclient: Any, fam: Family, mock: Any, compat: Any, stream: bool, scripted: str,
                        expected: Any) -> None:
    compat("finish reasons")
    mock.enqueue(text="abc def", finish=scripted)
    out = (_stream if stream else _generate)(gclient, fam)
    assert (_final_text(out) if stream else out.text) == "abc def"
    last = out[-1] if stream else out
    assert last.candidates[0].finish_reason == expected
    if stream:
        assert [c.candidates[0].finish_reason for c in out[:-1]] == [None] * (len(out) - 1)
