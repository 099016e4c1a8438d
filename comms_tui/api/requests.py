"""A send request: one channel, one item per recipient, in the configured envelope."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from comms_tui.api import jsontext
from comms_tui.api.attachments import Attachment
from comms_tui.api.channels import FIELD_LABELS, Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.api.models import (
    MESSAGE_TYPES,
    EmailMessage,
    Envelope,
    Message,
    ValidationContext,
)

# A request of this many items is refused locally; the server's batch limit (code 1060) is not
# published, and nobody sends hundreds of one-off messages by hand.
MAX_ITEMS = 1000


def _json(value: object) -> bytes:
    """Compact JSON, non-ASCII text as UTF-8 (as the API's own examples are written), but what
    a terminal could act on as ``\\u`` escapes: the same document for the server, and a replay
    command (``--curl``) that holds these bytes can be printed as it is."""
    return jsontext.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True)
class SendRequest:
    channel: Channel
    items: tuple[Message, ...]
    envelope: Envelope = "root"

    def __post_init__(self) -> None:
        if not self.items:
            raise InvalidInput("add at least one recipient", field=self.channel.recipient_field)
        if len(self.items) > MAX_ITEMS:
            raise InvalidInput(
                f"{len(self.items)} recipients is more than {MAX_ITEMS} in one request",
                field=self.channel.recipient_field,
            )
        expected = MESSAGE_TYPES[self.channel]
        for item in self.items:
            if not isinstance(item, expected):
                raise InvalidInput(
                    f"a {type(item).__name__} cannot go in a {self.channel.label} request"
                )

    @property
    def recipients(self) -> list[str]:
        return [item.recipient for item in self.items]

    @property
    def has_attachments(self) -> bool:
        return any(isinstance(item, EmailMessage) and item.attachments for item in self.items)

    def body(self) -> dict[str, Any]:
        payload = {self.channel.list_key: [item.wire() for item in self.items]}
        return {"root": payload} if self.envelope == "root" else payload

    def body_parts(self) -> list[bytes]:
        """The JSON body as pieces whose concatenation is the body.

        Attachment data goes in as the encoder's own chunks: the JSON around them is serialised
        with a marker in place of each ``file_data`` and split there, so megabytes of base64 are
        neither escaped nor copied on the way to the socket.
        """
        if not self.has_attachments:
            return [_json(self.body())]
        token = secrets.token_hex(8)
        chunks: list[tuple[bytes, ...]] = []

        def marker(attachment: Attachment) -> str:
            chunks.append(attachment.file_data.chunks)
            return f"@@comms-tui-data-{token}-{len(chunks) - 1}@@"

        payload = {
            self.channel.list_key: [
                item.wire(marker) if isinstance(item, EmailMessage) else item.wire()
                for item in self.items
            ]
        }
        skeleton = _json({"root": payload} if self.envelope == "root" else payload)
        parts: list[bytes] = []
        for index, data in enumerate(chunks):
            before, skeleton = skeleton.split(f"@@comms-tui-data-{token}-{index}@@".encode(), 1)
            parts.append(before)
            parts.extend(data)
        parts.append(skeleton)
        return parts

    def body_bytes(self) -> bytes:
        return b"".join(self.body_parts())

    def redacted_body(self) -> dict[str, Any]:
        """The body with attachment data replaced by name, size and SHA-256 (journal, display)."""
        payload: dict[str, Any] = {}
        items = []
        for item in self.items:
            if isinstance(item, EmailMessage) and item.attachments:
                # A marker, not the data: rendering megabytes of base64 only to drop them stalls.
                data = item.wire(lambda _attachment: "")
                data["attachments"] = {"attachment": [a.summary() for a in item.attachments]}
            else:
                data = item.wire()
            items.append(data)
        payload[self.channel.list_key] = items
        return {"root": payload} if self.envelope == "root" else payload

    def only(self, recipients: Sequence[str]) -> SendRequest:
        """A new request with just the items for ``recipients`` (e.g. resending failed items)."""
        wanted = set(recipients)
        items = tuple(item for item in self.items if item.recipient in wanted)
        return SendRequest(channel=self.channel, items=items, envelope=self.envelope)


def validate_item(
    channel: Channel, fields: Mapping[str, Any], context: ValidationContext | None = None
) -> Message:
    """Validate one item's wire-named fields, or raise InvalidInput naming every bad field."""
    message: Message = MESSAGE_TYPES[channel].validate(fields, context)
    return message


def build_request(
    channel: Channel,
    recipients: Sequence[str],
    fields: Mapping[str, Any],
    *,
    context: ValidationContext | None = None,
    envelope: Envelope = "root",
) -> SendRequest:
    """One item per recipient, sharing ``fields``; every problem reported at once."""
    key = channel.recipient_field
    context = context or ValidationContext()
    if not recipients:
        raise InvalidInput(f"{FIELD_LABELS[key]} is required", field=key)
    items: list[Message] = []
    errors: dict[str, str] = {}
    bad_recipients: list[str] = []
    for recipient in recipients:
        try:
            items.append(validate_item(channel, {**fields, key: recipient}, context))
        except InvalidInput as exc:
            for name, message in exc.errors.items():
                if name == key:
                    bad_recipients.append(message)
                else:
                    errors.setdefault(name, message)
    if bad_recipients:
        errors[key] = "; ".join(dict.fromkeys(bad_recipients))
    if errors:
        raise InvalidInput("; ".join(errors.values()), errors=errors)
    return SendRequest(channel=channel, items=tuple(items), envelope=envelope)
