"""Who may call the sandbox and for which OU: demo credentials, tills, stores, sender IDs.

Fixed values so that the README, tests and demos agree (§7 of the API contract).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from comms_tui.sandbox.rules import ATTRIBUTION_NOT_FOUND, AUTH_FAILED, RequestError

# --------------------------------------------------------------------------- OUs


@dataclass(frozen=True)
class OrgUnit:
    name: str
    tills: tuple[str, ...]
    store_code: str
    store_name: str
    external_id: str
    sender_ids: tuple[str, ...]
    default_sender: str
    email_sender: str
    email_label: str  # the sender's display name, echoed as ``labelOfSender``


NORTH = OrgUnit(
    name="north",
    tills=("sandbox", "north.till"),
    store_code="NORTH01",
    store_name="North Store",
    external_id="N-001",
    sender_ids=("CAPNTH", "NRTHSMS", "919000000001"),
    default_sender="CAPNTH",
    email_sender="north@sandbox.example",
    email_label="Sandbox North",
)
SOUTH = OrgUnit(
    name="south",
    tills=("south.till",),
    store_code="SOUTH01",
    store_name="South Store",
    external_id="S-001",
    sender_ids=("CAPSTH", "STHSMS"),
    default_sender="CAPSTH",
    email_sender="south@sandbox.example",
    email_label="Sandbox South",
)
ORG_UNITS: tuple[OrgUnit, ...] = (NORTH, SOUTH)
ATTRIBUTION_TYPES = ("TILL", "STORE_CODE", "STORE_NAME", "STORE_EXTERNAL_ID")


def _ou_keys(ou: OrgUnit, entity_type: str) -> tuple[str, ...]:
    if entity_type == "TILL":
        return ou.tills
    if entity_type == "STORE_CODE":
        return (ou.store_code,)
    if entity_type == "STORE_NAME":
        return (ou.store_name,)
    return (ou.external_id,)


def resolve_ou(entity_type: str | None, entity_code: str | None, home_till: str) -> OrgUnit:
    """Pick the OU from attribution headers; no code means the caller's own till."""
    etype = (entity_type or "TILL").strip().upper()
    code = (entity_code or "").strip()
    if not code:
        code, etype = home_till, "TILL"
    if etype in ATTRIBUTION_TYPES:
        for ou in ORG_UNITS:
            if code.casefold() in (k.casefold() for k in _ou_keys(ou, etype)):
                return ou
    raise RequestError(ATTRIBUTION_NOT_FOUND, entity_type=etype, entity_code=code)


# --------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class BasicUser:
    username: str
    password: str  # the real password; the wire carries its MD5 hex
    till: str
    can_write: bool


@dataclass(frozen=True)
class OAuthClient:
    key: str
    secret: str
    till: str


BASIC_USERS: dict[str, BasicUser] = {
    "sandbox": BasicUser("sandbox", "sandbox", "sandbox", can_write=True),
    "sandbox-noaccess": BasicUser("sandbox-noaccess", "sandbox", "sandbox", can_write=False),
}
OAUTH_CLIENTS: dict[str, OAuthClient] = {
    "sandbox-key": OAuthClient("sandbox-key", "sandbox-secret", "sandbox"),
}


def md5hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def basic_header(username: str, password: str) -> str:
    """The ``Authorization`` value a correct client sends (handy for docs and tests)."""
    token = base64.b64encode(f"{username}:{md5hex(password)}".encode()).decode("ascii")
    return f"Basic {token}"


def check_basic(header: str) -> BasicUser:
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        raise RequestError(AUTH_FAILED, detail="expected 'Basic <base64(user:md5hex)>'")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise RequestError(AUTH_FAILED, detail="Basic credentials are not valid base64") from None
    username, sep, wire_password = decoded.partition(":")
    user = BASIC_USERS.get(username)
    if not sep or user is None:
        raise RequestError(AUTH_FAILED, detail="unknown user or wrong password")
    expected = md5hex(user.password)
    if wire_password == expected:
        return user
    # Name the two classic client bugs instead of a bare "wrong password".
    if wire_password == user.password:
        detail = "the password must go over the wire as its lowercase hex MD5, not in clear"
    elif wire_password.lower() == expected:
        detail = "the MD5 hex of the password must be lowercase"
    else:
        detail = "unknown user or wrong password"
    raise RequestError(AUTH_FAILED, detail=detail)
