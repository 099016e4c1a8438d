"""The TUI side of the benchmarks: time to first frame, event-loop stalls, a 1,000-item result."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App[None]):
    def compose(self):
        yield Header()
        yield Static("bare textual app")
        yield Footer()

Bare().run()
"""


def _seen_at(argv: list[str], markers: list[bytes], env: dict[str, str]) -> list[float]:
    """Seconds from spawn until each of ``markers`` has been written to the terminal."""
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
        start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    times: dict[bytes, float] = {}
    try:
        deadline = start + 30
        while time.perf_counter() < deadline and len(times) < len(markers):
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                now = time.perf_counter() - start
                times.update({m: now for m in markers if m not in times and m in seen})
        if len(times) < len(markers):
            raise RuntimeError(f"{argv}: saw {sorted(times)} of {markers} in {len(seen)} bytes")
        return [times[m] for m in markers]
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)


def bench_startup(runs: int) -> dict[str, Any]:
    """Both apps as a user runs them: bytecode cached (the first, warming run writes it)."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "36"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    ours_argv = [sys.executable, "-m", "comms_tui.cli", "--sandbox"]
    bare_argv = [sys.executable, "-c", BARE_APP]
    # First frame: the header's SANDBOX badge. Ready: the SMS form's fields are on screen (its
    # last label, Schedule, is drawn).
    ours_markers = [b"SANDBOX", b"Schedule"]
    bare_marker = [b"bare textual app"]
    _seen_at(ours_argv, ours_markers, env)  # warm the page and bytecode caches, then interleave
    _seen_at(bare_argv, bare_marker, env)
    first, ready, bare = [], [], []
    for _ in range(runs):
        bare += _seen_at(bare_argv, bare_marker, env)
        frame, form = _seen_at(ours_argv, ours_markers, env)
        first.append(frame)
        ready.append(form)
    floor = statistics.median(bare)
    return {
        "startup_ratio": round(statistics.median(first) / floor, 3),
        "startup_ms": round(statistics.median(first) * 1000, 1),
        "startup_bare_textual_ms": round(floor * 1000, 1),
        # What a person waits for: the SMS form's fields, against the same floor.
        "form_ready_ratio": round(statistics.median(ready) / floor, 3),
        "form_ready_ms": round(statistics.median(ready) * 1000, 1),
    }


class StallMonitor:
    """Measures how late a 5 ms ticker on the app's event loop wakes up: the longest stall."""

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.period)
            self.worst = max(self.worst, loop.time() - before - self.period)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._tick())

    def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
        return self.worst * 1000


_SANDBOX = """
import sys
from comms_tui.sandbox.rules import SandboxConfig
from comms_tui.sandbox.server import run_standalone
mb = 1024 * 1024
run_standalone(port=int(sys.argv[1]), config=SandboxConfig(rate_limit_per_minute=1_000_000,
    max_attachment_bytes=64 * mb, max_email_attachment_bytes=64 * mb))
"""


def sandbox_process() -> tuple[subprocess.Popen[bytes], str]:
    """A sandbox in a process of its own, as the real API would be; (process, base URL)."""
    return _sandbox_process()


def _sandbox_process() -> tuple[subprocess.Popen[bytes], str]:
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", _SANDBOX, str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/sandbox/health").status_code == 200:
                return proc, base_url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the sandbox process did not start")


