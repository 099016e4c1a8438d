"""The four channels' message items, with the API's wire names (§3).

Validation happens here, before anything leaves the machine: ``SmsMessage.validate(fields,
context)`` runs one check per field and reports every bad field at once. The checks take the
profile's phone region and time zone from the context, so the same ``"09591471711"`` means an
Indian number for an Indian profile.

Plain frozen dataclasses, not pydantic models: every field has a hand-written check anyway (the
messages are the user's words), and a one-shot ``comms-tui send`` would otherwise spend 60 ms of
its life building schemas it never needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, ClassVar, Literal, TypeVar

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
    if isinstance(value, Attachment):
        return _has_surrogate(value.file_name) or _has_surrogate(value.file_type)
    return False


def _reject_broken_text(data: Mapping[str, Any]) -> None:
    """Refuse input holding text that is not valid Unicode, naming the field, before anything
    else reads it."""
    for name, value in data.items():
        if _has_surrogate(name) or _has_surrogate(value):
            key = name if isinstance(name, str) and not _has_surrogate(name) else "field"
            key = "from" if key == "from_" else key
            label = FIELD_LABELS.get(key, key)
            message = (
                f"{label} contains bytes that are not valid text (not UTF-8); "
                "retype or re-save it as UTF-8"
            )
            raise InvalidInput(message, field=key)


def _required_text(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{FIELD_LABELS[field_name]} is empty", field=field_name)
    return value


def _phone(value: object, ctx: ValidationContext, field_name: str) -> str:
    from comms_tui.api.phones import normalise_phone

    if not isinstance(value, str):
        raise InvalidInput(f"{FIELD_LABELS[field_name]} must be text", field=field_name)
    try:
        return normalise_phone(value, ctx.region).digits
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=field_name) from None


def _schedule(value: object, ctx: ValidationContext) -> datetime | None:
    from comms_tui.api.schedule import check_schedule, parse_schedule

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


@dataclass(frozen=True, kw_only=True)
class _Message:
    """What every item shares: its checks, and the wire form (``wire``).

    Each field is read by one check that takes the raw value and returns the field's value or
    raises ``InvalidInput`` in the user's words. ``validate`` runs every check and reports every
    bad field at once. The wire names are the API's (§3); Python's names are accepted too.
    """

    scheduled_time: datetime | None = None

    # (field, wire name, required): the order is the wire's.
    _FIELDS: ClassVar[tuple[tuple[str, str, bool], ...]]

    @classmethod
    def validate(
        cls: type[_M], data: Mapping[str, Any], context: ValidationContext | None = None
    ) -> _M:
        """The item from wire-named (or Python-named) fields; ``InvalidInput`` naming every bad
        field (``errors``: field → message) otherwise."""
        _reject_broken_text(data)
        ctx = context or ValidationContext()
        names = {wire: name for name, wire, _ in cls._FIELDS} | {
            name: name for name, _, _ in cls._FIELDS
        }
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for key, raw in data.items():
            name = names.get(key) if isinstance(key, str) else None
            if name is None:
                errors.setdefault(str(key), f"unknown field {key!r}")
            elif name in values:
                errors.setdefault(name, f"{_label(name)} is given twice")
            else:
                values[name] = raw
        for name, wire, required in cls._FIELDS:
            if name not in values:
                if required:
                    errors.setdefault(wire, f"{_label(wire)} is required")
                    continue
                values[name] = None
            try:
                values[name] = getattr(cls, f"_check_{name}")(values[name], ctx)
            except InvalidInput as exc:
                errors.setdefault(exc.field or wire, exc.message)
        if errors:
            raise InvalidInput("; ".join(errors.values()), errors=errors)
        return cls(**values)

    @staticmethod
    def _check_scheduled_time(value: object, ctx: ValidationContext) -> datetime | None:
        return _schedule(value, ctx)

    @property
    def recipient(self) -> str:
        raise NotImplementedError

    def wire(self) -> dict[str, Any]:
        """The item as sent: wire names, no empty optional fields."""
        data: dict[str, Any] = {}
        for name, wire, _ in self._FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[wire] = _wire_time(value) if name == "scheduled_time" else value
        return data


_M = TypeVar("_M", bound=_Message)


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


@dataclass(frozen=True, kw_only=True)
class SmsMessage(_Message):
    to: str
    body: str
    sender: str | None = None

    _FIELDS = (
        ("scheduled_time", "scheduledTime", False),
        ("to", "to", True),
        ("body", "body", True),
        ("sender", "sender", False),
    )

    @staticmethod
    def _check_to(value: object, ctx: ValidationContext) -> str:
        return _phone(value, ctx, "to")

    @staticmethod
    def _check_body(value: object, _ctx: ValidationContext) -> str:
        return _required_text(value, "body")

    @staticmethod
    def _check_sender(value: object, _ctx: ValidationContext) -> str | None:
        from comms_tui.api.sms import validate_sender_id

        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise InvalidInput("Sender ID must be text", field="sender")
        return validate_sender_id(value)

    @property
    def recipient(self) -> str:
        return self.to


@dataclass(frozen=True, kw_only=True)
class _TemplateMessage(_Message):
    receiver: str
    template: str

    _FIELDS = (
        ("scheduled_time", "scheduledTime", False),
        ("receiver", "receiver", True),
        ("template", "template", True),
    )

    @staticmethod
    def _check_receiver(value: object, ctx: ValidationContext) -> str:
        return _phone(value, ctx, "receiver")

    @staticmethod
    def _check_template(value: object, _ctx: ValidationContext) -> str:
        return _required_text(value, "template")

    @property
    def recipient(self) -> str:
        return self.receiver


@dataclass(frozen=True, kw_only=True)
class WhatsAppMessage(_TemplateMessage):
    pass


@dataclass(frozen=True, kw_only=True)
class ZaloMessage(_TemplateMessage):
    pass


@dataclass(frozen=True, kw_only=True)
class EmailMessage(_Message):
    to: str
    from_: str
    subject: str
    # Optional, unlike the reference's table says: its own example has none and the server
    # echoes "" (§3). Empty means no "body" key on the wire; the front-ends warn.
    body: str = ""
    cc: str | None = None
    bcc: str | None = None
    attachments: tuple[Attachment, ...] = ()

    _FIELDS = (
        ("scheduled_time", "scheduledTime", False),
        ("to", "to", True),
        ("from_", "from", True),
        ("subject", "subject", True),
        ("body", "body", False),
        ("cc", "cc", False),
        ("bcc", "bcc", False),
        ("attachments", "attachments", False),
    )

    @staticmethod
    def _check_to(value: object, _ctx: ValidationContext) -> str:
        if not isinstance(value, str):
            raise InvalidInput("Recipient must be text", field="to")
        return validate_email(value, field_name="to")

    @staticmethod
    def _check_from_(value: object, _ctx: ValidationContext) -> str:
        if not isinstance(value, str):
            raise InvalidInput("From must be text", field="from")
        return validate_email(value, field_name="from")

    @staticmethod
    def _copies(value: object, name: str) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise InvalidInput(f"{FIELD_LABELS[name]} must be text", field=name)
        return validate_email_list(value, field_name=name)

    @staticmethod
    def _check_cc(value: object, _ctx: ValidationContext) -> str | None:
        return EmailMessage._copies(value, "cc")

    @staticmethod
    def _check_bcc(value: object, _ctx: ValidationContext) -> str | None:
        return EmailMessage._copies(value, "bcc")

    @staticmethod
    def _check_subject(value: object, _ctx: ValidationContext) -> str:
        subject = _required_text(value, "subject")
        if "\r" in subject or "\n" in subject:  # a mail header line: a break could add headers
            raise InvalidInput(
                "Subject must be one line: remove the line break (CR/LF)", field="subject"
            )
        return subject

    @staticmethod
    def _check_body(value: object, _ctx: ValidationContext) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            return ""
        if not isinstance(value, str):
            raise InvalidInput(f"{FIELD_LABELS['body']} must be text", field="body")
        return value

    @staticmethod
    def _check_attachments(value: object, _ctx: ValidationContext) -> tuple[Attachment, ...]:
        if value is None:
            return ()
        # The wire wraps the list, ``{"attachment": [...]}``: read back what we write.
        if isinstance(value, dict) and set(value) == {"attachment"}:
            value = value["attachment"]
        if not isinstance(value, list | tuple):
            raise InvalidInput("Attachments must be a list of files", field="attachments")
        return tuple(Attachment.from_wire(item) for item in value)

    @property
    def has_body(self) -> bool:
        return bool(self.body)

    def wire(self, data_marker: Callable[[Attachment], str] | None = None) -> dict[str, Any]:
        """The item as sent. ``data_marker`` stands in for each attachment's base64 text so the
        body can be assembled around the encoded chunks (see ``SendRequest.body_parts``)."""
        data = super().wire()
        data.pop("attachments", None)
        if not self.body:
            data.pop("body", None)
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
