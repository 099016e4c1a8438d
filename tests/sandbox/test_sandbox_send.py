"""sendMessage over real HTTP: envelopes, channels, request-level 4xx and per-item validation."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest

from .helpers import (
    BASIC,
    PHONE,
    RESPONSE_KEYS,
    email,
    item_codes,
    item_for,
    outbox,
    post_raw,
    send,
    sms,
    status,
    templated,
)

CHANNELS = ["sms", "email", "whatsapp", "zalo"]


def test_sms_root_envelope_answers_exactly_like_the_contract(client: httpx.Client) -> None:
    response = send(client, "sms", [sms(PHONE, "747977 is the OTP")])
    assert response.status_code == 200
    assert response.json() == {
        "status": {
            "count": 1,
            "successCount": 1,
            "code": 200,
            "success": True,
            "message": "Success",
            "statusCode": {"status": True, "message": "Success", "code": 200},
            "warnings": [],
            "warningsAsStatusCode": [],
        },
        "smsList": [
            {
                # An unrequested sender is echoed as "" (the reference's own example).
                "sms": {"to": PHONE, "body": "747977 is the OTP", "sender": ""},
                "errors": [],
                "warnings": [],
            }
        ],
    }
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Cap-Requestid"])
    assert outbox(client)[0]["sender"] == "CAPNTH"  # what went out: the OU's default


def test_bare_envelope_is_accepted_too(client: httpx.Client) -> None:
    response = send(client, "sms", [sms()], envelope="bare")
    assert response.status_code == 200
    assert status(response)["successCount"] == 1
    assert [m["recipient"] for m in outbox(client)] == [PHONE]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("envelope", ["root", "bare"])
def test_every_channel_uses_its_own_response_keys(
    client: httpx.Client, channel: str, envelope: str
) -> None:
    item = item_for(channel)
    response = send(client, channel, [item], envelope=envelope)
    assert response.status_code == 200, response.text
    list_key, item_key = RESPONSE_KEYS[channel]
    entry = response.json()[list_key][0]
    assert entry["errors"] == [] and entry["warnings"] == []
    assert {k: entry[item_key][k] for k in item} == item  # the echo carries the item back
    [stored] = outbox(client)
    assert stored["channel"] == channel and stored["ou"] == "north"
    assert stored["requestId"] == response.headers["X-Cap-Requestid"]


@pytest.mark.parametrize("spelling", ["SMS", "Sms", "WhatsApp", "EMAIL", "zAlO"])
def test_channel_is_case_insensitive(client: httpx.Client, spelling: str) -> None:
    channel = spelling.lower()
    response = send(client, spelling, [item_for(channel)])
    assert response.status_code == 200
    assert RESPONSE_KEYS[channel][0] in response.json()


def test_channel_defaults_to_sms(client: httpx.Client) -> None:
    response = send(client, None, [sms()])
    assert response.status_code == 200
    assert outbox(client)[0]["channel"] == "sms"


def test_unknown_channel_is_400_with_a_status_object(client: httpx.Client) -> None:
    response = send(client, "pigeon", [sms()])
    assert response.status_code == 400
    body = status(response)
    assert body["code"] == 400 and body["success"] is False
    assert body["count"] == 0 and body["successCount"] == 0
    assert body["statusCode"] == {"status": False, "message": body["message"], "code": 400}
    assert "pigeon" in body["message"]
    assert response.headers["X-Cap-Requestid"]
    assert outbox(client) == []


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_is_415(client: httpx.Client, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = client.post(
        "/v2/communications/sendMessage?channel=sms",
        content=b'{"root": {"sms": [{"to": "919591471711", "body": "x"}]}}',
        headers={**headers, **BASIC},
    )
    assert response.status_code == 415
    assert status(response)["code"] == 415
    assert response.json()["smsList"] == []


def test_json_content_type_with_charset_is_fine(client: httpx.Client) -> None:
    body = '{"sms": [{"to": "919591471711", "body": "x"}]}'
    response = post_raw(client, body, **{"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"root": {"sms": []}}',
        '{"root": {}}',
        '{"root": []}',
        '{"root": {"email": [{"to": "a@b.co"}]}}',
        '{"root": {"sms": {"to": "919591471711"}}}',
        '{"root": {"sms": ["919591471711"]}}',
        '{"sms": [{"to": "919591471711", "body": NaN}]}',
        '{"sms": [{"to": "919591471711", "body": "x", "n": -1e999}]}',
        b'{"sms": [{"to": "\xff"}]}',
        "[" * 100_000,
    ],
    ids=[
        "not-json",
        "array",
        "empty-list",
        "no-list-key",
        "root-not-object",
        "wrong-channel-key",
        "list-not-array",
        "item-not-object",
        "nan",
        "float-overflow",
        "bad-utf8",
        "deep-nesting",
    ],
)
def test_malformed_bodies_are_400_not_crashes(client: httpx.Client, content: str | bytes) -> None:
    response = post_raw(client, content)
    assert response.status_code == 400, response.text
    assert status(response)["code"] == 400
    assert response.json()["smsList"] == []


def test_batch_limit_is_1060(client: httpx.Client) -> None:
    response = send(client, "sms", [sms() for _ in range(101)])
    assert response.status_code == 400
    body = status(response)
    assert (body["code"], body["message"]) == (1060, "batch limit exceeded")
    assert outbox(client) == []
    full = send(client, "sms", [sms() for _ in range(100)])
    assert full.status_code == 200 and status(full)["successCount"] == 100


def _one_item_fails(
    client: httpx.Client, channel: str, item: dict[str, Any], code: int
) -> dict[str, Any]:
    response = send(client, channel, [item])
    assert response.status_code == 201, response.text
    body = status(response)
    assert (body["code"], body["count"], body["successCount"]) == (201, 1, 0)
    assert body["message"] == "one or more requests failed"
    list_key, _ = RESPONSE_KEYS[channel]
    errors = response.json()[list_key][0]["errors"]
    assert code in [e["code"] for e in errors], errors
    assert all(e["status"] is False and isinstance(e["message"], str) for e in errors)
    assert outbox(client) == []
    return next(e for e in errors if e["code"] == code)


B64 = base64.b64encode(b"%PDF-1.4 tiny").decode()


def _attachment(**overrides: Any) -> dict[str, Any]:
    entry = {"file_name": "a.pdf", "file_type": "pdf", "file_data": B64}
    return {**entry, "file_encoding_type": "base64", **overrides}


def _image(**overrides: Any) -> dict[str, Any]:
    entry = {"file_name": "logo.png", "file_type": "png", "file_data": B64}
    return {**entry, "file_encoding_type": "base64", **overrides}


def _plain_text(**overrides: Any) -> dict[str, Any]:
    # The reference's other form: TXT as plain text, no file_encoding_type.
    return {"file_name": "notes.txt", "file_type": "txt", "file_data": "héllo\n", **overrides}


ITEM_ERRORS = [
    ("sms", {"body": "x"}, 4203),
    ("sms", {"to": "", "body": "x"}, 4203),
    ("sms", sms(body=""), 4203),
    ("sms", {"to": PHONE}, 4203),
    ("sms", sms("+919591471711"), 4205),
    ("sms", sms("9195914"), 4205),
    ("sms", sms("9195914717112345"), 4205),
    ("sms", sms("91959147171a"), 4205),
    ("sms", {"to": 919591471711, "body": "x"}, 4205),  # a number, not a string
    ("email", email("not-an-email"), 8055),
    ("email", email(cc="ok@example.com, broken"), 8055),
    ("email", email(bcc=["x@"]), 8055),
    ("email", {**email(), "from": "noreply"}, 8055),
    ("email", {k: v for k, v in email().items() if k != "subject"}, 4201),
    ("email", email(body=42), 4202),
    ("email", email(body=["<p>Hi</p>"]), 4202),
    ("whatsapp", {"template": "hi"}, 403),
    ("zalo", {"template": "hi"}, 403),
    ("whatsapp", {"receiver": PHONE}, 4204),
    ("zalo", templated(template=""), 4204),
    ("whatsapp", templated("0091-9591"), 4205),
    ("sms", sms(scheduledTime="2024-02-22T00:25:06"), 4260),
    ("sms", sms(scheduledTime="2024-02-22"), 4260),
    ("whatsapp", templated(scheduledTime="tomorrow"), 4260),
    ("email", email(scheduledTime=1708541706), 4260),
    ("email", email(attachments={"attachment": [_attachment(file_encoding_type="hex")]}), 4270),
    ("email", email(attachments={"attachment": [_attachment(file_data="@@not base64@@")]}), 4270),
    ("email", email(attachments=[_attachment()]), 4270),
    ("email", email(attachments={"attachment": [{"file_data": B64}]}), 4270),
    # Images must be base64 with the type; plain text must still be text.
    ("email", email(attachments={"attachment": [_image(file_encoding_type=None)]}), 4270),
    ("email", email(attachments={"attachment": [_plain_text(file_data=123)]}), 4270),
]


@pytest.mark.parametrize(("channel", "item", "code"), ITEM_ERRORS)
def test_item_validation_codes(
    client: httpx.Client, channel: str, item: dict[str, Any], code: int
) -> None:
    _one_item_fails(client, channel, item, code)


def test_invalid_mobile_and_sender_messages(client: httpx.Client) -> None:
    assert _one_item_fails(client, "sms", sms("12"), 4205)["message"] == "invalid mobile number"
    error = _one_item_fails(client, "sms", sms(sender="CAPSTH"), 4250)
    assert error["message"] == "sender ID CAPSTH is not configured for OU north"


def test_attachment_limits_are_4271(client: httpx.Client, sandbox: Any) -> None:
    limit = sandbox.config.max_attachment_bytes
    big = base64.b64encode(b"x" * (limit + 1)).decode()
    _one_item_fails(
        client, "email", email(attachments={"attachment": [_attachment(file_data=big)]}), 4271
    )
    # Each file fits, together they pass the per-email limit.
    part = base64.b64encode(b"x" * (limit - 1)).decode()
    two = [_attachment(file_data=part), _attachment(file_name="b.pdf", file_data=part)]
    _one_item_fails(client, "email", email(attachments={"attachment": two}), 4271)


def test_valid_attachment_is_stored_by_size_and_not_echoed(client: httpx.Client) -> None:
    item = email(
        cc="", bcc="a@example.com, b@example.org", attachments={"attachment": [_attachment()]}
    )
    response = send(client, "email", [item])
    assert response.status_code == 200, response.text
    echo = response.json()["emails"][0]["email"]
    assert echo["senderEmail"] == "north@sandbox.example"
    # The reference echoes attachments as a list.
    assert echo["attachments"] == [{k: v for k, v in _attachment().items() if k != "file_data"}]
    [stored] = outbox(client)
    assert stored["attachments"] == [{"file_name": "a.pdf", "file_type": "pdf", "size": 13}]
    assert (stored["from"], stored["subject"], stored["cc"]) == ("noreply@example.com", "Hi", [])
    assert stored["bcc"] == ["a@example.com", "b@example.org"]


def test_partial_failure_is_201_item_by_item(client: httpx.Client) -> None:
    response = send(client, "sms", [sms(), sms(body=""), sms("919000000002")])
    assert response.status_code == 201
    body = status(response)
    assert (body["count"], body["successCount"], body["success"]) == (3, 2, False)
    assert body["statusCode"]["code"] == 201
    assert item_codes(response) == [[], [4203], []]
    assert [m["recipient"] for m in outbox(client)] == [PHONE, "919000000002"]


def test_configured_sender_is_used_and_echoed(client: httpx.Client) -> None:
    response = send(client, "sms", [sms(sender="NRTHSMS"), sms(sender="919000000001"), sms()])
    assert response.status_code == 200
    echoed = [entry["sms"]["sender"] for entry in response.json()["smsList"]]
    assert echoed == ["NRTHSMS", "919000000001", ""]  # unrequested: echoed as ""
    assert [m["sender"] for m in outbox(client)] == ["NRTHSMS", "919000000001", "CAPNTH"]


@pytest.mark.parametrize(
    ("given", "utc"),
    [
        ("2024-02-22T00:25:06+05:30", "2024-02-21T18:55:06Z"),
        ("2024-02-22T09:25:06Z", "2024-02-22T09:25:06Z"),
        ("2019-12-31T20:00:00-08:00", "2020-01-01T04:00:00Z"),
        ("2024-02-22T00:25:06.250+0530", "2024-02-21T18:55:06.250000Z"),
    ],
)
def test_past_scheduled_time_is_accepted_echoed_as_sent_and_stored_in_utc(
    client: httpx.Client, given: str, utc: str
) -> None:
    response = send(client, "whatsapp", [templated(scheduledTime=given)])
    assert response.status_code == 200, response.text
    # The reference echoes the time as sent, offset included; the outbox normalises it.
    assert response.json()["whatsapp"][0]["whatsappMessage"]["scheduledTime"] == given
    assert outbox(client)[0]["scheduledTime"] == utc


def test_omitted_scheduled_time_is_stored_as_null(client: httpx.Client) -> None:
    send(client, "sms", [sms()])
    [stored] = outbox(client)
    assert stored["scheduledTime"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stored["receivedAt"])


def test_an_email_without_a_body_is_accepted_and_echoes_an_empty_one(
    client: httpx.Client,
) -> None:
    item = {k: v for k, v in email().items() if k != "body"}
    response = send(client, "email", [item])
    assert response.status_code == 200, response.text
    echo = response.json()["emails"][0]["email"]
    assert echo["body"] == "" and (echo["cc"], echo["bcc"]) == ("", "")
    assert outbox(client)[0]["body"] == ""


def test_the_email_echo_has_the_reference_shape(client: httpx.Client) -> None:
    response = send(client, "email", [email(scheduledTime="2024-02-22T00:25:06+05:30")])
    echo = response.json()["emails"][0]["email"]
    assert list(echo) == [
        "to", "body", "scheduledTime", "cc", "bcc", "from", "subject",
        "fileHandler", "attachments", "labelOfSender", "senderEmail", "replyToEmail",
    ]  # fmt: skip
    assert (echo["fileHandler"], echo["attachments"]) == ([], [])
    assert echo["scheduledTime"] == "2024-02-22T00:25:06+05:30"
    assert echo["labelOfSender"] == "Sandbox North"
    assert echo["senderEmail"] == echo["replyToEmail"] == "north@sandbox.example"


def test_both_attachment_forms_of_the_reference_are_accepted(client: httpx.Client) -> None:
    files = [_attachment(), _plain_text(), _plain_text(file_encoding_type="")]
    response = send(client, "email", [email(attachments={"attachment": files})])
    assert response.status_code == 200, response.text
    [stored] = outbox(client)
    assert [(a["file_name"], a["size"]) for a in stored["attachments"]] == [
        ("a.pdf", 13),
        ("notes.txt", 7),  # "héllo\n" as UTF-8, as sent
        ("notes.txt", 7),
    ]
    echoed = response.json()["emails"][0]["email"]["attachments"]
    assert all("file_data" not in entry for entry in echoed)


def test_an_image_without_its_encoding_type_names_the_rule(client: httpx.Client) -> None:
    error = _one_item_fails(
        client, "email", email(attachments={"attachment": [_image(file_encoding_type=None)]}), 4270
    )
    assert "file_encoding_type base64 is required for PNG" in error["message"]
