"""§6 under attack: the client, the send pipeline and ``comms-tui send`` against servers that
fail in every way we could think of — the sandbox's fault recipients and a rogue socket server.

For each fault: the outcome class and exit code (architecture.md: 0 accepted · 1 items failed ·
3 rejected, nothing sent · 4 unknown), the journal entry, and how many requests the server got.
A request that was written is never sent a second time unless the server said it did not act
(429/503 with Retry-After: one retry); a connection that failed before writing may be retried.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import (
    CommsError,
    ConnectFailed,
    NotSent,
    OutcomeUnknown,
    RateLimited,
    RequestRejected,
    ServerError,
    ServerReported,
)
from comms_tui.api.outcomes import RetryPolicy
from comms_tui.api.requests import SendRequest, build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import BasicCredentials, Credentials, OAuthCredentials, Target
from comms_tui.sandbox import EmbeddedSandbox
from comms_tui.store.history import Journal, JournalEntry
from tests.reliability.rogue_server import REQUEST_ID, Behaviour, RogueServer
from tests.support.cli import run_cli
from tests.support.sessions import sender_for

GOOD = "919591471711"
TIMEOUT = 0.5  # connect and read timeout of the client-level tests
DEADLINE = 2 * TIMEOUT  # the client's bound on one attempt: connect + read
CLI_TIMEOUT = 1.0  # --timeout and $COMMS_TUI_TIMEOUT take no less
SLACK = 1.5  # scheduling noise on a loaded 2-core CI machine
EXIT = {"accepted": 0, "partial": 1, "failed": 1, "rejected": 3, "unknown": 4}  # architecture.md


@dataclass(frozen=True)
class Expect:
    outcome: Outcome
    error: type[CommsError] | None
    requests: int  # sendMessage requests the server received in full
    http_status: int | None
    item_ok: bool | None  # every item's ok flag


ACCEPTED = Expect(Outcome.ACCEPTED, None, 1, 200, True)
UNKNOWN_NO_STATUS = Expect(Outcome.UNKNOWN, OutcomeUnknown, 1, None, None)

ROGUE_EXPECT: dict[Behaviour, Expect] = {
    Behaviour.OK: ACCEPTED,
    # Nothing listening: nothing was written, so the connect may be retried; then "not sent".
    Behaviour.REFUSE: Expect(Outcome.REJECTED, ConnectFailed, 0, None, False),
    Behaviour.RESET_BEFORE_RESPONSE: UNKNOWN_NO_STATUS,
    Behaviour.CLOSE_BEFORE_RESPONSE: UNKNOWN_NO_STATUS,
    Behaviour.HEADERS_CUT: UNKNOWN_NO_STATUS,
    Behaviour.GARBAGE: UNKNOWN_NO_STATUS,
    Behaviour.TRICKLE: UNKNOWN_NO_STATUS,
    # The status line was read, the 11 MB body was not: the server acted, we cannot tell how.
    Behaviour.HUGE: Expect(Outcome.UNKNOWN, OutcomeUnknown, 1, 200, None),
    Behaviour.HUGE_CHUNKED: Expect(Outcome.UNKNOWN, OutcomeUnknown, 1, 200, None),
    # Decision: a 2xx whose body is a readable §4 answer is believed whatever its Content-Type.
    # The server acted and told us how, item by item; calling it "unknown" would throw that
    # away and invite a manual resend of messages that went out.
    Behaviour.WRONG_CONTENT_TYPE: ACCEPTED,
    Behaviour.PROXY_502: Expect(Outcome.UNKNOWN, OutcomeUnknown, 1, 502, None),
    Behaviour.NOT_JSON_2XX: Expect(Outcome.UNKNOWN, OutcomeUnknown, 1, 200, None),
    # §6: a 500 with the API's own status body is the API saying it failed: rejected (but not
    # "nothing was sent"); any other 5xx may come from a gateway in front of an origin that
    # acted: unknown.
    Behaviour.API_500: Expect(Outcome.REJECTED, ServerReported, 1, 500, False),
    Behaviour.HTML_500: Expect(Outcome.UNKNOWN, OutcomeUnknown, 1, 500, None),
    Behaviour.ORIGIN_520: Expect(Outcome.UNKNOWN, OutcomeUnknown, 1, 520, None),
    Behaviour.TIMEOUT_599: Expect(Outcome.UNKNOWN, OutcomeUnknown, 1, 599, None),
}


def _request(*recipients: str) -> SendRequest:
    return build_request(Channel.SMS, list(recipients or (GOOD,)), {"body": "747977 is your OTP"})


def _target(base_url: str, auth: str, timeout: float = TIMEOUT) -> Target:
    credentials: Credentials = (
        BasicCredentials("till.login", "till-password")
        if auth == "basic"
        else OAuthCredentials("client-key", "client-secret")
    )
    return Target(
        base_url=base_url, credentials=credentials, connect_timeout=timeout, read_timeout=timeout
    )


def _check_entry(entry: JournalEntry | None, expect: Expect, error: CommsError | None) -> None:
    assert entry is not None
    assert entry.outcome == expect.outcome.value
    assert entry.completed_at is not None
    assert entry.http_status == expect.http_status
    assert entry.error == (error.message if error else None)
    assert [item["ok"] for item in entry.items] == [expect.item_ok]


# --------------------------------------------------------------------------- the rogue server


@pytest.mark.parametrize("auth", ["basic", "oauth"])
@pytest.mark.parametrize("behaviour", list(ROGUE_EXPECT), ids=lambda b: b.value)
async def test_client_against_a_rogue_server(
    behaviour: Behaviour,
    auth: str,
    rogue: Callable[..., RogueServer],
    journal: Journal,
    blocking: bool,
) -> None:
    expect = ROGUE_EXPECT[behaviour]
    server = rogue(behaviour)
    retry = RetryPolicy(connect_backoff=0.01)
    async with CommsClient(
        _target(server.base_url, auth), retry=retry, blocking=blocking
    ) as client:
        started = time.monotonic()
        sent = await asyncio.wait_for(
            sender_for(client, journal, name="rogue").send(_request()), 10
        )
        elapsed = time.monotonic() - started
    result = sent.result

    assert result.outcome is expect.outcome, result.error
    assert result.exit_code == EXIT[expect.outcome.value]
    assert type(result.error) is expect.error if expect.error else result.error is None
    assert result.http_status == expect.http_status
    assert [item.ok for item in result.items] == [expect.item_ok]
    assert server.requests == expect.requests
    if auth == "oauth" and behaviour is not Behaviour.REFUSE:
        assert server.requests_to("/oauth/token/generate") == 1  # no refresh on any of these
    if expect.requests:
        assert result.attempts == 1  # a written request is never sent again
        assert result.request_id == (REQUEST_ID if expect.http_status else None)
    # Bounded: whatever the server does, one attempt ends within connect + read timeout.
    assert elapsed < DEADLINE + SLACK, elapsed
    _check_entry(journal.get(sent.history_id or -1), expect, result.error)
    if expect.outcome is Outcome.UNKNOWN:
        assert "may" in (result.error.message if result.error else "")  # says it may have gone
    if expect.error is ServerReported:
        assert result.error is not None and not result.sent_nothing
        assert result.error.message == "the server reported an error (internal server error)"


async def test_refused_connections_are_retried_because_nothing_was_written(
    rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    server = rogue(Behaviour.REFUSE)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with CommsClient(
        _target(server.base_url, "basic"), sleep=sleep, blocking=blocking
    ) as client:
        result = await client.send(_request())
    assert isinstance(result.error, ConnectFailed) and result.sent_nothing
    assert result.attempts == 3 and waits == [0.5, 1.0]  # RetryPolicy: 2 retries, backoff doubled


# Every way the OAuth token call can fail happens before any message is written.
TOKEN_FAILURES = [
    Behaviour.RESET_BEFORE_RESPONSE,
    Behaviour.CLOSE_BEFORE_RESPONSE,
    Behaviour.HEADERS_CUT,
    Behaviour.GARBAGE,
    Behaviour.TRICKLE,
    Behaviour.HUGE,
    Behaviour.HUGE_CHUNKED,
    Behaviour.PROXY_502,
    Behaviour.NOT_JSON_2XX,
]


@pytest.mark.parametrize("behaviour", TOKEN_FAILURES, ids=lambda b: b.value)
async def test_a_failing_token_endpoint_means_nothing_was_sent(
    behaviour: Behaviour, rogue: Callable[..., RogueServer], journal: Journal, blocking: bool
) -> None:
    server = rogue(behaviour, token_ok=False)
    async with CommsClient(_target(server.base_url, "oauth"), blocking=blocking) as client:
        started = time.monotonic()
        sent = await asyncio.wait_for(
            sender_for(client, journal, name="rogue").send(_request()), 10
        )
        elapsed = time.monotonic() - started
    result = sent.result
    assert result.outcome is Outcome.REJECTED and result.exit_code == 3
    assert isinstance(result.error, NotSent)
    assert server.requests_to("/oauth/token/generate") == 1
    assert server.requests == 0  # no message was ever written
    assert elapsed < DEADLINE + SLACK, elapsed  # a trickling token endpoint cannot hang a send
    entry = journal.get(sent.history_id or -1)
    assert entry is not None and entry.outcome == "rejected" and entry.error == result.error.message


async def test_the_journal_entry_exists_while_the_request_is_in_flight(
    rogue: Callable[..., RogueServer], journal: Journal
) -> None:
    server = rogue(Behaviour.TRICKLE)
    async with CommsClient(_target(server.base_url, "basic")) as client:
        task = asyncio.create_task(sender_for(client, journal, name="rogue").send(_request()))
        assert await asyncio.to_thread(server.request_arrived.wait, 5)
        (entry,) = journal.list()
        assert entry.outcome == "pending" and entry.completed_at is None
        assert entry.recipients == [GOOD]
        sent = await asyncio.wait_for(task, 10)
    assert sent.history_id == entry.id
    assert journal.list()[0].outcome == "unknown"


async def test_wrong_content_type_still_reports_item_failures(
    rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    """The Content-Type decision cuts both ways: a readable body's failed items are failures."""
    server = rogue(Behaviour.WRONG_CONTENT_TYPE)
    async with CommsClient(_target(server.base_url, "basic"), blocking=blocking) as client:
        result = await client.send(_request(GOOD, "12025550100"))
    assert result.outcome is Outcome.ACCEPTED and result.count == 2
    assert [i.recipient for i in result.items] == [GOOD, "12025550100"]
    assert server.requests == 1


