"""Fill a saved template's ``{placeholders}``: one input each, a live preview, then the text.

Returns the filled text (``fill`` from ``comms_tui.api.templates``: no ``str.format``), or
None on escape. A placeholder left empty is named under its own input, never guessed.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from comms_tui.api.errors import InvalidInput
from comms_tui.api.templates import fill, placeholders
from comms_tui.tui.plain import plain, shown

_GAP = "\x00"  # marks an unfilled placeholder inside the preview text (inputs can't type it)


def preview(template: str, values: dict[str, str]) -> Content:
    """The filled text so far; placeholders still empty shown as ``{name}``, highlighted."""
    filled_in = {}
    for name in placeholders(template):
        value = values.get(name, "")
        filled_in[name] = value if value.strip() else f"{_GAP}{{{name}}}{_GAP}"
    # Split at the markers: odd parts are the unfilled placeholders.
    parts = fill(template, filled_in).split(_GAP)
    return Content.assemble(
        *((shown(part, None), "b $text-warning") if i % 2 else shown(part, None)
          for i, part in enumerate(parts) if part)
    )  # fmt: skip


class TemplateFillScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    TemplateFillScreen {
        align: center middle;
        background: $background 60%;
    }
    TemplateFillScreen #template-dialog {
        width: 72;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        background: $surface;
        border: thick $primary 60%;
    }
    TemplateFillScreen #template-title {
        text-style: bold;
        margin-bottom: 1;
    }
    TemplateFillScreen #template-fields {
        height: auto;
        max-height: 16;
    }
    TemplateFillScreen .ph-row {
        height: auto;
    }
    TemplateFillScreen .ph-label {
        width: 14;
        padding-top: 0;
        color: $text-muted;
    }
    TemplateFillScreen .ph-row Input {
        width: 1fr;
    }
    TemplateFillScreen .ph-error {
        padding-left: 14;
        color: $text-error;
        height: auto;
        display: none;
    }
    TemplateFillScreen .ph-error.-shown {
        display: block;
    }
    TemplateFillScreen #template-preview {
        margin-top: 1;
        padding: 0 1;
        height: auto;
        max-height: 8;
        background: $boost;
    }
    TemplateFillScreen #template-meter {
        color: $text-muted;
        padding: 0 1;
    }
    TemplateFillScreen #template-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    TemplateFillScreen #template-buttons Button {
        margin-left: 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without using the template"),
        Binding("ctrl+j", "use", "Use", priority=True, tooltip="Use the filled text"),
    ]

    def __init__(
        self, name: str, template: str, *, sms: bool = True, id: str = "template-fill"
    ) -> None:
        """``sms``: the text goes into an SMS (its segments are shown); else a WhatsApp or
        Zalo template (its length is)."""
        super().__init__(id=id)
        self.sms = sms
        self.template_name = name
        self.template = template
        self.names = placeholders(template)

    def compose(self) -> ComposeResult:
        with Vertical(id="template-dialog"):
            yield Label(plain(f"Template: {self.template_name}", 200), id="template-title")
            with VerticalScroll(id="template-fields"):
                for name in self.names:
                    with Horizontal(classes="ph-row"):
                        yield Label(plain(name, 60), classes="ph-label")
                        yield Input(id=f"ph-{name}", placeholder=f"{{{name}}}", compact=True)
                    yield Static(id=f"ph-{name}-error", classes="ph-error")
            yield Static(id="template-preview")
            yield Static(id="template-meter")
            with Horizontal(id="template-buttons"):
                yield Button("Cancel", id="template-cancel")
                yield Button("Use", id="template-use", variant="primary")

    def on_mount(self) -> None:
        self._refresh_preview()
        if self.names:
            self.query_one(f"#ph-{self.names[0]}", Input).focus()
        else:
            self.query_one("#template-use", Button).focus()

    @property
    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#ph-{name}", Input).value for name in self.names}

    def _refresh_preview(self) -> None:
        from comms_tui.tui.widgets.sms_meter import describe

        values = self.values
        self.query_one("#template-preview", Static).update(preview(self.template, values))
        filled = fill(self.template, {n: v if v.strip() else f"{{{n}}}" for n, v in values.items()})
        meter = (
            Content.assemble(("as SMS: ", "dim"), describe(filled))
            if self.sms
            else Content.styled(f"{len(filled):,} characters", "dim")
        )
        self.query_one("#template-meter", Static).update(meter)

    def _set_error(self, name: str, message: str | None) -> None:
        line = self.query_one(f"#ph-{name}-error", Static)
        line.update(plain(message or ""))
        line.set_class(bool(message), "-shown")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("ph-")
        if event.value.strip():
            self._set_error(name, None)
        self._refresh_preview()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        # Enter moves on to the next placeholder still empty; with none after this one, it
        # uses the text, or names each one still empty (it went back to the first in silence).
        event.stop()
        values = self.values
        here = (event.input.id or "").removeprefix("ph-")
        after = self.names[self.names.index(here) + 1 :] if here in self.names else []
        empty = [name for name in after if not values[name].strip()]
        if empty:
            self.query_one(f"#ph-{empty[0]}", Input).focus()
        else:
            self.action_use()

    @on(Button.Pressed, "#template-use")
    def _use_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_use()

    @on(Button.Pressed, "#template-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_use(self) -> None:
        values = self.values
        try:
            text = fill(self.template, values)
        except InvalidInput:
            empty = [n for n, v in values.items() if not v.strip()]
            for name in empty:
                self._set_error(name, f"fill in {{{name}}}")
            self.query_one(f"#ph-{empty[0]}", Input).focus()
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
