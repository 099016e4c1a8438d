"""The top line: app name, profile and host, and a badge saying where messages will go.

SANDBOX is calm (nothing real happens); PRODUCTION is loud (real people get these messages).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from comms_tui.tui.plain import plain, shown


class AppHeader(Horizontal):
    def __init__(self) -> None:
        super().__init__(id="app-header")

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("comms-tui", "b"), id="app-name")
        yield Static(Content.styled("connecting…", "dim"), id="target")
        yield Static("", id="env-badge")

    def on_mount(self) -> None:
        # --sandbox is known before anything opens: say so from the first frame.
        if getattr(self.app, "want_sandbox", False):
            self.query_one("#target", Static).update(
                Content.styled("starting the sandbox… (nothing leaves this machine)", "dim")
            )
            badge = self.query_one("#env-badge", Static)
            badge.set_classes("-sandbox")
            badge.update(" SANDBOX ")

    def show_target(self, profile: str, host: str, *, sandbox: bool, production: bool) -> None:
        self.query_one("#target", Static).update(
            Content.assemble(
                ("profile ", "dim"),
                (shown(profile, 60, newlines=False), "b"),
                ("  ", ""),
                shown(host, 200, newlines=False),
            )
        )
        badge = self.query_one("#env-badge", Static)
        badge.set_classes("-sandbox" if sandbox else "-production" if production else "-test")
        label = "SANDBOX" if sandbox else "PRODUCTION" if production else "TEST"
        badge.update(f" {label} ")

    def show_connecting(self) -> None:
        self.query_one("#target", Static).update(Content.styled("connecting…", "dim"))
        self.query_one("#env-badge", Static).update("")

    def show_failure(self, message: str) -> None:
        # The palette's "Connect again" is the way out: say so where the failure is.
        self.query_one("#target", Static).update(
            plain(f"not connected: {message} (ctrl+p: Connect again)", 500, style="$text-error")
        )
        badge = self.query_one("#env-badge", Static)
        badge.set_classes("-offline")
        badge.update(" OFFLINE ")
