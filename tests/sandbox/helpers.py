"""Hand-built wire requests for the sandbox tests.

Deliberately independent of ``comms_tui.api`` and of the sandbox's own helpers: these tests
check the emulator against the contract, so the bytes are spelled out here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
from typing import Any

import httpx

SEND = "/v2/communications/sendMessage"
TOKEN = "/v3/oauth/token/generate"
LIST_KEYS = {"sms": "sms", "email": "email", "whatsapp": "whatsappMessage", "zalo": "zaloMessage"}
RESPONSE_KEYS = {
    "sms": ("smsList", "sms"),
    "email": ("emails", "email"),
    "whatsapp": ("whatsapp", "whatsappMessage"),
    "zalo": ("zalo", "zaloMessage"),
}
PHONE = "919591471711"


def basic(user: str = "sandbox", password: str = "sandbox") -> dict[str, str]:
    wire = f"{user}:{hashlib.md5(password.encode()).hexdigest()}"
    return {"Authorization": "Basic " + base64.b64encode(wire.encode()).decode()}


BASIC = basic()


def make_client(base_url: str, timeout: float = 10.0) -> httpx.Client:
    # TCP_NODELAY keeps keep-alive round trips at ~1 ms instead of ~40 ms.
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    return httpx.Client(base_url=base_url, timeout=timeout, transport=transport)


def sms(to: str = PHONE, body: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"to": to, "body": body, **extra}


def email(to: str = "user@example.com", **extra: Any) -> dict[str, Any]:
    item = {"to": to, "from": "noreply@example.com", "subject": "Hi", "body": "<p>Hello</p>"}
    return {**item, **extra}


def templated(
    receiver: str = PHONE, template: str = "747977 is the OTP", **extra: Any
) -> dict[str, Any]:
    return {"receiver": receiver, "template": template, **extra}


def item_for(channel: str, recipient: str | None = None) -> dict[str, Any]:
    if channel == "sms":
        return sms(recipient or PHONE)
    if channel == "email":
        return email(recipient or "user@example.com")
    return templated(recipient or PHONE)


def payload(channel: str, items: list[Any], envelope: str = "root") -> dict[str, Any]:
    inner = {LIST_KEYS.get(channel, "sms"): items}  # unknown channel: any body
    return {"root": inner} if envelope == "root" else inner


def send(
    client: httpx.Client,
    channel: str | None,
    items: list[Any],
    *,
    headers: dict[str, str] | None = None,
    envelope: str = "root",
    timeout: float | None = None,
) -> httpx.Response:
    """POST sendMessage with a JSON body built by hand (``channel=None`` omits the query)."""
    params = {} if channel is None else {"channel": channel}
    body = payload((channel or "sms").lower(), items, envelope)
    all_headers = {"Content-Type": "application/json", **(BASIC if headers is None else headers)}
    extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    return client.post(SEND, params=params, content=json.dumps(body), headers=all_headers, **extra)


def post_raw(
    client: httpx.Client, content: bytes | str, *, channel: str = "sms", **headers: str
) -> httpx.Response:
    all_headers = {"Content-Type": "application/json", **BASIC, **headers}
    return client.post(SEND, params={"channel": channel}, content=content, headers=all_headers)


def token(client: httpx.Client) -> str:
    response = client.post(TOKEN, json={"key": "sandbox-key", "secret": "sandbox-secret"})
    assert response.status_code == 200, response.text
    value = response.json()["data"]["accessToken"]
    assert isinstance(value, str)
    return value


def oauth(access_token: str) -> dict[str, str]:
    return {"X-CAP-API-OAUTH-TOKEN": access_token}


def status(response: httpx.Response) -> dict[str, Any]:
    value = response.json()["status"]
    assert isinstance(value, dict)
    return value


def item_codes(response: httpx.Response, channel: str = "sms") -> list[list[int]]:
    list_key, _ = RESPONSE_KEYS[channel]
    return [[e["code"] for e in entry["errors"]] for entry in response.json()[list_key]]


def outbox(client: httpx.Client, recipient: str | None = None) -> list[dict[str, Any]]:
    params = {} if recipient is None else {"recipient": recipient}
    messages = client.get("/sandbox/outbox", params=params).json()["messages"]
    assert isinstance(messages, list)
    return messages


def stats(client: httpx.Client) -> dict[str, Any]:
    value = client.get("/sandbox/stats").json()
    assert isinstance(value, dict)
    return value
