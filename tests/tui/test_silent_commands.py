"""A command that does nothing says why, or is not offered: never a key or a palette entry that
leaves the user guessing (a field test found four that did nothing, in silence)."""

from __future__ import annotations

from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected, notes


async def test_ctrl_c_says_how_to_quit_without_markup(app_factory: AppFactory) -> None:
    """Textual's own text is markup (``[b]ctrl+q[/b]``), and every notification here is plain."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert notes(app) == ["Press ctrl+q to quit the app."]