# --------------------------------------------------------------------------- comms-tui send


def _rogue_env(server: RogueServer) -> dict[str, str]:
    return {
        "COMMS_TUI_HOST": server.base_url,
        "COMMS_TUI_USERNAME": "till.login",
        "COMMS_TUI_PASSWORD": "till-password",
        "COMMS_TUI_TIMEOUT": str(CLI_TIMEOUT),
    }


CLI_ROGUES = [
    Behaviour.REFUSE,
    Behaviour.RESET_BEFORE_RESPONSE,
    Behaviour.GARBAGE,
    Behaviour.HUGE,
    Behaviour.WRONG_CONTENT_TYPE,
    Behaviour.PROXY_502,
    Behaviour.NOT_JSON_2XX,
    Behaviour.API_500,
    Behaviour.HTML_500,
]


@pytest.mark.parametrize("behaviour", CLI_ROGUES, ids=lambda b: b.value)
def test_cli_send_against_a_rogue_server(
    behaviour: Behaviour, rogue: Callable[..., RogueServer]
) -> None:
    expect = ROGUE_EXPECT[behaviour]
    server = rogue(behaviour)
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "x", "--json", env=_rogue_env(server))
    assert proc.returncode == EXIT[expect.outcome.value], proc.stderr
    data = json.loads(proc.stdout)
    assert data["outcome"] == expect.outcome.value
    assert data["http_status"] == expect.http_status
    assert [item["ok"] for item in data["items"]] == [expect.item_ok]
    assert (data["error"] is None) == (expect.error is None)
    assert server.requests == expect.requests
    # The subprocess journaled into the test's data dir: read the same entry here.
    entry = Journal().get(data["history_id"])
    assert entry is not None and entry.outcome == expect.outcome.value
    assert entry.http_status == expect.http_status and entry.error == data["error"]


