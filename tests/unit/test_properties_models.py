"""Property tests for the models and the wire: whatever goes in, only our own error comes out.

- Any field values → a valid model, or ``InvalidInput`` — never another exception, and a model
  that validated can always be serialised, fingerprinted and journaled.
- Models ⇄ JSON: a request's body bytes, read back and validated again, give the same wire dict;
  a §4 answer echoing it parses to one accepted item per recipient.
- The client never raises on any HTTP answer, whatever its body.
- The sandbox never answers 5xx to a well-formed request outside its fault recipients.
(SMS segment counting and phone idempotence are in test_properties_text.py.)
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from comms_tui.api.attachments import Attachment
from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import InvalidInput
from comms_tui.api.models import ValidationContext
from comms_tui.api.requests import SendRequest, build_request, validate_item
from comms_tui.api.results import (
    Outcome,
    ResponseFormatError,
    SendResult,
    outcome_of,
    parse_response,
)
from comms_tui.api.target import BasicCredentials, Target
from comms_tui.core.guard import fingerprints
from comms_tui.core.session import Session
from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig
from comms_tui.sandbox.accounts import NORTH, SOUTH, basic_header

MODELS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HTTP = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELDS: dict[Channel, tuple[str, ...]] = {
    Channel.SMS: ("to", "body", "sender", "scheduledTime"),
    Channel.EMAIL: ("to", "from", "subject", "body", "cc", "bcc", "attachments", "scheduledTime"),
    Channel.WHATSAPP: ("receiver", "template", "scheduledTime"),
    Channel.ZALO: ("receiver", "template", "scheduledTime"),
}

# --------------------------------------------------------------------------- strategies

# Text as a terminal may deliver it: lone surrogates are what Python makes of bytes that are
# not UTF-8 (surrogateescape on argv and stdin), so they must be in the mix.
surrogates = st.sampled_from(["\udcff", "\ud800", "\udfff"])
any_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=20),
    st.builds(lambda a, s, b: a + s + b, st.text(max_size=8), surrogates, st.text(max_size=8)),
)
phones = st.sampled_from(
    [
        "919591471711",
        "+91 95914 71711",
        "09591471711",
        "(+65) 8123 4567",
        "12025550100",
        "12025550144",
        "+1 (202) 555-0101",
        "0044 20 7946 0958",
        "+",
        "00",
        "١٢٣",
    ]
)
emails = st.sampled_from(
    ["user@example.com", "a.b+c@mail.example.co.in", "12025550102@example.com", "no-at-sign"]
)
email_lists = st.sampled_from(["a@example.com; b@example.com", "a@example.com,,", "x@y", ""])
schedules = st.one_of(
    st.sampled_from(
        ["now", "+15m", "+1h30m", "tomorrow", "today 18:30", "23:59", "24:00", "+99999999d"]
    ),
    st.sampled_from(["2024-02-22T00:25:06+05:30", "2024-02-30T00:00Z", "0001-01-01T00:00+14:00"]),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
)
senders = st.sampled_from(["CAPNTH", "919000000001", "TOOLONGSENDERID", "bad id", "🙂"])
b64 = st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode())
attachment_dicts = st.fixed_dictionaries(
    {"file_name": any_text, "file_type": any_text, "file_data": b64 | any_text},
    optional={"file_encoding_type": st.sampled_from(["base64", "hex"]), "extra": st.integers()},
)
attachments = st.one_of(
    st.lists(attachment_dicts, max_size=2),
    st.lists(attachment_dicts, max_size=2).map(tuple),
    st.lists(attachment_dicts, max_size=2).map(lambda items: {"attachment": items}),
    st.builds(
        Attachment,
        file_name=st.text(min_size=1, max_size=9),
        file_type=st.just("pdf"),
        file_data=b64,
    ).map(lambda a: (a,)),
)
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=8),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
)
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "to": phones | emails,
    "receiver": phones,
    "body": any_text,
    "template": any_text,
    "subject": any_text,
    "sender": senders,
    "scheduledTime": schedules,
    "from": emails,
    "cc": email_lists | emails,
    "bcc": email_lists | emails,
    "attachments": attachments,
}
contexts = st.builds(
    ValidationContext,
    region=st.sampled_from([None, "IN", "US", "SG", "DE", "XX"]),
    tz=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30))]) | st.timezones(),
)


@st.composite
def item_fields(draw: st.DrawFn, channel: Channel) -> dict[str, Any]:
    """Some of the channel's fields (sometimes an unknown one), each plausible, text or junk."""
    fields: dict[str, Any] = {}
    for name in FIELDS[channel]:
        if draw(st.integers(0, 5)):  # usually present
            fields[name] = draw(PLAUSIBLE[name] | any_text | junk)
    if draw(st.integers(0, 9)) == 0:
        fields[draw(st.sampled_from(["mobile", "to", "unknown", "from_"]))] = draw(any_text | junk)
    return fields


