"""A yes/no modal: confirming a send, or the duplicate guard. Escape always means no.

A title or body given as ``str`` is shown as plain text (it names recipients, request ids and
profile names): never read as markup. Pass ``Content`` for styled text of our own.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from comms_tui.tui.plain import plain


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "Cancel", tooltip="Go back without sending"),
        Binding("left,right", "switch", "Switch button", show=False),
    ]

    def __init__(
        self,
        title: Content | str,
        body: Content | str,
        *,
        confirm: str = "Send",
        cancel: str = "Cancel",
        default_confirm: bool = True,
        loud: bool = False,
        id: str = "confirm",
    ) -> None:
        super().__init__(id=id, classes="-loud" if loud else "")
        self._title = title if isinstance(title, Content) else plain(title, 200)
        self._body = body if isinstance(body, Content) else plain(body)
        self._confirm = confirm
        self._cancel = cancel
        self._default_confirm = default_confirm
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title")
            yield Static(self._body, id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button(self._cancel, id="cancel", variant="default")
                yield Button(
                    self._confirm,
                    id="ok",
                    variant="error" if self.has_class("-loud") else "primary",
                )

    def on_mount(self) -> None:
        self.query_one("#ok" if self._default_confirm else "#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_answer(event.button.id == "ok")

    def action_answer(self, answer: bool) -> None:
        """Once, and only while shown on top. A press that arrives after another screen opened
        over this one (keys typed together) would dismiss that screen instead, and the question
        would stay up after it was answered: it is dropped, and the question asked as before."""
        if self._answered or not self.is_active:
            return
        self._answered = True
        self.dismiss(answer)

    def action_switch(self) -> None:
        ok = self.query_one("#ok", Button)
        (self.query_one("#cancel", Button) if ok.has_focus else ok).focus()