def test_cli_timeout_bounds_a_trickling_answer(rogue: Callable[..., RogueServer]) -> None:
    server = rogue(Behaviour.TRICKLE, trickle_interval=0.1)
    env = _rogue_env(server)
    del env["COMMS_TUI_TIMEOUT"]
    started = time.monotonic()
    proc = run_cli(
        "send", "sms", "--to", GOOD, "--body", "x", "--json", "--timeout", str(CLI_TIMEOUT),
        env=env,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert proc.returncode == 4, proc.stderr
    assert json.loads(proc.stdout)["outcome"] == "unknown"
    assert server.requests == 1
    # The per-attempt deadline is the default connect timeout (5 s) + --timeout, not the trickle.
    assert elapsed < 5.0 + CLI_TIMEOUT + 3.0, elapsed
    history = run_cli("history", "--json")
    assert history.returncode == 0
    (entry,) = json.loads(history.stdout)
    assert entry["outcome"] == "unknown" and entry["completed_at"] is not None


# --------------------------------------------------------------------------- the sandbox's faults


@dataclass(frozen=True)
class Magic:
    digits: str
    outcome: Outcome
    error: type[CommsError] | None
    requests: int
    http_status: int | None
    item_ok: bool | None


MAGIC = [
    Magic("12025550100", Outcome.ACCEPTED, None, 1, 200, True),
    Magic("12025550101", Outcome.FAILED, None, 1, 201, False),  # DND: the item failed
    Magic("12025550102", Outcome.ACCEPTED, None, 1, 200, True),  # accepted with a warning
    Magic("12025550122", Outcome.UNKNOWN, OutcomeUnknown, 1, 200, None),  # truncated JSON
    Magic("12025550129", Outcome.REJECTED, RateLimited, 2, 429, False),  # Retry-After: 1 retry
    Magic("12025550140", Outcome.UNKNOWN, OutcomeUnknown, 1, None, None),  # slower than timeout
    Magic("12025550144", Outcome.UNKNOWN, OutcomeUnknown, 1, None, None),  # dropped connection
    Magic("12025550150", Outcome.REJECTED, ServerReported, 1, 500, False),  # API status body
    Magic("12025550153", Outcome.REJECTED, ServerError, 2, 503, False),  # Retry-After: 1 retry
]


@pytest.mark.parametrize("auth", ["basic", "oauth"])
@pytest.mark.parametrize("magic", MAGIC, ids=lambda m: m.digits)
async def test_sender_against_the_sandbox_fault_recipients(
    magic: Magic, auth: str, fresh: EmbeddedSandbox, journal: Journal, blocking: bool
) -> None:
    credentials: Credentials = (
        BasicCredentials("sandbox", "sandbox")
        if auth == "basic"
        else OAuthCredentials("sandbox-key", "sandbox-secret")
    )
    target = Target(base_url=fresh.base_url, credentials=credentials, read_timeout=1.0)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with CommsClient(target, sleep=sleep, blocking=blocking) as client:
        sent = await sender_for(client, journal, name="sandbox").send(_request(magic.digits))
    result = sent.result
    assert result.outcome is magic.outcome, result.error
    assert result.exit_code == EXIT[magic.outcome.value]
    assert type(result.error) is magic.error if magic.error else result.error is None
    assert fresh.state.stats()["requests"] == magic.requests
    assert waits == [1.0] * (magic.requests - 1)  # the one retry waited for Retry-After
    assert result.attempts == magic.requests
    if isinstance(result.error, (RequestRejected, ServerReported)):
        assert result.error.http_status == magic.http_status
    entry = journal.get(sent.history_id or -1)
    assert entry is not None and entry.outcome == magic.outcome.value
    assert entry.http_status == magic.http_status
    assert entry.request_id == result.request_id
    assert [item["ok"] for item in entry.items] == [magic.item_ok]
    stored = fresh.state.outbox(magic.digits)
    # What the outbox holds is what went out: unknown may have gone, rejected never did.
    if magic.outcome is Outcome.REJECTED or magic.outcome is Outcome.FAILED:
        assert stored == []


@pytest.mark.parametrize("magic", MAGIC, ids=lambda m: m.digits)
def test_cli_send_against_the_sandbox_fault_recipients(
    magic: Magic, fresh: EmbeddedSandbox, tmp_path: Path
) -> None:
    env = {
        "COMMS_TUI_HOST": fresh.base_url,
        "COMMS_TUI_USERNAME": "sandbox",
        "COMMS_TUI_PASSWORD": "sandbox",
        "COMMS_TUI_TIMEOUT": "1",
    }
    proc = run_cli("send", "sms", "--to", magic.digits, "--body", "x", "--json", env=env)
    assert proc.returncode == EXIT[magic.outcome.value], proc.stderr
    data = json.loads(proc.stdout)
    assert data["outcome"] == magic.outcome.value and data["http_status"] == magic.http_status
    assert fresh.state.stats()["requests"] == magic.requests
    entry = Journal().get(data["history_id"])
    assert entry is not None
    assert (entry.outcome, entry.http_status) == (magic.outcome.value, magic.http_status)
    assert entry.request_id == data["request_id"] and entry.error == data["error"]
    assert [item["ok"] for item in entry.items] == [magic.item_ok]


def test_cli_refuses_text_that_is_not_utf8_before_anything_is_sent(
    fresh: EmbeddedSandbox,
) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates (argv, stdin): no JSON body can
    carry them. They are invalid input (exit 2), not a crash after the journal entry."""
    env = {
        "COMMS_TUI_HOST": fresh.base_url,
        "COMMS_TUI_USERNAME": "sandbox",
        "COMMS_TUI_PASSWORD": "sandbox",
    }
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "caf\udce9", "--json", env=env)
    assert proc.returncode == 2, proc.stderr
    assert "body" in proc.stderr and "UTF-8" in proc.stderr and "Traceback" not in proc.stderr
    assert fresh.state.stats()["requests"] == 0
    assert Journal().list() == []
