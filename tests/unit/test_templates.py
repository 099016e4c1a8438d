"""Templates: placeholders found in order, filled safely, missing ones named."""

from __future__ import annotations

import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.errors import InvalidInput
from comms_tui.api.requests import build_request
from comms_tui.api.templates import fill, placeholders
from comms_tui.core.session import SANDBOX_OTP_TEMPLATE


def test_placeholders_in_order_without_duplicates_or_escaped_braces() -> None:
    assert placeholders("{otp} for {brand}. {{not}} {otp} {0} {a.b}") == ["otp", "brand"]


def test_fill_replaces_and_unescapes() -> None:
    assert fill("{otp} is it {{x}}", {"otp": "747977"}) == "747977 is it {x}"


def test_fill_names_every_missing_placeholder() -> None:
    with pytest.raises(InvalidInput) as caught:
        fill(SANDBOX_OTP_TEMPLATE, {"otp": "1", "brand": " "})
    assert caught.value.message == "fill in {brand}, {minutes}"
    assert caught.value.field == "template"


def test_fill_never_evaluates_format_fields() -> None:
    assert fill("{x.__class__}", {"x": "1"}) == "{x.__class__}"


def test_only_keeps_the_named_recipients_for_a_resend() -> None:
    request = build_request(Channel.SMS, ["919591471711", "12025550101"], {"body": "hi"})
    resend = request.only(["12025550101"])
    assert resend.recipients == ["12025550101"]
    assert resend.channel is Channel.SMS and resend.envelope == request.envelope
    with pytest.raises(InvalidInput):
        request.only([])
