"""Assert a secret leaked nowhere: not in command output, not in any file of the app's dirs."""

from __future__ import annotations

import os
from pathlib import Path


def app_dirs() -> list[Path]:
    """The (test-isolated) config and data dirs set by the autouse fixture."""
    return [Path(os.environ["COMMS_TUI_CONFIG_DIR"]), Path(os.environ["COMMS_TUI_DATA_DIR"])]


def assert_secret_nowhere(secret: str, *outputs: str) -> None:
    for text in outputs:
        assert secret not in text
    for root in app_dirs():
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
