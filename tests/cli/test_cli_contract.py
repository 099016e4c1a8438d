"""What every command promises a script or a person (issue 13's CLI bullet, issue 12's small
items): one JSON object per ``--json`` run, errors that start with ``comms-tui:``, global flags
that apply to the subcommand, a completion script, an unwritable data dir that is a clean exit 2,
a result printed even when the journal cannot record it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from comms_tui.sandbox import EmbeddedSandbox
from comms_tui.store.errors import StoreError
from comms_tui.store.history import Journal
from comms_tui.store.profiles import Profile, ProfileStore
from tests.support.cli import REPO_ROOT, main, run_cli, run_in_process

GOOD = "919591471711"


def _one_object(stdout: str) -> dict[str, Any]:
    """stdout is exactly one JSON object (one line), nothing else."""
    assert stdout.count("\n") == 1 and stdout.endswith("\n"), stdout
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


# -- --json: one object on every exit ---------------------------------------------------------


def test_the_invalid_object_has_the_keys_of_a_result(sandbox_env: dict[str, str]) -> None:
    accepted = _one_object(run_cli("send", "sms", "--to", GOOD, "--body", "x", "--json",
                                   env=sandbox_env).stdout)  # fmt: skip
    invalid = _one_object(run_cli("send", "sms", "--to", "nope", "--body", "x", "--json",
                                  env=sandbox_env).stdout)  # fmt: skip
    assert set(invalid) == set(accepted)
    assert invalid["outcome"] == "invalid" and invalid["count"] == 0
    assert "to: “nope” contains letters" in invalid["error"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["send", "sms", "--to", GOOD], "the following arguments are required: --body"),
        (["send", "sms", "--to", GOOD, "--body", "x", "--timeout", "abc"], "--timeout"),
        (["send", "sms", "--to", GOOD, "--body", "x", "--at", "0001-01-01T00:00"], "scheduled"),
        (["send", "sms", "--to", GOOD, "--to", "12025550100", "--body", "x"], "--yes"),
        (["send", "email", "--to", "a@example.com", "--subject", "s"], "--from"),
        (["send", "fax", "--to", GOOD], "invalid choice: 'fax'"),
        (["--profile", "", "send", "sms", "--to", GOOD, "--body", "x"], "profile name is empty"),
        (["sender-lab", "--to", "nope", "--sender", "CAPNTH", "--yes"], "nope"),
        (["history", "--limit", "0"], "must be from 1 to 1,000,000"),
    ],
)
def test_every_exit_2_prints_one_json_object(
    argv: list[str], needle: str, sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    proc = run_cli(*argv, "--json", env=sandbox_env)
    assert proc.returncode == 2, proc.stderr
    data = _one_object(proc.stdout)
    assert data["outcome"] == "invalid" and needle in data["error"], data
    assert needle in proc.stderr
    assert cli_sandbox.state.stats()["requests"] == 0


def test_without_a_target_json_still_gets_its_object() -> None:
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "x", "--json")
    assert proc.returncode == 2
    assert "profile add" in _one_object(proc.stdout)["error"]


def test_a_held_duplicate_prints_one_object_naming_the_earlier_send(
    sandbox_env: dict[str, str],
) -> None:
    args = ("send", "sms", "--to", GOOD, "--body", "once", "--json")
    first = _one_object(run_cli(*args, env=sandbox_env).stdout)
    again = run_cli(*args, env=sandbox_env)
    assert again.returncode == 2
    assert f"#{first['history_id']}" in _one_object(again.stdout)["error"]


# -- errors and warnings read the same everywhere ---------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["profile", "show", "nope"],
        ["profile", "default", "nope"],
        ["profile", "test", "nope"],
        ["profile", "add", "w", "--host", "http://[::1", "--username", "u"],
        ["history", "--limit", "x"],
        ["send", "sms", "--to", GOOD, "--body", "x"],
        ["--sandbox", "history"],
    ],
)
def test_every_error_line_starts_with_the_program_name(argv: list[str]) -> None:
    proc = run_cli(*argv)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line and not line.startswith(" ")]
    problems = [line for line in lines if not line.startswith(("usage:", "comms-tui: "))]
    assert lines and not problems, proc.stderr
    assert "error:" not in proc.stderr and "Traceback" not in proc.stderr


def test_the_insecure_file_warning_is_not_doubled(sandbox_env: dict[str, str]) -> None:
    from comms_tui.store.secrets import SecretStore, default_insecure_file

    SecretStore(insecure_file=default_insecure_file()).set("other", "password", "pw")
    ProfileStore().save(Profile(name="other", host="apac", auth="basic", username="u"))
    for argv in (("history",), ("profile", "list"), ("profile", "show", "other")):
        proc = run_cli(*argv, keyring_backend="keyring.backends.fail.Keyring")
        assert "comms-tui: warning: secrets of profile(s) other" in proc.stderr, argv
        assert "warning: warning:" not in proc.stderr
    # Adding one more there: said once, naming both (it came twice, the first out of date).
    add = ("profile", "add", "more", "--host", "apac", "--username", "u", "--password-stdin")
    proc = run_cli(
        *add, "--insecure-file", input="pw2", keyring_backend="keyring.backends.fail.Keyring"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("warning: secrets of profile(s)") == 1, proc.stderr
    assert "warning: secrets of profile(s) more, other" in proc.stderr


# -- flags before the subcommand --------------------------------------------------------------


def test_sandbox_before_the_subcommand_applies_to_it() -> None:
    proc = run_cli("--sandbox", "send", "sms", "--to", GOOD, "--body", "hi", "--json")
    assert proc.returncode == 0, proc.stderr
    assert _one_object(proc.stdout)["outcome"] == "accepted"
    [entry] = Journal().list()
    assert entry.sandbox and entry.profile == "sandbox"


def test_profile_before_the_subcommand_applies_to_it(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    ProfileStore().save(
        Profile(name="box", host=cli_sandbox.base_url, auth="basic", username="sandbox")
    )
    env = {"COMMS_TUI_PASSWORD": "sandbox"}  # the profile's secret, from the environment
    proc = run_cli("--profile", "box", "send", "sms", "--to", GOOD, "--body", "hi", env=env)
    assert proc.returncode == 0, proc.stderr
    assert Journal().list()[0].profile == "box"
    both = run_cli("--profile", "box", "send", "sms", "--sandbox", "--to", GOOD, "--body", "x")
    assert both.returncode == 2 and "give one of them" in both.stderr


def test_an_empty_profile_name_is_not_the_default_profile(
    cli_sandbox: EmbeddedSandbox, sandbox_env: dict[str, str]
) -> None:
    store = ProfileStore()
    store.save(Profile(name="box", host=cli_sandbox.base_url, auth="basic", username="sandbox"))
    store.set_default("box")
    env = {"COMMS_TUI_PASSWORD": "sandbox"}
    for argv in (
        ["send", "sms", "--profile", "", "--to", GOOD, "--body", "x"],
        ["--profile", " ", "send", "sms", "--to", GOOD, "--body", "x"],
        ["sender-lab", "--profile", "", "--to", GOOD, "--sender", "CAPNTH", "--yes"],
        ["serve", "--profile", "", "--port", "0"],  # (the page would otherwise be served)
    ):
        proc = run_cli(*argv, env=env)
        assert proc.returncode == 2 and "the profile name is empty" in proc.stderr, argv
    assert cli_sandbox.state.stats()["requests"] == 0


# -- completion -------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_every_subcommand(shell: str) -> None:
    proc = run_cli("completion", shell)
    assert proc.returncode == 0, proc.stderr
    for command in ("send", "sender-lab", "profile", "history", "sandbox", "serve", "completion"):
        assert command in proc.stdout, (shell, command)
    assert "password-stdin" in proc.stdout and "curl" in proc.stdout  # fish: -l curl


def test_the_bash_completion_parses_and_completes(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = tmp_path / "comms-tui.bash"
    script.write_text(run_cli("completion", "bash").stdout)
    subprocess.run([bash, "-n", str(script)], check=True)
    probe = (
        f"source {script}; COMP_WORDS=(comms-tui se); COMP_CWORD=1; "
        'COMP_LINE="comms-tui se"; COMP_POINT=${#COMP_LINE}; _shtab_comms_tui; '
        'echo "${COMPREPLY[@]}"; COMP_WORDS=(comms-tui send em); COMP_CWORD=2; '
        '_shtab_comms_tui; echo "${COMPREPLY[@]}"'
    )
    done = subprocess.run([bash, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["send sender-lab serve", "email"]


def test_an_unknown_shell_is_a_usage_error() -> None:
    proc = run_cli("completion", "cmd")
    assert proc.returncode == 2 and "comms-tui: completion: argument SHELL" in proc.stderr


def test_python_dash_m_is_the_same_program() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "comms_tui", "--version"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("comms-tui ")


# -- the data dir and the journal -------------------------------------------------------------


def test_an_unwritable_data_dir_is_a_clean_exit_2(
    tmp_path: Path, sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**sandbox_env, "COMMS_TUI_DATA_DIR": str(blocker / "data")}
    for argv in (
        ["send", "sms", "--to", GOOD, "--body", "x"],
        ["send", "sms", "--to", GOOD, "--body", "x", "--json"],
        ["history"],
        ["sender-lab", "--to", GOOD, "--sender", "CAPNTH", "--yes"],
    ):
        proc = run_cli(*argv, env=env)
        assert proc.returncode == 2, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert "comms-tui: cannot open the send journal" in proc.stderr, proc.stderr
        assert "COMMS_TUI_DATA_DIR" in proc.stderr
        if "--json" in argv:
            assert _one_object(proc.stdout)["outcome"] == "invalid"
    assert cli_sandbox.state.stats()["requests"] == 0


def _journal_that_cannot_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(self: Journal, *args: object, **kwargs: object) -> None:
        raise StoreError("the send journal failed: database or disk is full")

    monkeypatch.setattr(Journal, "complete", full_disk)


@pytest.mark.parametrize("as_json", [False, True])
def test_a_result_the_journal_cannot_record_is_still_printed(
    as_json: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sandbox_env: dict[str, str],
    cli_sandbox: EmbeddedSandbox,
) -> None:
    for name, value in sandbox_env.items():
        monkeypatch.setenv(name, value)
    _journal_that_cannot_complete(monkeypatch)
    argv = ["send", "sms", "--to", GOOD, "--body", "disk full", *(["--json"] if as_json else [])]
    code, out, err = run_in_process(argv, capsys)
    assert code == 0, err
    assert cli_sandbox.state.stats()["requests"] == 1
    assert "could not be recorded in the history" in err and "disk is full" in err
    if as_json:
        data = _one_object(out)
        assert data["outcome"] == "accepted" and data["request_id"]
    else:
        assert out.startswith("accepted · HTTP 200 · request id ")


def test_ctrl_c_mid_send_still_prints_one_object_saying_unknown(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    """The slow recipient holds the answer for seconds: ctrl-c (SIGINT) once the sandbox has the
    request. The message may have gone out, and the object says so."""
    env = {**os.environ, **sandbox_env, "COMMS_TUI_TIMEOUT": "30", "PYTHONPATH": str(REPO_ROOT)}
    argv = ["send", "sms", "--to", "12025550140", "--body", "slow", "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        # As a foreground command has it: from a background job (a CI started with `&`) SIGINT
        # is inherited ignored, and Python then never raises KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 20
        while cli_sandbox.state.stats()["requests"] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cli_sandbox.state.stats()["requests"] == 1
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 4, err  # an unknown outcome, as the exit code table says
    data = _one_object(out)
    # The object of any send, as a timeout's unknown reads: each recipient, its fate open.
    assert data["outcome"] == "unknown" and "may have gone out" in data["error"]
    assert (data["count"], data["success_count"]) == (1, 0)
    assert [(i["recipient"], i["ok"]) for i in data["items"]] == [("12025550140", None)]
    # Its journal entry is named, and says unknown now (not "pending" until the deadline).
    [entry] = Journal().list()
    assert data["history_id"] == entry.id and f"history #{entry.id}" in err
    assert entry.outcome == "unknown" and "interrupted" in (entry.error or "")
    assert [(i["recipient"], i["ok"]) for i in entry.items] == [("12025550140", None)]
    assert "comms-tui: interrupted while sending" in err and "Traceback" not in err


def test_the_app_is_built_with_the_collector_paused_and_runs_with_it_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The TUI's imports and app are made with the collector paused (they live on; walking them
    costs the first frame); the pause is over before the app runs, or nothing ever collects."""
    import gc

    import comms_tui.tui.app

    seen: dict[str, bool] = {}

    class App:
        return_code = 0

        def run(self) -> None:
            seen["running"] = gc.isenabled()

    def make_app(**kwargs: object) -> App:
        seen["building"] = gc.isenabled()
        return App()

    monkeypatch.setattr(comms_tui.tui.app, "make_app", make_app)
    assert main(["--sandbox"]) == 0
    assert seen == {"building": False, "running": True}
