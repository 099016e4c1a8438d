"""The results pane (``#results``): one line per send, newest first, and the chosen send's detail.

The list is one OptionList (virtual: thousands of sends cost one widget), the detail one
``ResultDetail``. Nothing here knows how a send happened; it is handed ``Sent`` records.

Each record keeps the request it sent while memory allows (``KEPT_REQUEST_BYTES`` of
attachments across older records; the newest always), for "resend failed" and a replayable
"copy as curl". Whatever is copied is also written to a file in the data dir, named in the toast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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

from comms_tui.tui.plain import shown
from comms_tui.tui.widgets.outcome import (
    badge,
    format_latency,
    format_status,
    format_time,
    zone_label,
)
from comms_tui.tui.widgets.result_detail import (
    ResultDetail,
    ResultRecord,
    response_text,
    result_document,
)

if TYPE_CHECKING:
    from comms_tui.api.requests import SendRequest
    from comms_tui.api.target import Target
    from comms_tui.core.sender import Sent

KEPT_REQUEST_BYTES = 64 * 1024 * 1024  # attachments older records may keep alive
CLIPBOARD_MAX_CHARS = 1024 * 1024  # larger copies go to the file only (terminals cap OSC 52)


def _attachment_sizes(request: SendRequest | None) -> dict[int, int]:
    """The request's attachments (by identity: resends share them) and their encoded sizes."""
    sizes: dict[int, int] = {}
    for item in request.items if request is not None else ():
        for attachment in getattr(item, "attachments", None) or ():
            sizes[id(attachment)] = attachment.encoded_size
    return sizes


class ResultsPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "expand", "Raw", tooltip="Show or hide the raw request and response"),
        Binding("c", "copy_curl", "Curl",
                tooltip="Copy a curl command that sends this request again (no secrets)"),
        Binding("r", "copy_response", "Response", tooltip="Copy the whole raw response body"),
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
        self._tz: tzinfo | None = None

    def compose(self) -> ComposeResult:
        yield Label("Results", classes="pane-title", id="results-title")
        yield OptionList(id="sends")
        yield ResultDetail(id="result-detail")

    def on_mount(self) -> None:
        self.query_one("#sends").display = False

    @property
    def tz(self) -> tzinfo | None:
        """The zone times are shown in (the session's); the title names it."""
        return self._tz

    @tz.setter
    def tz(self, zone: tzinfo | None) -> None:
        self._tz = zone
        title = (
            "Results" if zone is None else f"Results · times in {zone_label(zone, self.clock())}"
        )
        self.query_one("#results-title", Label).update(Content(title))

    @property
    def detail(self) -> ResultDetail:
        return self.query_one(ResultDetail)

    @property
    def selected(self) -> ResultRecord | None:
        return self.detail.record

    def add(
        self,
        sent: Sent,
        profile: str,
        request: SendRequest | None = None,
        *,
        at: datetime | None = None,
        target: Target | None = None,
    ) -> ResultRecord:
        """Show a finished send (started ``at``, default now) at the top and select it."""
        if sent.request is None and request is not None:
            sent = replace(sent, request=request)
        scheduled = sent.scheduled_for  # None when it goes at once (a past time too)
        record = ResultRecord(
            seq=len(self.records) + 1,
            at=at or self.clock(),
            profile=profile,
            sent=sent,
            request=request,
            target=target,
            scheduled_for=scheduled,
        )
        self.records.append(record)
        self._let_go_of_old_requests()
        sends = self.query_one("#sends", OptionList)
        sends.display = True
        sends.set_options(self._option(r) for r in reversed(self.records))
        sends.highlighted = 0
        self._show(record)
        return record

    def _let_go_of_old_requests(self) -> None:
        """Older records keep their requests while their attachments fit the budget."""
        kept: dict[int, int] = {}
        for index, record in enumerate(reversed(self.records)):
            sizes = _attachment_sizes(record.request)
            if index and sum({**kept, **sizes}.values()) > KEPT_REQUEST_BYTES:
                record.request = None
            else:
                kept.update(sizes)

    def _option(self, record: ResultRecord) -> Option:
        r = record.result
        latency = format_latency(r.latency_ms)
        prompt = Content.assemble(
            (format_time(record.at, self.tz), "dim"),
            " ",
            r.channel.label.ljust(9),
            shown(record.profile[:9], None, newlines=False)[:9].ljust(10),
            format_status(r.http_status).rjust(3),
            " ",
            badge(r.outcome),
            f" {r.success_count}/{r.count}".ljust(7),
            (latency.rjust(6), "dim"),
        )
        if r.notes():  # warnings, disagreements or anomalies: the detail lists them
            prompt += Content.styled(" ⚠", "$text-warning")
        if record.scheduled_for is not None:
            prompt += Content.styled(f" ⏱ {self._when(record.scheduled_for, record.at)}", "b")
        return Option(prompt, id=f"send-{record.seq}")

    def _when(self, scheduled: datetime | None, sent: datetime) -> str:
        """When a scheduled send goes out, short: ``09:00``, or ``28 Nov 09:00`` another day."""
        assert scheduled is not None
        local, day = scheduled.astimezone(self.tz), sent.astimezone(self.tz).date()
        return f"{local:%H:%M}" if local.date() == day else f"{local:%d %b %H:%M}"

    def _show(self, record: ResultRecord) -> None:
        detail = self.detail
        detail.tz = self.tz
        detail.show(record)

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

    def _say(self, text: str, **options: object) -> None:
        """A notification in plain text: it names files and quotes the server."""
        self.notify(shown(text), markup=False, **options)  # type: ignore[arg-type]

    def action_copy_curl(self) -> None:
        record = self.selected
        if record is None:
            self.notify("Nothing to copy yet: send something first.", severity="warning")
            return
        if record.request is None or record.target is None:
            self.notify(
                "This send's request is no longer kept (its attachments were let go to save "
                "memory): e shows it, redacted.",
                severity="warning",
            )
            return
        self._copy_curl(record.request, record.target)

    @work(thread=True, group="copy", description="copy a curl command")
    def _copy_curl(self, request: SendRequest, target: Target) -> None:
        """The replay command (a large body goes to its own 0600 file) and its copy on disk."""
        from comms_tui.api.attachments import human_size
        from comms_tui.api.curl import replay_command
        from comms_tui.store.exports import write_copy
        from comms_tui.store.paths import data_dir

        try:
            directory = data_dir()
            replay = replay_command(request, target, body_dir=directory)
            path = write_copy(directory, "copied-curl.sh", replay.script)
        except OSError as exc:
            self.app.call_from_thread(
                self._say, f"Copy failed: {exc}", severity="error", timeout=15
            )
            return
        lines = [
            "Copied a curl command that SENDS this request again when run "
            f"(credentials from {' / '.join(replay.env)}, never in the command).",
            f"Also in {path}",
        ]
        if replay.body_file is not None:
            lines.append(f"Its body ({human_size(replay.body_size)}) is in {replay.body_file}")
        self.app.call_from_thread(self._copied, replay.script, "\n".join(lines))

    def action_copy_response(self) -> None:
        record = self.selected
        if record is None or not record.result.response_text:
            self.notify("There is no response body to copy.", severity="warning")
            return
        self._copy_response(record)

    @work(thread=True, group="copy", description="copy the response")
    def _copy_response(self, record: ResultRecord) -> None:
        from comms_tui.api.attachments import human_size
        from comms_tui.store.exports import write_copy
        from comms_tui.store.paths import data_dir

        text = response_text(record.result)  # all of it: the raw view may show only the start
        name = "copied-response.json" if text.startswith(("{", "[")) else "copied-response.txt"
        try:
            path = write_copy(data_dir(), name, text)
        except OSError as exc:
            self.app.call_from_thread(self._copied, text, f"Copied the response (not kept: {exc}).")
            return
        size = human_size(len(text.encode("utf-8")))
        self.app.call_from_thread(
            self._copied, text, f"Copied the response ({size}).\nAlso in {path}"
        )

    def _copied(self, text: str, message: str) -> None:
        if len(text) <= CLIPBOARD_MAX_CHARS:
            self.app.copy_to_clipboard(text)
        else:  # megabytes through the terminal: most would drop it, and it stalls the screen
            message = message.replace("Copied", "Too large for the terminal's clipboard:", 1)
            message = message.replace("Also in", "it is in", 1)
        self._say(message, timeout=12)

    def action_resend_failed(self) -> None:
        """Failed items of a request the server acted on, sent again; otherwise, why not (the
        key is always live: a greyed-out one did nothing when pressed, and said nothing)."""
        record = self.selected
        if record is None:
            self.notify("Nothing to resend yet: send something first.", severity="warning")
        elif record.result.sent_nothing:  # the failed ones would be the same request again
            self.notify(
                "Nothing of the selected send went out: fix what it says, then send the form "
                "again (ctrl+j).",
                severity="warning",
            )
        elif not record.result.failed_items:
            self.notify("No item of the selected send failed: nothing to resend.")
        elif record.request is None:
            self.notify(
                "This send's request is no longer kept (its attachments were let go to save "
                "memory): compose it again from the history (f2).",
                severity="warning",
            )
        else:
            self.post_message(self.ResendRequested(record))

    def action_export_json(self) -> None:
        record = self.selected
        if record is None:
            self.notify("Nothing to export yet: send something first.", severity="warning")
            return
        self._export(record)

    @work(thread=True, group="export-result", description="export a result")
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
                self._say, f"Export failed: {exc}", severity="error", timeout=15
            )
            return
        self.app.call_from_thread(self._copied, text, f"Copied the result as JSON.\nAlso in {path}")

    def focus_list(self) -> None:
        sends = self.query_one("#sends", OptionList)
        if sends.display:
            sends.focus()
        else:
            self.notify("No results yet.")
