"""WhatsApp and Zalo, the messaging apps: recipients (``receiver``), the text (``template``)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult

from comms_tui.api.channels import Channel
from comms_tui.tui.compose.forms.base import ComposeForm
from comms_tui.tui.widgets.field import form_field


class MessagingForm(ComposeForm):
    FIELDS: ClassVar[tuple[str, ...]] = ("receiver", "template", "scheduledTime")

    def compose_fields(self) -> ComposeResult:
        yield from form_field("Message", self.text_area("template"), classes="-tall")


class WhatsAppForm(MessagingForm):
    CHANNEL: ClassVar[Channel] = Channel.WHATSAPP


class ZaloForm(MessagingForm):
    CHANNEL: ClassVar[Channel] = Channel.ZALO
