"""Foreign text made safe to show: what a server, a file name or a hand-edited file says is data.

A terminal obeys the control characters in what it prints (``ESC ]52;…`` writes the clipboard,
``ESC [2J`` clears the screen), and bidi overrides make a file name read backwards. ``visible``
keeps every character a person should see and shows every one they should not as a visible
stand-in, so the text reads the same and does nothing. Front-ends run foreign text through it
before printing (the CLI) or before putting it in a widget as plain text (the TUI), never as markup.
"""

from __future__ import annotations

import re

# C0 controls but newline, DEL, C1 controls; bidi embeddings, overrides and isolates; line and
# paragraph separators (they break a line where a terminal does not expect it); characters that
# take no room and join nothing (zero-width space, word joiner, BOM: `invoice\u200b.pdf` reads
# as `invoice.pdf`). The zero-width joiners stay: emoji and Indic scripts need them.
_HIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069"
    "\u2028\u2029\ufeff]"
)
_HIDDEN_NO_NEWLINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff]"
)


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC, ␀ for NUL…
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def visible(text: str, *, newlines: bool = True) -> str:
    """``text`` with every control character shown as a visible stand-in (``ESC`` → ``␛``,
    U+202E → ``<U+202E>``). Newlines are kept unless ``newlines`` is False (a one-line field)."""
    pattern = _HIDDEN if newlines else _HIDDEN_NO_NEWLINE
    return pattern.sub(_stand_in, text)


def shortened(text: str, limit: int) -> str:
    """At most ``limit`` characters, saying how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def safe_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON that reads back exactly, with every character a terminal could act on
    written as a ``\\uXXXX`` escape (other non-ASCII text stays readable)."""
    from comms_tui.api import jsontext

    return jsontext.dumps(value, indent=indent)
