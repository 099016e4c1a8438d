"""``comms-tui send CHANNEL …``: one request, one item per recipient, exit code by outcome."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any

from comms_tui.api.channels import Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_target_flags,
    ask,
    error,
    open_session,
    print_result,
    recipients_of,
    report_invalid,
    warn,
)
from comms_tui.core.session import Session


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "send", help="send a message without the TUI", description="Send one request."
    )
    channels = parser.add_subparsers(dest="channel", metavar="CHANNEL", required=True)

    sms = channels.add_parser("sms", help="send an SMS")
    _recipients(sms)
    sms.add_argument("--body", required=True, help="message text ('-' reads standard input)")
    sms.add_argument("--sender", help="sender ID (default: the OU's default)")

    for name in ("whatsapp", "zalo"):
        p = channels.add_parser(name, help=f"send a {Channel(name).label} message")
        _recipients(p)
        p.add_argument("--template", required=True, help="message text ('-' reads stdin)")

    email = channels.add_parser("email", help="send an email")
    _recipients(email, metavar="ADDR")
    email.add_argument("--from", dest="from_", required=True, metavar="ADDR")
    email.add_argument("--subject", required=True)
    email.add_argument("--body", required=True, help="HTML or text body ('-' reads stdin)")
    email.add_argument("--cc", action="append", default=[], metavar="ADDR")
    email.add_argument("--bcc", action="append", default=[], metavar="ADDR")
    email.add_argument(
        "--attach", action="append", default=[], metavar="PATH", help="attach a file (repeatable)"
    )

    for p in (sms, email, *(channels.choices[n] for n in ("whatsapp", "zalo"))):
        p.add_argument(
            "--at",
            metavar="WHEN",
            help="schedule: ISO 8601, +15m, 'tomorrow 09:00'… (no zone: the profile's, else local)",
        )
        add_target_flags(p)
        p.add_argument(
            "--dry-run",
            action="store_true",
            help="print the request (secrets masked); send nothing",
        )
        p.set_defaults(func=run)


def _recipients(parser: argparse.ArgumentParser, metavar: str = "N") -> None:
    parser.add_argument(
        "--to",
        action="append",
        required=True,
        metavar=metavar,
        help="recipient (repeatable, or several separated by commas: one item each)",
    )


def _text(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def _fields(args: argparse.Namespace, channel: Channel) -> dict[str, Any]:
    fields: dict[str, Any] = {"scheduledTime": args.at}
    if channel is Channel.SMS:
        fields.update(body=_text(args.body), sender=args.sender)
    elif channel is Channel.EMAIL:
        fields.update(
            {
                "from": args.from_,
                "subject": args.subject,
                "body": _text(args.body),
                "cc": ", ".join(args.cc) or None,
                "bcc": ", ".join(args.bcc) or None,
            }
        )
        if args.attach:
            fields["attachments"] = _attachments(args.attach)
    else:
        fields["template"] = _text(args.template)
    return fields


def _attachments(paths: Sequence[str]) -> tuple[Any, ...]:
    from comms_tui.api.attachments import AttachmentBudget, load_attachment

    budget, used, attachments = AttachmentBudget(), 0, []
    for path in paths:
        attachment = load_attachment(path, budget=budget, used_bytes=used)
        used += attachment.raw_size
        attachments.append(attachment)
    return tuple(attachments)


def run(args: argparse.Namespace) -> int:
    session = open_session(args)
    if session is None:
        return EXIT_USAGE
    try:
        return asyncio.run(_run(args, session))
    finally:
        session.close()


async def _run(args: argparse.Namespace, session: Session) -> int:
    from comms_tui.api.schedule import describe_schedule
    from comms_tui.core.flow import send_request
    from comms_tui.store.errors import StoreError

    channel = Channel.parse(args.channel)
    try:
        request = session.build_request(channel, recipients_of(args.to), _fields(args, channel))
    except InvalidInput as exc:
        report_invalid(exc)
        return EXIT_USAGE
    try:
        when = request.items[0].scheduled_time
        if when is not None and not args.json:  # the zone a time without one was read in
            print(f"scheduled for {describe_schedule(when, session.zone)}", file=sys.stderr)
        if args.dry_run:
            _print_dry_run(session, request, as_json=args.json)
            return EXIT_OK

        async def confirmed(question: Any) -> bool:
            return ask(question, assume_yes=args.yes)

        def notes(texts: Sequence[str]) -> None:
            for text in texts:
                warn(text)

        try:
            sent = await send_request(session, request, ask=confirmed, show_notes=notes)
        except StoreError as exc:
            error(f"{exc.message}\nNothing was sent.")
            return EXIT_USAGE
    finally:
        await session.aclose()
    if sent is None:
        return EXIT_USAGE
    print_result(sent, as_json=args.json)
    return sent.result.exit_code


def _print_dry_run(session: Session, request: Any, *, as_json: bool) -> None:
    rendered = session.client.render(request)
    if as_json:
        import json

        print(json.dumps(rendered.to_json(), ensure_ascii=False))
    else:
        print(rendered.to_text())
