"""The sender-ID lab screen against the embedded sandbox's two OUs (north: default, south).

A tiny host app pushes the screen with a real client, journal and sender, as the main app does.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, SelectionList, Static

from comms_tui.core.session import Session
from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.store.paths import data_dir
from comms_tui.store.profiles import Profile, ProfileStore
from comms_tui.tui.masking import Masking
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.sender_lab.screen import SenderLabScreen
from tests.support.stable import stabilise
from tests.tui.helpers import SIZE

PHONE = "919591471711"


class LabHost(App[None]):
    """Pushes the lab on a session, as the main app does, and records what the lab tells it."""

    def __init__(self, session: Session, journal: Journal) -> None:
        super().__init__()
        session.journal = journal
        self.session = session
        self.journal = journal
        self.saved: list[SenderLabScreen.ProfileSaved] = []
        self.masking = Masking(self)

    async def on_mount(self) -> None:
        await self.push_screen(SenderLabScreen(self.session))

    async def on_unmount(self) -> None:
        await self.session.aclose()

    def on_sender_lab_screen_profile_saved(self, message: SenderLabScreen.ProfileSaved) -> None:
        self.saved.append(message)

    @property
    def lab(self) -> SenderLabScreen:
        screen = self.screen_stack[1]
        assert isinstance(screen, SenderLabScreen)
        return screen


HostFactory = Callable[..., LabHost]


@pytest.fixture
def host(session: Session, tmp_path: Path) -> HostFactory:
    def factory(**options: Any) -> LabHost:
        options.setdefault("session", session)
        return LabHost(journal=Journal(tmp_path / "history.sqlite3"), **options)

    return factory


async def run_lab(
    pilot: Pilot[None],
    *,
    to: str = PHONE,
    senders: str = "",
    attributions: str = "",
    confirm: bool = False,
) -> SenderLabScreen:
    app = pilot.app
    assert isinstance(app, LabHost)
    lab = app.lab
    lab.query_one("#lab-to", Input).value = to
    lab.query_one("#lab-senders-extra", Input).value = senders
    lab.query_one("#lab-attributions-extra", Input).value = attributions
    await pilot.press("ctrl+j")
    await pilot.pause()
    for _ in range(25):  # several messages: the run waits on a confirmation
        if isinstance(app.screen, ConfirmScreen) or not lab.running:
            break
        await pilot.pause(0.02)
    if isinstance(app.screen, ConfirmScreen):
        if confirm:  # the caller answers it
            return lab
        await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return lab


def cell(lab: SenderLabScreen, sender: str, attribution: str) -> str:
    table = lab.query_one("#lab-matrix", DataTable)
    return str(table.get_cell(sender, attribution).plain)


def plain(widget: Static) -> str:
    return str(widget.render())


async def test_matrix_of_both_ous_with_valid_and_invalid_ids(
    host: HostFactory, sandbox: EmbeddedSandbox
) -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        lab = app.lab
        # The sandbox profile's saved IDs of both OUs are listed and ticked; so are both OUs.
        assert lab.query_one("#lab-senders", SelectionList).selected == [
            "CAPNTH", "NRTHSMS", "CAPSTH", "STHSMS",
        ]  # fmt: skip
        assert lab.query_one("#lab-attributions", SelectionList).selected == [
            "default", "TILL:south.till",
        ]  # fmt: skip
        await run_lab(pilot, senders="919000000001, BAD-ID, TOOLONGSENDER")
        matrix = lab.matrix
        assert matrix is not None
        assert matrix.attributions == ["default", "TILL:south.till"]
        outcomes = {(c.sender, c.attribution): c.outcome for c in matrix.cells}
        assert outcomes == {
            ("CAPNTH", "default"): "accepted",
            ("NRTHSMS", "default"): "accepted",
            ("CAPSTH", "default"): "rejected",
            ("STHSMS", "default"): "rejected",
            ("919000000001", "default"): "accepted",
            ("BAD-ID", "default"): "invalid",
            ("TOOLONGSENDER", "default"): "invalid",
            ("CAPNTH", "TILL:south.till"): "rejected",
            ("NRTHSMS", "TILL:south.till"): "rejected",
            ("CAPSTH", "TILL:south.till"): "accepted",
            ("STHSMS", "TILL:south.till"): "accepted",
            ("919000000001", "TILL:south.till"): "rejected",
            ("BAD-ID", "TILL:south.till"): "invalid",
            ("TOOLONGSENDER", "TILL:south.till"): "invalid",
        }
        assert cell(lab, "CAPNTH", "default") == "✓ accepted"
        assert cell(lab, "CAPSTH", "default").startswith("✗ 4250 sender ID CAPSTH is not")
        assert cell(lab, "CAPSTH", "default").endswith("…")
        assert cell(lab, "BAD-ID", "TILL:south.till").startswith("– invalid: Sender ID")
        # One request per attribution, one item per valid sender ID; invalid ones never left.
        assert sandbox.state.stats()["requests"] == 2
        outbox = sandbox.state.outbox()
        assert sorted((r["ou"], r["sender"]) for r in outbox) == [
            ("north", "919000000001"), ("north", "CAPNTH"), ("north", "NRTHSMS"),
            ("south", "CAPSTH"), ("south", "STHSMS"),
        ]  # fmt: skip
        assert len(app.journal.list()) == 2
        # The matrix has focus on the first result; the detail line tells the rest.
        table = lab.query_one("#lab-matrix", DataTable)
        assert table.has_focus
        detail = plain(lab.query_one("#lab-detail", Static))
        assert "CAPNTH × default" in detail and "accepted" in detail
        assert "HTTP 201" in detail and "X-Cap-Requestid" in detail and "history #1" in detail
        await pilot.press("down", "down")  # CAPSTH × default
        await pilot.pause()
        detail = plain(lab.query_one("#lab-detail", Static))
        assert "✗ 4250: sender ID CAPSTH is not configured for OU north" in detail
        status = plain(lab.query_one("#lab-status", Static))
        assert status.startswith("5 of 14 work")


async def test_export_writes_csv_and_json_and_copies_the_json(host: HostFactory) -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        lab = await run_lab(pilot, senders="BAD-ID")
        assert lab.matrix is not None
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        csv_files = sorted(data_dir().glob("sender-lab-*.csv"))
        json_files = sorted(data_dir().glob("sender-lab-*.json"))
        assert len(csv_files) == len(json_files) == 1
        exported = json.loads(json_files[0].read_text("utf-8"))
        assert exported == lab.matrix.to_json()
        assert app.clipboard.strip() == json_files[0].read_text("utf-8").strip()
        rows = list(csv.DictReader(io.StringIO(csv_files[0].read_text("utf-8"))))
        assert len(rows) == 10  # 5 sender IDs × 2 attributions
        bad = [r for r in rows if r["sender"] == "BAD-ID"]
        assert {r["outcome"] for r in bad} == {"invalid"}
        assert json_files[0].stat().st_mode & 0o777 == 0o600
        # A second export in the same second never overwrites the first.
        await pilot.press("e")
        await app.workers.wait_for_complete()
        assert len(list(data_dir().glob("sender-lab-*.json"))) == 2


async def test_save_keeps_working_ids_in_memory_on_the_sandbox(host: HostFactory) -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        lab = await run_lab(pilot, senders="919000000001, CAPXXX")
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.saved) == 1 and not app.saved[0].persisted
        saved = app.saved[0].profile.sender_ids
        assert saved[""] == ["CAPNTH", "NRTHSMS", "919000000001"]  # added after the saved ones
        assert saved["TILL:south.till"] == ["CAPSTH", "STHSMS"]
        assert lab.profile is app.saved[0].profile
        assert not ProfileStore().path.exists()  # nothing written


async def test_save_writes_working_ids_to_a_profile_on_disk(
    host: HostFactory, session: Session
) -> None:
    store = ProfileStore()
    profile = Profile(
        name="lab", host=session.target.base_url, auth="basic", username="sandbox",
        sender_ids={"TILL:south.till": ["STHSMS"]},
    )  # fmt: skip
    store.save(profile)
    real = Session(target=dataclasses.replace(session.target, label="lab"), profile=profile)
    app = host(session=real)
    async with app.run_test(size=SIZE) as pilot:
        lab = await run_lab(pilot, senders="CAPSTH, CAPNTH", confirm=True)
        # Not the sandbox, several messages: the run waits for a confirmation.
        assert isinstance(app.screen, ConfirmScreen)
        assert "Send 6 test SMS" in plain(app.screen.query_one("#dialog-body", Static))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert lab.matrix is not None
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.saved and app.saved[0].persisted
    assert store.get("lab").sender_ids == {
        "": ["CAPNTH"],
        "TILL:south.till": ["STHSMS", "CAPSTH"],
    }


async def test_with_no_saved_ids_tab_goes_where_they_can_be_typed(
    host: HostFactory, session: Session
) -> None:
    """An empty list of saved IDs took focus drawn as nothing: what was typed there was lost,
    and its letters ran the screen's keys (``s`` saved, ``e`` exported)."""
    bare = Profile(name="new", host=session.target.base_url, auth="basic", username="sandbox")
    app = host(session=Session(target=session.target, profile=bare))
    async with app.run_test(size=SIZE) as pilot:
        lab = app.lab
        lab.query_one("#lab-to", Input).focus()
        await pilot.press("tab", *"CAPNTH")
        assert app.focused is lab.query_one("#lab-senders-extra", Input)
        assert lab.query_one("#lab-senders-extra", Input).value == "CAPNTH"
        assert "None saved" in plain(lab.query_one("#lab-senders-none", Static))
        assert app.saved == []
        # Saved by the lab: listed at once, not only when the lab is opened again.
        await run_lab(pilot, senders="CAPNTH")
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        senders = lab.query_one("#lab-senders", SelectionList)
        assert senders.display and senders.selected == ["CAPNTH"]
        assert not lab.query_one("#lab-senders-none").display


