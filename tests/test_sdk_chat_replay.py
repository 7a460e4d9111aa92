"""Recorded real upstream streams, replayed byte-exact by the simulator, decoded end to end.

Each /work/shared/fixtures/{openai-chat,anthropic,gemini}/*.sse body is served as the upstream
answer (script ``{"replay": {...}}``) to a streaming request for an alias of the matching family,
through each entry point. The expected result is computed from the recording itself by the small,
independent reference readers below (visible text, refusal, tool calls with their arguments,
finish reason, token counts), and the OpenAI SDK's ``get_final_completion()`` must equal it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from _sdk_matrix import FAMILIES, MSG

pytest_plugins = ["_sdk_fixtures"]  # fixtures: sdk, fam, entry

openai = pytest.importorskip("openai")

def _fixtures_dir() -> Path:
    """shared/fixtures lives beside the repository (../shared); OPENRAIN_FIXTURES_DIR overrides."""
    env = os.environ.get("OPENRAIN_FIXTURES_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


FIXTURES = _fixtures_dir()
DIRS = {"openai": "openai-chat", "anthropic": "anthropic", "gemini": "gemini"}
ALIAS = {f.name: f.alias for f in FAMILIES}


@dataclass
class Expected:
    text: str = ""
    refusal: str = ""
    calls: List[Tuple[str, Any]] = field(default_factory=list)  # (name, parsed arguments)
    finish: Optional[str] = None
    prompt_tokens: Optional[int] = None
    completion_tokens: Optional[int] = None


def _events(raw: bytes) -> List[Dict[str, Any]]:
    """JSON payloads of the `data:` lines of an SSE body (CRLF or LF, [DONE] skipped)."""
    out: List[Dict[str, Any]] = []
    for block in raw.decode("utf-8").replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip(" ") for line in block.split("\n") if line.startswith("data:"))
        if data and data.strip() != "[DONE]":
            out.append(json.loads(data))
    return out


def _expect_openai(events: List[Dict[str, Any]]) -> Expected:
    e = Expected()
    args: Dict[int, List[Any]] = {}
    for ev in events:
        for ch in ev.get("choices") or []:
            d = ch.get("delta") or {}
            e.text += d.get("content") or ""
            e.refusal += d.get("refusal") or ""
            for tc in d.get("tool_calls") or []:
                slot = args.setdefault(tc["index"], ["", ""])
                fn = tc.get("function") or {}
                slot[0] += fn.get("name") or ""
                slot[1] += fn.get("arguments") or ""
            e.finish = ch.get("finish_reason") or e.finish
        if ev.get("usage"):
            e.prompt_tokens = ev["usage"]["prompt_tokens"]
            e.completion_tokens = ev["usage"]["completion_tokens"]
    e.calls = [(n, json.loads(a or "{}")) for _, (n, a) in sorted(args.items())]
    return e


ANTHROPIC_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "pause_turn": "stop", "max_tokens": "length",
                    "model_context_window_exceeded": "length", "tool_use": "tool_calls", "refusal": "content_filter"}


def _expect_anthropic(events: List[Dict[str, Any]]) -> Expected:
    e = Expected()
    blocks: Dict[int, List[Any]] = {}
    usage: Dict[str, int] = {}
    for ev in events:
        t = ev.get("type")
        if t == "message_start":
            usage.update(ev["message"].get("usage") or {})
        elif t == "content_block_start" and ev["content_block"]["type"] == "tool_use":
            blocks[ev["index"]] = [ev["content_block"]["name"], ""]
        elif t == "content_block_delta":
            d = ev["delta"]
            if d["type"] == "text_delta":
                e.text += d["text"]
            elif d["type"] == "input_json_delta":
                blocks[ev["index"]][1] += d["partial_json"]
        elif t == "message_delta":
            e.finish = ANTHROPIC_FINISH[ev["delta"]["stop_reason"]]
            usage.update({k: v for k, v in (ev.get("usage") or {}).items() if v is not None})
    e.calls = [(n, json.loads(a or "{}")) for _, (n, a) in sorted(blocks.items())]
    e.prompt_tokens = (usage.get("input_tokens", 0) + (usage.get("cache_read_input_tokens") or 0)
                       + (usage.get("cache_creation_input_tokens") or 0))
    e.completion_tokens = usage.get("output_tokens")
    return e


GEMINI_FINISH = {"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter"}


def _expect_gemini(events: List[Dict[str, Any]]) -> Expected:
    e = Expected()
    for ev in events:
        for cand in ev.get("candidates") or []:
            for part in (cand.get("content") or {}).get("parts") or []:
                if "functionCall" in part:
                    e.calls.append((part["functionCall"]["name"], part["functionCall"].get("args", {})))
                elif "text" in part and not part.get("thought"):
                    e.text += part["text"]
            if cand.get("finishReason"):
                e.finish = GEMINI_FINISH[cand["finishReason"]]
        um = ev.get("usageMetadata") or {}
        if um:
            e.prompt_tokens = um.get("promptTokenCount")
            e.completion_tokens = um.get("candidatesTokenCount", 0) + um.get("thoughtsTokenCount", 0)
    if e.calls and e.finish == "stop":
        e.finish = "tool_calls"  # Gemini ends function-call turns with STOP (protocols/gemini.md)
    return e


EXPECT = {"openai": _expect_openai, "anthropic": _expect_anthropic, "gemini": _expect_gemini}

CASES = [(fam, p) for fam, d in DIRS.items() for p in sorted((FIXTURES / d).glob("*.sse"))]


def test_every_family_has_recordings() -> None:
    if not FIXTURES.is_dir():
        pytest.skip("shared fixtures are not available")
    assert {fam for fam, _ in CASES} == set(DIRS)


@pytest.mark.skipif(not CASES, reason="shared fixtures are not available")
@pytest.mark.parametrize("family,path", CASES, ids=[f"{DIRS[f]}/{p.stem}" for f, p in CASES])
def test_replayed_recording_decodes(sdk: Any, mock: Any, family: str, path: Path) -> None:
    exp = EXPECT[family](_events(path.read_bytes()))
    assert exp.text or exp.refusal or exp.calls, "reference reader found nothing in the recording"
    mock.enqueue(replay={"file": str(path), "content_type": "text/event-stream"})
    with sdk.chat.completions.stream(model=ALIAS[family], messages=MSG,
                                     stream_options={"include_usage": True}) as stream:
        try:
            for _ in stream:
                pass
            final = stream.get_final_completion()
        except openai.LengthFinishReasonError as err:  # the SDK's helper refuses "length" turns
            assert exp.finish == "length"
            final = err.completion
    assert mock.request_count == 1
    assert final.model == ALIAS[family]
    msg = final.choices[0].message
    assert (msg.content or "") == exp.text
    assert (msg.refusal or "") == exp.refusal
    assert [(c.function.name, json.loads(c.function.arguments)) for c in msg.tool_calls or []] == exp.calls
    ids = [c.id for c in msg.tool_calls or []]
    assert len(set(ids)) == len(ids) and all(ids)
    assert final.choices[0].finish_reason == exp.finish
    if exp.prompt_tokens is not None:
        assert final.usage is not None
        assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (exp.prompt_tokens,
                                                                             exp.completion_tokens)
