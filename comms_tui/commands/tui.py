"""``comms-tui [--profile NAME | --sandbox]``: the TUI (the command with no subcommand)."""

from __future__ import annotations

import argparse


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--profile", metavar="NAME", help="open the TUI with this saved profile")
    group.add_argument(
        "--sandbox",
        action="store_true",
        help="open the TUI on an embedded sandbox (fake API, nothing leaves this machine)",
    )


def run(args: argparse.Namespace) -> int:
    """Start the app. Without a profile, environment or --sandbox it opens the welcome screen."""
    from comms_tui.tui.app import make_app

    app = make_app(
        sandbox=bool(getattr(args, "sandbox", False)), profile=getattr(args, "profile", None)
    )
    app.run()
    return int(app.return_code or 0)
