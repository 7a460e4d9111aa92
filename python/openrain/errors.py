"""OpenRain's exception classes — one per engine ``ErrorKind``.

Every error the engine reports reaches Python as exactly one of these classes, whether it came
from the compiled module (the bindings look classes up here by kind name) or from an HTTP error
body produced by the engine (:func:`error_from_response`). Each class also derives from the
closest builtin, so generic handlers keep working (``except ValueError``, ``except TimeoutError``,
``except ConnectionError``...).

All instances carry ``status_code``, ``kind``, ``message``, ``param``, ``code``, ``provider``,
``retry_after`` (seconds or ``None``) and ``headers`` (a ``dict`` of forwarded response headers).
Messages never contain API keys.

This module is pure Python and imports nothing heavy: it is safe to import anywhere.
"""

from __future__ import annotations

import builtins
import json
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple, Type, Union

__all__ = [
    "OpenRainError",
    "InvalidRequestError",
    "ConfigError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "UnsupportedParameterError",
    "ContextLengthExceededError",
    "RateLimitError",
    "QuotaExceededError",
    "UpstreamError",
    "UpstreamServerError",
    "OverloadedError",
    "UpstreamConnectionError",
    "UpstreamProtocolError",
    "StreamInterruptedError",
    "TimeoutError",
    "CancelledError",
    "InternalError",
    "from_kind",
    "from_status",
    "error_from_response",
    "error_from_stream_event",
    "KINDS",
]

HeadersLike = Union[Mapping[str, str], Iterable[Tuple[str, str]], None]


class OpenRainError(Exception):
    """Base class of every OpenRain error."""

    kind: str = "internal"
    default_status: int = 500

    def __init__(
        self,
        message: str = "",
        *,
        status_code: Optional[int] = None,
        kind: Optional[str] = None,
        param: Optional[str] = None,
        code: Optional[str] = None,
        provider: Optional[str] = None,
        retry_after: Optional[float] = None,
        headers: HeadersLike = None,
        body: Any = None,
        error_type: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message: str = message
        self.status_code: int = int(status_code) if status_code else type(self).default_status
        self.kind: str = kind or type(self).kind
        self.param: Optional[str] = param or None
        self.code: Optional[str] = code or None
        self.provider: Optional[str] = provider or None
        self.retry_after: Optional[float] = retry_after
        self.headers: Dict[str, str] = _headers_dict(headers)
        self.body: Any = body
        #: the native error ``type`` of the response body (e.g. ``invalid_request_error``)
        self.error_type: Optional[str] = error_type or None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message), f"status_code={self.status_code}"]
        for name in ("param", "code", "provider", "retry_after"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self):  # keep pickling working despite keyword-only arguments
        return (_rebuild, (type(self), self.message, self._state()))

    def _state(self) -> Dict[str, Any]:
        return {
            "status_code": self.status_code,
            "kind": self.kind,
            "param": self.param,
            "code": self.code,
            "provider": self.provider,
            "retry_after": self.retry_after,
            "headers": dict(self.headers),
            "error_type": self.error_type,
        }


def _rebuild(cls: Type[OpenRainError], message: str, state: Dict[str, Any]) -> OpenRainError:
    return cls(message, **state)


