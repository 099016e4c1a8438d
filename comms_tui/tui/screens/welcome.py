"""First run: no profile yet. Offer the sandbox (nothing to set up) or a real profile.

Opening a session starts a server or reads the keyring, so it runs in a thread worker; if the
user leaves before it is ready, the session is closed again rather than leaked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Button, LoadingIndicator, Static

from comms_tui.api.errors import CommsError
from comms_tui.store.errors import MissingSecret
from comms_tui.tui.plain import plain
from comms_tui.tui.screens.profile_setup import ProfileSetupScreen

if TYPE_CHECKING:
    from comms_tui.core.session import Session

INTRO = (
    "[b]comms-tui[/b] sends one-off SMS, email, WhatsApp and Zalo messages through "
    "Capillary's Communications v2 API, and shows exactly what the server said about each "
    "recipient."
)
CHOICES = (
    "[b]Try the sandbox[/b]: a local stand-in for the API, with demo credentials. Nothing leaves "
    "this machine.\n[b]Add a profile[/b]: your org's cluster and login, to send for real."
)


class WelcomeScreen(Screen["Session | None"]):
    """Shown when comms-tui starts without a profile; dismisses with an open Session, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    AUTO_FOCUS = "#try-sandbox"
    DEFAULT_CSS = """
    WelcomeScreen { align: center middle; }
    WelcomeScreen #welcome-box {
        width: 90; max-width: 100%; height: auto; padding: 1 2;
        border: round $primary; background: $panel;
    }
    WelcomeScreen #welcome-title { text-style: bold; color: $primary; margin-bottom: 1; }
    WelcomeScreen #welcome-choices { margin-top: 1; color: $text-muted; }
    WelcomeScreen #welcome-buttons { height: auto; margin-top: 1; align-horizontal: center; }
    WelcomeScreen #welcome-buttons Button { margin: 0 2; }
    WelcomeScreen #welcome-status { height: auto; margin-top: 1; text-align: center; }
    WelcomeScreen #welcome-status.-error { color: $text-error; }
    WelcomeScreen LoadingIndicator { height: 1; display: none; }
    WelcomeScreen.-busy LoadingIndicator { display: block; }
    WelcomeScreen #welcome-hint { margin-top: 1; color: $text-muted; text-align: center; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome-box"):
            yield Static("Welcome to comms-tui", id="welcome-title")
            yield Static(Content.from_markup(INTRO), id="welcome-intro")
            yield Static(Content.from_markup(CHOICES), id="welcome-choices")
            with Center(), Horizontal(id="welcome-buttons"):
                yield Button("Try the sandbox", id="try-sandbox", variant="primary")
                yield Button("Add a profile", id="add-profile")
            yield LoadingIndicator()
            yield Static("", id="welcome-status")
            yield Static("esc or ctrl+q quits", id="welcome-hint")

    # -- choices ------------------------------------------------------------------------------

    @on(Button.Pressed, "#try-sandbox")
    def action_try_sandbox(self) -> None:
        if self._busy:
            return
        from comms_tui.core.session import Session

        self._set_busy("Starting the sandbox…")
        self._open(Session.for_sandbox, "the sandbox")

    @on(Button.Pressed, "#add-profile")
    def action_add_profile(self) -> None:
        if self._busy:
            return
        setup = ProfileSetupScreen()
        # Saved without its secret (no keyring): what was typed opens this session.
        self.app.push_screen(setup, lambda name: self._profile_saved(name, setup.session_secret))

    def _profile_saved(self, name: str | None, secret: str | None = None) -> None:
        if name is None:
            return
        from comms_tui.core.session import Session

        self._set_busy(f"Opening profile '{name}'…")
        self._open(lambda: Session.for_profile(name, secret=secret), f"profile '{name}'")

    def _ask_secret(self, missing: MissingSecret) -> None:
        """No secret stored and none typed: ask for it, for this session only."""
        from comms_tui.tui.screens.secret_prompt import SecretPromptScreen

        def answered(secret: str | None) -> None:
            if secret is None:
                self._failed(f"Could not open profile '{missing.profile}': {missing.message}")
            else:
                self._profile_saved(missing.profile, secret)

        self.app.push_screen(SecretPromptScreen(missing), answered)

    @work(thread=True, exclusive=True, group="welcome-open", description="open the chosen target")
    def _open(self, opener: Callable[[], Session], what: str) -> None:
        try:
            session = opener()
        except MissingSecret as missing:
            self.app.call_from_thread(self._ask_secret, missing)
            return
        except (CommsError, OSError, RuntimeError, TimeoutError) as exc:
            message = exc.message if isinstance(exc, CommsError) else str(exc)
            self.app.call_from_thread(self._failed, f"Could not open {what}: {message}")
            return
        self.app.call_from_thread(self._opened, session)

    def _opened(self, session: Session) -> None:
        if not self.is_current:  # the user left meanwhile: do not leak a running sandbox
            # An app worker: this screen's own workers are cancelled with it.
            self.app.run_worker(session.close, thread=True, group="welcome-close")
            return
        self.dismiss(session)

    def _failed(self, message: str) -> None:
        with contextlib.suppress(NoMatches):  # the screen may be closing meanwhile
            self._set_busy(None)
            status = self.query_one("#welcome-status", Static)
            status.update(plain(message))
            status.add_class("-error")

    def _set_busy(self, message: str | None) -> None:
        self._busy = message is not None
        self.set_class(self._busy, "-busy")
        for button in self.query(Button):
            button.disabled = self._busy
        status = self.query_one("#welcome-status", Static)
        status.remove_class("-error")
        status.update(plain(message or ""))

    def action_quit(self) -> None:
        self.dismiss(None)
