"""The reference's own request examples against the sandbox over real HTTP (golden).

Each is posted byte for byte as published, with Basic and with OAuth, and must be accepted
with an answer of the reference's shape (the same keys at every level). Our models must also
build each example: the same body, less the optional fields the example sends empty.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.models import ValidationContext
from comms_tui.api.requests import build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import Target
from comms_tui.sandbox import EmbeddedSandbox
from tests.golden import CHANNELS, EXAMPLES, LIST_KEYS, RESPONSE_KEYS, request_items, shape

SEND = "/v2/communications/sendMessage"

# The examples were published with times of their day (2024-02-22): judged on that day, they are
# ordinary schedules, not the "more than a year ago" typos the client refuses today.
AS_PUBLISHED = ValidationContext(now=datetime(2024, 2, 21, tzinfo=timezone.utc))


def _auth_headers(http: httpx.Client, auth: str) -> dict[str, str]:
    if auth == "basic":
        # base64("sandbox:" + md5("sandbox")), spelled out: the wire as the reference has it.
        return {"Authorization": "Basic c2FuZGJveDo5M2JjNjNlMGI0ZjQ4ZmJiZmY1NjhkOWZjMGRjM2RlZg=="}
    answer = http.post(
        "/v3/oauth/token/generate", json={"key": "sandbox-key", "secret": "sandbox-secret"}
    )
    return {"X-CAP-API-OAUTH-TOKEN": answer.json()["data"]["accessToken"]}


@pytest.mark.parametrize("auth", ["basic", "oauth"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_reference_request_is_accepted_with_the_reference_shape(
    channel: str, auth: str, fresh: EmbeddedSandbox
) -> None:
    example = EXAMPLES["requests"][channel]
    with httpx.Client(base_url=fresh.base_url, timeout=10) as http:
        headers = {"Content-Type": "application/json", **_auth_headers(http, auth)}
        response = http.post(
            SEND, params={"channel": channel}, content=json.dumps(example), headers=headers
        )
    assert response.status_code == 200, response.text
    answer = response.json()
    reference = EXAMPLES["responses"][channel]
    list_key, item_key = RESPONSE_KEYS[channel]
    assert shape(answer["status"]) == shape(reference["status"])
    assert set(answer) == set(reference)
    sent = request_items(channel)
    assert len(answer[list_key]) == len(sent)
    for entry, item in zip(answer[list_key], sent, strict=True):
        # The reference's answers hold one item shape per channel: compare with its first.
        assert shape(entry) == shape(reference[list_key][0])
        echo = entry[item_key]
        assert echo["scheduledTime"] == item["scheduledTime"]  # as sent, offset kept
        if channel == "sms":
            assert echo["sender"] == ""  # none was asked for
        if channel == "email":
            assert echo["body"] == "" and echo["attachments"] == []
    assert answer["status"]["count"] == answer["status"]["successCount"] == len(sent)
    assert len(fresh.state.outbox()) == len(sent)


def _without_empty(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if value != ""}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_our_client_sends_each_reference_request_and_reads_the_answer(
    channel: str, basic_target: Target, fresh: EmbeddedSandbox
) -> None:
    items = request_items(channel)
    key = "receiver" if channel in ("whatsapp", "zalo") else "to"
    requests = [
        build_request(
            Channel(channel),
            [item[key]],
            {k: v for k, v in item.items() if k != key},
            context=AS_PUBLISHED,
        )
        for item in items
    ]
    # The same body as published, less the optional fields it sends empty (cc, bcc).
    bodies = [json.loads(r.body_bytes())["root"][LIST_KEYS[channel]][0] for r in requests]
    assert bodies == [_without_empty(item) for item in items]
    async with CommsClient(basic_target) as client:
        for request, item in zip(requests, items, strict=True):
            result = await client.send(request)
            assert result.outcome is Outcome.ACCEPTED, result.error
            assert [i.recipient for i in result.items] == [item[key]]
            assert (result.disagreements, result.anomalies) == ([], [])
            assert result.items[0].echo["scheduledTime"] == item["scheduledTime"]
