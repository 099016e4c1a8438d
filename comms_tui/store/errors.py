"""Errors of the local store: profile file, secrets, target resolution.

All derive from ``CommsError`` so the CLI and the TUI handle them like any other failure. Messages
name the file, key and line where one applies, and never carry a secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from comms_tui.api.errors import CommsError

if TYPE_CHECKING:
    from comms_tui.store.history import JournalEntry


class StoreError(CommsError):
    """Something about local configuration or state is wrong; nothing was sent."""


class ProfileFileError(StoreError):
    """The profile file could not be read or holds a bad key or value."""

    def __init__(
        self, problem: str, *, file: Path, key: str | None = None, line: int | None = None
    ) -> None:
        where = str(file)
        if line is not None:
            where += f", line {line}"
        if key:
            where += f", key '{key}'"
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.key = key
        self.line = line
        self.problem = problem


class DamagedFile(StoreError):
    """A file of ours could not be read as it should be; ``kept`` is where its copy went."""

    def __init__(self, message: str, *, path: Path, kept: Path | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.kept = kept


class ProfileNotFound(StoreError, KeyError):
    """No profile of that name; ``KeyError`` too so plain look-up code can catch it."""

    def __init__(self, name: str, known: list[str]) -> None:
        hint = f"known profiles: {', '.join(known)}" if known else "no profiles are set up yet"
        super().__init__(
            f"no profile named '{name}' ({hint}); add one with `comms-tui profile add`"
        )
        self.name = name

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class ProfileExists(StoreError):
    pass


class SecretsError(StoreError):
    """The keyring (or the opt-in secrets file) failed; the message says which and why."""


class SecretsUnavailable(SecretsError):
    """No secure place to keep a secret: the message says why and how to fix it."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # the "why" alone, for messages that have their own "how"


class SecretsTimeout(SecretsError):
    """The keyring did not answer in time (typically a missing or stuck D-Bus session)."""


class MissingSecret(StoreError):
    """A profile's secret is neither in the environment nor in the keyring. A front-end may ask
    for it (``kind``: ``password`` or ``client_secret``) and open the profile again with it, for
    that run only."""

    def __init__(self, message: str, *, profile: str = "", kind: str = "password") -> None:
        super().__init__(message)
        self.profile = profile
        self.kind = kind


class NoTarget(StoreError):
    """Neither a profile nor the environment says where to send."""


class DuplicateSend(StoreError):
    """The same message went to the same recipient moments ago (``entries``): not recorded."""

    def __init__(self, entries: list[JournalEntry]) -> None:
        super().__init__(f"the same message was sent moments ago (#{entries[0].id})")
        self.entries = entries
