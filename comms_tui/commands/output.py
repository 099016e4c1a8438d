"""How every command prints: one prefix for errors, foreign text made harmless, one JSON object.

Anything a command prints may hold text that did not come from us (a server's message, a request
id, a file or profile name, the journal): ``say``, ``error`` and ``warn`` show control characters
as visible stand-ins, so a terminal never obeys them. ``print_json`` keeps the JSON exact while
escaping what a terminal could still act on. A command stops early with ``Stop``: ``cli.main``
prints it (and, with ``--json``, the ``invalid`` object) in one place.

Light on purpose (its imports wait until used): ``cli.main`` imports it for every command,
the TUI included.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

PROG = "comms-tui"


class Stop(Exception):
    """Stop the command: nothing was sent. ``lines`` say why (each printed as an error line)."""

    def __init__(self, *lines: str, code: int = 2) -> None:
        self.lines = [line for text in lines for line in text.splitlines() if line.strip()]
        super().__init__("\n".join(self.lines))
        self.code = code


class Interrupted(Exception):
    """Ctrl-C. ``sent_maybe``: a request may have left (the outcome is unknown: exit 4, as any
    unknown outcome); ``history_id``: the journal entry of the send it stopped."""

    def __init__(self, *, sent_maybe: bool = False, history_id: int | None = None) -> None:
        super().__init__("interrupted")
        self.sent_maybe = sent_maybe
        self.history_id = history_id

    @property
    def exit_code(self) -> int:
        return 4 if self.sent_maybe else 130

    @property
    def message(self) -> str:
        entry = f" (history #{self.history_id})" if self.history_id is not None else ""
        if self.sent_maybe:
            return (
                f"interrupted while sending{entry}: the message may have been sent; check "
                "`comms-tui history` before sending it again"
            )
        if self.history_id is not None:
            return f"interrupted{entry}: nothing was sent"
        return "interrupted"

    def to_json(self) -> dict[str, Any]:
        data = invalid_json([self.message])
        if self.sent_maybe:
            data["outcome"] = "unknown"
        data["history_id"] = self.history_id
        return data


def say(text: str = "") -> None:
    """A line of human output on stdout, foreign text included."""
    from comms_tui.core.text import visible

    print(visible(text))


def error(message: str) -> None:
    """``comms-tui: …`` on stderr, every line of it."""
    for line in _lines(message):
        print(f"{PROG}: {line}", file=sys.stderr)


def note(message: str) -> None:
    """``comms-tui: …`` on stderr: what a person should know, not part of the output."""
    error(message)


def warn(message: str) -> None:
    """``comms-tui: warning: …`` on stderr (later lines carry the ``comms-tui:`` prefix only)."""
    for index, line in enumerate(_lines(message)):
        print(f"{PROG}: {'warning: ' if index == 0 else ''}{line}", file=sys.stderr)


def _lines(message: str) -> list[str]:
    from comms_tui.core.text import visible

    lines = [line for line in visible(message).splitlines() if line.strip()]
    return lines or [""]


def print_json(value: Any, *, indent: int | None = None) -> None:
    from comms_tui.core.text import safe_json

    print(safe_json(value, indent=indent))


def invalid_json(lines: Sequence[str]) -> dict[str, Any]:
    """What ``--json`` prints when nothing was sent because of the input or the usage (exit 2):
    a result's keys (``SendResult.to_json``), ``outcome`` ``invalid`` and the ``error`` (its
    lines as printed on stderr)."""
    return {
        "outcome": "invalid",
        "http_status": None,
        "request_id": None,
        "count": 0,
        "success_count": 0,
        "history_id": None,
        "items": [],
        "warnings": [],
        "disagreements": [],
        "anomalies": [],
        "extra_items": 0,
        "error": "\n".join(lines),
        "scheduled_for": None,
    }
