"""Keyring backends for tests. Priority below 0, so keyring's own discovery never picks them.

``FileKeyring`` is for subprocess CLI tests: select it with
``PYTHON_KEYRING_BACKEND=tests.support.keyring_backends.FileKeyring``, ``PYTHONPATH`` = repo root,
and ``COMMS_TUI_TEST_KEYRING_FILE`` = a JSON file outside the config/data dirs.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

KEYRING_FILE_ENV = "COMMS_TUI_TEST_KEYRING_FILE"


class TestBackend(KeyringBackend):
    """A backend keyring's discovery never picks, with the typed constructor keyring lacks."""

    priority = -1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]


class MemoryKeyring(TestBackend):
    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class RaisingKeyring(TestBackend):
    """Fails every call; the message echoes its arguments, as a careless backend might."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked(f"collection is locked ({service}/{username})")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked(f"cannot store {password!r} for {username}: collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("collection is locked")


class HangingKeyring(TestBackend):
    """Blocks every call (like a Secret Service behind a missing D-Bus) until ``release()``."""

    _gate = threading.Event()

    @classmethod
    def release(cls) -> None:
        cls._gate.set()
        cls._gate = threading.Event()

    def _hang(self) -> None:
        self._gate.wait(timeout=60)

    def get_password(self, service: str, username: str) -> str | None:
        self._hang()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._hang()

    def delete_password(self, service: str, username: str) -> None:
        self._hang()


class FileKeyring(TestBackend):
    """A JSON file ``{"service\\tusername": password}``; for subprocess tests only."""

    @property
    def path(self) -> Path:
        return Path(os.environ[KEYRING_FILE_ENV])

    def _load(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\t{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\t{username}"] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\t{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(data))
