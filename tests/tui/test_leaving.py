"""Leaving while the session is still opening: the sandbox it opens is stopped all the same.

The session opens in a daemon thread that the app does not wait for on its way out (a keyring
that never answers must not keep a closed app alive). What that thread opens is still closed:
by the app when it opens within a moment of leaving, by the thread itself when it is later.
The real terminal, closed at a spread of moments, is ``tests/reliability/test_hangup.py``.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual.css.query import NoMatches

from comms_tui.core.session import Session
from comms_tui.store.history import Journal
from comms_tui.tui.app import OPENING_WAIT_SECONDS, make_app
from comms_tui.tui.compose.forms.sms import SmsForm


def _refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.parametrize(
    "delay", [0.2, OPENING_WAIT_SECONDS + 0.5], ids=["opens-while-leaving", "opens-after"]
)
async def test_a_sandbox_that_opens_as_the_app_leaves_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, delay: float
) -> None:
    opening = threading.Event()
    release = threading.Event()
    opened: list[Session] = []
    real_open = Session.open

    def slow_open(**kwargs: Any) -> Session:
        opening.set()
        release.wait(10)
        session = real_open(**kwargs)
        opened.append(session)
        return session

    monkeypatch.setattr(Session, "open", slow_open)
    app = make_app(
        sandbox=True, journal=Journal(tmp_path / "history.sqlite3"),
        drafts_path=tmp_path / "drafts.json",
    )  # fmt: skip
    async with app.run_test() as pilot:
        for _ in range(500):
            if opening.is_set():
                break
            await pilot.pause(0.01)
        assert opening.is_set(), "the session never started opening"
        threading.Timer(delay, release.set).start()
        await app.action_quit()
    deadline = time.monotonic() + 10
    while not opened and time.monotonic() < deadline:
        time.sleep(0.02)
    (session,) = opened
    assert session.sandbox is not None
    port = session.sandbox.port
    while not _refuses(port) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _refuses(port), f"the sandbox opened while leaving still listens on {port}"
    assert app.session is None  # never bound: the app had left


async def test_a_form_taken_apart_as_the_app_leaves_says_so_as_a_query_does(
    tmp_path: Path,
) -> None:
    # Closed while the forms mount: Textual removes them under an on_mount yet to run. Its
    # lookup must fail as query_one does (NoMatches, which leaving tolerates), not with an
    # AssertionError that ends the app with a traceback and exit status 1 (the pty test).
    app = make_app(
        sandbox=True, journal=Journal(tmp_path / "history.sqlite3"),
        drafts_path=tmp_path / "drafts.json",
    )  # fmt: skip
    async with app.run_test() as pilot:
        await pilot.pause()
        form = app.compose_screen.query_one(SmsForm)
        await form.remove()
        with pytest.raises(NoMatches):
            form.value("body")
        app._exit = True  # leaving, as the terminal's hang-up makes it
        app._handle_exception(NoMatches("as the form's on_mount raises it"))
        assert app._exception is None
