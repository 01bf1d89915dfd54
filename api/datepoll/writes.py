"""Creating and updating an event from DatePoll's body (§2.3), in the domain's commands.

An event made here is a v0 event like any other (DIALECTS.md, "Events made outside v0"): its page
is ``Event:<name>`` (characters a title cannot hold replaced, cut to fit, `` (<id>)`` appended when
the page already has a registration), its timezone the service's default, its dates the sessions of
its schedule (a date is a session starting and ending at that time; its location, description and
coordinates the session's), in person when a date has a location or coordinates (the first location
is the meeting address), else online; the description is the event's content; the audience and the
decisions are its poll. The steps are separate commands, each checked and recorded by the domain.

Not atomic, so made harmless: ``check`` runs every rule a later step could refuse (the dates as a
schedule in the event's zone, the v0 rule on an ended event's dates, the description's length, each
decision, the administration right, on update the new page's title and that no other event holds
it) before the first write, so a body the domain refuses is a 422 with nothing written. The steps
after the first write can then fail only by the infrastructure (the store, a conflict retried until
it gives up: 503 ``try_again``) or by a race with another request (a page taken in between: the
rename is the first write of an update, so it fails alone); each step is idempotent, so resending
the same body completes the rest.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from api.bootstrap import Services
from api.datepoll import present
from api.datepoll.validate import Invalid, boolean, number_or_none, parse_date
from api.numbers import is_digits
from domain import commands, errors, poll_commands, scheduling
from domain.audiences import check_administration
from domain.content import MAX_DESCRIPTION, ContentInput, DescriptionTooLong
from domain.details import DetailsInput, validate_details
from domain.handlers import content as content_handlers
from domain.handlers import registrations as registration_handlers
from domain.handlers import scheduling as schedule_handlers
from domain.polls import DecisionInput, check_decision
from domain.registration import EventRegistration
from domain.schedule import Coordinates, Schedule, Session, check_schedule, derive_span
from domain.scheduling import TS_MW
from domain.validation import PageTitle, parse_title

_TITLE_UNSAFE = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]|%[0-9A-Fa-f]{2}|&[A-Za-z0-9#]+;|~{3,}")
TITLE_BYTES = 200  # room for " (<id>)" within MediaWiki's 255


def page_text(name: str) -> str:
    """The page text for an event's name: unsafe characters become ``-``, cut to fit."""
    text = _TITLE_UNSAFE.sub("-", name).replace("_", " ").strip(" :") or "Event"
    while len(text.encode()) > TITLE_BYTES:
        text = text[:-1]
    return text.strip() or "Event"


def _page(text: str) -> PageTitle:
    parsed = parse_title(f"Event:{text}")
    return parsed if parsed is not None else PageTitle("Event", "Event")


def sessions_from(dates: list[dict[str, Any]], keep: dict[int, Session], first_id: int) -> list[Session]:
    """Sessions for DatePoll's dates: a known id (``keep``) keeps its session unchanged, others are
    new sessions numbered from ``first_id``."""
    out, next_id = [], first_id
    for n, given in enumerate(dates):
        known = given.get("id")
        if isinstance(known, int) and not isinstance(known, bool) and known in keep:
            out.append(keep[known])
            continue
        moment = parse_date(given.get("date"))
        if moment is None:
            field = f"dates.{n}.date"
            raise Invalid({field: [f"The {field} field is required."]})
        x, y = number_or_none(given.get("x")), number_or_none(given.get("y"))
        out.append(
            Session(
                str(next_id),
                moment,
                moment,
                location=given.get("location") or None,
                coordinates=Coordinates(x, y) if x is not None and y is not None else None,
                description=given.get("description") or None,
            )
        )
        next_id += 1
    return out


def decisions_from(given: list[dict[str, Any]], with_ids: bool) -> tuple[DecisionInput, ...]:
    return tuple(
        DecisionInput(
            str(d["decision"]),
            str(d["color"]),
            boolean(d["show_in_calendar"]),
            int(d["id"]) if with_ids else None,
        )
        for d in given
    )


def _period(sessions: list[Session], now_local: datetime) -> tuple[str, str]:
    """The period to enable with: the sessions' span, moved to the next minute when it starts in
    the past (v0 refuses a past start on creation; the schedule set next records the real one)."""
    start, end = min(s.start for s in sessions), max(s.end for s in sessions)
    if start <= now_local:
        start = (now_local + timedelta(minutes=1)).replace(second=0, microsecond=0)
        end = max(end, start)
    return start.strftime(TS_MW), end.strftime(TS_MW)


def _place(sessions: list[Session]) -> tuple[bool, str | None]:
    located = [s for s in sessions if s.location or s.coordinates]
    address = next((s.location for s in sessions if s.location), None)
    return bool(located), address


