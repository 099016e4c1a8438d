"""A keyring that hangs, raises or is missing: the app says so clearly, stays usable meanwhile,
and sends nothing.

The app starts as the CLI starts it (``make_app(profile=...)``, no session given), so the secret
lookup goes through ``Session.for_profile`` → ``SecretStore`` → the keyring backend installed
here. The profile points at the test sandbox: had anything been sent, the sandbox would know.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from textual.pilot import Pilot
from textual.widgets import Button, Input

from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.store.profiles import Profile, ProfileStore
from comms_tui.store.secrets import DEFAULT_TIMEOUT, TIMEOUT_ENV, SecretStore
from comms_tui.tui.app import CommsApp, make_app
from comms_tui.tui.compose.screen import ComposeScreen
from comms_tui.tui.screens.help import HelpScreen
from comms_tui.tui.screens.secret_prompt import SecretPromptScreen
from tests.support.keyring_backends import HangingKeyring, RaisingKeyring
from tests.tui.conftest import fixed_clock
from tests.tui.helpers import SIZE

HANG_TIMEOUT = 2.0  # $COMMS_TUI_KEYRING_TIMEOUT while the keyring hangs: ample time to type


class EnteredHangingKeyring(HangingKeyring):
    """Hangs like ``HangingKeyring``, and tells the test when the lookup has started hanging."""

    entered = threading.Event()

    def _hang(self) -> None:
        type(self).entered.set()
        super()._hang()


@pytest.fixture
def profile(sandbox: EmbeddedSandbox) -> str:
    sandbox.state.reset()
    ProfileStore().save(
        Profile(name="work", host=sandbox.base_url, auth="basic", username="sandbox")
    )
    return "work"


def make(profile: str, tmp_path: Path) -> CommsApp:
    return make_app(
        profile=profile,
        journal=Journal(tmp_path / "history.sqlite3"),
        drafts_path=tmp_path / "drafts.json",
        clock=fixed_clock,
    )


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], object], what: str, timeout: float = 8
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


def header_text(app: CommsApp) -> str:
    return str(app.compose_screen.query_one("#target").render())


def notes(app: CommsApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def still_usable_and_sends_nothing(pilot: Pilot[None], sandbox: EmbeddedSandbox) -> None:
    """Typing works, F1 opens the help and Esc closes it, and Send does nothing."""
    app = pilot.app
    assert isinstance(app, CommsApp)
    screen = app.compose_screen
    to = screen.form("sms").query_one("#to", Input)
    before = to.value
    to.focus()
    await pilot.press("9", "5", "9")
    assert to.value == before + "959"
    await pilot.press("f1")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
    await pilot.press("escape")
    await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen), "compose")
    assert screen.form("sms").query_one("#send-button", Button).disabled
    assert screen.check_action("send", ()) is None  # shown disabled, ctrl+j does nothing
    await pilot.press("ctrl+j")
    await pilot.pause()
    assert app.session is None
    assert sandbox.state.stats()["requests"] == 0
    assert sandbox.state.outbox() == []


async def test_a_hanging_keyring_times_out_with_a_clear_message_and_the_ui_responds(
    profile: str, sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, str(HANG_TIMEOUT))
    EnteredHangingKeyring.entered.clear()
    keyring.set_keyring(EnteredHangingKeyring())
    app = make(profile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, EnteredHangingKeyring.entered.is_set, "the keyring lookup")
        hung_at = time.monotonic()
        # While the lookup hangs: "connecting…", and the app answers keys.
        assert "connecting" in header_text(app)
        await still_usable_and_sends_nothing(pilot, sandbox)
        assert "connecting" in header_text(app), "the checks above ran after the timeout"
        assert time.monotonic() - hung_at < HANG_TIMEOUT

        await wait_until(pilot, lambda: "not connected" in header_text(app), "the failure")
        header = header_text(app)
        assert header.startswith("not connected: The keyring (")
        assert "EnteredHangingKeyring) did not answer within 2 s while reading a secret" in header
        [note] = [n for n in notes(app) if n.startswith("Could not connect")]
        assert "did not answer" in note and "COMMS_TUI_PASSWORD" in note  # and how to fix it
        assert "OFFLINE" in str(app.compose_screen.query_one("#env-badge").render())
        await still_usable_and_sends_nothing(pilot, sandbox)


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        (RaisingKeyring, "RaisingKeyring) failed while reading a secret: KeyringLocked"),
        (fail.Keyring, "no keyring backend is installed or reachable"),
    ],
    ids=["raises", "missing"],
)
async def test_a_failing_or_missing_keyring_is_named_and_the_ui_responds(
    profile: str,
    sandbox: EmbeddedSandbox,
    tmp_path: Path,
    backend: Callable[[], KeyringBackend],
    expected: str,
) -> None:
    keyring.set_keyring(backend())
    app = make(profile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        if backend is fail.Keyring:  # no secret stored: asked for (test_keyring_less), declined
            await wait_until(pilot, lambda: isinstance(app.screen, SecretPromptScreen), "asked")
            await pilot.press("escape")
        await wait_until(pilot, lambda: "not connected" in header_text(app), "the failure")
        assert expected in header_text(app)
        [note] = [n for n in notes(app) if n.startswith("Could not connect")]
        assert expected in note
        if backend is fail.Keyring:  # the way out without a keyring
            assert "COMMS_TUI_PASSWORD" in note and "profile 'work'" in note
        await still_usable_and_sends_nothing(pilot, sandbox)


def test_the_keyring_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SecretStore().timeout == DEFAULT_TIMEOUT
    assert SecretStore(timeout=0.3).timeout == 0.3
    monkeypatch.setenv(TIMEOUT_ENV, "1.5")
    assert SecretStore().timeout == 1.5
    assert SecretStore(timeout=0.3).timeout == 0.3  # an explicit timeout wins
    for bad in ("soon", "0", "-1", "1e9"):
        monkeypatch.setenv(TIMEOUT_ENV, bad)
        assert SecretStore().timeout == DEFAULT_TIMEOUT
