"""Gateway configuration: typed, immutable, validated — and its YAML loader.

Owns the frozen dataclasses :class:`Provider`, :class:`Model`, :class:`ServerOptions`,
:class:`Timeouts` and :class:`GatewayConfig`, the YAML loader :func:`load_config` (one file, shaped
like a LiteLLM proxy config), the offline :func:`demo_config`, and
:meth:`GatewayConfig.to_engine_json`, the exact JSON the C++ ``parse_config_json`` consumes.

Every validation failure raises :class:`openrain.errors.ConfigError` whose message names the file
(when there is one), the key path and the problem, e.g.
``openrain.yaml: model_list[1].litellm_params.model: provider 'antropic' is not defined (known:
openai, anthropic)``. API key values never appear in messages or reprs.

Import cost: only the standard library; ``yaml`` is imported when a file is loaded.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import threading
from dataclasses import dataclass, field, fields, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .errors import ConfigError

__all__ = [
    "PROVIDER_KINDS",
    "QUIRK_DEFAULTS",
    "Timeouts",
    "Provider",
    "Model",
    "ServerOptions",
    "GatewayConfig",
    "load_config",
    "parse_config",
    "demo_config",
    "sim_providers",
    "sim_models",
]

PROVIDER_KINDS = ("openai", "openai_compatible", "anthropic", "gemini")

#: Quirk name → default (the type of the default is the quirk's type).
QUIRK_DEFAULTS: Dict[str, Union[bool, str]] = {
    "supports_stream_options": True,
    "usage_on_finish_chunk": False,
    "tool_call_index_missing": False,
    "supports_developer_role": True,
    "max_tokens_legacy": False,
    "reasoning_field": "",
    "supports_json_schema": True,
    "supports_json_object": True,
    "tool_call_id_9_alnum": False,
}

_MIB = 1 << 20


def _fail(where: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: {problem}" if where else problem, kind="invalid_request")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _did_you_mean(key: str, known: Sequence[str], hints: Optional[Mapping[str, str]] = None) -> str:
    if hints and key in hints:
        return f" (did you mean '{hints[key]}'?)"
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_keys(
    where: str, d: Mapping[str, Any], known: Sequence[str], hints: Optional[Mapping[str, str]] = None
) -> None:
    for key in d:
        if key not in known:
            path = f"{where}.{key}" if where else str(key)
            raise _fail(path, f"unknown key '{key}'{_did_you_mean(str(key), known, hints)}; "
                              f"allowed: {', '.join(known)}")


# ---------------------------------------------------------------------------------------------
# dataclasses
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeouts:
    """Upstream timeouts in milliseconds (all must be positive)."""

    connect_ms: int = 10_000
    first_byte_ms: int = 60_000
    idle_ms: int = 60_000
    total_ms: int = 600_000

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not _is_int(v) or v <= 0:
                raise _fail(f"timeouts.{f.name}", f"must be a positive integer (milliseconds), got {v!r}")

    @classmethod
    def coerce(cls, value: Union["Timeouts", Mapping[str, Any], None], where: str = "timeouts") -> "Timeouts":
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise _fail(where, f"must be a mapping, got {type(value).__name__}")
        known = [f.name for f in fields(cls)]
        _check_keys(where, value, known, {"connect": "connect_ms", "read_ms": "idle_ms",
                                          "timeout": "total_ms", "first_token_ms": "first_byte_ms"})
        for k, v in value.items():
            if not _is_int(v) or v <= 0:
                raise _fail(f"{where}.{k}", f"must be a positive integer (milliseconds), got {v!r}")
        return cls(**dict(value))


def _check_quirks(where: str, quirks: Mapping[str, Any]) -> Dict[str, Union[bool, str]]:
    if not isinstance(quirks, Mapping):
        raise _fail(where, f"must be a mapping, got {type(quirks).__name__}")
    _check_keys(where, quirks, list(QUIRK_DEFAULTS))
    out: Dict[str, Union[bool, str]] = {}
    for k, v in quirks.items():
        want = type(QUIRK_DEFAULTS[k])
        if not isinstance(v, want) or (want is bool) != isinstance(v, bool):
            raise _fail(f"{where}.{k}", f"must be a {'boolean' if want is bool else 'string'}, got {v!r}")
        out[k] = v
    return out


@dataclass(frozen=True)
class Provider:
    """One upstream provider account.

    ``kind`` is one of ``openai``, ``openai_compatible``, ``anthropic``, ``gemini``; ``base_url``
    the API root (a path prefix such as ``/v1`` is allowed); ``api_key`` the resolved secret (never
    shown in reprs); ``quirks`` a mapping of declared deviations (see :data:`QUIRK_DEFAULTS`).
    """

    name: str
    kind: str
    base_url: str
    api_key: str = field(default="", repr=False)
    quirks: Mapping[str, Union[bool, str]] = field(default_factory=dict)
    timeouts: Timeouts = field(default_factory=Timeouts)
    verify_tls: bool = True
    ca_file: str = ""
    default_max_tokens: int = 4096
    max_response_bytes: int = 64 * _MIB
    extra_headers: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        where = f"provider '{self.name}'" if isinstance(self.name, str) and self.name else "provider"
        if not isinstance(self.name, str) or not self.name:
            raise _fail(f"{where}.name", "must be a non-empty string")
        if "/" in self.name:
            raise _fail(f"{where}.name", "must not contain '/' (model references are '<provider>/<model>')")
        if self.kind not in PROVIDER_KINDS:
            raise _fail(f"{where}.kind", f"unknown provider kind {self.kind!r}"
                                         f"{_did_you_mean(str(self.kind), PROVIDER_KINDS)}; "
                                         f"expected one of {', '.join(PROVIDER_KINDS)}")
        if not isinstance(self.base_url, str) or not re.match(r"^https?://[^/\s]+", self.base_url):
            raise _fail(f"{where}.base_url", f"must be an http:// or https:// URL, got {self.base_url!r}")
        if not isinstance(self.api_key, str):
            raise _fail(f"{where}.api_key", "must be a string")
        object.__setattr__(self, "quirks", _check_quirks(f"{where}.quirks", self.quirks or {}))
        object.__setattr__(self, "timeouts", Timeouts.coerce(self.timeouts, f"{where}.timeouts"))
        if not isinstance(self.verify_tls, bool):
            raise _fail(f"{where}.verify_tls", "must be a boolean")
        if not isinstance(self.ca_file, str):
            raise _fail(f"{where}.ca_file", "must be a string")
        for name in ("default_max_tokens", "max_response_bytes"):
            v = getattr(self, name)
            if not _is_int(v) or v <= 0:
                raise _fail(f"{where}.{name}", f"must be a positive integer, got {v!r}")
        eh = self.extra_headers or {}
        if not isinstance(eh, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in eh.items()):
            raise _fail(f"{where}.extra_headers", "must be a mapping of header name to string value")
        object.__setattr__(self, "extra_headers", dict(eh))

    def quirk(self, name: str) -> Union[bool, str]:
        """Return the effective value of quirk ``name``."""
        return self.quirks.get(name, QUIRK_DEFAULTS[name])

    def to_engine_dict(self) -> Dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "base_url": self.base_url,
            "api_key": self.api_key,
            "verify_tls": self.verify_tls,
            "ca_file": self.ca_file,
            "default_max_tokens": self.default_max_tokens,
            "max_response_bytes": self.max_response_bytes,
            "timeouts": {
                "connect_ms": self.timeouts.connect_ms,
                "first_byte_ms": self.timeouts.first_byte_ms,
                "idle_ms": self.timeouts.idle_ms,
                "total_ms": self.timeouts.total_ms,
            },
            "quirks": {k: self.quirk(k) for k in QUIRK_DEFAULTS},
            "extra_headers": dict(self.extra_headers),
        }


@dataclass(frozen=True)
class Model:
    """A model alias callers use (``alias``) routed to ``model`` on provider ``provider``.

    ``strict=True`` turns translation loss (a parameter the upstream cannot honour) into a 400.
    """

    alias: str
    provider: str
    model: str
    strict: bool = False

    def __post_init__(self) -> None:
        for name in ("alias", "provider", "model"):
            v = getattr(self, name)
            if not isinstance(v, str) or not v:
                raise _fail(f"model '{self.alias}'.{name}" if isinstance(self.alias, str) else name,
                            "must be a non-empty string")
        if not isinstance(self.strict, bool):
            raise _fail(f"model '{self.alias}'.strict", "must be a boolean")

    def to_engine_dict(self) -> Dict[str, Any]:
        return {"alias": self.alias, "provider": self.provider, "model": self.model, "strict": self.strict}


@dataclass(frozen=True)
class ServerOptions:
    """Native server and engine options. ``threads=0`` means one per CPU core.

    ``stream_buffer_bytes`` bounds what the engine queues for one response consumed from Python
    (Python API, ASGI app, httpx transports): once more than this waits for a slow consumer, the
    engine stops reading that upstream until the consumer catches up. The native server needs no
    such queue (its socket pushes back) and ignores it.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 0
    max_request_bytes: int = 32 * _MIB
    stream_keepalive_ms: int = 10_000
    stream_buffer_bytes: int = _MIB

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host:
            raise _fail("server.host", "must be a non-empty string")
        if not _is_int(self.port) or not 0 <= self.port <= 65535:
            raise _fail("server.port", f"must be an integer in 0..65535, got {self.port!r}")
        if not _is_int(self.threads) or self.threads < 0:
            raise _fail("server.threads", f"must be a non-negative integer, got {self.threads!r}")
        if not _is_int(self.max_request_bytes) or self.max_request_bytes <= 0:
            raise _fail("server.max_request_bytes", f"must be a positive integer, got {self.max_request_bytes!r}")
        if not _is_int(self.stream_keepalive_ms) or self.stream_keepalive_ms < 10:
            raise _fail("server.stream_keepalive_ms", f"must be an integer >= 10, got {self.stream_keepalive_ms!r}")
        if not _is_int(self.stream_buffer_bytes) or self.stream_buffer_bytes <= 0:
            raise _fail("server.stream_buffer_bytes",
                        f"must be a positive integer, got {self.stream_buffer_bytes!r}")

    def to_engine_dict(self) -> Dict[str, Any]:
        # stream_buffer_bytes is not engine JSON: the Python side passes it with each submit().
        return {"host": self.host, "port": self.port, "threads": self.threads,
                "max_request_bytes": self.max_request_bytes,
                "stream_keepalive_ms": self.stream_keepalive_ms}


