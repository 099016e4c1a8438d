"""The duplicate guard: is this the same message, to the same person, that already went out?

"The same" is what the recipient would see, not the bytes typed: a fingerprint is taken of the
normalised message (Unicode NFC, line endings, surrounding white space), the address a mail
server would deliver to (case-insensitive), and the sender ID that will really be used (none
means the OU's default). Sandbox sends only ever match sandbox sends, real ones only real ones
— across profiles and hosts, since it is the same person's phone.

An earlier send counts unless its items for these recipients all failed: those sent nothing.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from comms_tui.api.models import EmailMessage, Message, SmsMessage

if TYPE_CHECKING:
    from comms_tui.api.requests import SendRequest
    from comms_tui.core.session import Session
    from comms_tui.store.history import DuplicateGuard, JournalEntry

WINDOW_SECONDS = 600  # an identical send within 10 minutes is held (unknown ones for 24 h)


def visible_text(text: str) -> str:
    """Text as a person reads it: NFC, LF line ends, no trailing blanks on lines or at the ends."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def recipient_key(recipient: str) -> str:
    """``Ana@Example.COM`` and ``ana@example.com`` reach one mailbox; phones are digits already."""
    return recipient.strip().lower()


def content_key(item: Message, default_sender: str | None) -> str:
    if isinstance(item, SmsMessage):
        sender = (item.sender or default_sender or "").upper()
        return f"{sender}\x1f{visible_text(item.body)}"
    if isinstance(item, EmailMessage):
        files = ",".join(a.sha256 for a in item.attachments)
        return f"{visible_text(item.subject)}\x1f{visible_text(item.body)}\x1f{files}"
    return visible_text(item.template)


def fingerprints(request: SendRequest, session: Session) -> list[str]:
    """One per item: where it goes (sandbox or real), channel, recipient and content."""
    scope = "sandbox" if session.is_sandbox else "real"
    default_sender = session.default_sender()
    return [
        hashlib.sha256(
            "\x1e".join(
                (
                    scope,
                    request.channel.value,
                    recipient_key(item.recipient),
                    content_key(item, default_sender),
                )
            ).encode("utf-8", "surrogatepass")
        ).hexdigest()
        for item in request.items
    ]


def may_have_reached(entry: JournalEntry, recipients: list[str]) -> bool:
    """Whether an earlier send may have reached one of ``recipients``: not if every item it
    had for them failed (a pending, unknown or unmatched entry may have)."""
    wanted = {recipient_key(r) for r in recipients}
    items = [i for i in entry.items if recipient_key(str(i.get("recipient", ""))) in wanted]
    return not items or any(item.get("ok") is not False for item in items)


def duplicate_guard(
    request: SendRequest, session: Session, acknowledged: frozenset[int] = frozenset()
) -> DuplicateGuard:
    from comms_tui.store.history import DuplicateGuard

    recipients = request.recipients
    return DuplicateGuard(
        fingerprints=fingerprints(request, session),
        acknowledged=acknowledged,
        counts=lambda entry: may_have_reached(entry, recipients),
        window_seconds=WINDOW_SECONDS,
    )


def earlier_sends(request: SendRequest, session: Session) -> list[JournalEntry]:
    """The journal's earlier sends this one would duplicate (blocking: SQLite)."""
    guard = duplicate_guard(request, session)
    journal = session.open_journal()
    found = journal.find_duplicates(guard.fingerprints, window_seconds=guard.window_seconds)
    return [entry for entry in found if guard.counts(entry)]


# -- wording ------------------------------------------------------------------------------------


def _ago(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    return f"{round(seconds / 3600)} h ago"


def where_it_went(entry: JournalEntry) -> str:
    return "on the sandbox" if entry.sandbox else f"via {entry.profile} ({entry.host})"


def describe_entry(entry: JournalEntry, now: datetime | None = None) -> str:
    """``#17, 3 min ago, sms to 919591471711 (+1 more) via acme (https://…), accepted,
    request id abc``."""
    now = now or datetime.now(timezone.utc)
    to = entry.recipients[0] if entry.recipients else "?"
    if len(entry.recipients) > 1:
        to += f" (+{len(entry.recipients) - 1} more)"
    text = (
        f"#{entry.id}, {_ago(entry.created_at, now)}, {entry.channel} to {to} "
        f"{where_it_went(entry)}, {entry.outcome}"
    )
    if entry.request_id:
        text += f", request id {entry.request_id}"
    return text


def describe_duplicates(entries: list[JournalEntry], now: datetime | None = None) -> str:
    """Why the user is asked to confirm, naming the earlier send(s)."""
    if not entries:
        return ""
    unknown = any(e.outcome in ("unknown", "pending") for e in entries)
    lead = (
        "The same message to the same recipient may already have gone out from this machine"
        if unknown
        else "The same message was already sent to the same recipient from this machine"
    )
    lines = [f"{lead}:"] + [f"  {describe_entry(e, now)}" for e in entries[:5]]
    if len(entries) > 5:
        lines.append(f"  … and {len(entries) - 5} more (see `comms-tui history`)")
    return "\n".join(lines)
