"""Nothing foreign is interpreted by Textual or the terminal (issue 12 §1, the TUI's side).

Server text, request ids, profile, template and file names, drafts: each goes through a real
path of the app (a rogue server answering hostile text over HTTP, files on disk) and must show
verbatim — ``[/]`` not a MarkupError, ``[to]`` kept, ``[@click=app.quit]`` not an action,
``[link=…]`` not a link — with every control character visible (``␛``, ``<U+202E>``), so that
neither the screen nor a screenshot holds one raw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable, DirectoryTree, Input, Static

from comms_tui.api.attachments import Attachment
from comms_tui.core.session import Session
from comms_tui.store.history import Journal
from comms_tui.tui.app import CommsApp
from comms_tui.tui.compose.forms.email import EmailForm
from comms_tui.tui.screens.attachments import AttachmentPickerScreen
from comms_tui.tui.screens.history import HistoryScreen
from comms_tui.tui.sender_lab.screen import SenderLabScreen
from comms_tui.tui.widgets.result_detail import ResultDetail
from tests.reliability.rogue_server import Crafted, ReceivedRequest, RogueServer
from tests.tui.helpers import (
    SIZE,
    app_on,
    clickable,
    connected,
    fill,
    modal,
    notes,
    on_screen,
    raw_controls,
    results,
    rogue_session,
    send,
)

MARKUP = "[/] Missing field [to] [@click=app.quit]quit[/] [link=https://evil.example]here[/link]"
CONTROL = "\x1b[2J\x1b]52;c;aGk=\x07 \u202etxt.exe \x9b"
HOSTILE = f"{MARKUP} {CONTROL}"
# How HOSTILE reads on screen: every character there, the control ones as stand-ins.
SHOWN_MARKUP = "[@click=app.quit]quit[/] [link=https://evil.example]here[/link]"
SHOWN_CONTROL = "␛[2J␛]52;c;aGk=␇ <U+202E>txt.exe <U+009B>"
REQUEST_ID = "abc[/]\x1b[2J"


def hostile_status(status: str = "400 Bad Request", code: int = 400) -> Callable[..., Crafted]:
    """An API status answer whose message is HOSTILE, and a hostile request id."""

    def answer(_request: ReceivedRequest) -> Crafted:
        body = {"status": {"code": code, "success": False, "message": HOSTILE}}
        headers = {"Content-Type": "application/json", "X-Cap-Requestid": REQUEST_ID}
        return status, headers, json.dumps(body).encode()

    return answer


def hostile_items(request: ReceivedRequest) -> Crafted:
    """HTTP 201: every item refused with HOSTILE as its error and warning."""
    sent = request.json()["root"]["sms"]
    items = [
        {"sms": item, "errors": [{"code": 4250, "message": HOSTILE}], "warnings": [HOSTILE]}
        for item in sent
    ]
    status = {"code": 201, "success": False, "count": len(items), "successCount": 0}
    body = {"status": {**status, "message": HOSTILE}, "smsList": items}
    headers = {"Content-Type": "application/json", "X-Cap-Requestid": REQUEST_ID}
    return "201 Created", headers, json.dumps(body).encode()


def accepting(request: ReceivedRequest) -> Crafted:
    """A correct answer, but with REQUEST_ID."""
    sent = request.json()["root"]["sms"]
    items = [{"sms": item, "errors": [], "warnings": []} for item in sent]
    status = {"code": 200, "success": True, "count": len(items), "successCount": len(items)}
    headers = {"Content-Type": "application/json", "X-Cap-Requestid": REQUEST_ID}
    return "200 OK", headers, json.dumps({"status": status, "smsList": items}).encode()


async def click_on(pilot: Pilot[Any], text: str) -> None:
    """Click the middle of ``text`` where it is on screen."""
    for y, line in enumerate(on_screen(pilot.app).split("\n")):
        if (x := line.find(text)) >= 0:
            await pilot.click(offset=(x + len(text) - 2, y))
            await pilot.pause()
            return
    raise AssertionError(f"{text!r} is not on screen")


def assert_harmless(app: App[Any]) -> None:
    """Nothing on screen obeys the terminal or Textual: no raw control character, no action
    or link that came from foreign text."""
    assert raw_controls(app) == []
    actions = clickable(app)
    assert not [a for a in actions if "evil.example" in a or "app.quit" in a], actions


async def test_a_hostile_server_message_is_shown_verbatim_and_does_nothing(
    rogue: Callable[..., RogueServer], tmp_path: Path
) -> None:
    server = rogue(hostile_status())
    app = app_on(rogue_session(server.base_url), tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="hello")
        await send(pilot)
        assert server.requests == 1
        [record] = results(pilot).records
        assert record.result.outcome.value == "rejected"
        # The notification (a MarkupError in notify before) and the summary say it all.
        [toast] = [n for n in notes(app) if "Missing field" in n]
        assert "Missing field [to]" in toast and SHOWN_MARKUP in toast and SHOWN_CONTROL in toast
        summary = str(app.screen.query_one("#result-summary", Static).render())
        assert "Missing field [to]" in summary and SHOWN_CONTROL in summary
        assert "abc[/]␛[2J" in summary  # the request id
        screen = on_screen(app)
        assert "Missing field [to]" in screen
        assert_harmless(app)
        # The raw view too: the response, pretty-printed, with its escapes made visible.
        await pilot.press("ctrl+r", "e")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(ResultDetail).expanded
        response = str(app.screen.query_one("#raw-response", Static).render())
        assert "Missing field [to]" in response
        assert_harmless(app)
        # Clicking on the words that were an action does nothing: the app is still here.
        await click_on(pilot, "[@click=app.quit]quit")
        assert app.is_running


async def test_hostile_item_errors_and_warnings_are_shown_verbatim(
    rogue: Callable[..., RogueServer], tmp_path: Path
) -> None:
    server = rogue(hostile_items)
    app = app_on(rogue_session(server.base_url), tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="hello")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "failed"
        detail = str(app.screen.query_one("#item-detail", Static).render())
        assert "4250: " + MARKUP in detail and SHOWN_CONTROL in detail
        assert "Missing field [to]" in on_screen(app)  # the items row and the status warning
        assert_harmless(app)


async def test_a_hostile_request_id_in_the_duplicate_question(
    rogue: Callable[..., RogueServer], tmp_path: Path
) -> None:
    server = rogue(accepting)
    app = app_on(rogue_session(server.base_url), tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="hello")
        await send(pilot)
        await pilot.press("ctrl+j")  # the same again: the duplicate guard asks
        question = await modal(pilot, "confirm-duplicate")
        body = str(question.query_one("#dialog-body", Static).render())
        assert "abc[/]␛[2J" in body
        assert_harmless(app)
        await pilot.press("escape")
        await pilot.pause()
        assert server.requests == 1


async def test_an_unknown_profile_name_with_markup_is_named_not_parsed(tmp_path: Path) -> None:
    """``comms-tui --profile '[/x]…'``: the error names the profile, at every start."""
    name = "[/x] [@click=app.quit]q[/]\x1b[2J"
    app = app_on(None, tmp_path, profile=name)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for _ in range(250):
            if notes(app):
                break
            await pilot.pause(0.02)
        await pilot.pause()
        assert any("[/x] [@click=app.quit]q[/]␛[2J" in n for n in notes(app)), notes(app)
        assert "[/x]" in on_screen(app)  # the header says it too
        assert_harmless(app)


async def test_a_draft_with_hostile_attachment_paths_starts_and_says_so(
    session: Session, tmp_path: Path
) -> None:
    missing = str(tmp_path / "[/x] [@click=app.quit]q[/]\x1b[2J\u202efdp.exe")
    drafts = {
        "email": {
            "to": "ana@example.com",
            "subject": "Report \x1b[2J [b]",
            "body": "Hi [/x]\x1b]52;c;aGk=\x07",
            "attachments": [missing],
            "attachments_not_kept": ["[/y].pdf\x1b[2J"],
        }
    }
    (tmp_path / "drafts.json").write_text(json.dumps(drafts), encoding="utf-8")
    app = app_on(session, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        email = screen.form("email")
        assert email.value("subject") == "Report ␛[2J [b]"
        assert email.value("body") == "Hi [/x]␛]52;c;aGk=␇"
        # Both named under the attachments and in a notification, as data.
        note = str(email.query_one("#attachments-note", Static).render())
        assert "[/x] [@click=app.quit]q[/]␛[2J<U+202E>fdp.exe" in note
        assert "[/y].pdf␛[2J" in note
        assert notes(app) == [note]
        assert_harmless(app)


@pytest.mark.parametrize(
    "path", ["~comms-tui-no-such-user/a.pdf", "a\x00b.pdf"], ids=["user", "nul"]
)
async def test_a_draft_with_a_path_no_file_can_have_starts_and_says_so(
    session: Session, tmp_path: Path, path: str
) -> None:
    # Hand-edited: RuntimeError (an unknown user's ~) or ValueError (a NUL) in the reading
    # thread ended the app at every start while the draft was there.
    drafts = {"email": {"to": "ana@example.com", "attachments": [path]}}
    (tmp_path / "drafts.json").write_text(json.dumps(drafts), encoding="utf-8")
    app = app_on(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        email = screen.form("email")
        assert isinstance(email, EmailForm)
        note = str(email.query_one("#attachments-note", Static).render())
        assert "not attached, attach it again" in note
        assert email.attachments == []
        assert_harmless(app)


async def test_file_names_in_the_picker_are_plain_text(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    # A file name holds no "/", so no "[/x]": but Rich markup would still act on these.
    names = [
        "[@click=app.quit]q", "[link=https:evil.example]x", "evil\u202etxt.exe",
        "esc\x1b[2Jname", "[b]bold",
    ]  # fmt: skip
    for name in names:
        (folder / name).write_bytes(b"data")

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(AttachmentPickerScreen(start_dir=folder))

    app = Host()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        tree = app.screen.query_one(DirectoryTree)
        for _ in range(250):
            if len(tree.root.children) == len(names):
                break
            await pilot.pause(0.02)
        labels = {str(node.label) for node in tree.root.children}
        assert labels == {
            "[@click=app.quit]q", "[link=https:evil.example]x", "evil<U+202E>txt.exe",
            "esc␛[2Jname", "[b]bold",
        }  # fmt: skip
        assert_harmless(app)
        tree.focus()
        for _ in names:  # highlighting a name shows what it is (the tree's loader never ends:
            await pilot.press("down")  # no waiting for every worker here)
            await pilot.pause(0.3)
            assert_harmless(app)


@pytest.mark.parametrize(
    ("name", "drawn"),
    [
        ("new\nline.txt", "new␊line.txt"),
        ("tab\tx.txt", "tab␉x.txt"),
        ("bel\x07l.txt", "bel␇l.txt"),  # Rich drops BEL, backspace and CR from its text
        ("cr\rx.txt", "cr␍x.txt"),
        ("esc\x1b[2Jx.txt", "esc␛[2Jx.txt"),
    ],
    ids=["newline", "tab", "bel", "cr", "esc"],
)
async def test_a_path_in_the_picker_is_drawn_on_its_row_and_attached_as_it_is(
    tmp_path: Path, name: str, drawn: str
) -> None:
    """A line end in a file name broke the path input's row (the rest drawn off it, stale
    characters left), a BEL lost its stand-in; the file attached is the real one."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / name).write_bytes(b"data")
    attached: list[object] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(AttachmentPickerScreen(start_dir=folder), attached.append)

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        picker = app.screen
        tree = picker.query_one(DirectoryTree)
        for _ in range(250):
            if tree.root.children:
                break
            await pilot.pause(0.02)
        tree.focus()
        await pilot.press("down")
        await pilot.pause(0.3)
        path = picker.query_one("#picker-path", Input)
        assert path.value == str(folder / name)  # the real path
        row = "".join(segment.text for segment in path.render_line(0))
        assert row.rstrip() == str(folder / drawn)
        # The cursor (at the end) is where it is drawn, after the last cell: scrolled to.
        assert path._position_to_cell(path.cursor_position) == len(str(folder / drawn))
        assert_harmless(app)
        await pilot.press("enter", "enter")  # select it, then Attach
        await app.workers.wait_for_complete()
        await pilot.pause()
    [attachment] = attached
    assert isinstance(attachment, Attachment) and attachment.file_name == name


