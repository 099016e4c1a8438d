"""Asking for a profile's secret when none is stored (no keyring, an empty one, no env var).

What is typed opens this session only: it is kept in memory, never written anywhere.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from comms_tui.store.errors import MissingSecret
from comms_tui.tui.plain import plain


class SecretPromptScreen(ModalScreen["str | None"]):
    """Dismisses with the typed secret, or None when the user goes without."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Go on without connecting"),
    ]

    AUTO_FOCUS = "#session-secret"

    def __init__(self, missing: MissingSecret) -> None:
        super().__init__(id="secret-prompt")
        self.missing = missing

    @property
    def what(self) -> str:
        return "client secret" if self.missing.kind == "client_secret" else "password"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(
                plain(f"The {self.what} of profile '{self.missing.profile}'"), id="dialog-title"
            )
            yield Static(
                plain(  # the message names the profile, as its file spells it
                    f"{self.missing.message[:1].upper()}{self.missing.message[1:]}.\n\n"
                    "Type it to send for this session only: it is kept in memory and never "
                    "written anywhere."
                ),
                id="dialog-body",
            )
            yield Input(password=True, placeholder=self.what, id="session-secret")
            yield Static("", id="session-secret-error", classes="field-error")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Use for this session", id="ok", variant="primary")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _use(self) -> None:
        secret = self.query_one("#session-secret", Input).value
        if not secret:
            error = self.query_one("#session-secret-error", Static)
            error.update(f"Type the {self.what}, or press esc to go on without connecting.")
            error.add_class("-shown")
            return
        self.dismiss(secret)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
