"""Closing the terminal (or SIGTERM) at any moment ends the app: process, sandbox and all.

``comms-tui`` runs in a real pseudo-terminal that is its controlling terminal; closing it is
what closing the window does (the kernel sends SIGHUP, then SIGCONT). Tried at a spread of
moments from the start — before the first frame, while the forms are built, while the session
opens (the embedded sandbox starting, a keyring that never answers) — and during a send the
sandbox stalls, inside a modal, and with no SIGHUP at all. Each time the process must leave by
the app's own quit (exit status 0, not the grace period's 1) with its sandbox socket closed,
and what was typed must be in the drafts file.

Several apps run at once to keep the spread short; the moments are from the start of the
process, so a loaded machine only shifts them (the startup is what is being sampled).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from comms_tui.store.drafts import DRAFTS_FILE_NAME, DraftStore
from comms_tui.store.history import JOURNAL_FILE_NAME, Journal
from comms_tui.store.profiles import Profile, ProfileStore
from comms_tui.tui.leaving import EXIT_STUCK
from tests.support.window import TerminalWindow, app_env, listening_table, wait_until

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a controlling pty and /proc: Linux"
)

SLOW = "12025550140"  # the sandbox stalls 40 s before answering it
PLACEHOLDER = b"+65 8123 4567"  # the recipient field's placeholder: the form is on screen
LEAVE_TIMEOUT = 10.0  # a liveness bound; the app's own grace period ends it after 3 s
STARTUP_MOMENTS = [i * 0.05 for i in range(21)]  # every 50 ms over the first second
SIGTERM_MOMENTS = [i * 0.1 for i in range(11)]
PARALLEL = 4

Close = Callable[[TerminalWindow], None]


def hang_up(window: TerminalWindow) -> None:
    window.close()


def terminate(window: TerminalWindow) -> None:
    window.proc.send_signal(signal.SIGTERM)
    window.read()


def _left_cleanly(window: TerminalWindow, *, allowed: set[int]) -> str | None:
    """Why the app did not leave as it should, or None if it did."""
    code = window.wait_gone(LEAVE_TIMEOUT)
    window.read()
    if code is None:
        return f"still running {LEAVE_TIMEOUT:g} s after"
    if code == EXIT_STUCK:
        return "held up until the grace period ended it (exit 1)"
    if code not in allowed:
        return f"exit status {code}"
    if window.group_alive():
        return "its process group is still there"
    left = {port for port, inode in window.listening if (port, inode) in listening_table()}
    if left:
        return f"its sandbox still listens on {sorted(left)}"
    return None


def _close_at(home: Path, moment: float, close: Close, allowed: set[int]) -> str | None:
    window = TerminalWindow(["--sandbox"], app_env(home))
    try:
        window.sleep(moment)
        close(window)
        why = _left_cleanly(window, allowed=allowed)
        return None if why is None else f"closed at {moment:.2f} s: {why}"
    finally:
        window.kill()


def _spread(tmp_path: Path, moments: list[float], close: Close, allowed: set[int]) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        failures = [
            why
            for why in pool.map(
                lambda pair: _close_at(tmp_path / f"m{pair[0]}", pair[1], close, allowed),
                enumerate(moments),
            )
            if why is not None
        ]
    assert not failures, "\n".join(failures)


def test_closing_the_terminal_at_any_moment_of_the_start_ends_the_app(tmp_path: Path) -> None:
    # Before the app handles SIGHUP (its first ~0.1 s) the default action ends it: nothing
    # has been typed or started then.
    _spread(tmp_path, STARTUP_MOMENTS, hang_up, allowed={0, -signal.SIGHUP})


def test_sigterm_at_any_moment_of_the_start_ends_the_app(tmp_path: Path) -> None:
    _spread(tmp_path, SIGTERM_MOMENTS, terminate, allowed={0, -signal.SIGTERM})


def _saved_draft(home: Path) -> dict[str, object]:
    import json

    try:
        data = json.loads((home / "data" / DRAFTS_FILE_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    sms = data.get("sms") if isinstance(data, dict) else None
    return sms if isinstance(sms, dict) else {}


@pytest.mark.parametrize("close", [hang_up, terminate], ids=["hang-up", "sigterm"])
def test_closing_during_a_stalled_send_ends_the_app_and_its_sandbox(
    tmp_path: Path, close: Close
) -> None:
    # The message is the draft of an earlier run (typing a tab then text in one burst is the
    # keys' business, not this test's).
    DraftStore(tmp_path / "data" / DRAFTS_FILE_NAME).save(
        "sms", {"to": SLOW, "body": "stalled for 40 s"}
    )
    window = TerminalWindow(["--sandbox"], app_env(tmp_path))
    try:
        window.wait_for(b"stalled for 40 s")
        window.wait_for(b"http://127.0.0.1:")  # connected: the header names the sandbox
        window.type("\n")  # ctrl+j: send
        journal = Journal(tmp_path / "data" / JOURNAL_FILE_NAME)

        def in_flight() -> bool:
            window.read()
            return journal.path.exists() and any(e.outcome == "pending" for e in journal.list())

        wait_until(in_flight, 20, "the send to be in flight")
        assert window.listening, "the embedded sandbox should be listening"
        close(window)
        assert _left_cleanly(window, allowed={0}) is None, _left_cleanly(window, allowed={0})
    finally:
        window.kill()
    # The form still holds the message (a send in flight keeps it).
    assert _saved_draft(tmp_path).get("to") == SLOW


def test_closing_the_terminal_inside_a_modal_writes_the_draft(tmp_path: Path) -> None:
    window = TerminalWindow(["--sandbox"], app_env(tmp_path))
    try:
        window.wait_for(PLACEHOLDER)
        window.type("12025550100")
        window.wait_for(b"12025550100")
        window.type("\x1bOP")  # f1: the keys, a modal
        window.wait_for(b"comms-tui \xe2\x80\x94 keys")
        window.close()
        why = _left_cleanly(window, allowed={0})
    finally:
        window.kill()
    assert why is None, why
    assert _saved_draft(tmp_path) == {"to": "12025550100"}


def test_closing_the_terminal_while_the_keyring_hangs_ends_the_app(tmp_path: Path) -> None:
    """The session opens in a thread blocked on the keyring for a minute: leaving must not wait
    for it."""
    ProfileStore().save(
        Profile(name="work", host="http://127.0.0.1:9", auth="basic", username="someone")
    )
    env = {
        **app_env(tmp_path),
        "COMMS_TUI_CONFIG_DIR": str(ProfileStore().path.parent),
        "PYTHON_KEYRING_BACKEND": "tests.support.keyring_backends.HangingKeyring",
        "COMMS_TUI_KEYRING_TIMEOUT": "60",
    }
    window = TerminalWindow(["--profile", "work"], env)
    try:
        window.wait_for(PLACEHOLDER)
        window.type("12025550100")
        window.wait_for(b"12025550100")
        window.sleep(0.3)  # well inside the keyring's minute
        window.close()
        why = _left_cleanly(window, allowed={0})
    finally:
        window.kill()
    assert why is None, why
    assert _saved_draft(tmp_path) == {"to": "12025550100"}


def test_a_terminal_closed_without_a_hang_up_ends_the_app(tmp_path: Path) -> None:
    """Not its controlling terminal (no SIGHUP comes): the end of input says it is gone, and
    the app leaves instead of reading end-of-file in a loop at 100% CPU."""
    window = TerminalWindow(["--sandbox"], app_env(tmp_path), controlling=False)
    try:
        window.wait_for(PLACEHOLDER)
        window.type("12025550100")
        window.wait_for(b"12025550100")
        window.close()
        why = _left_cleanly(window, allowed={0})
    finally:
        window.kill()
    assert why is None, why
    assert _saved_draft(tmp_path) == {"to": "12025550100"}
