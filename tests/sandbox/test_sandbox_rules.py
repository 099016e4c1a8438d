"""The plain-Python rules and state, without a server: defaults, tables, clocks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from comms_tui.sandbox.accounts import basic_header, check_basic, resolve_ou
from comms_tui.sandbox.rules import (
    MAGIC_RECIPIENTS,
    SANDBOX_CODES,
    Fault,
    RequestError,
    SandboxConfig,
    magic_fault,
)
from comms_tui.sandbox.state import RateLimiter, SandboxState
from comms_tui.sandbox.validation import format_utc, parse_scheduled_time


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_config_defaults() -> None:
    config = SandboxConfig()
    assert config.rate_limit_per_minute == 100
    assert config.token_ttl_seconds == 300
    assert config.slow_seconds == 40
    assert config.batch_limit == 100
    assert config.max_attachment_bytes == 10 * 1024 * 1024
    assert config.max_email_attachment_bytes == 20 * 1024 * 1024


@pytest.mark.parametrize("field", ["rate_limit_per_minute", "batch_limit", "token_ttl_seconds"])
def test_config_rejects_nonsense(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        SandboxConfig(**{field: 0})  # type: ignore[arg-type]


def test_code_table_is_unique_per_scope() -> None:
    keys = [(c.code, c.scope) for c in SANDBOX_CODES]
    assert len(keys) == len(set(keys))
    codes = {c.code for c in SANDBOX_CODES}
    assert {4203, 4205, 4209, 4250, 4260, 4270, 4271, 8055, 4201, 4202, 4204, 403} <= codes
    assert {1060, 1101, 4000, 498, 9001, 320001} <= codes


def test_magic_table_and_lookup() -> None:
    assert [m.digits for m in MAGIC_RECIPIENTS] == sorted(m.digits for m in MAGIC_RECIPIENTS)
    assert magic_fault("12025550144") is Fault.DROP
    assert magic_fault("12025550150@example.com") is Fault.SERVER_ERROR
    assert magic_fault("x12025550150@example.com") is Fault.NONE
    assert magic_fault("919591471711") is Fault.NONE
    request_level = {m.digits for m in MAGIC_RECIPIENTS if m.request_level}
    assert request_level == {f"120255501{d}" for d in ("22", "29", "40", "44", "50", "53")}


def test_basic_header_matches_the_contract_test_vector() -> None:
    expected = "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3"
    assert basic_header("store.server", "server123") == expected
    assert check_basic(basic_header("sandbox", "sandbox")).username == "sandbox"
    assert check_basic(basic_header("sandbox-noaccess", "sandbox")).can_write is False


def test_ou_lookup() -> None:
    assert resolve_ou(None, None, "sandbox").name == "north"
    assert resolve_ou("store_name", "south store", "sandbox").name == "south"
    with pytest.raises(RequestError) as caught:
        resolve_ou("TILL", "ghost", "sandbox")
    assert (caught.value.code.code, caught.value.http_status) == (1101, 400)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-02-22T00:25:06+05:30", "2024-02-21T18:55:06Z"),
        ("2024-02-22T00:25:06z", "2024-02-22T00:25:06Z"),
        ("2024-02-22T00:25+01:00", "2024-02-21T23:25:00Z"),
        ("2024-02-22T00:25:06,5-0100", "2024-02-22T01:25:06.500000Z"),
    ],
)
def test_scheduled_time_parsing(text: str, utc: str) -> None:
    parsed = parse_scheduled_time(text)
    assert parsed is not None and format_utc(parsed) == utc


@pytest.mark.parametrize(
    "text",
    ["2024-02-22T00:25:06", "2024-02-30T00:00:00Z", "2024-02-22 00:25:06Z", "2024-02-22T25:00Z",
     "2024-02-22T00:25:06+24:00", "22/02/2024", "", "0001-01-01T00:00:00+05:00",
     "9999-12-31T23:59:59-05:00"],
)  # fmt: skip
def test_scheduled_time_rejects(text: str) -> None:
    assert parse_scheduled_time(text) is None


def test_rate_limiter_slides_and_reports_retry_after() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    assert [limiter.try_acquire("k", 3) for _ in range(3)] == [None, None, None]
    clock.now += 20
    assert limiter.try_acquire("k", 3) == 40  # the first hit leaves the window in 40 s
    assert limiter.try_acquire("other", 3) is None
    clock.now += 39.5
    assert limiter.try_acquire("k", 3) == 1  # never 0
    clock.now += 0.5
    assert limiter.try_acquire("k", 3) is None


def test_token_expires_after_its_ttl() -> None:
    clock = FakeClock()
    state = SandboxState(SandboxConfig(token_ttl_seconds=300), clock=clock)
    token, ttl = state.issue_token("sandbox-key", "sandbox-secret")
    assert ttl == 300
    assert state.authenticate(None, token).credential == "sandbox-key"
    clock.now += 300
    with pytest.raises(RequestError) as caught:
        state.authenticate(None, token)
    assert caught.value.http_status == 498


def test_outbox_is_capped() -> None:
    from comms_tui.sandbox.accounts import NORTH
    from comms_tui.sandbox.rules import CHANNELS
    from comms_tui.sandbox.validation import validate_item

    state = SandboxState(SandboxConfig(outbox_limit=3))
    config = state.config
    for n in range(5):
        item = {"to": f"91900000000{n}", "body": "x"}
        state.store(
            CHANNELS["sms"], NORTH, "rid", [validate_item(CHANNELS["sms"], item, NORTH, config)]
        )
    assert [m["id"] for m in state.outbox()] == [3, 4, 5]


def test_format_utc_keeps_microseconds_only_when_present() -> None:
    moment = datetime(2024, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert format_utc(moment) == "2024-01-01T00:00:00Z"
