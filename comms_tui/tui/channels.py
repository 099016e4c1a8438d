"""Channel names and labels for the UI, without importing the pydantic models.

The first frame must come fast: ``comms_tui.api.models`` (pydantic) is imported in a worker after
mount, so the UI's own modules name channels by their wire value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from comms_tui.api.models import Channel

CHANNELS: tuple[str, ...] = ("sms", "email", "whatsapp", "zalo")
LABELS: dict[str, str] = {"sms": "SMS", "email": "Email", "whatsapp": "WhatsApp", "zalo": "Zalo"}


def recipient_key(channel: str) -> str:
    """The recipients' field name: ``receiver`` for WhatsApp/Zalo, ``to`` for SMS/email."""
    return "receiver" if channel in ("whatsapp", "zalo") else "to"


def as_channel(name: str) -> Channel:
    from comms_tui.api.models import Channel

    return Channel(name)
