"""Run comms-tui's CLI: in a subprocess (``run_cli``) or in-process (``main``)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def main(argv: Sequence[str] | None = None) -> int:
    from comms_tui.cli import main as cli_main

    return cli_main(argv)


class _Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def run_in_process(
    argv: Sequence[str], capsys: pytest.CaptureFixture[str], stdin: str = "", *, tty: bool = False
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``comms-tui ARGV`` run here, with ``stdin`` as its input
    (``tty=True`` makes it look like a terminal, so commands may prompt)."""
    original = sys.stdin
    sys.stdin = _Stdin(stdin, tty)
    try:
        code = main(argv)
    finally:
        sys.stdin = original
    out, err = capsys.readouterr()
    return code, out, err


def run_cli(
    *args: str,
    input: str | None = None,
    keyring_file: Path | None = None,
    keyring_backend: str = "tests.support.keyring_backends.FileKeyring",
    env: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    """``comms-tui ARGS`` in a fresh interpreter with the current (test-isolated) environment."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), full_env.get("PYTHONPATH", "")) if p
    )
    full_env["PYTHON_KEYRING_BACKEND"] = keyring_backend
    if keyring_file is not None:
        full_env["COMMS_TUI_TEST_KEYRING_FILE"] = str(keyring_file)
    return subprocess.run(
        [sys.executable, "-m", "tests.support.cli", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO_ROOT,
        timeout=timeout,
    )


if __name__ == "__main__":
    sys.exit(main())
