"""The small things a daily user feels (issue 13): help, focus, filters, hints, meters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from comms_tui.sandbox.rules import MAGIC_RECIPIENTS
from comms_tui.tui.compose.forms.email import EmailForm
from comms_tui.tui.screens.attachments import AttachmentPickerScreen
from comms_tui.tui.screens.help import HelpScreen
from comms_tui.tui.widgets.sms_meter import SmsMeter
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, error_text, fill
from tests.tui.test_side_screens import ScreenHost, click, wait_for


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


async def test_a_restored_draft_keeps_the_marks_right_to_left_text_needs(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """A draft is the user's own text: its direction and joining marks come back as they were
    typed (they came back as literal ``<U+200F>``, and were sent so); only what a terminal
    would obey is shown as a stand-in."""
    body = "שלום \u200fעולם 123\u200e ok\tTAB 👨\u200d👩 R\u202eS"
    drafts = {"sms": {"to": "12025550100", "body": body, "sender": "ACME\x1b[2J"}}
    (tmp_path / "drafts.json").write_text(json.dumps(drafts), encoding="utf-8")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        form = app.compose_screen.form("sms")
        assert form.value("body") == body
        assert form.value("sender") == "ACME␛[2J"


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


# -- the attachment picker ----------------------------------------------------------------------


def picker_text(screen: AttachmentPickerScreen, widget_id: str) -> str:
    widget = screen.query_one(widget_id, Static)
    return "" if widget.has_class("-empty") else str(widget.render())


async def test_the_picker_goes_up_expands_home_and_opens_folders_on_enter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "statement.pdf").write_bytes(b"%PDF-1.4")
    start = tmp_path / "work" / "project"
    start.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    app = ScreenHost(lambda: AttachmentPickerScreen(start_dir=start))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AttachmentPickerScreen)
        await click(pilot, "#picker-up")  # above the folder it started in
        assert screen.folder == tmp_path / "work"
        screen.query_one("#picker-tree").focus()
        await pilot.press("backspace")  # the same from the tree
        assert screen.folder == tmp_path
        path = screen.query_one("#picker-path", Input)
        path.focus()
        path.value = "~/Documents"
        await pilot.press("enter")  # a folder: opened, not an error
        assert screen.folder == home / "Documents"
        assert picker_text(screen, "#picker-error") == ""
        path.value = "statement.pdf"  # relative to the folder shown
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.results)
    [attachment] = app.results
    assert attachment.file_name == "statement.pdf"


async def test_the_picker_says_each_problem_once(tmp_path: Path) -> None:
    app = ScreenHost(lambda: AttachmentPickerScreen(start_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AttachmentPickerScreen)
        path = screen.query_one("#picker-path", Input)
        path.value = "missing.txt"
        info = screen.query_one("#picker-info", Static)
        await wait_for(pilot, lambda: "No such file" in str(info.render()))
        await pilot.press("enter")
        await wait_for(pilot, lambda: picker_text(screen, "#picker-error"))
        assert "no such file" in picker_text(screen, "#picker-error")
        assert str(info.render()) == ""  # said once, not twice


async def picked(pilot: Pilot[None], path: Path) -> tuple[AttachmentPickerScreen, str]:
    """ctrl+o, ``path`` typed: the picker, and what it says of the file."""
    await pilot.press("ctrl+o")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, AttachmentPickerScreen)
    picker.query_one("#picker-path", Input).value = str(path)
    info = picker.query_one("#picker-info", Static)
    await wait_for(pilot, lambda: str(info.render()))
    return picker, str(info.render())


async def test_a_file_attached_already_is_not_attached_again(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """Picked again (by the same path, or a link to it): two copies went out, counted twice
    against the 20 MB. The picker says so as soon as the file is picked, and attaches nothing."""
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 statement")
    (tmp_path / "latest.pdf").symlink_to(report)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("alt+2")
        email = app.compose_screen.form("email")
        assert isinstance(email, EmailForm)
        first, said = await picked(pilot, report)
        assert "fits" in said
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not first)
        for again, expected in [
            (report, "report.pdf is attached already."),
            (tmp_path / "latest.pdf", "latest.pdf is attached already, as report.pdf."),
        ]:
            picker, said = await picked(pilot, again)
            assert said == expected
            await pilot.press("enter")  # attach anyway: refused, the picker stays
            await wait_for(pilot, lambda: picker_text(picker, "#picker-error"))  # noqa: B023
            assert app.screen is picker
            assert picker_text(picker, "#picker-error") == expected
            await pilot.press("escape")
        [attached] = email.attachments
        assert attached.file_name == "report.pdf"


async def test_a_draft_with_a_file_twice_restores_it_once(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 statement")
    entry = {"path": str(report), "size": report.stat().st_size, "mtime": report.stat().st_mtime}
    drafts = {"email": {"to": "ana@example.com", "attachments": [entry, entry]}}
    (tmp_path / "drafts.json").write_text(json.dumps(drafts), encoding="utf-8")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        email = app.compose_screen.form("email")
        assert isinstance(email, EmailForm)
        await wait_for(pilot, lambda: email.attachments)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(email.attachments) == 1
        assert email.values()["attachments"] == [entry]
