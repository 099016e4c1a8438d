"""TUI fixtures: one embedded sandbox per module, a fixed clock, and an app factory.

The sandbox is shared to keep the run short (it starts in a thread); each test resets its
outbox and counters. Apps get their own journal and drafts file in the test's tmp dir.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from comms_tui.core.session import Session
from comms_tui.sandbox.rules import SandboxConfig
from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.store.profiles import Profile
from comms_tui.tui.app import CommsApp, make_app
from tests.reliability.rogue_server import Behaviour, Crafted, ReceivedRequest, RogueServer

FIXED_NOW = datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc)  # 09:30 in Asia/Kolkata


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    # Tests send far more than the demo limit of 100 a minute.
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=100_000)) as running:
        yield running


@pytest.fixture
def session(sandbox: EmbeddedSandbox) -> Session:
    sandbox.state.reset()
    return Session.for_sandbox(sandbox)


@pytest.fixture
def real_session(session: Session) -> Session:
    """The shared sandbox seen as a real org would be (a profile of its own, no sandbox
    attached): sends ask what real sends ask."""
    profile = Profile(
        name="acme", host=session.target.base_url, auth="basic", username="sandbox",
        region="IN", timezone="Asia/Kolkata",
    )  # fmt: skip
    return Session(target=dataclasses.replace(session.target, label="acme"), profile=profile)


AppFactory = Callable[..., CommsApp]


@pytest.fixture
def app_factory(session: Session, tmp_path: Path) -> AppFactory:
    """``app_factory(**overrides)``: an app on the shared sandbox with its own files."""

    def factory(**kw: Any) -> CommsApp:
        options: dict[str, Any] = {
            "session": session,
            "journal": Journal(tmp_path / "history.sqlite3"),
            "drafts_path": tmp_path / "drafts.json",
            "clock": fixed_clock,
        }
        options.update(kw)
        return make_app(**options)

    return factory


@pytest.fixture
def rogue() -> Iterator[Callable[..., RogueServer]]:
    """``rogue(answer)``: a started server giving ``answer(request)`` (status, headers, body)
    to every request; or ``rogue(behaviour=Behaviour.X)``. Stopped at teardown."""
    started: list[RogueServer] = []

    def start(
        crafted: Callable[[ReceivedRequest], Crafted] | None = None,
        *,
        behaviour: Behaviour = Behaviour.CRAFTED,
        **options: Any,
    ) -> RogueServer:
        server = RogueServer(behaviour, crafted=crafted, **options)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time = UTC, so rendered times do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with fixed contents, shown as ~/attach-fixtures whatever tmp_path is."""
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / "attach-fixtures"
    (folder / "images").mkdir(parents=True)
    (folder / "notes.txt").write_bytes(b"hello, attachments\n")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    return folder
