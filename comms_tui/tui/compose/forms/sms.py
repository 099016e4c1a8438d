"""SMS: recipients, message with the segment meter, sender ID (saved IDs + free entry), schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets import Input, TextArea

from comms_tui.api.channels import Channel
from comms_tui.tui.compose.forms.base import ComposeForm
from comms_tui.tui.widgets.field import form_field, set_hint
from comms_tui.tui.widgets.recipients import Checked
from comms_tui.tui.widgets.sms_meter import SmsMeter

if TYPE_CHECKING:
    from comms_tui.core.session import Session
    from comms_tui.store.profiles import Profile


def saved_sender_ids(profile: Profile | None) -> list[str]:
    """The sender IDs saved for the profile's own OU (its attribution, "" when it has none):
    sends go out with that attribution, so another OU's IDs would be refused (4250)."""
    if profile is None:
        return []
    own = str(profile.attribution) if profile.attribution is not None else ""
    return list(dict.fromkeys(profile.sender_ids.get(own, [])))


class SmsForm(ComposeForm):
    CHANNEL: ClassVar[Channel] = Channel.SMS
    FIELDS: ClassVar[tuple[str, ...]] = ("to", "body", "sender", "scheduledTime")

    def compose_fields(self) -> ComposeResult:
        yield from form_field("Message", self.text_area("body"), classes="-tall")
        yield SmsMeter(id="body-meter")
        sender = Input(placeholder="default sender ID (type to pick a saved one)", id="sender")
        yield from form_field("Sender", sender, hint=True)

    def on_mount(self) -> None:
        super().on_mount()
        # What is there by now: a draft may have been restored before this runs.
        self.query_one(SmsMeter).measure(self.value("body"))

    def bind_session(self, session: Session) -> None:
        saved = saved_sender_ids(session.profile)
        self.query_one("#sender", Input).suggester = (
            SuggestFromList(saved, case_sensitive=False) if saved else None
        )
        super().bind_session(session)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # The meter answers every keystroke: it is cheap and people type to fit a segment.
        if event.text_area.id == "body":
            self.query_one(SmsMeter).measure(event.text_area.text)
        super().on_text_area_changed(event)

    def restore(self, draft: dict[str, object]) -> None:
        super().restore(draft)
        self.query_one(SmsMeter).measure(self.value("body"))

    def extra_checks(self, checked: list[Checked], errors: dict[str, str]) -> None:
        from comms_tui.api.sms import sender_warning

        sender = self.value("sender").strip()
        saved = saved_sender_ids(self.profile)
        hint: Content | None = None
        if saved and not sender:
            hint = Content.styled("Saved for this OU: " + " · ".join(saved), "dim")
        if sender and "sender" not in errors:
            regions = dict.fromkeys(c.region for c in checked if c.region)
            warnings = [w for r in regions if (w := sender_warning(sender, r))]
            if warnings:
                hint = Content.styled("⚠ " + warnings[0], "$text-warning")
            elif saved and sender.upper() not in (s.upper() for s in saved):
                hint = Content.styled(
                    "Not one of the IDs saved for this OU: the server may refuse it", "dim"
                )
        set_hint(self, "sender", hint)
