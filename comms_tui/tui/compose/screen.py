"""The main screen: header, one compose tab per channel, the results pane, a short footer.

The first frame is the header and footer only: the tabs, forms and results pane (most of the
app's widgets and imports, ``tabs``) are built right after it, so the app is on screen as fast as
a bare Textual app. Keys typed in that moment are kept for the first field. Once every form is
mounted the screen posts ``FormsReady`` (the app opens the session then).

It hands each form the session and its draft, keeps drafts on disk as people type (nothing typed
is lost, even on a crash), and runs the send flow: the core's checks and questions, then one
exclusive worker sending, then ``SendFinished`` → results. A send never clears the form.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerError

from comms_tui.api.channels import CHANNELS, Channel
from comms_tui.api.errors import AuthFailed
from comms_tui.tui.masking import masking_of
from comms_tui.tui.messages import ComposeAgain, SendFinished
from comms_tui.tui.widgets.footer import AppFooter
from comms_tui.tui.widgets.header import AppHeader

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.widgets import Button, Input, TabbedContent

    from comms_tui.api.requests import SendRequest
    from comms_tui.core.session import Session
    from comms_tui.store.drafts import DraftStore
    from comms_tui.tui.compose.forms.base import ComposeForm
    from comms_tui.tui.widgets.in_flight import SendProgress
    from comms_tui.tui.widgets.results import ResultsPane

DRAFT_DELAY = 0.5  # seconds of quiet before a draft is written
SEND_QUESTIONS = ("confirm-cancel", "confirm-quit")  # asked about the send in flight


def _channel_bindings() -> list[BindingType]:
    by_number: list[BindingType] = [
        Binding(
            f"alt+{n},{n}",
            f"channel('{channel.value}')",
            channel.label,
            show=False,
            id=f"channel-{channel.value}",
            tooltip=f"Compose {channel.label}",
        )
        for n, channel in enumerate(CHANNELS, 1)
    ]
    return [
        *by_number,
        # The same in every terminal (alt+digit depends on the terminal's settings).
        # priority: a one-line Input would take them to scroll sideways.
        Binding(
            "ctrl+pagedown",
            "cycle_channel(1)",
            "Channel",
            priority=True,
            id="channel-next",
            key_display="^pgdn",
            tooltip="The next channel's tab",
        ),
        Binding(
            "ctrl+pageup",
            "cycle_channel(-1)",
            "Previous channel",
            show=False,
            priority=True,
            id="channel-previous",
            key_display="^pgup",
            tooltip="The previous channel's tab",
        ),
    ]


class ComposeScreen(Screen[None]):
    class FormsReady(Message):
        """Every compose form is on screen (the app opens the session now)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # In a narrow terminal the results take the form's place: escape brings the form back.
        Binding("escape", "show_form", "Form", id="form", tooltip="Back to the form"),
        Binding(
            "ctrl+j,alt+enter",
            "send",
            "Send",
            priority=True,
            id="send",
            key_display="^j",
            tooltip="Send the visible form",
        ),
        # Not in the footer: the Clear button beside Send says it (80 columns are few).
        Binding(
            "ctrl+l",
            "clear_form",
            "Clear",
            show=False,
            id="clear",
            tooltip="Clear the form and its draft",
        ),
        Binding(
            "escape",
            "cancel_send",
            "Cancel send",
            id="cancel-send",
            tooltip="Stop the send under way (nothing is sent if the server has not got it yet)",
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

    def __init__(self, *, drafts: DraftStore, clock: Callable[[], datetime]) -> None:
        super().__init__(id="compose-screen")
        self.drafts = drafts
        self.clock = clock
        self.session: Session | None = None
        self.busy = False  # a send flow (questions → send) is under way
        self._cancel: asyncio.Event | None = None  # set to stop the send in flight
        self._sending: Worker[None] | None = None  # the send flow's worker
        self._sent: dict[Channel, dict[str, Any]] = {}  # a form's values at its last send kept
        self._progress: SendProgress | None = None  # the line showing how far it got
        self._early_keys: list[str] = []  # typed before the first form was there
        self._first_input: Input | None = None
        self._loaded_drafts: dict[str, dict[str, Any]] | None = None  # as read from disk
        self._draft_timers: dict[str, Timer] = {}
        self._form_focus: Widget | None = None  # where to go back to from the results (narrow)
        self._results_shown = False  # narrow: the results pane in the form's place

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Horizontal(id="main")
        yield AppFooter()

    def on_mount(self) -> None:
        if (masking := masking_of(self)) is not None:
            masking.changed.subscribe(self, self._mask_changed)
        self._load_drafts()

    @work(group="build", description="build the compose forms")
    async def build_body(self) -> None:
        """Mount the body, once the first frame is out (the app's ``Ready``). A worker: the
        screen goes on taking keys while this awaits."""
        from textual.widgets import Input

        from comms_tui.tui.compose import tabs as body

        tab_set = body.channel_tabs(self.clock)
        # One paint when all of it is there: partial trees drawn as each level mounts are waste.
        with self.app.batch_update():
            await self.query_one("#main").mount_all([tab_set, body.results_pane(self.clock)])
        if not self.forms():  # the app closed meanwhile
            return
        first = self.forms()[0]
        recipients = first.query_one(f"#{first.recipient_key}", Input)
        self.set_focus(recipients)  # now, not after a refresh: the next key must land there
        self._first_input = recipients
        if self._early_keys:
            # Queued behind its Focus event (which selects all) and ahead of later keys.
            recipients.call_later(recipients.insert_text_at_cursor, "".join(self._early_keys))
            self._early_keys.clear()
        self._prepare(first)
        await self._mount_hidden_forms(tab_set)
        self.post_message(self.FormsReady())

    async def _mount_hidden_forms(self, tab_set: TabbedContent) -> None:
        from comms_tui.tui.compose.tabs import mount_hidden_forms

        shown = asyncio.Event()
        self.call_after_refresh(shown.set)  # the first form goes on screen before the others
        await shown.wait()
        async for form in mount_hidden_forms(tab_set, self.clock):
            self._prepare(form)
            if tab_set.active == f"tab-{form.CHANNEL.value}":  # switched to it early
                form.query_one(f"#{form.recipient_key}").focus()

    def _prepare(self, form: ComposeForm) -> None:
        """A form just mounted catches up: its draft, the session."""
        self._restore_draft(form)
        if self.session is not None:
            form.bind_session(self.session)

    def on_key(self, event: events.Key) -> None:
        if self._first_input is None and event.is_printable and event.character:
            self._early_keys.append(event.character)
            event.stop()

    def _mask_changed(self, masked: bool) -> None:
        """Recipient inputs hide what was typed; the previews under them show masked numbers."""
        for form in self.forms():  # forms built later catch up as they mount
            form.show_masked(masked)
            form.revalidate()

    # -- lookups --------------------------------------------------------------------------------

    def forms(self) -> list[ComposeForm]:
        """The forms mounted so far (found by CSS class: their module loads after the first
        frame)."""
        forms = [form for form in self.query(".compose-form") if form.is_mounted]
        return cast("list[ComposeForm]", forms)

    @property
    def active_channel(self) -> Channel:
        try:
            active = cast("TabbedContent", self.query_one("#channels")).active
        except NoMatches:  # before the tabs are built
            active = ""
        return Channel(active.removeprefix("tab-") or CHANNELS[0].value)

    def visible_form(self) -> ComposeForm | None:
        """The visible form, or None while a hidden tab's form is still being built."""
        channel = self.active_channel
        return next((form for form in self.forms() if form.CHANNEL is channel), None)

    def form(self, channel: Channel | str) -> ComposeForm:
        """The compose form of a channel."""
        from comms_tui.tui.compose.forms.base import ComposeForm

        return self.query_one(f"#{Channel(channel).value}", ComposeForm)

    @property
    def results(self) -> ResultsPane:
        from comms_tui.tui.widgets.results import ResultsPane

        return self.query_one(ResultsPane)

    # -- session --------------------------------------------------------------------------------

    def bind(self, session: Session) -> None:
        """The session is open: show where we send, and validate as it reads input."""
        self.session = session
        self.query_one(AppHeader).show_target(
            session.name,
            session.target.base_url,
            sandbox=session.is_sandbox,
            production=session.production,
        )
        self.results.tz = session.zone
        for form in self.forms():
            form.bind_session(session)
        self.refresh_bindings()

    def unbind(self) -> None:
        """The session is being opened again: nothing sends until ``bind``."""
        self.session = None
        self.refresh_bindings()

    def show_failure(self, message: str) -> None:
        self.query_one(AppHeader).show_failure(message)

    def show_connecting(self) -> None:
        self.query_one(AppHeader).show_connecting()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_form":  # from the results: shown instead of the form, or in focus
            return (self.narrow and self._results_shown) or self._in_results()
        if action == "cycle_channel" and self.narrow and self._results_shown:
            return False  # esc first: the results have the whole width and the footer
        if action == "send" and self.session is None:
            return None  # shown disabled in the footer (while busy it says "already sending")
        if action == "cancel_send":
            return self._cancel is not None  # only while a send is in flight
        # attach and template: enabled on every form, so that their keys say why they do
        # nothing where they don't apply (``applies``); a disabled key would do nothing.
        return True

    def applies(self, action: str) -> bool:
        """Whether ``action`` does something on the visible form: the palette offers it only
        then. Attachments are for Email only, templates for every form but Email."""
        if action == "attach":
            return self.active_channel is Channel.EMAIL
        if action == "template":
            return self.active_channel is not Channel.EMAIL
        return True

    # -- actions --------------------------------------------------------------------------------

    def action_channel(self, name: str) -> None:
        self.show_channel(Channel(name))

    def action_cycle_channel(self, step: int) -> None:
        index = CHANNELS.index(self.active_channel)
        self.show_channel(CHANNELS[(index + step) % len(CHANNELS)])

    def show_channel(self, channel: Channel) -> None:
        # Back to the form, but not to the field it left (action_show_form): that focus, a
        # frame later, took the tabs back to the channel it is on.
        self._set_results_shown(False)
        try:
            tab_set = cast("TabbedContent", self.query_one("#channels"))
        except NoMatches:  # still building: the first frame's keys go to the first form
            return
        tab_set.active = f"tab-{channel.value}"
        for form in self.forms():  # a form not built yet is focused as it mounts
            if form.CHANNEL is channel:
                field = form.query_one(f"#{form.recipient_key}")
                field.focus()
                # Into view once the tab is laid out: a form left scrolled down to its last
                # field kept the focused recipient out of view, and typing went there unseen.
                field.call_after_refresh(field.scroll_visible, animate=False)
        self.refresh_bindings()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    @property
    def narrow(self) -> bool:
        return self.app.has_class("-narrow")

    def action_focus_results(self) -> None:
        # Always to the results, never back (esc is the way back): a ctrl+r pressed when they
        # were already shown must not put the result keys that follow into a form field.
        if not self._in_results():
            self._form_focus = self.focused
        if self.results.records:
            self._show_results()
        self.results.focus_list()

    def _in_results(self) -> bool:
        focused = self.focused
        return focused is not None and any(
            node.id == "results" for node in focused.ancestors_with_self
        )

    def _show_results(self) -> None:
        """Narrow: the results pane in the form's place (wide: both are on screen anyway)."""
        if not self._results_shown and not self._in_results():
            self._form_focus = self.focused
        self._set_results_shown(True)
        self.refresh_bindings()

    def _set_results_shown(self, shown: bool) -> None:
        """``-results`` lays the screen out only when narrow, and changing a class restyles every
        widget on the screen (a tenth of a second): wide, it follows at the next resize."""
        self._results_shown = shown
        if self.narrow:
            self.set_class(shown, "-results")

    def on_resize(self) -> None:
        self.set_class(self._results_shown, "-results")

    def action_show_form(self) -> None:
        self._set_results_shown(False)
        focus = self._form_focus
        if focus is not None and focus.is_attached and focus.focusable:
            focus.focus()
        elif (form := self.visible_form()) is not None:
            form.query_one(f"#{form.recipient_key}").focus()
        self.refresh_bindings()

    def action_expand_result(self) -> None:
        self.results.action_expand()

    def action_copy_curl(self) -> None:
        self.results.action_copy_curl()

    def action_copy_response(self) -> None:
        self.results.action_copy_response()

    def action_attach(self) -> None:
        from comms_tui.tui.compose.forms.email import EmailForm

        if not self.applies("attach"):
            self.notify(f"Attachments are for Email, not {self.active_channel.label}.")
        elif isinstance(form := self.visible_form(), EmailForm):
            form.action_attach()

    def action_template(self, name: str | None = None) -> None:
        from comms_tui.tui.compose.templates import use_template

        profile = self.session.profile if self.session else None
        if (form := self.visible_form()) is not None:
            use_template(self.app, form, profile.templates if profile else {}, name)

    def action_resend_failed(self) -> None:
        self.results.action_resend_failed()

    def action_export_result(self) -> None:
        self.results.action_export_json()

    def on_results_pane_resend_requested(self, message: ResultsPane.ResendRequested) -> None:
        """A new request with only the failed items, through the usual questions and guard."""
        from comms_tui.core.flow import failed_only

        request = message.record.request
        if request is None or self.session is None or self.busy:
            self.notify("Can't resend now: still connecting or sending.", severity="warning")
            return
        again = failed_only(request, message.record.result)
        if again is None:
            self.notify("No failed items to resend.", severity="warning")
            return
        self._start_send(self.form(request.channel), again, resend=True)

    def action_clear_form(self) -> None:
        """Back to a fresh form (the profile's From stays), its draft gone. Never while a send
        is under way: the form is what went out, and an unknown outcome is checked against it.
        What the user wrote goes only once they say so (the default is to keep it)."""
        from comms_tui.tui.screens.confirm import ConfirmScreen

        if (form := self.visible_form()) is None:
            return
        if self.busy:
            form.show_status("Not cleared while sending.", "$text-warning")
            return
        if form.is_fresh or self._kept_in_history(form):
            self._clear(form)
            return

        def answered(clear: bool | None) -> None:
            if clear and not self.busy:
                self._clear(form)

        question = ConfirmScreen(
            f"Clear the {form.label} form?",
            "What you wrote in it goes, and its draft with it: nothing brings them back.",
            confirm="Clear it",
            cancel="Keep it",
            default_confirm=False,
            id="confirm-clear",
        )
        self.app.push_screen(question, answered)

    def _kept_in_history(self, form: ComposeForm) -> bool:
        """The form holds what its last send sent, and the history has it (History › compose
        again brings it back; of attached files it keeps only the names, so not with those):
        the send, ctrl+l, the next one loop asks nothing."""
        values = form.values()
        return "attachments" not in values and values == self._sent.get(form.CHANNEL)

    def _clear(self, form: ComposeForm) -> None:
        form.clear()
        self.discard_draft(form.CHANNEL)
        form.show_status(f"{form.label} form and draft cleared.", "$text-muted")  # never piles up

    def compose_again(self, again: ComposeAgain) -> None:
        """Fill a form from history; the user reviews it and sends. A form that holds something
        else is replaced only once the user says so: nothing typed is lost unasked."""
        from comms_tui.tui.screens.confirm import ConfirmScreen

        form, fields = self.form(again.channel), dict(again.fields)
        self.show_channel(again.channel)
        # Nothing would be lost: empty, or only what the send brings back (the default From).
        if all(fields.get(name) == value for name, value in form.values().items()):
            form.restore(fields)
            return

        def answered(replace: bool | None) -> None:
            if replace:
                form.restore(fields)
                form.query_one(f"#{form.recipient_key}").focus()

        question = ConfirmScreen(
            f"Replace what is in the {form.label} form?",
            "The form holds a message you were writing: composing the earlier send again puts "
            "that send in its place, and what you wrote is gone.",
            confirm="Replace it",
            cancel="Keep mine",
            default_confirm=False,
            id="confirm-replace",
        )
        self.app.push_screen(question, answered)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send-button":
            event.stop()
            self.action_send()
        elif event.button.id == "clear-button":
            event.stop()
            self.action_clear_form()

    # -- sending --------------------------------------------------------------------------------

    def action_send(self) -> None:
        if self.session is None:
            self.notify("Still connecting: try again in a moment.", severity="warning")
            return
        if self.busy:
            self.notify(
                "Already sending: wait for the answer, or esc to cancel.", severity="warning"
            )
            return
        if (form := self.visible_form()) is None:
            return
        from comms_tui.api.errors import InvalidInput

        try:
            request = form.build()
        except InvalidInput as exc:
            form.show_first_error()
            count = len(exc.errors) or 1
            # At the form, not a toast: pressed again and again, toasts would pile up.
            form.show_status(f"Nothing sent: fix {count} field{'s' if count > 1 else ''} first.")
            return
        self._start_send(form, request)

    def _start_send(self, form: ComposeForm, request: SendRequest, *, resend: bool = False) -> None:
        self.busy = True
        self.refresh_bindings()
        self._sending = self._send_flow(form, request, resend)

    @work(exclusive=True, group="send", description="send")
    async def _send_flow(self, form: ComposeForm, request: SendRequest, resend: bool) -> None:
        from comms_tui.tui.compose.send_flow import send_from_form
        from comms_tui.tui.widgets.in_flight import SendProgress

        session = self.session
        assert session is not None
        progress = form.query_one(SendProgress)
        cancel = asyncio.Event()
        started: list[datetime] = []
        schedule = form.value("scheduledTime")  # cleared after a scheduled send, if unchanged
        typed = form.values()

        def sending() -> None:
            started.append(self.clock())
            form.set_sending(True)
            progress.start(session.target.read_timeout)
            self._cancel, self._progress = cancel, progress
            self.refresh_bindings()

        try:
            sent = await send_from_form(
                self.app,
                session,
                request,
                now=self.clock(),
                resend=resend,
                sending=sending,
                progress=progress.update_progress,
                cancel=cancel,
            )
            if sent is not None:
                self.post_message(
                    SendFinished(
                        sent,
                        session.name,
                        request,
                        started_at=started[0] if started else None,
                        target=session.target,
                    )
                )
                scheduled = sent.request is not None and sent.request.items[0].scheduled_time
                if scheduled and sent.result.success_count and not resend:
                    self._schedule_done(form, schedule)
                    typed.pop("scheduledTime", None)  # cleared, unless edited meanwhile
                if not resend and sent.history_id is not None and sent.not_recorded is None:
                    self._sent[form.CHANNEL] = typed
        finally:
            # The send ended while a question about it was up: its answer no longer matters.
            for question in reversed(self.app.screen_stack):  # empty while the app closes
                if question.id not in SEND_QUESTIONS:
                    break
                question.dismiss(False)  # on top (the one above is gone): pops it now
            progress.stop()
            form.set_sending(False)
            self._cancel = self._progress = self._sending = None
            self.busy = False
            self.refresh_bindings()

    @staticmethod
    def _schedule_done(form: ComposeForm, schedule: str) -> None:
        """A scheduled send went out: clear Schedule (only it), unless it was edited meanwhile,
        so that the next send does not go out at that time too."""
        if form.value("scheduledTime") == schedule:
            form.set_value("scheduledTime", "")

    @property
    def in_flight(self) -> bool:
        """A send is on its way to the server or waiting for its answer."""
        return self._cancel is not None

    async def stop_send(self) -> None:
        """Stop the send in flight as esc does, and wait until its outcome is recorded (not
        sent, or unknown once the server may have had it): leaving, the history must say so."""
        cancel, worker = self._cancel, self._sending
        if cancel is None or worker is None:
            return
        cancel.set()
        with contextlib.suppress(WorkerError):  # failed or cancelled: it says so itself
            await worker.wait()

    def confirm_quit(self) -> None:
        """ctrl+q while a send is in flight: quit only once the user says so (default: no)."""
        from comms_tui.tui.screens.confirm import ConfirmScreen

        if self.app.screen.id == "confirm-quit":  # ctrl+q again while it asks
            return
        progress = self._progress
        if progress is not None and progress.may_have_arrived:
            body = (
                "The server may already have the whole request. If you quit now, the outcome "
                "is UNKNOWN: the message may have gone out, and the history records it as unknown."
            )
        else:
            body = (
                "The request is still on its way. If you quit now, it is stopped: nothing is "
                "sent, and the history records it as not sent."
            )

        async def answered(leave: bool | None) -> None:
            if leave:
                await self.app.run_action("quit")  # stops the send first (CommsApp.action_quit)

        question = ConfirmScreen(
            "Quit while a send is under way?",
            body,
            confirm="Quit anyway",
            cancel="Keep waiting",
            default_confirm=False,
            loud=True,
            id="confirm-quit",
        )
        self.app.push_screen(question, answered)

    def action_cancel_send(self) -> None:
        """Stop the send in flight: at once while the server cannot have it all, else ask,
        since stopping then leaves the outcome unknown."""
        cancel, progress = self._cancel, self._progress
        if cancel is None or cancel.is_set():
            return
        if progress is not None and progress.may_have_arrived:
            self._confirm_cancel(cancel)
        else:
            cancel.set()

    def _confirm_cancel(self, cancel: asyncio.Event) -> None:
        from comms_tui.tui.screens.confirm import ConfirmScreen

        def answered(stop: bool | None) -> None:
            if stop and self._cancel is cancel:  # still the same send
                cancel.set()

        question = ConfirmScreen(
            "Stop waiting for the answer?",
            "The server may already have the whole request. If you stop now, the outcome is "
            "UNKNOWN: the message may have gone out, and the history records it as unknown.",
            confirm="Stop waiting",
            cancel="Keep waiting",
            default_confirm=False,
            loud=True,
            id="confirm-cancel",
        )
        self.app.push_screen(question, answered)

    def on_send_finished(self, message: SendFinished) -> None:
        sent = message.sent
        result = sent.result
        record = self.results.add(
            sent, message.profile, message.request, at=message.started_at, target=message.target
        )
        if self.narrow:  # the outcome is what matters now; escape brings the form back
            self._show_results()
            self.results.focus_list()
        if sent.not_recorded:
            self.notify(
                f"The send could not be recorded in the history: {sent.not_recorded}",
                severity="warning",
                timeout=15,
            )
        # The results pane shows every outcome: a toast only for what must not be missed (an
        # unknown outcome, a failure) or that the pane's row does not say (when it goes out, notes).
        if result.unknown:
            self.notify(
                "Outcome UNKNOWN: it may have been sent. Check before resending.\n"
                + (result.error.message if result.error else ""),
                severity="warning",
                timeout=10,
            )
        elif result.error is not None and result.sent_nothing:
            text = f"Not sent: {result.error.message}"
            if isinstance(result.error, AuthFailed) and self.app.check_action("reconnect", ()):
                text += "\nThe secret was typed for this session: ctrl+p › Connect again."
            self.notify(text, severity="error", timeout=15)
        elif result.error is not None:  # a 500 with the API's own status: it says it failed
            message_text = result.error.message
            self.notify(
                message_text[:1].upper() + message_text[1:],
                title="Server error",
                severity="error",
                timeout=10,
            )
        elif record.scheduled_for is not None or result.notes():
            text = f"{result.channel.label}: {result.success_count} of {result.count} accepted"
            if (when := record.scheduled_for) is not None:
                from comms_tui.api.schedule import describe_schedule

                zone = self.results.tz or when.tzinfo or timezone.utc
                text += f", to go out {describe_schedule(when, zone)}"
            if notes := result.notes():
                text += f"\n{len(notes)} note(s) from the server: see the results"
            self.notify(text, severity="information" if result.failed_items == [] else "warning")

    # -- drafts ---------------------------------------------------------------------------------

    @work(thread=True, group="drafts", description="save drafts")
    def _load_drafts(self) -> None:
        from comms_tui.store.errors import DamagedFile

        try:
            drafts = self.drafts.load()
        except DamagedFile as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="warning", timeout=15)
            drafts = {}
        self.app.call_from_thread(self._drafts_loaded, drafts)

    def _drafts_loaded(self, drafts: dict[str, dict[str, Any]]) -> None:
        self._loaded_drafts = drafts
        for form in self.forms():  # forms built later restore theirs in _prepare
            self._restore_draft(form)

    def _restore_draft(self, form: ComposeForm) -> None:
        if self._loaded_drafts is None:
            return  # not read yet: _drafts_loaded comes back for it
        draft = self._loaded_drafts.get(form.CHANNEL.value)
        if draft and form.is_blank:  # never overwrite what was typed meanwhile
            form.restore(draft)

    def on_compose_form_changed(self, message: ComposeForm.Changed) -> None:
        form = message.form
        channel = form.CHANNEL.value
        if (timer := self._draft_timers.get(channel)) is not None:
            timer.stop()
        self._draft_timers[channel] = self.set_timer(
            DRAFT_DELAY, lambda: self._save_draft(channel, form.values())
        )

    def discard_draft(self, channel: Channel) -> None:
        """The form was cleared on purpose: forget its draft (and a pending save)."""
        if (timer := self._draft_timers.pop(channel.value, None)) is not None:
            timer.stop()
        self._save_draft(channel.value, {})

    def flush_drafts(self) -> None:
        """Write every form now (on quit: a pending debounced save must not be lost)."""
        for timer in self._draft_timers.values():
            timer.stop()
        if self._loaded_drafts is None:
            return  # quitting before the drafts were read: writing now would erase them
        drafts = dict(self._loaded_drafts)  # a form not built yet keeps its draft as read
        drafts.update({form.CHANNEL.value: form.values() for form in self.forms()})
        self.drafts.save_all(drafts)

    @work(thread=True, group="drafts", description="save drafts")
    def _save_draft(self, channel: str, values: dict[str, object]) -> None:
        try:
            self.drafts.save(channel, values)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Could not save the draft: {exc}", severity="warning"
            )
