"""CommsClient: the one HTTP client for Communications v2, with the retry rules of §6.

The rule that shapes everything here: a POST that reached the server is never sent again
automatically, except where the server said it did not act (401/498 token refresh, 429/503).
What each answer or failure means is decided in ``outcomes``; the wire itself is ``transport``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import httpx

from comms_tui.api.auth import (
    OAUTH_HEADER,
    OAuthSession,
    attribution_headers,
    basic_authorization,
    redact_headers,
)
from comms_tui.api.channels import Channel
from comms_tui.api.errors import (
    AccessDenied,
    AuthFailed,
    CommsError,
    ConnectFailed,
    NotSent,
    ServerError,
)
from comms_tui.api.outcomes import (
    ACCESS_HINT,
    RetryPolicy,
    failure_of,
    retry_after,
    settle,
    settle_answer,
)
from comms_tui.api.requests import SendRequest
from comms_tui.api.results import Outcome, RedactedRequest, SendResult
from comms_tui.api.target import Attribution, OAuthCredentials, Target
from comms_tui.api.transport import ResponseTooLarge, http_client, post

SEND_PATH = "/v2/communications/sendMessage"
TARGET_ATTRIBUTION: Any = object()  # "use the target's attribution" (None means none)


class CommsClient:
    """``async with CommsClient(target) as client: result = await client.send(request)``."""

    def __init__(
        self,
        target: Target,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.target = target
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._timer = timer  # measures latency
        self._http = http_client(target, transport)
        self._oauth = (
            OAuthSession(target.credentials, target.base_url)
            if isinstance(target.credentials, OAuthCredentials)
            else None
        )

    async def __aenter__(self) -> CommsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def oauth(self) -> OAuthSession | None:
        return self._oauth

    def url(self, channel: Channel) -> str:
        return f"{self.target.base_url}{SEND_PATH}?channel={channel.value}"

    def _static_headers(self, attribution: Attribution | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        headers.update(attribution_headers(self.target.credentials, attribution))
        return headers

    @property
    def _deadline(self) -> float:
        """The longest one attempt (connect + answer) may take, whatever the server trickles."""
        return self.target.connect_timeout + self.target.read_timeout

    async def _token(self) -> str:
        assert self._oauth is not None
        try:
            # httpx times out each read, not the whole answer: a trickle never trips it.
            return await asyncio.wait_for(self._oauth.token(self._http), timeout=self._deadline)
        except asyncio.TimeoutError:
            raise NotSent(
                "the OAuth token request got no complete answer within the timeout; "
                "nothing was sent"
            ) from None

    async def _headers(self, attribution: Attribution | None) -> dict[str, str]:
        headers = self._static_headers(attribution)
        if self._oauth is not None:
            headers[OAUTH_HEADER] = await self._token()
        else:
            assert not isinstance(self.target.credentials, OAuthCredentials)
            headers["Authorization"] = basic_authorization(self.target.credentials)
        return headers

    def render(
        self, request: SendRequest, *, attribution: Any = TARGET_ATTRIBUTION
    ) -> RedactedRequest:
        """The request as it will be sent, with secrets as placeholders (``--dry-run``)."""
        chosen = self.target.attribution if attribution is TARGET_ATTRIBUTION else attribution
        headers = self._static_headers(chosen)
        if self._oauth is not None:
            headers[OAUTH_HEADER] = "x"
        else:
            headers["Authorization"] = "Basic x"
        return RedactedRequest(
            method="POST",
            url=self.url(request.channel),
            headers=redact_headers(headers),
            body=request.redacted_body(),
            omitted_attachment_data=request.has_attachments,
        )

    async def send(
        self, request: SendRequest, *, attribution: Any = TARGET_ATTRIBUTION
    ) -> SendResult:
        """Send once (with §6's safe retries); never raises for a server or network outcome."""
        chosen: Attribution | None = (
            self.target.attribution if attribution is TARGET_ATTRIBUTION else attribution
        )
        started = self._timer()
        result = await self._send(request, chosen)
        result.latency_ms = (self._timer() - started) * 1000
        return result

    async def _send(self, request: SendRequest, chosen: Attribution | None) -> SendResult:
        body = request.body_parts()
        url = self.url(request.channel)
        started = time.perf_counter()
        result = SendResult(
            channel=request.channel,
            outcome=Outcome.REJECTED,
            request=self.render(request, attribution=chosen),
            attempts=0,
        )
        connect_failures = 0
        refreshed = waited = False
        while True:
            result.attempts += 1
            try:
                headers = await self._headers(chosen)
            except CommsError as exc:  # the token call failed: no message went out
                return settle(result, request, started, error=exc)
            try:
                status, response_headers, content = await asyncio.wait_for(
                    post(self._http, url, body, headers),
                    timeout=self._deadline,
                )
            except (httpx.TransportError, asyncio.TimeoutError, ResponseTooLarge) as exc:
                wait = self.retry.reconnect_wait(exc, connect_failures)
                if wait is not None:  # nothing was written: trying again is safe
                    await self._sleep(wait)
                    connect_failures += 1
                    continue
                if isinstance(exc, ResponseTooLarge):
                    result.http_status = exc.status
                    result.request_id = exc.headers.get("x-cap-requestid")
                error = failure_of(exc, self.target.base_url)
                return settle(result, request, started, error=error)
            result.http_status = status
            result.request_id = response_headers.get("x-cap-requestid")
            if status in (401, 498) and self._oauth is not None and not refreshed:
                # The server refused the token, so it did not act: new token, same request.
                self._oauth.invalidate()
                refreshed = True
                continue
            if status in (429, 503) and not waited:
                delay = retry_after(response_headers.get("retry-after"), self.retry)
                if delay is not None:
                    waited = True
                    await self._sleep(delay)
                    continue
            return settle_answer(result, request, started, status, response_headers, content)

    async def check(self) -> str:
        """Check host and credentials without sending a message; raises CommsError on failure."""
        if self._oauth is not None:
            self._oauth.invalidate()
            await self._token()
            remaining = self._oauth.ttl_remaining or 0
            return f"OAuth token issued by {self.target.base_url} (refreshes in {remaining:.0f} s)"
        # An empty batch is refused after authentication: proves the login without sending.
        batch: dict[str, list[object]] = {"sms": []}
        empty = {"root": batch} if self.target.envelope == "root" else batch
        headers = await self._headers(self.target.attribution)
        try:
            response = await asyncio.wait_for(
                self._http.post(self.url(Channel.SMS), json=empty, headers=headers),
                timeout=self._deadline,
            )
        except asyncio.TimeoutError:
            raise ConnectFailed(
                f"no complete answer from {self.target.base_url} within the timeout"
            ) from None
        except httpx.HTTPError as exc:
            raise ConnectFailed(f"could not reach {self.target.base_url}: {exc}") from None
        if response.status_code in (401, 498):
            raise AuthFailed("authentication failed: check the username and password")
        if response.status_code == 403:
            raise AccessDenied(f"access denied: {ACCESS_HINT}")
        if response.status_code >= 500:
            raise ServerError(f"the server answered HTTP {response.status_code}")
        return f"{self.target.base_url} accepted the login (HTTP {response.status_code})"
