"""The duplicate guard: what counts as "the same message to the same person", and where."""

from __future__ import annotations

import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.requests import SendRequest
from comms_tui.core.guard import fingerprints, visible_text
from comms_tui.core.session import Session
from tests.core.conftest import real


def sms(session: Session, to: str, body: str, sender: str | None = None) -> SendRequest:
    fields = {"body": body} if sender is None else {"body": body, "sender": sender}
    return session.build_request(Channel.SMS, [to], fields)


def email(session: Session, to: str, subject: str = "Hi", body: str = "Hello") -> SendRequest:
    fields = {"from": "noreply@example.com", "subject": subject, "body": body}
    return session.build_request(Channel.EMAIL, [to], fields)


@pytest.mark.parametrize(
    ("typed", "again"),
    [
        ("Your order has shipped", "Your order has shipped "),  # a trailing space
        ("Your order has shipped", "Your order has shipped\n"),  # a trailing newline
        ("Line one\r\nline two", "Line one\nline two"),  # CRLF vs LF
        ("Caf\u00e9 is open", "Cafe\u0301 is open"),  # NFC vs NFD: the same é
        ("two lines  \nhere", "two lines\nhere"),  # blanks at a line's end
    ],
)
def test_text_a_person_reads_the_same_is_the_same_message(
    on_sandbox: Session, typed: str, again: str
) -> None:
    session = real(on_sandbox)
    first = fingerprints(sms(session, "919591471711", typed), session)
    assert first == fingerprints(sms(session, "919591471711", again), session)


def test_the_default_sender_named_or_not_is_the_same_sender(on_sandbox: Session) -> None:
    session = real(on_sandbox)  # its OU's default sender is CAPNTH
    plain = fingerprints(sms(session, "919591471711", "Hi"), session)
    assert plain == fingerprints(sms(session, "919591471711", "Hi", sender="CAPNTH"), session)
    assert plain == fingerprints(sms(session, "919591471711", "Hi", sender="capnth"), session)
    assert plain != fingerprints(sms(session, "919591471711", "Hi", sender="NRTHSMS"), session)


def test_an_address_is_the_mailbox_it_reaches(on_sandbox: Session) -> None:
    session = real(on_sandbox)
    assert fingerprints(email(session, "Ana@Example.COM"), session) == fingerprints(
        email(session, "ana@example.com"), session
    )


def test_different_content_channel_or_recipient_is_a_different_message(
    on_sandbox: Session,
) -> None:
    session = real(on_sandbox)
    base = fingerprints(sms(session, "919591471711", "x"), session)
    whatsapp = session.build_request(Channel.WHATSAPP, ["919591471711"], {"template": "x"})
    others = [
        fingerprints(sms(session, "919591471711", "y"), session),
        fingerprints(sms(session, "919591471712", "x"), session),
        fingerprints(whatsapp, session),
    ]
    assert all(base != other for other in others)
    # The same number written another way is the same recipient.
    assert base == fingerprints(sms(session, "+91 95914 71711", "x"), session)


def test_sandbox_sends_never_match_real_ones(on_sandbox: Session) -> None:
    request = sms(on_sandbox, "919591471711", "Your order has shipped")
    on_real = real(on_sandbox)
    assert fingerprints(request, on_sandbox) != fingerprints(request, on_real)
    # Real sends match across profiles and hosts: it is the same person's phone.
    other = real(on_sandbox, name="acme-eu")
    assert fingerprints(request, on_real) == fingerprints(request, other)


def test_visible_text() -> None:
    assert visible_text("  a \r\n b\t\r\n") == "a\n b"
