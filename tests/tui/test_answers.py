"""The whole answer, shown, and answers of any size kept usable (issues 12 §3 and 14, the TUI).

Against a rogue server over HTTP and the sandbox: status warnings, disagreements and anomalies
reach the results pane; the echo is kept in the raw view; a 500 carrying the API's status reads
"the server reported an error", never "nothing was sent"; a 5 MB message or 50 000 items stay
on screen as a bounded summary, with the whole response one key away.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, OptionList, Static

from comms_tui.core.session import Session
from comms_tui.store.paths import data_dir
from comms_tui.tui.app import CommsApp
from comms_tui.tui.screens.help import HelpScreen
from comms_tui.tui.screens.history import HistoryScreen
from comms_tui.tui.widgets.items_view import ItemsView
from comms_tui.tui.widgets.result_detail import RAW_SHOWN_CHARS
from tests.reliability.rogue_server import (
    LONG_MESSAGE_CHARS,
    Behaviour,
    Crafted,
    ReceivedRequest,
    RogueServer,
)
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, app_on, connected, fill, notes, results, rogue_session, send

Rogue = Callable[..., RogueServer]
PHONE = "919591471711"


def answer(status: dict[str, Any], items: list[dict[str, Any]], code: str = "200 OK") -> Crafted:
    headers = {"Content-Type": "application/json", "X-Cap-Requestid": "req-1"}
    return code, headers, json.dumps({"status": status, "smsList": items}).encode()


def sent_items(request: ReceivedRequest) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = request.json()["root"]["sms"]
    return items


def ok_status(n: int, **more: Any) -> dict[str, Any]:
    return {"code": 200, "success": True, "count": n, "successCount": n, "message": "ok", **more}


async def sms_to(pilot: Any, to: str = PHONE) -> None:
    await connected(pilot)
    await fill(pilot, "sms", to=to, body="hello")
    await send(pilot)


def summary_of(app: CommsApp) -> str:
    return str(app.screen.query_one("#result-summary", Static).render())


def first_row(app: CommsApp) -> str:
    return str(app.screen.query_one("#sends", OptionList).get_option_at_index(0).prompt)


async def open_raw(pilot: Any) -> None:
    await pilot.press("ctrl+r", "e")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_status_warnings_reach_the_results(rogue: Rogue, tmp_path: Path) -> None:
    def warned(request: ReceivedRequest) -> Crafted:
        items = [{"sms": i, "errors": [], "warnings": []} for i in sent_items(request)]
        warning = {"code": 9001, "message": "delivery report callback not configured"}
        return answer(ok_status(len(items), warnings=[warning]), items)

    server = rogue(warned)
    app = app_on(rogue_session(server.base_url), tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sms_to(pilot)
        assert "warning 9001: delivery report callback not configured" in summary_of(app)
        assert "⚠" in first_row(app)
        assert any("1 note(s) from the server" in n for n in notes(app)), notes(app)


async def test_a_disagreement_is_said_and_the_send_is_not_called_accepted(
    rogue: Rogue, tmp_path: Path
) -> None:
    def contradicts(request: ReceivedRequest) -> Crafted:
        items = [{"sms": i, "errors": [], "warnings": []} for i in sent_items(request)]
        status = {"code": 400, "success": False, "count": 1, "successCount": 0, "message": "no"}
        return answer(status, items)

    server = rogue(contradicts)
    app = app_on(rogue_session(server.base_url), tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sms_to(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "unknown"
        summary = summary_of(app)
        assert "disagreement: the status block says 0 of 1 succeeded" in summary
        assert "ACCEPTED" not in first_row(app)


async def test_the_echo_is_not_the_recipient_but_stays_in_the_raw_view(
    rogue: Rogue, tmp_path: Path
) -> None:
    def echoes_another_number(request: ReceivedRequest) -> Crafted:
        items = [{"sms": {**i, "to": "9" + i["to"]}, "errors": [], "warnings": []}
                 for i in sent_items(request)]  # fmt: skip
        return answer(ok_status(len(items)), items)

    server = rogue(echoes_another_number)
    app = app_on(rogue_session(server.base_url), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sms_to(pilot)
        [record] = results(pilot).records
        assert [i.recipient for i in record.result.items] == [PHONE]  # as sent
        assert app.screen.query_one(ItemsView).row_text(0).split()[1] == PHONE
        detail = str(app.screen.query_one("#item-detail", Static).render())
        assert "the server's echo names 9919591471711" in detail
        await open_raw(pilot)
        echo = str(app.screen.query_one("#raw-echo", Static).render())
        assert echo.startswith(f"#1 {PHONE} ← ") and '"to": "9919591471711"' in echo


async def test_an_echo_that_matches_adds_nothing(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await sms_to(pilot)
        await open_raw(pilot)
        assert not app.screen.query_one("#raw-echo").display
        assert not app.screen.query_one("#item-detail").display


async def test_a_500_with_the_api_status_is_a_server_error_not_nothing_sent(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sms_to(pilot, "12025550150")
        [record] = results(pilot).records
        assert record.result.outcome.value == "rejected" and not record.result.sent_nothing
        said = " ".join([*notes(app), summary_of(app)]).lower()
        assert "the server reported an error" in said
        assert "not sent" not in said and "nothing was sent" not in said
        assert [n.title for n in app._notifications] == ["Server error"]


async def test_a_request_refused_as_a_whole_still_says_nothing_was_sent(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sms_to(pilot, "12025550129")  # 429, then 429 again after the one retry
        [record] = results(pilot).records
        assert record.result.sent_nothing
        assert any(n.startswith("Not sent: ") for n in notes(app)), notes(app)
        assert "nothing was sent" in summary_of(app)


async def test_help_does_not_call_a_server_error_nothing_sent(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # The sandbox table: a key cell, then what it does, for each magic recipient.
        cells = [str(cell.render()) for cell in app.screen.query("#help-sandbox Static")]
        line = cells[next(i for i, cell in enumerate(cells) if "12025550150" in cell) + 1]
        assert "the server reported an error" in line and "nothing sent" not in line


async def test_an_email_without_a_body_is_sent(app_factory: AppFactory, session: Session) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        await fill(pilot, "email", to="ana@example.com", subject="Only a subject")
        email = screen.form("email")
        assert not email.query_one("#body-field").has_class("-invalid")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "accepted"
        assert session.sandbox is not None
        [received] = session.sandbox.state.outbox()
        assert received["subject"] == "Only a subject" and not received.get("body")


async def test_a_5_mb_error_message_stays_usable(rogue: Rogue, tmp_path: Path) -> None:
    server = rogue(behaviour=Behaviour.LONG_ERROR)
    app = app_on(rogue_session(server.base_url), tmp_path)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await sms_to(pilot)
        [record] = results(pilot).records
        assert len(record.result.response_text or "") > LONG_MESSAGE_CHARS  # kept whole
        assert len(summary_of(app)) < 2_000
        assert all(len(n) < 2_500 for n in notes(app))
        await open_raw(pilot)
        raw = str(app.screen.query_one("#raw-response", Static).render())
        assert len(raw) < RAW_SHOWN_CHARS + 500
        assert "more characters of the response not shown: r copies all of it" in raw
        await pilot.press("r")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # Too large for a terminal's clipboard: the file has all of it, and the toast says so.
        path = data_dir() / "copied-response.json"
        assert json.loads(path.read_text(encoding="utf-8"))["status"]["message"] == "x" * (
            LONG_MESSAGE_CHARS
        )
        assert copied == []
        assert any("Too large for the terminal's clipboard" in n and str(path) in n
                   for n in notes(app)), notes(app)  # fmt: skip


async def test_50_000_items_for_one_recipient(rogue: Rogue, tmp_path: Path) -> None:
    def flood(request: ReceivedRequest) -> Crafted:
        [item] = sent_items(request)
        items = [{"sms": item, "errors": [], "warnings": []}] * 50_000
        return answer(ok_status(50_000), items)

    server = rogue(flood)
    app = app_on(rogue_session(server.base_url), tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await sms_to(pilot)
        [record] = results(pilot).records
        assert record.result.count == 1 and record.result.extra_items == 49_999
        assert app.screen.query_one(ItemsView).row_count == 1
        assert "anomaly: the server answered 50000 items for 1 sent" in summary_of(app)
        assert app.journal is not None
        [entry] = app.journal.list(5)
        assert len(entry.items) == 1
        await pilot.press("f2")
        table = None
        for _ in range(250):
            if isinstance(app.screen, HistoryScreen):
                table = app.screen.query_one(DataTable)
                if table.row_count:
                    break
            await pilot.pause(0.02)
        assert table is not None and table.row_count == 1
