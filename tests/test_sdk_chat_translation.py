"""The OpenAI SDK through each entry point against each upstream family: what the upstream receives
in ITS native shape (tool results, images, system prompts, structured output) and what the caller
gets back (usage with cached / reasoning tokens, JSON answers).

Parametrised like test_sdk_chat_matrix.py (``sdk`` x ``fam``); upstream bodies are read from the
simulator's request log (``mock.last_request.json``).
"""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

from _sdk_matrix import MSG, WEATHER_TOOL, Family, error_body, upstream

pytest_plugins = ["_sdk_fixtures"]  # fixtures: sdk, fam, entry

openai = pytest.importorskip("openai")

# A 1x1 PNG.
PNG_B64 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PNG_URL = "data:image/png;base64," + PNG_B64


def _assistant_call(id_: str, name: str, arguments: str) -> Dict[str, Any]:
    return {"id": id_, "type": "function", "function": {"name": name, "arguments": arguments}}


# --- 6. tool-result round trip ------------------------------------------------------------------


def test_tool_result_round_trip(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="It is 21 C in Paris.")
    messages = [
        {"role": "system", "content": "You are a weather bot."},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None,
         "tool_calls": [_assistant_call("call_abc123", "get_weather", '{"city":"Paris"}')]},
        {"role": "tool", "tool_call_id": "call_abc123", "content": "21 C and sunny"},
    ]
    resp = sdk.chat.completions.create(model=fam.alias, messages=messages, tools=[WEATHER_TOOL])
    assert resp.choices[0].message.content == "It is 21 C in Paris."
    body = upstream(mock)

    if fam.name == "openai":
        msgs = body["messages"]
        assert [m["role"] for m in msgs] == ["system", "user", "assistant", "tool"]
        assert msgs[2]["tool_calls"] == [_assistant_call("call_abc123", "get_weather", '{"city":"Paris"}')]
        assert msgs[3] == {"role": "tool", "tool_call_id": "call_abc123", "content": "21 C and sunny"}
        assert body["tools"] == [WEATHER_TOOL]
    elif fam.name == "anthropic":
        assert body["system"] == "You are a weather bot."
        msgs = body["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
        assert msgs[1]["content"] == [{"type": "tool_use", "id": "call_abc123", "name": "get_weather",
                                       "input": {"city": "Paris"}}]
        first = msgs[2]["content"][0]
        assert first["type"] == "tool_result"
        assert first["tool_use_id"] == msgs[1]["content"][0]["id"]
        assert first["content"] == "21 C and sunny"
        assert body["tools"] == [{"name": "get_weather", "description": "Current weather for a city",
                                  "input_schema": WEATHER_TOOL["function"]["parameters"]}]
    else:
        assert body["systemInstruction"] == {"parts": [{"text": "You are a weather bot."}]}
        contents = body["contents"]
        assert [c["role"] for c in contents] == ["user", "model", "user"]
        call_parts = [p for p in contents[1]["parts"] if "functionCall" in p]
        # the caller's call ids go back as functionCall.id / functionResponse.id (Gemini 3 pairs by id)
        assert [p["functionCall"] for p in call_parts] == [{"name": "get_weather", "args": {"city": "Paris"},
                                                            "id": "call_abc123"}]
        # a plain-string tool result is wrapped as {"output": ...} (protocols/gemini.md)
        assert contents[2]["parts"] == [{"functionResponse": {"id": "call_abc123", "name": "get_weather",
                                                              "response": {"output": "21 C and sunny"}}}]
        decls = body["tools"][0]["functionDeclarations"]
        assert [d["name"] for d in decls] == ["get_weather"]


def test_parallel_tool_results_round_trip(sdk: Any, fam: Family, mock: Any) -> None:
    """Two results answer two calls: Anthropic / Gemini want them in ONE user turn, in call order."""
    mock.enqueue(text="Paris 21, Tokyo 30.")
    messages = [
        {"role": "user", "content": "Weather in Paris and Tokyo?"},
        {"role": "assistant", "content": None,
         "tool_calls": [_assistant_call("call_p1", "get_weather", '{"city":"Paris"}'),
                        _assistant_call("call_t2", "get_weather", '{"city":"Tokyo"}')]},
        {"role": "tool", "tool_call_id": "call_p1", "content": '{"temp": 21}'},
        {"role": "tool", "tool_call_id": "call_t2", "content": '{"temp": 30}'},
    ]
    sdk.chat.completions.create(model=fam.alias, messages=messages, tools=[WEATHER_TOOL])
    body = upstream(mock)
    if fam.name == "openai":
        assert [(m["role"], m.get("tool_call_id")) for m in body["messages"]] == [
            ("user", None), ("assistant", None), ("tool", "call_p1"), ("tool", "call_t2")]
    elif fam.name == "anthropic":
        msgs = body["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
        assert [b["id"] for b in msgs[1]["content"]] == ["call_p1", "call_t2"]
        assert [(b["type"], b["tool_use_id"], b["content"]) for b in msgs[2]["content"]] == [
            ("tool_result", "call_p1", '{"temp": 21}'), ("tool_result", "call_t2", '{"temp": 30}')]
    else:
        contents = body["contents"]
        assert [c["role"] for c in contents] == ["user", "model", "user"]
        assert [p["functionCall"]["args"] for p in contents[1]["parts"]] == [{"city": "Paris"}, {"city": "Tokyo"}]
        # a JSON-object tool result is sent as the response object itself
        assert contents[2]["parts"] == [
            {"functionResponse": {"id": "call_p1", "name": "get_weather", "response": {"temp": 21}}},
            {"functionResponse": {"id": "call_t2", "name": "get_weather", "response": {"temp": 30}}}]


# --- 7. image as a data: URL --------------------------------------------------------------------


def test_image_data_url(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="A single pixel.")
    messages = [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                             {"type": "image_url", "image_url": {"url": PNG_URL}}]}]
    resp = sdk.chat.completions.create(model=fam.alias, messages=messages)
    assert resp.choices[0].message.content == "A single pixel."
    body = upstream(mock)
    if fam.name == "openai":
        assert body["messages"] == messages
    elif fam.name == "anthropic":
        assert body["messages"] == [{"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}]}]
    else:
        assert body["contents"] == [{"role": "user", "parts": [
            {"text": "What is this?"}, {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}]}]


# --- 8. system and developer prompts ------------------------------------------------------------


@pytest.mark.parametrize("role", ["system", "developer"])
def test_system_prompt(sdk: Any, fam: Family, mock: Any, role: str) -> None:
    mock.enqueue(text="ok")
    sdk.chat.completions.create(model=fam.alias, messages=[{"role": role, "content": "Answer in French."}] + MSG)
    body = upstream(mock)
    if fam.name == "openai":
        assert body["messages"] == [{"role": role, "content": "Answer in French."}] + MSG
    elif fam.name == "anthropic":
        assert body["system"] == "Answer in French."
        assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    else:
        assert body["systemInstruction"] == {"parts": [{"text": "Answer in French."}]}
        assert body["contents"] == [{"role": "user", "parts": [{"text": "hi"}]}]


def test_system_and_developer_prompts_together(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="ok")
    sdk.chat.completions.create(model=fam.alias, messages=[
        {"role": "system", "content": "Be terse."}, {"role": "developer", "content": "Use metric."}] + MSG)
    body = upstream(mock)
    if fam.name == "openai":
        assert [m["role"] for m in body["messages"]] == ["system", "developer", "user"]
    elif fam.name == "anthropic":
        assert body["system"] == "Be terse.\n\nUse metric."
        assert [m["role"] for m in body["messages"]] == ["user"]
    else:
        assert body["systemInstruction"] == {"parts": [{"text": "Be terse."}, {"text": "Use metric."}]}
        assert [c["role"] for c in body["contents"]] == ["user"]


# --- 9. usage with cached and reasoning tokens --------------------------------------------------

USAGE = {"input": 100, "output": 20, "cached": 40, "reasoning": 5}


def _assert_usage(u: Any, fam: Family) -> None:
    assert (u.prompt_tokens, u.completion_tokens, u.total_tokens) == (100, 20, 120)
    assert u.prompt_tokens_details.cached_tokens == 40
    # Anthropic's usage has no reasoning count (thinking tokens are folded into output_tokens), so
    # the gateway can only report 0 for it; OpenAI and Gemini (thoughtsTokenCount) report 5.
    assert u.completion_tokens_details.reasoning_tokens == (0 if fam.name == "anthropic" else 5)
    # Only Anthropic reports cache writes (cache_creation_input_tokens), as an explicit 0 here.
    assert u.prompt_tokens_details.cache_write_tokens == (0 if fam.name == "anthropic" else None)


def test_usage_cached_and_reasoning(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="ok", usage=USAGE)
    _assert_usage(sdk.chat.completions.create(model=fam.alias, messages=MSG).usage, fam)


def test_usage_cached_and_reasoning_streaming(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="ok then", usage=USAGE)
    with sdk.chat.completions.create(model=fam.alias, messages=MSG, stream=True,
                                     stream_options={"include_usage": True}) as stream:
        chunks = list(stream)
    assert chunks[-1].choices == []
    _assert_usage(chunks[-1].usage, fam)
    assert [c for c in chunks[:-1] if c.usage is not None] == []


def test_usage_cache_write_anthropic(sdk: Any, mock: Any) -> None:
    mock.enqueue(text="ok", usage={"input": 100, "output": 20, "cached": 40, "cache_write": 10})
    u = sdk.chat.completions.create(model="claude-sonnet", messages=MSG).usage
    # Anthropic's input_tokens excludes cache reads and writes (here 50); prompt_tokens adds them back.
    assert (u.prompt_tokens, u.prompt_tokens_details.cached_tokens, u.prompt_tokens_details.cache_write_tokens) \
        == (100, 40, 10)


# --- 10. structured output ----------------------------------------------------------------------

SCHEMA: Dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "temp": {"type": "integer"}},
    "required": ["city", "temp"],
    "additionalProperties": False,
}


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_json_schema_response_format(sdk: Any, fam: Family, mock: Any, stream: bool) -> None:
    answer = '{"city": "Paris", "temp": 21}'
    mock.enqueue(text=answer)
    rf = {"type": "json_schema", "json_schema": {"name": "weather", "strict": True, "schema": SCHEMA}}
    if stream:
        with sdk.chat.completions.create(model=fam.alias, messages=MSG, response_format=rf, stream=True) as s:
            content = "".join(c.choices[0].delta.content or "" for c in s if c.choices)
    else:
        content = sdk.chat.completions.create(model=fam.alias, messages=MSG, response_format=rf) \
            .choices[0].message.content
    assert json.loads(content) == {"city": "Paris", "temp": 21}
    body = upstream(mock)
    if fam.name == "openai":
        assert body["response_format"] == rf
    elif fam.name == "anthropic":
        assert "response_format" not in body
        assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    else:
        gen = body["generationConfig"]
        assert gen["responseMimeType"] == "application/json"
        # Gemini's OpenAPI-subset responseSchema has no additionalProperties: the gateway drops it.
        assert gen["responseSchema"] == {k: v for k, v in SCHEMA.items() if k != "additionalProperties"}


