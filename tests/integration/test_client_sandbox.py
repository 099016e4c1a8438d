"""The client against the sandbox over real HTTP: every channel, both auth modes, both envelopes,
every magic recipient, token expiry — and how many requests the server actually received."""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from comms_tui.api.attachments import load_attachment
from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import (
    AccessDenied,
    AuthFailed,
    BadRequest,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    ServerReported,
)
from comms_tui.api.requests import SendRequest, build_request
from comms_tui.api.results import Outcome, SendResult
from comms_tui.api.target import Attribution, BasicCredentials, Target
from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig

GOOD = "919591471711"
FIELDS = {
    Channel.SMS: {"body": "747977 is your OTP"},
    Channel.WHATSAPP: {"template": "747977 is the OTP for Go+"},
    Channel.ZALO: {"template": "747977 is the OTP for Go+"},
    Channel.EMAIL: {"from": "north@sandbox.example", "subject": "Hello", "body": "<p>Hi</p>"},
}


def _recipient(channel: Channel, digits: str) -> str:
    return f"{digits}@example.com" if channel is Channel.EMAIL else digits


def _request(
    channel: Channel, *digits: str, envelope: str = "root", **extra: object
) -> SendRequest:
    return build_request(
        channel,
        [_recipient(channel, d) for d in digits],
        {**FIELDS[channel], **extra},
        envelope=envelope,  # type: ignore[arg-type]
    )


async def _send(
    target: Target, request: SendRequest, *, blocking: bool = False, **kw: Any
) -> SendResult:
    async with CommsClient(target, blocking=blocking) as client:
        return await client.send(request, **kw)


def _received(sandbox: EmbeddedSandbox) -> int:
    return int(sandbox.state.stats()["requests"])


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("envelope", ["root", "bare"])
@pytest.mark.parametrize("auth", ["basic", "oauth"])
async def test_every_channel_envelope_and_auth_mode_is_accepted(
    channel: Channel,
    envelope: str,
    auth: str,
    basic_target: Target,
    oauth_target: Target,
    fresh: EmbeddedSandbox,
    blocking: bool,
) -> None:
    target = basic_target if auth == "basic" else oauth_target
    request = _request(channel, GOOD, "12025550100", envelope=envelope)
    result = await _send(target, request, blocking=blocking)
    assert result.outcome is Outcome.ACCEPTED, result.error
    assert result.http_status == 200 and result.request_id
    assert [i.ok for i in result.items] == [True, True]
    outbox = fresh.state.outbox()
    assert len(outbox) == 2 and {m["channel"] for m in outbox} == {channel.value}


async def test_sms_sender_ids_follow_the_attributed_ou(basic_target: Target) -> None:
    south = Attribution(code="south.till")
    ok = await _send(basic_target, _request(Channel.SMS, GOOD, sender="CAPSTH"), attribution=south)
    assert ok.outcome is Outcome.ACCEPTED
    wrong = await _send(
        basic_target, _request(Channel.SMS, GOOD, sender="CAPNTH"), attribution=south
    )
    assert wrong.outcome is Outcome.FAILED and wrong.http_status == 201
    assert wrong.items[0].errors[0].code == 4250
    default = await _send(basic_target, _request(Channel.SMS, GOOD))
    assert default.items[0].echo["sender"] == ""  # unrequested: echoed as "" (the reference)


async def test_the_default_sender_is_what_goes_out(
    basic_target: Target, fresh: EmbeddedSandbox
) -> None:
    await _send(basic_target, _request(Channel.SMS, GOOD))
    assert fresh.state.outbox()[0]["sender"] == "CAPNTH"


async def test_oauth_attribution_uses_the_entity_headers(oauth_target: Target) -> None:
    target = dataclasses.replace(oauth_target, attribution=Attribution.parse("STORE_CODE:SOUTH01"))
    result = await _send(target, _request(Channel.SMS, GOOD, sender="STHSMS"))
    assert result.outcome is Outcome.ACCEPTED


async def test_unknown_attribution_is_rejected(basic_target: Target) -> None:
    bad = Attribution(code="nowhere")
    result = await _send(basic_target, _request(Channel.SMS, GOOD), attribution=bad)
    assert isinstance(result.error, BadRequest) and result.error.code == 1101


async def test_email_attachment_arrives_intact(
    basic_target: Target, fresh: EmbeddedSandbox, tmp_path: Path, blocking: bool
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)
    attachment = load_attachment(path)
    request = _request(Channel.EMAIL, GOOD, attachments=(attachment,))
    result = await _send(basic_target, request, blocking=blocking)
    assert result.outcome is Outcome.ACCEPTED
    stored = fresh.state.outbox()[0]["attachments"]
    assert stored == [{"file_name": "report.pdf", "file_type": "pdf", "size": path.stat().st_size}]
    assert base64.b64decode(str(attachment.file_data)) == path.read_bytes()


