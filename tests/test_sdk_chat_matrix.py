"""The official OpenAI SDK through each entry point against each upstream family: text, streaming,
tool calls.

Every test runs 3 x 3 times: ``sdk`` is the native server, the FastAPI/uvicorn ASGI mount or the
in-process httpx transport; ``fam`` is an alias routed to the OpenAI, Anthropic or Gemini
simulator. Translation of requests (tool results, images, system prompts, usage, structured
output) is in test_sdk_chat_translation.py, faults in test_sdk_chat_faults.py, recorded-traffic
replay in test_sdk_chat_replay.py.
"""

from __future__ import annotations

import json
from typing import Any, List

import pytest

from _sdk_matrix import MSG, TIME_TOOL, WEATHER_TOOL, Family, tool_script, upstream

pytest_plugins = ["_sdk_fixtures"]  # fixtures: sdk, fam, entry

openai = pytest.importorskip("openai")


# --- 1. plain text ------------------------------------------------------------------------------


def test_plain_text(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="Hello from the matrix.", usage={"input": 7, "output": 4})
    raw = sdk.chat.completions.with_raw_response.create(model=fam.alias, messages=MSG)
    assert raw.http_response.status_code == 200
    assert raw.headers["x-openrain-provider"] == fam.provider
    assert raw.headers["x-openrain-upstream-model"] == fam.upstream_model
    resp = raw.parse()
    assert resp.object == "chat.completion"
    assert resp.model == fam.alias
    assert len(resp.choices) == 1
    choice = resp.choices[0]
    assert choice.index == 0
    assert choice.message.role == "assistant"
    assert choice.message.content == "Hello from the matrix."
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "stop"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (7, 4, 11)
    assert mock.request_count == 1
    assert mock.last_request.path == fam.chat_path(stream=False)


# --- 2. streaming -------------------------------------------------------------------------------


def test_stream_helper(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="alpha beta gamma delta")
    deltas: List[str] = []
    with sdk.chat.completions.stream(model=fam.alias, messages=MSG) as stream:
        for event in stream:
            if event.type == "content.delta":
                deltas.append(event.delta)
        final = stream.get_final_completion()
    assert "".join(deltas) == "alpha beta gamma delta"
    assert len(deltas) > 1
    # like OpenAI (fixtures/openai-chat/text-stream.sse) the role chunk carries content "", then
    # the simulator's one-word-per-delta split passes through unchanged
    assert deltas == ["", "alpha", " beta", " gamma", " delta"]
    assert final.model == fam.alias
    assert final.choices[0].message.content == "alpha beta gamma delta"
    assert final.choices[0].message.role == "assistant"
    assert final.choices[0].finish_reason == "stop"
    assert mock.last_request.path == fam.chat_path(stream=True)


def test_stream_include_usage(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="one two three", usage={"input": 9, "output": 3})
    raw = sdk.chat.completions.with_raw_response.create(model=fam.alias, messages=MSG, stream=True,
                                                        stream_options={"include_usage": True})
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert raw.headers["x-openrain-provider"] == fam.provider
    with raw.parse() as stream:
        chunks = list(stream)
    assert len(chunks) > 2
    ids = {c.id for c in chunks}
    assert len(ids) == 1 and ids != {""}
    assert all(c.object == "chat.completion.chunk" and c.model == fam.alias for c in chunks)
    last = chunks[-1]
    assert last.choices == []
    assert (last.usage.prompt_tokens, last.usage.completion_tokens, last.usage.total_tokens) == (9, 3, 12)
    body = chunks[:-1]
    assert all(c.usage is None for c in body)
    assert "".join(c.choices[0].delta.content or "" for c in body) == "one two three"
    assert [c.choices[0].finish_reason for c in body] == [None] * (len(body) - 1) + ["stop"]