def test_json_schema_parse_helper(sdk: Any, fam: Family, mock: Any) -> None:
    """The SDK's .parse() with a pydantic model: the schema goes up, the answer comes back parsed."""
    pydantic = pytest.importorskip("pydantic")

    class Weather(pydantic.BaseModel):
        city: str
        temp: int

    mock.enqueue(text='{"city":"Oslo","temp":-3}')
    parsed = sdk.chat.completions.parse(model=fam.alias, messages=MSG, response_format=Weather)
    assert parsed.choices[0].message.parsed == Weather(city="Oslo", temp=-3)
    body = upstream(mock)
    sent_schema = {"openai": lambda: body["response_format"]["json_schema"]["schema"],
                   "anthropic": lambda: body["output_config"]["format"]["schema"],
                   "gemini": lambda: body["generationConfig"]["responseSchema"]}[fam.name]()
    assert sent_schema["required"] == ["city", "temp"]
    assert {k: v["type"] for k, v in sent_schema["properties"].items()} == {"city": "string", "temp": "integer"}


def test_json_object_response_format(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text='{"ok": true}')
    kwargs: Dict[str, Any] = {"model": fam.alias, "messages": [{"role": "user", "content": "Answer in JSON."}],
                              "response_format": {"type": "json_object"}}
    if fam.name == "anthropic":
        with pytest.raises(openai.BadRequestError) as info:
            sdk.chat.completions.create(**kwargs)
        assert info.value.status_code == 400
        assert error_body(info.value) == {"error": {
            "message": "response_format 'json_object' is not supported by Anthropic models: "
                       "use 'json_schema' with an explicit schema instead.",
            "type": "invalid_request_error", "param": "response_format", "code": "unsupported_parameter"}}
        assert mock.request_count == 0
        return
    resp = sdk.chat.completions.create(**kwargs)
    assert json.loads(resp.choices[0].message.content) == {"ok": True}
    body = upstream(mock)
    if fam.name == "openai":
        assert body["response_format"] == {"type": "json_object"}
    else:
        assert body["generationConfig"] == {"responseMimeType": "application/json"}



