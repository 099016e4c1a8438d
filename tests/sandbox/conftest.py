"""Fixtures: one real sandbox server for the session, a fresh client and state per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig

from .helpers import make_client

SLOW_SECONDS = 1.0
# Small attachment limits so the 4271 tests do not push megabytes through loopback.
SESSION_CONFIG = SandboxConfig(
    slow_seconds=SLOW_SECONDS, max_attachment_bytes=64 * 1024, max_email_attachment_bytes=96 * 1024
)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SESSION_CONFIG) as running:
        yield running


@pytest.fixture(scope="session")
def _session_client(sandbox: EmbeddedSandbox) -> Iterator[httpx.Client]:
    # One client for the session: building one costs ~30 ms (it loads the CA bundle).
    with make_client(sandbox.base_url) as http:
        yield http


@pytest.fixture
def client(sandbox: EmbeddedSandbox, _session_client: httpx.Client) -> httpx.Client:
    """Client for the session sandbox, whose outbox, counters and rate windows start empty."""
    sandbox.state.reset()
    return _session_client
