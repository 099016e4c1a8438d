"""A hostile server cannot hurt the user (issue 12, api level): answers are bounded in memory
whatever their encoding, an unparseable answer is ``unknown`` (never an exception), long server
text stays short in messages, a slow upload is judged by its progress, and a request that never
left the machine is "not sent".

Memory is measured with tracemalloc (every bytes object zlib or httpx makes is traced): the peak
while one send runs, compared with the 10 MB cap.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from comms_tui.api.attachments import load_attachment
from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import (
    AuthFailed,
    BadRequest,
    ConnectFailed,
    NotSent,
    OutcomeUnknown,
    UploadIncomplete,
)
from comms_tui.api.requests import SendRequest, build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import BasicCredentials, Credentials, OAuthCredentials, Target
from comms_tui.api.transport import MAX_RESPONSE_BYTES
from comms_tui.store.history import Journal
from tests.reliability.rogue_server import (
    LONG_MESSAGE_CHARS,
    REQUEST_ID,
    Behaviour,
    RogueServer,
    gzip_bomb,
)
from tests.support.cli import run_cli
from tests.support.sessions import sender_for

GOOD = "919591471711"
TIMEOUT = 0.5
SLACK = 1.5  # scheduling noise on a loaded 2-core CI machine
MEMORY_BOUND = 3 * MAX_RESPONSE_BYTES  # the answer, its pieces and the text made of it
T = TypeVar("T")


def _sms() -> SendRequest:
    return build_request(Channel.SMS, [GOOD], {"body": "747977 is your OTP"})


def _target(base_url: str, auth: str = "basic", timeout: float = TIMEOUT) -> Target:
    credentials: Credentials = (
        BasicCredentials("till.login", "till-password")
        if auth == "basic"
        else OAuthCredentials("client-key", "client-secret")
    )
    return Target(
        base_url=base_url, credentials=credentials, connect_timeout=timeout, read_timeout=timeout
    )


@contextmanager
def traced() -> Iterator[list[int]]:
    """``[peak bytes]`` of Python memory allocated inside the block."""
    peak = [0]
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        yield peak
    finally:
        peak[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


async def _bounded(work: Callable[[], Awaitable[T]]) -> tuple[T, int, float]:
    """(result, peak traced bytes, seconds) of ``work()``."""
    with traced() as peak:
        started = time.monotonic()
        result = await asyncio.wait_for(work(), 20)
        elapsed = time.monotonic() - started
    return result, peak[0], elapsed


@pytest.fixture(scope="module", autouse=True)
def _bomb_built_once() -> None:
    gzip_bomb()  # ~0.5 s of CRC over 1 GiB of zeros, outside every timed block


# --------------------------------------------------------------------------- bounded answers


@pytest.mark.parametrize("auth", ["basic", "oauth"])
async def test_a_gzip_bomb_answer_costs_at_most_the_cap(
    auth: str, rogue: Callable[..., RogueServer], journal: Journal, blocking: bool
) -> None:
    """``Content-Encoding: gzip, gzip``: 2.5 KB on the wire, 1 GiB decoded. Before: 2.1 GB RSS
    and 14 s; the cap counted bytes after httpx had inflated a whole network chunk."""
    server = rogue(Behaviour.GZIP_BOMB)
    async with CommsClient(_target(server.base_url, auth), blocking=blocking) as client:
        sent, peak, elapsed = await _bounded(
            lambda: sender_for(client, journal, name="rogue").send(_sms())
        )
    result = sent.result
    assert result.outcome is Outcome.UNKNOWN and isinstance(result.error, OutcomeUnknown)
    assert result.http_status == 200 and result.request_id == REQUEST_ID
    assert "larger than 10 MB" in result.error.message and "may" in result.error.message
    assert server.requests == 1 and result.attempts == 1
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MiB"
    assert elapsed < 2 * TIMEOUT + SLACK
    entry = journal.get(sent.history_id or -1)
    assert entry is not None and entry.outcome == "unknown"


@pytest.mark.parametrize("behaviour", [Behaviour.GZIP_BOMB, Behaviour.HUGE_CHUNKED])
async def test_the_token_endpoint_answer_is_bounded_too(
    behaviour: Behaviour, rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    """It had no cap at all: a plain 200 MB answer was read whole (600 MB RSS)."""
    server = rogue(behaviour, token_ok=False, huge_bytes=200 * 2**20)
    async with CommsClient(
        _target(server.base_url, "oauth", timeout=2.0), blocking=blocking
    ) as client:
        result, peak, _ = await _bounded(lambda: client.send(_sms()))
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, NotSent)
    assert server.requests_to("/oauth/token/generate") == 1 and server.requests == 0
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("behaviour", [Behaviour.GZIP_BOMB, Behaviour.HUGE_CHUNKED])
async def test_profile_check_reads_a_bounded_answer(
    behaviour: Behaviour, rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    server = rogue(behaviour, huge_bytes=200 * 2**20)
    async with CommsClient(_target(server.base_url, timeout=2.0), blocking=blocking) as client:
        described, peak, _ = await _bounded(client.check)
    assert "HTTP 200" in described  # the status is all a check needs: it was read
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.0f} MiB"


async def test_profile_check_honours_the_timeout_and_names_the_failure(
    rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    server = rogue(Behaviour.TRICKLE, trickle_interval=0.2)
    async with CommsClient(_target(server.base_url, timeout=0.3), blocking=blocking) as client:
        started = time.monotonic()
        with pytest.raises(ConnectFailed) as failed:
            await client.check()
        elapsed = time.monotonic() - started
    assert elapsed < 0.3 + 0.3 + SLACK
    assert "within the timeout" in failed.value.message

    reset = rogue(Behaviour.RESET_BEFORE_RESPONSE)
    async with CommsClient(_target(reset.base_url), blocking=blocking) as client:
        with pytest.raises(ConnectFailed) as failed:
            await client.check()
    reason = failed.value.message.rpartition(": ")[2]
    assert reason.strip(), failed.value.message  # never "could not reach …: " and nothing


# --------------------------------------------------------------------------- unparseable answers


@pytest.mark.parametrize("auth", ["basic", "oauth"])
async def test_deeply_nested_json_is_unknown_not_a_recursion_error(
    auth: str, rogue: Callable[..., RogueServer], journal: Journal, blocking: bool
) -> None:
    """200 000 nested ``[``: json.loads raised RecursionError out of ``send``; the TUI said
    "Send failed before it completed" although the server had accepted the message."""
    server = rogue(Behaviour.DEEP_JSON)
    async with CommsClient(_target(server.base_url, auth), blocking=blocking) as client:
        sent = await sender_for(client, journal, name="rogue").send(_sms())
    result = sent.result
    assert result.outcome is Outcome.UNKNOWN and isinstance(result.error, OutcomeUnknown)
    assert result.http_status == 200 and server.requests == 1
    entry = journal.get(sent.history_id or -1)
    assert entry is not None and entry.outcome == "unknown" and entry.completed_at is not None


async def test_deeply_nested_json_from_the_token_endpoint_means_not_sent(
    rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    server = rogue(Behaviour.DEEP_JSON, token_ok=False)
    async with CommsClient(_target(server.base_url, "oauth"), blocking=blocking) as client:
        result = await client.send(_sms())
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, NotSent)
    assert server.requests == 0


@pytest.mark.parametrize("behaviour", [Behaviour.DEEP_JSON, Behaviour.GZIP_BOMB])
def test_cli_prints_one_json_object_and_exit_4(
    behaviour: Behaviour, rogue: Callable[..., RogueServer]
) -> None:
    server = rogue(behaviour)
    env = {
        "COMMS_TUI_HOST": server.base_url,
        "COMMS_TUI_USERNAME": "till.login",
        "COMMS_TUI_PASSWORD": "till-password",
        "COMMS_TUI_TIMEOUT": "1",  # the least the CLI takes
    }
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "x", "--json", env=env)
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["outcome"] == "unknown"


# --------------------------------------------------------------------------- long server text


async def test_a_5_mb_error_message_is_clipped_and_the_raw_answer_kept(
    rogue: Callable[..., RogueServer], journal: Journal, blocking: bool
) -> None:
    server = rogue(Behaviour.LONG_ERROR)
    async with CommsClient(_target(server.base_url), blocking=blocking) as client:
        sent = await sender_for(client, journal, name="rogue").send(_sms())
    result = sent.result
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, BadRequest)
    assert len(result.error.message) < 1000
    assert f"{LONG_MESSAGE_CHARS - 500} more characters" in result.error.message
    assert "raw response" in result.error.message
    # All of it stays in the raw answer, for a "see it all" view.
    assert result.response_text is not None
    assert len(result.response_text) > LONG_MESSAGE_CHARS
    entry = journal.get(sent.history_id or -1)
    assert entry is not None and entry.error == result.error.message


def test_cli_does_not_print_a_5_mb_error(rogue: Callable[..., RogueServer]) -> None:
    server = rogue(Behaviour.LONG_ERROR)
    env = {
        "COMMS_TUI_HOST": server.base_url,
        "COMMS_TUI_USERNAME": "till.login",
        "COMMS_TUI_PASSWORD": "till-password",
    }
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "x", env=env)
    assert proc.returncode == 3, proc.stderr
    assert "more characters" in proc.stdout + proc.stderr
    assert len(proc.stdout) + len(proc.stderr) < 5000


# --------------------------------------------------------------------------- upload timing


def _small_socket_buffers(
    blocking: bool = False,
) -> httpx.AsyncHTTPTransport | httpx.HTTPTransport:
    """The client's send buffer kept small, so "written" means "the server took it" (Linux
    would otherwise let megabytes sit in the kernel and the test would need long timeouts)."""
    options = [(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)]
    if blocking:
        return httpx.HTTPTransport(socket_options=options)
    return httpx.AsyncHTTPTransport(socket_options=options)


def _email_with_attachment(tmp_path: Path, size: int) -> SendRequest:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 " + os.urandom(size))
    return build_request(
        Channel.EMAIL,
        ["ops@example.com"],
        {
            "from": "north@example.com",
            "subject": "Report",
            "body": "attached",
            "attachments": [load_attachment(path)],
        },
    )


async def test_a_slow_upload_is_not_cut_off_while_it_progresses(
    rogue: Callable[..., RogueServer], tmp_path: Path, blocking: bool
) -> None:
    """~2.9 MB of body to a server reading 1.5 MB/s: ~2 s, twice connect + read timeout.
    One deadline over the whole POST made every such send a false ``unknown``."""
    server = rogue(Behaviour.OK, read_rate=1.5 * 2**20, receive_buffer=32768)
    request = _email_with_attachment(tmp_path, 2_200_000)
    total = len(request.body_bytes())
    steps: list[tuple[int, int]] = []
    target = _target(server.base_url, timeout=0.5)
    async with CommsClient(
        target, transport=_small_socket_buffers(blocking), blocking=blocking
    ) as client:
        started = time.monotonic()
        result = await client.send(request, progress=lambda done, of: steps.append((done, of)))
        elapsed = time.monotonic() - started
    assert result.outcome is Outcome.ACCEPTED, result.error
    assert elapsed > 2 * target.read_timeout  # longer than the old deadline, and still fine
    assert server.requests == 1 and result.attempts == 1
    # Progress: from 0 to the whole body, never backwards, in 64 KB steps.
    assert steps[0] == (0, total) and steps[-1] == (total, total)
    assert steps == sorted(steps)
    assert len(steps) >= total // 65536


async def test_a_stalled_upload_is_not_sent_and_ends_after_the_timeout(
    rogue: Callable[..., RogueServer], tmp_path: Path, journal: Journal, blocking: bool
) -> None:
    """The server stops reading half-way: no progress for read_timeout ends the send. The
    server never had the whole body (one JSON document), so it cannot have acted: not sent."""
    server = rogue(Behaviour.OK, stall_after=256 * 1024, receive_buffer=32768)
    request = _email_with_attachment(tmp_path, 2_200_000)
    target = _target(server.base_url, timeout=0.3)
    async with CommsClient(
        target, transport=_small_socket_buffers(blocking), blocking=blocking
    ) as client:
        started = time.monotonic()
        sent = await sender_for(client, journal, name="rogue").send(request)
        elapsed = time.monotonic() - started
    result = sent.result
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, UploadIncomplete)
    assert result.sent_nothing and "nothing was sent" in result.error.message
    assert 0 < result.error.written < result.error.total
    assert server.stalled.is_set() and server.requests == 0 and result.attempts == 1
    assert elapsed < 0.3 + 0.3 + SLACK
    entry = journal.get(sent.history_id or -1)
    assert entry is not None and entry.outcome == "rejected"


async def test_a_failing_progress_callback_does_not_fail_the_send(
    rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    server = rogue(Behaviour.OK)

    def broken(done: int, total: int) -> None:
        raise RuntimeError("a display bug")

    async with CommsClient(_target(server.base_url), blocking=blocking) as client:
        result = await client.send(_sms(), progress=broken)
    assert result.outcome is Outcome.ACCEPTED


# --------------------------------------------------------------------------- never left the machine


@pytest.mark.parametrize("token", ["tok\r\nX-Injected: 1", "tökén", " padded "])
async def test_a_token_no_header_can_carry_is_a_token_failure(
    token: str, rogue: Callable[..., RogueServer], journal: Journal, blocking: bool
) -> None:
    """Before: UnicodeEncodeError (or h11's error quoting the token) out of ``send``; the
    journal row stayed pending and read "unknown" although nothing had left."""
    server = rogue(Behaviour.OK, token_value=token)
    async with CommsClient(_target(server.base_url, "oauth"), blocking=blocking) as client:
        sent = await sender_for(client, journal, name="rogue").send(_sms())
    result = sent.result
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, AuthFailed)
    assert "nothing was sent" in result.error.message
    assert token.strip() not in result.error.message  # a credential is never quoted
    assert server.requests == 0
    entry = journal.get(sent.history_id or -1)
    assert entry is not None and entry.outcome == "rejected"


async def test_a_header_that_cannot_be_sent_is_not_sent(
    rogue: Callable[..., RogueServer], journal: Journal, blocking: bool
) -> None:
    """An attribution that got past validation (built by code, or an old profile file): the
    request is built before anything is written, so the failure is "not sent"."""
    from comms_tui.api.errors import NotPrepared
    from comms_tui.api.target import Attribution

    attribution = object.__new__(Attribution)
    object.__setattr__(attribution, "code", "Café Mumbai")
    object.__setattr__(attribution, "entity_type", "STORE_NAME")
    server = rogue(Behaviour.OK)
    async with CommsClient(_target(server.base_url), blocking=blocking) as client:
        sent = await sender_for(client, journal, name="rogue").send(_sms(), attribution=attribution)
    result = sent.result
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, NotPrepared)
    assert "ASCII" in result.error.message and "STORE_CODE" in result.error.message
    assert server.connections == 0 and server.requests == 0
    entry = journal.get(sent.history_id or -1)
    assert entry is not None and entry.outcome == "rejected"


async def test_cancelling_a_send_mid_upload_leaves_no_task_behind(
    rogue: Callable[..., RogueServer], tmp_path: Path
) -> None:
    """The TUI cancels a send when the user quits: the exchange under it goes too."""
    server = rogue(Behaviour.OK, stall_after=128 * 1024, receive_buffer=32768)
    request = _email_with_attachment(tmp_path, 2_200_000)
    target = _target(server.base_url, timeout=5.0)
    async with CommsClient(target, transport=_small_socket_buffers()) as client:
        before = asyncio.all_tasks()
        task = asyncio.create_task(client.send(request))
        assert await asyncio.to_thread(server.stalled.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert asyncio.all_tasks() == before
    assert server.requests == 0