async def _ui_stall(path: Path, base_url: str) -> dict[str, Any]:
    """One user's first attach-and-send in a fresh app: the longest stall, in ms."""
    from comms_tui.api.attachments import AttachmentBudget
    from comms_tui.api.channels import Channel
    from comms_tui.api.target import BasicCredentials, Target
    from comms_tui.core.session import Session, sandbox_profile
    from comms_tui.store.drafts import DraftAttachment
    from comms_tui.tui.app import make_app
    from comms_tui.tui.screens.attachments import AttachmentPickerScreen
    from comms_tui.tui.widgets.attachments import AttachmentList

    session = Session(
        target=Target(base_url=base_url, credentials=BasicCredentials("sandbox", "sandbox")),
        profile=sandbox_profile(base_url),
    )
    app = make_app(session=session)
    async with app.run_test(size=(120, 36)) as pilot:
        while app.session is None:  # opened once every form is built
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.compose_screen.show_channel(Channel.EMAIL)
        await pilot.pause()
        form = app.compose_screen.query_one("#email")
        for field, value in (
            ("to", "user@example.com"),
            ("subject", f"big file {time.time_ns()}"),
        ):
            form.query_one(f"#{field}").value = value  # type: ignore[attr-defined]
        form.query_one("#body").text = "see attached"  # type: ignore[attr-defined]
        attachments = form.query_one(AttachmentList)
        budget = AttachmentBudget(max_file_bytes=64 * MB, max_message_bytes=64 * MB)
        attachments.budget = budget
        monitor = StallMonitor()
        monitor.start()
        started = time.perf_counter()
        picker = AttachmentPickerScreen(budget=budget, start_dir=path.parent)
        chosen: list[Any] = []
        await app.push_screen(picker, callback=chosen.append)
        await pilot.pause()
        picker.query_one("#picker-path").value = str(path)  # type: ignore[attr-defined]
        await pilot.press("enter")
        while not chosen:
            await asyncio.sleep(0.01)
        attachments.add(chosen[0], DraftAttachment.of_file(path))
        await pilot.pause()
        results = app.compose_screen.query_one("#results")
        before = len(results.records)  # type: ignore[attr-defined]
        await pilot.press("ctrl+j")
        while len(results.records) == before:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        stall = monitor.stop()
        outcome = results.records[-1].result.outcome.value  # type: ignore[attr-defined]
    return {"stall_ms": round(stall, 1), "elapsed_ms": round(elapsed * 1000), "outcome": outcome}


def bench_ui_stall(path: Path, runs: int) -> dict[str, Any]:
    """Median over ``runs`` fresh processes: each a first attach, cold as a user meets it.

    The sandbox runs in its own process, as the real API would: in the app's process its JSON
    and base64 checks of 33 MB would hold the GIL and be counted as the app's stalls.
    """
    server, base_url = _sandbox_process()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        once = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "ui-stall-once", str(path), base_url],
                    env=env, capture_output=True, text=True, check=True,
                ).stdout.splitlines()[-1]
            )
            for _ in range(runs)
        ]  # fmt: skip
    finally:
        server.kill()
        server.wait()
    stalls = [run["stall_ms"] for run in once]
    return {
        "ui_stall_ms": round(statistics.median(stalls), 1),
        "ui_stall_runs_ms": stalls,
        "ui_stall_scenario": f"open the picker, encode {path.stat().st_size // MB} MB, send; "
        f"{statistics.median(r['elapsed_ms'] for r in once):.0f} ms, "
        f"outcomes {sorted({r['outcome'] for r in once})}",
    }


def _thousand_item_result() -> Any:
    from comms_tui.api.channels import Channel
    from comms_tui.api.requests import build_request
    from comms_tui.api.results import ItemResult, Notice, Outcome, SendResult
    from comms_tui.core.sender import Sent

    phones = [f"+9198{i:08d}" for i in range(1000)]
    request = build_request(Channel.SMS, phones, {"body": "747977 is your OTP"})
    items = [
        ItemResult(recipient=r, ok=i % 10 != 0,
                   errors=(Notice(code=4209, message="recipient is on the DND list"),)
                   if i % 10 == 0 else ())
        for i, r in enumerate(request.recipients)
    ]  # fmt: skip
    from comms_tui.api.results import RedactedRequest

    result = SendResult(
        channel=Channel.SMS,
        outcome=Outcome.PARTIAL,
        request=RedactedRequest("POST", "http://sandbox/", {}, request.redacted_body()),
        items=items,
        http_status=201,
        request_id="bench",
        latency_ms=12.0,
        response_text="{}",
    )
    return Sent(history_id=None, result=result)


async def _results(runs: int) -> list[float]:
    from textual.app import App, ComposeResult

    from comms_tui.tui.widgets.results import ResultsPane

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield ResultsPane()

    sent = _thousand_item_result()
    samples = []
    app = Host()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(ResultsPane)
        for _ in range(runs + 1):
            start = time.perf_counter()
            pane.add(sent, "bench")
            await pilot.pause()  # until the pane has been laid out and rendered
            samples.append(time.perf_counter() - start)
    return samples[1:]


