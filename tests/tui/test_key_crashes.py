"""What randomised keyboard sessions broke (issue 19), each as the short list of keys that did it.

- a screen opened again while it is already open (under another one): pushed twice, or
  ``DuplicateIds`` for the screens with an id (the sender-ID lab, the template screens);
- History with no rows: up or page up highlights row -1, whose key is None;
- a confirmation answered twice (``asyncio.InvalidStateError`` in ``send_flow.ask``), or by a
  press that arrives after another screen opened over it: the answer dismissed that other
  screen, the send went out, and the question stayed up to be answered a second time.

The picker's paths (``~nosuchuser``, a NUL character) are in ``test_attachment_paths.py``.
``tests/tui/test_monkey.py`` keeps looking for more.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from comms_tui.core.session import Session
from comms_tui.tui.app import INPUT_MAX_CHARS
from comms_tui.tui.compose.template_fill import TemplateFillScreen
from comms_tui.tui.compose.templates import TemplatePickScreen
from comms_tui.tui.plain import TEXT_MAX_CHARS
from comms_tui.tui.screens.attachments import AttachmentPickerScreen
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.screens.help import HelpScreen
from comms_tui.tui.screens.history import HistoryScreen
from comms_tui.tui.screens.outbox import OutboxScreen
from comms_tui.tui.sender_lab.screen import SenderLabScreen
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, fill, modal

PALETTE_LAB = ["ctrl+p", *"Sender-ID lab", "wait", "enter"]
PALETTE_TEMPLATE = ["ctrl+p", *"Template: otp", "wait", "enter"]


async def press(pilot: Pilot[None], keys: Sequence[str]) -> None:
    """Each key in turn; "wait" lets the palette find its matches."""
    for key in keys:
        if key == "wait":
            await pilot.pause(0.3)
        else:
            await pilot.press(key)
            await pilot.pause()
    await pilot.pause(0.2)


def burst(pilot: Pilot[None], *keys: str) -> None:
    """Keys typed together: all reach the app before it handles the first (one terminal read)."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, {"enter": "\r", "escape": "\x1b"}.get(key))
        event.set_sender(pilot.app)
        driver.send_message(event)


def paste(pilot: Pilot[None], text: str) -> None:
    """``text`` pasted (bracketed paste: control characters and all)."""
    driver = pilot.app._driver
    assert driver is not None
    event = events.Paste(text)
    event.set_sender(pilot.app)
    driver.send_message(event)


def open_count(screens: Sequence[Screen[Any]], screen_type: type[Screen[Any]]) -> int:
    return sum(isinstance(screen, screen_type) for screen in screens)


@pytest.mark.parametrize(
    ("keys", "screen_type"),
    [
        # The lab under history, f4 again: DuplicateIds on the original code.
        pytest.param(["f4", "f2", "f4"], SenderLabScreen, id="lab-f4"),
        pytest.param(["f4", "f1", "f4"], SenderLabScreen, id="lab-under-help"),
        pytest.param(["f4", "f2", *PALETTE_LAB], SenderLabScreen, id="lab-palette"),
        pytest.param(["f2", "f4", "f2"], HistoryScreen, id="history"),
        pytest.param(["f3", "f2", "f3"], OutboxScreen, id="outbox"),
        pytest.param(["f1", "ctrl+p", *"Help", "wait", "enter"], HelpScreen, id="help"),
        # One template: ctrl+t fills it in at once. DuplicateIds on the code before this fix.
        pytest.param(["ctrl+t", *PALETTE_TEMPLATE], TemplateFillScreen, id="template"),
        pytest.param(["ctrl+t", "f1", *PALETTE_TEMPLATE], TemplateFillScreen, id="under-help"),
    ],
)
async def test_a_screen_already_open_is_not_opened_again(
    app_factory: AppFactory, keys: list[str], screen_type: type[Screen[Any]]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, keys)
        assert open_count(app.screen_stack, screen_type) == 1, app.screen_stack


async def test_a_template_list_is_not_opened_twice(
    app_factory: AppFactory, session: Session
) -> None:
    assert session.profile is not None
    session.profile.templates["welcome"] = "Welcome to {brand}!"  # two: ctrl+t lists them
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["ctrl+t", "f1", *PALETTE_TEMPLATE, "ctrl+t"])
        stack = app.screen_stack
        assert open_count(stack, TemplatePickScreen) + open_count(stack, TemplateFillScreen) == 1


async def test_the_picker_is_not_opened_twice(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["alt+2", "ctrl+o", "f1", "ctrl+p", *"Attach", "wait", "enter"])
        await press(pilot, ["escape", "ctrl+o"])
        assert open_count(app.screen_stack, AttachmentPickerScreen) == 1


