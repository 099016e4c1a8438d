"""Snapshots of every screen at 120×36 (``--snapshot-update`` to accept a deliberate change).

Stable by construction: a fixed clock, a sandbox on a fixed port, a latency clock that always
measures 42 ms and request ids in sequence (``tests.support.stable``), and cursor blink off
(the plugin leaves it on: a blink mid-capture would flip a cell).
Two test runs on one machine take turns on that port: a lock file in the temp dir says whose it is.
"""

from __future__ import annotations

import contextlib
import errno
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from comms_tui.core.session import Session
from comms_tui.sandbox.rules import SandboxConfig
from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.tui.app import CommsApp, make_app
from tests.support.stable import stabilise
from tests.tui.conftest import fixed_clock
from tests.tui.helpers import SIZE, connected, fill, modal

SNAPSHOT_PORT = 47_931  # fixed: the sandbox URL is on screen
PORT_LOCK = Path(tempfile.gettempdir()) / f"comms-tui-snapshot-port-{SNAPSHOT_PORT}.lock"
PORT_WAIT = 600.0  # seconds another run may hold the port (this module takes well under that)
BIND_WAIT = 10.0  # seconds to let a passing user of the port (in the ephemeral range) let go

Compare = Callable[..., bool]
Steps = Callable[[Pilot[None]], Awaitable[None]]


def _try_lock(lock: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent runs there still collide
        return True
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def port_held() -> Iterator[None]:
    """The port for this process until the block ends (the kernel frees the lock if it dies)."""
    with open(PORT_LOCK, "a") as lock:
        deadline = time.monotonic() + PORT_WAIT
        while not _try_lock(lock):
            if time.monotonic() > deadline:
                pytest.fail(
                    f"port {SNAPSHOT_PORT} stayed in use by another test run for {PORT_WAIT:.0f} s"
                    f" (it holds {PORT_LOCK}); let it finish, or stop it"
                )
            time.sleep(0.2)
        yield  # closing the file releases the lock


def start_sandbox(config: SandboxConfig) -> EmbeddedSandbox:
    deadline = time.monotonic() + BIND_WAIT
    while True:
        sandbox = EmbeddedSandbox(config, port=SNAPSHOT_PORT)
        try:
            sandbox.start()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                pytest.fail(
                    f"port {SNAPSHOT_PORT} is taken by another program (a test run would hold"
                    f" {PORT_LOCK} while using it): {exc}"
                )
            time.sleep(0.2)
        else:
            return sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    config = SandboxConfig(rate_limit_per_minute=100_000)
    with port_held():
        running = start_sandbox(config)
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture
def app(session: Session, tmp_path: Path) -> CommsApp:
    return make_app(
        session=stabilise(session),
        journal=Journal(tmp_path / "history.sqlite3"),
        drafts_path=tmp_path / "drafts.json",
        clock=fixed_clock,
    )


async def steady(pilot: Pilot[None]) -> None:
    """Everything settled (but a send waiting on a modal), no blinking cursor, no toasts."""
    app = pilot.app
    if settling := [w for w in app.workers if w.group != "send"]:
        await app.workers.wait_for_complete(settling)  # (an empty list would mean "all")
    await pilot.pause()
    for screen in pilot.app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()  # e.g. a pane scrolling to what just opened
    await pilot.pause()


def shot(snap_compare: Compare, app: CommsApp, steps: Steps | None = None) -> bool:
    async def run_before(pilot: Pilot[Any]) -> None:
        await connected(pilot)
        if steps is not None:
            await steps(pilot)
        await steady(pilot)

    return snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("key", ["alt+1", "alt+2", "alt+3", "alt+4"])
def test_compose_empty(snap_compare: Compare, app: CommsApp, key: str) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press(key)

    assert shot(snap_compare, app, steps)


INVALID: dict[str, dict[str, str]] = {
    "sms": {"to": "919591471711, 12345", "body": "Your OTP is 747977", "sender": "A B"},
    "email": {"to": "ana@example", "subject": "Hello", "body": "Hi Ana"},
    "whatsapp": {"receiver": "+44 20", "template": "747977 is your code"},
    "zalo": {"receiver": "919591471711", "scheduledTime": "next week"},
}


@pytest.mark.parametrize("channel", list(INVALID))
def test_compose_with_errors(snap_compare: Compare, app: CommsApp, channel: str) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press(f"alt+{list(INVALID).index(channel) + 1}")
        await fill(pilot, channel, **INVALID[channel])
        await pilot.press("ctrl+j")  # a send attempt also flags the empty required fields

    assert shot(snap_compare, app, steps)


def test_results_after_a_partial_send_expanded(snap_compare: Compare, app: CommsApp) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await fill(
            pilot, "sms", to="919591471711, 12025550101", body="747977 is your OTP", sender="CAPNTH"
        )
        await pilot.press("ctrl+j")  # the sandbox: no question for two recipients
        await pilot.app.workers.wait_for_complete()
        await pilot.press("ctrl+r", "enter")

    assert shot(snap_compare, app, steps)


def test_confirmation_modal(snap_compare: Compare, real_session: Session, tmp_path: Path) -> None:
    """Several recipients with a real profile (the sandbox does not ask)."""
    app = make_app(
        session=stabilise(real_session),
        journal=Journal(tmp_path / "history.sqlite3"),
        drafts_path=tmp_path / "drafts.json",
        clock=fixed_clock,
    )

    async def steps(pilot: Pilot[None]) -> None:
        await fill(pilot, "sms", to="919591471711, 919591471712", body="Hello both")
        await pilot.press("ctrl+j")
        await modal(pilot, "confirm-send")

    assert shot(snap_compare, app, steps)


def test_help(snap_compare: Compare, app: CommsApp) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("f1")

    assert shot(snap_compare, app, steps)
