"""Phone number normalisation: the forms people type → the API's digits."""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers
import pytest

from comms_tui.api import phones
from comms_tui.api.errors import InvalidInput
from comms_tui.api.phones import PhoneNumber, country_name, normalise_phone, split_recipients

DOC = PhoneNumber(digits="919591471711", region="IN", country="India")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # normalise_phone caches results; tests that patch phonenumbers must not see stale ones.
    phones._normalise.cache_clear()
    yield
    phones._normalise.cache_clear()


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("919591471711", None),  # the doc's API form
        ("919591471711", "IN"),
        ("919591471711", "US"),
        ("+91 95914 71711", None),
        ("+91 95914 71711", "GB"),
        ("+91-95914-71711", None),
        ("+91.95914.71711", None),
        ("(+91) 95914 71711", None),
        ("  +919591471711  ", None),
        ("0091 9591471711", None),
        ("0091 9591471711", "IN"),
        ("95914 71711", "IN"),
        ("9591471711", "IN"),
        ("95914-71711", "IN"),
        ("(0)95914 71711", "IN"),
        ("095914 71711", "IN"),
        ("9591471711", "in"),  # region case doesn't matter
    ],
)
def test_accepted_forms(text: str, region: str | None) -> None:
    assert normalise_phone(text, region) == DOC


def test_number_forms() -> None:
    p = normalise_phone("919591471711")
    assert p.e164 == "+919591471711"
    assert p.international == "+91 95914 71711"
    assert p.masked() == "9195*****711"


def test_masked_hides_at_least_three_digits() -> None:
    assert PhoneNumber("12025550123", "US", "United States").masked() == "1202****123"
    assert PhoneNumber("2904123", "SH", "Saint Helena").masked() == "2***123"
    assert PhoneNumber("123", None, "International").masked() == "***"


def test_international_prefix_with_trunk_zero() -> None:
    assert normalise_phone("+44 (0)20 7946 0958").digits == "442079460958"


def test_national_form_prefers_the_profile_region() -> None:
    p = normalise_phone("(212) 555-1234", "US")
    assert (p.digits, p.region, p.country) == ("12125551234", "US", "United States")


def test_digits_invalid_in_region_are_read_as_international() -> None:
    assert normalise_phone("442079460958", "IN").region == "GB"


def test_non_geographic_numbers() -> None:
    p = normalise_phone("+800 1234 5678")
    assert (p.digits, p.region, p.country) == ("80012345678", None, "International")


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("+1 202-555-0100", None),
        ("+1 202 555 0199", "IN"),
        ("2025550150", "US"),
        ("12025550150", "IN"),
        ("12025550150", None),
    ],
)
def test_fictional_sandbox_range_is_accepted(text: str, region: str | None) -> None:
    p = normalise_phone(text, region)
    assert p.digits.startswith("120255501")
    assert (p.region, p.country) == ("US", "United States")


def test_fictional_range_accepted_even_where_phonenumbers_says_invalid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(phonenumbers, "is_valid_number_for_region", lambda *_: False)
    monkeypatch.setattr(phonenumbers, "is_valid_number", lambda *_: False)
    assert normalise_phone("+1 202-555-0142").digits == "12025550142"
    assert normalise_phone("2025550142", "US").digits == "12025550142"
    with pytest.raises(InvalidInput):
        normalise_phone("+1 202-555-0200")  # just outside the range
    with pytest.raises(InvalidInput):
        normalise_phone("+91 95914 71711")


@pytest.mark.parametrize(
    ("text", "region", "message"),
    [
        ("", None, "Enter a phone number"),
        ("   ", "IN", "Enter a phone number"),
        ("95914", "IN", "“95914” is too short to be a phone number"),
        ("95914", None, "“95914” is too short to be a phone number"),
        ("12", None, "“12” is too short to be a phone number"),
        ("+", None, "“+” has no digits; enter a phone number"),
        ("call me", None, "“call me” contains letters; a phone number is digits only"),
        ("+91 95914 7171x", None, "contains letters"),
        ("9591#471711", "IN", "“9591#471711” contains “#”, which can't be part of a phone number"),
        ("٩٥٩١٤٧١٧١١", "IN", "can't be part of a phone number"),  # non-ASCII digits
        ("91+9591471711", None, "+ can only come first"),
        ("+91 95914 71711 12345 6789", None, "is too long to be a phone number"),
        ("+999 1234 5678", None, "doesn't start with a known country code"),
        ("+91 01234 56789", None, "is not a valid phone number for India (+91)"),
        ("+1 123 456 7890", None, "is not a valid phone number for United States (+1)"),
    ],
)
def test_rejections(text: str, region: str | None, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        normalise_phone(text, region)
    assert info.value.field == "to"
    assert message in info.value.message


def test_long_input_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidInput) as info:
        normalise_phone("1" * 60)
    assert len(info.value.message) < 80


