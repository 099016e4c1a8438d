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

from comms_tui.api.channels import Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.tui.compose.forms.base import ComposeForm
from comms_tui.tui.plain import plain
from comms_tui.tui.widgets.field import form_field
from comms_tui.tui.widgets.recipients import Checked, check_emails

if TYPE_CHECKING:
    from comms_tui.api.attachments import Attachment
    from comms_tui.core.session import Session
    from comms_tui.tui.widgets.attachments import AttachmentList


class EmailForm(ComposeForm):
    CHANNEL: ClassVar[Channel] = Channel.EMAIL
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
        # Optional (the API sends an email without one; the send notes that it has none).
        body = self.text_area("body", placeholder="optional: without a body, only the subject")
        yield from form_field("Body", body, classes="-tall")
        with Vertical(id="attachments-slot"):
            yield Static("", id="attachments-note", classes="field-hint")

    # -- attachments ----------------------------------------------------------------------------

    def _attachment_list(self) -> AttachmentList | None:
        """The list of attached files: mounted once the session is open (it imports pydantic,
        which must not delay the first frame)."""
        from comms_tui.tui.widgets.attachments import AttachmentList

        return next(iter(self.query("#attachments").results(AttachmentList)), None)

    @property
    def attachments(self) -> list[Attachment]:
        shown = self._attachment_list()
        return (list(shown.attachments) if shown is not None else []) + self._pending

    def _mount_attachment_list(self) -> None:
        from comms_tui.tui.widgets.attachments import AttachmentList

        if self.query("#attachments"):
            return
        widget = AttachmentList(self._pending, id="attachments")
        self._pending = []
        self.query_one("#attachments-slot").mount(widget, before=0)

    def add_attachment(self, attachment: Attachment, path: str | None = None) -> None:
        if path:
            self.paths[attachment.sha256] = path
        if (shown := self._attachment_list()) is not None:
            shown.add(attachment)
        else:
            self._pending.append(attachment)  # shown once the list is mounted

    def action_attach(self) -> None:
        if (shown := self._attachment_list()) is None:
            self.notify("Attachments open once the session is connected.", severity="warning")
            return
        shown.action_attach()

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
        shown = self._attachment_list()
        paths = {**self.paths, **(shown.paths if shown is not None else {})}
        known = [paths[a.sha256] for a in attachments if a.sha256 in paths]
        if known:
            values["attachments"] = known
        lost = [a.file_name for a in attachments if a.sha256 not in paths]
        if lost:
            values["attachments_not_kept"] = lost
        return values

    def restore(self, draft: dict[str, Any]) -> None:
        super().restore(draft)
        if (shown := self._attachment_list()) is not None:
            shown.clear()
        self._pending = []
        self.paths.clear()
        paths = draft.get("attachments")
        if isinstance(paths, list) and paths:
            self._reattach([p for p in paths if isinstance(p, str)])
        lost = draft.get("attachments_not_kept")
        note = ""
        if isinstance(lost, list) and lost:
            note = "attach again: " + ", ".join(str(n) for n in lost)
        self.query_one("#attachments-note", Static).update(plain(note))  # names from disk

    def api_fields(self) -> dict[str, Any]:
        fields = super().api_fields()
        if self.attachments:
            fields["attachments"] = tuple(self.attachments)
        return fields

    def check_recipients(self) -> list[Checked]:
        return check_emails(self.recipients())

    def bind_session(self, session: Session) -> None:
        profile = session.profile
        if profile is not None and profile.email_from and not self.value("from"):
            with self.prevent(Input.Changed):
                self.set_value("from", profile.email_from)
        self._mount_attachment_list()
        super().bind_session(session)
