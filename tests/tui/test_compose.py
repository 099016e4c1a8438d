"""Inline validation, the SMS meter, sender and schedule hints, drafts, and the app shell."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from textual import work
from textual.widgets import Static

from comms_tui.core.session import Session
from comms_tui.tui.app import make_app
from comms_tui.tui.compose.forms.base import ComposeForm
from comms_tui.tui.compose.screen import ComposeScreen
from comms_tui.tui.screens.help import HelpScreen
from comms_tui.tui.widgets.header import AppHeader
from tests.tui.conftest import AppFactory
from tests.tui.helpers import (
    SIZE,
    connected,
    error_text,
    fill,
    first_form_shown,
    modal,
    notes,
    results,
    send,
    until,
)


def text(widget: Static) -> str:
    return str(widget.render())


async def test_invalid_fields_show_errors_and_nothing_is_sent(
    app_factory: AppFactory, session: Session
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        sms = await fill(pilot, "sms", to="12345", sender="TOO-LONG-SENDER-ID")
        assert "too short" in error_text(sms, "to")
        assert error_text(sms, "sender")
        assert error_text(sms, "body") == ""  # not reached yet: no nagging
        await pilot.press("ctrl+j")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert error_text(sms, "body").startswith("Message is")  # after a send attempt, it is
        assert sms.query_one("#to-field").has_class("-invalid")
        assert results(pilot).records == []
        assert session.sandbox is not None and session.sandbox.state.outbox() == []


async def test_recipients_are_shown_normalised_with_their_country(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        sms = await fill(pilot, "sms", to="09591471711; +65 8123 4567")
        preview = text(sms.query_one("#to-hint", Static))
        assert "919591471711 · India" in preview
        assert "6581234567 · Singapore" in preview
        assert error_text(sms, "to") == ""


async def test_sms_meter_names_the_characters_that_force_ucs2(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        sms = await fill(pilot, "sms", body="Hello ✓")
        meter = text(sms.query_one("#body-meter", Static))
        assert meter.startswith("UCS-2 (because of: ✓)")
        assert "1 segment" in meter


async def test_sender_warning_for_us_and_schedule_hint(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        sms = await fill(pilot, "sms", to="+1 202 555 0100", sender="CAPNTH")
        assert "don't accept letter sender IDs" in text(sms.query_one("#sender-hint", Static))
        await fill(pilot, "sms", scheduledTime="tomorrow 09:00")
        hint = text(sms.query_one("#scheduledTime-hint", Static))
        assert "2026-11-28 09:00" in hint and "UTC" in hint
        # A past time, however old, is a warning, not an error (§3: sent at once).
        for past in ("2026-11-01T10:00+05:30", "2020-01-01T10:00+05:30"):
            sms.set_value("scheduledTime", past)
            await pilot.pause(0.3)
            assert "in the past" in text(sms.query_one("#scheduledTime-hint", Static))
            assert error_text(sms, "scheduledTime") == ""
        # Times no calendar maths can place, or past the horizon, are field errors; they
        # crashed the app (OverflowError).
        for typo, said in (("0001-01-01T00:00", "out of range"),
                           ("9999-12-31T23:59:59-23:59", "too far ahead")):  # fmt: skip
            sms.set_value("scheduledTime", typo)
            await pilot.pause(0.3)
            assert said in error_text(sms, "scheduledTime")


async def test_drafts_survive_a_restart_and_clear_removes_them(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="Half-written")
        await pilot.press("alt+3")
        await fill(pilot, "whatsapp", template="Draft for WhatsApp")
        await pilot.press("ctrl+q")  # quitting flushes the debounced save
    saved = json.loads((tmp_path / "drafts.json").read_text())
    assert saved["sms"] == {"to": "919591471711", "body": "Half-written"}

    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await again.workers.wait_for_complete()
        await pilot.pause()
        assert screen.form("sms").value("body") == "Half-written"
        assert screen.form("whatsapp").value("template") == "Draft for WhatsApp"
        await pilot.press("ctrl+l")
        await modal(pilot, "confirm-clear")  # it holds what was written: asked first
        await pilot.press("tab", "enter")  # "Clear it"
        await again.workers.wait_for_complete()
        assert screen.form("sms").value("body") == ""
    assert "sms" not in json.loads((tmp_path / "drafts.json").read_text())


async def test_clear_asks_before_it_drops_what_was_typed_and_keeps_the_profiles_from(
    app_factory: AppFactory, session: Session
) -> None:
    """Field test: Clear wiped the form unasked, the profile's From with it (the next send
    failed "From is required")."""
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        email = screen.form("email")
        default_from = email.value("from")
        assert default_from  # the profile's
        await fill(pilot, "email", to="ana@example.com", subject="Statement", body="Attached.")
        typed = email.values()
        await pilot.click(email.query_one("#clear-button"))
        question = await modal(pilot, "confirm-clear")
        assert question.query_one("#cancel").has_focus  # the default keeps it
        await pilot.press("enter")
        await pilot.pause()
        assert email.values() == typed
        email.query_one("#to").focus()
        email.query_one(".form-fields").scroll_end(animate=False)  # the wheel: To out of view
        await pilot.pause()
        assert not in_view(email, "to")
        await pilot.press("ctrl+l")
        await modal(pilot, "confirm-clear")
        await pilot.press("tab", "enter")  # "Clear it"
        await pilot.pause()
        assert email.values() == {"from": default_from}  # a fresh form, From as the profile says
        assert app.focused is email.query_one("#to") and in_view(email, "to")
        await pilot.press("ctrl+l")  # nothing of the user's in it: cleared at once
        await pilot.pause()
        assert app.screen is screen and email.values() == {"from": default_from}
        await fill(pilot, "email", to="ana@example.com", subject="Again")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.outcome.value == "accepted"  # not "From is required"
        assert outbox_of(session)[0]["from"] == default_from
        await fill(pilot, "email", body="A line added after the send")
        await pilot.press("ctrl+l")
        await modal(pilot, "confirm-clear")  # that line is nowhere else: asked
        await pilot.press("escape")
        await pilot.pause()
        email.set_value("body", "")  # the form as it was sent
        await pilot.press("ctrl+l")  # the history has it (compose again): cleared at once
        await pilot.pause()
        assert app.screen is screen and email.values() == {"from": default_from}


def in_view(form: ComposeForm, field_id: str) -> bool:
    """The field is inside the part of the form's scroll shown on screen."""
    shown = form.query_one(".form-fields").region
    return shown.contains_region(form.query_one(f"#{field_id}").region)


