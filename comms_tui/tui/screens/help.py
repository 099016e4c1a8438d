"""F1: the keys, where they work, and the sandbox's magic recipients."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+j  alt+enter", "Send the visible form"),
    ("alt+1 … alt+4", "SMS · Email · WhatsApp · Zalo (1…4 when not typing)"),
    ("tab  shift+tab", "Next / previous field"),
    ("ctrl+l", "Clear the form and its draft"),
    ("ctrl+o", "Attach a file (email)"),
    ("ctrl+t", "Fill in a saved template (SMS, WhatsApp, Zalo)"),
    ("ctrl+r", "Go to the results"),
    ("e  c  r", "In results: request/response · copy as curl · copy response"),
    ("f  x", "In results: resend the failed items · export as JSON"),
    ("f2  h", "History of sends (h when not typing)"),
    ("f3", "Outbox: what each recipient received (sandbox)"),
    ("f4", "Sender-ID lab: which sender IDs work for which OU"),
    ("f6", "Mask recipients (9195*****711) for screen sharing"),
    ("ctrl+p", "Command palette: every action, themes"),
    ("f1", "This help"),
    ("ctrl+q", "Quit"),
)

SANDBOX_NOTES: tuple[tuple[str, str], ...] = (
    ("12025550101", "do not disturb: that item fails with 4209 (a partial failure)"),
    ("12025550102", "accepted with warning 9001"),
    ("12025550144", "connection dropped: outcome unknown"),
    ("12025550150", "HTTP 500: the server reported an error (rejected)"),
)


def _table(rows: tuple[tuple[str, str], ...], width: int) -> Content:
    return Content("\n").join(
        Content.assemble((key.ljust(width), "b $accent"), text) for key, text in rows
    )


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", tooltip="Close the help"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Label("comms-tui — keys", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(_table(KEYS, 20), id="help-keys")
                yield Label("Sandbox recipients that misbehave on purpose", classes="help-heading")
                yield Static(_table(SANDBOX_NOTES, 20), id="help-sandbox")
                yield Static(
                    Content.styled(
                        "Recipients: several numbers or addresses separated by commas, semicolons "
                        "or new lines; each gets its own message. Schedule: now, +15m, "
                        "tomorrow 09:00 or an ISO time, read in the profile's time zone.",
                        "dim",
                    ),
                    classes="help-note",
                )
            yield Label("esc to close", id="help-footer")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
