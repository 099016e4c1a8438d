"""Command palette entries for every action (ctrl+p); themes come from Textual's own provider.

Titles are given to the palette as ``Content``, never as a string: the palette reads a string
as markup, and a template's name (from the profile file) may hold ``[/]`` or ``[@click=…]``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.actions import parse
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from comms_tui.api.channels import CHANNELS
from comms_tui.tui.plain import shown

if TYPE_CHECKING:
    from textual.fuzzy import Matcher
    from textual.screen import Screen

    from comms_tui.tui.app import CommsApp

Command = tuple[str, str, Callable[[], object]]


# (title, help, action); "screen." actions run on the compose screen.
_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Send", "Send the visible form (ctrl+j)", "screen.send"),
    *(
        (f"Compose {c.label}", f"Switch to the {c.label} form", f"screen.channel('{c.value}')")
        for c in CHANNELS
    ),
    ("Clear form", "Clear the visible form and its draft (ctrl+l)", "screen.clear_form"),
    ("Attach a file…", "Add an attachment to the email (ctrl+o)", "screen.attach"),
    ("Template…", "Fill in a saved template as the message (ctrl+t)", "screen.template"),
    ("Results", "Go to the results list (ctrl+r)", "screen.focus_results"),
    ("Show request & response", "The raw request and response", "screen.expand_result"),
    ("Copy as curl", "The selected request as curl, secrets as placeholders", "screen.copy_curl"),
    ("Copy response", "The selected result's raw response", "screen.copy_response"),
    ("Resend failed items", "A new request with only the failed items (f in results)",
     "screen.resend_failed"),
    ("Export result as JSON", "Save the selected result to the data dir (x in results)",
     "screen.export_result"),
    ("Sender-ID lab", "Which sender IDs work for which OU (f4)", "sender_lab"),
    ("Mask recipients", "Show recipients as 9195*****711, or not (f6)", "toggle_mask"),
    ("History", "Every send from this machine (f2)", "history"),
    ("Outbox", "What each sandbox recipient received (f3)", "outbox"),
    ("Connect again", "Open the session again: asks for a secret that is not stored", "reconnect"),
    ("Help", "Keys and tips (f1)", "help"),
    ("Quit", "Leave comms-tui (ctrl+q)", "request_quit"),
)  # fmt: skip


def offered(app: CommsApp, action: str, screen: Screen[Any]) -> bool:
    """Whether ``action`` would do something now: enabled where it runs (``screen``, the one
    under the palette, for ``screen.`` actions), there at all, and meant for the visible form
    (``applies``). A command picked that does nothing would leave the user guessing."""
    from comms_tui.tui.compose.screen import ComposeScreen

    namespace, name, parameters = parse(action)
    target: CommsApp | Screen[Any] = screen if namespace == "screen" else app
    if getattr(target, f"action_{name}", None) is None:
        return False  # the screen shown has no such action (the compose screen's, on History)
    if not target.check_action(name, parameters):
        return False
    return not isinstance(target, ComposeScreen) or target.applies(name)


def commands(app: CommsApp, screen: Screen[Any] | None = None) -> list[Command]:
    """(title, help, callback) for each action available now on ``screen`` (the one the palette
    opened over; the app's screen by default), in palette order."""
    screen = screen or app.screen
    found: list[Command] = [
        (title, help_text, partial(app.run_action, action))
        for title, help_text, action in _ACTIONS
        if offered(app, action, screen)
    ]
    profile = app.session.profile if app.session else None
    for name in sorted(profile.templates if profile and _templates_apply(app) else {}):
        # Called, not an action string: a template name may hold quotes or parentheses.
        use = partial(_use_template, app, name)
        found.append(
            (f"Template: {shown(name, 100, newlines=False)}", "Fill it in as the message", use)
        )
    return found


def _templates_apply(app: CommsApp) -> bool:
    """A template fills the visible compose form (from any screen), unless it is Email's."""
    try:
        return app.compose_screen.applies("template")
    except LookupError:
        return False


def _use_template(app: CommsApp, name: str) -> None:
    try:
        app.compose_screen.action_template(name)
    except LookupError:
        app.notify("Templates are used on the compose screen.", severity="warning")


class CommsCommands(Provider):
    def _commands(self) -> list[Command]:
        from comms_tui.tui.app import CommsApp

        return commands(self.app, self.screen) if isinstance(self.app, CommsApp) else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            if (score := matcher.match(title)) > 0:
                yield Hit(score, highlighted(matcher, title), callback, text=title, help=help_text)


def highlighted(matcher: Matcher, title: str) -> Content:
    """``matcher.highlight`` without reading ``title`` as markup."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
