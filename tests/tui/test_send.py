"""Full sends through the UI against the embedded sandbox, and what the UI does with outcomes."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import OptionList

from comms_tui.api.attachments import load_attachment
from comms_tui.core.session import Session
from comms_tui.store.drafts import DraftAttachment
from comms_tui.store.paths import data_dir
from comms_tui.tui.compose.forms.email import EmailForm
from comms_tui.tui.widgets.items_view import ItemsView
from comms_tui.tui.widgets.result_detail import ResultDetail
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, fill, modal, notes, on_screen, results, send


def outbox(session: Session) -> list[dict[str, object]]:
    assert session.sandbox is not None
    return session.sandbox.state.outbox()


async def test_sms_send_reaches_the_outbox_and_the_results(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="9591471711", body="Your OTP is 747977", sender="CAPNTH")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "accepted"
        assert record.result.http_status == 200
        assert record.result.request_id
        [received] = outbox(session)
        assert received["recipient"] == "919591471711"
        assert received["body"] == "Your OTP is 747977"
        assert received["sender"] == "CAPNTH"
        # The form is never cleared by a send: people resend or tweak.
        assert app.compose_screen.form("sms").value("body") == "Your OTP is 747977"
        assert "✓ ACCEPTED" in str(
            app.screen.query_one("#sends", OptionList).get_option_at_index(0).prompt
        )


async def test_email_with_an_attachment(
    app_factory: AppFactory, session: Session, tmp_path: Path
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 fake report\n")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        email = screen.form("email")
        assert isinstance(email, EmailForm)
        assert email.value("from") == "north@sandbox.example"  # the profile's default
        await fill(pilot, "email", to="ana@example.com", subject="Report", body="Attached.")
        email.add_attachment(load_attachment(report), DraftAttachment.of_file(report))
        await pilot.pause()
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "accepted"
        [received] = outbox(session)
        assert received["recipient"] == "ana@example.com"
        assert received["attachments"] == [
            {"file_name": "report.pdf", "file_type": "pdf", "size": report.stat().st_size}
        ]


async def test_whatsapp_and_zalo(app_factory: AppFactory, session: Session) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("alt+3")
        await fill(pilot, "whatsapp", receiver="+65 8123 4567", template="Hi from WhatsApp")
        await send(pilot)
        await pilot.press("alt+4")
        await fill(pilot, "zalo", receiver="+84 912 345 678", template="Hi from Zalo")
        await send(pilot)
        outcomes = [r.result.outcome.value for r in results(pilot).records]
        assert outcomes == ["accepted", "accepted"]
        channels = [(m["channel"], m["recipient"]) for m in outbox(session)]
        assert channels == [("whatsapp", "6581234567"), ("zalo", "84912345678")]


async def test_two_recipients_ask_first_and_cancel_sends_nothing(
    app_factory: AppFactory, session: Session, real_session: Session
) -> None:
    app = app_factory(session=real_session)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711, 919591471712", body="Hello")
        await pilot.press("ctrl+j")
        confirm = await modal(pilot, "confirm-send")
        assert "2 recipients" in str(confirm.query_one("#dialog-body").render())
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        assert outbox(session) == []
        assert results(pilot).records == []
        await pilot.press("ctrl+j")
        await modal(pilot, "confirm-send")
        await pilot.click("#ok")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert len(outbox(session)) == 2


async def test_partial_failure_shows_each_item(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711, 12025550101", body="Hello")
        await pilot.press("ctrl+j")  # the sandbox: several recipients go without a question
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        [record] = results(pilot).records
        assert record.result.outcome.value == "partial"
        view = app.screen.query_one(ItemsView)
        rows = [view.row_text(i).split() for i in range(view.row_count)]
        assert rows[0] == ["1", "919591471711", "✓", "accepted"]
        assert rows[1][:5] == ["2", "12025550101", "✗", "failed", "4209"]
        assert "do-not-disturb" in str(app.screen.query_one("#item-detail").render())
        assert "◐ PARTIAL" in str(app.screen.query_one("#result-summary").render())


async def test_unknown_outcome_is_loud_and_keeps_the_form(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="12025550144", body="Did this go?")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "unknown"
        summary = str(app.screen.query_one("#result-summary").render())
        assert "UNKNOWN — may have been sent; check before resending" in summary
        assert app.compose_screen.form("sms").value("to") == "12025550144"
        assert app.compose_screen.form("sms").value("body") == "Did this go?"


async def test_rejected_send_keeps_the_form(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="12025550150", body="Server error please")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "rejected"
        assert record.result.http_status == 500
        form = app.compose_screen.form("sms")
        assert (form.value("to"), form.value("body")) == ("12025550150", "Server error please")
        assert not form.query_one("#send-button").disabled


async def test_identical_resend_asks_with_cancel_as_default(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="Same again")
        await send(pilot)
        await pilot.press("ctrl+j")
        duplicate = await modal(pilot, "confirm-duplicate")
        assert "already sent" in str(duplicate.query_one("#dialog-body").render())
        await pilot.press("enter")  # the default button is Cancel
        await pilot.app.workers.wait_for_complete()
        assert len(outbox(session)) == 1


async def test_request_and_response_and_copies(app_factory: AppFactory) -> None:
    app = app_factory()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="Show me the wire")
        await send(pilot)
        await pilot.press("ctrl+r", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        detail = app.screen.query_one(ResultDetail)
        assert detail.expanded
        request = str(app.screen.query_one("#raw-request").render())
        assert "Authorization: Basic <base64(username:md5(password))>" in request
        assert "sandbox" not in request.split("\n\n")[0].split("Authorization")[1]
        for key in ("c", "r"):  # each copy is written to its file in a worker first
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        curl, response = copied
        # A command that sends exactly this request again, reading credentials when run.
        assert "Running this SENDS it" in curl and "COMMS_TUI_PASSWORD" in curl
        assert "Show me the wire" in curl and "Authorization: Basic %s" in curl
        assert '"successCount": 1' in response
        # tmux's default set-clipboard external drops a copy: each is in a 0600 file too.
        for name, text in (("copied-curl.sh", curl), ("copied-response.json", response)):
            path = data_dir() / name
            assert path.read_text(encoding="utf-8") == text
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert any(str(path) in note for note in notes(app)), notes(app)


async def test_copy_as_curl_puts_a_large_body_in_its_own_file_and_says_where(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 400)  # ~100 KB: over the inline limit
    app = app_factory()
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        email = screen.form("email")
        assert isinstance(email, EmailForm)
        await fill(pilot, "email", to="ana@example.com", subject="Report", body="Attached.")
        email.add_attachment(load_attachment(report), DraftAttachment.of_file(report))
        await pilot.pause()
        await send(pilot)
        await pilot.press("ctrl+r", "c")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        [script] = copied
        [body_file] = data_dir().glob("comms-tui-body-*.json")
        assert f"--data-binary @{body_file}" in script
        assert stat.S_IMODE(body_file.stat().st_mode) == 0o600
        assert b'"file_name":"report.pdf"' in body_file.read_bytes()
        assert any(f"is in {body_file}" in note for note in notes(app)), notes(app)


async def test_compose_again_asks_before_it_replaces_what_is_being_written(
    app_factory: AppFactory,
) -> None:
    """History's "compose again" put the earlier send over the form without a word: the message
    being written was gone. Now it asks, and keeping it is the default."""
    from textual.widgets import DataTable

    from comms_tui.tui.screens.history import HistoryScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="the first message")
        await send(pilot)
        sms = await fill(pilot, "sms", body="")
        sms.set_value("body", "a new message, half written")

        async def compose_the_first_again() -> None:
            await pilot.press("f2")
            for _ in range(250):
                screen = app.screen
                if isinstance(screen, HistoryScreen) and screen.query_one(DataTable).row_count:
                    break
                await pilot.pause(0.02)
            await pilot.press("c")

        await compose_the_first_again()
        question = await modal(pilot, "confirm-replace")
        assert "Replace what is in the SMS form?" in str(
            question.query_one("#dialog-title").render()
        )
        await pilot.press("enter")  # the default: keep mine
        await pilot.pause()
        assert sms.value("body") == "a new message, half written"

        await compose_the_first_again()
        await modal(pilot, "confirm-replace")
        await pilot.click("#ok")
        await pilot.pause()
        assert sms.value("body") == "the first message"
        assert sms.value("to") == "919591471711"


async def test_a_request_refused_whole_shows_its_items_as_not_sent(
    app_factory: AppFactory,
) -> None:
    """101 recipients pass the sandbox's batch limit (1060): nothing went out, so no row says
    "failed", and "resend failed" (f) says why it sends nothing: it would be the same request."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        numbers = ", ".join(f"91987650{n:04d}" for n in range(101))
        await fill(pilot, "sms", to=numbers, body="too many at once")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.sent_nothing and record.result.count == 101
        view = app.screen.query_one(ItemsView)
        rows = {" ".join(view.row_text(i).split()[2:5]) for i in range(view.row_count)}
        assert all(row.startswith("– not sent") for row in rows), rows
        results(pilot).focus_list()
        await pilot.press("f")
        assert any("Nothing of the selected send went out" in note for note in notes(app))


