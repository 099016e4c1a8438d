"""Loopback emulator of Capillary Communications v2 (see §7 of the API contract).

Exports resolve lazily through ``__getattr__`` so that ``import comms_tui.sandbox`` stays cheap:
Starlette and uvicorn load only when ``create_app`` or ``EmbeddedSandbox`` is first touched.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comms_tui.sandbox.app import create_app
    from comms_tui.sandbox.rules import SandboxConfig
    from comms_tui.sandbox.server import EmbeddedSandbox, run_standalone
    from comms_tui.sandbox.state import SandboxState

__all__ = ["EmbeddedSandbox", "SandboxConfig", "SandboxState", "create_app", "run_standalone"]

_HOMES = {
    "EmbeddedSandbox": "comms_tui.sandbox.server",
    "run_standalone": "comms_tui.sandbox.server",
    "create_app": "comms_tui.sandbox.app",
    "SandboxConfig": "comms_tui.sandbox.rules",
    "SandboxState": "comms_tui.sandbox.state",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
