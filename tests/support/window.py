"""``comms-tui`` in a pseudo-terminal that can be closed, as a terminal window runs it.

The pty is the process's controlling terminal (a session of its own, then ``TIOCSCTTY``), so
closing our end hangs it up the way closing the window or killing a tmux session does: the
kernel sends SIGHUP, then SIGCONT, and reads and writes on it fail from then on. Without a
controlling terminal (``controlling=False``) closing it only ends the app's input and output.

Linux and macOS only (``pty``, ``termios``); the open sockets are read from ``/proc`` (Linux).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.cli import REPO_ROOT

# Run before the app, in its process: take the pty (its stdin) as controlling terminal. Closed
# already (the window closed at once), the app starts on a terminal that is gone.
_TAKE_TERMINAL = """
import contextlib, fcntl, os, sys, termios
with contextlib.suppress(OSError):
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
os.execv(sys.executable, [sys.executable, "-m", "comms_tui.cli", *sys.argv[1:]])
"""


def app_env(home: Path, columns: int = 120, lines: int = 36) -> dict[str, str]:
    """The app's own data and config dirs under ``home``, in a ``columns``×``lines`` terminal."""
    return {
        **os.environ,
        "COMMS_TUI_DATA_DIR": str(home / "data"),
        "COMMS_TUI_CONFIG_DIR": str(home / "config"),
        "TERM": "xterm-256color",
        "COLUMNS": str(columns),
        "LINES": str(lines),
        "PYTHONPATH": str(REPO_ROOT),
    }


class TerminalWindow:
    """``comms-tui ARGS`` in a pty of its own; ``close()`` is closing the window."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        *,
        controlling: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.master, slave = pty.openpty()
        if size is not None:  # columns×lines, as the terminal reports them
            columns, lines = size
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        os.set_blocking(self.master, False)
        command = [sys.executable, "-c", _TAKE_TERMINAL] if controlling else [
            sys.executable, "-m", "comms_tui.cli",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            [*command, *args], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO_ROOT,
            close_fds=True, start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.closed = False
        self.screen = b""
        # Every listening socket seen while the app ran: (port, socket inode).
        self.listening: set[tuple[int, str]] = set()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def read(self) -> None:
        """Drain what the app wrote (a full pty would block it) and note its listening ports."""
        self.listening |= listening_sockets(self.pid)
        if self.closed:
            return
        while select.select([self.master], [], [], 0)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the other end is gone
                return
            if not chunk:
                return
            self.screen += chunk

    def wait_for(self, marker: bytes, timeout: float = 20) -> None:
        def seen() -> bool:
            self.read()
            return marker in self.screen

        wait_until(seen, timeout, f"{marker!r} on the terminal")

    def redrawn_after(self, keys: str, timeout: float = 10) -> None:
        """Type ``keys`` and wait for the app to draw something in answer."""
        self.read()
        shown = len(self.screen)
        self.type(keys)

        def redrawn() -> bool:
            self.read()
            return len(self.screen) > shown

        wait_until(redrawn, timeout, f"a redraw after {keys!r}")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def sleep(self, seconds: float) -> None:
        """Wait, draining the terminal meanwhile."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.read()
            time.sleep(min(left, 0.01))

    def close(self) -> None:
        """Close the window: the terminal hangs up."""
        if not self.closed:
            self.closed = True
            os.close(self.master)

    def wait_gone(self, timeout: float) -> int | None:
        """The exit status once the app has left, or None if it is still there."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read()
            time.sleep(0.01)
        return self.proc.poll()

    def group_alive(self) -> bool:
        """Anything left of the app's process group (it leads a session of its own)."""
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # a zombie we have not reaped, or a reused id: not ours
            return False
        return True

    def kill(self) -> None:
        """After the test: nothing left behind, whatever happened."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.close()


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def listening_sockets(pid: int) -> set[tuple[int, str]]:
    """The TCP ports process ``pid`` listens on, with their sockets' inodes (Linux ``/proc``)."""
    inodes: set[str] = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                link = os.readlink(fd)
                if link.startswith("socket:["):
                    inodes.add(link[len("socket:[") : -1])
    return {(port, inode) for port, inode in listening_table() if inode in inodes}


def listening_table() -> set[tuple[int, str]]:
    """Every listening TCP socket on this machine: (port, inode)."""
    found: set[tuple[int, str]] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and fields[3] == "0A":  # TCP_LISTEN
                    found.add((int(fields[1].rsplit(":", 1)[1], 16), fields[9]))
    return found
