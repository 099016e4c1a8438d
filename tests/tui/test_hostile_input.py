"""Inputs that cannot crash the TUI (issue 12 §2): what a user types and what a file holds.

Malformed hosts and non-ASCII attributions are errors at their field; a schedule that can only
be a typo is a field error, and the draft that holds it starts again without a crash; damaged
drafts, UI prefs and profile files are reported, set aside, and the app starts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input, Select, Static

from comms_tui.core.session import Session
from comms_tui.store.paths import config_dir
from comms_tui.tui.screens.profile_setup import ProfileSetupScreen
from comms_tui.tui.sender_lab.screen import SenderLabScreen
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, app_on, connected, error_text, fill, notes, send, until

TYPO_SCHEDULES = ("0001-01-01T00:00", "9999-12-31T23:59:59-23:59")


class Host(App[None]):
    def __init__(self, make: Callable[[], Any]) -> None:
        super().__init__()
        self.make = make

    def on_mount(self) -> None:
        self.push_screen(self.make())


@pytest.mark.parametrize(
    "host", ["http://[::1", "https://[x]", "http://127.0.0.1:abc", "http://127.0.0.1:99999"]
)
async def test_a_malformed_host_is_a_field_error(host: str) -> None:
    app = Host(ProfileSetupScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#name", Input).value = "acme"
        screen.query_one("#cluster", Select).value = "custom"
        await pilot.pause()
        custom = screen.query_one("#custom-host", Input)
        custom.value = host
        custom.focus()
        await pilot.press("tab")  # leaving the field checks it
        error = screen.query_one("#host-error", Static)
        await until(pilot, lambda: str(error.render()), "a host error")
        assert "not a valid host URL" in str(error.render()) and host in str(error.render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and app.is_running


async def test_a_non_ascii_attribution_is_an_error_at_its_input(session: Session) -> None:
    app = Host(lambda: SenderLabScreen(session))
    async with app.run_test(size=SIZE) as pilot:
        lab = app.screen
        lab.query_one("#lab-to", Input).value = "919591471711"
        lab.query_one("#lab-attributions-extra", Input).value = "STORE_NAME:Café Mumbai"
        await pilot.press("ctrl+j")
        await pilot.pause()
        error = str(lab.query_one("#lab-attributions-error", Static).render())
        assert "cannot carry (é)" in error and "STORE_CODE" in error
        assert session.sandbox is not None and session.sandbox.state.outbox() == []
    await session.aclose()


async def test_a_profile_file_with_a_non_ascii_attribution_starts_and_says_why(
    tmp_path: Path,
) -> None:
    (config_dir() / "profiles.toml").write_text(
        'default = "acme"\n[profiles.acme]\nhost = "apac"\nauth = "basic"\n'
        'username = "u"\nattribution = "STORE_NAME:Café"\n',
        encoding="utf-8",
    )
    app = app_on(None, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: notes(app), "a notification")
        assert any("(é)" in n and "attribution" in n for n in notes(app)), notes(app)
        assert app.session is None and app.is_running


@pytest.mark.parametrize("typo", TYPO_SCHEDULES)
async def test_a_typo_schedule_is_a_field_error_now_and_at_the_next_start(
    app_factory: AppFactory, session: Session, tmp_path: Path, typo: str
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        sms = await fill(pilot, "sms", to="919591471711", body="Hi", scheduledTime=typo)
        assert {"too far", "out of range"} & set(_said(error_text(sms, "scheduledTime")))
        await send(pilot)
        assert screen.results.records == []  # nothing sent
        await pilot.press("ctrl+q")
    assert session.sandbox is not None and session.sandbox.state.outbox() == []
    saved = json.loads((tmp_path / "drafts.json").read_text(encoding="utf-8"))
    assert saved["sms"]["scheduledTime"] == typo
    again = app_factory()  # the draft that holds it, at the next start
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await pilot.pause(0.3)
        sms = screen.form("sms")
        assert sms.value("scheduledTime") == typo
        await send(pilot)
        assert {"too far", "out of range"} & set(_said(error_text(sms, "scheduledTime")))


def _said(error: str) -> list[str]:
    """Which of the schedule's refusals ``error`` is: a year 1 cannot be placed, a 9999 is past
    the horizon."""
    return [phrase for phrase in ("too far", "out of range") if phrase in error]


@pytest.mark.parametrize("name", ["drafts.json", "ui.json"])
async def test_a_damaged_file_is_reported_set_aside_and_the_app_starts(
    session: Session, tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "data [" / "x]"  # ".../data [/x]/…" is in the notice: text, not markup
    folder.mkdir(parents=True)
    (folder / name).write_bytes(b'{"sms": {"to": "91959\xff\x00[/x]')
    app = app_on(session, folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await until(pilot, lambda: any("damaged" in n for n in notes(app)), "the notice")
        assert any(str(folder / name) in n for n in notes(app)), notes(app)
        await pilot.pause(0.2)  # the notice is drawn
        await fill(pilot, "sms", to="919591471711", body="still works")
        await send(pilot)
        assert [r.result.outcome.value for r in app.compose_screen.results.records] == ["accepted"]
    kept = [p.name for p in folder.iterdir() if p.name.startswith(f"{name}.damaged-")]
    assert len(kept) == 1
