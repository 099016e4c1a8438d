"""Small UI preferences (the theme, masking) in ``ui.json`` in the data dir. Blocking file I/O."""

from __future__ import annotations

from pathlib import Path

from comms_tui.store.errors import DamagedFile
from comms_tui.store.files import read_json_object, write_json

UI_FILE_NAME = "ui.json"


class UiPrefs:
    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self.damaged: DamagedFile | None = None  # what went wrong reading it, for a notice
        self._at_start: dict[str, object] | None = None  # read once, for the getters

    @property
    def path(self) -> Path:
        if self._path is None:
            from comms_tui.store.paths import data_dir

            self._path = data_dir() / UI_FILE_NAME
        return self._path

    def _read(self) -> dict[str, object]:
        try:
            return read_json_object(self.path)
        except DamagedFile as exc:
            self.damaged = exc  # a preference is not worth refusing to start
            return {}

    def _saved(self) -> dict[str, object]:
        """What the file held when first read: the getters run before the first frame, and
        one read serves them all (the setters read it afresh)."""
        if self._at_start is None:
            self._at_start = self._read()
        return self._at_start

    def theme(self) -> str | None:
        value = self._saved().get("theme")
        return value if isinstance(value, str) else None

    def set_theme(self, name: str) -> None:
        self._set("theme", name)

    def masked(self) -> bool:
        """Recipients masked at start: a presenter who restarts the app mid-demo must not show
        them in clear."""
        return self._saved().get("masked") is True

    def set_masked(self, masked: bool) -> None:
        self._set("masked", masked)

    def _set(self, key: str, value: object) -> None:
        data = self._read()
        if data.get(key) != value:
            data[key] = value
            write_json(self.path, data)