channels = st.sampled_from(list(Channel))

VALID: dict[str, st.SearchStrategy[Any]] = {
    "to": st.sampled_from(["919591471711", "+91 95914 71711", "+65 8123 4567", "12025550101"]),
    "receiver": st.sampled_from(["919591471711", "+1 (202) 555-0102", "+84 91 234 56 78"]),
    "body": st.text(min_size=1).filter(str.strip),
    "template": st.text(min_size=1).filter(str.strip),
    "subject": st.text(min_size=1).filter(str.strip),
    "sender": st.sampled_from(["CAPNTH", "919000000001", "A1", "", None]),
    "scheduledTime": st.one_of(
        st.none(),
        st.sampled_from(["now", "+15m", "+1h30m", "tomorrow 09:00", "2024-02-22T00:25:06+05:30"]),
        st.datetimes(timezones=st.timezones()),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    ),
    "from": st.sampled_from(["north@sandbox.example", "no-reply@mail.example.co.in"]),
    "cc": st.sampled_from([None, "", "a@example.com", "a@example.com; b@example.com"]),
    "bcc": st.sampled_from([None, "c@example.com, d@example.com"]),
    "attachments": st.one_of(
        st.just(()),
        st.lists(
            st.builds(
                lambda name, raw: {
                    "file_name": name,
                    "file_type": "pdf",
                    "file_data": base64.b64encode(raw).decode(),
                },
                st.text(min_size=1, max_size=12),
                st.binary(max_size=32),
            ),
            min_size=1,
            max_size=2,
        ),
    ),
}
REQUIRED = {
    Channel.SMS: {"to", "body"},
    Channel.EMAIL: {"to", "from", "subject", "body"},
    Channel.WHATSAPP: {"receiver", "template"},
    Channel.ZALO: {"receiver", "template"},
}


@st.composite
def valid_fields(draw: st.DrawFn, channel: Channel) -> dict[str, Any]:
    """Fields that usually validate: every required one, some optional ones."""
    fields: dict[str, Any] = {}
    for name in FIELDS[channel]:
        if name in REQUIRED[channel] or draw(st.booleans()):
            strategy = VALID[name]
            if name == "to" and channel is Channel.EMAIL:
                strategy = st.sampled_from(["user@example.com", "12025550102@example.com"])
            fields[name] = draw(strategy)
    return fields


def _reread(request: SendRequest, context: ValidationContext) -> list[dict[str, Any]]:
    """The request's bytes as the server would read them, validated again item by item."""
    data = json.loads(request.body_bytes())
    inner = data["root"] if request.envelope == "root" else data
    assert list(inner) == [request.channel.list_key]
    return [
        validate_item(request.channel, raw, context).wire()
        for raw in inner[request.channel.list_key]
    ]


