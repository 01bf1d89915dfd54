"""Calendar feeds: one iCalendar (RFC 5545) VCALENDAR for any number of events, written with
``icalendar``. A pure function of the data it is given: the same events give the same bytes, so a
read model can store the result and serve it with an ETag. The VEVENTs the read model stores
(``vevent_text``) are written without building icalendar components, to the same bytes (see
"pre-rendered feeds" below).

**UIDs.** An event without a schedule is one VEVENT whose UID is the event's (``event_uid``: the
registration id at a fixed domain, never the page title, which can change). An event with a schedule
is one VEVENT per session, UID ``<session id>.<event UID>`` (``session_uid``; session ids have no
dot). Each UID never changes; giving an event a schedule replaces its VEVENT by its sessions'.

**SEQUENCE** is the caller's: one number per event, which the read model raises with every change of
the event's times, schedule, place or status; every VEVENT of the event carries it.

**Timezones.** An IANA zone is the TZID of local DTSTART/DTEND/EXDATE values, with a VTIMEZONE that
``icalendar`` generates from the zone's transitions (``Timezone.from_tzinfo``) over whole years
covering the events (a recurring event: ``HORIZON_YEARS`` from its first start). A fixed offset
(v0's '+05:30', or an abbreviation such as 'CET', which v0 reads as a fixed offset) gets a VTIMEZONE
of one STANDARD part named 'UTC+05:30', a name no client mistakes for a zone with DST; local times
rather than UTC keep a rule's BYDAY on the local day (02:00 Monday at +05:30 is Sunday in UTC). A
zero offset is written in UTC ('Z'). An RRULE's UNTIL is already in UTC (``check_schedule``), as
RFC 5545 requires beside a DTSTART with a TZID.

**Text.** TEXT values are escaped by ``icalendar`` (``\\ ; ,`` and line breaks); the control
characters that RFC 5545 forbids in TEXT are dropped first, so no value can end a line. URIs have
spaces and control characters percent-encoded. Lines are folded at 75 octets with CRLF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneStandard, vRecur

from domain.schedule import HORIZON_YEARS, Coordinates, Schedule, Session, event_tzinfo

PRODID = "-//CampaignEvents//Calendar feed//EN"
_FORBIDDEN_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NOT_IN_URI = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class FeedEvent:
    """What a feed shows of one event. ``start``/``end`` are the event's local period (naive, in
    ``timezone``), used when it has no ``schedule``; ``dtstamp`` and ``last_modified`` are aware.
    ``meeting_url`` is given only for readers who may see it."""

    uid: str
    sequence: int
    dtstamp: datetime
    last_modified: datetime
    summary: str
    timezone: str
    start: datetime
    end: datetime
    url: str | None = None
    location: str | None = None
    coordinates: Coordinates | None = None
    schedule: Schedule | None = None
    cancelled: bool = False
    meeting_url: str | None = None


def event_uid(event_id: int, domain: str) -> str:
    """The UID of an event registration: ``event-<id>@<domain>``; keep ``domain`` fixed."""
    return f"event-{event_id}@{domain}"


def session_uid(uid: str, session_id: str) -> str:
    """The UID of one session of the event whose UID is ``uid``."""
    return f"{session_id}.{uid}"


def write_calendar(events: Iterable[FeedEvent], *, name: str | None = None) -> bytes:
    """One VCALENDAR: a VTIMEZONE per timezone used, then the events' VEVENTs in the order given."""
    given = list(events)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if name:
        calendar.add("name", _text(name))
        calendar.add("x-wr-calname", _text(name))
    for component in _timezones(given):
        calendar.add_component(component)
    for event in given:
        for vevent in _vevents(event):
            calendar.add_component(vevent)
    return bytes(calendar.to_ical())


# --- timezones ---------------------------------------------------------------------------------


def _timezones(events: list[FeedEvent]) -> Iterator[Timezone]:
    """A VTIMEZONE for each zone or fixed offset the events use, over the years they cover."""
    years: dict[tzinfo, tuple[int, int]] = {}
    for event in events:
        zone = event_tzinfo(event.timezone)
        if zone is UTC:
            continue
        first, last = _years(event)
        known = years.get(zone, (first, last))
        years[zone] = (min(first, known[0]), max(last, known[1]))
    for zone, (first, last) in years.items():
        if isinstance(zone, ZoneInfo):
            yield _zone_vtimezone(zone.key, first, last)
        else:
            offset = zone.utcoffset(None)
            assert offset is not None
            yield _fixed_vtimezone(offset)


