"""Message templates with ``{placeholders}``, filled in at compose time.

Only plain names are placeholders (``{otp}``, ``{brand_name}``); ``{{`` and ``}}`` are literal
braces, as in ``str.format`` — but nothing else of ``str.format`` (no attribute access, no
format specs) so a template can never reach into Python objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from comms_tui.api.errors import InvalidInput

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]{0,39})\}")


def placeholders(template: str) -> list[str]:
    """The placeholder names in order of first appearance."""
    names = [m.group(1) for m in _TOKEN.finditer(template) if m.group(1)]
    return list(dict.fromkeys(names))


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with every placeholder replaced; InvalidInput names the missing ones."""
    missing = [name for name in placeholders(template) if not str(values.get(name, "")).strip()]
    if missing:
        raise InvalidInput(
            "fill in " + ", ".join(f"{{{name}}}" for name in missing), field="template"
        )

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return str(values[match.group(1)])

    return _TOKEN.sub(replace, template)
