"""The everyday helpers in the main app: masking, resending failed items, exporting a result,
templates, the long-SMS question and the sender-ID lab, all against the embedded sandbox."""

from __future__ import annotations

import json

from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from comms_tui.core.session import Session
from comms_tui.store.paths import data_dir
from comms_tui.tui.compose.template_fill import TemplateFillScreen
from comms_tui.tui.palette import commands
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.sender_lab.screen import SenderLabScreen
from comms_tui.tui.widgets.items_view import ItemsView
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, fill, results

PHONE, DND = "919591471711", "12025550101"  # the second fails with 4209 (do not disturb)


async def answer(pilot: Pilot[None], screen_id: str, key: str = "enter") -> None:
    """Wait for the modal ``screen_id`` and answer it with ``key``."""
    for _ in range(100):
        if pilot.app.screen.id == screen_id:
            break
        await pilot.pause(0.02)
    assert pilot.app.screen.id == screen_id, f"{screen_id} never opened ({pilot.app.screen})"
    await pilot.press(key)
    await pilot.pause()


async def partial_send(pilot: Pilot[None]) -> None:
    await fill(pilot, "sms", to=f"{PHONE}, {DND}", body="Hello")
    await pilot.press("ctrl+j")  # two recipients, but the sandbox: no question
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def stats(session: Session) -> dict[str, int]:
    assert session.sandbox is not None
    by_recipient: dict[str, int] = session.sandbox.state.stats()["by_recipient"]
    return by_recipient


async def test_mask_hides_every_recipient_on_screen(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await partial_send(pilot)
        assert PHONE in app.export_screenshot()
        await pilot.press("f6")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        shot = app.export_screenshot()
        assert PHONE not in shot and DND not in shot
        assert "9195*****711" in shot
        view = app.screen.query_one(ItemsView)
        assert view.row_text(0).split()[1] == "9195*****711"
        assert screen.form("sms").query_one("#to", Input).password
        # The raw request and response echo the numbers too: masked as well.
        screen.results.detail.toggle_raw(True)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        raw = str(app.screen.query_one("#raw-request", Static).render())
        assert "1202****101" in raw and DND not in raw
        await pilot.press("f6")
        await pilot.pause()
        assert PHONE in app.export_screenshot()
        assert not screen.form("sms").query_one("#to", Input).password


async def test_masking_is_kept_for_the_next_start(app_factory: AppFactory) -> None:
    """A presenter who restarts the app mid-demo must not show the numbers in clear."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f6")
        await pilot.app.workers.wait_for_complete()
    again = app_factory()
    assert again.masking.masked  # before its first frame
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        assert screen.form("sms").query_one("#to", Input).password
        await pilot.press("f6")
        await pilot.app.workers.wait_for_complete()
    assert not app_factory().masking.masked


async def test_resend_failed_sends_only_the_failed_items(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await partial_send(pilot)
        assert stats(session) == {PHONE: 1, DND: 1}
        await pilot.press("ctrl+r")  # to the results, where f resends the failed items
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Resend failed items: SMS to 1 recipient" in str(
            app.screen.query_one("#dialog-body").render()
        )
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert stats(session) == {PHONE: 1, DND: 2}  # no duplicate question: it had failed
        newest = results(pilot).records[-1]
        assert newest.result.request.body == {"root": {"sms": [{"to": DND, "body": "Hello"}]}}
        assert [i.recipient for i in newest.result.items] == [DND]
        assert app.journal is not None
        assert app.journal.list()[0].recipients == [DND]


async def test_resend_of_an_accepted_item_still_meets_the_duplicate_guard(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await partial_send(pilot)
        await pilot.press("ctrl+j")  # the whole form again: 919591471711 was accepted
        await answer(pilot, "confirm-duplicate")  # Cancel is the default
        await pilot.app.workers.wait_for_complete()
        assert stats(session) == {PHONE: 1, DND: 1}


async def test_export_result_json(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await partial_send(pilot)
        await pilot.press("ctrl+r", "x")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        [path] = data_dir().glob("result-*.json")
        assert path.name == "result-1.json"  # the history id
        exported = json.loads(path.read_text("utf-8"))
        assert exported["result"]["outcome"] == "partial"
        assert exported["result"]["history_id"] == 1
        assert [i["recipient"] for i in exported["result"]["items"]] == [PHONE, DND]
        assert exported["request"]["body"]["root"]["sms"][1]["to"] == DND
        assert "sandbox" not in json.dumps(exported["request"]["headers"])  # no credentials
        assert app.clipboard == path.read_text("utf-8")


async def test_template_is_filled_into_the_sms_body(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        assert "Template: otp" in [title for title, _, _ in commands(app)]
        await pilot.press("ctrl+t")  # the sandbox profile has one template: straight to it
        await pilot.pause()
        assert isinstance(app.screen, TemplateFillScreen)
        for value in ("747977", "Northwind", "15"):
            await pilot.press(*value, "enter")
        await pilot.pause()
        body = screen.form("sms").query_one("#body", TextArea)
        assert body.text == "747977 is your OTP for Northwind. Valid for 15 minutes."
        assert body.has_focus
        assert "1 segment" in str(screen.query_one("#body-meter").render())


async def test_a_template_over_a_message_says_how_to_get_it_back(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await fill(pilot, "sms", body="what I was writing")
        await pilot.press("ctrl+t")
        await pilot.pause()
        for value in ("747977", "Northwind", "15"):
            await pilot.press(*value, "enter")
        await pilot.pause()
        body = screen.form("sms").query_one("#body", TextArea)
        assert body.text.startswith("747977 is your OTP")
        said = [n.message for n in app._notifications]
        assert any("ctrl+z brings back" in text for text in said), said
        await pilot.press("ctrl+z")
        assert body.text == "what I was writing"


async def test_long_sms_asks_first(app_factory: AppFactory, session: Session) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to=PHONE, body="x" * 700)  # 5 segments of 153
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert app.screen.id == "confirm-long-sms"
        assert "5 segments" in str(app.screen.query_one("#dialog-body").render())
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        assert stats(session) == {}
        await pilot.press("ctrl+j")
        await answer(pilot, "confirm-long-sms")
        await pilot.app.workers.wait_for_complete()
        assert stats(session) == {PHONE: 1}
        # Four segments go without the question.
        app.compose_screen.form("sms").set_value("body", "y" * 600)
        await pilot.pause(0.3)
        await pilot.press("ctrl+j")
        await pilot.app.workers.wait_for_complete()
        assert stats(session) == {PHONE: 2}


async def test_sender_lab_from_the_app_saves_into_the_session_profile(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f4")
        await pilot.pause()
        lab = app.screen
        assert isinstance(lab, SenderLabScreen)
        lab.query_one("#lab-to", Input).value = PHONE
        lab.query_one("#lab-senders-extra", Input).value = "919000000001"
        await pilot.press("ctrl+j")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert lab.matrix is not None
        assert lab.matrix.working("default") == ["CAPNTH", "NRTHSMS", "919000000001"]
        await pilot.press("s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session is not None and app.session.profile is not None
        assert "919000000001" in app.session.profile.sender_ids[""]
        await pilot.press("escape")
        await pilot.pause()
        sms = app.compose_screen.form("sms")
        assert sms.profile is app.session.profile  # suggestions include the new ID
