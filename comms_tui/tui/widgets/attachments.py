"""The email compose form's attachment list: files, sizes, remove, and how much budget is left.

The budget counts raw bytes (as ``load_attachment`` does); the encoded column shows what each
file adds to the request, since base64 makes every file about a third bigger on the wire.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, overload

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.await_remove import AwaitRemove
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, DataTable, ProgressBar, Static

from comms_tui.api.attachments import Attachment, AttachmentBudget, human_size
from comms_tui.store.drafts import DraftAttachment, source_key
from comms_tui.tui.plain import shown

NEAR_BUDGET = 0.8  # warn from this share of the message budget on


class AttachmentList(Widget):
    """Attached files with a remove action and a budget bar; posts ``Changed`` on every change."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "remove_highlighted", "Remove file"),
    ]
    DEFAULT_CSS = """
    AttachmentList { height: auto; border: round $panel; padding: 0 1; }
    AttachmentList:focus-within { border: round $primary; }
    AttachmentList #attachment-table { height: auto; max-height: 8; }
    AttachmentList #attachment-table.-empty { display: none; }
    AttachmentList #attachment-empty { color: $text-muted; }
    AttachmentList #attachment-empty.-hidden { display: none; }
    AttachmentList #attachment-footer { height: auto; }
    AttachmentList #attachment-budget { width: 1fr; height: 1; padding-top: 0; }
    AttachmentList #attachment-budget Bar { width: 1fr; }
    AttachmentList #attachment-budget Bar > .bar--bar { color: $success; }
    AttachmentList.-near #attachment-budget Bar > .bar--bar { color: $warning; }
    AttachmentList.-over #attachment-budget Bar > .bar--bar { color: $error; }
    AttachmentList #attachment-usage { width: auto; height: 1; padding: 0 1; }
    AttachmentList #attachment-note { height: auto; color: $text-warning; }
    AttachmentList.-over #attachment-note { color: $text-error; }
    AttachmentList #attachment-buttons { height: auto; }
    AttachmentList #attachment-buttons Button { margin-right: 1; }
    """

    class Changed(Message):
        """The list changed (added, removed, cleared); ``attachments`` is a copy of it."""

        def __init__(
            self, attachments: list[Attachment], attachment_list: AttachmentList | None = None
        ) -> None:
            super().__init__()
            self.attachments = attachments
            self.attachment_list = attachment_list

        @property
        def control(self) -> AttachmentList | None:
            return self.attachment_list

    def __init__(
        self,
        attachments: Iterable[Attachment] = (),
        *,
        budget: AttachmentBudget | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.attachments: list[Attachment] = list(attachments)
        self.budget = budget or AttachmentBudget()
        # ``source_key`` → the file an attachment was read from, and how it was then: what a
        # draft keeps (never the data). The one place this is known.
        self.sources: dict[tuple[str, str], DraftAttachment] = {}

    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(id="attachment-table", cursor_type="row")
        yield table
        yield Static("No files attached.", id="attachment-empty")
        with Horizontal(id="attachment-footer"):
            yield ProgressBar(
                total=self.budget.max_message_bytes,
                show_percentage=False,
                show_eta=False,
                id="attachment-budget",
            )
            yield Static("", id="attachment-usage")
        yield Static("", id="attachment-note")
        with Horizontal(id="attachment-buttons"):
            yield Button("Attach file…", id="attach-file")
            yield Button("Remove", id="remove-file", variant="error")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("File", 48), ("Type", 6), ("Size", 10), ("Encoded", 10)):
            table.add_column(label, width=width)  # fixed: no re-measuring as files come and go
        self._refresh()

    # -- public API ---------------------------------------------------------------------------

    @property
    def used_bytes(self) -> int:
        """Raw bytes attached so far: what ``load_attachment(used_bytes=...)`` expects."""
        return sum(a.raw_size for a in self.attachments)

    @property
    def encoded_bytes(self) -> int:
        return sum(a.encoded_size for a in self.attachments)

    def add(self, attachment: Attachment, source: DraftAttachment | None = None) -> None:
        if source is not None:
            self.sources[source_key(attachment)] = source
        self.attachments.append(attachment)
        self._changed()

    @overload
    def remove(self) -> AwaitRemove: ...
    @overload
    def remove(self, index: int) -> None: ...
    def remove(self, index: int | None = None) -> AwaitRemove | None:
        """``remove(i)`` drops attachment ``i``; plain ``remove()`` is Textual's widget removal."""
        if index is None:
            return super().remove()
        self.remove_attachment(index)
        return None

    def remove_attachment(self, index: int) -> None:
        if 0 <= index < len(self.attachments):
            removed = self.attachments.pop(index)
            key = source_key(removed)
            if all(source_key(a) != key for a in self.attachments):
                self.sources.pop(key, None)
            self._changed()

    def clear(self) -> None:
        if self.attachments:
            self.attachments.clear()
            self.sources.clear()
            self._changed()

    def action_attach(self) -> None:
        """Open the picker; the chosen file is added here."""
        from comms_tui.tui.screens.attachments import AttachmentPickerScreen

        if any(isinstance(screen, AttachmentPickerScreen) for screen in self.app.screen_stack):
            return  # already open (ctrl+o or the palette again)
        attached = [source.path for source in self.sources.values()]
        picker = AttachmentPickerScreen(
            budget=self.budget, used_bytes=self.used_bytes, attached=attached
        )

        def picked(attachment: Attachment | None) -> None:
            if attachment is not None:
                self.add(attachment, picker.chosen_source)

        self.app.push_screen(picker, picked)

    def action_remove_highlighted(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.remove_attachment(table.cursor_row)

    # -- internals ----------------------------------------------------------------------------

    @on(Button.Pressed, "#attach-file")
    def _attach_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_attach()

    @on(Button.Pressed, "#remove-file")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_remove_highlighted()

    def _changed(self) -> None:
        if self.is_mounted:
            self._refresh()
        self.post_message(self.Changed(list(self.attachments), self))

    def _refresh(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for attachment in self.attachments:
            table.add_row(
                Text(shown(attachment.file_name, 200, newlines=False)),  # bidi overrides too
                Text(shown(attachment.file_type, 20, newlines=False)),
                Text(human_size(attachment.raw_size), justify="right"),
                Text(human_size(attachment.encoded_size), justify="right"),
            )
        if self.attachments:
            table.move_cursor(row=min(cursor, len(self.attachments) - 1))
        empty = not self.attachments
        table.set_class(empty, "-empty")
        self.query_one("#attachment-empty").set_class(not empty, "-hidden")
        self.query_one("#remove-file", Button).disabled = empty

        used, limit = self.used_bytes, self.budget.max_message_bytes
        bar = self.query_one(ProgressBar)
        bar.update(total=limit, progress=min(used, limit))
        self.set_class(used > limit, "-over")
        self.set_class(limit * NEAR_BUDGET <= used <= limit, "-near")
        self.query_one("#attachment-usage", Static).update(
            Content(
                f"{human_size(used)} of {human_size(limit)}"
                f" · {human_size(self.encoded_bytes)} encoded"
            )
        )
        note = ""
        if used > limit:
            note = f"Over the {human_size(limit)} limit per message: remove a file to send."
        elif used >= limit * NEAR_BUDGET:
            note = f"Nearly at the limit: {human_size(limit - used)} left for more files."
        self.query_one("#attachment-note", Static).update(Content(note))
