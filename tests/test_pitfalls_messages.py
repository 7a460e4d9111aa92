"""Regression tests for provider-pitfalls.md sections 3 (system prompts, ordering, empty content,
thinking history) and 4 (multimodal) on the Anthropic Messages, Responses and Gemini surfaces.
See test_pitfalls.py for the conventions.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

from _pitfall_helpers import MSG, messages_stream, post
from _sdk_matrix import PNG_B64

ANTHROPIC_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
ALIASES = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet", "gemini": "gemini-flash"}
WEATHER = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
RESP_WEATHER = {"type": "function", "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}
PNG = base64.b64decode(PNG_B64)
GIF_B64 = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
WEBP_B64 = "UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA="
PDF_B64 = base64.b64encode(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").decode()


def _messages(server: Any, alias: str, **body: Any) -> Any:
    body.setdefault("max_tokens", 64)
    body.setdefault("messages", MSG)
    return post(server, "/v1/messages", {"model": alias, **body})


def _responses(server: Any, alias: str, **body: Any) -> Any:
    body.setdefault("input", "hi")
    return post(server, "/v1/responses", {"model": alias, **body})


def _roles(fam: str, body: Dict[str, Any]) -> List[str]:
    return [c["role"] for c in (body["contents"] if fam == "gemini" else body["messages"])]


def _text_of(node: Any) -> str:
    return json.dumps(node)


# --- section 3: system prompts and ordering ------------------------------------------------------


@pytest.mark.parametrize("fam", ["anthropic", "gemini"])
def test_pitfall_MO1_all_system_messages_kept_in_order(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, ALIASES[fam], instructions="One.", input=[
        {"role": "system", "content": "Two."}, {"role": "developer", "content": "Three."},
        {"role": "user", "content": "hi"}])
    body = mock.last_request.json
    if fam == "anthropic":
        assert body["system"] == "One.\n\nTwo.\n\nThree."
    else:
        assert body["systemInstruction"] == {"parts": [{"text": "One."}, {"text": "Two."}, {"text": "Three."}]}


MID_SYSTEM = [{"role": "user", "content": "first"}, {"role": "assistant", "content": "ok"},
              {"role": "system", "content": "From now on, answer in French."}, {"role": "user", "content": "second"}]


@pytest.mark.parametrize("fam", list(ALIASES))
def test_pitfall_MO2_only_leading_system_messages_are_hoisted(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    r = _responses(native_server, ALIASES[fam], instructions="Be terse.", input=MID_SYSTEM)
    assert r.status_code == 200, r.text
    body = mock.last_request.json
    if fam == "openai":
        assert [(m["role"], m["content"]) for m in body["messages"]] == [
            ("system", "Be terse."), ("user", "first"), ("assistant", "ok"),
            ("system", "From now on, answer in French."), ("user", "second")]
        return
    top = body["system"] if fam == "anthropic" else body["systemInstruction"]
    assert "French" not in _text_of(top)
    turns = body["messages"] if fam == "anthropic" else body["contents"]
    where = [i for i, t in enumerate(turns) if "French" in _text_of(t)]
    assert len(where) == 1 and "second" in _text_of(turns[where[0]:])
    assert "ok" in _text_of(turns[:where[0]])
    # Anthropic / Gemini have no mid-conversation system role: the role change is reported.
    assert "messages[3].role" in r.headers.get("x-openrain-dropped-fields", "")


@pytest.mark.parametrize("fam", ["anthropic", "gemini"])
def test_pitfall_MO3_consecutive_same_role_turns_alternate(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, ALIASES[fam], input=[
        {"role": "user", "content": "steer"}, {"role": "user", "content": "subtask result"},
        {"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"},
        {"role": "user", "content": "go"}])
    body = mock.last_request.json
    roles = _roles(fam, body)
    assert all(x != y for x, y in zip(roles, roles[1:])), roles
    text = _text_of(body["messages"] if fam == "anthropic" else body["contents"])
    assert text.index("steer") < text.index("subtask result") < text.index('"a"') < text.index('"b"')


def test_pitfall_MO4_function_response_and_human_text_in_separate_turns(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    _messages(native_server, "gemini-flash", tools=[WEATHER], messages=[
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                           "input": {"city": "Oslo"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "5 C"},
                                     {"type": "text", "text": "Also, what should I wear?"}]}])
    contents = mock.last_request.json["contents"]
    roles = [c["role"] for c in contents]
    assert all(x != y for x, y in zip(roles, roles[1:])), roles
    for c in contents:
        kinds = {k for p in c["parts"] for k in p if k in ("functionResponse", "text")}
        assert kinds != {"functionResponse", "text"}, c
    assert "Also, what should I wear?" in _text_of(contents[-1])


def test_pitfall_MO5_history_opening_with_a_function_call(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    r = _responses(native_server, "gemini-flash", tools=[RESP_WEATHER], input=[
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Oslo"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "5 C"}])
    if r.status_code == 400:
        assert mock.request_count == 0
    else:
        assert mock.last_request.json["contents"][0]["role"] == "user"


def test_pitfall_MO6_all_results_in_one_user_message(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, "claude-sonnet", tools=[RESP_WEATHER], input=[
        {"role": "user", "content": "weather?"},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": '{"city":"A"}'},
        {"type": "function_call", "call_id": "c2", "name": "get_weather", "arguments": '{"city":"B"}'},
        {"type": "function_call", "call_id": "c3", "name": "get_weather", "arguments": '{"city":"C"}'},
        {"type": "function_call_output", "call_id": "c1", "output": "1"},
        {"type": "function_call_output", "call_id": "c2", "output": "2"},
        {"type": "function_call_output", "call_id": "c3", "output": "3"}])
    msgs = mock.last_request.json["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert [(b["type"], b["tool_use_id"]) for b in msgs[2]["content"]] == [
        ("tool_result", c) for c in ("c1", "c2", "c3")]


def _empty_text_blocks(node: Any) -> List[Any]:
    out = []
    if isinstance(node, dict):
        if node.get("type") == "text" and not str(node.get("text", "x")).strip():
            out.append(node)
        for v in node.values():
            out += _empty_text_blocks(v)
    elif isinstance(node, list):
        for v in node:
            out += _empty_text_blocks(v)
    return out


@pytest.mark.parametrize("surface", ["responses", "messages"])
def test_pitfall_MO7_no_empty_text_blocks_to_anthropic(native_server: Any, mock: Any, surface: str) -> None:
    mock.enqueue(text="ok")
    if surface == "responses":
        _responses(native_server, "claude-sonnet", tools=[RESP_WEATHER], input=[
            {"role": "user", "content": "weather?"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": ""}]},
            {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "1"}])
    else:
        _messages(native_server, "claude-sonnet", tools=[WEATHER], system=[{"type": "text", "text": " "}], messages=[
            {"role": "user", "content": [{"type": "text", "text": "weather?"}, {"type": "text", "text": ""}]},
            {"role": "assistant", "content": [{"type": "text", "text": "  "},
                                              {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                               "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                          "content": [{"type": "text", "text": ""}]}]}])
    assert _empty_text_blocks(mock.last_request.json) == []


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_pitfall_MO7_messages_output_has_no_empty_text_block(native_server: Any, mock: Any, tmp_path: Path,
                                                             stream: bool) -> None:
    mock.enqueue(text="", tool_calls=[{"name": "get_weather", "arguments": {"city": "X"}}])
    if stream:
        events = messages_stream(native_server, "gpt-4o-mini", tools=[WEATHER])
        assert [d["content_block"]["type"] for ev, d in events if ev == "content_block_start"] == ["tool_use"]
    else:
        r = _messages(native_server, "gpt-4o-mini", tools=[WEATHER])
        assert [b["type"] for b in r.json()["content"]] == ["tool_use"]


@pytest.mark.parametrize("fam", list(ALIASES))
def test_pitfall_MO8_upstream_400_on_a_stream_stays_400(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(status=400, error_type="invalid_request_error", error_message="messages: roles must alternate")
    r = _messages(native_server, ALIASES[fam], stream=True)
    assert r.status_code == 400
    assert r.json()["error"] == {"type": "invalid_request_error", "message": "messages: roles must alternate"}
    assert mock.request_count == 1


SIGNED = {"type": "thinking", "thinking": "I should call the tool.", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3h+/="}


def test_pitfall_MO9_signed_thinking_kept_byte_for_byte(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    use = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}
    _messages(native_server, "claude-sonnet", tools=[WEATHER], max_tokens=4096,
              thinking={"type": "enabled", "budget_tokens": 2048}, messages=[
                  {"role": "user", "content": "weather?"}, {"role": "assistant", "content": [SIGNED, use]},
                  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "5 C"}]}])
    assert mock.last_request.json["messages"][1]["content"] == [SIGNED, use]


def test_pitfall_MO10_unsigned_thinking_dropped_for_anthropic(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    _messages(native_server, "claude-sonnet", messages=[
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "unsigned musing"},
                                          {"type": "text", "text": "answer"}]},
        {"role": "user", "content": "and?"}])
    assert "unsigned musing" not in json.dumps(mock.last_request.json)


def test_pitfall_MO10_foreign_reasoning_never_gets_a_fabricated_signature(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, "claude-sonnet", tools=[RESP_WEATHER], input=[
        {"role": "user", "content": "weather?"},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "openai thoughts"}],
         "encrypted_content": "gAAAAB-openai-only"},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "1"}])
    body = json.dumps(mock.last_request.json)
    assert "gAAAAB-openai-only" not in body
    thinking = [b for m in mock.last_request.json["messages"] if isinstance(m["content"], list)
                for b in m["content"] if b.get("type") == "thinking"]
    assert thinking == []


# The simulator's Gemini thoughtSignature: proto bytes travel as base64, as on the real wire (google-genai
# rejects anything else), so the simulator signs with base64("sig-<n>").
GEMINI_SIG1 = base64.b64encode(b"sig-1").decode()


def _gemini_call_round_trip(native_server: Any, mock: Any, surface: str) -> Dict[str, Any]:
    mock.enqueue(reasoning="Plan.", tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    if surface == "messages":
        content = _messages(native_server, "gemini-flash", tools=[WEATHER]).json()["content"]
        use = [b for b in content if b["type"] == "tool_use"][0]
        mock.enqueue(text="ok")
        _messages(native_server, "gemini-flash", tools=[WEATHER], messages=[
            {"role": "user", "content": "weather?"}, {"role": "assistant", "content": content},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use["id"], "content": "5 C"}]}])
    else:
        out = _responses(native_server, "gemini-flash", tools=[RESP_WEATHER]).json()["output"]
        call = [o for o in out if o["type"] == "function_call"][0]
        mock.enqueue(text="ok")
        _responses(native_server, "gemini-flash", tools=[RESP_WEATHER], input=[
            {"role": "user", "content": "weather?"}, *out,
            {"type": "function_call_output", "call_id": call["call_id"], "output": "5 C"}])
    model_turn = mock.last_request.json["contents"][1]
    return [p for p in model_turn["parts"] if "functionCall" in p][0]


@pytest.mark.parametrize("surface", ["messages", "responses"])
def test_pitfall_MO11_thought_signature_restored_on_the_call(native_server: Any, mock: Any, surface: str) -> None:
    part = _gemini_call_round_trip(native_server, mock, surface)
    assert part.get("thoughtSignature") == GEMINI_SIG1


def test_pitfall_MO11_gemini_text_part_signature_kept(native_server: Any, mock: Any) -> None:
    """Gemini to Gemini: the thoughtSignature on the first visible (text) part reaches the caller."""
    mock.enqueue(reasoning="Plan.", text="Hello.")
    r = post(native_server, "/v1beta/models/gemini-flash:generateContent",
             {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
    parts = r.json()["candidates"][0]["content"]["parts"]
    assert [p.get("thoughtSignature") for p in parts if p.get("text") == "Hello."] == [GEMINI_SIG1]


def test_pitfall_MO12_thinking_blocks_carry_a_signature(native_server: Any, mock: Any) -> None:
    mock.enqueue(reasoning="Plan.", text="Hello.")
    content = _messages(native_server, "gemini-flash").json()["content"]
    thinking = [b for b in content if b["type"] == "thinking"]
    assert all(b["signature"] for b in thinking), content


def test_pitfall_MO11_chat_and_streamed_messages_carry_the_signature(native_server: Any, mock: Any) -> None:
    """The Chat surface and a streamed Messages answer carry the call's signature the same way."""
    chat_tool = {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER["input_schema"]}}
    mock.enqueue(reasoning="Plan.", tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    msg = post(native_server, "/v1/chat/completions", {"model": "gemini-flash", "tools": [chat_tool],
                                                       "messages": MSG}).json()["choices"][0]["message"]
    [call] = msg["tool_calls"]
    mock.enqueue(text="ok")
    post(native_server, "/v1/chat/completions", {"model": "gemini-flash", "tools": [chat_tool], "messages": [
        *MSG, {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "5 C"}]})
    contents = mock.last_request.json["contents"]
    assert contents[1]["parts"][0]["thoughtSignature"] == GEMINI_SIG1
    assert contents[2]["parts"][0]["functionResponse"]["name"] == "get_weather"

    mock.enqueue(reasoning="Plan.", tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}])
    events = messages_stream(native_server, "gemini-flash", tools=[WEATHER])
    starts = [d["content_block"] for ev, d in events if ev == "content_block_start"]
    sigs = [d["delta"]["signature"] for ev, d in events
            if ev == "content_block_delta" and d["delta"]["type"] == "signature_delta"]
    assert [b["type"] for b in starts] == ["thinking", "tool_use"] and len(sigs) == 1 and sigs[0]
    use = {**starts[1], "input": {"city": "Oslo"}}
    assert ANTHROPIC_ID.match(use["id"]) and use["id"].startswith("toolu_")
    mock.enqueue(text="ok")
    _messages(native_server, "gemini-flash", tools=[WEATHER], messages=[
        *MSG, {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Plan.", "signature": sigs[0]}, use]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use["id"], "content": "5 C"}]}])
    [part] = mock.last_request.json["contents"][1]["parts"]
    assert part["thoughtSignature"] == base64.b64encode(b"sig-3").decode()  # the third upstream answer


def test_pitfall_MO12_gemini_signed_thinking_goes_back_on_the_text(native_server: Any, mock: Any) -> None:
    """The thinking block's signature is Gemini's text-part signature: replayed, it lands on that part."""
    mock.enqueue(reasoning="Plan.", text="Hello.")
    content = _messages(native_server, "gemini-flash").json()["content"]
    mock.enqueue(text="ok")
    _messages(native_server, "gemini-flash", messages=[
        *MSG, {"role": "assistant", "content": content}, {"role": "user", "content": "and?"}])
    model_turn = mock.last_request.json["contents"][1]
    assert model_turn == {"role": "model", "parts": [{"text": "Hello.", "thoughtSignature": GEMINI_SIG1}]}
    # The same history sent to Anthropic must not carry Gemini's signature as Claude's.
    mock.enqueue(text="ok")
    _messages(native_server, "claude-sonnet", messages=[
        *MSG, {"role": "assistant", "content": content}, {"role": "user", "content": "and?"}])
    assert [b["type"] for b in mock.last_request.json["messages"][1]["content"]] == ["text"]


def test_pitfall_MO11_foreign_signature_round_trips_through_the_gemini_surface(native_server: Any,
                                                                              mock: Any) -> None:
    """An Anthropic thinking signature shown as a (base64) thoughtSignature comes back as Claude's own."""
    mock.enqueue(reasoning="Plan.", text="Hello.")
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "generationConfig": {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024}}}
    r = post(native_server, "/v1beta/models/claude-sonnet:generateContent", body)
    parts = r.json()["candidates"][0]["content"]["parts"]
    signed = [p for p in parts if p.get("thought") and p.get("thoughtSignature")]
    assert len(signed) == 1
    base64.b64decode(signed[0]["thoughtSignature"], validate=True)  # proto bytes
    mock.enqueue(text="ok")
    post(native_server, "/v1beta/models/claude-sonnet:generateContent", {**body, "contents": [
        *body["contents"], {"role": "model", "parts": parts}, {"role": "user", "parts": [{"text": "and?"}]}]})
    thinking = [b for b in mock.last_request.json["messages"][1]["content"] if b["type"] == "thinking"]
    assert thinking == [{"type": "thinking", "thinking": "Plan.", "signature": "sig-1"}]


# --- section 4: multimodal ------------------------------------------------------------------------


def _anthropic_image(native_server: Any, mock: Any, url: str) -> Any:
    mock.enqueue(text="ok")
    r = _responses(native_server, "claude-sonnet", input=[{"role": "user", "content": [
        {"type": "input_text", "text": "what?"}, {"type": "input_image", "image_url": url}]}])
    if r.status_code != 200:
        return r
    return mock.last_request.json["messages"][0]["content"][1]


@pytest.mark.parametrize("mime,data", [("image/webp", WEBP_B64), ("image/gif", GIF_B64), ("image/png", PNG_B64)])
def test_pitfall_MM1_any_data_uri_media_type(native_server: Any, mock: Any, mime: str, data: str) -> None:
    block = _anthropic_image(native_server, mock, f"data:{mime};base64,{data}")
    assert block == {"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}}


def test_pitfall_MM2_data_uri_in_a_tool_result_is_base64(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    _responses(native_server, "claude-sonnet", tools=[RESP_WEATHER], input=[
        {"role": "user", "content": "screenshot?"},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": [
            {"type": "input_text", "text": "here"},
            {"type": "input_image", "image_url": "data:image/png;base64," + PNG_B64}]}])
    result = mock.last_request.json["messages"][2]["content"][0]
    assert result["type"] == "tool_result"
    images = [b for b in result["content"] if b["type"] == "image"]
    assert [b["source"] for b in images] == [{"type": "base64", "media_type": "image/png", "data": PNG_B64}]


@pytest.mark.parametrize("declared", ["image/jpg", "image/jpeg"], ids=["jpg-alias", "mislabelled"])
def test_pitfall_MM3_media_type_from_the_bytes(native_server: Any, mock: Any, declared: str) -> None:
    """PNG bytes declared as image/jpg or image/jpeg: Anthropic must be told image/png."""
    block = _anthropic_image(native_server, mock, f"data:{declared};base64,{PNG_B64}")
    if not isinstance(block, dict):
        assert block.status_code == 400 and mock.request_count == 0
        return
    assert block["source"]["media_type"] == "image/png"


def test_pitfall_MM3_same_protocol_caller_mislabelled_image(native_server: Any, mock: Any) -> None:
    """An Anthropic caller's own mislabelled image block is corrected too (same bytes, right type)."""
    mock.enqueue(text="ok")
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": GIF_B64},
             "cache_control": {"type": "ephemeral"}}
    r = _messages(native_server, "claude-sonnet", messages=[{"role": "user", "content": [image]}])
    assert r.status_code == 200, r.text
    sent = mock.last_request.json["messages"][0]["content"][0]
    assert sent == {**image, "source": {**image["source"], "media_type": "image/gif"}}


