"""The compose screen's body: a tab per channel with its form, and the results pane.

Imported and built only after the screen's first frame (see ``ComposeScreen``): the forms and
the results pane are most of the app's widgets and imports. Only the first tab's form is built
with the body; the hidden tabs' forms follow a frame later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.widgets import TabbedContent, TabPane

from comms_tui.tui.channels import LABELS
from comms_tui.tui.screens.compose import ComposeForm
from comms_tui.tui.screens.compose_email import EmailForm
from comms_tui.tui.screens.compose_sms import SmsForm
from comms_tui.tui.screens.compose_template import WhatsAppForm, ZaloForm
from comms_tui.tui.widgets.results import ResultsPane

FORMS: tuple[type[ComposeForm], ...] = (SmsForm, EmailForm, WhatsAppForm, ZaloForm)


def channel_tabs(clock: Callable[[], datetime]) -> TabbedContent:
    first, *hidden = FORMS
    tabs = TabbedContent(id="channels")
    # What ``with TabbedContent(): yield TabPane(...)`` does inside a compose method.
    tabs.compose_add_child(
        TabPane(LABELS[first.CHANNEL], first(clock=clock), id=f"tab-{first.CHANNEL}")
    )
    for form in hidden:
        tabs.compose_add_child(TabPane(LABELS[form.CHANNEL], id=f"tab-{form.CHANNEL}"))
    return tabs


async def mount_hidden_forms(tabs: TabbedContent, clock: Callable[[], datetime]) -> None:
    """Build the forms of the tabs not shown first; one switched to early gets focus."""
    for form in FORMS[1:]:
        pane = tabs.query_one(f"#tab-{form.CHANNEL}", TabPane)
        if pane.query(form):
            continue
        await pane.mount(built := form(clock=clock))
        if tabs.active == pane.id:
            built.query_one(f"#{built.recipient_key}").focus()


def results_pane(clock: Callable[[], datetime], *, pinned: bool) -> ResultsPane:
    results = ResultsPane(clock=clock)
    results.pinned = pinned
    return results
