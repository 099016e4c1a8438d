"""Secrets (Basic passwords, OAuth client secrets): environment first, then the system keyring.

Only a secure keyring counts: keyring's ``fail``/``null`` backends and plaintext files do not.
Without one, storing is refused with the reason and the fixes; ``insecure_file`` is the explicit
opt-in to a 0600 JSON file written by us (and warned about on every start while it is in use).

Every keyring call runs in a daemon thread with a timeout, because a missing or stuck D-Bus can
block the Secret Service backend forever; and every exception keyring raises becomes one
``SecretsError``. The timeout is 5 s, or ``$COMMS_TUI_KEYRING_TIMEOUT`` seconds (0 < t <= 600;
anything else is ignored). Messages never include a secret. All methods are plain synchronous
calls, meant to be called from a worker thread rather than the UI thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from comms_tui.store.errors import SecretsError, SecretsTimeout, SecretsUnavailable
from comms_tui.store.files import write_private

SecretKind = Literal["password", "client_secret"]
SECRET_KINDS: tuple[SecretKind, ...] = get_args(SecretKind)
SERVICE = "comms-tui"
ENV_VARS: dict[SecretKind, str] = {
    "password": "COMMS_TUI_PASSWORD",
    "client_secret": "COMMS_TUI_CLIENT_SECRET",
}
INSECURE_FILE_NAME = "secrets-insecure.json"


def secret_from_env(kind: SecretKind) -> str | None:
    """The secret the environment gives for ``kind``, if any. Refused, naming the variable,
    when it holds what no one means to send (a line end read from a file with it)."""
    from comms_tui.api.errors import InvalidInput
    from comms_tui.api.target import secret_problem

    name = ENV_VARS[kind]
    value = os.environ.get(name)
    if value and (problem := secret_problem(value, kind.replace("_", " "))):
        raise InvalidInput(f"{name}: {problem}: remove it from the variable", field="auth")
    return value or None


DEFAULT_TIMEOUT = 5.0  # seconds a keyring call may take before it counts as hung
TIMEOUT_ENV = "COMMS_TUI_KEYRING_TIMEOUT"

# Backends that accept a secret without protecting it (or cannot be used from a TUI at all:
# keyrings.alt's EncryptedKeyring asks for its own password on the terminal).
_INSECURE_BACKENDS = {
    "keyring.backends.fail.Keyring",
    "keyring.backends.null.Keyring",
    "keyrings.alt.file.PlaintextKeyring",
    "keyrings.alt.file.EncryptedKeyring",
}

T = TypeVar("T")

FIX_HINT = (
    "Fix it in one of these ways:\n"
    "  - install and unlock a Secret Service (GNOME Keyring or KWallet; on a headless machine, "
    "e.g. `dbus-run-session -- sh` then `echo -n PASSWORD | gnome-keyring-daemon --unlock`), "
    "or use the macOS Keychain / Windows Credential Locker;\n"
    "  - or give the secret in the environment on each run: COMMS_TUI_PASSWORD (Basic) or "
    "COMMS_TUI_CLIENT_SECRET (OAuth);\n"
    "  - or, knowingly, keep it in a plain file readable only by you: "
    "`comms-tui profile add ... --insecure-file`."
)


def default_insecure_file() -> Path:
    from comms_tui.store.paths import config_dir

    return config_dir() / INSECURE_FILE_NAME


def default_timeout() -> float:
    """``$COMMS_TUI_KEYRING_TIMEOUT`` if it is a sane number of seconds, else 5."""
    try:
        seconds = float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT
    return seconds if 0 < seconds <= 600 else DEFAULT_TIMEOUT


def _backend_id(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _backend_label(backend: object) -> str:
    name = getattr(backend, "name", None)
    return name if isinstance(name, str) else type(backend).__name__


def _insecure_reason(backend: Any) -> str | None:
    """Why this backend cannot hold secrets, or ``None`` if it can."""
    ident = _backend_id(backend)
    if ident == "keyring.backends.chainer.ChainerBackend":
        chained = list(backend.backends)
        if not chained:
            return "no keyring backend is installed or reachable"
        reasons = [r for r in (_insecure_reason(b) for b in chained) if r]
        return reasons[0] if reasons else None
    if ident in ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"):
        return "no keyring backend is installed or reachable (keyring fell back to its no-op one)"
    if ident in _INSECURE_BACKENDS or "plaintext" in ident.lower():
        return f"the keyring backend {ident} does not keep secrets safe"
    return None


class SecretStore:
    """Get, set and delete per-profile secrets. Keyring entries: service ``comms-tui``,
    username ``"{profile}:{kind}"``."""

    def __init__(self, timeout: float | None = None, insecure_file: Path | None = None) -> None:
        self.timeout = timeout if timeout is not None else default_timeout()
        # Set = the user opted in: ``set`` writes there. Reads always consult the default file too,
        # so secrets stored with --insecure-file keep working on later runs.
        self.insecure_file = insecure_file
        self._backend: Any = None
        self._insecure: str | None = None  # why the backend cannot keep secrets, if it cannot

    # -- public API -------------------------------------------------------------------------

    def get(self, profile: str, kind: SecretKind) -> str | None:
        """Environment, then the opt-in file, then the keyring; ``None`` if stored nowhere."""
        from_env = secret_from_env(kind)
        if from_env:
            return from_env
        from_file = self._read_file().get(_key(profile, kind))
        if from_file is not None:
            return from_file
        backend = self._keyring()
        if self._insecure:
            return None  # we never stored anything there
        value = self._call(
            "reading a secret", lambda: backend.get_password(SERVICE, _key(profile, kind))
        )
        return value if isinstance(value, str) else None

    def set(self, profile: str, kind: SecretKind, value: str) -> None:
        if not value:
            raise SecretsError(f"refusing to store an empty {kind} for profile '{profile}'")
        key = _key(profile, kind)
        if self.insecure_file is not None:
            entries = self._read_file(self.insecure_file)
            entries[key] = value
            self._write_file(self.insecure_file, entries)
            return
        self.check_secure()
        backend = self._keyring()
        self._call(
            "storing a secret", lambda: backend.set_password(SERVICE, key, value), secret=value
        )
        self._drop_from_file(default_insecure_file(), [key])  # moved to the keyring

    def delete(self, profile: str, kind: SecretKind) -> None:
        """Remove one secret from the opt-in file and the keyring; missing is fine."""
        key = _key(profile, kind)
        for path in {self.insecure_file, default_insecure_file()}:
            if path is not None:
                self._drop_from_file(path, [key])
        backend = self._keyring()
        if self._insecure:
            return  # we never stored anything there

        def delete() -> None:
            from keyring.errors import PasswordDeleteError

            with contextlib.suppress(PasswordDeleteError):  # nothing stored: fine
                backend.delete_password(SERVICE, key)

        self._call("deleting a secret", delete)

    def delete_profile(self, profile: str) -> None:
        """Remove every secret of ``profile``."""
        for kind in SECRET_KINDS:
            self.delete(profile, kind)

    def backend_name(self) -> str:
        return _backend_label(self._keyring())

    def check_secure(self) -> None:
        self._keyring()
        reason = self._insecure
        if reason:
            raise SecretsUnavailable(
                f"Cannot store secrets safely: {reason}.\n{FIX_HINT}", reason=reason
            )

    def location(self, profile: str, kind: SecretKind) -> str:
        """Where ``get`` would find this secret, for ``profile show`` (never the value)."""
        if os.environ.get(ENV_VARS[kind]):
            return f"environment ({ENV_VARS[kind]})"
        for path in (self.insecure_file, default_insecure_file()):
            if path is not None and _key(profile, kind) in self._read_file(path):
                return f"insecure file ({path})"
        if self.get(profile, kind) is not None:
            return f"keyring ({self.backend_name()})"
        return "not stored"

    # -- keyring ------------------------------------------------------------------------------

    def _keyring(self) -> Any:
        """The backend, found once; its security is judged in the same timed call because a
        chained backend discovers (and may talk to D-Bus) when asked what it chains."""
        if self._backend is None:

            def discover() -> tuple[Any, str | None]:
                import keyring

                backend = keyring.get_keyring()
                return backend, _insecure_reason(backend)

            self._backend, self._insecure = self._call("looking for a keyring", discover)
        return self._backend

    def _call(self, doing: str, fn: Callable[[], T], *, secret: str | None = None) -> T:
        """Run ``fn`` in a daemon thread (never joined at exit, so a hung D-Bus cannot hang us)."""
        outcome: list[T] = []
        failure: list[BaseException] = []

        def work() -> None:
            try:
                outcome.append(fn())
            except BaseException as exc:
                failure.append(exc)

        worker = threading.Thread(target=work, name="comms-tui-keyring", daemon=True)
        worker.start()
        worker.join(self.timeout)
        label = _backend_label(self._backend) if self._backend is not None else "keyring"
        if worker.is_alive():
            raise SecretsTimeout(
                f"The keyring ({label}) did not answer within {self.timeout:g} s while {doing}. "
                "It may be locked or its D-Bus session may be missing.\n" + FIX_HINT
            )
        if failure:
            exc = failure[0]
            detail = str(exc)
            if secret and secret in detail:
                detail = detail.replace(secret, "********")
            detail = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
            # ``from None``: the original exception (and its arguments) could include the secret.
            raise SecretsError(f"The keyring ({label}) failed while {doing}: {detail}") from None
        return outcome[0]

    # -- the opt-in file ----------------------------------------------------------------------

    def _read_file(self, path: Path | None = None) -> dict[str, str]:
        if path is None:
            merged = self._read_file(default_insecure_file())
            if self.insecure_file is not None:
                merged.update(self._read_file(self.insecure_file))
            return merged
        try:
            info = path.stat()
        except FileNotFoundError:
            return {}
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretsError(
                f"{path} holds secrets but others may read it "
                f"(mode {stat.filemode(info.st_mode)}); run `chmod 600 {path}`"
            )
        from comms_tui.store.paths import unsafe_permissions

        problem = unsafe_permissions(path.parent)  # others could swap the file for theirs
        if problem:
            raise SecretsError(f"cannot use the secrets file {path}: {problem}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            # json's messages carry only positions, never the document, so this is safe to show.
            raise SecretsError(f"cannot read the secrets file {path}: {exc}") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise SecretsError(f"the secrets file {path} is damaged (expected a JSON object)")
        return data

    def _write_file(self, path: Path, entries: dict[str, str]) -> None:
        if not entries:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise SecretsError(
                    f"cannot remove the secrets file {path}: {exc.strerror or exc}"
                ) from None
            return
        try:
            write_private(path, (json.dumps(entries, indent=2, sort_keys=True) + "\n").encode())
        except OSError as exc:
            raise SecretsError(
                f"cannot write the secrets file {path}: {exc.strerror or exc}"
            ) from None

    def _drop_from_file(self, path: Path, keys: list[str]) -> None:
        entries = self._read_file(path)
        if any(k in entries for k in keys):
            self._write_file(path, {k: v for k, v in entries.items() if k not in keys})


def _key(profile: str, kind: SecretKind) -> str:
    return f"{profile}:{kind}"


def insecure_file_warning(path: Path | None = None) -> str | None:
    """The warning to show on every start while secrets sit in the opt-in plain file (the
    text alone: each front-end marks it as a warning its own way)."""
    path = path or default_insecure_file()
    try:
        entries = SecretStore()._read_file(path)
    except SecretsError as exc:
        return str(exc)
    if not entries:
        return None
    profiles = sorted({k.rpartition(":")[0] for k in entries})
    return (
        f"secrets of profile(s) {', '.join(profiles)} are kept in a plain file, {path} "
        "(chosen with --insecure-file): any program running as you can read them. Once a "
        "keyring is available, move them there with `comms-tui profile add NAME --replace ...`."
    )
