"""Creating and editing an event from Invision's parameters, in the domain's commands.

An event made here is a v0 event like any other (DIALECTS.md, "Events made outside v0"): its page is
``Event:<title>`` (characters a title cannot hold replaced, cut to fit, `` (<id>)`` when the page
already has a registration), its timezone UTC; its times are a one-session schedule (with the
``recurrence`` rule when given), so a start in the past is kept (the registration is enabled with a
period starting in the next minute, then the schedule records the real one); in person with the
location's text as the meeting address when it has a location, else online. No ``end`` is an all-day
event: a session that ends when it starts (shown ``end: null``). The parts are separate commands,
each checked and recorded by the domain; the routes wait for the read models once at the end."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from api.bootstrap import Services
from domain import commands, errors, scheduling
from domain.content import Content, ContentInput, content_of, location_from
from domain.details import DetailsInput
from domain.handlers import content as content_handlers
from domain.handlers import places as places_handlers
from domain.handlers import registrations as registration_handlers
from domain.handlers import scheduling as schedule_handlers
from domain.participation import Participation, participation_for
from domain.schedule import Schedule, Session
from domain.scheduling import TS_MW
from domain.validation import PageTitle, parse_title

_TITLE_UNSAFE = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]|%[0-9A-Fa-f]{2}|&[A-Za-z0-9#]+;|~{3,}")
TITLE_BYTES = 200  # room for " (<id>)"


@dataclass
class EventInput:
    """What the request sets (None: not sent)."""

    title: str | None = None
    description: str | None = None
    start: datetime | None = None  # naive UTC, to the minute
    end: datetime | None = None
    all_day: bool = False
    recurrence: str | None = None  # "" clears
    rsvp: bool | None = None
    rsvp_limit: int | None = None
    rsvp_limit_sent: bool = False
    location: dict[str, Any] | None = None
    clear_location: bool = False
    prefix: str | None = None
    prefix_sent: bool = False
    tags: list[str] | None = None
    locked: bool | None = None
    hidden: int | None = None
    featured: bool | None = None
    calendar_id: int | None = None


def page_text(name: str) -> str:
    text = _TITLE_UNSAFE.sub("-", name).replace("_", " ").strip(" :") or "Event"
    while len(text.encode()) > TITLE_BYTES:
        text = text[:-1]
    return text.strip() or "Event"


def _page(text: str) -> PageTitle:
    parsed = parse_title(f"Event:{text}")
    return parsed if parsed is not None else PageTitle("Event", "Event")


def create(services: Services, performer: int, given: EventInput) -> int:
    app = services.app
    assert given.start is not None and given.title is not None
    now = app.clock.now().replace(tzinfo=None, second=0, microsecond=0)
    start = given.start
    end = given.end if given.end is not None else start
    period_start = start if start > now else now + timedelta(minutes=1)
    period_end = max(end, period_start)
    text = page_text(given.title)
    place = Content(location=location_from(given.location).to_dict() if given.location else None)
    options = participation_for(Participation(False, False, None, None, None), place)

    def details(page: str) -> DetailsInput:
        return DetailsInput(
            page=_page(page),
            timezone="UTC",
            start=period_start.strftime(TS_MW),
            end=period_end.strftime(TS_MW),
            wikis=[],
            online=options.online,
            inperson=options.inperson,
            meeting_address=options.meeting_address,
        )

    try:
        written = registration_handlers.enable_registration(
            app, commands.EnableRegistration(performer, details(text))
        )
    except (errors.PageAlreadyRegistered, errors.PageAlreadyRegisteredDeleted):
        upcoming = app.sequence("registrations").last + 1
        written = registration_handlers.enable_registration(
            app, commands.EnableRegistration(performer, details(f"{text} ({upcoming})"))
        )
    event_id = written.event_id
    assert event_id is not None
    given.title = None  # the page says it already
    apply(services, performer, event_id, given, new=True)
    return event_id


def rename(services: Services, performer: int, event_id: int, name: str) -> int:
    """A new title moves the page (``Event:<title>``), keeping everything else of the details."""
    app = services.app
    registration = app.registration(event_id)
    d = registration.details
    if name.strip() == d.name:
        return 0
    return _edit(services, performer, event_id, page=_page(page_text(name)), status=registration.status)


def _edit(services: Services, performer: int, event_id: int, **changes: Any) -> int:
    app = services.app
    registration = app.registration(event_id)
    d = registration.details
    given = DetailsInput(
        page=changes.get("page") or parse_title(d.page) or _page(d.name),
        timezone=d.timezone,
        start=d.start_local,
        end=d.end_local,
        wikis=list(d.wikis),
        online=changes.get("online", d.online),
        inperson=changes.get("inperson", d.inperson),
        meeting_url=changes.get("meeting_url", d.meeting_url),
        meeting_country=changes.get("meeting_country", d.meeting_country),
        meeting_address=changes.get("meeting_address", d.meeting_address),
        chat_url=d.chat_url,
        tracking_tool_id=d.tracking_tool_id,
        tracking_tool_event_id=d.tracking_tool_event_id,
    )
    status = changes.get("status", registration.status)
    return registration_handlers.edit_registration(
        app, commands.EditRegistration(performer, event_id, given, status)
    ).position


def apply(services: Services, performer: int, event_id: int, given: EventInput, *, new: bool) -> None:
    """Everything but the page: times, content, calendar, places, status, flags."""
    app = services.app
    positions = [0]
    if given.title is not None:
        positions.append(rename(services, performer, event_id, given.title))
    if given.start is not None:
        current = scheduling.schedule_of(app.registration(event_id))
        rule = given.recurrence if given.recurrence is not None else (current.recurrence if current else None)
        end = given.end if given.end is not None else given.start
        session = Session("1", given.start, end)
        schedule = Schedule((session,), rule or None)
        positions.append(
            schedule_handlers.set_schedule(
                app, scheduling.SetSchedule(performer, event_id, schedule)
            ).position
        )
    place = given.location is not None or given.clear_location
    content = ContentInput(
        description_html=given.description,
        location=given.location,
        clear_place=given.clear_location,
        tags=given.tags,
        prefix=given.prefix,
        set_prefix=given.prefix_sent,
    )
    if given.description is not None or place or given.tags is not None or given.prefix_sent:
        positions.append(
            content_handlers.set_content(app, commands.SetContent(performer, event_id, content)).position
        )
    if place and not new:
        positions.append(_follow_place(services, performer, event_id))
    if given.calendar_id is not None:
        move = commands.MoveToCalendar(performer, event_id, given.calendar_id)
        positions.append(content_handlers.move_to_calendar(app, move).position)
    if given.rsvp is not None or given.rsvp_limit_sent:
        positions.append(_places(services, performer, event_id, given))
    if given.locked is not None or given.hidden is not None or given.featured is not None:
        cmd = commands.Moderate(performer, event_id, given.locked, given.hidden, given.featured)
        positions.append(content_handlers.moderate(app, cmd).position)
    services.written(max(positions))


def _follow_place(services: Services, performer: int, event_id: int) -> int:
    """v0's participation options after the place changed (domain/participation.py), as creation
    sets them: in person at the place's address when it has one, else online."""
    registration = services.app.registration(event_id)
    wanted = participation_for(registration.details, content_of(registration))
    if wanted == Participation.of(registration.details):
        return 0
    return _edit(services, performer, event_id, **asdict(wanted))


def _places(services: Services, performer: int, event_id: int, given: EventInput) -> int:
    """``rsvp`` is the registration's status (open/closed); ``rsvpLimit`` the participant limit,
    kept only when RSVPs are on and it is not zero (else no limit)."""
    app = services.app
    registration = app.registration(event_id)
    rsvp = given.rsvp if given.rsvp is not None else not registration.is_closed
    positions = [0]
    if rsvp == registration.is_closed:
        positions.append(_edit(services, performer, event_id, status="open" if rsvp else "closed"))
    if given.rsvp_limit_sent or (given.rsvp is False):
        from domain.places import places_of

        current = places_of(registration)
        limit = given.rsvp_limit if rsvp and given.rsvp_limit else None
        if not given.rsvp_limit_sent:
            limit = current.participant_limit if rsvp else None
        cmd = commands.SetPlaces(
            performer, event_id, limit, current.waitlist if limit is None else False, False
        )
        if limit != current.participant_limit:
            positions.append(places_handlers.set_places(app, cmd).position)
    return max(positions)
