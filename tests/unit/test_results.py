"""Response parsing accepts §4's examples verbatim, extra fields, and per-item failures."""

from __future__ import annotations

import time

import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.results import (
    ItemResult,
    Notice,
    Outcome,
    ResponseFormatError,
    outcome_of,
    parse_response,
)

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


def test_the_recipient_is_the_one_sent_even_when_not_echoed() -> None:
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


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ({"code": "4205", "message": None}, 4205, ""),
        ({"code": 4205}, 4205, ""),
        ({"code": 4205, "message": {"en": "déjà", "n": [1, True]}}, 4205,
         '{"en": "déjà", "n": [1, true]}'),
        ({"code": 4205, "message": 12}, 4205, "12"),
        (None, None, "null"),
        (["a", None], None, '["a", null]'),
        ("plain text", None, "plain text"),
    ],
)  # fmt: skip
def test_a_notice_that_is_not_text_reads_as_the_json_it_came_as(
    raw: object, code: int | None, message: str
) -> None:
    """Never Python's rendering (``{'code': '4205', 'message': None}``) in output or JSON."""
    notice = Notice.coerce(raw)
    assert (notice.code, notice.message) == (code, message)
    assert str(notice) == (message if code is None else f"{code}: {message}".removesuffix(": "))


def test_exit_codes_follow_the_architecture() -> None:
    assert [o.exit_code for o in Outcome] == [0, 1, 1, 3, 4]


# --------------------------------------------------------------------------- the whole answer


def _status(**fields: object) -> dict[str, object]:
    return {"status": fields}


def _sms_items(*errors: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{"sms": {"to": "919591471711"}, "errors": e, "warnings": []} for e in errors]


DND = [{"code": 4209, "message": "do not disturb", "status": False}]


def test_a_status_that_says_failure_is_never_accepted_and_says_why() -> None:
    data = {
        "status": {
            "count": 1,
            "successCount": 0,
            "code": 400,
            "success": False,
            "message": "invalid input",
            "statusCode": {"status": False, "message": "invalid input", "code": 400},
        },
        "smsList": _sms_items([]),
    }
    parsed = parse_response(Channel.SMS, data, recipients=["919591471711"])
    assert [item.ok for item in parsed.items] == [None]
    assert outcome_of(parsed.items) is Outcome.UNKNOWN
    assert "the status block says 0 of 1 succeeded but no item carries an error" in (
        parsed.disagreements
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"success": False}, "success is false"),
        ({"statusCode": {"status": False}}, "statusCode.status is false"),
        ({"code": 400}, "code is 400"),
        ({"code": "1060"}, "code is 1060"),
        ({"count": 2, "successCount": 1}, "1 of 2 succeeded"),
        ({"success": "false"}, "success is false"),
    ],
)
def test_each_failure_field_of_the_status_block_counts_on_its_own(
    status: dict[str, object], expected: str
) -> None:
    data = {"status": status, "smsList": _sms_items([], [])}
    parsed = parse_response(Channel.SMS, data, recipients=["919591471711", "919591471712"])
    assert [item.ok for item in parsed.items] == [None, None]
    assert any(expected in sentence for sentence in parsed.disagreements), parsed.disagreements


def test_a_partial_answer_whose_status_agrees_has_no_disagreement() -> None:
    # The sandbox's (and the doc's) partial failure: HTTP 201, success false, 1 of 2.
    status: dict[str, object] = {"count": 2, "successCount": 1, "code": 201, "success": False}
    status["statusCode"] = {"status": False, "message": "one or more requests failed", "code": 201}
    parsed = parse_response(
        Channel.SMS, {"status": status, "smsList": _sms_items([], DND)}, recipients=["1", "2"]
    )
    assert [item.ok for item in parsed.items] == [True, False]
    assert parsed.disagreements == [] and outcome_of(parsed.items) is Outcome.PARTIAL


def test_a_status_claiming_more_successes_than_the_items_keeps_the_item_errors() -> None:
    status = {"count": 2, "successCount": 2, "code": 200, "success": True}
    parsed = parse_response(
        Channel.SMS, {"status": status, "smsList": _sms_items([], DND)}, recipients=["1", "2"]
    )
    assert [item.ok for item in parsed.items] == [True, False]
    assert parsed.disagreements == [
        "the status block says 2 of 2 succeeded but only 1 item carries no error"
    ]


