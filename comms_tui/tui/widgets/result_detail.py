"""One send in detail: summary, per-item rows, and (expanded) the redacted request and raw response.

Per-item rows live in one line-by-line ``ItemsView`` (a 1,000-item result costs what ten do).
Syntax highlighting is done in a thread worker and only when the raw view is open.

Everything from the server (messages, request ids, the response itself) is shown as plain text
with control characters visible (``comms_tui.tui.plain``), and cut where it would stall the
screen: the raw view shows the first ``RAW_SHOWN_CHARS`` of a response and says how to get the
rest ("copy response" copies all of it, and writes it to a file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Collapsible, Static

from comms_tui.core.text import shortened
from comms_tui.tui.masking import is_masked, mask_text, masking_of
from comms_tui.tui.plain import shown
from comms_tui.tui.widgets.items_view import ItemsView, header_text
from comms_tui.tui.widgets.outcome import badge, format_latency, format_status, format_time
from comms_tui.tui.widgets.recipients import display_recipient

if TYPE_CHECKING:
    from comms_tui.api.requests import SendRequest
    from comms_tui.api.results import ItemResult, SendResult
    from comms_tui.api.target import Target
    from comms_tui.core.sender import Sent

RAW_SHOWN_CHARS = 20_000  # of the request and of the response in the raw view (~0.1 s to draw)
NOTES_SHOWN = 10  # status warnings, disagreements and anomalies listed in the summary
ECHOES_SHOWN = 50  # items whose echo differs, listed in the raw view
ITEM_NOTICES_SHOWN = 20  # errors and warnings of the highlighted item
SHOWN_ERROR_CHARS = 1_000  # of one error message (the API quotes at most 500 of the server's)
PRETTY_MAX_CHARS = 512 * 1024  # larger answers are shown and copied as they came


@dataclass(eq=False)
class ResultRecord:
    """A send as the results pane keeps it (compared by identity)."""

    seq: int
    at: datetime  # when the send started (the journal's created_at, to the second)
    profile: str
    sent: Sent
    request: SendRequest | None = None  # what was sent, while the pane's memory budget allows
    target: Target | None = None  # where it went: for a replayable curl
    scheduled_for: datetime | None = None  # when the server is to send it (None: at once)

    @property
    def result(self) -> SendResult:
        return self.sent.result


def response_text(result: SendResult) -> str:
    """The raw response, pretty-printed when it is JSON (all of it: what "copy" copies).

    An answer over ``PRETTY_MAX_CHARS`` is left as it came: indenting megabytes of JSON takes
    seconds (the indenting encoder is pure Python), for a view that shows its start.
    """
    raw = result.response_text or ""
    if len(raw) > PRETTY_MAX_CHARS:
        return raw
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return raw


def result_document(record: ResultRecord) -> str:
    """What ``--json`` prints for the send, plus the redacted request (no secrets, no data)."""
    result = record.result
    document = {
        "result": result.to_json(history_id=record.sent.history_id),
        "request": result.request.to_json(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def summary(record: ResultRecord, tz: tzinfo | None) -> Content:
    """The send at a glance: outcome, when, counts, request id, schedule, error and notes."""
    from comms_tui.api.schedule import describe_schedule

    r = record.result
    request_id = shown(r.request_id or "—", 200, newlines=False)
    latency = format_latency(r.latency_ms)
    dot = ("  ·  ", "dim")
    lines = [
        Content.assemble(
            badge(r.outcome, long=True),
            "  ",
            (r.channel.label, "b"),
            f" · {shown(record.profile, 60, newlines=False)} · ",
            ("sent ", "dim"),
            format_time(record.at, tz, zone=True),
        ),
        Content.assemble(
            (f"{r.success_count} of {r.count} accepted", "b"),
            dot,
            ("HTTP ", "dim"),
            format_status(r.http_status),
            dot,
            latency,
            *((dot, f"history #{record.sent.history_id}") if record.sent.history_id else ()),
        ),
        Content.assemble(("X-Cap-Requestid ", "dim"), request_id),
    ]
    if record.scheduled_for is not None and tz is not None:
        lines.append(
            Content.assemble(
                ("⏱ scheduled for ", "b"),
                (describe_schedule(record.scheduled_for, tz), "b"),
                ": the server holds it until then",
            )
        )
    if r.error is not None:
        message = shown(r.error.message, SHOWN_ERROR_CHARS)
        if r.sent_nothing and "nothing was sent" not in message:
            message += " · nothing was sent"
        lines.append(Content.styled(message, "$text-error"))
    notes = r.notes()
    lines += [
        Content.styled(f"⚠ {shown(note, 500)}", "$text-warning") for note in notes[:NOTES_SHOWN]
    ]
    if len(notes) > NOTES_SHOWN:
        lines.append(Content.styled(f"… and {len(notes) - NOTES_SHOWN} more (e: raw view)", "dim"))
    return Content("\n").join(lines)


def echo_recipient(echo: dict[str, Any]) -> str | None:
    """The recipient an item's echo names (``to``, ``receiver``…), if any."""
    for key in ("to", "receiver", "mobile", "email"):
        value = echo.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def item_detail(n: int, item: ItemResult, masked: bool = False) -> Content:
    """The highlighted item in full, wrapped (the table crops long messages)."""
    shown_recipient = display_recipient(item.recipient, masked)
    lines = [Content.assemble((f"#{n} ", "dim"), (shown_recipient, "b"))]
    echoed = echo_recipient(item.echo)
    if echoed is not None and echoed != item.recipient:
        lines.append(
            Content.assemble(
                ("  the server's echo names ", "dim"), display_recipient(echoed, masked)
            )
        )
    notices = [("✗", e, "$text-error") for e in item.errors]
    notices += [("⚠", w, "$text-warning") for w in item.warnings]
    lines += [
        Content.styled(f"{mark} {shown(notice, SHOWN_ERROR_CHARS)}", style)
        for mark, notice, style in notices[:ITEM_NOTICES_SHOWN]
    ]
    if len(notices) > ITEM_NOTICES_SHOWN:
        more = len(notices) - ITEM_NOTICES_SHOWN
        lines.append(Content.styled(f"… and {more} more (e: raw view)", "dim"))
    return Content("\n").join(lines)


