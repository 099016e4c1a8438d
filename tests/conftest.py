"""Shared fixtures. Every test runs isolated: its own config/data dirs, no ``COMMS_TUI_*`` from the
developer's shell, and an in-memory keyring, so no test ever touches the real keyring."""

from __future__ import annotations

import os
from collections.abc import Iterator

import keyring
import keyring.core
import pytest

from tests.support.keyring_backends import HangingKeyring, MemoryKeyring


@pytest.fixture(autouse=True)
def _isolate_comms_tui(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MemoryKeyring]:
    home = tmp_path_factory.mktemp("comms-tui-home")
    for name in list(os.environ):
        if name.startswith("COMMS_TUI_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("COMMS_TUI_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("COMMS_TUI_DATA_DIR", str(home / "data"))
    previous = keyring.core._keyring_backend  # private, but set_keyring() cannot restore "unset"
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        yield memory
    finally:
        keyring.core._keyring_backend = previous
        HangingKeyring.release()  # free any worker thread a test left blocked


@pytest.fixture
def memory_keyring(_isolate_comms_tui: MemoryKeyring) -> MemoryKeyring:
    """The in-memory keyring installed for this test."""
    return _isolate_comms_tui


@pytest.fixture(params=[False, True], ids=["event-loop", "blocking"])
def blocking(request: pytest.FixtureRequest) -> bool:
    """The two wires a client runs on: an event loop's (the TUI, the web front-end), and a
    one-shot command's blocking one (``comms-tui send``). Same rules, same promises."""
    return bool(request.param)
