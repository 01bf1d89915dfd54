"""``ical.vevent_text`` (the projector's writer, without icalendar components) writes exactly what
icalendar writes for the same event (``ical._vevents``, the writer of ``write_calendar``): on
generated events with hostile text (escapes, ``\\N``, controls, a leading BOM, multi-byte and
long values that fold), every timezone form, schedules with RRULE/EXDATE/GEO, cancellations and
meeting URLs (ICAL_FAST_EXAMPLES for a longer run)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.schedule import Coordinates, Schedule, Session
from projections.ical import FeedEvent, _vevents, event_uid, vevent_text

ZONES = (
    "Europe/Rome",
    "America/Argentina/ComodRivadavia",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Etc/UTC",
    "UTC",
    "+05:30",
    "-03:00",
    "+00:00",
    "CET",
    "IST",
)
RULES = ("FREQ=WEEKLY;COUNT=4", "FREQ=DAILY;UNTIL=20301231T230000Z", "FREQ=MONTHLY;BYDAY=1MO,-1FR;INTERVAL=2")
TRICKY = (
    "\ufeff",
    "\\N",
    "\\n",
    "\\",
    "^",
    ";",
    ",",
    "\r\n",
    "\r",
    "\n",
    "\x00\x1b\x7f",
    "é",
    "终",
    "😀",
    '"',
)

texts = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(st.characters(exclude_categories=["Cs"]), max_size=40)),
    max_size=12,
).map("".join)
optional_texts = st.none() | texts
naive = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31))
aware = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2200, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7)), timezone(timedelta(hours=5, minutes=45))]),
)
coordinates = st.none() | st.builds(
    Coordinates, st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)
)
sessions = st.builds(
    Session,
    id=st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12),
    start=naive,
    end=naive,
    title=optional_texts,
    location=optional_texts,
    coordinates=coordinates,
    description=optional_texts,
)
schedules = st.none() | st.builds(
    Schedule,
    sessions=st.lists(sessions, min_size=1, max_size=3).map(tuple),
    recurrence=st.none() | st.sampled_from(RULES),
    exceptions=st.lists(st.dates(date(2000, 1, 1), date(2100, 1, 1)), max_size=3).map(tuple),
)
events = st.builds(
    FeedEvent,
    uid=st.builds(event_uid, st.integers(1, 10**9), st.sampled_from(["w.campaignevents", "a,b;c\\d"])),
    sequence=st.integers(0, 10**6),
    dtstamp=aware,
    last_modified=aware,
    summary=texts,
    timezone=st.sampled_from(ZONES),
    start=naive,
    end=naive,
    url=st.none() | texts.map(lambda path: f"https://wiki.example.org/{path}"),
    location=optional_texts,
    coordinates=coordinates,
    schedule=schedules,
    cancelled=st.booleans(),
    meeting_url=st.none() | texts,
)


def icalendar_text(event: FeedEvent) -> str:
    return "".join(vevent.to_ical().decode() for vevent in _vevents(event))


@settings(
    max_examples=int(os.environ.get("ICAL_FAST_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(events)
def test_fast_writer_matches_icalendar(event: FeedEvent) -> None:
    assert vevent_text(event) == icalendar_text(event)


def test_fast_writer_folds_long_and_escaped_values_as_icalendar() -> None:
    # a backslash escape or a caret at the fold point, multi-byte characters across it
    for filler in range(60, 80):
        for tail in ("\\;x", ";;;;", "^^^^", "ééééé", "终终终终", "😀😀😀", "a\\Nb"):
            text = "x" * filler + tail * 6
            event = FeedEvent(
                uid=event_uid(filler, "w.campaignevents"),
                sequence=1,
                dtstamp=datetime(2030, 1, 1, tzinfo=UTC),
                last_modified=datetime(2030, 1, 2, tzinfo=UTC),
                summary=text,
                timezone="Europe/Rome",
                start=datetime(2030, 1, 1, 10),
                end=datetime(2030, 1, 1, 12),
                url="https://w.example.org/" + text,
                location=text,
                meeting_url=text,
            )
            assert vevent_text(event) == icalendar_text(event)
