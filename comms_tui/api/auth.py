"""Authentication: Basic with the MD5 of the till password, and OAuth client-credential tokens.

Tokens live in memory only, inside one OAuthSession; nothing here is ever logged or rendered.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from comms_tui.api.errors import AuthFailed, ConnectFailed, NotSent, RequestRejected, clip
from comms_tui.api.target import Attribution, BasicCredentials, Credentials, OAuthCredentials

if TYPE_CHECKING:
    import asyncio

TOKEN_PATH = "/v3/oauth/token/generate"
OAUTH_HEADER = "X-CAP-API-OAUTH-TOKEN"
# Shown instead of credentials in displays and curl renderings.
BASIC_PLACEHOLDER = "Basic <base64(username:md5(password))>"
TOKEN_PLACEHOLDER = "<oauth-access-token>"
SECRET_HEADERS = frozenset({"authorization", OAUTH_HEADER.lower()})


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def basic_authorization(credentials: BasicCredentials) -> str:
    """``Basic base64(username:md5hex(password))``, as Capillary's Basic auth expects."""
    pair = f"{credentials.username}:{md5_hex(credentials.password)}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def attribution_headers(
    credentials: Credentials, attribution: Attribution | None
) -> dict[str, str]:
    """The headers that pick the till/store a call is made for (different names per auth mode)."""
    if attribution is None:
        return {}
    if isinstance(credentials, OAuthCredentials):
        return {
            "X-CAP-API-ATTRIBUTION-ENTITY-TYPE": attribution.entity_type,
            "X-CAP-API-ATTRIBUTION-ENTITY-CODE": attribution.code,
        }
    return {
        "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE": attribution.entity_type,
        "X-CAP-API-ATTRIBUTION-LOOKUP": attribution.code,
    }


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    redacted = {}
    for name, value in headers.items():
        if name.lower() == "authorization":
            value = BASIC_PLACEHOLDER if value.startswith("Basic ") else "<redacted>"
        elif name.lower() == OAUTH_HEADER.lower():
            value = TOKEN_PLACEHOLDER
        redacted[name] = value
    return redacted


@dataclass
class _Token:
    value: str
    expires_at: float  # monotonic clock


class OAuthSession:
    """Issues and caches an access token; refreshes it shortly before ``ttlSeconds`` runs out."""

    def __init__(
        self,
        credentials: OAuthCredentials,
        base_url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._url = base_url + TOKEN_PATH
        self._clock = clock
        self._token: _Token | None = None
        self._lock: asyncio.Lock | None = None  # on an event loop: one token call at a time
        self.issued = 0  # tokens generated in this session (tests and diagnostics)

    def __repr__(self) -> str:
        return f"OAuthSession(client_key={self._credentials.client_key!r})"

    def invalidate(self) -> None:
        self._token = None

    @property
    def ttl_remaining(self) -> float | None:
        return None if self._token is None else self._token.expires_at - self._clock()

    async def token(
        self, http: httpx.AsyncClient | httpx.Client, *, deadline: float | None = None
    ) -> str:
        """The current token, asked for when there is none or it expires. ``deadline``
        (``time.monotonic``) bounds a blocking client's token call; an event loop's caller
        bounds it with its own timeout."""
        if isinstance(http, httpx.Client):  # one thread, one call at a time
            return await self._current(http, deadline)
        if self._lock is None:
            import asyncio

            self._lock = asyncio.Lock()
        async with self._lock:
            return await self._current(http, deadline)

    async def _current(self, http: httpx.AsyncClient | httpx.Client, deadline: float | None) -> str:
        if self._token is None or self._clock() >= self._token.expires_at:
            self._token = await self._generate(http, deadline)
        return self._token.value

    async def _generate(
        self, http: httpx.AsyncClient | httpx.Client, deadline: float | None
    ) -> _Token:
        # Whatever happens to the token call, no message has gone out yet: every failure here
        # is NotSent. The answer is read like a send's: at most 10 MB, decoded with a bound.
        from comms_tui.api.transport import (
            UnreadableAnswer,
            exchange_blocking,
            exchange_once,
            is_header_value,
        )

        payload = {"key": self._credentials.client_key, "secret": self._credentials.client_secret}
        try:
            request = http.build_request("POST", self._url, json=payload)
        except Exception as exc:  # a URL httpx refuses: nothing left the machine
            kind = type(exc).__name__
            raise NotSent(f"OAuth token request could not be built ({kind})") from None
        try:
            if isinstance(http, httpx.Client):
                answer = exchange_blocking(http, request, deadline or time.monotonic() + 60)
            else:
                answer = await exchange_once(http, request)
        except httpx.ConnectError as exc:
            raise ConnectFailed(f"could not reach {self._url} for an OAuth token: {exc}") from None
        except httpx.HTTPError as exc:
            raise NotSent(f"OAuth token request failed: {type(exc).__name__}") from None
        except UnreadableAnswer as exc:
            raise NotSent(
                f"OAuth token endpoint answered HTTP {exc.status} with {exc.reason}; "
                "nothing was sent",
            ) from None
        status = answer.status
        request_id = answer.headers.get("X-Cap-Requestid")
        try:
            data = json.loads(answer.content)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested very deep
            data = None
        errors = data.get("errors") if isinstance(data, dict) else None
        if status in (401, 403) or errors:
            message, code = "invalid client key and secret", None
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                message = _message(errors[0].get("message")) or message
                code = errors[0].get("code")
            raise AuthFailed(
                f"OAuth token refused: {message}",
                http_status=status,
                code=code if isinstance(code, int) else None,
                request_id=request_id,
            )
        token_data = data.get("data") if isinstance(data, dict) else None
        if not 200 <= status < 300 or not isinstance(token_data, dict):
            raise RequestRejected(
                f"OAuth token endpoint answered HTTP {status}",
                http_status=status,
                request_id=request_id,
            )
        value = token_data.get("accessToken")
        try:
            ttl = float(token_data.get("ttlSeconds") or 300)
        except (TypeError, ValueError, OverflowError):
            ttl = 300.0
        if not math.isfinite(ttl) or ttl <= 0:
            ttl = 300.0
        if not isinstance(value, str) or not value:
            raise NotSent("OAuth token endpoint answered without an access token")
        if not is_header_value(value):  # never quoted: it is a credential
            raise AuthFailed(
                "OAuth token endpoint issued a token that cannot be sent in an HTTP header "
                "(it holds non-ASCII or control characters); nothing was sent",
                http_status=status,
                request_id=request_id,
            )
        # Refresh a little early so a token never expires in flight (max 30 s, ≤ a fifth of ttl).
        margin = min(30.0, ttl / 5)
        self.issued += 1
        return _Token(value=value, expires_at=self._clock() + ttl - margin)


def _message(value: object) -> str:
    """The token endpoint's error message, clipped (5 MB of it must not reach stderr whole)."""
    if not value:
        return ""
    try:
        return clip(value if isinstance(value, str) else str(value), more="the rest was cut")
    except (RecursionError, ValueError):
        return ""
