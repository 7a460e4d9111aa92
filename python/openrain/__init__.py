"""OpenRain — an LLM API gateway with a C++ engine.

``import openrain`` is cheap (no compiled module, no YAML, no network): every public name is
loaded on first use through the module ``__getattr__`` below.

    >>> import openrain
    >>> gw = openrain.Gateway.demo()          # offline: providers served by the built-in simulator
    >>> gw.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Tuple

__version__ = "0.1.0"

# public name -> (submodule, attribute)
_LAZY: Dict[str, Tuple[str, str]] = {
    "Gateway": ("gateway", "Gateway"),
    "ServerHandle": ("gateway", "ServerHandle"),
    "GatewayConfig": ("config", "GatewayConfig"),
    "Provider": ("config", "Provider"),
    "Model": ("config", "Model"),
    "ServerOptions": ("config", "ServerOptions"),
    "Timeouts": ("config", "Timeouts"),
    "load_config": ("config", "load_config"),
    "demo_config": ("config", "demo_config"),
    "MockProvider": ("testing", "MockProvider"),
    "OpenRainError": ("errors", "OpenRainError"),
    "ConfigError": ("errors", "ConfigError"),
}
_SUBMODULES = ("config", "errors", "gateway", "asgi", "testing")

__all__ = [
    "ConfigError", "Gateway", "GatewayConfig", "MockProvider", "Model", "OpenRainError", "Provider",
    "ServerHandle", "ServerOptions", "Timeouts", "__version__", "asgi", "config", "demo_config", "errors",
    "gateway", "load_config", "testing",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import asgi, config, errors, gateway, testing
    from .config import GatewayConfig, Model, Provider, ServerOptions, Timeouts, demo_config, load_config
    from .errors import ConfigError, OpenRainError
    from .gateway import Gateway, ServerHandle
    from .testing import MockProvider


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # cache: the next access is a plain attribute lookup
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
