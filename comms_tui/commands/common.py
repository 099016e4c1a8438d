"""What the sending subcommands share: target flags, opening a session, asking, printing results.

The rules (what to ask, what a send means) are the core's; this module only decides how a
terminal asks (``[y/N]`` on stderr, or ``--yes``), where a secret for this run comes from
(``--password-stdin``, or a prompt without echo) and how results read.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import timezone, tzinfo
from typing import TYPE_CHECKING

from comms_tui.api.errors import CommsError, InvalidInput
from comms_tui.api.results import Outcome
from comms_tui.api.target import secret_problem
from comms_tui.commands.output import Stop, error, print_json, say, warn
from comms_tui.commands.tui import profile_name
from comms_tui.core.session import Session

if TYPE_CHECKING:
    from comms_tui.api.results import SendResult
    from comms_tui.core.preflight import Question
    from comms_tui.core.sender import Sent
    from comms_tui.store.errors import MissingSecret

__all__ = ["Stop", "error", "say", "warn"]

EXIT_OK, EXIT_ITEMS_FAILED, EXIT_USAGE, EXIT_REJECTED, EXIT_UNKNOWN = 0, 1, 2, 3, 4
SECRET_FLAGS = {"password": "--password-stdin", "client_secret": "--client-secret-stdin"}


def add_target_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--profile", metavar="NAME", type=profile_name, help="send with this saved profile"
    )
    group.add_argument(
        "--sandbox", action="store_true", help="send to an embedded sandbox (no credentials)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        help="read timeout, 1 to 600 (default 30, or $COMMS_TUI_TIMEOUT); a send that times out "
        "is unknown",
    )
    parser.add_argument("--yes", "-y", action="store_true", help="don't ask for confirmation")
    add_secret_flags(parser, "for this run only (never stored)")


def add_secret_flags(parser: argparse.ArgumentParser, purpose: str) -> None:
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin", action="store_true", help=f"read the password from stdin, {purpose}"
    )
    how.add_argument(
        "--client-secret-stdin",
        action="store_true",
        help=f"read the client secret from stdin, {purpose}",
    )


def secret_flag(args: argparse.Namespace) -> str | None:
    """The ``--…-stdin`` flag given, if any."""
    if getattr(args, "password_stdin", False):
        return SECRET_FLAGS["password"]
    if getattr(args, "client_secret_stdin", False):
        return SECRET_FLAGS["client_secret"]
    return None


def read_secret(flag: str) -> str:
    """The secret piped to ``flag``: one line, its line ending dropped. More than one line is
    refused (keeping the first would store or send something else than what was meant)."""
    what = "password" if flag == SECRET_FLAGS["password"] else "client secret"
    text = sys.stdin.read()
    for ending in ("\r\n", "\n"):
        if text.endswith(ending):
            text = text[: -len(ending)]
            break
    if "\n" in text or "\r" in text:
        raise Stop(
            f"{flag}: the {what} on standard input has more than one line; pipe just the "
            f"{what} (printf '%s' \"$SECRET\" | comms-tui …). Nothing was saved or sent."
        )
    if not text:
        raise Stop(f"{flag}: the {what} on standard input is empty")
    if problem := secret_problem(text, what):
        raise Stop(f"{flag}: {problem}. Nothing was saved or sent.")
    return text


def recipients_of(values: Sequence[str]) -> list[str]:
    """``--to`` values, each possibly a comma/semicolon separated list."""
    from comms_tui.api.phones import split_recipients

    return [r for value in values for r in split_recipients(value)]


# A message that names its flag or variable itself: ``--timeout: …``, ``$COMMS_TUI_TIMEOUT: …``
# (not any text that starts with a dash: a file ``-dash.txt`` lost its field's name).
_NAMES_ITSELF = re.compile(r"(--[a-z][a-z0-9-]*|\$[A-Z][A-Z0-9_]*): ")


def invalid_lines(exc: InvalidInput) -> list[str]:
    """One line per field that failed, named as the API names it (unless the message names the
    flag or variable itself)."""
    if exc.errors:
        return [
            text if not field or _NAMES_ITSELF.match(text) else f"{field}: {text}"
            for field, text in exc.errors.items()
        ]
    return [exc.message]


# The secret of a run that sends nothing (--dry-run, --curl): the keyring is not even asked.
NOT_NEEDED = "(not read: nothing is sent)"


def open_session(args: argparse.Namespace, *, sending: bool = True) -> Session:
    """The session the flags ask for, or ``Stop`` saying why not.

    The profile's secret for this run: piped to ``--password-stdin``/``--client-secret-stdin``,
    else the environment or the keyring, else a terminal is asked (no echo). Never stored. A run
    that sends nothing (``sending=False``) needs none.
    """
    from comms_tui.store.errors import MissingSecret

    flag = secret_flag(args)
    sandbox = bool(getattr(args, "sandbox", False))
    if flag is not None and sandbox:
        raise Stop(f"{flag}: the sandbox needs no secret")
    secret = read_secret(flag) if flag is not None else (None if sending else NOT_NEEDED)

    def opened(secret: str | None) -> Session:
        return Session.open(
            sandbox=sandbox,
            profile=getattr(args, "profile", None),
            read_timeout=getattr(args, "timeout", None),
            secret=secret,
        )

    try:
        try:
            session = opened(secret)
        except MissingSecret as exc:
            typed = _prompt_secret(exc)
            if typed is None:
                kind_flag = SECRET_FLAGS.get(exc.kind, SECRET_FLAGS["password"])
                raise Stop(f"{exc.message}; or pipe it to {kind_flag} for this run") from None
            session = opened(typed)
    except InvalidInput as exc:
        raise Stop(*invalid_lines(exc)) from None
    except CommsError as exc:
        raise Stop(exc.message) from None
    if flag is not None:
        _check_secret_applies(session, flag)
    for text in session.warnings:
        warn(text)
    return session


def _check_secret_applies(session: Session, flag: str) -> None:
    """A secret piped in must be the one this session's profile signs in with."""
    if session.profile is None:
        raise Stop(
            f"{flag} is for a saved profile: COMMS_TUI_HOST is set, so the credentials come "
            "from the environment (COMMS_TUI_PASSWORD or COMMS_TUI_CLIENT_SECRET)"
        )
    wanted = SECRET_FLAGS["password" if session.profile.auth == "basic" else "client_secret"]
    if flag != wanted:
        how = "Basic auth (a password)" if session.profile.auth == "basic" else "OAuth"
        raise Stop(f"profile {session.profile.name} signs in with {how}: pass {wanted}")