def test_bare_digits_that_read_two_ways_are_refused_with_both_readings() -> None:
    # A Chinese mobile written without +86 is also a valid US number: don't guess.
    with pytest.raises(InvalidInput) as info:
        normalise_phone("13123456789", "CN")
    message = info.value.message
    assert "China +86 131 2345 6789" in message and "United States +1 312-345-6789" in message
    # With separators it was typed by a person as a local number.
    assert normalise_phone("131 2345 6789", "CN").region == "CN"
    assert normalise_phone("+86 13123456789", "US").region == "CN"
    assert normalise_phone("13123456789", None).region == "US"


def test_bare_digits_without_the_local_trunk_prefix_are_the_api_form() -> None:
    # Germans write 09195 91471711: bare 919591471711 under DE is the doc's Indian number.
    assert normalise_phone("919591471711", "DE") == DOC
    assert normalise_phone("09195 91471711", "DE").region == "DE"
    assert normalise_phone("9195 91471711", "DE").region == "DE"  # typed by a person


def test_trunk_prefixed_national_numbers_are_not_mistaken_for_country_codes() -> None:
    # "015…" must not be read as +1 5…: no country code starts with 0.
    assert normalise_phone("015123456789", "DE").region == "DE"


def test_re_reading_digits_never_gives_another_number() -> None:
    p = normalise_phone("+1 312-345-6789")
    assert normalise_phone(p.digits, None) == p
    assert normalise_phone(p.e164, "CN") == p
    with pytest.raises(InvalidInput, match="could be"):
        normalise_phone(p.digits, "CN")  # refused, never silently the Chinese number


def test_unknown_region_falls_back_to_international() -> None:
    assert normalise_phone("919591471711", "XX") == DOC


def test_idempotent_on_examples() -> None:
    for text, region in [("+91 95914 71711", None), ("(212) 555-1234", "US"), ("2025550150", "US")]:
        p = normalise_phone(text, region)
        for r in (None, "IN", "US", "GB", "DE", "CN"):
            assert normalise_phone(p.digits, r) == p
            assert normalise_phone(p.international, r) == p


def test_country_name() -> None:
    assert country_name("IN") == "India"
    assert country_name("gb") == "United Kingdom"
    assert country_name("XK") == "Kosovo"
    assert country_name("QQ") == "QQ"
    assert country_name(None) == "International"
    assert all(phones._REGION_NAMES.get(r) for r in phonenumbers.SUPPORTED_REGIONS)


def test_split_recipients() -> None:
    text = "+91 95914 71711, 919591471711;\n 0091 9591471711\r\n,, ; +91 95914 71711 ;x"
    assert split_recipients(text) == [
        "+91 95914 71711",
        "919591471711",
        "0091 9591471711",
        "x",
    ]
    assert split_recipients("") == []
    assert split_recipients(" ,;\n") == []


def test_a_number_without_its_country_code_and_no_region_says_how_it_was_read() -> None:
    """From the environment (no profile, no region): 9591471711, an Indian mobile typed without
    91, read as Myanmar's +95 — said, with what to type instead."""
    with pytest.raises(InvalidInput) as refused:
        normalise_phone("9591471711", None)
    assert "Myanmar (+95)" in refused.value.message
    assert "no default region is set" in refused.value.message
    assert "type + and the country code" in refused.value.message
    with pytest.raises(InvalidInput) as typed_with_plus:
        normalise_phone("+9591471711", None)  # written as international: no such note
    assert "region" not in typed_with_plus.value.message