def bench_results(runs: int) -> dict[str, Any]:
    samples = asyncio.run(_results(runs))
    return {"results_1000_ms": round(statistics.median(samples) * 1000, 1)}


# ---------------------------------------------------------------- hostile answers


async def _hostile_answer_stall(base_url: str, folder: Path) -> float:
    """The longest stall while the app shows a 5 MB error message, then a 50 000-item answer.

    A journal and drafts of its own (``folder``): an earlier run's send of the same message
    would be a duplicate, and the app would ask before sending it again.
    """
    from comms_tui.api.channels import Channel
    from comms_tui.api.target import BasicCredentials, Target
    from comms_tui.core.session import Session, sandbox_profile
    from comms_tui.store.history import Journal
    from comms_tui.tui.app import make_app

    session = Session(
        target=Target(base_url=base_url, credentials=BasicCredentials("sandbox", "sandbox")),
        profile=sandbox_profile(base_url),
        journal=Journal(folder / "history.sqlite3"),
    )
    app = make_app(session=session, drafts_path=folder / "drafts.json")
    async with app.run_test(size=(120, 36)) as pilot:
        while app.session is None:
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause()
        results = app.compose_screen.results
        form = app.compose_screen.form(Channel.SMS)
        monitor = StallMonitor()
        monitor.start()
        for to in (HOSTILE_ERROR_TO, "919000000002"):  # the 5 MB message, then 50 000 items
            form.set_value("to", to)
            form.set_value("body", f"hostile {to}")
            await pilot.pause(0.3)
            before = len(results.records)
            await pilot.press("ctrl+j")
            while len(results.records) == before:
                await asyncio.sleep(0.01)
            await pilot.press("ctrl+r", "enter")  # the detail, the raw view: all of it shown
            await pilot.pause(0.5)
            await pilot.press("escape")
        return monitor.stop()


