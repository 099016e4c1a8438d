"""F1: the keys, where they work, and the sandbox's magic recipients."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+j  alt+enter", "Send the visible form"),
    ("ctrl+pgdn  ctrl+pgup", "Next / previous channel: SMS · Email · WhatsApp · Zalo"),
    ("alt+1 … alt+4", "SMS · Email · WhatsApp · Zalo (1…4 when not typing)"),
    ("tab  shift+tab", "Next / previous field"),
    ("ctrl+l", "Clear the form and its draft (asks first)"),
    ("ctrl+o", "Attach a file (email)"),
    ("ctrl+t", "Fill in a saved template (SMS, WhatsApp, Zalo)"),
    ("ctrl+r", "Go to the results (below 100 columns they take the form's place)"),
    (
        "esc",
        "Back: closes a screen; from the results, back to the form; while sending, stops "
        "the send (asking first once it may have gone out)",
    ),
    ("e  c  r", "In results: request/response · copy as curl · copy response"),
    ("f  x", "In results: resend the failed items · export as JSON"),
    ("f2  h", "History of sends (h when not typing)"),
    ("f3", "Outbox: what each recipient received (sandbox)"),
    ("f4", "Sender-ID lab: which sender IDs work for which OU"),
    ("f6", "Mask recipients (9195*****711) for screen sharing, until f6 again"),
    ("ctrl+p", "Command palette: every action, themes"),
    ("f1", "This help"),
    ("ctrl+q", "Quit"),
)

# The sandbox's magic recipients (README "The sandbox"), each with what a send to it ends as.
SANDBOX_NOTES: tuple[tuple[str, str], ...] = (
    ("12025550100", "accepted"),
    ("12025550101", "that item fails: 4209 do not disturb (a partial failure)"),
    ("12025550102", "accepted with warning 9001"),
    ("12025550129", "HTTP 429: waits, retries once, then rejected"),
    ("12025550150", "HTTP 500: the server reported an error (rejected)"),
    ("12025550153", "HTTP 503: waits, retries once, then rejected"),
    ("12025550140", "stalls 40 s, past the read timeout: outcome unknown"),
    ("12025550144", "connection dropped: outcome unknown"),
    ("12025550122", "HTTP 200 with cut-off JSON: unknown (it was stored)"),
)

TERMINAL_NOTE = (
    "alt+1 … alt+4 and alt+enter need a terminal that sends alt as Esc: on by default in xterm, "
    "GNOME Terminal and tmux; iTerm2: Profiles › Keys › Option key: Esc+; macOS Terminal: "
    "Settings › Profiles › Keyboard › Use Option as Meta key. ctrl+j and ctrl+pgdn/pgup "
    "work in every terminal."
)


def _table(rows: tuple[tuple[str, str], ...], id: str) -> Grid:
    """Keys on the left, what they do on the right, wrapping in a narrow terminal."""
    cells: list[Static] = []
    for key, text in rows:
        cells += [Static(key, classes="help-key"), Static(text, classes="help-text")]
    return Grid(*cells, id=id, classes="help-table")


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", tooltip="Close the help"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Label("comms-tui — keys", id="help-title")
            with VerticalScroll(id="help-body"):
                yield _table(KEYS, "help-keys")
                yield Static(Content.styled(TERMINAL_NOTE, "dim"), classes="help-note")
                yield Label(
                    "Sandbox recipients (as a number, or an email's local part: "
                    "12025550150@example.com)",
                    classes="help-heading",
                )
                yield _table(SANDBOX_NOTES, "help-sandbox")
                yield Static(
                    Content.styled(
                        "Recipients: several numbers or addresses separated by commas, semicolons "
                        "or new lines; each gets its own message. Schedule: now, +15m, "
                        "tomorrow 09:00 or an ISO time, read in the profile's time zone.",
                        "dim",
                    ),
                    classes="help-note",
                )
            yield Label("esc to close · ↑ ↓ pgup pgdn to scroll", id="help-footer")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
