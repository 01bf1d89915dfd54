"""An event's schedule: its sessions, an optional RFC 5545 recurrence rule with exception dates, the
overall period derived from them, and the occurrences they expand to in the event's timezone.

Session times are event-local wall-clock times (naive datetimes). A local time is read as RFC 5545
reads a DATE-TIME with a TZID (section 3.3.5), which is also how v0 reads ``start_time``: a time that
falls in a DST gap takes the offset from before the gap (02:30 on the March night in Europe/Rome is
01:30 UTC, which the clock shows as 03:30), and a time that occurs twice is its first occurrence
(``fold=0``).

How rules repeat sessions (and why a weekly 10:00 stays 10:00 local): see ``domain.recurrence``.

Expansion never goes further than ``HORIZON`` after the schedule's first session: a rule without an
end is expanded up to there, and a rule with one must end within it.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from itertools import islice, takewhile
from typing import Any

from dateutil.rrule import rrulestr

from domain import errors
from domain import schedule_errors as rules
from domain.recurrence import MAX_EXCEPTIONS as MAX_EXCEPTIONS  # re-exported for routes and OpenAPI
from domain.recurrence import MAX_RULE_CHARS as MAX_RULE_CHARS
from domain.recurrence import check_exceptions as _check_exceptions
from domain.recurrence import check_rule as _check_rule
from domain.recurrence import ends_after as _ends_after
from domain.recurrence import rule_parts as _rule_parts
from domain.recurrence import to_utc
from domain.recurrence import until_utc as _until_utc
from domain.validation import _fixed_offset, _zone

MAX_SESSIONS = 100
MAX_RECURRING_SESSIONS = 10  # each is expanded on its own: this bounds the cost of a check
HORIZON_YEARS = 10
HORIZON = timedelta(days=3653)  # ten years of days, leap days included
MAX_TITLE_BYTES = 255
MAX_TEXT_BYTES = 8192  # location and description, as v0's meeting address

_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", re.ASCII)
# An interval so large that dateutil's second period lies past year 9999: the rule then yields only
# what its first period (the day, week, month or year of the start) holds.
_FIRST_PERIOD_ONLY = 4_000_000


@dataclass(frozen=True)
class Coordinates:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Session:
    """One block of an event's time; ``start`` and ``end`` are naive, in the event's timezone."""

    id: str
    start: datetime
    end: datetime
    title: str | None = None
    location: str | None = None
    coordinates: Coordinates | None = None
    description: str | None = None

    def to_payload(self) -> dict[str, Any]:
        coordinates = self.coordinates
        return {
            "id": self.id,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "location": self.location,
            "coordinates": None
            if coordinates is None
            else {"latitude": coordinates.latitude, "longitude": coordinates.longitude},
            "description": self.description,
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Session:
        coordinates = data.get("coordinates")
        return cls(
            id=data["id"],
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            title=data.get("title"),
            location=data.get("location"),
            coordinates=None
            if coordinates is None
            else Coordinates(float(coordinates["latitude"]), float(coordinates["longitude"])),
            description=data.get("description"),
        )


@dataclass(frozen=True)
class Schedule:
    """Sessions, and optionally the RRULE value (without ``RRULE:``) they repeat by and the local
    dates on which they do not. ``check_schedule`` returns the normalised form that events record."""

    sessions: tuple[Session, ...]
    recurrence: str | None = None
    exceptions: tuple[date, ...] = ()

    @property
    def is_open_ended(self) -> bool:
        """True for a rule with neither COUNT nor UNTIL (it repeats for ever)."""
        return self.recurrence is not None and not {"COUNT", "UNTIL"} & _rule_parts(self.recurrence).keys()

    def to_payload(self) -> dict[str, Any]:
        """Plain JSON values: ISO 8601 local times and dates, floats, strings, None."""
        return {
            "sessions": [session.to_payload() for session in self.sessions],
            "recurrence": self.recurrence,
            "exceptions": [day.isoformat() for day in self.exceptions],
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Schedule:
        return cls(
            sessions=tuple(Session.from_payload(item) for item in data["sessions"]),
            recurrence=data.get("recurrence"),
            exceptions=tuple(date.fromisoformat(day) for day in data.get("exceptions", ())),
        )


@dataclass(frozen=True)
class Span:
    """The event's overall period (v0's ``start_time``/``end_time``), local (naive) and UTC.

    ``start`` is the first occurrence's start. ``end`` is the last occurrence's end; for a rule
    without an end (``open_ended``) it is the end of the last occurrence within ``HORIZON`` (the
    last one expansion reaches), so that v0's "ended" rules see a real, far end that the facts
    alone decide.
    """

    start_local: datetime
    end_local: datetime
    start_utc: datetime
    end_utc: datetime
    open_ended: bool


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a session: local times as the event's clock shows them, and UTC times."""

    session_id: str
    start_local: datetime
    end_local: datetime
    start_utc: datetime
    end_utc: datetime


# --- timezones -------------------------------------------------------------------------------


