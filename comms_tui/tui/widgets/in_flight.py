"""A send under way, above the Send button: how far the upload got, how long it has taken
against the timeout, and what esc does now.

Hidden unless a send is in flight. The client calls ``update_progress`` from the event loop as
the body is written (once per 64 KB); the line itself is redrawn four times a second. (It is
part of every form, so it imports the sending side only once a send starts.)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.timer import Timer

    from comms_tui.core.sender import Upload

SHOW_UPLOAD_FROM = 512 * 1024  # smaller bodies are written in a blink: no progress to show
REFRESH_SECONDS = 0.25


class SendProgress(Static):
    DEFAULT_CSS = """
    SendProgress { width: 1fr; height: auto; color: $text-muted; display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.upload: Upload | None = None
        self.timeout = 0.0
        self._started = 0.0
        self._arrived: float | None = None  # when the server may first have had it all
        self._timer: Timer | None = None

    def start(self, timeout: float) -> None:
        """A send starts; ``timeout`` is how long the answer may take once the request is sent."""
        from comms_tui.core.sender import Upload

        self.upload = Upload()
        self.timeout = timeout
        self._started = time.monotonic()
        self._arrived = None
        self.display = True
        self._redraw()
        self._timer = self.set_interval(REFRESH_SECONDS, self._redraw)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.display = False

    def update_progress(self, written: int, total: int) -> None:
        """The client's ``progress`` callback: cheap, the line is redrawn by the timer."""
        if self.upload is None:
            return
        self.upload.update(written, total)
        if self._arrived is None and self.upload.may_have_arrived:
            self._arrived = time.monotonic()

    @property
    def may_have_arrived(self) -> bool:
        """Whether the server may have the whole request (stopping now leaves it unknown)."""
        return self.upload is not None and self.upload.may_have_arrived

    def describe(self) -> str:
        now = time.monotonic()
        upload = self.upload
        if upload is None:
            return ""
        if self._arrived is not None and upload.may_have_arrived:
            waited = now - self._arrived
            return (
                f"Waiting for the answer: {waited:.0f} s of {self.timeout:.0f} s"
                " · esc stops waiting (outcome unknown)"
            )
        elapsed = f"{now - self._started:.0f} s"
        if upload.started and upload.total >= SHOW_UPLOAD_FROM:
            from comms_tui.api.attachments import human_size

            share = f"{human_size(upload.written)} of {human_size(upload.total)}"
            return f"Uploading {share} · {elapsed} · esc cancels (nothing sent yet)"
        return f"Sending… {elapsed} · esc cancels (nothing sent yet)"

    def _redraw(self) -> None:
        self.update(Content(self.describe()))
