"""Pilot and snapshot tests of the side screens, each pushed by a tiny host app of its own."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import httpx
import keyring
import pytest
from keyring.backends import fail
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, DataTable, DirectoryTree, Input, OptionList, Select, Static

from comms_tui.api.attachments import Attachment, AttachmentBudget
from comms_tui.api.channels import Channel
from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store import history as history_module
from comms_tui.store.drafts import DraftAttachment, source_key
from comms_tui.store.history import Journal
from comms_tui.store.profiles import ProfileStore
from comms_tui.tui.messages import ComposeAgain
from comms_tui.tui.screens.attachments import AttachmentPickerScreen, complete_path
from comms_tui.tui.screens.history import DEBOUNCE_SECONDS, HistoryScreen
from comms_tui.tui.screens.outbox import OutboxScreen
from comms_tui.tui.screens.profile_setup import ProfileSetupScreen
from comms_tui.tui.screens.welcome import WelcomeScreen
from comms_tui.tui.widgets.attachments import AttachmentList
from tests.support.keyring_backends import MemoryKeyring
from tests.tui.conftest import AppFactory
from tests.tui.helpers import connected

SIZE = (120, 36)
T0 = 1708560000.0  # 2024-02-22 00:00:00 UTC


class ScreenHost(App[None]):
    """Pushes one screen on mount and records what it dismissed with."""

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)


async def wait_for(pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the screen")
        await pilot.pause(0.02)


async def click(pilot: Pilot[Any], selector: str) -> None:
    """Click a button once it can be pressed again (Textual ignores clicks during its 0.2 s
    "active" flash, which a test's second click can easily hit)."""
    button = pilot.app.screen.query_one(selector, Button)
    await wait_for(pilot, lambda: not button.has_class("-active") and not button.disabled)
    await pilot.click(selector)


def text_of(screen: Screen[Any], selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def decoded(attachment: Attachment) -> bytes:
    data: object = attachment.file_data  # str, or the encoder's chunked Base64Text
    return base64.b64decode(data.encode() if isinstance(data, str) else bytes(data))  # type: ignore[call-overload]


# -- attachment picker ---------------------------------------------------------------------------


async def pick(pilot: Pilot[Any], path: str) -> AttachmentPickerScreen:
    """Type a path and press Enter; returns once the picker closed or shows an error."""
    screen = pilot.app.screen
    assert isinstance(screen, AttachmentPickerScreen)
    screen.query_one("#picker-path", Input).value = path
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: not screen.is_current or text_of(screen, "#picker-error"))
    return screen


async def test_picker_encodes_a_file_and_content_round_trips(files: Path) -> None:
    app = ScreenHost(lambda: AttachmentPickerScreen(start_dir=files))
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, str(files / "report.pdf"))
        await wait_for(pilot, lambda: app.results)
    attachment = app.results[0]
    assert isinstance(attachment, Attachment)
    assert attachment.file_name == "report.pdf" and attachment.file_type == "pdf"
    assert decoded(attachment) == (files / "report.pdf").read_bytes()


async def test_picker_shows_progress_for_a_large_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * (12 * 1024 * 4))  # 12 MiB: several encoder chunks
    seen: list[tuple[int, int]] = []
    original = AttachmentPickerScreen._progress

    def spy(self: AttachmentPickerScreen, done: int, total: int) -> None:
        seen.append((done, total))
        original(self, done, total)

    monkeypatch.setattr(AttachmentPickerScreen, "_progress", spy)
    budget = AttachmentBudget(max_file_bytes=20 << 20, max_message_bytes=20 << 20)
    app = ScreenHost(lambda: AttachmentPickerScreen(budget=budget, start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, str(big))
        await wait_for(pilot, lambda: app.results)
    size = big.stat().st_size
    assert seen and seen[-1] == (size, size)
    assert len(seen) < 100  # throttled
    assert decoded(app.results[0]) == big.read_bytes()


async def test_picker_tree_selection_shows_the_check_then_attach_confirms(files: Path) -> None:
    app = ScreenHost(lambda: AttachmentPickerScreen(start_dir=files))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        tree = screen.query_one(DirectoryTree)
        await wait_for(pilot, lambda: len(tree.root.children) == 3)
        tree.focus()
        await pilot.press("down", "down", "enter")  # images/, notes.txt
        await wait_for(pilot, lambda: "fits" in text_of(screen, "#picker-info"))
        assert not app.results and app.focused is screen.query_one("#picker-attach")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.results)
    assert app.results[0].file_name == "notes.txt"