def test_pitfall_MM4_url_image_inside_a_tool_result(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    image = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    r = _messages(native_server, "claude-sonnet", tools=[WEATHER], messages=[
        {"role": "user", "content": "look"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [image]}]}])
    assert r.status_code == 200, r.text
    assert mock.last_request.json["messages"][2]["content"][0]["content"] == [image]


@pytest.mark.parametrize("fam", ["openai", "gemini"])
def test_pitfall_MM5_tool_result_images_are_not_dropped(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}
    _messages(native_server, ALIASES[fam], tools=[WEATHER], messages=[
        {"role": "user", "content": "look"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                      "content": [{"type": "text", "text": "screenshot:"}, image]}]}])
    body = mock.last_request.json
    if fam == "openai":
        urls = [p["image_url"]["url"] for m in body["messages"] if isinstance(m.get("content"), list)
                for p in m["content"] if p.get("type") == "image_url"]
        assert urls == ["data:image/png;base64," + PNG_B64]
    else:
        inline = [p["inlineData"] for c in body["contents"] for p in c["parts"] if "inlineData" in p]
        nested = [n["inlineData"] for n in _walk_dicts(body["contents"]) if "inlineData" in n]
        assert (inline or nested) == [{"mimeType": "image/png", "data": PNG_B64}]


