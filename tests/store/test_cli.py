"""``comms-tui profile …`` and ``comms-tui history`` in-process: edge cases, exit codes, and the
sweep that no secret reaches any file or output."""

from __future__ import annotations

import json
import sys
import types
from typing import Any
from zoneinfo import ZoneInfo

import keyring
import pytest
from keyring.backends import fail

from comms_tui.api.errors import AuthFailed
from comms_tui.api.target import Target
from comms_tui.store.history import Journal
from comms_tui.store.profiles import Profile, ProfileStore
from comms_tui.store.secrets import SecretStore
from tests.support.cli import run_in_process
from tests.support.keyring_backends import MemoryKeyring
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


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str = ""
) -> tuple[int, str, str]:
    return run_in_process(argv, capsys, stdin)


def test_add_stores_the_password_as_entered(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(ADD, capsys, stdin=SECRET + "\r\n")
    assert code == 0, err
    assert memory_keyring.entries == {("comms-tui", "work:password"): SECRET}  # not an MD5
    assert_secret_nowhere(SECRET, out, err)


def test_add_oauth_then_replace_switches_secret_kind(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth = [
        "profile",
        "add",
        "work",
        "--host",
        "http://127.0.0.1:8765",
        "--client-key",
        "k",
        "--client-secret-stdin",
    ]
    assert run(oauth, capsys, stdin="cs\n")[0] == 0
    assert memory_keyring.entries == {("comms-tui", "work:client_secret"): "cs"}
    assert run([*ADD, "--replace"], capsys, stdin=SECRET + "\n")[0] == 0
    assert memory_keyring.entries == {("comms-tui", "work:password"): SECRET}
    assert ProfileStore().get("work").auth == "basic"


@pytest.mark.parametrize(
    ("argv", "stdin", "needle"),
    [
        (["profile", "add", "w", "--host", "apac"], "", "no credentials given and no terminal"),
        (["profile", "add", "w", "--host", "apac", "--password-stdin"], "x", "needs --username"),
        ([*ADD, "--timezone", "Mars/Base"], "x", "--timezone: unknown"),
        (
            [
                "profile",
                "add",
                "w",
                "--host",
                "http://10.0.0.9",
                "--username",
                "u",
                "--password-stdin",
            ],
            "x",
            "--host: plain http://",
        ),
        (ADD, "\n", "is empty"),
    ],
)
def test_add_bad_input_exits_2(
    argv: list[str], stdin: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(argv, capsys, stdin=stdin)
    assert code == 2 and needle in err
    assert not ProfileStore().path.exists()


def test_list_marks_default_and_is_friendly_when_empty(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["profile", "list"], capsys)
    assert code == 0 and "No profiles yet" in out
    run(ADD, capsys, stdin="pw\n")
    run(
        [
            "profile",
            "add",
            "b",
            "--host",
            "apac",
            "--client-key",
            "k",
            "--client-secret-stdin",
            "--default",
        ],
        capsys,
        stdin="cs\n",
    )
    code, out, _ = run(["profile", "list", "--json"], capsys)
    assert {r["name"]: r["default"] for r in json.loads(out)} == {"b": True, "work": False}


def test_show_says_where_the_secret_lives(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(ADD, capsys, stdin=SECRET + "\n")
    monkeypatch.setenv("COMMS_TUI_PASSWORD", "env-secret")
    _, out, _ = run(["profile", "show", "work"], capsys)
    assert "environment (COMMS_TUI_PASSWORD)" in out and "env-secret" not in out
    monkeypatch.delenv("COMMS_TUI_PASSWORD")
    keyring.set_keyring(fail.Keyring())
    _, out, _ = run(["profile", "show", "work"], capsys)
    assert "(none)" in out and "not stored" in out


def test_damaged_file_makes_commands_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    path = ProfileStore().path
    path.write_text("[profiles.work]\nhost = 'apac'\nauth = 'basic'\nusername = 'u'\nfoo = 1\n")
    code, _, err = run(["profile", "list"], capsys)
    assert code == 2 and f"{path}, line 5, key 'profiles.work.foo': unknown key" in err
    code, _, err = run(ADD, capsys, stdin="pw\n")
    assert code == 2 and "line 5" in err
    assert path.read_text().endswith("foo = 1\n")


def fake_client_module(outcome: Exception | str, seen: list[Target]) -> types.ModuleType:
    class FakeClient:
        def __init__(self, target: Target) -> None:
            seen.append(target)

        async def __aenter__(self) -> FakeClient:
            return self

        async def __aexit__(self, *exc: Any) -> None:
            return None

        async def check(self) -> str:
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    module = types.ModuleType("comms_tui.api.client")
    module.CommsClient = FakeClient  # type: ignore[attr-defined]
    return module


def test_profile_test_reports_ok_or_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(ADD, capsys, stdin=SECRET + "\n")
    seen: list[Target] = []
    monkeypatch.setitem(
        sys.modules, "comms_tui.api.client", fake_client_module("host answered", seen)
    )
    code, out, err = run(["profile", "test", "work"], capsys)
    assert code == 0 and "ok: host answered" in out and "no message is sent" in out
    assert seen[0].base_url == "http://127.0.0.1:8765" and seen[0].label == "work"

    failing = AuthFailed("authentication failed (HTTP 401)", http_status=401)
    monkeypatch.setitem(sys.modules, "comms_tui.api.client", fake_client_module(failing, seen))
    code, out, err = run(["profile", "test", "work"], capsys)
    assert code == 3 and "authentication failed" in err
    assert_secret_nowhere(SECRET, out, err)


def test_profile_test_without_secret_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    run(ADD, capsys, stdin="pw\n")
    SecretStore().delete_profile("work")
    code, _, err = run(["profile", "test", "work"], capsys)
    assert code == 2 and "COMMS_TUI_PASSWORD" in err


def test_history_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["history"], capsys)
    assert code == 0 and "No sends recorded yet." in out
    journal = Journal()
    entry = journal.begin(
        profile="work",
        host="h",
        channel="sms",
        recipients=["911", "922", "933"],
        request={},
        fingerprints=[],
    )
    journal.complete(
        entry,
        outcome="accepted",
        http_status=200,
        request_id="req-9",
        items=[],
        latency_ms=1.0,
        error=None,
    )
    code, out, _ = run(["history"], capsys)
    header, row = out.splitlines()
    assert header.split()[:2] == ["ID", "TIME"] and header.split()[3] == "PROFILE"
    assert row.split()[0] == str(entry) and "911 +2" in row and "accepted" in row and "req-9" in row
    code, out, _ = run(["history", "--outcome", "failed"], capsys)
    assert "No sends match." in out
    code, _, err = run(["history", "--limit", "0"], capsys)
    assert code == 2 and "comms-tui: history: argument --limit: must be from 1 to 1,000,000" in err


def test_history_times_are_in_the_profiles_zone_else_the_machines_and_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = Journal()
    entry = journal.begin(
        profile="work", host="h", channel="sms", recipients=["911"], request={}, fingerprints=[]
    )
    created = journal.get(entry)
    assert created is not None
    monkeypatch.setenv("TZ", "America/New_York")
    _, out, _ = run(["history"], capsys)
    local = created.created_at.astimezone(ZoneInfo("America/New_York"))
    assert f"TIME ({local.tzname()})" in out and f"{local:%Y-%m-%d %H:%M:%S}" in out
    ProfileStore().save(
        Profile(name="work", host="apac", auth="basic", username="u", timezone="Asia/Tokyo")
    )
    _, out, _ = run(["history"], capsys)
    tokyo = created.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert "TIME (JST)" in out and f"{tokyo:%Y-%m-%d %H:%M:%S}" in out


def test_no_secret_in_any_file_or_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    password, client_secret = "Basic-Secret-42!", "OAuth-Secret-43!"
    md5 = hashlib.md5(password.encode()).hexdigest()
    monkeypatch.setitem(sys.modules, "comms_tui.api.client", fake_client_module("fine", []))
    outputs: list[str] = []
    steps: list[tuple[list[str], str]] = [
        (ADD, password + "\n"),
        (
            [
                "profile",
                "add",
                "oa",
                "--host",
                "apac",
                "--client-key",
                "k",
                "--client-secret-stdin",
            ],
            client_secret + "\n",
        ),
        (["profile", "list"], ""),
        (["profile", "list", "--json"], ""),
        (["profile", "show", "work"], ""),
        (["profile", "show", "oa", "--json"], ""),
        (["profile", "test", "work"], ""),
        (["profile", "test", "oa"], ""),
        (["history"], ""),
        (["history", "--json"], ""),
    ]
    journal = Journal()
    journal.begin(
        profile="work",
        host="h",
        channel="sms",
        recipients=["1"],
        request={"sms": [{"to": "1", "body": "x"}]},
        fingerprints=["f"],
    )
    for argv, stdin in steps:
        code, out, err = run(argv, capsys, stdin=stdin)
        assert code == 0, (argv, err)
        outputs += [out, err]
    for secret in (password, client_secret, md5):
        assert_secret_nowhere(secret, *outputs)
    for argv in (["profile", "remove", "work"], ["profile", "remove", "oa"]):
        assert run(argv, capsys)[0] == 0
    assert keyring.get_password("comms-tui", "work:password") is None
    assert keyring.get_password("comms-tui", "oa:client_secret") is None


def test_add_prompts_with_getpass_on_a_terminal(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = iter(["oauth", "my-key"])
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return "typed-secret"

    monkeypatch.setattr("getpass.getpass", getpass)
    code, out, err = run_in_process(["profile", "add", "w", "--host", "apac"], capsys, tty=True)
    assert code == 0, err
    assert asked == ["Client secret: "]
    assert ProfileStore().get("w").client_key == "my-key"
    assert memory_keyring.entries == {("comms-tui", "w:client_secret"): "typed-secret"}
    assert "typed-secret" not in out + err


def test_default_action_switches_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    run(ADD, capsys, stdin="pw\n")
    run(
        ["profile", "add", "b", "--host", "apac", "--client-key", "k", "--client-secret-stdin"],
        capsys,
        stdin="cs\n",
    )
    assert ProfileStore().default_name == "work"
    code, out, _ = run(["profile", "default", "b"], capsys)
    assert code == 0 and "'b' is now the default" in out and ProfileStore().default_name == "b"
    code, _, err = run(["profile", "default", "nope"], capsys)
    assert code == 2 and "no profile named 'nope'" in err


def test_removing_the_default_says_where_sends_go_now(capsys: pytest.CaptureFixture[str]) -> None:
    run(ADD, capsys, stdin="pw\n")
    prod = ["profile", "add", "prod", "--host", "eu", "--client-key", "k", "--production"]
    run([*prod, "--client-secret-stdin"], capsys, stdin="cs\n")
    run(["profile", "add", "b", "--host", "apac", "--client-key", "k", "--client-secret-stdin"],
        capsys, stdin="cs\n")  # fmt: skip
    code, out, _ = run(["profile", "remove", "work"], capsys)  # the default; two are left
    assert code == 0 and "There is no default profile now" in out
    run(["profile", "default", "b"], capsys)
    code, out, _ = run(["profile", "remove", "b"], capsys)  # only production is left
    assert code == 0 and "There is no default profile now" in out
    assert ProfileStore().default_name is None
