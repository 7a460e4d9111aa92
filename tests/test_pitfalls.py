"""Regression tests for /work/shared/research/provider-pitfalls.md, section 1 (streaming translation),
on the Anthropic Messages, Responses and Gemini surfaces.

Each test is named after its case (test_pitfall_<ID>_<short>) and asserts the document's "Correct"
behaviour. Upstream bodies are either scripted or hand-written and replayed byte-exact by the
simulator. Where the gateway falls short, the test is marked xfail(strict=True) with the cause. The
other sections are in test_pitfalls_tools.py (2), test_pitfalls_messages.py (3, 4) and
test_pitfalls_errors_clients.py (8, 10).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from _pitfall_helpers import (GEMINI_BODY, MSG, ant_end, ant_start, ant_text_block, anthropic_sse, gem_chunk,
                              gemini_sse, gemini_stream, messages_stream, messages_text, oai_chunk, openai_sse, post,
                              replay, responses_stream, stop_reason, tool_blocks)

pytest_plugins = ["_surface_fixtures"]

ALIASES = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet", "gemini": "gemini-flash"}
FAMS = list(ALIASES)
WEATHER = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
CLOCK = {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}
RESP_WEATHER = {"type": "function", "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}


def _call_start(index: int, id_: str, name: str, args: str = "") -> Dict[str, Any]:
    return {"index": index, "id": id_, "type": "function", "function": {"name": name, "arguments": args}}


def _call_args(index: int, args: str) -> Dict[str, Any]:
    return {"index": index, "function": {"arguments": args}}


# --- ST1-ST7: the Anthropic event grammar -------------------------------------------------------


def test_pitfall_ST1_text_block_without_text_field(native_server: Any, mock: Any, tmp_path: Path) -> None:
    replay(mock, tmp_path, anthropic_sse([
        ant_start(),
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}},
        {"type": "content_block_stop", "index": 0}, *ant_end()]))
    events = messages_stream(native_server, "claude-sonnet")
    assert (messages_text(events), stop_reason(events)) == ("Hello", "end_turn")
    mock.enqueue(text="still healthy")  # no cool-down: the next request is served
    r = post(native_server, "/v1/messages", {"model": "claude-sonnet", "max_tokens": 9, "messages": MSG})
    assert r.json()["content"] == [{"type": "text", "text": "still healthy"}]


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST2_ST7_block_state_machine(native_server: Any, mock: Any, fam: str) -> None:
    """Every delta belongs to an open block; one block open at a time; one message_start, balanced
    block start/stop pairs, then message_delta, then message_stop."""
    mock.enqueue(reasoning="Hmm.", text="Let me check.", tool_calls=[
        {"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {}}])
    events = messages_stream(native_server, ALIASES[fam], tools=[WEATHER, CLOCK])
    names = [ev for ev, _ in events if ev != "ping"]
    assert names[0] == "message_start" and names.count("message_start") == 1
    assert names[-2:] == ["message_delta", "message_stop"] and names.count("message_stop") == 1
    open_block = None
    seen = []
    for ev, d in events:
        if ev == "content_block_start":
            assert open_block is None, "a block opened while another was open"
            open_block = d["index"]
            seen.append(d["index"])
        elif ev == "content_block_delta":
            assert d["index"] == open_block
        elif ev == "content_block_stop":
            assert d["index"] == open_block
            open_block = None
    assert open_block is None
    assert seen == list(range(len(seen)))
    kinds = [d["content_block"]["type"] for ev, d in events if ev == "content_block_start"]
    assert kinds[-3:] == ["text", "tool_use", "tool_use"]


def test_pitfall_ST3_reasoning_content_opens_a_thinking_block(native_server: Any, mock: Any) -> None:
    mock.enqueue(reasoning="Let me think.", openai_reasoning_field="reasoning_content", text="Answer.")
    events = messages_stream(native_server, "gpt-4o-mini")
    starts = [d["content_block"]["type"] for ev, d in events if ev == "content_block_start"]
    assert starts == ["thinking", "text"]
    thinking = "".join(d["delta"].get("thinking", "") for ev, d in events if ev == "content_block_delta")
    assert thinking == "Let me think."
    assert messages_text(events) == "Answer."


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST4_message_start_usage_is_complete(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    events = messages_stream(native_server, ALIASES[fam])
    usage = events[0][1]["message"]["usage"]
    assert isinstance(usage["input_tokens"], int) and isinstance(usage["output_tokens"], int)


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST5_every_frame_has_its_event_line(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="one two", tool_calls=[{"name": "get_time", "arguments": {}}])
    events = messages_stream(native_server, ALIASES[fam], tools=[CLOCK])
    assert events and all(ev == d["type"] for ev, d in events)


@pytest.mark.parametrize("upstream", ["anthropic", "openai"])
def test_pitfall_ST6_clean_close_without_end_is_an_error(native_server: Any, mock: Any, tmp_path: Path,
                                                         upstream: str) -> None:
    """The upstream body ends cleanly (chunked terminator) but before its natural end."""
    if upstream == "anthropic":
        replay(mock, tmp_path, anthropic_sse([ant_start(), *ant_text_block(0, "partial")]))
    else:
        replay(mock, tmp_path, openai_sse([oai_chunk({"role": "assistant", "content": "partial"})], done=False))
    events = messages_stream(native_server, ALIASES[upstream])
    assert events[-1][0] == "error"
    assert events[-1][1]["error"]["type"] == "api_error"
    assert "message_stop" not in [ev for ev, _ in events]
    assert messages_text(events) == "partial"


# --- ST9-ST15: tool-call fragments ---------------------------------------------------------------

INTERLEAVED = [
    oai_chunk({"role": "assistant", "tool_calls": [_call_start(0, "call_a", "get_weather"),
                                                   _call_start(1, "call_b", "get_time")]}),
    oai_chunk({"tool_calls": [_call_args(0, '{"city":')]}),
    oai_chunk({"tool_calls": [_call_args(1, "{}")]}),
    oai_chunk({"tool_calls": [_call_args(0, '"Paris"}')]}),
    oai_chunk({}, "tool_calls"),
]


def test_pitfall_ST9_interleaved_fragments_routed_by_index(native_server: Any, mock: Any, tmp_path: Path) -> None:
    replay(mock, tmp_path, openai_sse(INTERLEAVED))
    events = messages_stream(native_server, "gpt-4o-mini", tools=[WEATHER, CLOCK])
    assert [(n, json.loads(a)) for _, n, a in tool_blocks(events)] == [("get_weather", {"city": "Paris"}),
                                                                       ("get_time", {})]
    replay(mock, tmp_path, openai_sse(INTERLEAVED))
    data = responses_stream(native_server, "gpt-4o-mini", tools=[RESP_WEATHER])
    done = [d["item"] for d in data if d["type"] == "response.output_item.done"]
    assert [(i["name"], json.loads(i["arguments"])) for i in done] == [("get_weather", {"city": "Paris"}),
                                                                       ("get_time", {})]


def test_pitfall_ST10_opening_delta_arguments_kept(native_server: Any, mock: Any, tmp_path: Path) -> None:
    chunks = [oai_chunk({"role": "assistant", "tool_calls": [_call_start(0, "call_a", "get_weather", "{")]}),
              oai_chunk({"tool_calls": [_call_args(0, '"city": "Oslo"}')]}), oai_chunk({}, "tool_calls")]
    replay(mock, tmp_path, openai_sse(chunks))
    events = messages_stream(native_server, "gpt-4o-mini", tools=[WEATHER])
    assert [json.loads(a) for _, _, a in tool_blocks(events)] == [{"city": "Oslo"}]


def test_pitfall_ST11_no_phantom_call_from_repeated_name(native_server: Any, mock: Any, tmp_path: Path) -> None:
    chunks = [oai_chunk({"role": "assistant", "tool_calls": [_call_start(0, "call_1", "get_weather")]}),
              oai_chunk({"tool_calls": [_call_args(0, '{"city"')]}),
              oai_chunk({"tool_calls": [{"index": 0, "id": None,
                                         "function": {"name": "get_weather", "arguments": ':"Rome"}'}}]}),
              oai_chunk({}, "tool_calls")]
    replay(mock, tmp_path, openai_sse(chunks))
    events = messages_stream(native_server, "gpt-4o-mini", tools=[WEATHER])
    # the Messages surface shows toolu_ ids for every upstream (TC2): the OpenAI id is carried inside
    assert [(i, n, json.loads(a)) for i, n, a in tool_blocks(events)] == [
        ("toolu_or_call_1", "get_weather", {"city": "Rome"})]


def _anthropic_tool_stream(partials: List[str]) -> str:
    return anthropic_sse([
        ant_start(),
        {"type": "content_block_start", "index": 0,
         "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}},
        *[{"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": p}}
          for p in partials],
        {"type": "content_block_stop", "index": 0}, *ant_end("tool_use")])


def test_pitfall_ST12_empty_partial_json_becomes_empty_object(native_server: Any, mock: Any,
                                                              tmp_path: Path) -> None:
    replay(mock, tmp_path, _anthropic_tool_stream([""]))
    data = responses_stream(native_server, "claude-sonnet", tools=[RESP_WEATHER])
    assert [d["arguments"] for d in data if d["type"] == "response.function_call_arguments.done"] == ["{}"]
    replay(mock, tmp_path, _anthropic_tool_stream([""]))
    chunks = gemini_stream(native_server, "claude-sonnet")
    calls = [p["functionCall"] for c in chunks for p in c["candidates"][0]["content"]["parts"] if "functionCall" in p]
    assert [(c["name"], c["args"]) for c in calls] == [("get_weather", {})]


def test_pitfall_ST13_input_placeholder_not_concatenated(native_server: Any, mock: Any, tmp_path: Path) -> None:
    replay(mock, tmp_path, _anthropic_tool_stream(['{"city":', ' "Paris"}']))
    data = responses_stream(native_server, "claude-sonnet", tools=[RESP_WEATHER])
    deltas = "".join(d["delta"] for d in data if d["type"] == "response.function_call_arguments.delta")
    assert deltas == '{"city": "Paris"}'
    assert [d["arguments"] for d in data if d["type"] == "response.function_call_arguments.done"] == [deltas]


def test_pitfall_ST14_empty_tool_calls_array_keeps_text(native_server: Any, mock: Any, tmp_path: Path) -> None:
    chunks = [oai_chunk({"role": "assistant", "content": "Hi", "tool_calls": []}),
              oai_chunk({"content": " there", "tool_calls": []}), oai_chunk({}, "stop")]
    replay(mock, tmp_path, openai_sse(chunks))
    events = messages_stream(native_server, "gpt-4o-mini")
    assert [d["content_block"]["type"] for ev, d in events if ev == "content_block_start"] == ["text"]
    assert messages_text(events) == "Hi there"
    assert [d["delta"]["type"] for ev, d in events if ev == "content_block_delta"] == ["text_delta"] * 2


def test_pitfall_ST15_gemini_args_in_one_chunk(native_server: Any, mock: Any) -> None:
    mock.enqueue(tool_calls=[{"name": "get_weather", "arguments": {"city": "Lima"}}])
    events = messages_stream(native_server, "gemini-flash", tools=[WEATHER])
    block = [(ev, d) for ev, d in events if d.get("index") == 0 and ev.startswith("content_block")]
    assert block[0][1]["content_block"]["input"] == {}
    deltas = [d["delta"] for ev, d in block if ev == "content_block_delta"]
    assert len(deltas) == 1 and deltas[0]["type"] == "input_json_delta"
    assert json.loads(deltas[0]["partial_json"]) == {"city": "Lima"}
    assert block[-1][0] == "content_block_stop"


# --- ST16, ST17: keep-alives and sentinels -------------------------------------------------------


def test_pitfall_ST16_keepalive_is_valid_on_responses(keepalive_url: str, mock: Any) -> None:
    openai = pytest.importorskip("openai")
    mock.clear()
    mock.enqueue(text="one two three four five", stall_after_chunks=3, stall_ms=300)
    import httpx

    with httpx.stream("POST", keepalive_url + "/v1/responses", timeout=10,
                      json={"model": "gpt-4o-mini", "input": "hi", "stream": True}) as r:
        body = b"".join(r.iter_bytes())
    assert body.count(b"\n: keep-alive\n") + body.startswith(b": keep-alive\n") >= 2
    mock.enqueue(text="one two three four five", stall_after_chunks=3, stall_ms=300)
    client = openai.OpenAI(base_url=keepalive_url + "/v1", api_key="k", max_retries=0)
    with client.responses.stream(model="gpt-4o-mini", input="hi") as s:
        final = s.get_final_response()
    assert final.output_text == "one two three four five"


@pytest.mark.parametrize("surface", ["responses", "gemini"])
def test_pitfall_ST16_upstream_ping_never_leaks(native_server: Any, mock: Any, surface: str) -> None:
    """The Anthropic simulator sends `event: ping`; other surfaces must not relay it raw."""
    mock.enqueue(text="a b c")
    if surface == "responses":
        data = responses_stream(native_server, "claude-sonnet")
        assert all(d["type"].startswith("response.") for d in data)
    else:
        chunks = gemini_stream(native_server, "claude-sonnet")
        assert all("candidates" in c for c in chunks)


@pytest.mark.parametrize("fam", FAMS)
def test_pitfall_ST17_no_done_sentinel(native_server: Any, mock: Any, fam: str) -> None:
    for path, body, params in [("/v1/messages", {"max_tokens": 9, "messages": MSG, "stream": True}, {}),
                               ("/v1/responses", {"input": "hi", "stream": True}, {}),
                               (f"/v1beta/models/{ALIASES[fam]}:streamGenerateContent", GEMINI_BODY, {"alt": "sse"})]:
        mock.enqueue(text="a b")
        r = post(native_server, path, {"model": ALIASES[fam], **body} if "models/" not in path else body,
                 params=params)
        assert r.status_code == 200 and b"[DONE]" not in r.content, path


def test_pitfall_ST17_incoming_done_from_anthropic_tolerated(native_server: Any, mock: Any,
                                                             tmp_path: Path) -> None:
    replay(mock, tmp_path, anthropic_sse([ant_start(), *ant_text_block(0, "fine"), *ant_end()],
                                         trailer="data: [DONE]\n\n"))
    events = messages_stream(native_server, "claude-sonnet")
    assert (messages_text(events), stop_reason(events), events[-1][0]) == ("fine", "end_turn", "message_stop")


# --- ST18-ST21: Gemini streams -------------------------------------------------------------------


def test_pitfall_ST18_finish_on_every_gemini_chunk(native_server: Any, mock: Any, tmp_path: Path) -> None:
    usage = {"promptTokenCount": 3, "candidatesTokenCount": 3, "totalTokenCount": 6}
    replay(mock, tmp_path, gemini_sse([gem_chunk([{"text": "Hello"}], "STOP", usage),
                                       gem_chunk([{"text": " world"}], "STOP", usage),
                                       gem_chunk([{"text": " again"}], "STOP", usage)]))
    events = messages_stream(native_server, "gemini-flash")
    assert (messages_text(events), stop_reason(events)) == ("Hello world again", "end_turn")


def test_pitfall_ST18_gemini_surface_finish_only_on_last_chunk(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="one two three")
    chunks = gemini_stream(native_server, "gpt-4o-mini")
    finishes = [c["candidates"][0].get("finishReason") for c in chunks]
    assert finishes[-1] == "STOP" and finishes[:-1] == [None] * (len(chunks) - 1)


def test_pitfall_ST19_finish_and_usage_from_partless_chunk(native_server: Any, mock: Any, tmp_path: Path) -> None:
    replay(mock, tmp_path, gemini_sse([
        gem_chunk([{"text": "Truncated answ"}]),
        gem_chunk(None, "MAX_TOKENS", {"promptTokenCount": 4, "candidatesTokenCount": 7, "totalTokenCount": 11})]))
    events = messages_stream(native_server, "gemini-flash")
    assert (messages_text(events), stop_reason(events)) == ("Truncated answ", "max_tokens")
    assert [d["usage"]["output_tokens"] for ev, d in events if ev == "message_delta"] == [7]


def test_pitfall_ST20_early_stop_does_not_end_the_stream(native_server: Any, mock: Any, tmp_path: Path) -> None:
    replay(mock, tmp_path, gemini_sse([
        gem_chunk([{"text": ""}], "STOP"),
        gem_chunk([{"text": "Hello"}]),
        gem_chunk([{"text": " world"}], "STOP", {"promptTokenCount": 2, "candidatesTokenCount": 2,
                                                 "totalTokenCount": 4})]))
    events = messages_stream(native_server, "gemini-flash")
    assert (messages_text(events), stop_reason(events)) == ("Hello world", "end_turn")


def test_pitfall_ST21_stable_id_without_response_id(native_server: Any, mock: Any, tmp_path: Path) -> None:
    chunks = [gem_chunk([{"text": "a"}], response_id=None), gem_chunk([{"text": " b"}], response_id=None),
              gem_chunk([{"text": " c"}], "STOP", response_id=None)]
    replay(mock, tmp_path, gemini_sse(chunks))
    out = gemini_stream(native_server, "gemini-flash")
    ids = {c.get("responseId") for c in out}
    assert len(ids) == 1 and None not in ids and "" not in ids
    replay(mock, tmp_path, gemini_sse(chunks))
    data = responses_stream(native_server, "gemini-flash")
    assert len({d["response"]["id"] for d in data if "response" in d}) == 1
    assert len({d["item_id"] for d in data if "item_id" in d}) == 1