def _years(event: FeedEvent) -> tuple[int, int]:
    """The first and last calendar year that the event's local times can reach."""
    sessions = event.schedule.sessions if event.schedule else ()
    first = min([event.start, *(session.start for session in sessions)]).year
    last = max([event.end, *(session.end for session in sessions)]).year
    if event.schedule is not None and event.schedule.recurrence is not None:
        last = max(last, first + HORIZON_YEARS)
    return first, last


@lru_cache(maxsize=256)
def _zone_vtimezone(key: str, first_year: int, last_year: int) -> Timezone:
    """The zone's transitions from 1 January of the first year to 1 January after the last
    (cached: generating them costs milliseconds, and a feed's events share a few zones)."""
    return Timezone.from_tzinfo(
        ZoneInfo(key), tzid=key, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


@lru_cache(maxsize=64)
def _fixed_vtimezone(offset: timedelta) -> Timezone:
    # icalendar's helper labels a fixed offset DAYLIGHT (it has no dst()); a fixed offset is standard time.
    tzid = timezone(offset).tzname(None)  # 'UTC+05:30', as icalendar names the TZID of such times
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzname", tzid)
    standard.add("tzoffsetfrom", offset)
    standard.add("tzoffsetto", offset)
    vtimezone = Timezone()
    vtimezone.add("tzid", tzid)
    vtimezone.add_component(standard)
    return vtimezone


def _local(moment: datetime, zone: tzinfo) -> datetime:
    """A naive local time made aware: icalendar writes a ZoneInfo's key or a fixed offset's name
    ('UTC+05:30') as its TZID, and UTC as 'Z'."""
    return moment.replace(tzinfo=zone)


# --- events ------------------------------------------------------------------------------------


def _vevents(event: FeedEvent) -> Iterator[Event]:
    zone = event_tzinfo(event.timezone)
    if event.schedule is None:
        vevent = _vevent(event, event.uid, event.summary, event.location, event.coordinates, None)
        vevent.add("dtstart", _local(event.start, zone))
        vevent.add("dtend", _local(event.end, zone))
        yield vevent
        return
    for session in event.schedule.sessions:
        yield _session_vevent(event, event.schedule, session, zone)


def _session_vevent(event: FeedEvent, schedule: Schedule, session: Session, zone: tzinfo) -> Event:
    summary = f"{event.summary}: {session.title}" if session.title else event.summary
    vevent = _vevent(
        event,
        session_uid(event.uid, session.id),
        summary,
        session.location or event.location,
        session.coordinates or event.coordinates,
        session.description,
    )
    vevent.add("dtstart", _local(session.start, zone))
    vevent.add("dtend", _local(session.end, zone))
    if schedule.recurrence is not None:
        vevent.add("rrule", vRecur.from_ical(schedule.recurrence))
        if schedule.exceptions:
            at = session.start.time()
            vevent.add("exdate", [_local(datetime.combine(day, at), zone) for day in schedule.exceptions])
    return vevent


def _vevent(
    event: FeedEvent,
    uid: str,
    summary: str,
    location: str | None,
    coordinates: Coordinates | None,
    description: str | None,
) -> Event:
    vevent = Event()
    vevent.add("uid", _text(uid))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", event.dtstamp.astimezone(UTC))
    vevent.add("last-modified", event.last_modified.astimezone(UTC))
    vevent.add("summary", _text(summary))
    if event.url:
        vevent.add("url", _uri(event.url))
    if location:
        vevent.add("location", _text(location))
    if coordinates is not None:
        vevent.add("geo", (coordinates.latitude, coordinates.longitude))
    text = "\n\n".join(part for part in (description, event.meeting_url) if part)
    if text:
        vevent.add("description", _text(text))
    if event.cancelled:
        vevent.add("status", "CANCELLED")
    return vevent


def _text(value: str) -> str:
    """``value`` without the control characters RFC 5545 forbids in TEXT; line breaks become LF."""
    return _FORBIDDEN_IN_TEXT.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _uri(value: str) -> str:
    """``value`` with spaces and control characters percent-encoded, so it stays one line."""
    return _NOT_IN_URI.sub(lambda match: f"%{ord(match.group()):02X}", value)


# --- pre-rendered feeds (projections/feeds.py stores each event's VEVENTs) ---------------------
# ``vevent_text`` writes the VEVENTs that ``_vevents`` builds with icalendar, line for line and
# byte for byte, without building components: the projector renders every event at every change
# (twice: with and without the meeting URL), and icalendar's per-property machinery cost ~0.25 ms
# a VEVENT. icalendar stays the writer of record: what is hand-written here is the layout of the
# simple properties (TEXT, URI, INTEGER, UTC and local DATE-TIME) in icalendar's property order,
# its TEXT escaping and its line folding; the TZID parameters, RRULE, EXDATE and GEO lines are
# icalendar's own (rendered once per value and cached). tests/unit/test_ical_fast.py compares the
# two writers on generated events.


def vevent_text(event: FeedEvent) -> str:
    """The event's VEVENTs as ``write_calendar`` writes them (CRLF lines, folded)."""
    zone = event_tzinfo(event.timezone)
    if event.schedule is None:
        return _fast_vevent(
            event,
            event.uid,
            event.summary,
            event.location,
            event.coordinates,
            None,
            event.start,
            event.end,
            zone,
        )
    schedule = event.schedule
    return "".join(
        _fast_vevent(
            event,
            session_uid(event.uid, session.id),
            f"{event.summary}: {session.title}" if session.title else event.summary,
            session.location or event.location,
            session.coordinates or event.coordinates,
            session.description,
            session.start,
            session.end,
            zone,
            schedule,
        )
        for session in schedule.sessions
    )


def _fast_vevent(
    event: FeedEvent,
    uid: str,
    summary: str,
    location: str | None,
    coordinates: Coordinates | None,
    description: str | None,
    start: datetime,
    end: datetime,
    zone: tzinfo,
    schedule: Schedule | None = None,
) -> str:
    """One VEVENT as ``_vevent`` + ``_session_vevent`` build it and icalendar writes it: the
    properties in icalendar's order (its canonical ones, then the others alphabetically)."""
    stamp = _utc_value(event.dtstamp)
    lines = [
        "BEGIN:VEVENT",
        _fold(f"SUMMARY:{_text_value(summary)}"),
        _fold(_local_line("DTSTART", start, zone)),
        _fold(_local_line("DTEND", end, zone)),
        f"DTSTAMP:{stamp}",
        _fold(f"UID:{_text_value(uid)}"),
        f"SEQUENCE:{int(event.sequence)}",
    ]
    if schedule is not None and schedule.recurrence is not None:
        lines.append(_rrule_lines(schedule.recurrence))
        if schedule.exceptions:
            lines.append(_exdate_lines(schedule.exceptions, start.time(), zone))
    text = "\n\n".join(part for part in (description, event.meeting_url) if part)
    if text:
        lines.append(_fold(f"DESCRIPTION:{_text_value(text)}"))
    if coordinates is not None:
        lines.append(_geo_lines(repr(coordinates.latitude), repr(coordinates.longitude)))
    last_modified = event.last_modified
    lines.append(f"LAST-MODIFIED:{stamp if last_modified == event.dtstamp else _utc_value(last_modified)}")
    if location:
        lines.append(_fold(f"LOCATION:{_text_value(location)}"))
    if event.cancelled:
        lines.append("STATUS:CANCELLED")
    if event.url:
        lines.append(_fold(f"URL:{_decoded(_uri(event.url))}"))
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines)


