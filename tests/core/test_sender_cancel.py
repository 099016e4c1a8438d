"""Stopping a send, and watching its upload: the core's side of "cancel while in flight".

Stopped before the server can hold the whole request, a send is recorded as not sent; stopped
later, as unknown — whatever the front-end believed when it asked.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import NotSent, OutcomeUnknown
from comms_tui.api.outcomes import RetryWait
from comms_tui.api.target import BasicCredentials, Target
from comms_tui.core.flow import send_request
from comms_tui.core.preflight import Question
from comms_tui.core.sender import CANCELLED_AFTER, CANCELLED_BEFORE, CANCELLED_WAITING, Upload
from comms_tui.core.session import Session
from comms_tui.store.history import Journal
from tests.reliability.rogue_server import Behaviour, Crafted, ReceivedRequest, RogueServer
from tests.support.sessions import sender_for


async def never_asked(question: Question) -> bool:
    raise AssertionError(f"asked {question.kind}")


async def test_cancelled_before_anything_is_written_is_not_sent(on_sandbox: Session) -> None:
    request = on_sandbox.build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
    cancel = asyncio.Event()
    cancel.set()  # as soon as it starts
    sent = await send_request(on_sandbox, request, ask=never_asked, cancel=cancel)
    await on_sandbox.aclose()
    assert sent is not None
    result = sent.result
    assert result.outcome.value == "rejected" and result.sent_nothing
    assert isinstance(result.error, NotSent) and result.error.message == CANCELLED_BEFORE
    assert on_sandbox.sandbox is not None and on_sandbox.sandbox.state.outbox() == []
    assert on_sandbox.journal is not None
    [entry] = on_sandbox.journal.list(5)
    assert entry.outcome == "rejected" and entry.error == CANCELLED_BEFORE


async def test_progress_reaches_the_caller_and_an_uncancelled_send_is_untouched(
    on_sandbox: Session,
) -> None:
    request = on_sandbox.build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
    seen: list[tuple[int, int]] = []
    sent = await send_request(
        on_sandbox,
        request,
        ask=never_asked,
        progress=lambda written, total: seen.append((written, total)),
        cancel=asyncio.Event(),
    )
    await on_sandbox.aclose()
    assert sent is not None and sent.result.outcome.value == "accepted"
    assert sent.request == request  # what went out, for "resend failed" and curl
    total = len(request.body_bytes())
    assert seen[0] == (0, total) and seen[-1] == (total, total)


async def test_cancelled_while_waiting_for_the_answer_is_unknown(tmp_path: Path) -> None:
    with RogueServer(Behaviour.TRICKLE, trickle_interval=1.0) as server:  # answers a byte a second
        target = Target(base_url=server.base_url, credentials=BasicCredentials("u", "p"))
        journal = Journal(tmp_path / "history.sqlite3")
        async with CommsClient(target) as client:
            sender = sender_for(client, journal, name="rogue")
            request = sender.session.build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
            cancel = asyncio.Event()
            upload = Upload()

            def progress(written: int, total: int) -> None:
                upload.update(written, total)
                if upload.may_have_arrived:
                    asyncio.get_running_loop().call_later(0.3, cancel.set)

            sent = await sender.send(request, progress=progress, cancel=cancel)
        assert server.requests == 1
    result = sent.result
    assert result.outcome.value == "unknown"
    assert isinstance(result.error, OutcomeUnknown) and result.error.message == CANCELLED_AFTER
    [entry] = journal.list(5)
    assert entry.outcome == "unknown" and entry.error == CANCELLED_AFTER


async def test_cancelled_while_waiting_out_a_retry_after_is_not_sent(tmp_path: Path) -> None:
    """The server refused the request unread (429) and asked to wait: stopping then sends
    nothing, and the journal says so (it said unknown: the body had been written)."""

    def rate_limited(_request: ReceivedRequest) -> Crafted:
        return "429 Too Many Requests", {"Retry-After": "20"}, b""

    with RogueServer(Behaviour.CRAFTED, crafted=rate_limited) as server:
        target = Target(base_url=server.base_url, credentials=BasicCredentials("u", "p"))
        journal = Journal(tmp_path / "history.sqlite3")
        async with CommsClient(target) as client:
            sender = sender_for(client, journal, name="rogue")
            request = sender.session.build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
            cancel = asyncio.Event()
            told: list[RetryWait] = []

            def waiting(wait: RetryWait) -> None:
                told.append(wait)
                cancel.set()

            sent = await sender.send(request, cancel=cancel, waiting=waiting)
        assert server.requests == 1
    assert [wait.seconds for wait in told] == [20.0]
    result = sent.result
    assert result.outcome.value == "rejected" and result.sent_nothing
    assert isinstance(result.error, NotSent) and result.error.message == CANCELLED_WAITING
    [entry] = journal.list(5)
    assert entry.outcome == "rejected" and entry.error == CANCELLED_WAITING


def test_an_upload_may_have_arrived_once_only_its_last_piece_is_left() -> None:
    upload = Upload()
    assert not upload.started and not upload.may_have_arrived  # connecting, headers
    upload.update(0, 10_000_000)
    assert upload.started and not upload.may_have_arrived
    upload.update(10_000_000 - 65_536, 10_000_000)  # the last piece may be on the wire
    assert upload.may_have_arrived
    upload.update(0, 300)  # a small body: from its first byte on
    assert upload.may_have_arrived
