"""DatePoll's shapes (§2.5, seed 002) from the domain's events: the event (``for_everyone`` and
``show_in_calendar`` as 1/0), its decisions, its dates (an event's dates ARE its schedule's
sessions; an event without a schedule has one date, its start), ``user_decision``, standard
decisions and locations, and the timestamps in DatePoll's two formats.

Times: a session is stored in the event's timezone; DatePoll shows it in the service's default
timezone (``CAMPAIGNEVENTS_DEFAULT_TIMEZONE``) as ``YYYY-MM-DD HH:MM:SS``. Coordinates absent are
``-199`` (what the web client tests for)."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from api.numbers import is_digits
from domain import audiences, content, scheduling
from domain.registration import EventRegistration
from domain.schedule import Session, event_tzinfo
from domain.scheduling import TS_MW

NO_COORDINATE = -199
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
IMPLIED_SESSION = "event"  # the one session of an event without a schedule
IMPLIED_DATE_ID = 0


def date_id(session_id: str) -> int:
    """The date's integer id: a numeric session id as is (DatePoll's dates are made so), any other
    (a v0 schedule's) a stable 31-bit checksum of it."""
    if is_digits(session_id) and len(session_id) < 10:
        return int(session_id)
    if session_id == IMPLIED_SESSION:
        return IMPLIED_DATE_ID
    return zlib.crc32(session_id.encode()) & 0x7FFFFFFF


def timestamp(value: str | datetime | None) -> str | None:
    """``created_at``/``updated_at``: ``2020-03-01T16:29:06.000000Z``."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sessions_of(registration: EventRegistration) -> list[Session]:
    schedule = scheduling.schedule_of(registration)
    if schedule is not None:
        return list(schedule.sessions)
    d = registration.details
    start, end = datetime.strptime(d.start_local, TS_MW), datetime.strptime(d.end_local, TS_MW)
    return [Session(IMPLIED_SESSION, start, end)]


def shown_time(local: datetime, event_zone: str, shown_zone: str) -> str:
    """``local`` (naive, in the event's zone, read fold=0) in the service's zone."""
    moment = local.replace(tzinfo=event_tzinfo(event_zone), fold=0)
    return moment.astimezone(ZoneInfo(shown_zone)).strftime(DATE_FORMAT)


def date(session: Session, event_zone: str, shown_zone: str) -> dict[str, Any]:
    c = session.coordinates
    return {
        "id": date_id(session.id),
        "date": shown_time(session.start, event_zone, shown_zone),
        "description": session.description or "",
        "location": session.location or "",
        "x": NO_COORDINATE if c is None else c.latitude,
        "y": NO_COORDINATE if c is None else c.longitude,
    }


def decision(row: dict[str, Any]) -> dict[str, Any]:
    """``{id, decision, color, event_id, show_in_calendar}`` from ``PollViews.decisions``."""
    return {
        "id": row["id"],
        "decision": row["decision"],
        "color": row["color"],
        "event_id": row["event_id"],
        "show_in_calendar": row["show_in_calendar"],
    }


def user_decision(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """``PollViews.vote`` as DatePoll's ``user_decision``."""
    if row is None:
        return None
    return {
        "id": row["id"],
        "decision": row["decision"],
        "event_id": row["event_id"],
        "show_in_calendar": row["show_in_calendar"],
        "color": row["color"],
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
        "additional_information": row["additional_information"],
    }


def event(
    registration: EventRegistration, decisions: list[dict[str, Any]], shown_zone: str
) -> dict[str, Any]:
    """The event as DatePoll stores it (``for_everyone`` 1/0)."""
    zone = registration.details.timezone
    dates = [date(s, zone, shown_zone) for s in sessions_of(registration)]
    moments = sorted(d["date"] for d in dates)
    return {
        "id": registration.event_id,
        "name": registration.details.name,
        "description": content.content_of(registration).description_text,
        "created_at": timestamp(registration.created_on),
        "updated_at": timestamp(registration.modified_on),
        "for_everyone": 1 if audiences.audience_of(registration).for_everyone else 0,
        "decisions": [decision(d) for d in decisions],
        "dates": dates,
        "start_date": moments[0] if moments else None,
        "end_date": moments[-1] if moments else None,
    }


def with_vote(shown: dict[str, Any], vote: dict[str, Any] | None) -> dict[str, Any]:
    return {**shown, "already_voted": vote is not None, "user_decision": user_decision(vote)}


def standard_decision(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["number"],
        "decision": row["label"],
        "color": row["color"],
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
        "show_in_calendar": 1 if row["show_in_calendar"] else 0,
    }


def standard_location(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["number"],
        "name": row["name"],
        "location": row["location"],
        "x": NO_COORDINATE if row["x"] is None else row["x"],
        "y": NO_COORDINATE if row["y"] is None else row["y"],
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
    }
