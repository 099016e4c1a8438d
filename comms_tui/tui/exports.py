"""Files the TUI writes for the user: a send's result as JSON (blocking: call from a worker)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comms_tui.api.results import SendResult


def unique_base(directory: Path, base: str, suffixes: Sequence[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… so that no file with any of ``suffixes`` exists."""
    name, n = base, 1
    while any((directory / f"{name}{suffix}").exists() for suffix in suffixes):
        n += 1
        name = f"{base}-{n}"
    return name


def result_document(result: SendResult, history_id: int | None) -> dict[str, Any]:
    """What ``--json`` prints for a send, plus the redacted request (no secrets, no file data)."""
    return {"result": result.to_json(history_id=history_id), "request": result.request.to_json()}


def export_result(
    result: SendResult, history_id: int | None, at: datetime, directory: Path
) -> tuple[Path, str]:
    """Write ``result-<history id>.json`` (or ``result-<time>.json``), owner-only; path and text."""
    from comms_tui.store.files import write_private

    text = json.dumps(result_document(result, history_id), indent=2, ensure_ascii=False) + "\n"
    stem = f"result-{history_id}" if history_id is not None else at.strftime("result-%Y%m%d-%H%M%S")
    path = directory / f"{unique_base(directory, stem, ('.json',))}.json"
    write_private(path, text.encode("utf-8"))
    return path, text
