"""Pick one of the profile's saved templates (then ``TemplateFillScreen`` fills it in)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

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
        return Content.assemble((name, "b"), "\n", (flat, "dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_id)
