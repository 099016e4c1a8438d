"""``comms-tui history``: the sends journaled on this machine, newest first."""

from __future__ import annotations

import argparse
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from comms_tui.commands.arguments import text, whole_number
from comms_tui.commands.output import Stop, note, print_json, say, warn
from comms_tui.core.session import pending_deadline_seconds, zone_of
from comms_tui.store.errors import StoreError
from comms_tui.store.history import OUTCOMES, Journal, JournalEntry
from comms_tui.store.secrets import insecure_file_warning

if TYPE_CHECKING:
    from comms_tui.store.profiles import Profile

_COLUMNS = ("ID", "TIME", "PROFILE", "CHANNEL", "RECIPIENTS", "OUTCOME", "HTTP", "REQUEST ID")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history", help="list the sends made from this machine (newest first)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument(
        "--limit", type=whole_number(1, 1_000_000), default=50, metavar="N", help="default 50"
    )
    parser.add_argument("--channel", choices=("sms", "email", "whatsapp", "zalo"))
    parser.add_argument(
        "--recipient",
        type=text,
        metavar="R",
        help="only sends to recipients containing R (numbers as typed: +91 95914 71711; "
        "addresses in any case), as the TUI's History filter finds them",
    )
    parser.add_argument("--outcome", choices=OUTCOMES)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if warning := insecure_file_warning():
        warn(warning)
    profile = _default_profile()
    try:
        journal = Journal(stale_after_seconds=pending_deadline_seconds())
        entries, more = journal.search(
            recipient=args.recipient or "",
            channel=args.channel,
            outcome=args.outcome,
            limit=args.limit,
            region=profile.region if profile is not None else None,
        )
    except StoreError as exc:
        raise Stop(exc.message) from None
    if args.json:
        print_json([e.to_json() for e in entries], indent=2)
    elif not entries:
        say("No sends recorded yet." if not _filtered(args) else "No sends match.")
    else:
        say(format_table(entries, zone_of(profile)))
        if more:
            note(f"showing the newest {args.limit} that match; --limit N shows more")
    return 0


def _default_profile() -> Profile | None:
    """Its region reads a national number typed here; its zone is the one times are shown in
    (as in the TUI's History)."""
    from comms_tui.store.profiles import ProfileStore

    try:
        return ProfileStore().default()
    except StoreError:
        return None  # the profile file says why when a command needs it; history does not


def _filtered(args: argparse.Namespace) -> bool:
    return bool(args.channel or args.recipient or args.outcome)


def _row(entry: JournalEntry, zone: tzinfo) -> tuple[str, ...]:
    from comms_tui.core.text import visible

    recipients = entry.recipients[0] if entry.recipients else "-"
    if len(entry.recipients) > 1:
        recipients += f" +{len(entry.recipients) - 1}"
    cells = (
        str(entry.id),
        entry.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
        entry.profile,
        entry.channel,
        recipients,
        entry.outcome,
        str(entry.http_status) if entry.http_status is not None else "-",
        entry.request_id or "-",
    )
    # Everything here was read from the journal: a line break or ESC in it is shown, not obeyed.
    return tuple(visible(cell, newlines=False) for cell in cells)


def format_table(entries: list[JournalEntry], zone: tzinfo) -> str:
    """One row per send, times in ``zone``, named in the heading (``TIME (IST)``)."""
    moment = entries[0].created_at.astimezone(zone) if entries else datetime.now(zone)
    heading = f"TIME ({moment.tzname() or moment.strftime('%z')})"
    rows = [
        tuple(heading if c == "TIME" else c for c in _COLUMNS),
        *(_row(e, zone) for e in entries),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
