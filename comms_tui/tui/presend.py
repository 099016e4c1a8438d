"""Checks and rebuilds around the send flow: long SMS, and resending only the failed items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:
    from comms_tui.api.requests import SendRequest
    from comms_tui.api.results import SendResult
    from comms_tui.store.history import JournalEntry

MAX_SEGMENTS_UNASKED = 4  # longer SMS are billed per segment: ask first


def long_sms_segments(request: SendRequest) -> int:
    """Segments of the longest SMS in the request when over the limit, else 0."""
    from comms_tui.api.models import Channel, SmsMessage
    from comms_tui.api.sms import measure_sms

    if request.channel is not Channel.SMS:
        return 0
    bodies = {item.body for item in request.items if isinstance(item, SmsMessage)}
    longest = max((measure_sms(body).segments for body in bodies), default=0)
    return longest if longest > MAX_SEGMENTS_UNASKED else 0


def long_sms_text(segments: int, recipients: int) -> Content:
    total = segments * recipients
    return Content.assemble(
        "This SMS is ", (f"{segments} segments", "b"), " long: each recipient is billed for ",
        f"{segments} messages", f" ({total} in all)." if recipients > 1 else ".",
        "\nCarriers may also split or drop very long texts.",
    )  # fmt: skip


def failed_recipients(request: SendRequest, result: SendResult) -> list[str]:
    """The request's recipients whose items failed (not unknown: those may have gone out).

    Items are matched by position when the response lists every item (the server's echo of
    a recipient may be written differently), else by the echoed recipient.
    """
    if len(result.items) == len(request.items):
        pairs = zip(request.recipients, result.items, strict=True)
        return list(dict.fromkeys(r for r, item in pairs if item.ok is False))
    wanted = set(request.recipients)
    return list(dict.fromkeys(i.recipient for i in result.failed_items if i.recipient in wanted))


def reached_before(entries: list[JournalEntry], recipients: list[str]) -> list[JournalEntry]:
    """The duplicate guard's entries that may really have reached one of ``recipients``.

    An entry whose items for these recipients all failed sent them nothing. Entries without
    matching items (pending, unknown, a differently written echo) are kept: they may have.
    """
    wanted = set(recipients)
    kept = []
    for entry in entries:
        items = [item for item in entry.items if item.get("recipient") in wanted]
        if not items or any(item.get("ok") is not False for item in items):
            kept.append(entry)
    return kept
