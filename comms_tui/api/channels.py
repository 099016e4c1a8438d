"""The four channels and their facts: names, labels, wire keys, and which field is which.

Standard library only: the TUI's first frame names channels through this module, and must not
wait for pydantic (``comms_tui.api.models``).
"""

from __future__ import annotations

from enum import Enum

from comms_tui.api.errors import InvalidInput


class Channel(str, Enum):
    SMS = "sms"
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    ZALO = "zalo"

    @classmethod
    def parse(cls, text: str) -> Channel:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(c.value for c in cls)
            raise InvalidInput(f"unknown channel {text!r}; use one of {names}") from None

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def list_key(self) -> str:
        """The request body's list key."""
        return _LIST_KEYS[self]

    @property
    def response_keys(self) -> tuple[str, str]:
        """The response's (list key, item key)."""
        return _RESPONSE_KEYS[self]

    @property
    def recipient_field(self) -> str:
        """The item field naming the recipient: ``receiver`` for WhatsApp and Zalo, else ``to``."""
        return "receiver" if self in (Channel.WHATSAPP, Channel.ZALO) else "to"

    @property
    def message_field(self) -> str:
        """The item field holding the text the recipient reads."""
        return "template" if self in (Channel.WHATSAPP, Channel.ZALO) else "body"

    @property
    def phones(self) -> bool:
        """Recipients are phone numbers (every channel but email)."""
        return self is not Channel.EMAIL


# In the order the app shows them (its tabs, alt+1…alt+4).
CHANNELS: tuple[Channel, ...] = (Channel.SMS, Channel.EMAIL, Channel.WHATSAPP, Channel.ZALO)

_LABELS = {
    Channel.SMS: "SMS",
    Channel.EMAIL: "Email",
    Channel.WHATSAPP: "WhatsApp",
    Channel.ZALO: "Zalo",
}
_LIST_KEYS = {
    Channel.SMS: "sms",
    Channel.EMAIL: "email",
    Channel.WHATSAPP: "whatsappMessage",
    Channel.ZALO: "zaloMessage",
}
_RESPONSE_KEYS = {
    Channel.SMS: ("smsList", "sms"),
    Channel.EMAIL: ("emails", "email"),
    Channel.WHATSAPP: ("whatsapp", "whatsappMessage"),
    Channel.ZALO: ("zalo", "zaloMessage"),
}

# Field labels in a support agent's words, for error messages.
FIELD_LABELS: dict[str, str] = {
    "to": "Recipient",
    "receiver": "Recipient",
    "body": "Message",
    "template": "Message text",
    "sender": "Sender ID",
    "scheduledTime": "Schedule",
    "from": "From",
    "subject": "Subject",
    "cc": "Cc",
    "bcc": "Bcc",
    "attachments": "Attachments",
}