def _decoded(value: str) -> str:
    """``value`` as icalendar reads its own encoded bytes back (UTF-8 with an optional BOM)."""
    return value.encode("utf-8").decode("utf-8-sig")


def _text_value(value: str) -> str:
    """A TEXT value as ``vText`` escapes it, after ``_text``."""
    escaped = (
        _text(value)
        .replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )
    return _decoded(escaped)


def _stamp(moment: datetime) -> str:
    return (
        f"{moment.year:04}{moment.month:02}{moment.day:02}"
        f"T{moment.hour:02}{moment.minute:02}{moment.second:02}"
    )


def _utc_value(moment: datetime) -> str:
    return _stamp(moment.astimezone(UTC)) + "Z"


def _local_line(name: str, moment: datetime, zone: tzinfo) -> str:
    prefix, suffix = _local_form(name, zone)
    return f"{prefix}{_stamp(moment)}{suffix}"


_SAMPLE = datetime(2000, 1, 1)


@lru_cache(maxsize=256)
def _local_form(name: str, zone: tzinfo) -> tuple[str, str]:
    """What icalendar writes before and after a local time in ``zone`` (its TZID parameter, or
    the 'Z' of UTC): learnt from one sample line."""
    vevent = Event()
    vevent.add(name, _local(_SAMPLE, zone))
    line = str(vevent.content_lines()[1])
    prefix, sample, suffix = line.partition(_stamp(_SAMPLE))
    assert sample, line
    return prefix, suffix