async def test_template_names_and_text_from_the_profile(session: Session, tmp_path: Path) -> None:
    name = "[/x] [@click=app.quit]q[/]"
    profile = session.profile
    assert profile is not None
    session.profile = profile.model_copy(
        update={"templates": {name: "Hi {first}\x1b[2J [b]", "other": "Bye"}}
    )
    app = app_on(session, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"Template")
        await pilot.pause(0.5)
        assert f"Template: {name}" in on_screen(app)
        assert_harmless(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+t")  # the picker of templates, then the one to fill in
        await pilot.pause(0.3)
        assert name in on_screen(app)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert f"Template: {name}" in on_screen(app) and "␛[2J [b]" in on_screen(app)
        assert_harmless(app)
        await pilot.press(*"Ana", "enter")
        await pilot.pause()
        assert app.compose_screen.form("sms").value("body") == "Hi Ana␛[2J [b]"


async def test_the_history_of_hostile_sends(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "history.sqlite3")
    entry = journal.begin(
        profile="[/x]\x1b[2J", host="http://[::1]:1/[@click=app.quit]q[/]", channel="sms",
        recipients=["9195914[/]\x1b[2J"], request={"root": {"sms": [{"body": HOSTILE}]}},
        fingerprints=[],
    )  # fmt: skip
    journal.complete(
        entry, outcome="failed", http_status=400, request_id=REQUEST_ID, latency_ms=12.0,
        error=HOSTILE, items=[{"recipient": "9195914[/]", "ok": False,
                               "errors": [{"code": 4250, "message": HOSTILE}], "warnings": []}],
    )  # fmt: skip

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(HistoryScreen(journal))

    app = Host()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        table = app.screen.query_one(DataTable)
        for _ in range(250):
            if table.row_count:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        detail = str(app.screen.query_one("#detail", Static).render())
        assert "Missing field [to]" in detail and SHOWN_CONTROL in detail
        assert "[/x]␛[2J" in on_screen(app)
        assert_harmless(app)


async def test_the_sender_lab_shows_server_text_verbatim(
    rogue: Callable[..., RogueServer], tmp_path: Path
) -> None:
    server = rogue(hostile_items)
    session = rogue_session(server.base_url, sender_ids={"": ["[/x]ID", "CAPNTH"]})
    session.journal = Journal(tmp_path / "history.sqlite3")

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(SenderLabScreen(session))

    app = Host()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        app.screen.query_one("#lab-to").focus()
        await pilot.press(*"919591471711", "ctrl+j")
        for _ in range(250):
            if getattr(app.screen, "matrix", None) is not None:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        await pilot.press("down")  # CAPNTH, which the server refused ([/x]ID is refused locally)
        await pilot.pause()
        detail = str(app.screen.query_one("#lab-detail", Static).render())
        assert "Missing field [to]" in detail and SHOWN_CONTROL in detail
        assert "[/x]ID" in on_screen(app)
        assert_harmless(app)
    await session.aclose()


async def test_every_notification_is_plain_text(app_factory: Callable[..., CommsApp]) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        app.notify(HOSTILE, title="[/] title\x1b[2J")
        await pilot.pause(0.2)
        assert "Missing field [to]" in on_screen(app)
        assert_harmless(app)


class _Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("bare")


async def test_the_check_sees_what_it_looks_for() -> None:
    """The assertions above can fail: raw text and markup actions are found when present."""
    app = _Bare()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.query_one(Static).update("[@click=app.quit]q[/] \x1b[2J")
        await pilot.pause()
        assert raw_controls(app) and "app.quit" in clickable(app)
