"""Regression tests for provider-pitfalls.md section 2 (tool-calling translation) on the Anthropic
Messages, Responses and Gemini surfaces. See test_pitfalls.py for the conventions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from _pitfall_helpers import MSG, ant_end, ant_start, anthropic_sse, messages_stream, post, replay, stop_reason

ALIASES = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet", "gemini": "gemini-flash"}
WEATHER = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
RESP_WEATHER = {"type": "function", "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}
ANTHROPIC_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


def _messages(server: Any, alias: str, **body: Any) -> Any:
    body.setdefault("max_tokens", 64)
    body.setdefault("messages", MSG)
    return post(server, "/v1/messages", {"model": alias, **body})


def _responses(server: Any, alias: str, **body: Any) -> Any:
    body.setdefault("input", "hi")
    return post(server, "/v1/responses", {"model": alias, **body})


def _walk(node: Any) -> Iterator[Dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _history(call_ids: List[str]) -> List[Dict[str, Any]]:
    items: List[Dict[str, Any]] = [{"role": "user", "content": "weather?"}]
    items += [{"type": "function_call", "call_id": c, "name": "get_weather", "arguments": '{"city":"X"}'}
              for c in call_ids]
    items += [{"type": "function_call_output", "call_id": c, "output": f"result {k}"}
              for k, c in enumerate(call_ids)]
    return items


# --- ids ------------------------------------------------------------------------------------------


def test_pitfall_TC1_foreign_ids_sanitised_for_anthropic(native_server: Any, mock: Any) -> None:
    ids = ["functions.Bash:0", "functions.Bash_0"]
    bodies = []
    for _ in range(2):
        mock.enqueue(text="ok")
        r = _responses(native_server, "claude-sonnet", input=_history(ids), tools=[RESP_WEATHER])
        assert r.status_code == 200, r.text
        bodies.append(mock.last_request.json)
    assert bodies[0] == bodies[1]  # deterministic
    msgs = bodies[0]["messages"]
    uses = [b["id"] for b in msgs[1]["content"] if b["type"] == "tool_use"]
    results = [b["tool_use_id"] for b in msgs[2]["content"] if b["type"] == "tool_result"]
    assert all(ANTHROPIC_ID.match(i) for i in uses), uses
    assert results == uses and len(set(uses)) == 2  # same mapping both sides, injective


@pytest.mark.parametrize("fam", ["openai", "gemini"])
def test_pitfall_TC2_toolu_ids_on_the_messages_surface(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"},
                              **({"id": "call_m1"} if fam == "openai" else {})}])
    r = _messages(native_server, ALIASES[fam], tools=[WEATHER])
    [block] = r.json()["content"]
    assert block["id"].startswith("toolu_")
    mock.enqueue(text="ok")
    _messages(native_server, ALIASES[fam], tools=[WEATHER], messages=[
        {"role": "user", "content": "weather?"}, {"role": "assistant", "content": [block]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block["id"], "content": "5 C"}]}])
    if fam == "openai":
        assert mock.last_request.json["messages"][2]["tool_call_id"] == "call_m1"


def test_pitfall_TC3_gemini_calls_without_ids_pair_in_order(native_server: Any, mock: Any) -> None:
    contents = [{"role": "user", "parts": [{"text": "weather?"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                                            {"functionCall": {"name": "get_weather", "args": {"city": "Tokyo"}}}]},
                {"role": "user", "parts": [
                    {"functionResponse": {"name": "get_weather", "response": {"temp": 21}}},
                    {"functionResponse": {"name": "get_weather", "response": {"temp": 30}}}]}]
    bodies = []
    for _ in range(2):
        mock.enqueue(text="ok")
        r = post(native_server, "/v1beta/models/claude-sonnet:generateContent", {"contents": contents})
        assert r.status_code == 200, r.text
        bodies.append(mock.last_request.json)
    assert bodies[0] == bodies[1]  # the same request gives the same ids
    msgs = bodies[0]["messages"]
    uses = [(b["id"], b["input"]["city"]) for b in msgs[1]["content"]]
    results = [(b["tool_use_id"], json.loads(b["content"])["temp"]) for b in msgs[2]["content"]]
    assert [r[0] for r in results] == [u[0] for u in uses] and len({u[0] for u in uses}) == 2
    assert [r[1] for r in results] == [21, 30]


def test_pitfall_TC3_results_returned_out_of_order_go_back_in_call_order(native_server: Any, mock: Any) -> None:
    mock.enqueue(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}},
                             {"name": "get_weather", "arguments": {"city": "Tokyo"}}])
    calls = _messages(native_server, "gemini-flash", tools=[WEATHER]).json()["content"]
    assert len({c["id"] for c in calls}) == 2
    mock.enqueue(text="ok")
    r = _messages(native_server, "gemini-flash", tools=[WEATHER], messages=[
        {"role": "user", "content": "weather?"}, {"role": "assistant", "content": calls},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": calls[1]["id"], "content": "30 C"},
                                     {"type": "tool_result", "tool_use_id": calls[0]["id"], "content": "21 C"}]}])
    assert r.status_code == 200, r.text
    contents = mock.last_request.json["contents"]
    assert [p["functionCall"]["args"]["city"] for p in contents[1]["parts"]] == ["Paris", "Tokyo"]
    got = [p["functionResponse"]["response"]["output"] for p in contents[2]["parts"]]
    assert got == ["21 C", "30 C"]


def test_pitfall_TC4_gemini_supplied_id_round_trips(native_server: Any, mock: Any, tmp_path: Path) -> None:
    body = {"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"id": "fc-7a1", "name": "get_weather", "args": {"city": "Rome"}}}]},
        "finishReason": "STOP", "index": 0}], "modelVersion": "gemini-3-flash"}
    replay(mock, tmp_path, json.dumps(body), content_type="application/json")
    out = _responses(native_server, "gemini-flash", tools=[RESP_WEATHER]).json()["output"]
    assert [o["call_id"] for o in out if o["type"] == "function_call"] == ["fc-7a1"]
    mock.enqueue(text="ok")
    _responses(native_server, "gemini-flash", tools=[RESP_WEATHER], input=[
        {"role": "user", "content": "weather?"},
        {"type": "function_call", "call_id": "fc-7a1", "name": "get_weather", "arguments": '{"city":"Rome"}'},
        {"type": "function_call_output", "call_id": "fc-7a1", "output": "18 C"}])
    contents = mock.last_request.json["contents"]
    assert contents[1]["parts"][0]["functionCall"]["id"] == "fc-7a1"
    assert contents[2]["parts"][0]["functionResponse"]["id"] == "fc-7a1"


# --- tool_choice ----------------------------------------------------------------------------------

MESSAGES_CHOICES = [({"type": "auto"}, "auto"), ({"type": "any"}, "required"), ({"type": "none"}, "none"),
                    ({"type": "tool", "name": "get_weather"},
                     {"type": "function", "function": {"name": "get_weather"}})]
RESPONSES_CHOICES = [("auto", {"type": "auto"}), ("required", {"type": "any"}), ("none", {"type": "none"}),
                     ({"type": "function", "name": "get_weather"}, {"type": "tool", "name": "get_weather"})]


@pytest.mark.parametrize("sent,expected", MESSAGES_CHOICES, ids=["auto", "any", "none", "named"])
def test_pitfall_TC5_tool_choice_messages_to_openai(native_server: Any, mock: Any, sent: Any, expected: Any) -> None:
    mock.enqueue(text="ok")
    _messages(native_server, "gpt-4o-mini", tools=[WEATHER], tool_choice=sent)
    assert mock.last_request.json["tool_choice"] == expected


@pytest.mark.parametrize("sent,expected", RESPONSES_CHOICES, ids=["auto", "required", "none", "named"])
def test_pitfall_TC5_tool_choice_responses_to_anthropic(native_server: Any, mock: Any, sent: Any,
                                                        expected: Any) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, "claude-sonnet", tools=[RESP_WEATHER], tool_choice=sent)
    assert mock.last_request.json["tool_choice"] == expected


def test_pitfall_TC5_flat_named_choice_to_openai_is_nested(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, "gpt-4o-mini", tools=[RESP_WEATHER],
               tool_choice={"type": "function", "name": "get_weather"})
    assert mock.last_request.json["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}


@pytest.mark.parametrize("surface", ["messages", "responses"])
def test_pitfall_TC6_forced_tool_choice_with_thinking(native_server: Any, mock: Any, surface: str) -> None:
    """Never send Anthropic a forced tool_choice together with extended thinking."""
    mock.enqueue(text="ok")
    if surface == "messages":
        r = _messages(native_server, "claude-sonnet", max_tokens=4096, tools=[WEATHER],
                      tool_choice={"type": "any"}, thinking={"type": "enabled", "budget_tokens": 2048})
    else:
        r = _responses(native_server, "claude-sonnet", tools=[RESP_WEATHER], tool_choice="required",
                       reasoning={"effort": "medium"}, max_output_tokens=8192)
    if r.status_code == 400:
        assert "tool_choice" in r.text and "thinking" in r.text.lower()
        assert mock.request_count == 0
    else:
        assert r.status_code == 200, r.text
        body = mock.last_request.json
        assert "thinking" not in body or body["thinking"].get("type") == "disabled" or \
            body.get("tool_choice", {"type": "auto"})["type"] in ("auto", "none")
        # The downgrade is a loss, and it is reported.
        assert "tool_choice" in r.headers.get("x-openrain-dropped-fields", "")


@pytest.mark.parametrize("thinking", [{"type": "enabled", "budget_tokens": 2048}, {"type": "adaptive"}],
                         ids=["enabled", "adaptive"])
def test_pitfall_TC6_strict_mode_names_the_conflict(native_server: Any, mock: Any, thinking: Any) -> None:
    r = post(native_server, "/v1/messages", {
        "model": "claude-sonnet", "max_tokens": 4096, "messages": MSG, "tools": [WEATHER],
        "tool_choice": {"type": "tool", "name": "get_weather"}, "thinking": thinking},
        headers={"x-openrain-strict": "1"})
    assert r.status_code == 400, r.text
    message = r.json()["error"]["message"]
    assert "tool_choice" in message and "thinking" in message
    assert mock.request_count == 0


def test_pitfall_TC7_tool_choice_for_a_removed_tool(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    r = _messages(native_server, "gpt-4o-mini", tools=[WEATHER, {"type": "web_search_20250305", "name": "web_search"}],
                  tool_choice={"type": "tool", "name": "web_search"})
    if r.status_code == 400:
        assert "web_search" in r.json()["error"]["message"]
        assert mock.request_count == 0
    else:
        body = mock.last_request.json
        assert [t["function"]["name"] for t in body.get("tools", [])] == ["get_weather"]
        assert "web_search" not in json.dumps(body.get("tool_choice"))


# --- tool definitions -----------------------------------------------------------------------------


@pytest.mark.parametrize("fam", list(ALIASES))
def test_pitfall_TC8_hosted_responses_tool_is_a_named_400(native_server: Any, mock: Any, fam: str) -> None:
    r = _responses(native_server, ALIASES[fam], tools=[{"type": "web_search"}])
    assert r.status_code == 400
    assert "web_search" in r.json()["error"]["message"]
    assert mock.request_count == 0


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("fam", ["openai", "gemini"])
def test_pitfall_TC8_server_tool_to_other_upstreams_is_a_named_400(native_server: Any, mock: Any, fam: str,
                                                                   strict: bool) -> None:
    r = post(native_server, "/v1/messages", {"model": ALIASES[fam], "max_tokens": 9, "messages": MSG,
                                             "tools": [{"type": "web_search_20250305", "name": "web_search"}]},
             headers={"x-openrain-strict": "true"} if strict else None)
    assert r.status_code == 400
    assert "web_search" in r.json()["error"]["message"]
    assert mock.request_count == 0


def test_pitfall_TC8_nested_chat_tool_in_responses_keeps_its_name(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    r = _responses(native_server, "claude-sonnet", tools=[
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}])
    if r.status_code == 400:
        assert "tools[0]" in r.text
        assert mock.request_count == 0
    else:
        assert [t["name"] for t in mock.last_request.json["tools"]] == ["get_weather"]


def test_pitfall_TC9_strict_reaches_anthropic_and_openai(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, "claude-sonnet", tools=[{**RESP_WEATHER, "strict": True}])
    assert [t.get("strict") for t in mock.last_request.json["tools"]] == [True]
    mock.enqueue(text="ok")
    _messages(native_server, "gpt-4o-mini", tools=[{**WEATHER, "strict": True}])
    assert [t["function"].get("strict") for t in mock.last_request.json["tools"]] == [True]


NASTY_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$comment": "from an MCP server",
    "type": "object",
    "additionalProperties": False,
    "propertyNames": {"pattern": "^[a-z]+$"},
    "$defs": {"unit": {"type": "string", "enum": ["c", "f"]}},
    "properties": {
        "city": {"type": ["string", "null"], "description": "city name"},
        "unit": {"$ref": "#/$defs/unit"},
        "mode": {"const": "fast"},
        "days": {"type": "integer", "exclusiveMinimum": 0},
    },
    "required": ["city", "unit"],
}
GEMINI_UNSUPPORTED = {"$schema", "$comment", "additionalProperties", "propertyNames", "$defs", "$ref", "const",
                      "exclusiveMinimum", "defer_loading", "enumDescriptions"}


def test_pitfall_TC10_schema_normalised_for_gemini(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    r = _messages(native_server, "gemini-flash", tools=[{"name": "get_weather", "input_schema": NASTY_SCHEMA}])
    assert r.status_code == 200, r.text
    [decl] = mock.last_request.json["tools"][0]["functionDeclarations"]
    schema = decl.get("parameters") or decl.get("parametersJsonSchema")
    assert schema is not None
    if "parameters" in decl:
        bad = {k for node in _walk(schema) for k in node if k in GEMINI_UNSUPPORTED}
        assert bad == set()
        assert all(not isinstance(node.get("type"), list) for node in _walk(schema))
        props = schema["properties"]
        assert props["unit"]["enum"] == ["c", "f"]  # $ref inlined, enum kept
        assert props["mode"].get("enum") == ["fast"]  # const → enum
        assert props["city"].get("nullable") is True or "null" not in json.dumps(props["city"])
    assert schema["required"] == ["city", "unit"]


@pytest.mark.parametrize("arguments", ["", "{\"city\": \"Par"], ids=["empty", "truncated"])
def test_pitfall_TC11_tool_use_input_is_always_an_object(native_server: Any, mock: Any, arguments: str) -> None:
    mock.enqueue(text="ok")
    r = _responses(native_server, "claude-sonnet", tools=[RESP_WEATHER], input=[
        {"role": "user", "content": "weather?"},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": arguments},
        {"type": "function_call_output", "call_id": "call_1", "output": "error: cut off"}])
    if r.status_code == 400:
        assert "arguments" in r.json()["error"]["message"]
        assert mock.request_count == 0
    else:
        [use] = [b for b in mock.last_request.json["messages"][1]["content"] if b["type"] == "tool_use"]
        assert isinstance(use["input"], dict)
        if arguments == "":
            assert use["input"] == {}


@pytest.mark.parametrize("content", ["[1, 2, 3]", "plain text", "42"], ids=["array", "text", "number"])
def test_pitfall_TC12_function_response_is_always_an_object(native_server: Any, mock: Any, content: str) -> None:
    mock.enqueue(text="ok")
    _messages(native_server, "gemini-flash", tools=[WEATHER], messages=[
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                           "input": {"city": "X"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": content}]}])
    response = mock.last_request.json["contents"][2]["parts"][0]["functionResponse"]["response"]
    assert isinstance(response, dict)
    assert content in json.dumps(response) or json.loads(content) in response.values()


@pytest.mark.parametrize("fam", ["openai", "gemini"])
def test_pitfall_TC13_is_error_stays_visible(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    _messages(native_server, ALIASES[fam], tools=[WEATHER], messages=[
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                           "input": {"city": "X"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True,
                                      "content": "city not found"}]}])
    body = mock.last_request.json
    sent = body["messages"][2]["content"] if fam == "openai" else body["contents"][2]["parts"][0]["functionResponse"]
    text = json.dumps(sent)
    assert "city not found" in text
    assert "error" in text.lower()


def test_pitfall_TC14_parallel_tool_calls_false(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, "claude-sonnet", tools=[RESP_WEATHER], parallel_tool_calls=False)
    assert mock.last_request.json["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    mock.enqueue(text="ok")
    _messages(native_server, "gpt-4o-mini", tools=[WEATHER], tool_choice={"type": "auto",
                                                                         "disable_parallel_tool_use": True})
    assert mock.last_request.json["parallel_tool_calls"] is False
    mock.enqueue(text="ok")
    _messages(native_server, "gemini-flash", tools=[WEATHER], tool_choice={"type": "auto",
                                                                          "disable_parallel_tool_use": True})
    assert "disable_parallel_tool_use" not in json.dumps(mock.last_request.json)


@pytest.mark.parametrize("fam", list(ALIASES))
def test_pitfall_TC15_non_stream_tool_calls_survive(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    out = _responses(native_server, ALIASES[fam], tools=[RESP_WEATHER]).json()["output"]
    assert [(o["name"], json.loads(o["arguments"])) for o in out if o["type"] == "function_call"] == [
        ("get_weather", {"city": "Oslo"})]
    mock.enqueue(tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    r = post(native_server, f"/v1beta/models/{ALIASES[fam]}:generateContent",
             {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
              "tools": [{"functionDeclarations": [{"name": "get_weather"}]}]})
    parts = r.json()["candidates"][0]["content"]["parts"]
    assert [(p["functionCall"]["name"], p["functionCall"]["args"]) for p in parts] == [
        ("get_weather", {"city": "Oslo"})]


@pytest.mark.parametrize("fam", ["anthropic", "gemini"])
def test_pitfall_TC16_orphan_call_never_reaches_the_upstream_unanswered(native_server: Any, mock: Any,
                                                                         fam: str) -> None:
    mock.enqueue(text="ok")
    r = _responses(native_server, ALIASES[fam], tools=[RESP_WEATHER], input=[
        {"role": "user", "content": "weather?"},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"},
        {"role": "user", "content": "never mind, tell me a joke"}])
    if r.status_code == 400:
        assert "call_1" in r.json()["error"]["message"]
        assert mock.request_count == 0
        return
    body = mock.last_request.json
    if fam == "anthropic":
        msgs = body["messages"]
        i = next(k for k, m in enumerate(msgs) if any(b.get("type") == "tool_use" for b in m["content"]))
        follow = msgs[i + 1]["content"]
        assert follow[0]["type"] == "tool_result" and follow[0]["tool_use_id"] == "call_1"
    else:
        contents = body["contents"]
        i = next(k for k, c in enumerate(contents) if any("functionCall" in p for p in c["parts"]))
        assert any("functionResponse" in p for p in contents[i + 1]["parts"])


@pytest.mark.parametrize("fam", ["openai", "gemini"])
def test_pitfall_TC17_structured_output_kept_with_tools(native_server: Any, mock: Any, fam: str) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    mock.enqueue(text='{"a": "x"}')
    _messages(native_server, ALIASES[fam], tools=[WEATHER], output_config={"format": {"type": "json_schema",
                                                                                      "schema": schema}})
    body = mock.last_request.json
    if fam == "openai":
        assert body["response_format"]["json_schema"]["schema"] == schema and body["tools"]
    else:
        assert body["generationConfig"]["responseSchema"] == schema and body["tools"]


def test_pitfall_TC17_json_object_to_anthropic_is_a_400_not_prose(native_server: Any, mock: Any) -> None:
    r = _responses(native_server, "claude-sonnet", text={"format": {"type": "json_object"}}, input="JSON please")
    assert r.status_code == 400
    assert "json_object" in r.json()["error"]["message"]
    assert mock.request_count == 0


SERVER_TOOL = {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}


def test_pitfall_TC18_server_tool_passes_through_to_anthropic(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    r = _messages(native_server, "claude-sonnet", tools=[SERVER_TOOL, WEATHER])
    assert r.status_code == 200
    assert mock.last_request.json["tools"] == [SERVER_TOOL, WEATHER]


def test_pitfall_TC18_server_tool_blocks_and_citations_returned(native_server: Any, mock: Any,
                                                                 tmp_path: Path) -> None:
    body = {"id": "msg_up", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [
                {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "oslo"}},
                {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": [
                    {"type": "web_search_result", "url": "https://x.example", "title": "X",
                     "encrypted_content": "abc", "page_age": None}]},
                {"type": "text", "text": "It is cold.", "citations": [
                    {"type": "web_search_result_location", "url": "https://x.example", "title": "X",
                     "encrypted_index": "e1", "cited_text": "cold"}]}],
            "stop_reason": "pause_turn", "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 3}}
    replay(mock, tmp_path, json.dumps(body), content_type="application/json")
    got = _messages(native_server, "claude-sonnet", tools=[SERVER_TOOL]).json()
    assert got["stop_reason"] == "pause_turn"
    assert got["content"] == body["content"]


def test_pitfall_TC18_server_tool_blocks_and_citations_streamed(native_server: Any, mock: Any,
                                                                tmp_path: Path) -> None:
    use = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "oslo"}}
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": [
        {"type": "web_search_result", "url": "https://x.example", "title": "X", "encrypted_content": "abc",
         "page_age": None}]}
    citation = {"type": "web_search_result_location", "url": "https://x.example", "title": "X",
                "encrypted_index": "e1", "cited_text": "cold"}
    events = [ant_start(),
              {"type": "content_block_start", "index": 0, "content_block": {**use, "input": {}}},
              {"type": "content_block_delta", "index": 0,
               "delta": {"type": "input_json_delta", "partial_json": '{"query": "os'}},
              {"type": "content_block_delta", "index": 0,
               "delta": {"type": "input_json_delta", "partial_json": 'lo"}'}},
              {"type": "content_block_stop", "index": 0},
              {"type": "content_block_start", "index": 1, "content_block": result},
              {"type": "content_block_stop", "index": 1},
              {"type": "content_block_start", "index": 2,
               "content_block": {"type": "text", "text": "", "citations": []}},
              {"type": "content_block_delta", "index": 2, "delta": {"type": "citations_delta", "citation": citation}},
              {"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", "text": "It is cold."}},
              {"type": "content_block_stop", "index": 2},
              *ant_end("pause_turn")]
    replay(mock, tmp_path, anthropic_sse(events))
    frames = messages_stream(native_server, "claude-sonnet", tools=[SERVER_TOOL])
    starts = [d["content_block"] for ev, d in frames if ev == "content_block_start"]
    assert [b["type"] for b in starts] == ["server_tool_use", "web_search_tool_result", "text"]
    assert starts[0] == {**use, "input": {}} and starts[1] == result
    deltas = [d["delta"] for ev, d in frames if ev == "content_block_delta"]
    assert json.loads("".join(d["partial_json"] for d in deltas if d["type"] == "input_json_delta")) == use["input"]
    assert [d["citation"] for d in deltas if d["type"] == "citations_delta"] == [citation]
    assert stop_reason(frames) == "pause_turn"

    # The same answer through the Anthropic SDK's own stream accumulator.
    import anthropic

    replay(mock, tmp_path, anthropic_sse(events))
    client = anthropic.Anthropic(base_url=native_server.url, api_key="k", max_retries=0)
    with client.messages.stream(model="claude-sonnet", max_tokens=64, messages=MSG,
                                tools=[SERVER_TOOL]) as stream:  # type: ignore[list-item]
        final = stream.get_final_message()
    got = [b.model_dump(exclude_none=True) for b in final.content]
    assert got[0] == use
    assert got[1]["content"][0]["url"] == "https://x.example"
    assert got[2]["text"] == "It is cold." and got[2]["citations"][0]["cited_text"] == "cold"
    assert final.stop_reason == "pause_turn"


def test_pitfall_TC18_native_blocks_reported_on_other_surfaces(native_server: Any, mock: Any,
                                                               tmp_path: Path) -> None:
    body = {"id": "msg_up", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}},
                        {"type": "text", "text": "It is cold.", "citations": [{"type": "char_location"}]}],
            "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 3}}
    replay(mock, tmp_path, json.dumps(body), content_type="application/json")
    r = _responses(native_server, "claude-sonnet")
    assert r.status_code == 200, r.text
    assert "It is cold." in r.text and "srvtoolu_1" not in r.text
    assert r.headers["x-openrain-dropped-output"] == "server_tool_use, text.citations"
