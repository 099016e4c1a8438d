"""Where a request goes and as whom: clusters, base URLs, credentials, attribution, timeouts."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx

from comms_tui.api.errors import InvalidInput

Envelope = Literal["root", "bare"]

# Cluster hosts from Capillary's overview pages (old and new pages disagree: all are offered).
CLUSTERS: dict[str, str] = {
    "apac": "apac.api.capillarytech.com",
    "apac2": "apac2.api.capillarytech.com",
    "sea": "sea.api.capillarytech.com",
    "eu": "eu.api.capillarytech.com",
    "us": "us.api.capillarytech.com",
    "ushc": "ushc.api.capillarytech.com",
    "cn": "api.capillarytech.cn.com",
}
CLUSTER_LABELS: dict[str, str] = {
    "apac": "India / Asia 1",
    "apac2": "Asia 2",
    "sea": "SEA",
    "eu": "Europe",
    "us": "US",
    "ushc": "US (HC)",
    "cn": "China",
}

DEFAULT_CONNECT_TIMEOUT = 5.0  # seconds
DEFAULT_READ_TIMEOUT = 30.0

ATTRIBUTION_TYPES = ("TILL", "STORE_CODE", "STORE_NAME", "STORE_EXTERNAL_ID")


def login_problem(value: str, what: str, *, basic: bool = False) -> str | None:
    """Why ``value`` cannot be a login name (``what``: "username", "client key"), or None.

    Not valid text (bytes that were not UTF-8) cannot go on the wire; control characters are
    never part of a real login; Basic authentication cannot carry a ':' in the user name (RFC
    7617: the first ':' ends it)."""
    if not _is_text(value):
        return f"the {what} contains bytes that are not valid text (not UTF-8)"
    if _has_controls(value):
        return f"the {what} contains control characters"
    if basic and ":" in value:
        return f"the {what} contains ':', which Basic authentication cannot carry"
    return None


def secret_problem(value: str, what: str) -> str | None:
    """Why ``value`` cannot be sent as a secret (never quoting it), or None.

    Control characters are refused too: no one types them into a password, but a line end
    copied with it (a variable set from a file) would be hashed with it, silently, and every
    send refused as a wrong password."""
    if not _is_text(value):
        return f"the {what} contains bytes that are not valid text (not UTF-8); retype it"
    if _has_controls(value):
        where = "at its end" if _has_controls(value[-1]) else "in it"
        return f"the {what} contains a control character {where} (a line break?)"
    return None


def _has_controls(value: str) -> bool:
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value)


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: what Python makes of bytes that were not UTF-8
        return False
    return True


def _check_credentials(login: str, what: str, secret: str, secret_what: str, basic: bool) -> None:
    """Refused when made (the session opening), not when the first request is built: by then
    the send is in the journal, as if it might have gone out."""
    problem = login_problem(login, what, basic=basic) or secret_problem(secret, secret_what)
    if problem is not None:
        raise InvalidInput(problem, field="auth")


@dataclass(frozen=True)
class BasicCredentials:
    """A till login. ``password`` is the real password; it is hashed to MD5 only on the wire."""

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        _check_credentials(self.username, "username", self.password, "password", basic=True)

    def __repr__(self) -> str:
        return f"BasicCredentials(username={self.username!r}, password=***)"


@dataclass(frozen=True)
class OAuthCredentials:
    client_key: str
    client_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        _check_credentials(
            self.client_key, "client key", self.client_secret, "client secret", basic=False
        )

    def __repr__(self) -> str:
        return f"OAuthCredentials(client_key={self.client_key!r}, client_secret=***)"


Credentials = BasicCredentials | OAuthCredentials


@dataclass(frozen=True)
class Attribution:
    """Which till/store a call is made for, and so whose OU's sender IDs apply."""

    code: str
    entity_type: str = "TILL"

    def __post_init__(self) -> None:
        if self.entity_type not in ATTRIBUTION_TYPES:
            raise InvalidInput(
                f"attribution type must be one of {', '.join(ATTRIBUTION_TYPES)}",
                field="attribution",
            )
        if not self.code.strip():
            raise InvalidInput("attribution code is empty", field="attribution")
        # The code travels as an HTTP header value, and those are ASCII: "Café Mumbai" would
        # fail every send on this machine (UnicodeEncodeError), so it is refused here.
        bad = sorted({ch for ch in self.code if not (" " <= ch <= "~")})
        if bad:
            shown = ", ".join(ascii(ch) if not ch.isprintable() else ch for ch in bad[:5])
            raise InvalidInput(
                f"attribution code holds characters an HTTP header cannot carry ({shown}): "
                "header values are plain ASCII without control characters; use the store's "
                "code (STORE_CODE:…) or external ID (STORE_EXTERNAL_ID:…) instead",
                field="attribution",
            )

    @classmethod
    def parse(cls, text: str) -> Attribution:
        """``TYPE:CODE`` or a bare till code."""
        kind, sep, code = text.partition(":")
        if not sep:
            return cls(code=text.strip())
        if kind.strip().upper() not in ATTRIBUTION_TYPES:
            raise InvalidInput(
                f"unknown attribution type {kind.strip()!r}: use one of "
                f"{', '.join(ATTRIBUTION_TYPES)}, as TYPE:CODE",
                field="attribution",
            )
        return cls(code=code.strip(), entity_type=kind.strip().upper())

    def __str__(self) -> str:
        return f"{self.entity_type}:{self.code}"


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_base_url(host: str, *, allow_insecure_http: bool = False) -> str:
    """A cluster name, a host name, or a full base URL → ``scheme://host[:port]`` without a slash.

    Plain ``http://`` is accepted only for loopback hosts (the sandbox) unless explicitly allowed.
    Anything that is not a usable URL is ``InvalidInput(field="host")``, never another error.
    """
    raw = host.strip()
    text = raw.rstrip("/")
    if not text:
        raise InvalidInput("host is empty", field="host")
    if text.lower() in CLUSTERS:
        return f"https://{CLUSTERS[text.lower()]}"
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidInput(
            "the host holds a space or a control character; give a host name or URL alone, "
            "e.g. eu.api.capillarytech.com",
            field="host",
        )
    if "://" not in raw:  # not ``text``: "https://" stripped of its slashes is no host name
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        hostname, port = parts.hostname, parts.port  # both may raise ValueError
    except ValueError as exc:  # "http://[::1", "https://[x]", ":abc", ":99999"
        raise _not_a_url(host, exc) from None
    if "@" in parts.netloc:
        # Checked before any message quotes the URL: user:password@host would put a credential
        # in profiles.toml, the journal and every display, and httpx would send it as a second
        # Authorization.
        raise InvalidInput(
            "the host URL must not carry a user name or password; "
            "credentials go in the profile (the secret in the keyring)",
            field="host",
        )
    if parts.scheme not in ("http", "https") or not hostname:
        raise InvalidInput(f"not a host name or http(s) URL: {host!r}", field="host")
    if port == 0:
        raise InvalidInput(f"port 0 is not a port to connect to: {host!r}", field="host")
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback_host(hostname):
        raise InvalidInput(
            f"plain http:// is only allowed for loopback hosts, not {hostname}; "
            "use https:// (or set allow_insecure_http in the profile)",
            field="host",
        )
    if parts.query or parts.fragment:
        raise InvalidInput("the host URL must not carry a query or fragment", field="host")
    base = f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
    try:
        httpx.URL(base)  # what the client will make of it: e.g. an invalid IDNA host name
    except (httpx.InvalidURL, ValueError) as exc:
        raise _not_a_url(host, exc) from None
    return base


def _not_a_url(host: str, exc: Exception) -> InvalidInput:
    if "@" in host:  # may be user:password@…: never quote it (nor the parser, which may)
        return InvalidInput(
            "the host URL must not carry a user name or password; "
            "credentials go in the profile (the secret in the keyring)",
            field="host",
        )
    reason = str(exc).strip() or type(exc).__name__
    return InvalidInput(f"not a valid host URL ({reason}): {host!r}", field="host")


@dataclass(frozen=True)
class Target:
    """Everything the client needs to reach one org on one cluster."""

    base_url: str
    credentials: Credentials
    envelope: Envelope = "root"
    attribution: Attribution | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    verify_tls: bool = True
    label: str = ""  # profile name, or "sandbox"

    @property
    def attempt_seconds(self) -> float:
        """The longest one attempt may take: connecting, then the answer once it is written."""
        return self.connect_timeout + self.read_timeout

    @property
    def is_loopback(self) -> bool:
        try:
            return is_loopback_host(urlsplit(self.base_url).hostname or "")
        except ValueError:  # a base URL that did not come through resolve_base_url
            return False
