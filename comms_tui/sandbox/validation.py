"""Per-item validation of sendMessage bodies: the checks that catch client wire-format bugs.

Each item gets an :class:`ItemOutcome`: the echo for the response, its errors and warnings, and
the fields the outbox records.  An item failed exactly when ``errors`` is non-empty.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from comms_tui.sandbox.accounts import OrgUnit
from comms_tui.sandbox.rules import (
    ATTACHMENT_TOO_LARGE,
    DO_NOT_DISTURB,
    EMAIL_BODY_NOT_TEXT,
    EMAIL_SUBJECT_MISSING,
    INVALID_ATTACHMENT,
    INVALID_EMAIL,
    INVALID_MOBILE,
    INVALID_SCHEDULED_TIME,
    NO_DELIVERY_CALLBACK,
    RECEIVER_MISSING,
    SENDER_NOT_CONFIGURED,
    SMS_FIELD_MISSING,
    TEMPLATE_MISSING,
    Channel,
    Fault,
    JsonObj,
    SandboxConfig,
    item_addresses,
    item_error,
    item_warning,
    magic_fault,
    split_addresses,
)

_PHONE = re.compile(r"[0-9]{8,15}")
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# Parsed by hand rather than datetime.fromisoformat, whose accepted forms differ by Python version.
_ISO_8601 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(?:(Z)|([+-])(\d{2}):?(\d{2}))",
    re.ASCII | re.IGNORECASE,
)


@dataclass(frozen=True)
class AttachmentInfo:
    file_name: str
    file_type: str
    size: int


@dataclass
class ItemOutcome:
    echo: JsonObj
    recipient: str | None
    errors: list[JsonObj] = field(default_factory=list)
    warnings: list[JsonObj] = field(default_factory=list)
    scheduled_utc: str | None = None
    attachments: list[AttachmentInfo] = field(default_factory=list)
    record: JsonObj = field(default_factory=dict)  # channel-specific outbox fields

    @property
    def accepted(self) -> bool:
        return not self.errors

    def fail(self, error: JsonObj) -> None:
        if all(e["code"] != error["code"] for e in self.errors):
            self.errors.append(error)


def parse_scheduled_time(value: str) -> datetime | None:
    """An aware datetime for ISO 8601 with an offset or ``Z``; None otherwise."""
    match = _ISO_8601.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, frac, zulu, sign, off_h, off_m = match.groups()
    try:
        if zulu:
            tz = timezone.utc
        else:
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            tz = timezone(-offset if sign == "-" else offset)
        micro = int((frac or "0")[:6].ljust(6, "0"))
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz
        )
        moment.astimezone(timezone.utc)  # year 1 or 9999 may not survive the shift to UTC
    except (ValueError, OverflowError):  # Feb 30, hour 25, offset >= 24h, out of range
        return None
    return moment


def format_utc(moment: datetime) -> str:
    utc = moment.astimezone(timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def _text(value: Any) -> str | None:
    """A non-blank string, else None (missing, null, wrong type or whitespace only)."""
    return value if isinstance(value, str) and value.strip() else None


def _check_phone(outcome: ItemOutcome, value: Any, missing: JsonObj) -> None:
    if value is None or value == "":
        outcome.fail(missing)
    elif not isinstance(value, str) or not _PHONE.fullmatch(value):
        outcome.fail(item_error(INVALID_MOBILE))


def _check_schedule(outcome: ItemOutcome, item: JsonObj) -> None:
    raw = item.get("scheduledTime")
    if raw is None:
        return  # omitted or null: send now
    moment = parse_scheduled_time(raw) if isinstance(raw, str) else None
    if moment is None:
        outcome.fail(item_error(INVALID_SCHEDULED_TIME))
        return
    # A past time is accepted on purpose: the real API sends it at once (§3). The echo keeps
    # the text as sent, offset included; only the outbox normalises it to UTC.
    outcome.scheduled_utc = format_utc(moment)


def _apply_item_magic(outcome: ItemOutcome, channel: Channel, item: JsonObj) -> None:
    if not outcome.accepted:
        return  # DND and the warning apply only to messages that would go out
    faults = [magic_fault(a) for a in item_addresses(channel, item)]
    if Fault.DO_NOT_DISTURB in faults:
        outcome.fail(item_error(DO_NOT_DISTURB))
    elif Fault.WARNING in faults:
        outcome.warnings.append(item_warning(NO_DELIVERY_CALLBACK))


def _validate_sms(outcome: ItemOutcome, item: JsonObj, ou: OrgUnit) -> None:
    missing = item_error(SMS_FIELD_MISSING)
    _check_phone(outcome, item.get("to"), missing)
    body = _text(item.get("body"))
    if body is None:
        outcome.fail(missing)
    sender = item.get("sender")
    if sender is None or sender == "":
        # The OU's default goes out, but the echo says what was asked: nothing (§4).
        outcome.echo["sender"] = ""
        sender = ou.default_sender
    elif not isinstance(sender, str) or sender not in ou.sender_ids:
        outcome.fail(item_error(SENDER_NOT_CONFIGURED, sender=sender, ou=ou.name))
    outcome.record.update({"sender": sender, "body": body})


def _validate_template(outcome: ItemOutcome, item: JsonObj, channel: Channel) -> None:
    _check_phone(outcome, item.get("receiver"), item_error(RECEIVER_MISSING, channel=channel.label))
    template = _text(item.get("template"))
    if template is None:
        outcome.fail(item_error(TEMPLATE_MISSING))
    outcome.record["template"] = template


def _one_address(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and _EMAIL.fullmatch(value.strip()) else None


def _validate_email(
    outcome: ItemOutcome, item: JsonObj, ou: OrgUnit, config: SandboxConfig
) -> None:
    to, sender = _one_address(item.get("to")), _one_address(item.get("from"))
    if to is None:
        outcome.fail(item_error(INVALID_EMAIL, field="to"))
    if sender is None:
        outcome.fail(item_error(INVALID_EMAIL, field="from"))
    copies: dict[str, list[str]] = {}
    for name in ("cc", "bcc"):
        addresses = split_addresses(item.get(name))
        if addresses is None or not all(_EMAIL.fullmatch(a) for a in addresses):
            outcome.fail(item_error(INVALID_EMAIL, field=name))
        copies[name] = addresses or []
    subject = _text(item.get("subject"))
    if subject is None:
        outcome.fail(item_error(EMAIL_SUBJECT_MISSING))
    # No body is fine, as the reference's own example shows; a body that is not text is not.
    raw_body = item.get("body")
    if raw_body is not None and not isinstance(raw_body, str):
        outcome.fail(item_error(EMAIL_BODY_NOT_TEXT))
    body = raw_body if isinstance(raw_body, str) else ""
    attachments = _check_attachments(outcome, item, config)
    outcome.echo = _email_echo(item, body, attachments, ou)
    outcome.record.update(
        {"subject": subject, "body": body, "from": sender, "cc": copies["cc"], "bcc": copies["bcc"]}
    )


def _email_echo(item: JsonObj, body: str, attachments: list[Any], ou: OrgUnit) -> JsonObj:
    """The reference's email echo: its keys in its order, then anything else the item held."""
    echo: JsonObj = {"to": item.get("to"), "body": body}
    if "scheduledTime" in item:
        echo["scheduledTime"] = item["scheduledTime"]
    echo.update(
        {
            "cc": item.get("cc") or "",
            "bcc": item.get("bcc") or "",
            "from": item.get("from"),
            "subject": item.get("subject"),
            "fileHandler": [],
            "attachments": attachments,
            "labelOfSender": ou.email_label,
            "senderEmail": ou.email_sender,
            "replyToEmail": ou.email_sender,
        }
    )
    for key, value in item.items():
        echo.setdefault(key, value)
    return echo


