"""Type stubs for the compiled module ``openrain._engine`` (internal; use the openrain package).

Every call releases the GIL around engine work; blocking waits are interruptible by Ctrl-C
(an interrupted wait cancels its exchange and raises KeyboardInterrupt). Engine errors are raised
as :mod:`openrain.errors` classes. Timeouts are in seconds; ``None`` waits forever.
"""

from typing import Any, Dict, List, Optional, Tuple

Header = Tuple[str, str]

def error_kinds() -> List[Tuple[str, int]]:
    """[(kind name, default HTTP status)] for every engine ErrorKind, in enum order."""

def validate_config(config_json: str) -> None:
    """Validate engine JSON with the engine's own parser; raises ConfigError."""

def _raise_error(
    kind: str,
    message: str,
    status: int = 0,
    param: str = "",
    code: str = "",
    provider: str = "",
    retry_after: Optional[float] = None,
    headers: List[Header] = ...,
) -> None: ...

class Exchange:
    """One in-flight response: wait for the head, then pull body batches."""

    def wait_head(self, timeout_s: Optional[float] = None) -> bool: ...
    def next_batch(self, timeout_s: Optional[float] = None) -> Tuple[List[bytes], bool]:
        """(parts, done): every pending body part, waiting up to timeout_s for at least one."""
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> List[Header]: ...
    @property
    def streaming(self) -> bool: ...
    @property
    def done(self) -> bool: ...
    @property
    def has_head(self) -> bool: ...
    def fileno(self) -> int:
        """An eventfd readable while the head or body parts are pending (drained by next_batch)."""
    def cancel(self) -> None:
        """Abandon the response: cancel the upstream request and drop the queued parts."""
    @property
    def max_queued_bytes(self) -> int:
        """Backpressure limit: the engine stops reading the upstream while more bytes wait."""
    @property
    def queued_bytes(self) -> int:
        """Bytes queued by the engine and not yet taken by next_batch()."""
    @property
    def peak_queued_bytes(self) -> int:
        """The most bytes ever queued at once (at most max_queued_bytes + one part)."""
    @property
    def stalls(self) -> int:
        """How many times backpressure suspended the engine's producer."""
    def wait_stalled(self, timeout_s: Optional[float] = None) -> bool:
        """Block until the engine waits for the consumer (backpressure) or the body is complete;
        False on timeout (diagnostics/tests)."""

class Engine:
    def __init__(self, config_json: str, threads: int = -1) -> None:
        """Parse engine JSON (ConfigError on failure); threads < 0 = the config's server.threads."""
    def start(self) -> None: ...
    def stop(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def submit(
        self, method: str, path: str, query: str, headers: List[Header], body: bytes, max_queued_bytes: int = 0
    ) -> Exchange:
        """Submit one request; a stream queues at most ~max_queued_bytes (0 = 1 MiB) for the consumer."""
    def render_error(
        self, path: str, kind: str, message: str, param: str = "", code: str = ""
    ) -> Tuple[int, List[Header], bytes]: ...

class NativeServer:
    def __init__(self, engine: Engine, host: str = "127.0.0.1", port: int = 0, max_request_bytes: int = 0) -> None: ...
    @property
    def port(self) -> int: ...
    @property
    def running(self) -> bool: ...
    def stop(self) -> None: ...
    def serve_forever(self) -> None: ...

class MockServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, threads: int = 1) -> None: ...
    @property
    def port(self) -> int: ...
    def stop(self) -> None: ...
    def enqueue(self, script_json: str) -> None: ...
    def set_default(self, script_json: str) -> None: ...
    def clear(self) -> None: ...
    def requests(self) -> List[Dict[str, Any]]:
        """[{"method", "path", "query", "headers": [(name, value)], "body": bytes}]"""
    def request_count(self) -> int: ...
    def disconnects(self) -> int: ...
    def wait_for_requests(self, n: int, timeout_s: Optional[float] = None) -> bool: ...
    def wait_for_disconnects(self, n: int, timeout_s: Optional[float] = None) -> bool: ...