# --- tool_choice, assistant text + tool call in history, sampling parameters --------------------

TOOL_CHOICES = {
    "auto": {"openai": "auto", "anthropic": {"type": "auto"},
             "gemini": {"functionCallingConfig": {"mode": "AUTO"}}},
    "required": {"openai": "required", "anthropic": {"type": "any"},
                 "gemini": {"functionCallingConfig": {"mode": "ANY"}}},
    "none": {"openai": "none", "anthropic": {"type": "none"},
             "gemini": {"functionCallingConfig": {"mode": "NONE"}}},
    "named": {"openai": {"type": "function", "function": {"name": "get_weather"}},
              "anthropic": {"type": "tool", "name": "get_weather"},
              "gemini": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}}},
}


@pytest.mark.parametrize("choice", sorted(TOOL_CHOICES))
def test_tool_choice(sdk: Any, fam: Family, mock: Any, choice: str) -> None:
    mock.enqueue(text="ok")
    sent = TOOL_CHOICES[choice]["openai"]
    sdk.chat.completions.create(model=fam.alias, messages=MSG, tools=[WEATHER_TOOL], tool_choice=sent)
    body = upstream(mock)
    if fam.name == "gemini":
        assert "tool_choice" not in body
        assert body["toolConfig"] == TOOL_CHOICES[choice]["gemini"]
    else:
        assert body["tool_choice"] == TOOL_CHOICES[choice][fam.name]


