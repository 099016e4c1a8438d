"""Several lines pasted into a one-line field: none is dropped in silence.

Textual's ``Input`` keeps the first line of a paste. A recipients field (or any list: Cc, the
lab's sender IDs) keeps each line as an item; another one-line field joins them and says so.
The bytes of a real bracketed paste are in ``test_terminal_keys.py``.
"""

from __future__ import annotations

from textual.widgets import Input

from comms_tui.tui.sender_lab.screen import SenderLabScreen
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, form, notes
from tests.tui.test_key_crashes import burst, paste, press

COLUMN = "ana@example.com\nraj@example.com\n\nli@example.com\n"  # a column, a blank cell


async def test_each_line_pasted_into_a_recipients_field_is_a_recipient(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["alt+2"])
        email = form(pilot, "email")
        paste(pilot, COLUMN)
        await press(pilot, ["wait"])
        assert email.value("to") == "ana@example.com, raj@example.com, li@example.com"
        assert email.recipients() == ["ana@example.com", "raj@example.com", "li@example.com"]
        assert notes(app) == []  # all of it is there: nothing to say
        email.query_one("#cc", Input).focus()
        paste(pilot, "bo@example.com\r\ncy@example.com")  # line ends from Windows
        await press(pilot, ["wait"])
        assert email.value("cc") == "bo@example.com, cy@example.com"


async def test_pasted_lines_are_set_apart_from_the_recipients_around_them(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        sms = form(pilot, "sms")
        field = sms.query_one("#to", Input)
        sms.set_value("to", "919591471711 12025550199")
        field.cursor_position = len("919591471711")
        paste(pilot, "12025550100\n12025550102")
        await press(pilot, ["wait"])
        assert field.value == "919591471711, 12025550100, 12025550102, 12025550199"
        sms.set_value("to", "919591471711,")
        paste(pilot, "12025550100\n12025550102")  # after a comma: no second one
        await press(pilot, ["wait"])
        assert field.value == "919591471711,12025550100, 12025550102"


async def test_lines_pasted_into_another_one_line_field_are_joined_and_said(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["alt+2"])
        email = form(pilot, "email")
        email.query_one("#subject", Input).focus()
        paste(pilot, "Your November\nstatement\n  is ready")
        await press(pilot, ["wait"])
        assert email.value("subject") == "Your November statement is ready"
        assert notes(app) == ["Pasted 3 lines as one, joined by spaces: this field holds one line."]
        email.query_one("#from", Input).focus()
        paste(pilot, "\nbilling@example.com\n")  # one line between line ends: nothing to say
        await press(pilot, ["wait"])
        assert email.value("from").endswith("billing@example.com")
        assert len(notes(app)) == 1


async def test_the_labs_lists_take_a_pasted_column_too(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["f4"])
        lab = app.screen
        assert isinstance(lab, SenderLabScreen)
        lab.query_one("#lab-senders-extra", Input).focus()
        paste(pilot, "CAPNTH\nNRTHSMS\nABCDEF")
        await press(pilot, ["wait"])
        assert lab.query_one("#lab-senders-extra", Input).value == "CAPNTH, NRTHSMS, ABCDEF"


async def test_a_paste_fits_the_field_the_keys_before_it_moved_to(
    app_factory: AppFactory,
) -> None:
    """Tabs and a paste in one read: the paste was fitted to "To", focused when it arrived,
    and landed in Subject as ", ana@…, raj@…"."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["alt+2"])
        email = form(pilot, "email")
        email.set_value("to", "bo@example.com")
        burst(pilot, "tab", "tab", "tab", "tab")  # to Cc, Bcc, From, then Subject
        paste(pilot, "Your statement\nis ready")
        await press(pilot, ["wait"])
        assert email.value("to") == "bo@example.com"
        assert email.value("subject") == "Your statement is ready"
