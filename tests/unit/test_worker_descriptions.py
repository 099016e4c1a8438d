"""Every Textual worker is described in words, never by its arguments.

Without a ``description``, ``@work`` builds one from ``repr`` of every argument, on the event
loop, at each start: a send's record with a 5 MB answer and 50 000 items froze the TUI for
seconds, and a secret typed for the session would sit in the worker's name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import comms_tui

PACKAGE = Path(comms_tui.__file__).parent


def undescribed_workers(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                target = call.func if call else decorator
                if isinstance(target, ast.Name) and target.id == "work":
                    keywords = {k.arg for k in call.keywords} if call else set()
                    if "description" not in keywords:
                        found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}")
    return found


def test_every_worker_has_a_description() -> None:
    assert undescribed_workers() == []


def test_the_check_finds_a_worker_without_one(tmp_path: Path) -> None:
    (tmp_path / "screen.py").write_text(
        "from textual import work\n"
        "@work(thread=True)\ndef load(self, record): ...\n"
        "@work(thread=True, description='save')\ndef save(self, record): ...\n"
        "@work\nasync def fetch(self): ...\n"
    )
    assert undescribed_workers(tmp_path) == ["screen.py:3 load", "screen.py:7 fetch"]