def outbox_of(session: Session) -> list[dict[str, object]]:
    assert session.sandbox is not None
    return session.sandbox.state.outbox()


async def test_theme_choice_is_remembered(app_factory: AppFactory, tmp_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert app_factory().theme == "nord"


async def test_header_help_and_palette(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        header = app.screen.query_one(AppHeader)
        assert text(header.query_one("#env-badge", Static)).strip() == "SANDBOX"
        assert "sandbox" in text(header.query_one("#target", Static))
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"zalo", "enter")
        await pilot.pause()
        shown = app.compose_screen.visible_form()
        assert shown is not None and shown.CHANNEL == "zalo"


async def test_the_palette_screenshot_is_saved_in_the_data_folder(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    """Textual's own "Screenshot" failed in a terminal, and its "Quit" and "Keys" doubled ours:
    the palette's Screenshot writes an SVG to the data folder and says where."""
    from textual.command import CommandPalette

    from comms_tui.store.paths import data_dir

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Quit" not in titles and "Keys" not in titles and "Screenshot" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Screenshot")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [svg] = list(data_dir().glob("screenshot-*.svg"))
        assert svg.read_text(encoding="utf-8").startswith("<svg")
        assert any(f"Saved as {svg}" in note for note in notes(app))


async def test_the_first_frame_is_header_and_footer_and_early_keys_are_kept(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forms come a frame later; what was typed meanwhile lands in the first field."""
    from comms_tui.tui.compose.screen import ComposeScreen

    release = asyncio.Event()
    real_build = ComposeScreen.build_body  # starts the build worker

    @work(group="build")
    async def held_build(self: ComposeScreen) -> None:
        await release.wait()
        real_build(self)

    monkeypatch.setattr(ComposeScreen, "build_body", held_build)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.compose_screen
        await pilot.pause()
        assert screen.query_one(AppHeader) and not screen.forms()
        assert app.session is None  # the session opens once the forms are there
        await pilot.press("9", "1", "9")
        release.set()
        await connected(pilot)
        assert app.focused is screen.form("sms").query_one("#to")
        await pilot.press("5", "9", "1")  # carries on after them (not replacing a selection)
        assert screen.form("sms").value("to") == "919591"


async def test_own_sandbox_opens_after_the_first_frame_and_stops_on_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = Session.for_sandbox.__func__  # type: ignore[attr-defined]

    def slow_for_sandbox(cls: type[Session], sandbox: object = None) -> Session:
        release.wait(10)  # a slow start: the UI must be up and usable meanwhile
        return real(cls, sandbox)  # type: ignore[no-any-return]

    monkeypatch.setattr(Session, "for_sandbox", classmethod(slow_for_sandbox))
    app = make_app(sandbox=True, drafts_path=tmp_path / "drafts.json")
    async with app.run_test(size=SIZE) as pilot:
        header = app.screen.query_one(AppHeader)
        assert "starting the sandbox" in text(header.query_one("#target", Static))
        await first_form_shown(pilot)
        assert app.compose_screen.form("sms").query_one("#send-button").disabled
        await pilot.press("9")  # typing works while connecting
        assert app.compose_screen.form("sms").value("to") == "9"
        release.set()
        await connected(pilot)
        assert not app.compose_screen.form("sms").query_one("#send-button").disabled
        sandbox = app.session.sandbox if app.session else None
        assert sandbox is not None and sandbox.base_url
    with pytest.raises(RuntimeError):
        sandbox.base_url  # noqa: B018  (stopped with the app)


async def test_no_profile_opens_the_welcome_screen(tmp_path: Path) -> None:
    from comms_tui.tui.screens.welcome import WelcomeScreen

    app = make_app(drafts_path=tmp_path / "drafts.json")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if isinstance(app.screen, WelcomeScreen):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, WelcomeScreen)


def side_by_side(screen: ComposeScreen) -> bool:
    """The wide layout: the form and the results pane, both on screen."""
    return screen.results.region.width > 0 and screen.query_one("#channels").region.width > 0


@pytest.mark.parametrize("side_screen", ["f2", "ctrl+o"])  # History; the attachment picker
async def test_the_layout_follows_a_resize_made_under_another_screen(
    app_factory: AppFactory, side_screen: str, files: Path
) -> None:
    """Field test: widened from 80×24 while History (or the picker) was on top, the compose
    screen came back in its narrow layout: no results pane, and ctrl+r showed nothing."""
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        await fill(pilot, "email", to="ana@example.com", subject="Wide and narrow")
        await send(pilot)
        await pilot.press("escape")  # narrow: from the results back to the form
        await pilot.pause()
        assert not side_by_side(screen)
        for size, wide in (((120, 40), True), ((80, 24), False), ((120, 40), True)):
            await pilot.press(side_screen)
            await until(pilot, lambda: app.screen is not screen, "the side screen")
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen, "back to the form")
            await pilot.pause()
            assert side_by_side(screen) is wide, size
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.focused is screen.query_one("#sends") and side_by_side(screen)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_one_channel_key_from_the_results_switches_channel(
    app_factory: AppFactory, size: tuple[int, int]
) -> None:
    """Field test: ctrl+r, then alt+2 went back to the form on the old channel."""
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        screen = await connected(pilot)
        await pilot.press("alt+2")
        email = await fill(pilot, "email", scheduledTime="+1h")  # scrolled down to its end
        email.query_one("#send-button").focus()  # and left from Send, below the scroll
        await pilot.pause()
        await pilot.press("alt+1")
        await fill(pilot, "sms", to="919591471711", body="hello")
        await send(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.focused is screen.query_one("#sends")
        await pilot.press("alt+2")
        await pilot.pause()
        assert screen.active_channel == "email"
        assert app.focused is email.query_one("#to")
        assert email.region.width > 0  # on screen, narrow too
        assert in_view(email, "to")  # what is typed next is seen
