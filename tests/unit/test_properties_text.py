"""Property tests for the text rules: SMS segments, phone numbers, schedules, sender IDs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from comms_tui.api.errors import InvalidInput
from comms_tui.api.phones import PhoneNumber, normalise_phone
from comms_tui.api.schedule import parse_schedule
from comms_tui.api.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SmsMeasure,
    measure_sms,
    validate_sender_id,
)

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- SMS: the segment counter against a brute-force reference -------------------------------


def reference_measure(text: str) -> SmsMeasure:
    """Encode to units one character at a time, then pack greedily (pairs never split)."""
    gsm = all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)
    if gsm:
        costs = [2 if c in GSM7_EXTENSION else 1 for c in text]
        single, multi = 160, 153
    else:
        costs = [len(c.encode("utf-16-le", "surrogatepass")) // 2 for c in text]
        single, multi = 70, 67
    units = sum(costs)
    ucs2: list[str] = []
    if not gsm:
        for c in text:
            if c not in GSM7_BASIC and c not in GSM7_EXTENSION and c not in ucs2:
                ucs2.append(c)
    if units <= single:
        segments, per, used = (1 if units else 0), single, units
    else:
        segments, per, used = 1, multi, 0
        for cost in costs:
            if used + cost > multi:
                segments += 1
                used = 0
            used += cost
    return SmsMeasure("GSM-7" if gsm else "UCS-2", units, segments, per, per - used, tuple(ucs2))


GSM_CHARS = sorted(GSM7_BASIC)
EXT_CHARS = sorted(GSM7_EXTENSION)
OTHER_CHARS = ["ы", "₹", "你", "é", "\t", "😀", "👍🏽", "🇮🇳", "\u200d", "𝄞"]
gsm_text = st.text(st.sampled_from(GSM_CHARS + EXT_CHARS), max_size=480)
# Emoji with modifiers and flags are several code points: join drawn pieces, not characters.
mixed_text = st.lists(st.sampled_from(GSM_CHARS[:20] + EXT_CHARS + OTHER_CHARS), max_size=160).map(
    "".join
)


@st.composite
def near_boundaries(draw: st.DrawFn) -> str:
    """Filler up to just around a segment boundary with a 2-unit character placed there."""
    double = draw(st.sampled_from([*EXT_CHARS, "😀", "𝄞"]))
    filler = "a" if double in GSM7_EXTENSION else "ы"
    boundary = draw(st.sampled_from([153, 160, 306, 459] if filler == "a" else [67, 70, 134]))
    before = boundary - 1 + draw(st.integers(-2, 1))
    after = draw(st.integers(0, 160))
    return filler * before + double + filler * after


@FAST
@given(st.one_of(gsm_text, mixed_text, near_boundaries(), st.text(max_size=200)))
def test_segments_match_the_reference(text: str) -> None:
    assert measure_sms(text) == reference_measure(text)


# --- Phone numbers ---------------------------------------------------------------------------

NUMBER_TYPES = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
]


@st.composite
def typed_numbers(draw: st.DrawFn) -> tuple[str, str | None]:
    """A number written the way people write them, from an example number with random digits."""
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, draw(st.sampled_from(NUMBER_TYPES)))
    assume(example is not None)
    assert example is not None  # for mypy: assume() already rejected None
    nsn = phonenumbers.national_significant_number(example)
    keep = draw(st.integers(0, len(nsn)))
    tail = draw(st.text("0123456789", min_size=len(nsn) - keep, max_size=len(nsn) - keep + 1))
    number = phonenumbers.PhoneNumber(
        country_code=example.country_code, national_number=int(nsn[:keep] + tail or "0")
    )
    form = draw(st.sampled_from(["e164", "international", "national", "digits"]))
    if form == "digits":
        text = f"{example.country_code}{nsn[:keep]}{tail}"
    else:
        fmt = getattr(phonenumbers.PhoneNumberFormat, form.upper() if form != "e164" else "E164")
        text = phonenumbers.format_number(number, fmt)
    return text, draw(st.sampled_from([region, None, *REGIONS[:5]]))


def assert_same_or_refused(text: str, region: str | None, expected: PhoneNumber) -> None:
    """Re-reading gives the same number, or is refused as ambiguous; never another number."""
    try:
        again = normalise_phone(text, region)
    except InvalidInput as exc:
        assert "could be" in exc.message, exc.message
        assert expected.international in exc.message
    else:
        assert again == expected


@FAST
@given(typed_numbers(), st.sampled_from([None, *REGIONS]))
def test_normalise_is_idempotent(typed: tuple[str, str | None], other_region: str | None) -> None:
    text, region = typed
    try:
        p = normalise_phone(text, region)
    except InvalidInput:
        return
    assert p.digits.isdigit() and p.e164 == "+" + p.digits
    assert normalise_phone(p.digits, None) == p
    assert normalise_phone(p.e164, other_region) == p
    assert normalise_phone(p.international, other_region) == p
    if p.region is not None:
        assert_same_or_refused(p.digits, p.region, p)
    assert_same_or_refused(p.digits, other_region, p)


phone_like = st.text(st.sampled_from(list("0123456789 +-().()/ \t0")), max_size=25)
regions_or_junk = st.sampled_from([None, "", "IN", "us", "GB", "CN", "DE", "XX", "001", "ZZ"])


@FAST
@given(st.one_of(st.text(max_size=40), phone_like), regions_or_junk)
def test_normalise_only_raises_invalid_input(text: str, region: str | None) -> None:
    try:
        p = normalise_phone(text, region)
    except InvalidInput as exc:
        assert exc.field == "to" and exc.message
    else:
        assert p.digits.isdigit() and len(p.digits) <= 20


# --- Schedules and sender IDs ----------------------------------------------------------------

SCHEDULE_PIECES = ["today", "tomorrow", "now", "+", "1", "30", "99", "h", "m", "d", "s", ":", " "]
schedule_like = st.lists(
    st.sampled_from([*SCHEDULE_PIECES, "T", "Z", "2026-11-28", "-", "+05:30", "09", ".5", "24"]),
    max_size=8,
).map("".join)


@FAST
@given(st.one_of(st.text(max_size=40), schedule_like))
def test_parse_schedule_only_raises_invalid_input(text: str) -> None:
    tz = ZoneInfo("Asia/Kolkata")
    try:
        when = parse_schedule(text, tz=tz, now=datetime(2026, 11, 27, 12, 0, tzinfo=tz))
    except InvalidInput as exc:
        assert exc.field == "scheduledTime" and "+15m" in exc.message
    else:
        assert when is None or when.tzinfo is not None


@FAST
@given(st.one_of(st.text(max_size=20), st.text("AZaz09 -", max_size=18)))
def test_validate_sender_id_only_raises_invalid_input(text: str) -> None:
    try:
        sender = validate_sender_id(text)
    except InvalidInput as exc:
        assert exc.field == "sender"
    else:
        assert sender == text.strip() and sender.isascii() and sender.isalnum()
        assert len(sender) <= (15 if sender.isdigit() else 11)
