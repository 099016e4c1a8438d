"""Response parsing accepts §4's examples verbatim, extra fields, and per-item failures."""

from __future__ import annotations

import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.results import Notice, Outcome, ResponseFormatError, outcome_of, parse_response

DOC_EXAMPLE = {
    "status": {
        "count": 2,
        "successCount": 2,
        "code": 200,
        "success": True,
        "message": "Success",
        "statusCode": {"status": True, "message": "Success", "code": 200},
        "warnings": [],
        "warningsAsStatusCode": [],
    },
    "smsList": [
        {
            "sms": {
                "to": "919591471711",
                "body": "...",
                "scheduledTime": "2024-02-22T00:25:06+05:30",
                "sender": "",
            },
            "errors": [],
            "warnings": [],
        }
    ],
}


def test_the_documented_sms_response() -> None:
    parsed = parse_response(Channel.SMS, DOC_EXAMPLE)
    assert [(i.recipient, i.ok) for i in parsed.items] == [("919591471711", True)]
    assert parsed.status["successCount"] == 2


def test_per_item_failures_and_warnings_with_unknown_fields() -> None:
    data = {
        "status": {"count": 2, "successCount": 1, "code": 201, "newField": {"x": 1}},
        "emails": [
            {
                "email": {"to": "a@example.com", "fileHandler": None, "labelOfSender": "L"},
                "errors": [],
                "warnings": [{"code": 9001, "message": "callback not configured"}, "plain"],
            },
            {
                "email": {"to": "bad"},
                "errors": [{"code": 8055, "message": "invalid email id", "status": False}],
                "warnings": [],
                "extra": True,
            },
        ],
    }
    parsed = parse_response(Channel.EMAIL, data)
    ok, failed = parsed.items
    assert ok.ok and [str(w) for w in ok.warnings] == ["9001: callback not configured", "plain"]
    assert not failed.ok and failed.errors[0].code == 8055
    assert outcome_of(parsed.items) is Outcome.PARTIAL


def test_recipient_falls_back_to_the_request_when_not_echoed() -> None:
    data = {"whatsapp": [{"whatsappMessage": {}, "errors": [{"code": 403, "message": "m"}]}]}
    parsed = parse_response(Channel.WHATSAPP, data, recipients=["919591471711"])
    assert parsed.items[0].recipient == "919591471711"
    assert outcome_of(parsed.items) is Outcome.FAILED


@pytest.mark.parametrize("data", [[], "x", {"zalo": {"not": "a list"}}, {"zalo": [1]}])
def test_unreadable_shapes_raise_response_format_error(data: object) -> None:
    with pytest.raises(ResponseFormatError):
        parse_response(Channel.ZALO, data)


def test_notice_tolerates_odd_codes() -> None:
    assert Notice.coerce({"code": "4203", "message": "m"}).code == 4203
    assert Notice.coerce({"code": "abc", "message": "m"}).code is None
    assert Notice.coerce(None).message == "None"


def test_exit_codes_follow_the_architecture() -> None:
    assert [o.exit_code for o in Outcome] == [0, 1, 1, 3, 4]
