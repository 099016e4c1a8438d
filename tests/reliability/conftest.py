"""Fixtures of the reliability suite: rogue servers that always stop, a sandbox, a journal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig
from comms_tui.store.history import Journal
from tests.reliability.rogue_server import Behaviour, RogueServer

# The sandbox's 'slow' recipient stalls this long: longer than the short timeouts used here.
SLOW_SECONDS = 3.0


@pytest.fixture
def rogue() -> Iterator[Callable[..., RogueServer]]:
    """``rogue(Behaviour.GARBAGE, **options)`` → a started server, stopped at teardown."""
    started: list[RogueServer] = []

    def start(behaviour: Behaviour | str, **options: object) -> RogueServer:
        server = RogueServer(behaviour, **options)  # type: ignore[arg-type]
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(slow_seconds=SLOW_SECONDS)) as running:
        yield running


@pytest.fixture
def fresh(sandbox: EmbeddedSandbox) -> EmbeddedSandbox:
    sandbox.state.reset()
    return sandbox


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3")
