"""What the sandbox's fake recipients received, as they would see it.

Sandbox only. The outbox is fetched with httpx in an async worker, on ``r`` and every couple of
seconds while the screen is visible; the view is rebuilt only when the outbox changed. Times are
in the session's zone, named; what the messages hold is shown as plain text (control characters
visible): anyone may send anything to a sandbox.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, tzinfo
from typing import Any, ClassVar

import httpx
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from comms_tui.api.attachments import human_size
from comms_tui.api.channels import Channel
from comms_tui.tui.masking import display_recipient, is_masked, masking_of
from comms_tui.tui.plain import plain, shown
from comms_tui.tui.widgets.footer import AppFooter
from comms_tui.tui.widgets.outcome import format_moment

REFRESH_SECONDS = 2.0
MAX_SHOWN = 200  # newest messages rendered per recipient
TEXT_SHOWN_CHARS = 10_000  # of one field of a message (an email body, say)
EMPTY_HELP = (
    "Nothing has been sent to this sandbox yet.\n\n"
    "Send something from a compose screen, for example an SMS to 919591471711, and it shows up "
    "here within a couple of seconds. Other programs can send to it too:\n\n"
    "  POST {base_url}/v2/communications/sendMessage?channel=sms\n"
    "  Basic auth: sandbox / sandbox (the password goes as its MD5, as the real API expects)"
)

Message = dict[str, Any]


def group_by_recipient(messages: list[Message]) -> list[tuple[str, list[Message]]]:
    """(recipient, their messages oldest first), the most recently active recipient first."""
    groups: dict[str, list[Message]] = defaultdict(list)
    for message in sorted(messages, key=lambda m: int(m.get("id") or 0)):
        groups[str(message.get("recipient") or "?")].append(message)
    return sorted(groups.items(), key=lambda kv: int(kv[1][-1].get("id") or 0), reverse=True)


def _local_time(stamp: object, zone: tzinfo | None = None) -> str:
    """An ISO time from the outbox in ``zone`` (None: the machine's), its zone named."""
    if not isinstance(stamp, str) or not stamp:
        return ""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        return format_moment(when, zone)
    except (ValueError, OverflowError):
        return shown(stamp, 60, newlines=False)


def _channel_label(raw: object) -> str:
    try:
        return Channel.parse(str(raw)).label
    except ValueError:
        return str(raw)


def _text(value: object) -> str:
    """A field of a stored message as plain text to show (control characters visible)."""
    if isinstance(value, list):
        return shown(", ".join(str(v) for v in value), TEXT_SHOWN_CHARS)
    return "" if value is None else shown(value, TEXT_SHOWN_CHARS)


def message_widget(message: Message, masked: bool = False, zone: tzinfo | None = None) -> Static:
    """A chat bubble (SMS, WhatsApp, Zalo) or a message card (email)."""
    channel = str(message.get("channel") or "").lower()
    received = _local_time(message.get("receivedAt"), zone)
    scheduled = _local_time(message.get("scheduledTime"), zone)
    lines: list[Content] = []
    if channel == "email":
        for label, key in (("From", "from"), ("To", "recipient"), ("Cc", "cc"), ("Bcc", "bcc")):
            if value := _text(message.get(key)):
                if key != "from":
                    value = ", ".join(
                        display_recipient(v.strip(), masked) for v in value.split(",")
                    )
                lines.append(Content.from_markup(f"[b]{label}:[/b] $v", v=value))
        lines.append(
            Content.from_markup("[b]Subject:[/b] $v", v=_text(message.get("subject")) or "—")
        )
        lines.append(Content(""))
        lines.append(Content(_text(message.get("body"))))
        files = message.get("attachments") or []
        if files:
            lines.append(Content(""))
            for f in files:
                lines.append(
                    Content.from_markup(
                        "📎 $name  [dim]$type · $size[/dim]",
                        name=shown(f.get("file_name", "?"), 200, newlines=False),
                        type=shown(f.get("file_type", "?"), 20, newlines=False),
                        size=human_size(int(f.get("size") or 0)),
                    )
                )
        classes = "card"
        title = Content.from_markup("[b]Email[/b]")
    else:
        lines.append(Content(_text(message.get("body") or message.get("template"))))
        sender = _text(message.get("sender"))
        title = Content.from_markup(
            "[b]$channel[/b]" + (" from $sender" if sender else ""),
            channel=shown(_channel_label(channel), 20),
            sender=sender,
        )
        classes = f"bubble -{channel}" if channel in ("sms", "whatsapp", "zalo") else "bubble"
    if scheduled:
        lines.append(Content.from_markup("[dim]scheduled for $at[/dim]", at=scheduled))
    for warning in message.get("warnings") or []:
        text = warning.get("message", warning) if isinstance(warning, dict) else warning
        lines.append(Content.from_markup("[$text-warning]⚠ $w[/]", w=shown(text, 500)))
    bubble = Static(Content("\n").join(lines), classes=classes)
    bubble.border_title = title
    bubble.border_subtitle = Content(received)
    return bubble


class OutboxScreen(Screen[None]):
    """The sandbox outbox: recipients on the left, what the selected one received on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("r", "refresh_outbox", "Refresh"),
    ]
    AUTO_FOCUS = "#outbox-recipients"
    DEFAULT_CSS = """
    OutboxScreen #outbox-title { height: 1; padding: 0 1; background: $panel; }
    OutboxScreen #outbox-status { height: 1; padding: 0 1; color: $text-muted; }
    OutboxScreen #outbox-status.-error { color: $text-error; }
    OutboxScreen #outbox-body { height: 1fr; }
    OutboxScreen #outbox-recipients { width: 34; height: 1fr; border: round $panel; }
    OutboxScreen #outbox-recipients:focus { border: round $primary; }
    OutboxScreen #outbox-messages { width: 1fr; height: 1fr; padding: 0 1; }
    OutboxScreen .outbox-empty { padding: 1 2; color: $text-muted; }
    OutboxScreen .bubble {
        width: auto; min-width: 36; max-width: 80%; height: auto; margin: 0 0 1 0;
        padding: 0 1;
        border: round $primary; background: $boost;
    }
    OutboxScreen .bubble.-whatsapp { border: round $success; }
    OutboxScreen .bubble.-zalo { border: round $accent; }
    OutboxScreen .card {
        width: 1fr; height: auto; margin: 0 0 1 0; padding: 0 1;
        border: round $secondary; background: $panel;
    }
    OutboxScreen .bubble, OutboxScreen .card {
        border-title-align: left; border-subtitle-align: right;
    }
    """

    def __init__(
        self,
        base_url: str,
        *,
        zone: tzinfo | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.zone = zone  # the session's; None: the machine's
        self._transport = transport  # tests pass a fake; the app uses the network
        self._messages: list[Message] = []
        self._signature: tuple[int, int] | None = None
        self._selected: str | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            Content.from_markup("[b]Sandbox outbox[/b]  what the fake recipients received"),
            id="outbox-title",
        )
        yield Static("Loading…", id="outbox-status")
        with Horizontal(id="outbox-body"):
            yield OptionList(id="outbox-recipients")
            yield VerticalScroll(id="outbox-messages")
        yield AppFooter()

    def on_mount(self) -> None:
        self._timer = self.set_interval(REFRESH_SECONDS, self.action_refresh_outbox)
        self.action_refresh_outbox()
        if (masking := masking_of(self)) is not None:
            masking.changed.subscribe(self, self._mask_changed)

    async def _mask_changed(self, masked: bool) -> None:
        self._signature = None  # rebuild even though the outbox did not change
        await self.show_messages(self._messages)

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        if self._timer is not None:
            self._timer.pause()  # not visible: no polling

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        if self._timer is not None:
            self._timer.resume()
            self.action_refresh_outbox()

    def action_refresh_outbox(self) -> None:
        self._fetch()

    def action_close(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="outbox-fetch", description="fetch the outbox")
    async def _fetch(self) -> None:
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=5.0) as client:
                response = await client.get(f"{self.base_url}/sandbox/outbox")
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            self._status(f"Cannot read the sandbox outbox: {exc}", error=True)
            return
        messages = data.get("messages") if isinstance(data, dict) else None
        await self.show_messages([m for m in messages or [] if isinstance(m, dict)])

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#outbox-status", Static)
        status.update(plain(text))
        status.set_class(error, "-error")

    async def show_messages(self, messages: list[Message]) -> None:
        """Show this outbox content (rebuilding only when it changed)."""
        last = max((int(m.get("id") or 0) for m in messages), default=0)
        signature = (len(messages), last)
        count = len(messages)
        self._status(f"{count} message{'s' * (count != 1)} · refreshes every {REFRESH_SECONDS:g} s")
        if signature == self._signature:
            return
        self._signature, self._messages = signature, messages
        groups = group_by_recipient(messages)
        masked = is_masked(self)
        recipients = self.query_one("#outbox-recipients", OptionList)
        recipients.clear_options()
        for recipient, received in groups:
            channels = ", ".join(dict.fromkeys(_channel_label(m.get("channel")) for m in received))
            recipients.add_option(
                Option(
                    Content.from_markup(
                        "[b]$who[/b]\n[dim]$n · $channels[/dim]",
                        who=display_recipient(recipient, masked),
                        n=f"{len(received)} message{'s' * (len(received) != 1)}",
                        channels=shown(channels, 100),
                    ),
                    id=recipient,
                )
            )
        names = [r for r, _ in groups]
        if self._selected not in names:
            self._selected = names[0] if names else None
        if self._selected is not None:
            recipients.highlighted = names.index(self._selected)
        await self._show_recipient(dict(groups).get(self._selected or "", []))

    @on(OptionList.OptionHighlighted, "#outbox-recipients")
    async def _recipient_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None or event.option.id == self._selected:
            return
        self._selected = event.option.id
        received = [m for m in self._messages if str(m.get("recipient")) == self._selected]
        await self._show_recipient(sorted(received, key=lambda m: int(m.get("id") or 0)))

    async def _show_recipient(self, received: list[Message]) -> None:
        pane = self.query_one("#outbox-messages", VerticalScroll)
        await pane.remove_children()
        if not self._messages:
            help_text = Content(EMPTY_HELP.format(base_url=self.base_url))
            await pane.mount(Static(help_text, classes="outbox-empty"))
            return
        newest = received[-MAX_SHOWN:]
        widgets: list[Static] = []
        if len(received) > len(newest):
            widgets.append(Static(f"(showing the newest {MAX_SHOWN} of {len(received)})"))
        masked = is_masked(self)
        widgets.extend(message_widget(m, masked, self.zone) for m in newest)
        await pane.mount_all(widgets)
        pane.call_after_refresh(pane.scroll_end, animate=False)
