"""One send from a valid request to its result: preflight, the questions, the guarded send.

Both front-ends run this; they pass in how to ask (a modal, a ``[y/N]`` prompt, ``--yes``) and how
to show notes. Any "no" sends nothing. If the journal's last look (in the transaction that
records the send) finds an earlier send the user was not asked about — another process sent the
same message a moment ago — the question is put again rather than sending twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from comms_tui.core.preflight import Question, check, duplicate_question
from comms_tui.store.errors import DuplicateSend

if TYPE_CHECKING:
    import asyncio

    from comms_tui.api.client import Waiting
    from comms_tui.api.requests import SendRequest
    from comms_tui.api.results import SendResult
    from comms_tui.api.transport import Progress
    from comms_tui.core.sender import Sent
    from comms_tui.core.session import Session

Ask = Callable[[Question], Awaitable[bool]]


async def send_request(
    session: Session,
    request: SendRequest,
    *,
    ask: Ask,
    show_notes: Callable[[Sequence[str]], object] = lambda _notes: None,
    sending: Callable[[], object] = lambda: None,
    resend: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: asyncio.Event | None = None,
    waiting: Waiting | None = None,
) -> Sent | None:
    """Check, ask, send. ``None`` when a question was answered no (nothing was sent).

    ``sending()`` is called once every question is answered, as the send starts. Raises
    ``StoreError`` when the journal cannot record the send (nothing was sent). ``progress``,
    ``cancel`` and ``waiting`` are as for ``Sender.send``.
    """
    checked = await session.offload(check, request, session, resend=resend, now=now)
    show_notes(checked.notes)
    for question in checked.questions:
        if not await ask(question):
            return None
    sender = await session.offload(session.sender)
    sending()
    acknowledged = checked.acknowledged
    while True:
        try:
            return await sender.send(
                checked.request,
                acknowledged=acknowledged,
                progress=progress,
                cancel=cancel,
                waiting=waiting,
            )
        except DuplicateSend as exc:
            question = duplicate_question(exc.entries, checked.request.recipients, now=now)
            if not await ask(question):
                return None
            acknowledged |= frozenset(entry.id for entry in exc.entries)


def failed_only(request: SendRequest, result: SendResult) -> SendRequest | None:
    """A new request with just the items that failed (not unknown ones: those may have gone
    out), or None when none did. Items answer the request's in order (§4)."""
    if len(result.items) == len(request.items):
        pairs = zip(request.recipients, result.items, strict=True)
        failed = [recipient for recipient, item in pairs if item.ok is False]
    else:  # an answer that does not line up: only recipients it names as failed
        wanted = set(request.recipients)
        failed = [i.recipient for i in result.failed_items if i.recipient in wanted]
    return request.only(failed) if failed else None
