"""``comms-tui sender-lab``: one test SMS per sender ID per attribution, printed as a matrix."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from comms_tui.api.errors import InvalidInput
from comms_tui.commands.common import (
    Stop,
    add_target_flags,
    confirm,
    invalid_lines,
    open_session,
    recipients_of,
)
from comms_tui.commands.output import Interrupted, print_json, say
from comms_tui.core.session import Session


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
    add_target_flags(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json and args.csv:
        raise Stop("--json and --csv: give one of them")
    session = open_session(args)
    progress = _Progress()
    try:
        return asyncio.run(_run(args, session, progress))
    except KeyboardInterrupt:
        raise Interrupted(sent_maybe=progress.sending) from None
    finally:
        session.close()


class _Progress:
    sending = False


async def _run(args: argparse.Namespace, session: Session, progress: _Progress) -> int:
    from comms_tui.core.lab import DEFAULT_ATTRIBUTION, DEFAULT_LAB_BODY, SenderIdLab, build_plan
    from comms_tui.core.lab import lab_question as question_for
    from comms_tui.store.errors import StoreError

    try:
        try:
            plan = build_plan(
                recipients=recipients_of(args.to),
                senders=args.sender,
                attributions=args.attribution or [DEFAULT_ATTRIBUTION],
                default=session.target.attribution,
                region=session.context.region,
            )
        except InvalidInput as exc:
            raise Stop(*invalid_lines(exc)) from None
        question = question_for(plan, session)
        if question is not None:
            confirm(question, assume_yes=args.yes)
        try:
            lab = SenderIdLab(session.sender(), context=session.context)
        except StoreError as exc:
            raise Stop(exc.message, "Nothing was sent.") from None
        progress.sending = True
        matrix = await lab.run_plan(plan, body=args.body or DEFAULT_LAB_BODY)
    finally:
        await session.aclose()
    if args.json:
        print_json(matrix.to_json())
    elif args.csv:
        print(matrix.to_csv(), end="")
    else:
        _print_matrix(matrix)
    return matrix.exit_code


def _print_matrix(matrix: Any) -> None:
    width = max(len(s) for s in matrix.senders) + 2
    for attribution in matrix.attributions:
        say(f"{attribution}:")
        for sender in matrix.senders:
            cell = matrix.cell(sender, attribution)
            if cell is None:
                continue
            mark = "✓" if cell.ok else ("?" if cell.ok is None else "✗")
            extra = f"  {cell.latency_ms:.0f} ms" if cell.latency_ms is not None else ""
            rid = f"  request id {cell.request_id}" if cell.request_id else ""
            say(f"  {mark} {sender:<{width}}{cell.summary}{extra}{rid}")
