"""CommsClient: the one HTTP client for Communications v2, with the retry rules of §6.

The rule that shapes everything here: a POST that reached the server is never sent again
automatically, except where the server said it did not act (401/498 token refresh, 429/503).
A POST whose fate we cannot know (timeout or drop after writing, 502/504, an unreadable 2xx)
is reported as ``Outcome.UNKNOWN`` and left for the user to decide.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from comms_tui import __version__
from comms_tui.api.auth import (
    OAUTH_HEADER,
    OAuthSession,
    attribution_headers,
    basic_authorization,
    redact_headers,
)
from comms_tui.api.errors import (
    AccessDenied,
    AuthFailed,
    BadRequest,
    CommsError,
    ConnectFailed,
    NotSent,
    OutcomeUnknown,
    RateLimited,
    RequestRejected,
    ServerError,
)
from comms_tui.api.models import Channel
from comms_tui.api.requests import SendRequest
from comms_tui.api.results import (
    ItemResult,
    Outcome,
    RedactedRequest,
    ResponseFormatError,
    SendResult,
    outcome_of,
    parse_response,
)
from comms_tui.api.target import Attribution, OAuthCredentials, Target

SEND_PATH = "/v2/communications/sendMessage"
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
ACCESS_HINT = (
    "the API user needs WRITE access to the “Communication” access-group resource "
    "(or v2 communications are not enabled for the org)"
)
TARGET_ATTRIBUTION: Any = object()  # "use the target's attribution" (None means none)


@dataclass(frozen=True)
class RetryPolicy:
    connect_retries: int = 2  # only when nothing was written
    connect_backoff: float = 0.5  # seconds, doubled per try
    max_retry_after: float = 30.0  # 429/503: wait at most this long, once
    default_retry_after: float = 1.0  # when the server gives no Retry-After


class _ResponseTooLarge(Exception):
    def __init__(self, status: int, headers: httpx.Headers) -> None:
        super().__init__(status)
        self.status = status
        self.headers = headers


class CommsClient:
    """``async with CommsClient(target) as client: result = await client.send(request)``."""

    def __init__(
        self,
        target: Target,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.target = target
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=target.connect_timeout,
                read=target.read_timeout,
                write=target.read_timeout,
                pool=target.connect_timeout,
            ),
            verify=target.verify_tls,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": f"comms-tui/{__version__}"},
        )
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
        )

    async def send(
        self, request: SendRequest, *, attribution: Any = TARGET_ATTRIBUTION
    ) -> SendResult:
        """Send once (with §6's safe retries); never raises for a server or network outcome."""
        chosen: Attribution | None = (
            self.target.attribution if attribution is TARGET_ATTRIBUTION else attribution
        )
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
                return self._finish(result, request, started, error=exc)
            try:
                status, response_headers, content = await asyncio.wait_for(
                    self._post(url, body, headers),
                    timeout=self._deadline,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Nothing was written: the one case where trying again is always safe.
                if connect_failures < self.retry.connect_retries:
                    await self._sleep(self.retry.connect_backoff * 2**connect_failures)
                    connect_failures += 1
                    continue
                return self._finish(
                    result,
                    request,
                    started,
                    error=ConnectFailed(f"could not connect to {self.target.base_url}: {exc}"),
                )
            except httpx.PoolTimeout:
                return self._finish(
                    result, request, started, error=ConnectFailed("no connection was free")
                )
            except (httpx.TimeoutException, asyncio.TimeoutError):
                return self._finish(
                    result,
                    request,
                    started,
                    error=OutcomeUnknown(
                        "no answer within the timeout after the request was sent: "
                        "the message may have gone out"
                    ),
                )
            except _ResponseTooLarge as exc:
                result.http_status = exc.status
                result.request_id = exc.headers.get("x-cap-requestid")
                return self._finish(
                    result,
                    request,
                    started,
                    error=OutcomeUnknown(
                        f"HTTP {exc.status} with a response larger than 10 MB, which was not "
                        "read: the messages may have been sent"
                    ),
                )
            except httpx.TransportError as exc:
                return self._finish(
                    result,
                    request,
                    started,
                    error=OutcomeUnknown(
                        f"the connection failed after the request was sent ({type(exc).__name__}):"
                        " the message may have gone out"
                    ),
                )
            result.http_status = status
            result.request_id = response_headers.get("x-cap-requestid")
            if status in (401, 498) and self._oauth is not None and not refreshed:
                # The server refused the token, so it did not act: new token, same request.
                self._oauth.invalidate()
                refreshed = True
                continue
            if status in (429, 503) and not waited:
                delay = _retry_after(response_headers.get("retry-after"), self.retry)
                if delay is not None:
                    waited = True
                    await self._sleep(delay)
                    continue
            return self._classify(result, request, started, status, response_headers, content)

    async def _post(
        self, url: str, body: list[bytes], headers: dict[str, str]
    ) -> tuple[int, httpx.Headers, bytes]:
        content: bytes | AsyncIterator[bytes]
        if len(body) == 1:
            content = body[0]
        else:
            # Stream the pieces (big attachments stay uncopied) with a Content-Length, which
            # httpx then sends instead of chunked transfer encoding.
            headers = {**headers, "Content-Length": str(sum(len(part) for part in body))}
            content = _pieces(body)
        async with self._http.stream("POST", url, content=content, headers=headers) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
                raise _ResponseTooLarge(response.status_code, response.headers)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise _ResponseTooLarge(response.status_code, response.headers)
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    def _finish(
        self,
        result: SendResult,
        request: SendRequest,
        started: float,
        *,
        error: CommsError | None,
        items: list[ItemResult] | None = None,
        outcome: Outcome | None = None,
    ) -> SendResult:
        result.latency_ms = (time.perf_counter() - started) * 1000
        result.error = error
        if items is None:
            unknown = isinstance(error, OutcomeUnknown)
            items = [
                ItemResult(recipient=r, ok=None if unknown else False) for r in request.recipients
            ]
            outcome = Outcome.UNKNOWN if unknown else Outcome.REJECTED
        result.items = items
        result.outcome = outcome if outcome is not None else outcome_of(items)
        if isinstance(error, (RequestRejected, OutcomeUnknown)):
            error.request_id = error.request_id or result.request_id
            error.http_status = error.http_status or result.http_status
        return result

    def _classify(
        self,
        result: SendResult,
        request: SendRequest,
        started: float,
        status: int,
        headers: httpx.Headers,
        content: bytes,
    ) -> SendResult:
        text = content.decode("utf-8", errors="replace")
        result.response_text = text
        try:
            data: Any = json.loads(text) if text.strip() else None
        except ValueError:
            data = None
        if 200 <= status < 300:
            try:
                if data is None:
                    raise ResponseFormatError("the body is not JSON")
                parsed = parse_response(request.channel, data, recipients=request.recipients)
            except ResponseFormatError as exc:
                return self._finish(
                    result,
                    request,
                    started,
                    error=OutcomeUnknown(
                        f"HTTP {status} but the response could not be read ({exc}): "
                        "the messages may have been sent"
                    ),
                )
            if not parsed.items:
                code, message = _status_of(data)
                if parsed.status.get("success") is False or code not in (None, 200, 201):
                    return self._finish(
                        result,
                        request,
                        started,
                        error=BadRequest(message or "request rejected", code=code),
                    )
                return self._finish(
                    result,
                    request,
                    started,
                    error=OutcomeUnknown(f"HTTP {status} with no per-item results"),
                )
            items = parsed.items
            if len(items) < len(request.items):
                items = items + [
                    ItemResult(recipient=r, ok=None) for r in request.recipients[len(items) :]
                ]
            return self._finish(result, request, started, error=None, items=items)
        code, message = _status_of(data)
        detail = message or f"HTTP {status}"
        error: CommsError
        if status in (401, 498):
            error = AuthFailed(
                f"authentication failed ({detail}): check the credentials of this profile",
                code=code,
            )
        elif status == 403:
            error = AccessDenied(f"access denied ({detail}): {ACCESS_HINT}", code=code)
        elif status == 429:
            retry_after = _retry_after(headers.get("retry-after"), RetryPolicy(max_retry_after=1e9))
            error = RateLimited(
                f"rate limited ({detail}): nothing was sent; try again later",
                retry_after=retry_after,
                code=code,
            )
        elif status in (502, 504):
            error = OutcomeUnknown(
                f"HTTP {status} from a gateway: the messages may or may not have been sent"
            )
        elif status >= 500:
            error = ServerError(f"server error ({detail}): nothing was sent", code=code)
        else:
            error = BadRequest(f"request refused ({detail})", code=code)
        return self._finish(result, request, started, error=error)

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


async def _pieces(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _status_of(data: Any) -> tuple[int | None, str]:
    """(code, message) from a §4 status object or an OAuth-style errors list."""
    if isinstance(data, dict):
        status = data.get("status")
        if isinstance(status, dict):
            code = status.get("code")
            return (code if isinstance(code, int) else None), str(status.get("message") or "")
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            code = errors[0].get("code")
            return (code if isinstance(code, int) else None), str(errors[0].get("message") or "")
    return None, ""


def _retry_after(value: str | None, policy: RetryPolicy) -> float | None:
    """Seconds to wait before the one retry, or None when the wait would be too long."""
    if value is None:
        return policy.default_retry_after
    try:
        seconds = float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return policy.default_retry_after
        seconds = when.timestamp() - time.time()
    seconds = max(0.0, seconds)
    return seconds if seconds <= policy.max_retry_after else None
