"""Files written for the user to keep: exported results and lab matrices, copied commands.

Each export is one or more files sharing a stem (``sender-lab-20261127-093000.csv`` and
``.json``), owner-only, never overwriting an earlier export. What the TUI copies is also kept in
a file (``write_copy``): a terminal may not pass a copy on to the system clipboard (tmux's
default ``set-clipboard external`` does not). Blocking: call from a worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from comms_tui.store.files import write_private


def unique_stem(directory: Path, stem: str, suffixes: Sequence[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``… so that no file with any of ``suffixes`` exists."""
    name, n = stem, 1
    while any((directory / f"{name}{suffix}").exists() for suffix in suffixes):
        n += 1
        name = f"{stem}-{n}"
    return name


def write_export(directory: Path, stem: str, files: Mapping[str, str]) -> list[Path]:
    """Write ``{suffix: text}`` as ``<stem><suffix>`` files (0600); their paths, in order."""
    base = unique_stem(directory, stem, list(files))
    paths = []
    for suffix, text in files.items():
        path = directory / f"{base}{suffix}"
        write_private(path, text.encode("utf-8"))
        paths.append(path)
    return paths


def write_copy(directory: Path, name: str, text: str) -> Path:
    """Keep what was just copied as ``directory/name`` (0600, atomic), replacing the previous
    copy of that kind, as a clipboard would; its path."""
    path = directory / name
    write_private(path, text.encode("utf-8"))
    return path