def echo_text(result: SendResult) -> str:
    """Each item whose echo names another recipient than the one sent: ``#1 9195… ← {…}``."""
    lines: list[str] = []
    differing = [
        (n, item)
        for n, item in enumerate(result.items, 1)
        if item.echo and echo_recipient(item.echo) != item.recipient
    ]
    for n, item in differing[:ECHOES_SHOWN]:
        echo = json.dumps(item.echo, ensure_ascii=False)
        lines.append(f"#{n} {item.recipient} ← {shortened(echo, 300)}")
    if len(differing) > ECHOES_SHOWN:
        lines.append(f"… and {len(differing) - ECHOES_SHOWN} more in the response")
    return "\n".join(lines)


def raw_shown(text: str, what: str) -> str:
    """At most ``RAW_SHOWN_CHARS`` of a raw text, control characters visible, saying where the
    rest is."""
    if len(text) <= RAW_SHOWN_CHARS:
        return shown(text, None)
    left = len(text) - RAW_SHOWN_CHARS
    return shown(
        f"{text[:RAW_SHOWN_CHARS]}\n\n… {left:,} more characters of the {what} not shown: "
        "r copies all of it (and writes it to a file)",
        None,
    )


def _wire_recipients(body: object) -> list[str]:
    """Recipient fields of a request body (``to``, ``receiver``, ``cc``, ``bcc``), any depth."""
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("to", "receiver", "cc", "bcc") and isinstance(value, str):
                found += [part.strip() for part in value.split(",")]
            else:
                found += _wire_recipients(value)
    elif isinstance(body, list):
        for value in body:
            found += _wire_recipients(value)
    return found


def highlight_request(text: str, theme: str) -> Text:
    """Request line and headers plainly styled; the JSON body highlighted."""
    from rich.syntax import Syntax

    head, _, body = text.partition("\n\n")
    method_url, *headers = head.split("\n")
    out = Text()
    method, _, url = method_url.partition(" ")
    out.append(method, style="bold").append(f" {url}\n")
    for line in headers:
        name, _, value = line.partition(": ")
        out.append(f"{name}: ", style="dim").append(f"{value}\n")
    out.append("\n")
    out.append_text(Syntax(body, "json", theme=theme, background_color="default").highlight(body))
    return out


