"""The sender-ID lab: does sender ID X work for OU Y? One test SMS per sender ID per attribution.

One request per attribution (the attribution headers pick the OU), one item per sender ID and
recipient; the answers form a matrix of sender ID × attribution. The plan (what a run will send)
is checked here for every front-end, and the IDs that worked can be saved into the profile.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from comms_tui.api.channels import Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.api.models import SmsMessage, ValidationContext
from comms_tui.api.requests import SendRequest, validate_item
from comms_tui.api.results import ItemResult, Outcome, SendResult
from comms_tui.api.sms import validate_sender_id
from comms_tui.api.target import Attribution
from comms_tui.core.preflight import Question, sending_with
from comms_tui.core.sender import Sender
from comms_tui.core.text import visible

if TYPE_CHECKING:
    from comms_tui.core.session import Session
    from comms_tui.store.profiles import Profile, ProfileStore

DEFAULT_LAB_BODY = "comms-tui sender-ID test: {sender} via {attribution}"
DEFAULT_ATTRIBUTION = "default"  # the caller's own till


PLAN_FIELDS = ("to", "senders", "attributions")  # the keys of build_plan's errors


def attribution_label(attribution: Attribution | None) -> str:
    return DEFAULT_ATTRIBUTION if attribution is None else str(attribution)


def ou_key(label: str) -> str:
    """The profile's ``sender_ids`` key for a matrix column ("" is the default OU)."""
    return "" if label == DEFAULT_ATTRIBUTION else label


@dataclass(frozen=True)
class LabPlan:
    """One run's inputs, checked: what will be sent."""

    recipients: list[str]
    senders: list[str]
    attributions: list[Attribution | None]
    messages: int  # test SMS that will actually go out (invalid IDs are not sent)


def build_plan(
    *,
    recipients: Iterable[str],
    senders: Iterable[str],
    attributions: Iterable[str],
    default: Attribution | None,
    region: str | None,
) -> LabPlan:
    """The run these inputs ask for, or InvalidInput with ``errors`` keyed by ``PLAN_FIELDS``.

    An attribution is ``default`` (the session's own) or ``TYPE:CODE``. Sender IDs are not
    refused here: each is checked by the run and an invalid one shows in the matrix, unsent.
    """
    from comms_tui.api.phones import normalise_phone

    errors: dict[str, str] = {}
    phones: list[str] = []
    for entry in recipients:
        try:
            phones.append(normalise_phone(entry, region).digits)
        except InvalidInput as exc:
            errors.setdefault("to", exc.message)
    if not phones and "to" not in errors:
        errors["to"] = "Add a test recipient"
    ids = list(dict.fromkeys(s.strip() for s in senders if s.strip()))
    if not ids:
        errors["senders"] = "Pick or type at least one sender ID"
    chosen: dict[str, Attribution | None] = {}
    for value in attributions:
        try:
            parsed = default if value == DEFAULT_ATTRIBUTION else Attribution.parse(value)
        except InvalidInput as exc:
            errors.setdefault("attributions", exc.message)
        else:
            chosen.setdefault(attribution_label(parsed), parsed)
    if not chosen and "attributions" not in errors:
        errors["attributions"] = "Pick or type at least one attribution"
    if errors:
        raise InvalidInput("; ".join(errors.values()), errors=errors)
    valid = 0
    for sender_id in ids:
        try:
            validate_sender_id(sender_id)
            valid += 1
        except InvalidInput:
            pass  # tested locally, shown as invalid, never sent
    phones = list(dict.fromkeys(phones))
    return LabPlan(phones, ids, list(chosen.values()), valid * len(phones) * len(chosen))


def lab_question(plan: LabPlan, session: Session) -> Question | None:
    """Several test messages to real phones, or a production profile: ask first (the rule of
    a send)."""
    several = plan.messages > 1 and not session.is_sandbox
    if plan.messages == 0 or not (session.production or several):
        return None
    return Question(
        kind="lab",
        title="Run the sender-ID lab?",
        text=(
            f"Send {plan.messages} test SMS with {sending_with(session)}?\n"
            f"{len(plan.senders)} sender ID(s) × "
            f"{len(plan.attributions)} attribution(s) × {len(plan.recipients)} recipient(s); "
            "invalid IDs are not sent."
        ),
        confirm=f"Send {plan.messages}",
        refusal=f"{plan.messages} test messages: pass --yes to confirm when not on a terminal",
        loud=session.production,
        recipients=tuple(plan.recipients),
    )


