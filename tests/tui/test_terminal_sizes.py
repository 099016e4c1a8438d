"""80×24 (macOS Terminal's default) and 120 columns, in tmux: nothing essential is cut.

What a user sees, read off the terminal: the help's close hint, an error code in full, one line
per send, History's HTTP, request ID and latency columns and a usable filter.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig
from tests.support.terminal import TmuxTerminal, app_env, tmux_app, wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="tmux is POSIX")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=100_000)) as running:
        yield running


@pytest.fixture
def narrow(tmp_path: Path, sandbox: EmbeddedSandbox) -> Iterator[TmuxTerminal]:
    sandbox.state.reset()
    env = app_env(tmp_path, COMMS_TUI_SANDBOX_URL=sandbox.base_url)
    with tmux_app("80x24", ["--sandbox"], env, (80, 24)) as tmux:
        tmux.wait_for_screen(sandbox.base_url.removeprefix("http://"))
        yield tmux


def test_help_fits_80x24_with_its_close_hint(narrow: TmuxTerminal) -> None:
    narrow.keys("F1")
    screen = narrow.wait_for_screen("esc to close")
    assert all(len(line) <= 80 for line in screen.splitlines())
    assert "ctrl+pgdn" in screen  # the keys that work everywhere, first
    narrow.keys("Escape")
    narrow.wait_for_screen("Message")


def test_a_send_at_80x24_shows_its_result_uncut_and_the_form_comes_back(
    narrow: TmuxTerminal,
) -> None:
    narrow.keys("919591471711, 12025550101", "Tab", "hello from 80 columns", "C-j")
    screen = narrow.wait_for_screen("1 of 2 accepted")
    # The results have the width: the error code whole, the send on one line.
    assert re.search(r"12025550101\s+✗ failed\s+4209 ", screen), screen
    assert re.search(r"SMS .*PARTIAL\s+1/2\s+\d+ ms", screen), screen
    # ctrl+r where the results already are stays there: the keys after it are result keys
    # (it went back to the form, and "e" replaced the focused field's text).
    narrow.keys("C-r", "e")
    narrow.wait_for_screen("▼ Request & response")
    narrow.keys("Escape")  # back to the form, as it was
    screen = narrow.wait_for_screen("919591471711, 12025550101")  # the To field: the form
    assert "hello from 80 columns" in screen

    narrow.keys("F2")
    screen = narrow.wait_for_screen("1 entry")
    header = next(line for line in screen.splitlines() if line.startswith("Time"))
    titles = header.split()  # each title apart from the next
    for column in ("Outcome", "HTTP", "Req.", "Latency"):
        assert column in titles, header
    assert re.search(r"partial\s+201\s+\S+\s+\d+ ms", screen), screen
    narrow.keys("/", "1202")  # / goes to the filter
    wait_for(lambda: "1 entry" in narrow.screen(), "the filtered history")


def test_sends_stay_one_line_at_120_columns_with_a_scrollbar(
    tmp_path: Path, sandbox: EmbeddedSandbox
) -> None:
    env = app_env(tmp_path, COMMS_TUI_SANDBOX_URL=sandbox.base_url)
    sandbox.state.reset()
    with tmux_app("120x40", ["--sandbox"], env, (120, 40)) as tmux:
        tmux.wait_for_screen(sandbox.base_url.removeprefix("http://"))
        for n in range(1, 12):  # more sends than the list shows: it scrolls
            tmux.keys("C-l", "12025550100", "Tab", f"message {n}", "C-j")  # (not a duplicate)
            wait_for(lambda n=n: len(sandbox.state.outbox()) == n, f"send {n}")  # type: ignore[misc]
            # As a person would: the next send once this one's result is shown (the sandbox has
            # it before the app has its answer; a ctrl+j meanwhile is "already sending").
            screen = tmux.wait_for_screen(f"history #{n}")
        rows = [line for line in screen.splitlines() if "ACCEPTED" in line and "1/1" in line]
        assert len(rows) >= 8, screen
        assert all(re.search(r"1/1\s+\d+ ms\b", row) for row in rows), screen