async def test_problems_are_shown_at_the_inputs_and_nothing_is_sent(
    host: HostFactory, sandbox: EmbeddedSandbox
) -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        lab = await run_lab(pilot, to="12", attributions="SHOP:x")
        assert "too short" in plain(lab.query_one("#lab-to-error", Static))
        assert "unknown attribution type 'SHOP'" in plain(
            lab.query_one("#lab-attributions-error", Static)
        )
        lab.query_one("#lab-senders", SelectionList).deselect_all()
        await run_lab(pilot)
        assert "at least one sender ID" in plain(lab.query_one("#lab-senders-error", Static))
        assert not plain(lab.query_one("#lab-to-error", Static))
        assert lab.matrix is None
        assert sandbox.state.stats()["requests"] == 0


async def test_unknown_attribution_is_not_sent_for_that_column(host: HostFactory) -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        lab = await run_lab(pilot, attributions="TILL:nowhere")
        assert lab.matrix is not None
        column = [c for c in lab.matrix.cells if c.attribution == "TILL:nowhere"]
        assert {c.outcome for c in column} == {"not_sent"}
        assert cell(lab, "CAPNTH", "TILL:nowhere").startswith("⊘ not sent:")


async def test_masking_hides_the_test_recipient(host: HostFactory) -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        lab = await run_lab(pilot)
        assert PHONE in plain(lab.query_one("#lab-detail", Static))
        app.masking.toggle()
        await pilot.pause()
        assert lab.query_one("#lab-to", Input).password
        assert "9195*****711" in plain(lab.query_one("#lab-detail", Static))
        assert PHONE not in app.export_screenshot()


def test_lab_snapshot_after_a_run(snap_compare: Callable[..., bool], host: HostFactory) -> None:
    app = host()
    stabilise(app.session)

    async def run_before(pilot: Pilot[None]) -> None:
        await run_lab(pilot, senders="BAD-ID")
        lab = app.lab
        lab.query_one("#lab-matrix", DataTable).move_cursor(row=2, column=1)
        for widget in lab.query(Input):
            widget.cursor_blink = False
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_server_error_is_its_own_outcome_in_the_matrix(host: HostFactory) -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        lab = await run_lab(pilot, to="12025550150", senders="CAPNTH")
        assert lab.matrix is not None
        assert {c.outcome for c in lab.matrix.cells} == {"server_error"}
        shown = cell(lab, "CAPNTH", "default")
        assert shown.startswith("✗ server error: (") and "not sent" not in shown
        detail = plain(lab.query_one("#lab-detail", Static))
        assert "the server reported an error" in detail and "not sent" not in detail
        assert "server error" in plain(lab.query_one("#lab-status", Static))