@dataclass(frozen=True)
class LabCell:
    sender: str
    attribution: str
    ok: bool | None  # None: unknown outcome
    # accepted · rejected (the server refused this sender ID) · not_sent (the whole request was
    # refused: auth, attribution, rate limit…) · server_error (a 500 with the API's own status:
    # it failed, but that says nothing of what went out) · unknown · invalid (our own checks)
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
        if outcomes <= {"not_sent", "server_error"}:
            return 3  # as ``send`` exits for a rejected request
        return 1

    def to_json(self) -> dict[str, Any]:
        return {
            "recipients": self.recipients,
            "senders": self.senders,
            "attributions": self.attributions,
            "cells": [c.to_json() for c in self.cells],
        }

    @property
    def counts(self) -> dict[str, int]:
        """How many cells had each outcome, in order of first appearance."""
        counts: dict[str, int] = {}
        for cell in self.cells:
            counts[cell.outcome] = counts.get(cell.outcome, 0) + 1
        return counts

    def working_by_ou(self) -> dict[str, list[str]]:
        """The IDs that worked, keyed as the profile keeps them (``sender_ids``)."""
        return {ou_key(a): self.working(a) for a in self.attributions}

    def to_csv(self) -> str:
        """The matrix for a spreadsheet. Server text is data there too: no cell starts a
        formula, and control characters are shown as stand-ins (see ``csv_cell``)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["sender", "attribution", "ok", "outcome", "errors", "warnings", "http_status",
             "request_id", "latency_ms"]
        )  # fmt: skip
        for c in self.cells:
            writer.writerow(
                csv_cell(value)
                for value in (
                    c.sender, c.attribution, c.ok, c.outcome, " | ".join(c.errors),
                    " | ".join(c.warnings), c.http_status or "", c.request_id or "",
                    "" if c.latency_ms is None else f"{c.latency_ms:.0f}",
                )
            )  # fmt: skip
        return out.getvalue()


# A spreadsheet reads a cell starting with one of these as a formula (tab and CR too, after
# some trim whitespace): "=HYPERLINK(…)" in a server's message must stay text (OWASP's advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """``value`` as a CSV cell that a spreadsheet shows as text: a formula's first character
    gets a ``'`` before it, control characters become visible stand-ins. Non-text is kept."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return visible(value)


class SenderIdLab:
    def __init__(self, sender: Sender, *, context: ValidationContext | None = None) -> None:
        self.sender = sender
        self.context = context or ValidationContext()

    async def run_plan(self, plan: LabPlan, *, body: str = DEFAULT_LAB_BODY) -> LabMatrix:
        return await self.run(plan.recipients, plan.senders, plan.attributions, body=body)

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
                # Test messages are meant to repeat: the duplicate guard stays out of the lab.
                sent = await self.sender.send(request, attribution=attribution, guarded=False)
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
            ok, outcome = False, "not_sent" if result.sent_nothing else "server_error"
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


# -- keeping what worked ------------------------------------------------------------------------


def merge_working(profile: Profile, working: Mapping[str, Sequence[str]]) -> tuple[Profile, int]:
    """The profile with each OU's working IDs added after its saved ones; how many were new.

    Only adds: an ID that failed here may work for a till this run did not try.
    """
    merged = {ou: list(ids) for ou, ids in profile.sender_ids.items()}
    added = 0
    for ou, ids in working.items():
        saved = merged.setdefault(ou, [])
        known = {s.upper() for s in saved}
        for sender_id in ids:
            if sender_id.upper() not in known:
                saved.append(sender_id)
                known.add(sender_id.upper())
                added += 1
    merged = {ou: ids for ou, ids in merged.items() if ids}
    return profile.model_copy(update={"sender_ids": merged}), added


def save_working(
    store: ProfileStore, profile: Profile, working: Mapping[str, Sequence[str]]
) -> tuple[Profile, int, bool]:
    """Add the working IDs to the profile on disk: (profile, how many new, written to disk).

    A profile that is not in profiles.toml (sandbox, environment variables), or another one of
    the same name for another host, is only updated in memory. Blocking: call from a worker.
    """
    on_disk = store.load().profiles.get(profile.name)
    if on_disk is None or on_disk.host != profile.host:
        updated, added = merge_working(profile, working)
        return updated, added, False
    updated, added = merge_working(on_disk, working)  # on top of the file's latest content
    if added:
        store.save(updated)
    return updated, added, True
