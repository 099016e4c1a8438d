"""CommsApp and ``make_app``, the factory the CLI and the tests share.

The first frame comes before anything slow: the compose screen builds its forms right after it,
and once they are on screen (``ComposeScreen.Built``) the session (embedded sandbox, keyring,
profile file), the HTTP client and the pydantic models are opened in a thread worker. Until then
the header says "connecting…" and Send is disabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.theme import Theme

from comms_tui.tui.connection import Connection
from comms_tui.tui.drafts import DraftStore, UiPrefs
from comms_tui.tui.masking import Masking
from comms_tui.tui.messages import ComposeAgain, SessionFailed, SessionReady
from comms_tui.tui.screens.compose_screen import ComposeScreen

if TYPE_CHECKING:
    from textual.command import Provider

    from comms_tui.api.client import CommsClient
    from comms_tui.session import Session
    from comms_tui.store.history import Journal
    from comms_tui.tui.screens.sender_lab import SenderLabScreen


def _warm_first_send() -> None:
    """Import here, in the session worker, what the first send would import on the event loop.

    Then freeze what is alive now (all those modules) out of the garbage collector's reach:
    full collections no longer walk them, which otherwise pauses the UI for 100–250 ms.
    """
    import gc

    import anyio._backends._asyncio  # noqa: F401  (httpcore loads it at the first request)

    import comms_tui.store.duplicates
    import comms_tui.tui.presend
    import comms_tui.tui.send_flow  # noqa: F401

    gc.freeze()


def _comms_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens."""
    from comms_tui.tui.commands import CommsCommands

    return CommsCommands


class CommsApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "comms-tui"
    COMMANDS = App.COMMANDS | {_comms_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="help", tooltip="Keys and tips"),
        Binding("f2,h", "history", "History", id="history", tooltip="Every send from here"),
        Binding("f3", "outbox", "Outbox", show=False, id="outbox", tooltip="Sandbox outbox"),
        Binding(
            "f4",
            "sender_lab",
            "Sender lab",
            show=False,
            id="sender-lab",
            tooltip="Which sender IDs work for which OU",
        ),
        # priority: TextArea uses f6 to select a line; masking must work from any field.
        Binding(
            "f6",
            "toggle_mask",
            "Mask",
            show=False,
            priority=True,
            id="mask",
            tooltip="Mask recipients for screen sharing",
        ),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit", tooltip="Quit comms-tui"),
    ]

    def __init__(
        self,
        *,
        sandbox: bool = False,
        profile: str | None = None,
        session: Session | None = None,
        journal: Journal | None = None,
        drafts: DraftStore | None = None,
        prefs: UiPrefs | None = None,
        clock: Callable[[], datetime] | None = None,
        pinned: bool = False,
    ) -> None:
        super().__init__()
        self.want_sandbox = sandbox
        self.profile_name = profile
        self.given_session = session  # owned by the caller: not closed on exit
        self.journal = journal
        self.drafts = drafts or DraftStore()
        self.prefs = prefs or UiPrefs()
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.pinned = pinned  # tests only: fixed stand-ins for latency and request ids
        self.connection: Connection | None = None
        self.masking = Masking(self)  # recipients shown as 9195*****711 while sharing a screen
        self._client: CommsClient | None = None
        self._owned_session: Session | None = None  # opened here, so closed here

    # -- startup --------------------------------------------------------------------------------

    def get_default_screen(self) -> ComposeScreen:
        return ComposeScreen(drafts=self.drafts, clock=self.clock, pinned=self.pinned)

    @property
    def compose_screen(self) -> ComposeScreen:
        screen = self.get_screen("_default") if self.is_screen_installed("_default") else None
        for candidate in (screen, *self.screen_stack):
            if isinstance(candidate, ComposeScreen):
                return candidate
        raise LookupError("the compose screen is not mounted")

    @property
    def is_sandbox(self) -> bool:
        session = self.connection.session if self.connection else None
        return bool(session and session.is_sandbox) or (session is None and self.want_sandbox)

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # The terminal window was closed: write the drafts and leave, as ctrl+q would.
        # (Python's default for SIGHUP would drop up to half a second of typing.)
        if hasattr(signal, "SIGHUP") and not self.is_headless:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, lambda: self.call_later(self.action_quit))

    def on_compose_screen_built(self) -> None:
        # Once the forms are on screen: the worker's imports (httpx, pydantic, uvicorn) hold
        # the GIL, so started earlier they would slow the first frames down.
        if self.connection is None:
            self.open_session(self.given_session)

    @work(thread=True, exclusive=True, group="session")
    def open_session(self, session: Session | None = None, *, owned: bool = False) -> None:
        """Open the session (unless given) and everything sending needs, off the event loop."""
        from comms_tui.store.errors import NoTarget

        try:
            if session is None:
                from comms_tui.session import Session

                if self.want_sandbox:
                    session = Session.for_sandbox()
                else:
                    try:
                        session = Session.for_profile(self.profile_name)
                    except NoTarget:
                        self.call_from_thread(self._welcome)
                        return
                owned = True
            if owned:
                self._owned_session = session
            self.post_message(SessionReady(self._connect(session)))
        except Exception as exc:  # shown in the header and a notification; the app stays up
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            self.post_message(SessionFailed(message))

    def _connect(self, session: Session) -> Connection:
        """Client, journal, sender and validation context (imports the heavy modules here)."""
        from zoneinfo import ZoneInfo

        import comms_tui.api.phones  # noqa: F401  (warm: the first keystroke must not wait)
        from comms_tui.api.client import CommsClient
        from comms_tui.api.models import ValidationContext
        from comms_tui.sending import Sender
        from comms_tui.store.history import Journal

        journal = self.journal if self.journal is not None else Journal()
        self.journal = journal
        profile = session.profile
        context = ValidationContext(
            region=profile.region if profile else None,
            tz=ZoneInfo(profile.timezone)
            if profile
            else datetime.now().astimezone().tzinfo or timezone.utc,
        )
        self._client = CommsClient(session.target)
        sender = Sender(self._client, journal, profile=session.name)
        _warm_first_send()
        return Connection(session=session, sender=sender, context=context)

    def on_session_ready(self, message: SessionReady) -> None:
        self.connection = message.connection
        for warning in message.connection.session.warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.compose_screen.bind(message.connection)
        if text := message.connection.session.insecure_transport:
            self._warn_on_every_screen(text)

    def _warn_on_every_screen(self, text: str) -> None:
        """TLS off or plain http: a warning line on each screen shown now and from now on."""
        from comms_tui.tui.widgets.transport_warning import show_on

        for screen in [self.compose_screen, *self.screen_stack]:
            show_on(screen, text)
        self.screen_change_signal.subscribe(self, lambda screen: show_on(screen, text))

    def on_session_failed(self, message: SessionFailed) -> None:
        self.compose_screen.show_failure(message.error)
        self.notify(
            f"Could not connect: {message.error}", title="Not connected", severity="error",
            timeout=30,
        )  # fmt: skip

    def _welcome(self) -> None:
        try:
            from comms_tui.tui.screens.welcome import WelcomeScreen
        except ImportError:
            self.post_message(
                SessionFailed("no profile: run `comms-tui profile add` or start with --sandbox")
            )
            return

        def chosen(session: Session | None) -> None:
            if session is None:
                self.exit()
            else:
                self.open_session(session, owned=True)

        self.push_screen(WelcomeScreen(), chosen)

    # -- side screens ---------------------------------------------------------------------------

    def action_help(self) -> None:
        from comms_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_history(self) -> None:
        if self.journal is None:
            self.notify("History opens once the session is connected.", severity="warning")
            return
        try:
            from comms_tui.tui.screens.history import HistoryScreen
        except ImportError:
            self.notify("The history screen is not available yet.", severity="warning")
            return

        def again(choice: ComposeAgain | None) -> None:
            if choice is not None:
                self.compose_screen.compose_again(choice)

        self.push_screen(HistoryScreen(self.journal), again)

    def action_outbox(self) -> None:
        session = self.connection.session if self.connection else None
        if session is None or not session.is_sandbox:
            self.notify("The outbox is only there on the sandbox (--sandbox).", severity="warning")
            return
        try:
            from comms_tui.tui.screens.outbox import OutboxScreen
        except ImportError:
            self.notify("The outbox screen is not available yet.", severity="warning")
            return
        self.push_screen(OutboxScreen(session.target.base_url))

    def action_sender_lab(self) -> None:
        from comms_tui.tui.screens.sender_lab import SenderLabScreen

        if isinstance(self.screen, SenderLabScreen):
            return
        connection = self.connection
        if connection is None:
            self.notify(
                "The sender-ID lab opens once the session is connected.", severity="warning"
            )
            return
        session = connection.session
        lab = SenderLabScreen(
            connection.sender, session.profile, connection.context, sandbox=session.is_sandbox,
            production=session.production, pinned=self.pinned,
        )  # fmt: skip
        self.push_screen(lab)

    def on_sender_lab_screen_profile_saved(self, message: SenderLabScreen.ProfileSaved) -> None:
        """Working sender IDs were saved: the SMS form suggests them from now on."""
        if self.connection is None:
            return
        self.connection.session.profile = message.profile
        for form in self.compose_screen.forms():
            form.bind_profile(message.profile, self.connection.context)

    def action_toggle_mask(self) -> None:
        masked = self.masking.toggle()
        self.notify("Recipients masked (f6 to show)." if masked else "Recipients shown.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "outbox":
            return self.is_sandbox
        return True

    # -- theme ----------------------------------------------------------------------------------

    def _remember_theme(self, theme: Theme) -> None:
        self._save_theme(theme.name)

    @work(thread=True, group="prefs")
    def _save_theme(self, name: str) -> None:
        with contextlib.suppress(OSError):  # a preference is not worth an error dialog
            self.prefs.set_theme(name)

    # -- shutdown -------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        try:
            self.compose_screen.flush_drafts()
        except (LookupError, OSError) as exc:
            self.log.warning(f"drafts not flushed: {exc}")
        self.exit()

    async def on_unmount(self) -> None:
        await self.close_session()

    async def close_session(self) -> None:
        """Close the HTTP client and, if this app opened it, the session (stops the sandbox)."""

        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        owned, self._owned_session = self._owned_session, None
        if owned is not None:
            await asyncio.to_thread(owned.close)


def make_app(
    *,
    sandbox: bool = False,
    profile: str | None = None,
    session: Session | None = None,
    journal: Journal | None = None,
    drafts_path: Path | None = None,
    clock: Callable[[], datetime] | None = None,
    pinned: bool = False,
    **kwargs: Any,
) -> CommsApp:
    """The app as the CLI runs it; tests inject a session, journal, drafts file and clock.

    ``pinned`` (tests only) shows latency and request ids as fixed stand-ins so that snapshots
    are stable; the sends themselves are real.
    """
    prefs = kwargs.pop("prefs", None) or UiPrefs(
        drafts_path.with_name("ui.json") if drafts_path else None
    )
    app = CommsApp(
        sandbox=sandbox,
        profile=profile,
        session=session,
        journal=journal,
        drafts=DraftStore(drafts_path),
        prefs=prefs,
        clock=clock,
        pinned=pinned,
        **kwargs,
    )
    # Read before the first frame (tiny file, not on the event loop yet): no theme flash.
    theme = prefs.theme()
    if theme and theme in app.available_themes:
        app.theme = theme
    return app
