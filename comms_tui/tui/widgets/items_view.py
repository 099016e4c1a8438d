"""Per-item rows of one send, drawn line by line: only the visible rows are ever rendered.

A DataTable measures every cell of every row when rows are added (about 0.2 s for 1,000
items); this view costs the same for ten items or ten thousand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from comms_tui.tui.masking import is_masked
from comms_tui.tui.plain import shown
from comms_tui.tui.widgets.recipients import display_recipient

if TYPE_CHECKING:
    from comms_tui.api.results import ItemResult

COLUMNS = (("#", 5), ("Recipient", 17), ("Result", 11), ("Code", 6))  # then Details
NOTES_CHARS = 300  # of the Details column: a row shows one line (the item detail shows more)
RESULTS = {
    True: ("✓ accepted", "ok"),
    False: ("✗ failed", "failed"),
    None: ("? unknown", "unknown"),
}
NOT_SENT = ("– not sent", "unknown")  # an item of a request refused whole: it never went out


def item_notes(item: ItemResult) -> str:
    """Errors, then warnings, in one line: server text, so cut and with control characters
    made visible (a 5 MB message must not be drawn on every refresh)."""
    notes = [e.message[:NOTES_CHARS] for e in item.errors[:10]]
    notes += [f"warning {str(w)[:NOTES_CHARS]}" for w in item.warnings[:10]]
    return shown("; ".join(notes), NOTES_CHARS, newlines=False)


def header_text() -> Text:
    return Text("".join(label.ljust(width) for label, width in COLUMNS) + "Details")


class ItemsView(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "items--ok",
        "items--failed",
        "items--unknown",
        "items--cursor",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "move(-10)", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("home", "move(-1000000)", show=False),
        Binding("end", "move(1000000)", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class Highlighted(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[ItemResult] = []
        self.sent_nothing = False  # the request was refused whole: no item went out

    def set_items(
        self, items: list[ItemResult], cursor: int = 0, *, sent_nothing: bool = False
    ) -> None:
        self.items = items
        self.sent_nothing = sent_nothing
        self.virtual_size = Size(self.size.width, len(items))
        self.set_reactive(ItemsView.cursor, min(cursor, max(0, len(items) - 1)))
        self.scroll_to(y=max(0, self.cursor - 2), animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self.cursor))

    @property
    def row_count(self) -> int:
        return len(self.items)

    def row_text(self, index: int) -> str:
        """One row as plain text (what tests and screen readers see)."""
        item = self.items[index]
        label, _ = self._result(item)
        code = next((str(e.code) for e in item.errors if e.code is not None), "")
        recipient = display_recipient(item.recipient, is_masked(self))
        cells = (str(index + 1), recipient, label, code)
        columns = zip(cells, COLUMNS, strict=True)
        return "".join(c[: w - 1].ljust(w) for c, (_, w) in columns) + item_notes(item)

    def _result(self, item: ItemResult) -> tuple[str, str]:
        return NOT_SENT if self.sent_nothing and item.ok is False else RESULTS[item.ok]

    def action_move(self, delta: int) -> None:
        if self.items:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + delta))

    def watch_cursor(self, cursor: int) -> None:
        top = self.scroll_offset.y
        if cursor < top:
            self.scroll_to(y=cursor, animate=False)
        elif cursor >= top + self.size.height:
            self.scroll_to(y=cursor - self.size.height + 1, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(cursor))

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.items):
            return Strip.blank(width, base)
        text = Text(self.row_text(index), style=base, no_wrap=True, overflow="ellipsis", end="")
        _, kind = self._result(self.items[index])
        start = COLUMNS[0][1] + COLUMNS[1][1]
        text.stylize(self.get_component_rich_style(f"items--{kind}"), start, start + COLUMNS[2][1])
        if index == self.cursor and self.has_focus:
            text.stylize(self.get_component_rich_style("items--cursor"))
        elif index == self.cursor:
            text.stylize(Style(bold=True))
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, base).simplify()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.items))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
