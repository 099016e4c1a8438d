"""CommsApp and ``make_app``, the factory the CLI and the tests share.

The first frame comes before anything slow: the compose screen builds its forms right after it,
and once they are on screen (``ComposeScreen.FormsReady``) the session (embedded sandbox,
keyring, profile file), the journal, the HTTP client and the pydantic models are opened in a
thread. Until then the header says "connecting…" and Send is disabled.

Leaving — ctrl+q, a closed terminal, SIGTERM, at any moment — writes the drafts, then stops
the sandbox and the workers (``action_quit``, ``close_session``, ``tui/leaving.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.theme import Theme

from comms_tui.store.drafts import DraftStore
from comms_tui.store.prefs import UiPrefs
from comms_tui.tui.compose.screen import ComposeScreen
from comms_tui.tui.keys import KeysInOrder, teach_alt_keys, typed_text
from comms_tui.tui.masking import Masking
from comms_tui.tui.messages import ComposeAgain, SessionFailed, SessionReady
from comms_tui.tui.plain import TEXT_MAX_CHARS, shown
from comms_tui.tui.sizes import NARROW_BELOW

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.driver import Driver
    from textual.screen import Screen
    from textual.widgets import Input

    from comms_tui.core.session import Session
    from comms_tui.store.errors import MissingSecret
    from comms_tui.store.history import Journal
    from comms_tui.tui.screens.history import HistoryScreen
    from comms_tui.tui.sender_lab.screen import SenderLabScreen

T = TypeVar("T")
INPUT_MAX_CHARS = 5_000  # a one-line field: ~350 numbers; pastes beyond are cut
OPENING_WAIT_SECONDS = 1.0  # on the way out, for a session still opening (the sandbox starts)
STOP_SEND_SECONDS = 1.0  # on the way out, for a stopped send to be recorded (a local write)
QUIT_ACTIONS = frozenset({"request_quit", "quit", "app.quit"})  # what ctrl+q may be bound to


def _warm_first_send() -> None:
    """Import here, in the session worker, what the first send would import on the event loop.

    Then freeze what is alive now (all those modules) out of the garbage collector's reach:
    full collections no longer walk them, which otherwise pauses the UI for 100–250 ms.
    """
    import gc

    import anyio._backends._asyncio  # noqa: F401  (httpcore loads it at the first request)

    import comms_tui.core.flow
    import comms_tui.core.guard
    import comms_tui.tui.compose.send_flow  # noqa: F401

    gc.freeze()


def _in_daemon_thread(work: Callable[[], T]) -> Future[T]:
    """``work()`` in a daemon thread: unlike the event loop's executor, nothing waits for it
    at exit."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, name="comms-tui-session", daemon=True).start()
    return future


