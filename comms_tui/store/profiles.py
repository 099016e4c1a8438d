"""Profiles: the non-secret settings of one org on one cluster, kept in ``profiles.toml``.

The file is ``default = "name"`` plus one ``[profiles.NAME]`` table per profile. It is meant to be
hand-editable, so every unknown key or bad value is reported with file, key and line, and the
file is never rewritten after a read that failed (that would destroy what the user wrote).
Secrets are never in this file: they live in the keyring (see ``secrets.py``).
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from comms_tui.api.errors import InvalidInput
from comms_tui.api.target import Attribution, Envelope, login_problem, resolve_base_url
from comms_tui.store.errors import ProfileExists, ProfileFileError, ProfileNotFound, StoreError
from comms_tui.store.files import write_private
from comms_tui.store.tomlfile import KeyPath, format_key, locate_key, read_toml

AuthMethod = Literal["basic", "oauth"]

PROFILE_FILE_NAME = "profiles.toml"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_HEADER = "# comms-tui profiles. Secrets are never stored in this file.\n\n"


class Profile(BaseModel):
    """One org on one cluster, as whom, and the defaults the compose screens start from."""

    # strict: a hand-written ``production = "yes"`` is an error, not silently True.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    name: str
    host: str  # as the user gave it: cluster name, host name or full base URL
    auth: AuthMethod
    username: str | None = None
    client_key: str | None = None
    region: str = "IN"
    timezone: str = "Asia/Kolkata"
    envelope: Envelope = "root"
    attribution: Attribution | None = None
    sender_ids: dict[str, list[str]] = {}  # OU / attribution label → IDs; "" = default OU
    email_from: str | None = None
    production: bool = False
    allow_insecure_http: bool = False
    verify_tls: bool = True
    templates: dict[str, str] = {}

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(
                f"profile name {value!r} must be 1-64 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        return value

    @field_validator("host", "username", "client_key")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value.strip() if value is not None else None

    @field_validator("username", "client_key")
    @classmethod
    def _check_login(cls, value: str | None, info: ValidationInfo) -> str | None:
        # What the credentials would refuse at every send, refused when the profile is saved.
        what = "username" if info.field_name == "username" else "client key"
        if value is not None and (
            problem := login_problem(value, what, basic=info.field_name == "username")
        ):
            raise ValueError(problem)
        return value

    @field_validator("region")
    @classmethod
    def _check_region(cls, value: str) -> str:
        import phonenumbers

        region = value.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{value!r} is not a phone region code (two letters, e.g. IN, SG)")
        return region

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Asia/Kolkata)"
            ) from None
        return value

    @field_validator("attribution", mode="plain")
    @classmethod
    def _parse_attribution(cls, value: object) -> Attribution | None:
        # Accepts the object, "TYPE:CODE", or the file's {type = ..., code = ...} table.
        if value is None or isinstance(value, Attribution):
            return value
        if isinstance(value, str):
            return Attribution.parse(value)
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"type", "code"})
            if unknown:
                raise ValueError(f"unknown key {unknown[0]!r} (expected 'type' and 'code')")
            code, kind = value.get("code"), value.get("type", "TILL")
            if not isinstance(code, str) or not isinstance(kind, str):
                raise ValueError("'type' and 'code' must be strings")
            return Attribution(code=code, entity_type=kind.upper())
        raise ValueError('must be a table like { type = "TILL", code = "..." }')

    @field_validator("sender_ids")
    @classmethod
    def _check_sender_ids(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for ou, ids in value.items():
            if any(not i.strip() for i in ids):
                raise ValueError(f"empty sender ID under {ou!r}")
        return value

    @field_validator("email_from")
    @classmethod
    def _check_email(cls, value: str | None) -> str | None:
        # The same check as a send's From: an address every email send would refuse is refused
        # when the profile is saved.
        from comms_tui.api.models import validate_email

        if value is None:
            return None
        try:
            return validate_email(value, field_name="from")
        except InvalidInput as exc:
            raise ValueError(exc.message) from None

    @model_validator(mode="after")
    def _check_consistency(self) -> Profile:
        resolve_base_url(self.host, allow_insecure_http=self.allow_insecure_http)
        if self.auth == "basic" and (not self.username or self.client_key):
            raise InvalidInput(
                "Basic auth needs 'username' (and no 'client_key')", field="username"
            )
        if self.auth == "oauth" and (not self.client_key or self.username):
            raise InvalidInput("OAuth needs 'client_key' (and no 'username')", field="client_key")
        return self

    @property
    def base_url(self) -> str:
        return resolve_base_url(self.host, allow_insecure_http=self.allow_insecure_http)

    def to_table(self) -> dict[str, Any]:
        """The ``[profiles.NAME]`` table: no name (it is the table's key), no ``None`` values."""
        table: dict[str, Any] = {}
        for key, value in self.model_dump(exclude={"name", "attribution"}).items():
            if value is None or (key in ("sender_ids", "templates") and not value):
                continue
            table[key] = value
        if self.attribution is not None:
            table["attribution"] = {
                "type": self.attribution.entity_type,
                "code": self.attribution.code,
            }
        return table


def validation_problems(exc: ValidationError) -> list[tuple[KeyPath, str]]:
    """(key path within the profile, message) for each error pydantic found."""
    problems: list[tuple[KeyPath, str]] = []
    for err in exc.errors():
        loc: KeyPath = tuple(err["loc"])
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, InvalidInput) and cause.field and not loc:
            loc = (cause.field,)
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif err["type"] == "missing":
            message = "required key is missing"
        elif isinstance(cause, Exception):
            message = str(cause)
        else:
            message = err["msg"]
        problems.append((loc, message))
    return problems


