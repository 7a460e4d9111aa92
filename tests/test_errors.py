"""openrain.errors: hierarchy, builtin bases, kind table, and error-body parsing."""

from __future__ import annotations

import builtins
import json
import pickle

import pytest

from openrain import errors as E

ENGINE_KINDS = [
    "invalid_request", "authentication", "permission_denied", "not_found", "payload_too_large",
    "unsupported_parameter", "context_length_exceeded", "rate_limited", "quota_exceeded",
    "upstream_server_error", "overloaded", "timeout", "upstream_connection", "upstream_protocol",
    "stream_interrupted", "cancelled", "internal",
]


@pytest.mark.parametrize(
    "cls, bases",
    [
        (E.InvalidRequestError, (ValueError,)),
        (E.ConfigError, (E.InvalidRequestError, ValueError)),
        (E.AuthenticationError, (PermissionError,)),
        (E.PermissionDeniedError, (PermissionError,)),
        (E.NotFoundError, (LookupError,)),
        (E.PayloadTooLargeError, (ValueError,)),
        (E.UnsupportedParameterError, (E.InvalidRequestError, ValueError)),
        (E.ContextLengthExceededError, (E.InvalidRequestError, ValueError)),
        (E.RateLimitError, (RuntimeError,)),
        (E.UpstreamError, (ConnectionError,)),
        (E.UpstreamServerError, (E.UpstreamError, ConnectionError)),
        (E.OverloadedError, (E.UpstreamError,)),
        (E.UpstreamConnectionError, (E.UpstreamError,)),
        (E.UpstreamProtocolError, (E.UpstreamError,)),
        (E.StreamInterruptedError, (E.UpstreamError,)),
        (E.TimeoutError, (builtins.TimeoutError,)),
        (E.QuotaExceededError, ()),
        (E.CancelledError, ()),
        (E.InternalError, ()),
    ],
)
def test_hierarchy(cls, bases) -> None:
    assert issubclass(cls, E.OpenRainError)
    for b in bases:
        assert issubclass(cls, b), f"{cls.__name__} should subclass {b.__name__}"


def test_quota_is_not_a_rate_limit_and_cancel_is_not_asyncio_cancel() -> None:
    import asyncio

    assert not issubclass(E.QuotaExceededError, E.RateLimitError)
    assert not issubclass(E.CancelledError, asyncio.CancelledError)
    assert E.TimeoutError is not builtins.TimeoutError


def test_kind_table_matches_engine_names() -> None:
    assert [k for k in E.KINDS if k != "config"] == ENGINE_KINDS
    for kind in ENGINE_KINDS:
        assert E.from_kind(kind).kind == kind
    assert E.from_kind("no_such_kind") is E.InternalError


def test_attributes_and_defaults() -> None:
    e = E.RateLimitError("slow down", retry_after=2.5, headers=[("Retry-After", "3")], provider="openai",
                         code="rate_limit_exceeded", param=None)
    assert str(e) == "slow down"
    assert e.message == "slow down"
    assert e.status_code == 429
    assert e.kind == "rate_limited"
    assert e.retry_after == 2.5
    assert e.headers == {"retry-after": "3"}
    assert e.provider == "openai"
    assert e.code == "rate_limit_exceeded"
    assert e.param is None
    assert E.NotFoundError("x").status_code == 404
    assert E.TimeoutError("t").status_code == 504
    assert E.CancelledError("c").status_code == 499


def test_os_error_subclasses_keep_message() -> None:
    e = E.AuthenticationError("bad key", status_code=401)
    assert str(e) == "bad key"
    assert e.args == ("bad key",)
    assert isinstance(e, OSError)


def test_pickle_roundtrip() -> None:
    e = E.OverloadedError("busy", status_code=529, retry_after=1.0, headers={"x-a": "b"})
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is E.OverloadedError
    assert (back.message, back.status_code, back.retry_after, back.headers) == ("busy", 529, 1.0, {"x-a": "b"})


def body(message, type_, code=None, param=None) -> bytes:
    return json.dumps({"error": {"message": message, "type": type_, "param": param, "code": code}}).encode()


