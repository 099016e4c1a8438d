"""When to send: the forms people type, and the wire form the API takes.

Accepted: empty or ``now``; ``+15m``, ``+2h``, ``+1d``, ``+90s``, ``+1h30m``; ``today 18:30``,
``tomorrow 09:00``, ``tomorrow`` (09:00), ``18:30`` (today); ISO 8601 date-times with an offset or
``Z``, or without one (then the profile's time zone applies).

A time more than ``MAX_AHEAD`` ahead (``9999-12-31…``, 2062 for 2026) can only be a typo: it is
refused. A past time is accepted, however old (§3: the API sends it at once — the reference's
own examples use past times — "warn the user, do not block"): the core notes it, and asks first
when it is old enough to be a typo. No function here raises anything but ``InvalidInput``,
whatever the input or the injected ``now`` (year 1 and 9999 overflow most datetime
conversions).
"""

from __future__ import annotations

import os
import re
from datetime import datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from comms_tui.api.errors import InvalidInput

__all__ = [
    "MAX_AHEAD",
    "check_schedule",
    "describe_schedule",
    "is_past",
    "local_zone",
    "parse_schedule",
    "past_by",
    "to_wire",
    "zone_name",
]

MAX_AHEAD = timedelta(days=365)  # the scheduling horizon: later is a typo (2062 for 2026)

