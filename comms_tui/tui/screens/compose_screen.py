"""The main screen: header, one compose tab per channel, the results pane, a short footer.

It owns the send flow: validate → confirm (several recipients or production; an SMS over 4
segments) → duplicate guard → one exclusive worker sending → ``SendFinished`` → results. A send
never clears the form. "Resend failed items" from the results pane goes through the same flow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, TabbedContent, TabPane

from comms_tui.api.errors import InvalidInput
from comms_tui.tui.channels import LABELS
from comms_tui.tui.drafts import DraftStore
from comms_tui.tui.masking import is_masked, mask_text, masking_of
from comms_tui.tui.messages import ComposeAgain, SendFinished
from comms_tui.tui.screens.compose import ComposeForm
from comms_tui.tui.screens.compose_email import EmailForm
from comms_tui.tui.screens.compose_sms import SmsForm
from comms_tui.tui.screens.compose_template import WhatsAppForm, ZaloForm
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.widgets.header import AppHeader
from comms_tui.tui.widgets.results import ResultsPane

if TYPE_CHECKING:
    from comms_tui.api.models import ValidationContext
    from comms_tui.api.requests import SendRequest
    from comms_tui.sending import Sender
    from comms_tui.session import Session

DRAFT_DELAY = 0.5  # seconds of quiet before a draft is written
FORMS: tuple[type[ComposeForm], ...] = (SmsForm, EmailForm, WhatsAppForm, ZaloForm)


@dataclass(frozen=True)
class Connection:
    """What sending needs, once the session is open."""

    session: Session
    sender: Sender
    context: ValidationContext


def _channel_bindings() -> list[BindingType]:
    bindings: list[BindingType] = []
    for n, form in enumerate(FORMS, 1):
        name = form.CHANNEL
        bindings.append(
            Binding(
                f"alt+{n},{n}",
                f"channel('{name}')",
                LABELS[name],
                show=False,
                id=f"channel-{name}",
                tooltip=f"Compose {LABELS[name]}",
            )
        )
    return bindings


class ComposeScreen(Screen[None]):
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
        super().__init__(id="compose-screen")
        self.drafts = drafts
        self.clock = clock
        self.pinned = pinned
        self.connection: Connection | None = None
        self.busy = False  # a send flow (confirm → send) is under way
        self._draft_timers: dict[str, Timer] = {}
        self._drafts_loaded = False
        self.loaded_drafts: dict[str, dict[str, object]] = {}

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="main"):
            with TabbedContent(id="channels"):
                for form in FORMS:
                    with TabPane(LABELS[form.CHANNEL], id=f"tab-{form.CHANNEL}"):
                        yield form(clock=self.clock)
            results = ResultsPane(clock=self.clock)
            results.pinned = self.pinned
            yield results
        yield Footer()

    def on_mount(self) -> None:
        for form in self.query(ComposeForm):
            form.query_one("#send-button", Button).disabled = True
        self._load_drafts()
        self.active_form.query_one(f"#{self.active_form.recipient_key}").focus()
        if self.connection is not None:
            self._apply_connection(self.connection)
        if (masking := masking_of(self)) is not None:
            masking.changed.subscribe(self, self._mask_changed)

    def _mask_changed(self, masked: bool) -> None:
        """Recipient inputs hide what was typed; the previews under them show masked numbers."""
        for form in self.query(ComposeForm):  # forms of lazy tabs catch up when they mount
            form.show_masked(masked)
            form.revalidate()

    # -- lookups --------------------------------------------------------------------------------

    @property
    def active_form(self) -> ComposeForm:
        active = self.query_one("#channels", TabbedContent).active or "tab-sms"
        return self.form(active.removeprefix("tab-"))

    def form(self, channel: str) -> ComposeForm:
        """The compose form of a channel (wire name: sms, email, whatsapp, zalo)."""
        return self.query_one(f"#{channel}", ComposeForm)

    @property
    def results(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    # -- session --------------------------------------------------------------------------------

    def bind(self, connection: Connection) -> None:
        """The session is open: show where we send, and validate against the profile."""
        self.connection = connection
        if self.is_mounted:
            self._apply_connection(connection)
        # else on_mount applies it: a fast session can open before the forms are built

    def _apply_connection(self, connection: Connection) -> None:
        session = connection.session
        self.query_one(AppHeader).show_target(
            session.name,
            session.target.base_url,
            sandbox=session.is_sandbox,
            production=session.production,
        )
        self.results.tz = connection.context.tz
        for form in self.query(ComposeForm):
            form.bind_profile(session.profile, connection.context)
            form.query_one("#send-button", Button).disabled = False
        self.refresh_bindings()

    def show_failure(self, message: str) -> None:
        self.query_one(AppHeader).show_failure(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send" and (self.connection is None or self.busy):
            return None  # shown disabled in the footer
        # attach and template: hidden (not just greyed) on the forms they don't apply to
        if action == "template":
            return not isinstance(self.active_form, EmailForm)
        return not (action == "attach" and not isinstance(self.active_form, EmailForm))

    # -- actions --------------------------------------------------------------------------------

    def action_channel(self, name: str) -> None:
        self.show_channel(name)

    def show_channel(self, channel: str) -> None:
        self.query_one("#channels", TabbedContent).active = f"tab-{channel}"
        form = self.form(channel)
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
        form = self.active_form
        if isinstance(form, EmailForm):
            form.action_attach()

    def action_template(self, name: str | None = None) -> None:
        from comms_tui.tui.screens.compose_templates import use_template

        profile = self.connection.session.profile if self.connection else None
        use_template(self.app, self.active_form, profile.templates if profile else {}, name)

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
        form = self.active_form
        if (timer := self._draft_timers.pop(form.CHANNEL, None)) is not None:
            timer.stop()
        form.clear()
        self._save_draft(form.CHANNEL, {})
        self.notify(f"{form.label} form and draft cleared.")

    def compose_again(self, again: ComposeAgain) -> None:
        """Fill a form from history; the user reviews it and sends."""
        channel = str(getattr(again.channel, "value", again.channel))
        self.show_channel(channel)
        self.form(channel).restore(dict(again.fields))

    @on(Button.Pressed, "#send-button")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#clear-button")
    def _clear_pressed(self, event: Button.Pressed) -> None:
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
        form = self.active_form
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
        try:
            if (
                await self._confirmed(request, connection, resend=resend)
                and await self._long_sms_confirmed(request)
                and await self._not_duplicate(request, connection)
            ):
                form.set_sending(True)
                sent = await connection.sender.send(request)
                self.post_message(SendFinished(sent, connection.session.name, request))
        except Exception as exc:  # a journal/disk failure must not take the app down
            self.notify(f"Send failed before it completed: {exc}", severity="error", timeout=15)
        finally:
            form.set_sending(False)
            self.busy = False
            self.refresh_bindings()

    async def _confirmed(
        self, request: SendRequest, connection: Connection, *, resend: bool = False
    ) -> bool:
        session = connection.session
        many = len(request.items) > 1
        if not many and not session.production and not resend:
            return True
        where = "PRODUCTION profile " if session.production else "profile "
        n = len(request.items)
        verb = "Resend failed items:" if resend else "Send"
        body = Content.assemble(
            f"{verb} {request.channel.label} to ",
            (f"{n} recipient{'s' if n > 1 else ''}", "b"),
            f" with the {where}",
            (session.name, "b"),
            "?\nEach recipient gets their own message.",
        )
        title = "Send to production?" if session.production else "Send to several recipients?"
        if resend:
            title = "Resend to production?" if session.production else "Resend the failed items?"
        screen = ConfirmScreen(
            title, body, confirm=f"{'Resend' if resend else 'Send'} {n}",
            loud=session.production, id="confirm-send",
        )  # fmt: skip
        return await self._ask(screen)

    async def _long_sms_confirmed(self, request: SendRequest) -> bool:
        from comms_tui.tui.presend import long_sms_segments, long_sms_text

        segments = long_sms_segments(request)
        if not segments:
            return True
        body = long_sms_text(segments, len(request.items))
        screen = ConfirmScreen(
            "Send a long SMS?", body, confirm=f"Send {segments} segments", id="confirm-long-sms"
        )
        return await self._ask(screen)

    async def _ask(self, screen: ConfirmScreen) -> bool:
        """Show a yes/no modal and wait for the answer (inside the send worker)."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.app.push_screen(screen, lambda ok: answer.set_result(bool(ok)))
        return await answer

    async def _not_duplicate(self, request: SendRequest, connection: Connection) -> bool:
        from comms_tui.store.duplicates import describe_duplicates
        from comms_tui.tui.presend import reached_before

        earlier = await asyncio.to_thread(connection.sender.duplicates, request)
        # An earlier item that failed was never sent: resending it is no duplicate.
        earlier = reached_before(earlier, request.recipients)
        if not earlier:
            return True
        body = describe_duplicates(earlier, self.clock()) + "\n\nSend it again anyway?"
        recipients = request.recipients + [r for e in earlier for r in e.recipients]
        body = mask_text(body, recipients, is_masked(self))
        screen = ConfirmScreen(
            "This looks like a duplicate",
            body,
            confirm="Send again",
            cancel="Cancel",
            default_confirm=False,
            loud=True,
            id="confirm-duplicate",
        )
        return await self._ask(screen)

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

    # -- drafts ---------------------------------------------------------------------------------

    @work(thread=True, group="drafts")
    def _load_drafts(self) -> None:
        drafts = self.drafts.load()
        self.app.call_from_thread(self._restore_drafts, drafts)

    def _restore_drafts(self, drafts: dict[str, dict[str, object]]) -> None:
        self._drafts_loaded = True
        self.loaded_drafts = drafts  # for forms that mount later (lazy tabs)
        for form in self.query(ComposeForm):
            draft = drafts.get(form.CHANNEL)
            if draft and form.is_blank:  # never overwrite what was typed meanwhile
                form.restore(draft)

    def on_compose_form_changed(self, message: ComposeForm.Changed) -> None:
        channel = message.form.CHANNEL
        if (timer := self._draft_timers.get(channel)) is not None:
            timer.stop()
        form = message.form
        self._draft_timers[channel] = self.set_timer(
            DRAFT_DELAY, lambda: self._save_draft(channel, form.values())
        )

    def flush_drafts(self) -> None:
        """Write every form now (on quit: a pending debounced save must not be lost)."""
        for timer in self._draft_timers.values():
            timer.stop()
        if not self._drafts_loaded:
            return  # quitting before the drafts were read: writing now would erase them
        self.drafts.save_all({form.CHANNEL: form.values() for form in self.query(ComposeForm)})

    @work(thread=True, group="drafts")
    def _save_draft(self, channel: str, values: dict[str, object]) -> None:
        try:
            self.drafts.save(channel, values)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Could not save the draft: {exc}", severity="warning"
            )
