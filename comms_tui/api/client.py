"""CommsClient: the one HTTP client for Communications v2, with the retry rules of §6.

The rule that shapes everything here: a POST that reached the server is never sent again
automatically, except where the server said it did not act (401/498 token refresh, 429/503).
What each answer or failure means is decided in ``outcomes``; the wire itself is ``transport``.
"""

from __future__ import annotations

import contextlib
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
from comms_tui.api.collector import collector_paused
from comms_tui.api.errors import (
    AccessDenied,
    AuthFailed,
    CommsError,
    ConnectFailed,
    NotSent,
    OutcomeUnknown,
    ServerError,
)
from comms_tui.api.outcomes import (
    ACCESS_HINT,
    RetryPolicy,
    RetryWait,
    describe,
    did_not_act,
    failure_of,
    retry_after,
    settle,
    settle_answer,
)
from comms_tui.api.requests import SendRequest
from comms_tui.api.results import Outcome, RedactedRequest, SendResult
from comms_tui.api.target import Attribution, OAuthCredentials, Target
from comms_tui.api.transport import (
    TIMEOUTS,
    Answer,
    BodyNotWritten,
    Progress,
    UnreadableAnswer,
    blocking_http_client,
    http_client,
    post,
    post_blocking,
)

SEND_PATH = "/v2/communications/sendMessage"
# Larger answers are read (JSON, one result per item) in a thread: 50 000 items take a quarter of
# a second, which on the event loop would freeze a TUI.
PARSE_IN_THREAD_BYTES = 256 * 1024
TARGET_ATTRIBUTION: Any = object()  # "use the target's attribution" (None means none)
Waiting = Callable[[RetryWait], object]