def _assert_usable(request: SendRequest) -> None:
    """Everything the send pipeline does with a valid request before the network works."""
    request.body_bytes()
    session = Session(target=Target("https://x.example", BasicCredentials("u", "p")), profile=None)
    assert len(fingerprints(request, session)) == len(request.items)
    json.dumps(request.redacted_body(), ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------- models


@MODELS
@given(channel=channels, data=st.data(), context=contexts)
def test_any_fields_give_a_model_or_invalid_input(
    channel: Channel, data: st.DataObject, context: ValidationContext
) -> None:
    fields = data.draw(item_fields(channel))
    try:
        message = validate_item(channel, fields, context)
    except InvalidInput as exc:
        assert exc.message and exc.errors  # names at least one field, with a message
        return
    _assert_usable(SendRequest(channel=channel, items=(message,)))


@MODELS
@given(
    channel=channels,
    data=st.data(),
    recipients=st.lists(phones | emails | any_text | junk, max_size=4),
    context=contexts,
    envelope=st.sampled_from(["root", "bare"]),
)
def test_build_request_gives_a_request_or_invalid_input(
    channel: Channel,
    data: st.DataObject,
    recipients: list[Any],
    context: ValidationContext,
    envelope: str,
) -> None:
    fields = data.draw(item_fields(channel))
    try:
        request = build_request(channel, recipients, fields, context=context, envelope=envelope)  # type: ignore[arg-type]
    except InvalidInput as exc:
        assert exc.message
        return
    assert len(request.items) == len(recipients)
    _assert_usable(request)


@MODELS
@given(
    channel=channels,
    data=st.data(),
    context=contexts,
    envelope=st.sampled_from(["root", "bare"]),
)
def test_models_round_trip_through_json(
    channel: Channel, data: st.DataObject, context: ValidationContext, envelope: str
) -> None:
    fields = data.draw(valid_fields(channel))
    try:
        message = validate_item(channel, fields, context)
    except InvalidInput:
        assume(False)
        return
    request = SendRequest(channel=channel, items=(message, message), envelope=envelope)  # type: ignore[arg-type]
    assert _reread(request, context) == [message.wire(), message.wire()]
    # The wire form is a fixed point: a model read from it is the model it came from (the wire
    # drops sub-second precision of a schedule, so compare from the first re-read on).
    once = validate_item(channel, json.loads(json.dumps(message.wire())), context)
    assert validate_item(channel, once.wire(), context) == once


@MODELS
@given(channel=channels, data=st.data(), context=contexts)
def test_a_section_4_echo_parses_to_accepted_items(
    channel: Channel, data: st.DataObject, context: ValidationContext
) -> None:
    fields = data.draw(valid_fields(channel))
    try:
        message = validate_item(channel, fields, context)
    except InvalidInput:
        assume(False)
        return
    request = SendRequest(channel=channel, items=(message,))
    list_key, item_key = channel.response_keys
    sent = json.loads(request.body_bytes())["root"][channel.list_key]
    answer = {
        "status": {"count": 1, "successCount": 1, "code": 200, "success": True},
        list_key: [{item_key: item, "errors": [], "warnings": []} for item in sent],
    }
    parsed = parse_response(channel, json.loads(json.dumps(answer)), recipients=request.recipients)
    assert [(i.recipient, i.ok) for i in parsed.items] == [(message.recipient, True)]
    assert outcome_of(parsed.items) is Outcome.ACCEPTED


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def answers(draw: st.DrawFn, channel: Channel) -> Any:
    """JSON shaped more or less like §4: right keys, wrong types, missing bits."""
    list_key, item_key = channel.response_keys
    item = st.fixed_dictionaries(
        {},
        optional={
            item_key: json_values | st.fixed_dictionaries({"to": st.text(max_size=12)}),
            "errors": json_values
            | st.lists(
                st.fixed_dictionaries({"code": json_values, "message": json_values}), max_size=2
            ),
            "warnings": json_values,
        },
    )
    shaped = st.fixed_dictionaries(
        {},
        optional={
            "status": json_values,
            list_key: st.lists(item | json_values, max_size=3) | json_values,
        },
    )
    return draw(shaped | json_values)


@MODELS
@given(channel=channels, data=st.data())
def test_parse_response_reads_or_raises_its_own_error(
    channel: Channel, data: st.DataObject
) -> None:
    answer = data.draw(answers(channel))
    try:
        parsed = parse_response(channel, answer, recipients=["919591471711"])
    except ResponseFormatError:
        return
    # One item per recipient sent, whatever the answer holds; an item the status block puts in
    # doubt is unknown, else its own errors decide.
    assert len(parsed.items) == (1 if parsed.answered else 0)
    for item in parsed.items:
        assert item.recipient == "919591471711"
        assert item.ok is None or item.ok is (not item.errors)
        assert item.ok is not None or not item.errors


@HTTP
@given(
    status=st.sampled_from([200, 201, 204, 400, 401, 403, 404, 415, 429, 498, 500, 502, 503, 504]),
    raw=st.binary(max_size=40),
    retry_after=st.sampled_from(["0", "1", "soon", "99999"]),
    channel=channels,
    data=st.data(),
)
def test_the_client_never_raises_on_any_answer(
    status: int, raw: bytes, retry_after: str, channel: Channel, data: st.DataObject
) -> None:
    body = json.dumps(data.draw(answers(channel))).encode() if data.draw(st.booleans()) else raw
    calls: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        headers = {"Content-Type": "application/json", "Retry-After": retry_after}
        return httpx.Response(status, content=body, headers=headers)

    async def no_wait(seconds: float) -> None:
        pass

    target = Target(base_url="http://127.0.0.1:9", credentials=BasicCredentials("u", "p"))
    request = build_request(channel, [_good_recipient(channel)], _good_fields(channel))

    async def send() -> SendResult:
        transport = httpx.MockTransport(answer)
        async with CommsClient(target, transport=transport, sleep=no_wait) as client:
            return await client.send(request)

    result = asyncio.run(send())
    assert result.http_status == status and result.count >= 1
    # A written request goes out again only where the server said it did not act: a 429, or a
    # 503 in the API's status body, with a Retry-After we are willing to wait for (an
    # unreadable one means one second).
    said = status == 429 or (status == 503 and _api_said(body))
    retried = said and retry_after != "99999"
    assert len(calls) == (2 if retried else 1)
    if status in (502, 504):
        assert result.outcome is Outcome.UNKNOWN
    elif status == 500:
        # The API's own status body: it says it failed (rejected), not that nothing went out.
        assert result.outcome is (Outcome.REJECTED if _api_said(body) else Outcome.UNKNOWN)
        assert not result.sent_nothing
    elif status == 503 and not _api_said(body):  # a proxy's 503: the origin may have acted
        assert result.outcome is Outcome.UNKNOWN and not result.sent_nothing
    elif status >= 300:
        assert result.outcome is Outcome.REJECTED and result.sent_nothing


def _api_said(body: bytes) -> bool:
    """Whether ``body`` is the API's §4 status answer (computed here, not by the code under
    test)."""
    try:
        answer_status = json.loads(body).get("status")
    except (ValueError, AttributeError):
        return False
    return isinstance(answer_status, dict) and bool(
        {"code", "success", "statusCode"} & set(answer_status)
    )


def _good_recipient(channel: Channel) -> str:
    return "user@example.com" if channel is Channel.EMAIL else "919591471711"


def _good_fields(channel: Channel) -> dict[str, str]:
    if channel is Channel.SMS:
        return {"body": "hi"}
    if channel is Channel.EMAIL:
        return {"from": "a@example.com", "subject": "s", "body": "b"}
    return {"template": "t"}


# --------------------------------------------------------------------------- the sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    # No rate limit in the way: the property is about validation, not throttling.
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=1_000_000)) as running:
        yield running


