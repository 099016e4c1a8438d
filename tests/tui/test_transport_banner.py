"""An insecure connection (TLS verification off, or plain http:// to a remote host) is called out
on every screen — compose, history, outbox, sender lab, help, the command palette and modals —
not just in a notification at start; a normal session shows no such line."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen

from comms_tui.api.target import BasicCredentials, Target
from comms_tui.core.session import SANDBOX_PASSWORD, SANDBOX_USERNAME, Session, sandbox_profile
from comms_tui.sandbox.server import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.tui.app import CommsApp, make_app
from comms_tui.tui.compose.screen import ComposeScreen
from comms_tui.tui.screens.confirm import ConfirmScreen
from comms_tui.tui.screens.help import HelpScreen
from comms_tui.tui.screens.history import HistoryScreen
from comms_tui.tui.screens.outbox import OutboxScreen
from comms_tui.tui.sender_lab.screen import SenderLabScreen
from comms_tui.tui.widgets.header import AppHeader
from comms_tui.tui.widgets.transport_warning import InsecureTransportBanner
from tests.tui.conftest import AppFactory, fixed_clock
from tests.tui.helpers import SIZE, connected, fill, modal

TLS_OFF = "TLS verification is OFF for profile selfsigned — certificates are not checked"


def insecure_session(sandbox: EmbeddedSandbox, **target: object) -> Session:
    """The test sandbox behind a profile that turned TLS verification off (or, with
    ``base_url``, plain http to a remote host). The sandbox is attached so the outbox opens."""
    sandbox.state.reset()
    options: dict[str, object] = {
        "base_url": sandbox.base_url,
        "credentials": BasicCredentials(SANDBOX_USERNAME, SANDBOX_PASSWORD),
        "verify_tls": False,
        "label": "selfsigned",
    }
    options.update(target)
    profile = sandbox_profile(sandbox.base_url).model_copy(update={"name": "selfsigned"})
    return Session(target=Target(**options), profile=profile, sandbox=sandbox)  # type: ignore[arg-type]


def make(session: Session, tmp_path: Path) -> CommsApp:
    return make_app(
        session=session,
        journal=Journal(tmp_path / "history.sqlite3"),
        drafts_path=tmp_path / "drafts.json",
        clock=fixed_clock,
    )


async def wait_until(pilot: Pilot[None], condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


async def banner_on(pilot: Pilot[None], kind: type[Screen[Any]]) -> InsecureTransportBanner:
    """The current screen, once it is a ``kind``, shows the banner on screen."""
    app = pilot.app

    def shown() -> bool:
        screen = app.screen
        if not isinstance(screen, kind):
            return False
        found = screen.query(InsecureTransportBanner)
        return bool(found) and found.first().region.height >= 1

    await wait_until(pilot, shown, f"the banner on {kind.__name__}")
    await pilot.pause()
    screen = app.screen
    [banner] = screen.query(InsecureTransportBanner)
    assert banner.display and banner.visible
    assert banner.region.width == screen.region.width  # a full line, not a corner
    assert TLS_OFF in str(banner.render())
    # Inside the screen's area and not hidden under anything of the screen's own.
    assert screen.region.contains_region(banner.region)
    assert screen.get_widget_at(banner.region.x + 2, banner.region.y)[0] is banner
    return banner


async def test_tls_off_is_shown_on_every_screen(sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    session = insecure_session(sandbox)
    assert session.insecure_transport == TLS_OFF
    app = make(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        compose = await connected(pilot)
        banner = await banner_on(pilot, ComposeScreen)
        header = compose.query_one(AppHeader)
        assert banner.region.y == header.region.bottom  # right under the header, not over it
        assert "profile selfsigned" in str(header.query_one("#target").render())

        await pilot.press("f1")
        await banner_on(pilot, HelpScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen), "compose")

        side: list[tuple[str, type[Screen[Any]]]] = [
            ("f2", HistoryScreen), ("f3", OutboxScreen), ("f4", SenderLabScreen),
        ]  # fmt: skip
        for key, kind in side:
            await pilot.press(key)
            await banner_on(pilot, kind)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen), "compose")

        await pilot.press("ctrl+p")
        palette = await banner_on(pilot, ModalScreen)
        assert palette.styles.dock == "top"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen), "compose")

        await fill(pilot, "sms", to="919591471711", body="x" * 700)  # asks: 5 segments
        await pilot.press("ctrl+j")
        await modal(pilot, "confirm-long-sms")
        confirm = await banner_on(pilot, ConfirmScreen)
        assert confirm.region.y == 0  # docked on the modal's top line
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        assert sandbox.state.outbox() == []

        # Back on compose: still exactly one banner (not one per visit).
        assert len(app.compose_screen.query(InsecureTransportBanner)) == 1


@pytest.mark.parametrize("verify_tls", [True, False])
async def test_plain_http_to_a_remote_host_is_shown_too(
    sandbox: EmbeddedSandbox, tmp_path: Path, verify_tls: bool
) -> None:
    """http:// to a non-loopback host (a profile with allow_insecure_http): nothing is
    encrypted, whatever verify_tls says. Nothing is sent here, so the host need not exist."""
    session = insecure_session(
        sandbox, base_url="http://comms.example.com", verify_tls=verify_tls, label="selfsigned"
    )
    text = session.insecure_transport
    assert text is not None and "plain http:// to comms.example.com" in text
    app = make(session, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await wait_until(pilot, lambda: app.screen.query(InsecureTransportBanner), "the banner")
        [banner] = app.screen.query(InsecureTransportBanner)
        assert text in str(banner.render())
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await wait_until(pilot, lambda: app.screen.query(InsecureTransportBanner), "help's banner")


async def test_a_normal_session_shows_no_banner(app_factory: AppFactory, session: Session) -> None:
    assert session.insecure_transport is None  # sandbox: http, but loopback; TLS not involved
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        for key, kind in [("f1", HelpScreen), ("f2", HistoryScreen), ("f4", SenderLabScreen)]:
            await pilot.press(key)
            await wait_until(pilot, lambda k=kind: isinstance(app.screen, k), kind.__name__)  # type: ignore[misc]
            await pilot.pause()
            await pilot.pause()  # the app's screen-change callbacks have run
            assert not app.screen.query(InsecureTransportBanner)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen), "compose")
        assert not app.compose_screen.query(InsecureTransportBanner)


def test_the_warning_text_comes_from_the_target() -> None:
    def session(base_url: str, *, verify_tls: bool = True) -> Session:
        target = Target(base_url=base_url, credentials=BasicCredentials("u", "p"),
                        verify_tls=verify_tls, label="work")  # fmt: skip
        return Session(target=target, profile=None)

    assert session("https://eu.api.capillarytech.com").insecure_transport is None
    assert session("http://127.0.0.1:8765").insecure_transport is None
    assert session("http://localhost:1").insecure_transport is None
    off = session("https://eu.api.capillarytech.com", verify_tls=False).insecure_transport
    assert off == "TLS verification is OFF for profile work — certificates are not checked"
    plain = session("http://10.0.0.8:8765").insecure_transport
    assert plain is not None and plain.startswith("plain http:// to 10.0.0.8 for profile work")