def event_tzinfo(tz: str) -> tzinfo:
    """The tzinfo of an event timezone as v0 reads it (``domain.validation``'s parser): a
    '±HH:MM' offset or a known abbreviation is a fixed offset (``UTC`` for zero, otherwise a
    ``timezone`` named 'UTC±HH:MM'), anything else an IANA zone.

    Raises ``errors.InvalidTimezone`` where v0 would.
    """
    fixed = _fixed_offset(tz)
    if fixed is not None:
        return timezone(fixed) if fixed else UTC
    zone = _zone(tz)
    if zone is None:
        raise errors.InvalidTimezone()
    return zone


_to_utc = to_utc


def _to_local(moment: datetime, zone: tzinfo) -> datetime:
    """What the event's clock shows at ``moment``, naive."""
    return moment.astimezone(zone).replace(tzinfo=None)


# --- validation --------------------------------------------------------------------------------


def check_schedule(schedule: Schedule, timezone: str) -> Schedule:
    """Return the schedule normalised, or raise its first broken rule.

    Checked in this order: the timezone; the number of sessions; each session in the order given
    (id, then whether its times exist in UTC, end before start, latitude, longitude, title, location,
    description); the recurrence rule; the number of sessions of a recurring schedule; the
    exception dates; then, for a recurring schedule, each session against the rule (UNTIL before
    its start, start not an occurrence), the rule's end within ``HORIZON``, and at least one
    occurrence left by the exceptions.

    Normalised: sessions sorted by start, end and id; texts trimmed, empty ones None; the rule
    upper-cased, FREQ first, UNTIL in UTC (``YYYYMMDDTHHMMSSZ``; a date or a local time is read
    in the event's timezone, a date as the end of that day); exception dates sorted, once each.
    Session times must be naive (a caller's bug otherwise: ValueError).
    """
    zone = event_tzinfo(timezone)
    sessions = _check_sessions(schedule.sessions, zone)
    recurrence = None if schedule.recurrence is None else _check_rule(schedule.recurrence, zone)
    if recurrence is not None and len(sessions) > MAX_RECURRING_SESSIONS:
        raise rules.TooManyRecurringSessions(MAX_RECURRING_SESSIONS)
    exceptions = _check_exceptions(schedule.exceptions, recurrence)
    checked = Schedule(tuple(sorted(sessions, key=lambda s: (s.start, s.end, s.id))), recurrence, exceptions)
    if recurrence is not None:
        _check_against_rule(checked, zone)
    return checked


def _check_sessions(sessions: Iterable[Session], zone: tzinfo) -> list[Session]:
    given = list(sessions)
    if not given:
        raise rules.NoSessions()
    if len(given) > MAX_SESSIONS:
        raise rules.TooManySessions(MAX_SESSIONS)
    seen: set[str] = set()
    checked = []
    for session in given:
        checked.append(_check_session(session, zone, seen))
        seen.add(session.id)
    return checked


def _check_session(session: Session, zone: tzinfo, seen: set[str]) -> Session:
    if not isinstance(session.id, str) or not _SESSION_ID.fullmatch(session.id):
        raise rules.InvalidSessionId(str(session.id))
    if session.id in seen:
        raise rules.DuplicateSessionId(session.id)
    if session.start.tzinfo is not None or session.end.tzinfo is not None:
        raise ValueError("session times are naive event-local datetimes")
    try:
        _to_utc(session.start, zone), _to_utc(session.end, zone)
    except OverflowError:
        raise rules.InvalidSessionTime(session.id) from None
    if session.end < session.start:
        raise rules.SessionEndBeforeStart(session.id)
    return Session(
        id=session.id,
        start=session.start,
        end=session.end,
        title=_text(session, "title", session.title, MAX_TITLE_BYTES),
        location=_text(session, "location", session.location, MAX_TEXT_BYTES),
        coordinates=_check_coordinates(session),
        description=_text(session, "description", session.description, MAX_TEXT_BYTES),
    )


def _check_coordinates(session: Session) -> Coordinates | None:
    coordinates = session.coordinates
    if coordinates is None:
        return None
    latitude, longitude = float(coordinates.latitude), float(coordinates.longitude)
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        raise rules.InvalidLatitude(session.id)
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        raise rules.InvalidLongitude(session.id)
    return Coordinates(latitude, longitude)


def _text(session: Session, field: str, value: str | None, max_bytes: int) -> str | None:
    text = None if value is None else value.strip()
    if not text:
        return None
    if len(text.encode()) > max_bytes:
        raise rules.SessionTextTooLong(session.id, field, max_bytes)
    return text


def _check_against_rule(schedule: Schedule, zone: tzinfo) -> None:
    assert schedule.recurrence is not None
    parts = _rule_parts(schedule.recurrence)
    until = _until_utc(parts["UNTIL"], zone) if "UNTIL" in parts else None
    horizon = _horizon(schedule, zone)
    for session in schedule.sessions:
        start = session.start.replace(tzinfo=zone, fold=0)
        if until is not None and until < start:
            raise rules.RecurrenceUntilBeforeStart(session.id)
        rule = rrulestr(schedule.recurrence, dtstart=start)
        if next(iter(rule.replace(count=None, until=None, interval=_FIRST_PERIOD_ONLY)), None) != start:
            raise rules.RecurrenceNotAligned(session.id)
        if _ends_after(rule, parts, until, horizon):
            raise rules.RecurrenceTooLong(HORIZON_YEARS)
    _span(schedule, zone)  # raises NoOccurrences


