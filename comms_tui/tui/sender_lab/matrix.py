"""The sender-ID lab's matrix on screen: sender ID × attribution, and one cell in detail.

Every outcome carries a symbol and a word, so the matrix reads the same without colour; the
colours are theme variables, resolved when the table is filled (refill it when the theme changes).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from comms_tui.core.lab import LabCell, LabMatrix
from comms_tui.tui.plain import shown
from comms_tui.tui.widgets.outcome import format_latency, format_status

CELL_WIDTH = 32  # the matrix shows the start of the error; the detail line shows all of it

# Theme variables per outcome (resolved against the current theme when the table is drawn).
OUTCOME_COLOURS: dict[str, str] = {
    "accepted": "text-success",
    "rejected": "text-error",
    "not_sent": "text-error",
    "server_error": "text-error",
    "unknown": "text-warning",
    "invalid": "text-warning",
}
_DETAIL_STYLES: dict[str, str] = {k: f"b ${v}" for k, v in OUTCOME_COLOURS.items()}
_WORDS = {
    "accepted": "✓ accepted",
    "rejected": "✗ rejected by the server",
    "not_sent": "⊘ not sent: the request was refused",
    "server_error": "✗ the server reported an error (it does not say nothing went out)",
    "unknown": "? unknown: it may have been sent",
    "invalid": "– invalid: failed the local sender-ID check, not sent",
}


class LabMatrixTable(DataTable[Text]):
    """One row per sender ID, one column per attribution; the cursor moves between cells."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)

    def show(self, matrix: LabMatrix) -> Coordinate:
        """Fill the table, keeping the cursor where it was if it is still on a cell; the cursor."""
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        self.add_column(Text("Sender ID", style="bold"), key="sender")
        for label in matrix.attributions:
            self.add_column(Text(shown(label, 60, newlines=False), style="bold"), key=label)
        for sender_id in matrix.senders:
            row = [Text(shown(sender_id, 60, newlines=False), style="bold")]
            for label in matrix.attributions:
                cell = matrix.cell(sender_id, label)
                row.append(Text(cell_text(cell), style=self._style(cell.outcome if cell else "")))
            self.add_row(*row, key=sender_id)
        self.display = True
        if cursor.column == 0 or cursor.row >= len(matrix.senders):
            cursor = cursor._replace(row=min(cursor.row, len(matrix.senders) - 1), column=1)
        self.move_cursor(row=cursor.row, column=cursor.column)
        return cursor

    def _style(self, outcome: str) -> Style:
        colour = self.app.get_css_variables().get(OUTCOME_COLOURS.get(outcome, ""), "")
        try:
            return Style.parse(colour.split()[0]) if colour else Style(dim=True)
        except Exception:  # an odd theme value: plain text still carries the symbol and word
            return Style()


def cell_at(matrix: LabMatrix | None, row: int, column: int) -> LabCell | None:
    """The cell under the table's cursor (on the sender column: the first attribution's)."""
    if matrix is None or not 0 <= row < len(matrix.senders) or not matrix.attributions:
        return None
    label = matrix.attributions[max(0, column - 1)]
    return matrix.cell(matrix.senders[row], label)


def _clip(text: str, width: int = CELL_WIDTH) -> str:
    text = shown(text[: width + 1], None, newlines=False)  # control characters made visible
    return text if len(text) <= width else text[: width - 1] + "…"


def cell_text(cell: LabCell | None) -> str:
    """``✓ accepted`` · ``✗ 4250 sender ID X is no…`` · ``? unknown`` · ``– invalid: …``."""
    if cell is None:
        return "—"
    if cell.outcome == "accepted":
        return "✓ accepted" + (" ⚠" if cell.warnings else "")
    if cell.outcome == "unknown":
        return "? unknown"
    first = cell.errors[0] if cell.errors else cell.outcome.replace("_", " ")
    if cell.outcome == "invalid":
        return _clip(f"– invalid: {first}")
    if cell.outcome == "not_sent":
        return _clip(f"⊘ not sent: {first}")
    if cell.outcome == "server_error":
        return _clip(f"✗ server error: {first.removeprefix('the server reported an error ')}")
    code, sep, message = first.partition(": ")
    return _clip(f"✗ {code} {message}" if sep and code.isdigit() else f"✗ {first}")


def summary(matrix: LabMatrix) -> Content:
    """``2 of 8 work · 2 accepted · 4 rejected · 2 invalid`` and the keys that come next."""
    parts = [f"{n} {outcome.replace('_', ' ')}" for outcome, n in matrix.counts.items()]
    return Content.assemble(
        (f"{matrix.counts.get('accepted', 0)} of {len(matrix.cells)} work", "b"),
        f" · {' · '.join(parts)}", ("   s saves working IDs · e exports", "dim"),
    )  # fmt: skip


def cell_detail(cell: LabCell | None, *, show: Callable[[str], str]) -> Content:
    """Everything about one cell: outcome, errors, warnings, HTTP, latency, request and history."""
    if cell is None:
        return Content.styled("Move over a cell to see its details.", "dim")
    dot = ("  ·  ", "dim")
    head = Content.assemble(
        (shown(cell.sender, 60), "b"), (" × ", "dim"), (shown(cell.attribution, 60), "b"), "  ",
        (_WORDS.get(cell.outcome, cell.outcome), _DETAIL_STYLES.get(cell.outcome, "b")),
    )  # fmt: skip
    lines = [head]
    lines += [Content.styled(f"✗ {shown(e, 500)}", "$text-error") for e in cell.errors]
    lines += [Content.styled(f"⚠ {shown(w, 500)}", "$text-warning") for w in cell.warnings]
    if cell.outcome != "invalid":
        request_id = shown(cell.request_id or "—", 200)
        latency = format_latency(cell.latency_ms)
        facts: list[Content | tuple[str, str] | str] = [
            ("HTTP ", "dim"), format_status(cell.http_status), dot, latency, dot,
            ("X-Cap-Requestid ", "dim"), request_id,
        ]  # fmt: skip
        if cell.history_id is not None:
            facts += [dot, f"history #{cell.history_id}"]
        if cell.recipients:
            facts += [dot, ("to ", "dim"), ", ".join(show(r) for r in cell.recipients)]
        lines.append(Content.assemble(*facts))
    return Content("\n").join(lines)
