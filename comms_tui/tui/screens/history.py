"""The send history: every journal entry, newest first, with filters, details and "compose again".

The journal is SQLite, so every query runs in a thread worker; filter changes are debounced so
typing a recipient does not queue a query per key press. Times are when each send started, in
the session's zone (named in the Time column's heading and in the detail). What the journal
holds came from servers and disk: shown as plain text, control characters visible, long text cut.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timezone, tzinfo
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Select, Static
from textual.widgets.data_table import RowKey
from textual.worker import get_current_worker

from comms_tui.api.channels import Channel
from comms_tui.api.errors import CommsError
from comms_tui.store.history import OUTCOMES, RECIPIENT_SCAN_LIMIT, Journal, JournalEntry
from comms_tui.tui.masking import display_recipient, is_masked, mask_text, masking_of
from comms_tui.tui.messages import ComposeAgain
from comms_tui.tui.plain import plain, shown
from comms_tui.tui.sizes import NARROW_BELOW
from comms_tui.tui.widgets.footer import AppFooter
from comms_tui.tui.widgets.outcome import format_latency, format_moment, zone_label

# Rows per query: a few screens' worth, so opening and each filter keystroke cost the same with
# 100 entries or 100 000; the next page loads as the cursor or the scroll nears the end.
HISTORY_PAGE = 60
LOAD_MORE_WITHIN = 20  # rows from the end of those loaded
DEBOUNCE_SECONDS = 0.2
ITEMS_SHOWN = 200  # per-item lines in the detail (the request below lists every recipient)
REQUEST_SHOWN_CHARS = 20_000  # of the redacted request in the detail
# Fixed widths: a stable layout that need not measure 500 rows (the detail shows full values).
# Time's width is that of the times shown.
COLUMNS = (
    ("Time", 19),
    ("Profile", 12),
    ("Channel", 8),
    ("Recipients", 22),
    ("Outcome", 9),
    ("HTTP", 4),
    ("Request ID", 20),
    ("Latency", 8),
)
# Below NARROW_BELOW columns: no profile (the detail has it), shorter cuts, one space between.
NARROW_COLUMNS = (
    ("Time", 19),
    ("Channel", 8),
    ("Recipients", 15),
    ("Outcome", 9),
    ("HTTP", 4),
    ("Request ID", 9),
    ("Latency", 7),
)
NARROW_TITLES = {"Request ID": "Req. ID"}  # the only title longer than its narrow column


def recipient_summary(recipients: list[str], masked: bool = False) -> str:
    """The first recipient, plus how many more."""
    if not recipients:
        return "—"
    extra = len(recipients) - 1
    return display_recipient(recipients[0], masked) + (f" +{extra}" if extra else "")


def query_history(
    journal: Journal,
    *,
    channel: str | None,
    recipient: str,
    outcome: str | None,
    before: int | None = None,
) -> tuple[list[JournalEntry], bool]:
    """(a page of entries newest first, older than ``before``; whether more exist). Blocking:
    call from a thread. The same search as ``comms-tui history``: ``Journal.search``."""
    return journal.search(
        recipient=recipient,
        channel=channel,
        outcome=outcome,
        limit=HISTORY_PAGE,
        before=before,
        scan_limit=RECIPIENT_SCAN_LIMIT,
    )


def compose_again_fields(entry: JournalEntry) -> tuple[ComposeAgain, list[str]]:
    """The ComposeAgain for an entry, and notes on what could not be carried over."""
    channel = Channel.parse(entry.channel)
    body: dict[str, Any] = entry.request
    payload = body.get("root", body) if isinstance(body.get("root"), dict) else body
    items = [i for i in payload.get(channel.list_key) or [] if isinstance(i, dict)]
    first: dict[str, Any] = items[0] if items else {}
    notes: list[str] = []
    fields = {
        k: str(v)
        for k, v in first.items()
        if k not in ("attachments", "scheduledTime") and isinstance(v, str | int | float)
    }
    key = channel.recipient_field
    recipients = [str(i[key]) for i in items if i.get(key)] or list(entry.recipients)
    fields[key] = ", ".join(dict.fromkeys(recipients))
    if any(i.get("attachments") for i in items):
        notes.append("attachments are not kept in the history: attach the files again")
    if "scheduledTime" in first:
        notes.append("the schedule was not copied: it sends now unless you set one")
    return ComposeAgain(channel=channel, fields=fields), notes


class HistoryScreen(Screen["ComposeAgain | None"]):
    """Browse the journal; dismisses with a ComposeAgain ("c") or None (Escape)."""

    AUTO_FOCUS = "#history-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("slash", "focus_filter", "Filter", tooltip="Filter by recipient"),
        Binding("c", "compose_again", "Compose again"),
        Binding("r", "reload", "Refresh"),
    ]
    DEFAULT_CSS = """
    HistoryScreen { layout: vertical; }
    HistoryScreen #history-title { height: 1; padding: 0 1; background: $panel; }
    HistoryScreen #history-filters { height: auto; padding: 0 1; }
    HistoryScreen #history-filters Select { width: 24; margin-right: 1; }
    HistoryScreen #history-filters Input { width: 1fr; margin-right: 1; }
    HistoryScreen #history-filters Button { min-width: 18; }
    HistoryScreen #history-note { height: 1; padding: 0 2; color: $text-muted; }
    HistoryScreen #history-note.-error { color: $text-error; }
    HistoryScreen #history-table { height: 1fr; }
    HistoryScreen #history-detail {
        /* at most half the height: a short terminal (60×15) still shows rows to pick from */
        height: 12; max-height: 40%; border-top: solid $panel; padding: 0 1; background: $boost;
        overflow-x: auto;  /* for the request: JSON is not wrapped, long lines scroll sideways */
    }
    HistoryScreen #detail-request { width: auto; text-wrap: nowrap; }
    """

    def __init__(self, journal: Journal, *, zone: tzinfo | None = None) -> None:
        super().__init__()
        self.journal = journal
        self.zone = zone  # the session's; None: the machine's
        self._entries: dict[str, JournalEntry] = {}
        self._timer: Timer | None = None
        self._shown: tuple[list[JournalEntry], bool, bool] = ([], False, False)
        # How the rows on screen were drawn (columns, masking, theme, zone): a refill with the
        # same entries drawn the same way is skipped.
        self._drawn: tuple[object, ...] | None = None
        self._detail_shown: tuple[object, ...] | None = None  # the entry the detail shows, how
        self._note = ""
        self._columns: tuple[tuple[str, int], ...] = ()
        self._generation = 0  # bumped by each reload: a page loaded for older filters is dropped
        self._paging = False  # a next page is being loaded
        self._time_width = 19

    @property
    def narrow(self) -> bool:
        return self.size.width < NARROW_BELOW

    def on_resize(self) -> None:
        if self._columns and self._columns != self._columns_for_width():
            with contextlib.suppress(NoMatches):
                self._fill_table(*self._shown)

    def _columns_for_width(self) -> tuple[tuple[str, int], ...]:
        return NARROW_COLUMNS if self.narrow else COLUMNS

    def compose(self) -> ComposeResult:
        yield Static("[b]Send history[/b]  newest first", id="history-title")
        with Horizontal(id="history-filters"):
            yield Select(
                [(c.label, c.value) for c in Channel], prompt="All channels", id="channel-filter"
            )
            yield Input(placeholder="Recipient contains…", id="recipient-filter")
            yield Select([(o, o) for o in OUTCOMES], prompt="Any outcome", id="outcome-filter")
            yield Button("Compose again", id="compose-again", variant="primary")
        yield Static("Loading…", id="history-note")
        table: DataTable[Any] = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield table
        with VerticalScroll(id="history-detail"):
            yield Static("", id="detail")
            yield Static("", id="detail-request")
        yield AppFooter()

    def on_mount(self) -> None:
        self.action_reload()
        if (masking := masking_of(self)) is not None:
            masking.changed.subscribe(self, lambda _masked: self.action_reload())
        self.watch(self.query_one("#history-table", DataTable), "scroll_y", self._scrolled)

    def start_afresh(self) -> None:
        """Opened again (the app keeps this screen): no filters, the newest entries read again,
        the table in focus at its first row. Rows shown last time without filters stay until
        the newest are read (a moment): the table is refilled only if they differ, so a send
        since then is never missing and an unchanged journal costs no redraw of every row."""
        if self._timer is not None:
            self._timer.stop()
        filtered = any(self._filters())
        with self.prevent(Select.Changed, Input.Changed):
            self.query_one("#channel-filter", Select).clear()
            self.query_one("#recipient-filter", Input).value = ""
            self.query_one("#outcome-filter", Select).clear()
        table = self.query_one("#history-table", DataTable)
        entries = self._shown[0]
        if filtered or len(entries) > HISTORY_PAGE:  # not what the newest page would show
            table.clear()
            self._entries = {}
            self._shown = ([], False, False)
            entries = []
            self.query_one("#history-note", Static).update("Loading…")
            self._note = ""
        if entries:
            table.move_cursor(row=0, animate=False)
        table.scroll_home(animate=False)
        self._show_detail(entries[0] if entries else None)
        self.set_focus(table)
        self.action_reload()

    # -- loading ------------------------------------------------------------------------------

    def _filters(self) -> tuple[str | None, str, str | None]:
        channel = self.query_one("#channel-filter", Select).value
        outcome = self.query_one("#outcome-filter", Select).value
        return (
            channel if isinstance(channel, str) else None,
            self.query_one("#recipient-filter", Input).value,
            outcome if isinstance(outcome, str) else None,
        )

    def action_focus_filter(self) -> None:
        self.query_one("#recipient-filter", Input).focus()

    def action_reload(self) -> None:
        channel, recipient, outcome = self._filters()
        self._generation += 1
        self._paging = False
        self._load(channel, recipient, outcome)

    @on(Select.Changed)
    @on(Input.Changed, "#recipient-filter")
    def _filter_changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self.action_reload)

    @work(thread=True, exclusive=True, group="history-load", description="load history")
    def _load(self, channel: str | None, recipient: str, outcome: str | None) -> None:
        worker = get_current_worker()
        try:
            entries, more = query_history(
                self.journal, channel=channel, recipient=recipient, outcome=outcome
            )
        except CommsError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_error, exc.message)
            return
        scanned = bool(recipient.strip()) and not self.journal.indexed
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_entries, entries, more, scanned)

    # -- the next page ------------------------------------------------------------------------

    def _scrolled(self, _scroll_y: float) -> None:
        table = self.query_one("#history-table", DataTable)
        last_visible = int(table.scroll_y) + table.scrollable_content_region.height
        self._near_end(last_visible)

    def _near_end(self, row: int) -> None:
        """Load the next page once ``row`` is within ``LOAD_MORE_WITHIN`` of the last loaded."""
        entries, more, _ = self._shown
        if more and not self._paging and entries and row >= len(entries) - LOAD_MORE_WITHIN:
            self._paging = True
            self._load_page(*self._filters(), entries[-1].id, self._generation)

    @work(thread=True, group="history-page", description="load the next history page")
    def _load_page(
        self, channel: str | None, recipient: str, outcome: str | None, before: int, generation: int
    ) -> None:
        try:
            entries, more = query_history(
                self.journal, channel=channel, recipient=recipient, outcome=outcome, before=before
            )
        except CommsError as exc:
            self.app.call_from_thread(self._show_error, exc.message)
            return
        self.app.call_from_thread(self._append_entries, entries, more, generation)

    def _append_entries(self, entries: list[JournalEntry], more: bool, generation: int) -> None:
        if generation != self._generation:  # the filters changed meanwhile
            return
        self._paging = False
        shown_before, _, scanned = self._shown
        with contextlib.suppress(NoMatches):
            self._shown = (shown_before + entries, more, scanned)
            self._add_rows(entries)
            self._update_note()

    # Callbacks from the worker thread: the screen may be closing meanwhile (NoMatches).

    def _show_error(self, message: str) -> None:
        with contextlib.suppress(NoMatches):
            note = self.query_one("#history-note", Static)
            self._note = ""
            note.update(plain(f"Cannot read the history: {message}"))
            note.add_class("-error")

    def _show_entries(self, entries: list[JournalEntry], more: bool, scanned: bool) -> None:
        with contextlib.suppress(NoMatches):
            drawn = (self._columns_for_width(), is_masked(self), self.app.theme, self.zone)
            if (entries, more, scanned) == self._shown and drawn == self._drawn:
                self._update_note()  # the rows on screen are these already
                return
            self._fill_table(entries, more, scanned)
            self._drawn = drawn

    def _fill_table(self, entries: list[JournalEntry], more: bool, scanned: bool) -> None:
        table = self.query_one("#history-table", DataTable)
        self._shown = (entries, more, scanned)
        columns = self._columns_for_width()
        narrow = columns is NARROW_COLUMNS
        rows = [self._row(entry, {}, False, self.zone) for entry in entries[:1]]
        time_width = max(8, *(len(row[0].plain) for row in rows)) if rows else 19
        table.clear(columns=True)
        zone = zone_label(self.zone, datetime.now(timezone.utc))
        table.cell_padding = 0 if narrow else 1
        for label, width in columns:
            column_width = time_width if label == "Time" else width
            title = f"{label} ({zone})" if label == "Time" else label
            if narrow:  # as the cells: one short of the width, so a space separates titles
                title = NARROW_TITLES.get(label, title)
            table.add_column(title, width=column_width + (1 if narrow else 0), key=label)
        self._columns = columns
        self._entries = {}
        self._time_width = time_width
        self._add_rows(entries)
        self._update_note()
        self._show_detail(entries[0] if entries else None)

    def _add_rows(self, entries: list[JournalEntry]) -> None:
        table = self.query_one("#history-table", DataTable)
        columns = self._columns
        narrow = columns is NARROW_COLUMNS
        theme = self.app.current_theme
        # DataTable renders Rich text, which cannot resolve $variables: take the theme's colours.
        colours = {
            "error": theme.error or "",
            "success": theme.success or "",
            "warning": theme.warning or "",
        }
        masked = is_masked(self)
        widths = dict(columns)
        keep = [i for i, (label, _) in enumerate(COLUMNS) if label in widths]
        for entry in entries:
            self._entries[str(entry.id)] = entry
            cells = self._row(entry, colours, masked, self.zone)
            kept = [cells[i] for i in keep]
            if narrow:  # no cell padding: cut one short, so a space always separates columns
                for cell, (label, width) in zip(kept, columns, strict=True):
                    cell.truncate(
                        self._time_width if label == "Time" else width, overflow="ellipsis"
                    )
            table.add_row(*kept, key=str(entry.id))

    def _update_note(self) -> None:
        entries, more, scanned = self._shown
        note = self.query_one("#history-note", Static)
        count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
        if more:
            text = f"The newest {count}; more load as you scroll down."
        elif not entries:
            text = "Nothing matches these filters." if any(self._filters()) else "No sends yet."
        else:
            text = count
        if scanned:
            text += f" (recipient searched in the newest {RECIPIENT_SCAN_LIMIT})"
        if text != self._note or note.has_class("-error"):
            note.remove_class("-error")
            note.update(Content(text))
            self._note = text

    @staticmethod
    def _row(
        entry: JournalEntry,
        colours: dict[str, str],
        masked: bool = False,
        zone: tzinfo | None = None,
    ) -> list[Text]:
        return [
            Text(format_moment(entry.created_at, zone, zone=False)),
            Text(shown(entry.profile, 60, newlines=False)),
            Text(shown(_channel_label(entry.channel), 20, newlines=False)),
            Text(recipient_summary(entry.recipients, masked)),
            outcome_badge(entry.outcome, colours),
            Text(str(entry.http_status) if entry.http_status is not None else "—"),
            Text(shown(entry.request_id or "—", 60, newlines=False)),
            Text(format_latency(entry.latency_ms), justify="right"),
        ]

    # -- detail and actions -------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        # No key on an empty table: Textual highlights row -1 when up or page up is pressed.
        key: RowKey | None = event.row_key
        self._show_detail(self._entries.get(str(key.value)) if key is not None else None)
        self._near_end(event.cursor_row)

    def _current(self) -> JournalEntry | None:
        table = self.query_one("#history-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self._entries.get(str(key.value))

    def _show_detail(self, entry: JournalEntry | None) -> None:
        masked = is_masked(self)
        shown_as = (entry, masked, self.zone)
        if shown_as == self._detail_shown:  # each update lays the whole screen out again
            return
        self._detail_shown = shown_as
        self.query_one("#detail", Static).update(detail_content(entry, masked, self.zone))
        self.query_one("#detail-request", Static).update(request_content(entry, masked))

    @on(Button.Pressed, "#compose-again")
    def action_compose_again(self) -> None:
        entry = self._current()
        if entry is None:
            self.notify("Pick an entry first.", severity="warning")
            return
        try:
            result, notes = compose_again_fields(entry)
        except CommsError as exc:
            self.notify(shown(exc.message), severity="error", markup=False)
            return
        for note in notes:
            self.app.notify(note.capitalize() + ".", severity="warning", timeout=8)
        self.dismiss(result)

    def action_close(self) -> None:
        self.dismiss(None)


def _channel_label(channel: str) -> str:
    try:
        return Channel(channel).label
    except ValueError:
        return channel


def outcome_badge(outcome: str, colours: dict[str, str]) -> Text:
    """A coloured outcome label in the theme's colours; ``unknown`` is deliberately loud."""

    def colour(name: str) -> str | None:
        return colours.get(name) or None

    if outcome == "unknown":
        # In the column's first cell, as the others: a leading space put it out of line.
        return Text("UNKNOWN", style=Style(bold=True, reverse=True, color=colour("error")))
    if outcome == "accepted":
        style = Style(color=colour("success"))
    elif outcome == "partial":
        style = Style(color=colour("warning"), bold=True)
    elif outcome == "failed":
        style = Style(color=colour("error"), bold=True)
    elif outcome == "rejected":
        style = Style(color=colour("error"))
    elif outcome == "pending":
        style = Style(dim=True, italic=True)
    else:
        style = Style()
    return Text(outcome, style=style)


