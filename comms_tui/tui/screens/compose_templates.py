"""Templates at compose time: pick a saved one, fill its placeholders, put it in the message.

The profile's ``templates`` go into the SMS body or the WhatsApp/Zalo ``template`` field.
The text replaces the message as one edit, so ctrl+z brings back what was there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual.widgets import TextArea

from comms_tui.tui.screens.template_fill import TemplateFillScreen
from comms_tui.tui.screens.template_pick import TemplatePickScreen

if TYPE_CHECKING:
    from textual.app import App

    from comms_tui.tui.screens.compose import ComposeForm

MESSAGE_FIELDS: dict[str, str] = {"sms": "body", "whatsapp": "template", "zalo": "template"}


def use_template(
    app: App[object], form: ComposeForm, templates: Mapping[str, str], name: str | None = None
) -> None:
    """Pick a template (unless ``name`` is given), fill it in, and put it in ``form``."""
    field = MESSAGE_FIELDS.get(form.CHANNEL)
    if field is None:
        app.notify(f"Templates are for SMS, WhatsApp and Zalo, not {form.label}.")
        return
    if not templates:
        app.notify("This profile has no saved templates.", severity="warning")
        return
    if name is not None and name not in templates:
        app.notify(f"No template named {name!r} in this profile.", severity="warning")
        return

    def put(text: str | None) -> None:
        if text is None:
            return
        area = form.query_one(f"#{field}", TextArea)
        area.replace(text, area.document.start, area.document.end)
        area.focus()

    def fill(chosen: str | None) -> None:
        if chosen is not None:
            app.push_screen(TemplateFillScreen(chosen, templates[chosen]), put)

    if name is not None or len(templates) == 1:
        fill(name or next(iter(templates)))
    else:
        app.push_screen(TemplatePickScreen(templates), fill)
