"""How outcomes, times and latencies read on screen: one place, so every view agrees.

Styles are theme variables inside Textual markup, never literal colours, so the badges follow
the theme. Each outcome must be unmistakable even without colour: a symbol and a word.

Times: every view shows the session's zone (the profile's, else the machine's: ``Session.zone``)
and names it, on the time itself or in the heading of a list of times. A send's time is when it
started (the journal's ``created_at``). Latencies read ``42 ms`` or ``30.0 s``, everywhere.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual.content import Content

# (markup style, label). Unknown is the loudest: it is the one that needs a human decision.
_BADGES: dict[str, tuple[str, str]] = {
    "accepted": ("b $text-success on $success-muted", "✓ ACCEPTED"),
    "partial": ("b $text-warning on $warning-muted", "◐ PARTIAL"),
    "failed": ("b $text-error on $error-muted", "✗ FAILED"),
    "rejected": ("b $background on $error", "⊘ REJECTED"),
    "unknown": ("b $background on $warning", "? UNKNOWN"),
    "pending": ("dim", "… PENDING"),
}
UNKNOWN_ADVICE = "UNKNOWN — may have been sent; check before resending"


BADGE_WIDTH = max(len(label) for _, label in _BADGES.values()) + 2


def badge(outcome: object, *, long: bool = False) -> Content:
    """``✓ ACCEPTED`` and friends in the outcome's style (an ``Outcome`` or its value).

    Short badges share one width so that they line up in lists.
    """
    key = str(getattr(outcome, "value", outcome))
    style, label = _BADGES.get(key, _BADGES["unknown"])
    if long and key == "unknown":
        return Content.styled(f" ? {UNKNOWN_ADVICE} ", style)
    return Content.styled(f" {label} ".ljust(BADGE_WIDTH), style)


def format_time(when: datetime, tz: tzinfo | None = None, *, zone: bool = False) -> str:
    """``09:30:00`` in ``tz`` (``09:30:00 IST`` with ``zone``); under a heading that names the
    zone (``zone_label``), a list shows the time alone."""
    local = when.astimezone(tz)
    return f"{local:%H:%M:%S} {zone_abbreviation(local)}" if zone else f"{local:%H:%M:%S}"


def format_moment(when: datetime, tz: tzinfo | None = None, *, zone: bool = True) -> str:
    """``2026-11-27 09:30:00 IST``: a date, a time and the zone."""
    local = when.astimezone(tz)
    stamp = f"{local:%Y-%m-%d %H:%M:%S}"
    return f"{stamp} {zone_abbreviation(local)}" if zone else stamp


def zone_abbreviation(local: datetime) -> str:
    """``IST``, ``CET``, or the offset (``+04``) where the zone has no abbreviation."""
    return local.tzname() or local.strftime("%z")


def zone_label(tz: tzinfo | None, when: datetime) -> str:
    """The zone a list of times is shown in, for its heading: ``IST``."""
    return zone_abbreviation(when.astimezone(tz))


def format_latency(latency_ms: float | None) -> str:
    if latency_ms is None:
        return "—"
    if latency_ms < 1000:
        return f"{latency_ms:.0f} ms"
    return f"{latency_ms / 1000:.1f} s"


def format_status(http_status: int | None) -> str:
    return "—" if http_status is None else str(http_status)
