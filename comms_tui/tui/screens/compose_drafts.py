"""Drafts on the compose screen: nothing typed is lost, even on a crash.

Read once in a thread and restored into blank forms (a form built later restores its own in
``ComposeForm.on_mount``); each change is written 0.5 s after the last keystroke, in a thread and
atomically; quitting flushes what is still pending.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen
from textual.timer import Timer

from comms_tui.tui.drafts import DraftStore

if TYPE_CHECKING:
    from comms_tui.tui.screens.compose import ComposeForm

DRAFT_DELAY = 0.5  # seconds of quiet before a draft is written


class DraftKeepingScreen(Screen[None]):
    """A screen of compose forms whose drafts are kept in a ``DraftStore``."""

    def __init__(self, drafts: DraftStore, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.drafts = drafts
        self.loaded_drafts: dict[str, dict[str, object]] = {}  # as read, for forms built later
        self._drafts_loaded = False
        self._draft_timers: dict[str, Timer] = {}

    def forms(self) -> list[ComposeForm]:
        raise NotImplementedError

    def on_mount(self) -> None:
        self._load_drafts()

    @work(thread=True, group="drafts")
    def _load_drafts(self) -> None:
        drafts = self.drafts.load()
        self.app.call_from_thread(self._restore_drafts, drafts)

    def _restore_drafts(self, drafts: dict[str, dict[str, object]]) -> None:
        self._drafts_loaded = True
        self.loaded_drafts = drafts
        for form in self.forms():
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

    def discard_draft(self, channel: str) -> None:
        """The form was cleared on purpose: forget its draft (and a pending save)."""
        if (timer := self._draft_timers.pop(channel, None)) is not None:
            timer.stop()
        self._save_draft(channel, {})

    def flush_drafts(self) -> None:
        """Write every form now (on quit: a pending debounced save must not be lost)."""
        for timer in self._draft_timers.values():
            timer.stop()
        if not self._drafts_loaded:
            return  # quitting before the drafts were read: writing now would erase them
        drafts = dict(self.loaded_drafts)  # a form not built yet keeps its draft as read
        drafts.update({form.CHANNEL: form.values() for form in self.forms()})
        self.drafts.save_all(drafts)

    @work(thread=True, group="drafts")
    def _save_draft(self, channel: str, values: dict[str, object]) -> None:
        try:
            self.drafts.save(channel, values)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Could not save the draft: {exc}", severity="warning"
            )
