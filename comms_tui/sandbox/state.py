"""Mutable sandbox state: tokens, rate windows, outbox and counters, behind one lock.

The app runs on one event loop, but tests and the TUI read this from other threads, so every
public method takes the lock and returns copies.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import secrets
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from comms_tui.sandbox.accounts import OAUTH_CLIENTS, OrgUnit, check_basic
from comms_tui.sandbox.rules import (
    ACCESS_DENIED,
    AUTH_FAILED,
    INVALID_INPUT,
    OAUTH_BAD_CLIENT,
    RATE_LIMITED,
    TOKEN_EXPIRED,
    Channel,
    JsonObj,
    RequestError,
    SandboxConfig,
)
from comms_tui.sandbox.validation import ItemOutcome

Clock = Callable[[], float]
RATE_WINDOW_SECONDS = 60.0
MAX_TOKENS = 10_000  # oldest forgotten first: they then read as unknown (401), not expired
MAX_TRACKED_RECIPIENTS = 100_000


@dataclass(frozen=True)
class Caller:
    """Who made a call: ``credential`` is the rate-limit key (Basic user or OAuth client key)."""

    kind: Literal["basic", "oauth"]
    credential: str
    till: str


@dataclass
class IssuedToken:
    client_key: str
    till: str
    expires_at: float  # on the state's monotonic clock
    revoked: bool = False


class RateLimiter:
    """Sliding 60 s window per key; only admitted calls take a slot."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def try_acquire(self, key: str, limit: int) -> int | None:
        """None when admitted, else whole seconds until a slot frees (>= 1)."""
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - RATE_WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= limit:
            # The slot frees when the limit-th newest hit leaves the window.
            frees_at = hits[len(hits) - limit] + RATE_WINDOW_SECONDS
            return max(1, math.ceil(frees_at - now))
        hits.append(now)
        return None

    def clear(self) -> None:
        self._hits.clear()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt_looking(client_key: str, ttl: int) -> str:
    """Opaque to clients, but shaped like the JWT the real server returns."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"iss": "comms-tui-sandbox", "sub": client_key, "iat": now, "exp": now + ttl}
    claims["jti"] = uuid.uuid4().hex
    parts = [json.dumps(header).encode(), json.dumps(claims).encode(), secrets.token_bytes(32)]
    return ".".join(_b64url(p) for p in parts)


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SandboxState:
    """Everything one sandbox instance remembers; reachable as ``app.state.sandbox``."""

    def __init__(self, config: SandboxConfig | None = None, clock: Clock = time.monotonic) -> None:
        self.config = config or SandboxConfig()
        self.lock = threading.Lock()
        self._clock = clock
        self._tokens: OrderedDict[str, IssuedToken] = OrderedDict()
        self._limiter = RateLimiter(clock)
        self._outbox: deque[JsonObj] = deque(maxlen=self.config.outbox_limit)
        self._next_id = 1
        self._requests = 0
        self._by_recipient: OrderedDict[str, int] = OrderedDict()

    # ----------------------------------------------------------------- auth

    def issue_token(self, key: Any, secret: Any) -> tuple[str, int]:
        client = OAUTH_CLIENTS.get(key) if isinstance(key, str) else None
        if client is None or secret != client.secret:
            raise RequestError(OAUTH_BAD_CLIENT)
        ttl = self.config.token_ttl_seconds
        token = _jwt_looking(client.key, ttl)
        with self.lock:
            self._tokens[token] = IssuedToken(client.key, client.till, self._clock() + ttl)
            while len(self._tokens) > MAX_TOKENS:
                self._tokens.popitem(last=False)
        return token, ttl

    def expire_tokens(self) -> int:
        """Mark every issued token expired, so the client's refresh-on-498 can be tested."""
        with self.lock:
            for issued in self._tokens.values():
                issued.revoked = True
            return len(self._tokens)

    def authenticate(self, authorization: str | None, oauth_token: str | None) -> Caller:
        """Resolve the caller from exactly one of the two credential headers."""
        if authorization is not None and oauth_token is not None:
            raise RequestError(
                INVALID_INPUT,
                detail="send either Authorization or X-CAP-API-OAUTH-TOKEN, not both",
            )
        if authorization is not None:
            user = check_basic(authorization)
            if not user.can_write:
                raise RequestError(ACCESS_DENIED)
            return Caller("basic", user.username, user.till)
        if oauth_token is None:
            raise RequestError(
                AUTH_FAILED,
                detail="missing credentials: send Authorization: Basic or X-CAP-API-OAUTH-TOKEN",
            )
        with self.lock:
            issued = self._tokens.get(oauth_token.strip())
            if issued is None:
                raise RequestError(AUTH_FAILED, detail="unknown OAuth token")
            if issued.revoked or self._clock() >= issued.expires_at:
                raise RequestError(TOKEN_EXPIRED)
            return Caller("oauth", issued.client_key, issued.till)

    def check_rate(self, caller: Caller) -> None:
        limit = self.config.rate_limit_per_minute
        with self.lock:
            retry_after = self._limiter.try_acquire(f"{caller.kind}:{caller.credential}", limit)
        if retry_after is not None:
            raise RequestError(
                RATE_LIMITED,
                headers={"Retry-After": str(retry_after)},
                detail=f"{limit} requests per minute for {caller.credential}",
            )

    # ----------------------------------------------------------------- counters

    def count_request(self, recipients: Iterable[str] = ()) -> None:
        """One sendMessage request received, whatever its outcome, and who it addressed."""
        with self.lock:
            self._requests += 1
            for recipient in recipients:
                self._by_recipient[recipient] = self._by_recipient.get(recipient, 0) + 1
            while len(self._by_recipient) > MAX_TRACKED_RECIPIENTS:
                self._by_recipient.popitem(last=False)

    def stats(self) -> JsonObj:
        with self.lock:
            return {"requests": self._requests, "by_recipient": dict(self._by_recipient)}

    # ----------------------------------------------------------------- outbox

    def store(
        self, channel: Channel, ou: OrgUnit, request_id: str, outcomes: Iterable[ItemOutcome]
    ) -> list[int]:
        """Record every accepted item; returns the new outbox ids."""
        received_at = utc_now_iso()
        ids: list[int] = []
        with self.lock:
            for outcome in outcomes:
                if not outcome.accepted:
                    continue
                record: JsonObj = {
                    "id": self._next_id,
                    "channel": channel.name,
                    "ou": ou.name,
                    "requestId": request_id,
                    "recipient": outcome.recipient,
                    **copy.deepcopy(outcome.record),
                    "scheduledTime": outcome.scheduled_utc,
                    "receivedAt": received_at,
                    "attachments": [
                        {"file_name": a.file_name, "file_type": a.file_type, "size": a.size}
                        for a in outcome.attachments
                    ],
                    "warnings": copy.deepcopy(outcome.warnings),
                }
                self._outbox.append(record)
                ids.append(self._next_id)
                self._next_id += 1
        return ids

    def outbox(self, recipient: str | None = None) -> list[JsonObj]:
        """Stored messages, oldest first, optionally only those to ``recipient``."""
        with self.lock:
            records = [r for r in self._outbox if recipient is None or r["recipient"] == recipient]
            return copy.deepcopy(records)

    def clear_outbox(self) -> None:
        with self.lock:
            self._outbox.clear()

    def reset(self) -> None:
        """Forget everything but the config and the id counter (ids are never reused)."""
        with self.lock:
            self._outbox.clear()
            self._tokens.clear()
            self._limiter.clear()
            self._requests = 0
            self._by_recipient.clear()
