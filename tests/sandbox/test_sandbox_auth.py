"""Credentials, OAuth tokens, attribution headers (OUs and sender IDs) and the rate limit."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig

from .helpers import (
    BASIC,
    PHONE,
    TOKEN,
    basic,
    make_client,
    oauth,
    outbox,
    send,
    sms,
    stats,
    status,
    token,
)


def test_basic_header_is_user_colon_md5_hex(client: httpx.Client) -> None:
    md5 = hashlib.md5(b"sandbox").hexdigest()
    header = "Basic " + base64.b64encode(f"sandbox:{md5}".encode()).decode()
    response = send(client, "sms", [sms()], headers={"Authorization": header})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("authorization", "hint"),
    [
        ("Basic " + base64.b64encode(b"sandbox:sandbox").decode(), "MD5"),
        (
            "Basic "
            + base64.b64encode(
                b"sandbox:" + hashlib.md5(b"sandbox").hexdigest().upper().encode()
            ).decode(),
            "lowercase",
        ),
        (basic("sandbox", "wrong")["Authorization"], "wrong password"),
        (basic("nobody", "sandbox")["Authorization"], "wrong password"),
        ("Basic !!!not-base64!!!", "base64"),
        ("Bearer abc", "Basic"),
    ],
    ids=["clear-password", "upper-md5", "wrong-password", "unknown-user", "bad-base64", "bearer"],
)
def test_bad_basic_credentials_are_401(client: httpx.Client, authorization: str, hint: str) -> None:
    response = send(client, "sms", [sms()], headers={"Authorization": authorization})
    assert response.status_code == 401
    assert status(response)["code"] == 401
    assert hint in status(response)["message"]
    assert response.headers["X-Cap-Requestid"]
    assert outbox(client) == []


def test_missing_credentials_are_401(client: httpx.Client) -> None:
    response = send(client, "sms", [sms()], headers={})
    assert response.status_code == 401
    assert "missing credentials" in status(response)["message"]


def test_user_without_write_access_is_403_code_4000(client: httpx.Client) -> None:
    response = send(client, "sms", [sms()], headers=basic("sandbox-noaccess", "sandbox"))
    assert response.status_code == 403
    body = status(response)
    assert body["code"] == 4000
    assert body["message"] == "access denied: needs WRITE on the Communication access group"
    assert outbox(client) == []


def test_token_generation_matches_the_contract(client: httpx.Client) -> None:
    response = client.post(TOKEN, json={"key": "sandbox-key", "secret": "sandbox-secret"})
    assert response.status_code == 200
    body = response.json()
    assert body["errors"] is None and body["data"]["ttlSeconds"] == 300
    access = body["data"]["accessToken"]
    header, claims, _signature = access.split(".")  # JWT-looking, opaque to clients
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(base64.urlsafe_b64decode(claims + "=="))["sub"] == "sandbox-key"
    assert response.headers["X-Cap-Requestid"]
    assert send(client, "sms", [sms()], headers=oauth(access)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{"key": "sandbox-key", "secret": "nope"}, {"key": "other", "secret": "sandbox-secret"}, {}],
)
def test_bad_client_key_or_secret_is_401_320001(client: httpx.Client, body: dict[str, str]) -> None:
    response = client.post(TOKEN, json=body)
    assert response.status_code == 401
    assert response.json() == {
        "data": None,
        "errors": [{"code": 320001, "message": "Invalid client key and secret"}],
    }


def test_token_endpoint_rejects_non_json(client: httpx.Client) -> None:
    response = client.post(
        TOKEN, content=b"key=sandbox-key", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["data"] is None and response.json()["errors"][0]["code"] == 415


def test_unknown_token_is_401(client: httpx.Client) -> None:
    response = send(client, "sms", [sms()], headers=oauth("made.up.token"))
    assert response.status_code == 401
    assert "unknown OAuth token" in status(response)["message"]


def test_both_credentials_at_once_is_400(client: httpx.Client) -> None:
    response = send(client, "sms", [sms()], headers={**BASIC, **oauth(token(client))})
    assert response.status_code == 400
    assert "not both" in status(response)["message"]


def test_expired_token_is_498_and_a_fresh_one_works(client: httpx.Client) -> None:
    old = token(client)
    assert client.post("/sandbox/tokens/expire").json() == {"expired": 1}
    response = send(client, "sms", [sms()], headers=oauth(old))
    assert response.status_code == 498
    assert (status(response)["code"], status(response)["message"]) == (498, "OAuth token expired")
    assert outbox(client) == []
    assert send(client, "sms", [sms()], headers=oauth(token(client))).status_code == 200
    assert len(outbox(client)) == 1


@pytest.mark.parametrize(
    ("lookup_type", "lookup", "ou"),
    [
        (None, "south.till", "south"),
        ("TILL", "south.till", "south"),
        ("till", "north.till", "north"),
        ("STORE_CODE", "SOUTH01", "south"),
        ("STORE_NAME", "South Store", "south"),
        ("STORE_EXTERNAL_ID", "S-001", "south"),
        ("STORE_CODE", "NORTH01", "north"),
        ("STORE_EXTERNAL_ID", "N-001", "north"),
    ],
)
def test_basic_attribution_headers_pick_the_ou(
    client: httpx.Client, lookup_type: str | None, lookup: str, ou: str
) -> None:
    headers = {**BASIC, "X-CAP-API-ATTRIBUTION-LOOKUP": lookup}
    if lookup_type is not None:
        headers["X-CAP-API-ATTRIBUTION-LOOKUP-TYPE"] = lookup_type
    response = send(client, "sms", [sms()], headers=headers)
    assert response.status_code == 200
    default_sender = {"north": "CAPNTH", "south": "CAPSTH"}[ou]
    assert response.json()["smsList"][0]["sms"]["sender"] == ""  # unrequested: echoed as ""
    assert (outbox(client)[0]["ou"], outbox(client)[0]["sender"]) == (ou, default_sender)


def test_south_has_its_own_sender_ids(client: httpx.Client) -> None:
    headers = {**BASIC, "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE": "STORE_CODE"}
    headers["X-CAP-API-ATTRIBUTION-LOOKUP"] = "SOUTH01"
    response = send(client, "sms", [sms(sender="STHSMS"), sms(sender="CAPNTH")], headers=headers)
    assert response.status_code == 201
    entries = response.json()["smsList"]
    assert entries[0]["errors"] == [] and entries[0]["sms"]["sender"] == "STHSMS"
    assert entries[1]["errors"] == [
        {
            "code": 4250,
            "message": "sender ID CAPNTH is not configured for OU south",
            "status": False,
        }
    ]


def test_oauth_attribution_uses_the_entity_headers(client: httpx.Client) -> None:
    headers = {
        **oauth(token(client)),
        "X-CAP-API-ATTRIBUTION-ENTITY-TYPE": "TILL",
        "X-CAP-API-ATTRIBUTION-ENTITY-CODE": "south.till",
    }
    response = send(client, "sms", [sms()], headers=headers)
    assert response.status_code == 200
    assert outbox(client)[0]["sender"] == "CAPSTH"
    # The Basic-style header names mean nothing to an OAuth call: back to the own till.
    headers = {**oauth(token(client)), "X-CAP-API-ATTRIBUTION-LOOKUP": "south.till"}
    send(client, "sms", [sms()], headers=headers)
    assert [m["ou"] for m in outbox(client)] == ["south", "north"]


@pytest.mark.parametrize(
    ("lookup_type", "lookup", "message"),
    [
        ("TILL", "nope.till", "attribution entity not found: TILL nope.till"),
        ("STORE_CODE", "EAST01", "attribution entity not found: STORE_CODE EAST01"),
        ("WAREHOUSE", "SOUTH01", "attribution entity not found: WAREHOUSE SOUTH01"),
    ],
)
def test_unknown_attribution_is_1101(
    client: httpx.Client, lookup_type: str, lookup: str, message: str
) -> None:
    headers = {
        **BASIC,
        "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE": lookup_type,
        "X-CAP-API-ATTRIBUTION-LOOKUP": lookup,
    }
    response = send(client, "sms", [sms()], headers=headers)
    assert response.status_code == 400
    assert (status(response)["code"], status(response)["message"]) == (1101, message)


@pytest.fixture(scope="module")
def limited() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=3)) as running:
        yield running


def test_rate_limit_is_per_credential_with_retry_after(limited: EmbeddedSandbox) -> None:
    with make_client(limited.base_url) as client:
        for _ in range(3):
            assert send(client, "sms", [sms()]).status_code == 200
        refused = send(client, "sms", [sms()])
        assert refused.status_code == 429
        assert status(refused)["code"] == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert len(outbox(client)) == 3
        # Another credential has its own window, and token calls do not count.
        access = token(client)
        for _ in range(3):
            assert send(client, "sms", [sms()], headers=oauth(access)).status_code == 200
        assert send(client, "sms", [sms()], headers=oauth(access)).status_code == 429
        assert stats(client)["requests"] == 8
        assert stats(client)["by_recipient"] == {PHONE: 8}
