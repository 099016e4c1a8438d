"""The send itself, the same for every front-end: journal → HTTP → journal.

The journal entry is committed *before* the request leaves, in the same transaction as the
duplicate guard's last look (so two processes cannot both send the same message); a crash
mid-send leaves a record that reads ``unknown`` afterwards instead of nothing at all. Once the
server has answered, a journal that cannot be written never hides the answer: the result is
returned with a note that it could not be recorded.

A front-end may watch the upload (``progress``) and stop a send (``cancel``). Stopping is safe
while the server cannot hold the whole request (the body has a Content-Length: a server acts on
none of it until the last byte): the send is recorded as not sent. After that, stopping only
stops the waiting: the outcome is recorded as unknown, as it is.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from comms_tui.api.client import TARGET_ATTRIBUTION
from comms_tui.api.errors import CommsError, NotSent, OutcomeUnknown
from comms_tui.api.outcomes import settle
from comms_tui.api.results import Outcome, SendResult
from comms_tui.api.transport import PIECE_BYTES
from comms_tui.store.errors import StoreError

if TYPE_CHECKING:
    import asyncio

    from comms_tui.api.client import CommsClient, Waiting
    from comms_tui.api.outcomes import RetryWait
    from comms_tui.api.requests import SendRequest
    from comms_tui.api.transport import Progress
    from comms_tui.core.session import Session
    from comms_tui.store.history import Journal

MAX_JOURNALED_ERROR = 2000  # characters of an error message kept in the journal


@dataclass(frozen=True)
class Sent:
    history_id: int | None
    result: SendResult
    not_recorded: str | None = None  # why the journal could not record the outcome, if so
    request: SendRequest | None = None  # what went out (after preflight: each recipient once)
    sent_at: datetime | None = None  # when it was handed to the server (None: now)

    @property
    def scheduled_for(self) -> datetime | None:
        """When the server is to send it; None: at once — no time given, or one already past
        when it was sent (the API sends those at once: "held until" a past time is wrong)."""
        from comms_tui.api.schedule import is_past

        if self.request is None or not self.request.items:
            return None
        when = self.request.items[0].scheduled_time
        return None if when is None or is_past(when, self.sent_at) else when

    def to_json(self) -> dict[str, Any]:
        """What ``--json`` says of a send: the result, its journal entry, when it goes out (ISO
        8601 with the offset it was read in)."""
        data = self.result.to_json(history_id=self.history_id)
        when = self.scheduled_for
        data["scheduled_for"] = None if when is None else when.isoformat()
        return data


CANCELLED_BEFORE = "cancelled before the server had the whole request: nothing was sent"
CANCELLED_WAITING = (
    "cancelled while waiting to try again: the server had refused the request unread (it asked "
    "to wait), so nothing was sent"
)
CANCELLED_AFTER = (
    "cancelled while waiting for the answer, after the request was sent: the message may have "
    "gone out; check before resending"
)


@dataclass
class Upload:
    """How far a request's body got, from the client's progress calls (the current attempt).

    ``written`` is -1 until the body starts (connecting, the OAuth token, the headers).
    """

    written: int = -1
    total: int = 0
    waiting: bool = False  # out a Retry-After: the server refused the last attempt unread

    def update(self, written: int, total: int) -> None:
        self.written, self.total = written, total
        self.waiting = False

    def refused(self) -> None:
        """The server answered that it did not act (a 429 before its Retry-After wait): nothing
        is in flight until the next attempt writes its body."""
        self.written, self.waiting = -1, True

    @property
    def started(self) -> bool:
        return self.written >= 0

    @property
    def may_have_arrived(self) -> bool:
        """Whether the server may hold the whole request: its last piece may be on the wire
        (the client hands the body over in pieces of at most ``PIECE_BYTES``)."""
        return self.started and self.total - self.written <= PIECE_BYTES


class SendInterrupted(KeyboardInterrupt):
    """Ctrl-C during a send, once the journal says what it means: ``sent`` is the send as any
    other, recorded at once as unknown (the request may have arrived) or not sent (it cannot
    have), each recipient with it."""

    def __init__(self, sent: Sent, *, may_have_arrived: bool) -> None:
        super().__init__(sent.history_id)
        self.sent = sent
        self.may_have_arrived = may_have_arrived


INTERRUPTED_AFTER = "interrupted while waiting for the answer: the message may have gone out"
INTERRUPTED_BEFORE = "interrupted before the server had the whole request: nothing was sent"
INTERRUPTED_WAITING = (
    "interrupted while waiting to try again: the server had refused the request unread (it "
    "asked to wait), so nothing was sent"
)


class Sender:
    """Sends through one client and records every send in the journal."""

    def __init__(self, session: Session, client: CommsClient, journal: Journal) -> None:
        self.session = session
        self.client = client
        self.journal = journal

    async def send(
        self,
        request: SendRequest,
        *,
        acknowledged: frozenset[int] = frozenset(),
        guarded: bool = True,
        attribution: Any = TARGET_ATTRIBUTION,
        progress: Progress | None = None,
        cancel: asyncio.Event | None = None,
        waiting: Waiting | None = None,
    ) -> Sent:
        """Send once. Raises before anything leaves: ``DuplicateSend`` when an earlier send the
        user was not asked about matches (``guarded``; ``acknowledged`` are the ones they were),
        ``StoreError`` when the journal cannot record the send.

        ``progress(bytes_written, total)`` and ``waiting(RetryWait)`` as for
        ``CommsClient.send``. Setting ``cancel`` stops the send: not sent while the server cannot
        hold the whole request (nor while waiting out a Retry-After), else unknown.
        """
        from comms_tui.core.guard import duplicate_guard, fingerprints

        session = self.session
        guard = duplicate_guard(request, session, acknowledged) if guarded else None
        history_id = await session.offload(
            self.journal.begin,
            profile=session.name,
            host=self.client.target.base_url,
            channel=request.channel.value,
            recipients=request.recipients,
            request=request.redacted_body(),
            fingerprints=guard.fingerprints if guard else fingerprints(request, session),
            sandbox=session.is_sandbox,
            guard=guard,
            # Pending for as long as this send may wait for its answer, whatever its timeout:
            # killed mid-send, it then reads unknown (a retry after a 429 may read unknown
            # early: the safe side, both say "check before sending again").
            pending_seconds=self.client.target.attempt_seconds,
        )
        sent_at = datetime.now(timezone.utc)
        started = time.perf_counter()
        upload = Upload()
        try:
            result = await self._exchange(request, attribution, progress, cancel, upload, waiting)
        except KeyboardInterrupt:
            # No answer will come: the entry says so now, not "pending" until its deadline.
            arrived = upload.may_have_arrived
            error: CommsError = (
                OutcomeUnknown(INTERRUPTED_AFTER)
                if arrived
                else NotSent(INTERRUPTED_WAITING if upload.waiting else INTERRUPTED_BEFORE)
            )
            result = self._unanswered(request, attribution, started, error)
            with contextlib.suppress(StoreError, OSError):  # then it reads unknown at its deadline
                self._complete(history_id, result)
            sent = Sent(history_id, result, request=request, sent_at=sent_at)
            raise SendInterrupted(sent, may_have_arrived=arrived) from None
        problem = None
        try:
            await session.offload(self._complete, history_id, result)
        except (StoreError, OSError) as exc:
            problem = getattr(exc, "message", None) or str(exc)
        return Sent(history_id, result, not_recorded=problem, request=request, sent_at=sent_at)

    async def _exchange(
        self,
        request: SendRequest,
        attribution: Any,
        progress: Progress | None,
        cancel: asyncio.Event | None,
        upload: Upload,
        waiting: Waiting | None = None,
    ) -> SendResult:
        """The HTTP exchange, stopped when ``cancel`` is set first; ``upload`` follows the body."""

        def tracked(written: int, total: int) -> None:
            upload.update(written, total)
            if progress is not None:
                progress(written, total)

        def refused(wait: RetryWait) -> None:
            upload.refused()
            if waiting is not None:
                waiting(wait)

        started = time.perf_counter()
        sending = self.client.send(
            request, attribution=attribution, progress=tracked, waiting=refused
        )
        if cancel is None:
            return await sending
        import asyncio

        exchange = asyncio.ensure_future(sending)
        stop = asyncio.ensure_future(cancel.wait())
        arrived = True  # unless seen otherwise: a send stopped by someone else may have arrived
        waited = False
        try:
            await asyncio.wait({exchange, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not exchange.done():  # cancelled, by the user or with the whole app
                arrived = upload.may_have_arrived  # before the cancellation closes the socket
                waited = upload.waiting
                exchange.cancel()
                await asyncio.wait({exchange})  # let it close the connection
        if not exchange.cancelled():
            return exchange.result()  # it ended before the cancellation could stop it
        if arrived:
            error: CommsError = OutcomeUnknown(CANCELLED_AFTER)
        else:
            error = NotSent(CANCELLED_WAITING if waited else CANCELLED_BEFORE)
        return self._unanswered(request, attribution, started, error)

    def _unanswered(
        self, request: SendRequest, attribution: Any, started: float, error: CommsError
    ) -> SendResult:
        """The result of a send stopped before its answer: each recipient shares ``error``'s
        fate (unknown, or not sent)."""
        result = SendResult(
            channel=request.channel,
            outcome=Outcome.REJECTED,
            request=self.client.render(request, attribution=attribution),
        )
        return settle(result, request, started, error=error)

    def _complete(self, history_id: int, result: SendResult) -> None:
        error = None if result.error is None else result.error.message[:MAX_JOURNALED_ERROR]
        self.journal.complete(
            history_id,
            outcome=result.outcome.value,
            http_status=result.http_status,
            request_id=result.request_id,
            items=[item.to_json() for item in result.items],
            latency_ms=result.latency_ms,
            error=error,
        )