def test_a_status_that_contradicts_itself_is_said_so() -> None:
    status = {"count": 1, "successCount": 1, "code": 500, "success": True}
    parsed = parse_response(
        Channel.SMS, {"status": status, "smsList": _sms_items([])}, recipients=["1"]
    )
    assert [item.ok for item in parsed.items] == [None]
    assert parsed.disagreements[0].startswith("the status block contradicts itself: success is")
    assert any("code is 500" in d for d in parsed.disagreements)


def test_the_status_count_against_the_items_answered() -> None:
    status = {"count": 3, "successCount": 1, "code": 200, "success": True}
    parsed = parse_response(
        Channel.SMS, {"status": status, "smsList": _sms_items([])}, recipients=["1"]
    )
    assert "the status block counts 3 messages but the answer holds 1 item" in (
        parsed.disagreements
    )


def test_status_warnings_are_read_tolerantly_and_once() -> None:
    status = {
        "code": 200,
        "success": True,
        "warnings": [{"code": 9001, "message": "callback not configured"}, "plain text", None],
        "warningsAsStatusCode": [
            {"status": False, "code": "9001", "message": "callback not configured"},
            {"code": 9002, "message": "low credit", "extra": {"x": 1}},
        ],
    }
    parsed = parse_response(Channel.SMS, {"status": status, "smsList": _sms_items([])})
    assert [str(n) for n in parsed.warnings] == [
        "9001: callback not configured",
        "plain text",
        "9002: low credit",
    ]


@pytest.mark.parametrize("value", ["one lone warning", {"code": 7, "message": "m"}, 5, True, {}])
def test_odd_warning_shapes_never_raise(value: object) -> None:
    parsed = parse_response(
        Channel.SMS, {"status": {"warnings": value, "warningsAsStatusCode": value}}
    )
    assert len(parsed.warnings) <= 1


def test_the_echo_is_not_the_recipient() -> None:
    # The reference answers a request to 919591471711 with "to": "9919591471711".
    data = {"smsList": [{"sms": {"to": "9919591471711", "sender": ""}, "errors": []}]}
    parsed = parse_response(Channel.SMS, data, recipients=["919591471711"])
    [item] = parsed.items
    assert item.recipient == "919591471711" and item.echo["to"] == "9919591471711"
    assert item.to_json()["recipient"] == "919591471711"


def test_items_beyond_those_sent_are_an_anomaly_never_successes() -> None:
    data = {"status": {"count": 2, "successCount": 2}, "smsList": _sms_items([], [])}
    parsed = parse_response(Channel.SMS, data, recipients=["919591471711"])
    assert [(i.recipient, i.ok) for i in parsed.items] == [("919591471711", True)]
    assert (parsed.answered, parsed.extra_items, parsed.success_count) == (2, 1, 1)
    assert parsed.anomalies == [
        "the server answered 2 items for 1 sent; the 1 extra is not counted"
    ]


def test_fifty_thousand_extra_items_cost_nothing() -> None:
    raw = _sms_items(*([[]] * 50_000))
    started = time.perf_counter()
    parsed = parse_response(Channel.SMS, {"smsList": raw}, recipients=["919591471711"])
    assert time.perf_counter() - started < 0.05
    assert len(parsed.items) == 1 and parsed.extra_items == 49_999


def test_fewer_items_than_sent_leave_the_rest_unknown() -> None:
    data = {"smsList": _sms_items([])}
    parsed = parse_response(Channel.SMS, data, recipients=["919591471711", "919591471712"])
    assert [(i.recipient, i.ok) for i in parsed.items] == [
        ("919591471711", True),
        ("919591471712", None),
    ]
    assert outcome_of(parsed.items) is Outcome.UNKNOWN
    assert parsed.anomalies == [
        "the server answered 1 item for 2 sent; what became of the other 1 is unknown"
    ]


def test_outcome_of_items() -> None:
    def items(*oks: bool | None) -> list[ItemResult]:
        return [ItemResult(recipient=str(i), ok=ok) for i, ok in enumerate(oks)]

    assert outcome_of(items(True, True)) is Outcome.ACCEPTED
    assert outcome_of(items(True, False)) is Outcome.PARTIAL
    assert outcome_of(items(False, False)) is Outcome.FAILED
    assert outcome_of(items(True, None)) is Outcome.UNKNOWN
    assert outcome_of(items(False, None)) is Outcome.UNKNOWN
