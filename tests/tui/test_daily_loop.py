"""The small things a daily user feels (issue 13): help, focus, filters, hints, meters."""

from __future__ import annotations

from textual.widgets import Static

from comms_tui.sandbox.rules import MAGIC_RECIPIENTS
from comms_tui.tui.screens.help import HelpScreen
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected


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
