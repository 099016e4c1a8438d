"""A labelled form field: label and input on one row, then an optional hint line and the error.

The error line is ``#<field>-error`` (class ``field-error``), the hint ``#<field>-hint``: the
compose forms find them by the API field name, which is also the input's id. Both start hidden
(CSS) and show once they have something to say.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Static


def form_field(
    label: str, widget: Widget, *, hint: bool = False, classes: str = ""
) -> ComposeResult:
    """Yield one field's widgets (use with ``yield from`` inside a form's ``compose``)."""
    field_id = widget.id
    assert field_id, "a form field's widget needs the API field name as its id"
    if hasattr(widget, "compact"):
        widget.compact = True  # one line per field: the whole form fits a 36-row terminal
    with Vertical(id=f"{field_id}-field", classes=f"field {classes}".strip()):
        with Horizontal(classes="field-row"):
            yield Label(label, classes="field-label")
            yield widget
        if hint:
            yield Static(id=f"{field_id}-hint", classes="field-hint")
        yield Static(id=f"{field_id}-error", classes="field-error")


def set_error(owner: Widget, field_id: str, message: str | None) -> None:
    """Show (or clear) the error under a field, and mark the field invalid."""
    for line in owner.query(f"#{field_id}-error").results(Static):
        line.update(Content(message or ""))
        line.set_class(bool(message), "-shown")
    for field in owner.query(f"#{field_id}-field"):
        field.set_class(bool(message), "-invalid")


def set_hint(owner: Widget, field_id: str, content: Content | str | None) -> None:
    for line in owner.query(f"#{field_id}-hint").results(Static):
        line.update(content if isinstance(content, Content) else Content(content or ""))
        line.set_class(bool(content), "-shown")
