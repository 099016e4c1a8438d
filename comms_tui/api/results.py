"""What came back: response parsing (§4), per-item results, and the outcome of a send."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from comms_tui.api.channels import Channel
from comms_tui.api.errors import CommsError, NotSent, OutcomeUnknown


class Outcome(str, Enum):
    ACCEPTED = "accepted"  # every item accepted
    PARTIAL = "partial"  # some items accepted, some failed
    FAILED = "failed"  # the server answered and every item failed
    REJECTED = "rejected"  # refused as a whole (or a 500 with the API's status: it failed)
    UNKNOWN = "unknown"  # it may or may not have been sent (at least one item's fate)

    @property
    def exit_code(self) -> int:
        return _EXIT_CODES[self]


_EXIT_CODES = {
    Outcome.ACCEPTED: 0,
    Outcome.PARTIAL: 1,
    Outcome.FAILED: 1,
    Outcome.REJECTED: 3,
    Outcome.UNKNOWN: 4,
}


@dataclass(frozen=True, slots=True)  # one object each: answers hold 50 000
class Notice:
    """An item error or warning: ``{"code": int, "message": str}``, tolerant of extra fields."""

    code: int | None = None
    message: str = ""

    @classmethod
    def coerce(cls, raw: object) -> Notice:
        """Whatever the server put where a notice goes: a code is a number even as text
        (``"4205"``), else none; a null message is none; anything else that is not text is
        kept whole, as the JSON it came as (never as Python's rendering of it)."""
        if isinstance(raw, dict):
            message = raw.get("message")
            text = "" if message is None else _text(message)
            return cls(code=_code(raw.get("code")), message=text)
        return cls(message=_text(raw))

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}

    def __str__(self) -> str:
        if self.code is None:
            return self.message
        return f"{self.code}: {self.message}" if self.message else str(self.code)


