"""``comms-tui [--profile NAME | --sandbox]``: the TUI (the command with no subcommand)."""

from __future__ import annotations

import argparse


def profile_name(text: str) -> str:
    """``--profile``'s value: a name, never empty (an empty one is not "the default profile")."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "the profile name is empty: give a name (`comms-tui profile list` shows them), or "
            "leave --profile out to use the default profile"
        )
    return text


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """``--profile``/``--sandbox`` before any subcommand: for the TUI, or for the subcommand
    (``comms-tui --sandbox send …``); ``cli.main`` hands them over."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--profile",
        dest="top_profile",
        metavar="NAME",
        type=profile_name,
        help="use this saved profile (the TUI, or the command that follows)",
    )
    group.add_argument(
        "--sandbox",
        dest="top_sandbox",
        action="store_true",
        help="use an embedded sandbox: fake API, nothing leaves this machine",
    )


def run(args: argparse.Namespace) -> int:
    """Start the app. Without a profile, environment or --sandbox it opens the welcome screen."""
    from comms_tui.api.collector import collector_paused

    # Textual's and the app's modules are hundreds of thousands of objects that live as long as
    # the process: collections walking them while they load cost the first frame 15–20 ms.
    # Frozen out of the collector's reach after (the app pauses it again until its forms are up).
    with collector_paused():
        from comms_tui.tui.app import make_app

        app = make_app(
            sandbox=bool(getattr(args, "sandbox", False)), profile=getattr(args, "profile", None)
        )
    app.run()
    return int(app.return_code or 0)
