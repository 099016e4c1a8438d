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
from typing import Any

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


# The same kind of screen as the SMS form, in a bare Textual app that composes all of it for its
# first frame: header, four channel tabs (the first one's fields: To, Message with a meter line,
# Sender, Schedule; Send and Clear), a results pane with its title and summary, footer. What
# Textual itself takes to put a form of this size on screen.
BARE_FORM_APP = """
from textual.app import App
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (Button, Footer, Header, Input, Label, Static, TabbedContent,
    TabPane, TextArea)

class BareForm(App[None]):
    CSS = '''
    #main { height: 1fr; }
    #results { width: 50%; border-left: tall $panel; padding: 0 0 0 1; }
    .row { height: auto; }
    .row Label { width: 10; }
    TextArea { height: 6; }
    .buttons { height: 3; }
    '''

    def compose(self):
        yield Header()
        with Horizontal(id="main"):
            with TabbedContent():
                with TabPane("SMS"):
                    with VerticalScroll():
                        for name in ("To", "Message", "Sender", "Schedule"):
                            with Horizontal(classes="row"):
                                yield Label(name)
                                if name == "Message":
                                    yield TextArea(compact=True)
                                else:
                                    yield Input(compact=True, placeholder=name.lower())
                            if name == "Message":
                                yield Static("0 characters · 1 SMS")
                    with Horizontal(classes="buttons"):
                        yield Button("Send", variant="primary")
                        yield Button("Clear")
                        yield Static()
                for name in ("Email", "WhatsApp", "Zalo"):
                    yield TabPane(name)
            with Vertical(id="results"):
                yield Label("Results")
                yield Static("No sends yet.")
        yield Footer()

BareForm().run()
"""


