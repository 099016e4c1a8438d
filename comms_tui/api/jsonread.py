"""``json.loads`` for large answers that lets other threads run while it reads.

``json.loads`` holds the GIL for the whole document: 4 MB holding 50 000 items take 0.2 s, and
the TUI's event loop, in another thread, stands still for all of it. Here the outer levels
(the answer object, its item lists) are walked in Python, and each value below them is decoded
by the same C decoder on its own: between two values, Python's thread switch lets the event loop
in. The result, and every error (``ValueError``, ``RecursionError``), is what ``json.loads``
gives.
"""

from __future__ import annotations

import json
from typing import Any

from comms_tui.api.collector import collector_paused

SMALL_CHARS = 256 * 1024  # below this, json.loads in one call is quick enough
WALKED_DEPTH = 2  # the answer object (0), its lists (1), their items (2): deeper values whole

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


def loads(text: str) -> Any:
    """The JSON value ``text`` holds, as ``json.loads(text)`` would return it."""
    if len(text) < SMALL_CHARS:
        return json.loads(text)
    with collector_paused():
        value, end = _value(text, _skip(text, 0), 0)
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip(text, end))
    return value


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _value(text: str, index: int, depth: int) -> tuple[Any, int]:
    opening = text[index : index + 1]
    if depth >= WALKED_DEPTH or opening not in ("{", "["):
        return _DECODER.raw_decode(text, index)
    if opening == "[":
        return _array(text, index, depth)
    return _object(text, index, depth)


def _array(text: str, index: int, depth: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    index = _skip(text, index + 1)
    if text[index : index + 1] == "]":
        return items, index + 1
    while True:
        item, index = _value(text, index, depth + 1)
        items.append(item)
        index = _skip(text, index)
        separator = text[index : index + 1]
        if separator == "]":
            return items, index + 1
        if separator != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip(text, index + 1)


def _object(text: str, index: int, depth: int) -> tuple[dict[str, Any], int]:
    members: dict[str, Any] = {}
    index = _skip(text, index + 1)
    if text[index : index + 1] == "}":
        return members, index + 1
    while True:
        if text[index : index + 1] != '"':
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, index
            )
        key, index = _DECODER.raw_decode(text, index)
        index = _skip(text, index)
        if text[index : index + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, index)
        members[key], index = _value(text, _skip(text, index + 1), depth + 1)
        index = _skip(text, index)
        separator = text[index : index + 1]
        if separator == "}":
            return members, index + 1
        if separator != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip(text, index + 1)
