"""The sender-ID lab: does sender ID X work for OU Y? One test SMS per sender ID per attribution.

One request per attribution (the attribution headers pick the OU), one item per sender ID and
recipient; the answers form a matrix of sender ID × attribution.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from comms_tui.api.errors import InvalidInput
from comms_tui.api.models import Channel, SmsMessage, ValidationContext
from comms_tui.api.requests import SendRequest, validate_item
from comms_tui.api.results import ItemResult, Outcome, SendResult
from comms_tui.api.sms import validate_sender_id
from comms_tui.api.target import Attribution
from comms_tui.sending import Sender

DEFAULT_LAB_BODY = "comms-tui sender-ID test: {sender} via {attribution}"
DEFAULT_ATTRIBUTION = "default"  # the caller's own till


def attribution_label(attribution: Attribution | None) -> str:
    return DEFAULT_ATTRIBUTION if attribution is None else str(attribution)


@dataclass(frozen=True)
class LabCell:
    sender: str
    attribution: str
    ok: bool | None  # None: unknown outcome
    # accepted · rejected (the server refused this sender ID) · not_sent (the whole request was
    # refused: auth, attribution, rate limit…) · unknown · invalid (failed our own checks)
    outcome: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    http_status: int | None = None
    request_id: str | None = None
    latency_ms: float | None = None
    history_id: int | None = None

    @property
    def summary(self) -> str:
        if self.ok:
            return "accepted" + (f" ({'; '.join(self.warnings)})" if self.warnings else "")
        return "; ".join(self.errors) or self.outcome

    def to_json(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "attribution": self.attribution,
            "ok": self.ok,
            "outcome": self.outcome,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "recipients": list(self.recipients),
            "http_status": self.http_status,
            "request_id": self.request_id,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
            "history_id": self.history_id,
        }


@dataclass
class LabMatrix:
    recipients: list[str]
    senders: list[str]
    attributions: list[str]
    cells: list[LabCell] = field(default_factory=list)

    def cell(self, sender: str, attribution: str) -> LabCell | None:
        for cell in self.cells:
            if cell.sender == sender and cell.attribution == attribution:
                return cell
        return None

    def working(self, attribution: str) -> list[str]:
        return [c.sender for c in self.cells if c.attribution == attribution and c.ok]

    @property
    def exit_code(self) -> int:
        outcomes = {c.outcome for c in self.cells}
        if "unknown" in outcomes:
            return 4
        if outcomes <= {"accepted"}:
            return 0
        if outcomes <= {"not_sent"}:
            return 3
        return 1

    def to_json(self) -> dict[str, Any]:
        return {
            "recipients": self.recipients,
            "senders": self.senders,
            "attributions": self.attributions,
            "cells": [c.to_json() for c in self.cells],
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["sender", "attribution", "ok", "outcome", "errors", "warnings", "http_status",
             "request_id", "latency_ms"]
        )  # fmt: skip
        for c in self.cells:
            writer.writerow(
                [c.sender, c.attribution, c.ok, c.outcome, " | ".join(c.errors),
                 " | ".join(c.warnings), c.http_status or "", c.request_id or "",
                 "" if c.latency_ms is None else f"{c.latency_ms:.0f}"]
            )  # fmt: skip
        return out.getvalue()


class SenderIdLab:
    def __init__(self, sender: Sender, *, context: ValidationContext | None = None) -> None:
        self.sender = sender
        self.context = context or ValidationContext()

    async def run(
        self,
        recipients: Sequence[str],
        sender_ids: Sequence[str],
        attributions: Sequence[Attribution | None] = (None,),
        *,
        body: str = DEFAULT_LAB_BODY,
    ) -> LabMatrix:
        if not recipients:
            raise InvalidInput("add a test recipient", field="to")
        if not sender_ids:
            raise InvalidInput("add at least one sender ID to try", field="sender")
        attributions = list(attributions) or [None]
        matrix = LabMatrix(
            recipients=[],
            senders=list(dict.fromkeys(s.strip() for s in sender_ids)),
            attributions=[attribution_label(a) for a in attributions],
        )
        valid: list[str] = []
        invalid: dict[str, str] = {}
        for sender_id in matrix.senders:
            try:
                valid.append(validate_sender_id(sender_id))
            except InvalidInput as exc:
                invalid[sender_id] = exc.message
        for attribution in attributions:
            label = attribution_label(attribution)
            for sender_id, message in invalid.items():
                matrix.cells.append(
                    LabCell(sender_id, label, ok=False, outcome="invalid", errors=(message,))
                )
            if valid:
                items = self._items(recipients, valid, label, body)
                matrix.recipients = list(dict.fromkeys(i.to for i in items))
                request = SendRequest(
                    channel=Channel.SMS,
                    items=tuple(items),
                    envelope=self.sender.client.target.envelope,
                )
                sent = await self.sender.send(request, attribution=attribution)
                matrix.cells.extend(_cells(sent.result, items, label, sent.history_id))
        order = {s: i for i, s in enumerate(matrix.senders)}
        matrix.cells.sort(key=lambda c: (matrix.attributions.index(c.attribution), order[c.sender]))
        return matrix

    def _items(
        self, recipients: Sequence[str], senders: Sequence[str], label: str, body: str
    ) -> list[SmsMessage]:
        items: list[SmsMessage] = []
        for sender_id in senders:
            text = body.replace("{sender}", sender_id).replace("{attribution}", label)
            for recipient in recipients:
                item = validate_item(
                    Channel.SMS, {"to": recipient, "body": text, "sender": sender_id}, self.context
                )
                assert isinstance(item, SmsMessage)
                items.append(item)
        return items


def _cells(
    result: SendResult, items: Sequence[SmsMessage], label: str, history_id: int | None
) -> list[LabCell]:
    by_sender: dict[str, list[ItemResult]] = {}
    for item, item_result in zip(items, result.items, strict=False):
        by_sender.setdefault(item.sender or "", []).append(item_result)
    request_error = (result.error.message,) if result.error else ()
    cells = []
    for sender_id, results in by_sender.items():
        ok: bool | None
        if result.outcome is Outcome.UNKNOWN:
            ok, outcome = None, "unknown"
        elif result.outcome is Outcome.REJECTED:
            ok, outcome = False, "not_sent"
        else:
            ok = all(r.ok for r in results)
            outcome = "accepted" if ok else "rejected"
        errors = tuple(dict.fromkeys(str(e) for r in results for e in r.errors)) or request_error
        cells.append(
            LabCell(
                sender=sender_id,
                attribution=label,
                ok=ok,
                outcome=outcome,
                errors=errors,
                warnings=tuple(dict.fromkeys(str(w) for r in results for w in r.warnings)),
                recipients=tuple(r.recipient for r in results),
                http_status=result.http_status,
                request_id=result.request_id,
                latency_ms=result.latency_ms,
                history_id=history_id,
            )
        )
    return cells
