"""Pilot helpers shared by the TUI tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from comms_tui.api.target import BasicCredentials, Target
from comms_tui.core.session import Session
from comms_tui.store.history import Journal
from comms_tui.store.profiles import Profile
from comms_tui.tui.app import CommsApp, make_app
from comms_tui.tui.compose.forms.base import VALIDATE_DELAY, ComposeForm
from comms_tui.tui.compose.screen import ComposeScreen
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.widgets.results import ResultsPane

SIZE = (120, 36)


def rogue_session(base_url: str, *, timeout: float = 5.0, **profile: Any) -> Session:
    """A session whose profile sends to ``base_url`` (a rogue server) with Basic credentials."""
    options: dict[str, Any] = {
        "name": "rogue", "host": base_url, "auth": "basic", "username": "u", "region": "IN",
        "timezone": "Asia/Kolkata",
    }  # fmt: skip
    options.update(profile)
    target = Target(
        base_url=base_url, credentials=BasicCredentials("u", "p"), label="rogue",
        read_timeout=timeout,
    )  # fmt: skip
    return Session(target=target, profile=Profile(**options))


def app_on(session: Session | None, tmp_path: Path, **options: Any) -> CommsApp:
    """The app on ``session`` with its own journal and drafts in ``tmp_path``, on a fixed clock."""
    from tests.tui.conftest import fixed_clock

    return make_app(
        session=session,
        journal=Journal(tmp_path / "history.sqlite3"),
        drafts_path=tmp_path / "drafts.json",
        clock=fixed_clock,
        **options,
    )


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


async def until(pilot: Pilot[Any], condition: Callable[[], object], what: str) -> None:
    """Wait (up to 10 s) for ``condition()``: what a key sets off may take a few frames."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never: {what}")


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


def notes(app: CommsApp) -> list[str]:
    """The notifications on screen now (their messages)."""
    return [str(n.message) for n in app._notifications]


# Characters a terminal obeys or that reorder text: none may reach the screen raw.
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def on_screen(app: App[Any]) -> str:
    """Every line the compositor would write to the terminal now (toasts included)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def raw_controls(app: App[Any]) -> list[str]:
    """Control characters that would reach the terminal or a screenshot as they are."""
    found = RAW_CONTROL.findall(on_screen(app))
    svg = app.export_screenshot()
    found += RAW_CONTROL.findall(svg.replace("\n", ""))
    return found


def clickable(app: App[Any]) -> list[str]:
    """The actions and links the screen holds: what a click could do."""
    found: list[str] = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            if style.link:
                found.append(f"link {style.link}")
            if (action := (style.meta or {}).get("@click")) is not None:
                found.append(str(action))
    return found
