"""Regenerate the README's screenshots: the real app on the embedded sandbox, driven by Pilot.

    python screenshots/make_screenshots.py        # writes screenshots/*.svg at 120×36
                                                  # (and narrow_*.svg at 80×24)

Then ``make_browser_screenshot.py`` writes ``browser.png``: the app served to a real Chromium.
Each screen is captured from one running app (the sandbox, journal and drafts are throwaway).
Screens of other modules (history, outbox, attachment picker, welcome) are captured when present.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (120, 36)
NARROW = (80, 24)  # macOS Terminal's default


def _isolate() -> None:
    """Never touch the user's drafts, theme, journal or profiles."""
    home = Path(tempfile.mkdtemp(prefix="comms-tui-shots-"))
    os.environ["COMMS_TUI_CONFIG_DIR"] = str(home / "config")
    os.environ["COMMS_TUI_DATA_DIR"] = str(home / "data")


async def main() -> int:
    _isolate()
    import dataclasses

    from textual.pilot import Pilot
    from textual.widgets import Input, TextArea

    from comms_tui.core.session import Session
    from comms_tui.sandbox.server import EmbeddedSandbox
    from comms_tui.store.profiles import Profile
    from comms_tui.tui.app import CommsApp, make_app

    sandbox = EmbeddedSandbox()
    sandbox.start()

    def real_session() -> Session:
        """The sandbox as a real org's profile sees it: sends ask what real sends ask (a
        sandbox session does not ask before sending to several recipients)."""
        session = Session.for_sandbox(sandbox)
        profile = Profile(
            name="acme", host=session.target.base_url, auth="basic", username="sandbox",
            region="IN", timezone="Asia/Kolkata",
        )  # fmt: skip
        return Session(target=dataclasses.replace(session.target, label="acme"), profile=profile)

    app = make_app(session=Session.for_sandbox(sandbox))
    written: list[str] = []

    async def settle(pilot: Pilot[None]) -> None:
        # Only this app's own short workers: other screens may keep theirs running.
        busy = [w for w in app.workers if w.group in ("highlight", "drafts", "session")]
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause(0.2)
        for screen in app.screen_stack:
            for widget in screen.query("Input, TextArea"):
                if isinstance(widget, Input | TextArea):
                    widget.cursor_blink = False
        app.clear_notifications()
        await pilot.pause()

    async def save(pilot: Pilot[None], name: str) -> None:
        await settle(pilot)
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
        written.append(name)

    async def fill(pilot: Pilot[None], channel: str, **fields: str) -> None:
        form = app.compose_screen.form(channel)
        for field_id, text in fields.items():
            form.set_value(field_id, text)
        await pilot.pause(0.3)

    async def confirm_modal(pilot: Pilot[None]) -> None:
        for _ in range(250):  # pushed from the send worker, a moment after the key
            if app.screen.id and app.screen.id.startswith("confirm"):
                return
            await pilot.pause(0.02)

    async def optional(name: str, step: Callable[[], Awaitable[None]]) -> None:
        try:
            await step()
        except Exception as exc:  # another module's screen missing or changed: skip it
            print(f"skipped {name}: {exc}", file=sys.stderr)

    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app, CommsApp)
        while app.session is None:  # opened once every form is built
            await pilot.pause(0.05)

        await fill(
            pilot,
            "sms",
            to="919591471711, +65 8123 4567",
            body="747977 is your OTP for Northwind. Valid for 15 minutes.",
            sender="CAPNTH",
            scheduledTime="tomorrow 09:00",
        )
        await save(pilot, "compose_sms")

        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await save(pilot, "result")

        await pilot.press("alt+1")
        await fill(
            pilot,
            "sms",
            to="919591471711, 12025550101",
            body="Your parcel NW-4411 is out for delivery.",
            scheduledTime="",
        )
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+r", "enter")
        await save(pilot, "result_detail")

        await pilot.press("alt+2")
        await fill(
            pilot,
            "email",
            to="ana@example.com",
            cc="ops@example.com",
            subject="Your March statement",
            body="Hi Ana,\n\nYour statement is attached.\n\nNorthwind",
        )
        await save(pilot, "compose_email")

        await pilot.press("alt+3")
        await fill(
            pilot, "whatsapp", receiver="+65 8123 4567", template="Your order #4411 ships today."
        )
        await save(pilot, "compose_whatsapp")

        await pilot.press("alt+4")
        await fill(pilot, "zalo", receiver="+84 912 345 678", template="Mã OTP của bạn là 747977")
        await save(pilot, "compose_zalo")

        await pilot.press("alt+1")
        await fill(pilot, "sms", to="12345", body="", sender="TOO LONG ID")
        await pilot.press("ctrl+j")
        await save(pilot, "validation")

        await pilot.press("f1")
        await save(pilot, "help")
        await pilot.press("escape")

        async def history() -> None:
            await pilot.press("f2")
            await save(pilot, "history")
            await pilot.press("escape")

        async def outbox() -> None:
            await pilot.press("f3")
            await pilot.pause(0.5)
            await save(pilot, "outbox")
            await pilot.press("escape")

        async def picker() -> None:
            await pilot.press("alt+2", "ctrl+o")
            await pilot.pause(0.3)
            await save(pilot, "attach")
            await pilot.press("escape")

        await optional("history", history)
        await optional("outbox", outbox)
        await optional("attach", picker)

    app = make_app(session=real_session())
    async with app.run_test(size=SIZE) as pilot:
        while app.session is None:
            await pilot.pause(0.05)
        await fill(
            pilot,
            "sms",
            to="919591471711, 919591471712",
            body="Your March statement is ready: northwind.example/s/4411",
        )
        await pilot.press("ctrl+j")
        await confirm_modal(pilot)
        await save(pilot, "confirm")
        await pilot.press("escape")

    app = make_app(session=Session.for_sandbox(sandbox))
    async with app.run_test(size=NARROW) as pilot:
        while app.session is None:
            await pilot.pause(0.05)
        await fill(
            pilot,
            "sms",
            to="919591471711, 12025550101",
            body="747977 is your OTP for Northwind. Valid for 15 minutes.",
            sender="CAPNTH",
        )
        await save(pilot, "narrow_compose")
        await pilot.press("ctrl+j")  # in 80 columns the results take the form's place
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await save(pilot, "narrow_result")

    sandbox.stop()
    print("wrote " + ", ".join(f"screenshots/{n}.svg" for n in written))
    return 0


if __name__ == "__main__":
    code = asyncio.run(main())
    # The browser shot is its sibling script (run from this directory, like this one).
    import importlib

    browser = importlib.import_module("make_browser_screenshot")
    sys.exit(code or int(browser.main()))