def _headers_dict(headers: HeadersLike) -> Dict[str, str]:
    if not headers:
        return {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: Dict[str, str] = {}
    for k, v in items:
        out.setdefault(str(k).lower(), str(v))
    return out


class InvalidRequestError(OpenRainError, ValueError):
    """The request (or the configuration) is malformed or has a bad value. HTTP 400."""

    kind = "invalid_request"
    default_status = 400


class ConfigError(InvalidRequestError):
    """The gateway configuration is invalid; the message names the file, key path and problem."""


class AuthenticationError(OpenRainError, PermissionError):
    """Missing or invalid credentials. HTTP 401."""

    kind = "authentication"
    default_status = 401


class PermissionDeniedError(OpenRainError, PermissionError):
    """Authenticated but not allowed. HTTP 403."""

    kind = "permission_denied"
    default_status = 403


class NotFoundError(OpenRainError, LookupError):
    """Unknown model alias or route. HTTP 404."""

    kind = "not_found"
    default_status = 404


class PayloadTooLargeError(OpenRainError, ValueError):
    """Request body over the configured limit. HTTP 413."""

    kind = "payload_too_large"
    default_status = 413


class UnsupportedParameterError(InvalidRequestError):
    """A valid request the chosen upstream cannot honour (e.g. strict translation loss)."""

    kind = "unsupported_parameter"


class ContextLengthExceededError(InvalidRequestError):
    """The prompt is too long for the model."""

    kind = "context_length_exceeded"


class RateLimitError(OpenRainError, RuntimeError):
    """Retryable rate limit (HTTP 429); see ``retry_after``."""

    kind = "rate_limited"
    default_status = 429


class QuotaExceededError(OpenRainError):
    """Quota or credit exhausted (HTTP 429/402); not retryable."""

    kind = "quota_exceeded"
    default_status = 429


class UpstreamError(OpenRainError, ConnectionError):
    """Base class of failures of the upstream provider."""

    kind = "upstream_server_error"
    default_status = 502


class UpstreamServerError(UpstreamError):
    """The upstream answered 5xx."""

    kind = "upstream_server_error"
    default_status = 500


class OverloadedError(UpstreamError):
    """The upstream is overloaded or unavailable (503/529)."""

    kind = "overloaded"
    default_status = 503


class UpstreamConnectionError(UpstreamError):
    """The upstream could not be reached."""

    kind = "upstream_connection"
    default_status = 502


class UpstreamProtocolError(UpstreamError):
    """The upstream answered something OpenRain cannot decode."""

    kind = "upstream_protocol"
    default_status = 502


class StreamInterruptedError(UpstreamError):
    """The upstream stream broke after the response had started."""

    kind = "stream_interrupted"
    default_status = 502


class TimeoutError(OpenRainError, builtins.TimeoutError):  # noqa: A001 - intentional shadowing
    """A connect / first-byte / idle / total timeout expired. HTTP 504."""

    kind = "timeout"
    default_status = 504


class CancelledError(OpenRainError):
    """The request was cancelled (the caller went away). HTTP 499."""

    kind = "cancelled"
    default_status = 499


class InternalError(OpenRainError):
    """A bug in OpenRain. HTTP 500."""

    kind = "internal"
    default_status = 500


#: kind name (``error_kind_name()`` in cpp/src/status.cpp) → class.
KINDS: Dict[str, Type[OpenRainError]] = {
    "invalid_request": InvalidRequestError,
    "authentication": AuthenticationError,
    "permission_denied": PermissionDeniedError,
    "not_found": NotFoundError,
    "payload_too_large": PayloadTooLargeError,
    "unsupported_parameter": UnsupportedParameterError,
    "context_length_exceeded": ContextLengthExceededError,
    "rate_limited": RateLimitError,
    "quota_exceeded": QuotaExceededError,
    "upstream_server_error": UpstreamServerError,
    "overloaded": OverloadedError,
    "timeout": TimeoutError,
    "upstream_connection": UpstreamConnectionError,
    "upstream_protocol": UpstreamProtocolError,
    "stream_interrupted": StreamInterruptedError,
    "cancelled": CancelledError,
    "internal": InternalError,
    # not an engine kind: used by the Python config loader and the engine config check
    "config": ConfigError,
}


def from_kind(kind: str) -> Type[OpenRainError]:
    """Return the class for an engine error kind name (unknown names → :class:`InternalError`)."""
    return KINDS.get(kind, InternalError)


_STATUS: Dict[int, Type[OpenRainError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    402: QuotaExceededError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: TimeoutError,
    413: PayloadTooLargeError,
    422: InvalidRequestError,
    429: RateLimitError,
    499: CancelledError,
    500: UpstreamServerError,
    502: UpstreamConnectionError,
    503: OverloadedError,
    504: TimeoutError,
    529: OverloadedError,
}

# Precise machine codes / error types that refine the status-based class.
_CODES: Dict[str, Type[OpenRainError]] = {
    "context_length_exceeded": ContextLengthExceededError,
    "unsupported_parameter": UnsupportedParameterError,
    "unsupported_value": UnsupportedParameterError,
    "insufficient_quota": QuotaExceededError,
    "billing_error": QuotaExceededError,
    "rate_limit_exceeded": RateLimitError,
    "rate_limit_error": RateLimitError,
    "model_not_found": NotFoundError,
    "not_found_error": NotFoundError,
    "invalid_api_key": AuthenticationError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "request_too_large": PayloadTooLargeError,
    "overloaded_error": OverloadedError,
    "timeout_error": TimeoutError,
    "stream_interrupted": StreamInterruptedError,
    "upstream_protocol": UpstreamProtocolError,
    "upstream_connection": UpstreamConnectionError,
    # Gemini RPC statuses
    "RESOURCE_EXHAUSTED": RateLimitError,
    "UNAVAILABLE": OverloadedError,
    "DEADLINE_EXCEEDED": TimeoutError,
    "UNAUTHENTICATED": AuthenticationError,
    "PERMISSION_DENIED": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
}

#: Header an engine may set to name the exact kind; honoured when present.
KIND_HEADER = "x-openrain-error-kind"


def from_status(status: int) -> Type[OpenRainError]:
    """Return the class OpenRain uses for an HTTP error status."""
    cls = _STATUS.get(status)
    if cls is not None:
        return cls
    if 400 <= status < 500:
        return InvalidRequestError
    if status >= 500:
        return UpstreamServerError
    return InternalError


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
    raw = headers.get("retry-after-ms")
    if raw:
        try:
            return float(raw) / 1000.0
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw:
        try:
            return float(raw)
        except ValueError:
            return None
    return None


def _error_object(body: Any) -> Tuple[str, Optional[str], Optional[str], Optional[str]]:
    """Extract (message, type, code, param) from an OpenAI / Anthropic / Gemini error body."""
    if isinstance(body, list) and body:  # Gemini non-SSE stream wraps the error in an array
        body = body[0]
    if not isinstance(body, dict):
        return "", None, None, None
    err = body.get("error", body)
    if not isinstance(err, dict):
        return (str(err) if err is not None else ""), None, None, None
    message = err.get("message")
    etype = err.get("type") or err.get("status")  # Gemini: "status": "NOT_FOUND"
    code = err.get("code")
    if isinstance(code, int):  # Gemini puts the HTTP status in "code"
        code = None
    param = err.get("param")
    return (
        str(message) if message is not None else "",
        str(etype) if etype is not None else None,
        str(code) if code is not None else None,
        str(param) if param is not None else None,
    )


def error_from_response(
    status: int,
    headers: HeadersLike,
    body: Union[bytes, str, Mapping[str, Any], None],
    *,
    provider: Optional[str] = None,
) -> OpenRainError:
    """Build the exception for an error response (status ≥ 400) in any supported native shape."""
    hdrs = _headers_dict(headers)
    parsed: Any = body
    if isinstance(body, (bytes, bytearray, str)):
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
    message, etype, code, param = _error_object(parsed)
    if not message:
        text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else body
        message = (text if isinstance(text, str) and text else f"HTTP {status}")[:2000]

    cls: Type[OpenRainError]
    kind_hdr = hdrs.get(KIND_HEADER)
    if kind_hdr and kind_hdr in KINDS:
        cls = KINDS[kind_hdr]
    elif code and code in _CODES:
        cls = _CODES[code]
    elif etype and etype in _CODES and not (etype == "RESOURCE_EXHAUSTED" and status != 429):
        cls = _CODES[etype]
    elif etype == "insufficient_quota":
        cls = QuotaExceededError
    else:
        cls = from_status(status)
    return cls(
        message,
        status_code=status,
        kind=cls.kind,
        param=param,
        code=code,
        provider=provider or hdrs.get("x-openrain-provider"),
        retry_after=_retry_after(hdrs),
        headers=hdrs,
        body=parsed,
        error_type=etype,
    )


def error_from_stream_event(obj: Mapping[str, Any]) -> OpenRainError:
    """Build the exception for an in-stream error frame (``data: {"error": {...}}``).

    The HTTP status was already 200, so the class comes from the error's code/type; anything
    unrecognised is a :class:`StreamInterruptedError`.
    """
    message, etype, code, param = _error_object(obj)
    cls: Type[OpenRainError] = StreamInterruptedError
    for key in (code, etype):
        if key and key in _CODES:
            cls = _CODES[key]
            break
    else:
        if etype == "invalid_request_error":
            cls = InvalidRequestError
        elif etype in ("requests", "tokens"):
            cls = RateLimitError
        elif etype == "insufficient_quota":
            cls = QuotaExceededError
        elif etype == "service_unavailable_error":
            cls = OverloadedError
    return cls(message or "the stream ended with an error", param=param, code=code,
               body=dict(obj), error_type=etype)
