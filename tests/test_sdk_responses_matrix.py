"""The official OpenAI SDK on the gateway's Responses surface (``/v1/responses``) against each
upstream family: ``responses.create`` and ``responses.stream`` + ``get_final_response`` with text,
tool calls (single, parallel, zero-argument), tool results, images, instructions, structured output,
usage and terminal states — and what each upstream received in ITS native shape.

Parametrised over ``fam`` and ``entry`` (native server; a few tests also through the ASGI mount and
the in-process transport). Faults and credentials are in test_sdk_responses_faults.py. The
Responses API has no stop sequences, so that feature is not applicable here.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from _sdk_matrix import PNG_URL, Family, upstream

pytest_plugins = ["_sdk_fixtures", "_surface_fixtures", "_compat_report"]

openai = pytest.importorskip("openai")

COMPAT_SURFACE = "responses"
ALL_ENTRIES = ["native", "asgi", "inprocess"]

WEATHER = {"type": "function", "name": "get_weather", "description": "Current weather for a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                          "additionalProperties": False}}
CLOCK = {"type": "function", "name": "get_time", "description": "Current time (no arguments)",
         "parameters": {"type": "object", "properties": {}, "additionalProperties": False}}


@pytest.fixture(params=["native"])
def entry(request: Any) -> str:
    return request.param


def _create(sdk: Any, fam: Family, **kw: Any) -> Any:
    kw.setdefault("input", "hi")
    return sdk.responses.create(model=fam.alias, **kw)


def _stream_final(sdk: Any, fam: Family, events: Any = None, **kw: Any) -> Any:
    kw.setdefault("input", "hi")
    with sdk.responses.stream(model=fam.alias, **kw) as stream:
        for ev in stream:
            if events is not None:
                events.append(ev)
        return stream.get_final_response()


def _calls(resp: Any) -> List[Any]:
    return [o for o in resp.output if o.type == "function_call"]


# --- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_text(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("text", "model alias echoed", "max_tokens")
    mock.enqueue(text="Hello from the matrix.", usage={"input": 7, "output": 4})
    raw = sdk.responses.with_raw_response.create(model=fam.alias, input="hi", max_output_tokens=99)
    assert raw.headers["x-openrain-provider"] == fam.provider
    assert raw.headers["x-openrain-upstream-model"] == fam.upstream_model
    resp = raw.parse()
    assert resp.object == "response" and resp.id.startswith("resp_")
    assert resp.model == fam.alias
    assert resp.status == "completed" and resp.error is None and resp.incomplete_details is None
    assert resp.output_text == "Hello from the matrix."
    assert [(o.type, o.role, [c.type for c in o.content]) for o in resp.output] == [
        ("message", "assistant", ["output_text"])]
    assert (resp.usage.input_tokens, resp.usage.output_tokens, resp.usage.total_tokens) == (7, 4, 11)
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
def test_stream_get_final_response(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("streaming", "model alias echoed")
    mock.enqueue(text="alpha beta gamma delta", usage={"input": 5, "output": 4})
    events: List[Any] = []
    final = _stream_final(sdk, fam, events)
    types = [e.type for e in events]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert [e.delta for e in events if e.type == "response.output_text.delta"] == [
        "alpha", " beta", " gamma", " delta"]
    assert all(e.response.model == fam.alias for e in events if hasattr(e, "response"))
    assert final.model == fam.alias and final.status == "completed"
    assert final.output_text == "alpha beta gamma delta"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (5, 4)
    assert mock.last_request.path == fam.chat_path(stream=True)


# --- tool calls ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_tool_call(sdk: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("tool calls")
    call: Dict[str, Any] = {"name": "get_weather", "arguments": {"city": "Paris"}}
    if fam.tool_id(1):
        call["id"] = fam.tool_id(1)
    mock.enqueue(tool_calls=[call])
    resp = (_stream_final if stream else _create)(sdk, fam, tools=[WEATHER])
    assert resp.status == "completed"
    calls = _calls(resp)
    assert [(c.name, json.loads(c.arguments), c.status) for c in calls] == [("get_weather", {"city": "Paris"},
                                                                            "completed")]
    assert calls[0].call_id == (fam.tool_id(1) or calls[0].call_id) and calls[0].call_id
    assert calls[0].id.startswith("fc_")
    body = upstream(mock)
    if fam.name == "openai":
        assert body["tools"] == [{"type": "function", "function": {
            "name": "get_weather", "description": "Current weather for a city",
            "parameters": WEATHER["parameters"], "strict": True}}]
    elif fam.name == "anthropic":
        assert [(t["name"], t["input_schema"]) for t in body["tools"]] == [("get_weather", WEATHER["parameters"])]
    else:
        decls = body["tools"][0]["functionDeclarations"]
        assert [(d["name"], d["parameters"]["properties"]) for d in decls] == [
            ("get_weather", {"city": {"type": "string"}})]


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_parallel_tool_calls(sdk: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("parallel tool calls")
    mock.enqueue(text="Checking.", tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}},
                                               {"name": "get_weather", "arguments": {"city": "Tokyo"}}])
    resp = (_stream_final if stream else _create)(sdk, fam, tools=[WEATHER])
    assert [o.type for o in resp.output] == ["message", "function_call", "function_call"]
    assert resp.output_text == "Checking."
    calls = _calls(resp)
    assert [json.loads(c.arguments) for c in calls] == [{"city": "Paris"}, {"city": "Tokyo"}]
    assert len({c.call_id for c in calls}) == 2 and len({c.id for c in calls}) == 2


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_zero_argument_tool_call(sdk: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("zero-argument tool calls")
    mock.enqueue(tool_calls=[{"name": "get_time", "arguments": {}}])
    resp = (_stream_final if stream else _create)(sdk, fam, tools=[CLOCK])
    assert [(c.name, c.arguments) for c in _calls(resp)] == [("get_time", "{}")]


# --- tool results -------------------------------------------------------------------------------

HISTORY: List[Dict[str, Any]] = [
    {"role": "user", "content": "Weather in Paris and Tokyo?"},
    {"type": "function_call", "call_id": "call_p1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
    {"type": "function_call", "call_id": "call_t2", "name": "get_weather", "arguments": '{"city":"Tokyo"}'},
    {"type": "function_call_output", "call_id": "call_p1", "output": "21 C"},
    {"type": "function_call_output", "call_id": "call_t2", "output": "30 C"},
]


def test_tool_results_round_trip(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("tool results")
    mock.enqueue(text="Paris 21, Tokyo 30.")
    assert _create(sdk, fam, input=HISTORY, tools=[WEATHER]).output_text == "Paris 21, Tokyo 30."
    body = upstream(mock)
    if fam.name == "openai":
        msgs = body["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "tool"]
        assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in msgs[1]["tool_calls"]] == [
            ("call_p1", "get_weather", '{"city":"Paris"}'), ("call_t2", "get_weather", '{"city":"Tokyo"}')]
        assert [(m["tool_call_id"], m["content"]) for m in msgs[2:]] == [("call_p1", "21 C"), ("call_t2", "30 C")]
    elif fam.name == "anthropic":
        msgs = body["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
        assert msgs[1]["content"] == [
            {"type": "tool_use", "id": "call_p1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "call_t2", "name": "get_weather", "input": {"city": "Tokyo"}}]
        assert msgs[2]["content"] == [{"type": "tool_result", "tool_use_id": "call_p1", "content": "21 C"},
                                      {"type": "tool_result", "tool_use_id": "call_t2", "content": "30 C"}]
    else:
        contents = body["contents"]
        assert [c["role"] for c in contents] == ["user", "model", "user"]
        # the caller's call ids go back as functionCall.id / functionResponse.id (Gemini 3 pairs by id)
        assert [p["functionCall"] for p in contents[1]["parts"]] == [
            {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_p1"},
            {"name": "get_weather", "args": {"city": "Tokyo"}, "id": "call_t2"}]
        assert contents[2]["parts"] == [
            {"functionResponse": {"id": "call_p1", "name": "get_weather", "response": {"output": "21 C"}}},
            {"functionResponse": {"id": "call_t2", "name": "get_weather", "response": {"output": "30 C"}}}]


# --- images -------------------------------------------------------------------------------------


def test_image_data_url(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("images")
    mock.enqueue(text="A single pixel.")
    content = [{"type": "input_text", "text": "What is this?"}, {"type": "input_image", "image_url": PNG_URL}]
    _create(sdk, fam, input=[{"role": "user", "content": content}])
    body = upstream(mock)
    b64 = PNG_URL.split(",", 1)[1]
    if fam.name == "openai":
        assert body["messages"] == [{"role": "user", "content": [
            {"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": PNG_URL}}]}]
    elif fam.name == "anthropic":
        assert body["messages"] == [{"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64}}]}]
    else:
        assert body["contents"] == [{"role": "user", "parts": [
            {"text": "What is this?"}, {"inlineData": {"mimeType": "image/png", "data": b64}}]}]


# --- instructions / system prompts --------------------------------------------------------------


def test_instructions_and_developer_message(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("system prompts")
    mock.enqueue(text="ok")
    _create(sdk, fam, instructions="Be terse.",
            input=[{"role": "developer", "content": "Use metric."}, {"role": "user", "content": "hi"}])
    body = upstream(mock)
    if fam.name == "openai":
        assert [(m["role"], m["content"]) for m in body["messages"]] == [
            ("system", "Be terse."), ("developer", "Use metric."), ("user", "hi")]
    elif fam.name == "anthropic":
        assert body["system"] == "Be terse.\n\nUse metric."
        assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    else:
        assert body["systemInstruction"] == {"parts": [{"text": "Be terse."}, {"text": "Use metric."}]}
        assert body["contents"] == [{"role": "user", "parts": [{"text": "hi"}]}]


# --- structured output --------------------------------------------------------------------------

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "temp": {"type": "integer"}},
          "required": ["city", "temp"], "additionalProperties": False}


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_structured_output(sdk: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("structured output")
    mock.enqueue(text='{"city": "Paris", "temp": 21}')
    fmt = {"type": "json_schema", "name": "weather", "schema": SCHEMA, "strict": True}
    resp = (_stream_final if stream else _create)(sdk, fam, text={"format": fmt})
    assert json.loads(resp.output_text) == {"city": "Paris", "temp": 21}
    body = upstream(mock)
    if fam.name == "openai":
        assert body["response_format"] == {"type": "json_schema", "json_schema": {
            "name": "weather", "schema": SCHEMA, "strict": True}}
    elif fam.name == "anthropic":
        assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    else:
        gen = body["generationConfig"]
        assert gen["responseMimeType"] == "application/json"
        assert gen["responseSchema"] == {k: v for k, v in SCHEMA.items() if k != "additionalProperties"}


# --- usage --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_usage_cached_and_reasoning(sdk: Any, fam: Family, mock: Any, compat: Any, stream: bool) -> None:
    compat("usage (cached, reasoning)")
    mock.enqueue(text="ok then", usage={"input": 100, "output": 20, "cached": 40, "reasoning": 5})
    u = (_stream_final if stream else _create)(sdk, fam).usage
    assert (u.input_tokens, u.output_tokens, u.total_tokens) == (100, 20, 120)
    assert u.input_tokens_details.cached_tokens == 40
    # Anthropic reports no thinking-token count: the gateway can only say 0.
    assert u.output_tokens_details.reasoning_tokens == (0 if fam.name == "anthropic" else 5)


# --- terminal states ----------------------------------------------------------------------------


@pytest.mark.parametrize("scripted,status,reason", [("length", "incomplete", "max_output_tokens"),
                                                    ("content_filter", "incomplete", "content_filter"),
                                                    ("stop", "completed", None)])
@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_finish_states(sdk: Any, fam: Family, mock: Any, compat: Any, stream: bool, scripted: str, status: str,
                       reason: Any) -> None:
    compat("finish reasons")
    mock.enqueue(text="abc def", finish=scripted)
    if stream:
        # the SDK's get_final_response() insists on response.completed, so read the terminal event
        with sdk.responses.stream(model=fam.alias, input="hi") as s:
            events = list(s)
        assert events[-1].type == f"response.{status}"
        assert [e.type for e in events].count(events[-1].type) == 1
        resp = events[-1].response
    else:
        resp = _create(sdk, fam)
    assert resp.output_text == "abc def"
    assert resp.status == status
    assert (resp.incomplete_details.reason if resp.incomplete_details else None) == reason


@pytest.mark.parametrize("entry", ALL_ENTRIES)
def test_request_echo(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    """A Response object echoes the request's settings (tools, tool_choice, max_output_tokens, ...)."""
    compat("request echo")
    mock.enqueue(text="ok")
    resp = _create(sdk, fam, tools=[WEATHER], tool_choice="required", max_output_tokens=77, temperature=0.5,
                   parallel_tool_calls=False)
    assert [(t.type, t.name, t.strict) for t in resp.tools] == [("function", "get_weather", True)]
    assert resp.tools[0].parameters == WEATHER["parameters"]
    assert (resp.tool_choice, resp.max_output_tokens, resp.temperature, resp.parallel_tool_calls) == (
        "required", 77, 0.5, False)
    assert resp.store is False and resp.previous_response_id is None


def test_request_echo_instructions(sdk: Any, fam: Family, mock: Any, compat: Any) -> None:
    compat("request echo")
    mock.enqueue(text="ok")
    assert _create(sdk, fam, instructions="Be terse.").instructions == "Be terse."
