"""Recipients as the screen shows them: the one place masking (for screen sharing) happens.

``display_recipient(value, masked)`` is pure; ``Masking`` is the switch the app owns, with a
signal that the widgets showing recipients subscribe to so they re-render when it flips.
Masked phones read ``9195*****711`` (as ``PhoneNumber.masked``), emails ``u***@example.com``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.signal import Signal

from comms_tui.core.text import visible

if TYPE_CHECKING:
    from textual.dom import DOMNode

# What a typed or normalised phone may contain besides digits (no letters: those are not phones).
_PHONE = re.compile(r"[0-9+\s\-.()/]*[0-9][0-9+\s\-.()/]*")
_NON_DIGITS = re.compile(r"[^0-9]")


def mask_phone(digits: str) -> str:
    """``PhoneNumber.masked`` for a bare digit string (no parsing: display only)."""
    from comms_tui.api.phones import PhoneNumber

    return PhoneNumber(digits=digits, region=None, country="").masked()


def mask_email(address: str) -> str:
    """``u***@example.com``: the first character of the local part, the domain as is."""
    local, _, domain = address.strip().rpartition("@")
    return visible(f"{local[:1]}***@{domain}", newlines=False)


def display_recipient(value: str, masked: bool) -> str:
    """A recipient for display; when ``masked``, nothing that identifies the person remains.
    Control characters are made visible (a recipient may come from the journal or a server)."""
    if not masked:
        return visible(value, newlines=False)
    text = value.strip()
    if "@" in text and text.rpartition("@")[0]:
        return mask_email(text)
    if _PHONE.fullmatch(text):
        return mask_phone(_NON_DIGITS.sub("", text))
    # Neither (a typo, an unparseable entry): it may still be most of a number or an address.
    return visible(f"{text[:1]}***", newlines=False) if text else ""


def mask_text(text: str, recipients: Iterable[str], masked: bool) -> str:
    """``text`` (a raw body, a dialog) with each known recipient replaced by its masked form."""
    if not masked:
        return text
    for recipient in sorted({r for r in recipients if r}, key=len, reverse=True):
        text = text.replace(recipient, display_recipient(recipient, True))
    return text


class Masking:
    """Whether recipients are masked now. Owned by the app; widgets subscribe to ``changed``."""

    def __init__(self, owner: DOMNode, *, masked: bool = False) -> None:
        self.masked = masked
        self.changed: Signal[bool] = Signal(owner, "masking-changed")

    def set(self, masked: bool) -> None:
        if masked != self.masked:
            self.masked = masked
            self.changed.publish(masked)

    def toggle(self) -> bool:
        self.set(not self.masked)
        return self.masked

    def show(self, value: str) -> str:
        return display_recipient(value, self.masked)


def masking_of(node: DOMNode) -> Masking | None:
    """The app's ``Masking`` (an app without one, e.g. a test host, never masks)."""
    try:
        app = node.app
    except RuntimeError:  # NoActiveAppError: not attached to an app yet, nothing to mask with
        return None
    masking = getattr(app, "masking", None)
    return masking if isinstance(masking, Masking) else None


def is_masked(node: DOMNode) -> bool:
    masking = masking_of(node)
    return masking is not None and masking.masked
