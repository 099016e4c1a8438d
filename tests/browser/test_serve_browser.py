"""``comms-tui serve --sandbox`` in a real Chromium: the page, typing, the shared outbox, processes.

Each page's app is a child process of ``serve``; the tests find them in /proc.
"""

from __future__ import annotations

import json
import signal
import struct
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from comms_tui.sandbox import EmbeddedSandbox
from tests.browser.conftest import PAGE_TIMEOUT, VIEWPORT, AppPage, isolated_env
from tests.support.cli import run_cli
from tests.support.serve import Served, command_line, is_running, wait_until

if TYPE_CHECKING:  # without Playwright these tests skip (or fail in CI), not break collection
    from playwright.sync_api import BrowserContext

pytestmark = [pytest.mark.browser, pytest.mark.slow]

END_TIMEOUT = 15.0  # a tab's app writes its drafts and leaves well within this


def outbox(sandbox_url: str) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = httpx.get(
        f"{sandbox_url}/sandbox/outbox", timeout=5
    ).json()["messages"]
    return messages


def wait_for_message(sandbox_url: str, recipient: str, body: str) -> None:
    wait_until(
        lambda: any(m["recipient"] == recipient and m["body"] == body for m in outbox(sandbox_url)),
        timeout=PAGE_TIMEOUT,
        what=f"{body!r} to {recipient} in the sandbox outbox (it has: {outbox(sandbox_url)})",
        step=0.2,
    )


def open_app(browser: BrowserContext, served: Served) -> AppPage:
    assert served.sandbox_url is not None
    page = AppPage(browser, served.url)
    page.wait_connected(served.sandbox_url)
    return page


def test_the_page_loads_and_the_app_renders(
    browser: BrowserContext, served: Served, tmp_path: Path
) -> None:
    page = open_app(browser, served)
    try:
        page.wait_for_text("SANDBOX")  # the header's badge
        shot = tmp_path / "app.png"
        colours = page.screenshot_colours(shot)
    finally:
        page.close()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == (VIEWPORT["width"], VIEWPORT["height"])
    # A blank or single-colour page has 1–2; the app's header, tabs, form and footer many more.
    assert colours >= 8, f"the screenshot looks blank: {colours} distinct colours"


def test_two_pages_send_to_one_sandbox_and_closing_them_ends_their_apps(
    browser: BrowserContext, served: Served
) -> None:
    assert served.sandbox_url is not None
    before = set(served.children())
    first, second = open_app(browser, served), open_app(browser, served)
    try:
        apps = set(served.children()) - before
        assert len(apps) == 2, f"expected one app process per page, got {apps}"
        for pid in apps:
            assert command_line(pid)[1:] == ["-m", "comms_tui.cli", "--sandbox"]

        nonce = uuid.uuid4().hex[:6]
        first.type_sms("919591471711", f"Hello from the first tab {nonce}")
        wait_for_message(served.sandbox_url, "919591471711", f"Hello from the first tab {nonce}")
        second.type_sms("12025550100", f"Hello from the second tab {nonce}")
        wait_for_message(served.sandbox_url, "12025550100", f"Hello from the second tab {nonce}")
        first.wait_for_text("ACCEPTED")  # each page shows its own result
        second.wait_for_text("ACCEPTED")

        # The Outbox screen of either tab shows both people's messages.
        second.page.keyboard.press("F3")
        second.wait_for_text("919591471711")
        second.wait_for_text("12025550100")
    finally:
        first.close()
        second.close()

    wait_until(
        lambda: not any(is_running(pid) for pid in apps),
        timeout=END_TIMEOUT,
        what=f"the closed pages' app processes {apps} to end",
    )
    assert not set(served.children()) & apps
    served.wait_for(r"session \d+ ended \(exit status 0\)", timeout=END_TIMEOUT)
    served.wait_for(r"session \d+ ended \(exit status 0\)", timeout=END_TIMEOUT)


def test_what_was_typed_just_before_the_tab_closed_is_kept(
    browser: BrowserContext, served: Served
) -> None:
    before = set(served.children())
    page = open_app(browser, served)
    (app,) = set(served.children()) - before
    text = f"typed, then the tab closed {uuid.uuid4().hex[:6]}"
    page.clear_form()
    mark = page.mark()
    page.page.keyboard.type(text, delay=5)
    page.wait_for_text(text, after=mark)  # the app has it (the browser sent every key)
    page.close()  # before the half second after which a draft is written anyway

    wait_until(lambda: not is_running(app), timeout=END_TIMEOUT, what="the app to end")
    assert served.home is not None
    drafts = json.loads((served.home / "data" / "drafts.json").read_text("utf-8"))
    assert drafts["sms"]["to"] == text


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP], ids=["ctrl+c", "hangup"])
def test_stopping_serve_ends_every_app_and_the_sandbox(
    browser: BrowserContext, tmp_path: Path, sig: signal.Signals
) -> None:
    with Served("--sandbox", "--port", "0", env=isolated_env(tmp_path)) as served:
        assert served.sandbox_url is not None
        page = open_app(browser, served)
        try:
            apps = served.children()
            assert len(apps) == 1
            assert served.stop(sig, timeout=END_TIMEOUT) == 0
            assert not any(is_running(pid) for pid in apps)
            page.page.wait_for_selector("body.-closed", timeout=PAGE_TIMEOUT * 1000)
        finally:
            page.close()
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{served.sandbox_url}/sandbox/health", timeout=2)
        assert "comms-tui serve: stopped" in "".join(served.lines)


def test_an_app_does_not_outlive_a_killed_serve(browser: BrowserContext, tmp_path: Path) -> None:
    with Served("--sandbox", "--port", "0", env=isolated_env(tmp_path)) as served:
        page = open_app(browser, served)
        try:
            (app,) = served.children()
            served.process.kill()  # no chance to clean up
            served.process.wait(5)
            wait_until(lambda: not is_running(app), timeout=END_TIMEOUT, what="the orphan to end")
        finally:
            page.close()


def test_with_a_profile_each_tab_sends_with_that_profile(
    browser: BrowserContext, tmp_path: Path
) -> None:
    keyring = {
        "PYTHON_KEYRING_BACKEND": "tests.support.keyring_backends.FileKeyring",
        "COMMS_TUI_TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }
    with EmbeddedSandbox() as api:  # stands in for the real API: a profile like any other
        added = run_cli(
            "profile", "add", "demo", "--host", api.base_url, "--username", "sandbox",
            "--password-stdin", input="sandbox\n", env=keyring,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        with Served("--profile", "demo", "--port", "0", env=keyring) as served:
            (line,) = [line for line in served.lines if "sending with" in line]
            assert "profile demo" in line
            page = AppPage(browser, served.url)
            try:
                page.wait_connected(api.base_url)
                (app,) = served.children()
                assert command_line(app)[1:] == ["-m", "comms_tui.cli", "--profile", "demo"]
                page.type_sms("919591471711", "Sent with the demo profile")
                wait_for_message(api.base_url, "919591471711", "Sent with the demo profile")
            finally:
                page.close()