def _prompt_secret(missing: MissingSecret) -> str | None:
    """Ask a terminal for the secret ``missing`` names, without echo; None when none can ask."""
    import getpass

    if not sys.stdin.isatty():
        return None
    kind = missing.kind.replace("_", " ")
    error(missing.message.split(";")[0])
    try:
        typed = getpass.getpass(
            f"{kind.capitalize()} for profile {missing.profile} (this run only): "
        )
    except EOFError:
        typed = ""
    if not typed:
        raise Stop(f"no {kind} given: nothing was sent")
    return typed


def ask(question: Question, *, assume_yes: bool) -> bool:
    """A question from the core, on a terminal: ``[y/N]``. ``--yes`` answers yes; without a
    terminal to ask, it answers no."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        return False
    print(f"{question.title}\n{question.text}", file=sys.stderr)
    try:
        answer = input(f"{question.confirm}? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def confirm(question: Question, *, assume_yes: bool) -> bool:
    """``ask``, and a "no" stops the command saying why (nothing was sent)."""
    if ask(question, assume_yes=assume_yes):
        return True
    if not sys.stdin.isatty():
        raise Stop(question.refusal)
    raise Stop("nothing was sent: you answered no")


_MARKS = {True: "✓", False: "✗", None: "?"}
_HEADLINES = {
    Outcome.ACCEPTED: "accepted",
    Outcome.PARTIAL: "PARTIAL: some items failed",
    Outcome.FAILED: "FAILED: every item failed",
    Outcome.UNKNOWN: "UNKNOWN: the message may have been sent; check before resending",
}


def headline(result: SendResult) -> str:
    if result.outcome is Outcome.REJECTED:
        if result.sent_nothing:
            return "REJECTED: nothing was sent"
        return "REJECTED: the server reported an error"
    return _HEADLINES[result.outcome]


def print_result(sent: Sent, *, as_json: bool, zone: tzinfo | None = None) -> None:
    """The outcome on stdout: one line of facts, one per recipient, the server's notes."""
    result = sent.result
    if sent.not_recorded:
        warn(
            "the send could not be recorded in the history (the result below is what the "
            f"server answered): {sent.not_recorded}"
        )
    if as_json:
        print_json(sent.to_json())
        return
    facts = [headline(result)]
    if result.http_status is not None:
        facts.append(f"HTTP {result.http_status}")
    if result.request_id:
        facts.append(f"request id {result.request_id}")
    if result.latency_ms is not None:
        facts.append(f"{result.latency_ms:.0f} ms")
    if sent.history_id is not None:
        facts.append(f"history #{sent.history_id}")
    if (when := sent.scheduled_for) is not None:
        from comms_tui.api.schedule import describe_schedule

        facts.append(f"goes out {describe_schedule(when, zone or when.tzinfo or timezone.utc)}")
    say(" · ".join(facts))
    for item in result.items:
        notes = [str(n) for n in item.errors] + [f"warning {n}" for n in item.warnings]
        say(f"  {_MARKS[item.ok]} {item.recipient}" + (f"  {'; '.join(notes)}" if notes else ""))
    for note in result.notes():
        say(f"  {note}")
    if result.error is not None:
        error(result.error.message)
