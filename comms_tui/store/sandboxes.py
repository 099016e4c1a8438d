"""The sandboxes this machine's comms-tui started and that still run (``comms-tui sandbox``).

A send to one of them is a sandbox send, whichever way it was pointed there (the environment, a
profile): the duplicate guard keeps sandbox sends apart from real ones, and nobody received them.
Each running sandbox leaves a small file naming its URL and process; a file whose process is gone
no longer counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def _registry() -> Path:
    from comms_tui.store.paths import data_dir

    return data_dir() / "sandboxes"


def _entry(base_url: str) -> Path:
    return _registry() / f"{_UNSAFE.sub('-', base_url.rstrip('/'))}.json"


def register_sandbox(base_url: str) -> Path:
    """Record a sandbox this process runs at ``base_url``; the path to forget it with."""
    from comms_tui.store.files import write_json

    path = _entry(base_url)
    write_json(path, {"url": base_url.rstrip("/"), "pid": os.getpid()})
    return path


def forget_sandbox(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def is_running_sandbox(base_url: str) -> bool:
    """Whether a sandbox started by comms-tui on this machine answers at ``base_url``."""
    try:
        data = json.loads(_entry(base_url).read_text("utf-8"))
        pid = int(data["pid"])
        if data["url"] != base_url.rstrip("/"):
            return False
        os.kill(pid, 0)  # signal 0: is the process there?
    except PermissionError:
        return True  # there, but another user's
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True
