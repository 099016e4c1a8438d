"""Sessions for tests that bring their own client or journal."""

from __future__ import annotations

import dataclasses

from comms_tui.api.client import CommsClient
from comms_tui.core.sender import Sender
from comms_tui.core.session import Session
from comms_tui.store.history import Journal


def sender_for(client: CommsClient, journal: Journal, *, name: str) -> Sender:
    """A sender through ``client``, journaled in ``journal``, as a session called ``name``."""
    session = Session(target=dataclasses.replace(client.target, label=name), profile=None)
    session.journal = journal
    return Sender(session, client, journal)
