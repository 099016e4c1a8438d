"""What the sending subcommands share: target flags, opening a session, asking, printing results.

The rules (what to ask, what a send means) are the core's; this module only decides how a
terminal asks (``[y/N]`` on stderr, or ``--yes``) and how results read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from comms_tui.api.errors import CommsError, InvalidInput
from comms_tui.api.results import Outcome
from comms_tui.core.session import Session

if TYPE_CHECKING:
    from comms_tui.core.preflight import Question
    from comms_tui.core.sender import Sent

EXIT_OK, EXIT_ITEMS_FAILED, EXIT_USAGE, EXIT_REJECTED, EXIT_UNKNOWN = 0, 1, 2, 3, 4


def add_target_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--profile", metavar="NAME", help="send with this saved profile")
    group.add_argument(
        "--sandbox", action="store_true", help="send to an embedded sandbox (no credentials)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        help="read timeout (default 30, or $COMMS_TUI_TIMEOUT); a send that times out is unknown",
    )
    parser.add_argument("--yes", "-y", action="store_true", help="don't ask for confirmation")


def error(message: str) -> None:
    print(f"comms-tui: {message}", file=sys.stderr)


def warn(message: str) -> None:
    print(f"comms-tui: warning: {message}", file=sys.stderr)


def report_invalid(exc: InvalidInput) -> None:
    if exc.errors:
        for field, message in exc.errors.items():
            error(f"{field}: {message}" if field else message)
    else:
        error(exc.message)


def recipients_of(values: Sequence[str]) -> list[str]:
    """``--to`` values, each possibly a comma/semicolon separated list."""
    from comms_tui.api.phones import split_recipients

    return [r for value in values for r in split_recipients(value)]


def open_session(args: argparse.Namespace) -> Session | None:
    """The session the flags ask for, or None after printing why not."""
    try:
        session = Session.open(
            sandbox=bool(getattr(args, "sandbox", False)),
            profile=getattr(args, "profile", None),
            read_timeout=getattr(args, "timeout", None),
        )
    except CommsError as exc:
        error(exc.message)
        return None
    for text in session.warnings:
        warn(text)
    return session


def ask(question: Question, *, assume_yes: bool) -> bool:
    """A question from the core, on a terminal: ``[y/N]``. ``--yes`` answers yes; without a
    terminal to ask, it says why it stops (the question's refusal) and answers no."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        error(question.refusal)
        return False
    print(f"{question.title}\n{question.text}", file=sys.stderr)
    try:
        answer = input(f"{question.confirm}? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


_MARKS = {True: "✓", False: "✗", None: "?"}
_HEADLINES = {
    Outcome.ACCEPTED: "accepted",
    Outcome.PARTIAL: "PARTIAL: some items failed",
    Outcome.FAILED: "FAILED: every item failed",
    Outcome.REJECTED: "REJECTED: nothing was sent",
    Outcome.UNKNOWN: "UNKNOWN: the message may have been sent; check before resending",
}


def print_result(sent: Sent, *, as_json: bool) -> None:
    result = sent.result
    if sent.not_recorded:
        warn(f"the send could not be recorded in the history: {sent.not_recorded}")
    if as_json:
        print(json.dumps(result.to_json(history_id=sent.history_id), ensure_ascii=False))
        return
    facts = [_HEADLINES[result.outcome]]
    if result.http_status is not None:
        facts.append(f"HTTP {result.http_status}")
    if result.request_id:
        facts.append(f"request id {result.request_id}")
    if result.latency_ms is not None:
        facts.append(f"{result.latency_ms:.0f} ms")
    if sent.history_id is not None:
        facts.append(f"history #{sent.history_id}")
    print(" · ".join(facts))
    for item in result.items:
        notes = [str(n) for n in item.errors] + [f"warning {n}" for n in item.warnings]
        print(f"  {_MARKS[item.ok]} {item.recipient}" + (f"  {'; '.join(notes)}" if notes else ""))
    if result.error is not None:
        error(result.error.message)
