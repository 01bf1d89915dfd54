"""Unit tests for projections.ical: the feed parses with icalendar, names a VTIMEZONE for every
TZID it uses, keeps UIDs stable, round-trips RRULE/EXDATE, marks cancelled events, shows the meeting
URL only when given, escapes hostile text and folds lines with CRLF."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from domain.schedule import Coordinates, Schedule, Session, check_schedule, occurrences
from projections.ical import PRODID, FeedEvent, event_uid, session_uid, write_calendar

ROME = "Europe/Rome"
STAMP = datetime(2030, 9, 1, 12, 0, tzinfo=UTC)
HOSTILE = 'Evil;,\\ "x"\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:injected\nSUMMARY:x\x00\x07\x1b\x7f end'


def feed_event(event_id: int = 1, **changes: object) -> FeedEvent:
    base = FeedEvent(
        uid=event_uid(event_id, "events.example.org"),
        sequence=0,
        dtstamp=STAMP,
        last_modified=STAMP,
        summary="Editathon",
        timezone=ROME,
        start=datetime(2030, 10, 14, 10),
        end=datetime(2030, 10, 14, 12),
        url=f"https://events.example.org/event/{event_id}",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def recurring(
    rule: str = "FREQ=WEEKLY;COUNT=4", exceptions: tuple[date, ...] = (date(2030, 10, 21),)
) -> Schedule:
    sessions = (
        Session("mon", datetime(2030, 10, 14, 10), datetime(2030, 10, 14, 12), title="Morning"),
        Session(
            "wed",
            datetime(2030, 10, 16, 14),
            datetime(2030, 10, 16, 16),
            location="Sala Uno",
            coordinates=Coordinates(41.9, 12.5),
            description="Bring a laptop",
        ),
    )
    return check_schedule(Schedule(sessions, rule, exceptions), ROME)


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def vevents(data: bytes) -> list[icalendar.Event]:
    return list(parse(data).walk("VEVENT"))


def by_uid(data: bytes) -> dict[str, icalendar.Event]:
    return {str(vevent["UID"]): vevent for vevent in vevents(data)}


# --- calendar and timezones --------------------------------------------------------------------


def test_calendar_header() -> None:
    calendar = parse(write_calendar([feed_event()], name="Events of Alice"))
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == PRODID
    assert calendar["X-WR-CALNAME"] == "Events of Alice"
    assert "UID" not in calendar  # no random calendar UID: the same events give the same bytes


def test_the_same_events_give_the_same_bytes() -> None:
    events = [feed_event(1, schedule=recurring()), feed_event(2, timezone="+05:30")]
    assert write_calendar(events) == write_calendar(list(events))


def test_an_empty_feed_is_a_valid_calendar() -> None:
    calendar = parse(write_calendar([]))
    assert list(calendar.walk("VEVENT")) == [] and list(calendar.walk("VTIMEZONE")) == []


def test_one_vtimezone_per_zone_before_the_events() -> None:
    events = [feed_event(1), feed_event(2, schedule=recurring()), feed_event(3, timezone="America/New_York")]
    calendar = parse(write_calendar(events))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [ROME, "America/New_York"]
    names = [component.name for component in calendar.subcomponents]
    assert names.index("VEVENT") > max(i for i, name in enumerate(names) if name == "VTIMEZONE")
    used = {vevent["DTSTART"].params["TZID"] for vevent in calendar.walk("VEVENT")}
    assert used == {ROME, "America/New_York"}


def test_the_vtimezone_covers_the_years_of_a_recurring_event() -> None:
    calendar = parse(write_calendar([feed_event(schedule=recurring("FREQ=WEEKLY"))]))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz()
    for year in (2030, 2035, 2040):
        assert zone.utcoffset(datetime(year, 7, 1, 12)) == timedelta(hours=2)
        assert zone.utcoffset(datetime(year, 12, 1, 12)) == timedelta(hours=1)
    assert min(part.DTSTART for part in vtimezone.subcomponents) == datetime(2030, 1, 1)


def test_a_fixed_offset_has_one_standard_part() -> None:
    calendar = parse(write_calendar([feed_event(timezone="+05:30"), feed_event(2, timezone="IST")]))
    (vtimezone,) = calendar.walk("VTIMEZONE")  # v0 reads the abbreviation IST as +05:30 too
    assert vtimezone["TZID"] == "UTC+05:30"
    (standard,) = vtimezone.subcomponents
    assert standard.name == "STANDARD"
    assert standard["TZOFFSETFROM"].td == standard["TZOFFSETTO"].td == timedelta(hours=5, minutes=30)
    starts = {vevent.start for vevent in calendar.walk("VEVENT")}
    assert {start.astimezone(UTC) for start in starts} == {datetime(2030, 10, 14, 4, 30, tzinfo=UTC)}
    assert all(vevent["DTSTART"].params["TZID"] == "UTC+05:30" for vevent in calendar.walk("VEVENT"))


def test_an_abbreviation_is_the_fixed_offset_v0_gives_it() -> None:
    calendar = parse(write_calendar([feed_event(timezone="CET", start=datetime(2030, 7, 1, 10))]))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [
        "UTC+01:00"
    ]  # not the IANA zone CET, with DST
    assert calendar.walk("VEVENT")[0].start.astimezone(UTC) == datetime(2030, 7, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize("tz", ["UTC", "+00:00", "GMT"])
def test_a_zero_offset_is_written_in_utc(tz: str) -> None:
    data = write_calendar([feed_event(timezone=tz)])
    assert b"DTSTART:20301014T100000Z\r\n" in data
    assert list(parse(data).walk("VTIMEZONE")) == []


# --- UIDs and SEQUENCE ---------------------------------------------------------------------------


def test_uid_is_stable_across_changes_of_the_event() -> None:
    before = vevents(write_calendar([feed_event(7)]))
    moved = feed_event(
        7,
        sequence=3,
        start=datetime(2030, 11, 1, 9),
        end=datetime(2030, 11, 1, 17),
        summary="Renamed",
        location="Elsewhere",
        last_modified=STAMP + timedelta(days=2),
    )
    after = vevents(write_calendar([feed_event(1), moved]))
    assert before[0]["UID"] == after[1]["UID"] == "event-7@events.example.org"
    assert after[0]["UID"] != after[1]["UID"]
    assert (before[0]["SEQUENCE"], after[1]["SEQUENCE"]) == (0, 3)


def test_each_session_has_its_own_stable_uid() -> None:
    first = by_uid(write_calendar([feed_event(5, schedule=recurring())]))
    assert set(first) == {"mon.event-5@events.example.org", "wed.event-5@events.example.org"}
    assert session_uid(event_uid(5, "events.example.org"), "mon") == "mon.event-5@events.example.org"
    changed = recurring("FREQ=WEEKLY;COUNT=6", ())
    second = by_uid(write_calendar([feed_event(5, schedule=changed, sequence=1)]))
    assert set(second) == set(first)
    assert {int(vevent["SEQUENCE"]) for vevent in second.values()} == {1}


def test_dtstamp_and_last_modified_are_utc() -> None:
    local_stamp = datetime(2030, 9, 1, 14, 0, tzinfo=ZoneInfo(ROME))
    data = write_calendar([feed_event(dtstamp=local_stamp, last_modified=local_stamp - timedelta(hours=1))])
    assert b"DTSTAMP:20300901T120000Z\r\n" in data
    assert b"LAST-MODIFIED:20300901T110000Z\r\n" in data


# --- schedule ------------------------------------------------------------------------------------


def test_rrule_and_exdate_round_trip() -> None:
    schedule = recurring("FREQ=WEEKLY;UNTIL=20301130", (date(2030, 10, 21), date(2030, 11, 6)))
    events = by_uid(write_calendar([feed_event(schedule=schedule)]))
    mon, wed = events["mon.event-1@events.example.org"], events["wed.event-1@events.example.org"]
    for vevent in (mon, wed):
        assert (
            vevent["RRULE"].to_ical().decode() == schedule.recurrence == "FREQ=WEEKLY;UNTIL=20301130T225959Z"
        )
    assert mon.exdates == [
        datetime(2030, 10, 21, 10, tzinfo=ZoneInfo(ROME)),
        datetime(2030, 11, 6, 10, tzinfo=ZoneInfo(ROME)),
    ]
    assert [d.date() for d in wed.exdates] == [date(2030, 10, 21), date(2030, 11, 6)]
    assert {d.time() for d in wed.exdates} == {datetime(2030, 1, 1, 14).time()}
    assert mon.start == datetime(2030, 10, 14, 10, tzinfo=ZoneInfo(ROME))
    assert wed.end == datetime(2030, 10, 16, 16, tzinfo=ZoneInfo(ROME))


def test_the_feed_expands_to_the_schedules_occurrences() -> None:
    schedule = recurring(
        "FREQ=WEEKLY;UNTIL=20301231", (date(2030, 10, 21), date(2030, 11, 6), date(2030, 12, 9))
    )
    begin, end = datetime(2030, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
    found = recurring_ical_events.of(parse(write_calendar([feed_event(schedule=schedule)]))).between(
        begin, end
    )
    theirs = sorted(
        (e.start.astimezone(UTC), e.end.astimezone(UTC), str(e["UID"]).split(".")[0]) for e in found
    )
    ours = [(o.start_utc, o.end_utc, o.session_id) for o in occurrences(schedule, ROME, begin, end, 1000)]
    assert theirs == ours
    assert len(ours) == 12 + 11 - 3  # Mondays and Wednesdays to 30 December, less three exceptions


def test_sessions_show_their_title_place_and_description() -> None:
    events = by_uid(write_calendar([feed_event(schedule=recurring(), location="Main hall")]))
    mon, wed = events["mon.event-1@events.example.org"], events["wed.event-1@events.example.org"]
    assert (mon["SUMMARY"], wed["SUMMARY"]) == ("Editathon: Morning", "Editathon")
    assert (mon["LOCATION"], wed["LOCATION"]) == ("Main hall", "Sala Uno")
    assert "GEO" not in mon
    assert (wed["GEO"].latitude, wed["GEO"].longitude) == (41.9, 12.5)
    assert wed["DESCRIPTION"] == "Bring a laptop" and "DESCRIPTION" not in mon


def test_event_without_schedule_has_its_period_place_and_url() -> None:
    (vevent,) = vevents(
        write_calendar([feed_event(location="Via Roma 1", coordinates=Coordinates(-33.5, 151.25))])
    )
    assert vevent.start == datetime(2030, 10, 14, 10, tzinfo=ZoneInfo(ROME))
    assert vevent.end == datetime(2030, 10, 14, 12, tzinfo=ZoneInfo(ROME))
    assert vevent["LOCATION"] == "Via Roma 1"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (-33.5, 151.25)
    assert vevent["URL"] == "https://events.example.org/event/1"
    assert "RRULE" not in vevent and "EXDATE" not in vevent


# --- status and privacy --------------------------------------------------------------------------


def test_a_cancelled_event_says_so() -> None:
    events = vevents(
        write_calendar(
            [
                feed_event(1, cancelled=True),
                feed_event(2, schedule=recurring(), cancelled=True),
                feed_event(3),
            ]
        )
    )
    assert [str(vevent.get("STATUS")) for vevent in events] == ["CANCELLED", "CANCELLED", "CANCELLED", "None"]


def test_the_meeting_url_is_only_there_when_given() -> None:
    secret = "https://meet.example.org/room-42?pwd=s3cret"
    hidden = write_calendar([feed_event(), feed_event(2, schedule=recurring())])
    assert b"meet.example.org" not in hidden
    shown = by_uid(
        write_calendar(
            [feed_event(meeting_url=secret), feed_event(2, schedule=recurring(), meeting_url=secret)]
        )
    )
    assert shown["event-1@events.example.org"]["DESCRIPTION"] == secret
    assert shown["wed.event-2@events.example.org"]["DESCRIPTION"] == f"Bring a laptop\n\n{secret}"
    assert shown["mon.event-2@events.example.org"]["DESCRIPTION"] == secret


# --- hostile text and line folding ---------------------------------------------------------------


def test_hostile_text_is_escaped_and_stays_in_its_property() -> None:
    schedule = check_schedule(
        Schedule(
            (
                Session(
                    "s",
                    datetime(2030, 10, 14, 10),
                    datetime(2030, 10, 14, 12),
                    title=HOSTILE,
                    location=HOSTILE,
                    description=HOSTILE,
                ),
            )
        ),
        ROME,
    )
    data = write_calendar(
        [feed_event(summary=HOSTILE, location=HOSTILE), feed_event(2, summary=HOSTILE, schedule=schedule)]
    )
    events = vevents(data)
    assert [str(vevent["UID"]) for vevent in events] == [
        "event-1@events.example.org",
        "s.event-2@events.example.org",
    ]
    expected = 'Evil;,\\ "x"\nEND:VEVENT\nBEGIN:VEVENT\nUID:injected\nSUMMARY:x end'
    assert events[0]["SUMMARY"] == expected and events[0]["LOCATION"] == expected
    assert events[1]["SUMMARY"] == f"{expected}: {expected}"
    assert events[1]["LOCATION"] == expected == events[1]["DESCRIPTION"]
    assert b"\r\nBEGIN:VEVENT\r\n" in data and data.count(b"\r\nBEGIN:VEVENT\r\n") == 2
    assert b"UID:injected\r\n" not in data
    assert not any(byte in data for byte in (b"\x00", b"\x07", b"\x1b", b"\x7f"))
    assert (
        b'SUMMARY:Evil\\;\\,\\\\ "x"\\nEND:VEVENT\\nBEGIN:VEVENT\\nUID:injected\\nSUMMARY:x end\r\n'
        in data.replace(b"\r\n ", b"")  # unfolded
    )


def test_hostile_urls_are_percent_encoded() -> None:
    data = write_calendar([feed_event(url="https://e.example.org/a b\r\nUID:injected\t")])
    (vevent,) = vevents(data)
    assert vevent["URL"] == "https://e.example.org/a%20b%0D%0AUID:injected%09"
    assert b"UID:injected" not in data.replace(b"%0AUID:injected", b"")


def test_lines_end_in_crlf_and_fold_at_75_octets() -> None:
    long_text = "Évènement " * 40 + "终"
    data = write_calendar([feed_event(summary=long_text, location="x" * 300)])
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # folded continuation lines
    for line in lines:
        line.decode("utf-8")  # no multi-byte character is split by a fold
    (vevent,) = vevents(data)
    assert vevent["SUMMARY"] == long_text and vevent["LOCATION"] == "x" * 300
