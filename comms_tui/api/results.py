"""What came back: response parsing (§4), per-item results, and the outcome of a send."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from comms_tui.api.channels import Channel
from comms_tui.api.errors import CommsError, NotSent, OutcomeUnknown


class Outcome(str, Enum):
    ACCEPTED = "accepted"  # every item accepted
    PARTIAL = "partial"  # some items accepted, some failed
    FAILED = "failed"  # the server answered and every item failed
    REJECTED = "rejected"  # the request was refused as a whole; nothing sent
    UNKNOWN = "unknown"  # it may or may not have been sent

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


class Notice(BaseModel):
    """An item error or warning: ``{"code": int, "message": str}``, tolerant of extra fields."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code: int | None = None
    message: str = ""

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: object) -> int | None:
        if value is None or value == "":
            return None
        try:
            return int(value)  # type: ignore[call-overload, no-any-return]
        except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's 1e999 is inf
            return None

    @classmethod
    def coerce(cls, raw: object) -> Notice:
        if isinstance(raw, dict):
            try:
                return cls.model_validate(raw)
            except ValidationError:
                return cls(message=str(raw))
        return cls(message=str(raw))

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code is not None else self.message


class ItemResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    recipient: str
    ok: bool | None  # None: outcome unknown
    errors: tuple[Notice, ...] = ()
    warnings: tuple[Notice, ...] = ()
    echo: dict[str, Any] = Field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "ok": self.ok,
            "errors": [n.model_dump(include={"code", "message"}) for n in self.errors],
            "warnings": [n.model_dump(include={"code", "message"}) for n in self.warnings],
        }


class ResponseFormatError(ValueError):
    """A 2xx body we cannot read as §4: the server acted, we cannot tell how."""


@dataclass(frozen=True)
class ParsedResponse:
    status: dict[str, Any]
    items: list[ItemResult]

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


def parse_response(
    channel: Channel, data: object, *, recipients: Sequence[str] = ()
) -> ParsedResponse:
    """Read a §4 body; recipients fill in where the server's echo leaves them out."""
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
    items: list[ItemResult] = []
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            raise ResponseFormatError(f"item {index} of {list_key!r} is not an object")
        echo = raw.get(item_key)
        echo = echo if isinstance(echo, dict) else {}
        errors = _notices(raw.get("errors"))
        warnings = _notices(raw.get("warnings"))
        recipient = _recipient_of(echo) or (recipients[index] if index < len(recipients) else "")
        items.append(
            ItemResult(
                recipient=recipient, ok=not errors, errors=errors, warnings=warnings, echo=echo
            )
        )
    return ParsedResponse(status=status, items=items)


@dataclass(frozen=True)
class RedactedRequest:
    """A request as it may be shown: secrets masked, attachment data summarised."""

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "headers": self.headers, "body": self.body}

    def to_text(self) -> str:
        import json

        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines += ["", json.dumps(self.body, indent=2, ensure_ascii=False)]
        return "\n".join(lines)

    def to_curl(self) -> str:
        """A curl command with credentials as shell placeholders, never their values."""
        import json
        import shlex

        parts = ["curl", "-sS", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.headers.items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        parts += ["--data-binary", shlex.quote(json.dumps(self.body, ensure_ascii=False))]
        return " \\\n  ".join([" ".join(parts[:5]), *_pairs(parts[5:])])


def _pairs(parts: list[str]) -> list[str]:
    return [f"{parts[i]} {parts[i + 1]}" for i in range(0, len(parts), 2)]


@dataclass
class SendResult:
    """The outcome of one send, whatever happened: what the UI, CLI and journal show."""

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
            "error": None if self.error is None else self.error.message,
        }


def outcome_of(items: Sequence[ItemResult]) -> Outcome:
    ok = sum(1 for item in items if item.ok)
    if items and ok == len(items):
        return Outcome.ACCEPTED
    return Outcome.PARTIAL if ok else Outcome.FAILED