def _text(value: object) -> str:
    """A string as it is; any other JSON value as its JSON text."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):  # not from JSON, or nested past the limit
        return f"({type(value).__name__})"


def _code(value: object) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's 1e999 is inf
        return None


@dataclass(frozen=True, slots=True)  # one object each: answers hold 50 000
class ItemResult:
    recipient: str
    ok: bool | None  # None: outcome unknown
    errors: tuple[Notice, ...] = ()
    warnings: tuple[Notice, ...] = ()
    echo: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "ok": self.ok,
            "errors": [n.to_json() for n in self.errors],
            "warnings": [n.to_json() for n in self.warnings],
        }


class ResponseFormatError(ValueError):
    """A 2xx body we cannot read as §4: the server acted, we cannot tell how."""


@dataclass(frozen=True)
class ParsedResponse:
    """A §4 answer read against the request: one item per recipient sent, in order.

    ``items`` holds the answer's items matched by position (the echo is not the recipient), and
    the sent items the answer left out with ``ok=None``. Items beyond those sent are only counted
    (``extra_items``). ``disagreements`` are where the status block and the items contradict each
    other; ``anomalies`` are answers that do not line up with the request.
    """

    status: dict[str, Any]
    items: list[ItemResult]
    answered: int = 0  # items in the answer, extras included
    extra_items: int = 0
    warnings: list[Notice] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def success_count(self) -> int:
        return sum(1 for item in self.items if item.ok)


def _recipient_of(echo: dict[str, Any]) -> str:
    for key in ("to", "receiver", "mobile", "email"):
        value = echo.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _notices(value: object) -> tuple[Notice, ...]:
    """A list of notices; a lone one not wrapped in a list (``"errors": "…"``) counts as one."""
    if not value:
        return ()
    return tuple(Notice.coerce(v) for v in (value if isinstance(value, list) else [value]))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _carry(n: int, what: str) -> str:
    """``1 item carries no error`` / ``2 items carry no error``."""
    return f"{_plural(n, 'item')} {'carries' if n == 1 else 'carry'} {what}"


def parse_response(
    channel: Channel, data: object, *, recipients: Sequence[str] | None = None
) -> ParsedResponse:
    """Read a §4 body against the recipients sent (by position; never the echo).

    Without ``recipients`` (reading an answer on its own) every item is kept and named by its
    echo. Raises ``ResponseFormatError`` only for a shape that says nothing item by item.
    """
    if not isinstance(data, dict):
        raise ResponseFormatError("the response is not a JSON object")
    status = data.get("status")
    if not isinstance(status, dict):
        status = {}
    list_key, item_key = channel.response_keys
    raw_items = data.get(list_key)
    if raw_items is None:
        raw_items = []
    if not isinstance(raw_items, list):
        raise ResponseFormatError(f"{list_key!r} is not a list")
    answered = len(raw_items)
    sent = answered if recipients is None else len(recipients)
    # Items beyond those sent answer nothing we asked: counted, never read (50 000 cost nothing).
    kept = min(sent, answered)
    items: list[ItemResult] = []
    for index in range(kept):
        raw = raw_items[index]
        if not isinstance(raw, dict):
            raise ResponseFormatError(f"item {index} of {list_key!r} is not an object")
        echo = raw.get(item_key)
        echo = echo if isinstance(echo, dict) else {}
        errors = _notices(raw.get("errors"))
        warnings = _notices(raw.get("warnings"))
        recipient = recipients[index] if recipients is not None else _recipient_of(echo)
        items.append(
            ItemResult(
                recipient=recipient, ok=not errors, errors=errors, warnings=warnings, echo=echo
            )
        )
    anomalies: list[str] = []
    extra = max(0, answered - sent)
    if extra:
        anomalies.append(
            f"the server answered {_plural(answered, 'item')} for {sent} sent; "
            f"the {extra} extra {'is' if extra == 1 else 'are'} not counted"
        )
    if recipients is not None and 0 < answered < sent:
        missing = sent - answered
        items += [ItemResult(recipient=r, ok=None) for r in recipients[answered:]]
        anomalies.append(
            f"the server answered {_plural(answered, 'item')} for {sent} sent; "
            f"what became of the other {missing} is unknown"
        )
    disagreements, items = _reconcile(status, items, answered=answered, extra=extra)
    return ParsedResponse(
        status=status,
        items=items,
        answered=answered,
        extra_items=extra,
        warnings=status_warnings(status),
        disagreements=disagreements,
        anomalies=anomalies,
    )


def status_warnings(status: dict[str, Any]) -> list[Notice]:
    """``status.warnings`` and ``warningsAsStatusCode`` as notices, each warning once."""
    seen: dict[tuple[int | None, str], Notice] = {}
    for key in ("warnings", "warningsAsStatusCode"):
        raw = status.get(key)
        for notice in _notices([v for v in raw if v is not None] if isinstance(raw, list) else raw):
            if notice.message or notice.code is not None:
                seen.setdefault((notice.code, notice.message), notice)
    return list(seen.values())


def _count(value: object) -> int | None:
    """A count from the status block: an int (or digits), never a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _verdicts(status: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """What the status block's fields say: (all succeeded, not all, the send failed)."""
    all_ok: list[str] = []
    not_all: list[str] = []
    failed: list[str] = []
    nested = status.get("statusCode")
    nested = nested if isinstance(nested, dict) else {}
    for name, value in (
        ("success", status.get("success")),
        ("statusCode.status", nested.get("status")),
    ):
        flag = _flag(value)
        if flag is not None:
            (all_ok if flag else not_all).append(f"{name} is {str(flag).lower()}")
    for name, value in (("code", status.get("code")), ("statusCode.code", nested.get("code"))):
        code = _count(value)
        if code == 200:
            all_ok.append(f"{name} is 200")
        elif code == 201:  # "one or more requests failed": item by item
            not_all.append(f"{name} is 201")
        elif code is not None and not 200 <= code < 300:
            failed.append(f"{name} is {code}")
    return all_ok, not_all, failed


def _reconcile(
    status: dict[str, Any], items: list[ItemResult], *, answered: int, extra: int
) -> tuple[list[str], list[ItemResult]]:
    """Hold the items against the status block, the server's own verdict (§4).

    Where the status claims fewer successes than the items show, no item can be called accepted
    (which of them failed is not said): those items become unknown. Where it claims more, the
    items' own errors stand. Either way the contradiction is recorded, in words.
    """
    sentences: list[str] = []
    all_ok, not_all, failed = _verdicts(status)
    answer_items = [item for item in items if item.ok is not None]
    clean = sum(1 for item in answer_items if item.ok)
    with_errors = len(answer_items) - clean
    count = _count(status.get("count"))
    succeeded = _count(status.get("successCount"))
    of = count if count is not None else answered
    if succeeded is not None and count:
        if succeeded >= count:
            all_ok.append(f"successCount is {succeeded} of {count}")
        else:
            not_all.append(f"successCount is {succeeded} of {count}")
    if all_ok and (not_all or failed):
        sentences.append(
            f"the status block contradicts itself: {', '.join(all_ok)} but "
            f"{', '.join(not_all + failed)}"
        )
    if count is not None and count != answered:
        sentences.append(
            f"the status block counts {_plural(count, 'message')} "
            f"but the answer holds {_plural(answered, 'item')}"
        )
    doubt = False
    if succeeded is not None and succeeded < clean:
        doubt = True
        carry = "no item carries an error" if not with_errors else _carry(clean, "no error")
        sentences.append(f"the status block says {succeeded} of {of} succeeded but {carry}")
    elif failed and clean:
        doubt = True
        sentences.append(
            f"the status block says the request failed ({', '.join(failed)}) but "
            f"{_carry(clean, 'no error')}"
        )
    elif not_all and clean and not with_errors:
        doubt = True
        sentences.append(
            f"the status block says not every message succeeded ({', '.join(not_all)}) "
            "but no item carries an error"
        )
    elif succeeded is not None and succeeded > clean and not extra:
        sentences.append(
            f"the status block says {succeeded} of {of} succeeded but only "
            f"{_carry(clean, 'no error')}"
        )
    elif all_ok and with_errors and not (not_all or failed):
        sentences.append(
            f"the status block says every message succeeded ({', '.join(all_ok)}) but "
            f"{_carry(with_errors, 'errors')}"
        )
    if doubt:
        items = [replace(item, ok=None) if item.ok else item for item in items]
    return sentences, items


@dataclass(frozen=True)
class RedactedRequest:
    """A request as it may be shown: secrets masked, attachment data summarised.

    Not replayable when ``omitted_attachment_data``: for a command that sends exactly what
    comms-tui sends, see ``comms_tui.api.curl.replay_command``.
    """

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any]
    omitted_attachment_data: bool = False  # attachments shown by name, size and SHA-256 only

    OMITTED_NOTE = (
        "attachment data left out: each file is shown by name, size and SHA-256 instead of "
        "its base64 (--curl writes a command that sends it)"
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": self.headers,
            "body": self.body,
            "omitted_attachment_data": self.omitted_attachment_data,
        }

    def to_text(self) -> str:
        """The request as text; its body is the JSON sent (what a terminal could act on as
        ``\\u`` escapes, as on the wire)."""
        from comms_tui.api import jsontext

        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines += ["", jsontext.dumps(self.body, indent=2)]
        if self.omitted_attachment_data:
            lines += ["", f"({self.OMITTED_NOTE})"]
        return "\n".join(lines)

    def to_curl(self) -> str:
        """A curl command with credentials as shell placeholders, never their values.

        A sketch for reading, not a replay: see ``comms_tui.api.curl.replay_command``.
        """
        import shlex

        from comms_tui.api import jsontext

        parts = ["curl", "-sS", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.headers.items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        parts += ["--data-binary", shlex.quote(jsontext.dumps(self.body))]
        command = " \\\n  ".join([" ".join(parts[:5]), *_pairs(parts[5:])])
        if self.omitted_attachment_data:
            return f"# {self.OMITTED_NOTE}: this command does not send them\n{command}"
        return command


def _pairs(parts: list[str]) -> list[str]:
    return [f"{parts[i]} {parts[i + 1]}" for i in range(0, len(parts), 2)]


@dataclass
class SendResult:
    """The outcome of one send, whatever happened: what the UI, CLI and journal show.

    ``items`` has one entry per recipient sent, in order, named as sent. ``warnings`` are the
    status block's own (``status.warnings``, ``warningsAsStatusCode``), ``disagreements`` where
    the status block and the items contradict each other, ``anomalies`` where the answer does not
    line up with the request (``extra_items`` answered beyond those sent, never counted).
    """

    channel: Channel
    outcome: Outcome
    request: RedactedRequest
    items: list[ItemResult] = field(default_factory=list)
    http_status: int | None = None
    request_id: str | None = None
    latency_ms: float | None = None
    error: CommsError | None = None
    response_text: str | None = None
    attempts: int = 1
    warnings: list[Notice] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    extra_items: int = 0

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def success_count(self) -> int:
        return sum(1 for item in self.items if item.ok)

    @property
    def failed_items(self) -> list[ItemResult]:
        return [item for item in self.items if item.ok is False]

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code

    @property
    def sent_nothing(self) -> bool:
        return isinstance(self.error, NotSent)

    @property
    def unknown(self) -> bool:
        return isinstance(self.error, OutcomeUnknown) or self.outcome is Outcome.UNKNOWN

    def notes(self) -> list[str]:
        """One line per status warning, disagreement and anomaly, for a results pane or CLI."""
        return (
            [f"warning {notice}" for notice in self.warnings]
            + [f"disagreement: {text}" for text in self.disagreements]
            + [f"anomaly: {text}" for text in self.anomalies]
        )

    def raise_for_outcome(self) -> None:
        if self.error is not None:
            raise self.error

    def to_json(self, *, history_id: int | None = None) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "count": self.count,
            "success_count": self.success_count,
            "history_id": history_id,
            "items": [item.to_json() for item in self.items],
            "warnings": [n.to_json() for n in self.warnings],
            "disagreements": list(self.disagreements),
            "anomalies": list(self.anomalies),
            "extra_items": self.extra_items,
            "error": None if self.error is None else self.error.message,
        }


def outcome_of(items: Sequence[ItemResult]) -> Outcome:
    """Accepted only when every item is; unknown as soon as one item's fate is."""
    if any(item.ok is None for item in items):
        return Outcome.UNKNOWN
    ok = sum(1 for item in items if item.ok)
    if items and ok == len(items):
        return Outcome.ACCEPTED
    return Outcome.PARTIAL if ok else Outcome.FAILED
