"""Files the app writes: atomic and owner-only, and read back without ever trusting them.

Writes go to a temp file in the same directory, then a rename: readers see the old file or the
new one, never half of one. A small JSON file of ours that turns out damaged (hand-edited, a
disk fault) is kept aside as a copy before anything replaces it, and reported, never fatal.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from comms_tui.store.errors import DamagedFile


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 via a temp file in the same directory + rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600 from the start, so the content is never briefly world-readable.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (not possible on every platform, hence best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json(path: Path, data: object) -> None:
    write_private(path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; ``{}`` when there is no file yet.

    A file that is not a JSON object of UTF-8 text is renamed aside (``NAME.damaged-STAMP``) so
    that the next write cannot destroy what it held, and ``DamagedFile`` says where it went.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DamagedFile(f"cannot read {path}: {exc.strerror or exc}", path=path) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        return data
    kept = _keep_aside(path)
    where = f"kept as {kept}" if kept else "it could not be kept aside"
    raise DamagedFile(f"{path} was damaged and is ignored ({where})", path=path, kept=kept)


def _keep_aside(path: Path) -> Path | None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        os.replace(path, kept)
    except OSError:
        return None
    return kept