def _horizon(schedule: Schedule, zone: tzinfo) -> datetime:
    """The last instant expansion reaches: ``HORIZON`` after the schedule's first session starts."""
    return min(_to_utc(session.start, zone) for session in schedule.sessions) + HORIZON


# --- derived period and expansion --------------------------------------------------------------


def derive_span(schedule: Schedule, timezone: str) -> Span:
    """The overall period of a checked schedule (see ``Span``); raises ``NoOccurrences`` when the
    exceptions leave none within ``HORIZON``. Its cost grows with the number of occurrences (all
    are walked to find the last, also of an open-ended rule), which the horizon bounds."""
    return _span(schedule, event_tzinfo(timezone))


def _span(schedule: Schedule, zone: tzinfo) -> Span:
    horizon = _horizon(schedule, zone)
    firsts: list[Occurrence] = []
    lasts: list[Occurrence] = []
    for session in schedule.sessions:
        starts = _session_starts(schedule, session, zone, horizon)
        first = next(starts, None)
        if first is None:
            continue
        last = next(iter(deque(starts, maxlen=1)), first)  # an open-ended rule stops at the horizon
        firsts.append(_occurrence(session, first, zone))
        lasts.append(_occurrence(session, last, zone))
    if not firsts:
        raise rules.NoOccurrences()
    start = min(firsts, key=lambda occurrence: occurrence.start_utc)
    end = max(lasts, key=lambda occurrence: occurrence.end_utc)
    return Span(start.start_local, end.end_local, start.start_utc, end.end_utc, schedule.is_open_ended)


def occurrences(
    schedule: Schedule,
    timezone: str,
    range_start_utc: datetime,
    range_end_utc: datetime,
    max_count: int,
) -> Iterator[Occurrence]:
    """The occurrences of a checked schedule that overlap [range_start_utc, range_end_utc), by UTC
    start (sessions in schedule order on a tie), at most ``max_count`` of them, none later than
    ``HORIZON``. An occurrence overlaps when it starts before the range ends and ends after it
    starts; one without duration, when it starts inside the range. Ask for one more than you show
    to know whether there are more.

    The bounds must be aware datetimes (ValueError otherwise); ``InvalidOccurrenceRange`` when the
    range ends before it starts; ``InvalidTimezone`` as v0.
    """
    if range_start_utc.tzinfo is None or range_end_utc.tzinfo is None:
        raise ValueError("the range is given in aware datetimes")
    if range_end_utc < range_start_utc:
        raise rules.InvalidOccurrenceRange()
    zone = event_tzinfo(timezone)
    horizon = _horizon(schedule, zone)

    def overlaps(occurrence: Occurrence) -> bool:
        return occurrence.end_utc > range_start_utc or occurrence.start_utc >= range_start_utc

    def starts_before_end(occurrence: Occurrence) -> bool:
        return occurrence.start_utc < range_end_utc

    streams = []
    for session in schedule.sessions:
        duration = _to_utc(session.end, zone) - _to_utc(session.start, zone)
        starts = _session_starts(schedule, session, zone, horizon, range_start_utc - duration)
        found = _occurrences_from(session, starts, zone)
        streams.append(takewhile(starts_before_end, filter(overlaps, found)))
    merged = heapq.merge(*streams, key=lambda occurrence: occurrence.start_utc)
    return islice(merged, max(max_count, 0))


def _session_starts(
    schedule: Schedule,
    session: Session,
    zone: tzinfo,
    horizon: datetime,
    after: datetime | None = None,
) -> Iterator[datetime]:
    """A session's occurrence starts, aware in ``zone``: with a rule, from the first at or after
    ``after`` (from its first without one), exception dates skipped, none after ``horizon``;
    without one, its start whatever ``after``."""
    start = session.start.replace(tzinfo=zone, fold=0)
    if schedule.recurrence is None:
        yield start
        return
    rule = rrulestr(schedule.recurrence, dtstart=start)
    if schedule.is_open_ended:
        rule = rule.replace(until=horizon)
    exceptions = frozenset(schedule.exceptions)
    for begins in iter(rule) if after is None else rule.xafter(after, inc=True):
        if begins.date() not in exceptions:
            yield begins


def _occurrences_from(session: Session, starts: Iterator[datetime], zone: tzinfo) -> Iterator[Occurrence]:
    for start in starts:
        yield _occurrence(session, start, zone)


def _occurrence(session: Session, start: datetime, zone: tzinfo) -> Occurrence:
    """The occurrence starting at ``start``; it lasts exactly as long as the session's first."""
    begins = start.astimezone(UTC)
    ends = begins + (_to_utc(session.end, zone) - _to_utc(session.start, zone))
    return Occurrence(session.id, _to_local(begins, zone), _to_local(ends, zone), begins, ends)