async def test_compose_again_over_only_the_default_sender_does_not_ask(
    app_factory: AppFactory,
) -> None:
    """The email form starts with the profile's From: replacing it with an earlier send from the
    same address loses nothing, so nothing is asked."""
    from comms_tui.api.channels import Channel
    from comms_tui.tui.messages import ComposeAgain

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        email = app.compose_screen.form("email")
        default = email.value("from")
        assert default and email.values() == {"from": default}
        again = {"from": default, "to": "ana@example.com", "subject": "Statement"}
        app.compose_screen.compose_again(ComposeAgain(Channel.EMAIL, again))
        await pilot.pause()
        assert app.screen is app.compose_screen  # no question
        assert email.value("to") == "ana@example.com" and email.value("subject") == "Statement"


async def test_a_new_result_shows_its_outcome_though_the_raw_view_was_left_open(
    app_factory: AppFactory,
) -> None:
    """Field test: with "Request & response" left open for an earlier send, a new send's
    outcome was scrolled out of view: the pane showed the raw request, not "? UNKNOWN"."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="hello")
        await send(pilot)
        detail = app.screen.query_one(ResultDetail)
        await pilot.press("ctrl+r", "e")  # open; closed and opened again, once it has its text
        await app.workers.wait_for_complete()
        await pilot.press("e", "e")
        await pilot.pause(0.2)
        assert detail.expanded and detail.scroll_y > 0  # the raw view in view, the summary not
        await pilot.press("escape")
        await fill(pilot, "sms", to="12025550144")  # the sandbox drops the connection: unknown
        await send(pilot)
        assert results(pilot).records[-1].result.outcome.value == "unknown"
        assert detail.scroll_y == 0
        assert "UNKNOWN — may have been sent" in on_screen(app)
