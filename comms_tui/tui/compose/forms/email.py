"""Email: to/cc/bcc/from/subject, a multi-line body, attachments, schedule.

Attachments come from the attachment picker and live in its ``AttachmentList`` widget, which
alone knows which file each came from. A draft keeps each file's path, size and mtime (never its
data); restoring reads and encodes them again in a worker, and says at the field when a file is
gone or has changed since, and in a notification once all are read (the field is below the fold
of a 40-row terminal). Until then the draft's entries stay in the form's values, so a save
meanwhile keeps them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from comms_tui.api.channels import Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.store.drafts import DraftAttachment, source_key
from comms_tui.tui.compose.forms.base import ComposeForm
from comms_tui.tui.plain import plain
from comms_tui.tui.widgets.field import form_field
from comms_tui.tui.widgets.list_input import ListInput
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
        # Restored or added before the list was mounted (it is, once the session is open).
        self._pending: list[tuple[Attachment, DraftAttachment | None]] = []
        self._unread: list[DraftAttachment] = []  # a draft's files still being read again
        self._restores = 0  # which restore a re-read belongs to (a newer one wins)
        self._notes: list[str] = []  # what happened to a draft's files, shown at the field

    def compose_fields(self) -> ComposeResult:
        copies = "optional, comma separated"
        yield from form_field("Cc", ListInput(placeholder=copies, id="cc"))
        yield from form_field("Bcc", ListInput(placeholder=copies, id="bcc"))
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
        pending = [attachment for attachment, _ in self._pending]
        return (list(shown.attachments) if shown is not None else []) + pending

    def _mount_attachment_list(self) -> None:
        from comms_tui.tui.widgets.attachments import AttachmentList

        if self.query("#attachments"):
            return
        widget = AttachmentList(id="attachments")
        for attachment, source in self._pending:
            widget.attachments.append(attachment)
            if source is not None:
                widget.sources[source_key(attachment)] = source
        self._pending = []
        self.query_one("#attachments-slot").mount(widget, before=0)

    def add_attachment(self, attachment: Attachment, source: DraftAttachment | None = None) -> None:
        if (shown := self._attachment_list()) is not None:
            shown.add(attachment, source)
        else:
            self._pending.append((attachment, source))  # shown once the list is mounted
            self._edited()

    def action_attach(self) -> None:
        if (shown := self._attachment_list()) is None:
            self.notify("Attachments open once the session is connected.", severity="warning")
            return
        shown.action_attach()

    def on_attachment_list_changed(self, event: Any) -> None:
        self._edited()

    @work(thread=True, group="attachments", description="load attachments")
    def _reattach(self, restore: int, files: list[DraftAttachment]) -> None:
        """Read and encode a draft's files again, off the event loop."""
        from comms_tui.api.attachments import load_attachment, same_file

        used = 0
        for index, kept in enumerate(files):
            attachment: Attachment | None = None
            note = ""
            if same_file(kept.path, [earlier.path for earlier in files[:index]]) is not None:
                # An older draft's second copy of a file (attached twice): attached once.
                self.app.call_from_thread(self._reattached, restore, kept, None, kept, "")
                continue
            try:
                attachment = load_attachment(kept.path, used_bytes=used)
            except InvalidInput as exc:
                note = f"{exc.message}: not attached, attach it again"
            except MemoryError:
                note = f"{kept.name}: not enough memory to read it again"
            source = DraftAttachment.of_file(kept.path)
            if attachment is not None:
                used += attachment.raw_size
                if kept.changed(source):
                    note = f"{kept.name} changed since the draft was saved: attached as it is now"
            self.app.call_from_thread(self._reattached, restore, kept, attachment, source, note)

    def _reattached(
        self,
        restore: int,
        kept: DraftAttachment,
        attachment: Attachment | None,
        source: DraftAttachment,
        note: str,
    ) -> None:
        if restore != self._restores or kept not in self._unread:
            return  # the form was cleared or filled again meanwhile
        self._unread.remove(kept)
        if note:
            self._show_notes([*self._notes, note])
        if attachment is not None:
            self.add_attachment(attachment, source)
        else:
            self._edited()  # the draft no longer has it
        if not self._unread:
            self._tell_notes()

    def _show_notes(self, notes: list[str]) -> None:
        self._notes = notes
        shown = self.query_one("#attachments-note", Static)
        shown.update(plain("\n".join(notes)))  # file names from disk
        shown.set_class(bool(notes), "-shown")

    def _tell_notes(self) -> None:
        """The notes in a notification too, once the restored files are all read: the field
        is out of sight (below the fold, or on a tab not shown), and a send without a file
        the user thinks attached must not go unnoticed. Plain text (``notify``): file names."""
        if self._notes:
            self.notify(
                "\n".join(self._notes), title="Email attachments", severity="warning", timeout=20
            )

    # -- values ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        values = super().values()
        shown = self._attachment_list()
        sources = dict(shown.sources) if shown is not None else {}
        sources.update({source_key(a): s for a, s in self._pending if s is not None})
        attachments = self.attachments
        keys = [source_key(a) for a in attachments]
        kept = [sources[key] for key in keys if key in sources] + self._unread
        if kept:
            values["attachments"] = [file.to_draft() for file in kept]
        lost = [a.file_name for a, key in zip(attachments, keys, strict=True) if key not in sources]
        if lost:
            values["attachments_not_kept"] = lost
        return values

    def restore(self, draft: dict[str, Any]) -> None:
        super().restore(draft)
        if (shown := self._attachment_list()) is not None:
            with self.prevent(type(shown).Changed):
                shown.clear()
        self._pending = []
        self._restores += 1
        entries = draft.get("attachments")
        files = (
            [DraftAttachment.from_draft(e) for e in entries] if isinstance(entries, list) else []
        )
        self._unread = [file for file in files if file is not None]
        if self._unread:
            self._reattach(self._restores, list(self._unread))
        lost = draft.get("attachments_not_kept")
        notes = []
        if isinstance(lost, list) and lost:
            notes.append("Attach again: " + ", ".join(str(name) for name in lost))
        self._show_notes(notes)
        if not self._unread:  # else once they are read again (``_reattached``)
            self._tell_notes()

    def api_fields(self) -> dict[str, Any]:
        fields = super().api_fields()
        if self.attachments:
            fields["attachments"] = tuple(self.attachments)
        return fields

    def check_recipients(self) -> list[Checked]:
        return check_emails(self.recipients())

    def defaults(self) -> dict[str, str]:
        profile = self.profile
        return {"from": profile.email_from} if profile is not None and profile.email_from else {}

    def bind_session(self, session: Session) -> None:
        profile = session.profile
        if profile is not None and profile.email_from and not self.value("from"):
            with self.prevent(Input.Changed):
                self.set_value("from", profile.email_from)
        self._mount_attachment_list()
        super().bind_session(session)
