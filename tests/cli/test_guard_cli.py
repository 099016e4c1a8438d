"""The duplicate guard from the command line: sandbox sends never hold a real one (issue 17).

The same rule, from the same core, as the TUI (tests/core/test_flow.py has the core's side)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from comms_tui.sandbox import EmbeddedSandbox
from comms_tui.store.history import Journal
from comms_tui.store.paths import data_dir
from comms_tui.store.sandboxes import is_running_sandbox
from tests.support.cli import REPO_ROOT, run_cli

PHONE = "919591471711"
TEXT = "Your order has shipped"


def test_a_demo_on_the_sandbox_does_not_hold_the_real_send(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox
) -> None:
    demo = run_cli("send", "sms", "--sandbox", "--to", PHONE, "--body", TEXT, "--json")
    assert demo.returncode == 0, demo.stderr
    real = run_cli("send", "sms", "--to", PHONE, "--body", TEXT, "--json", env=sandbox_env)
    assert real.returncode == 0, real.stderr  # nobody received the demo: no question
    assert cli_sandbox.state.stats()["requests"] == 1
    again = run_cli("send", "sms", "--to", PHONE, "--body", TEXT, env=sandbox_env)
    assert again.returncode == 2  # but a second real one is held
    assert f"via environment ({cli_sandbox.base_url})" in again.stderr


def test_sandbox_then_sandbox_is_held_and_says_so() -> None:
    assert run_cli("send", "sms", "--sandbox", "--to", PHONE, "--body", TEXT).returncode == 0
    again = run_cli("send", "sms", "--sandbox", "--to", PHONE, "--body", TEXT)
    assert again.returncode == 2 and "on the sandbox" in again.stderr


def test_a_sandbox_started_with_comms_tui_sandbox_counts_as_one(tmp_path: Path) -> None:
    """Pointed at it through the environment, a send to ``comms-tui sandbox`` is a sandbox send."""
    server = subprocess.Popen(
        [sys.executable, "-m", "comms_tui", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        base_url = first.split(" on ")[-1].strip()
        assert base_url.startswith("http://127.0.0.1:"), first
        env = {
            "COMMS_TUI_HOST": base_url,
            "COMMS_TUI_USERNAME": "sandbox",
            "COMMS_TUI_PASSWORD": "sandbox",
        }
        sent = run_cli("send", "sms", "--to", PHONE, "--body", TEXT, "--json", env=env)
        assert sent.returncode == 0, sent.stderr
        entry = Journal(data_dir() / "history.sqlite3").get(json.loads(sent.stdout)["history_id"])
        assert entry is not None and entry.sandbox
        assert is_running_sandbox(base_url)
    finally:
        server.terminate()
        assert server.wait(10) == 0
    # Once it has stopped, that URL no longer counts as a sandbox, and nothing is left behind.
    assert not is_running_sandbox(base_url)
    assert not list((data_dir() / "sandboxes").glob("*.json"))
