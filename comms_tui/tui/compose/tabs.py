"""The compose screen's body: a tab per channel with its form, and the results pane.

Imported and built only after the screen's first frame (see ``ComposeScreen``): the forms and
the results pane are most of the app's widgets and imports. Only the first tab's form is built
with the body; the hidden tabs' forms follow a frame later.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime

from textual.widgets import TabbedContent, TabPane

from comms_tui.tui.compose.forms.base import ComposeForm
from comms_tui.tui.compose.forms.email import EmailForm
from comms_tui.tui.compose.forms.messaging import WhatsAppForm, ZaloForm
from comms_tui.tui.compose.forms.sms import SmsForm
from comms_tui.tui.widgets.results import ResultsPane

FORMS: tuple[type[ComposeForm], ...] = (SmsForm, EmailForm, WhatsAppForm, ZaloForm)


def tab_id(form: type[ComposeForm]) -> str:
    return f"tab-{form.CHANNEL.value}"


def channel_tabs(clock: Callable[[], datetime]) -> TabbedContent:
    """The tabs, with the first one's form; the others are empty until ``mount_hidden_forms``."""
    first, *hidden = FORMS
    tabs = TabbedContent(id="channels")
    # What ``with TabbedContent(): yield TabPane(...)`` does inside a compose method.
    tabs.compose_add_child(TabPane(first.CHANNEL.label, first(clock=clock), id=tab_id(first)))
    for form in hidden:
        tabs.compose_add_child(TabPane(form.CHANNEL.label, id=tab_id(form)))
    return tabs


async def mount_hidden_forms(
    tabs: TabbedContent, clock: Callable[[], datetime]
) -> AsyncIterator[ComposeForm]:
    """Build the forms of the tabs not shown first, yielding each once it is mounted.

    Stops early if the tabs go away meanwhile (the app is closing)."""
    for form in FORMS[1:]:
        pane = next(iter(tabs.query(f"#{tab_id(form)}").results(TabPane)), None)
        if pane is None or not pane.is_attached:
            return
        await pane.mount(built := form(clock=clock))
        yield built


def results_pane(clock: Callable[[], datetime]) -> ResultsPane:
    return ResultsPane(clock=clock)
