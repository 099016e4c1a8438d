"""``comms-tui sender-lab`` headless: the issue's own acceptance command."""

from __future__ import annotations

import json

from tests.support.cli import run_cli


def test_one_accepted_and_one_rejected_cell_with_the_sandbox_error() -> None:
    proc = run_cli(
        "sender-lab", "--sandbox", "--to", "919591471711", "--sender", "CAPNTH",
        "--sender", "CAPSTH", "--json",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    cells = json.loads(proc.stdout)["cells"]
    assert [(c["sender"], c["outcome"]) for c in cells] == [
        ("CAPNTH", "accepted"),
        ("CAPSTH", "rejected"),
    ]
    assert cells[1]["errors"] == ["4250: sender ID CAPSTH is not configured for OU north"]


def test_human_matrix_per_attribution() -> None:
    proc = run_cli(
        "sender-lab", "--sandbox", "--to", "919591471711", "--sender", "CAPSTH",
        "--attribution", "TILL:south.till",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "TILL:south.till:"
    assert "✓ CAPSTH" in proc.stdout


def test_bad_attribution_syntax_is_a_usage_error() -> None:
    proc = run_cli("sender-lab", "--sandbox", "--to", "919591471711", "--sender", "X1",
                   "--attribution", "BOGUS:")  # fmt: skip
    assert proc.returncode == 2 and proc.stderr