@pytest.fixture(scope="module")
def http(sandbox: EmbeddedSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as client:
        yield client


well_formed_phones = st.one_of(
    st.from_regex(r"91[6-9][0-9]{9}", fullmatch=True),  # India
    st.from_regex(r"65[89][0-9]{7}", fullmatch=True),  # Singapore
    st.from_regex(r"1[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True).filter(
        lambda d: not d.startswith("120255501")  # the sandbox's fault recipients
    ),
)
well_formed_emails = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-z][a-z0-9._+-]{0,15}", fullmatch=True).filter(lambda s: ".." not in s),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["com", "example", "co.in"]),
)
texts = st.text(min_size=1, max_size=200).filter(lambda s: s.strip())
offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
wire_times = st.one_of(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
    ).map(lambda d: d.isoformat(timespec="seconds")),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
    ),
)
wire_attachments = st.lists(
    st.builds(
        lambda name, kind, raw: {
            "file_name": f"{name}.{kind}",
            "file_type": kind,
            "file_data": base64.b64encode(raw).decode(),
            "file_encoding_type": "base64",
        },
        st.from_regex(r"[A-Za-z0-9 _-]{1,12}", fullmatch=True),
        st.sampled_from(["pdf", "png", "txt", "csv"]),
        st.binary(max_size=64),
    ),
    min_size=1,
    max_size=2,
).map(lambda items: {"attachment": items})


