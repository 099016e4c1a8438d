"""Argument parsing only: each subcommand lives in ``comms_tui.commands`` and registers itself.

Only the command being run is imported: the TUI's first frame must not wait for the modules
(pydantic, the store) that ``send`` or ``profile`` need.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from comms_tui import __version__

SUBCOMMANDS = {
    "send": "send",
    "sender-lab": "sender_lab",
    "profile": "profile",
    "history": "history",
    "sandbox": "sandbox",
    "serve": "serve",
}


def _wanted(argv: Sequence[str] | None) -> list[str]:
    """The subcommand modules this command line needs: one, or all when listing help/errors."""
    if argv is None:
        return list(SUBCOMMANDS)
    positional = next((a for a in argv if not a.startswith("-")), None)
    if positional in SUBCOMMANDS:
        return [positional]
    if positional is None and not {"-h", "--help"} & set(argv):
        return []  # the TUI
    return list(SUBCOMMANDS)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the subcommands that command line can reach."""
    from comms_tui.commands import tui

    parser = argparse.ArgumentParser(
        prog="comms-tui",
        description="Send one-off messages through Capillary Communications v2.",
    )
    parser.add_argument("--version", action="version", version=f"comms-tui {__version__}")
    tui.add_target_arguments(parser)
    parser.set_defaults(func=tui.run)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _wanted(argv):
        importlib.import_module(f"comms_tui.commands.{SUBCOMMANDS[name]}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
