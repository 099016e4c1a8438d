"""The compose form base: one subclass per channel, each a container whose id is the channel.

Input ids are the API's field names. The form validates as you type (debounced) and shows each
problem under its field; a field left empty is only called out after a send was attempted. It
builds the ``SendRequest`` through the session (the core reads input as the profile says) and
never builds JSON itself. The screen that holds it hands it the session (``bind_session``) and
its draft (``restore``); the form never reaches into the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, LoadingIndicator, Static, TextArea

from comms_tui.api.channels import FIELD_LABELS, Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.tui.masking import is_masked
from comms_tui.tui.plain import TEXT_MAX_CHARS, editable, plain
from comms_tui.tui.widgets.field import form_field, set_error, set_hint
from comms_tui.tui.widgets.in_flight import SendProgress
from comms_tui.tui.widgets.list_input import ListInput
from comms_tui.tui.widgets.recipients import Checked, check_phones, preview

if TYPE_CHECKING:
    from comms_tui.api.models import ValidationContext
    from comms_tui.api.requests import SendRequest
    from comms_tui.core.session import Session
    from comms_tui.store.profiles import Profile

VALIDATE_DELAY = 0.15  # seconds of quiet typing before validating
SCHEDULE_PLACEHOLDER = "now, +15m, tomorrow 09:00 or an ISO time"


class ComposeForm(Vertical):
    CHANNEL: ClassVar[Channel]
    FIELDS: ClassVar[tuple[str, ...]]  # every field id, in screen order (drafts, clearing)
    RECIPIENT_PLACEHOLDER: ClassVar[str] = "919591471711, +65 8123 4567, …"

    class Changed(Message):
        """The user edited the form (the screen saves the draft, debounced)."""

        def __init__(self, form: ComposeForm) -> None:
            super().__init__()
            self.form = form

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(id=self.CHANNEL.value, classes="compose-form")
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.session: Session | None = None
        self._validation_context: ValidationContext | None = None
        self.attempted = False  # after a send attempt, empty required fields are errors too
        self._timer: Timer | None = None
        self._quiet = False  # set while the program (not the user) changes values
        self._parts: dict[str, Widget] = {}

    # -- layout -------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return self.CHANNEL.label

    @property
    def channel(self) -> Channel:
        return self.CHANNEL

    @property
    def recipient_key(self) -> str:
        return self.CHANNEL.recipient_field

    @property
    def profile(self) -> Profile | None:
        return self.session.profile if self.session is not None else None

    @property
    def context(self) -> ValidationContext:
        """How the session reads input (region, zone), on this form's clock; before the
        session is open, no region and the local zone."""
        import dataclasses

        if self._validation_context is None:
            from comms_tui.api.models import ValidationContext

            return ValidationContext(region=None, now=self.clock())
        return dataclasses.replace(self._validation_context, now=self.clock())

    def compose(self) -> ComposeResult:
        recipients = ListInput(placeholder=self.RECIPIENT_PLACEHOLDER, id=self.recipient_key)
        with VerticalScroll(classes="form-fields", can_focus=False):
            yield from form_field("To", recipients, hint=True)
            yield from self.compose_fields()
            schedule = Input(placeholder=SCHEDULE_PLACEHOLDER, id="scheduledTime")
            yield from form_field("Schedule", schedule, hint=True)
        with Vertical(classes="form-actions"):  # outside the scroll: Send stays in view
            yield SendProgress(id="send-progress")  # a line above the buttons, while sending
            with Horizontal(classes="form-buttons"):
                yield Button(
                    "Send",
                    id="send-button",
                    variant="primary",
                    tooltip="Send (ctrl+j)",
                    disabled=self.session is None,  # until the session is open
                )
                spinner = LoadingIndicator(id="sending")
                spinner.display = False  # while a send is under way
                yield spinner
                yield Button(
                    "Clear", id="clear-button", tooltip="Clear this form and its draft (ctrl+l)"
                )
                yield Static(id="form-status")

    def compose_fields(self) -> ComposeResult:
        """The channel's own fields, between recipients and schedule."""
        raise NotImplementedError

    @staticmethod
    def text_area(field_id: str, height_class: str = "body", placeholder: str = "") -> TextArea:
        return TextArea(
            id=field_id,
            classes=height_class,  # here, not add_class: that would style it now, unmounted
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            placeholder=placeholder,
        )

    def on_mount(self) -> None:
        if is_masked(self):
            self.show_masked(True)

    def show_masked(self, masked: bool) -> None:
        """Screen sharing: recipient inputs hide what was typed (the preview masks numbers)."""
        for field_id in (self.recipient_key, "cc", "bcc"):
            for widget in self.query(f"#{field_id}").results(Input):
                widget.password = masked

    # -- values ---------------------------------------------------------------------------------

    def part(self, widget_id: str) -> Widget | None:
        """This form's widget with that id (cached: validation runs on every keystroke, and
        each DOM query walks the whole form)."""
        found = self._parts.get(widget_id)
        if found is None or not found.is_attached:
            found = next(iter(self.query(f"#{widget_id}")), None)
            if found is not None:
                self._parts[widget_id] = found
        return found

    def value(self, field_id: str) -> str:
        widget = self.part(field_id)
        if isinstance(widget, TextArea):
            return widget.text
        if widget is None:  # as query_one says it (the form is being taken apart: leaving)
            raise NoMatches(f"No #{field_id} in the {self.label} form")
        assert isinstance(widget, Input)
        return widget.value

    def set_value(self, field_id: str, text: str) -> None:
        widget = self.part(field_id)
        if isinstance(widget, TextArea):
            widget.load_text(text)
            widget.move_cursor(widget.document.end)  # carry on typing where the draft ended
        elif isinstance(widget, Input):
            widget.value = text
            widget.cursor_position = len(text)

    def values(self) -> dict[str, Any]:
        """What a draft keeps: every field's text (nothing secret)."""
        return {f: self.value(f) for f in self.FIELDS if self.value(f)}

    def restore(self, draft: dict[str, Any]) -> None:
        """Fill the form from a draft or a history entry (read from disk: control characters
        are made visible); unknown keys are ignored."""
        cut: list[str] = []
        with self.prevent(Input.Changed, TextArea.Changed):
            for field_id in self.FIELDS:
                value = draft.get(field_id)
                text = editable(value) if isinstance(value, str) else ""
                limit = TEXT_MAX_CHARS if isinstance(self.part(field_id), TextArea) else None
                if limit is not None and len(text) > limit:  # a hand-made or damaged draft
                    text = text[:limit]
                    cut.append(FIELD_LABELS.get(field_id, field_id))
                self.set_value(field_id, text)
        if cut:
            self.notify(
                f"{', '.join(cut)} cut to {TEXT_MAX_CHARS:,} characters: a field holds no more.",
                severity="warning",
                timeout=15,
            )
        self.revalidate()

    def defaults(self) -> dict[str, str]:
        """What a fresh form holds before anything is typed (the profile's, once it is bound)."""
        return {}

    def clear(self) -> None:
        """Back to a fresh form: its defaults, nothing else."""
        self.attempted = False
        self.restore(self.defaults())
        self.query_one(f"#{self.recipient_key}").focus()
        self.query_one(".form-fields").scroll_home(animate=False)  # the recipient in view

    @property
    def is_blank(self) -> bool:
        return not self.values()

    @property
    def is_fresh(self) -> bool:
        """Nothing here but a fresh form's defaults: clearing it loses nothing."""
        defaults = self.defaults()
        return all(defaults.get(field_id) == value for field_id, value in self.values().items())

    # -- building the request ------------------------------------------------------------------

    def recipients(self) -> list[str]:
        from comms_tui.api.phones import split_recipients

        return split_recipients(self.value(self.recipient_key))

    def check_recipients(self) -> list[Checked]:
        return check_phones(self.recipients(), self.context.region)

    def schedule(self) -> datetime | None:
        """The resolved schedule (the injected clock gives ``now``); raises InvalidInput."""
        from comms_tui.api.schedule import parse_schedule

        text = self.value("scheduledTime").strip()
        if not text:
            return None
        return parse_schedule(text, tz=self.context.tz, now=self.clock())

    def api_fields(self) -> dict[str, Any]:
        """Wire-named fields shared by every item (not the recipients)."""
        skip = {self.recipient_key, "scheduledTime"}
        fields: dict[str, Any] = {
            f: self.value(f) for f in self.FIELDS if f not in skip and self.value(f).strip()
        }
        when = self.schedule()
        if when is not None:
            fields["scheduledTime"] = when
        return fields

    def build(self) -> SendRequest:
        """The request to send, or InvalidInput naming every bad field (shown at the fields)."""
        self.attempted = True
        errors = self.revalidate()
        if errors:
            raise InvalidInput("; ".join(errors.values()), errors=errors)
        if self.session is None:
            raise InvalidInput("still connecting: try again in a moment")
        try:
            return self.session.build_request(
                self.channel, self.recipients(), self.api_fields(), now=self.clock()
            )
        except InvalidInput as exc:
            self.show_errors(exc.errors or {self.recipient_key: exc.message})
            raise

    # -- validation -----------------------------------------------------------------------------

    def revalidate(self) -> dict[str, str]:
        """Check every field now; show errors and hints; return the errors shown."""
        if self._validation_context is None:
            return {}  # no profile yet: its region decides what a number means (bind revalidates)
        key = self.recipient_key
        errors: dict[str, str] = {}
        checked = self.check_recipients()
        set_hint(self, key, preview(checked, is_masked(self)) if checked else None)
        bad = list(dict.fromkeys(c.error for c in checked if c.error))
        if bad:
            errors[key] = "; ".join(bad)
        elif not checked:
            errors[key] = "Recipient is required"
        fields: dict[str, Any] = {}
        try:
            fields = self.api_fields()
        except InvalidInput as exc:
            errors["scheduledTime"] = exc.message
            fields = {f: self.value(f) for f in self.FIELDS if f not in (key, "scheduledTime")}
        if "scheduledTime" in errors:
            set_hint(self, "scheduledTime", None)  # the error says it; "now" would contradict it
        else:
            self._describe_schedule(fields.get("scheduledTime"))
        sample = next((c.value for c in checked if c.value), "")
        errors.update(self.field_errors(fields, sample))
        self.extra_checks(checked, errors)
        if not self.attempted:  # don't nag about fields the user has not reached yet
            errors = {f: m for f, m in errors.items() if f not in self.FIELDS or self.value(f)}
        self.show_errors(errors)
        return errors

    def field_errors(self, fields: dict[str, Any], sample: str) -> dict[str, str]:
        """Errors of the non-recipient fields, from the API's own validation."""
        from comms_tui.api.requests import validate_item

        try:
            validate_item(self.channel, {**fields, self.recipient_key: sample}, self.context)
        except InvalidInput as exc:
            return {f: m for f, m in exc.errors.items() if f != self.recipient_key}
        return {}

    def extra_checks(self, checked: list[Checked], errors: dict[str, str]) -> None:
        """Channel-specific hints and errors (sender-ID rules, attachments…)."""

    def show_errors(self, errors: dict[str, str]) -> None:
        for field_id in self.FIELDS:
            set_error(self, field_id, errors.get(field_id))
        other = [m for f, m in errors.items() if f not in self.FIELDS]
        self.show_status("; ".join(other))

    def show_status(self, text: str, style: str = "$text-error") -> None:
        """A line beside Send about the form as a whole (until the next validation)."""
        status = self.part("form-status")
        assert isinstance(status, Static)
        status.update(plain(text, style=style) if text else "")

    def _describe_schedule(self, when: datetime | None) -> None:
        from comms_tui.api.schedule import describe_schedule, is_past

        if not self.value("scheduledTime").strip():
            set_hint(self, "scheduledTime", None)
            return
        text = Content(describe_schedule(when, self.context.tz))
        if when is not None and is_past(when, self.clock()):
            text = Content.assemble(
                text, ("  ⚠ in the past: it will go out at once", "$text-warning")
            )
        set_hint(self, "scheduledTime", text)

    def show_first_error(self) -> None:
        for field_id in self.FIELDS:
            if self.query_one(f"#{field_id}-field").has_class("-invalid"):
                self.query_one(f"#{field_id}").focus()
                return

    # -- events ---------------------------------------------------------------------------------

    def bind_session(self, session: Session) -> None:
        """The session is open (or its profile changed): validate as it reads input."""
        self.session = session
        self._validation_context = session.context
        self.query_one("#send-button", Button).disabled = False
        self.revalidate()

    def set_sending(self, sending: bool) -> None:
        """The spinner beside Send while a send is under way. Send itself stays enabled (pressed
        again, it says a send is under way): disabling it would move its focus to Clear, and the
        next Enter would clear the form."""
        # Queried, not looked up: a send may end while the app is closing and the form is gone.
        for spinner in self.query("#sending").results(LoadingIndicator):
            spinner.display = sending

    def _edited(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY, self.revalidate)
        self.post_message(self.Changed(self))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._edited()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._edited()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.app.action_focus_next()
