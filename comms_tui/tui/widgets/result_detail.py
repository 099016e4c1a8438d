"""One send in detail: summary, per-item rows, and (expanded) the redacted request and raw response.

Per-item rows live in one line-by-line ``ItemsView`` (a 1,000-item result costs what ten do).
Syntax highlighting is done in a thread worker and only when the raw view is open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Collapsible, Static

from comms_tui.tui.masking import is_masked, mask_text, masking_of
from comms_tui.tui.widgets.items_view import ItemsView, header_text
from comms_tui.tui.widgets.outcome import badge, format_latency, format_status, format_time
from comms_tui.tui.widgets.recipients import display_recipient

if TYPE_CHECKING:
    from comms_tui.api.requests import SendRequest
    from comms_tui.api.results import ItemResult, SendResult
    from comms_tui.core.sender import Sent


@dataclass(frozen=True)
class ResultRecord:
    """A send as the results pane keeps it."""

    seq: int
    at: datetime
    profile: str
    sent: Sent
    request: SendRequest | None = None  # kept only while it has failed items to resend

    @property
    def result(self) -> SendResult:
        return self.sent.result


def response_text(result: SendResult) -> str:
    """The raw response, pretty-printed when it is JSON."""
    raw = result.response_text or ""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
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
    r = record.result
    request_id = r.request_id or "—"
    latency = format_latency(r.latency_ms)
    dot = ("  ·  ", "dim")
    lines = [
        Content.assemble(
            badge(r.outcome, long=True),
            "  ",
            (r.channel.label, "b"),
            f" · {record.profile} · {format_time(record.at, tz)}",
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
    if r.error is not None:
        lines.append(Content.styled(r.error.message, "$text-error"))
    return Content("\n").join(lines)


def item_detail(n: int, item: ItemResult, masked: bool = False) -> Content:
    """The highlighted item in full, wrapped (the table crops long messages)."""
    shown = display_recipient(item.recipient, masked)
    lines = [Content.assemble((f"#{n} ", "dim"), (shown, "b"))]
    lines += [Content.styled(f"✗ {e}", "$text-error") for e in item.errors]
    lines += [Content.styled(f"⚠ {w}", "$text-warning") for w in item.warnings]
    return Content("\n").join(lines)


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

    def on_mount(self) -> None:
        for selector in ("#items-header", "#items", "#item-detail"):
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
        self.query_one("#result-summary", Static).update(summary(record, self.tz))
        self._fill_items(record.result.items)
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
        noteworthy = item is not None and bool(item.errors or item.warnings)
        line.display = noteworthy
        if item is not None and noteworthy:
            line.update(item_detail(row + 1, item, is_masked(self)))

    def _fill_items(self, items: list[ItemResult]) -> None:
        for selector in ("#items-header", "#items"):
            self.query_one(selector).display = bool(items)
        # Start on the row worth reading first: the first failure or warning.
        first = next((i for i, item in enumerate(items) if item.errors or item.warnings), 0)
        self.query_one(ItemsView).set_items(items, cursor=first)
        self._show_item(first)

    def on_collapsible_expanded(self, event: Collapsible.Expanded) -> None:
        event.stop()
        self._render_raw()

    def _render_raw(self) -> None:
        raw = self.query_one("#raw", Collapsible)
        if self.record is None or raw.collapsed:
            return
        self._highlight(self.record, is_masked(self))

    @work(thread=True, exclusive=True, group="highlight")
    def _highlight(self, record: ResultRecord, masked: bool) -> None:
        from rich.syntax import Syntax

        dark = self.app.current_theme.dark
        theme = "monokai" if dark else "default"
        request = record.result.request.to_text()
        response = response_text(record.result) or "(no response body)"
        # Bodies echo the recipients: mask them too while sharing the screen.
        recipients = [item.recipient for item in record.result.items]
        recipients += _wire_recipients(record.result.request.body)
        request = mask_text(request, recipients, masked)
        response = mask_text(response, recipients, masked)
        highlighted_request = highlight_request(request, theme)
        syntax = Syntax(response, "json", theme=theme, background_color="default")
        highlighted_response = syntax.highlight(response)
        self.app.call_from_thread(self._show_raw, record, highlighted_request, highlighted_response)

    def _show_raw(self, record: ResultRecord, request: Text, response: Text) -> None:
        if record is not self.record:
            return  # another send was selected meanwhile
        self.query_one("#raw-request", Static).update(request)
        self.query_one("#raw-response", Static).update(response)
