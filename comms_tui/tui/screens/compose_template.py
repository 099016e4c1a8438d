"""WhatsApp and Zalo: recipients (``receiver``), the message text (``template``), schedule."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult

from comms_tui.tui.screens.compose import ComposeForm
from comms_tui.tui.widgets.field import form_field


class TemplateForm(ComposeForm):
    FIELDS: ClassVar[tuple[str, ...]] = ("receiver", "template", "scheduledTime")

    def compose_fields(self) -> ComposeResult:
        yield from form_field("Message", self.text_area("template"), classes="-tall")


class WhatsAppForm(TemplateForm):
    CHANNEL: ClassVar[str] = "whatsapp"


class ZaloForm(TemplateForm):
    CHANNEL: ClassVar[str] = "zalo"
