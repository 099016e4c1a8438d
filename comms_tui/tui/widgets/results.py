"""The results pane (``#results``): one line per send, newest first, and the chosen send's detail.

The list is one OptionList (virtual: thousands of sends cost one widget), the detail one
``ResultDetail``. Nothing here knows how a send happened; it is handed ``Sent`` records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from comms_tui.tui.widgets.outcome import badge, format_latency, format_status, format_time
from comms_tui.tui.widgets.result_detail import (
    ResultDetail,
    ResultRecord,
    response_text,
    result_document,
)

if TYPE_CHECKING:
    from pathlib import Path

    from comms_tui.api.requests import SendRequest
    from comms_tui.core.sender import Sent


class ResultsPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "expand", "Raw", tooltip="Show or hide the raw request and response"),
        Binding("c", "copy_curl", "Curl", tooltip="Copy the request as curl, no secrets"),
        Binding("r", "copy_response", "Response", tooltip="Copy the raw response body"),
        Binding("f", "resend_failed", "Resend failed",
                tooltip="A new request with only the failed items (asks first)"),
        Binding("x", "export_json", "Export", show=False, tooltip="Save as JSON and copy it"),
    ]  # fmt: skip

    class ResendRequested(Message):
        """Resend the failed items of ``record`` (the compose screen owns the send flow)."""

        def __init__(self, record: ResultRecord) -> None:
            super().__init__()
            self.record = record

    def __init__(self, *, clock: Callable[[], datetime] | None = None, id: str = "results") -> None:
        super().__init__(id=id)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.records: list[ResultRecord] = []
        self.tz: tzinfo | None = None

    def compose(self) -> ComposeResult:
        yield Label("Results", classes="pane-title")
        yield OptionList(id="sends")
        yield ResultDetail(id="result-detail")

    def on_mount(self) -> None:
        self.query_one("#sends").display = False

    @property
    def detail(self) -> ResultDetail:
        return self.query_one(ResultDetail)

    @property
    def selected(self) -> ResultRecord | None:
        return self.detail.record

    def add(self, sent: Sent, profile: str, request: SendRequest | None = None) -> ResultRecord:
        """Show a finished send at the top and select it."""
        record = ResultRecord(
            seq=len(self.records) + 1,
            at=self.clock(),
            profile=profile,
            sent=sent,
            # Only a send with failed items can be resent: don't hold every request's attachments.
            request=request if sent.result.failed_items else None,
        )
        self.records.append(record)
        sends = self.query_one("#sends", OptionList)
        sends.display = True
        sends.set_options(self._option(r) for r in reversed(self.records))
        sends.highlighted = 0
        self._show(record)
        return record

    def _option(self, record: ResultRecord) -> Option:
        r = record.result
        latency = format_latency(r.latency_ms)
        prompt = Content.assemble(
            (format_time(record.at, self.tz), "dim"),
            " ",
            r.channel.label.ljust(9),
            record.profile[:9].ljust(10),
            format_status(r.http_status).rjust(3),
            " ",
            badge(r.outcome),
            f" {r.success_count}/{r.count}".ljust(7),
            (latency.rjust(6), "dim"),
        )
        return Option(prompt, id=f"send-{record.seq}")

    def _show(self, record: ResultRecord) -> None:
        detail = self.detail
        detail.tz = self.tz
        detail.show(record)
        self.refresh_bindings()  # "Resend failed" depends on the selected send

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resend_failed":
            record = self.selected
            return None if record is None or record.request is None else True
        return True

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_id is None:
            return
        seq = int(event.option_id.removeprefix("send-"))
        record = self.records[seq - 1]
        if record is not self.selected:
            self._show(record)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.detail.toggle_raw()

    def action_expand(self) -> None:
        if self.selected is not None:
            self.detail.toggle_raw()

    def action_copy_curl(self) -> None:
        record = self.selected
        if record is None:
            self.notify("Nothing to copy yet: send something first.", severity="warning")
            return
        self.app.copy_to_clipboard(record.result.request.to_curl())
        self.notify("Copied the request as curl (credentials as placeholders).")

    def action_copy_response(self) -> None:
        record = self.selected
        if record is None or not record.result.response_text:
            self.notify("There is no response body to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(response_text(record.result))
        self.notify("Copied the response.")

    def action_resend_failed(self) -> None:
        record = self.selected
        if record is None or record.request is None:
            self.notify("The selected send has no failed items to resend.", severity="warning")
            return
        self.post_message(self.ResendRequested(record))

    def action_export_json(self) -> None:
        record = self.selected
        if record is None:
            self.notify("Nothing to export yet: send something first.", severity="warning")
            return
        self._export(record)

    @work(thread=True, group="export-result")
    def _export(self, record: ResultRecord) -> None:
        from comms_tui.store.exports import write_export
        from comms_tui.store.paths import data_dir

        text = result_document(record)
        history_id = record.sent.history_id
        stem = f"result-{history_id}" if history_id else record.at.strftime("result-%Y%m%d-%H%M%S")
        try:
            [path] = write_export(data_dir(), stem, {".json": text})
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Export failed: {exc}", severity="error", timeout=15
            )
            return
        self.app.call_from_thread(self._exported, path, text)

    def _exported(self, path: Path, text: str) -> None:
        self.app.copy_to_clipboard(text)
        self.notify(f"{path}\n(copied to the clipboard)", title="Result exported")

    def focus_list(self) -> None:
        sends = self.query_one("#sends", OptionList)
        if sends.display:
            sends.focus()
        else:
            self.notify("No results yet.")
