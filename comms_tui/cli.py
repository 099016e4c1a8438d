"""Argument parsing only: each subcommand lives in ``comms_tui.commands`` and registers itself."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from comms_tui import __version__


def build_parser() -> argparse.ArgumentParser:
    from comms_tui.commands import history, profile, sandbox, send, sender_lab, tui

    parser = argparse.ArgumentParser(
        prog="comms-tui",
        description="Send one-off messages through Capillary Communications v2.",
    )
    parser.add_argument("--version", action="version", version=f"comms-tui {__version__}")
    tui.add_target_arguments(parser)
    parser.set_defaults(func=tui.run)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (send, sender_lab, profile, history, sandbox):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
