"""Recipients: several numbers or addresses, each checked and shown normalised with its country.

Every place that shows a recipient goes through ``display_recipient``, which masks them for
screen sharing when asked (``comms_tui.tui.masking``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content

from comms_tui.api.errors import InvalidInput
from comms_tui.tui import masking

MAX_PREVIEW = 6  # lines of recipients shown before "… and N more"


def display_recipient(recipient: str, masked: bool = False) -> str:
    """A recipient as the UI shows it (the single hook for masking)."""
    return masking.display_recipient(recipient, masked)


@dataclass(frozen=True)
class Checked:
    """One typed entry and what it means: the normalised form + country, or the problem."""

    typed: str
    value: str | None
    detail: str = ""
    error: str | None = None
    region: str | None = None  # phones: the number's country code (ISO), for sender-ID rules


def check_phones(entries: list[str], region: str | None) -> list[Checked]:
    from comms_tui.api.phones import normalise_phone

    checked = []
    for entry in entries:
        try:
            phone = normalise_phone(entry, region)
        except InvalidInput as exc:
            checked.append(Checked(entry, None, error=exc.message))
        else:
            checked.append(Checked(entry, phone.digits, detail=phone.country, region=phone.region))
    return checked


def check_emails(entries: list[str]) -> list[Checked]:
    from comms_tui.api.models import validate_email

    checked = []
    for entry in entries:
        try:
            checked.append(Checked(entry, validate_email(entry)))
        except InvalidInput as exc:
            checked.append(Checked(entry, None, error=exc.message))
    return checked


def preview(checked: list[Checked], masked: bool = False) -> Content:
    """``✓ 919591471711 · India`` per line; problems stay in the error line under the field."""
    lines: list[Content] = []
    for item in checked[:MAX_PREVIEW]:
        if item.value is None:
            typed = display_recipient(item.typed, masked)
            lines.append(Content.styled(f"✗ {typed}", "$text-error"))
            continue
        line = Content.assemble(("✓ ", "$text-success"), display_recipient(item.value, masked))
        if item.detail:
            line += Content.styled(f" · {item.detail}", "dim")
        lines.append(line)
    if len(checked) > MAX_PREVIEW:
        lines.append(Content.styled(f"… and {len(checked) - MAX_PREVIEW} more", "dim"))
    return Content("\n").join(lines)
