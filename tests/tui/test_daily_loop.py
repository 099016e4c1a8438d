"""The small things a daily user feels (issue 13): help, focus, filters, hints, meters."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static

from comms_tui.sandbox.rules import MAGIC_RECIPIENTS
from comms_tui.tui.screens.help import HelpScreen
from comms_tui.tui.widgets.sms_meter import SmsMeter
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, error_text, fill


async def test_help_lists_every_magic_recipient(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(str(cell.render()) for cell in app.screen.query(Static))
        for magic in MAGIC_RECIPIENTS:
            assert magic.digits in shown, magic
        assert "12025550150@example.com" in shown  # as an email address too


async def test_the_sms_meter_measures_a_restored_draft(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    (tmp_path / "drafts.json").write_text(
        json.dumps({"sms": {"to": "919591471711", "body": "Your OTP is 747977 ✓"}})
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        meter = str(app.compose_screen.form("sms").query_one(SmsMeter).render())
        assert meter.startswith("UCS-2 (because of: ✓) · 1 segment · 50 left"), meter


async def test_an_invalid_schedule_shows_its_error_and_no_time(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        form = await fill(pilot, "sms", to="919591471711", body="hi", scheduledTime="next week")
        assert error_text(form, "scheduledTime")
        hint = form.query_one("#scheduledTime-hint")
        assert not hint.has_class("-shown"), hint.render()
        form.set_value("scheduledTime", "+15m")  # a valid one is described again
        form.revalidate()
        assert hint.has_class("-shown") and not error_text(form, "scheduledTime")