def _walk_dicts(node: Any) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            out += _walk_dicts(v)
    elif isinstance(node, list):
        for v in node:
            out += _walk_dicts(v)
    return out


def test_pitfall_MM6_public_url_is_not_a_gemini_file_uri(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    r = _messages(native_server, "gemini-flash", messages=[{"role": "user", "content": [
        {"type": "text", "text": "what?"},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}}]}])
    if r.status_code == 400:
        assert mock.request_count == 0
        assert "messages[0].content[1]" in r.json()["error"]["message"]
        return
    file_uris = [n["fileData"]["fileUri"] for n in _walk_dicts(mock.last_request.json) if "fileData" in n]
    assert [u for u in file_uris if u.startswith("https://example.com")] == []


@pytest.mark.parametrize("fam", ["gemini", "openai"])
def test_pitfall_MM7_pdf_documents_are_not_dropped(native_server: Any, mock: Any, fam: str) -> None:
    mock.enqueue(text="ok")
    r = _messages(native_server, ALIASES[fam], messages=[{"role": "user", "content": [
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF_B64}},
        {"type": "text", "text": "summarise"}]}])
    if r.status_code == 400:
        assert "document" in r.json()["error"]["message"] and mock.request_count == 0
        return
    assert r.status_code == 200
    body = json.dumps(mock.last_request.json)
    assert PDF_B64 in body
    if fam == "gemini":
        parts = mock.last_request.json["contents"][0]["parts"]
        assert {"inlineData": {"mimeType": "application/pdf", "data": PDF_B64}} in parts


