"""Masking recipients for screen sharing: phones as ``9195*****711``, emails as ``u***@…``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.app import App
from textual.widget import Widget

from comms_tui.api.phones import normalise_phone
from comms_tui.tui.masking import Masking, display_recipient, is_masked, mask_text, masking_of


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("919591471711", "9195*****711"),  # the API's digits-only form
        ("+91 95914 71711", "9195*****711"),  # as typed
        ("(+91) 95914-71711", "9195*****711"),
        ("12025550123", "1202****123"),
        ("2904123", "2***123"),
        ("123", "***"),
        ("user@example.com", "u***@example.com"),
        ("  Ann.Lee@mail.example.org ", "A***@mail.example.org"),
        ("@handle", "@***"),  # no local part: not an email, masked anyway
        ("hello world", "h***"),  # neither: still nothing readable beyond one character
        ("", ""),
    ],
)
def test_masked(value: str, shown: str) -> None:
    assert display_recipient(value, masked=True) == shown


@pytest.mark.parametrize("value", ["919591471711", "user@example.com", "anything"])
def test_unmasked_is_unchanged(value: str) -> None:
    assert display_recipient(value, masked=False) == value


def test_same_as_phone_number_masked() -> None:
    phone = normalise_phone("+91 95914 71711")
    assert display_recipient(phone.digits, masked=True) == phone.masked()


@given(st.text(alphabet="0123456789", min_size=3, max_size=20))
def test_masked_digits_keep_length_and_hide_at_least_three(digits: str) -> None:
    shown = display_recipient(digits, masked=True)
    assert len(shown) == len(digits)
    assert shown.count("*") >= 3
    assert shown != digits


async def test_masking_signals_subscribers_once_per_change() -> None:
    seen: list[bool] = []

    class Host(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.masking = Masking(self)

        def on_mount(self) -> None:
            self.masking.changed.subscribe(self, seen.append, immediate=True)

    app = Host()
    async with app.run_test() as pilot:
        widget = Widget()
        await app.mount(widget)
        assert masking_of(widget) is app.masking
        assert not is_masked(widget)
        assert app.masking.toggle() is True
        app.masking.set(True)  # no change, no signal
        await pilot.pause()
        assert is_masked(widget)
        assert app.masking.show("919591471711") == "9195*****711"
        app.masking.set(False)
        await pilot.pause()
    assert seen == [True, False]


def test_a_node_outside_an_app_is_never_masked() -> None:
    assert masking_of(Widget()) is None
    assert not is_masked(Widget())


def test_mask_text_replaces_each_known_recipient() -> None:
    body = '{"sms": [{"to": "919591471711"}, {"to": "12025550101"}], "from": "a@b.example"}'
    masked = mask_text(body, ["919591471711", "12025550101", "a@b.example"], masked=True)
    assert (
        masked
        == '{"sms": [{"to": "9195*****711"}, {"to": "1202****101"}], "from": "a***@b.example"}'
    )
    assert mask_text(body, ["919591471711"], masked=False) == body
