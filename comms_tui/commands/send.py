"""``comms-tui send CHANNEL …``: one request, one item per recipient, exit code by outcome."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from comms_tui.api.channels import Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.commands.common import (
    EXIT_OK,
    Stop,
    add_target_flags,
    confirm,
    invalid_lines,
    open_session,
    print_result,
    recipients_of,
    secret_flag,
    warn,
)
from comms_tui.commands.output import Interrupted, error, note, print_json, say

if TYPE_CHECKING:
    from comms_tui.api.outcomes import RetryWait
    from comms_tui.api.requests import SendRequest
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
    email.add_argument(
        "--from", dest="from_", metavar="ADDR", help="sender address (default: the profile's)"
    )
    email.add_argument("--subject", required=True)
    email.add_argument("--body", help="HTML or text body ('-' reads stdin); without one, a warning")
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
        shown = p.add_mutually_exclusive_group()
        shown.add_argument(
            "--dry-run",
            action="store_true",
            help="print the request (secrets masked, attachments summarised); send nothing",
        )
        shown.add_argument(
            "--curl",
            action="store_true",
            help="print a shell command that sends exactly this request; send nothing",
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


def _fields(args: argparse.Namespace, channel: Channel, session: Session) -> dict[str, Any]:
    fields: dict[str, Any] = {"scheduledTime": args.at}
    if channel is Channel.SMS:
        fields.update(body=_text(args.body), sender=args.sender)
    elif channel is Channel.EMAIL:
        sender = args.from_ or (session.profile.email_from if session.profile else None)
        if not sender:
            how = (
                f"or give profile {session.name} one (`comms-tui profile add {session.name} "
                "--email-from ADDR --replace …`)"
                if session.profile is not None
                else "or send with a profile that has one (--email-from)"
            )
            raise InvalidInput(f"no From address: pass --from ADDR, {how}", field="from")
        fields.update(
            {
                "from": sender,
                "subject": args.subject,
                "body": _text(args.body) if args.body is not None else "",
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


def _reads_stdin(args: argparse.Namespace) -> bool:
    return "-" in (getattr(args, "body", None), getattr(args, "template", None))


class _Progress:
    """How far a run got, for what ``--json`` says when it is interrupted."""

    sending = False


def run(args: argparse.Namespace) -> int:
    flag = secret_flag(args)
    if flag is not None and _reads_stdin(args):
        raise Stop(f"{flag} and a text of '-' both read standard input: give the text itself")
    from comms_tui.api.transport import run_blocking
    from comms_tui.core.sender import SendInterrupted

    session = open_session(args, sending=not (args.dry_run or args.curl))
    # One send, then the process ends: blocking I/O, no event loop (a third of the time a
    # one-shot send takes on top of the request itself). The core's rules are the same code.
    session.blocking = True
    progress = _Progress()
    try:
        return run_blocking(_run(args, session, progress))
    except SendInterrupted as stopped:  # mid-send: journaled already, shown as any send is
        interrupted = Interrupted(
            sent_maybe=stopped.may_have_arrived, history_id=stopped.sent.history_id
        )
        error(interrupted.message)
        print_result(stopped.sent, as_json=args.json, zone=session.zone)
        return interrupted.exit_code
    except KeyboardInterrupt:
        raise Interrupted(sent_maybe=progress.sending) from None
    finally:
        session.close()


async def _run(args: argparse.Namespace, session: Session, progress: _Progress) -> int:
    from comms_tui.api.schedule import describe_schedule, is_past
    from comms_tui.core.flow import send_request
    from comms_tui.store.errors import StoreError

    channel = Channel.parse(args.channel)
    try:
        try:
            request = session.build_request(
                channel, recipients_of(args.to), _fields(args, channel, session)
            )
        except InvalidInput as exc:
            raise Stop(*invalid_lines(exc)) from None
        when = request.items[0].scheduled_time
        # The zone a time without one was read in (a past one is warned of: it goes at once).
        if when is not None and not args.json and not is_past(when):
            note(f"scheduled for {describe_schedule(when, session.zone)}")
        if args.dry_run or args.curl:
            from comms_tui.core.preflight import request_notes

            request, shown = request_notes(request)
            for text in shown:
                warn(text)
            (_print_curl if args.curl else _print_dry_run)(session, request, as_json=args.json)
            return EXIT_OK

        async def confirmed(question: Any) -> bool:
            return confirm(question, assume_yes=args.yes)

        def notes(texts: Sequence[str]) -> None:
            for text in texts:
                warn(text)

        def sending() -> None:
            progress.sending = True

        def waiting(wait: RetryWait) -> None:  # seconds of silence otherwise
            note(wait.message)

        try:
            sent = await send_request(
                session,
                request,
                ask=confirmed,
                show_notes=notes,
                sending=sending,
                waiting=waiting,
            )
        except StoreError as exc:
            raise Stop(exc.message, "Nothing was sent.") from None
    finally:
        await session.aclose()
    if sent is None:
        raise Stop("nothing was sent")
    print_result(sent, as_json=args.json, zone=session.zone)
    return sent.result.exit_code


def _print_dry_run(session: Session, request: SendRequest, *, as_json: bool) -> None:
    rendered = session.client.render(request)
    if as_json:
        print_json(rendered.to_json())
    else:
        say(rendered.to_text())


def _print_curl(session: Session, request: SendRequest, *, as_json: bool) -> None:
    """The replay command on stdout; a large body goes to a 0600 file in the data dir."""
    from comms_tui.api.curl import replay_command
    from comms_tui.core.text import visible
    from comms_tui.store.paths import data_dir

    try:
        replay = replay_command(request, session.target, body_dir=data_dir())
    except OSError as exc:
        raise Stop(f"cannot write the request body to a file: {exc}") from None
    if session.sandbox is not None:
        from comms_tui.core.session import SANDBOX_URL_ENV

        warn(
            "this command's sandbox stops when it ends, so the command printed cannot reach "
            "it: start one with `comms-tui sandbox` and set "
            f"{SANDBOX_URL_ENV}=http://127.0.0.1:8765 before asking for --curl"
        )
    if as_json:
        print_json(
            {
                "command": replay.script,
                "body_file": None if replay.body_file is None else str(replay.body_file),
                "body_size": replay.body_size,
                "env": list(replay.env),
            }
        )
    elif sys.stdout.isatty() and visible(replay.script) != replay.script:
        say(replay.script.rstrip("\n"))  # a terminal would obey the text's control characters
        warn(
            "the text holds control characters, shown above as stand-ins (␛…): redirect the "
            "command to a file to keep them as they are"
        )
    else:
        print(replay.script, end="")
    if replay.body_file is not None:
        note(
            f"the body ({replay.body_size:,} bytes) is in {replay.body_file} (readable by you "
            "only): the command reads it from there; delete it when done"
        )
    note(
        "nothing was sent; running the command sends it, with the credentials in the "
        f"environment ({', '.join(replay.env)})"
    )