def test_assistant_text_and_tool_call_with_array_tool_result(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="ok")
    sdk.chat.completions.create(model=fam.alias, tools=[WEATHER_TOOL], messages=[
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "Checking.", "tool_calls": [_assistant_call("call_1", "get_weather", "{}")]},
        {"role": "tool", "tool_call_id": "call_1",
         "content": [{"type": "text", "text": "21 C"}, {"type": "text", "text": " sunny"}]}])
    body = upstream(mock)
    if fam.name == "openai":
        assert body["messages"][2]["content"] == [{"type": "text", "text": "21 C"}, {"type": "text", "text": " sunny"}]
    elif fam.name == "anthropic":
        assert body["messages"][1:] == [
            {"role": "assistant", "content": [{"type": "text", "text": "Checking."},
                                              {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": [
                {"type": "text", "text": "21 C"}, {"type": "text", "text": " sunny"}]}]}]
    else:
        model_parts = body["contents"][1]["parts"]
        assert [{k: v for k, v in p.items() if k != "thoughtSignature"} for p in model_parts] == [
            {"text": "Checking."}, {"functionCall": {"name": "get_weather", "args": {}, "id": "call_1"}}]
        assert body["contents"][2] == {"role": "user", "parts": [
            {"functionResponse": {"id": "call_1", "name": "get_weather", "response": {"output": "21 C sunny"}}}]}


def test_sampling_parameters(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="ok")
    sdk.chat.completions.create(model=fam.alias, messages=MSG, max_tokens=33, temperature=0.5, stop=["END"])
    body = upstream(mock)
    if fam.name == "openai":
        assert {k: body[k] for k in ("max_completion_tokens", "temperature", "stop")} == {
            "max_completion_tokens": 33, "temperature": 0.5, "stop": ["END"]}
        assert "max_tokens" not in body
    elif fam.name == "anthropic":
        assert {k: body[k] for k in ("max_tokens", "temperature", "stop_sequences")} == {
            "max_tokens": 33, "temperature": 0.5, "stop_sequences": ["END"]}
    else:
        assert body["generationConfig"] == {"maxOutputTokens": 33, "temperature": 0.5, "stopSequences": ["END"]}


def test_top_p_alone(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="ok")
    sdk.chat.completions.create(model=fam.alias, messages=MSG, top_p=0.9)
    body = upstream(mock)
    if fam.name == "gemini":
        assert body["generationConfig"] == {"topP": 0.9}
    else:
        assert body["top_p"] == 0.9
        assert "temperature" not in body


def test_temperature_and_top_p_to_anthropic(sdk: Any, mock: Any) -> None:
    """Keep temperature, drop top_p, and say so in x-openrain-dropped-fields (pitfall CC7)."""
    mock.enqueue(text="ok")
    raw = sdk.chat.completions.with_raw_response.create(model="claude-sonnet", messages=MSG, temperature=0.5,
                                                        top_p=0.9)
    body = upstream(mock)
    assert body["temperature"] == 0.5
    assert "top_p" not in body
    assert "top_p" in raw.headers.get("x-openrain-dropped-fields", "")


def test_dropped_fields_header_anthropic(sdk: Any, mock: Any) -> None:
    """Out-of-range / unsupported parameters are adjusted or dropped, and the caller is told."""
    mock.enqueue(text="ok")
    raw = sdk.chat.completions.with_raw_response.create(model="claude-sonnet", messages=MSG, temperature=1.5, seed=3)
    assert raw.headers["x-openrain-dropped-fields"] == "temperature, seed"
    body = upstream(mock)
    assert body["temperature"] == 1  # Anthropic's range is 0..1
    assert "seed" not in body
