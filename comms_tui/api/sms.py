"""SMS text rules: GSM-7 vs UCS-2 encoding, segment counting, and sender IDs.

``measure_sms`` runs on every keystroke and for 1,000-message batches, so the common cases
(pure GSM-7 without extension characters, UCS-2 without emoji) are counted arithmetically with
C-speed set and codec operations; only text where a 2-unit character could straddle a segment
boundary is walked character by character.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from comms_tui.api.errors import InvalidInput
from comms_tui.api.phones import country_name

__all__ = [
    "ALPHA_SENDER_UNSUPPORTED_REGIONS",
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "SmsMeasure",
    "measure_sms",
    "sender_warning",
    "validate_sender_id",
]

# GSM 03.38 default alphabet (the 0x1B escape itself is not a character you can type).
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as escape + character, so it costs 2 septets.
GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")
_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION

# (single-part limit, per-part limit once split): a multipart SMS spends 6 bytes on its header.
_GSM7_LIMITS = (160, 153)
_UCS2_LIMITS = (70, 67)
_UTF16 = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"  # so cast("H") reads units

ALPHA_SENDER_UNSUPPORTED_REGIONS = frozenset({"US", "CA", "PR"})
_ALNUM = re.compile(r"[A-Za-z0-9]+")
_MAX_ALPHA_SENDER = 11
_MAX_NUMERIC_SENDER = 15


@dataclass(frozen=True)
class SmsMeasure:
    """How a text goes over the air: the encoding, its cost in units and segments."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int
    remaining: int  # units left in the last segment before another one is needed
    ucs2_chars: tuple[str, ...]  # the characters that forced UCS-2, in order of first use


def measure_sms(text: str) -> SmsMeasure:
    """Encoding, size and segment count of ``text`` as an SMS (0 segments for empty text)."""
    if _GSM7_ALL.issuperset(text):
        if GSM7_BASIC.issuperset(text):
            return _pack("GSM-7", text, _GSM7_LIMITS, None, ())
        # Spell each extension character as the escape + character pair it is sent as
        # (a replace per character present is much faster than str.translate).
        septets = text
        for char in GSM7_EXTENSION.intersection(text):
            septets = septets.replace(char, "\x1b" + char)
        return _pack("GSM-7", septets, _GSM7_LIMITS, _splits_escape, ())
    ucs2 = tuple(c for c in dict.fromkeys(text) if c not in _GSM7_ALL)  # ordered, distinct
    # surrogatepass: a lone surrogate (only from broken input) still counts as one unit.
    utf16 = text.encode(_UTF16, "surrogatepass")
    if len(utf16) == 2 * len(text):
        return _pack("UCS-2", text, _UCS2_LIMITS, None, ucs2)
    return _pack("UCS-2", memoryview(utf16).cast("H"), _UCS2_LIMITS, _splits_surrogates, ucs2)


def _splits_escape(units: Sequence[str | int], end: int) -> bool:
    return units[end - 1] == "\x1b"


def _splits_surrogates(units: Sequence[str | int], end: int) -> bool:
    high, low = units[end - 1], units[end]
    return isinstance(high, int) and 0xD800 <= high <= 0xDBFF and 0xDC00 <= int(low) <= 0xDFFF


def _pack(
    encoding: Literal["GSM-7", "UCS-2"],
    units: Sequence[str | int],
    limits: tuple[int, int],
    splits_pair: Callable[[Sequence[str | int], int], bool] | None,
    ucs2: tuple[str, ...],
) -> SmsMeasure:
    """Split ``units`` (septets or UTF-16 code units) into segments.

    ``splits_pair(units, end)`` tells whether a segment ending before ``end`` would split a pair
    that must travel together (escape + extension character, or a surrogate pair); the pair
    then moves whole to the next segment. Only the boundaries are inspected, not every unit.
    """
    single, multi = limits
    total = len(units)
    if total <= single:
        return SmsMeasure(encoding, total, 1 if total else 0, single, single - total, ucs2)
    segments, start = 1, 0
    while total - start > multi:
        end = start + multi
        if splits_pair is not None and splits_pair(units, end):
            end -= 1
        segments, start = segments + 1, end
    return SmsMeasure(encoding, total, segments, multi, multi - (total - start), ucs2)


def validate_sender_id(text: str) -> str:
    """A sender ID: 1–11 letters and digits with at least one letter, or 1–15 digits."""
    sender = text.strip()
    if not sender:
        raise InvalidInput(
            "Sender ID is empty: use up to 11 letters and digits, or leave it out to use the "
            "org's default sender",
            field="sender",
        )
    if not _ALNUM.fullmatch(sender):
        bad = next(c for c in sender if not _ALNUM.fullmatch(c))
        shown = "a space" if bad.isspace() else f"“{bad}”"
        raise InvalidInput(
            f"Sender ID “{sender}” contains {shown}: use only letters A–Z and digits 0–9",
            field="sender",
        )
    if sender.isdigit():
        if len(sender) > _MAX_NUMERIC_SENDER:
            raise InvalidInput(
                f"Numeric sender “{sender}” has {len(sender)} digits; "
                f"the limit is {_MAX_NUMERIC_SENDER}",
                field="sender",
            )
    elif len(sender) > _MAX_ALPHA_SENDER:
        raise InvalidInput(
            f"Sender ID “{sender}” has {len(sender)} characters; one with letters can have at "
            f"most {_MAX_ALPHA_SENDER} (a sender of digits only can have up to "
            f"{_MAX_NUMERIC_SENDER})",
            field="sender",
        )
    return sender


def sender_warning(sender: str, region: str | None) -> str | None:
    """A warning when a letter sender ID goes where carriers don't accept them, else None."""
    name = sender.strip()
    if not region or not any(c.isalpha() for c in name):
        return None
    if region.upper() not in ALPHA_SENDER_UNSUPPORTED_REGIONS:
        return None
    return (
        f"Carriers in {country_name(region)} don't accept letter sender IDs like “{name}”: "
        "the message may be blocked or arrive from a number instead"
    )
