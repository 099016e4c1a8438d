"""What the UI remembers between runs: each channel's unsent form, and the theme.

Both are small JSON files in the data dir, written atomically and owner-only (a draft holds
recipients and message text, never a secret). All methods block on file I/O: call them from
thread workers, never on the event loop.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

DRAFTS_FILE_NAME = "drafts.json"
UI_FILE_NAME = "ui.json"

Draft = dict[str, Any]  # wire-named field values; email attachments as {"attachments": [paths]}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: start empty rather than refuse to start
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    from comms_tui.store.files import write_private

    write_private(path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))


class DraftStore:
    """One draft per channel in ``drafts.json``."""

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
        with self._lock:
            data = _read_json(self.path)
        return {k: v for k, v in data.items() if isinstance(v, dict)}

    def save(self, channel: str, draft: Draft) -> None:
        """Store one channel's draft; an empty draft removes it."""
        with self._lock:
            data = _read_json(self.path)
            if any(draft.values()):
                data[channel] = draft
            else:
                data.pop(channel, None)
            _write_json(self.path, data)

    def clear(self, channel: str) -> None:
        self.save(channel, {})

    def save_all(self, drafts: dict[str, Draft]) -> None:
        """Replace every draft at once (the final flush on quit)."""
        with self._lock:
            _write_json(self.path, {k: v for k, v in drafts.items() if any(v.values())})


class UiPrefs:
    """Small UI preferences (the theme) in ``ui.json``."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        if self._path is None:
            from comms_tui.store.paths import data_dir

            self._path = data_dir() / UI_FILE_NAME
        return self._path

    def theme(self) -> str | None:
        value = _read_json(self.path).get("theme")
        return value if isinstance(value, str) else None

    def set_theme(self, name: str) -> None:
        data = _read_json(self.path)
        if data.get("theme") != name:
            data["theme"] = name
            _write_json(self.path, data)
