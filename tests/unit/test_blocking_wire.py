"""``run_blocking``: the client's coroutines run to their end on a blocking wire, with no event
loop; one that would wait for a loop is a bug, said at once (never a hang)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.requests import build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import BasicCredentials, Target
from comms_tui.api.transport import run_blocking


async def _answer(value: int) -> int:
    return value


async def _fails() -> None:
    raise ValueError("from inside")


async def _waits_for_a_loop() -> None:
    await asyncio.sleep(0)


def test_a_coroutine_that_never_suspends_gives_its_value_or_its_exception() -> None:
    assert run_blocking(_answer(7)) == 7
    with pytest.raises(ValueError, match="from inside"):
        run_blocking(_fails())


def test_a_coroutine_that_waits_for_an_event_loop_is_a_bug_said_at_once() -> None:
    with pytest.raises(RuntimeError, match="waited for an event loop"):
        run_blocking(_waits_for_a_loop())


def test_a_blocking_client_sends_and_closes_without_an_event_loop() -> None:
    seen: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        body = {"status": {"success": True, "code": 200}, "smsList": [{"sms": {}, "errors": []}]}
        return httpx.Response(200, json=body, headers={"X-Cap-Requestid": "r1"})

    target = Target(
        base_url="https://eu.api.capillarytech.com", credentials=BasicCredentials("u", "p")
    )
    client = CommsClient(target, transport=httpx.MockTransport(answer), blocking=True)
    request = build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
    result = run_blocking(client.send(request))
    run_blocking(client.aclose())
    assert result.outcome is Outcome.ACCEPTED and result.request_id == "r1"
    assert seen == [request.body_bytes()]
