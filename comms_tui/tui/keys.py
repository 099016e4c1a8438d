"""Keys as terminals really send them, handled in the order they were typed.

Three things Textual does not do for us:

- **alt+digit and alt+enter.** Most terminals (xterm, GNOME Terminal, tmux, iTerm2 in its Esc+
  mode) send alt+1 as ESC then ``1``. Textual reads ``ESC 1`` … ``ESC 4`` as the characters a
  Mac's US keyboard types with Option (``¡ ™ £ ¢``, for WezTerm on macOS), so the documented tab
  keys typed those characters into the focused field; and it has no entry for ``ESC CR``, which
  it reads as a plain Enter. ``teach_alt_keys`` maps these sequences to the keys the app binds.
  A ``£`` typed on a UK keyboard arrives as the character itself, not as ``ESC 3``, and stays a
  ``£``. Terminals with the kitty keyboard protocol already report alt+1 as alt+1.
- **Keys in one burst.** Textual hands each key to the focused widget's queue and goes on to
  the next key at once, so a fast typist's (or a paste without bracketed paste) ``To<Tab>Body``
  put everything in To: the Tab moved focus only after it had bubbled up to the screen, by which
  time the rest had been queued to the old field. ``KeysInOrder`` hands over the next key only
  once the previous one and what it set off have been handled, as if typed slowly.
- **Typed characters that are text but not "printable".** A field inserts a key's character
  only when ``str.isprintable()``, so typing dropped the joiners emoji are made of (👨‍👩‍👧 became
  👨👩👧), a flag's tag characters, right-to-left marks, no-break and ideographic spaces, and every
  character newer than Python's Unicode tables (Python 3.11: emoji since 2022). ``typed_text``
  finds them; the app inserts them as a paste of that one character would.
"""

from __future__ import annotations

import enum
import unicodedata
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import App
from textual.dom import DOMNode

if TYPE_CHECKING:
    from textual.timer import Timer

ALT_DIGITS = 4  # alt+1 … alt+4: one per channel


class _AltKey(str, enum.Enum):
    """Key names for the parser's table (it reads ``.value`` from each entry)."""

    ALT_1 = "alt+1"
    ALT_2 = "alt+2"
    ALT_3 = "alt+3"
    ALT_4 = "alt+4"
    ALT_ENTER = "alt+enter"


ALT_SEQUENCES: dict[str, _AltKey] = {
    **{f"\x1b{n}": _AltKey(f"alt+{n}") for n in range(1, ALT_DIGITS + 1)},
    "\x1b\r": _AltKey.ALT_ENTER,
}


def teach_alt_keys() -> None:
    """Read ESC+digit as alt+digit and ESC+CR as alt+enter (idempotent, process-wide).

    The parser's table is module state in Textual; there is no public hook for it."""
    from textual import _ansi_sequences

    table = cast("dict[str, Any]", _ansi_sequences.ANSI_SEQUENCES_KEYS)
    for sequence, key in ALT_SEQUENCES.items():
        table[sequence] = (key,)


# Control characters, surrogates, line and paragraph separators: the only characters a key
# brings that are not text to insert.
NOT_TEXT = frozenset({"Cc", "Cs", "Zl", "Zp"})


def typed_text(key: events.Key) -> str | None:
    """The character ``key`` types that a Textual field would drop (see the module's notes),
    or None when the field handles the key itself."""
    character = key.character
    if character is None or len(character) != 1 or key.is_printable:
        return None
    return None if unicodedata.category(character) in NOT_TEXT else character


class KeysInOrder:
    """Hands keys (and pastes) to the app one at a time: the next waits until the previous one
    has been handled where it went, has bubbled up to the app (where the bindings run), and
    what that posted on the way (``Input.Submitted`` moving focus, say) has been handled too.

    Cheap: a key costs two trips of a callback from the focused widget up to the app."""

    PASSES = 2  # the key's own trip, then what its handlers posted on the way
    RELEASE_AFTER = 1.0  # seconds: a handler that hangs must not hold the keyboard forever

    def __init__(self, app: App[Any], handle: Callable[[events.Event], Awaitable[None]]) -> None:
        self.app = app
        self._handle = handle  # what Textual does with a key or paste that has just arrived
        self.pending: deque[events.Event] = deque()
        self._ticket = 0  # the key in flight (0: none; -1: the next is about to go)
        self._count = 0
        self._valve: Timer | None = None

    async def receive(self, event: events.Event) -> None:
        if self._ticket:
            self.pending.append(event)
        else:
            await self._hand_over(event)

    async def _hand_over(self, event: events.Event) -> None:
        self._count += 1
        ticket = self._ticket = self._count
        await self._handle(event)
        if ticket != self._ticket:
            return
        node: DOMNode = self.app.focused or self.app.screen
        trip = list(node.ancestors_with_self) * self.PASSES  # each ends with the app
        self._valve = self.app.set_timer(self.RELEASE_AFTER, lambda: self._done(ticket))
        self._step(ticket, trip, 0)

    def _step(self, ticket: int, trip: list[DOMNode], index: int) -> None:
        while index < len(trip):
            # Runs after everything already queued at that node, the key included.
            if trip[index].call_later(self._step, ticket, trip, index + 1):
                return
            index += 1  # that node is gone: nothing more will arrive there
        self._done(ticket)

    def _done(self, ticket: int) -> None:
        if ticket != self._ticket:
            return  # released already (by the valve, or the trip ended late)
        if self._valve is not None:
            self._valve.stop()
            self._valve = None
        if self.pending:
            self._ticket = -1
            self.app.call_later(self._next)
        else:
            self._ticket = 0

    async def _next(self) -> None:
        await self._hand_over(self.pending.popleft())
