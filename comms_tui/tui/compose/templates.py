"""Saved templates at compose time: pick one, fill its placeholders, put it in the message.

The profile's ``templates`` go into the SMS body or the WhatsApp/Zalo ``template`` field.
The text replaces the message as one edit, so ctrl+z brings back what was there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, TextArea
from textual.widgets.option_list import Option

from comms_tui.api.channels import Channel
from comms_tui.tui.compose.template_fill import TemplateFillScreen
from comms_tui.tui.plain import editable, shown

if TYPE_CHECKING:
    from textual.app import App

    from comms_tui.tui.compose.forms.base import ComposeForm


def use_template(
    app: App[object], form: ComposeForm, templates: Mapping[str, str], name: str | None = None
) -> None:
    """Pick a template (unless ``name`` is given), fill it in, and put it in ``form``."""
    if any(isinstance(s, TemplatePickScreen | TemplateFillScreen) for s in app.screen_stack):
        app.notify("A template is already open: finish it or press escape first.")
        return  # ctrl+t or the palette again: one template at a time
    if form.CHANNEL is Channel.EMAIL:
        app.notify(f"Templates are for SMS, WhatsApp and Zalo, not {form.label}.")
        return
    field = form.CHANNEL.message_field
    if not templates:
        app.notify("This profile has no saved templates.", severity="warning")
        return
    if name is not None and name not in templates:
        app.notify(
            f"No template named {shown(name, 100)!r} in this profile.",
            severity="warning",
            markup=False,
        )
        return

    def put(text: str | None) -> None:
        if text is None:
            return
        area = form.query_one(f"#{field}", TextArea)
        replaced = area.text.strip()
        # From the profile file: control characters made visible before they reach the screen.
        area.replace(editable(text), area.document.start, area.document.end)
        area.focus()
        if replaced:  # one edit: nothing is lost, but say how to get it back
            app.notify("The template replaced the message: ctrl+z brings back what was there.")

    def fill(chosen: str | None) -> None:
        if chosen is not None:
            sms = form.CHANNEL is Channel.SMS  # WhatsApp and Zalo are not counted in segments
            app.push_screen(TemplateFillScreen(chosen, templates[chosen], sms=sms), put)

    if name is not None or len(templates) == 1:
        fill(name or next(iter(templates)))
    else:
        app.push_screen(TemplatePickScreen(templates), fill)


PREVIEW_CHARS = 60


class TemplatePickScreen(ModalScreen[str | None]):
    """Returns the chosen template's name, or None on escape."""

    DEFAULT_CSS = """
    TemplatePickScreen { align: center middle; background: $background 60%; }
    TemplatePickScreen #template-pick {
        width: 72; max-width: 95%; height: auto; max-height: 80%;
        padding: 1 2; background: $surface; border: thick $primary 60%;
    }
    TemplatePickScreen #template-pick-title { text-style: bold; margin-bottom: 1; }
    TemplatePickScreen OptionList { height: auto; max-height: 16; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", tooltip="Close without a template"),
    ]

    def __init__(self, templates: Mapping[str, str], *, id: str = "template-pick-screen") -> None:
        super().__init__(id=id)
        self.templates = dict(templates)

    def compose(self) -> ComposeResult:
        with Vertical(id="template-pick"):
            yield Label("Templates", id="template-pick-title")
            yield OptionList(
                *(Option(self._prompt(n, t), id=n) for n, t in sorted(self.templates.items())),
                id="template-list",
            )

    @staticmethod
    def _prompt(name: str, text: str) -> Content:
        flat = " ".join(text.split())
        if len(flat) > PREVIEW_CHARS:
            flat = flat[: PREVIEW_CHARS - 1] + "…"
        return Content.assemble((shown(name, 100), "b"), "\n", (shown(flat, None), "dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_id)
