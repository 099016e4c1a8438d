"""Foreign text on screen: plain text, never markup; control characters visible; long text cut.

Whatever did not come from our own code — server messages and request ids, file, profile and
template names, drafts and anything else read from disk — goes through here before a widget,
notification or modal shows it. Textual reads a plain ``str`` given to ``Static``, ``Label``,
``notify`` or an option list as markup (``[/]`` raises, ``[@click=app.quit]`` becomes an action),
and the terminal obeys control characters (``ESC [2J`` clears the screen): ``shown`` and
``plain`` make both harmless, and cut text long enough to stall the screen (a 5 MB server
message), saying how much was left out. The raw view and "copy response" keep the whole text.
"""

from __future__ import annotations

import re

from rich.highlighter import Highlighter
from rich.text import Text
from textual.content import Content

from comms_tui.core.text import shortened, visible

SHOWN_CHARS = 2_000  # of one foreign string in a line, a detail or a notification
TEXT_MAX_CHARS = 100_000  # of a message field (an email's HTML included); more is cut


def shown(text: object, limit: int | None = SHOWN_CHARS, *, newlines: bool = True) -> str:
    """``text`` as it may appear on screen: at most ``limit`` characters (saying how many more
    there were), every control character as a visible stand-in (``ESC`` → ``␛``)."""
    raw = text if isinstance(text, str) else str(text)
    if limit is not None:
        raw = shortened(raw, limit)
    return visible(raw, newlines=newlines)


def plain(text: object, limit: int | None = SHOWN_CHARS, *, style: str = "") -> Content:
    """``shown(text)`` as Content: a widget shows it exactly, never as markup."""
    return Content.styled(shown(text, limit), style) if style else Content(shown(text, limit))


# What a terminal would obey: C0 controls but tab and newline, DEL, C1 controls.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def editable(text: str) -> str:
    """Text put back into an input from disk (a draft, the history, a profile's template): each
    character a terminal would obey as a visible stand-in (``ESC`` → ``␛``); everything else as
    it was typed — tabs, newlines, and the direction and joining marks right-to-left and Indic
    text needs (made visible, they became literal ``<U+200F>`` in the message that was sent)."""
    return _TERMINAL_CONTROLS.sub(_one_cell, text)


# What a one-line input must not draw as it is: every control character (a tab and a line end
# too: a file name may hold them, and the line would break), and the marks that reorder text.
_ONE_CELL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _one_cell(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC
    return "␡" if code == 0x7F else "�"


def one_cell_each(text: str) -> str:
    """``text`` as a one-line input draws it: each control character (tab and line end too)
    and each mark that reorders text as a one-cell stand-in (``␊``, ``␛``, ``�``)."""
    return _ONE_CELL.sub(_one_cell, text)


class ControlsVisible(Highlighter):
    """For an ``Input`` whose value may be foreign (a file path, pasted text): each control
    character is drawn as a one-cell stand-in (``␛``, ``�``), so the cursor stays in step; the
    value itself is untouched (a path must still open its file). Rich drops BEL, backspace and
    CR before a highlighter sees the text: ``PlainInput`` draws those too."""

    def highlight(self, text: Text) -> None:
        drawn = one_cell_each(text.plain)
        if drawn != text.plain:
            text.plain = drawn
