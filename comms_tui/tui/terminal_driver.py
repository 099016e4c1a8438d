"""The terminal driver: Textual's Linux/macOS driver, leaving when the terminal does.

Closing the window hangs the terminal up: the kernel sends SIGHUP, then SIGCONT. With Textual's
own driver three things then go wrong (issue 18):

- its SIGCONT handler restarts application mode as if back from ctrl+z: a second output thread
  and a second input thread, on a terminal that is gone;
- the output thread dies at its first write (EIO), and its queue holds 30 writes: the 31st
  blocks the event loop for ever — while the app is still drawing its first screens that comes
  quickly, so the app never quits and its embedded sandbox keeps its port;
- the input thread reads end-of-file from a closed terminal in a loop, at 100% CPU.

Here SIGCONT restarts only what a SIGTSTP stopped, output to a closed terminal is dropped, and
the end of input, a failed write, SIGHUP, SIGTERM and SIGINT all quit as ctrl+q would
(``tui/leaving.py``: drafts written, sandbox stopped, then the process leaves).
"""

from __future__ import annotations

import contextlib
import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Callable
from typing import IO, Any

from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

from comms_tui.tui.leaving import Leaving

READ_SIZE = 4096


class _TerminalOutput:
    """The terminal as Textual's output thread writes to it: a failed write (the terminal is
    gone) is dropped and reported, so the thread keeps emptying its queue instead of dying."""

    def __init__(self, file: IO[str], gone: Callable[[], None]) -> None:
        self._file = file
        self._gone = gone

    def write(self, text: str) -> int:
        try:
            return self._file.write(text)
        except (OSError, ValueError):  # EIO once hung up; ValueError once the file is closed
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._file.flush()
        except (OSError, ValueError):
            self._gone()

    def fileno(self) -> int:
        return self._file.fileno()


class TerminalDriver(LinuxDriver):
    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._leaving = Leaving(app, self._loop)
        if (terminal := self._file) is not None:  # what the output thread writes to
            self._file = _TerminalOutput(terminal, self._leaving.quit_from_thread)  # type: ignore[assignment]
        self._stopped = False  # by a SIGTSTP (ctrl+z): only then does SIGCONT resume

    def start_application_mode(self) -> None:
        super().start_application_mode()  # type: ignore[no-untyped-call]
        self._leaving.on_signals()

    def _sigtstp_application(self, *args: Any) -> None:
        self._stopped = True
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: Any) -> None:
        # Not after a SIGTSTP: the kernel's SIGCONT that follows a hang-up's SIGHUP, or a
        # `kill -CONT`. Application mode is still on (or the terminal is gone): nothing to resume.
        if self._stopped:
            self._stopped = False
            super()._sigcont_application(*args)

    def write(self, data: str) -> None:
        writer = self._writer_thread
        if writer is not None and writer.is_alive():  # stopped (suspended, closed): dropped
            super().write(data)

    def run_input_thread(self) -> None:
        """Textual's input loop, but the end of input quits the app.

        A terminal never sends end-of-file while it is there (ctrl+d is a key in raw mode):
        the read returns nothing only once it has closed — without a SIGHUP if the app is not
        in its foreground (or ignores it). Textual would select and read again at once, for
        ever (its open PR #6690 stops reading; here the app leaves too, it has no terminal).
        """
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        try:
            while not self.exit_event.is_set():
                if selector.select(0.1):
                    try:
                        data = os.read(self.fileno, READ_SIZE)
                    except OSError:
                        data = b""
                    if not data:
                        self._leaving.quit_from_thread()
                        return
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
            with contextlib.suppress(EOFError, ParseError):
                for _event in parser.feed(""):
                    pass
