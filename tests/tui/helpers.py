"""Pilot helpers shared by the TUI tests."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from comms_tui.tui.app import CommsApp
from comms_tui.tui.compose.forms.base import VALIDATE_DELAY, ComposeForm
from comms_tui.tui.compose.screen import ComposeScreen
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.widgets.results import ResultsPane

SIZE = (120, 36)


async def connected(pilot: Pilot[None]) -> ComposeScreen:
    """Wait until the session is open and the forms are bound to it."""
    app = pilot.app
    assert isinstance(app, CommsApp)
    for _ in range(250):
        if app.session is not None:
            break
        await pilot.pause(0.02)
    assert app.session is not None, "the session never opened"
    await pilot.pause()
    return app.compose_screen


async def first_form_shown(pilot: Pilot[None]) -> ComposeScreen:
    """Wait until the first compose form is on screen (the session may still be opening)."""
    app = pilot.app
    assert isinstance(app, CommsApp)
    for _ in range(250):
        if app.compose_screen.forms():
            return app.compose_screen
        await pilot.pause(0.02)
    raise AssertionError("the compose form never appeared")


def form(pilot: Pilot[None], channel: str) -> ComposeForm:
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    return screen.form(channel)


async def fill(pilot: Pilot[None], channel: str, **fields: str) -> ComposeForm:
    """Type each field as a user would (focus, keys), then let validation run."""
    target = form(pilot, channel)
    for field_id, text in fields.items():
        widget = target.query_one(f"#{field_id}")
        assert isinstance(widget, Input | TextArea)
        widget.focus()
        await pilot.pause()
        # Type a little, insert the rest as a paste would: Pilot keys cost ~60 ms each.
        await pilot.press(*text[:1])
        if isinstance(widget, TextArea):
            widget.insert(text[1:])
        else:
            widget.insert_text_at_cursor(text[1:])
        await pilot.pause()
    await pilot.pause(VALIDATE_DELAY + 0.1)
    return target


async def modal(pilot: Pilot[None], screen_id: str = "") -> ConfirmScreen:
    """Wait for the send flow's modal (it is pushed from a worker, a moment after the key)."""
    for _ in range(250):
        screen = pilot.app.screen
        if isinstance(screen, ConfirmScreen) and screen_id in ("", screen.id):
            await pilot.pause()
            return screen
        await pilot.pause(0.02)
    raise AssertionError(f"no confirmation modal {screen_id!r}; the screen is {pilot.app.screen}")


async def send(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+j")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def results(pilot: Pilot[None]) -> ResultsPane:
    return pilot.app.screen.query_one(ResultsPane)


def error_text(target: ComposeForm, field_id: str) -> str:
    line = target.query_one(f"#{field_id}-error")
    return str(line.render()) if line.has_class("-shown") else ""
