"""``comms-tui sandbox``: the emulator on its own, for demos, scripts and other clients."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from comms_tui.commands.arguments import port_number, seconds, whole_number
from comms_tui.commands.output import error


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "sandbox",
        help="run the API emulator on loopback",
        description="Run the Communications v2 emulator on loopback (Ctrl-C stops it).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=port_number, default=8765, help="port (default 8765; 0 = any)"
    )
    parser.add_argument(
        "--rate-limit",
        type=whole_number(1, 1_000_000),
        default=100,
        metavar="N",
        help="sends per minute per credential",
    )
    parser.add_argument(
        "--slow-seconds",
        type=seconds(0, 3600),
        default=40.0,
        metavar="S",
        help="how long the 'slow' magic recipient stalls (default 40)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from comms_tui.sandbox.rules import SandboxConfig
    from comms_tui.sandbox.server import run_standalone
    from comms_tui.store.sandboxes import forget_sandbox, register_sandbox

    config = SandboxConfig(rate_limit_per_minute=args.rate_limit, slow_seconds=args.slow_seconds)
    registered: list[Path] = []

    def listening(base_url: str) -> None:
        # Sends pointed here (a profile, the environment) are sandbox sends: nobody gets them.
        with contextlib.suppress(OSError):
            registered.append(register_sandbox(base_url))

    # SIGTERM ends it like ctrl+c (uvicorn shuts down gracefully, then re-raises the signal):
    # as an exit, so that the registration below is undone.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    try:
        run_standalone(host=args.host, port=args.port, config=config, on_listening=listening)
    except ValueError as exc:
        error(f"sandbox: {exc}")
        return 2
    except OSError as exc:
        error(f"sandbox: cannot listen on {args.host}:{args.port}: {exc}")
        return 2
    finally:
        for path in registered:
            forget_sandbox(path)
    return 0