@st.composite
def well_formed_item(draw: st.DrawFn, channel: str, senders: tuple[str, ...]) -> dict[str, Any]:
    item: dict[str, Any]
    if channel == "sms":
        item = {"to": draw(well_formed_phones), "body": draw(texts)}
        if draw(st.booleans()):
            item["sender"] = draw(st.sampled_from(senders))
    elif channel == "email":
        item = {
            "to": draw(well_formed_emails),
            "from": draw(well_formed_emails),
            "subject": draw(texts),
            "body": draw(texts),
        }
        for name in ("cc", "bcc"):
            if draw(st.booleans()):
                item[name] = ", ".join(draw(st.lists(well_formed_emails, min_size=1, max_size=2)))
        if draw(st.booleans()):
            item["attachments"] = draw(wire_attachments)
    else:
        item = {"receiver": draw(well_formed_phones), "template": draw(texts)}
    if draw(st.booleans()):
        item["scheduledTime"] = draw(wire_times)
    return item


@HTTP
@given(
    channel=st.sampled_from(["sms", "email", "whatsapp", "zalo"]),
    envelope=st.sampled_from(["root", "bare"]),
    south=st.booleans(),
    data=st.data(),
)
def test_the_sandbox_accepts_well_formed_requests_without_5xx(
    channel: str,
    envelope: str,
    south: bool,
    data: st.DataObject,
    sandbox: EmbeddedSandbox,
    http: httpx.Client,
) -> None:
    ou = SOUTH if south else NORTH
    key = {"sms": "sms", "email": "email", "whatsapp": "whatsappMessage", "zalo": "zaloMessage"}
    items = data.draw(st.lists(well_formed_item(channel, ou.sender_ids), min_size=1, max_size=3))
    body = {key[channel]: items}
    headers = {
        "Content-Type": "application/json",
        "Authorization": basic_header("sandbox", "sandbox"),
    }
    if south:
        headers["X-CAP-API-ATTRIBUTION-LOOKUP-TYPE"] = "TILL"
        headers["X-CAP-API-ATTRIBUTION-LOOKUP"] = "south.till"
    response = http.post(
        f"/v2/communications/sendMessage?channel={channel}",
        content=json.dumps({"root": body} if envelope == "root" else body),
        headers=headers,
    )
    assert response.status_code < 500, response.text
    # Stronger than "no 5xx": a well-formed request is accepted, every item of it.
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"]["successCount"] == answer["status"]["count"] == len(items)


def test_the_sandbox_refuses_a_lone_surrogate_with_400_not_500(http: httpx.Client) -> None:
    """Valid JSON syntax (an escaped lone surrogate) that no UTF-8 answer can echo back."""
    response = http.post(
        "/v2/communications/sendMessage?channel=sms",
        content=b'{"root": {"sms": [{"to": "919591471711", "body": "a\\ud800b"}]}}',
        headers={
            "Content-Type": "application/json",
            "Authorization": basic_header("sandbox", "sandbox"),
        },
    )
    assert response.status_code == 400, response.text
    assert "not valid" in response.json()["status"]["message"]