@dataclass(frozen=True)
class GatewayConfig:
    """The whole gateway configuration (providers, model aliases, server options).

    Build it in code or load it with :func:`load_config`. ``source`` names the file it came from.
    """

    providers: Tuple[Provider, ...] = ()
    models: Tuple[Model, ...] = ()
    server: ServerOptions = field(default_factory=ServerOptions)
    source: Optional[str] = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "providers", tuple(self.providers))
        object.__setattr__(self, "models", tuple(self.models))
        if not isinstance(self.server, ServerOptions):
            raise _fail("server", "must be a ServerOptions")
        prefix = f"{self.source}: " if self.source else ""
        seen: Dict[str, int] = {}
        for i, p in enumerate(self.providers):
            if not isinstance(p, Provider):
                raise ConfigError(f"{prefix}providers[{i}]: must be a Provider, got {type(p).__name__}")
            if p.name in seen:
                raise ConfigError(f"{prefix}providers[{i}].name: duplicate provider name '{p.name}' "
                                  f"(already used by providers[{seen[p.name]}])")
            seen[p.name] = i
        aliases: Dict[str, int] = {}
        for i, m in enumerate(self.models):
            if not isinstance(m, Model):
                raise ConfigError(f"{prefix}models[{i}]: must be a Model, got {type(m).__name__}")
            if m.provider not in seen:
                raise ConfigError(f"{prefix}models[{i}].provider: provider '{m.provider}' is not defined "
                                  f"(known: {', '.join(seen) or 'none'})")
            if m.alias in aliases:
                raise ConfigError(f"{prefix}models[{i}].alias: duplicate alias '{m.alias}' "
                                  f"(already defined by models[{aliases[m.alias]}])")
            aliases[m.alias] = i

    # --- queries -------------------------------------------------------------------------
    def provider(self, name: str) -> Provider:
        for p in self.providers:
            if p.name == name:
                return p
        raise KeyError(name)

    def model(self, alias: str) -> Model:
        for m in self.models:
            if m.alias == alias:
                return m
        raise KeyError(alias)

    @property
    def aliases(self) -> List[str]:
        return [m.alias for m in self.models]

    # --- derived configs -----------------------------------------------------------------
    def with_server(self, **changes: Any) -> "GatewayConfig":
        return replace(self, server=replace(self.server, **changes))

    def merged(self, other: "GatewayConfig") -> "GatewayConfig":
        """Return a config with ``other``'s providers and models appended (server from ``self``)."""
        return replace(self, providers=self.providers + other.providers, models=self.models + other.models)

    # --- engine JSON ---------------------------------------------------------------------
    def to_engine_dict(self) -> Dict[str, Any]:
        return {
            "providers": [p.to_engine_dict() for p in self.providers],
            "models": [m.to_engine_dict() for m in self.models],
            "server": self.server.to_engine_dict(),
        }

    def to_engine_json(self) -> str:
        """Return the JSON document the C++ engine's ``parse_config_json`` consumes."""
        return json.dumps(self.to_engine_dict(), separators=(",", ":"), ensure_ascii=False)

    def summary(self) -> str:
        """A human summary without secrets (for logs and the CLI)."""
        lines = [f"{len(self.providers)} provider(s), {len(self.models)} model alias(es)"]
        for p in self.providers:
            lines.append(f"  provider {p.name}: {p.kind} {p.base_url}"
                         f"{' (key set)' if p.api_key else ''}")
        for m in self.models:
            lines.append(f"  model {m.alias} -> {m.provider}/{m.model}{' [strict]' if m.strict else ''}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# YAML loading
# ---------------------------------------------------------------------------------------------

_TOP_KEYS = ("providers", "model_list", "server")
_PROVIDER_KEYS = ("name", "kind", "base_url", "api_key", "quirks", "timeouts", "verify_tls", "ca_file",
                  "default_max_tokens", "max_response_bytes", "extra_headers")
_PROVIDER_HINTS = {"api_base": "base_url", "url": "base_url", "type": "kind", "provider": "kind",
                   "headers": "extra_headers", "timeout": "timeouts", "key": "api_key"}
_MODEL_KEYS = ("model_name", "litellm_params", "provider", "model", "strict")
_MODEL_HINTS = {"alias": "model_name", "name": "model_name", "params": "litellm_params"}
_SERVER_KEYS = ("host", "port", "threads", "max_request_bytes", "stream_keepalive_ms", "stream_buffer_bytes")
_LITELLM_SECTIONS = ("litellm_settings", "router_settings", "general_settings", "environment_variables")
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ENV_PREFIX = "os.environ/"


def _resolve_env(value: Any, where: str, env: Mapping[str, str], *, secret: bool) -> str:
    """Resolve ``os.environ/NAME`` and ``${NAME}`` references; never echo a secret value."""
    if not isinstance(value, str):
        shown = "a non-string value" if secret else repr(value)
        raise _fail(where, f"must be a string, got {shown}")
    if value.startswith(_ENV_PREFIX):
        name = value[len(_ENV_PREFIX):]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise _fail(where, f"invalid environment variable reference '{_ENV_PREFIX}{name}'")
        if name not in env:
            raise _fail(where, f"environment variable {name} is not set")
        return env[name]

    def sub(m: "re.Match[str]") -> str:
        name = m.group(1)
        if name not in env:
            raise _fail(where, f"environment variable {name} is not set")
        return env[name]

    return _ENV_RE.sub(sub, value)


def _yaml_load(text: str, filename: str) -> Any:
    import yaml  # type: ignore[import-untyped,unused-ignore]  # lazy: keeps `import openrain` fast

    class _Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> Dict[Any, Any]:
        seen: Dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise ConfigError(f"{filename}:{line}: duplicate key '{key}'")
            seen[key] = True
        return loader.construct_mapping(node, deep=deep)

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark is not None else filename
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{loc}: invalid YAML: {problem}") from None


def _as_mapping(v: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise _fail(where, f"must be a mapping, got {type(v).__name__ if v is not None else 'nothing'}")
    return v


def _as_list(v: Any, where: str) -> List[Any]:
    if not isinstance(v, list):
        raise _fail(where, f"must be a list, got {type(v).__name__ if v is not None else 'nothing'}")
    return v


def _parse_provider(i: int, raw: Any, env: Mapping[str, str]) -> Provider:
    where = f"providers[{i}]"
    d = _as_mapping(raw, where)
    _check_keys(where, d, _PROVIDER_KEYS, _PROVIDER_HINTS)
    for req in ("name", "kind", "base_url"):
        if req not in d:
            raise _fail(where, f"missing required key '{req}'")
    name, kind = d["name"], d["kind"]
    if not isinstance(name, str) or not name:
        raise _fail(f"{where}.name", "must be a non-empty string")
    if "/" in name:
        raise _fail(f"{where}.name", "must not contain '/' (models are referenced as '<provider>/<model>')")
    if kind not in PROVIDER_KINDS:
        raise _fail(f"{where}.kind", f"unknown provider kind {kind!r}{_did_you_mean(str(kind), PROVIDER_KINDS)}; "
                                     f"expected one of {', '.join(PROVIDER_KINDS)}")
    base_url = _resolve_env(d["base_url"], f"{where}.base_url", env, secret=False)
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise _fail(f"{where}.base_url", f"must be an http:// or https:// URL, got {base_url!r}")
    api_key = ""
    if d.get("api_key") is not None:
        api_key = _resolve_env(d["api_key"], f"{where}.api_key", env, secret=True)
    quirks = _check_quirks(f"{where}.quirks", d.get("quirks") or {})
    timeouts = Timeouts.coerce(d.get("timeouts"), f"{where}.timeouts")
    kw: Dict[str, Any] = {}
    if "verify_tls" in d:
        if not isinstance(d["verify_tls"], bool):
            raise _fail(f"{where}.verify_tls", f"must be a boolean, got {d['verify_tls']!r}")
        kw["verify_tls"] = d["verify_tls"]
    if d.get("ca_file") is not None:
        kw["ca_file"] = _resolve_env(d["ca_file"], f"{where}.ca_file", env, secret=False)
    for key in ("default_max_tokens", "max_response_bytes"):
        if key in d:
            if not _is_int(d[key]) or d[key] <= 0:
                raise _fail(f"{where}.{key}", f"must be a positive integer, got {d[key]!r}")
            kw[key] = d[key]
    if d.get("extra_headers") is not None:
        eh = _as_mapping(d["extra_headers"], f"{where}.extra_headers")
        kw["extra_headers"] = {str(k): _resolve_env(v, f"{where}.extra_headers.{k}", env, secret=True)
                               for k, v in eh.items()}
    try:
        return Provider(name=name, kind=kind, base_url=base_url, api_key=api_key, quirks=quirks,
                        timeouts=timeouts, **kw)
    except ConfigError as exc:  # re-anchor at the YAML path
        raise _fail(where, str(exc)) from None


def _split_model_ref(ref: Any, where: str, providers: Sequence[str]) -> Tuple[str, str]:
    if not isinstance(ref, str) or not ref:
        raise _fail(where, "must be a non-empty string '<provider>/<model>'")
    if "/" not in ref:
        raise _fail(where, f"'{ref}' must be '<provider>/<model>' (known providers: {', '.join(providers)})")
    prov, model = ref.split("/", 1)
    if prov not in providers:
        raise _fail(where, f"provider '{prov}' is not defined{_did_you_mean(prov, providers)} "
                           f"(known: {', '.join(providers)})")
    if not model:
        raise _fail(where, f"'{ref}' has an empty model id")
    return prov, model


def _parse_model(i: int, raw: Any, providers: Sequence[str]) -> Model:
    where = f"model_list[{i}]"
    d = _as_mapping(raw, where)
    _check_keys(where, d, _MODEL_KEYS, _MODEL_HINTS)
    alias = d.get("model_name")
    if not isinstance(alias, str) or not alias:
        raise _fail(f"{where}.model_name", "missing or empty (the alias callers put in \"model\")")
    strict = d.get("strict", False)
    if not isinstance(strict, bool):
        raise _fail(f"{where}.strict", f"must be a boolean, got {strict!r}")
    if "litellm_params" in d:
        if "provider" in d or "model" in d:
            raise _fail(where, "use either litellm_params.model or the flat provider/model keys, not both")
        lp = _as_mapping(d["litellm_params"], f"{where}.litellm_params")
        _check_keys(f"{where}.litellm_params", lp, ("model",),
                    {"api_base": "base_url (set it on the provider)", "api_key": "api_key (set it on the provider)"})
        if "model" not in lp:
            raise _fail(f"{where}.litellm_params", "missing required key 'model'")
        prov, model = _split_model_ref(lp["model"], f"{where}.litellm_params.model", providers)
    elif "provider" in d:
        prov = d["provider"]
        if not isinstance(prov, str) or prov not in providers:
            raise _fail(f"{where}.provider", f"provider {prov!r} is not defined"
                                             f"{_did_you_mean(str(prov), providers)} (known: {', '.join(providers)})")
        raw_model = d.get("model")
        if not isinstance(raw_model, str) or not raw_model:
            raise _fail(f"{where}.model", "missing or empty (the upstream model id)")
        model = raw_model
    elif "model" in d:
        prov, model = _split_model_ref(d["model"], f"{where}.model", providers)
    else:
        raise _fail(where, "needs litellm_params.model ('<provider>/<model>') or provider + model")
    return Model(alias=alias, provider=prov, model=model, strict=strict)


def _parse_server(raw: Any) -> ServerOptions:
    d = _as_mapping(raw, "server")
    _check_keys("server", d, _SERVER_KEYS, {"max_body_bytes": "max_request_bytes", "workers": "threads"})
    return ServerOptions(**dict(d))


def parse_config(data: Any, *, source: str = "<config>", env: Optional[Mapping[str, str]] = None) -> GatewayConfig:
    """Validate an already-parsed YAML/JSON document (a dict) and build a :class:`GatewayConfig`."""
    env = os.environ if env is None else env
    try:
        if data is None:
            raise _fail("", "the configuration is empty (expected 'providers' and 'model_list')")
        d = _as_mapping(data, "top level")
        for key in d:
            if key in _LITELLM_SECTIONS:
                raise _fail(str(key), f"LiteLLM section '{key}' is not supported by OpenRain; "
                                      f"allowed top-level keys: {', '.join(_TOP_KEYS)}")
        _check_keys("", d, _TOP_KEYS, {"models": "model_list", "provider_list": "providers"})
        if "providers" not in d:
            raise _fail("providers", "missing: at least one provider is required")
        praw = _as_list(d["providers"], "providers")
        if not praw:
            raise _fail("providers", "at least one provider is required")
        providers: List[Provider] = []
        names: Dict[str, int] = {}
        for i, raw in enumerate(praw):
            p = _parse_provider(i, raw, env)
            if p.name in names:
                raise _fail(f"providers[{i}].name", f"duplicate provider name '{p.name}' "
                                                   f"(already used by providers[{names[p.name]}])")
            names[p.name] = i
            providers.append(p)
        mraw = _as_list(d.get("model_list"), "model_list") if "model_list" in d else []
        if not mraw:
            raise _fail("model_list", "at least one model is required")
        models: List[Model] = []
        aliases: Dict[str, int] = {}
        for i, raw in enumerate(mraw):
            m = _parse_model(i, raw, list(names))
            if m.alias in aliases:
                raise _fail(f"model_list[{i}].model_name", f"duplicate model_name '{m.alias}' "
                                                          f"(already defined by model_list[{aliases[m.alias]}])")
            aliases[m.alias] = i
            models.append(m)
        server = _parse_server(d["server"]) if d.get("server") is not None else ServerOptions()
        return GatewayConfig(providers=tuple(providers), models=tuple(models), server=server, source=source)
    except ConfigError as exc:
        msg = str(exc)
        if source and not msg.startswith(source):
            msg = f"{source}: {msg}"
        raise ConfigError(msg) from None


def load_config(path: Union[str, "os.PathLike[str]"], *, env: Optional[Mapping[str, str]] = None) -> GatewayConfig:
    """Load and validate one YAML config file (LiteLLM-style ``model_list``; see the module doc)."""
    fspath = os.fspath(path)
    name = fspath  # messages name the file as the caller gave it
    try:
        with open(fspath, "r", encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise ConfigError(f"{fspath}: cannot read config file: {exc.strerror or exc}") from None
    data = _yaml_load(text, name)
    return parse_config(data, source=name, env=env)


# ---------------------------------------------------------------------------------------------
# Offline demo
# ---------------------------------------------------------------------------------------------

#: (alias, provider, upstream model) served by the simulator.
_SIM_MODELS = (
    ("gpt-4o-mini", "sim-openai", "gpt-4o-mini"),
    ("gpt-4o", "sim-openai", "gpt-4o"),
    ("claude-sonnet", "sim-anthropic", "claude-sonnet-4-5"),
    ("claude-haiku", "sim-anthropic", "claude-haiku-4-5"),
    ("gemini-flash", "sim-gemini", "gemini-2.5-flash"),
    ("gemini-pro", "sim-gemini", "gemini-2.5-pro"),
)

#: (env var, provider name, kind, base URL, [(alias, upstream model)])
_REAL_PROVIDERS = (
    ("OPENAI_API_KEY", "openai", "openai", "https://api.openai.com",
     (("openai/gpt-4o-mini", "gpt-4o-mini"), ("openai/gpt-4.1-mini", "gpt-4.1-mini"))),
    ("ANTHROPIC_API_KEY", "anthropic", "anthropic", "https://api.anthropic.com",
     (("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"), ("anthropic/claude-haiku-4-5", "claude-haiku-4-5"))),
    ("GEMINI_API_KEY", "gemini", "gemini", "https://generativelanguage.googleapis.com",
     (("gemini/gemini-2.5-flash", "gemini-2.5-flash"), ("gemini/gemini-2.5-pro", "gemini-2.5-pro"))),
)


def sim_providers(base_url: str, **overrides: Any) -> Tuple[Provider, ...]:
    """The three simulator providers (sim-openai, sim-anthropic, sim-gemini) at ``base_url``."""
    return (
        Provider(name="sim-openai", kind="openai", base_url=base_url, api_key="sim-key", **overrides),
        Provider(name="sim-anthropic", kind="anthropic", base_url=base_url, api_key="sim-key", **overrides),
        Provider(name="sim-gemini", kind="gemini", base_url=base_url, api_key="sim-key", **overrides),
    )


def sim_models(strict: bool = False) -> Tuple[Model, ...]:
    """The simulator aliases (gpt-4o-mini, gpt-4o, claude-sonnet, claude-haiku, gemini-flash, gemini-pro)."""
    return tuple(Model(alias=a, provider=p, model=m, strict=strict) for a, p, m in _SIM_MODELS)


_demo_lock = threading.Lock()
_demo_mock: Any = None


def _demo_mock_port() -> int:
    """Start (once per process) the in-process simulator the demo config points at."""
    global _demo_mock
    with _demo_lock:
        if _demo_mock is None:
            from .testing import MockProvider

            mock = MockProvider()
            import atexit

            atexit.register(mock.close)
            _demo_mock = mock
        return int(_demo_mock.port)


def demo_config(*, mock_port: Optional[int] = None, env: Optional[Mapping[str, str]] = None,
                server: Optional[ServerOptions] = None) -> GatewayConfig:
    """The embedded offline default: simulator-backed providers, plus real ones whose key is set.

    Starts one in-process simulator (shared by the whole process) unless ``mock_port`` is given.
    Real providers are added when ``OPENAI_API_KEY`` / ``ANTHROPIC_API_KEY`` / ``GEMINI_API_KEY``
    are set, with aliases such as ``openai/gpt-4o-mini``.
    """
    env = os.environ if env is None else env
    port = _demo_mock_port() if mock_port is None else mock_port
    providers: List[Provider] = list(sim_providers(f"http://127.0.0.1:{port}"))
    models: List[Model] = list(sim_models())
    for var, name, kind, url, aliases in _REAL_PROVIDERS:
        key = env.get(var)
        if key:
            providers.append(Provider(name=name, kind=kind, base_url=url, api_key=key))
            models.extend(Model(alias=a, provider=name, model=m) for a, m in aliases)
    return GatewayConfig(providers=tuple(providers), models=tuple(models),
                         server=server or ServerOptions(), source="<demo>")