@pytest.mark.parametrize(
    ("name", "budget", "expected"),
    [
        ("missing.txt", AttachmentBudget(), "no such file"),
        # a folder opens in the tree instead (tests/tui/test_daily_loop.py)
        ("notes.txt", AttachmentBudget(max_file_bytes=5), "the limit is 5 B per file"),
        ("notes.txt", AttachmentBudget(max_message_bytes=10), "per message"),
    ],
)
async def test_picker_errors_in_place_and_stays_open(
    files: Path, name: str, budget: AttachmentBudget, expected: str
) -> None:
    app = ScreenHost(lambda: AttachmentPickerScreen(budget=budget, start_dir=files))
    async with app.run_test(size=SIZE) as pilot:
        screen = await pick(pilot, str(files / name))
        await pilot.pause()
        assert app.screen is screen and not app.results
        assert expected in text_of(screen, "#picker-error")
        assert not screen.query_one("#picker-path", Input).disabled  # ready for another try


async def test_picker_checks_size_before_attaching_and_escape_cancels(files: Path) -> None:
    budget = AttachmentBudget(max_file_bytes=1024, max_message_bytes=4096)
    app = ScreenHost(lambda: AttachmentPickerScreen(budget=budget, start_dir=files))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#picker-path", Input).value = str(files / "report.pdf")
        await wait_for(pilot, lambda: "too big" in text_of(screen, "#picker-info"))
        screen.query_one("#picker-path", Input).value = str(files / "notes.txt")
        await wait_for(pilot, lambda: "fits" in text_of(screen, "#picker-info"))
        assert "19 B → 28 B encoded" in text_of(screen, "#picker-info")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


def test_path_completion(files: Path) -> None:
    assert complete_path(str(files / "no")) == str(files / "notes.txt")
    assert complete_path(str(files / "im")) == str(files / "images") + "/"
    assert complete_path("~/attach-fixtures/rep") == "~/attach-fixtures/report.pdf"
    assert complete_path(str(files / "zzz")) is None


# -- attachment list -----------------------------------------------------------------------------


