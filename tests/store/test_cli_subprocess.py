"""``comms-tui profile …`` and ``comms-tui history`` as a user or a script runs them: a fresh
interpreter, the secret on real stdin, the keyring chosen by PYTHON_KEYRING_BACKEND."""

from __future__ import annotations

import json
import os
from pathlib import Path

from comms_tui.store.history import Journal
from comms_tui.store.profiles import ProfileStore
from tests.support import cli
from tests.support.sweep import assert_secret_nowhere

SECRET = "Tr0ub4dor&3-never-print"
ADD = [
    "profile",
    "add",
    "work",
    "--host",
    "http://127.0.0.1:8765",
    "--username",
    "till1",
    "--password-stdin",
    "--attribution",
    "STORE_CODE:S1",
    "--email-from",
    "a@example.com",
]


def test_profile_lifecycle_in_subprocesses(tmp_path: Path) -> None:
    keyring_file = tmp_path / "keyring.json"
    outputs: list[str] = []

    added = cli.run_cli(*ADD, "--production", input=SECRET + "\n", keyring_file=keyring_file)
    outputs += [added.stdout, added.stderr]
    assert added.returncode == 0, added.stderr
    assert "Saved profile 'work'" in added.stdout and "It is the default profile" in added.stdout
    assert json.loads(keyring_file.read_text()) == {"comms-tui\twork:password": SECRET}
    toml = ProfileStore().path.read_text()
    assert 'username = "till1"' in toml and "production = true" in toml

    listed = cli.run_cli("profile", "list", keyring_file=keyring_file)
    outputs += [listed.stdout, listed.stderr]
    assert listed.returncode == 0
    assert listed.stdout.startswith("* work  basic  till1  http://127.0.0.1:8765 [production]")

    shown = cli.run_cli("profile", "show", "work", keyring_file=keyring_file)
    outputs += [shown.stdout, shown.stderr]
    assert shown.returncode == 0
    assert "password:" in shown.stdout and "********" in shown.stdout
    assert "(keyring (keyring backends FileKeyring); COMMS_TUI_PASSWORD" in shown.stdout
    assert "STORE_CODE:S1" in shown.stdout and "(default)" in shown.stdout

    as_json = cli.run_cli("profile", "show", "work", "--json", keyring_file=keyring_file)
    outputs.append(as_json.stdout)
    data = json.loads(as_json.stdout)
    assert data["password"]["value"] == "********" and data["username"] == "till1"

    again = cli.run_cli(*ADD, input=SECRET + "\n", keyring_file=keyring_file)
    outputs += [again.stdout, again.stderr]
    assert again.returncode == 2 and "already exists" in again.stderr

    assert_secret_nowhere(SECRET, *outputs)

    removed = cli.run_cli("profile", "remove", "work", keyring_file=keyring_file)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(keyring_file.read_text()) == {}
    assert ProfileStore().list() == []
    gone = cli.run_cli("profile", "show", "work", keyring_file=keyring_file)
    assert gone.returncode == 2 and "no profile named 'work'" in gone.stderr


def test_add_without_a_secure_keyring_saves_the_profile_then_insecure_file(
    tmp_path: Path,
) -> None:
    refused = cli.run_cli(
        *ADD, input=SECRET + "\n", keyring_backend="keyring.backends.fail.Keyring"
    )
    assert refused.returncode == 0, refused.stderr
    assert "the password was not stored: no keyring backend" in refused.stderr
    assert "Saved profile 'work'" in refused.stdout and "No password is stored" in refused.stdout
    assert "COMMS_TUI_PASSWORD" in refused.stdout and "--insecure-file" in refused.stdout
    assert ProfileStore().get("work").username == "till1"

    added = cli.run_cli(
        *ADD,
        "--replace",
        "--insecure-file",
        input=SECRET + "\n",
        keyring_backend="keyring.backends.fail.Keyring",
    )
    assert added.returncode == 0, added.stderr
    assert "plain file" in added.stderr
    listed = cli.run_cli("profile", "list", keyring_backend="keyring.backends.fail.Keyring")
    assert (
        "comms-tui: warning: secrets of profile(s) work are kept in a plain file" in listed.stderr
    )
    assert "warning: warning:" not in listed.stderr
    for text in (refused.stdout, refused.stderr, added.stdout, added.stderr, listed.stderr):
        assert SECRET not in text
    insecure = Path(os.environ["COMMS_TUI_CONFIG_DIR"]) / "secrets-insecure.json"
    assert oct(insecure.stat().st_mode & 0o777) == "0o600"
    assert SECRET not in ProfileStore().path.read_text()


def test_history_json_in_subprocess() -> None:
    journal = Journal()
    first = journal.begin(
        profile="work",
        host="h",
        channel="sms",
        recipients=["1", "2"],
        request={"sms": []},
        fingerprints=["a"],
    )
    journal.complete(
        first,
        outcome="partial",
        http_status=201,
        request_id="r-1",
        items=[],
        latency_ms=3.0,
        error=None,
    )
    second = journal.begin(
        profile="work",
        host="h",
        channel="email",
        recipients=["x@y.z"],
        request={},
        fingerprints=["b"],
    )
    done = cli.run_cli("history", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["id"] for r in rows] == [second, first]
    assert rows[1]["outcome"] == "partial" and rows[1]["request_id"] == "r-1"
    assert rows[0]["outcome"] == "pending"
    limited = cli.run_cli("history", "--json", "--limit", "1", "--channel", "sms")
    assert [r["id"] for r in json.loads(limited.stdout)] == [first]
