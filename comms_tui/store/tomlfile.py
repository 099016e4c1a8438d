"""Read a hand-editable TOML file and point at the line a key is on, for error messages.

``tomllib`` parses but forgets positions, so a small line scanner maps a key path such as
``("profiles", "work", "timezone")`` back to the line that defines it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from comms_tui.store.errors import ProfileFileError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

KeyPath = tuple[str | int, ...]

_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_TRIPLE_QUOTES = re.compile(r'"""|\'\'\'')


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed document and its text; a missing file reads as empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        raise ProfileFileError(f"cannot read the file: {exc.strerror}", file=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProfileFileError("the file is not valid UTF-8", file=path, line=line) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _POSITION.search(message)
        at_line = int(match.group(1)) if match else None
        problem = _POSITION.sub("", message).strip()
        key = key_at_line(text, at_line)
        raise ProfileFileError(
            f"not valid TOML: {problem}", file=path, key=key, line=at_line
        ) from None


def format_key(path: Sequence[str | int]) -> str:
    """``("profiles", "a.b", "sender_ids", "", 0)`` → ``profiles."a.b".sender_ids.""[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        bare = re.fullmatch(r"[A-Za-z0-9_-]+", part) is not None
        text += ("." if text else "") + (part if bare else f'"{part}"')
    return text


def locate_key(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line defining the longest prefix of ``path`` (the key itself, else its table)."""
    target = tuple(str(p) for p in path if not isinstance(p, int))
    best_line, best_len = None, 0
    for lineno, defined in _defined_keys(text):
        n = len(defined)
        if n > best_len and target[:n] == defined:
            best_line, best_len = lineno, n
    return best_line


def key_at_line(text: str, line: int | None) -> str | None:
    """The key a line defines, or the table it sits in (for syntax errors)."""
    found: tuple[str, ...] | None = None
    for lineno, defined in _defined_keys(text, tolerant=True):
        if lineno > (line or 0):
            break
        found = defined
    return format_key(found) if found else None


def _defined_keys(text: str, *, tolerant: bool = False) -> list[tuple[int, tuple[str, ...]]]:
    """(line, full key path) of each table header and ``key =`` line, outside multi-line strings."""
    result: list[tuple[int, tuple[str, ...]]] = []
    table: tuple[str, ...] = ()
    in_multiline = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        starts_in_multiline = in_multiline
        if len(_TRIPLE_QUOTES.findall(line)) % 2:
            in_multiline = not in_multiline
        if starts_in_multiline:
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            inner = stripped.strip("[").split("]")[0]
            keys = _split_key(inner)
            if keys is not None:
                table = keys
                result.append((lineno, table))
            elif tolerant:
                result.append((lineno, table))
            continue
        keys = _split_key(_before_equals(stripped))
        if keys is not None:
            result.append((lineno, table + keys))
        elif tolerant:
            result.append((lineno, table))
    return result


def _before_equals(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "=":
            return line[:i]
    return ""


def _split_key(text: str) -> tuple[str, ...] | None:
    """Split a dotted TOML key (bare or quoted parts); ``None`` if it is not one."""
    parts: list[str] = []
    rest = text.strip()
    while True:
        match = re.match(r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+))\s*', rest)
        if not match:
            return None
        dq, sq, bare = match.groups()
        parts.append(dq if dq is not None else sq if sq is not None else bare)
        rest = rest[match.end() :]
        if not rest:
            return tuple(parts)
        if not rest.startswith("."):
            return None
        rest = rest[1:]