class ResultDetail(VerticalScroll):
    """Shows one ``ResultRecord``; empty until the first send."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.record: ResultRecord | None = None
        self.tz: tzinfo | None = None

    def compose(self) -> ComposeResult:
        yield Static("No sends yet. Fill in a form and press ctrl+j to send.", id="result-summary")
        yield Static(header_text(), id="items-header")
        yield ItemsView(id="items")
        yield Static(id="item-detail")
        with Collapsible(title="Request & response", id="raw", collapsed=True) as raw:
            raw.display = False
            yield Static("Request (redacted)", classes="raw-title")
            yield Static(id="raw-request", classes="raw-body")
            yield Static("Response", classes="raw-title")
            yield Static(id="raw-response", classes="raw-body")
            yield Static(
                "The server's echo, where it names another recipient",
                id="raw-echo-title",
                classes="raw-title",
            )
            yield Static(id="raw-echo", classes="raw-body")

    def on_mount(self) -> None:
        for selector in ("#items-header", "#items", "#item-detail", "#raw-echo-title", "#raw-echo"):
            self.query_one(selector).display = False
        if (masking := masking_of(self)) is not None:
            masking.changed.subscribe(self, self._mask_changed)

    def _mask_changed(self, masked: bool) -> None:
        """Show the same record again, recipients masked or not."""
        items = self.query_one(ItemsView)
        items.refresh()
        if self.record is not None:
            self._show_item(items.cursor)
            self._render_raw()

    def show(self, record: ResultRecord) -> None:
        self.record = record
        # From the top: the raw view, left open and scrolled to, would hide the new outcome.
        self.scroll_home(animate=False, immediate=True)
        self.query_one("#result-summary", Static).update(summary(record, self.tz))
        self._fill_items(record.result.items, sent_nothing=record.result.sent_nothing)
        raw = self.query_one("#raw", Collapsible)
        raw.display = True
        self._render_raw()

    def toggle_raw(self, expanded: bool | None = None) -> None:
        """Open or close the raw request/response view (toggle when ``expanded`` is None)."""
        raw = self.query_one("#raw", Collapsible)
        raw.collapsed = (not raw.collapsed) if expanded is None else not expanded

    @property
    def expanded(self) -> bool:
        return not self.query_one("#raw", Collapsible).collapsed

    def on_items_view_highlighted(self, event: ItemsView.Highlighted) -> None:
        event.stop()
        self._show_item(event.index)

    def _show_item(self, row: int) -> None:
        line = self.query_one("#item-detail", Static)
        items = self.record.result.items if self.record else []
        item = items[row] if 0 <= row < len(items) else None
        noteworthy = item is not None and bool(
            item.errors or item.warnings or echo_recipient(item.echo) not in (None, item.recipient)
        )
        line.display = noteworthy
        if item is not None and noteworthy:
            line.update(item_detail(row + 1, item, is_masked(self)))

    def _fill_items(self, items: list[ItemResult], *, sent_nothing: bool = False) -> None:
        for selector in ("#items-header", "#items"):
            self.query_one(selector).display = bool(items)
        # Start on the row worth reading first: the first failure or warning.
        first = next((i for i, item in enumerate(items) if item.errors or item.warnings), 0)
        self.query_one(ItemsView).set_items(items, cursor=first, sent_nothing=sent_nothing)
        self._show_item(first)

    def on_collapsible_expanded(self, event: Collapsible.Expanded) -> None:
        event.stop()
        self._render_raw()

    def _render_raw(self) -> None:
        raw = self.query_one("#raw", Collapsible)
        if self.record is None or raw.collapsed:
            return
        self._highlight(self.record, is_masked(self))

    @work(thread=True, exclusive=True, group="highlight", description="highlight the raw view")
    def _highlight(self, record: ResultRecord, masked: bool) -> None:
        from rich.syntax import Syntax

        dark = self.app.current_theme.dark
        theme = "monokai" if dark else "default"
        result = record.result
        # Bodies echo the recipients: mask them too while sharing the screen.
        recipients = [item.recipient for item in result.items]
        recipients += _wire_recipients(result.request.body)
        recipients += [echo_recipient(item.echo) or "" for item in result.items]
        request = raw_shown(mask_text(result.request.to_text(), recipients, masked), "request")
        response = response_text(result) or "(no response body)"
        response = raw_shown(mask_text(response, recipients, masked), "response")
        echoes = shown(mask_text(echo_text(result), recipients, masked), None)
        # Made into Content here: converting 20 000 highlighted characters on the event loop
        # stalled it for ~30 ms.
        highlighted_request = Content.from_rich_text(highlight_request(request, theme))
        syntax = Syntax(response, "json", theme=theme, background_color="default")
        highlighted_response = Content.from_rich_text(syntax.highlight(response))
        self.app.call_from_thread(
            self._show_raw, record, highlighted_request, highlighted_response, echoes
        )

    def _show_raw(
        self, record: ResultRecord, request: Content, response: Content, echoes: str
    ) -> None:
        if record is not self.record:
            return  # another send was selected meanwhile
        self.query_one("#raw-request", Static).update(request)
        self.query_one("#raw-response", Static).update(response)
        for selector in ("#raw-echo-title", "#raw-echo"):
            self.query_one(selector).display = bool(echoes)
        self.query_one("#raw-echo", Static).update(Content(echoes))
