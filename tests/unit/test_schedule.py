"""Schedule parsing, description and the wire form."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from comms_tui.api.errors import InvalidInput
from comms_tui.api.schedule import (
    MAX_AHEAD,
    check_schedule,
    describe_schedule,
    is_past,
    local_zone,
    parse_schedule,
    past_by,
    to_wire,
    zone_name,
)

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 27, 22, 15, 30, tzinfo=IST)


def parse(text: str) -> datetime | None:
    return parse_schedule(text, tz=IST, now=NOW)


@pytest.mark.parametrize("text", ["", "   ", "now", "NOW", " Now "])
def test_now(text: str) -> None:
    assert parse(text) is None


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("+15m", timedelta(minutes=15)),
        ("+2h", timedelta(hours=2)),
        ("+1d", timedelta(days=1)),
        ("+90s", timedelta(seconds=90)),
        ("+1h30m", timedelta(hours=1, minutes=30)),
        ("+ 1h 30m", timedelta(hours=1, minutes=30)),
        ("+1D", timedelta(days=1)),
        ("+0m", timedelta(0)),
    ],
)
def test_relative(text: str, delta: timedelta) -> None:
    assert parse(text) == NOW + delta


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 18:30", datetime(2026, 11, 27, 18, 30, tzinfo=IST)),
        ("Today 23:59", datetime(2026, 11, 27, 23, 59, tzinfo=IST)),
        ("tomorrow 09:00", datetime(2026, 11, 28, 9, 0, tzinfo=IST)),
        ("tomorrow 7:05", datetime(2026, 11, 28, 7, 5, tzinfo=IST)),
        ("tomorrow", datetime(2026, 11, 28, 9, 0, tzinfo=IST)),
        ("18:30", datetime(2026, 11, 27, 18, 30, tzinfo=IST)),
        ("23:00:15", datetime(2026, 11, 27, 23, 0, 15, tzinfo=IST)),
    ],
)
def test_day_and_time(text: str, expected: datetime) -> None:
    when = parse(text)
    assert when == expected
    assert when is not None and when.utcoffset() == timedelta(hours=5, minutes=30)


def test_today_is_the_day_in_the_profile_zone() -> None:
    # 20:00 UTC on the 27th is already the 28th in India.
    late = datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc)
    when = parse_schedule("09:00", tz=IST, now=late)
    assert when == datetime(2026, 11, 28, 9, 0, tzinfo=IST)


def test_tomorrow_across_a_dst_change() -> None:
    new_york = ZoneInfo("America/New_York")
    now = datetime(2026, 3, 7, 12, 0, tzinfo=new_york)  # EST; DST starts on the 8th
    when = parse_schedule("tomorrow 09:00", tz=new_york, now=now)
    assert when is not None
    assert to_wire(when) == "2026-03-08T09:00:00-04:00"


def test_naive_now_is_taken_in_the_zone() -> None:
    assert parse_schedule("+1h", tz=IST, now=datetime(2026, 1, 1, 10, 0)) == datetime(
        2026, 1, 1, 11, 0, tzinfo=IST
    )


def test_default_now_is_the_current_time() -> None:
    when = parse_schedule("+1h", tz=timezone.utc)
    assert when is not None
    assert abs(when - datetime.now(timezone.utc) - timedelta(hours=1)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T09:00:00+05:30", datetime(2026, 11, 28, 9, 0, tzinfo=IST)),
        ("2026-11-28T03:30:00Z", datetime(2026, 11, 28, 3, 30, tzinfo=timezone.utc)),
        ("2026-11-28T03:30z", datetime(2026, 11, 28, 3, 30, tzinfo=timezone.utc)),
        ("2026-11-28 09:00", datetime(2026, 11, 28, 9, 0, tzinfo=IST)),  # naive → profile zone
        ("2026-02-22T00:25:06+05:30", datetime(2026, 2, 21, 18, 55, 6, tzinfo=timezone.utc)),
    ],
)
def test_iso(text: str, expected: datetime) -> None:
    when = parse(text)
    assert when == expected
    assert when is not None and when.tzinfo is not None


def test_the_references_example_time_on_a_day_it_was_written() -> None:
    when = parse_schedule("2024-02-22T00:25:06+05:30", tz=IST, now=datetime(2024, 2, 21, 9, 0))
    assert when == datetime(2024, 2, 21, 18, 55, 6, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("next week", "“next week” isn't a time we understand"),
        ("+", "isn't a time we understand"),
        ("+5x", "isn't a time we understand"),
        ("today", "needs a time"),
        ("25:00", "not a time of day"),
        ("tomorrow 12:60", "not a time of day"),
        ("2026-11-28", "has no time of day"),
        ("2026-02-30T10:00", "not a valid date and time"),
        ("+99999999999d", "too far ahead"),
        ("+99999999999999999999999999d", "too far ahead"),
    ],
)
def test_rejections(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse(text)
    assert info.value.field == "scheduledTime"
    assert fragment in info.value.message
    assert "+15m" in info.value.message  # always shows accepted forms


def test_describe_schedule() -> None:
    assert describe_schedule(None, IST) == "now"
    when = datetime(2026, 11, 28, 9, 0, tzinfo=IST)
    # The zone is always named: its abbreviation and, where it has one, its IANA name.
    assert describe_schedule(when, IST) == "2026-11-28 09:00 IST Asia/Kolkata (03:30 UTC)"
    # The same instant given in UTC is shown in the profile zone.
    assert describe_schedule(when.astimezone(timezone.utc), IST) == (
        "2026-11-28 09:00 IST Asia/Kolkata (03:30 UTC)"
    )
    early = datetime(2026, 11, 28, 2, 0, tzinfo=IST)
    assert describe_schedule(early, IST) == (
        "2026-11-28 02:00 IST Asia/Kolkata (2026-11-27 20:30 UTC)"
    )
    assert describe_schedule(when, timezone.utc) == "2026-11-28 03:30 UTC"
    berlin = ZoneInfo("Europe/Berlin")
    assert describe_schedule(datetime(2030, 1, 1, 9, tzinfo=berlin), berlin) == (
        "2030-01-01 09:00 CET Europe/Berlin (08:00 UTC)"
    )


@pytest.mark.parametrize(
    ("tz_env", "expected"),
    [("America/New_York", "America/New_York"), (":Europe/Berlin", "Europe/Berlin"), ("UTC", "UTC")],
)
def test_the_local_zone_honours_tz(
    monkeypatch: pytest.MonkeyPatch, tz_env: str, expected: str
) -> None:
    monkeypatch.setenv("TZ", tz_env)
    assert zone_name(local_zone()) == expected


def test_a_tz_that_is_no_zone_name_still_gives_a_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "EST5EDT4")  # POSIX rules, not an IANA key
    zone = local_zone()
    assert datetime(2030, 1, 1, tzinfo=zone).utcoffset() is not None


def test_is_past() -> None:
    assert is_past(NOW - timedelta(seconds=1), NOW)
    assert not is_past(NOW + timedelta(seconds=1), NOW)
    assert not is_past(NOW, NOW)
    assert is_past(datetime(2024, 2, 22, 0, 25, 6, tzinfo=IST))  # the doc's example time
    assert not is_past(datetime.now(timezone.utc) + timedelta(hours=1))


def test_to_wire() -> None:
    when = datetime(2024, 2, 22, 0, 25, 6, 123456, tzinfo=IST)
    assert to_wire(when) == "2024-02-22T00:25:06+05:30"
    assert to_wire(datetime(2024, 2, 22, 0, 25, tzinfo=timezone.utc)) == (
        "2024-02-22T00:25:00+00:00"
    )
    with pytest.raises(ValueError, match="time zone"):
        to_wire(datetime(2024, 2, 22, 0, 25))


def test_wire_round_trip() -> None:
    when = parse("tomorrow 09:00")
    assert when is not None
    assert parse(to_wire(when)) == when


# --------------------------------------------------------------------------- typos and extremes


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0001-01-01T00:00+14:00", "out of range"),  # crashed the TUI (OverflowError)
        ("0001-01-01T00:00", "out of range"),  # the profile's zone, east of UTC: year 0 in UTC
        ("9999-12-31T23:59:59-23:59", "too far ahead"),  # crashed too
        ("9999-12-31T23:59", "too far ahead"),
        ("2062-11-28T09:00+05:30", "too far ahead"),  # 2026 mistyped
        ("+366d", "too far ahead"),
        ("+8785h", "too far ahead"),
        ("+" + "9" * 5000 + "d", "out of range"),  # more digits than int() takes
    ],
)
def test_a_time_that_can_only_be_a_typo_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse(text)
    assert info.value.field == "scheduledTime"
    assert fragment in info.value.message
    if "too far" in fragment:
        assert "365 days" in info.value.message  # names the limit


def test_the_horizon_is_a_year_ahead() -> None:
    assert timedelta(days=365) == MAX_AHEAD
    assert parse("+365d") == NOW + MAX_AHEAD
    with pytest.raises(InvalidInput):
        parse((NOW + MAX_AHEAD + timedelta(minutes=1)).isoformat())


@pytest.mark.parametrize(
    "text", ["2024-02-22T00:25:06+05:30", "2016-11-28T09:00+05:30", "1970-01-01T00:00Z"]
)
def test_a_past_time_is_accepted_however_old(text: str) -> None:
    """§3: the API sends a past time at once — the reference's own examples use them —
    "warn the user, do not block" (the core asks first when it is old: see test_preflight)."""
    when = parse(text)
    assert when is not None and is_past(when, NOW)
    assert past_by(when, NOW) > timedelta(days=300)


EXTREME_NOWS = [
    datetime.min,
    datetime.max,
    datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59))),
    datetime.max.replace(tzinfo=timezone(-timedelta(hours=23, minutes=59))),
    datetime(9999, 12, 31, 12, tzinfo=ZoneInfo("Pacific/Kiritimati")),
    datetime(1, 1, 1, 12, tzinfo=ZoneInfo("America/Adak")),
]
TEXTS = ["+1h", "+365d", "tomorrow", "today 18:30", "18:30", "2026-11-28T09:00Z",
         "0001-01-01T00:00", "9999-12-31T23:59:59-23:59", "2026-11-28 09:00"]  # fmt: skip


@pytest.mark.parametrize("now", EXTREME_NOWS, ids=str)
@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(
    "tz", [IST, timezone(timedelta(hours=-12)), ZoneInfo("Pacific/Kiritimati")]
)
def test_any_injected_now_gives_a_time_or_invalid_input(
    now: datetime, text: str, tz: timezone
) -> None:
    try:
        when = parse_schedule(text, tz=tz, now=now)
    except InvalidInput as exc:
        assert exc.field == "scheduledTime"
        return
    assert when is not None and when.tzinfo is not None
    assert describe_schedule(when, tz)
    assert isinstance(is_past(when, now), bool)
    assert to_wire(when)


@pytest.mark.parametrize(
    "when",
    [
        datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59))),
        datetime.max.replace(tzinfo=timezone(-timedelta(hours=23, minutes=59))),
        datetime.min.replace(tzinfo=timezone.utc),
        datetime.max.replace(tzinfo=ZoneInfo("Pacific/Kiritimati")),
    ],
    ids=str,
)
def test_describe_is_past_and_to_wire_survive_the_extremes(when: datetime) -> None:
    """A datetime built by code (not typed) at the edge of the calendar: converting it to
    another zone overflows, which crashed the schedule hint."""
    assert describe_schedule(when, IST)
    for now in (None, NOW, datetime.max, datetime.min):
        assert isinstance(is_past(when, now), bool)
    assert to_wire(when).startswith(("0001-01-01", "9999-12-31"))


def test_naive_datetimes_are_invalid_input_not_type_errors() -> None:
    with pytest.raises(InvalidInput):
        is_past(datetime(2026, 1, 1), NOW)
    with pytest.raises(InvalidInput):
        to_wire(datetime(2026, 1, 1))
    with pytest.raises(InvalidInput):
        check_schedule(datetime(2026, 1, 1), now=NOW)
