"""The rules of a send as the TUI applies them: the same rules, from the same core, as the CLI
(their CLI side is in tests/cli/test_send_cli.py)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from comms_tui.core.session import Session
from tests.tui.conftest import FIXED_NOW, AppFactory
from tests.tui.helpers import SIZE, connected, fill, modal, results

PHONE, DND = "919591471711", "12025550101"


def requests(session: Session) -> int:
    assert session.sandbox is not None
    count: int = session.sandbox.state.stats()["requests"]
    return count


async def send_and_wait(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+j")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_after_a_partial_send_the_failed_recipient_can_be_sent_again(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await fill(pilot, "sms", to=f"{PHONE}, {DND}", body="Hello")
        await send_and_wait(pilot)
        assert results(pilot).records[-1].result.outcome.value == "partial"
        # The same text to the recipient whose item failed: nothing reached them, no question.
        screen.form("sms").set_value("to", DND)
        await pilot.pause(0.3)
        await send_and_wait(pilot)
        assert requests(session) == 2
        # To the one that was accepted, it is a duplicate.
        screen.form("sms").set_value("to", PHONE)
        await pilot.pause(0.3)
        await pilot.press("ctrl+j")
        duplicate = await modal(pilot, "confirm-duplicate")
        assert "already sent" in str(duplicate.query_one("#dialog-body").render())
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        assert requests(session) == 2


async def test_a_time_without_a_zone_is_read_in_the_machine_zone_and_named(
    app_factory: AppFactory, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    zone = ZoneInfo("America/New_York")
    day = (FIXED_NOW.astimezone(zone) + timedelta(days=30)).date()  # the app's clock: FIXED_NOW
    when = datetime.combine(day, time(9, 0), tzinfo=zone)
    no_profile = dataclasses.replace(session, profile=None)  # as from the environment
    app = app_factory(session=no_profile)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        typed = f"{day.isoformat()}T09:00"
        form = await fill(pilot, "sms", to=PHONE, body="Hi", scheduledTime=typed)
        hint = str(form.query_one("#scheduledTime-hint").render())
        assert f"{day.isoformat()} 09:00 {when.tzname()} America/New_York" in hint
        request = form.build()
        scheduled = request.items[0].scheduled_time
        assert scheduled is not None and scheduled.isoformat() == when.isoformat()


async def test_a_schedule_long_past_is_asked_about_and_sent_at_once_if_confirmed(
    app_factory: AppFactory, session: Session
) -> None:
    """The reference's own example time (2024-02-22): §3 sends it at once. Asked first, the
    default keeps the form to fix; confirmed, it goes out as typed."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to=PHONE, body="Hi", scheduledTime="2024-02-22T00:25:06+05:30")
        await pilot.press("ctrl+j")
        question = await modal(pilot, "confirm-old-schedule")
        assert "days in the past" in str(question.query_one("#dialog-body").render())
        await pilot.press("enter")  # the default: no
        await pilot.app.workers.wait_for_complete()
        assert requests(session) == 0
        await pilot.press("ctrl+j")
        await modal(pilot, "confirm-old-schedule")
        await pilot.press("tab", "enter")  # the other button: Send now
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        [sent] = session.sandbox.state.outbox() if session.sandbox else []
        when = datetime.fromisoformat(sent["scheduledTime"].replace("Z", "+00:00"))
        assert when == datetime.fromisoformat("2024-02-22T00:25:06+05:30")  # the time typed