@pytest.mark.parametrize("typed", ["~comms-tui-no-such-user/x", "a\x00b"], ids=["user", "nul"])
async def test_the_picker_takes_a_path_no_file_can_have(
    app_factory: AppFactory, typed: str
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["alt+2", "ctrl+o"])
        picker = app.screen
        assert isinstance(picker, AttachmentPickerScreen), app.screen_stack
        picker.query_one("#picker-path", Input).focus()
        paste(pilot, typed)  # checked as it arrives, then attached
        await press(pilot, ["wait", "enter"])
        assert app.screen is picker
        error = str(picker.query_one("#picker-error", Static).render())
        info = str(picker.query_one("#picker-info", Static).render())
        assert "home folder" in error + info or "NUL" in error + info, (error, info)


@pytest.mark.parametrize("keys", [["up"], ["pageup"], ["down", "up", "pageup", "end", "home"]])
async def test_history_with_no_rows_takes_the_arrow_keys(
    app_factory: AppFactory, keys: list[str]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["f2", *keys])
        assert isinstance(app.screen, HistoryScreen)
        assert str(app.screen.query_one("#detail", Static).render()) == "Nothing selected."


async def test_history_filtered_to_no_rows_takes_the_arrow_keys(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="To be filtered out")
        await press(pilot, ["ctrl+j"])
        await app.workers.wait_for_complete()
        # From the table back to the recipient filter, "zzz", and forward to the table again.
        to_filter, to_table = ["shift+tab"] * 3, ["tab"] * 3
        await press(pilot, ["f2", *to_filter, *"zzz", "wait", *to_table, "up", "pageup"])
        assert isinstance(app.screen, HistoryScreen)
        assert app.focused is app.screen.query_one("#history-table")
        assert "Nothing matches" in str(app.screen.query_one("#history-note", Static).render())


async def test_a_confirmation_answered_twice_answers_once(
    app_factory: AppFactory, session: Session, real_session: Session
) -> None:
    app = app_factory(session=real_session)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711, 919591471712", body="Hello")
        await pilot.press("ctrl+j")
        question = await modal(pilot, "confirm-send")
        burst(pilot, "escape", "escape")  # typed together: the second finds the compose screen
        question.action_answer(False)  # and once more, as a late button press would
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert app.screen_stack == [app.compose_screen]
        assert session.sandbox is not None
        assert session.sandbox.state.stats()["requests"] == 0


async def test_a_confirmation_is_answered_only_while_it_is_shown(
    app_factory: AppFactory, session: Session, real_session: Session
) -> None:
    app = app_factory(session=real_session)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711, 919591471712", body="Hello")
        await pilot.press("ctrl+j")
        question = await modal(pilot, "confirm-send")
        app.action_help()  # another screen over the question (the palette's Help does this)
        await pilot.pause()
        question.action_answer(True)  # a press that arrives late: no answer, nothing sent
        await pilot.pause(0.2)
        assert [type(s) for s in app.screen_stack[1:]] == [ConfirmScreen, HelpScreen]
        assert session.sandbox is not None
        assert session.sandbox.state.stats()["requests"] == 0
        await pilot.press("escape")  # back to the question, still asking
        assert app.screen is question
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert app.screen_stack == [app.compose_screen]
        assert session.sandbox.state.stats()["requests"] == 1


async def test_a_huge_paste_into_a_field_is_cut_to_what_it_holds(app_factory: AppFactory) -> None:
    # The monkey pasted ~46,000 control characters into History's filter over a session:
    # Textual measured the whole value each frame and the app froze for 30 s.
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await press(pilot, ["f2"])
        field = app.screen.query_one("#recipient-filter", Input)
        field.focus()
        paste(pilot, "x")
        paste(pilot, "\x1b\x00" * 20_000)
        await press(pilot, ["left"])
        assert len(field.value) == INPUT_MAX_CHARS
        assert field.value.startswith("x\x1b\x00")
        assert any("Pasted text cut to 4,999 characters" in n.message for n in app._notifications)


async def test_a_message_holds_at_most_its_limit_pasted_or_restored(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """Each key in a megabyte-long message took a second and a half (Textual re-wraps the
    line), and a 50 MB draft froze the start: a message field holds ``TEXT_MAX_CHARS``."""
    drafts = {"sms": {"to": "12025550100", "body": "draft " * 50_000}}  # 300,000 characters
    (tmp_path / "drafts.json").write_text(json.dumps(drafts), encoding="utf-8")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        sms = app.compose_screen.form("sms")
        assert sms.value("body") == ("draft " * 50_000)[:TEXT_MAX_CHARS]
        assert any("Message cut to 100,000 characters" in n.message for n in app._notifications)
        body = sms.query_one("#body", TextArea)
        body.focus()
        body.select_all()
        paste(pilot, "pasted " * 20_000)  # 140,000 characters over the selection
        await press(pilot, ["end"])
        assert sms.value("body") == ("pasted " * 20_000)[:TEXT_MAX_CHARS]
        assert any("Pasted text cut to 100,000" in n.message for n in app._notifications)
