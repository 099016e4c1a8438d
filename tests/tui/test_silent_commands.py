"""A command that does nothing says why, or is not offered: never a key or a palette entry that
leaves the user guessing (a field test found four that did nothing, in silence)."""

from __future__ import annotations

from textual.command import CommandPalette

from comms_tui.tui.palette import commands
from comms_tui.tui.screens.attachments import AttachmentPickerScreen
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, fill, notes, results, send


async def test_the_palette_offers_attach_on_the_email_form_only(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("alt+3")  # WhatsApp
        titles = [title for title, _, _ in commands(app)]
        assert "Attach a file…" not in titles
        assert "Template…" in titles and "Template: otp" in titles
        await pilot.press("alt+2")  # Email
        titles = [title for title, _, _ in commands(app)]
        assert "Attach a file…" in titles
        assert "Template…" not in titles and "Template: otp" not in titles


async def test_the_palette_over_another_screen_offers_no_compose_command(
    app_factory: AppFactory,
) -> None:
    """Over History, "Send" ran the History screen's (missing) send: nothing happened."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f2")
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        history = app.screen_stack[-2]
        titles = [title for title, _, _ in commands(app, history)]
        assert "Send" not in titles and "Clear form" not in titles
        assert "Help" in titles and "Quit" in titles
        assert "Template: otp" in titles  # it fills the SMS form under History, as before


async def test_ctrl_o_on_a_form_without_attachments_says_so(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+o")  # on the SMS form
        await pilot.pause()
        assert not isinstance(app.screen, AttachmentPickerScreen)
        assert "Attachments are for Email, not SMS." in notes(app)


async def test_ctrl_t_on_the_email_form_says_templates_are_for_the_others(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("alt+2", "ctrl+t")
        await pilot.pause()
        assert app.screen is app.compose_screen
        assert "Templates are for SMS, WhatsApp and Zalo, not Email." in notes(app)


async def test_f_with_nothing_failed_says_so(app_factory: AppFactory) -> None:
    """The footer showed "f Resend failed" greyed out, and f did nothing."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await fill(pilot, "sms", to="919591471711", body="all went out")
        await send(pilot)
        [record] = results(pilot).records
        assert record.result.success_count == 1
        results(pilot).focus_list()
        await pilot.press("f")
        await pilot.pause()
        assert "No item of the selected send failed: nothing to resend." in notes(app)


async def test_ctrl_c_says_how_to_quit_without_markup(app_factory: AppFactory) -> None:
    """Textual's own text is markup (``[b]ctrl+q[/b]``), and every notification here is plain."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert notes(app) == ["Press ctrl+q to quit the app."]
