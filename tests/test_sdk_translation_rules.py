"""Translation rules a caller can observe, through the official SDKs (openai, anthropic, google-genai)
on the native server against OpenRain's simulator: what the upstream received in ITS native shape,
and what the caller got back (docs/translation.md states each rule).

* reasoning effort on Gemini follows the model family (2.5 budgets with their own ranges, Gemini 3
  thinkingLevel);
* a text file reaches Anthropic as a text document, an unsupported file type is a 400 naming the part;
* a Gemini caller's inline PDF reaches OpenAI as a ``file`` and Anthropic as a ``document``;
* every context overflow is ``context_length_exceeded`` on the OpenAI surfaces;
* Anthropic ``usage.server_tool_use`` reaches an Anthropic caller, streamed and not;
* a tool result whose call is not in the assistant turn before it becomes user text (reported).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from _pitfall_helpers import ant_end, ant_start, ant_text_block, anthropic_sse, post, replay
from _sdk_matrix import FAMILIES, MSG, Family, error_body, upstream

pytest_plugins = ["_sdk_fixtures", "_surface_fixtures"]

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")
genai = pytest.importorskip("google.genai")
from google.genai import types  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_B64 = base64.b64encode(PDF).decode()
FAM = {f.name: f for f in FAMILIES}

# Gemini model families beyond the simulator's default aliases (gemini-pro is gemini-2.5-pro).
GEMINI_ALIASES = {"gemini-3-pro": "gemini-3-pro-preview", "gemini-3.1-pro": "gemini-3.1-pro-preview",
                  "gemini-3-flash": "gemini-3-flash-preview", "gemini-flash-lite": "gemini-2.5-flash-lite"}


@pytest.fixture(params=["native"])
def entry(request: Any) -> str:
    return request.param


@pytest.fixture(scope="module")
def families_url(sim: Any) -> Iterator[str]:
    """A gateway over the simulator that also serves the Gemini 3 / Flash-Lite aliases."""
    from openrain.config import Model
    from openrain.testing import gateway_for_mock

    models = [Model(alias=a, provider="sim-gemini", model=m) for a, m in GEMINI_ALIASES.items()]
    with gateway_for_mock(sim, extra_models=models) as gw:
        handle = gw.start_server("127.0.0.1", 0)
        try:
            yield handle.url
        finally:
            handle.stop()


def _thinking(mock: Any) -> Dict[str, Any]:
    return upstream(mock)["generationConfig"]["thinkingConfig"]


def _openai(url: str) -> Any:
    return openai.OpenAI(base_url=url + "/v1", api_key="test", max_retries=0, timeout=30)


# --- 1. reasoning effort on Gemini follows the model family --------------------------------------


@pytest.mark.parametrize("effort, alias, want", [
    ("minimal", "gemini-pro", {"thinkingBudget": 128}),        # 2.5 Pro cannot turn thinking off
    ("minimal", "gemini-flash", {"thinkingBudget": 0}),        # 2.5 Flash can
    ("xhigh", "gemini-pro", {"thinkingBudget": 32768}),        # 2.5 Pro's largest budget
    ("high", "gemini-flash-lite", {"thinkingBudget": 24576}),
])
def test_chat_reasoning_effort_to_gemini_budget_families(families_url: str, mock: Any, effort: str, alias: str,
                                                         want: Dict[str, Any]) -> None:
    mock.enqueue(text="ok")
    raw = _openai(families_url).chat.completions.with_raw_response.create(
        model=alias, messages=MSG, reasoning_effort=effort)
    assert raw.parse().choices[0].message.content == "ok"
    assert _thinking(mock) == want
    assert "x-openrain-dropped-fields" not in raw.headers


def test_chat_reasoning_effort_none_on_a_model_that_always_thinks(families_url: str, mock: Any) -> None:
    """2.5 Pro never takes budget 0: its smallest budget goes, and the loss is reported (strict: 400)."""
    client = _openai(families_url)
    mock.enqueue(text="ok")
    raw = client.chat.completions.with_raw_response.create(model="gemini-pro", messages=MSG, reasoning_effort="none")
    assert _thinking(mock) == {"thinkingBudget": 128}
    assert raw.headers["x-openrain-dropped-fields"] == "reasoning_effort"
    mock.clear()
    with pytest.raises(openai.BadRequestError) as exc:
        client.chat.completions.create(model="gemini-pro", messages=MSG, reasoning_effort="none",
                                       extra_headers={"x-openrain-strict": "1"})
    err = error_body(exc.value)["error"]
    assert err["param"] == "reasoning_effort"
    assert "cannot turn thinking off" in err["message"]
    assert mock.request_count == 0


@pytest.mark.parametrize("effort, alias, level", [
    ("minimal", "gemini-3-pro", "LOW"),       # 3 Pro: LOW / HIGH only
    ("medium", "gemini-3-pro", "HIGH"),
    ("medium", "gemini-3.1-pro", "MEDIUM"),
    ("minimal", "gemini-3-flash", "MINIMAL"),
    ("high", "gemini-3-flash", "HIGH"),
])
def test_responses_reasoning_effort_to_gemini_3_level(families_url: str, mock: Any, effort: str, alias: str,
                                                      level: str) -> None:
    mock.enqueue(text="ok")
    resp = _openai(families_url).responses.create(model=alias, input="hi", reasoning={"effort": effort})
    assert resp.output_text == "ok"
    assert _thinking(mock) == {"thinkingLevel": level}  # never a budget on Gemini 3


def test_anthropic_thinking_budget_to_gemini_3_level(families_url: str, mock: Any) -> None:
    mock.enqueue(text="ok")
    client = anthropic.Anthropic(base_url=families_url, api_key="k", max_retries=0, timeout=30)
    client.messages.create(model="gemini-3-flash", max_tokens=8192, messages=MSG,
                           thinking={"type": "enabled", "budget_tokens": 4096})
    assert _thinking(mock) == {"thinkingLevel": "MEDIUM", "includeThoughts": True}


def test_gemini_caller_thinking_level_reaches_gemini_3_as_a_level(families_url: str, mock: Any) -> None:
    mock.enqueue(text="ok")
    client = genai.Client(api_key="k", http_options=types.HttpOptions(
        base_url=families_url, api_version="v1beta", retry_options=types.HttpRetryOptions(attempts=1)))
    cfg = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_level="LOW"))
    resp = client.models.generate_content(model="gemini-3-pro", contents="hi", config=cfg)
    assert resp.text == "ok"
    assert _thinking(mock) == {"thinkingLevel": "LOW"}
    # ... and as a budget to a 2.5 model, where thinkingLevel does not exist.
    mock.enqueue(text="ok")
    client.models.generate_content(model="gemini-pro", contents="hi", config=cfg)
    assert _thinking(mock) == {"thinkingBudget": 1024}


# --- 2. files for Anthropic: text documents, a 400 for what it cannot take -------------------------


def _file_part(media_type: str, data: bytes, filename: str) -> Dict[str, Any]:
    return {"type": "file", "file": {"filename": filename,
                                     "file_data": f"data:{media_type};base64,{base64.b64encode(data).decode()}"}}


def test_chat_text_file_reaches_anthropic_as_a_text_document(sdk: Any, mock: Any) -> None:
    mock.enqueue(text="Read it.")
    content = [{"type": "text", "text": "Summarise"}, _file_part("text/plain", "Ünïcode notes\n".encode(), "n.txt")]
    resp = sdk.chat.completions.create(model="claude-sonnet", messages=[{"role": "user", "content": content}])
    assert resp.choices[0].message.content == "Read it."
    blocks = upstream(mock)["messages"][0]["content"]
    assert blocks[1] == {"type": "document", "title": "n.txt",
                         "source": {"type": "text", "media_type": "text/plain", "data": "Ünïcode notes\n"}}


def test_chat_unsupported_file_type_for_anthropic_is_a_400_naming_the_part(sdk: Any, mock: Any) -> None:
    content = [{"type": "text", "text": "Open this"}, _file_part("application/zip", b"PK\x03\x04", "a.zip")]
    with pytest.raises(openai.BadRequestError) as exc:
        sdk.chat.completions.create(model="claude-sonnet", messages=[{"role": "user", "content": content}])
    err = error_body(exc.value)["error"]
    assert err["param"] == "messages[0].content[1]"
    assert "application/zip" in err["message"]
    assert mock.request_count == 0


# --- 3. a Gemini caller's inline PDF reaches every upstream as a document --------------------------


@pytest.mark.parametrize("fam", FAMILIES, ids=[f.name for f in FAMILIES])
def test_gemini_inline_pdf_reaches_every_upstream(gclient: Any, mock: Any, fam: Family) -> None:
    mock.enqueue(text="A PDF.")
    contents = [types.Content(role="user", parts=[types.Part.from_text(text="What is this?"),
                                                  types.Part.from_bytes(data=PDF, mime_type="application/pdf")])]
    resp = gclient.models.generate_content(model=fam.alias, contents=contents)
    assert resp.text == "A PDF."
    body = upstream(mock)
    if fam.name == "openai":
        assert body["messages"][0]["content"][1] == {
            "type": "file", "file": {"filename": "document.pdf", "file_data": "data:application/pdf;base64," + PDF_B64}}
    elif fam.name == "anthropic":
        assert body["messages"][0]["content"][1] == {
            "type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF_B64}}
    else:
        inline = body["contents"][0]["parts"][1]["inlineData"]
        assert inline["mimeType"] == "application/pdf"
        assert base64.urlsafe_b64decode(inline["data"]) == PDF


# --- 4. context overflow is context_length_exceeded on the OpenAI surfaces -------------------------

COPILOT_OVERFLOW = {"status": 400, "error_type": "invalid_request_error", "error_code": "model_max_prompt_tokens_exceeded",
                    "error_message": "prompt token count of 200123 exceeds the limit of 128000"}


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_responses_overflow_code_is_context_length_exceeded(sdk: Any, mock: Any, stream: bool) -> None:
    mock.enqueue(**COPILOT_OVERFLOW)
    with pytest.raises(openai.BadRequestError) as exc:
        if stream:
            with sdk.responses.stream(model="gpt-4o-mini", input="hi") as s:
                s.get_final_response()
        else:
            sdk.responses.create(model="gpt-4o-mini", input="hi")
    err = error_body(exc.value)["error"]
    assert err["code"] == "context_length_exceeded"
    assert err["type"] == "invalid_request_error"
    assert "200123" in err["message"]


@pytest.mark.parametrize("fam", FAMILIES, ids=[f.name for f in FAMILIES])
def test_chat_and_responses_overflow_code_from_every_upstream(sdk: Any, mock: Any, fam: Family) -> None:
    from _sdk_matrix import CONTEXT_ERRORS

    for call in (lambda: sdk.chat.completions.create(model=fam.alias, messages=MSG),
                 lambda: sdk.responses.create(model=fam.alias, input="hi")):
        mock.enqueue(status=400, **CONTEXT_ERRORS[fam.name])
        with pytest.raises(openai.BadRequestError) as exc:
            call()
        assert error_body(exc.value)["error"]["code"] == "context_length_exceeded"


# --- 5. Anthropic server-tool usage reaches an Anthropic caller ------------------------------------


def test_messages_server_tool_usage_non_streaming(claude: Any, mock: Any, tmp_path: Path) -> None:
    body = {"id": "msg_up", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "It is cold in Oslo."}], "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 20, "output_tokens": 9, "server_tool_use": {"web_search_requests": 1}}}
    replay(mock, tmp_path, json.dumps(body), content_type="application/json")
    resp = claude.messages.create(model="claude-sonnet", max_tokens=256, messages=MSG)
    assert resp.usage.server_tool_use is not None
    assert resp.usage.server_tool_use.web_search_requests == 1


def test_messages_server_tool_usage_streaming(claude: Any, mock: Any, tmp_path: Path) -> None:
    start = ant_start()
    start["message"]["usage"]["server_tool_use"] = {"web_search_requests": 0}
    end = ant_end(output_tokens=9)
    end[0]["usage"]["server_tool_use"] = {"web_search_requests": 2}
    replay(mock, tmp_path, anthropic_sse([start, *ant_text_block(0, "Cold."), *end]))
    with claude.messages.stream(model="claude-sonnet", max_tokens=256, messages=MSG) as s:
        final = s.get_final_message()
    assert final.content[0].text == "Cold."
    assert final.usage.server_tool_use is not None
    assert final.usage.server_tool_use.web_search_requests == 2


def test_server_tool_usage_stays_off_other_surfaces(sdk: Any, mock: Any, tmp_path: Path) -> None:
    end = ant_end()
    end[0]["usage"]["server_tool_use"] = {"web_search_requests": 2}
    replay(mock, tmp_path, anthropic_sse([ant_start(), *ant_text_block(0, "Cold."), *end]))
    resp = sdk.chat.completions.with_raw_response.create(model="claude-sonnet", messages=MSG, stream=True,
                                                         stream_options={"include_usage": True})
    assert b"server_tool_use" not in resp.http_response.read()


# --- 6. orphan tool results become user text -------------------------------------------------------


def _orphan_messages() -> List[Dict[str, Any]]:
    # A client that trimmed its history kept a tool result whose assistant call it dropped.
    return [{"role": "user", "content": "Weather in Paris?"},
            {"role": "tool", "tool_call_id": "call_gone", "content": "21 C and sunny"},
            {"role": "user", "content": "So, a jacket?"}]


ORPHAN_TEXT = ("Tool result for call `call_gone`; the call itself is not in this conversation:\n"
               "21 C and sunny")


@pytest.mark.parametrize("fam", FAMILIES, ids=[f.name for f in FAMILIES])
def test_chat_orphan_tool_result_becomes_user_text(sdk: Any, mock: Any, fam: Family) -> None:
    mock.enqueue(text="No jacket.")
    raw = sdk.chat.completions.with_raw_response.create(model=fam.alias, messages=_orphan_messages())
    assert raw.parse().choices[0].message.content == "No jacket."
    assert raw.headers["x-openrain-dropped-fields"] == "messages[1].role"
    body = upstream(mock)
    if fam.name == "openai":
        assert [m["role"] for m in body["messages"]] == ["user", "user", "user"]
        assert body["messages"][1]["content"] == ORPHAN_TEXT
    elif fam.name == "anthropic":
        assert [m["role"] for m in body["messages"]] == ["user"]
        blocks = body["messages"][0]["content"]
        assert all(b["type"] == "text" for b in blocks)
        assert ORPHAN_TEXT in [b["text"] for b in blocks]
    else:
        assert [c["role"] for c in body["contents"]] == ["user"]
        parts = body["contents"][0]["parts"]
        assert not any("functionResponse" in p for p in parts)
        assert {"text": ORPHAN_TEXT} in parts


def test_chat_orphan_tool_result_in_strict_mode_is_a_400_naming_the_message(sdk: Any, mock: Any) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        sdk.chat.completions.create(model="claude-sonnet", messages=_orphan_messages(),
                                    extra_headers={"x-openrain-strict": "true"})
    err = error_body(exc.value)["error"]
    assert err["param"] == "messages[1].role"
    assert "call_gone" in err["message"]
    assert mock.request_count == 0


def test_messages_orphan_tool_result_from_the_recorded_fixture(claude: Any, mock: Any) -> None:
    """The request Anthropic answered with 400 "unexpected `tool_use_id` found in `tool_result` blocks"
    (fixture anthropic/error-400-invalid-request) now reaches Anthropic without the orphan block."""
    recorded = json.loads((FIXTURES / "anthropic" / "error-400-invalid-request.request.json").read_text())["body"]
    orphan_id = recorded["messages"][1]["content"][0]["tool_use_id"]
    mock.enqueue(text="It is 20 C.")
    raw = claude.messages.with_raw_response.create(
        model="claude-sonnet", max_tokens=recorded["max_tokens"], messages=recorded["messages"],
        tools=recorded["tools"])
    assert raw.parse().content[0].text == "It is 20 C."
    assert raw.headers["x-openrain-dropped-fields"] == "messages[1].role"
    sent = upstream(mock)["messages"]
    blocks = [b for m in sent for b in (m["content"] if isinstance(m["content"], list) else [])]
    assert not any(b["type"] == "tool_result" for b in blocks), sent
    texts = [b["text"] for b in blocks if b["type"] == "text"]
    assert any(orphan_id in t and "20°C" in t for t in texts), texts
