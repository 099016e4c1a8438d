"""JSON text that a terminal cannot act on: the request body on the wire, and JSON shown to a user.

``json.dumps(ensure_ascii=False)`` escapes the C0 controls (ESC is written ``\\u001b``) but leaves
DEL, the C1 controls (U+009B is an 8-bit CSI, U+0085 a line end), the bidi controls (U+202E makes
the text after it read backwards), the line separators and the invisible characters as they
are. Printed, a terminal obeys them. Written as ``\\uXXXX`` escapes they are the same JSON
document for any reader, so the text can be printed as it is and stays exact to copy or run
(``--curl``, ``--dry-run``); every other non-ASCII character stays readable UTF-8.
"""

from __future__ import annotations

import json
import re

__all__ = ["dumps"]

# Every character ``comms_tui.core.text.visible`` would replace that JSON leaves raw: DEL and
# the C1 controls, the Arabic letter mark, zero-width space, LRM/RLM, bidi embeddings, overrides
# and isolates, word joiner, BOM, and the line and paragraph separators.
_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff]"
)


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps(
    value: object, *, indent: int | None = None, separators: tuple[str, str] | None = None
) -> str:
    """``value`` as JSON (UTF-8 text, as ``json.dumps(ensure_ascii=False)`` writes it) with every
    character a terminal could act on written as a ``\\uXXXX`` escape."""
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    # Outside strings JSON has only ASCII: every match is inside a string literal.
    return _UNSAFE.sub(_escaped, text)
