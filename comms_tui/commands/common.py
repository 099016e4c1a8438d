"""What the sending subcommands share: target flags, opening a session, printing results."""

from __future__ import annotations

import argparse
import json
import sys

from comms_tui.api.errors import CommsError, InvalidInput
from comms_tui.api.results import Outcome, SendResult
from comms_tui.session import Session

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
        type=float,
        metavar="SECONDS",
        help="read timeout (default 30, or $COMMS_TUI_TIMEOUT); a send that times out is unknown",
    )


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


def open_session(args: argparse.Namespace) -> Session | None:
    """The session the flags ask for, or None after printing why not."""
    try:
        if getattr(args, "sandbox", False):
            session = Session.for_sandbox()
        else:
            session = Session.for_profile(getattr(args, "profile", None))
    except CommsError as exc:
        error(exc.message)
        return None
    if problem := apply_timeout(session, args):
        session.close()
        error(problem)
        return None
    for text in session.warnings:
        warn(text)
    return session


def pending_deadline_seconds() -> float:
    """How long a send from this machine's CLI may be in flight: the client's bound on one
    attempt, connect timeout + read timeout (``$COMMS_TUI_TIMEOUT``, default 30 s).

    A journal entry still ``pending`` after that was left by a process that died mid-send
    (crash, SIGKILL): it reads as ``unknown``. A live send waiting out a Retry-After may read
    ``unknown`` a little early — the safe side: both say "check before sending again".
    """
    import os

    from comms_tui.api.target import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT

    try:
        read = float(os.environ.get("COMMS_TUI_TIMEOUT") or DEFAULT_READ_TIMEOUT)
    except ValueError:
        read = DEFAULT_READ_TIMEOUT
    if not 0 < read <= 600:  # what apply_timeout accepts
        read = DEFAULT_READ_TIMEOUT
    return DEFAULT_CONNECT_TIMEOUT + read


def apply_timeout(session: Session, args: argparse.Namespace) -> str | None:
    """Apply ``--timeout`` / ``$COMMS_TUI_TIMEOUT`` to the session; an error message if bad."""
    import dataclasses
    import os

    raw = getattr(args, "timeout", None) or os.environ.get("COMMS_TUI_TIMEOUT")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return f"timeout must be a number of seconds, not {raw!r}"
    if not 0 < seconds <= 600:
        return "timeout must be between 0 and 600 seconds"
    session.target = dataclasses.replace(session.target, read_timeout=seconds)
    return None


def confirm(prompt: str, *, assume_yes: bool) -> bool | None:
    """True/False from the user; None when there is no terminal to ask (and no --yes)."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        return None
    try:
        answer = input(f"{prompt} [y/N] ")
    except EOFError:
        return None
    return answer.strip().lower() in ("y", "yes")


_MARKS = {True: "✓", False: "✗", None: "?"}
_HEADLINES = {
    Outcome.ACCEPTED: "accepted",
    Outcome.PARTIAL: "PARTIAL: some items failed",
    Outcome.FAILED: "FAILED: every item failed",
    Outcome.REJECTED: "REJECTED: nothing was sent",
    Outcome.UNKNOWN: "UNKNOWN: the message may have been sent; check before resending",
}


def print_result(result: SendResult, *, history_id: int | None, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(history_id=history_id), ensure_ascii=False))
        return
    facts = [_HEADLINES[result.outcome]]
    if result.http_status is not None:
        facts.append(f"HTTP {result.http_status}")
    if result.request_id:
        facts.append(f"request id {result.request_id}")
    if result.latency_ms is not None:
        facts.append(f"{result.latency_ms:.0f} ms")
    if history_id is not None:
        facts.append(f"history #{history_id}")
    print(" · ".join(facts))
    for item in result.items:
        notes = [str(n) for n in item.errors] + [f"warning {n}" for n in item.warnings]
        print(f"  {_MARKS[item.ok]} {item.recipient}" + (f"  {'; '.join(notes)}" if notes else ""))
    if result.error is not None:
        error(result.error.message)
