"""What sending needs once the session is open: the session, its sender and validation context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from comms_tui.api.models import ValidationContext
    from comms_tui.sending import Sender
    from comms_tui.session import Session


@dataclass(frozen=True)
class Connection:
    session: Session
    sender: Sender
    context: ValidationContext
