"""RFC 5545 recurrence rules as the schedule takes them: parsed, checked and normalised.

Split from ``domain.schedule`` (which expands them); pure Python, dateutil for the final check.

Every session repeats by the schedule's rule, anchored at its own start, as a VEVENT per session with
that RRULE would; each session's start must be an occurrence of the rule. Rules repeat at most daily
and set no time of day (no ``BYHOUR``/``BYMINUTE``/``BYSECOND``), so every occurrence of a session
starts at the session's wall-clock time and an exception date removes the occurrences whose local
start falls on that date. An occurrence lasts exactly as long as its session's first occurrence
(RFC 5545, 3.8.5.3: DTEND gives the exact duration). The rule is expanded in local wall time (dateutil
combines each local date with the session's time of day in the event's tzinfo) and each occurrence
is then read in UTC with the rule above: a weekly 10:00 stays 10:00 local across a DST change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from itertools import islice

from dateutil.rrule import rrule, rrulestr

from domain import schedule_errors as rules

MAX_RULE_CHARS = 1000
MAX_EXCEPTIONS = 500

_RULE_TEXT = re.compile(r"[A-Z0-9=;,+-]+", re.ASCII)
_RULE_PARTS = frozenset(
    {"FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY",
     "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"}
)  # fmt: skip
_SUB_DAILY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
_TIME_OF_DAY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_NUMBER = re.compile(r"[1-9]\d{0,5}", re.ASCII)
_UNTIL = re.compile(r"(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)(Z?))?", re.ASCII)


def to_utc(local: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of a local wall-clock time (gap: offset before it; twice: the first)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def check_rule(given: str, zone: tzinfo) -> str:
    """The normalised RRULE value of ``given``, or the rule it breaks."""
    text = given.strip().upper().removeprefix("RRULE:")
    if len(text) > MAX_RULE_CHARS or not _RULE_TEXT.fullmatch(text):
        raise rules.InvalidRecurrence()
    parts = rule_parts(text)
    if parts["FREQ"] in _SUB_DAILY:
        raise rules.UnsupportedRecurrence(f"FREQ={parts['FREQ']}")
    for part in _TIME_OF_DAY_PARTS:
        if part in parts:
            raise rules.UnsupportedRecurrence(part)
    if "COUNT" in parts and "UNTIL" in parts:
        raise rules.RecurrenceCountAndUntil()
    if any(part in parts and not _NUMBER.fullmatch(parts[part]) for part in ("COUNT", "INTERVAL")):
        raise rules.InvalidRecurrence()
    if "UNTIL" in parts:
        parts["UNTIL"] = _format_utc(until_utc(parts["UNTIL"], zone))
    normalised = ";".join(f"{key}={value}" for key, value in sorted(parts.items(), key=_freq_first))
    try:
        rrulestr(normalised, dtstart=datetime(2000, 1, 1, tzinfo=zone))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise rules.InvalidRecurrence() from None
    return normalised


def rule_parts(text: str) -> dict[str, str]:
    """The parts of an RRULE value, in their order; each RFC 5545 part at most once, FREQ present."""
    parts: dict[str, str] = {}
    for item in text.split(";"):
        key, equals, value = item.partition("=")
        if not equals or not value or key not in _RULE_PARTS or key in parts:
            raise rules.InvalidRecurrence()
        parts[key] = value
    if "FREQ" not in parts:
        raise rules.InvalidRecurrence()
    return parts


def _freq_first(item: tuple[str, str]) -> bool:
    return item[0] != "FREQ"  # sorted() is stable: FREQ, then the other parts as given


def until_utc(value: str, zone: tzinfo) -> datetime:
    """UNTIL as a UTC instant: as given with 'Z'; a local time or a date (its last second) in ``zone``."""
    match = _UNTIL.fullmatch(value)
    if match is None:
        raise rules.InvalidRecurrence()
    year, month, day, hour, minute, second, utc = match.groups()
    try:
        if hour is None:
            return to_utc(datetime(int(year), int(month), int(day), 23, 59, 59), zone)
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
        return moment.replace(tzinfo=UTC) if utc else to_utc(moment, zone)
    except (ValueError, OverflowError):
        raise rules.InvalidRecurrence() from None


def _format_utc(moment: datetime) -> str:
    return f"{moment.year:04d}{moment:%m%dT%H%M%S}Z"


def check_exceptions(given: Iterable[date], recurrence: str | None) -> tuple[date, ...]:
    days = sorted({date(day.year, day.month, day.day) for day in given})
    if days and recurrence is None:
        raise rules.ExceptionsWithoutRecurrence()
    if len(days) > MAX_EXCEPTIONS:
        raise rules.TooManyExceptions(MAX_EXCEPTIONS)
    return tuple(days)


def ends_after(rule: rrule, parts: Mapping[str, str], until: datetime | None, horizon: datetime) -> bool:
    """True when a finite rule's last occurrence comes after ``horizon``."""
    if until is not None:
        return until > horizon
    if "COUNT" not in parts:
        return False
    count = int(parts["COUNT"])
    within = rule.replace(count=None, until=horizon)
    return sum(1 for _ in islice(within, count)) < count
