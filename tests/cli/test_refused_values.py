"""Values the CLI cannot use are refused where they come in — an option, the environment, piped
stdin, a folder — with one ``comms-tui:`` line and exit 2: never a traceback from deep inside,
never a journal entry for a send that could not have left (a field test found each of these)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from comms_tui.sandbox import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.store.paths import data_dir
from tests.support.cli import REPO_ROOT, run_cli

NOT_UTF8 = "pw\udcff"  # what Python makes of the byte 0xff in argv or the environment


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("comms-tui:")]
    assert lines, stderr
    assert "Traceback" not in stderr, stderr
    return lines[-1]


def _journal_is_empty() -> bool:
    path = data_dir() / "history.sqlite3"
    return not path.exists() or Journal(path).list() == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [("COMMS_TUI_PASSWORD", NOT_UTF8), ("COMMS_TUI_USERNAME", "sand\udcffbox")],
)
def test_credentials_that_are_not_text_are_refused_before_the_journal(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox, variable: str, value: str
) -> None:
    proc = run_cli(
        "send", "sms", "--to", "12025550100", "--body", "x", "--yes", "--json",
        env={**sandbox_env, variable: value},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "not valid text (not UTF-8)" in _one_error_line(proc.stderr)
    assert '"outcome": "invalid"' in proc.stdout
    assert cli_sandbox.state.stats()["requests"] == 0
    assert _journal_is_empty()  # nothing "pending" that would hold the next send as a duplicate


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("COMMS_TUI_PASSWORD", "sandbox\n"),  # a line end read from a file with it
        ("COMMS_TUI_PASSWORD", "sand\x1b[2Jbox"),
        ("COMMS_TUI_CLIENT_SECRET", "sandbox-secret\r\n"),
    ],
)
def test_a_secret_from_the_environment_with_a_control_character_is_refused_by_name(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox, variable: str, value: str
) -> None:
    """Hashed as it was, it would have been refused as a wrong password on every send."""
    env = {**sandbox_env, variable: value}
    if variable == "COMMS_TUI_CLIENT_SECRET":
        env.pop("COMMS_TUI_USERNAME", None)
        env.pop("COMMS_TUI_PASSWORD", None)
        env["COMMS_TUI_CLIENT_KEY"] = "sandbox-key"
    proc = run_cli("send", "sms", "--to", "12025550100", "--body", "x", "--yes", env=env)
    assert proc.returncode == 2, proc.stderr
    line = _one_error_line(proc.stderr)
    assert f"{variable}: the " in line and "contains a control character" in line
    assert "\x1b" not in proc.stderr and "sandbox" not in line  # described, never quoted
    assert cli_sandbox.state.stats()["requests"] == 0 and _journal_is_empty()


def test_a_piped_password_that_is_not_text_is_not_saved(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.cli", "profile", "add", "p1", "--host", "apac",
         "--username", "till", "--password-stdin"],
        input=b"pw\xff",
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT),
             "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
        cwd=REPO_ROOT,
        timeout=30,
    )  # fmt: skip
    stderr = proc.stderr.decode()
    assert proc.returncode == 2, stderr
    assert "not valid text (not UTF-8)" in _one_error_line(stderr)
    assert "p1" not in run_cli("profile", "list").stdout


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--username", "till\udcff", "not valid text"),
        ("--username", "till:1", "':', which Basic authentication cannot carry"),
        ("--username", "till\x1b]0;x\x07", "control characters"),
        ("--email-from", "x\x1b]0;x\x07@example.com", "is not an email address"),
    ],
)
def test_profile_values_no_send_could_use_are_refused(
    option: str, value: str, problem: str
) -> None:
    proc = run_cli("profile", "add", "p2", "--host", "apac", "--username", "till", option, value)
    assert proc.returncode == 2, proc.stderr
    line = _one_error_line(proc.stderr)
    assert problem in line
    assert "\x1b" not in proc.stderr  # quoted as text, never obeyed by the terminal
    assert "p2" not in run_cli("profile", "list").stdout


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["history", "--limit", "99999999999999999999"], "--limit: must be from 1 to 1,000,000"),
        (["history", "--recipient", "\udcff"], "--recipient: contains bytes that are not valid"),
        (["sandbox", "--port", "99999"], "--port: not a port number"),
        (["sandbox", "--rate-limit", "0"], "--rate-limit: must be from 1"),
        (["sandbox", "--slow-seconds", "nan"], "--slow-seconds: must be from 0 to 3600"),
        (["sandbox", "--slow-seconds", "-1"], "--slow-seconds: must be from 0 to 3600"),
    ],
)
def test_out_of_range_options_are_usage_errors(argv: list[str], problem: str) -> None:
    proc = run_cli(*argv, timeout=20)
    assert proc.returncode == 2, proc.stderr
    assert problem in _one_error_line(proc.stderr)


def test_serve_errors_are_prefixed_and_show_what_was_typed_as_text() -> None:
    proc = run_cli("serve", "--host", "\x1b]0;pwned\x07", "--sandbox")
    assert proc.returncode == 2, proc.stderr
    line = _one_error_line(proc.stderr)
    assert line.startswith("comms-tui: serve: ") and "is not loopback" in line
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr


def test_a_file_where_the_config_folder_should_be_is_a_clean_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for argv in (["profile", "list"], ["send", "sms", "--to", "12025550100", "--body", "x"]):
        proc = run_cli(*argv, env={"COMMS_TUI_CONFIG_DIR": str(blocker)})
        assert proc.returncode == 2, proc.stderr
        line = _one_error_line(proc.stderr)
        assert "as the config folder: a file is in its place" in line
        assert "COMMS_TUI_CONFIG_DIR" in line


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0.001", "not 0.001 (less would leave most sends unknown)"),
        ("0.5", "not 0.5 (less would leave most sends unknown)"),
        ("0", "not 0"),
        ("601", "not 601"),
        ("nan", "not nan"),
    ],
)
@pytest.mark.parametrize("where", ["--timeout", "$COMMS_TUI_TIMEOUT"])
def test_a_timeout_outside_its_range_says_the_range(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox, value: str, says: str, where: str
) -> None:
    """`--timeout 0` was refused "between 0 and 600" while 0.001 was taken, and could only end
    each send unknown: the range is 1 to 600 s, and the message says so."""
    if where == "--timeout":
        proc = run_cli("send", "sms", "--to", "12025550100", "--body", "x", "--timeout", value,
                       env=sandbox_env)  # fmt: skip
    else:
        env = {**sandbox_env, "COMMS_TUI_TIMEOUT": value}
        proc = run_cli("send", "sms", "--to", "12025550100", "--body", "x", env=env)
    assert proc.returncode == 2, proc.stderr
    assert _one_error_line(proc.stderr) == (
        f"comms-tui: {where}: timeout must be from 1 to 600 seconds, {says}"
    )
    assert cli_sandbox.state.stats()["requests"] == 0


@pytest.mark.parametrize("value", ["1", "600"])
def test_the_ends_of_the_timeout_range_are_taken(sandbox_env: dict[str, str], value: str) -> None:
    proc = run_cli("send", "sms", "--to", "12025550100", "--body", "x", "--timeout", value,
                   "--json", env=sandbox_env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
