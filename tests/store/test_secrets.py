from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail, null

from comms_tui.store.errors import SecretsError, SecretsTimeout, SecretsUnavailable
from comms_tui.store.secrets import (
    SERVICE,
    SecretStore,
    default_insecure_file,
    insecure_file_warning,
)
from tests.support.keyring_backends import HangingKeyring, MemoryKeyring, RaisingKeyring

SECRET = "s3cr3t-Pa55"


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's plaintext file backend."""


def test_keyring_round_trip_uses_service_and_profile_kind(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("work", "password", SECRET)
    assert memory_keyring.entries == {(SERVICE, "work:password"): SECRET}
    assert store.get("work", "password") == SECRET
    assert store.get("work", "client_secret") is None
    assert store.location("work", "password") == f"keyring ({MemoryKeyring.name})"
    store.delete_profile("work")
    assert memory_keyring.entries == {}
    store.delete_profile("work")  # nothing left: still fine


def test_environment_beats_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    store = SecretStore()
    store.set("work", "password", SECRET)
    store.set("work", "client_secret", SECRET)
    monkeypatch.setenv("COMMS_TUI_PASSWORD", "from-env")
    assert store.get("work", "password") == "from-env"
    assert store.get("work", "client_secret") == SECRET
    assert store.location("work", "password") == "environment (COMMS_TUI_PASSWORD)"
    monkeypatch.setenv("COMMS_TUI_CLIENT_SECRET", "cs-env")
    assert store.get("any-profile", "client_secret") == "cs-env"


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), PlaintextKeyring(), chainer.ChainerBackend()],
    ids=["fail", "null", "plaintext", "empty-chainer"],
)
def test_insecure_backends_are_refused_with_the_fix(backend: object) -> None:
    keyring.set_keyring(backend)  # type: ignore[arg-type]
    store = SecretStore()
    with pytest.raises(SecretsUnavailable) as info:
        store.set("work", "password", SECRET)
    message = str(info.value)
    for fix in (
        "Secret Service",
        "COMMS_TUI_PASSWORD",
        "COMMS_TUI_CLIENT_SECRET",
        "--insecure-file",
    ):
        assert fix in message
    assert SECRET not in message
    assert store.get("work", "password") is None  # nothing could have been stored there


def test_chainer_with_a_secure_backend_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring()])
    keyring.set_keyring(chainer.ChainerBackend())
    SecretStore().check_secure()


def test_hanging_keyring_times_out_quickly() -> None:
    keyring.set_keyring(HangingKeyring())
    store = SecretStore(timeout=0.3)
    calls: list[Callable[[], object]] = [
        lambda: store.get("w", "password"),
        lambda: store.set("w", "password", SECRET),
    ]
    for call in calls:
        started = time.monotonic()
        with pytest.raises(SecretsTimeout, match=r"did not answer within 0.3 s") as info:
            call()
        assert time.monotonic() - started < 1.3
        assert "D-Bus" in str(info.value) and SECRET not in str(info.value)


def test_hanging_discovery_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: HangingKeyring()._hang())
    started = time.monotonic()
    with pytest.raises(SecretsTimeout, match="looking for a keyring"):
        SecretStore(timeout=0.2).check_secure()
    assert time.monotonic() - started < 1.2


def test_raising_keyring_becomes_one_clear_error_without_the_secret() -> None:
    keyring.set_keyring(RaisingKeyring())
    store = SecretStore()
    with pytest.raises(SecretsError) as info:
        store.set("work", "password", SECRET)
    assert str(info.value).startswith("The keyring (")
    assert "KeyringLocked" in str(info.value) and "storing a secret" in str(info.value)
    assert SECRET not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(SecretsError, match="reading a secret"):
        store.get("work", "password")
    with pytest.raises(SecretsError, match="deleting a secret"):
        store.delete_profile("work")


def test_insecure_file_opt_in() -> None:
    keyring.set_keyring(fail.Keyring())
    path = default_insecure_file()
    assert insecure_file_warning() is None
    SecretStore(insecure_file=path).set("work", "password", SECRET)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"work:password": SECRET}
    # A later run without the flag still finds it, and says where it is.
    reader = SecretStore()
    assert reader.get("work", "password") == SECRET
    assert reader.location("work", "password") == f"insecure file ({path})"
    warning = insecure_file_warning()
    assert warning is not None and str(path) in warning and "work" in warning
    assert SECRET not in warning
    reader.delete_profile("work")
    assert not path.exists() and insecure_file_warning() is None


def test_moving_to_a_keyring_empties_the_insecure_file(memory_keyring: MemoryKeyring) -> None:
    SecretStore(insecure_file=default_insecure_file()).set("work", "password", "old")
    SecretStore().set("work", "password", SECRET)
    assert not default_insecure_file().exists()
    assert memory_keyring.entries[(SERVICE, "work:password")] == SECRET


def test_insecure_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"work:password": SECRET}))
    os.chmod(path, 0o644)
    with pytest.raises(SecretsError, match=r"chmod 600") as info:
        SecretStore(insecure_file=path).get("work", "password")
    assert SECRET not in str(info.value)


def test_damaged_insecure_file_is_named_without_content(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text('{"work:password": "' + SECRET)
    os.chmod(path, 0o600)
    with pytest.raises(SecretsError, match="cannot read the secrets file") as info:
        SecretStore(insecure_file=path).get("work", "password")
    assert str(path) in str(info.value) and SECRET not in str(info.value)


def test_empty_secret_is_refused() -> None:
    with pytest.raises(SecretsError, match="empty"):
        SecretStore().set("work", "password", "")
