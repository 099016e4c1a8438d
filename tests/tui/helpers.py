"""Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from comms_tui.tui.app import CommsApp
from comms_tui.tui.screens.compose import VALIDATE_DELAY, ComposeForm
from comms_tui.tui.screens.compose_screen import ComposeScreen
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.widgets.results import ResultsPane

SIZE = (120, 36)


async def connected(pilot: Pilot[None]) -> ComposeScreen:
    """Wait until the session is open and the forms are bound to it."""
    app = pilot.app
    assert isinstance(app, CommsApp)
    for _ in range(200):
        if app.connection is not None:
            break
        await pilot.pause(0.02)
    assert app.connection is not None, "the session never opened"
    screen = app.compose_screen
    # The hidden tabs' forms are built a frame after the first one.
    await asyncio.wait_for(screen.all_forms_built.wait(), timeout=5)
    await pilot.pause()
    return screen


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
