"""`import openrain` is fast, lazy and touches no network."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HEAVY = ("openrain._engine", "yaml", "asyncio", "httpx", "openai", "anthropic", "google.genai",
         "openrain.gateway", "openrain.config", "openrain.asgi")


def run_python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_import_is_fast() -> None:
    # Best of three fresh interpreters (a cold page cache or a busy CI box can add noise).
    times = []
    for _ in range(3):
        t = run_python("""
            import time
            t0 = time.perf_counter()
            import openrain
            print(time.perf_counter() - t0)
        """)
        times.append(float(t))
    assert min(times) < 0.100, f"import openrain took {min(times) * 1000:.1f} ms"


def test_import_loads_nothing_heavy() -> None:
    out = run_python(f"""
        import sys
        before = set(sys.modules)
        import openrain
        new = set(sys.modules) - before
        print(sorted(m for m in {HEAVY!r} if m in new))
    """)
    assert out == "[]"


def test_import_and_lazy_attributes_touch_no_network() -> None:
    out = run_python("""
        import socket
        def forbidden(*a, **k):
            raise AssertionError("network use during import")
        class GuardedSocket(socket.socket):  # subclassable (ssl subclasses socket.socket)
            def __init__(self, *a, **k):
                forbidden()
        socket.socket = GuardedSocket
        socket.create_connection = forbidden
        socket.getaddrinfo = forbidden
        socket.gethostbyname = forbidden
        import openrain
        # lazy attributes resolve without network either
        openrain.errors.OpenRainError, openrain.GatewayConfig, openrain.load_config, openrain.Gateway
        print(openrain.__version__)
    """)
    assert out == "0.1.0"


def test_lazy_exports_resolve() -> None:
    import openrain
    from openrain.config import GatewayConfig
    from openrain.errors import OpenRainError

    assert openrain.GatewayConfig is GatewayConfig
    assert openrain.OpenRainError is OpenRainError
    assert "Gateway" in dir(openrain)
    try:
        openrain.does_not_exist  # noqa: B018
    except AttributeError as exc:
        assert "does_not_exist" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")