def check(
    services: Services,
    performer: int,
    body: dict[str, Any],
    sessions: list[Session],
    registration: EventRegistration | None,
) -> None:
    """Every rule the steps after the first write apply, before anything is written (the domain's
    own checks, called on the body; raises their ``DomainError``)."""
    app, zone = services.app, services.settings.default_timezone
    timezone = registration.details.timezone if registration is not None else zone
    schedule = check_schedule(Schedule(tuple(sessions)), timezone)
    if registration is not None:
        span, now = derive_span(schedule, timezone), app.clock.now()
        answered = registration.has_ended(now) and (
            bool(registration.answer_counts) or app.participant_directory().has_answers(registration.event_id)
        )
        if answered and span.end_utc > now:
            raise errors.EventDatesCannotBeChanged()
    description = body.get("description")
    if isinstance(description, str) and len(html.escape(description, quote=False)) > MAX_DESCRIPTION:
        raise DescriptionTooLong(MAX_DESCRIPTION)
    for decision in decisions_from(body["decisions"], registration is not None):
        check_decision(decision)
    if registration is None:
        return
    check_administration(registration, app.account(performer), app.poll_permissions(app.account(performer)))
    name = str(body["name"]).strip()
    if name != registration.details.name:
        page = _page(page_text(name))
        validate_details(
            replace(_details_input(registration), page=page),
            app.policy,
            app.clock.now(),
            creating=False,
            current_page=registration.details.page,
        )
        held = registration_handlers.page_holder(app, registration_handlers.page_index(app, page.prefixed))
        if held is not None and held.event_id != registration.event_id:
            raise (errors.PageAlreadyRegisteredDeleted if held.is_deleted else errors.PageAlreadyRegistered)()


def create(services: Services, performer: int, body: dict[str, Any]) -> int:
    app, zone = services.app, services.settings.default_timezone
    sessions = sessions_from(body["dates"], {}, 1)
    check(services, performer, body, sessions, None)
    inperson, address = _place(sessions)
    start, end = _period(sessions, app.clock.now().astimezone(ZoneInfo(zone)).replace(tzinfo=None))
    text = page_text(str(body["name"]))

    def details(page_text_: str) -> DetailsInput:
        return DetailsInput(
            page=_page(page_text_),
            timezone=zone,
            start=start,
            end=end,
            wikis=[],
            online=not inperson,
            inperson=inperson,
            meeting_address=address,
        )

    enable = commands.EnableRegistration(performer, details(text))
    try:
        written = registration_handlers.enable_registration(app, enable)
    except (errors.PageAlreadyRegistered, errors.PageAlreadyRegisteredDeleted):
        upcoming = app.sequence("registrations").last + 1
        written = registration_handlers.enable_registration(
            app, commands.EnableRegistration(performer, details(f"{text} ({upcoming})"))
        )
    event_id = written.event_id
    assert event_id is not None
    return apply(services, performer, event_id, body, sessions, with_ids=False)


def update(services: Services, performer: int, event_id: int, body: dict[str, Any]) -> None:
    registration = services.app.registration(event_id)
    current = present.sessions_of(registration)
    keep = {present.date_id(s.id): s for s in current}
    numeric = [int(s.id) for s in current if is_digits(s.id) and len(s.id) < 10]
    sessions = sessions_from(body["dates"], keep, max(numeric, default=0) + 1)
    check(services, performer, body, sessions, registration)
    name = str(body["name"]).strip()
    if name != registration.details.name:
        services.written(rename(services, performer, event_id, name))
    apply(services, performer, event_id, body, sessions, with_ids=True)


def rename(services: Services, performer: int, event_id: int, name: str) -> int:
    """A new name moves the page (``Event:<name>``), keeping everything else of the details."""
    app = services.app
    registration = app.registration(event_id)
    given = replace(_details_input(registration), page=_page(page_text(name)))
    return registration_handlers.edit_registration(
        app, commands.EditRegistration(performer, event_id, given, registration.status)
    ).position


def _details_input(registration: EventRegistration) -> DetailsInput:
    """The registration's details as an edit's input (nothing changed)."""
    d = registration.details
    return DetailsInput(
        page=parse_title(d.page) or _page(d.name),
        timezone=d.timezone,
        start=d.start_local,
        end=d.end_local,
        wikis=list(d.wikis),
        online=d.online,
        inperson=d.inperson,
        meeting_url=d.meeting_url,
        meeting_country=d.meeting_country,
        meeting_address=d.meeting_address,
        chat_url=d.chat_url,
        tracking_tool_id=d.tracking_tool_id,
        tracking_tool_event_id=d.tracking_tool_event_id,
    )


def apply(
    services: Services,
    performer: int,
    event_id: int,
    body: dict[str, Any],
    sessions: list[Session],
    *,
    with_ids: bool,
) -> int:
    """Schedule, description, audience and decisions; waits for the read models."""
    app = services.app
    positions = [
        schedule_handlers.set_schedule(
            app, scheduling.SetSchedule(performer, event_id, Schedule(tuple(sessions)))
        ).position
    ]
    description = body.get("description")
    if isinstance(description, str):
        given = ContentInput(description_html=html.escape(description, quote=False))
        positions.append(
            content_handlers.set_content(app, commands.SetContent(performer, event_id, given)).position
        )
    positions.append(
        app.set_for_everyone(
            poll_commands.SetForEveryone(performer, event_id, boolean(body["forEveryone"]))
        ).position
    )
    _, written = app.set_decisions(
        poll_commands.SetDecisions(performer, event_id, decisions_from(body["decisions"], with_ids))
    )
    positions.append(written.position)
    services.written(max(positions))
    return event_id
