"""Argument parsing only: each subcommand lives in ``comms_tui.commands`` and registers itself.

Only the command being run is imported: the TUI's first frame must not wait for the modules
(pydantic, the store) that ``send`` or ``profile`` need. Errors end here, in one place: a
command raises ``Stop`` (or an argument is wrong) and ``main`` prints it, prefixed
``comms-tui:``, and with ``--json`` prints the one JSON object that run owes its caller.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from comms_tui import __version__
from comms_tui.commands.output import Interrupted, Stop, error, invalid_json, print_json

SUBCOMMANDS = {
    "send": "send",
    "sender-lab": "sender_lab",
    "profile": "profile",
    "history": "history",
    "sandbox": "sandbox",
    "serve": "serve",
    "completion": "completion",
}
# Options before the subcommand that take a value (so that value is not read as a command).
_TOP_VALUES = frozenset({"--profile"})


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a ``Stop`` (so ``--json`` still gets its object)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        where = self.prog.removeprefix("comms-tui").strip()
        raise Stop(f"{where}: {message}" if where else message)


def _wanted(argv: Sequence[str] | None) -> list[str]:
    """The subcommand modules this command line needs: one, or all when listing help/errors."""
    if argv is None:
        return list(SUBCOMMANDS)
    positional, skip = None, False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _TOP_VALUES:
            skip = True
        elif not arg.startswith("-"):
            positional = arg
            break
    if positional in SUBCOMMANDS:
        return [positional]
    if positional is None and not {"-h", "--help"} & set(argv):
        return []  # the TUI
    return list(SUBCOMMANDS)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the subcommands that command line can reach."""
    from comms_tui.commands import tui

    parser = Parser(
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


def _hand_over_target(args: argparse.Namespace) -> None:
    """``comms-tui --sandbox send …``: the flags before the subcommand apply to it."""
    profile, sandbox = args.top_profile, args.top_sandbox
    if args.command is None:  # the TUI
        args.profile, args.sandbox = profile, sandbox
        return
    if profile is None and not sandbox:
        return
    given = "--sandbox" if sandbox else "--profile"
    if not hasattr(args, "sandbox"):
        raise Stop(f"{given} does not apply to `comms-tui {args.command}`: leave it out")
    if sandbox and args.profile is not None:
        raise Stop("--sandbox and --profile: give one of them")
    if profile is not None and args.sandbox:
        raise Stop("--profile and --sandbox: give one of them")
    if profile is not None and args.profile not in (None, profile):
        raise Stop(f"--profile given twice ({profile}, {args.profile}): give one")
    if sandbox:
        args.sandbox = True
    else:
        args.profile = profile


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args: argparse.Namespace | None = None
    try:
        args = build_parser(argv).parse_args(argv)
        _hand_over_target(args)
        return int(args.func(args))
    except Stop as stop:
        return _stopped(stop, _wants_json(args, argv))
    except (Interrupted, KeyboardInterrupt) as exc:
        interrupted = exc if isinstance(exc, Interrupted) else Interrupted()
        error(interrupted.message)
        if _wants_json(args, argv):
            print_json(interrupted.to_json())
        return interrupted.exit_code
    except Exception as exc:
        # Imported only now: the TUI's start must not pay for them.
        from comms_tui.api.errors import InvalidInput
        from comms_tui.store.errors import StoreError

        if isinstance(exc, InvalidInput | StoreError):  # a command left it uncaught: not sent
            return _stopped(Stop(exc.message), _wants_json(args, argv))
        raise


def _stopped(stop: Stop, as_json: bool) -> int:
    for line in stop.lines:
        error(line)
    if as_json:
        print_json(invalid_json(stop.lines))
    return stop.code


def _wants_json(args: argparse.Namespace | None, argv: Sequence[str]) -> bool:
    """``--json`` was asked for (before the arguments parsed: it is on the command line)."""
    if args is not None:
        return bool(getattr(args, "json", False))
    return "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv


def run() -> int:
    """The ``comms-tui`` process: ``main``, then out of the way of the interpreter's exit.

    Python's shutdown collects garbage once more, walking every object still alive (every
    module loaded): 25–35 ms of a one-shot send. The process ends now, so they are frozen out
    of that walk (``gc.freeze``) first; the memory goes back with the process."""
    import gc

    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(run())
