"""Every rule between a valid request and the wire, as the core states it once for both
front-ends: who is asked what, which notes are shown, what is merged."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.models import SmsMessage
from comms_tui.core.preflight import MAX_SEGMENTS_UNASKED, check, request_notes
from comms_tui.core.session import Session
from tests.core.conftest import real


def kinds(session: Session, recipients: list[str], body: str = "Hello", **kw: object) -> list[str]:
    request = session.build_request(Channel.SMS, recipients, {"body": body})
    return [q.kind for q in check(request, session, **kw).questions]  # type: ignore[arg-type]


def test_several_recipients_ask_on_a_real_target_not_on_the_sandbox(on_sandbox: Session) -> None:
    two = ["919591471711", "919591471712"]
    assert kinds(on_sandbox, two) == []
    question = check(
        real(on_sandbox).build_request(Channel.SMS, two, {"body": "Hi"}), real(on_sandbox)
    ).questions[0]
    assert question.kind == "send" and question.confirm == "Send 2"
    assert "2 recipients with profile acme" in question.text
    assert "--yes" in question.refusal


def test_a_production_profile_always_asks_loudly(on_sandbox: Session) -> None:
    session = real(on_sandbox, production=True)
    request = session.build_request(Channel.SMS, ["919591471711"], {"body": "Hi"})
    [question] = check(request, session).questions
    assert question.loud and "PRODUCTION profile acme" in question.text


def test_resending_failed_items_asks_even_on_the_sandbox(on_sandbox: Session) -> None:
    assert kinds(on_sandbox, ["919591471711"], resend=True) == ["send"]


def test_a_long_sms_asks_past_four_segments(on_sandbox: Session) -> None:
    four = "x" * (153 * MAX_SEGMENTS_UNASKED)
    assert kinds(on_sandbox, ["919591471711"], body=four) == []
    assert kinds(on_sandbox, ["919591471711"], body=four + "x") == ["long_sms"]


def test_the_same_recipient_twice_is_sent_once_with_a_note(on_sandbox: Session) -> None:
    request = on_sandbox.build_request(
        Channel.SMS, ["919591471711", "+91 95914 71711", "919591471712"], {"body": "Hi"}
    )
    checked = check(request, on_sandbox)
    assert checked.request.recipients == ["919591471711", "919591471712"]
    assert any("919591471711 was given more than once" in note for note in checked.notes)


def test_a_schedule_in_the_past_is_sent_at_once_with_a_note(on_sandbox: Session) -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)
    past = now - timedelta(hours=1)
    request = on_sandbox.build_request(
        Channel.SMS, ["919591471711"], {"body": "Hi", "scheduledTime": past}
    )
    [note] = check(request, on_sandbox, now=now).notes
    assert "in the past" in note and "at once" in note


def test_a_schedule_of_now_as_typed_is_not_called_past(on_sandbox: Session) -> None:
    """``+0m`` is past by the time it is checked: "now", not a warning (with microseconds)."""
    now = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)
    request = on_sandbox.build_request(
        Channel.SMS, ["919591471711"], {"body": "Hi", "scheduledTime": now - timedelta(seconds=5)}
    )
    assert check(request, on_sandbox, now=now).notes == ()


@pytest.mark.parametrize(
    ("ago", "asked"),
    [(timedelta(hours=23), False), (timedelta(days=2), True), (timedelta(days=1000), True)],
)
def test_a_schedule_long_past_asks_first_and_goes_out_at_once_if_confirmed(
    on_sandbox: Session, ago: timedelta, asked: bool
) -> None:
    """§3: a past time is sent at once — "warn, do not block". One more than a day old is more
    likely a typo in the date than meant: asked (default no), then sent as it is."""
    now = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)
    request = on_sandbox.build_request(
        Channel.SMS, ["919591471711"], {"body": "Hi", "scheduledTime": now - ago}, now=now
    )
    checked = check(request, on_sandbox, now=now)
    questions = [q for q in checked.questions if q.kind == "old_schedule"]
    assert bool(questions) is asked
    assert bool(checked.notes) is not asked  # the question says it: no note besides
    if asked:
        [question] = questions
        assert f"{ago.days:,} day" in question.text and "at once" in question.text
        assert not question.default_yes and "--yes" in question.refusal
        assert checked.request.items[0].scheduled_time == now - ago  # sent as typed


def test_a_send_goes_out_when_its_time_says_unless_that_was_past_when_sent(
    on_sandbox: Session,
) -> None:
    """What every front-end shows as "goes out" (``Sent.scheduled_for``), judged when the send
    left: a result shown later does not change its mind."""
    from comms_tui.api.results import Outcome, RedactedRequest, SendResult
    from comms_tui.core.sender import Sent

    sent_at = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)
    redacted = RedactedRequest(method="POST", url="http://sandbox/", headers={}, body={})
    result = SendResult(channel=Channel.SMS, outcome=Outcome.ACCEPTED, request=redacted)
    for when, goes_out in [
        (sent_at + timedelta(hours=3), sent_at + timedelta(hours=3)),
        (sent_at - timedelta(minutes=1), None),
        (None, None),
    ]:
        fields: dict[str, object] = (
            {"body": "Hi", "scheduledTime": when} if when else {"body": "Hi"}
        )
        request = on_sandbox.build_request(Channel.SMS, ["919591471711"], fields)
        sent = Sent(history_id=1, result=result, request=request, sent_at=sent_at)
        assert sent.scheduled_for == goes_out
        assert sent.to_json()["scheduled_for"] == (goes_out.isoformat() if goes_out else None)


def test_a_letter_sender_to_the_us_gets_a_note(on_sandbox: Session) -> None:
    request = on_sandbox.build_request(
        Channel.SMS, ["12025550100"], {"body": "Hi", "sender": "CAPNTH"}
    )
    [note] = check(request, on_sandbox).notes
    assert "United States" in note


def test_an_email_without_a_body_is_sent_with_a_note(on_sandbox: Session) -> None:
    fields = {"from": "me@example.com", "subject": "Invoice"}
    bare = on_sandbox.build_request(Channel.EMAIL, ["ana@example.com"], fields)
    checked = check(bare, on_sandbox)
    assert checked.questions == ()  # allowed: the reference's own example has no body
    assert checked.notes == ("the email has no body: it carries only the subject",)
    with_body = on_sandbox.build_request(
        Channel.EMAIL, ["ana@example.com"], {**fields, "body": "Attached."}
    )
    assert check(with_body, on_sandbox).notes == ()


def test_cc_to_several_recipients_says_each_copy_arrives_once_per_recipient(
    on_sandbox: Session,
) -> None:
    fields = {"from": "me@example.com", "subject": "Invoice", "body": "Attached."}
    to = ["ana@example.com", "bo@example.com", "cy@example.com"]
    both = on_sandbox.build_request(
        Channel.EMAIL, to, {**fields, "cc": "boss@example.com", "bcc": "audit@example.com"}
    )
    notes = check(both, on_sandbox).notes
    assert "one message per recipient: each Cc and Bcc address gets 3 copies" in notes
    cc_to_one = on_sandbox.build_request(Channel.EMAIL, to[:1], {**fields, "cc": "b@example.com"})
    assert check(cc_to_one, on_sandbox).notes == ()
    no_copies = on_sandbox.build_request(Channel.EMAIL, to, fields)
    assert not any("copies" in note for note in check(no_copies, on_sandbox).notes)


def test_control_characters_and_direction_overrides_that_go_out_are_said(
    on_sandbox: Session,
) -> None:
    """Sent as they are (they may be meant), but said: an ESC in an SMS, a right-to-left
    override making ``invoice<U+202E>fdp.exe`` read "invoiceexe.pdf"."""
    sms = on_sandbox.build_request(Channel.SMS, ["919591471711"], {"body": "Hi\x1b[31m there"})
    [note] = check(sms, on_sandbox).notes
    assert note == "the message contains control characters (␛): sent as they are"
    [item] = sms.items
    assert isinstance(item, SmsMessage) and item.body == "Hi\x1b[31m there"  # not changed
    plain = on_sandbox.build_request(
        Channel.SMS, ["919591471711"], {"body": "Line one\nline two\twith a tab, שלום\u200f"}
    )
    assert check(plain, on_sandbox).notes == ()  # line ends, tabs and RTL marks are text


def test_request_notes_need_no_journal(on_sandbox: Session) -> None:
    """What --dry-run and --curl show: the request as it will leave, and its notes."""
    request = on_sandbox.build_request(
        Channel.EMAIL,
        ["ana@example.com", "ANA@example.com"],
        {"from": "me@example.com", "subject": "s"},
    )
    merged, notes = request_notes(request)
    assert merged.recipients == ["ana@example.com"]
    assert notes == [
        "ana@example.com was given more than once: one message each",
        "the email has no body: it carries only the subject",
    ]
