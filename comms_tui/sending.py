"""The send pipeline shared by the CLI and the TUI: duplicate guard → journal → client → journal.

The journal entry is committed *before* the request leaves, so a crash mid-send leaves a record
that reads ``unknown`` afterwards instead of nothing at all.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from comms_tui.api.client import TARGET_ATTRIBUTION, CommsClient
from comms_tui.api.requests import SendRequest
from comms_tui.api.results import SendResult

if TYPE_CHECKING:
    from comms_tui.store.history import Journal, JournalEntry


@dataclass(frozen=True)
class Sent:
    history_id: int | None
    result: SendResult


class Sender:
    """Sends through one client and records every send in the journal."""

    def __init__(self, client: CommsClient, journal: Journal | None, *, profile: str) -> None:
        self.client = client
        self.journal = journal
        self.profile = profile

    def duplicates(self, request: SendRequest) -> list[JournalEntry]:
        """Earlier sends of the same content to the same recipients (blocking: call off the UI)."""
        if self.journal is None:
            return []
        return self.journal.find_duplicates(request.fingerprints())

    async def send(self, request: SendRequest, *, attribution: Any = TARGET_ATTRIBUTION) -> Sent:
        history_id: int | None = None
        journal = self.journal
        if journal is not None:
            history_id = await asyncio.to_thread(
                journal.begin,
                profile=self.profile,
                host=self.client.target.base_url,
                channel=request.channel.value,
                recipients=request.recipients,
                request=request.redacted_body(),
                fingerprints=request.fingerprints(),
            )
        result = await self.client.send(request, attribution=attribution)
        if journal is not None and history_id is not None:
            await asyncio.to_thread(
                journal.complete,
                history_id,
                outcome=result.outcome.value,
                http_status=result.http_status,
                request_id=result.request_id,
                items=[item.to_json() for item in result.items],
                latency_ms=result.latency_ms,
                error=None if result.error is None else result.error.message,
            )
        return Sent(history_id=history_id, result=result)
