"""The Textual driver of a served app process: Textual's web driver, leaving as ctrl+q does.

Textual's ``WebDriver`` ends the app on a closed tab, SIGINT or SIGTERM by posting ``ExitApp``
straight away, which skips ``CommsApp.action_quit`` and so the last half second of typing (the
draft not yet written). Here every one of those runs the app's quit action instead. The process
also leaves when ``comms-tui serve`` is gone, however it went (even SIGKILL): nothing else would
end it, as it ignores the end of its input.

Picked by ``TEXTUAL_DRIVER=comms_tui.serve.driver:ServedDriver`` (set by the server).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable

from textual.drivers.web_driver import WebDriver

PARENT_PID_ENV = "COMMS_TUI_SERVE_PID"  # the serve process: when it is gone, so is this app
PARENT_POLL_SECONDS = 1.0
QUIT_GRACE_SECONDS = 5.0  # after asking the app to quit: then leave regardless


class ServedDriver(WebDriver):
    def start_application_mode(self) -> None:
        super().start_application_mode()
        loop = self._loop  # the app's event loop (the driver is made on it)
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # replaces WebDriver's SIGINT/SIGTERM
            if (signum := getattr(signal, name, None)) is not None:
                try:
                    loop.add_signal_handler(signum, self._quit)
                except NotImplementedError:  # Windows: WebDriver's own handling stays
                    break
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
            self._call_on_loop(self._quit)
        else:
            super().on_meta(packet_type, payload)

    def _quit(self) -> None:
        """On the event loop: what ctrl+q does (CommsApp writes the drafts, then exits)."""
        self._app.call_later(self._app.run_action, "quit")

    def _call_on_loop(self, callback: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the app has left
            self._loop.call_soon_threadsafe(callback)

    def _watch_parent(self, parent: int) -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        self._call_on_loop(self._quit)
        time.sleep(QUIT_GRACE_SECONDS)
        os._exit(1)  # still here: the app did not leave; an orphan must not linger
