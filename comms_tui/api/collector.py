"""Pausing Python's cyclic garbage collector while objects that live on are made.

Shared by the answer reader (``jsonread``), the client and the app's start: one count of pauses
for the whole process, so one pause ending never turns the collector back on under another.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while many objects that live on are made: a large
    answer read (hundreds of thousands of dicts and lists, no cycles), the app's imports and
    widgets. Each of them would otherwise set off full collections of every object in the
    process, holding the GIL for tens of milliseconds. Reference counting still frees them.
    Pauses in several threads at once: the collector comes back after the last, with what is
    alive then frozen (``gc.freeze``). Hold it over the use of a document too, until it is let
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