# The reference: file_encoding_type is "required for all base64 encoded image formats such as JPG,
# PNG, JPEG, and GIF", "not required for other file types like TXT" sent as plain text.
_BASE64_ONLY_TYPES = frozenset({"jpg", "jpeg", "png", "gif"})


def _attachment_size(entry: JsonObj, kind: str) -> int | str:
    """The decoded size in bytes, or why the data cannot be read."""
    data = entry.get("file_data")
    if not isinstance(data, str):
        return "file_data must be text"
    encoding = entry.get("file_encoding_type")
    if encoding is None or encoding == "":
        if kind.lower() in _BASE64_ONLY_TYPES:
            return f"file_encoding_type base64 is required for {kind.upper()}"
        return len(data.encode("utf-8"))  # plain text, as sent
    if not isinstance(encoding, str) or encoding.lower() != "base64":
        return "file_encoding_type must be base64 (or left out for plain text)"
    try:
        return len(base64.b64decode("".join(data.split()), validate=True))
    except (binascii.Error, ValueError):
        return "file_data is not valid base64"


def _check_attachments(outcome: ItemOutcome, item: JsonObj, config: SandboxConfig) -> list[Any]:
    """Check the ``{"attachment": [...]}`` object; returns the echo's list (no file data)."""
    raw = item.get("attachments")
    if raw is None:
        return []
    entries = raw.get("attachment") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        outcome.fail(item_error(INVALID_ATTACHMENT, detail='expected {"attachment": [...]}'))
        return []
    # The echo drops file_data so a 10 MiB upload is not sent straight back.
    echoed = [
        {k: v for k, v in e.items() if k != "file_data"} if isinstance(e, dict) else e
        for e in entries
    ]
    total = 0
    for index, entry in enumerate(entries):
        label = f"attachment[{index}]"
        if not isinstance(entry, dict):
            outcome.fail(item_error(INVALID_ATTACHMENT, detail=f"{label} is not an object"))
            return echoed
        name, kind = _text(entry.get("file_name")), _text(entry.get("file_type"))
        if name is None or kind is None:
            outcome.fail(
                item_error(INVALID_ATTACHMENT, detail=f"{label} needs file_name and file_type")
            )
            return echoed
        size = _attachment_size(entry, kind)
        if isinstance(size, str):
            outcome.fail(item_error(INVALID_ATTACHMENT, detail=f"{label} {size}"))
            return echoed
        if size > config.max_attachment_bytes:
            outcome.fail(
                item_error(
                    ATTACHMENT_TOO_LARGE,
                    detail=f"{name} is {size} bytes, limit {config.max_attachment_bytes}",
                )
            )
            return echoed
        total += size
        outcome.attachments.append(AttachmentInfo(name, kind, size))
    if total > config.max_email_attachment_bytes:
        outcome.fail(
            item_error(
                ATTACHMENT_TOO_LARGE,
                detail=f"attachments total {total} bytes, "
                f"limit {config.max_email_attachment_bytes}",
            )
        )
    return echoed


def validate_item(
    channel: Channel, item: JsonObj, ou: OrgUnit, config: SandboxConfig
) -> ItemOutcome:
    """Check one item against §3 and the sandbox rules; never raises on odd JSON."""
    recipient_field = "to" if channel.name in ("sms", "email") else "receiver"
    raw_recipient = item.get(recipient_field)
    outcome = ItemOutcome(
        echo=dict(item),
        recipient=raw_recipient.strip() if isinstance(raw_recipient, str) else None,
    )
    if channel.name == "sms":
        _validate_sms(outcome, item, ou)
    elif channel.name == "email":
        _validate_email(outcome, item, ou, config)
    else:
        _validate_template(outcome, item, channel)
    _check_schedule(outcome, item)
    _apply_item_magic(outcome, channel, item)
    return outcome
