"""A machine without a keyring can send for real (issue 13): a profile is saved without its
secret, and each run gets the secret from the environment, ``--password-stdin`` or a prompt —
for that run only, never stored. Subprocesses run with keyring's ``fail`` backend, as a headless
Linux box or a container has it."""

from __future__ import annotations

import json
import sys

import keyring
import pytest
from keyring.backends import fail

from comms_tui.api.target import Target
from comms_tui.sandbox import EmbeddedSandbox
from comms_tui.store.profiles import ProfileStore
from tests.support.cli import run_cli, run_in_process
from tests.support.keyring_backends import MemoryKeyring
from tests.support.sweep import assert_secret_nowhere

NO_KEYRING = "keyring.backends.fail.Keyring"
GOOD = "919591471711"


def _add_box(cli_sandbox: EmbeddedSandbox, *extra: str) -> None:
    added = run_cli(
        "profile", "add", "box", "--host", cli_sandbox.base_url, "--username", "sandbox", *extra,
        keyring_backend=NO_KEYRING,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "No password is stored: no keyring backend" in added.stdout
    assert "COMMS_TUI_PASSWORD" in added.stdout and "--password-stdin" in added.stdout


def test_profile_add_without_a_secret_or_terminal_saves_the_profile(
    cli_sandbox: EmbeddedSandbox,
) -> None:
    _add_box(cli_sandbox)
    profile = ProfileStore().get("box")
    assert profile.username == "sandbox" and ProfileStore().default_name == "box"
    shown = run_cli("profile", "show", "box", keyring_backend=NO_KEYRING)
    assert "(none)  (not stored; COMMS_TUI_PASSWORD overrides it)" in shown.stdout


def test_send_takes_the_secret_for_one_run_from_stdin(
    cli_sandbox: EmbeddedSandbox, sandbox_env: dict[str, str]
) -> None:
    _add_box(cli_sandbox)
    args = ("send", "sms", "--profile", "box", "--to", GOOD, "--json")
    missing = run_cli(*args, "--body", "a", keyring_backend=NO_KEYRING)
    assert missing.returncode == 2
    assert "no password stored for profile 'box'" in missing.stderr
    assert "or pipe it to --password-stdin for this run" in missing.stderr
    assert json.loads(missing.stdout)["outcome"] == "invalid"

    sent = run_cli(
        *args, "--body", "b", "--password-stdin", input="sandbox\n", keyring_backend=NO_KEYRING
    )
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["outcome"] == "accepted"
    wrong = run_cli(
        *args, "--body", "c", "--password-stdin", input="nope\n", keyring_backend=NO_KEYRING
    )
    assert wrong.returncode == 3 and "authentication failed" in json.loads(wrong.stdout)["error"]
    from_env = run_cli(
        *args, "--body", "d", env={"COMMS_TUI_PASSWORD": "sandbox"}, keyring_backend=NO_KEYRING
    )
    assert from_env.returncode == 0, from_env.stderr
    assert cli_sandbox.state.stats()["requests"] == 3
    assert_nothing_stored()


def assert_nothing_stored() -> None:
    """No secret went anywhere: not in the profile file, no plain secrets file."""
    from comms_tui.store.secrets import default_insecure_file

    assert "password" not in ProfileStore().path.read_text()
    assert not default_insecure_file().exists()


def test_sender_lab_takes_the_secret_from_stdin_too(
    cli_sandbox: EmbeddedSandbox, sandbox_env: dict[str, str]
) -> None:
    _add_box(cli_sandbox)
    lab = run_cli(
        "sender-lab", "--profile", "box", "--to", GOOD, "--sender", "CAPNTH", "--json",
        "--password-stdin", input="sandbox\n", keyring_backend=NO_KEYRING,
    )  # fmt: skip
    assert lab.returncode == 0, lab.stderr
    [cell] = json.loads(lab.stdout)["cells"]
    assert cell["outcome"] == "accepted"


@pytest.mark.parametrize(
    ("stdin", "needle"),
    [
        ("sandbox\nsecond line\n", "has more than one line"),
        ("sandbox\r\nx", "has more than one line"),
        ("\n", "is empty"),
    ],
)
def test_a_secret_on_stdin_is_one_line_or_refused(
    stdin: str, needle: str, cli_sandbox: EmbeddedSandbox, sandbox_env: dict[str, str]
) -> None:
    _add_box(cli_sandbox)
    sent = run_cli(
        "send", "sms", "--profile", "box", "--to", GOOD, "--body", "x", "--password-stdin",
        input=stdin, keyring_backend=NO_KEYRING,
    )  # fmt: skip
    assert sent.returncode == 2 and needle in sent.stderr
    replaced = run_cli(
        "profile", "add", "box", "--host", cli_sandbox.base_url, "--username", "sandbox",
        "--password-stdin", "--replace", "--insecure-file", input=stdin,
        keyring_backend=NO_KEYRING,
    )  # fmt: skip
    assert replaced.returncode == 2 and needle in replaced.stderr
    assert "second line" not in sent.stderr + replaced.stderr
    assert cli_sandbox.state.stats()["requests"] == 0


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--client-secret-stdin"], "signs in with Basic auth (a password): pass --password-stdin"),
        (["--password-stdin", "--sandbox"], "--password-stdin: the sandbox needs no secret"),
    ],
)
def test_a_secret_for_the_wrong_target_is_refused(
    argv: list[str], needle: str, cli_sandbox: EmbeddedSandbox, sandbox_env: dict[str, str]
) -> None:
    _add_box(cli_sandbox)
    profile = [] if "--sandbox" in argv else ["--profile", "box"]
    proc = run_cli(
        "send", "sms", *profile, "--to", GOOD, "--body", "x", *argv, input="sandbox\n",
        keyring_backend=NO_KEYRING,
    )  # fmt: skip
    assert proc.returncode == 2 and needle in proc.stderr
    assert cli_sandbox.state.stats()["requests"] == 0


