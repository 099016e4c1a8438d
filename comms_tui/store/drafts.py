"""Unsent forms: one draft per channel in ``drafts.json`` in the data dir.

Written atomically and owner-only (a draft holds recipients and message text, never a secret).
Every method blocks on file I/O: the TUI calls them from thread workers, never the event loop.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comms_tui.store.files import read_json_object, write_json

if TYPE_CHECKING:
    from comms_tui.api.attachments import Attachment

DRAFTS_FILE_NAME = "drafts.json"

Draft = dict[str, Any]  # wire-named field values; email attachments as {"attachments": [...]}
# (each a ``DraftAttachment.to_draft()``: path, size, mtime)


class DraftStore:
    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()  # debounced saves may overlap with a discard

    @property
    def path(self) -> Path:
        if self._path is None:
            from comms_tui.store.paths import data_dir

            self._path = data_dir() / DRAFTS_FILE_NAME
        return self._path

    def load(self) -> dict[str, Draft]:
        """Every channel's draft. A damaged file raises ``DamagedFile`` once, set aside."""
        with self._lock:
            data = read_json_object(self.path)
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)}

    def save(self, channel: str, draft: Draft) -> None:
        """Store one channel's draft; an empty draft removes it."""
        from comms_tui.store.errors import DamagedFile

        with self._lock:
            try:
                data = read_json_object(self.path)
            except DamagedFile:
                data = {}  # set aside already: what is typed now is worth keeping
            if any(draft.values()):
                data[channel] = draft
            else:
                data.pop(channel, None)
            write_json(self.path, data)

    def clear(self, channel: str) -> None:
        self.save(channel, {})

    def save_all(self, drafts: dict[str, Draft]) -> None:
        """Replace every draft at once (the final flush on quit)."""
        with self._lock:
            write_json(self.path, {k: v for k, v in drafts.items() if any(v.values())})


def source_key(attachment: Attachment) -> tuple[str, str]:
    """Which file an attachment came from, as far as a draft cares: its content and its name
    (``report.pdf`` and ``report (1).pdf`` often hold the same bytes, and are two files)."""
    return attachment.sha256, attachment.file_name


@dataclass(frozen=True)
class DraftAttachment:
    """An attached file as a draft keeps it: where it is and how it was (never its data).

    Restoring reads the file again; ``size`` and ``mtime`` tell whether it changed meanwhile."""

    path: str
    size: int | None = None
    mtime: float | None = None

    @classmethod
    def of_file(cls, path: str | Path) -> DraftAttachment:
        """The file as it is now (``size``/``mtime`` unknown if it cannot be looked at)."""
        try:
            absolute = Path(path).expanduser().absolute()
        except RuntimeError:  # ``~name`` of a user this machine does not know
            return cls(str(path))
        try:
            info = absolute.stat()
        except (OSError, ValueError):  # ValueError: a NUL in a hand-edited draft's path
            return cls(str(absolute))
        return cls(str(absolute), info.st_size, info.st_mtime)

    @classmethod
    def from_draft(cls, entry: object) -> DraftAttachment | None:
        """A draft's entry: ``{"path", "size", "mtime"}``, or a bare path (older drafts)."""
        if isinstance(entry, str) and entry:
            return cls(entry)
        if not isinstance(entry, dict) or not isinstance(path := entry.get("path"), str):
            return None
        size, mtime = entry.get("size"), entry.get("mtime")
        return cls(
            path,
            size if isinstance(size, int) and not isinstance(size, bool) else None,
            float(mtime)
            if isinstance(mtime, int | float) and not isinstance(mtime, bool)
            else None,
        )

    def to_draft(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "mtime": self.mtime}

    @property
    def name(self) -> str:
        return Path(self.path).name or self.path

    def changed(self, now: DraftAttachment) -> bool:
        """``now`` (the file as read again) differs from what the draft recorded."""
        return (self.size is not None and now.size != self.size) or (
            self.mtime is not None and now.mtime != self.mtime
        )
