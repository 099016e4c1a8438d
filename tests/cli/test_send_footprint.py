"""What a one-shot ``comms-tui send`` loads (issue 16): a script waits for the whole process, so
the send path carries no event loop (nor anyio's backend) and no pydantic (the models are plain
dataclasses; profiles, which use pydantic, are not read when the environment names the target),
and its exit does not walk every object loaded. A structural guard, not a timing one:
`tests/benchmarks/run.py` measures what it saves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from comms_tui.sandbox import EmbeddedSandbox
from tests.support.cli import REPO_ROOT

# Runs the CLI as its console script does, then reports which of these modules were imported and
# what the interpreter's last garbage collection, on the way out, would walk.
_PROBE = """
import gc, json, sys
from comms_tui.cli import run
code = run()
# (httpcore imports anyio's small top-level package whatever the client: its backends are what
# an event loop would cost.)
watched = ("asyncio", "anyio._backends._asyncio", "pydantic", "pydantic_core", "keyring",
           "textual")
print(json.dumps({"code": code, "loaded": [m for m in watched if m in sys.modules],
                  "frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
"""


def _probe(argv: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],  # ``run`` reads sys.argv, as the script's does
        env={**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    report["stderr"] = done.stderr
    return report


def test_a_send_set_up_by_the_environment_loads_no_event_loop_and_no_pydantic(
    sandbox_env: dict[str, str], cli_sandbox: EmbeddedSandbox, tmp_path: Path
) -> None:
    env = {**sandbox_env, "COMMS_TUI_DATA_DIR": str(tmp_path / "data")}
    env["COMMS_TUI_CONFIG_DIR"] = str(tmp_path / "config")
    report = _probe(["send", "sms", "--to", "919591471711", "--body", "footprint", "--yes"], env)
    assert report["code"] == 0, report["stderr"]
    assert cli_sandbox.state.stats()["requests"] == 1
    assert report["loaded"] == [], report["loaded"]
    # Nor does the interpreter's exit walk every object loaded (25–35 ms): they are frozen.
    frozen, tracked = report["frozen"], report["tracked"]
    assert isinstance(frozen, int) and isinstance(tracked, int)
    assert tracked < frozen // 100, (tracked, frozen)


def test_an_oauth_send_is_blocking_too_and_gets_its_token(
    cli_sandbox: EmbeddedSandbox, tmp_path: Path
) -> None:
    cli_sandbox.state.reset()
    env = {
        "COMMS_TUI_HOST": cli_sandbox.base_url,
        "COMMS_TUI_CLIENT_KEY": "sandbox-key",
        "COMMS_TUI_CLIENT_SECRET": "sandbox-secret",
        "COMMS_TUI_DATA_DIR": str(tmp_path / "data"),
        "COMMS_TUI_CONFIG_DIR": str(tmp_path / "config"),
    }
    report = _probe(["send", "sms", "--to", "919591471711", "--body", "oauth", "--yes"], env)
    assert report["code"] == 0, report["stderr"]
    loaded = report["loaded"]
    assert isinstance(loaded, list) and "asyncio" not in loaded, loaded
    assert len(cli_sandbox.state.outbox()) == 1
