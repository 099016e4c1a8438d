"""Magic recipients in the fictional +1 202-555-01xx range, each fault over a real socket."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from comms_tui.sandbox import EmbeddedSandbox

from .conftest import SLOW_SECONDS
from .helpers import (
    BASIC,
    email,
    item_for,
    make_client,
    outbox,
    send,
    sms,
    stats,
    status,
    templated,
)


@pytest.fixture
def fresh_client(sandbox: EmbeddedSandbox) -> Iterator[httpx.Client]:
    """A client of its own, for faults that break or abandon its connection."""
    sandbox.state.reset()
    with make_client(sandbox.base_url) as http:
        yield http


def test_100_is_a_plain_accept(client: httpx.Client) -> None:
    response = send(client, "sms", [sms("12025550100")])
    assert response.status_code == 200
    assert response.json()["smsList"][0]["warnings"] == []
    assert outbox(client, "12025550100")[0]["warnings"] == []


@pytest.mark.parametrize("channel", ["sms", "email", "whatsapp", "zalo"])
def test_101_fails_the_item_as_do_not_disturb(client: httpx.Client, channel: str) -> None:
    recipient = "12025550101@example.com" if channel == "email" else "12025550101"
    response = send(client, channel, [item_for(channel, recipient), item_for(channel)])
    assert response.status_code == 201
    assert (status(response)["count"], status(response)["successCount"]) == (2, 1)
    entry = next(iter(v for k, v in response.json().items() if k != "status"))[0]
    assert entry["errors"] == [
        {"code": 4209, "message": "recipient is on the do-not-disturb list", "status": False}
    ]
    assert len(outbox(client)) == 1


@pytest.mark.parametrize(
    ("channel", "recipient"), [("sms", "12025550102"), ("email", "12025550102@example.com")]
)
def test_102_is_accepted_with_warning_9001(
    client: httpx.Client, channel: str, recipient: str
) -> None:
    response = send(client, channel, [item_for(channel, recipient)])
    assert response.status_code == 200
    entry = next(iter(v for k, v in response.json().items() if k != "status"))[0]
    warning = {"code": 9001, "message": "delivery report callback not configured"}
    assert entry["errors"] == [] and entry["warnings"] == [warning]
    assert outbox(client, recipient)[0]["warnings"] == [warning]


def test_129_is_429_with_retry_after_and_nothing_stored(client: httpx.Client) -> None:
    response = send(client, "sms", [sms(), sms("12025550129")])
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert status(response)["code"] == 429
    assert outbox(client) == []


def test_150_is_500_and_nothing_stored(client: httpx.Client) -> None:
    response = send(client, "whatsapp", [templated(), templated("12025550150")])
    assert response.status_code == 500
    assert status(response)["code"] == 500
    assert response.headers["X-Cap-Requestid"]
    assert outbox(client) == []


def test_153_is_503_retry_later(client: httpx.Client) -> None:
    response = send(client, "sms", [sms("12025550153")])
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert status(response)["message"] == "authorization status unavailable, retry later"
    assert outbox(client) == []


def test_the_first_faulting_item_decides(client: httpx.Client) -> None:
    response = send(client, "zalo", [templated("12025550153"), templated("12025550150")])
    assert response.status_code == 503
    response = send(client, "zalo", [templated("12025550150"), templated("12025550153")])
    assert response.status_code == 500


def test_email_local_part_and_cc_trigger_faults(client: httpx.Client) -> None:
    assert send(client, "email", [email("12025550150@example.com")]).status_code == 500
    assert send(client, "email", [email(cc="12025550129@example.org")]).status_code == 429


def test_140_answers_normally_after_slow_seconds(client: httpx.Client) -> None:
    started = time.monotonic()
    response = send(client, "sms", [sms("12025550140")])
    assert time.monotonic() - started >= SLOW_SECONDS
    assert response.status_code == 200
    assert [m["recipient"] for m in outbox(client)] == ["12025550140"]


def test_140_still_stores_after_the_client_gave_up(fresh_client: httpx.Client) -> None:
    with pytest.raises(httpx.ReadTimeout):
        send(fresh_client, "sms", [sms("12025550140")], timeout=0.2)
    assert outbox(fresh_client) == []  # still sleeping
    deadline = time.monotonic() + SLOW_SECONDS + 2
    while not outbox(fresh_client) and time.monotonic() < deadline:
        time.sleep(0.05)
    # The outcome was unknown to the client, but the server did act.
    assert [m["recipient"] for m in outbox(fresh_client)] == ["12025550140"]


def test_144_drops_the_connection_without_any_response(fresh_client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        send(fresh_client, "sms", [sms("12025550144")])
    assert outbox(fresh_client) == []
    assert stats(fresh_client) == {"requests": 1, "by_recipient": {"12025550144": 1}}
    assert send(fresh_client, "sms", [sms()]).status_code == 200  # the server lives on


def test_144_sends_no_bytes_at_all_on_a_raw_socket(sandbox: EmbeddedSandbox) -> None:
    body = json.dumps({"sms": [{"to": "12025550144", "body": "x"}]}).encode()
    host, port = sandbox.base_url.removeprefix("http://").split(":")
    request = (
        f"POST /v2/communications/sendMessage HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: {BASIC['Authorization']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(request)
        assert raw.recv(1024) == b""  # orderly close, zero bytes


def test_122_is_200_with_truncated_json_and_stored(client: httpx.Client) -> None:
    response = send(client, "sms", [sms("12025550122")])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.content.startswith(b'{"status":')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert [m["recipient"] for m in outbox(client)] == ["12025550122"]
    assert stats(client)["requests"] == 1


def test_fault_requests_are_counted(client: httpx.Client) -> None:
    for recipient in ("12025550129", "12025550150", "12025550153", "12025550122"):
        send(client, "sms", [sms(recipient)])
    counted = stats(client)
    assert counted["requests"] == 4
    assert set(counted["by_recipient"]) == {
        "12025550129",
        "12025550150",
        "12025550153",
        "12025550122",
    }
