"""Hostile answers in the TUI: how long until they are on screen, and the longest UI stall.

    python tests/benchmarks/answers_bench.py

Prints one JSON object. Three answers from a rogue server, each to a one-recipient SMS sent
through the real app (Pilot, notifications on): a 400 whose message is 5 MB, and a 200 with
50 000 items. For each: ``*_show_ms`` from ctrl+j until the result is in the results pane,
``*_raw_ms`` until the raw view shows the response, ``*_history_ms`` until History lists it,
and ``*_stall_ms``, the longest the event loop was late meanwhile (a 5 ms ticker).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.benchmarks.tui_bench import StallMonitor  # noqa: E402
from tests.reliability.rogue_server import (  # noqa: E402
    Behaviour,
    Crafted,
    ReceivedRequest,
    RogueServer,
)


def flood(request: ReceivedRequest) -> Crafted:
    """50 000 items answering a one-recipient send."""
    [item] = request.json()["root"]["sms"]
    status = {"code": 200, "success": True, "count": 50_000, "successCount": 50_000}
    items = [{"sms": item, "errors": [], "warnings": []}] * 50_000
    body = json.dumps({"status": status, "smsList": items}).encode()
    return "200 OK", {"Content-Type": "application/json"}, body


async def until(pilot: Any, condition: Callable[[], object], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen never got there")
        await pilot.pause(0.005)


async def measure(server: RogueServer, name: str) -> dict[str, float]:
    from textual.widgets import DataTable, Static

    from comms_tui.api.target import BasicCredentials, Target
    from comms_tui.core.session import Session
    from comms_tui.store.history import Journal
    from comms_tui.store.profiles import Profile
    from comms_tui.tui.app import make_app
    from comms_tui.tui.screens.history import HistoryScreen

    target = Target(base_url=server.base_url, credentials=BasicCredentials("u", "p"), label="b")
    profile = Profile(name="bench", host=server.base_url, auth="basic", username="u")
    folder = Path(tempfile.mkdtemp())
    app = make_app(
        session=Session(target=target, profile=profile),
        journal=Journal(folder / "history.sqlite3"),
        drafts_path=folder / "drafts.json",
    )
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(pilot, lambda: app.session is not None)
        await pilot.pause(0.5)
        sms = app.compose_screen.form("sms")
        sms.query_one("#to").value = "919591471711"  # type: ignore[attr-defined]
        sms.query_one("#body").insert("hello")  # type: ignore[attr-defined]
        await pilot.pause(0.5)
        monitor = StallMonitor()
        monitor.start()
        started = time.perf_counter()
        await pilot.press("ctrl+j")
        await until(pilot, lambda: app.compose_screen.results.records)
        await pilot.pause()  # drawn, toast included
        figures[f"{name}_show_ms"] = (time.perf_counter() - started) * 1000
        figures[f"{name}_show_stall_ms"] = monitor.stop()
        monitor = StallMonitor()
        monitor.start()
        raw = app.screen.query_one("#raw-response", Static)
        started = time.perf_counter()
        await pilot.press("ctrl+r", "e")
        await until(pilot, lambda: str(raw.render()).strip())
        await pilot.pause()
        figures[f"{name}_raw_ms"] = (time.perf_counter() - started) * 1000
        figures[f"{name}_raw_stall_ms"] = monitor.stop()
        monitor = StallMonitor()
        monitor.start()
        started = time.perf_counter()
        await pilot.press("f2")

        def listed() -> bool:
            screen = app.screen
            return isinstance(screen, HistoryScreen) and screen.query_one(DataTable).row_count > 0

        await until(pilot, listed)
        await pilot.pause()
        figures[f"{name}_history_ms"] = (time.perf_counter() - started) * 1000
        figures[f"{name}_history_stall_ms"] = monitor.stop()
    return {k: round(v, 1) for k, v in figures.items()}


async def main() -> dict[str, float]:
    figures: dict[str, float] = {}
    with RogueServer(Behaviour.LONG_ERROR) as server:
        figures.update(await measure(server, "error_5mb"))
    with RogueServer(Behaviour.CRAFTED, crafted=flood) as server:
        figures.update(await measure(server, "items_50000"))
    return figures


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=1))
