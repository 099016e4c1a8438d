"""Crafted configuration files (issue 12, store level): a profile holding a host no URL parser
accepts, or an attribution no header can carry, is refused on load with file, key and line —
so it can never be saved or crash a later send; a config folder or file others may write is
refused with the ``chmod`` that fixes it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from comms_tui.store.errors import ProfileFileError, SecretsError
from comms_tui.store.paths import config_dir
from comms_tui.store.profiles import Profile, ProfileStore
from comms_tui.store.secrets import SecretStore
from tests.support.cli import run_cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

BAD_HOSTS = [
    "http://[::1",
    "https://[x]",
    "http://127.0.0.1:abc",
    "http://127.0.0.1:99999",
    "http://127.0.0.1:0",
    "https://a b.example",
    "https://eu.api.capillarytech.com\\u001b[2J",
]


def _write_profile(path: Path, host: str, extra: str = "") -> None:
    path.write_text(
        'default = "x"\n\n[profiles.x]\n'
        f'host = "{host}"\nauth = "basic"\nusername = "till"\n{extra}',
        encoding="utf-8",
    )
    path.chmod(0o600)


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_profile_file_with_a_malformed_host_is_refused_with_key_and_line(
    host: str, tmp_path: Path
) -> None:
    """Before: some loaded (and crashed every send with ValueError, leaving an ``unknown``
    journal row), others failed with no key to point at."""
    path = tmp_path / "profiles.toml"
    _write_profile(path, host)
    with pytest.raises(ProfileFileError) as refused:
        ProfileStore(path).load()
    assert refused.value.key == "profiles.x.host"
    assert refused.value.line == 4
    assert "\x1b" not in refused.value.message


def test_a_profile_with_a_malformed_host_cannot_be_saved() -> None:
    with pytest.raises(ValueError):
        Profile(name="x", host="http://[::1", auth="basic", username="till")


@pytest.mark.parametrize("code", ["Café Mumbai", "till\\r\\nX-Evil: 1"])
def test_a_profile_file_with_a_non_ascii_attribution_is_refused(code: str, tmp_path: Path) -> None:
    path = tmp_path / "profiles.toml"
    extra = f'attribution = {{ type = "STORE_NAME", code = "{code}" }}\n'
    _write_profile(path, "eu", extra)
    with pytest.raises(ProfileFileError) as refused:
        ProfileStore(path).load()
    assert refused.value.key == "profiles.x.attribution" and refused.value.line == 7
    assert "ASCII" in refused.value.message and "STORE_CODE" in refused.value.message


@pytest.mark.parametrize("host", ["http://[::1", "http://127.0.0.1:99999"])
def test_cli_profile_add_refuses_a_malformed_host(host: str, tmp_path: Path) -> None:
    proc = run_cli(
        "profile", "add", "x", "--host", host, "--username", "u", "--password-stdin",
        input="pw\n", keyring_file=tmp_path / "keyring.json",
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "host" in proc.stderr
    assert not (config_dir() / "profiles.toml").exists()


def test_cli_profile_add_refuses_a_non_ascii_attribution(tmp_path: Path) -> None:
    proc = run_cli(
        "profile", "add", "x", "--host", "eu", "--username", "u", "--password-stdin",
        "--attribution", "STORE_NAME:Café Mumbai", input="pw\n",
        keyring_file=tmp_path / "keyring.json",
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "ASCII" in proc.stderr


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(("mode", "who"), [(0o777, "everyone"), (0o770, "its group")])
def test_a_config_folder_others_may_write_is_refused_with_the_fix(
    mode: int, who: str, tmp_path: Path
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    path = folder / "profiles.toml"
    _write_profile(path, "eu")
    folder.chmod(mode)
    with pytest.raises(ProfileFileError) as refused:
        ProfileStore(path).load()
    assert f"writable by {who}" in refused.value.message
    assert f"chmod 700 {folder}" in refused.value.message
    folder.chmod(0o700)
    assert ProfileStore(path).load().default == "x"  # the fix works


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_profile_file_others_may_write_is_refused_with_the_fix(mode: int, tmp_path: Path) -> None:
    path = tmp_path / "profiles.toml"
    _write_profile(path, "eu")
    path.chmod(mode)
    with pytest.raises(ProfileFileError) as refused:
        ProfileStore(path).load()
    assert f"chmod 600 {path}" in refused.value.message
    path.chmod(0o644)  # readable by others is fine: a profile holds no secret
    assert ProfileStore(path).load().default == "x"


def test_a_shared_sticky_folder_gets_a_fix_that_is_not_chmod_tmp(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    with pytest.raises(ProfileFileError) as refused:
        ProfileStore(folder / "profiles.toml").load()
    assert "COMMS_TUI_CONFIG_DIR" in refused.value.message
    assert "chmod 700" not in refused.value.message


def test_the_secrets_file_in_a_folder_others_may_write_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    secrets_file = folder / "secrets-insecure.json"
    store = SecretStore(insecure_file=secrets_file)
    store.set("x", "password", "hunter2-secret")
    assert store.get("x", "password") == "hunter2-secret"
    folder.chmod(0o777)
    with pytest.raises(SecretsError) as refused:
        store.get("x", "password")
    assert f"chmod 700 {folder}" in refused.value.message
    assert "hunter2" not in refused.value.message
    folder.chmod(0o700)


def test_cli_refuses_a_world_writable_config_folder() -> None:
    folder = config_dir()
    _write_profile(folder / "profiles.toml", "eu")
    folder.chmod(0o777)
    try:
        proc = run_cli("profile", "list")
    finally:
        folder.chmod(0o700)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and f"chmod 700 {folder}" in proc.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
