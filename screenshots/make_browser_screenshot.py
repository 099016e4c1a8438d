"""The README's picture of the app in a web browser: ``comms-tui serve --sandbox`` in Chromium.

    python screenshots/make_browser_screenshot.py   # writes screenshots/browser.png

Run by ``make_screenshots.py`` too. Needs the ``web`` and ``test`` extras (textual-serve,
Playwright) and the system Chromium (``apt-get install chromium``); skipped, saying so, without.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("COMMS_TUI_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT = 30.0


def main() -> int:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("skipped browser.png: needs Playwright (pip install -e '.[test]')", file=sys.stderr)
        return 0
    if not os.access(CHROMIUM, os.X_OK):
        print(f"skipped browser.png: needs Chromium at {CHROMIUM}", file=sys.stderr)
        return 0

    home = Path(tempfile.mkdtemp(prefix="comms-tui-shots-"))  # never the user's drafts
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_TUI_")}
    env |= {"COMMS_TUI_DATA_DIR": str(home / "data"), "COMMS_TUI_CONFIG_DIR": str(home / "config")}
    serve = subprocess.Popen(
        [sys.executable, "-m", "comms_tui.cli", "serve", "--sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=HERE.parent,
    )
    try:
        assert serve.stdout is not None
        banner = ""
        while "open:" not in banner:
            line = serve.stdout.readline()
            if not line:
                raise RuntimeError(f"comms-tui serve did not start:\n{banner}")
            banner += line
        url = re.search(r"open:\s+(\S+)", banner).group(1)  # type: ignore[union-attr]
        sandbox = re.search(r"sandbox: (\S+)", banner).group(1)  # type: ignore[union-attr]
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(home / "chromium"),
                executable_path=CHROMIUM,
                args=ARGS,
                headless=True,
                viewport={"width": 1280, "height": 800},
            )
            page = context.new_page()
            drawn: list[str] = []  # what the app wrote to the page

            def frame(data: str | bytes) -> None:
                drawn.append(data.decode("utf-8", "replace") if isinstance(data, bytes) else data)

            page.on("websocket", lambda ws: ws.on("framereceived", frame))
            page.route(  # the page's web-font link: the same picture offline or not
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith(url) else r.abort(),
            )
            page.goto(url)

            def wait_for(text: str) -> None:
                deadline = time.monotonic() + TIMEOUT
                while text not in "".join(drawn):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the page never showed {text!r}")
                    page.wait_for_timeout(50)

            wait_for(sandbox)  # connected
            page.click("#terminal")
            page.keyboard.type("919591471711", delay=20)
            page.keyboard.press("Tab")
            page.wait_for_timeout(400)
            page.keyboard.type("747977 is your OTP for Northwind. Valid for 15 minutes.", delay=5)
            page.wait_for_timeout(300)
            page.keyboard.press("Control+j")
            wait_for("ACCEPTED")
            page.wait_for_timeout(1500)  # animations (tab underline, toast) settle
            page.screenshot(path=str(HERE / "browser.png"))
            context.close()
    finally:
        serve.terminate()
        serve.wait(20)
    print("wrote screenshots/browser.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
