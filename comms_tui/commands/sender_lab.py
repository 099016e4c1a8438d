"""``comms-tui sender-lab``: one test SMS per sender ID per attribution, printed as a matrix."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any
from zoneinfo import ZoneInfo

from comms_tui.api.errors import InvalidInput
from comms_tui.api.models import ValidationContext
from comms_tui.api.target import Attribution
from comms_tui.commands.common import (
    EXIT_USAGE,
    add_target_flags,
    confirm,
    error,
    open_session,
    report_invalid,
)
from comms_tui.session import Session


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "sender-lab",
        help="test which sender IDs work for which OU",
        description="Send one test SMS per sender ID per attribution and print the matrix.",
    )
    parser.add_argument("--to", action="append", required=True, metavar="N", help="test phone")
    parser.add_argument(
        "--sender", action="append", required=True, metavar="ID", help="sender ID to try"
    )
    parser.add_argument(
        "--attribution",
        action="append",
        default=[],
        metavar="TYPE:CODE",
        help="till/store to send as (repeatable; default: the profile's own)",
    )
    parser.add_argument("--body", help="test text; {sender} and {attribution} are filled in")
    parser.add_argument("--csv", action="store_true", help="print the matrix as CSV")
    parser.add_argument("--yes", "-y", action="store_true", help="don't ask for confirmation")
    add_target_flags(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        attributions = [Attribution.parse(a) for a in args.attribution]
    except InvalidInput as exc:
        report_invalid(exc)
        return EXIT_USAGE
    session = open_session(args)
    if session is None:
        return EXIT_USAGE
    try:
        return asyncio.run(_run(args, session, attributions))
    finally:
        session.close()


async def _run(args: argparse.Namespace, session: Session, attributions: list[Attribution]) -> int:
    from comms_tui.api.client import CommsClient
    from comms_tui.lab import DEFAULT_LAB_BODY, SenderIdLab
    from comms_tui.sending import Sender
    from comms_tui.store.history import Journal

    profile = session.profile
    context = ValidationContext(
        region=profile.region if profile else None,
        tz=ZoneInfo(profile.timezone) if profile else ZoneInfo("UTC"),
    )
    chosen: list[Attribution | None] = [*attributions] or [session.target.attribution]
    count = len(args.sender) * len(args.to) * len(chosen)
    if count > 1 and not session.is_sandbox:
        answer = confirm(f"Send {count} test SMS with profile {session.name}?", assume_yes=args.yes)
        if not answer:
            if answer is None:
                error(f"{count} test messages: pass --yes to confirm when not on a terminal")
            return EXIT_USAGE
    async with CommsClient(session.target) as client:
        lab = SenderIdLab(Sender(client, Journal(), profile=session.name), context=context)
        try:
            matrix = await lab.run(args.to, args.sender, chosen, body=args.body or DEFAULT_LAB_BODY)
        except InvalidInput as exc:
            report_invalid(exc)
            return EXIT_USAGE
    if args.json:
        print(json.dumps(matrix.to_json(), ensure_ascii=False))
    elif args.csv:
        print(matrix.to_csv(), end="")
    else:
        _print_matrix(matrix)
    return matrix.exit_code


def _print_matrix(matrix: Any) -> None:
    width = max(len(s) for s in matrix.senders) + 2
    for attribution in matrix.attributions:
        print(f"{attribution}:")
        for sender in matrix.senders:
            cell = matrix.cell(sender, attribution)
            if cell is None:
                continue
            mark = "✓" if cell.ok else ("?" if cell.ok is None else "✗")
            extra = f"  {cell.latency_ms:.0f} ms" if cell.latency_ms is not None else ""
            rid = f"  request id {cell.request_id}" if cell.request_id else ""
            print(f"  {mark} {sender:<{width}}{cell.summary}{extra}{rid}")
