"""A one-line input whose value may hold control characters: a file name read from disk, a
recipient from a draft, a pasted line.

Textual's ``Input`` draws its value through Rich, which obeys a line end or a tab (the rest of
the line drawn on the next row, stale characters left behind) and drops BEL, backspace and CR
(the cursor then falls out of step with the text): a highlighter cannot bring back what Rich
dropped before it ran. Here each of them is drawn as its one-cell stand-in (``␊``, ``␇``), and
the value is left as it is (a path must still open its file).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Input

from comms_tui.tui.plain import one_cell_each


class PlainInput(Input):
    @property
    def _value(self) -> Text:
        """What Textual draws (``Input._value``): the value with its stand-ins."""
        if self.password:
            return super()._value
        text = Text(one_cell_each(self.value), no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:
        """Where the cursor is drawn, as ``_value`` draws what is before it (Textual counts a
        control character as no cell, and a tab as four), so that it scrolls into view."""
        return cell_len(one_cell_each(self.value[:position]))
