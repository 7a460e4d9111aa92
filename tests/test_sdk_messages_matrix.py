"""The official Anthropic SDK on the gateway's Messages surface (``/v1/messages``) against each
upstream family: text, streaming (``messages.stream`` + ``get_final_message``), tool calls (single,
parallel, zero-argument), tool results, images, system prompts, structured output, stop sequences,
usage and stop reasons — and what each upstream received in ITS native shape.

Parametrised over ``fam`` (an alias routed to sim-openai, sim-anthropic or sim-gemini) and ``entry``
(the native server; a few tests also run through the ASGI mount).
Faults, credentials, headers, count_tokens and keep-alive are in test_sdk_messages_faults.py.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from _sdk_matrix import MSG, PNG_B64, Family, sse_frames, upstream

pytest_plugins = ["_sdk_fixtures", "_surface_fixtures", "_compat_report"]

anthropic = pytest.importorskip("anthropic")

COMPAT_SURFACE = "messages"
# No in-process entry: anthropic >= 2 sends through httpx2, and Gateway.http_transport() is an
# httpx transport (the SDK rejects it).
ALL_ENTRIES = ["native", "asgi"]

WEATHER = {"name": "get_weather", "description": "Current weather for a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
CLOCK = {"name": "get_time", "description": "Current time (no arguments)",
         "input_schema": {"type": "object", "properties": {}}}
OAI_WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city",
                                                "parameters": WEATHER["input_schema"]}}


@pytest.fixture(params=["native"])
def entry(request: Any) -> str:
    return request.param


def _create(claude: Any, fam: Family, **kw: Any) -> Any:
    kw.setdefault("max_tokens", 256)
    kw.setdefault("messages", MSG)
    return claude.messages.create(model=fam.alias, **kw)


def _stream_final(claude: Any, fam: Family, **kw: Any) -> Any:
    kw.setdefault("max_tokens", 256)
    kw.setdefault("messages", MSG)
    with claude.messages.stream(model=fam.alias, **kw) as stream:
        for _ in stream:
            pass
        return stream.get_final_message()


def _max_tokens_sent(fam: Family, body: Dict[str, Any]) -> Any:
    return {"openai": lambda: body["max_completion_tokens"], "anthropic": lambda: body["max_tokens"],
            "gemini": lambda: body["generationConfig"]["maxOutputTokens"]}[fam.name]()


# --- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_text(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("text", "model alias echoed", "max_tokens")
    mock.enqueue(text="Hello from the matrix.", usage={"input": 7, "output": 4})
    raw = claude.messages.with_raw_response.create(model=fam.alias, max_tokens=99, messages=MSG)
    assert raw.http_response.status_code == 200
    assert raw.headers["x-openrain-provider"] == fam.provider
    assert raw.headers["x-openrain-upstream-model"] == fam.upstream_model
    msg = raw.parse()
    assert msg.type == "message" and msg.role == "assistant"
    assert msg.id.startswith("msg_") and len(msg.id) > 8
    assert msg.model == fam.alias
    assert [(b.type, b.text) for b in msg.content] == [("text", "Hello from the matrix.")]
    assert (msg.stop_reason, msg.stop_sequence) == ("end_turn", None)
    assert (msg.usage.input_tokens, msg.usage.output_tokens) == (7, 4)
    assert mock.request_count == 1
    assert mock.last_request.path == fam.chat_path(stream=False)
    body = upstream(mock)
    assert _max_tokens_sent(fam, body) == 99
    if fam.name == "openai":
        assert body == {"model": "gpt-4o-mini", "messages": MSG, "max_completion_tokens": 99}
    elif fam.name == "anthropic":
        assert body == {"model": "claude-sonnet-4-5", "max_tokens": 99, "messages": MSG}
    else:
        assert body == {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                        "generationConfig": {"maxOutputTokens": 99}}


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_stream_get_final_message(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("streaming", "model alias echoed")
    mock.enqueue(text="alpha beta gamma delta", usage={"input": 5, "output": 4})
    deltas: List[str] = []
    with claude.messages.stream(model=fam.alias, max_tokens=64, messages=MSG) as stream:
        for text in stream.text_stream:
            deltas.append(text)
        final = stream.get_final_message()
    assert deltas == ["alpha", " beta", " gamma", " delta"]
    assert final.model == fam.alias
    assert [(b.type, b.text) for b in final.content] == [("text", "alpha beta gamma delta")]
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 4
    assert mock.last_request.path == fam.chat_path(stream=True)
    if fam.name == "gemini":
        assert mock.last_request.query == "alt=sse"
    else:
        assert upstream(mock)["stream"] is True


def test_stream_wire_grammar(http: Any, fam: Family, mock: Any, compat: Any) -> None:
    """Raw frames: `event:` equals data.type, one message_start with the alias, balanced blocks,
    message_delta then message_stop last, no [DONE]."""
    compat("streaming", "model alias echoed")
    mock.enqueue(text="one two", tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    r = http.post("/v1/messages", json={"model": fam.alias, "max_tokens": 50, "stream": True, "messages": MSG,
                                        "tools": [WEATHER]})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert b"[DONE]" not in r.content
    frames = sse_frames(r.content)
    data = [json.loads(d) for _, d in frames]
    assert all(ev == d["type"] for (ev, _), d in zip(frames, data))
    types = [d["type"] for d in data if d["type"] != "ping"]
    assert types[0] == "message_start" and types.count("message_start") == 1
    assert types[-2:] == ["message_delta", "message_stop"]
    assert data[0]["message"]["model"] == fam.alias
    starts = [d["index"] for d in data if d["type"] == "content_block_start"]
    stops = [d["index"] for d in data if d["type"] == "content_block_stop"]
    assert starts == stops == [0, 1]
    kinds = [d["content_block"]["type"] for d in data if d["type"] == "content_block_start"]
    assert kinds == ["text", "tool_use"]
    assert [d for d in data if d["type"] == "message_delta"][0]["delta"]["stop_reason"] == "tool_use"


# --- tool calls ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_tool_call(claude: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("tool calls")
    call: Dict[str, Any] = {"name": "get_weather", "arguments": {"city": "Paris"}}
    if fam.tool_id(1):
        call["id"] = fam.tool_id(1)
    mock.enqueue(tool_calls=[call])
    msg = (_stream_final if stream else _create)(claude, fam, tools=[WEATHER])
    assert msg.stop_reason == "tool_use"
    assert [b.type for b in msg.content] == ["tool_use"]
    call = msg.content[0]
    assert (call.name, call.input) == ("get_weather", {"city": "Paris"})
    assert call.id and all(ch.isalnum() or ch in "_-" for ch in call.id)
    if fam.name == "anthropic":
        assert call.id == "toolu_m1"
    body = upstream(mock)
    if fam.name == "openai":
        assert body["tools"] == [OAI_WEATHER]
    elif fam.name == "anthropic":
        assert body["tools"] == [WEATHER]
    else:
        assert body["tools"] == [{"functionDeclarations": [
            {"name": "get_weather", "description": "Current weather for a city",
             "parameters": WEATHER["input_schema"]}]}]


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_parallel_tool_calls(claude: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("parallel tool calls")
    mock.enqueue(text="Checking both.", tool_calls=[
        {"name": "get_weather", "arguments": {"city": "Paris"}},
        {"name": "get_weather", "arguments": {"city": "Tokyo"}}])
    msg = (_stream_final if stream else _create)(claude, fam, tools=[WEATHER])
    assert msg.stop_reason == "tool_use"
    assert [b.type for b in msg.content] == ["text", "tool_use", "tool_use"]
    assert msg.content[0].text == "Checking both."
    calls = msg.content[1:]
    assert [(c.name, c.input) for c in calls] == [("get_weather", {"city": "Paris"}),
                                                  ("get_weather", {"city": "Tokyo"})]
    assert len({c.id for c in calls}) == 2 and all(c.id for c in calls)


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_zero_argument_tool_call(claude: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("zero-argument tool calls")
    mock.enqueue(tool_calls=[{"name": "get_time", "arguments": {}}])
    msg = (_stream_final if stream else _create)(claude, fam, tools=[CLOCK])
    assert [(b.type, b.name, b.input) for b in msg.content] == [("tool_use", "get_time", {})]
    assert msg.stop_reason == "tool_use"


# --- tool results -------------------------------------------------------------------------------

HISTORY = [
    {"role": "user", "content": "Weather in Paris and Tokyo?"},
    {"role": "assistant", "content": [
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "toolu_p1", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_t2", "name": "get_weather", "input": {"city": "Tokyo"}}]},
    {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_p1", "content": "21 C"},
        {"type": "tool_result", "tool_use_id": "toolu_t2", "content": [{"type": "text", "text": "30 C"}]}]},
]


def test_tool_results_round_trip(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("tool results")
    mock.enqueue(text="Paris 21, Tokyo 30.")
    msg = _create(claude, fam, messages=HISTORY, tools=[WEATHER])
    assert msg.content[0].text == "Paris 21, Tokyo 30."
    body = upstream(mock)
    if fam.name == "openai":
        msgs = body["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "tool"]
        assert msgs[1]["content"] == "Checking."
        assert [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
                for c in msgs[1]["tool_calls"]] == [("toolu_p1", "get_weather", {"city": "Paris"}),
                                                    ("toolu_t2", "get_weather", {"city": "Tokyo"})]
        assert [(m["tool_call_id"], m["content"]) for m in msgs[2:]] == [("toolu_p1", "21 C"), ("toolu_t2", "30 C")]
    elif fam.name == "anthropic":
        # same protocol; a result that is one text block is sent in its equivalent string form
        assert body["messages"][:2] == HISTORY[:2]
        assert body["messages"][2] == {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_p1", "content": "21 C"},
            {"type": "tool_result", "tool_use_id": "toolu_t2", "content": "30 C"}]}
    else:
        contents = body["contents"]
        assert [c["role"] for c in contents] == ["user", "model", "user"]
        parts = contents[1]["parts"]
        assert parts[0] == {"text": "Checking."}
        # the caller's call ids go back as functionCall.id / functionResponse.id (Gemini 3 pairs by id)
        assert [p["functionCall"] for p in parts[1:]] == [
            {"name": "get_weather", "args": {"city": "Paris"}, "id": "toolu_p1"},
            {"name": "get_weather", "args": {"city": "Tokyo"}, "id": "toolu_t2"}]
        assert contents[2]["parts"] == [
            {"functionResponse": {"id": "toolu_p1", "name": "get_weather", "response": {"output": "21 C"}}},
            {"functionResponse": {"id": "toolu_t2", "name": "get_weather", "response": {"output": "30 C"}}}]


# --- images -------------------------------------------------------------------------------------


def test_image_base64(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("images")
    mock.enqueue(text="A single pixel.")
    content = [{"type": "text", "text": "What is this?"},
               {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}]
    msg = _create(claude, fam, messages=[{"role": "user", "content": content}])
    assert msg.content[0].text == "A single pixel."
    body = upstream(mock)
    if fam.name == "openai":
        assert body["messages"] == [{"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG_B64}}]}]
    elif fam.name == "anthropic":
        assert body["messages"] == [{"role": "user", "content": content}]
    else:
        assert body["contents"] == [{"role": "user", "parts": [
            {"text": "What is this?"}, {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}]}]


# --- system prompts -----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["string", "blocks"])
def test_system_prompt(claude: Any, fam: Family, mock: Any, compat: Any, form: str) -> None:
    compat("system prompts")
    mock.enqueue(text="ok")
    system: Any = "Be terse." if form == "string" else [{"type": "text", "text": "Be terse."},
                                                          {"type": "text", "text": "Use metric."}]
    _create(claude, fam, system=system)
    body = upstream(mock)
    texts = ["Be terse."] if form == "string" else ["Be terse.", "Use metric."]
    if fam.name == "openai":
        sent = "Be terse." if form == "string" else [{"type": "text", "text": t} for t in texts]
        assert body["messages"][0] == {"role": "system", "content": sent}
        assert body["messages"][1:] == MSG
    elif fam.name == "anthropic":
        assert body["system"] == system
        assert body["messages"] == MSG
    else:
        assert body["systemInstruction"] == {"parts": [{"text": t} for t in texts]}
        assert body["contents"] == [{"role": "user", "parts": [{"text": "hi"}]}]


# --- structured output --------------------------------------------------------------------------

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "temp": {"type": "integer"}},
          "required": ["city", "temp"], "additionalProperties": False}


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_structured_output(claude: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("structured output")
    mock.enqueue(text='{"city": "Paris", "temp": 21}')
    fmt = {"format": {"type": "json_schema", "schema": SCHEMA}}
    msg = (_stream_final if stream else _create)(claude, fam, output_config=fmt)
    assert json.loads(msg.content[0].text) == {"city": "Paris", "temp": 21}
    body = upstream(mock)
    if fam.name == "openai":
        rf = body["response_format"]
        assert rf["type"] == "json_schema"
        assert rf["json_schema"]["schema"] == SCHEMA
    elif fam.name == "anthropic":
        assert body["output_config"] == fmt
    else:
        gen = body["generationConfig"]
        assert gen["responseMimeType"] == "application/json"
        assert gen["responseSchema"] == {k: v for k, v in SCHEMA.items() if k != "additionalProperties"}


# --- stop sequences -----------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_stop_sequences(claude: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("stop sequences")
    mock.enqueue(text="abc def", finish="stop_sequence", stop_sequence="END")
    msg = (_stream_final if stream else _create)(claude, fam, stop_sequences=["END", "STOP"])
    body = upstream(mock)
    if fam.name == "openai":
        assert body["stop"] == ["END", "STOP"]
    elif fam.name == "anthropic":
        assert body["stop_sequences"] == ["END", "STOP"]
    else:
        assert body["generationConfig"]["stopSequences"] == ["END", "STOP"]
    assert msg.content[0].text == "abc def"
    if fam.name == "anthropic":  # only Anthropic says which sequence matched
        assert (msg.stop_reason, msg.stop_sequence) == ("stop_sequence", "END")
    else:
        assert (msg.stop_reason, msg.stop_sequence) == ("end_turn", None)


# --- usage --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_usage_cached_and_reasoning(claude: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("usage (cached, reasoning)")
    mock.enqueue(text="ok then", usage={"input": 100, "output": 20, "cached": 40, "reasoning": 5})
    u = (_stream_final if stream else _create)(claude, fam).usage
    # Anthropic's input_tokens excludes cache reads; reasoning stays inside output_tokens.
    assert (u.input_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens, u.output_tokens) == \
        (60, 40, 0, 20)


def test_usage_cache_write(claude: Any, mock: Any, compat: Any) -> None:
    compat("usage (cached, reasoning)", upstream="anthropic")
    mock.enqueue(text="ok", usage={"input": 100, "output": 20, "cached": 40, "cache_write": 10})
    u = claude.messages.create(model="claude-sonnet", max_tokens=10, messages=MSG).usage
    assert (u.input_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens) == (50, 40, 10)


# --- stop reasons -------------------------------------------------------------------------------


@pytest.mark.parametrize("scripted,expected", [("length", "max_tokens"), ("content_filter", "refusal"),
                                               ("stop", "end_turn")])
@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_stop_reasons(claude: Any, fam: Family, mock: Any, compat: Any, stream: bool, scripted: str,
                      expected: str) -> None:
    compat("finish reasons")
    mock.enqueue(text="abc def", finish=scripted)
    msg = (_stream_final if stream else _create)(claude, fam)
    assert (msg.content[0].text, msg.stop_reason) == ("abc def", expected)


# --- sampling parameters and tool_choice --------------------------------------------------------


def test_sampling_and_tool_choice(claude: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("tool calls", "max_tokens")
    mock.enqueue(text="ok")
    # anthropic >= 2 has no `temperature` argument any more: send it as an extra body field
    _create(claude, fam, max_tokens=33, extra_body={"temperature": 0.5}, tools=[WEATHER],
            tool_choice={"type": "tool", "name": "get_weather"})
    body = upstream(mock)
    if fam.name == "openai":
        assert (body["max_completion_tokens"], body["temperature"]) == (33, 0.5)
        assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    elif fam.name == "anthropic":
        assert (body["max_tokens"], body["temperature"]) == (33, 0.5)
        assert body["tool_choice"] == {"type": "tool", "name": "get_weather"}
    else:
        assert body["generationConfig"] == {"maxOutputTokens": 33, "temperature": 0.5}
        assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY",
                                                                "allowedFunctionNames": ["get_weather"]}}
