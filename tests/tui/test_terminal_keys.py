"""The documented keys, sent as real terminals send them, to ``comms-tui`` on a pseudo-terminal.

Each test writes the exact bytes (``ESC 1`` for alt+1 from xterm, GNOME Terminal, tmux or
iTerm2's Esc+ mode; ``ESC CR`` for alt+enter; ``CSI 6;5~`` for ctrl+pagedown) in one write, as a
fast typist or a paste without bracketed paste would, and reads what the app did from its drafts
file or from the sandbox it sent to.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig
from tests.support.terminal import (
    PtyTerminal,
    app_env,
    pty_app,
    saved_drafts,
    tmux_app,
    wait_for,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

READY = b"+65 8123 4567"  # the SMS form's recipient placeholder: the form is on screen


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=100_000)) as running:
        yield running


@pytest.fixture
def app(tmp_path: Path, sandbox: EmbeddedSandbox) -> Iterator[PtyTerminal]:
    """``comms-tui --sandbox`` at 120×40 on the module's sandbox, connected."""
    sandbox.state.reset()
    env = app_env(tmp_path, COMMS_TUI_SANDBOX_URL=sandbox.base_url)
    with pty_app(["--sandbox"], env, size=(120, 40)) as terminal:
        terminal.wait_for_output(READY)
        terminal.wait_for_output(sandbox.base_url.removeprefix("http://").encode())  # connected
        yield terminal


def drafts_are(home: Path, want: dict[str, dict[str, Any]]) -> bool:
    """Drafts for exactly ``want``'s channels, holding what it says (and maybe prefilled
    fields, such as the profile's email sender)."""
    drafts = saved_drafts(home)
    return set(drafts) == set(want) and all(
        want[channel].items() <= drafts[channel].items() for channel in want
    )


def until_drafts(app: PtyTerminal, home: Path, want: dict[str, dict[str, Any]]) -> None:
    try:
        app.until(lambda: drafts_are(home, want), f"the drafts {want}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; they are {saved_drafts(home)}") from None


def test_a_burst_with_a_tab_fills_two_fields(app: PtyTerminal, tmp_path: Path) -> None:
    """A UK keyboard's £ arrives as the character itself: it is text, not a tab key."""
    app.write("919591471711\t£5 off, 50¢ back".encode())
    until_drafts(app, tmp_path, {"sms": {"to": "919591471711", "body": "£5 off, 50¢ back"}})


TYPED_TEXT = (
    "Family 👨\u200d👩\u200d👧 "  # the joiners that make one emoji of three
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f "  # a flag's tag characters
    "€\u00a05 ·\u3000"  # a no-break space; the ideographic space CJK input methods type
    "🫨 "  # an emoji newer than Python 3.11's Unicode tables (15.0)
    "\u200fשלום"  # a right-to-left mark
)


def test_every_typed_character_is_kept(app: PtyTerminal, tmp_path: Path) -> None:
    """Typed, not pasted: each character arrives as a key. Textual inserts a key's character
    only when ``str.isprintable()``, which is False for all of these."""
    app.write(("919591471711\t" + TYPED_TEXT).encode())
    until_drafts(app, tmp_path, {"sms": {"to": "919591471711", "body": TYPED_TEXT}})


def test_a_burst_with_enter_in_a_field_moves_on_as_enter_does(
    app: PtyTerminal, tmp_path: Path
) -> None:
    """Enter in a one-line field moves to the next field (``Input.Submitted``, a message the
    key sets off): the keys after it go there too."""
    app.write(b"919591471711\rhello")
    until_drafts(app, tmp_path, {"sms": {"to": "919591471711", "body": "hello"}})


def test_a_pasted_column_of_recipients_keeps_every_line(app: PtyTerminal, tmp_path: Path) -> None:
    """A spreadsheet column pasted into "To" (bracketed paste, lines ending in CR as terminals
    send them): Textual's Input kept the first line and dropped the others in silence."""
    app.write(b"\x1b[200~12025550100\r12025550102\r\r12025550104\r\x1b[201~")
    until_drafts(app, tmp_path, {"sms": {"to": "12025550100, 12025550102, 12025550104"}})


def test_channel_keys_switch_tabs_instead_of_typing(app: PtyTerminal, tmp_path: Path) -> None:
    """(A field coming back into focus selects its text: typing there replaces it.)"""
    app.write(
        b"919591471711, 919591471712, 919591471713, 919591471714, 919591471715"  # scrolls sideways
        b"\x1b[6;5~ana@example.com"  # ctrl+pagedown, the same in every terminal: next channel
        b"\x1b[6;5~12025550103"  # … WhatsApp
        b"\x1b412025550104"  # alt+4, ESC-prefixed (xterm, GNOME Terminal, tmux, iTerm2)
        b"\x1b1919591471711"  # alt+1
        b"\x1b[5;5~12025550105"  # ctrl+pageup: the previous channel, wrapping to Zalo
        b"\x1b[50;3ubo@example.com"  # alt+2 in the kitty keyboard protocol
    )
    until_drafts(
        app,
        tmp_path,
        {
            "sms": {"to": "919591471711"},
            "email": {"to": "bo@example.com"},
            "whatsapp": {"receiver": "12025550103"},
            "zalo": {"receiver": "12025550105"},
        },
    )


def test_alt_enter_sends_without_adding_a_line(
    app: PtyTerminal, tmp_path: Path, sandbox: EmbeddedSandbox
) -> None:
    app.write(b"12025550100\tsent with alt+enter\x1b\r")
    app.until(lambda: len(sandbox.state.outbox()) == 1, "the send")
    (message,) = sandbox.state.outbox()
    assert message["recipient"] == "12025550100"
    assert message["body"] == "sent with alt+enter"  # no newline typed into the message


def test_alt_digits_in_tmux(tmp_path: Path, sandbox: EmbeddedSandbox) -> None:
    """tmux's own encoding of the keys users press (``M-2``, ``C-PageDown``, ``M-Enter``)."""
    sandbox.state.reset()
    env = app_env(tmp_path, COMMS_TUI_SANDBOX_URL=sandbox.base_url)
    with tmux_app("keys", ["--sandbox"], env, size=(120, 40)) as tmux:
        tmux.wait_for_screen(sandbox.base_url.removeprefix("http://"))
        tmux.keys("M-2", "ana@example.com", "C-PageDown", "12025550100", "Tab", "hi", "M-Enter")
        tmux.wait_for_screen("1 of 1 accepted")
        (message,) = sandbox.state.outbox()
        assert message["channel"] == "whatsapp"
        screen = tmux.screen()
        assert "¡" not in screen and "™" not in screen
        wait_for(
            lambda: saved_drafts(tmp_path).get("email", {}).get("to") == "ana@example.com",
            "the email draft",
        )
