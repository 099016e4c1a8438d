"""``python -m comms_tui.sandbox``: serve the sandbox on loopback until Ctrl-C."""

from __future__ import annotations

import argparse

from comms_tui.sandbox.rules import SandboxConfig
from comms_tui.sandbox.server import run_standalone


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m comms_tui.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=8765, help="default %(default)s; 0 = any free")
    parser.add_argument("--slow-seconds", type=float, default=SandboxConfig.slow_seconds)
    parser.add_argument("--rate-limit", type=int, default=SandboxConfig.rate_limit_per_minute)
    parser.add_argument("--token-ttl", type=int, default=SandboxConfig.token_ttl_seconds)
    args = parser.parse_args(argv)
    config = SandboxConfig(
        rate_limit_per_minute=args.rate_limit,
        token_ttl_seconds=args.token_ttl,
        slow_seconds=args.slow_seconds,
    )
    try:
        run_standalone(args.host, args.port, config)
    except ValueError as exc:
        parser.error(str(exc))


if __name__ == "__main__":
    main()