class CommsClient:
    """``async with CommsClient(target) as client: result = await client.send(request)``.

    ``blocking``: the I/O blocks this thread instead of waiting on an event loop (a command that
    sends once: ``run_blocking(client.send(request))``). The rules are the same code either way.
    """

    def __init__(
        self,
        target: Target,
        *,
        transport: httpx.AsyncBaseTransport | httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        timer: Callable[[], float] = time.perf_counter,
        blocking: bool = False,
    ) -> None:
        self.target = target
        self.retry = retry or RetryPolicy()
        self.blocking = blocking
        self._sleep = sleep or (_sleep_blocking if blocking else _sleep_async)
        self._timer = timer  # measures latency
        self._http: httpx.AsyncClient | httpx.Client
        if blocking:
            assert transport is None or isinstance(transport, httpx.BaseTransport)
            self._http = blocking_http_client(target, transport)
        else:
            assert transport is None or isinstance(transport, httpx.AsyncBaseTransport)
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
        if isinstance(self._http, httpx.Client):
            self._http.close()
        else:
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
        return self.target.attempt_seconds

    async def _token(self) -> str:
        assert self._oauth is not None
        try:
            # httpx times out each read, not the whole answer: a trickle never trips it.
            if isinstance(self._http, httpx.Client):
                deadline = time.monotonic() + self._deadline
                return await self._oauth.token(self._http, deadline=deadline)
            import asyncio

            return await asyncio.wait_for(self._oauth.token(self._http), timeout=self._deadline)
        except TIMEOUTS:
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

    async def _post(
        self, url: str, body: list[bytes], headers: dict[str, str], progress: Progress | None
    ) -> Answer:
        if isinstance(self._http, httpx.Client):
            return post_blocking(
                self._http,
                url,
                body,
                headers,
                read_timeout=self.target.read_timeout,
                progress=progress,
            )
        return await post(
            self._http,
            url,
            body,
            headers,
            connect_timeout=self.target.connect_timeout,
            read_timeout=self.target.read_timeout,
            progress=progress,
        )

    async def send(
        self,
        request: SendRequest,
        *,
        attribution: Any = TARGET_ATTRIBUTION,
        progress: Progress | None = None,
        waiting: Waiting | None = None,
    ) -> SendResult:
        """Send once (with §6's safe retries); never raises for a server or network outcome.

        ``progress(bytes_written, total_bytes)`` is called as the body is written (on the event
        loop, once per 64 KB: keep it cheap); an exception in it is ignored. The upload may take
        as long as the server keeps reading; ``read_timeout`` without progress ends it as
        ``UploadIncomplete`` (not sent), and the answer then has ``read_timeout`` to arrive.
        ``waiting(RetryWait)`` is called as the server's Retry-After wait begins (nothing of the
        refused attempt was acted on); an exception in it is ignored too.
        """
        chosen: Attribution | None = (
            self.target.attribution if attribution is TARGET_ATTRIBUTION else attribution
        )
        started = self._timer()
        result = await self._send(request, chosen, progress, waiting)
        result.latency_ms = (self._timer() - started) * 1000
        return result

    async def _send(
        self,
        request: SendRequest,
        chosen: Attribution | None,
        progress: Progress | None,
        waiting: Waiting | None,
    ) -> SendResult:
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
            unreadable: UnreadableAnswer | None = None
            try:
                answer = await self._post(url, body, headers, progress)
                status, response_headers, content = answer.status, answer.headers, answer.content
            except NotSent as exc:  # the request could not be built: nothing left the machine
                return settle(result, request, started, error=exc)
            except UnreadableAnswer as exc:  # an answer all the same: its status counts
                unreadable = exc
                status, response_headers, content = exc.status, exc.headers, b""
            except (httpx.TransportError, *TIMEOUTS, BodyNotWritten) as exc:
                wait = self.retry.reconnect_wait(exc, connect_failures)
                if wait is not None:  # nothing was written: trying again is safe
                    await self._sleep(wait)
                    connect_failures += 1
                    continue
                error = failure_of(exc, self.target.base_url)
                return settle(result, request, started, error=error)
            result.http_status = status
            result.request_id = response_headers.get("x-cap-requestid")
            if status in (401, 498) and self._oauth is not None and not refreshed:
                # The server refused the token, so it did not act: new token, same request.
                self._oauth.invalidate()
                refreshed = True
                continue
            if not waited and did_not_act(status, content):
                delay = retry_after(
                    response_headers.get("retry-after"),
                    self.retry,
                    date=response_headers.get("date"),
                )
                if delay is not None:
                    waited = True
                    if waiting is not None:
                        with contextlib.suppress(Exception):  # a front-end's bug: still wait
                            waiting(RetryWait(delay, status))
                    await self._sleep(delay)
                    continue
            if unreadable is not None and 200 <= status < 300:
                # Acted on, but we cannot read how: the other statuses speak for themselves.
                error = OutcomeUnknown(
                    f"HTTP {status} with {unreadable.reason}: the messages may have been sent"
                )
                return settle(result, request, started, error=error)
            read = (result, request, started, status, response_headers, content)
            if len(content) > PARSE_IN_THREAD_BYTES:
                if self.blocking:  # nothing else on this thread to keep responsive
                    return _settle_large_answer(*read)
                import asyncio

                return await asyncio.to_thread(_settle_large_answer, *read)
            return settle_answer(*read)

    async def check(self) -> str:
        """Check host and credentials without sending a message; raises CommsError on failure.

        Bounded like a send: the target's timeouts, and at most 10 MB of answer.
        """
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
            status = (await self._post(self.url(Channel.SMS), [_json(empty)], headers, None)).status
        except UnreadableAnswer as exc:  # the status is all a check needs
            status = exc.status
        except TIMEOUTS:
            raise ConnectFailed(
                f"no complete answer from {self.target.base_url} within the timeout"
            ) from None
        except (httpx.HTTPError, BodyNotWritten) as exc:
            cause = exc.cause if isinstance(exc, BodyNotWritten) else exc
            if isinstance(cause, TIMEOUTS):
                raise ConnectFailed(
                    f"{self.target.base_url} stopped reading the request within the timeout"
                ) from None
            raise ConnectFailed(
                f"could not reach {self.target.base_url}: {describe(cause)}"
            ) from None
        if status in (401, 498):
            raise AuthFailed("authentication failed: check the username and password")
        if status == 403:
            raise AccessDenied(f"access denied: {ACCESS_HINT}")
        if status >= 500:
            raise ServerError(f"the server answered HTTP {status}")
        return f"{self.target.base_url} accepted the login (HTTP {status})"


async def _sleep_async(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def _sleep_blocking(seconds: float) -> None:
    time.sleep(seconds)


def _settle_large_answer(
    result: SendResult,
    request: SendRequest,
    started: float,
    status: int,
    headers: httpx.Headers,
    content: bytes,
) -> SendResult:
    """``settle_answer`` with the garbage collector paused until the parsed answer is let go."""
    with collector_paused():
        return settle_answer(result, request, started, status, headers, content)


def _json(value: object) -> bytes:
    import json

    return json.dumps(value).encode()
