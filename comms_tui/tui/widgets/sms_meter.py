"""The SMS meter under the message: encoding, segments, characters left, what forced UCS-2."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

MAX_SHOWN_CHARS = 6


def describe(text: str) -> Content:
    """``GSM-7 · 2 segments · 146 left`` or ``UCS-2 (because of: é ✓) · 1 segment · 52 left``."""
    from comms_tui.api.sms import measure_sms

    m = measure_sms(text)
    encoding = Content(m.encoding)
    if m.ucs2_chars:
        shown = " ".join(_visible(c) for c in m.ucs2_chars[:MAX_SHOWN_CHARS])
        if len(m.ucs2_chars) > MAX_SHOWN_CHARS:
            shown += " …"
        encoding = Content.assemble(
            (m.encoding, "b $text-warning"), " (because of: ", (shown, "b"), ")"
        )
    segments = f"{m.segments} segment" + ("" if m.segments == 1 else "s")
    parts = [encoding, Content(segments), Content(f"{m.remaining} left")]
    if m.segments > 1:
        parts.append(Content.styled(f"{m.per_segment} per segment", "dim"))
    return Content(" · ").join(parts)


def _visible(char: str) -> str:
    """Invisible characters that force UCS-2 (zero-width, NBSP…) named instead of shown."""
    if char.isprintable() and not char.isspace():
        return char
    return f"U+{ord(char):04X}"


class SmsMeter(Static):
    """Call ``measure(text)`` as the message changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="sms-meter")

    def measure(self, text: str) -> None:
        self.update(describe(text))
