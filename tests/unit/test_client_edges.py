"""Byte-level edge cases of the client's §6 rules, with httpx.MockTransport.

Everything that a real server can do is tested against the sandbox over HTTP
(tests/integration); here are the shapes the sandbox never produces.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import (
    AccessDenied,
    AuthFailed,
    BadRequest,
    ConnectFailed,
    OutcomeUnknown,
    RateLimited,
    ServerError,
)
from comms_tui.api.outcomes import RetryPolicy
from comms_tui.api.requests import build_request
from comms_tui.api.results import Outcome, SendResult
from comms_tui.api.target import BasicCredentials, OAuthCredentials, Target

Handler = Callable[[httpx.Request], httpx.Response]
REQUEST = build_request(Channel.SMS, ["919591471711", "12025550100"], {"body": "hi"})
OK_BODY = {
    "status": {"code": 200, "success": True},
    "smsList": [
        {"sms": {"to": "919591471711"}, "errors": [], "warnings": []},
        {"sms": {"to": "12025550100"}, "errors": [], "warnings": []},
    ],
}


class Recorder:
    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        return item

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def client(self, credentials: object | None = None) -> CommsClient:
        target = Target(
            base_url="https://api.example",
            credentials=credentials or BasicCredentials("u", "p"),  # type: ignore[arg-type]
        )
        return CommsClient(
            target, transport=httpx.MockTransport(self), sleep=self.sleep, retry=RetryPolicy()
        )


async def _send(recorder: Recorder, credentials: object | None = None) -> SendResult:
    async with recorder.client(credentials) as client:
        return await client.send(REQUEST)


async def test_accepted_request_carries_json_headers_and_request_id() -> None:
    rec = Recorder(httpx.Response(200, json=OK_BODY, headers={"X-Cap-Requestid": "rid-1"}))
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED and result.request_id == "rid-1"
    sent = rec.requests[0]
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"
    assert sent.url.params["channel"] == "sms"


@pytest.mark.parametrize("status", [502, 504])
async def test_gateway_errors_are_unknown_and_not_retried(status: int) -> None:
    rec = Recorder(httpx.Response(status, text="<html>Bad gateway</html>"))
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN and isinstance(result.error, OutcomeUnknown)
    assert len(rec.requests) == 1
    assert [i.ok for i in result.items] == [None, None]


async def test_a_2xx_that_is_not_json_is_unknown() -> None:
    rec = Recorder(httpx.Response(200, text="OK", headers={"Content-Type": "text/plain"}))
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN and len(rec.requests) == 1


async def test_an_oversized_response_is_unknown() -> None:
    rec = Recorder(httpx.Response(200, content=b" " * (10 * 1024 * 1024 + 1)))
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN
    assert "10 MB" in (result.error.message if result.error else "")


async def test_connect_failures_are_retried_twice_then_not_sent() -> None:
    rec = Recorder(httpx.ConnectError("refused"))
    result = await _send(rec)
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, ConnectFailed)
    assert len(rec.requests) == 3 and rec.sleeps == [0.5, 1.0]
    assert result.exit_code == 3


async def test_connect_failure_then_success_is_accepted() -> None:
    rec = Recorder(httpx.ConnectTimeout("slow"), httpx.Response(200, json=OK_BODY))
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED and len(rec.requests) == 2


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("t"), httpx.RemoteProtocolError("dropped"), httpx.WriteError("w")]
)
async def test_failures_after_writing_are_unknown_and_never_retried(exc: Exception) -> None:
    rec = Recorder(exc)
    result = await _send(rec)
    assert result.outcome is Outcome.UNKNOWN and len(rec.requests) == 1
    assert result.exit_code == 4


async def test_429_is_retried_once_after_retry_after() -> None:
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=OK_BODY)
    )
    result = await _send(rec)
    assert result.outcome is Outcome.ACCEPTED and rec.sleeps == [2.0]
    assert len(rec.requests) == 2


async def test_429_twice_is_rate_limited() -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "1"}))
    result = await _send(rec)
    assert isinstance(result.error, RateLimited) and result.error.retry_after == 1.0
    assert len(rec.requests) == 2 and result.outcome is Outcome.REJECTED


async def test_retry_after_beyond_30_seconds_is_not_waited_for() -> None:
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "120"}))
    result = await _send(rec)
    assert isinstance(result.error, ServerError) and rec.sleeps == []
    assert len(rec.requests) == 1


async def test_basic_401_is_not_retried() -> None:
    rec = Recorder(httpx.Response(401, json={"status": {"code": 401, "message": "bad"}}))
    result = await _send(rec)
    assert isinstance(result.error, AuthFailed) and len(rec.requests) == 1
    assert "p" not in result.error.message.split()


async def test_oauth_498_refreshes_the_token_once() -> None:
    token_calls: list[int] = []
    sends: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/oauth/token/generate":
            token_calls.append(1)
            return httpx.Response(
                200, json={"data": {"accessToken": f"tok{len(token_calls)}", "ttlSeconds": 300}}
            )
        sends.append(request.headers["X-CAP-API-OAUTH-TOKEN"])
        assert "authorization" not in request.headers
        return httpx.Response(498) if len(sends) == 1 else httpx.Response(200, json=OK_BODY)

    target = Target(base_url="https://api.example", credentials=OAuthCredentials("k", "s"))
    async with CommsClient(target, transport=httpx.MockTransport(handler)) as client:
        result = await client.send(REQUEST)
    assert result.outcome is Outcome.ACCEPTED
    assert sends == ["tok1", "tok2"]


async def test_403_carries_the_access_group_hint() -> None:
    rec = Recorder(httpx.Response(403, json={"status": {"code": 4000, "message": "access denied"}}))
    result = await _send(rec)
    assert isinstance(result.error, AccessDenied) and result.error.code == 4000
    assert "Communication" in result.error.message


@pytest.mark.parametrize("status", [400, 404, 415, 302])
async def test_request_level_refusals_are_rejected(status: int) -> None:
    rec = Recorder(httpx.Response(status, json={"status": {"code": status, "message": "no"}}))
    result = await _send(rec)
    assert isinstance(result.error, BadRequest) and result.exit_code == 3


async def test_200_with_an_error_status_and_no_items_is_rejected() -> None:
    body = {"status": {"code": 1060, "success": False, "message": "batch limit exceeded"}}
    rec = Recorder(httpx.Response(200, json=body))
    result = await _send(rec)
    assert isinstance(result.error, BadRequest) and result.error.code == 1060


async def test_fewer_items_than_sent_marks_the_rest_unknown() -> None:
    body = {"smsList": [{"sms": {"to": "919591471711"}, "errors": []}]}
    rec = Recorder(httpx.Response(200, json=body))
    result = await _send(rec)
    assert [i.ok for i in result.items] == [True, None]


async def test_rendered_request_has_no_secret() -> None:
    rec = Recorder(httpx.Response(200, json=OK_BODY))
    async with rec.client(BasicCredentials("store.server", "server123")) as client:
        text = client.render(REQUEST).to_text() + client.render(REQUEST).to_curl()
    assert "server123" not in text
    assert "8a16a6b70505eb1f1ff7cdc0cd5559a7" not in text
    assert "c3RvcmUuc2VydmVy" not in text
    assert "Basic <base64(username:md5(password))>" in text
