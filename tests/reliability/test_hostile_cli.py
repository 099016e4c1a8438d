"""Foreign text on the command line (issue 12 §1): what a server answers, what the journal and a
hand-edited profile file hold, is printed as data — never obeyed by the terminal.

Each test checks the bytes a terminal would receive (stdout and stderr): no ESC, BEL, DEL, 8-bit
CSI or bidi override, while the text still reads (``␛]52;…``) and ``--json`` gives it back
exactly. Markup (``[/]``, ``[@click=…]``) is printed as it came.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from comms_tui.core.lab import LabCell, LabMatrix
from comms_tui.store.profiles import ProfileStore
from tests.reliability.rogue_server import (
    HOSTILE_REQUEST_ID,
    HOSTILE_TEXT,
    RAW_CONTROLS,
    Behaviour,
    RogueServer,
)
from tests.support.cli import REPO_ROOT

GOOD = "919591471711"
SHOWN_OSC = "␛]52;c;cm0gLXJmIH4=␇pwned ␛[2J"  # HOSTILE_TEXT's start, as printed


def run_bytes(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``comms-tui ARGS`` in a fresh interpreter; stdout and stderr as the bytes a terminal
    would get (no newline translation)."""
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(REPO_ROOT)}
    full_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run(
        [sys.executable, "-m", "tests.support.cli", *args],
        capture_output=True,
        env=full_env,
        cwd=REPO_ROOT,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def assert_terminal_safe(proc: subprocess.CompletedProcess[bytes]) -> None:
    for stream, name in ((proc.stdout, "stdout"), (proc.stderr, "stderr")):
        for raw in RAW_CONTROLS:
            assert raw not in stream, f"{raw!r} reached the terminal on {name}"
        assert b"Traceback" not in stream


def _env(server: RogueServer) -> dict[str, str]:
    return {
        "COMMS_TUI_HOST": server.base_url,
        "COMMS_TUI_USERNAME": "till",
        "COMMS_TUI_PASSWORD": "pw",
        "COMMS_TUI_TIMEOUT": "5",
    }


def test_a_hostile_rejection_is_printed_as_data_by_send_and_history(
    rogue: Callable[..., RogueServer],
) -> None:
    server = rogue(Behaviour.HOSTILE_REJECT)
    sent = run_bytes("send", "sms", "--to", GOOD, "--body", "hi", env=_env(server))
    assert sent.returncode == 3, sent.stderr
    assert_terminal_safe(sent)
    out, err = sent.stdout.decode(), sent.stderr.decode()
    assert "request id req ␛[2J x" in out
    assert SHOWN_OSC in err and "[/] [@click=app.quit]quit[/]" in err  # markup verbatim
    assert "<U+202E>evil" in err

    table = run_bytes("history")
    assert table.returncode == 0
    assert_terminal_safe(table)
    assert "req ␛[2J x" in table.stdout.decode()

    as_json = run_bytes("history", "--json")
    assert_terminal_safe(as_json)
    [entry] = json.loads(as_json.stdout)
    assert entry["request_id"] == HOSTILE_REQUEST_ID  # exact, escaped on the way
    assert HOSTILE_TEXT[:20] in entry["error"]


def test_json_output_is_exact_and_escapes_what_a_terminal_obeys(
    rogue: Callable[..., RogueServer],
) -> None:
    server = rogue(Behaviour.HOSTILE_REJECT)
    sent = run_bytes("send", "sms", "--to", GOOD, "--body", "hi", "--json", env=_env(server))
    assert sent.returncode == 3
    assert_terminal_safe(sent)
    data = json.loads(sent.stdout)
    assert data["request_id"] == HOSTILE_REQUEST_ID
    assert HOSTILE_TEXT in data["error"]  # every character back, U+202E and 0x9B included
    assert b"\\u202e" in sent.stdout and b"\\u009b" in sent.stdout


def test_hostile_item_errors_and_status_warnings_are_printed_as_data(
    rogue: Callable[..., RogueServer],
) -> None:
    server = rogue(Behaviour.HOSTILE_ITEMS)
    sent = run_bytes("send", "sms", "--to", GOOD, "--body", "hi", env=_env(server))
    assert sent.returncode == 1, sent.stderr
    assert_terminal_safe(sent)
    out = sent.stdout.decode()
    assert f"✗ {GOOD}  4209: {SHOWN_OSC}" in out  # the item's error
    assert f"  warning 4209: {SHOWN_OSC}" in out  # the status block's warning, as a note
    as_json = run_bytes("send", "sms", "--to", GOOD, "--body", "hi2", "--json", env=_env(server))
    assert_terminal_safe(as_json)
    data = json.loads(as_json.stdout)
    assert data["warnings"] == [{"code": 4209, "message": HOSTILE_TEXT}]
    assert data["items"][0]["errors"] == [{"code": 4209, "message": HOSTILE_TEXT}]


def test_a_hand_edited_profile_file_is_shown_as_data() -> None:
    path = ProfileStore().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'default = "work"\n\n[profiles.work]\nhost = "apac"\nauth = "basic"\n'
        'username = "till[/]"\n'
        '[profiles.work.templates]\nwelcome = "Hi \\u202e[/] \\u009b2J"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)
    for argv in (("profile", "list"), ("profile", "show", "work")):
        proc = run_bytes(*argv)
        assert proc.returncode == 0, proc.stderr
        assert_terminal_safe(proc)
        assert "till[/]" in proc.stdout.decode()
    shown = run_bytes("profile", "show", "work").stdout.decode()
    assert "Hi <U+202E>[/] <U+009B>2J" in shown
    as_json = run_bytes("profile", "show", "work", "--json")
    assert_terminal_safe(as_json)
    assert json.loads(as_json.stdout)["templates"]["welcome"] == "Hi \u202e[/] \x9b2J"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('username = "till\\u001b]52;c;eA==\\u0007"', "line 6, key 'profiles.work.username'"),
        ('username = "till"\nemail_from = "me\\u001b[2J@example.com"', "line 7, key 'profiles"),
    ],
)
def test_a_hand_edited_value_no_send_could_use_is_named_with_its_line(
    line: str, problem: str
) -> None:
    """A login with control characters, a From no email send accepts: refused on load, the key
    and line named, the value shown as text (they used to fail only at the send)."""
    path = ProfileStore().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'default = "work"\n\n[profiles.work]\nhost = "apac"\nauth = "basic"\n{line}\n',
        encoding="utf-8",
    )
    path.chmod(0o600)
    proc = run_bytes("profile", "list")
    assert proc.returncode == 2
    assert_terminal_safe(proc)
    error = proc.stderr.decode()
    assert problem in error
    assert "contains control characters" in error or "“me␛[2J@example.com” is not an" in error


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_lab_csv_cells_never_start_a_formula(start: str) -> None:
    text = f'{start}HYPERLINK("https://evil.example","x")\x1b[2J'
    cell = LabCell(
        sender="CAPNTH",
        attribution="TILL:north",
        ok=False,
        outcome="failed",
        errors=(text,),
        warnings=(),
        recipients=(GOOD,),
        http_status=201,
        request_id=start + "1+1",
        latency_ms=5.0,
    )
    matrix = LabMatrix([GOOD], ["CAPNTH"], ["TILL:north"], [cell])
    [row] = list(csv.DictReader(io.StringIO(matrix.to_csv())))
    assert row["errors"] == "'" + text.replace("\x1b", "␛").replace("\t", "␉").replace("\r", "␍")
    assert row["request_id"].startswith("'")
    assert row["sender"] == "CAPNTH" and row["latency_ms"] == "5"  # plain cells untouched
