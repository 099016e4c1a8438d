"""A send in flight, a scheduled send, and one time convention (issue 13, the TUI's side).

While a send is under way the form says how far the upload got and how long the answer has
taken against the timeout; esc stops it — at once while the server cannot have the whole
request (recorded as not sent), after asking once it may have it (recorded as unknown). A
scheduled send says when it goes out; every time on screen names its zone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual.pilot import Pilot
from textual.widgets import DataTable, Label, OptionList, Static

from comms_tui.api.attachments import load_attachment
from comms_tui.core.session import Session
from comms_tui.store.drafts import DraftAttachment
from comms_tui.store.history import Journal
from comms_tui.tui.compose.forms.email import EmailForm
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.screens.history import HistoryScreen
from comms_tui.tui.screens.outbox import OutboxScreen
from comms_tui.tui.widgets.in_flight import SendProgress
from comms_tui.tui.widgets.outcome import format_latency
from tests.reliability.rogue_server import Behaviour, RogueServer
from tests.tui.conftest import FIXED_NOW, AppFactory
from tests.tui.helpers import (
    SIZE,
    app_on,
    connected,
    fill,
    modal,
    notes,
    results,
    rogue_session,
    send,
    until,
)

Rogue = Callable[..., RogueServer]
KOLKATA = ZoneInfo("Asia/Kolkata")


def progress_line(pilot: Pilot[Any]) -> str:
    shown = [p for p in pilot.app.screen.query(SendProgress) if p.display]
    return str(shown[0].render()) if shown else ""


async def finished(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_large_upload_shows_progress_and_esc_stops_it_unsent(
    rogue: Rogue, tmp_path: Path
) -> None:
    # The server stops reading early: the body stays larger than what the socket buffers hold.
    server = rogue(behaviour=Behaviour.OK, stall_after=256 * 1024, receive_buffer=32_768)
    attachment = tmp_path / "scan.pdf"
    attachment.write_bytes(b"%PDF-1.4\n" + os.urandom(6_000_000))
    app = app_on(rogue_session(server.base_url), tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        email = screen.form("email")
        assert isinstance(email, EmailForm)
        await fill(pilot, "email", to="ana@example.com", subject="Scan", body="Attached.")
        await fill(pilot, "email", **{"from": "ops@example.com"})
        email.add_attachment(load_attachment(attachment), DraftAttachment.of_file(attachment))
        await pilot.pause()
        await pilot.press("ctrl+j")
        await until(pilot, lambda: "Uploading" in progress_line(pilot), "the upload is shown")
        line = progress_line(pilot)
        assert " of 7.6 MB" in line and "esc cancels (nothing sent yet)" in line, line
        await pilot.press("ctrl+j", "ctrl+j", "ctrl+j")  # more sends while this one is under way
        await pilot.pause()
        # Said once: the same toast three times stacked over the screen.
        assert [n for n in notes(app) if n.startswith("Already sending")] == [
            "Already sending: wait for the answer, or esc to cancel."
        ], notes(app)
        await pilot.press("escape")
        await finished(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "rejected" and record.result.sent_nothing
        assert "nothing was sent" in record.result.error.message  # type: ignore[union-attr]
        assert any(n.startswith("Not sent: cancelled") for n in notes(app)), notes(app)
        assert server.requests == 0  # it never had the whole request
        assert app.journal is not None
        [entry] = app.journal.list(5)
        assert entry.outcome == "rejected" and "cancelled" in (entry.error or "")
        assert not progress_line(pilot)
        assert email.value("body") == "Attached." and email.attachments  # nothing typed lost


async def test_waiting_for_the_answer_counts_against_the_timeout_and_esc_asks_first(
    rogue: Rogue, tmp_path: Path
) -> None:
    server = rogue(behaviour=Behaviour.TRICKLE, trickle_interval=1.0)  # a byte a second
    app = app_on(rogue_session(server.base_url, timeout=20.0), tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="hello")
        await pilot.press("ctrl+j")
        await until(pilot, lambda: "Waiting for the answer" in progress_line(pilot), "waiting")
        assert " s of 20 s · esc stops waiting (outcome unknown)" in progress_line(pilot)
        await pilot.press("escape")
        question = await modal(pilot, "confirm-cancel")
        assert "UNKNOWN" in str(question.query_one("#dialog-body", Static).render())
        await pilot.press("escape")  # no: keep waiting
        await pilot.pause(0.2)
        assert "Waiting for the answer" in progress_line(pilot)
        await pilot.press("escape")
        await modal(pilot, "confirm-cancel")
        await pilot.press("tab", "enter")  # "Stop waiting" (the default is no)
        await finished(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        [record] = results(pilot).records
        assert record.result.outcome.value == "unknown"
        assert server.requests == 1  # the request was there: it may have been acted on
        assert app.journal is not None
        [entry] = app.journal.list(5)
        assert entry.outcome == "unknown" and "cancelled while waiting" in (entry.error or "")
        assert any(n.startswith("Outcome UNKNOWN") for n in notes(app))


async def test_a_scheduled_send_says_when_and_clears_only_the_schedule(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        when = "2026-12-01 09:00"  # read in the profile's zone, Asia/Kolkata
        await fill(pilot, "sms", to="919591471711", body="Sale starts now", scheduledTime=when)
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "accepted"
        assert record.scheduled_for == datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA)
        row = str(app.screen.query_one("#sends", OptionList).get_option_at_index(0).prompt)
        assert "⏱ 01 Dec 09:00" in row
        summary = str(app.screen.query_one("#result-summary", Static).render())
        assert "scheduled for 2026-12-01 09:00 IST" in summary
        assert any("to go out 2026-12-01 09:00 IST" in n for n in notes(app)), notes(app)
        sms = screen.form("sms")
        assert sms.value("scheduledTime") == ""  # cleared: the next send goes now
        assert sms.value("body") == "Sale starts now" and sms.value("to") == "919591471711"
        assert session.sandbox is not None
        [received] = session.sandbox.state.outbox()
        assert received["scheduledTime"]


async def test_a_refused_scheduled_send_keeps_its_schedule(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await fill(pilot, "sms", to="12025550101", body="Hi", scheduledTime="2026-12-01 09:00")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "failed"
        assert screen.form("sms").value("scheduledTime") == "2026-12-01 09:00"


async def test_times_name_the_sessions_zone_and_the_send_start(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="hello")
        await send(pilot)
        title = str(app.screen.query_one("#results-title", Label).render())
        assert title == "Results · times in IST"
        row = str(app.screen.query_one("#sends", OptionList).get_option_at_index(0).prompt)
        assert row.startswith("09:30:00 ")  # FIXED_NOW (04:00 UTC) when the send started
        summary = str(app.screen.query_one("#result-summary", Static).render())
        assert "sent 09:30:00 IST" in summary
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen), "history")
        history = app.screen
        table = history.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 1, "a history row")
        assert str(table.columns[next(iter(table.columns))].label) == "Time (IST)"
        assert app.journal is not None
        [entry] = app.journal.list(1)
        started = entry.created_at.astimezone(KOLKATA)
        assert str(table.get_row_at(0)[0]) == f"{started:%Y-%m-%d %H:%M:%S}"
        assert str(table.get_row_at(0)[7]) == format_latency(entry.latency_ms)
        detail = str(history.query_one("#detail", Static).render())
        assert f"sent {started:%Y-%m-%d %H:%M:%S} IST" in detail


async def test_history_latency_reads_as_the_results_do(tmp_path: Path) -> None:
    from textual.app import App

    journal = Journal(tmp_path / "history.sqlite3")
    entry = journal.begin(
        profile="acme", host="https://h", channel="sms", recipients=["919591471711"],
        request={}, fingerprints=[],
    )  # fmt: skip
    journal.complete(
        entry, outcome="unknown", http_status=None, request_id=None, items=[],
        latency_ms=30002.0, error="no answer",
    )  # fmt: skip

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(HistoryScreen(journal, zone=timezone.utc))

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 1, "a history row")
        assert str(table.get_row_at(0)[7]) == "30.0 s"  # was "30002 ms"
        assert "· 30.0 s" in str(app.screen.query_one("#detail", Static).render())


async def test_the_outbox_names_the_zone(app_factory: AppFactory, session: Session) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="hello")
        await send(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, OutboxScreen), "the outbox")
        await until(pilot, lambda: app.screen.query(".bubble"), "a message")
        bubble = app.screen.query_one(".bubble", Static)
        assert str(bubble.border_subtitle).endswith(" IST")
        assert FIXED_NOW.tzinfo is not None


SLOW_EMAIL = "12025550140@example.com"  # the sandbox answers it after 40 s: a send in flight


async def test_enter_again_after_a_send_stays_on_send_and_clear_keeps_the_form_meanwhile(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """Field test: Tab to Send, Enter, Enter. Disabling Send while sending moved the focus to
    Clear, and the second Enter wiped the form and its draft while the send was in flight."""
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        email = await fill(pilot, "email", to=SLOW_EMAIL, subject="Invoice", body="Attached.")
        typed = email.values()
        send_button = email.query_one("#send-button")
        send_button.focus()
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: "Waiting for the answer" in progress_line(pilot), "waiting")
        assert screen.focused is send_button  # where the user was, not on Clear
        await pilot.press("enter")  # the second Enter
        await pilot.pause()
        assert any(n.startswith("Already sending") for n in notes(app)), notes(app)
        await pilot.press("ctrl+l")
        await pilot.click(email.query_one("#clear-button"))
        await pilot.pause()
        assert email.values() == typed  # neither key nor button cleared it
        assert not isinstance(app.screen, ConfirmScreen)  # nor asked: there is nothing to do
        status = str(email.query_one("#form-status", Static).render())
        assert "Not cleared" in status and "sending" in status, status
        assert "Waiting for the answer" in progress_line(pilot)
        await pilot.press("escape")
        await modal(pilot, "confirm-cancel")
        await pilot.press("tab", "enter")  # stop waiting
        await finished(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "unknown"
        assert email.values() == typed  # the form after an unknown outcome: all there
    saved = json.loads((tmp_path / "drafts.json").read_text())
    assert saved["email"]["subject"] == "Invoice"  # and its draft


async def test_quitting_while_a_send_is_in_flight_asks_and_records_it_as_unknown(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """ctrl+q quit at once, and the history showed the send as pending for a minute."""
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="12025550140", body="hello")
        await pilot.press("ctrl+j")
        await until(pilot, lambda: "Waiting for the answer" in progress_line(pilot), "waiting")
        await pilot.press("ctrl+q")
        question = await modal(pilot, "confirm-quit")
        assert "UNKNOWN" in str(question.query_one("#dialog-body", Static).render())
        await pilot.press("enter")  # the default: keep waiting
        await pilot.pause(0.2)
        assert app.return_code is None and "Waiting for the answer" in progress_line(pilot)
        await pilot.press("ctrl+q")
        await modal(pilot, "confirm-quit")
        await pilot.press("tab", "enter")  # quit anyway
        await until(pilot, lambda: app.return_code is not None, "the app quits")
    [entry] = Journal(tmp_path / "history.sqlite3").list(5)
    assert entry.outcome == "unknown" and "cancelled while waiting" in (entry.error or "")


async def test_leaving_from_outside_while_a_send_is_in_flight_records_it_as_unknown(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """A closed terminal or SIGTERM (``tui/leaving.py`` runs the quit action): nobody to ask,
    but the history says what became of the send, not "pending"."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="12025550140", body="hello")
        await pilot.press("ctrl+j")
        await until(pilot, lambda: "Waiting for the answer" in progress_line(pilot), "waiting")
        await app.run_action("quit")
        assert app.return_code is not None
    [entry] = Journal(tmp_path / "history.sqlite3").list(5)
    assert entry.outcome == "unknown" and "cancelled while waiting" in (entry.error or "")
