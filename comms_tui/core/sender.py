"""The send itself, the same for every front-end: journal → HTTP → journal.

The journal entry is committed *before* the request leaves, in the same transaction as the
duplicate guard's last look (so two processes cannot both send the same message); a crash
mid-send leaves a record that reads ``unknown`` afterwards instead of nothing at all. Once the
server has answered, a journal that cannot be written never hides the answer: the result is
returned with a note that it could not be recorded.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from comms_tui.api.client import TARGET_ATTRIBUTION
from comms_tui.api.results import SendResult
from comms_tui.store.errors import StoreError

if TYPE_CHECKING:
    from comms_tui.api.client import CommsClient
    from comms_tui.api.requests import SendRequest
    from comms_tui.core.session import Session
    from comms_tui.store.history import Journal

MAX_JOURNALED_ERROR = 2000  # characters of an error message kept in the journal


@dataclass(frozen=True)
class Sent:
    history_id: int | None
    result: SendResult
    not_recorded: str | None = None  # why the journal could not record the outcome, if so


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
    ) -> Sent:
        """Send once. Raises before anything leaves: ``DuplicateSend`` when an earlier send the
        user was not asked about matches (``guarded``; ``acknowledged`` are the ones they were),
        ``StoreError`` when the journal cannot record the send."""
        from comms_tui.core.guard import duplicate_guard, fingerprints

        session = self.session
        guard = duplicate_guard(request, session, acknowledged) if guarded else None
        history_id = await asyncio.to_thread(
            self.journal.begin,
            profile=session.name,
            host=self.client.target.base_url,
            channel=request.channel.value,
            recipients=request.recipients,
            request=request.redacted_body(),
            fingerprints=guard.fingerprints if guard else fingerprints(request, session),
            sandbox=session.is_sandbox,
            guard=guard,
        )
        result = await self.client.send(request, attribution=attribution)
        try:
            await asyncio.to_thread(self._complete, history_id, result)
        except (StoreError, OSError) as exc:
            problem = getattr(exc, "message", None) or str(exc)
            return Sent(history_id, result, not_recorded=problem)
        return Sent(history_id=history_id, result=result)

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
