"""Snapshots of every screen at 80×24 (macOS Terminal's default) and 120×40, each in the app as
it runs (its stylesheet and narrow layout included). ``--snapshot-update`` accepts a deliberate
change (always for the whole module).

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

import httpx
import keyring
import pytest
from keyring.backends import fail
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, DataTable, DirectoryTree, Input, TextArea

from comms_tui.core.session import Session
from comms_tui.sandbox.rules import SandboxConfig
from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.store.profiles import Profile, ProfileStore
from comms_tui.tui.app import CommsApp, make_app
from comms_tui.tui.compose.template_fill import TemplateFillScreen
from comms_tui.tui.compose.templates import TemplatePickScreen
from comms_tui.tui.screens.attachments import AttachmentPickerScreen
from comms_tui.tui.screens.outbox import OutboxScreen
from comms_tui.tui.screens.profile_setup import ProfileSetupScreen
from comms_tui.tui.screens.secret_prompt import SecretPromptScreen
from comms_tui.tui.screens.welcome import WelcomeScreen
from comms_tui.tui.sender_lab.screen import SenderLabScreen
from tests.support.stable import stabilise
from tests.tui.conftest import fixed_clock
from tests.tui.helpers import connected, fill, modal
from tests.tui.test_side_screens import OUTBOX, fill_journal

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    """Every snapshot at both sizes (its id names which)."""
    return SIZES[request.param]


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
    # Not the send (it may wait on a modal), nor the loops of a DirectoryTree and the outbox.
    if settling := [w for w in app.workers if w.group not in ("send", "_loader", "outbox-fetch")]:
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


def shot(
    snap_compare: Compare,
    app: CommsApp,
    size: tuple[int, int],
    steps: Steps | None = None,
    *,
    connect: bool = True,
) -> bool:
    async def run_before(pilot: Pilot[Any]) -> None:
        if connect:
            await connected(pilot)
        if steps is not None:
            await steps(pilot)
        await steady(pilot)

    return snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("key", ["alt+1", "alt+2", "alt+3", "alt+4"])
def test_compose_empty(
    snap_compare: Compare, app: CommsApp, size: tuple[int, int], key: str
) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press(key)

    assert shot(snap_compare, app, size, steps)


INVALID: dict[str, dict[str, str]] = {
    "sms": {"to": "919591471711, 12345", "body": "Your OTP is 747977", "sender": "A B"},
    "email": {"to": "ana@example", "subject": "Hello", "body": "Hi Ana"},
    "whatsapp": {"receiver": "+44 20", "template": "747977 is your code"},
    "zalo": {"receiver": "919591471711", "scheduledTime": "next week"},
}


@pytest.mark.parametrize("channel", list(INVALID))
def test_compose_with_errors(
    snap_compare: Compare, app: CommsApp, size: tuple[int, int], channel: str
) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press(f"alt+{list(INVALID).index(channel) + 1}")
        await fill(pilot, channel, **INVALID[channel])
        await pilot.press("ctrl+j")  # a send attempt also flags the empty required fields

    assert shot(snap_compare, app, size, steps)


def test_results_after_a_partial_send_expanded(
    snap_compare: Compare, app: CommsApp, size: tuple[int, int]
) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await fill(
            pilot, "sms", to="919591471711, 12025550101", body="747977 is your OTP", sender="CAPNTH"
        )
        await pilot.press("ctrl+j")  # the sandbox: no question for two recipients
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not pilot.app.screen.has_class("-results"):  # narrow: shown already, in focus
            await pilot.press("ctrl+r")
        await pilot.press("enter")

    assert shot(snap_compare, app, size, steps)


def test_confirmation_modal(
    snap_compare: Compare, real_session: Session, tmp_path: Path, size: tuple[int, int]
) -> None:
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

    assert shot(snap_compare, app, size, steps)


def test_help(snap_compare: Compare, app: CommsApp, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("f1")

    assert shot(snap_compare, app, size, steps)


# -- the other screens, in the app as it runs ---------------------------------------------------


async def pushed(pilot: Pilot[None], screen: Screen[Any], ready: Callable[[], object]) -> None:
    await pilot.app.push_screen(screen)
    for _ in range(250):
        if ready():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{screen} never got ready")


def test_history(
    snap_compare: Compare, session: Session, tmp_path: Path, size: tuple[int, int], utc: None
) -> None:
    app = make_app(
        session=stabilise(session),
        journal=fill_journal(tmp_path / "history.sqlite3"),
        drafts_path=tmp_path / "drafts.json",
        clock=fixed_clock,
    )

    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await wait_until(pilot, lambda: table_rows(pilot, "#history-table") == 4)

    assert shot(snap_compare, app, size, steps)


def test_outbox(snap_compare: Compare, app: CommsApp, size: tuple[int, int], utc: None) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=OUTBOX))

    async def steps(pilot: Pilot[None]) -> None:
        screen = OutboxScreen("http://sandbox.test", transport=transport)
        await pushed(pilot, screen, lambda: len(screen.query(".bubble")) == 2)

    assert shot(snap_compare, app, size, steps)


def test_sender_lab(snap_compare: Compare, app: CommsApp, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SenderLabScreen))
        lab = pilot.app.screen
        lab.query_one("#lab-to", Input).value = "919591471711"
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: not lab.running and lab.matrix is not None)  # type: ignore[attr-defined]

    assert shot(snap_compare, app, size, steps)


def test_attachment_picker(
    snap_compare: Compare, app: CommsApp, size: tuple[int, int], files: Path
) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        screen = AttachmentPickerScreen(start_dir=files)
        await pushed(pilot, screen, lambda: len(screen.query_one(DirectoryTree).root.children) == 3)
        screen.query_one("#picker-path", Input).value = "notes.txt"
        await wait_until(pilot, lambda: "fits" in str(screen.query_one("#picker-info").render()))

    assert shot(snap_compare, app, size, steps)


def test_welcome(snap_compare: Compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(drafts_path=tmp_path / "drafts.json", clock=fixed_clock)  # no profile yet

    async def steps(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, WelcomeScreen))

    assert shot(snap_compare, app, size, steps, connect=False)


def test_profile_setup_with_errors(
    snap_compare: Compare, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(drafts_path=tmp_path / "drafts.json", clock=fixed_clock)

    async def steps(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, WelcomeScreen))
        await pilot.pause()
        pilot.app.screen.query_one("#add-profile", Button).press()
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ProfileSetupScreen))
        await pilot.pause()
        await pilot.press("ctrl+s")  # nothing filled in: each field says what it needs
        await wait_until(pilot, lambda: pilot.app.screen.query(".field-error.-empty") is not None)
        await pilot.pause(0.2)

    assert shot(snap_compare, app, size, steps, connect=False)


def test_secret_prompt(
    snap_compare: Compare, tmp_path: Path, size: tuple[int, int], sandbox: EmbeddedSandbox
) -> None:
    """No keyring on this machine: the profile's password is asked for, for this session."""
    keyring.set_keyring(fail.Keyring())
    ProfileStore().save(
        Profile(
            name="work",
            host="https://apac.api.capillarytech.com",
            auth="basic",
            username="till.user",
        )
    )
    app = make_app(profile="work", drafts_path=tmp_path / "drafts.json", clock=fixed_clock)

    async def steps(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SecretPromptScreen))

    assert shot(snap_compare, app, size, steps, connect=False)


TEMPLATES = {
    "otp": "{{otp}} is your OTP for {{brand}}. Valid for {{minutes}} minutes.",
    "delivery": "Your parcel {{awb}} is out for delivery today.",
}


def test_template_pick(snap_compare: Compare, app: CommsApp, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        session = pilot.app.session  # type: ignore[attr-defined]
        session.profile = session.profile.model_copy(update={"templates": TEMPLATES})
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, TemplatePickScreen))

    assert shot(snap_compare, app, size, steps)


def test_template_fill(snap_compare: Compare, app: CommsApp, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+t")  # the sandbox profile's one template: straight to filling
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, TemplateFillScreen))

    assert shot(snap_compare, app, size, steps)


async def wait_until(pilot: Pilot[None], condition: Callable[[], object]) -> None:
    for _ in range(250):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out; the screen is {pilot.app.screen}")


def table_rows(pilot: Pilot[None], selector: str) -> int:
    return pilot.app.screen.query_one(selector, DataTable).row_count
