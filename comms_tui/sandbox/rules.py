"""Wire rules of the Communications v2 sandbox: config, codes, channels, OUs, credentials, magic.

Plain Python with no web framework, so the rules can be unit-tested without a server and the
tables below (codes, magic recipients) can be copied verbatim into the README.  Siblings:
:mod:`~comms_tui.sandbox.accounts` (credentials, OUs, sender IDs),
:mod:`~comms_tui.sandbox.validation` (per-item checks), :mod:`~comms_tui.sandbox.state` (rate
limiter, tokens, outbox).
"""

from __future__ import annotations

import enum
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

JsonObj = dict[str, Any]

MiB = 1024 * 1024


@dataclass
class SandboxConfig:
    """Knobs of one sandbox instance; mutable so a test may tune a running sandbox."""

    rate_limit_per_minute: int = 100
    token_ttl_seconds: int = 300
    slow_seconds: float = 40.0
    batch_limit: int = 100
    max_attachment_bytes: int = 10 * MiB
    max_email_attachment_bytes: int = 20 * MiB
    outbox_limit: int = 10_000
    # Where X-Cap-Requestid values come from (tests inject a sequence for stable screenshots).
    request_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        for name in ("rate_limit_per_minute", "token_ttl_seconds", "batch_limit", "outbox_limit"):
            if getattr(self, name) < 1:
                raise ValueError(f"SandboxConfig.{name} must be >= 1")
        if self.slow_seconds < 0:
            raise ValueError("SandboxConfig.slow_seconds must be >= 0")
        if self.max_attachment_bytes < 0 or self.max_email_attachment_bytes < 0:
            raise ValueError("SandboxConfig attachment limits must be >= 0")


# --------------------------------------------------------------------------- codes

CodeScope = Literal["request", "item", "warning", "oauth"]


@dataclass(frozen=True)
class Code:
    """One status/error code the sandbox emits; ``message`` may hold ``{placeholders}``."""

    code: int
    message: str
    scope: CodeScope
    http_status: int | None = None

    def render(self, **values: object) -> str:
        return self.message.format(**values)


SUCCESS = Code(200, "Success", "request", 200)
PARTIAL_FAILURE = Code(201, "one or more requests failed", "request", 201)
INVALID_INPUT = Code(400, "invalid input: {detail}", "request", 400)
AUTH_FAILED = Code(401, "authentication failed: {detail}", "request", 401)
ACCESS_DENIED = Code(
    4000, "access denied: needs WRITE on the Communication access group", "request", 403
)
NOT_FOUND = Code(404, "not found: {detail}", "request", 404)
METHOD_NOT_ALLOWED = Code(405, "method not allowed: {detail}", "request", 405)
PAYLOAD_TOO_LARGE = Code(413, "request body too large: {detail}", "request", 413)
UNSUPPORTED_MEDIA_TYPE = Code(
    415, "unsupported Content-Type {detail}: send application/json", "request", 415
)
RATE_LIMITED = Code(429, "rate limit exceeded: {detail}", "request", 429)
TOKEN_EXPIRED = Code(498, "OAuth token expired", "request", 498)
SERVER_ERROR = Code(500, "internal server error", "request", 500)
UNAVAILABLE = Code(503, "authorization status unavailable, retry later", "request", 503)
BATCH_LIMIT = Code(1060, "batch limit exceeded", "request", 400)
ATTRIBUTION_NOT_FOUND = Code(
    1101, "attribution entity not found: {entity_type} {entity_code}", "request", 400
)
OAUTH_BAD_CLIENT = Code(320001, "Invalid client key and secret", "oauth", 401)

RECEIVER_MISSING = Code(403, "{channel} receiver missing", "item")
EMAIL_SUBJECT_MISSING = Code(4201, "email subject missing", "item")
EMAIL_BODY_NOT_TEXT = Code(4202, "email body must be text", "item")
SMS_FIELD_MISSING = Code(4203, "mobile number or SMS body missing", "item")
TEMPLATE_MISSING = Code(4204, "template missing", "item")
INVALID_MOBILE = Code(4205, "invalid mobile number", "item")
DO_NOT_DISTURB = Code(4209, "recipient is on the do-not-disturb list", "item")
SENDER_NOT_CONFIGURED = Code(4250, "sender ID {sender} is not configured for OU {ou}", "item")
INVALID_SCHEDULED_TIME = Code(
    4260, "invalid scheduledTime: expected ISO 8601 with an offset or Z", "item"
)
INVALID_ATTACHMENT = Code(4270, "invalid attachment: {detail}", "item")
ATTACHMENT_TOO_LARGE = Code(4271, "attachment too large: {detail}", "item")
INVALID_EMAIL = Code(8055, "invalid email id: {field}", "item")
NO_DELIVERY_CALLBACK = Code(9001, "delivery report callback not configured", "warning")