def _comms_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens."""
    from comms_tui.tui.palette import CommsCommands

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
        Binding(
            "ctrl+q", "request_quit", "Quit", priority=True, id="quit", tooltip="Quit comms-tui"
        ),
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
    ) -> None:
        super().__init__()
        self.want_sandbox = sandbox
        self.profile_name = profile
        self.given_session = session  # owned by the caller: its sandbox is not stopped on exit
        self.journal = journal
        self.drafts = drafts or DraftStore()
        self.prefs = prefs or UiPrefs()
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.session: Session | None = None  # open, with its journal and client
        self.masking = Masking(self)  # recipients shown as 9195*****711 while sharing a screen
        self._owned_session: Session | None = None  # opened here, so closed here
        self._opening: Future[Session] | None = None
        self.secret_typed = False  # the session's secret was typed at the prompt, not stored
        self._on_screen_until: dict[tuple[str, str, str], float] = {}  # notifications shown
        self._closing_lock = threading.Lock()  # the opening thread and close_session
        self._closed = False
        self.keys_in_order = KeysInOrder(self, self._in_turn)
        self._startup = contextlib.ExitStack()  # the collector's pause while the app starts
        self._history: HistoryScreen | None = None  # built at the first F2, then kept

    async def on_event(self, event: events.Event) -> None:
        # A key (or paste) straight from the terminal: one at a time, as if typed slowly.
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            await self.keys_in_order.receive(event)
        else:
            await super().on_event(event)

    async def _in_turn(self, event: events.Event) -> None:
        """A key or paste from the terminal, its turn come: made to fit the field focused now,
        not when it arrived (a tab typed just before it may have moved the focus since)."""
        if isinstance(event, events.Key):
            event = self._as_typed(event)
        if isinstance(event, events.Paste):
            event = self._fitted(event)
        await super().on_event(event)

    def _as_typed(self, key: events.Key) -> events.Key | events.Paste:
        """A key typing a character a text field would drop (``typed_text``), in a text
        field: that character, as a paste of it (which fields insert as it is)."""
        from textual.widgets import Input, TextArea

        if (text := typed_text(key)) is None or not isinstance(self.focused, Input | TextArea):
            return key
        typed = events.Paste(text)
        typed.set_sender(self)
        return typed

    def _fitted(self, paste: events.Paste) -> events.Paste:
        """A paste as the focused field may hold it: in one line for a one-line field
        (``_one_line``), cut to ``INPUT_MAX_CHARS`` there (Textual draws its whole value each
        frame, and tens of thousands of characters freeze the app for seconds), and to
        ``TEXT_MAX_CHARS`` in a message (each key in a megabyte-long message took a second
        and a half)."""
        from textual.widgets import Input, TextArea

        field = self.focused
        if isinstance(field, Input) and paste.text:
            text, limit = self._one_line(field, paste.text), INPUT_MAX_CHARS
            room = limit - len(field.value) + len(field.selected_text)
        elif isinstance(field, TextArea) and paste.text:
            text, limit = paste.text, TEXT_MAX_CHARS
            room = limit - len(field.text) + len(field.selected_text)
        else:
            return paste
        room = max(0, room)
        if len(text) > room:
            self.notify(
                f"Pasted text cut to {room:,} characters: a field holds at most {limit:,}.",
                severity="warning",
            )
            text = text[:room]
        if text == paste.text:
            return paste
        fitted = events.Paste(text)
        fitted.set_sender(self)
        return fitted

    def _one_line(self, field: Input, text: str) -> str:
        """A paste for a one-line field, which would keep its first line and drop the rest in
        silence: each line an item of a list field (a column of numbers into "To"), or all of
        them joined by spaces in another field, saying so."""
        from comms_tui.tui.widgets.list_input import ListInput

        lines = text.splitlines()
        if len(lines) <= 1:
            return text
        filled = [line for line in lines if line.strip()]
        if len(filled) <= 1:  # one line between blank ones: nothing is dropped but line ends
            return filled[0] if filled else ""
        if isinstance(field, ListInput):
            return field.pasted(filled)
        self.notify(
            f"Pasted {len(filled)} lines as one, joined by spaces: this field holds one line."
        )
        return " ".join(line.strip() for line in filled)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text, whatever ``markup`` says: nearly all of them carry
        foreign text (a server's message, a file or profile name), and none of ours uses markup.
        Control characters are shown, and a long message is cut (the raw view has it all).

        One that is on screen already is not shown again: a key pressed three times ("Already
        sending") stacked three copies."""
        text, heading = shown(message), shown(title, 200, newlines=False)
        now = time.monotonic()
        key = (text, heading, severity)
        if self._on_screen_until.get(key, 0.0) > now:
            return
        lasts = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self._on_screen_until = {k: t for k, t in self._on_screen_until.items() if t > now}
        self._on_screen_until[key] = now + lasts
        super().notify(text, title=heading, severity=severity, timeout=timeout, markup=False)

    def action_help_quit(self) -> None:
        """ctrl+c where nothing is selected to copy: how to quit. Textual's says it with markup
        (``[b]ctrl+q[/b]``), which ``notify`` shows as it is: here, in words."""
        for key, active in self.active_bindings.items():
            if active.binding.action in QUIT_ACTIONS:
                self.notify(f"Press {key} to quit the app.", title="Do you want to quit?")
                return

    # -- startup --------------------------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        """Textual's, but on Linux and macOS ours: it leaves when the terminal closes, at any
        moment (``tui/terminal_driver.py``). ``$TEXTUAL_DRIVER`` (``serve``) still wins."""
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and driver.__module__ == "textual.drivers.linux_driver":
            from comms_tui.tui.terminal_driver import TerminalDriver

            return TerminalDriver
        return driver

    def get_default_screen(self) -> ComposeScreen:
        return ComposeScreen(drafts=self.drafts, clock=self.clock)

    @property
    def compose_screen(self) -> ComposeScreen:
        screen = self.get_screen("_default") if self.is_screen_installed("_default") else None
        for candidate in (screen, *self.screen_stack):
            if isinstance(candidate, ComposeScreen):
                return candidate
        raise LookupError("the compose screen is not mounted")

    @property
    def is_sandbox(self) -> bool:
        session = self.session
        return bool(session and session.is_sandbox) or (session is None and self.want_sandbox)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        """``-narrow`` on the app below ``NARROW_BELOW`` columns (the CSS lays screens out for
        80×24 then: the compose screen shows its form or its results, not both side by side)."""
        narrow = width < NARROW_BELOW
        if narrow == self.has_class("-narrow"):
            return
        self.set_class(narrow, "-narrow")
        # Textual restyles only the screen on top for a class of the app's, and not a screen
        # that comes back (pop_screen): those under it would keep the layout they had.
        for screen in self.screen_stack[:-1]:
            screen.update_node_styles(animate=False)

    def on_load(self) -> None:
        """No cyclic garbage collection until the forms are built (``_started``): building a
        screen makes tens of thousands of objects, each collection of them walks them all
        again (40–50 ms in all, a fifth of the wait for the form), and nearly all of them live
        on anyway."""
        from comms_tui.api.collector import collector_paused

        self._startup.enter_context(collector_paused())

    def _started(self) -> None:
        """The forms are built: what lives now (modules, widgets, styles) lives as long as the
        app, so the collector stops walking it (``gc.freeze``) and comes back on."""
        import gc

        gc.freeze()
        self._startup.close()

    def on_mount(self) -> None:
        self._fit(self.size.width)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.prefs.damaged is not None:
            self.notify(self.prefs.damaged.message, severity="warning", timeout=15)

    def on_ready(self) -> None:
        """The first frame is on the terminal: build the forms now, not a frame later (the
        next frame is one Textual repaints anyway, ~17 ms of nothing to do)."""
        self.compose_screen.build_body()

    def on_compose_screen_forms_ready(self) -> None:
        self._started()
        # Once the forms are on screen: the worker's imports (httpx, pydantic, uvicorn) hold
        # the GIL, so started earlier they would slow the first frames down.
        if self.session is None:
            self.open_session(self.given_session)

    @work(exclusive=True, group="session", description="open the session")
    async def open_session(
        self, session: Session | None = None, *, owned: bool = False, secret: str | None = None
    ) -> None:
        """Open the session (unless given) and everything sending needs, off the event loop.

        ``secret``: the profile's secret as typed for this session (none was stored).

        In a daemon thread, not a thread worker: the event loop waits for its executor's
        threads on the way out, and a keyring that never answers must not keep a closed app
        alive. ``close_session`` closes what it opens, even when the app leaves first.
        """
        from comms_tui.store.errors import MissingSecret, NoTarget

        opening = self._opening = _in_daemon_thread(lambda: self._open(session, owned, secret))
        try:
            opened = await asyncio.wrap_future(opening)
        except NoTarget:
            self._welcome()
        except MissingSecret as missing:
            self._ask_secret(missing)
        except Exception as exc:  # shown in the header and a notification; the app stays up
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            self.post_message(SessionFailed(message))
        else:
            self.secret_typed = secret is not None
            self.post_message(SessionReady(opened))

    def _open(self, session: Session | None, owned: bool, secret: str | None) -> Session:
        """In the opening thread: the session (unless given), its journal and client."""
        if session is None:
            from comms_tui.core.session import Session

            session = Session.open(
                sandbox=self.want_sandbox, profile=self.profile_name, secret=secret
            )
            owned = True
        if owned:
            with self._closing_lock:
                if self._closed:  # the app left while this opened: nobody else will close it
                    session.close()
                    raise RuntimeError("the app has closed")
                self._owned_session = session
        self._connect(session)
        return session

    def _connect(self, session: Session) -> None:
        """The journal and the client, and the heavy imports, here in the worker."""
        import comms_tui.api.phones  # noqa: F401  (warm: the first keystroke must not wait)

        if self.journal is not None and session.journal is None:
            session.journal = self.journal
        self.journal = session.open_journal()
        session.client  # noqa: B018  (built here: httpx and its SSL context load slowly)
        _warm_first_send()

    def on_session_ready(self, message: SessionReady) -> None:
        session = self.session = message.session
        for warning in session.warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.compose_screen.bind(session)
        if text := session.insecure_transport:
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
            f"Could not connect: {message.error}\nctrl+p › Connect again tries again.",
            title="Not connected", severity="error", timeout=30,
        )  # fmt: skip

    def _ask_secret(self, missing: MissingSecret) -> None:
        """No secret stored (no keyring, an empty one, no env var): ask, for this session only."""
        from comms_tui.tui.screens.secret_prompt import SecretPromptScreen

        def answered(secret: str | None) -> None:
            if secret is None:
                self.post_message(SessionFailed(missing.message))
            else:
                self.profile_name = missing.profile  # the default profile, once resolved
                self.open_session(secret=secret)

        self.push_screen(SecretPromptScreen(missing), answered)

    def _welcome(self) -> None:
        from comms_tui.tui.screens.welcome import WelcomeScreen

        def chosen(session: Session | None) -> None:
            if session is None:
                self.exit()
            else:
                self.open_session(session, owned=True)

        self.push_screen(WelcomeScreen(), chosen)

    # -- side screens ---------------------------------------------------------------------------

    def open_once(
        self,
        screen_type: type[Screen[Any]],
        make: Callable[[], Screen[Any]],
        *,
        name: str,
        callback: Callable[[Any], None] | None = None,
    ) -> bool:
        """Push ``make()`` unless a ``screen_type`` is already open (a key pressed again, or
        from the palette); True if pushed. Open under another screen, it says how to get back."""
        if isinstance(self.screen, screen_type):
            return False
        if any(isinstance(screen, screen_type) for screen in self.screen_stack):
            self.notify(f"{name} is already open, under this screen: escape goes back to it.")
            return False
        self.push_screen(make(), callback)
        return True

    def action_help(self) -> None:
        from comms_tui.tui.screens.help import HelpScreen

        self.open_once(HelpScreen, HelpScreen, name="The help")

    def action_history(self) -> None:
        from comms_tui.tui.screens.history import HistoryScreen

        journal, session = self.journal, self.session
        if journal is None or session is None:
            self.notify("History opens once the session is connected.", severity="warning")
            return

        def again(choice: ComposeAgain | None) -> None:
            if choice is not None:
                self.compose_screen.compose_again(choice)

        def kept() -> HistoryScreen:
            """Built once and kept (building it is most of the wait for it, ~0.2 s); each open
            starts it afresh: no filters, the newest entries read again."""
            screen = self._history
            if screen is None or screen.journal is not journal or screen.zone != session.zone:
                if screen is not None:  # another session's: not on the stack (open_once)
                    self.uninstall_screen(screen)
                    screen.remove()
                screen = self._history = HistoryScreen(journal, zone=session.zone)
                self.install_screen(screen, "history")
            else:
                screen.start_afresh()
            return screen

        self.open_once(HistoryScreen, kept, name="History", callback=again)

    def action_outbox(self) -> None:
        from comms_tui.tui.screens.outbox import OutboxScreen

        session = self.session
        if session is None or not session.is_sandbox:
            self.notify("The outbox is only there on the sandbox (--sandbox).", severity="warning")
            return
        self.open_once(
            OutboxScreen,
            lambda: OutboxScreen(session.target.base_url, zone=session.zone),
            name="The outbox",
        )

    def action_sender_lab(self) -> None:
        from comms_tui.tui.sender_lab.screen import SenderLabScreen

        session = self.session
        if session is None:
            self.notify(
                "The sender-ID lab opens once the session is connected.", severity="warning"
            )
            return
        self.open_once(SenderLabScreen, lambda: SenderLabScreen(session), name="The sender-ID lab")

    def on_sender_lab_screen_profile_saved(self, message: SenderLabScreen.ProfileSaved) -> None:
        """Working sender IDs were saved: the SMS form suggests them from now on."""
        if self.session is None:
            return
        self.session.profile = message.profile
        for form in self.compose_screen.forms():
            form.bind_session(self.session)

    def action_toggle_mask(self) -> None:
        masked = self.masking.toggle()
        self._save_masked(masked)  # kept for the next start, as the theme is
        self.notify("Recipients masked (f6 to show)." if masked else "Recipients shown.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "outbox":
            return self.is_sandbox
        if action == "reconnect":
            # Not connected (a prompt cancelled, a journal moved aside…), or connected with a
            # typed secret the server may have refused; never while opening or sending.
            opening = self._opening is not None and not self._opening.done()
            idle = self.session is None or (self.secret_typed and not self.compose_screen.busy)
            return idle and not opening
        return True

    def action_reconnect(self) -> None:
        """Open the session again: after it failed (a secret prompt cancelled, a journal
        moved aside, a keyring unlocked), or to type its secret again (a typo the server
        refused). Without this the app stayed as it was until it was started again."""
        if not self.check_action("reconnect", ()):
            return
        if self.session is not None:
            self._let_go_of_session()
        self.compose_screen.show_connecting()
        self.open_session(self.given_session)

    def _let_go_of_session(self) -> None:
        """Stop using the open session (its secret is about to be typed again) and close it,
        in a worker: nothing is sending through it (``check_action``)."""
        session, self.session = self.session, None
        self.secret_typed = False
        self.compose_screen.unbind()
        with self._closing_lock:
            if self._owned_session is session:
                self._owned_session = None
        if session is not None:
            self._close_quietly(session)

    @work(group="closing", description="close the previous session")
    async def _close_quietly(self, session: Session) -> None:
        with contextlib.suppress(Exception):  # it was replaced: nothing left to tell anyone
            await session.aclose()
            await asyncio.to_thread(session.close)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's palette commands that add something (the theme, maximizing a widget),
        and a screenshot that works in a terminal: ours cover quitting and the keys (f1)."""
        for command in super().get_system_commands(screen):
            if command.title in ("Theme", "Maximize", "Minimize"):
                yield command
        yield SystemCommand(
            "Screenshot", "Save the screen as an SVG file in the data folder", self._take_screenshot
        )

    def _take_screenshot(self) -> None:
        # Exported here (the compositor lives on this loop), written in a thread.
        self._save_screenshot(self.export_screenshot(), self.clock().astimezone())

    @work(thread=True, group="screenshot", description="save a screenshot")
    def _save_screenshot(self, svg: str, at: datetime) -> None:
        from comms_tui.store.exports import write_export
        from comms_tui.store.paths import data_dir

        try:
            [path] = write_export(
                data_dir(), at.strftime("screenshot-%Y%m%d-%H%M%S"), {".svg": svg}
            )
        except OSError as exc:
            self.call_from_thread(self.notify, f"Screenshot not saved: {exc}", severity="error")
            return
        self.call_from_thread(self.notify, f"Saved as {path}", title="Screenshot")

    # -- preferences ----------------------------------------------------------------------------

    def _remember_theme(self, theme: Theme) -> None:
        self._save_theme(theme.name)

    @work(thread=True, group="prefs", description="save the theme")
    def _save_theme(self, name: str) -> None:
        with contextlib.suppress(OSError):  # a preference is not worth an error dialog
            self.prefs.set_theme(name)

    @work(thread=True, group="prefs", description="save masking")
    def _save_masked(self, masked: bool) -> None:
        with contextlib.suppress(OSError):
            self.prefs.set_masked(masked)

    # -- shutdown -------------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        # Told to leave while widgets are still mounting (the terminal closed at startup):
        # Textual takes the tree apart under an on_mount yet to run, whose query then finds
        # nothing. The app is leaving as asked, drafts written: that is no crash to report.
        if self._exit and isinstance(error, NoMatches):
            self.log.warning(f"while leaving: {error}")
            return
        super()._handle_exception(error)

    async def action_request_quit(self) -> None:
        """ctrl+q (and the palette's Quit): quit, asking first while a send is in flight (the
        message may go out, or may have). Leaving from outside (``tui/leaving.py``) cannot ask:
        it runs ``action_quit``."""
        with contextlib.suppress(LookupError):
            if (compose := self.compose_screen).in_flight:
                compose.confirm_quit()
                return
        await self.action_quit()

    async def action_quit(self) -> None:
        """Leave now: a send in flight is stopped as esc stops it, so that the history records
        it (unknown, or not sent) and not "pending"; then the drafts are written."""
        with contextlib.suppress(LookupError, asyncio.TimeoutError):
            await asyncio.wait_for(self.compose_screen.stop_send(), STOP_SEND_SECONDS)
        try:
            self.compose_screen.flush_drafts()
        except (LookupError, OSError) as exc:
            self.log.warning(f"drafts not flushed: {exc}")
        self.exit()

    async def on_unmount(self) -> None:
        self._startup.close()  # leaving before the forms were built
        await self.close_session()

    async def close_session(self) -> None:
        """Close the HTTP client and, if this app opened it, the session (stops the sandbox).

        A session still opening (the sandbox starting) is waited for a moment and then closed
        here; one that takes longer (a keyring that never answers) closes itself if it opens.
        """
        opening = self._opening
        if opening is not None and not opening.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.wrap_future(opening), OPENING_WAIT_SECONDS)
        if self.session is not None:
            await self.session.aclose()
        with self._closing_lock:
            self._closed = True
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
    **kwargs: Any,
) -> CommsApp:
    """The app as the CLI runs it; tests inject a session, journal, drafts file and clock."""
    teach_alt_keys()
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
        **kwargs,
    )
    # Read before the first frame (tiny file, not on the event loop yet): no theme flash, and no
    # recipient in clear for a moment.
    theme = prefs.theme()
    if theme and theme in app.available_themes:
        app.theme = theme
    app.masking.set(prefs.masked())
    return app
