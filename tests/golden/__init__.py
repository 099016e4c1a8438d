"""Capillary's own request and response examples (comms-v2 reference), copied from
/work/shared/reference so that CI on a clean clone has them: ``EXAMPLES["requests"][channel]``
and ``EXAMPLES["responses"][channel]``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).with_name("comms-v2-examples.json")).read_text(encoding="utf-8")
)
CHANNELS = ("sms", "email", "whatsapp", "zalo")
LIST_KEYS = {"sms": "sms", "email": "email", "whatsapp": "whatsappMessage", "zalo": "zaloMessage"}
RESPONSE_KEYS = {
    "sms": ("smsList", "sms"),
    "email": ("emails", "email"),
    "whatsapp": ("whatsapp", "whatsappMessage"),
    "zalo": ("zalo", "zaloMessage"),
}


def request_items(channel: str) -> list[dict[str, Any]]:
    items = EXAMPLES["requests"][channel]["root"][LIST_KEYS[channel]]
    assert isinstance(items, list)
    return items


def shape(value: Any) -> Any:
    """The structure of a JSON value: the same keys at every level, leaves as type names."""
    if isinstance(value, dict):
        return {key: shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [shape(inner) for inner in value]
    return type(value).__name__
