"""``COMMS_TUI_SANDBOX_URL``: ``--sandbox`` uses a sandbox already running instead of its own
(``comms-tui serve --sandbox`` gives every browser tab the same one)."""

from __future__ import annotations

import httpx
import pytest

from comms_tui.api.errors import InvalidInput
from comms_tui.core.session import SANDBOX_URL_ENV, Session
from comms_tui.sandbox import EmbeddedSandbox


def test_with_sandbox_url_the_session_uses_that_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmbeddedSandbox() as running:
        monkeypatch.setenv(SANDBOX_URL_ENV, running.base_url)
        session = Session.for_sandbox()
        assert session.target.base_url == running.base_url
        assert session.is_sandbox
        assert session.sandbox is None  # not embedded here
        assert session.profile is not None and session.profile.name == "sandbox"
        session.close()  # must leave the shared sandbox running
        assert httpx.get(f"{running.base_url}/sandbox/health", timeout=5).status_code == 200


@pytest.mark.parametrize("url", ["http://192.0.2.1:8765", "https://sandbox.example"])
def test_a_sandbox_url_must_be_loopback(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv(SANDBOX_URL_ENV, url)
    with pytest.raises(InvalidInput):
        Session.for_sandbox()


def test_a_send_with_sandbox_lands_in_the_running_sandbox() -> None:
    from tests.support.cli import run_cli

    with EmbeddedSandbox() as running:
        proc = run_cli(
            "send", "sms", "--sandbox", "--to", "919591471711", "--body", "shared",
            env={SANDBOX_URL_ENV: running.base_url},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        (message,) = running.state.outbox()
        assert (message["recipient"], message["body"]) == ("919591471711", "shared")