@pytest.mark.parametrize(
    "status, payload, cls",
    [
        (400, body("bad", "invalid_request_error"), E.InvalidRequestError),
        (400, body("too long", "invalid_request_error", "context_length_exceeded"), E.ContextLengthExceededError),
        (400, body("nope", "invalid_request_error", "unsupported_parameter", "logprobs"), E.UnsupportedParameterError),
        (401, body("key", "invalid_request_error", "invalid_api_key"), E.AuthenticationError),
        (403, body("no", "permission_error"), E.PermissionDeniedError),
        (404, body("missing", "invalid_request_error", "model_not_found"), E.NotFoundError),
        (413, body("big", "invalid_request_error"), E.PayloadTooLargeError),
        (429, body("slow", "requests", "rate_limit_exceeded"), E.RateLimitError),
        (429, body("pay", "insufficient_quota", "insufficient_quota"), E.QuotaExceededError),
        (500, body("boom", "server_error"), E.UpstreamServerError),
        (502, body("bad gateway", "server_error"), E.UpstreamConnectionError),
        (503, body("busy", "service_unavailable_error"), E.OverloadedError),
        (504, body("slow", "timeout_error"), E.TimeoutError),
        (499, body("gone", "server_error"), E.CancelledError),
    ],
)
def test_error_from_openai_body(status, payload, cls) -> None:
    e = E.error_from_response(status, [("content-type", "application/json")], payload)
    assert type(e) is cls
    assert e.status_code == status
    assert e.message == json.loads(payload)["error"]["message"]


def test_error_from_response_fields() -> None:
    e = E.error_from_response(429, [("Retry-After", "7"), ("x-ratelimit-remaining-requests", "0")],
                              body("Rate limit reached", "requests", "rate_limit_exceeded", "model"))
    assert type(e) is E.RateLimitError
    assert e.retry_after == 7.0
    assert e.param == "model"
    assert e.code == "rate_limit_exceeded"
    assert e.error_type == "requests"
    assert e.headers["x-ratelimit-remaining-requests"] == "0"


def test_error_from_anthropic_and_gemini_bodies() -> None:
    a = E.error_from_response(529, {}, json.dumps(
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
    assert type(a) is E.OverloadedError and a.message == "Overloaded"
    g = E.error_from_response(404, {}, json.dumps(
        {"error": {"code": 404, "message": "models/x is not found", "status": "NOT_FOUND"}}))
    assert type(g) is E.NotFoundError and g.message == "models/x is not found"


def test_error_from_non_json_body() -> None:
    e = E.error_from_response(502, {}, b"<html>Bad Gateway</html>")
    assert type(e) is E.UpstreamConnectionError
    assert e.message == "<html>Bad Gateway</html>"
    assert E.error_from_response(500, {}, b"").message == "HTTP 500"


def test_kind_header_wins() -> None:
    e = E.error_from_response(502, {"x-openrain-error-kind": "stream_interrupted"}, body("cut", "server_error"))
    assert type(e) is E.StreamInterruptedError


def test_in_stream_error() -> None:
    e = E.error_from_stream_event({"error": {"message": "Overloaded", "type": "server_error", "code": None}})
    assert type(e) is E.StreamInterruptedError and e.message == "Overloaded"
    e = E.error_from_stream_event({"error": {"message": "slow", "type": "requests", "code": "rate_limit_exceeded"}})
    assert type(e) is E.RateLimitError


def test_native_module_raises_matching_classes() -> None:
    native = pytest.importorskip("openrain._engine")
    assert [k for k, _ in native.error_kinds()] == ENGINE_KINDS
    for kind, status in native.error_kinds():
        assert E.from_kind(kind).default_status == status, kind
        with pytest.raises(E.from_kind(kind)) as info:
            native._raise_error(kind, f"msg {kind}")
        assert type(info.value) is E.from_kind(kind)
        assert info.value.kind == kind
        assert info.value.status_code == status
        assert info.value.message == f"msg {kind}"
    with pytest.raises(E.RateLimitError) as info:
        native._raise_error("rate_limited", "slow", status=429, param="model", code="rate_limit_exceeded",
                            provider="sim-openai", retry_after=1.5, headers=[("retry-after", "2")])
    e = info.value
    assert (e.param, e.code, e.provider, e.retry_after, e.headers) == (
        "model", "rate_limit_exceeded", "sim-openai", 1.5, {"retry-after": "2"})