def test_stream_without_include_usage_has_no_usage_chunk(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(text="one two")
    with sdk.chat.completions.create(model=fam.alias, messages=MSG, stream=True) as stream:
        chunks = list(stream)
    assert all(len(c.choices) == 1 and c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


# --- 3. one tool call ---------------------------------------------------------------------------


def test_tool_call(sdk: Any, fam: Family, mock: Any) -> None:
    args = {"city": "Paris", "unit": "c"}
    mock.enqueue(tool_calls=[tool_script("get_weather", args, fam.tool_id(1))])
    resp = sdk.chat.completions.create(model=fam.alias, messages=MSG, tools=[WEATHER_TOOL])
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert len(choice.message.tool_calls) == 1
    call = choice.message.tool_calls[0]
    assert call.type == "function"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == args
    if fam.tool_id(1):
        assert call.id == fam.tool_id(1)
    else:
        assert call.id.startswith("call_") and len(call.id) > len("call_")


def test_tool_call_streaming(sdk: Any, fam: Family, mock: Any) -> None:
    args = {"city": "Zürich"}
    mock.enqueue(tool_calls=[tool_script("get_weather", args, fam.tool_id(1))])
    with sdk.chat.completions.stream(model=fam.alias, messages=MSG, tools=[WEATHER_TOOL]) as stream:
        done = [e for e in stream if e.type == "tool_calls.function.arguments.done"]
        final = stream.get_final_completion()
    assert [(e.name, e.index, json.loads(e.arguments)) for e in done] == [("get_weather", 0, args)]
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert [c.function.name for c in choice.message.tool_calls] == ["get_weather"]
    assert json.loads(choice.message.tool_calls[0].function.arguments) == args
    assert choice.message.tool_calls[0].id


# --- 4. two parallel tool calls -----------------------------------------------------------------


def test_parallel_tool_calls(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(tool_calls=[tool_script("get_weather", {"city": "Paris"}, fam.tool_id(1)),
                             tool_script("get_weather", {"city": "Tokyo", "unit": "f"}, fam.tool_id(2))])
    resp = sdk.chat.completions.create(model=fam.alias, messages=MSG, tools=[WEATHER_TOOL])
    calls = resp.choices[0].message.tool_calls
    assert resp.choices[0].finish_reason == "tool_calls"
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Tokyo", "unit": "f"})]
    assert len({c.id for c in calls}) == 2 and all(calls[i].id for i in range(2))
    if fam.tool_id(1):
        assert [c.id for c in calls] == [fam.tool_id(1), fam.tool_id(2)]


def test_parallel_tool_calls_streaming(sdk: Any, fam: Family, mock: Any) -> None:
    mock.enqueue(tool_calls=[tool_script("get_weather", {"city": "Paris"}, fam.tool_id(1)),
                             tool_script("get_time", {}, fam.tool_id(2))])
    with sdk.chat.completions.create(model=fam.alias, messages=MSG, tools=[WEATHER_TOOL, TIME_TOOL],
                                     stream=True) as stream:
        chunks = list(stream)
    starts = [(tc.index, tc.id, tc.function.name)
              for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or []) if tc.id]
    assert [(i, n) for i, _, n in starts] == [(0, "get_weather"), (1, "get_time")]
    assert len({i for _, i, _ in starts}) == 2
    args = ["", ""]
    for c in chunks:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            args[tc.index] += (tc.function.arguments or "") if tc.function else ""
    assert [json.loads(a) for a in args] == [{"city": "Paris"}, {}]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


# --- 5. zero-argument tool call -----------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_zero_argument_tool_call(sdk: Any, fam: Family, mock: Any, stream: bool) -> None:
    mock.enqueue(tool_calls=[tool_script("get_time", {}, fam.tool_id(1))])
    if stream:
        with sdk.chat.completions.stream(model=fam.alias, messages=MSG, tools=[TIME_TOOL]) as s:
            for _ in s:
                pass
            final = s.get_final_completion()
    else:
        final = sdk.chat.completions.create(model=fam.alias, messages=MSG, tools=[TIME_TOOL])
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert [(c.function.name, c.function.arguments) for c in choice.message.tool_calls] == [("get_time", "{}")]
    assert mock.last_request.path == fam.chat_path(stream=stream)
    body = upstream(mock)
    assert body.get("stream", False) is (stream and fam.name != "gemini")


# --- text and tool calls together; unicode split across deltas; finish reasons ------------------


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_text_then_tool_call(sdk: Any, fam: Family, mock: Any, stream: bool) -> None:
    mock.enqueue(text="Let me check.", tool_calls=[tool_script("get_weather", {"city": "Oslo"}, fam.tool_id(1))])
    if stream:
        with sdk.chat.completions.stream(model=fam.alias, messages=MSG, tools=[WEATHER_TOOL]) as s:
            for _ in s:
                pass
            final = s.get_final_completion()
    else:
        final = sdk.chat.completions.create(model=fam.alias, messages=MSG, tools=[WEATHER_TOOL])
    msg = final.choices[0].message
    assert msg.content == "Let me check."
    assert [(c.function.name, json.loads(c.function.arguments)) for c in msg.tool_calls] == [
        ("get_weather", {"city": "Oslo"})]
    assert final.choices[0].finish_reason == "tool_calls"


def test_unicode_split_across_deltas(sdk: Any, fam: Family, mock: Any) -> None:
    text = "héllo wörld 日本語 🎉 ünïcödé"
    mock.enqueue(text=text, chunks=9)  # byte-based split: multi-byte characters sit on boundaries
    with sdk.chat.completions.create(model=fam.alias, messages=MSG, stream=True) as stream:
        deltas = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert "".join(deltas) == text
    assert len(deltas) > 3


@pytest.mark.parametrize("scripted,expected", [("length", "length"), ("content_filter", "content_filter"),
                                               ("stop_sequence", "stop")])
@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_finish_reasons(sdk: Any, fam: Family, mock: Any, stream: bool, scripted: str, expected: str) -> None:
    mock.enqueue(text="abc def", finish=scripted, stop_sequence="END")
    if stream:
        with sdk.chat.completions.create(model=fam.alias, messages=MSG, stream=True) as s:
            chunks = [c for c in s if c.choices]
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == "abc def"
        assert [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason] == [expected]
    else:
        resp = sdk.chat.completions.create(model=fam.alias, messages=MSG)
        assert (resp.choices[0].message.content, resp.choices[0].finish_reason) == ("abc def", expected)
