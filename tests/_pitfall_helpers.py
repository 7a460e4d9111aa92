"""Helpers for the pitfall regression tests (test_pitfalls*.py): raw requests to the native server,
hand-written upstream bodies served byte-exact by the simulator (``replay``), and readers for the
three streaming surfaces. Plain functions, no fixtures (the tests use ``native_server`` and ``mock``
from conftest.py).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import httpx

from _sdk_matrix import sse_frames

MSG = [{"role": "user", "content": "hi"}]
GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
_counter = itertools.count()


def post(server: Any, path: str, body: Any, headers: Optional[Dict[str, str]] = None,
         params: Optional[Dict[str, str]] = None) -> httpx.Response:
    return httpx.post(server.url + path, json=body, headers=headers or {}, params=params or {}, timeout=15)


# --- upstream bodies ------------------------------------------------------------------------------


def replay(mock: Any, tmp_path: Path, text: str, content_type: str = "text/event-stream", status: int = 200,
           **script: Any) -> None:
    """Queue ``text`` as the next upstream answer, byte-exact."""
    path = tmp_path / f"replay-{next(_counter)}.body"
    path.write_text(text, encoding="utf-8")
    mock.enqueue(replay={"file": str(path), "content_type": content_type, "status": status}, **script)


def anthropic_sse(events: Iterable[Dict[str, Any]], trailer: str = "") -> str:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events) + trailer


def openai_sse(chunks: Iterable[Dict[str, Any]], done: bool = True) -> str:
    out = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks)
    return out + ("data: [DONE]\n\n" if done else "")


def gemini_sse(chunks: Iterable[Dict[str, Any]]) -> str:
    return "".join(f"data: {json.dumps(c)}\r\n\r\n" for c in chunks)


def oai_chunk(delta: Dict[str, Any], finish: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    choice: Dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
    choice.update(extra)
    return {"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
            "choices": [choice]}


def oai_usage_chunk(prompt: int = 5, completion: int = 3) -> Dict[str, Any]:
    return {"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
            "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                     "total_tokens": prompt + completion}}


def ant_start(input_tokens: int = 5) -> Dict[str, Any]:
    return {"type": "message_start", "message": {
        "id": "msg_up", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": input_tokens, "output_tokens": 1}}}


def ant_text_block(index: int, text: str) -> List[Dict[str, Any]]:
    return [{"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
            {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}},
            {"type": "content_block_stop", "index": index}]


def ant_end(stop_reason: str = "end_turn", output_tokens: int = 3, stop_sequence: Optional[str] = None
            ) -> List[Dict[str, Any]]:
    return [{"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": stop_sequence},
             "usage": {"output_tokens": output_tokens}},
            {"type": "message_stop"}]


def gem_chunk(parts: Optional[List[Dict[str, Any]]], finish: Optional[str] = None,
              usage: Optional[Dict[str, int]] = None, response_id: Optional[str] = "r1") -> Dict[str, Any]:
    cand: Dict[str, Any] = {"index": 0}
    if parts is not None:
        cand["content"] = {"role": "model", "parts": parts}
    if finish:
        cand["finishReason"] = finish
    out: Dict[str, Any] = {"candidates": [cand], "modelVersion": "gemini-2.5-flash"}
    if usage:
        out["usageMetadata"] = usage
    if response_id:
        out["responseId"] = response_id
    return out


# --- reading the three streaming surfaces ---------------------------------------------------------


def messages_stream(server: Any, alias: str, **body: Any) -> List[Tuple[str, Dict[str, Any]]]:
    """(event, data) of a streamed /v1/messages call (asserts HTTP 200)."""
    body.setdefault("max_tokens", 256)
    body.setdefault("messages", MSG)
    r = post(server, "/v1/messages", {"model": alias, "stream": True, **body})
    assert r.status_code == 200, r.text
    return [(ev or "", json.loads(d)) for ev, d in sse_frames(r.content)]


def messages_text(events: List[Tuple[str, Dict[str, Any]]]) -> str:
    return "".join(d["delta"].get("text", "") for ev, d in events if ev == "content_block_delta")


def stop_reason(events: List[Tuple[str, Dict[str, Any]]]) -> Any:
    deltas = [d for ev, d in events if ev == "message_delta"]
    return deltas[-1]["delta"]["stop_reason"] if deltas else None


def tool_blocks(events: List[Tuple[str, Dict[str, Any]]]) -> List[Tuple[str, str, str]]:
    """(id, name, concatenated partial_json) per tool_use block of an Anthropic stream."""
    blocks: Dict[int, List[str]] = {}
    for ev, d in events:
        if ev == "content_block_start" and d["content_block"]["type"] == "tool_use":
            blocks[d["index"]] = [d["content_block"]["id"], d["content_block"]["name"], ""]
        elif ev == "content_block_delta" and d["delta"]["type"] == "input_json_delta":
            blocks[d["index"]][2] += d["delta"]["partial_json"]
    return [tuple(v) for _, v in sorted(blocks.items())]  # type: ignore[misc]


def responses_stream(server: Any, alias: str, **body: Any) -> List[Dict[str, Any]]:
    body.setdefault("input", "hi")
    r = post(server, "/v1/responses", {"model": alias, "stream": True, **body})
    assert r.status_code == 200, r.text
    frames = sse_frames(r.content)
    data = [json.loads(d) for _, d in frames]
    assert [ev for ev, _ in frames] == [d["type"] for d in data]
    return data


def gemini_stream(server: Any, alias: str, body: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    r = post(server, f"/v1beta/models/{alias}:streamGenerateContent", body or GEMINI_BODY, params={"alt": "sse"})
    assert r.status_code == 200, r.text
    return [json.loads(d) for _, d in sse_frames(r.content)]
