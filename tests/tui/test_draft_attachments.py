"""An email draft keeps its attachments: path, size and mtime in the draft, the file read and
encoded again on restore, and a note at the field (it stays) and a notification (the field is
out of sight) when a file is gone or changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from comms_tui.api.attachments import load_attachment
from comms_tui.store.drafts import DraftAttachment
from comms_tui.tui.app import CommsApp
from comms_tui.tui.compose.forms.email import EmailForm
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, notes


def email_form(app: CommsApp) -> EmailForm:
    form = app.compose_screen.form("email")
    assert isinstance(form, EmailForm)
    return form


def note(form: EmailForm) -> str:
    shown = form.query_one("#attachments-note", Static)
    return str(shown.render()) if shown.has_class("-shown") else ""


async def until(pilot: Pilot[None], condition: object, what: str) -> None:
    for _ in range(250):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def write_draft(path: Path, *files: object) -> None:
    draft = {"email": {"to": "ana@example.com", "subject": "Statement", "attachments": list(files)}}
    path.write_text(json.dumps(draft), "utf-8")


async def test_a_draft_keeps_its_attachments_across_a_restart(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    report = tmp_path / "report.csv"
    report.write_text("id,total\n1,42\n")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("alt+2")
        form = email_form(app)
        form.set_value("to", "ana@example.com")
        form.add_attachment(load_attachment(report), DraftAttachment.of_file(report))
        await pilot.pause()
        await app.action_quit()
    saved = json.loads((tmp_path / "drafts.json").read_text())["email"]["attachments"]
    stat = report.stat()
    assert saved == [{"path": str(report), "size": stat.st_size, "mtime": stat.st_mtime}]

    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        await connected(pilot)
        form = email_form(again)
        await until(pilot, lambda: form.attachments, "the attachment read again")
        [attachment] = form.attachments
        assert attachment.file_name == "report.csv" and attachment.raw_size == stat.st_size
        assert note(form) == ""
        assert form.values()["attachments"] == saved  # and the next save keeps it


async def test_a_file_gone_or_changed_is_said_at_the_field(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    changed = tmp_path / "statement.pdf"
    changed.write_bytes(b"%PDF-1.4 new and longer")
    old = DraftAttachment(str(changed), size=8, mtime=changed.stat().st_mtime - 60)
    gone = DraftAttachment(str(tmp_path / "deleted.png"), size=10, mtime=1.0)
    write_draft(tmp_path / "drafts.json", old.to_draft(), gone.to_draft())
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("alt+2")
        form = email_form(app)
        await until(pilot, lambda: len(note(form).splitlines()) == 2, "both notes")
        text = note(form)
        assert "statement.pdf changed since the draft was saved: attached as it is now" in text
        assert "deleted.png: no such file" in text and "attach it again" in text
        [attachment] = form.attachments  # the changed one, as it is now
        assert attachment.raw_size == len(b"%PDF-1.4 new and longer")
        kept = form.values()["attachments"]
        assert [entry["path"] for entry in kept] == [str(changed)]  # the gone one is dropped
        assert kept[0]["size"] == changed.stat().st_size
        await pilot.pause(0.3)
        assert note(form) == text  # stays: not a toast that vanishes
        # … and said at once, in one notification: the note is below the fold, on a tab
        # not shown at the start.
        assert notes(app) == [text]


async def test_the_notification_comes_once_every_file_is_read_again(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    here = tmp_path / "here.txt"
    here.write_text("still here")
    gone = DraftAttachment(str(tmp_path / "gone.pdf"), size=10, mtime=1.0)
    write_draft(tmp_path / "drafts.json", DraftAttachment.of_file(here).to_draft(), gone.to_draft())
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)  # on the SMS tab: the Email form is not shown
        form = email_form(app)
        await until(pilot, lambda: form.attachments and note(form), "the files read again")
        [told] = notes(app)
        assert "gone.pdf: no such file" in told and "here.txt" not in told
        form.restore({"to": "ana@example.com"})  # filled again from the history: no files
        await pilot.pause()
        assert len(notes(app)) == 1


async def test_a_draft_whose_files_all_came_back_says_nothing(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    here = tmp_path / "here.txt"
    here.write_text("still here")
    write_draft(tmp_path / "drafts.json", DraftAttachment.of_file(here).to_draft())
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        form = email_form(app)
        await until(pilot, lambda: form.attachments, "the file read again")
        await pilot.pause()
        assert notes(app) == []


async def test_a_save_while_files_are_read_again_keeps_them(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    first = tmp_path / "a.txt"
    first.write_text("a")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        form = email_form(app)
        entry = DraftAttachment.of_file(first).to_draft()
        form.restore({"to": "ana@example.com", "attachments": [entry]})
        # Before the worker has read the file again: a draft saved now still has it.
        assert form.values()["attachments"] == [entry]
        await until(pilot, lambda: form.attachments, "the file read again")
        assert form.values()["attachments"] == [entry]


async def test_an_older_draft_with_bare_paths_restores(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    write_draft(tmp_path / "drafts.json", str(notes))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        form = email_form(app)
        await until(pilot, lambda: form.attachments, "the file read again")
        assert form.values()["attachments"][0]["path"] == str(notes)
        assert note(form) == ""


def test_a_relative_path_is_kept_absolute(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("r")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        kept = DraftAttachment.of_file("r.txt")
    finally:
        os.chdir(cwd)
    assert kept.path == str(tmp_path / "r.txt") and kept.size == 1


async def test_files_with_the_same_bytes_are_each_kept_by_a_draft(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """``report.pdf`` and ``report (1).pdf`` often hold the same bytes: the draft keeps both
    files (it kept the last one twice, so a restart attached it twice)."""
    files = [tmp_path / "report.pdf", tmp_path / "report (1).pdf", tmp_path / "other.pdf"]
    for path in files:
        path.write_bytes(b"%PDF-1.4 the same bytes")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        form = email_form(app)
        for path in files:
            form.add_attachment(load_attachment(path), DraftAttachment.of_file(path))
        await pilot.pause()
        kept = [entry["path"] for entry in form.values()["attachments"]]
        assert kept == [str(path) for path in files]
        await app.action_quit()

    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        await connected(pilot)
        form = email_form(again)
        await until(pilot, lambda: len(form.attachments) == 3, "the three files read again")
        assert [a.file_name for a in form.attachments] == [path.name for path in files]
