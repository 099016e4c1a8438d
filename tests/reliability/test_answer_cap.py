"""The answer cap and an email that echoes its attachments (issue 14 against issue 12's cap).

A server may echo a send's items, attachment data included: the answer to an email with 8 MB of
attachments is then over 10 MB. Its cap is 10 MB plus the request body's size (at most 64 MB
more), so that answer is read — and accepted — while any other answer stays bounded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from comms_tui.api.attachments import load_attachment
from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.requests import build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import BasicCredentials, Target
from comms_tui.api.transport import MAX_ECHO_BYTES, MAX_RESPONSE_BYTES, answer_limit
from tests.reliability.rogue_server import Behaviour, RogueServer


def test_the_cap_grows_with_the_body_and_stays_bounded() -> None:
    assert answer_limit(0) == MAX_RESPONSE_BYTES
    assert answer_limit(300) == MAX_RESPONSE_BYTES + 300
    assert answer_limit(10**12) == MAX_RESPONSE_BYTES + MAX_ECHO_BYTES


async def test_an_email_echoing_8_mb_of_attachments_is_accepted(
    tmp_path: Path, rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + os.urandom(8 * 1024 * 1024))
    request = build_request(
        Channel.EMAIL,
        ["ana@example.com"],
        {
            "from": "desk@example.com",
            "subject": "Your scan",
            "attachments": (load_attachment(scan),),
        },
    )
    server = rogue(Behaviour.OK)  # answers with every item echoed, file data and all
    target = Target(
        base_url=server.base_url,
        credentials=BasicCredentials("till", "pw"),
        read_timeout=20.0,
    )
    async with CommsClient(target, blocking=blocking) as client:
        result = await client.send(request)
    assert len(result.response_text or "") > MAX_RESPONSE_BYTES  # the echo really was large
    assert result.outcome is Outcome.ACCEPTED, result.error
    assert server.requests == 1


async def test_an_sms_answer_over_10_mb_is_still_not_read(
    rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    server = rogue(Behaviour.HUGE)
    target = Target(base_url=server.base_url, credentials=BasicCredentials("till", "pw"))
    request = build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
    async with CommsClient(target, blocking=blocking) as client:
        result = await client.send(request)
    assert result.outcome is Outcome.UNKNOWN
    assert "larger than 10 MB" in (result.error.message if result.error else "")
