"""Where comms-tui keeps its files: the platformdirs config and data dirs, or the env overrides."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "comms-tui"
CONFIG_DIR_ENV = "COMMS_TUI_CONFIG_DIR"
DATA_DIR_ENV = "COMMS_TUI_DATA_DIR"


def _private_dir(env_var: str, default: str) -> Path:
    """The directory from ``env_var`` or ``default``, created 0700 if missing.

    Existing directories keep their mode: an override may point at a directory the user manages.
    """
    path = Path(os.environ.get(env_var) or default).expanduser()
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask
    return path


def config_dir() -> Path:
    """Profiles (non-secret settings) and, only on explicit opt-in, the insecure secrets file."""
    import platformdirs

    return _private_dir(CONFIG_DIR_ENV, platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """The send journal (it holds recipients and message bodies, hence 0700)."""
    import platformdirs

    return _private_dir(DATA_DIR_ENV, platformdirs.user_data_dir(APP_NAME))