def detail_content(
    entry: JournalEntry | None, masked: bool = False, zone: tzinfo | None = None
) -> Content:
    if entry is None:
        return Content("Nothing selected.")
    lines = [
        Content.from_markup(
            "[b]#$id[/b]  sent $when  [b]$channel[/b] via $profile ($host)",
            id=str(entry.id),
            when=format_moment(entry.created_at, zone),
            channel=shown(_channel_label(entry.channel), 20),
            profile=shown(entry.profile, 60),
            host=shown(entry.host, 200),
        )
    ]
    lines.append(
        Content.from_markup(
            "Outcome [b]$outcome[/b] · HTTP $status · request id $rid · $latency",
            outcome=shown(entry.outcome, 20),
            status=str(entry.http_status) if entry.http_status is not None else "—",
            rid=shown(entry.request_id or "—", 200),
            latency=format_latency(entry.latency_ms),
        )
    )
    if entry.outcome == "unknown":
        lines.append(
            Content.from_markup(
                "[b $text-error]Outcome unknown:[/] the request may or may not have been sent. "
                "Check with the recipient before sending again."
            )
        )
    if entry.error:
        lines.append(
            Content.from_markup("[b $text-error]Error:[/] $error", error=shown(entry.error))
        )
    for item in entry.items[:ITEMS_SHOWN]:
        ok = item.get("ok")
        mark = "[$text-success]✔[/]" if ok else ("[$text-error]✘[/]" if ok is False else "?")
        notices = [f"{n.get('code')}: {n.get('message')}" for n in _notices(item, "errors")]
        notices += [
            f"warning {n.get('code')}: {n.get('message')}" for n in _notices(item, "warnings")
        ]
        lines.append(
            Content.from_markup(
                f"{mark} $recipient  $notices",
                recipient=display_recipient(str(item.get("recipient", "?")), masked),
                notices=shown("; ".join(notices), 500),
            )
        )
    if len(entry.items) > ITEMS_SHOWN:
        lines.append(Content(f"… and {len(entry.items) - ITEMS_SHOWN} more items"))
    lines.append(Content.from_markup("[b]Request (redacted):[/b]"))
    return Content("\n").join(lines)


def request_content(entry: JournalEntry | None, masked: bool = False) -> Content:
    """The journaled request as JSON, unwrapped (a wrap would split its tokens)."""
    if entry is None:
        return Content("")
    request = json.dumps(entry.request, indent=2, ensure_ascii=False)
    known = [*entry.recipients, *(str(i.get("recipient", "")) for i in entry.items)]
    return Content(shown(mask_text(request, known, masked), REQUEST_SHOWN_CHARS))


def _notices(item: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """An item's errors or warnings as the journal holds them (a hand-edited one may not)."""
    found = item.get(key)
    return [n for n in found[:10] if isinstance(n, dict)] if isinstance(found, list) else []
