"""Regression tests for provider-pitfalls.md section 1, continued (ST22-ST31): the Responses event
lifecycle, finish reasons that must win or must not be invented, reasoning shapes, and argument
bytes emitted exactly once. See test_pitfalls.py for the conventions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from _pitfall_helpers import (MSG, gem_chunk, gemini_sse, gemini_stream, messages_stream, messages_text,
                              oai_chunk, oai_usage_chunk, openai_sse, post, replay, responses_stream, stop_reason,
                              tool_blocks)

ALIASES = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet", "gemini": "gemini-flash"}
FAMS = list(ALIASES)
WEATHER = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
RESP_WEATHER = {"type": "function", "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}
GEM_TOOLS = [{"functionDeclarations": [{"name": "get_weather", "parameters": {
    "type": "OBJECT", "properties": {"city": {"type": "STRING"}}}}]}]


# --- ST22-ST24: the Responses lifecycle ----------------------------------------------------------


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST22_full_lifecycle_for_every_item(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="Checking.", tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    data = responses_stream(native_server, ALIASES[fam], tools=[RESP_WEATHER])
    by_item: Dict[str, List[str]] = {}
    for d in data:
        item_id = d.get("item_id") or (d.get("item") or {}).get("id")
        if item_id:
            by_item.setdefault(item_id, []).append(d["type"])
    assert len(by_item) == 2
    message, call = by_item.values()
    assert message == ["response.output_item.added", "response.content_part.added"] + \
        ["response.output_text.delta"] * message.count("response.output_text.delta") + \
        ["response.output_text.done", "response.content_part.done", "response.output_item.done"]
    assert message.count("response.output_text.delta") >= 1
    assert call[0] == "response.output_item.added" and call[-2:] == [
        "response.function_call_arguments.done", "response.output_item.done"]
    assert set(call[1:-2]) == {"response.function_call_arguments.delta"}
    added = [d["item"] for d in data if d["type"] == "response.output_item.added"]
    assert added[1]["type"] == "function_call" and added[1]["name"] == "get_weather" and added[1]["call_id"]


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST23_sequence_numbers_and_stable_item_ids(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(reasoning="Think first.", text="Answer.", tool_calls=[{"name": "get_weather",
                                                                        "arguments": {"city": "Rome"}}])
    data = responses_stream(native_server, ALIASES[fam], tools=[RESP_WEATHER],
                            reasoning={"effort": "low", "summary": "auto"})
    assert [d["sequence_number"] for d in data] == list(range(len(data)))
    index_of: Dict[str, int] = {}
    for d in data:
        item_id = d.get("item_id") or (d.get("item") or {}).get("id")
        if item_id is None or "output_index" not in d:
            continue
        assert index_of.setdefault(item_id, d["output_index"]) == d["output_index"], d["type"]
    assert sorted(index_of.values()) == list(range(len(index_of)))
    assert len(set(index_of)) == len(index_of)


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST24_completed_carries_the_whole_response(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="Checking.", tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}],
                 usage={"input": 9, "output": 4})
    data = responses_stream(native_server, ALIASES[fam], tools=[RESP_WEATHER])
    done = data[-1]
    assert done["type"] == "response.completed"
    resp = done["response"]
    assert resp["id"] == data[0]["response"]["id"] and resp["id"].startswith("resp_")
    assert (resp["object"], resp["model"], resp["status"]) == ("response", ALIASES[fam], "completed")
    streamed = [d["item"] for d in data if d["type"] == "response.output_item.done"]
    assert resp["output"] == streamed and [o["type"] for o in streamed] == ["message", "function_call"]
    assert (resp["usage"]["input_tokens"], resp["usage"]["output_tokens"]) == (9, 4)


# --- ST25-ST29: finish reasons --------------------------------------------------------------------


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST25_max_tokens_wins_over_tool_relabel(native_server: Any, mock: Any, fam: str) -> None:
    call = {"name": "get_weather", "arguments": '{"city": "Par'}
    mock.enqueue(tool_calls=[call], finish="length")
    r = post(native_server, "/v1/messages", {"model": ALIASES[fam], "max_tokens": 5, "messages": MSG,
                                             "tools": [WEATHER]})
    assert r.json()["stop_reason"] == "max_tokens"
    mock.enqueue(tool_calls=[call], finish="length")
    events = messages_stream(native_server, ALIASES[fam], tools=[WEATHER])
    assert stop_reason(events) == "max_tokens"
    mock.enqueue(tool_calls=[call], finish="length")
    data = responses_stream(native_server, ALIASES[fam], tools=[RESP_WEATHER])
    assert data[-1]["type"] == "response.incomplete"
    assert data[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    mock.enqueue(tool_calls=[call], finish="length")
    chunks = gemini_stream(native_server, ALIASES[fam], {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                                                         "tools": GEM_TOOLS})
    assert chunks[-1]["candidates"][0]["finishReason"] == "MAX_TOKENS"


@pytest.mark.parametrize("surface", ["messages", "responses"])
def test_pitfall_ST26_malformed_function_call_is_not_stop_or_filter(native_server: Any, mock: Any,
                                                                    tmp_path: Path, surface: str) -> None:
    body = {"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]},
                            "finishReason": "MALFORMED_FUNCTION_CALL", "index": 0}],
            "usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3}, "modelVersion": "gemini-2.5-flash"}
    replay(mock, tmp_path, json.dumps(body), content_type="application/json")
    if surface == "messages":
        r = post(native_server, "/v1/messages", {"model": "gemini-flash", "max_tokens": 9, "messages": MSG})
        if r.status_code == 200:
            assert r.json()["stop_reason"] not in ("end_turn", "refusal", "stop_sequence")
        else:
            assert r.status_code >= 400 and r.json()["type"] == "error"
    else:
        r = post(native_server, "/v1/responses", {"model": "gemini-flash", "input": "hi"})
        if r.status_code == 200:
            resp = r.json()
            assert resp["status"] != "completed"
            assert (resp.get("incomplete_details") or {}).get("reason") != "content_filter"
        else:
            assert r.status_code >= 400 and "error" in r.json()


@pytest.mark.parametrize("fam", ["openai", "gemini"])
@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_pitfall_ST27_tool_calls_mean_tool_use(native_server: Any, mock: Any, fam: str, stream: bool) -> None:
    """Gemini ends call turns with STOP; some OpenAI-compatible upstreams say "stop" with tool_calls."""
    script = {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}], "finish": "stop"}
    mock.enqueue(**script)
    if stream:
        events = messages_stream(native_server, ALIASES[fam], tools=[WEATHER])
        assert stop_reason(events) == "tool_use"
        assert [n for _, n, _ in tool_blocks(events)] == ["get_weather"]
    else:
        r = post(native_server, "/v1/messages", {"model": ALIASES[fam], "max_tokens": 9, "messages": MSG,
                                                 "tools": [WEATHER]})
        assert r.json()["stop_reason"] == "tool_use"
        assert [b["type"] for b in r.json()["content"]] == ["tool_use"]
    mock.enqueue(**script)
    r = post(native_server, "/v1/responses", {"model": ALIASES[fam], "input": "hi", "tools": [RESP_WEATHER],
                                              "stream": stream})
    assert b'"function_call"' in r.content and b'"get_weather"' in r.content


def test_pitfall_ST28_stop_sequences_reach_every_upstream(native_server: Any, mock: Any) -> None:
    for fam, key in [("openai", "stop"), ("anthropic", "stop_sequences"), ("gemini", "stopSequences")]:
        mock.enqueue(text="ok")
        post(native_server, "/v1/messages", {"model": ALIASES[fam], "max_tokens": 9, "messages": MSG,
                                             "stop_sequences": ["###"]})
        body = mock.last_request.json
        sent = body["generationConfig"][key] if fam == "gemini" else body[key]
        assert sent == ["###"], fam


@pytest.mark.parametrize("field", ["stop_reason", "matched_stop"])
def test_pitfall_ST28_matched_stop_string_reported(native_server: Any, mock: Any, tmp_path: Path,
                                                   field: str) -> None:
    body = {"id": "chatcmpl-x", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "abc"}, "finish_reason": "stop",
                         field: "###"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}
    replay(mock, tmp_path, json.dumps(body), content_type="application/json")
    r = post(native_server, "/v1/messages", {"model": "gpt-4o-mini", "max_tokens": 9, "messages": MSG,
                                             "stop_sequences": ["###"]})
    assert (r.json()["stop_reason"], r.json()["stop_sequence"]) == ("stop_sequence", "###")


def test_pitfall_ST29_safety_chunk_text_kept(native_server: Any, mock: Any, tmp_path: Path) -> None:
    replay(mock, tmp_path, gemini_sse([gem_chunk([{"text": "Part one"}]),
                                       gem_chunk([{"text": " and part two"}], "SAFETY",
                                                 {"promptTokenCount": 2, "candidatesTokenCount": 5,
                                                  "totalTokenCount": 7})]))
    events = messages_stream(native_server, "gemini-flash")
    assert (messages_text(events), stop_reason(events)) == ("Part one and part two", "refusal")


# --- ST30, ST31: reasoning shapes, argument bytes -------------------------------------------------

REASONING_SHAPES = {
    "reasoning_content": {"reasoning_content": "Let me think."},
    "reasoning": {"reasoning": "Let me think."},
    "reasoning_content_object": {"reasoning_content": {"text": "Let me think."}},
    "reasoning_details": {"reasoning_details": [{"type": "reasoning.text", "text": "Let me think."}]},
}


@pytest.mark.parametrize("shape", sorted(REASONING_SHAPES))
def test_pitfall_ST30_reasoning_shapes_accepted(native_server: Any, mock: Any, tmp_path: Path, shape: str) -> None:
    chunks = [oai_chunk({"role": "assistant", **REASONING_SHAPES[shape]}), oai_chunk({"content": "Answer."}),
              oai_chunk({}, "stop"), oai_usage_chunk()]
    replay(mock, tmp_path, openai_sse(chunks))
    events = messages_stream(native_server, "gpt-4o-mini")
    thinking = "".join(d["delta"].get("thinking", "") for ev, d in events if ev == "content_block_delta")
    assert (thinking, messages_text(events)) == ("Let me think.", "Answer.")


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST31_argument_bytes_exactly_once(native_server: Any, mock: Any, fam: str) -> None:
    args = {"city": "São Paulo", "note": "a \"quoted\" {brace}", "n": [1, 2, 3]}
    calls = [{"name": "get_weather", "arguments": args}, {"name": "get_weather", "arguments": {"city": "Oslo"}}]
    mock.enqueue(tool_calls=calls)
    full = post(native_server, "/v1/responses", {"model": ALIASES[fam], "input": "hi", "tools": [RESP_WEATHER]})
    nonstream = [o["arguments"] for o in full.json()["output"] if o["type"] == "function_call"]
    mock.enqueue(tool_calls=calls)
    data = responses_stream(native_server, ALIASES[fam], tools=[RESP_WEATHER])
    streamed: Dict[str, str] = {}
    for d in data:
        if d["type"] == "response.function_call_arguments.delta":
            streamed[d["item_id"]] = streamed.get(d["item_id"], "") + d["delta"]
    assert list(streamed.values()) == nonstream
    assert [json.loads(a) for a in nonstream] == [args, {"city": "Oslo"}]
    mock.enqueue(tool_calls=calls)
    events = messages_stream(native_server, ALIASES[fam], tools=[WEATHER])
    assert [json.loads(a) for _, _, a in tool_blocks(events)] == [args, {"city": "Oslo"}]