# No dated example: a fixed one is soon in the past, and one from the clock changes every day.
_EXAMPLES = (
    "now, +15m, +1h30m, 18:30, tomorrow 09:00 or an ISO time with its offset (…T09:00+05:30)"
)
_RELATIVE = re.compile(r"\+\s*((?:\d+\s*[dhms]\s*)+)", re.ASCII)
_RELATIVE_PART = re.compile(r"(\d+)\s*([dhms])", re.ASCII)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DAY_TIME = re.compile(r"(?:(today|tomorrow)\s*)?(?:(\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)
_DEFAULT_TIME = time(9, 0)  # "tomorrow" alone: the start of a working day


def local_zone() -> tzinfo:
    """The machine's time zone: ``$TZ`` when it names one, else the system's (``/etc/localtime``).

    A named zone (``Europe/Berlin``) rather than today's fixed offset, so that a time scheduled
    across a daylight-saving change keeps its wall-clock meaning.
    """
    return _local_zone(os.environ.get("TZ"))


@lru_cache(maxsize=8)
def _local_zone(tz_env: str | None) -> tzinfo:
    from zoneinfo import ZoneInfo

    candidates = [tz_env.removeprefix(":")] if tz_env else []
    if tz_env is None:
        try:
            target = os.readlink("/etc/localtime")
        except OSError:
            target = ""
        if "zoneinfo/" in target:
            candidates.append(target.rpartition("zoneinfo/")[2])
    for key in candidates:
        try:
            return ZoneInfo(key)
        except (ValueError, OSError, KeyError):  # no IANA key (a POSIX rule like EST5EDT4)
            continue
    # What the C library makes of $TZ or the system setting: today's offset, at least right now.
    return datetime.now().astimezone().tzinfo or timezone.utc


def zone_name(tz: tzinfo, when: datetime | None = None) -> str:
    """``Asia/Kolkata``-style name when the zone has one, else its abbreviation or offset."""
    key = getattr(tz, "key", None)
    if isinstance(key, str) and key:
        return key
    moment = (when or datetime.now(timezone.utc)).astimezone(tz)
    return moment.tzname() or moment.strftime("%z")


def parse_schedule(text: str, *, tz: tzinfo, now: datetime | None = None) -> datetime | None:
    """An aware datetime to send at, or None for "send now".

    Times without a date or offset are read in ``tz`` (the profile's zone).
    Raises ``InvalidInput(field="scheduledTime")`` with examples of accepted forms.
    """
    raw = text.strip()
    key = raw.lower()
    if key in ("", "now"):
        return None
    try:
        now = _now(now, tz)
        when = _parse(raw, key, tz, now)
        check_schedule(when, now=now, typed=raw)
    except InvalidInput:
        raise
    except (OverflowError, ValueError, TypeError):  # datetime arithmetic at year 1 or 9999
        raise _invalid(f"“{raw}” is out of range") from None
    return when


def check_schedule(when: datetime, *, now: datetime | None = None, typed: str = "") -> None:
    """Refuse a schedule that can only be a typo (later than ``MAX_AHEAD``) or that no date
    arithmetic can place. ``typed`` is what the user wrote, for the message."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise _invalid("the schedule needs a time zone")
    shown = f"“{typed}”" if typed else _shown(when)
    try:
        ahead = when - _now(now, when.tzinfo)  # aware − aware: timedelta maths, no overflow
    except (OverflowError, ValueError, TypeError):
        raise _invalid(f"{shown} is out of range") from None
    if ahead > MAX_AHEAD:
        raise _invalid(f"{shown} is too far ahead: schedule at most {MAX_AHEAD.days} days ahead")
    try:
        when.astimezone(timezone.utc)  # what showing it in any zone needs (year 1 east of UTC)
    except (OverflowError, ValueError):
        raise _invalid(f"{shown} is out of range") from None


def _now(now: datetime | None, tz: tzinfo) -> datetime:
    if now is None:
        return datetime.now(tz)
    return now if now.tzinfo is not None else now.replace(tzinfo=tz)


def _shown(when: datetime) -> str:
    try:
        return f"“{when.isoformat(timespec='minutes')}”"
    except (OverflowError, ValueError):
        return "the schedule"


def _parse(raw: str, key: str, tz: tzinfo, now: datetime) -> datetime:
    relative = _RELATIVE.fullmatch(key)
    if relative:
        seconds = sum(
            int(n) * _UNIT_SECONDS[unit] for n, unit in _RELATIVE_PART.findall(relative[1])
        )
        if seconds > MAX_AHEAD.total_seconds():  # before timedelta(), which would overflow
            raise _invalid(
                f"“{raw}” is too far ahead: schedule at most {MAX_AHEAD.days} days ahead"
            )
        return now + timedelta(seconds=seconds)

    day_time = _DAY_TIME.fullmatch(key)
    if day_time and (day_time[1] or day_time[2]):
        return _day_time(raw, day_time, tz, now)

    return _iso(raw, tz)


def _day_time(raw: str, match: re.Match[str], tz: tzinfo, now: datetime) -> datetime:
    day, hour, minute, second = match.groups()
    if hour is None:
        if day == "today":  # "today" alone names no time
            raise _invalid(f"“{raw}” needs a time, e.g. today 18:30")
        at = _DEFAULT_TIME
    else:
        if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
            raise _invalid(f"“{raw}” is not a time of day (use 00:00 to 23:59)")
        at = time(int(hour), int(minute), int(second or 0))
    date = now.astimezone(tz).date() + timedelta(days=1 if day == "tomorrow" else 0)
    return datetime.combine(date, at, tzinfo=tz)


def _iso(raw: str, tz: tzinfo) -> datetime:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[Tt ]\S+)?", raw, re.ASCII):
        raise _invalid(f"“{raw}” isn't a time we understand")
    text = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw  # 3.10 can't read "Z"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(f"“{raw}” is not a valid date and time") from None
    if len(raw) == 10:  # a date alone would silently mean midnight
        raise _invalid(f"“{raw}” has no time of day; add one, e.g. {raw} 09:00")
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


def _invalid(reason: str) -> InvalidInput:
    return InvalidInput(f"{reason}. Try: {_EXAMPLES}", field="scheduledTime")


def describe_schedule(when: datetime | None, tz: tzinfo) -> str:
    """``now``, or e.g. ``2026-11-28 09:00 IST Asia/Kolkata (03:30 UTC)``: the zone always named,
    and the UTC date too if it differs.

    Never raises: a time no zone conversion can reach (year 1, 9999) is shown as it is.
    """
    if when is None:
        return "now"
    try:
        return _describe(when, tz)
    except (OverflowError, ValueError, TypeError):
        return when.isoformat()


def _describe(when: datetime, tz: tzinfo) -> str:
    local = when.astimezone(tz)
    utc = when.astimezone(timezone.utc)
    abbreviation = local.tzname() or local.strftime("%z")
    name = zone_name(tz, when)
    shown = f"{local:%Y-%m-%d %H:%M} {abbreviation}" + (f" {name}" if name != abbreviation else "")
    if local.utcoffset() == timedelta(0) and local.tzname() == "UTC":
        return shown
    utc_shown = f"{utc:%H:%M}" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M}"
    return f"{shown} ({utc_shown} UTC)"


def is_past(when: datetime, now: datetime | None = None) -> bool:
    """True if ``when`` (aware) has passed. The API sends those at once: warn, don't block.

    A naive ``now`` is taken in ``when``'s zone; a naive ``when`` is ``InvalidInput``.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise _invalid("the schedule needs a time zone")
    try:
        return when < _now(now, when.tzinfo)  # aware comparison: no overflow at the extremes
    except (OverflowError, ValueError, TypeError):
        raise _invalid("the schedule cannot be compared with the current time") from None


def past_by(when: datetime, now: datetime | None = None) -> timedelta:
    """How long ago ``when`` (aware) was: zero if it has not passed, or if no date arithmetic can
    say (year 1 against a zone; ``check_schedule`` refuses those). A naive ``now`` is taken in
    ``when``'s zone."""
    try:
        return max(timedelta(0), _now(now, when.tzinfo or timezone.utc) - when)
    except (OverflowError, ValueError, TypeError):
        return timedelta(0)


def to_wire(when: datetime) -> str:
    """ISO 8601 with offset and whole seconds: ``2024-02-22T00:25:06+05:30``."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise _invalid("scheduledTime needs a time zone: got a naive datetime")
    return when.isoformat(timespec="seconds")
