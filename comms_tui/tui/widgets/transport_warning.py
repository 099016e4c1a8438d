"""A warning line on every screen while the connection is not protected in transit.

TLS verification off (``--no-verify-tls``) or plain ``http://`` to a remote host: anyone on the
path could read or change what is sent, credentials included. A notification at start is easy to
miss, so while such a session is open the app puts this line on each screen it shows — the
compose screen, side screens and modals alike (``show_on``).

Self-contained (its own CSS, theme variables only). On full screens it is the first line of the
layout, so it sits under a docked header rather than over it; on modals it docks at the top.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from comms_tui.core.text import visible

BANNER_ID = "insecure-transport"


class InsecureTransportBanner(Static):
    DEFAULT_CSS = """
    InsecureTransportBanner {
        width: 100%;
        height: auto;
        padding: 0 1;
        background: $warning-muted;
        color: $text-warning;
        text-style: bold;
    }
    ModalScreen > InsecureTransportBanner,
    SystemModalScreen > InsecureTransportBanner,
    CommandPalette > InsecureTransportBanner {
        dock: top;
    }
    """

    def __init__(self, text: str) -> None:
        # The text names the profile and host (from the profile file): control characters shown.
        super().__init__(Content(f"⚠ {visible(text)}"), id=BANNER_ID, markup=False)
        self.text = text


def show_on(screen: Screen[Any], text: str) -> InsecureTransportBanner | None:
    """Add the banner to ``screen`` unless it has one; the new banner, else ``None``."""
    if not screen.is_attached or screen._pruning:
        return None  # dismissed before we got to it
    try:
        screen.query_one(f"#{BANNER_ID}", InsecureTransportBanner)
        return None
    except NoMatches:
        pass
    banner = InsecureTransportBanner(text)
    if screen.children:
        screen.mount(banner, before=0)
    else:  # not composed yet: its own widgets come after this one
        screen.mount(banner)
    return banner
