"""``comms-tui history``: the sends journaled on this machine, newest first."""

from __future__ import annotations

import argparse
import json
import sys

from comms_tui.core.session import pending_deadline_seconds
from comms_tui.store.errors import StoreError
from comms_tui.store.history import OUTCOMES, Journal, JournalEntry
from comms_tui.store.secrets import insecure_file_warning

_COLUMNS = ("ID", "TIME", "PROFILE", "CHANNEL", "RECIPIENTS", "OUTCOME", "HTTP", "REQUEST ID")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history", help="list the sends made from this machine (newest first)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument("--limit", type=_positive, default=50, metavar="N", help="default 50")
    parser.add_argument("--channel", choices=("sms", "email", "whatsapp", "zalo"))
    parser.add_argument("--recipient", metavar="R", help="only sends to this recipient")
    parser.add_argument("--outcome", choices=OUTCOMES)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    warning = insecure_file_warning()
    if warning:
        print(warning, file=sys.stderr)
    try:
        journal = Journal(stale_after_seconds=pending_deadline_seconds())
        entries = journal.list(
            args.limit, channel=args.channel, recipient=args.recipient, outcome=args.outcome
        )
    except StoreError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([e.to_json() for e in entries], indent=2, ensure_ascii=False))
    elif not entries:
        print("No sends recorded yet." if not _filtered(args) else "No sends match.")
    else:
        print(format_table(entries))
    return 0


def _filtered(args: argparse.Namespace) -> bool:
    return bool(args.channel or args.recipient or args.outcome)


def _row(entry: JournalEntry) -> tuple[str, ...]:
    recipients = entry.recipients[0] if entry.recipients else "-"
    if len(entry.recipients) > 1:
        recipients += f" +{len(entry.recipients) - 1}"
    return (
        str(entry.id),
        entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
        entry.profile,
        entry.channel,
        recipients,
        entry.outcome,
        str(entry.http_status) if entry.http_status is not None else "-",
        entry.request_id or "-",
    )


def format_table(entries: list[JournalEntry]) -> str:
    rows = [_COLUMNS, *(_row(e) for e in entries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