SANDBOX_CODES: tuple[Code, ...] = (
    SUCCESS,
    PARTIAL_FAILURE,
    INVALID_INPUT,
    AUTH_FAILED,
    ACCESS_DENIED,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    RATE_LIMITED,
    TOKEN_EXPIRED,
    SERVER_ERROR,
    UNAVAILABLE,
    BATCH_LIMIT,
    ATTRIBUTION_NOT_FOUND,
    OAUTH_BAD_CLIENT,
    RECEIVER_MISSING,
    EMAIL_SUBJECT_MISSING,
    EMAIL_BODY_NOT_TEXT,
    SMS_FIELD_MISSING,
    TEMPLATE_MISSING,
    INVALID_MOBILE,
    DO_NOT_DISTURB,
    SENDER_NOT_CONFIGURED,
    INVALID_SCHEDULED_TIME,
    INVALID_ATTACHMENT,
    ATTACHMENT_TOO_LARGE,
    INVALID_EMAIL,
    NO_DELIVERY_CALLBACK,
)


def item_error(code: Code, **values: object) -> JsonObj:
    """Per-item error object as in §4 (``status: false`` marks it an error, not a warning)."""
    return {"code": code.code, "message": code.render(**values), "status": False}


def item_warning(code: Code, **values: object) -> JsonObj:
    return {"code": code.code, "message": code.render(**values)}


class RequestError(Exception):
    """A whole request is refused; the app turns it into a §4-shaped status body."""

    def __init__(
        self,
        code: Code,
        *,
        http_status: int | None = None,
        headers: Mapping[str, str] | None = None,
        **values: object,
    ) -> None:
        self.code = code
        self.message = code.render(**values)
        self.http_status = http_status or code.http_status or 400
        self.headers = dict(headers or {})
        super().__init__(self.message)


# --------------------------------------------------------------------------- channels


@dataclass(frozen=True)
class Channel:
    name: str
    request_key: str  # list key in the request body
    list_key: str  # list key in the response
    item_key: str  # key holding the echo inside each response entry
    label: str  # human name used in messages


CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        Channel("sms", "sms", "smsList", "sms", "SMS"),
        Channel("email", "email", "emails", "email", "email"),
        Channel("whatsapp", "whatsappMessage", "whatsapp", "whatsappMessage", "WhatsApp"),
        Channel("zalo", "zaloMessage", "zalo", "zaloMessage", "Zalo"),
    )
}
DEFAULT_CHANNEL = "sms"


def resolve_channel(raw: str | None) -> Channel:
    name = (raw or DEFAULT_CHANNEL).strip().lower()
    channel = CHANNELS.get(name)
    if channel is None:
        raise RequestError(
            INVALID_INPUT, detail=f"unknown channel {raw!r}; use one of {', '.join(CHANNELS)}"
        )
    return channel


