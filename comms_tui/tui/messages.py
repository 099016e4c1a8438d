"""Typed messages that carry work results from workers and side screens to the main screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from datetime import datetime

    from comms_tui.api.channels import Channel
    from comms_tui.api.requests import SendRequest
    from comms_tui.api.target import Target
    from comms_tui.core.sender import Sent
    from comms_tui.core.session import Session


@dataclass
class ComposeAgain:
    """Pre-fill a compose form (from the history screen).

    ``fields`` has wire-name keys; ``to``/``receiver`` holds the recipients joined by ", ".
    """

    channel: Channel
    fields: dict[str, str] = field(default_factory=dict)


class SessionReady(Message):
    """The session (target, profile, maybe a sandbox) is open and sends may start."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class SessionFailed(Message):
    """Opening the session failed; the app stays up and says why."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class SendFinished(Message):
    """A send completed, whatever its outcome (the result says which)."""

    def __init__(
        self,
        sent: Sent,
        profile: str,
        request: SendRequest | None = None,
        *,
        started_at: datetime | None = None,
        target: Target | None = None,
    ) -> None:
        super().__init__()
        self.sent = sent
        self.profile = profile
        self.request = sent.request or request  # what was sent ("resend failed", curl)
        self.started_at = started_at  # when the send started (after the questions)
        self.target = target  # where it went
