"""Email: to/cc/bcc/from/subject, a multi-line body, attachments, schedule.

Attachments come from the attachment picker (another module) and live in its ``AttachmentList``
widget; the form only adds them to the request. A draft keeps attachment *paths* (never data),
re-encoded in a worker on restore; attachments whose path is unknown are dropped with a note.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from comms_tui.api.errors import InvalidInput
from comms_tui.tui.screens.compose import ComposeForm
from comms_tui.tui.widgets.field import form_field
from comms_tui.tui.widgets.recipients import Checked, check_emails

if TYPE_CHECKING:
    from comms_tui.api.attachments import Attachment
    from comms_tui.api.models import ValidationContext
    from comms_tui.store.profiles import Profile


def _attachment_list_class() -> Any:
    """The picker engineer's ``AttachmentList`` widget, if it is there yet.

    Imported (and mounted) only once the session is open: it pulls in the pydantic models,
    which must not delay the first frame.
    """
    try:
        from comms_tui.tui.widgets.attachments import AttachmentList
    except ImportError:
        return None
    return AttachmentList


class EmailForm(ComposeForm):
    CHANNEL: ClassVar[str] = "email"
    FIELDS: ClassVar[tuple[str, ...]] = (
        "to", "cc", "bcc", "from", "subject", "body", "scheduledTime",
    )  # fmt: skip
    RECIPIENT_PLACEHOLDER: ClassVar[str] = "ana@example.com, raj@example.com (one email each)"

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.paths: dict[str, str] = {}  # attachment sha256 → the file it came from, for drafts
        self._pending: list[Attachment] = []  # restored before the list was mounted

    def compose_fields(self) -> ComposeResult:
        yield from form_field("Cc", Input(placeholder="optional, comma separated", id="cc"))
        yield from form_field("Bcc", Input(placeholder="optional, comma separated", id="bcc"))
        yield from form_field("From", Input(placeholder="noreply@yourbrand.com", id="from"))
        yield from form_field("Subject", Input(id="subject"))
        yield from form_field("Body", self.text_area("body"), classes="-tall")
        with Vertical(id="attachments-slot"):
            yield Static("", id="attachments-note", classes="field-hint")

    # -- attachments ----------------------------------------------------------------------------

    @property
    def attachments(self) -> list[Attachment]:
        lists = self.query("#attachments")
        shown = list(getattr(lists.first(), "attachments", [])) if lists else []
        return shown + self._pending

    def _mount_attachment_list(self) -> None:
        widget_class = _attachment_list_class()
        if widget_class is None or self.query("#attachments"):
            return
        widget = widget_class(self._pending, id="attachments")
        self._pending = []
        self.query_one("#attachments-slot").mount(widget, before=0)

    def add_attachment(self, attachment: Attachment, path: str | None = None) -> None:
        if path:
            self.paths[attachment.sha256] = path
        lists = self.query("#attachments")
        if lists:
            lists.first().add(attachment)  # type: ignore[attr-defined]
        else:
            self._pending.append(attachment)  # shown once the list is mounted

    def action_attach(self) -> None:
        lists = self.query("#attachments")
        if not lists:
            message = "The attachment picker is not available yet."
            if _attachment_list_class() is not None:
                message = "Attachments open once the session is connected."
            self.notify(message, severity="warning")
            return
        lists.first().action_attach()  # type: ignore[attr-defined]

    def on_attachment_list_changed(self, event: Any) -> None:
        self._edited()

    @work(thread=True, group="attachments")
    def _reattach(self, paths: list[str]) -> None:
        """Re-encode a draft's attachments off the event loop."""
        from comms_tui.api.attachments import load_attachment

        used = 0
        for path in paths:
            try:
                attachment = load_attachment(Path(path), used_bytes=used)
            except InvalidInput as exc:
                self.app.call_from_thread(
                    self.notify, f"Draft attachment dropped: {exc.message}", severity="warning"
                )
                continue
            used += attachment.raw_size
            self.app.call_from_thread(self.add_attachment, attachment, path)

    # -- values ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        values = super().values()
        attachments = self.attachments
        known = [self.paths[a.sha256] for a in attachments if a.sha256 in self.paths]
        if known:
            values["attachments"] = known
        lost = [a.file_name for a in attachments if a.sha256 not in self.paths]
        if lost:
            values["attachments_not_kept"] = lost
        return values

    def restore(self, draft: dict[str, Any]) -> None:
        super().restore(draft)
        lists = self.query("#attachments")
        if lists:
            lists.first().clear()  # type: ignore[attr-defined]
        self._pending = []
        self.paths.clear()
        paths = draft.get("attachments")
        if isinstance(paths, list) and paths:
            self._reattach([p for p in paths if isinstance(p, str)])
        lost = draft.get("attachments_not_kept")
        note = ""
        if isinstance(lost, list) and lost:
            note = "attach again: " + ", ".join(str(n) for n in lost)
        self.query_one("#attachments-note", Static).update(note)

    def api_fields(self) -> dict[str, Any]:
        fields = super().api_fields()
        if self.attachments:
            fields["attachments"] = tuple(self.attachments)
        return fields

    def check_recipients(self) -> list[Checked]:
        return check_emails(self.recipients())

    def bind_profile(self, profile: Profile | None, context: ValidationContext) -> None:
        if profile is not None and profile.email_from and not self.value("from"):
            with self.prevent(Input.Changed):
                self.set_value("from", profile.email_from)
        self._mount_attachment_list()
        super().bind_profile(profile, context)