async def test_a_past_schedule_is_accepted_and_echoed_as_sent(basic_target: Target) -> None:
    past = datetime.now(timezone(timedelta(hours=5, minutes=30))) - timedelta(days=1)
    request = _request(Channel.SMS, GOOD, scheduledTime=past)
    result = await _send(basic_target, request)
    assert result.outcome is Outcome.ACCEPTED
    sent = request.body()["root"]["sms"][0]["scheduledTime"]
    assert sent.endswith("+05:30") and result.items[0].echo["scheduledTime"] == sent


async def test_partial_failure_reports_item_by_item(basic_target: Target) -> None:
    result = await _send(basic_target, _request(Channel.SMS, GOOD, "12025550101"))
    assert result.outcome is Outcome.PARTIAL and result.http_status == 201
    assert [i.ok for i in result.items] == [True, False]
    assert result.items[1].errors[0].code == 4209 and result.exit_code == 1


async def test_warning_recipient_is_accepted_with_its_warning(basic_target: Target) -> None:
    result = await _send(basic_target, _request(Channel.WHATSAPP, "12025550102"))
    assert result.outcome is Outcome.ACCEPTED
    assert result.items[0].warnings[0].code == 9001


@pytest.mark.parametrize(
    ("digits", "outcome", "error", "requests"),
    [
        ("12025550129", Outcome.REJECTED, RateLimited, 2),  # Retry-After 1: one wait, one retry
        ("12025550150", Outcome.REJECTED, ServerReported, 1),  # the API says it failed
        ("12025550153", Outcome.REJECTED, ServerError, 2),  # 503 with Retry-After: one retry
        ("12025550140", Outcome.UNKNOWN, OutcomeUnknown, 1),  # slower than the read timeout
        ("12025550144", Outcome.UNKNOWN, OutcomeUnknown, 1),  # dropped after reading
        ("12025550122", Outcome.UNKNOWN, OutcomeUnknown, 1),  # malformed JSON
    ],
)
@pytest.mark.parametrize("channel", [Channel.SMS, Channel.EMAIL])
async def test_fault_recipients_and_the_requests_the_server_received(
    digits: str,
    outcome: Outcome,
    error: type[Exception],
    requests: int,
    channel: Channel,
    basic_target: Target,
    fresh: EmbeddedSandbox,
) -> None:
    result = await _send(basic_target, _request(channel, digits))
    assert result.outcome is outcome
    assert isinstance(result.error, error)
    assert _received(fresh) == requests
    assert result.exit_code == {Outcome.REJECTED: 3, Outcome.UNKNOWN: 4}[outcome]


async def test_expired_oauth_token_is_refreshed_once(
    oauth_target: Target, fresh: EmbeddedSandbox, blocking: bool
) -> None:
    async with CommsClient(oauth_target, blocking=blocking) as client:
        first = await client.send(_request(Channel.SMS, GOOD))
        fresh.state.expire_tokens()
        second = await client.send(_request(Channel.SMS, GOOD))
        assert client.oauth is not None and client.oauth.issued == 2
    assert first.outcome is Outcome.ACCEPTED and second.outcome is Outcome.ACCEPTED
    assert second.attempts == 2 and _received(fresh) == 3
    assert len(fresh.state.outbox()) == 2


async def test_bad_credentials_and_missing_access(fresh: EmbeddedSandbox, blocking: bool) -> None:
    bad = Target(base_url=fresh.base_url, credentials=BasicCredentials("sandbox", "wrong"))
    result = await _send(bad, _request(Channel.SMS, GOOD), blocking=blocking)
    assert isinstance(result.error, AuthFailed) and result.http_status == 401
    noaccess = Target(
        base_url=fresh.base_url, credentials=BasicCredentials("sandbox-noaccess", "sandbox")
    )
    denied = await _send(noaccess, _request(Channel.SMS, GOOD), blocking=blocking)
    assert isinstance(denied.error, AccessDenied) and denied.error.code == 4000
    assert fresh.state.outbox() == []


async def test_rate_limit_beyond_retry_budget_is_rejected_without_waiting(blocking: bool) -> None:
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=2)) as small:
        target = Target(base_url=small.base_url, credentials=BasicCredentials("sandbox", "sandbox"))
        results = [
            await _send(target, _request(Channel.SMS, GOOD), blocking=blocking) for _ in range(3)
        ]
        assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 2 + [Outcome.REJECTED]
        limited = results[2].error
        assert isinstance(limited, RateLimited) and (limited.retry_after or 0) > 30
        assert _received(small) == 3


async def test_check_proves_the_login_without_sending(
    basic_target: Target, oauth_target: Target, fresh: EmbeddedSandbox, blocking: bool
) -> None:
    async with CommsClient(basic_target, blocking=blocking) as client:
        assert "accepted the login" in await client.check()
    async with CommsClient(oauth_target, blocking=blocking) as client:
        assert "OAuth token issued" in await client.check()
    bad = Target(base_url=fresh.base_url, credentials=BasicCredentials("sandbox", "nope"))
    async with CommsClient(bad, blocking=blocking) as client:
        with pytest.raises(AuthFailed):
            await client.check()
    assert fresh.state.outbox() == []
