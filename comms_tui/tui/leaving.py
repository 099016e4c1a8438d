"""Leaving when told to from outside: the terminal closed (SIGHUP), SIGTERM, SIGINT.

Each runs the app's quit action, as ctrl+q does (``CommsApp.action_quit`` writes the drafts
first), and from then on the process leaves within ``QUIT_GRACE_SECONDS`` whatever still holds
it: a thread stuck in a call nothing can interrupt (a keyring on a dead D-Bus) must not keep a
closed app alive. Both drivers use it: the terminal's (``tui/terminal_driver.py``) and the
browser's (``serve/driver.py``), so a closed window and a closed tab end the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from typing import Any

from textual.app import App

QUIT_SIGNALS = ("SIGHUP", "SIGTERM", "SIGINT")
QUIT_GRACE_SECONDS = 3.0  # the quit action's normal path takes well under a second
EXIT_STUCK = 1  # os._exit status when the grace ran out (a clean quit exits 0)


class Leaving:
    """The app's way out when the terminal (or the browser tab) is gone or a signal asks."""

    def __init__(self, app: App[Any], loop: asyncio.AbstractEventLoop) -> None:
        self._app = app
        self._loop = loop
        self._asked = False

    def on_signals(self) -> bool:
        """Quit on ``QUIT_SIGNALS`` from now on (replacing Python's defaults, which end the
        process without writing the drafts); False where the loop cannot (Windows)."""
        for name in QUIT_SIGNALS:
            if (signum := getattr(signal, name, None)) is None:
                continue
            try:
                self._loop.add_signal_handler(signum, self.quit)
            except (NotImplementedError, RuntimeError):
                return False
        return True

    def quit(self) -> None:
        """On the event loop: ask the app to quit, and leave regardless after the grace."""
        if not self._asked:
            self._asked = True
            leave = threading.Thread(target=_leave_after_grace, name="comms-tui-leave", daemon=True)
            leave.start()
        self._app.call_later(self._app.run_action, "quit")

    def quit_from_thread(self) -> None:
        """``quit`` from any thread (the driver's input or output thread)."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: the app has left
            self._loop.call_soon_threadsafe(self.quit)


def _leave_after_grace() -> None:
    time.sleep(QUIT_GRACE_SECONDS)
    os._exit(EXIT_STUCK)  # still here: something holds the process; it must not linger
