"""A sandbox shared by the CLI tests; subprocesses reach it through the documented env vars."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig


@pytest.fixture(scope="session")
def cli_sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(slow_seconds=3.0)) as running:
        yield running


@pytest.fixture
def sandbox_env(cli_sandbox: EmbeddedSandbox) -> dict[str, str]:
    """Environment that points ``comms-tui send`` at the shared sandbox with Basic auth."""
    cli_sandbox.state.reset()
    return {
        "COMMS_TUI_HOST": cli_sandbox.base_url,
        "COMMS_TUI_USERNAME": "sandbox",
        "COMMS_TUI_PASSWORD": "sandbox",
        "COMMS_TUI_TIMEOUT": "1",
    }
