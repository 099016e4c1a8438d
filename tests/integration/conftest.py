"""One real sandbox over loopback HTTP for the client's integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comms_tui.api.target import BasicCredentials, OAuthCredentials, Target
from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig

# Shorter than the stall of the 'slow' recipient, so that one times out.
READ_TIMEOUT = 1.0
SLOW_SECONDS = 2.5


@pytest.fixture(scope="session")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(slow_seconds=SLOW_SECONDS)) as running:
        yield running


@pytest.fixture
def fresh(sandbox: EmbeddedSandbox) -> EmbeddedSandbox:
    sandbox.state.reset()
    return sandbox


@pytest.fixture
def basic_target(fresh: EmbeddedSandbox) -> Target:
    return Target(
        base_url=fresh.base_url,
        credentials=BasicCredentials("sandbox", "sandbox"),
        read_timeout=READ_TIMEOUT,
    )


@pytest.fixture
def oauth_target(fresh: EmbeddedSandbox) -> Target:
    return Target(
        base_url=fresh.base_url,
        credentials=OAuthCredentials("sandbox-key", "sandbox-secret"),
        read_timeout=READ_TIMEOUT,
    )