def attachment(name: str, size: int) -> Attachment:
    data = bytes(size)
    return Attachment.from_encoded(
        file_name=name,
        file_type=name.rpartition(".")[2],
        file_data=base64.b64encode(data).decode(),
        raw_size=size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


class ListHost(App[None]):
    def __init__(self, budget: AttachmentBudget, attachments: Iterable[Attachment] = ()) -> None:
        super().__init__()
        self.budget = budget
        self.initial = list(attachments)
        self.changes: list[list[Attachment]] = []

    def compose(self) -> ComposeResult:
        yield AttachmentList(self.initial, budget=self.budget)

    def on_attachment_list_changed(self, event: AttachmentList.Changed) -> None:
        self.changes.append(event.attachments)


async def test_attachment_list_add_remove_and_budget() -> None:
    app = ListHost(AttachmentBudget(max_file_bytes=100_000, max_message_bytes=100_000))
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(AttachmentList)
        widget.add(attachment("a.pdf", 30_000))
        widget.add(attachment("b.png", 55_000))
        await pilot.pause()
        assert [len(c) for c in app.changes] == [1, 2]
        assert widget.used_bytes == 85_000 and widget.has_class("-near")
        assert "Nearly at the limit" in text_of(app.screen, "#attachment-note")
        assert widget.query_one(DataTable).row_count == 2
        widget.add(attachment("c.zip", 20_000))
        await pilot.pause()
        assert widget.has_class("-over") and "Over the" in text_of(app.screen, "#attachment-note")
        widget.query_one(DataTable).focus()
        await pilot.press("down", "delete")  # removes the highlighted row: b.png
        await pilot.pause()
        assert [a.file_name for a in widget.attachments] == ["a.pdf", "c.zip"]
        assert [a.file_name for a in app.changes[-1]] == ["a.pdf", "c.zip"]
        assert not widget.has_class("-over") and not widget.has_class("-near")
        widget.remove(0)
        widget.clear()
        await pilot.pause()
        assert widget.attachments == [] and app.changes[-1] == []
        assert len(app.changes) == 6


async def test_attachment_list_attach_button_opens_the_picker(files: Path) -> None:
    budget = AttachmentBudget(max_file_bytes=100_000, max_message_bytes=100_000)
    app = ListHost(budget, [attachment("a.pdf", 30_000)])
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(AttachmentList)
        await click(pilot, "#attach-file")
        picker = app.screen
        assert isinstance(picker, AttachmentPickerScreen) and picker.used_bytes == 30_000
        await pick(pilot, str(files / "notes.txt"))
        await wait_for(pilot, lambda: len(widget.attachments) == 2)
    added = widget.attachments[1]
    assert decoded(added) == b"hello, attachments\n"
    assert widget.sources == {source_key(added): DraftAttachment.of_file(files / "notes.txt")}


# -- history -------------------------------------------------------------------------------------


def fill_journal(path: Path) -> Journal:
    """Four sends a minute apart from T0: accepted SMS, email, a never-completed WhatsApp, a 401."""
    journal = Journal(path)
    clock = SimpleNamespace(now=T0)
    fake_time = SimpleNamespace(time=lambda: clock.now)

    def send(channel: str, sent: list[dict[str, Any]], key: str, **done: Any) -> None:
        with mock.patch.object(history_module, "time", fake_time):
            entry = journal.begin(
                profile="acme",
                host="https://apac.api.capillarytech.com",
                channel=channel,
                recipients=[i[key] for i in sent],
                request={"root": {Channel(channel).list_key: sent}},
                fingerprints=[],
            )
            clock.now += 1
            if done:
                journal.complete(entry, **done)
            clock.now += 59

    def accepted(request_id: str, latency: float, *recipients: str) -> dict[str, Any]:
        items = [{"recipient": r, "ok": True, "errors": [], "warnings": []} for r in recipients]
        return {
            "outcome": "accepted",
            "http_status": 200,
            "request_id": request_id,
            "latency_ms": latency,
            "error": None,
            "items": items,
        }

    otp = "Your OTP is 1234"
    two = [{"to": "919591471711", "body": otp}, {"to": "919591471712", "body": otp}]
    send("sms", two, "to", **accepted("req-aaa", 120.0, "919591471711", "919591471712"))
    email = {
        "to": "ops@example.com",
        "from": "north@example.com",
        "subject": "Report",
        "body": "<p>Attached</p>",
        "scheduledTime": "2024-02-22T00:25:06Z",
        "attachments": {"attachment": [{"file_name": "r.pdf", "file_type": "pdf", "size": 9}]},
    }
    send("email", [email], "to", **accepted("req-bbb", 310.0, "ops@example.com"))
    send("whatsapp", [{"receiver": "919591471713", "template": "Hello"}], "receiver")
    rejected = {
        "outcome": "rejected",
        "http_status": 401,
        "request_id": "req-ccc",
        "latency_ms": 45.0,
        "error": "authentication failed: check the username and password",
        "items": [],
    }
    send("sms", [{"to": "12025550101", "body": "Hi"}], "to", **rejected)
    return journal


async def test_history_lists_filters_and_composes_again(tmp_path: Path) -> None:
    journal = fill_journal(tmp_path / "history.sqlite3")
    app = ScreenHost(lambda: HistoryScreen(journal))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        table = screen.query_one("#history-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        assert [str(k.value) for k in table.rows] == ["4", "3", "2", "1"]  # newest first
        assert "UNKNOWN" in str(table.get_cell_at(Coordinate(1, 4)))  # the never-completed send

        async def filtered(expected: int) -> None:
            await pilot.pause(DEBOUNCE_SECONDS + 0.05)
            await wait_for(pilot, lambda: table.row_count == expected)

        screen.query_one("#channel-filter", Select).value = "sms"
        await filtered(2)
        screen.query_one("#recipient-filter", Input).value = "+91 95914 71712"
        await filtered(1)
        assert str(table.get_cell_at(Coordinate(0, 3))) == "919591471711 +1"
        screen.query_one("#channel-filter", Select).clear()
        screen.query_one("#recipient-filter", Input).value = ""
        screen.query_one("#outcome-filter", Select).value = "unknown"
        await filtered(1)
        screen.query_one("#outcome-filter", Select).clear()
        await filtered(4)
        table.focus()
        await pilot.press("down", "down", "down")  # the oldest: an SMS to two recipients
        assert "Your OTP is 1234" in text_of(screen, "#detail-request")
        await pilot.press("c")
        await pilot.pause()
    assert app.results == [
        ComposeAgain(Channel.SMS, {"to": "919591471711, 919591471712", "body": "Your OTP is 1234"})
    ]


async def _history_opened(pilot: Pilot[Any]) -> tuple[HistoryScreen, DataTable[Any]]:
    """F2 on a connected app whose journal holds ``fill_journal``'s four entries, all shown."""
    await connected(pilot)
    await pilot.press("f2")
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    table: DataTable[Any] = screen.query_one("#history-table", DataTable)
    await wait_for(pilot, lambda: table.row_count == 4)
    return screen, table


async def test_history_is_kept_and_opens_afresh(tmp_path: Path, app_factory: AppFactory) -> None:
    """F2 builds the History screen once and keeps it; each open shows it as new: no filter
    left over, no filtered row from last time, and the entries journalled since then."""
    journal = fill_journal(tmp_path / "history.sqlite3")
    app = app_factory(journal=journal)
    async with app.run_test(size=SIZE) as pilot:
        first, table = await _history_opened(pilot)
        await pilot.press("slash", *"12025550101")
        await pilot.pause(DEBOUNCE_SECONDS + 0.05)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, HistoryScreen)
        journal.begin(
            profile="acme", host="https://example.test", channel="sms",
            recipients=["919000000009"], request={"root": {"sms": []}}, fingerprints=[],
        )  # fmt: skip
        await pilot.press("f2")
        assert app.screen is first
        assert first.query_one("#recipient-filter", Input).value == ""
        assert first.focused is table
        await wait_for(pilot, lambda: table.row_count == 5)
        assert str(table.get_cell_at(Coordinate(0, 3))) == "919000000009"


async def test_history_reopened_unchanged_draws_its_rows_once_and_follows_masking(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    """An unchanged journal is not drawn again on every F2 (60 rows through Rich on each
    open); masking switched on while History was closed still masks its rows when it opens."""
    app = app_factory(journal=fill_journal(tmp_path / "history.sqlite3"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _history_opened(pilot)
        recipient = str(table.get_cell_at(Coordinate(0, 3)))
        fills: list[int] = []
        original = screen._fill_table

        def counted(*args: Any) -> None:
            fills.append(1)
            original(*args)

        with mock.patch.object(screen, "_fill_table", side_effect=counted):
            await pilot.press("escape", "f2")
            await pilot.pause(0.2)
            assert app.screen is screen and fills == [] and table.row_count == 4
            assert table.cursor_row == 0 and screen.focused is table
            await pilot.press("escape", "f6", "f2")
            await wait_for(pilot, lambda: fills == [1])
        masked = str(table.get_cell_at(Coordinate(0, 3)))
        assert masked != recipient and "*" in masked
        assert table.row_count == 4


async def test_history_pages_through_thousands_of_entries(tmp_path: Path) -> None:
    """A page at a time: the cursor or the scroll nearing the end loads the next one, in order,
    none twice; a recipient filter starts again from the newest match."""
    from comms_tui.tui.screens.history import HISTORY_PAGE
    from tests.store.test_history_scale import write_old_journal

    path = tmp_path / "history.sqlite3"
    write_old_journal(path, 3_000)
    journal = Journal(path)
    app = ScreenHost(lambda: HistoryScreen(journal))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        table = screen.query_one("#history-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == HISTORY_PAGE)
        assert "more load as you scroll" in text_of(screen, "#history-note")
        table.focus()
        await pilot.press("ctrl+end")  # the cursor at the last row loaded
        await wait_for(pilot, lambda: table.row_count == 2 * HISTORY_PAGE)
        table.scroll_end(animate=False)  # the wheel, without moving the cursor
        await wait_for(pilot, lambda: table.row_count == 3 * HISTORY_PAGE)
        keys = [int(str(k.value)) for k in table.rows]
        assert keys == list(range(3_000, 3_000 - 3 * HISTORY_PAGE, -1))  # newest first, no gaps
        screen.query_one("#recipient-filter", Input).value = "ana."
        await pilot.pause(DEBOUNCE_SECONDS + 0.05)
        wanted = [e.id for e in journal.search(recipient="ana.", limit=HISTORY_PAGE)[0]]
        await wait_for(pilot, lambda: [int(str(k.value)) for k in table.rows] == wanted)


async def test_history_compose_again_says_attachments_are_not_restored(tmp_path: Path) -> None:
    journal = fill_journal(tmp_path / "history.sqlite3")
    app = ScreenHost(lambda: HistoryScreen(journal))
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#history-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        await pilot.press("down", "down", "c")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
    result = app.results[0]
    assert result.channel is Channel.EMAIL and result.fields["to"] == "ops@example.com"
    assert "attachments" not in result.fields and "scheduledTime" not in result.fields
    assert any("attach the files again" in n for n in notes)


async def test_history_json_is_not_wrapped_mid_token_at_80_columns(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "history.sqlite3")
    link = "https://example.com/track?order=" + "4411" * 30  # one 152-character token
    journal.begin(
        profile="acme",
        host="h",
        channel="sms",
        recipients=["919591471711"],
        request={"root": {"sms": [{"to": "919591471711", "body": link}]}},
        fingerprints=[],
    )
    app = ScreenHost(lambda: HistoryScreen(journal))
    async with app.run_test(size=(80, 24)) as pilot:
        request = app.screen.query_one("#detail-request", Static)
        await wait_for(pilot, lambda: link in str(request.render()))
        await pilot.pause()
        lines = str(request.render()).splitlines()
        assert any(link in line for line in lines)  # whole, on one line
        assert request.size.width > 80  # wider than the pane: it scrolls sideways instead
        assert app.screen.query_one("#history-detail").max_scroll_x > 0


async def test_history_at_60x15_shows_rows_to_pick_from(tmp_path: Path) -> None:
    """The detail pane took all the room: "4 entries" and not one row."""
    journal = fill_journal(tmp_path / "history.sqlite3")
    app = ScreenHost(lambda: HistoryScreen(journal))
    async with app.run_test(size=(60, 15)) as pilot:
        table = app.screen.query_one("#history-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        await pilot.pause()
        assert table.scrollable_content_region.height >= 2  # rows, under the header
        assert app.screen.query_one("#history-detail").region.height >= 5


async def test_history_escape_returns_none(tmp_path: Path) -> None:
    app = ScreenHost(lambda: HistoryScreen(Journal(tmp_path / "empty.sqlite3")))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "No sends yet" in text_of(app.screen, "#history-note"))
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


# -- outbox --------------------------------------------------------------------------------------


async def test_outbox_shows_what_the_sandbox_received() -> None:
    with EmbeddedSandbox() as sandbox:
        response = httpx.post(
            f"{sandbox.base_url}/v2/communications/sendMessage?channel=sms",
            json={"root": {"sms": [{"to": "919591471711", "body": "hi"}]}},
            auth=("sandbox", hashlib.md5(b"sandbox").hexdigest()),
        )
        assert response.status_code == 200, response.text
        app = ScreenHost(lambda: OutboxScreen(sandbox.base_url))
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda: screen.query(".bubble"))
            bubble = screen.query_one(".bubble", Static)
            assert str(bubble.render()) == "hi" and "SMS" in str(bubble.border_title)
            assert screen.query_one(OptionList).get_option_at_index(0).id == "919591471711"
            await pilot.press("escape")
            await pilot.pause()
    assert app.results == [None]


# -- welcome and profile setup -------------------------------------------------------------------


async def test_welcome_sandbox_returns_a_running_session() -> None:
    app = ScreenHost(WelcomeScreen)
    async with app.run_test(size=SIZE) as pilot:
        await click(pilot, "#try-sandbox")
        await wait_for(pilot, lambda: app.results)
    session = app.results[0]
    try:
        assert session.is_sandbox
        assert httpx.get(f"{session.target.base_url}/sandbox/health").json() == {"ok": True}
    finally:
        session.close()


async def fill_profile(pilot: Pilot[Any], secret: str) -> Screen[Any]:
    screen = pilot.app.screen
    assert isinstance(screen, ProfileSetupScreen)
    for field, value in {"name": "acme", "account": "till.user", "secret": secret}.items():
        screen.query_one(f"#{field}", Input).value = value
    await pilot.pause()
    return screen


async def test_profile_setup_saves_profile_and_secret(memory_keyring: MemoryKeyring) -> None:
    secret = "s3cret-Value-42"
    app = ScreenHost(ProfileSetupScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await fill_profile(pilot, secret)
        assert isinstance(screen, ProfileSetupScreen)
        assert secret not in repr(screen._form())  # worker descriptions repr their arguments
        rendered = app.export_screenshot()
        await click(pilot, "#save")
        await wait_for(pilot, lambda: app.results)
        rendered += app.export_screenshot()
    assert app.results == ["acme"]
    assert secret not in rendered
    profile = ProfileStore().get("acme")
    assert profile.username == "till.user" and profile.host == "apac.api.capillarytech.com"
    assert memory_keyring.entries == {("comms-tui", "acme:password"): secret}


async def test_profile_setup_shows_field_errors(memory_keyring: MemoryKeyring) -> None:
    app = ScreenHost(ProfileSetupScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await fill_profile(pilot, "pw")
        screen.query_one("#timezone", Input).focus()
        screen.query_one("#timezone", Input).value = "Mars/Olympus"
        await pilot.press("tab")  # leaving the field checks it
        await wait_for(pilot, lambda: "Mars/Olympus" in text_of(screen, "#timezone-error"))
        screen.query_one("#cluster", Select).value = "custom"
        screen.query_one("#custom-host", Input).value = "http://example.com"
        await click(pilot, "#save")
        await wait_for(pilot, lambda: "loopback" in text_of(screen, "#host-error"))
        screen.query_one("#custom-host", Input).value = "https://comms.example.com"
        await click(pilot, "#save")
        await wait_for(pilot, lambda: text_of(screen, "#timezone-error"))
        assert not app.results and memory_keyring.entries == {}


async def test_profile_setup_keyring_failure_keeps_the_form() -> None:
    keyring.set_keyring(fail.Keyring())
    secret = "another-Secret-7"
    app = ScreenHost(ProfileSetupScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await fill_profile(pilot, secret)
        await click(pilot, "#save")
        await wait_for(
            pilot, lambda: "secret could not be stored" in text_of(screen, "#save-error")
        )
        message = text_of(screen, "#save-error")
        assert "COMMS_TUI_PASSWORD" in message and secret not in message
        assert screen.query_one("#secret", Input).value == secret  # nothing lost
        assert secret not in app.export_screenshot() and app.screen is screen
        await click(pilot, "#save-without-secret")
        await wait_for(pilot, lambda: app.results)
    assert app.results == ["acme"] and ProfileStore().get("acme").auth == "basic"


async def test_welcome_add_profile_opens_its_session(memory_keyring: MemoryKeyring) -> None:
    app = ScreenHost(WelcomeScreen)
    async with app.run_test(size=SIZE) as pilot:
        await click(pilot, "#add-profile")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileSetupScreen))
        await fill_profile(pilot, "pw")
        await click(pilot, "#save")
        await wait_for(pilot, lambda: app.results)
    session = app.results[0]
    assert session.profile.name == "acme" and not session.is_sandbox
    assert session.target.base_url == "https://apac.api.capillarytech.com"


# -- snapshots -----------------------------------------------------------------------------------

Prepare = Callable[[Pilot[Any]], Awaitable[None]]


def settle(condition: Callable[[App[Any]], object]) -> Prepare:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: condition(pilot.app))
        await pilot.pause()

    return run_before


def test_snapshot_picker(snap_compare: Any, files: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        await wait_for(pilot, lambda: len(screen.query_one(DirectoryTree).root.children) == 3)
        screen.query_one("#picker-path", Input).value = "~/attach-fixtures/notes.txt"
        await wait_for(pilot, lambda: "fits" in text_of(screen, "#picker-info"))

    app = ScreenHost(lambda: AttachmentPickerScreen(used_bytes=5 << 20, start_dir=files))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_attachment_list(snap_compare: Any) -> None:
    budget = AttachmentBudget(max_file_bytes=100_000, max_message_bytes=100_000)
    app = ListHost(budget, [attachment("invoice.pdf", 40_000), attachment("photo.png", 45_000)])
    assert snap_compare(app, terminal_size=SIZE)


def test_snapshot_history(snap_compare: Any, tmp_path: Path, utc: None) -> None:
    journal = fill_journal(tmp_path / "history.sqlite3")
    app = ScreenHost(lambda: HistoryScreen(journal))
    ready = settle(lambda a: a.screen.query_one("#history-table", DataTable).row_count == 4)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


OUTBOX = {
    "messages": [
        {"id": 1, "channel": "sms", "recipient": "919591471711", "sender": "CAPNTH",
         "body": "747977 is your OTP. Valid for 15 minutes.", "scheduledTime": None,
         "receivedAt": "2024-02-22T00:25:06Z", "attachments": [], "warnings": []},
        {"id": 2, "channel": "email", "recipient": "ops@example.com", "from": "north@example.com",
         "cc": ["audit@example.com"], "bcc": [], "subject": "Monthly report",
         "body": "Hello,\nthe report is attached.", "scheduledTime": None,
         "receivedAt": "2024-02-22T00:26:00Z",
         "attachments": [{"file_name": "report.pdf", "file_type": "pdf", "size": 48213}],
         "warnings": []},
        {"id": 3, "channel": "whatsapp", "recipient": "919591471711",
         "template": "Your order has shipped.", "scheduledTime": "2024-02-22T06:00:00Z",
         "receivedAt": "2024-02-22T00:27:30Z", "attachments": [], "warnings": []},
    ]
}  # fmt: skip


def test_snapshot_outbox(snap_compare: Any, utc: None) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=OUTBOX))
    app = ScreenHost(lambda: OutboxScreen("http://sandbox.test", transport=transport))
    ready = settle(lambda a: len(a.screen.query(".bubble")) == 2)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_snapshot_outbox_empty(snap_compare: Any) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"messages": []}))
    app = ScreenHost(lambda: OutboxScreen("http://sandbox.test", transport=transport))
    ready = settle(lambda a: a.screen.query(".outbox-empty"))
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_snapshot_welcome(snap_compare: Any) -> None:
    assert snap_compare(ScreenHost(WelcomeScreen), terminal_size=SIZE)


def test_snapshot_profile_setup_errors(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await click(pilot, "#save")
        await wait_for(pilot, lambda: text_of(pilot.app.screen, "#name-error"))

    app = ScreenHost(ProfileSetupScreen)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_at_80x24_a_save_brings_the_first_marked_field_into_view(
    memory_keyring: MemoryKeyring,
) -> None:
    """ "Fix the marked fields." with the marked one scrolled away left nothing to fix in sight."""
    from textual.containers import ScrollableContainer

    app = ScreenHost(ProfileSetupScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await fill_profile(pilot, "pw")
        screen.query_one("#cluster", Select).value = "custom"  # its host left empty
        screen.query_one("#timezone", Input).focus()  # far below it
        await pilot.pause()
        await pilot.press("enter")  # saves, as the hunter did
        await wait_for(pilot, lambda: text_of(screen, "#host-error"))
        await pilot.pause(0.2)
        error_line = screen.query_one("#host-error", Static)
        [scroller] = [w for w in error_line.ancestors if isinstance(w, ScrollableContainer)][:1]
        assert scroller.region.contains_region(error_line.region), error_line.region
