"""``json.loads`` for large answers that lets other threads run while it reads.

``json.loads`` holds the GIL for the whole document: 4 MB holding 50 000 items take 0.2 s, and
the TUI's event loop, in another thread, stands still for all of it. Here the outer levels
(the answer object, its item lists) are walked in Python, and each value below them is decoded
by the same C decoder on its own: between two values, Python's thread switch lets the event loop
in. The result, and every error (``ValueError``, ``RecursionError``), is what ``json.loads``
gives.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a document is read: hundreds of thousands of new
    dicts and lists (which form no cycles) set off full collections of every object in the
    process, each holding the GIL for tens of milliseconds. Reference counting still frees them.
    Reads in several threads at once: the collector comes back after the last, with what is
    alive then frozen (``gc.freeze``). Hold it over the use of the document too, until it is let
    go: else what is frozen includes the whole document."""
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                # What survived the read (an answer's items, kept to be shown) leaves the
                # collector's reach: its next full pass would walk every one of them, holding
                # the GIL for tens of milliseconds. Reference counting still frees them; only a
                # cycle left over from the pause would stay (a few objects, at most).
                gc.freeze()
                gc.enable()


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