def bench_hostile_answer(runs: int) -> dict[str, Any]:
    """Median over ``runs`` fresh processes of the longest UI stall.

    The hostile server runs in a process of its own: in the app's process, encoding its 5 MB
    answers would hold the GIL and be counted as the app's stalls.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, __file__, "hostile-server"], env=env, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    url = server.stdout.readline().strip()  # once it listens
    stalls = []
    try:
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, __file__, "hostile-once", url],
                env=env, capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            stalls.append(json.loads(out.splitlines()[-1]))
    finally:
        server.kill()
        server.wait()
    return {
        "hostile_answer_stall_ms": round(statistics.median(stalls), 1),
        "hostile_answer_runs_ms": [round(x, 1) for x in stalls],
    }


HOSTILE_ERROR_TO = "919000000001"  # answered 400 with a 5 MB message; anyone else: 50 000 items


def _hostile_server() -> Any:
    """Answers a send to ``HOSTILE_ERROR_TO`` with a 400 and a 5 MB message, any other with a
    200 and 50 000 items."""
    import http.server

    long_error = json.dumps(
        {"status": {"success": False, "code": 400, "message": "x" * (5 * MB)}}
    ).encode()
    item = {"sms": {"to": "919000000002", "body": "hi"}, "errors": [], "warnings": []}
    many = json.dumps(
        {"status": {"success": True, "code": 200, "count": 50_000, "successCount": 50_000},
         "smsList": [item] * 50_000}
    ).encode()  # fmt: skip

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, body = (
                (400, long_error) if HOSTILE_ERROR_TO.encode() in request else (200, many)
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Cap-Requestid", "hostile")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)


# ---------------------------------------------------------------- history


def _fill_journal(path: Path, entries: int) -> None:
    """``entries`` finished sends, written straight into the journal's tables (fast)."""
    import sqlite3

    from comms_tui.store.history import Journal

    Journal(path)  # the schema
    now = time.time()
    rows = [
        (now - entries + i, now - entries + i + 0.1, "bench", "https://api.example", "sms",
         json.dumps([f"9198{i:08d}"]), json.dumps({"root": {"sms": [{"to": f"9198{i:08d}",
         "body": f"bench {i}"}]}}), "accepted", 200, f"req-{i}",
         json.dumps([{"recipient": f"9198{i:08d}", "ok": True, "errors": [], "warnings": []}]),
         40.0, None, 0)
        for i in range(entries)
    ]  # fmt: skip
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO entries (created_at, completed_at, profile, host, channel, recipients,"
            " request, outcome, http_status, request_id, items, latency_ms, error, sandbox)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


async def _history(path: Path, runs: int) -> dict[str, Any]:
    from textual.widgets import DataTable, Input

    from comms_tui.store.history import Journal
    from comms_tui.tui.app import make_app
    from comms_tui.tui.screens.history import HistoryScreen

    journal = Journal(path)
    opens, filters = [], []
    app = make_app(sandbox=True, journal=journal)
    async with app.run_test(size=(120, 36)) as pilot:
        while app.session is None:
            await pilot.pause(0.02)
        for _ in range(runs):
            started = time.perf_counter()
            await pilot.press("f2")
            while not (
                isinstance(app.screen, HistoryScreen) and app.screen.query_one(DataTable).row_count
            ):
                await asyncio.sleep(0.002)
            opens.append(time.perf_counter() - started)
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            search = screen.query_one("#recipient-filter", Input)
            for digits in ("9", "91", "919", "9198", "91980"):
                # One keystroke's work, without the typing debounce: query and refill.
                with search.prevent(Input.Changed):
                    search.value = digits
                started = time.perf_counter()
                screen.action_reload()
                await app.workers.wait_for_complete()  # the worker waits for the table refill
                filters.append(time.perf_counter() - started)
            await pilot.press("escape")
            await pilot.pause()
    return {
        "history_100k_open_ms": round(statistics.median(opens) * 1000, 1),
        "history_filter_100k_ms": round(statistics.median(filters) * 1000, 1),
    }


async def _screen_push_floor(runs: int) -> float:
    """The same measure for a bare Textual app pushing a kept screen that holds a 60-row,
    8-column DataTable and a footer: what any Textual screen of that size costs to show here
    (``pilot.press`` returns once the app has been idle for two 20 ms windows)."""
    from textual.app import App, ComposeResult
    from textual.binding import Binding, BindingType
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Static

    class Table(Screen[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

        def compose(self) -> ComposeResult:
            yield Static("bare")
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            table: DataTable[str] = self.query_one(DataTable)
            for column in "abcdefgh":
                table.add_column(column, width=12)
            for row in range(60):
                table.add_row(*(f"cell {row} {column}" for column in "abcdefgh"))

    class Bare(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("f2", "open", "Open")]

        def on_mount(self) -> None:
            self.install_screen(Table(), "table")

        def action_open(self) -> None:
            self.push_screen("table")

    opens = []
    app = Bare()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f2", "escape")  # built once, as History is
        for _ in range(runs):
            started = time.perf_counter()
            await pilot.press("f2")
            opens.append(time.perf_counter() - started)
            await pilot.press("escape")
            await pilot.pause()
    return statistics.median(opens) * 1000


def bench_history(runs: int, entries: int = 100_000) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        _fill_journal(path, entries)
        figures = asyncio.run(_history(path, runs))
    figures["history_open_bare_textual_ms"] = round(asyncio.run(_screen_push_floor(runs)), 1)
    return figures


if __name__ == "__main__":
    # python tui_bench.py ui-stall-once FILE BASE_URL  (run by bench_ui_stall)
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["ui-stall-once"]:
        print(json.dumps(asyncio.run(_ui_stall(Path(sys.argv[2]), sys.argv[3]))))
    elif sys.argv[1:2] == ["hostile-server"]:
        hostile = _hostile_server()
        print(f"http://127.0.0.1:{hostile.server_address[1]}", flush=True)
        hostile.serve_forever()
    elif sys.argv[1:2] == ["hostile-once"]:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(asyncio.run(_hostile_answer_stall(sys.argv[2], Path(folder)))))
