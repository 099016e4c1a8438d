"""SIGKILL in the middle of a send: the journal entry written before the request reads ``unknown``.
SIGKILL while typing in the TUI: what was typed is back in the form on the next start.

``comms-tui send`` runs as a subprocess against a sandbox in this process whose 'slow'
recipient (12025550140) stalls for 10 s; once the sandbox has the request, the CLI is killed.
The TUI runs as ``comms-tui --sandbox`` in a pseudo-terminal, keys typed into it as a user would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig
from comms_tui.store.history import Journal
from tests.support.cli import REPO_ROOT, run_cli
from tests.support.window import TerminalWindow, app_env

SLOW = "12025550140"
READ_TIMEOUT = 1.0  # $COMMS_TUI_TIMEOUT of the killed send
PENDING_DEADLINE = 5.0 + READ_TIMEOUT  # default connect timeout + read timeout

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


@pytest.fixture
def slow_sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(slow_seconds=10)) as running:
        yield running


def _env(sandbox: EmbeddedSandbox) -> dict[str, str]:
    env = {
        **os.environ,
        "COMMS_TUI_HOST": sandbox.base_url,
        "COMMS_TUI_USERNAME": "sandbox",
        "COMMS_TUI_PASSWORD": "sandbox",
        "COMMS_TUI_TIMEOUT": str(READ_TIMEOUT),
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.support.keyring_backends.FileKeyring",
    }
    return env


def _wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _killed_mid_send(sandbox: EmbeddedSandbox, env: dict[str, str], *args: str) -> str:
    """Start ``comms-tui send sms --to SLOW ARGS`` and SIGKILL it once the sandbox has the
    request; the body it sent (it differs per run: the duplicate guard must see *this* send)."""
    body = f"747977 is your OTP ({time.time_ns()})"
    command = ["send", "sms", "--to", SLOW, "--body", body, *args]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.cli", *command],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: sandbox.state.stats()["requests"] == 1, 15, "the request")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL
    return body


def _history_until_unknown(env: dict[str, str], patience: float) -> dict[str, object]:
    """The one entry as `comms-tui history --json` shows it, polled until it reads unknown
    (pending until then, for at most ``patience`` seconds)."""
    deadline = time.monotonic() + patience
    while True:
        listed = run_cli("history", "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        (shown,) = json.loads(listed.stdout)
        assert isinstance(shown, dict)
        if shown["outcome"] == "unknown":
            return shown
        assert shown["outcome"] == "pending"
        assert time.monotonic() < deadline, "history never showed the abandoned send as unknown"
        time.sleep(0.5)


def _age(shown: dict[str, object]) -> float:
    created = datetime.fromisoformat(str(shown["created_at"]))
    return (datetime.now(timezone.utc) - created).total_seconds()


def test_sigkill_mid_send_leaves_an_entry_that_reads_unknown(
    slow_sandbox: EmbeddedSandbox,
) -> None:
    env = _env(slow_sandbox)
    body = _killed_mid_send(slow_sandbox, env)
    killed_at = time.time()

    # Killed mid-send: begun (committed before the request left), never completed.
    (entry,) = Journal(stale_after_seconds=3600).list()
    assert entry.outcome == "pending" and entry.completed_at is None
    assert entry.recipients == [SLOW] and entry.channel == "sms"
    assert entry.request["root"]["sms"][0]["body"] == body
    # Pending for as long as its own send could last, whatever the journal's default.
    assert Journal(stale_after_seconds=0).list()[0].outcome == "pending"

    # Then `comms-tui history` shows it unknown: nobody will complete it.
    shown = _history_until_unknown({"COMMS_TUI_TIMEOUT": str(READ_TIMEOUT)}, PENDING_DEADLINE + 10)
    assert _age(shown) >= PENDING_DEADLINE  # not before the send could have ended
    assert time.time() - killed_at < PENDING_DEADLINE + 10

    # Sending the same again is stopped: it may have gone out.
    again = run_cli("send", "sms", "--to", SLOW, "--body", body, env=env)
    assert again.returncode == 2 and "--yes" in again.stderr
    assert slow_sandbox.state.stats()["requests"] == 1


def test_a_killed_send_is_pending_for_its_own_timeout_not_the_default(
    slow_sandbox: EmbeddedSandbox,
) -> None:
    """`send --timeout 2`, killed: `history` (default timeout, 30 s) shows it pending for the
    5 + 2 s that send could have lasted, not the 5 + 30 s a send of its own would."""
    env = {k: v for k, v in _env(slow_sandbox).items() if k != "COMMS_TUI_TIMEOUT"}
    _killed_mid_send(slow_sandbox, env, "--timeout", "2")
    own_deadline, default_deadline = 5.0 + 2, 5.0 + 30
    shown = _history_until_unknown({"COMMS_TUI_TIMEOUT": ""}, own_deadline + 10)
    assert own_deadline <= _age(shown) < default_deadline


# --------------------------------------------------------------------------- drafts in the TUI

TYPED_TO = "919591471711"
TYPED_BODY = "Draft that must survive a SIGKILL"


def _saved_draft(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    sms = data.get("sms") if isinstance(data, dict) else None
    return sms if isinstance(sms, dict) else {}


async def test_a_draft_typed_into_the_tui_survives_sigkill(
    tmp_path: Path, fresh: EmbeddedSandbox
) -> None:
    from comms_tui.core.session import Session
    from comms_tui.store.drafts import DRAFTS_FILE_NAME
    from comms_tui.tui.app import make_app
    from comms_tui.tui.compose.forms.base import ComposeForm

    data_dir = tmp_path / "data"
    drafts = data_dir / DRAFTS_FILE_NAME
    app = TerminalWindow(["--sandbox"], app_env(tmp_path), controlling=False)
    try:
        # The form is drawn (its recipient placeholder shows) and has the focus. Keys typed
        # before that are the compose screen's early-key buffering's business, not this test's.
        app.wait_for(b"+65 8123 4567")

        def saved(want: dict[str, str]) -> Callable[[], bool]:
            def check() -> bool:
                app.read()  # keep draining the terminal: a full pty would block the app
                return _saved_draft(drafts) == want

            return check

        # Saved shortly after typing stops (debounced, in a worker): no quit, no flush.
        app.type(TYPED_TO)
        _wait_for(saved({"to": TYPED_TO}), 10, "the recipient in the draft file")
        # Tab to the message field, and type once the app has answered the tab (a redraw):
        # keys sent in the same burst as the tab would still go to the recipient field.
        shown = len(app.screen)
        app.type("\t")

        def redrawn() -> bool:
            app.read()
            return len(app.screen) > shown

        _wait_for(redrawn, 10, "the redraw after tab")
        app.type(TYPED_BODY)
        _wait_for(saved({"to": TYPED_TO, "body": TYPED_BODY}), 10, "the message in the draft")
        assert app.proc.poll() is None  # still running: nothing was written by quitting
    finally:
        app.kill()
    assert app.proc.returncode == -signal.SIGKILL
    assert drafts.stat().st_mode & 0o077 == 0  # recipients and text: owner-only
    assert not list(data_dir.glob(f".{DRAFTS_FILE_NAME}.*"))  # no temp file left half-written

    # The next start (same drafts file) puts it back in the form.
    restarted = make_app(session=Session.for_sandbox(fresh), drafts_path=drafts)
    async with restarted.run_test(size=(120, 36)) as pilot:

        def sms_form() -> ComposeForm | None:
            return next(iter(restarted.compose_screen.query("#sms").results(ComposeForm)), None)

        for _ in range(250):  # the form is built, then the draft read, after the first frame
            if (form := sms_form()) is not None and form.value("to"):
                break
            await pilot.pause(0.02)
        form = sms_form()
        assert form is not None
        assert form.value("to") == TYPED_TO
        assert form.value("body") == TYPED_BODY


async def test_closing_the_terminal_writes_the_draft_before_the_app_leaves(
    tmp_path: Path,
) -> None:
    """SIGHUP (the terminal window closed) flushes what was typed, even inside the debounce."""
    from comms_tui.store.drafts import DRAFTS_FILE_NAME

    drafts = tmp_path / "data" / DRAFTS_FILE_NAME
    typed = "12025550100"  # not a substring of the field's placeholder
    app = TerminalWindow(["--sandbox"], app_env(tmp_path), controlling=False)
    try:
        app.wait_for(b"+65 8123 4567")
        app.type(typed)
        app.wait_for(typed.encode())
        assert _saved_draft(drafts) == {}  # within the 0.5 s debounce: not written yet
        app.proc.send_signal(signal.SIGHUP)

        def gone() -> bool:
            app.read()  # keep draining: a full pty would block the app on its way out
            return app.proc.poll() is not None

        _wait_for(gone, 15, "the app to leave after SIGHUP")
    finally:
        app.kill()
    assert _saved_draft(drafts) == {"to": typed}
