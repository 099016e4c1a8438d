"""``comms-tui serve`` in a subprocess: its banner read line by line, its children from /proc."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def children_of(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid``, from /proc (Linux)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]  # the name may hold spaces and ")"
        if int(ppid) == pid and state != "Z":
            found.append(int(entry))
    return found


def is_running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except OSError:
        return []


def wait_until(
    predicate: Callable[[], object], timeout: float, what: str, step: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(step)


class Served:
    """``comms-tui serve ARGS``; ``url`` and ``sandbox_url`` once its banner is out."""

    def __init__(
        self, *args: str, env: Mapping[str, str] | None = None, home: Path | None = None
    ) -> None:
        self.home = home  # where its data and config dirs are, if the caller chose
        full_env = {**os.environ, **(env or {})}
        full_env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), full_env.get("PYTHONPATH", "")) if p
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "comms_tui.cli", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=full_env,
            cwd=REPO_ROOT,
        )
        self.lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        for stream, sink, feed in (
            (self.process.stdout, self.lines, True),
            (self.process.stderr, self.stderr_lines, False),
        ):
            threading.Thread(
                target=self._read, args=(stream, sink, feed), daemon=True
            ).start()  # fmt: skip
        try:
            self.url = self.wait_for(r"open:\s+(\S+)").group(1)
        except BaseException:
            self.process.kill()
            self.process.wait(5)
            raise
        self.sandbox_url: str | None = None
        if "--sandbox" in args:
            self.sandbox_url = next(
                m.group(1) for line in self.lines if (m := re.search(r"sandbox: (\S+)", line))
            )

    def _read(self, stream: object, sink: list[str], feed: bool) -> None:
        for line in stream:  # type: ignore[attr-defined]
            sink.append(line)
            if feed:
                self._lines.put(line)
        if feed:
            self._lines.put(None)

    def wait_for(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match[str]:
        """The first line from now on (or already read but not yet waited for) matching."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                line = ""
            if line is None or left <= 0:
                raise AssertionError(
                    f"serve never printed /{pattern}/; stdout:\n{''.join(self.lines)}"
                    f"stderr:\n{''.join(self.stderr_lines)}"
                )
            if match := re.search(pattern, line):
                return match

    def children(self) -> list[int]:
        return children_of(self.process.pid)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise AssertionError(f"serve did not stop within {timeout:g} s of {sig!r}") from None

    def __enter__(self) -> Served:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(AssertionError):  # it was killed; the test's own error stands
                self.stop()