def check_content_type(value: str | None) -> None:
    media_type = (value or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise RequestError(UNSUPPORTED_MEDIA_TYPE, detail=repr(value or ""))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999 parses as inf
        raise ValueError(f"number {text[:20]} is out of range")
    return value


# An escaped UTF-16 surrogate, e.g. \ud83d: as a pair it is one character, alone it is not text.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return not value.isascii() and any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def parse_json_object(raw: bytes) -> JsonObj:
    try:
        # NaN/Infinity would be echoed back and break strict JSON rendering: refuse them here.
        data = json.loads(
            raw.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float
        )
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise RequestError(INVALID_INPUT, detail=f"body is not valid JSON ({exc})") from None
    # A lone surrogate escape is valid JSON syntax but no UTF-8 answer could echo it back.
    if _SURROGATE_ESCAPE.search(raw) and _has_lone_surrogate(data):
        raise RequestError(
            INVALID_INPUT, detail="body is not valid text: it holds a lone UTF-16 surrogate"
        )
    if not isinstance(data, dict):
        raise RequestError(INVALID_INPUT, detail="body must be a JSON object")
    return data


def extract_items(body: JsonObj, channel: Channel, batch_limit: int) -> list[JsonObj]:
    """Accept both envelopes, ``{"root": {key: [...]}}`` and bare ``{key: [...]}``."""
    inner: Any = body.get("root", body)
    if not isinstance(inner, dict):
        raise RequestError(INVALID_INPUT, detail='"root" must be a JSON object')
    key = channel.request_key
    stray = [
        c.request_key for c in CHANNELS.values() if c is not channel and c.request_key in inner
    ]
    if stray:
        raise RequestError(
            INVALID_INPUT,
            detail=f"body holds list key {stray[0]!r} but channel is {channel.name} "
            f"(expected {key!r})",
        )
    if key not in inner:
        raise RequestError(INVALID_INPUT, detail=f"missing list key {key!r}")
    items = inner[key]
    if not isinstance(items, list):
        raise RequestError(INVALID_INPUT, detail=f"{key!r} must be a JSON array")
    if not items:
        raise RequestError(INVALID_INPUT, detail=f"{key!r} is empty")
    if len(items) > batch_limit:
        raise RequestError(BATCH_LIMIT)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise RequestError(INVALID_INPUT, detail=f"{key}[{index}] must be a JSON object")
    return items


# --------------------------------------------------------------------------- magic recipients


class Fault(enum.Enum):
    NONE = "accepted (plain)"
    DO_NOT_DISTURB = "that item fails: 4209 do-not-disturb (request answers 201)"
    WARNING = "accepted with warning 9001 (delivery report callback not configured)"
    RATE_LIMITED = "HTTP 429, Retry-After: 1, nothing stored"
    SERVER_ERROR = "HTTP 500, nothing stored"
    UNAVAILABLE = "HTTP 503, Retry-After: 1, nothing stored"
    SLOW = "sleeps config.slow_seconds, then answers normally (stored)"
    DROP = "connection closed after the body is read: no response bytes, nothing stored"
    MALFORMED = "HTTP 200 with truncated JSON body, message stored"


@dataclass(frozen=True)
class MagicRecipient:
    digits: str
    fault: Fault

    @property
    def request_level(self) -> bool:
        return self.fault in REQUEST_FAULTS


REQUEST_FAULTS = frozenset(
    {
        Fault.RATE_LIMITED,
        Fault.SERVER_ERROR,
        Fault.UNAVAILABLE,
        Fault.SLOW,
        Fault.DROP,
        Fault.MALFORMED,
    }
)

# The fictional +1 202-555-01xx range is never assigned to a real subscriber.
MAGIC_RECIPIENTS: tuple[MagicRecipient, ...] = (
    MagicRecipient("12025550100", Fault.NONE),
    MagicRecipient("12025550101", Fault.DO_NOT_DISTURB),
    MagicRecipient("12025550102", Fault.WARNING),
    MagicRecipient("12025550122", Fault.MALFORMED),
    MagicRecipient("12025550129", Fault.RATE_LIMITED),
    MagicRecipient("12025550140", Fault.SLOW),
    MagicRecipient("12025550144", Fault.DROP),
    MagicRecipient("12025550150", Fault.SERVER_ERROR),
    MagicRecipient("12025550153", Fault.UNAVAILABLE),
)
_MAGIC_BY_DIGITS = {m.digits: m.fault for m in MAGIC_RECIPIENTS}


def magic_fault(address: str) -> Fault:
    """Fault for a phone number, or for an email whose local part is a magic number."""
    digits = address.strip().rsplit("@", 1)[0] if "@" in address else address.strip()
    return _MAGIC_BY_DIGITS.get(digits, Fault.NONE)


def split_addresses(value: Any) -> list[str] | None:
    """cc/bcc: empty, one address, comma-separated, or a list; None when the type is wrong."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


def item_addresses(channel: Channel, item: JsonObj) -> list[str]:
    """Every recipient string of an item, in order, for magic and stats look-ups."""
    if channel.name == "sms":
        fields: tuple[str, ...] = ("to",)
    elif channel.name == "email":
        fields = ("to", "cc", "bcc")
    else:
        fields = ("receiver",)
    found: list[str] = []
    for name in fields:
        found.extend(split_addresses(item.get(name)) or [])
    return found


def primary_recipient(channel: Channel, item: JsonObj) -> str | None:
    value = item.get("receiver" if channel.name in ("whatsapp", "zalo") else "to")
    return value.strip() if isinstance(value, str) and value.strip() else None


def request_fault(channel: Channel, items: list[JsonObj]) -> Fault:
    """The first item carrying a request-level magic recipient decides the whole request."""
    for item in items:
        for address in item_addresses(channel, item):
            fault = magic_fault(address)
            if fault in REQUEST_FAULTS:
                return fault
    return Fault.NONE


def peek_recipients(body: JsonObj | None, channel: Channel | None) -> list[str]:
    """Best-effort recipients of a parsed body for the stats counter; never raises."""
    if body is None or channel is None:
        return []
    inner = body.get("root", body)
    items = inner.get(channel.request_key) if isinstance(inner, dict) else None
    if not isinstance(items, list):
        return []
    found = (primary_recipient(channel, i) for i in items if isinstance(i, dict))
    return [r for r in found if r is not None]
