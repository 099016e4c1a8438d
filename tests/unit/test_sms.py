"""SMS encoding, segment counting and sender-ID rules."""

from __future__ import annotations

import pytest

from comms_tui.api.errors import InvalidInput
from comms_tui.api.sms import (
    ALPHA_SENDER_UNSUPPORTED_REGIONS,
    GSM7_BASIC,
    GSM7_EXTENSION,
    SmsMeasure,
    measure_sms,
    sender_warning,
    validate_sender_id,
)

EXT = "€"  # an extension-table character: 2 septets
CYR = "ы"  # not in GSM-7: forces UCS-2, 1 UTF-16 unit
EMOJI = "😀"  # astral: a surrogate pair, 2 UTF-16 units


def test_alphabet_tables() -> None:
    assert len(GSM7_BASIC) == 127  # 128 code points minus the escape
    assert frozenset("\f^{}\\[~]|€") == GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION
    assert "\x1b" not in GSM7_BASIC
    assert {"@", "£", "\n", "\r", "Δ", "ß", "é", "¿", "à"} <= GSM7_BASIC


def test_empty_text() -> None:
    assert measure_sms("") == SmsMeasure("GSM-7", 0, 0, 160, 160, ())


@pytest.mark.parametrize(
    ("length", "segments", "per_segment", "remaining"),
    [
        (1, 1, 160, 159),
        (160, 1, 160, 0),
        (161, 2, 153, 145),
        (306, 2, 153, 0),
        (307, 3, 153, 152),
        (459, 3, 153, 0),
        (460, 4, 153, 152),
    ],
)
def test_gsm7_boundaries(length: int, segments: int, per_segment: int, remaining: int) -> None:
    m = measure_sms("a" * length)
    assert (m.encoding, m.units, m.segments) == ("GSM-7", length, segments)
    assert (m.per_segment, m.remaining, m.ucs2_chars) == (per_segment, remaining, ())


def test_extension_chars_cost_two_septets() -> None:
    for char in GSM7_EXTENSION:
        assert measure_sms(char).units == 2
    assert measure_sms(EXT * 80) == SmsMeasure("GSM-7", 160, 1, 160, 0, ())
    assert measure_sms(EXT * 81).segments == 2
    assert measure_sms("a" * 159 + EXT).segments == 2  # 161 septets


def test_escape_pair_is_never_split_across_segments() -> None:
    # 306 septets fit 2 × 153 only if the € pair could straddle the boundary; it can't.
    m = measure_sms("a" * 152 + EXT + "a" * 152)
    assert m.units == 306
    assert m.segments == 3
    assert m.remaining == 152
    # Not at a boundary: the pair costs 2 and nothing moves.
    assert measure_sms("a" * 151 + EXT + "a" * 153).segments == 2


@pytest.mark.parametrize(
    ("length", "segments", "per_segment", "remaining"),
    [(1, 1, 70, 69), (70, 1, 70, 0), (71, 2, 67, 63), (134, 2, 67, 0), (135, 3, 67, 66)],
)
def test_ucs2_boundaries(length: int, segments: int, per_segment: int, remaining: int) -> None:
    m = measure_sms(CYR * length)
    assert (m.encoding, m.units, m.segments) == ("UCS-2", length, segments)
    assert (m.per_segment, m.remaining, m.ucs2_chars) == (per_segment, remaining, (CYR,))


def test_one_non_gsm_char_makes_everything_ucs2() -> None:
    m = measure_sms("a" * 69 + "₹")
    assert (m.encoding, m.units, m.segments, m.remaining) == ("UCS-2", 70, 1, 0)
    # In UCS-2, extension characters are ordinary 1-unit characters.
    assert measure_sms(EXT * 10 + CYR).units == 11


def test_surrogate_pairs_count_two_units() -> None:
    assert measure_sms(EMOJI).units == 2
    assert measure_sms(EMOJI * 35) == SmsMeasure("UCS-2", 70, 1, 70, 0, (EMOJI,))
    assert measure_sms(EMOJI * 36).segments == 2


def test_surrogate_pair_is_never_split_across_segments() -> None:
    m = measure_sms("a" * 66 + EMOJI + "a" * 66)  # 134 units: 2 × 67 only if split
    assert (m.encoding, m.units, m.segments, m.remaining) == ("UCS-2", 134, 3, 66)
    assert measure_sms("a" * 65 + EMOJI + "a" * 67).segments == 2


def test_ucs2_chars_are_distinct_in_order_of_first_use() -> None:
    m = measure_sms("₹ ok ₹ 😀 ß ы ₹")  # ß is GSM-7
    assert m.ucs2_chars == ("₹", EMOJI, CYR)
    assert measure_sms("Tab\there").ucs2_chars == ("\t",)  # tab is not in GSM-7


def test_typical_otp_is_one_gsm7_segment() -> None:
    m = measure_sms("747977-is the OTP for company X. Valid for 15 minutes. flob0a0BiPA")
    assert (m.encoding, m.segments) == ("GSM-7", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ACME", "ACME"),
        ("  ACME  ", "ACME"),
        ("Acme2024", "Acme2024"),
        ("A", "A"),
        ("ABCDEFGHIJK", "ABCDEFGHIJK"),  # 11
        ("1", "1"),
        ("12345", "12345"),
        ("123456789012345", "123456789012345"),  # 15 digits
    ],
)
def test_valid_sender_ids(text: str, expected: str) -> None:
    assert validate_sender_id(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ABCDEFGHIJKL", "at most 11"),
        ("1234567890123A", "at most 11"),
        ("1234567890123456", "the limit is 15"),
        ("AC ME", "a space"),
        ("AC-ME", "“-”"),
        ("ACMÉ", "“É”"),
    ],
)
def test_invalid_sender_ids(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_sender_id(text)
    assert info.value.field == "sender"
    assert fragment in info.value.message


def test_sender_warning() -> None:
    assert {"US", "CA", "PR"} == ALPHA_SENDER_UNSUPPORTED_REGIONS
    warning = sender_warning("ACME", "US")
    assert warning is not None and "United States" in warning and "ACME" in warning
    assert sender_warning("ACME", "ca") is not None
    assert sender_warning("ACME", "PR") is not None
    assert sender_warning("ACME", "IN") is None
    assert sender_warning("ACME", None) is None
    assert sender_warning("12345", "US") is None  # numeric senders are fine
