"""The app in a real terminal, for tests about keys and terminal sizes.

- ``PtyTerminal``: ``comms-tui ARGS`` on a pseudo-terminal of a given size; ``write`` sends the
  exact bytes a terminal would, in one write. What the app did is read from its files (drafts,
  journal) or from a sandbox in the test's process.
- ``TmuxTerminal``: the app inside tmux (the terminal many users run it in), for what is on
  screen: ``screen()`` is the text tmux shows. Skips the test when tmux is not installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import REPO_ROOT
from tests.support.window import TerminalWindow


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def app_env(home: Path, **extra: str) -> dict[str, str]:
    """The app's own config and data dirs under ``home``; test keyring backends importable."""
    return {
        **os.environ,
        "COMMS_TUI_DATA_DIR": str(home / "data"),
        "COMMS_TUI_CONFIG_DIR": str(home / "config"),
        "TERM": "xterm-256color",
        "PYTHONPATH": str(REPO_ROOT),
        **extra,
    }


def saved_drafts(home: Path) -> dict[str, Any]:
    """The drafts file as the app last wrote it (``{}`` before it was written)."""
    try:
        data = json.loads((home / "data" / "drafts.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class PtyTerminal(TerminalWindow):
    """``comms-tui ARGS`` in a pseudo-terminal of a given size, not its controlling terminal
    (closing it ends the app's input and output, no hang-up)."""

    def __init__(self, args: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        super().__init__(args, env, controlling=False, size=size)

    @property
    def output(self) -> bytes:
        return self.screen

    def wait_for_output(self, marker: bytes, timeout: float = 20) -> None:
        self.wait_for(marker, timeout)

    def write(self, data: bytes) -> None:
        """Bytes as a terminal sends them, all in one write (one burst)."""
        assert os.write(self.master, data) == len(data)

    def until(self, predicate: Callable[[], bool], what: str, timeout: float = 20) -> None:
        """Wait for ``predicate``, draining the terminal meanwhile."""

        def check() -> bool:
            self.read()
            return predicate()

        wait_for(check, what, timeout)


@contextlib.contextmanager
def pty_app(
    args: list[str], env: dict[str, str], size: tuple[int, int] = (120, 40)
) -> Iterator[PtyTerminal]:
    terminal = PtyTerminal(args, env, size)
    try:
        yield terminal
    finally:
        terminal.kill()


class TmuxTerminal:
    """The app in a detached tmux session of its own server (``-L``), sized ``columns×lines``."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], size: tuple[int, int]):
        if shutil.which("tmux") is None:
            pytest.skip("tmux is not installed (apt-get install tmux)")
        self.socket = f"comms-tui-test-{os.getpid()}-{name}-{uuid.uuid4().hex[:8]}"
        self.env = env  # the server's, so the app's
        columns, lines = size
        command = " ".join([sys.executable, "-m", "comms_tui.cli", *args])
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", str(columns),
            "-y", str(lines), *[f"-e{key}={value}" for key, value in env.items()
                                 if key.startswith(("COMMS_TUI", "PYTHON", "TERM"))],
            "-c", str(REPO_ROOT), command,
        )  # fmt: skip

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10,
            env=self.env,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def keys(self, *keys: str) -> None:
        """tmux key names (``Tab``, ``M-1``, ``F1``) and text, as ``send-keys`` reads them."""
        self._tmux("send-keys", "-t", "app", *keys)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "app")

    def wait_for_screen(self, text: str, timeout: float = 20) -> str:
        shown = ""

        def seen() -> bool:
            nonlocal shown
            shown = self.screen()
            return text in shown

        try:
            wait_for(seen, f"{text!r} on screen", timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the screen:\n{shown}") from None
        return shown

    def close(self) -> None:
        """Close the window (the app gets its SIGHUP), and never leave the app behind: one
        still there after 10 s is killed (the hang-up tests assert that it leaves by itself)."""
        pid = None
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired, ValueError):
            pid = int(self._tmux("display-message", "-p", "-t", "app", "#{pane_pid}"))
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self._tmux("kill-server")
        if pid is None:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def tmux_app(
    name: str, args: list[str], env: dict[str, str], size: tuple[int, int]
) -> Iterator[TmuxTerminal]:
    terminal = TmuxTerminal(name, args, env, size)
    try:
        yield terminal
    finally:
        terminal.close()
