"""A real Chromium (Debian's ``chromium`` package) driven by Playwright, and pages of ``serve``.

Playwright's own browser download is never used: ``executable_path`` is the system Chromium
(``COMMS_TUI_TEST_CHROMIUM`` to point elsewhere). Without it, or without Playwright, these tests
skip and say what is missing; in CI (``$CI`` set, as ``.ci/run`` does) they fail instead.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.serve import Served

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

CHROMIUM = os.environ.get("COMMS_TUI_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
PAGE_TIMEOUT = 30.0  # seconds for a page's app to start and connect (a loaded CI machine)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing(what: str) -> None:
    if _in_ci():
        pytest.fail(f"CI runs the browser tests: {what}", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("needs Playwright for Python (pip install -e '.[test]')")
    if not Path("/proc/self/stat").exists():
        _missing("needs /proc to see the app processes")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One headless Chromium per module, with a fresh profile directory."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,  # type: ignore[arg-type]
            timeout=PAGE_TIMEOUT * 1000,
        )
        try:
            yield context
        finally:
            context.close()


def isolated_env(home: Path) -> dict[str, str]:
    """No ``COMMS_TUI_*`` from the developer's shell; data and config under ``home``.

    For module-scoped servers, which start before the per-test isolation fixture applies.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_TUI_")}
    env["COMMS_TUI_DATA_DIR"] = str(home / "data")
    env["COMMS_TUI_CONFIG_DIR"] = str(home / "config")
    return env


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[Served]:
    """``comms-tui serve --sandbox`` on free ports, shared by a module's page tests."""
    home = tmp_path_factory.mktemp("served-home")
    with Served("--sandbox", "--port", "0", env=isolated_env(home), home=home) as running:
        yield running


class AppPage:
    """A browser tab on ``serve``: what the app draws is read from its websocket frames."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.url = url
        self.page: Page = context.new_page()
        self._frames: list[str] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        # Only the served origin: the page's web-font link must not reach out, offline or not.
        origin = url.rstrip("/")
        self.page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(origin) else route.abort()
            ),
        )
        self.page.goto(url, timeout=PAGE_TIMEOUT * 1000)

    def _frame(self, payload: Any) -> None:
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        self._frames.append(text)

    def mark(self) -> int:
        """Where the app's output is now: ``wait_for_text(after=mark)`` waits for new output."""
        return len(self._frames)

    def drawn(self, after: int = 0) -> str:
        """What the app has written to the page (escape sequences included)."""
        return "".join(self._frames[after:])

    def wait_for_text(self, text: str, *, after: int = 0, timeout: float = PAGE_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.drawn(after):
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never showed {text!r} within {timeout:g} s")
            self.page.wait_for_timeout(50)  # lets Playwright deliver the frame events

    def wait_connected(self, sandbox_url: str) -> None:
        """The app is up and connected: its header shows the shared sandbox's URL."""
        self.wait_for_text(sandbox_url)
        self.page.click("#terminal")  # keys go to the terminal, as a presenter's click would

    def clear_form(self) -> None:
        """ctrl+l: another tab's draft may be in the form (they share the data dir); a form
        holding what nobody sent asks first, and is cleared once told to ("Clear it")."""
        mark = self.mark()
        self.page.keyboard.press("Control+l")
        deadline = time.monotonic() + PAGE_TIMEOUT
        asked = False
        while "form and draft cleared" not in self.drawn(mark):
            if not asked and "Clear it" in self.drawn(mark):
                asked = True  # once: "Clear it" is drawn again as the focus moves to it
                self.page.keyboard.press("ArrowRight")  # from "Keep it", the default
                self.page.keyboard.press("Enter")
            if time.monotonic() > deadline:
                raise AssertionError("the form was never cleared")
            self.page.wait_for_timeout(50)

    def type_sms(self, recipient: str, body: str) -> None:
        """Fill in the SMS form as a person would (recipient, Tab, message) and send."""
        keyboard = self.page.keyboard
        self.clear_form()
        mark = self.mark()
        keyboard.type(recipient, delay=15)
        self.wait_for_text(recipient, after=mark)
        keyboard.press("Tab")
        # Keys typed right after Tab could still reach the To field: Textual moves the focus
        # once the key has bubbled up to the screen, as for a person typing that fast in a
        # terminal.
        self.page.wait_for_timeout(400)
        mark = self.mark()
        keyboard.type(body, delay=15)
        self.wait_for_text(body, after=mark)
        keyboard.press("Control+j")

    def screenshot_colours(self, path: Path) -> int:
        """Save a PNG of the page; the number of distinct colours in that file's pixels."""
        self.page.screenshot(path=str(path))
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        # Decoded by the browser (no image library here), from the bytes of the saved file.
        colours: int = self.page.evaluate(
            """async (data) => {
                const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
                const bitmap = await createImageBitmap(new Blob([bytes], {type: "image/png"}));
                const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
                const context = canvas.getContext("2d");
                context.drawImage(bitmap, 0, 0);
                const pixels = new Uint32Array(
                    context.getImageData(0, 0, bitmap.width, bitmap.height).data.buffer);
                return new Set(pixels).size;
            }""",
            data,
        )
        return colours

    def close(self) -> None:
        self.page.close()