def test_pitfall_MM7_responses_input_file_to_anthropic_document(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="ok")
    r = _responses(native_server, "claude-sonnet", input=[{"role": "user", "content": [
        {"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64," + PDF_B64},
        {"type": "input_text", "text": "summarise"}]}])
    if r.status_code == 400:
        assert "input_file" in r.json()["error"]["message"] and mock.request_count == 0
        return
    docs = [b for b in mock.last_request.json["messages"][0]["content"] if b["type"] == "document"]
    assert [d["source"] for d in docs] == [{"type": "base64", "media_type": "application/pdf", "data": PDF_B64}]


def test_pitfall_MM8_gemini_surface_keeps_inline_media(native_server: Any, mock: Any) -> None:
    mock.enqueue(text="a pixel")
    parts = [{"text": "what?"}, {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}]
    r = post(native_server, "/v1beta/models/gemini-flash:streamGenerateContent",
             {"contents": [{"role": "user", "parts": parts}]}, params={"alt": "sse"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert mock.last_request.json["contents"] == [{"role": "user", "parts": parts}]
    assert b'"candidates"' in r.content and b"chat.completion" not in r.content


@pytest.mark.parametrize("fam", list(ALIASES))
def test_pitfall_MM9_image_size_400_surfaces_unchanged(native_server: Any, mock: Any, fam: str) -> None:
    message = "messages.0.content.1.image.source.base64: image dimensions exceed max allowed size: 8000 pixels"
    mock.enqueue(status=400, error_type="invalid_request_error", error_message=message)
    r = _messages(native_server, ALIASES[fam])
    assert (r.status_code, r.json()["error"]["message"]) == (400, message)
    assert mock.request_count == 1
    mock.enqueue(text="ok")  # no cool-down afterwards
    assert _messages(native_server, ALIASES[fam]).status_code == 200
