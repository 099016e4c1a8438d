"""The secret sweep: search outputs and files for credentials, report where — never what.

    hits = find_secrets(default_paths(), {"stdout of send": proc.stdout}, secret_forms(...))
    assert hits == []

Reusable by any session (the CLI sweep here; the TUI sweep adds its screens, drafts and
screenshots). A hit names the place and the secret's label, so a failure report does not
itself spread the secret.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MAX_FILE_BYTES = 64 * 1024 * 1024  # nothing the app writes is larger; don't read a disk image


def basic_forms(username: str, password: str, *, prefix: str = "") -> dict[str, str]:
    """A Basic password and everything that carries it: itself, its MD5, the header value."""
    md5 = hashlib.md5(password.encode()).hexdigest()
    header = base64.b64encode(f"{username}:{md5}".encode()).decode()
    forms = {f"{prefix}md5(password)": md5, f"{prefix}Basic header value": header}
    if password != username:  # a password equal to the username would match the username
        forms[f"{prefix}password"] = password
    return forms


def _encodings(secret: str) -> Iterator[bytes]:
    yield secret.encode("utf-8")
    yield secret.encode("utf-16-le")  # in case anything stores text as UTF-16 (SQLite can)


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every regular file under ``paths`` (files themselves, directories recursively)."""
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.is_symlink():
                    yield child


def find_secrets(
    paths: Iterable[Path], texts: Mapping[str, str], secrets: Mapping[str, str]
) -> list[str]:
    """Where any of ``secrets`` (label → value) occurs: in ``texts`` (where → text) or in the
    files under ``paths``. Case-insensitive (an MD5 may be upper-cased). ``[]`` means clean."""
    needles = {label: value for label, value in secrets.items() if value}
    if any(len(value) < 6 for value in needles.values()):
        raise ValueError("secrets this short would match by chance: use longer sentinels")
    hits: list[str] = []
    for where, text in texts.items():
        folded = text.casefold()
        hits += [f"{where}: {label}" for label, v in needles.items() if v.casefold() in folded]
    for path in iter_files(paths):
        if path.stat().st_size > MAX_FILE_BYTES:
            hits.append(f"{path}: too large to sweep")
            continue
        data = path.read_bytes().lower()
        for label, value in needles.items():
            if any(form.lower() in data for form in _encodings(value)):
                hits.append(f"{path}: {label}")
    return hits


def app_dirs() -> list[Path]:
    """The app's config and data dirs (test-isolated by the autouse fixture)."""
    return [Path(os.environ["COMMS_TUI_CONFIG_DIR"]), Path(os.environ["COMMS_TUI_DATA_DIR"])]


def artefact_paths() -> list[Path]:
    """What the repository ships that shows the app: TUI snapshots and README screenshots."""
    return [*REPO_ROOT.glob("tests/**/__snapshots__"), *REPO_ROOT.glob("screenshots/*.svg")]


def default_paths() -> list[Path]:
    """Everywhere the app writes (config dir: profiles; data dir: journal, drafts, logs if any)
    plus the snapshots and screenshots. Not the keyring: that is where secrets belong."""
    return [*app_dirs(), *artefact_paths()]
