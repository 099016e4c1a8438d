"""``comms_tui.api`` knows nothing of the UI, the store or the sandbox."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_api_imports_no_textual_store_sandbox_or_tui() -> None:
    code = textwrap.dedent(
        """
        import pkgutil, importlib, sys
        import comms_tui.api as api
        for info in pkgutil.iter_modules(api.__path__):
            importlib.import_module(f"comms_tui.api.{info.name}")
        bad = sorted(
            name for name in sys.modules
            if name.split(".")[0] in ("textual", "starlette", "uvicorn", "keyring")
            or name.startswith(("comms_tui.store", "comms_tui.sandbox", "comms_tui.tui"))
        )
        print(",".join(bad))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
