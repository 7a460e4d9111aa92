"""Shared data and helpers for the SDK matrix tests (test_sdk_chat_*.py, test_sdk_messages_*.py,
test_sdk_responses_*.py, test_sdk_gemini_*.py) and the pitfall tests: the entry points, the upstream
families (alias, provider, upstream model, expected upstream path), tool definitions, small readers
for upstream request bodies, error bodies and SSE bodies, and a credential-leak check. The fixtures
that parametrise over them live in _sdk_fixtures.py (and _surface_fixtures.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

ENTRY_POINTS = ("native", "asgi", "inprocess")

MSG: List[Dict[str, Any]] = [{"role": "user", "content": "hi"}]

WEATHER_TOOL: Dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city"],
        },
    },
}

TIME_TOOL: Dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current time (no arguments)",
        "parameters": {"type": "object", "properties": {}},
    },
}


@dataclass(frozen=True)
class Family:
    name: str            # openai | anthropic | gemini
    alias: str           # what the caller asks for
    provider: str        # x-openrain-provider
    upstream_model: str  # what the upstream is asked for

    def chat_path(self, stream: bool = False) -> str:
        if self.name == "openai":
            return "/v1/chat/completions"
        if self.name == "anthropic":
            return "/v1/messages"
        verb = "streamGenerateContent" if stream else "generateContent"
        return f"/v1beta/models/{self.upstream_model}:{verb}"

    def tool_id(self, k: int) -> str:
        """A scripted upstream tool-call id in this family's style ("" for Gemini: it has none)."""
        return {"openai": f"call_m{k}", "anthropic": f"toolu_m{k}", "gemini": ""}[self.name]


FAMILIES = (
    Family("openai", "gpt-4o-mini", "sim-openai", "gpt-4o-mini"),
    Family("anthropic", "claude-sonnet", "sim-anthropic", "claude-sonnet-4-5"),
    Family("gemini", "gemini-flash", "sim-gemini", "gemini-2.5-flash"),
)


def tool_script(name: str, arguments: Any, id_: str = "") -> Dict[str, Any]:
    """One scripted tool call (the id omitted when empty, so the simulator / gateway makes one)."""
    call: Dict[str, Any] = {"name": name, "arguments": arguments}
    if id_:
        call["id"] = id_
    return call


def upstream(mock: Any) -> Dict[str, Any]:
    """The JSON body of the last request the simulator received."""
    body = mock.last_request.json
    assert isinstance(body, dict), mock.last_request.body
    return body


def error_body(exc: Any) -> Dict[str, Any]:
    """The parsed JSON body of an ``openai.APIStatusError`` (fails if it is not JSON)."""
    text = exc.response.text
    try:
        return json.loads(text)
    except ValueError:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"error body is not JSON: {text[:200]!r}")


# --- shared by the Messages / Responses / Gemini surface matrices and the pitfall tests -----------

# A 1x1 PNG, as base64 and as a data: URL.
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
PNG_URL = "data:image/png;base64," + PNG_B64

LONG_TEXT = "one two three four five six seven eight nine ten"

# The caller's own credential: it must never reach an upstream (which gets the provider's key).
CALLER_KEY = "sk-caller-secret-never-upstream"
UPSTREAM_KEY_HEADER = {"openai": ("authorization", "Bearer sim-key"), "anthropic": ("x-api-key", "sim-key"),
                       "gemini": ("x-goog-api-key", "sim-key")}

# Each family's own wording for a prompt that is too long (see /work/shared/protocols/errors.md).
CONTEXT_ERRORS: Dict[str, Dict[str, str]] = {
    "openai": {"error_type": "invalid_request_error", "error_code": "context_length_exceeded",
               "error_message": "This model's maximum context length is 128000 tokens. However, your "
                                "messages resulted in 300000 tokens. Please reduce the length of the messages."},
    "anthropic": {"error_type": "invalid_request_error",
                  "error_message": "prompt is too long: 300000 tokens > 200000 maximum"},
    "gemini": {"error_type": "invalid_request_error",
               "error_message": "The input token count (300000) exceeds the maximum number of tokens allowed "
                                "(1048576)."},
}


def assert_credentials_not_forwarded(mock: Any, fam: "Family", secret: str = CALLER_KEY) -> None:
    """Every upstream request carried the provider's key in the family's header, and nothing of
    the caller's ``secret`` (in any header value, the query or the body)."""
    reqs = mock.requests
    assert reqs, "the simulator received no request"
    name, value = UPSTREAM_KEY_HEADER[fam.name]
    for r in reqs:
        assert r.header(name) == value, (r.path, r.headers)
        for k, v in r.headers:
            assert secret not in v, f"caller credential forwarded upstream in header {k}"
        assert secret not in r.query
        assert secret.encode() not in r.body


def sse_frames(body: bytes) -> List[Tuple[Optional[str], str]]:
    """(event name or None, data text) for each SSE event of ``body`` (LF or CRLF framing);
    comment-only blocks are skipped."""
    out: List[Tuple[Optional[str], str]] = []
    for block in body.decode("utf-8").replace("\r\n", "\n").split("\n\n"):
        event: Optional[str] = None
        data: List[str] = []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if event is not None or data:
            out.append((event, "\n".join(data)))
    return out


def sse_json(body: bytes) -> List[Dict[str, Any]]:
    """The JSON payloads of ``body``'s SSE events (fails on a non-JSON payload such as [DONE])."""
    return [json.loads(d) for _, d in sse_frames(body)]