def test_the_environment_target_takes_no_secret_from_stdin(sandbox_env: dict[str, str]) -> None:
    proc = run_cli(
        "send", "sms", "--to", GOOD, "--body", "x", "--password-stdin", input="pw\n",
        env=sandbox_env,
    )  # fmt: skip
    assert proc.returncode == 2 and "COMMS_TUI_HOST is set" in proc.stderr


# -- on a terminal: asked without echo, never stored -----------------------------------------


def test_a_terminal_is_asked_for_the_secret_of_this_run(
    cli_sandbox: EmbeddedSandbox,
    sandbox_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyring.set_keyring(fail.Keyring())
    _add_box(cli_sandbox)
    asked: list[str] = []

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return "sandbox"

    monkeypatch.setattr("getpass.getpass", getpass)
    argv = ["send", "sms", "--profile", "box", "--to", GOOD, "--body", "typed", "--json"]
    code, out, err = run_in_process(argv, capsys, tty=True)
    assert code == 0, err
    assert asked == ["Password for profile box (this run only): "]
    assert json.loads(out)["outcome"] == "accepted"
    assert_nothing_stored()


def test_an_empty_answer_at_the_prompt_sends_nothing(
    cli_sandbox: EmbeddedSandbox,
    sandbox_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyring.set_keyring(fail.Keyring())
    _add_box(cli_sandbox)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "")
    argv = ["send", "sms", "--profile", "box", "--to", GOOD, "--body", "x"]
    code, _, err = run_in_process(argv, capsys, tty=True)
    assert code == 2 and "no password given: nothing was sent" in err
    assert cli_sandbox.state.stats()["requests"] == 0


def test_profile_add_on_a_terminal_without_a_keyring_saves_without_asking(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail("asked in vain"))
    argv = ["profile", "add", "w", "--host", "apac", "--username", "u"]
    code, out, err = run_in_process(argv, capsys, tty=True)
    assert code == 0, err
    assert "Saved profile 'w'" in out and "No password is stored" in out
    assert "Nothing was saved" not in out + err


def test_profile_add_when_the_keyring_fails_to_store_keeps_the_profile(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("org.freedesktop.Secret.Error.IsLocked")

    monkeypatch.setattr(memory_keyring, "set_password", broken)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed-secret")
    argv = ["profile", "add", "w", "--host", "apac", "--username", "u"]
    code, out, err = run_in_process(argv, capsys, tty=True)
    assert code == 0, err
    assert "comms-tui: warning: the password was not stored: The keyring" in err
    assert "IsLocked" in err and "No password is stored" in out
    assert ProfileStore().get("w").username == "u"
    assert_secret_nowhere("typed-secret", out, err)


# -- profile test: the timeout, and always a reason -------------------------------------------


def test_profile_test_honours_the_timeout_and_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from comms_tui.api.errors import ConnectFailed
    from tests.store.test_cli import fake_client_module

    run_in_process(
        ["profile", "add", "w", "--host", "apac", "--username", "u", "--password-stdin"],
        capsys,
        stdin="pw\n",
    )
    seen: list[Target] = []
    monkeypatch.setitem(sys.modules, "comms_tui.api.client", fake_client_module("fine", seen))
    assert run_in_process(["profile", "test", "w", "--timeout", "2.5"], capsys)[0] == 0
    monkeypatch.setenv("COMMS_TUI_TIMEOUT", "4")
    assert run_in_process(["profile", "test", "w"], capsys)[0] == 0
    assert [t.read_timeout for t in seen] == [2.5, 4.0]

    code, _, err = run_in_process(["profile", "test", "w", "--timeout", "zero"], capsys)
    assert code == 2 and "--timeout: timeout must be a number" in err

    silent = ConnectFailed("")
    monkeypatch.setitem(sys.modules, "comms_tui.api.client", fake_client_module(silent, seen))
    code, _, err = run_in_process(["profile", "test", "w"], capsys)
    assert code == 3 and "comms-tui: the check failed (ConnectFailed)" in err
