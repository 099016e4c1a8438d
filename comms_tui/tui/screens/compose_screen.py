"""The main screen: header, one compose tab per channel, the results pane, a short footer.

The first frame is the header and footer only: the tabs, forms and results pane (most of the
app's widgets and imports, ``channel_tabs``) are built right after it, so the app is on screen
as fast as a bare Textual app. Keys typed in that moment are kept for the first field.

It owns the send flow: validate → confirm (several recipients or production; an SMS over 4
segments) → duplicate guard → one exclusive worker sending → ``SendFinished`` → results. A send
never clears the form. "Resend failed items" from the results pane goes through the same flow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Footer

from comms_tui.tui.channels import CHANNELS, LABELS
from comms_tui.tui.drafts import DraftStore
from comms_tui.tui.masking import is_masked, masking_of
from comms_tui.tui.messages import ComposeAgain, SendFinished
from comms_tui.tui.screens.compose_drafts import DraftKeepingScreen
from comms_tui.tui.widgets.header import AppHeader

if TYPE_CHECKING:
    from textual.widgets import Button, TabbedContent

    from comms_tui.api.requests import SendRequest
    from comms_tui.tui.connection import Connection
    from comms_tui.tui.screens.compose import ComposeForm
    from comms_tui.tui.widgets.results import ResultsPane


def _channel_bindings() -> list[BindingType]:
    return [
        Binding(
            f"alt+{n},{n}",
            f"channel('{name}')",
            LABELS[name],
            show=False,
            id=f"channel-{name}",
            tooltip=f"Compose {LABELS[name]}",
        )
        for n, name in enumerate(CHANNELS, 1)
    ]


class ComposeScreen(DraftKeepingScreen):
    class Built(Message):
        """The forms and results pane are on screen (the app opens the session now)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+j,alt+enter",
            "send",
            "Send",
            priority=True,
            id="send",
            key_display="^j",
            tooltip="Send the visible form",
        ),
        Binding(
            "ctrl+l", "clear_form", "Clear", id="clear", tooltip="Clear the form and its draft"
        ),
        Binding("ctrl+r", "focus_results", "Results", id="results", tooltip="Go to the results"),
        Binding("ctrl+o", "attach", "Attach", show=False, id="attach", tooltip="Attach a file"),
        Binding(
            "ctrl+t",
            "template",
            "Template",
            show=False,
            id="template",
            tooltip="Fill in one of the profile's templates",
        ),
        *_channel_bindings(),
    ]

    def __init__(
        self, *, drafts: DraftStore, clock: Callable[[], datetime], pinned: bool = False
    ) -> None:
        super().__init__(drafts, id="compose-screen")
        self.clock = clock
        self.pinned = pinned
        self.connection: Connection | None = None
        self.busy = False  # a send flow (confirm → send) is under way
        self.built = asyncio.Event()  # the tabs, the first form and the results pane are mounted
        self.all_forms_built = asyncio.Event()  # and the hidden tabs' forms too
        self._early_keys: list[str] = []  # typed before the forms were there

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Horizontal(id="main")
        yield Footer()

    def on_mount(self) -> None:  # (DraftKeepingScreen.on_mount runs too: Textual walks the MRO)
        if (masking := masking_of(self)) is not None:
            masking.changed.subscribe(self, self._mask_changed)
        self.call_after_refresh(self._build)

    @work(group="build")
    async def _build(self) -> None:
        """Mount the body (a worker: the screen goes on taking keys while this awaits)."""
        from textual.widgets import Input

        from comms_tui.tui.screens import channel_tabs as body

        tabs = body.channel_tabs(self.clock)
        results = body.results_pane(self.clock, pinned=self.pinned)
        await self.query_one("#main").mount_all([tabs, results])
        recipients = self.active_form.query_one(f"#{self.active_form.recipient_key}", Input)
        self.set_focus(recipients)  # now, not after a refresh: the next key must land there
        if self._early_keys:
            # Queued behind its Focus event (which selects all) and ahead of later keys.
            recipients.call_later(recipients.insert_text_at_cursor, "".join(self._early_keys))
            self._early_keys.clear()
        if self.connection is not None:
            self._apply_connection(self.connection)
        self.built.set()
        self.post_message(self.Built())
        self.call_after_refresh(self._mount_hidden_forms, tabs)

    async def _mount_hidden_forms(self, tabs: TabbedContent) -> None:
        from comms_tui.tui.screens.channel_tabs import mount_hidden_forms

        await mount_hidden_forms(tabs, self.clock)
        self.all_forms_built.set()

    def on_key(self, event: events.Key) -> None:
        if not self.built.is_set() and event.is_printable and event.character:
            self._early_keys.append(event.character)
            event.stop()

    def _mask_changed(self, masked: bool) -> None:
        """Recipient inputs hide what was typed; the previews under them show masked numbers."""
        for form in self.forms():  # forms built later catch up as they mount
            form.show_masked(masked)
            form.revalidate()

    # -- lookups --------------------------------------------------------------------------------

    def forms(self) -> list[ComposeForm]:
        """The forms mounted so far; one still mounting catches up in its own ``on_mount``.

        Found by CSS class: their module is imported after the first frame.
        """
        forms = [form for form in self.query(".compose-form") if form.is_mounted]
        return cast("list[ComposeForm]", forms)

    @property
    def active_channel(self) -> str:
        try:
            active = cast("TabbedContent", self.query_one("#channels")).active
        except NoMatches:  # before the tabs are built
            active = ""
        return active.removeprefix("tab-") or CHANNELS[0]

    @property
    def active_form(self) -> ComposeForm:
        """The visible form (NoMatches for the few ms before a hidden tab's form is built)."""
        return self.form(self.active_channel)

    def visible_form(self) -> ComposeForm | None:
        """The visible form, or None while a hidden tab's form is still being built."""
        channel = self.active_channel
        return next((form for form in self.forms() if form.id == channel), None)

    def form(self, channel: str) -> ComposeForm:
        """The compose form of a channel (wire name: sms, email, whatsapp, zalo)."""
        from comms_tui.tui.screens.compose import ComposeForm

        return self.query_one(f"#{channel}", ComposeForm)

    @property
    def results(self) -> ResultsPane:
        from comms_tui.tui.widgets.results import ResultsPane

        return self.query_one(ResultsPane)

    # -- session --------------------------------------------------------------------------------

    def bind(self, connection: Connection) -> None:
        """The session is open: show where we send, and validate against the profile."""
        self.connection = connection
        if self.built.is_set():
            self._apply_connection(connection)
        # else _build applies it

    def _apply_connection(self, connection: Connection) -> None:
        session = connection.session
        self.query_one(AppHeader).show_target(
            session.name,
            session.target.base_url,
            sandbox=session.is_sandbox,
            production=session.production,
        )
        self.results.tz = connection.context.tz
        for form in self.forms():
            form.bind_profile(session.profile, connection.context)
            form.query_one("#send-button").disabled = False
        self.refresh_bindings()

    def show_failure(self, message: str) -> None:
        self.query_one(AppHeader).show_failure(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send" and (self.connection is None or self.busy):
            return None  # shown disabled in the footer
        # attach and template: hidden (not just greyed) on the forms they don't apply to
        if action == "template":
            return self.active_channel != "email"
        return not (action == "attach" and self.active_channel != "email")

    # -- actions --------------------------------------------------------------------------------

    def action_channel(self, name: str) -> None:
        self.show_channel(name)

    def show_channel(self, channel: str) -> None:
        if not self.built.is_set():
            return
        cast("TabbedContent", self.query_one("#channels")).active = f"tab-{channel}"
        for form in self.forms():  # a form not built yet is focused as it mounts
            if form.id == channel:
                form.query_one(f"#{form.recipient_key}").focus()
        self.refresh_bindings()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def action_focus_results(self) -> None:
        self.results.focus_list()

    def action_expand_result(self) -> None:
        self.results.action_expand()

    def action_copy_curl(self) -> None:
        self.results.action_copy_curl()

    def action_copy_response(self) -> None:
        self.results.action_copy_response()

    def action_attach(self) -> None:
        from comms_tui.tui.screens.compose_email import EmailForm

        if isinstance(form := self.visible_form(), EmailForm):
            form.action_attach()

    def action_template(self, name: str | None = None) -> None:
        from comms_tui.tui.screens.compose_templates import use_template

        profile = self.connection.session.profile if self.connection else None
        if (form := self.visible_form()) is not None:
            use_template(self.app, form, profile.templates if profile else {}, name)

    def action_resend_failed(self) -> None:
        self.results.action_resend_failed()

    def action_export_result(self) -> None:
        self.results.action_export_json()

    def on_results_pane_resend_requested(self, message: ResultsPane.ResendRequested) -> None:
        """A new request with only the failed items, through the usual confirm and guard."""
        from comms_tui.tui.presend import failed_recipients

        request = message.record.request
        if request is None or self.connection is None or self.busy:
            self.notify("Can't resend now: still connecting or sending.", severity="warning")
            return
        failed = failed_recipients(request, message.record.result)
        if not failed:
            self.notify("No failed items to resend.", severity="warning")
            return
        self.busy = True
        self.refresh_bindings()
        form = self.form(request.channel.value)
        self._send_flow(form, request.only(failed), self.connection, resend=True)

    def action_clear_form(self) -> None:
        if (form := self.visible_form()) is None:
            return
        form.clear()
        self.discard_draft(form.CHANNEL)
        self.notify(f"{form.label} form and draft cleared.")

    def compose_again(self, again: ComposeAgain) -> None:
        """Fill a form from history; the user reviews it and sends."""
        channel = str(getattr(again.channel, "value", again.channel))
        self.show_channel(channel)
        self.form(channel).restore(dict(again.fields))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send-button":
            event.stop()
            self.action_send()
        elif event.button.id == "clear-button":
            event.stop()
            self.action_clear_form()

    # -- sending --------------------------------------------------------------------------------

    def action_send(self) -> None:
        if self.connection is None:
            self.notify("Still connecting: try again in a moment.", severity="warning")
            return
        if self.busy:
            self.notify("A send is already in progress.", severity="warning")
            return
        if (form := self.visible_form()) is None:
            return
        from comms_tui.api.errors import InvalidInput

        try:
            request = form.build()
        except InvalidInput as exc:
            form.show_first_error()
            count = len(exc.errors) or 1
            self.notify(
                f"Nothing sent: fix {count} field{'s' if count > 1 else ''} first.",
                severity="warning",
            )
            return
        self.busy = True
        self.refresh_bindings()
        self._send_flow(form, request, self.connection)

    @work(exclusive=True, group="send")
    async def _send_flow(
        self, form: ComposeForm, request: SendRequest, connection: Connection, resend: bool = False
    ) -> None:
        from comms_tui.tui.send_flow import cleared_to_send

        try:
            if await cleared_to_send(
                self.app, request, connection, now=self.clock(), masked=is_masked(self),
                resend=resend,
            ):  # fmt: skip
                form.set_sending(True)
                sent = await connection.sender.send(request)
                self.post_message(SendFinished(sent, connection.session.name, request))
        except Exception as exc:  # a journal/disk failure must not take the app down
            self.notify(f"Send failed before it completed: {exc}", severity="error", timeout=15)
        finally:
            form.set_sending(False)
            self.busy = False
            self.refresh_bindings()

    def on_send_finished(self, message: SendFinished) -> None:
        result = message.sent.result
        self.results.add(message.sent, message.profile, message.request)
        text = f"{result.channel.label}: {result.success_count} of {result.count} accepted"
        if result.unknown:
            self.notify(
                "Outcome UNKNOWN: it may have been sent. Check before resending.",
                severity="warning",
                timeout=10,
            )
        elif result.error is not None:
            self.notify(f"Not sent: {result.error.message}", severity="error", timeout=10)
        else:
            self.notify(text, severity="information" if result.failed_items == [] else "warning")
