"""Message models: wire names, validation in a support agent's words, both envelopes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from comms_tui.api.attachments import Attachment
from comms_tui.api.channels import Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.api.models import EmailMessage, SmsMessage, ValidationContext
from comms_tui.api.requests import SendRequest, build_request, validate_item

IST = ZoneInfo("Asia/Kolkata")
INDIA = ValidationContext(region="IN", tz=IST)
# Schedules in 2030 are within the horizon (schedule.MAX_AHEAD) only when judged from near then.
LATE_2029 = datetime(2029, 12, 1, tzinfo=IST)


def test_sms_request_matches_the_documented_root_example() -> None:
    # The reference's time, judged on a day it was written: a schedule more than a year old
    # is refused as a typo (schedule.MAX_PAST).
    written = ValidationContext(region="IN", tz=IST, now=datetime(2024, 2, 21, 12, 0, tzinfo=IST))
    request = build_request(
        Channel.SMS,
        ["919591471711"],
        {"body": "747977-is the OTP", "scheduledTime": "2024-02-22T00:25:06+05:30"},
        context=written,
    )
    assert request.body() == {
        "root": {
            "sms": [
                {
                    "to": "919591471711",
                    "body": "747977-is the OTP",
                    "scheduledTime": "2024-02-22T00:25:06+05:30",
                }
            ]
        }
    }


def test_bare_envelope_drops_root() -> None:
    request = build_request(
        Channel.WHATSAPP, ["+91 95914 71711"], {"template": "hi"}, envelope="bare"
    )
    assert json.loads(request.body_bytes()) == {
        "whatsappMessage": [{"receiver": "919591471711", "template": "hi"}]
    }


def test_zalo_list_key_and_national_number_with_region() -> None:
    request = build_request(Channel.ZALO, ["095914 71711"], {"template": "x"}, context=INDIA)
    assert request.body()["root"]["zaloMessage"][0]["receiver"] == "919591471711"


def test_several_recipients_give_one_item_each() -> None:
    request = build_request(
        Channel.SMS, ["919591471711", "+1 202-555-0100"], {"body": "hi"}, context=INDIA
    )
    assert request.recipients == ["919591471711", "12025550100"]
    assert len(request.body()["root"]["sms"]) == 2


def test_email_wire_names_and_attachments() -> None:
    attachment = Attachment.from_encoded(
        file_name="a.pdf", file_type="pdf", file_data="aGVsbG8=", raw_size=5, sha256="x" * 64
    )
    request = build_request(
        Channel.EMAIL,
        ["user@example.com"],
        {
            "from": "noreply@example.com",
            "subject": "Testing",
            "body": "<p>Hello</p>",
            "cc": "a@example.com; b@example.com",
            "attachments": (attachment,),
        },
    )
    item = request.body()["root"]["email"][0]
    assert item["from"] == "noreply@example.com"
    assert item["cc"] == "a@example.com, b@example.com"
    assert "bcc" not in item
    assert item["attachments"] == {
        "attachment": [
            {
                "file_name": "a.pdf",
                "file_type": "pdf",
                "file_data": "aGVsbG8=",
                "file_encoding_type": "base64",
            }
        ]
    }
    redacted = request.redacted_body()["root"]["email"][0]["attachments"]["attachment"][0]
    assert "file_data" not in redacted and redacted["size"] == 5


def test_errors_name_every_bad_field_in_plain_words() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_request(
            Channel.EMAIL,
            ["not-an-address"],
            {"from": "noreply@example.com", "subject": " ", "body": 5},
        )
    errors = caught.value.errors
    assert set(errors) == {"to", "subject", "body"}
    assert errors["body"] == "Message must be text"
    assert "not an email address" in errors["to"]
    assert errors["subject"] == "Subject is empty"


@pytest.mark.parametrize("body", [None, "", "  \n"])
def test_an_email_without_a_body_leaves_it_off_the_wire(body: str | None) -> None:
    # The reference's own email example has no body, and the server echoes "" (§3).
    fields = {"from": "noreply@example.com", "subject": "Testingemail"}
    if body is not None:
        fields["body"] = body
    request = build_request(Channel.EMAIL, ["user@example.com"], fields)
    [item] = request.items
    assert isinstance(item, EmailMessage) and not item.has_body and item.body == ""
    assert request.body() == {
        "root": {
            "email": [
                {"to": "user@example.com", "from": "noreply@example.com", "subject": "Testingemail"}
            ]
        }
    }
    assert b'"body"' not in request.body_bytes()


def test_missing_required_field_is_reported() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_item(Channel.SMS, {"to": "919591471711"})
    assert caught.value.errors == {"body": "Message is required"}


def test_bad_phone_is_reported_on_the_recipient_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_request(Channel.SMS, ["12ab"], {"body": "hi"}, context=INDIA)
    assert set(caught.value.errors) == {"to"}


def test_sender_id_rule() -> None:
    ok = validate_item(Channel.SMS, {"to": "919591471711", "body": "x", "sender": "CAPNTH"})
    assert isinstance(ok, SmsMessage) and ok.sender == "CAPNTH"
    blank = validate_item(Channel.SMS, {"to": "919591471711", "body": "x", "sender": " "})
    assert isinstance(blank, SmsMessage) and blank.sender is None
    with pytest.raises(InvalidInput) as caught:
        validate_item(Channel.SMS, {"to": "919591471711", "body": "x", "sender": "TOO-LONG-ID!"})
    assert set(caught.value.errors) == {"sender"}


def test_naive_schedule_gets_the_profile_zone() -> None:
    item = validate_item(
        Channel.SMS,
        {"to": "919591471711", "body": "x", "scheduledTime": "2030-01-02T09:00:00"},
        ValidationContext(region="IN", tz=IST, now=LATE_2029),
    )
    assert item.wire()["scheduledTime"] == "2030-01-02T09:00:00+05:30"


def test_schedule_accepts_aware_datetimes_and_rejects_garbage() -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    fields = {"to": "919591471711", "body": "x", "scheduledTime": when}
    item = validate_item(Channel.SMS, fields, ValidationContext(now=LATE_2029))
    assert item.wire()["scheduledTime"] == "2030-01-02T03:04:05+02:00"
    with pytest.raises(InvalidInput) as caught:  # the same limits as typed text
        validate_item(Channel.SMS, fields, ValidationContext(now=LATE_2029 - timedelta(days=400)))
    assert set(caught.value.errors) == {"scheduledTime"}
    with pytest.raises(InvalidInput) as caught:
        validate_item(Channel.SMS, {"to": "919591471711", "body": "x", "scheduledTime": "soonish"})
    assert set(caught.value.errors) == {"scheduledTime"}


def test_empty_request_is_refused() -> None:
    with pytest.raises(InvalidInput):
        SendRequest(channel=Channel.SMS, items=())
    with pytest.raises(InvalidInput):
        build_request(Channel.SMS, [], {"body": "x"})


def test_item_of_the_wrong_channel_is_refused() -> None:
    sms = validate_item(Channel.SMS, {"to": "919591471711", "body": "x"})
    with pytest.raises(InvalidInput):
        SendRequest(channel=Channel.WHATSAPP, items=(sms,))


def test_channel_parse_is_case_insensitive() -> None:
    assert Channel.parse("WhatsApp") is Channel.WHATSAPP
    with pytest.raises(InvalidInput):
        Channel.parse("fax")


def test_attachment_sizes_are_derived_from_base64() -> None:
    attachment = Attachment.from_wire(
        {"file_name": "a.txt", "file_type": "txt", "file_data": "aGVsbG8="}
    )
    assert attachment.raw_size == 5
    assert attachment.encoded_size == 8
    assert len(attachment.sha256) == 64


def test_email_message_requires_from() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_item(Channel.EMAIL, {"to": "a@example.com", "subject": "s", "body": "b"})
    assert caught.value.errors == {"from": "From is required"}


def test_body_parts_splice_attachment_chunks_into_valid_json() -> None:
    from comms_tui.api.attachments import Base64Text

    data = Base64Text([b"aGVs", b"bG8g", b"d29y", b"bGQ="])
    attachment = Attachment.from_encoded(
        file_name="a.txt", file_type="txt", file_data=data, raw_size=11, sha256="0" * 64
    )
    request = build_request(
        Channel.EMAIL,
        ["a@example.com", "b@example.com"],
        {"from": "c@example.com", "subject": "s", "body": "b", "attachments": (attachment,)},
    )
    parts = request.body_parts()
    assert any(part is chunk for part in parts for chunk in data.chunks)  # not copied
    decoded = json.loads(b"".join(parts))
    files = [i["attachments"]["attachment"][0] for i in decoded["root"]["email"]]
    assert [f["file_data"] for f in files] == ["aGVsbG8gd29ybGQ="] * 2
    assert decoded == json.loads(json.dumps(request.body()))
    assert attachment.raw_size == 11 and str(attachment.file_data) == "aGVsbG8gd29ybGQ="


def test_unknown_fields_are_reported_and_python_names_are_accepted() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_item(Channel.SMS, {"to": "919591471711", "body": "x", "colour": "red"})
    assert caught.value.errors == {"colour": "unknown field 'colour'"}
    email = validate_item(
        Channel.EMAIL,
        {"to": "a@example.com", "from_": "b@example.com", "subject": "s"},
    )
    assert isinstance(email, EmailMessage) and email.wire()["from"] == "b@example.com"


def test_an_item_reads_back_what_it_writes() -> None:
    """The wire form, validated again, is the same item: attachments wrapped as on the wire,
    the schedule as its ISO text."""
    attachment = Attachment.from_encoded(
        file_name="a.pdf", file_type="pdf", file_data="aGVsbG8=", raw_size=5, sha256="x" * 64
    )
    fields = {
        "from": "noreply@example.com",
        "subject": "s",
        "body": "b",
        "scheduledTime": "2030-01-02T09:00:00+05:30",
        "attachments": (attachment,),
    }
    context = ValidationContext(region="IN", tz=IST, now=LATE_2029)
    item = validate_item(Channel.EMAIL, {"to": "a@example.com", **fields}, context)
    again = validate_item(Channel.EMAIL, item.wire(), context)
    assert again == item and again.wire() == item.wire()
    assert isinstance(again, EmailMessage) and again.attachments[0].raw_size == 5


@pytest.mark.parametrize(
    "attachments",
    [
        "a.pdf",
        [{"file_name": "a.pdf", "file_type": "pdf"}],
        [{"file_name": "a.pdf", "file_type": "pdf", "file_data": "aGVsbG8=", "extra": 1}],
        [{"file_name": "a.pdf", "file_type": "pdf", "file_data": "aGVsbG8=",
          "file_encoding_type": "hex"}],
        [{"file_name": 5, "file_type": "pdf", "file_data": "aGVsbG8="}],
    ],
)  # fmt: skip
def test_malformed_attachments_are_a_field_error(attachments: object) -> None:
    fields = {"to": "a@example.com", "from": "b@example.com", "subject": "s"}
    with pytest.raises(InvalidInput) as caught:
        validate_item(Channel.EMAIL, {**fields, "attachments": attachments})
    assert set(caught.value.errors) == {"attachments"}
