"""Pydantic models of the four channels' message items, with the API's wire names (§3).

Validation happens here, before anything leaves the machine. Validators take the profile's phone
region and time zone from the validation context (``model_validate(data, context=...)``), so the
same ``"09591471711"`` means an Indian number for an Indian profile.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from comms_tui.api.attachments import Attachment
from comms_tui.api.channels import FIELD_LABELS, Channel
from comms_tui.api.errors import InvalidInput

Envelope = Literal["root", "bare"]


@dataclass(frozen=True)
class ValidationContext:
    """Profile settings that give meaning to user input."""

    region: str | None = None  # default phone region, e.g. "IN"
    tz: tzinfo = field(default_factory=lambda: _local_zone())
    now: datetime | None = None  # the clock schedules are judged by (None: the real one)

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "tz": self.tz, "now": self.now}


def _local_zone() -> tzinfo:
    from comms_tui.api.schedule import local_zone

    return local_zone()


def _context(info: ValidationInfo) -> ValidationContext:
    ctx = info.context
    if isinstance(ctx, ValidationContext):
        return ctx
    if isinstance(ctx, dict):
        return ValidationContext(
            region=ctx.get("region"), tz=ctx.get("tz") or _local_zone(), now=ctx.get("now")
        )
    return ValidationContext()


# Deliberately simple: catches typos, leaves deliverability to the server (code 8055).
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def validate_email(text: str, *, field_name: str = "to") -> str:
    address = text.strip()
    if not address:
        raise InvalidInput(f"{FIELD_LABELS[field_name]} is empty", field=field_name)
    if len(address) > 254 or not _EMAIL_RE.match(address) or ".." in address:
        raise InvalidInput(f"“{address}” is not an email address", field=field_name)
    return address


def validate_email_list(text: str, *, field_name: str) -> str:
    """cc/bcc: one or more addresses separated by commas or semicolons → ``a@x, b@y``."""
    parts = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    return ", ".join(validate_email(p, field_name=field_name) for p in parts)


# A lone surrogate is what Python makes of bytes that were not UTF-8 (argv, stdin, file names):
# no JSON body can carry it, and quoting it in an error message would fail too.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return not value.isascii() and _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_surrogate(v) for v in value)
    if isinstance(value, BaseModel):
        return _has_surrogate(dict(value))
    return False


def _reject_broken_text(data: object) -> object:
    """Refuse input holding text that is not valid Unicode, naming the field, before anything
    else reads it."""
    if isinstance(data, dict):
        for name, value in data.items():
            if _has_surrogate(name) or _has_surrogate(value):
                key = name if isinstance(name, str) and not _has_surrogate(name) else "field"
                key = "from" if key == "from_" else key
                label = FIELD_LABELS.get(key, key)
                raise InvalidInput(
                    f"{label} contains bytes that are not valid text (not UTF-8); "
                    "retype or re-save it as UTF-8",
                    field=key,
                )
    return data


def _required_text(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{FIELD_LABELS[field_name]} is empty", field=field_name)
    return value


def _phone(value: object, info: ValidationInfo, field_name: str) -> str:
    from comms_tui.api.phones import normalise_phone

    if not isinstance(value, str):
        raise InvalidInput(f"{FIELD_LABELS[field_name]} must be text", field=field_name)
    try:
        return normalise_phone(value, _context(info).region).digits
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=field_name) from None


def _schedule(value: object, info: ValidationInfo) -> datetime | None:
    from comms_tui.api.schedule import check_schedule, parse_schedule

    ctx = _context(info)
    if value is None:
        return None
    if isinstance(value, datetime):
        # The same limits as typed text, so that what validated reads back from the wire.
        when = value if value.tzinfo else value.replace(tzinfo=ctx.tz)
        check_schedule(when, now=ctx.now)
        return when
    if not isinstance(value, str):
        raise InvalidInput("Schedule must be a date and time", field="scheduledTime")
    return parse_schedule(value, tz=ctx.tz, now=ctx.now)


def _wire_time(value: datetime | None) -> str | None:
    from comms_tui.api.schedule import to_wire

    return None if value is None else to_wire(value)


class _Message(BaseModel):
    model_config = ConfigDict(
        frozen=True, populate_by_name=True, extra="forbid", str_strip_whitespace=False
    )

    scheduled_time: datetime | None = Field(default=None, alias="scheduledTime")

    @model_validator(mode="before")
    @classmethod
    def _check_text(cls, data: object) -> object:
        return _reject_broken_text(data)

    @field_validator("scheduled_time", mode="before")
    @classmethod
    def _check_schedule(cls, value: object, info: ValidationInfo) -> datetime | None:
        return _schedule(value, info)

    @field_serializer("scheduled_time")
    def _serialise_schedule(self, value: datetime | None) -> str | None:
        return _wire_time(value)

    @property
    def recipient(self) -> str:
        raise NotImplementedError

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class SmsMessage(_Message):
    to: str
    body: str
    sender: str | None = None

    @field_validator("to", mode="before")
    @classmethod
    def _check_to(cls, value: object, info: ValidationInfo) -> str:
        return _phone(value, info, "to")

    @field_validator("body", mode="before")
    @classmethod
    def _check_body(cls, value: object) -> str:
        return _required_text(value, "body")

    @field_validator("sender", mode="before")
    @classmethod
    def _check_sender(cls, value: object) -> str | None:
        from comms_tui.api.sms import validate_sender_id

        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise InvalidInput("Sender ID must be text", field="sender")
        return validate_sender_id(value)

    @property
    def recipient(self) -> str:
        return self.to


class _TemplateMessage(_Message):
    receiver: str
    template: str

    @field_validator("receiver", mode="before")
    @classmethod
    def _check_receiver(cls, value: object, info: ValidationInfo) -> str:
        return _phone(value, info, "receiver")

    @field_validator("template", mode="before")
    @classmethod
    def _check_template(cls, value: object) -> str:
        return _required_text(value, "template")

    @property
    def recipient(self) -> str:
        return self.receiver


class WhatsAppMessage(_TemplateMessage):
    pass


class ZaloMessage(_TemplateMessage):
    pass


class EmailMessage(_Message):
    to: str
    from_: str = Field(alias="from")
    subject: str
    # Optional, unlike the reference's table says: its own example has none and the server
    # echoes "" (§3). Empty means no "body" key on the wire; the front-ends warn.
    body: str = ""
    cc: str | None = None
    bcc: str | None = None
    attachments: tuple[Attachment, ...] = ()

    @field_validator("to", mode="before")
    @classmethod
    def _check_to(cls, value: object) -> str:
        if not isinstance(value, str):
            raise InvalidInput("Recipient must be text", field="to")
        return validate_email(value, field_name="to")

    @field_validator("from_", mode="before")
    @classmethod
    def _check_from(cls, value: object) -> str:
        if not isinstance(value, str):
            raise InvalidInput("From must be text", field="from")
        return validate_email(value, field_name="from")

    @field_validator("cc", "bcc", mode="before")
    @classmethod
    def _check_copies(cls, value: object, info: ValidationInfo) -> str | None:
        name = info.field_name or "cc"
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise InvalidInput(f"{FIELD_LABELS[name]} must be text", field=name)
        return validate_email_list(value, field_name=name)

    @field_validator("subject", mode="before")
    @classmethod
    def _check_subject(cls, value: object) -> str:
        subject = _required_text(value, "subject")
        if "\r" in subject or "\n" in subject:  # a mail header line: a break could add headers
            raise InvalidInput(
                "Subject must be one line: remove the line break (CR/LF)", field="subject"
            )
        return subject

    @field_validator("body", mode="before")
    @classmethod
    def _check_body(cls, value: object) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            return ""
        if not isinstance(value, str):
            raise InvalidInput(f"{FIELD_LABELS['body']} must be text", field="body")
        return value

    @property
    def has_body(self) -> bool:
        return bool(self.body)

    @field_validator("attachments", mode="before")
    @classmethod
    def _read_wire_attachments(cls, value: object) -> object:
        # The wire wraps the list, ``{"attachment": [...]}``: read back what we write.
        if isinstance(value, dict) and set(value) == {"attachment"}:
            return value["attachment"]
        return value

    @field_serializer("attachments")
    def _serialise_attachments(self, value: tuple[Attachment, ...]) -> dict[str, Any] | None:
        if not value:
            return None
        return {"attachment": [a.model_dump() for a in value]}

    def wire(self, data_marker: Callable[[Attachment], str] | None = None) -> dict[str, Any]:
        """The item as sent. ``data_marker`` stands in for each attachment's base64 text so the
        body can be assembled around the encoded chunks (see ``SendRequest.body_parts``)."""
        leave_out = {"attachments"} if self.body else {"attachments", "body"}
        data = self.model_dump(by_alias=True, exclude_none=True, exclude=leave_out)
        if self.attachments:
            data["attachments"] = {
                "attachment": [
                    {
                        "file_name": a.file_name,
                        "file_type": a.file_type,
                        "file_data": data_marker(a) if data_marker else str(a.file_data),
                        "file_encoding_type": a.file_encoding_type,
                    }
                    for a in self.attachments
                ]
            }
        return data

    @property
    def recipient(self) -> str:
        return self.to


Message = SmsMessage | EmailMessage | WhatsAppMessage | ZaloMessage

MESSAGE_TYPES: dict[Channel, type[SmsMessage | EmailMessage | WhatsAppMessage | ZaloMessage]] = {
    Channel.SMS: SmsMessage,
    Channel.EMAIL: EmailMessage,
    Channel.WHATSAPP: WhatsAppMessage,
    Channel.ZALO: ZaloMessage,
}