def _fold(line: str) -> str:
    """icalendar's folding (``icalendar.parser.string._foldline``): at most 74 octets a line,
    a multi-byte character never split, a backslash or caret kept with the character it escapes."""
    if len(line) < 75 and line.isascii():
        return line
    folded: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and count + size >= 75:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                folded.append("".join(current))
                current, count = [carried], len(carried.encode("utf-8"))
            else:
                folded.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        folded.append("".join(current))
    return "\r\n ".join(folded)


def _icalendar_lines(vevent: Event) -> str:
    """The property lines icalendar writes for ``vevent`` (without BEGIN/END and the last CRLF)."""
    lines = vevent.to_ical().decode().split("\r\n")
    assert lines[0] == "BEGIN:VEVENT" and lines[-2:] == ["END:VEVENT", ""], lines
    return "\r\n".join(lines[1:-2])


@lru_cache(maxsize=256)
def _rrule_lines(recurrence: str) -> str:
    vevent = Event()
    vevent.add("rrule", vRecur.from_ical(recurrence))
    return _icalendar_lines(vevent)


@lru_cache(maxsize=256)
def _exdate_lines(days: tuple[date, ...], at: time, zone: tzinfo) -> str:
    vevent = Event()
    vevent.add("exdate", [_local(datetime.combine(day, at), zone) for day in days])
    return _icalendar_lines(vevent)


@lru_cache(maxsize=1024)
def _geo_lines(latitude: str, longitude: str) -> str:
    # keyed by repr: -0.0 == 0.0, but icalendar writes the sign
    vevent = Event()
    vevent.add("geo", (float(latitude), float(longitude)))
    return _icalendar_lines(vevent)


def zone_years(event: FeedEvent) -> tuple[str, int, int]:
    """The timezone whose VTIMEZONE the event needs ("" for UTC) and the years it must cover."""
    first, last = _years(event)
    return ("" if event_tzinfo(event.timezone) is UTC else event.timezone), first, last


def assemble(parts: Iterable[tuple[str, int, int, str]], *, name: str | None = None) -> bytes:
    """One VCALENDAR from pre-rendered events (``zone_years(event) + (vevent_text(event),)`` each,
    in order): the same bytes ``write_calendar`` gives for those events."""
    given = list(parts)
    years: dict[tzinfo, tuple[str, int, int]] = {}
    for tz, first, last, _ in given:
        if not tz:
            continue
        zone = event_tzinfo(tz)
        known = years.get(zone, (tz, first, last))
        years[zone] = (known[0], min(first, known[1]), max(last, known[2]))
    head = _head(name, tuple(years.values()))
    return b"".join((head, *(text.encode() for *_, text in given), b"END:VCALENDAR\r\n"))


@lru_cache(maxsize=1024)
def _head(name: str | None, zones: tuple[tuple[str, int, int], ...]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if name:
        calendar.add("name", _text(name))
        calendar.add("x-wr-calname", _text(name))
    for tz, first, last in zones:
        zone = event_tzinfo(tz)
        if isinstance(zone, ZoneInfo):
            calendar.add_component(_zone_vtimezone(zone.key, first, last))
        else:
            offset = zone.utcoffset(None)
            assert offset is not None
            calendar.add_component(_fixed_vtimezone(offset))
    whole = bytes(calendar.to_ical())
    end = b"END:VCALENDAR\r\n"
    assert whole.endswith(end)
    return whole[: -len(end)]
