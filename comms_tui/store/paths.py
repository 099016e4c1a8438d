"""Where comms-tui keeps its files: the platformdirs config and data dirs, or the env overrides."""

from __future__ import annotations

import os
import shlex
import stat
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
    """Profiles (non-secret settings) and, only on explicit opt-in, the insecure secrets file.

    ``StoreError`` if it cannot be made (a file in its place, a read-only parent). (The data
    folder's users say what they could not open themselves.)"""
    import platformdirs

    try:
        return _private_dir(CONFIG_DIR_ENV, platformdirs.user_config_dir(APP_NAME))
    except OSError as exc:
        from comms_tui.store.errors import StoreError

        where = exc.filename or os.environ.get(CONFIG_DIR_ENV) or "the config folder"
        why = "a file is in its place" if isinstance(exc, FileExistsError) else exc.strerror
        raise StoreError(
            f"cannot use {where} as the config folder: {why or exc} (set {CONFIG_DIR_ENV} to a "
            "folder you can write)"
        ) from None


def data_dir() -> Path:
    """The send journal (it holds recipients and message bodies, hence 0700)."""
    import platformdirs

    return _private_dir(DATA_DIR_ENV, platformdirs.user_data_dir(APP_NAME))


def unsafe_permissions(path: Path) -> str | None:
    """Why ``path`` (a config directory or file) must not be trusted, or None.

    A directory or file that other users may write lets them point a profile at their own
    server (and so collect the credentials sent there) or swap a secret: refused on load, with
    the command that fixes it. Only on POSIX; a missing path is fine.
    """
    if os.name != "posix":
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    if not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    is_dir = stat.S_ISDIR(info.st_mode)
    who = "everyone" if info.st_mode & stat.S_IWOTH else "its group"
    fix = f"chmod {'700' if is_dir else '600'} {shlex.quote(str(path))}"
    if is_dir and info.st_mode & stat.S_ISVTX:  # /tmp and the like: shared on purpose
        fix = f"mkdir -m 700 a folder of your own and point {CONFIG_DIR_ENV} at it"
    return (
        f"the {'folder' if is_dir else 'file'} {path} is writable by {who} "
        f"(mode {stat.filemode(info.st_mode)}), so someone else could change your profiles or "
        f"secrets; comms-tui will not trust it. Fix it with `{fix}`"
    )
