"""The Textual driver of a served app process: Textual's web driver, leaving as ctrl+q does.

Textual's ``WebDriver`` ends the app on a closed tab, SIGINT or SIGTERM by posting ``ExitApp``
straight away, which skips ``CommsApp.action_quit`` and so the last half second of typing (the
draft not yet written). Here every one of those, and SIGHUP, runs the app's quit action instead,
as the terminal's driver does (``tui/leaving.py``: the process then leaves within a grace
period whatever holds it). The process also leaves when ``comms-tui serve`` is gone, however it
went (even SIGKILL): nothing else would end it, as it ignores the end of its input.

Picked by ``TEXTUAL_DRIVER=comms_tui.serve.driver:ServedDriver`` (set by the server).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from textual.app import App
from textual.drivers.web_driver import WebDriver

from comms_tui.tui.leaving import Leaving

PARENT_PID_ENV = "COMMS_TUI_SERVE_PID"  # the serve process: when it is gone, so is this app
PARENT_POLL_SECONDS = 1.0
QUIT_GRACE_SECONDS = 5.0  # the server kills a tab's app still there this long after asking


class ServedDriver(WebDriver):
    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._leaving = Leaving(app, self._loop)

    def start_application_mode(self) -> None:
        super().start_application_mode()
        # Replaces WebDriver's SIGINT/SIGTERM (where the loop cannot, Windows, they stay).
        self._leaving.on_signals()
        try:
            parent = int(os.environ.get(PARENT_PID_ENV, ""))
        except ValueError:
            return
        threading.Thread(
            target=self._watch_parent, args=(parent,), name="serve-watch", daemon=True
        ).start()

    def on_meta(self, packet_type: str, payload: dict[str, object]) -> None:
        # Runs in the input thread. "quit" is the server's: the browser tab was closed.
        if packet_type == "quit":
            self._leaving.quit_from_thread()
        else:
            super().on_meta(packet_type, payload)

    def _watch_parent(self, parent: int) -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        self._leaving.quit_from_thread()  # then gone within the grace: an orphan must not linger