def _seen_at(argv: list[str], markers: list[bytes], env: dict[str, str]) -> list[float]:
    """Seconds from spawn until each of ``markers`` has been written to the terminal."""
    start = time.perf_counter()
    terminal = Terminal(argv, env)
    try:
        return [terminal.wait_for(marker) - start for marker in markers]
    finally:
        terminal.close()


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
    bare_form_argv = [sys.executable, "-c", BARE_FORM_APP]
    _seen_at(ours_argv, ours_markers, env)  # warm the page and bytecode caches, then interleave
    _seen_at(bare_argv, bare_marker, env)
    _seen_at(bare_form_argv, [b"Schedule"], env)
    first, ready, bare, bare_form = [], [], [], []
    for _ in range(runs):
        bare += _seen_at(bare_argv, bare_marker, env)
        frame, form = _seen_at(ours_argv, ours_markers, env)
        first.append(frame)
        ready.append(form)
        bare_form += _seen_at(bare_form_argv, [b"Schedule"], env)
    floor = statistics.median(bare)
    return {
        "startup_ratio": round(statistics.median(first) / floor, 3),
        "startup_ms": round(statistics.median(first) * 1000, 1),
        "startup_bare_textual_ms": round(floor * 1000, 1),
        # What a person waits for: the SMS form's fields, against the same floor.
        "form_ready_ratio": round(statistics.median(ready) / floor, 3),
        "form_ready_ms": round(statistics.median(ready) * 1000, 1),
        # The same for a bare Textual app composing a form of the same size in one frame.
        "form_ready_bare_textual_form_ratio": round(statistics.median(bare_form) / floor, 3),
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


async def _history_filter(path: Path, runs: int) -> float:
    """One keystroke of History's recipient filter: query and refill, without the debounce."""
    from textual.widgets import DataTable, Input

    from comms_tui.store.history import Journal
    from comms_tui.tui.app import make_app
    from comms_tui.tui.screens.history import HistoryScreen

    filters = []
    app = make_app(sandbox=True, journal=Journal(path))
    async with app.run_test(size=(120, 36)) as pilot:
        while app.session is None:
            await pilot.pause(0.02)
        for _ in range(runs):
            await pilot.press("f2")
            while not (
                isinstance(app.screen, HistoryScreen) and app.screen.query_one(DataTable).row_count
            ):
                await asyncio.sleep(0.002)
            search = app.screen.query_one("#recipient-filter", Input)
            for digits in ("9", "91", "919", "9198", "91980"):
                with search.prevent(Input.Changed):
                    search.value = digits
                started = time.perf_counter()
                app.screen.action_reload()
                await app.workers.wait_for_complete()  # the worker waits for the table refill
                filters.append(time.perf_counter() - started)
            await pilot.press("escape")
            await pilot.pause()
    return statistics.median(filters) * 1000


class Terminal:
    """A program in a pseudo-terminal of 120×36, read as the terminal would receive it."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        os.set_blocking(master, False)
        self.master = master
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
            start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.seen = b""

    def press(self, keys: bytes) -> float:
        """Forget what was shown so far and type ``keys``; when they were written."""
        self.seen = b""
        os.write(self.master, keys)
        return time.perf_counter()

    def wait_for(self, marker: bytes, timeout: float = 30) -> float:
        """When ``marker`` had been written to the terminal (since the last ``press``)."""
        deadline = time.perf_counter() + timeout
        while marker not in self.seen:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{self.proc.args!r}: no {marker!r} in {len(self.seen)} bytes")
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                self.seen += os.read(self.master, 1 << 20)
        return time.perf_counter()

    def close(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        os.close(self.master)


F2, ESCAPE = b"\x1bOQ", b"\x1b"

BARE_TABLE_APP = """
from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

class Table(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self):
        yield Static("bare")
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        for column in "abcdefgh":
            table.add_column(column, width=12)
        for row in range(60):
            table.add_row(*(f"cell {row} {column}" for column in "abcdefgh"))

class Bare(App):
    BINDINGS = [("f2", "open", "Open")]

    def compose(self):
        yield Static("bare textual app")
        yield Footer()

    def on_mount(self):
        self.install_screen(Table(), "table")

    def action_open(self):
        self.push_screen("table")

Bare().run()
"""


def _history_opens(folder: Path, newest: bytes, runs: int) -> dict[str, Any]:
    """F2 typed in a terminal until History's newest row is on it, against a bare Textual app
    pushing a kept 60-row DataTable screen: the app and the floor side by side, alternating."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "36"}
    ours_env = {
        **env,
        "COMMS_TUI_DATA_DIR": str(folder),
        "COMMS_TUI_CONFIG_DIR": str(folder / "config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    ours = Terminal([sys.executable, "-m", "comms_tui.cli", "--sandbox"], ours_env)
    bare = Terminal([sys.executable, "-c", BARE_TABLE_APP], env)
    opens: list[float] = []
    floor: list[float] = []
    try:
        ours.wait_for(b"Schedule")
        ours.wait_for(b"127.0.0.1")  # the session is open (the sandbox's address in the header)
        bare.wait_for(b"bare textual app")
        time.sleep(1.0)  # the session worker's warming imports are done
        for _ in range(runs):
            for terminal, rows, back, into in (
                (ours, newest, b"Schedule", opens),
                (bare, b"cell 0 h", b"bare textual app", floor),
            ):
                typed = terminal.press(F2)
                into.append(terminal.wait_for(rows) - typed)
                time.sleep(0.2)
                terminal.press(ESCAPE)
                terminal.wait_for(back)
                time.sleep(0.3)
    finally:
        ours.close()
        bare.close()
    return {
        "history_100k_open_ms": round(statistics.median(opens) * 1000, 1),
        "history_100k_first_open_ms": round(opens[0] * 1000, 1),
        "history_open_bare_textual_ms": round(statistics.median(floor) * 1000, 1),
    }


def bench_history(runs: int, entries: int = 100_000) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _fill_journal(folder / "history.sqlite3", entries)
        newest = f"9198{entries - 1:08d}".encode()
        figures = _history_opens(folder, newest, runs)
        figures["history_filter_100k_ms"] = round(
            asyncio.run(_history_filter(folder / "history.sqlite3", runs)), 1
        )
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