@dataclass(frozen=True)
class ProfileFile:
    default: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)


class ProfileStore:
    """Load and change ``profiles.toml``. Plain synchronous calls, safe from worker threads."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        if self._path is None:
            from comms_tui.store.paths import config_dir

            self._path = config_dir() / PROFILE_FILE_NAME
        return self._path

    def load(self) -> ProfileFile:
        from comms_tui.store.paths import unsafe_permissions

        for checked in (self.path.parent, self.path):
            problem = unsafe_permissions(checked)
            if problem:
                raise ProfileFileError(problem, file=self.path)
        data, text = read_toml(self.path)
        return _parse(data, text, self.path)

    def list(self) -> builtins.list[Profile]:
        return sorted(self.load().profiles.values(), key=lambda p: p.name)

    def get(self, name: str) -> Profile:
        profiles = self.load().profiles
        if name not in profiles:
            raise ProfileNotFound(name, sorted(profiles))
        return profiles[name]

    @property
    def default_name(self) -> str | None:
        return self.load().default

    def default(self) -> Profile | None:
        loaded = self.load()
        return loaded.profiles[loaded.default] if loaded.default else None

    def save(self, profile: Profile, *, replace: bool = True) -> None:
        """Add or replace a profile; one saved while there is no default becomes the default."""
        loaded = self.load()  # raises on a damaged file, so it is never overwritten
        if not replace and profile.name in loaded.profiles:
            raise ProfileExists(
                f"profile '{profile.name}' already exists in {self.path}; "
                "remove it first with `comms-tui profile remove`"
            )
        profiles = {**loaded.profiles, profile.name: profile}
        self._write(ProfileFile(loaded.default or profile.name, profiles))

    def remove(self, name: str) -> str | None:
        """Remove a profile; returns the default profile's name after it (None: none)."""
        loaded = self.load()
        if name not in loaded.profiles:
            raise ProfileNotFound(name, sorted(loaded.profiles))
        profiles = {k: v for k, v in loaded.profiles.items() if k != name}
        default = loaded.default if loaded.default != name else None
        if default is None and len(profiles) == 1:
            [left] = profiles.values()
            # The only one left: no reason to make the user pick — unless it is production,
            # which a send without --profile must never reach unasked.
            default = None if left.production else left.name
        self._write(ProfileFile(default, profiles))
        return default

    def set_default(self, name: str) -> None:
        loaded = self.load()
        if name not in loaded.profiles:
            raise ProfileNotFound(name, sorted(loaded.profiles))
        self._write(ProfileFile(name, loaded.profiles))

    def _write(self, content: ProfileFile) -> None:
        import tomli_w

        doc: dict[str, Any] = {}
        if content.default:
            doc["default"] = content.default
        doc["profiles"] = {name: p.to_table() for name, p in sorted(content.profiles.items())}
        try:
            write_private(self.path, (_HEADER + tomli_w.dumps(doc)).encode("utf-8"))
        except OSError as exc:
            raise StoreError(_unwritable(self.path, exc)) from None


def _unwritable(path: Path, exc: OSError) -> str:
    from comms_tui.store.paths import CONFIG_DIR_ENV

    return (
        f"cannot save {path}: {exc.strerror or exc}. Nothing was changed (set "
        f"{CONFIG_DIR_ENV} to keep profiles in another folder)"
    )


def _parse(data: dict[str, Any], text: str, path: Path) -> ProfileFile:
    def fail(key: KeyPath, problem: str) -> ProfileFileError:
        return ProfileFileError(problem, file=path, key=format_key(key), line=locate_key(text, key))

    for key in data:
        if key not in ("default", "profiles"):
            raise fail((key,), "unknown key (expected 'default' and [profiles.NAME] tables)")
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise fail(("profiles",), "must be a table of [profiles.NAME] tables")
    profiles: dict[str, Profile] = {}
    for name, table in tables.items():
        where: KeyPath = ("profiles", name)
        if not isinstance(table, dict):
            raise fail(where, "must be a table")
        if "name" in table:
            raise fail((*where, "name"), "unknown key (the name is the table's own key)")
        try:
            profiles[name] = Profile(name=name, **table)
        except ValidationError as exc:
            loc, problem = validation_problems(exc)[0]
            raise fail(where if loc == ("name",) else (*where, *loc), problem) from None
    default = data.get("default")
    if default is not None and not isinstance(default, str):
        raise fail(("default",), "must be a profile name in quotes")
    if default is not None and default not in profiles:
        raise fail(("default",), f"names profile {default!r}, which is not in this file")
    return ProfileFile(default, profiles)
