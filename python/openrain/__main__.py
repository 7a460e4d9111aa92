"""The ``openrain`` command line.

    openrain serve [--config FILE | --demo] [--host H] [--port P] [--threads N]
    openrain mock [--host H] [--port N]
    openrain check-config FILE

``serve`` runs the native server (no Python per request). Without ``--config`` it uses
``./openrain.yaml`` when present, else the embedded offline demo (providers served by the built-in
simulator, plus real providers whose API key is set in the environment). Ctrl-C stops cleanly.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

EXIT_CONFIG = 2


def _print(msg: str) -> None:
    print(msg, flush=True)


def _cmd_serve(args: argparse.Namespace) -> int:
    from .config import ServerOptions, demo_config, load_config
    from .errors import ConfigError, OpenRainError
    from .gateway import Gateway

    owned = []
    try:
        if args.config and args.demo:
            raise ConfigError("use either --config or --demo, not both")
        path = args.config or (None if args.demo or not os.path.exists("openrain.yaml") else "openrain.yaml")
        if path:
            cfg = load_config(path)
            origin = path
        else:
            from .testing import MockProvider

            mock = MockProvider()
            owned.append(mock)
            cfg = demo_config(mock_port=mock.port, server=ServerOptions())
            origin = f"embedded demo (simulator on 127.0.0.1:{mock.port})"
        changes = {}
        if args.host:
            changes["host"] = args.host
        if args.port is not None:
            changes["port"] = args.port
        if args.threads is not None:
            changes["threads"] = args.threads
        if changes:
            cfg = cfg.with_server(**changes)
    except ConfigError as exc:
        for o in owned:
            o.close()
        print(f"openrain: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    gw = Gateway(cfg)
    gw._owned.extend(owned)
    try:
        try:
            handle = gw.start_server(cfg.server.host, cfg.server.port)
        except OpenRainError as exc:
            print(f"openrain: cannot start the server on {cfg.server.host}:{cfg.server.port}: {exc}",
                  file=sys.stderr)
            return 1
        _print(f"OpenRain listening on {handle.url}  (config: {origin})")
        _print(f"  OpenAI base URL: {handle.base_url}")
        _print("  models: " + ", ".join(cfg.aliases))
        _print("Press Ctrl-C to stop.")
        try:
            handle.serve_forever()
        except KeyboardInterrupt:
            _print("\nstopping")
        return 0
    finally:
        gw.close()


def _cmd_mock(args: argparse.Namespace) -> int:
    from .testing import MockProvider

    mock = MockProvider(host=args.host, port=args.port, threads=args.threads)
    try:
        _print(f"OpenRain provider simulator listening on {mock.base_url}")
        _print(str(mock.port))
        import threading

        stop = threading.Event()
        try:
            while not stop.wait(0.2):  # short waits keep Ctrl-C responsive
                pass
        except KeyboardInterrupt:
            pass
        return 0
    finally:
        mock.close()


def _cmd_check_config(args: argparse.Namespace) -> int:
    from .config import load_config
    from .errors import ConfigError

    try:
        cfg = load_config(args.file)
        try:
            from . import _engine
        except ImportError:  # pure-Python checks only (source checkout without the build)
            pass
        else:
            _engine.validate_config(cfg.to_engine_json())
    except ConfigError as exc:
        print(f"openrain: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    _print(f"{args.file}: OK — {cfg.summary()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="openrain", description="OpenRain LLM gateway")
    p.add_argument("--version", action="version", version="openrain 0.1.0")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("serve", help="run the native gateway server")
    s.add_argument("--config", "-c", metavar="FILE", help="YAML config (default: ./openrain.yaml, else the demo)")
    s.add_argument("--demo", action="store_true", help="use the embedded offline demo config")
    s.add_argument("--host", help="listen address (default: from the config, 127.0.0.1)")
    s.add_argument("--port", "-p", type=int, help="listen port (default: from the config, 8080)")
    s.add_argument("--threads", type=int, help="engine threads (default: from the config; 0 = cores)")
    s.set_defaults(func=_cmd_serve)

    m = sub.add_parser("mock", help="run the provider simulator standalone")
    m.add_argument("--host", default="127.0.0.1")
    m.add_argument("--port", "-p", type=int, default=0, help="port (default: any free port)")
    m.add_argument("--threads", type=int, default=1)
    m.set_defaults(func=_cmd_mock)

    c = sub.add_parser("check-config", help="validate a config file and exit")
    c.add_argument("file")
    c.set_defaults(func=_cmd_check_config)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
