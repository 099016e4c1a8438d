"""Every rule checked between "the request is valid" and "it leaves", as data.

``check`` returns the request to send (the same recipient given twice is sent once), notes to
show (a schedule in the past, a sender ID carriers refuse…), and the questions to ask, in order:
several recipients or a production profile, a schedule long past, a long SMS, a duplicate of an
earlier send. A front-end decides only how to ask (a modal, a ``[y/N]`` prompt, ``--yes``); any
"no" sends nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from comms_tui.api.channels import Channel
from comms_tui.api.models import (
    EmailMessage,
    Message,
    SmsMessage,
    WhatsAppMessage,
    ZaloMessage,
)

if TYPE_CHECKING:
    from comms_tui.api.requests import SendRequest
    from comms_tui.core.session import Session
    from comms_tui.store.history import JournalEntry

MAX_SEGMENTS_UNASKED = 4  # a longer SMS is billed per segment: ask first
# A schedule further in the past is more likely a typo (2025 for 2026, 11 for 12) than meant: it
# still goes out at once (§3), once the user says so. A recent one ("18:30" typed at 18:45) is
# only noted.
PAST_UNASKED = timedelta(days=1)


@dataclass(frozen=True)
class Question:
    """A yes/no question to put before sending. Any "no" means nothing is sent."""

    kind: str  # "send" (several recipients, production, resend) · "old_schedule" · "long_sms"
    # · "duplicate" · "lab"
    title: str
    text: str
    confirm: str  # what the "yes" button says: "Send 2", "Send again"
    refusal: str  # why a run that cannot ask stops (no terminal, no --yes)
    loud: bool = False  # real people or money at stake: make it stand out
    default_yes: bool = True
    recipients: tuple[str, ...] = ()  # recipients the text names (a front-end may mask them)
    earlier: tuple[JournalEntry, ...] = ()  # for a duplicate: the earlier sends


@dataclass(frozen=True)
class Preflight:
    request: SendRequest
    notes: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()

    @property
    def acknowledged(self) -> frozenset[int]:
        """The earlier sends the user is asked about: answered yes, they no longer hold it."""
        return frozenset(e.id for q in self.questions for e in q.earlier)


def check(
    request: SendRequest, session: Session, *, resend: bool = False, now: datetime | None = None
) -> Preflight:
    """What to note and ask before ``request`` leaves. Blocking: it reads the journal."""
    request, notes = request_notes(request, now)
    questions = [
        q
        for q in (
            confirmation(request, session, resend=resend),
            old_schedule(request, now),
            long_sms(request),
            duplicate(request, session, now=now),
        )
        if q is not None
    ]
    return Preflight(request, tuple(notes), tuple(questions))


def request_notes(
    request: SendRequest, now: datetime | None = None
) -> tuple[SendRequest, list[str]]:
    """The request as it will leave (each recipient once) and the notes about it alone — no
    journal, no session: what a run that only shows the request (``--dry-run``, ``--curl``) says
    too."""
    request, notes = merge_repeated(request)
    notes += schedule_notes(request, now) + sender_notes(request) + body_notes(request)
    notes += copies_notes(request) + control_notes(request)
    return request, notes


def merge_repeated(request: SendRequest) -> tuple[SendRequest, list[str]]:
    """The request with each recipient once (after normalising): one phone, one message."""
    from collections import Counter

    from comms_tui.core.guard import recipient_key

    first: dict[str, Message] = {}
    for item in request.items:
        first.setdefault(recipient_key(item.recipient), item)
    if len(first) == len(request.items):
        return request, []
    counts = Counter(recipient_key(item.recipient) for item in request.items)
    repeated = [key for key, n in counts.items() if n > 1]
    more = f" and {len(repeated) - 3} more" if len(repeated) > 3 else ""
    names = ", ".join(repeated[:3]) + more
    verb = "was" if len(repeated) == 1 else "were"
    note = f"{names} {verb} given more than once: one message each"
    return replace(request, items=tuple(first.values())), [note]


# Past by less than this, a schedule is "now" as typed (+0m, the current minute): no note.
PAST_UNSAID = timedelta(minutes=1)


def schedule_notes(request: SendRequest, now: datetime | None = None) -> list[str]:
    from comms_tui.api.schedule import past_by, to_wire

    when = request.items[0].scheduled_time
    if when is None or past_by(when, now) < PAST_UNSAID or _long_past(when, now):
        return []
    return [f"the scheduled time {to_wire(when)} is in the past: it will go out at once"]


def old_schedule(request: SendRequest, now: datetime | None = None) -> Question | None:
    """A schedule more than ``PAST_UNASKED`` ago: sent at once, if the user says so."""
    from comms_tui.api.schedule import to_wire

    when = request.items[0].scheduled_time
    if when is None or not (ago := _long_past(when, now)):
        return None
    shown = to_wire(when)
    return Question(
        kind="old_schedule",
        title="Send it now?",
        text=(
            f"The scheduled time {shown} is {ago} in the past: the API sends it at "
            "once.\nA typo in the date? Cancel and fix Schedule, or send it now."
        ),
        confirm="Send now",
        refusal=(
            f"the scheduled time {shown} is {ago} in the past (a typo?): fix it, or "
            "pass --yes to send it at once"
        ),
        default_yes=False,
    )


def _long_past(when: datetime, now: datetime | None) -> str:
    """How long ago ``when`` was, in days, when that is more than ``PAST_UNASKED``; else ""."""
    from comms_tui.api.schedule import past_by

    ago = past_by(when, now)
    if ago <= PAST_UNASKED:
        return ""
    return "1 day" if ago.days == 1 else f"{ago.days:,} days"


def sender_notes(request: SendRequest) -> list[str]:
    """A letter sender ID going where carriers refuse those."""
    from comms_tui.api.phones import normalise_phone
    from comms_tui.api.sms import sender_warning

    first = request.items[0]
    if not isinstance(first, SmsMessage) or not first.sender:
        return []
    for item in request.items:
        region = normalise_phone(item.recipient).region
        if text := sender_warning(first.sender, region):
            return [text]
    return []


def body_notes(request: SendRequest) -> list[str]:
    """An email without a body is allowed (the reference's own example has none), but rarely
    meant: say so."""
    first = request.items[0]
    if not isinstance(first, EmailMessage) or first.has_body:
        return []
    carries = "the subject and the attachments" if first.attachments else "the subject"
    return [f"the email has no body: it carries only {carries}"]


def copies_notes(request: SendRequest) -> list[str]:
    """An email to several recipients with Cc or Bcc: the API sends one message per recipient,
    each carrying them, so every Cc and Bcc address gets a copy per recipient."""
    first = request.items[0]
    n = len(request.items)
    if n < 2 or not isinstance(first, EmailMessage) or not (first.cc or first.bcc):
        return []
    which = " and ".join(name for name, value in (("Cc", first.cc), ("Bcc", first.bcc)) if value)
    return [f"one message per recipient: each {which} address gets {n} copies"]


# What a message may carry that its reader never meant to send: C0 controls but tab and line
# ends, DEL, C1 controls, and the bidi overrides that make text read backwards
# (``invoice<U+202E>fdp.exe`` reads "invoiceexe.pdf").
_SENT_BLIND = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202d\u202e]")


def control_notes(request: SendRequest) -> list[str]:
    """Text that goes out holding control characters or a direction override: sent as it is
    (it may be meant), but said, with the characters shown."""
    from comms_tui.core.text import shortened, visible

    first = request.items[0]
    texts: list[tuple[str, str]] = []
    if isinstance(first, SmsMessage):
        texts = [("the message", first.body)]
    elif isinstance(first, EmailMessage):
        texts = [("the subject", first.subject), ("the body", first.body)]
        texts += [(f"the attachment name “{visible(a.file_name, newlines=False)}”", a.file_name)
                  for a in first.attachments]  # fmt: skip
    elif isinstance(first, WhatsAppMessage | ZaloMessage):
        texts = [("the template", first.template)]
    notes = []
    for where, text in texts:
        found = "".join(dict.fromkeys(_SENT_BLIND.findall(text)))
        if found:
            shown = shortened(" ".join(visible(c) for c in found), 60)
            notes.append(f"{where} contains control characters ({shown}): sent as they are")
    return notes


def sending_with(session: Session) -> str:
    """``the PRODUCTION profile acme``, ``profile acme`` or ``the sandbox``."""
    if session.production:
        return f"the PRODUCTION profile {session.name}"
    return "the sandbox" if session.is_sandbox else f"profile {session.name}"


def confirmation(
    request: SendRequest, session: Session, *, resend: bool = False
) -> Question | None:
    """Ask first: a production profile, several real recipients, or resending failed items.

    The sandbox does not ask about several recipients: nobody receives what it is sent.
    """
    n = len(request.items)
    several = n > 1 and not session.is_sandbox
    if not (session.production or several or resend):
        return None
    verb = "Resend failed items:" if resend else "Send"
    plural = "s" if n > 1 else ""
    title = "Send to production?" if session.production else "Send to several recipients?"
    if resend:
        title = "Resend to production?" if session.production else "Resend the failed items?"
    if session.production:
        refusal = f"profile {session.name} is marked production: pass --yes to send"
    else:
        refusal = f"{n} recipients: pass --yes to confirm when not on a terminal"
    return Question(
        kind="send",
        title=title,
        text=(
            f"{verb} {request.channel.label} to {n} recipient{plural} with {sending_with(session)}?"
            + ("\nEach recipient gets their own message." if n > 1 else "")
        ),
        confirm=f"{'Resend' if resend else 'Send'} {n}",
        refusal=refusal,
        loud=session.production,
    )


def long_sms_segments(request: SendRequest) -> int:
    """Segments of the request's longest SMS when over the limit, else 0."""
    from comms_tui.api.sms import measure_sms

    if request.channel is not Channel.SMS:
        return 0
    bodies = {item.body for item in request.items if isinstance(item, SmsMessage)}
    longest = max((measure_sms(body).segments for body in bodies), default=0)
    return longest if longest > MAX_SEGMENTS_UNASKED else 0


def long_sms(request: SendRequest) -> Question | None:
    segments = long_sms_segments(request)
    if not segments:
        return None
    n = len(request.items)
    total = f" ({segments * n} in all)" if n > 1 else ""
    return Question(
        kind="long_sms",
        title="Send a long SMS?",
        text=(
            f"This SMS is {segments} segments long: each recipient is billed for {segments} "
            f"messages{total}.\nCarriers may also split or drop very long texts."
        ),
        confirm=f"Send {segments} segments",
        refusal=f"the SMS is {segments} segments long; pass --yes to send it anyway",
    )


def duplicate(
    request: SendRequest, session: Session, *, now: datetime | None = None
) -> Question | None:
    from comms_tui.core.guard import earlier_sends

    earlier = earlier_sends(request, session)
    if not earlier:
        return None
    return duplicate_question(earlier, request.recipients, now=now)


def duplicate_question(
    earlier: Sequence[JournalEntry], recipients: Sequence[str], *, now: datetime | None = None
) -> Question:
    """The question for earlier sends found before sending, or by the journal's last look."""
    from comms_tui.core.guard import describe_duplicates

    described = describe_duplicates(list(earlier), now)
    return Question(
        kind="duplicate",
        title="This looks like a duplicate",
        text=described + "\n\nSend it again anyway?",
        confirm="Send again",
        refusal=described + "\nNothing was sent. Pass --yes to send it again.",
        loud=True,
        default_yes=False,
        recipients=(*recipients, *(r for e in earlier for r in e.recipients)),
        earlier=tuple(earlier),
    )
