"""SIGKILL in the middle of a send: the journal entry written before the request reads ``unknown``.

``comms-tui send`` runs as a subprocess against a sandbox in this process whose 'slow'
recipient (12025550140) stalls for 10 s; once the sandbox has the request, the CLI is killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig
from comms_tui.store.history import Journal
from tests.support.cli import REPO_ROOT, run_cli

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


def test_sigkill_mid_send_leaves_an_entry_that_reads_unknown(
    slow_sandbox: EmbeddedSandbox,
) -> None:
    env = _env(slow_sandbox)
    # The body differs per run: the duplicate guard must see *this* send only.
    body = f"747977 is your OTP ({time.time_ns()})"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.cli", "send", "sms", "--to", SLOW, "--body", body],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: slow_sandbox.state.stats()["requests"] == 1, 15, "the request")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL
    killed_at = time.time()

    # Killed mid-send: begun (committed before the request left), never completed.
    (entry,) = Journal(stale_after_seconds=3600).list()
    assert entry.outcome == "pending" and entry.completed_at is None
    assert entry.recipients == [SLOW] and entry.channel == "sms"
    assert entry.request["root"]["sms"][0]["body"] == body
    # The store's rule: pending and older than the stale time means nobody will complete it.
    assert Journal(stale_after_seconds=0).list()[0].outcome == "unknown"

    # `comms-tui history` applies it with the client's own deadline (connect + read timeout).
    history_env = {"COMMS_TUI_TIMEOUT": str(READ_TIMEOUT)}
    deadline = time.monotonic() + PENDING_DEADLINE + 10
    while True:
        listed = run_cli("history", "--json", env=history_env)
        assert listed.returncode == 0, listed.stderr
        (shown,) = json.loads(listed.stdout)
        if shown["outcome"] == "unknown":
            break
        assert shown["outcome"] == "pending"
        assert time.monotonic() < deadline, "history never showed the abandoned send as unknown"
        time.sleep(0.5)
    age = datetime.now(timezone.utc) - datetime.fromisoformat(shown["created_at"])
    assert age.total_seconds() >= PENDING_DEADLINE  # not before the send could have ended
    assert time.time() - killed_at < PENDING_DEADLINE + 10

    # Sending the same again is stopped: it may have gone out.
    again = run_cli("send", "sms", "--to", SLOW, "--body", body, env=env)
    assert again.returncode == 2 and "--yes" in again.stderr
    assert slow_sandbox.state.stats()["requests"] == 1
