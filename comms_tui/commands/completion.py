"""``comms-tui completion bash|zsh|fish``: a shell completion script, generated from the parser.

shtab reads the same argparse parser the command line runs, so the completion never drifts
from the commands and flags that exist. File arguments (``--attach``) complete as paths.
"""

from __future__ import annotations

import argparse
from typing import Any

SHELLS = ("bash", "zsh", "fish")
INSTALL = {
    "bash": "comms-tui completion bash > ~/.local/share/bash-completion/completions/comms-tui",
    "zsh": 'comms-tui completion zsh > "${fpath[1]}/_comms-tui"',
    "fish": "comms-tui completion fish > ~/.config/fish/completions/comms-tui.fish",
}


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for SHELL. Install it with: "
        + "; ".join(f"{shell}: {how}" for shell, how in INSTALL.items()),
    )
    parser.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import shtab

    from comms_tui.cli import build_parser

    parser = build_parser()  # every subcommand, whatever this command line needed
    _mark_paths(parser, shtab)
    print(shtab.complete(parser, shell=args.shell), end="")
    return 0


def _mark_paths(parser: argparse.ArgumentParser, shtab: Any) -> None:
    """File arguments complete as file names."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _mark_paths(child, shtab)
        elif "--attach" in action.option_strings:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
