"""``comms-tui send CHANNEL …``: one request, one item per recipient, exit code by outcome."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any
from zoneinfo import ZoneInfo

from comms_tui.api.errors import CommsError, InvalidInput
from comms_tui.api.models import Channel, ValidationContext
from comms_tui.api.requests import SendRequest, build_request
from comms_tui.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_target_flags,
    confirm,
    error,
    open_session,
    print_result,
    report_invalid,
    warn,
)
from comms_tui.session import Session

# More segments than this is probably a mistake (and costs money): ask first.
MAX_SEGMENTS_WITHOUT_ASKING = 4


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
        p.add_argument("--at", metavar="ISO", help="schedule: ISO 8601, +15m, 'tomorrow 09:00'…")
        add_target_flags(p)
        p.add_argument(
            "--dry-run",
            action="store_true",
            help="print the request (secrets masked); send nothing",
        )
        p.add_argument("--yes", "-y", action="store_true", help="don't ask for confirmation")
        p.set_defaults(func=run)


def _recipients(parser: argparse.ArgumentParser, metavar: str = "N") -> None:
    parser.add_argument(
        "--to",
        action="append",
        required=True,
        metavar=metavar,
        help="recipient (repeatable: one item each)",
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
    else:
        fields["template"] = _text(args.template)
    return fields


def build(args: argparse.Namespace, session: Session) -> SendRequest:
    """The request the flags describe, validated with the profile's region and time zone."""
    from comms_tui.api.attachments import AttachmentBudget, load_attachment

    channel = Channel.parse(args.channel)
    profile = session.profile
    context = ValidationContext(
        region=profile.region if profile else None,
        tz=ZoneInfo(profile.timezone) if profile else ZoneInfo("UTC"),
    )
    fields = _fields(args, channel)
    if channel is Channel.EMAIL and args.attach:
        budget, used, attachments = AttachmentBudget(), 0, []
        for path in args.attach:
            attachment = load_attachment(path, budget=budget, used_bytes=used)
            used += attachment.raw_size
            attachments.append(attachment)
        fields["attachments"] = tuple(attachments)
    recipients = [r for value in args.to for r in _split(value)]
    envelope = session.target.envelope
    return build_request(channel, recipients, fields, context=context, envelope=envelope)


def _split(value: str) -> list[str]:
    from comms_tui.api.phones import split_recipients

    return split_recipients(value)


def _checks(request: SendRequest, session: Session, args: argparse.Namespace) -> int | None:
    """Warnings and confirmations before sending; an exit code when we must stop."""
    from comms_tui.api.schedule import is_past
    from comms_tui.api.sms import measure_sms, sender_warning

    first = request.items[0]
    when = first.scheduled_time
    if when is not None and is_past(when):
        warn(f"the scheduled time {when.isoformat()} is in the past: it will go out at once")
    if request.channel is Channel.SMS:
        from comms_tui.api.models import SmsMessage
        from comms_tui.api.phones import normalise_phone

        assert isinstance(first, SmsMessage)
        if first.sender:
            for item in request.items:
                region = normalise_phone(item.recipient).region
                if text := sender_warning(first.sender, region):
                    warn(text)
                    break
        segments = measure_sms(first.body).segments
        if segments > MAX_SEGMENTS_WITHOUT_ASKING:
            answer = confirm(f"This SMS is {segments} segments long. Send it?", assume_yes=args.yes)
            if answer is None:
                error(f"the SMS is {segments} segments long; pass --yes to send it anyway")
                return EXIT_USAGE
            if not answer:
                return EXIT_USAGE
    if len(request.items) > 1 and not session.is_sandbox:
        answer = confirm(
            f"Send {request.channel.label} to {len(request.items)} recipients "
            f"with profile {session.name}?",
            assume_yes=args.yes,
        )
        if answer is None:
            error(f"{len(request.items)} recipients: pass --yes to confirm when not on a terminal")
            return EXIT_USAGE
        if not answer:
            return EXIT_USAGE
    return None


def run(args: argparse.Namespace) -> int:
    session = open_session(args)
    if session is None:
        return EXIT_USAGE
    try:
        return asyncio.run(_run(args, session))
    finally:
        session.close()


async def _run(args: argparse.Namespace, session: Session) -> int:
    from comms_tui.api.client import CommsClient
    from comms_tui.sending import Sender
    from comms_tui.store.history import Journal

    try:
        request = build(args, session)
    except InvalidInput as exc:
        report_invalid(exc)
        return EXIT_USAGE
    async with CommsClient(session.target) as client:
        if args.dry_run:
            rendered = client.render(request)
            if args.json:
                import json

                print(json.dumps(rendered.to_json(), ensure_ascii=False))
            else:
                print(rendered.to_text())
            return EXIT_OK
        stop = _checks(request, session, args)
        if stop is not None:
            return stop
        try:
            journal = Journal()
        except CommsError as exc:
            error(exc.message)
            return EXIT_USAGE
        sender = Sender(client, journal, profile=session.name)
        earlier = sender.duplicates(request)
        if earlier and not args.yes:
            from comms_tui.store.duplicates import describe_duplicates

            error(f"{describe_duplicates(earlier)}\nNothing was sent. Pass --yes to send it again.")
            return EXIT_USAGE
        sent = await sender.send(request)
    print_result(sent.result, history_id=sent.history_id, as_json=args.json)
    return sent.result.exit_code
