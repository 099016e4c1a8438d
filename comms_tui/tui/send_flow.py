"""The questions asked before a send leaves: several recipients or production, a long SMS, a
duplicate of an earlier send. Each is a yes/no modal awaited inside the send worker.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from textual.content import Content

from comms_tui.tui.masking import mask_text
from comms_tui.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual.app import App

    from comms_tui.api.requests import SendRequest
    from comms_tui.tui.connection import Connection


async def cleared_to_send(
    app: App[object],
    request: SendRequest,
    connection: Connection,
    *,
    now: datetime,
    masked: bool,
    resend: bool = False,
) -> bool:
    """Ask what needs asking, in order; False as soon as the user says no."""
    return (
        await _confirmed(app, request, connection, resend=resend)
        and await _long_sms_confirmed(app, request)
        and await _not_duplicate(app, request, connection, now=now, masked=masked)
    )


async def ask(app: App[object], screen: ConfirmScreen) -> bool:
    """Show a yes/no modal and wait for the answer."""
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    app.push_screen(screen, lambda ok: answer.set_result(bool(ok)))
    return await answer


async def _confirmed(
    app: App[object], request: SendRequest, connection: Connection, *, resend: bool
) -> bool:
    session = connection.session
    many = len(request.items) > 1
    if not many and not session.production and not resend:
        return True
    where = "PRODUCTION profile " if session.production else "profile "
    n = len(request.items)
    verb = "Resend failed items:" if resend else "Send"
    body = Content.assemble(
        f"{verb} {request.channel.label} to ",
        (f"{n} recipient{'s' if n > 1 else ''}", "b"),
        f" with the {where}",
        (session.name, "b"),
        "?\nEach recipient gets their own message.",
    )
    title = "Send to production?" if session.production else "Send to several recipients?"
    if resend:
        title = "Resend to production?" if session.production else "Resend the failed items?"
    screen = ConfirmScreen(
        title, body, confirm=f"{'Resend' if resend else 'Send'} {n}",
        loud=session.production, id="confirm-send",
    )  # fmt: skip
    return await ask(app, screen)


async def _long_sms_confirmed(app: App[object], request: SendRequest) -> bool:
    from comms_tui.tui.presend import long_sms_segments, long_sms_text

    segments = long_sms_segments(request)
    if not segments:
        return True
    body = long_sms_text(segments, len(request.items))
    screen = ConfirmScreen(
        "Send a long SMS?", body, confirm=f"Send {segments} segments", id="confirm-long-sms"
    )
    return await ask(app, screen)


async def _not_duplicate(
    app: App[object], request: SendRequest, connection: Connection, *, now: datetime, masked: bool
) -> bool:
    from comms_tui.store.duplicates import describe_duplicates
    from comms_tui.tui.presend import reached_before

    earlier = await asyncio.to_thread(connection.sender.duplicates, request)
    # An earlier item that failed was never sent: resending it is no duplicate.
    earlier = reached_before(earlier, request.recipients)
    if not earlier:
        return True
    body = describe_duplicates(earlier, now) + "\n\nSend it again anyway?"
    recipients = request.recipients + [r for e in earlier for r in e.recipients]
    body = mask_text(body, recipients, masked)
    screen = ConfirmScreen(
        "This looks like a duplicate",
        body,
        confirm="Send again",
        cancel="Cancel",
        default_confirm=False,
        loud=True,
        id="confirm-duplicate",
    )
    return await ask(app, screen)
