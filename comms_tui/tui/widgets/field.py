"""A labelled form field: label and input on one row, then an optional hint line and the error.

The error line is ``#<field>-error`` (class ``field-error``), the hint ``#<field>-hint``: the
compose forms find them by the API field name, which is also the input's id. Both start hidden
(CSS) and show once they have something to say.
"""

from __future__ import annotations

from typing import Protocol

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from comms_tui.tui.plain import ControlsVisible, plain


def form_field(
    label: str, widget: Widget, *, hint: bool = False, classes: str = ""
) -> ComposeResult:
    """Yield one field's widgets (use with ``yield from`` inside a form's ``compose``)."""
    field_id = widget.id
    assert field_id, "a form field's widget needs the API field name as its id"
    if hasattr(widget, "compact"):
        widget.compact = True  # one line per field: the whole form fits a 36-row terminal
    if isinstance(widget, Input) and widget.highlighter is None:
        widget.highlighter = ControlsVisible()  # pasted control characters drawn, not obeyed
    with Vertical(id=f"{field_id}-field", classes=f"field {classes}".strip()):
        with Horizontal(classes="field-row"):
            yield Label(label, classes="field-label")
            yield widget
        if hint:
            yield Static(id=f"{field_id}-hint", classes="field-hint")
        yield Static(id=f"{field_id}-error", classes="field-error")


class FieldOwner(Protocol):
    """A form that finds its widgets by id (``ComposeForm.part``)."""

    def part(self, widget_id: str) -> Widget | None: ...


def set_error(owner: FieldOwner, field_id: str, message: str | None) -> None:
    """Show (or clear) the error under a field, and mark the field invalid. The message may
    quote what was typed or read from a draft: plain text, control characters visible."""
    line = owner.part(f"{field_id}-error")
    if isinstance(line, Static):
        _show(line, plain(message or ""))
    if (field := owner.part(f"{field_id}-field")) is not None:
        field.set_class(bool(message), "-invalid")


def set_hint(owner: FieldOwner, field_id: str, content: Content | str | None) -> None:
    line = owner.part(f"{field_id}-hint")
    if isinstance(line, Static):
        _show(line, content if isinstance(content, Content) else Content(content or ""))


def _show(line: Static, content: Content) -> None:
    # Validation reruns on every keystroke: an unchanged line must not cost a layout pass.
    if line.content != content:
        line.update(content)
    line.set_class(bool(content), "-shown")
