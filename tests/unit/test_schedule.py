"""Unit tests for domain.schedule: the schedule's rules and normalisation, the derived period, DST,
bounded expansion, exception dates, payload round trips, and an independent expansion of the same
rule (recurring-ical-events on a hand-written ICS) compared with ours."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain import errors
from domain import schedule_errors as rules
from domain.schedule import (
    HORIZON,
    MAX_EXCEPTIONS,
    MAX_RECURRING_SESSIONS,
    MAX_SESSIONS,
    Coordinates,
    Occurrence,
    Schedule,
    Session,
    Span,
    check_schedule,
    derive_span,
    event_tzinfo,
    occurrences,
)

ROME = "Europe/Rome"
MONDAY = datetime(2030, 10, 14, 10, 0)  # 2030-10-27 is the last Sunday of October: CEST -> CET


def session(sid: str = "s1", start: datetime = MONDAY, hours: float = 2, **extra: object) -> Session:
    return Session(sid, start, start + timedelta(hours=hours), **extra)  # type: ignore[arg-type]


def weekly(rule: str = "FREQ=WEEKLY", *sessions: Session, exceptions: tuple[date, ...] = ()) -> Schedule:
    return Schedule(sessions or (session(),), rule, exceptions)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def expand(
    schedule: Schedule,
    tz: str = ROME,
    start: datetime | None = None,
    end: datetime | None = None,
    max_count: int = 1000,
) -> list[Occurrence]:
    return list(occurrences(schedule, tz, start or utc(2000, 1, 1), end or utc(2100, 1, 1), max_count))


# --- rules -----------------------------------------------------------------------------------


def rule_key(schedule: Schedule, tz: str = ROME) -> tuple[str, tuple[object, ...]]:
    with pytest.raises(errors.DomainError) as caught:
        check_schedule(schedule, tz)
    return caught.value.key, caught.value.params


@pytest.mark.parametrize(
    ("schedule", "key", "params"),
    [
        (Schedule(()), "campaignevents-error-schedule-no-sessions", ()),
        (
            Schedule(tuple(session(f"s{i}") for i in range(MAX_SESSIONS + 1))),
            "campaignevents-error-schedule-too-many-sessions",
            (MAX_SESSIONS,),
        ),
        (Schedule((session(""),)), "campaignevents-error-schedule-invalid-session-id", ("",)),
        (Schedule((session("a.b"),)), "campaignevents-error-schedule-invalid-session-id", ("a.b",)),
        (Schedule((session("-a"),)), "campaignevents-error-schedule-invalid-session-id", ("-a",)),
        (Schedule((session("a" * 65),)), "campaignevents-error-schedule-invalid-session-id", ("a" * 65,)),
        (Schedule((session("é"),)), "campaignevents-error-schedule-invalid-session-id", ("é",)),
        (
            Schedule((session("x"), session("y"), session("x"))),
            "campaignevents-error-schedule-duplicate-session-id",
            ("x",),
        ),
        (
            Schedule((session("s", MONDAY, -0.5),)),
            "campaignevents-error-schedule-session-end-before-start",
            ("s",),
        ),
        (
            Schedule((session("lat", coordinates=Coordinates(90.5, 0)),)),
            "campaignevents-error-schedule-invalid-latitude",
            ("lat",),
        ),
        (
            Schedule((session("lat", coordinates=Coordinates(float("nan"), 0)),)),
            "campaignevents-error-schedule-invalid-latitude",
            ("lat",),
        ),
        (
            Schedule((session("lon", coordinates=Coordinates(0, -180.01)),)),
            "campaignevents-error-schedule-invalid-longitude",
            ("lon",),
        ),
        (
            Schedule((session("lon", coordinates=Coordinates(0, float("inf"))),)),
            "campaignevents-error-schedule-invalid-longitude",
            ("lon",),
        ),
        (
            Schedule((session("t", title="é" * 128),)),  # 256 bytes
            "campaignevents-error-schedule-session-text-too-long",
            ("t", "title", 255),
        ),
        (
            Schedule((session("l", location="x" * 8193),)),
            "campaignevents-error-schedule-session-text-too-long",
            ("l", "location", 8192),
        ),
        (
            Schedule((session("d", description="x" * 8193),)),
            "campaignevents-error-schedule-session-text-too-long",
            ("d", "description", 8192),
        ),
        (
            Schedule((session(),), None, (date(2030, 10, 21),)),
            "campaignevents-error-schedule-exceptions-without-recurrence",
            (),
        ),
    ],
)
def test_session_rules(schedule: Schedule, key: str, params: tuple[object, ...]) -> None:
    assert rule_key(schedule) == (key, params)


def test_a_time_without_a_utc_value_is_refused() -> None:
    early = Session("s", datetime(1, 1, 1, 0, 0), datetime(1, 1, 1, 1, 0))
    assert rule_key(Schedule((early,)), "+05:30") == (
        "campaignevents-error-schedule-invalid-session-time",
        ("s",),
    )


def test_an_end_equal_to_the_start_is_allowed_as_in_v0() -> None:
    assert check_schedule(Schedule((session("s", MONDAY, 0),)), ROME).sessions[0].end == MONDAY


def test_coordinates_at_the_limits_are_allowed() -> None:
    corners = [
        session(f"c{i}", coordinates=Coordinates(lat, lon))
        for i, (lat, lon) in enumerate([(-90, -180), (90, 180), (0, 0)])
    ]
    checked = check_schedule(Schedule(tuple(corners)), ROME)
    assert {s.coordinates for s in checked.sessions} == {
        Coordinates(-90.0, -180.0),
        Coordinates(90.0, 180.0),
        Coordinates(0.0, 0.0),
    }


def test_texts_at_their_limit_are_allowed() -> None:
    checked = check_schedule(Schedule((session("t", title="é" * 127 + "a"),)), ROME)
    assert checked.sessions[0].title == "é" * 127 + "a"


def test_an_invalid_timezone_is_v0s_error() -> None:
    assert rule_key(Schedule((session(),)), "Mars/Olympus")[0] == "campaignevents-error-invalid-timezone"
    assert rule_key(Schedule((session(),)), "+25:00")[0] == "campaignevents-error-invalid-timezone"


def test_aware_session_times_are_a_callers_bug() -> None:
    with pytest.raises(ValueError, match="naive"):
        check_schedule(Schedule((session("s", MONDAY.replace(tzinfo=UTC)),)), ROME)


def test_the_first_broken_rule_wins() -> None:
    bad_everything = Schedule((session("a.b", MONDAY, -1),), "FREQ=NOPE", (date(2030, 1, 1),))
    assert rule_key(bad_everything)[0] == "campaignevents-error-schedule-invalid-session-id"
    bad_rule = Schedule(
        (session("ok"),), "FREQ=NOPE", tuple(date(2031, 1, 1) + timedelta(i) for i in range(501))
    )
    assert rule_key(bad_rule)[0] == "campaignevents-error-schedule-invalid-recurrence"


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "   ",
        "FREQ=FOO",
        "BYDAY=MO",
        "FREQ=WEEKLY;;",
        "FREQ=WEEKLY;",
        "FREQ=WEEKLY;BYDAY",
        "FREQ=WEEKLY;BYDAY=",
        "FREQ=WEEKLY;FREQ=DAILY",
        "FREQ=WEEKLY;X-NAME=1",
        "FREQ=WEEKLY;BYEASTER=0",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;COUNT=-1",
        "FREQ=WEEKLY;COUNT=1234567",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;INTERVAL=two",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;WKST=XX",
        "FREQ=WEEKLY;UNTIL=garbage",
        "FREQ=WEEKLY;UNTIL=20301301",
        "FREQ=WEEKLY;UNTIL=20301231T250000Z",
        "FREQ=WEEKLY;UNTIL=2030-12-31",
        "DTSTART:20301014T100000\nRRULE:FREQ=WEEKLY",
        "FREQ=WEEKLY\r\nEXDATE:20301021T100000",
        "RRULE:RRULE:FREQ=WEEKLY",
        "FREQ=WEEKLY;" + "BYMONTH=1;" * 200,
    ],
)
def test_an_unparsable_rule_is_refused(rule: str) -> None:
    assert rule_key(weekly(rule)) == ("campaignevents-error-schedule-invalid-recurrence", ())


def test_count_and_until_together_are_refused() -> None:
    schedule = weekly("FREQ=WEEKLY;COUNT=3;UNTIL=20301231T000000Z")
    assert rule_key(schedule) == ("campaignevents-error-schedule-recurrence-count-and-until", ())


@pytest.mark.parametrize(
    ("rule", "part"),
    [
        ("FREQ=HOURLY", "FREQ=HOURLY"),
        ("FREQ=MINUTELY;COUNT=3", "FREQ=MINUTELY"),
        ("FREQ=SECONDLY", "FREQ=SECONDLY"),
        ("FREQ=DAILY;BYHOUR=10,14", "BYHOUR"),
        ("FREQ=DAILY;BYMINUTE=0", "BYMINUTE"),
        ("FREQ=WEEKLY;BYSECOND=0", "BYSECOND"),
    ],
)
def test_rules_that_repeat_within_a_day_are_not_supported(rule: str, part: str) -> None:
    assert rule_key(weekly(rule)) == ("campaignevents-error-schedule-unsupported-recurrence", (part,))


def test_a_rule_without_an_end_is_fine() -> None:
    checked = check_schedule(weekly("FREQ=WEEKLY"), ROME)
    assert checked.recurrence == "FREQ=WEEKLY"
    assert checked.is_open_ended


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=TU",  # the session is on a Monday
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "FREQ=YEARLY;BYMONTH=11",
        "FREQ=MONTHLY;BYDAY=1MO",  # 14 October is the second Monday
        "FREQ=MONTHLY;BYMONTHDAY=40",  # never
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # never: dateutil alone would search until year 9999
        "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31",  # never
    ],
)
def test_a_session_that_is_not_an_occurrence_of_the_rule_is_refused(rule: str) -> None:
    began = time.monotonic()
    assert rule_key(weekly(rule)) == ("campaignevents-error-schedule-recurrence-not-aligned", ("s1",))
    assert time.monotonic() - began < 2  # bounded: only the first period of the rule is searched


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=MO,WE",
        "FREQ=MONTHLY;BYDAY=2MO",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2",
        "FREQ=MONTHLY;BYMONTHDAY=14",
        "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=14",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=MO,SU",
    ],
)
def test_a_rule_the_sessions_start_on_is_accepted(rule: str) -> None:
    assert check_schedule(weekly(rule), ROME).recurrence == rule


def test_every_session_must_start_on_an_occurrence() -> None:
    tuesday = session("tue", MONDAY + timedelta(days=1))
    schedule = weekly("FREQ=WEEKLY;BYDAY=MO", session("mon"), tuesday)
    assert rule_key(schedule) == ("campaignevents-error-schedule-recurrence-not-aligned", ("tue",))
    assert check_schedule(weekly("FREQ=WEEKLY", session("mon"), tuesday), ROME).recurrence == "FREQ=WEEKLY"


def test_a_rule_ending_before_a_session_starts_is_refused() -> None:
    later = session("later", MONDAY + timedelta(days=14))
    schedule = weekly("FREQ=WEEKLY;UNTIL=20301020T000000Z", session("first"), later)
    assert rule_key(schedule) == ("campaignevents-error-schedule-recurrence-until-before-start", ("later",))


def test_a_finite_rule_must_end_within_the_horizon() -> None:
    too_late = weekly("FREQ=WEEKLY;UNTIL=20410101T000000Z")
    assert rule_key(too_late) == ("campaignevents-error-schedule-recurrence-too-long", (10,))
    too_many = weekly("FREQ=DAILY;COUNT=3655")
    assert rule_key(too_many) == ("campaignevents-error-schedule-recurrence-too-long", (10,))
    last_day = check_schedule(weekly("FREQ=DAILY;COUNT=3654"), ROME)  # day 0 to day 3653
    assert derive_span(last_day, ROME).start_utc + HORIZON == derive_span(last_day, ROME).end_utc - timedelta(
        hours=2
    )


def test_a_recurring_schedule_has_at_most_ten_sessions() -> None:
    many = tuple(session(f"s{i}", MONDAY + timedelta(days=i)) for i in range(MAX_RECURRING_SESSIONS + 1))
    assert rule_key(weekly("FREQ=WEEKLY", *many)) == (
        "campaignevents-error-schedule-too-many-recurring-sessions",
        (MAX_RECURRING_SESSIONS,),
    )
    assert len(check_schedule(Schedule(many), ROME).sessions) == MAX_RECURRING_SESSIONS + 1


def test_exception_dates_are_bounded() -> None:
    days = tuple(date(2031, 1, 1) + timedelta(days=i) for i in range(MAX_EXCEPTIONS + 1))
    assert rule_key(weekly("FREQ=DAILY", exceptions=days)) == (
        "campaignevents-error-schedule-too-many-exceptions",
        (MAX_EXCEPTIONS,),
    )
    assert len(check_schedule(weekly("FREQ=DAILY", exceptions=days[:-1]), ROME).exceptions) == MAX_EXCEPTIONS


def test_exceptions_that_remove_every_occurrence_are_refused() -> None:
    both = (date(2030, 10, 14), date(2030, 10, 21))
    assert rule_key(weekly("FREQ=WEEKLY;COUNT=2", exceptions=both)) == (
        "campaignevents-error-schedule-no-occurrences",
        (),
    )
    yearly = tuple(date(2030 + i, 10, 14) for i in range(11))  # every occurrence within the horizon
    assert rule_key(Schedule((session("y"),), "FREQ=YEARLY", yearly))[0] == (
        "campaignevents-error-schedule-no-occurrences"
    )


# --- normalisation -----------------------------------------------------------------------------


def test_check_normalises_sessions_rule_and_exceptions() -> None:
    given = Schedule(
        (
            session("b", MONDAY + timedelta(days=2), title="  Second  ", location=" ", description=""),
            session("a", MONDAY, title="First", coordinates=Coordinates(41, 12)),
        ),
        " rrule:freq=weekly;byday=mo,we;until=20301231 ",
        (date(2030, 11, 4), date(2030, 10, 21), date(2030, 11, 4)),
    )
    checked = check_schedule(given, ROME)
    assert [s.id for s in checked.sessions] == ["a", "b"]
    assert checked.sessions[1].title == "Second"
    assert checked.sessions[1].location is None and checked.sessions[1].description is None
    assert checked.sessions[0].coordinates == Coordinates(41.0, 12.0)
    # A date UNTIL is the end of that local day: 23:59:59 CET is 22:59:59 UTC.
    assert checked.recurrence == "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20301231T225959Z"
    assert checked.exceptions == (date(2030, 10, 21), date(2030, 11, 4))
    assert check_schedule(checked, ROME) == checked  # idempotent


@pytest.mark.parametrize(
    ("until", "tz", "stored"),
    [
        ("20301231T120000Z", ROME, "20301231T120000Z"),
        ("20301231T120000", ROME, "20301231T110000Z"),  # local CET
        ("20310701T120000", ROME, "20310701T100000Z"),  # local CEST
        ("20301231", "+05:30", "20301231T182959Z"),
        ("20301231", "UTC", "20301231T235959Z"),
        ("20301231T120000", "CET", "20301231T110000Z"),  # an abbreviation is a fixed offset in v0
    ],
)
def test_until_is_stored_in_utc(until: str, tz: str, stored: str) -> None:
    checked = check_schedule(weekly(f"UNTIL={until};FREQ=WEEKLY"), tz)
    assert checked.recurrence == f"FREQ=WEEKLY;UNTIL={stored}"


# --- derived period ------------------------------------------------------------------------------


def test_span_of_sessions_is_the_earliest_start_and_the_latest_end() -> None:
    long_first = session("a", MONDAY, hours=50)
    short_last = session("b", MONDAY + timedelta(days=1), hours=1)
    span = derive_span(check_schedule(Schedule((short_last, long_first)), ROME), ROME)
    assert span == Span(
        MONDAY, MONDAY + timedelta(hours=50), utc(2030, 10, 14, 8), utc(2030, 10, 16, 10), False
    )


def test_span_of_a_finite_rule_ends_with_its_last_occurrence() -> None:
    checked = check_schedule(weekly("FREQ=WEEKLY;COUNT=5"), ROME)
    span = derive_span(checked, ROME)
    assert (span.start_local, span.end_local) == (MONDAY, datetime(2030, 11, 11, 12))
    assert (span.start_utc, span.end_utc) == (utc(2030, 10, 14, 8), utc(2030, 11, 11, 11))
    assert not span.open_ended


def test_exceptions_move_the_span() -> None:
    ends = (date(2030, 10, 14), date(2030, 11, 11))
    span = derive_span(check_schedule(weekly("FREQ=WEEKLY;COUNT=5", exceptions=ends), ROME), ROME)
    assert (span.start_local, span.end_local) == (datetime(2030, 10, 21, 10), datetime(2030, 11, 4, 12))


def test_span_of_an_open_ended_rule_ends_with_its_last_occurrence_within_the_horizon() -> None:
    wednesday = session("wed", MONDAY + timedelta(days=2, hours=4))
    checked = check_schedule(weekly("FREQ=WEEKLY", session("mon"), wednesday), ROME)
    span = derive_span(checked, ROME)
    last = expand(checked, max_count=10**6)[-1]
    assert (span.start_local, span.start_utc, span.open_ended) == (MONDAY, utc(2030, 10, 14, 8), True)
    assert (span.end_local, span.end_utc) == (last.end_local, last.end_utc)
    assert last.start_utc <= utc(2030, 10, 14, 8) + HORIZON < last.start_utc + timedelta(days=7)
    assert span.end_local.year == 2040 and span.end_local.hour == 16  # local wall time kept


def test_span_of_a_rule_ending_on_a_date_includes_that_day() -> None:
    span = derive_span(check_schedule(weekly("FREQ=WEEKLY;UNTIL=20301104"), ROME), ROME)
    assert span.end_local == datetime(2030, 11, 4, 12)


# --- DST ---------------------------------------------------------------------------------------


def test_a_weekly_10_00_in_rome_stays_10_00_across_the_october_change() -> None:
    found = expand(check_schedule(weekly("FREQ=WEEKLY;COUNT=4"), ROME))
    assert [o.start_local for o in found] == [datetime(2030, 10, d, 10) for d in (14, 21, 28)] + [
        datetime(2030, 11, 4, 10)
    ]
    assert [o.end_local.time() for o in found] == [datetime(2000, 1, 1, 12).time()] * 4
    assert [o.start_utc for o in found] == [
        utc(2030, 10, 14, 8),
        utc(2030, 10, 21, 8),
        utc(2030, 10, 28, 9),
        utc(2030, 11, 4, 9),
    ]
    assert {o.session_id for o in found} == {"s1"}


def test_a_weekly_event_in_new_york_follows_its_own_change() -> None:
    tz = "America/New_York"  # 2030-11-03: EDT -> EST, a week after Europe
    found = expand(
        check_schedule(weekly("FREQ=WEEKLY;COUNT=4", session("s", datetime(2030, 10, 20, 19))), tz), tz
    )
    assert [o.start_utc.hour for o in found] == [23, 23, 0, 0]
    assert {o.start_local.hour for o in found} == {19}


def test_a_local_time_in_the_spring_gap_uses_the_offset_before_it() -> None:
    # 02:30 does not exist in Rome on 2030-03-31; RFC 5545 reads it with +01:00: 01:30 UTC, 03:30 CEST.
    nightly = Schedule((session("n", datetime(2030, 3, 30, 2, 30), hours=1),), "FREQ=DAILY;COUNT=3")
    found = expand(check_schedule(nightly, ROME))
    assert [o.start_utc for o in found] == [
        utc(2030, 3, 30, 1, 30),
        utc(2030, 3, 31, 1, 30),
        utc(2030, 4, 1, 0, 30),
    ]
    assert [o.start_local for o in found] == [
        datetime(2030, 3, 30, 2, 30),
        datetime(2030, 3, 31, 3, 30),
        datetime(2030, 4, 1, 2, 30),
    ]


def test_a_local_time_that_happens_twice_is_its_first() -> None:
    # 02:30 happens twice in Rome on 2030-10-27; RFC 5545 and v0 take the first (CEST): 00:30 UTC.
    nightly = Schedule((session("n", datetime(2030, 10, 26, 2, 30), hours=1),), "FREQ=DAILY;COUNT=3")
    found = expand(check_schedule(nightly, ROME))
    assert [o.start_utc for o in found] == [
        utc(2030, 10, 26, 0, 30),
        utc(2030, 10, 27, 0, 30),
        utc(2030, 10, 28, 1, 30),
    ]
    assert {o.start_local for o in found} == {datetime(2030, 10, d, 2, 30) for d in (26, 27, 28)}


@pytest.mark.parametrize(
    ("local", "start_utc"),
    [
        (datetime(2030, 3, 31, 2, 30), utc(2030, 3, 31, 1, 30)),
        (datetime(2030, 10, 27, 2, 30), utc(2030, 10, 27, 0, 30)),
    ],
)
def test_a_session_in_a_gap_or_a_repeated_hour_is_read_as_v0_reads_start_time(
    local: datetime, start_utc: datetime
) -> None:
    span = derive_span(check_schedule(Schedule((session("n", local, 1),)), ROME), ROME)
    assert span.start_utc == start_utc
    # The session ends at 03:30 local: CET in October (two hours later), CEST in March (the same instant).
    assert span.end_utc == start_utc + timedelta(hours=2 if local.month == 10 else 0)


def test_an_occurrence_lasts_exactly_as_long_as_the_first() -> None:
    # 22:00 to 06:00 lasts 8 hours on 25/26 October; the night of the change it ends at 05:00 CET.
    overnight = Schedule((session("o", datetime(2030, 10, 25, 22), hours=8),), "FREQ=DAILY;COUNT=3")
    found = expand(check_schedule(overnight, ROME))
    assert [o.end_utc - o.start_utc for o in found] == [timedelta(hours=8)] * 3
    assert [o.end_local for o in found] == [
        datetime(2030, 10, 26, 6),
        datetime(2030, 10, 27, 5),
        datetime(2030, 10, 28, 6),
    ]


@pytest.mark.parametrize(("tz", "hour"), [("+05:30", 4), ("-03:00", 13), ("CET", 9), ("UTC", 10), ("IST", 4)])
def test_a_fixed_offset_has_no_dst(tz: str, hour: int) -> None:
    found = expand(check_schedule(weekly("FREQ=WEEKLY;COUNT=4"), tz), tz)
    assert {o.start_local.hour for o in found} == {10}
    assert {(o.start_utc.hour, o.start_utc.minute) for o in found} == {
        (hour, 30 if tz in ("+05:30", "IST") else 0)
    }


def test_event_tzinfo_reads_timezones_as_v0() -> None:
    assert event_tzinfo("Europe/Rome") is ZoneInfo("Europe/Rome")
    assert event_tzinfo("UTC") is UTC and event_tzinfo("+00:00") is UTC
    assert event_tzinfo("+05:30").utcoffset(None) == timedelta(hours=5, minutes=30)
    assert event_tzinfo("cest").utcoffset(None) == timedelta(hours=2)  # v0: abbreviations, any case
    with pytest.raises(errors.InvalidTimezone):
        event_tzinfo("../etc/passwd")


# --- bounded expansion -------------------------------------------------------------------------


def test_expansion_stops_at_max_count() -> None:
    checked = check_schedule(weekly("FREQ=DAILY"), ROME)
    assert len(expand(checked, max_count=7)) == 7
    assert expand(checked, max_count=0) == []


def test_expansion_of_an_open_ended_rule_stops_at_the_horizon() -> None:
    found = expand(check_schedule(weekly("FREQ=DAILY"), ROME), max_count=10**6)
    assert len(found) == HORIZON.days + 1
    assert found[-1].start_utc <= found[0].start_utc + HORIZON
    assert expand(check_schedule(weekly("FREQ=DAILY"), ROME), start=utc(2041, 1, 1)) == []


def test_expansion_returns_occurrences_overlapping_the_range() -> None:
    checked = check_schedule(weekly("FREQ=WEEKLY;COUNT=4"), ROME)  # 08:00-10:00 UTC, then 09:00-11:00
    assert expand(checked, start=utc(2030, 10, 21, 10), end=utc(2030, 10, 28, 9)) == []  # touching only
    inside = expand(checked, start=utc(2030, 10, 21, 9, 59), end=utc(2030, 10, 28, 9, 0, 1))
    assert [o.start_local.day for o in inside] == [21, 28]


def test_a_zero_length_occurrence_belongs_to_the_range_it_starts_in() -> None:
    checked = check_schedule(Schedule((session("z", MONDAY, 0),), "FREQ=WEEKLY;COUNT=2"), ROME)
    assert [o.start_local for o in expand(checked, start=utc(2030, 10, 14, 8), end=utc(2030, 10, 21, 8))] == [
        MONDAY
    ]


def test_expansion_merges_sessions_by_start() -> None:
    wednesday = session("wed", MONDAY + timedelta(days=2))
    checked = check_schedule(weekly("FREQ=WEEKLY;COUNT=2", wednesday, session("mon")), ROME)
    assert [o.session_id for o in expand(checked)] == ["mon", "wed", "mon", "wed"]


def test_expansion_skips_exception_dates() -> None:
    checked = check_schedule(
        weekly("FREQ=WEEKLY;COUNT=4", exceptions=(date(2030, 10, 21), date(2030, 12, 25))), ROME
    )
    assert [o.start_local.day for o in expand(checked)] == [14, 28, 4]


def test_expansion_from_later_in_an_open_ended_series() -> None:
    checked = check_schedule(weekly("FREQ=WEEKLY"), ROME)
    found = expand(checked, start=utc(2035, 6, 1), end=utc(2035, 7, 1))
    assert [o.start_local for o in found] == [datetime(2035, 6, d, 10) for d in (4, 11, 18, 25)]
    assert {o.start_utc.hour for o in found} == {8}


def test_a_single_session_without_rule_is_one_occurrence() -> None:
    checked = check_schedule(Schedule((session(),)), ROME)
    assert expand(checked) == [
        Occurrence("s1", MONDAY, datetime(2030, 10, 14, 12), utc(2030, 10, 14, 8), utc(2030, 10, 14, 10))
    ]


def test_expansion_rejects_a_backwards_range_and_naive_bounds() -> None:
    checked = check_schedule(weekly(), ROME)
    with pytest.raises(rules.InvalidOccurrenceRange) as caught:
        occurrences(checked, ROME, utc(2031, 1, 1), utc(2030, 1, 1), 10)
    assert caught.value.key == "campaignevents-error-schedule-invalid-occurrence-range"
    with pytest.raises(ValueError, match="aware"):
        occurrences(checked, ROME, datetime(2030, 1, 1), utc(2031, 1, 1), 10)


# --- payload -----------------------------------------------------------------------------------


def test_payload_round_trips_through_json_and_the_event_store_transcoder() -> None:
    checked = check_schedule(
        Schedule(
            (
                session(
                    "a",
                    title="Opening",
                    location='Sala 1; "Roma"',
                    description="Line 1\nLine 2",
                    coordinates=Coordinates(41.902782, 12.496366),
                ),
                session("b", MONDAY + timedelta(days=2)),
            ),
            "FREQ=WEEKLY;UNTIL=20301231",
            (date(2030, 10, 21),),
        ),
        ROME,
    )
    payload = checked.to_payload()
    assert Schedule.from_payload(json.loads(json.dumps(payload))) == checked
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    assert transcoder.decode(transcoder.encode(payload)) == payload
    assert Schedule.from_payload(transcoder.decode(transcoder.encode(payload))) == checked
    assert payload["sessions"][0]["start"] == "2030-10-14T10:00:00"
    assert payload["sessions"][0]["coordinates"] == {"latitude": 41.902782, "longitude": 12.496366}
    assert payload["exceptions"] == ["2030-10-21"]


def test_payload_of_a_minimal_schedule() -> None:
    minimal = Schedule((session(),))
    assert minimal.to_payload() == {
        "sessions": [
            {
                "id": "s1",
                "title": None,
                "start": "2030-10-14T10:00:00",
                "end": "2030-10-14T12:00:00",
                "location": None,
                "coordinates": None,
                "description": None,
            }
        ],
        "recurrence": None,
        "exceptions": [],
    }
    assert Schedule.from_payload(minimal.to_payload()) == minimal


# --- an independent expansion of the same rule ---------------------------------------------------

ZONES = ["Europe/Rome", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland", "UTC"]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def recurring_events(draw: st.DrawFn) -> tuple[str, Session, str, list[date]]:
    """A daytime session (so that no occurrence spans a DST change), a rule its start is an occurrence
    of, and exception dates, some of them on occurrences."""
    tz = draw(st.sampled_from(ZONES))
    day = draw(st.dates(date(2026, 1, 1), date(2034, 12, 31)))
    start = datetime(
        day.year, day.month, day.day, draw(st.integers(8, 17)), draw(st.sampled_from([0, 15, 30, 45]))
    )
    minutes = draw(st.integers(15, 240))
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 3))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if freq == "WEEKLY" and draw(st.booleans()):
        days = {WEEKDAYS[start.weekday()], *draw(st.lists(st.sampled_from(WEEKDAYS), max_size=3))}
        parts.append("BYDAY=" + ",".join(sorted(days, key=WEEKDAYS.index)))
    if freq == "MONTHLY" and day.day <= 28 and draw(st.booleans()):
        parts.append(f"BYMONTHDAY={day.day}")
    end = draw(st.sampled_from(["none", "count", "until"]))
    if end == "count":
        most = 10 // interval if freq == "YEARLY" else 40  # within HORIZON
        parts.append(f"COUNT={draw(st.integers(1, most))}")
    elif end == "until":
        until = start.replace(tzinfo=ZoneInfo(tz)) + timedelta(days=draw(st.integers(0, 700)))
        parts.append(f"UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    exceptions = [day + timedelta(days=draw(st.integers(0, 400))) for _ in range(draw(st.integers(0, 6)))]
    return tz, Session("p", start, start + timedelta(minutes=minutes)), ";".join(parts), exceptions


def independent_expansion(
    tz: str, sess: Session, rule: str, exceptions: list[date], begin: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The occurrences that recurring-ical-events finds in an ICS written here by hand."""
    exdates = ",".join(
        datetime.combine(day, sess.start.time()).strftime("%Y%m%dT%H%M%S") for day in exceptions
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//EN",
        "BEGIN:VEVENT",
        "UID:p",
        "DTSTAMP:20250101T000000Z",
        f"DTSTART;TZID={tz}:{sess.start:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={tz}:{sess.end:%Y%m%dT%H%M%S}",
        f"RRULE:{rule}",
        *([f"EXDATE;TZID={tz}:{exdates}"] if exceptions else []),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    calendar = icalendar.Calendar.from_ical("\r\n".join(lines) + "\r\n")
    found = recurring_ical_events.of(calendar).between(begin, end)
    return sorted((event.start.astimezone(UTC), event.end.astimezone(UTC)) for event in found)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recurring_events(), st.integers(-3, 60), st.integers(1, 800))
def test_expansion_matches_recurring_ical_events(
    example: tuple[str, Session, str, list[date]], offset_days: int, length_days: int
) -> None:
    tz, sess, rule, exceptions = example
    first = sess.start.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    try:
        checked = check_schedule(Schedule((sess,), rule, tuple(exceptions)), tz)
    except rules.NoOccurrences:
        whole = independent_expansion(tz, sess, rule, exceptions, first - timedelta(1), first + HORIZON)
        assert whole == []
        return
    begin = first + timedelta(days=offset_days, seconds=7)  # off the occurrences' boundaries
    end = begin + timedelta(days=length_days)
    ours = [(o.start_utc, o.end_utc) for o in occurrences(checked, tz, begin, end, 10_000)]
    event(f"occurrences: {'0' if not ours else '1-9' if len(ours) < 10 else '10+'}")
    assert ours == independent_expansion(tz, sess, rule, exceptions, begin, end)
    assert all(
        o.start_local.time() == sess.start.time() for o in occurrences(checked, tz, begin, end, 10_000)
    )
