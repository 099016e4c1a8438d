"""The reference's own response examples through the parser and the client (golden).

Each must read as accepted, with the recipients *as sent* (the reference's SMS answer echoes
919591471711 as 9919591471711), the right counts, and nothing to flag.
"""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.models import ValidationContext
from comms_tui.api.requests import build_request
from comms_tui.api.results import Outcome, outcome_of, parse_response
from comms_tui.api.target import BasicCredentials, Target
from tests.golden import CHANNELS, EXAMPLES, RESPONSE_KEYS, request_items

# The examples were published with times of their day (2024-02-22): judged on that day, they are
# ordinary schedules, not the "more than a year ago" typos the client refuses today.
AS_PUBLISHED = ValidationContext(now=datetime(2024, 2, 21, tzinfo=timezone.utc))


def _recipients(channel: str) -> list[str]:
    key = "receiver" if channel in ("whatsapp", "zalo") else "to"
    return [item[key] for item in request_items(channel)]


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_reference_response_parses_as_accepted_with_the_recipients_sent(
    channel: str,
) -> None:
    answer = EXAMPLES["responses"][channel]
    recipients = _recipients(channel)
    parsed = parse_response(Channel(channel), answer, recipients=recipients)
    assert outcome_of(parsed.items) is Outcome.ACCEPTED
    assert [item.recipient for item in parsed.items] == recipients
    assert (parsed.count, parsed.success_count) == (len(recipients), len(recipients))
    assert answer["status"]["count"] == answer["status"]["successCount"] == parsed.count
    assert (parsed.disagreements, parsed.anomalies, parsed.warnings) == ([], [], [])
    list_key, item_key = RESPONSE_KEYS[channel]
    assert [item.echo for item in parsed.items] == [e[item_key] for e in answer[list_key]]


def test_the_reference_sms_echo_is_kept_but_not_taken_for_the_recipient() -> None:
    parsed = parse_response(
        Channel.SMS, EXAMPLES["responses"]["sms"], recipients=_recipients("sms")
    )
    assert [item.echo["to"] for item in parsed.items] == ["9919591471711"] * 2
    assert [item.recipient for item in parsed.items] == ["919591471711"] * 2
    assert [item.echo["sender"] for item in parsed.items] == ["", ""]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_client_reads_each_reference_answer_to_its_reference_request(
    channel: str,
) -> None:
    """Build the reference's request with our models, answer it with the reference's answer."""
    key = "receiver" if channel in ("whatsapp", "zalo") else "to"
    items = request_items(channel)
    fields = {k: v for k, v in items[0].items() if k != key}
    request = build_request(Channel(channel), _recipients(channel), fields, context=AS_PUBLISHED)
    seen: list[httpx.Request] = []

    def server(sent: httpx.Request) -> httpx.Response:
        seen.append(sent)
        return httpx.Response(200, json=EXAMPLES["responses"][channel])

    target = Target(base_url="https://api.example", credentials=BasicCredentials("u", "p"))
    async with CommsClient(target, transport=httpx.MockTransport(server)) as client:
        result = await client.send(request)
    assert result.outcome is Outcome.ACCEPTED and result.exit_code == 0
    assert [item.recipient for item in result.items] == _recipients(channel)
    assert result.to_json()["warnings"] == [] and len(seen) == 1
