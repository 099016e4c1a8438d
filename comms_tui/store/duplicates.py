"""Wording for the duplicate guard, shared by the CLI (exit 2 unless --yes) and the TUI modal."""

from __future__ import annotations

from datetime import datetime, timezone

from comms_tui.store.history import JournalEntry


def _ago(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    return f"{round(seconds / 3600)} h ago"


def describe_entry(entry: JournalEntry, now: datetime | None = None) -> str:
    """``#17, 3 min ago, sms to 919591471711 (+1 more), accepted, request id abc``."""
    now = now or datetime.now(timezone.utc)
    to = entry.recipients[0] if entry.recipients else "?"
    if len(entry.recipients) > 1:
        to += f" (+{len(entry.recipients) - 1} more)"
    text = f"#{entry.id}, {_ago(entry.created_at, now)}, {entry.channel} to {to}, {entry.outcome}"
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
