"""How outcomes, times and latencies read on screen: one place, so every view agrees.

Styles are theme variables inside Textual markup, never literal colours, so the badges follow
the theme. Each outcome must be unmistakable even without colour: a symbol and a word.
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


def format_time(when: datetime, tz: tzinfo | None = None) -> str:
    return when.astimezone(tz).strftime("%H:%M:%S")


def format_latency(latency_ms: float | None) -> str:
    if latency_ms is None:
        return "—"
    if latency_ms < 1000:
        return f"{latency_ms:.0f} ms"
    return f"{latency_ms / 1000:.1f} s"


def format_status(http_status: int | None) -> str:
    return "—" if http_status is None else str(http_status)
