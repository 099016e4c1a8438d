"""Core tests: sessions on the shared sandbox, real-looking or sandbox, each with its journal."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from comms_tui.core.session import Session
from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig
from comms_tui.store.history import Journal
from comms_tui.store.profiles import Profile


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=100_000)) as running:
        yield running


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "history.sqlite3")


@pytest.fixture
def on_sandbox(sandbox: EmbeddedSandbox, journal: Journal) -> Session:
    """The embedded sandbox as ``--sandbox`` opens it."""
    sandbox.state.reset()
    session = Session.for_sandbox(sandbox)
    session.journal = journal
    return session


def real(on_sandbox: Session, name: str = "acme", **profile: object) -> Session:
    """The same server seen as a real org through a profile of its own (no sandbox attached)."""
    settings: dict[str, object] = {
        "name": name,
        "host": on_sandbox.target.base_url,
        "auth": "basic",
        "username": "sandbox",
        "sender_ids": {"": ["CAPNTH"]},
        **profile,
    }
    session = Session(
        target=dataclasses.replace(on_sandbox.target, label=name),
        profile=Profile.model_validate(settings),
    )
    session.journal = on_sandbox.journal
    return session
