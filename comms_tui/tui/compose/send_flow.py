"""The send flow on screen: the core's questions as modals, its notes as notifications.

What to ask and when is the core's (``comms_tui.core.flow``); this module only shows it. Every
question is a yes/no modal awaited inside the send worker; recipients in it are masked while
masking is on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from comms_tui.tui.masking import is_masked, mask_text
from comms_tui.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual.app import App

    from comms_tui.api.requests import SendRequest
    from comms_tui.api.transport import Progress
    from comms_tui.core.preflight import Question
    from comms_tui.core.sender import Sent
    from comms_tui.core.session import Session


async def ask(app: App[object], question: Question) -> bool:
    """Show the question as a yes/no modal and wait for the answer."""
    text = mask_text(question.text, question.recipients, is_masked(app.screen))
    screen = ConfirmScreen(
        question.title,
        text,
        confirm=question.confirm,
        default_confirm=question.default_yes,
        loud=question.loud,
        id=f"confirm-{question.kind.replace('_', '-')}",
    )
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def answered(ok: bool | None) -> None:
        if not answer.done():  # a modal dismissed twice answers once
            answer.set_result(bool(ok))

    app.push_screen(screen, answered)
    return await answer


async def send_from_form(
    app: App[object],
    session: Session,
    request: SendRequest,
    *,
    now: datetime,
    resend: bool = False,
    sending: Callable[[], object] = lambda: None,
    progress: Progress | None = None,
    cancel: asyncio.Event | None = None,
) -> Sent | None:
    """Check, ask and send; what went wrong before sending is said in a notification.

    ``sending()`` is called once the questions are answered (show the spinner then);
    ``progress`` and ``cancel`` are as for ``Sender.send``."""
    from comms_tui.core.flow import send_request
    from comms_tui.store.errors import StoreError

    def notes(texts: Sequence[str]) -> None:
        for text in texts:
            app.notify(text, severity="warning", timeout=8)

    try:
        return await send_request(
            session,
            request,
            ask=lambda question: ask(app, question),
            show_notes=notes,
            sending=sending,
            resend=resend,
            now=now,
            progress=progress,
            cancel=cancel,
        )
    except StoreError as exc:
        app.notify(f"Nothing was sent: {exc.message}", severity="error", timeout=15)
    except Exception as exc:  # anything else must not take the app down with the form
        app.notify(f"Send failed before it completed: {exc}", severity="error", timeout=15)
    return None
