"""Creating and updating an event from Wild Apricot's body, in the domain's commands.

An event made here is a v0 event like any other (DIALECTS.md, "Events made outside v0"): page
``Event:<Name>`` (made unique with `` (<id>)``), timezone the offset of ``StartDate`` (or
``Details.TimeZone.UtcOffset``; none: UTC), in person when it has a ``Location`` (the meeting
address), else online; ``Tags`` and ``Details.DescriptionHtml`` are its content (sanitized by the
domain), ``RegistrationsLimit`` and the waitlist its places, ``Sessions`` its schedule,
``RegistrationEnabled`` false closes its registration. Each step is a command the domain checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from api.bootstrap import Services
from api.datepoll.writes import page_text
from api.wildapricot.blueprint import Answer
from domain import commands, errors, scheduling
from domain.content import ContentInput
from domain.details import DetailsInput
from domain.handlers import content as content_handlers
from domain.handlers import registrations as registration_handlers
from domain.handlers import scheduling as schedule_handlers
from domain.places import places_of
from domain.results import Written
from domain.schedule import Schedule, Session, event_tzinfo
from domain.scheduling import TS_MW
from domain.validation import PageTitle, parse_title


def _required(body: dict[str, Any], field: str) -> Any:
    value = body.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Answer(
            400, "field-required", [{"key": field, "value": None, "restriction": "required"}], field=field
        )
    return value


def _invalid(field: str, value: Any) -> Answer:
    shown = value if isinstance(value, str | int | float | bool) or value is None else str(value)
    return Answer(
        400, "field-invalid", [{"key": field, "value": shown, "restriction": "invalid"}], field=field
    )


def parse_moment(field: str, value: Any) -> datetime:
    """An ISO 8601 date (and time); without an offset it is UTC (dialects-facts §1.3)."""
    if not isinstance(value, str) or len(value) > 40:
        raise _invalid(field, value)
    try:
        found = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _invalid(field, value) from None
    return found if found.utcoffset() is not None else found.replace(tzinfo=UTC)


def zone_name(minutes: int) -> str:
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _offset(body: dict[str, Any], start: datetime) -> int:
    given = (body.get("Details") or {}).get("TimeZone") if isinstance(body.get("Details"), dict) else None
    if isinstance(given, dict) and given.get("UtcOffset") is not None:
        minutes = given["UtcOffset"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or abs(minutes) > 14 * 60:
            raise _invalid("Details.TimeZone.UtcOffset", minutes)
        return minutes
    offset = start.utcoffset()
    return 0 if offset is None else int(offset.total_seconds() // 60)


def _local(moment: datetime, minutes: int) -> datetime:
    return moment.astimezone(timezone(timedelta(minutes=minutes))).replace(tzinfo=None)


def _page(text: str) -> PageTitle:
    parsed = parse_title(f"Event:{text}")
    return parsed if parsed is not None else PageTitle("Event", "Event")


def _bool(body: dict[str, Any], field: str) -> bool | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _invalid(field, value)
    return value


def _limit(body: dict[str, Any]) -> int | None:
    value = body.get("RegistrationsLimit")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("RegistrationsLimit", value)
    return value


def _waitlist(body: dict[str, Any]) -> bool | None:
    details = body.get("Details")
    if not isinstance(details, dict):
        return None
    enabled = details.get("IsWaitlistEnabled")
    if isinstance(enabled, bool):
        return enabled
    settings = details.get("WaitlistSettings")
    kind = settings.get("WaitlistType") if isinstance(settings, dict) else None
    if isinstance(kind, str):
        return kind != "None"
    behaviour = details.get("WaitlistBehaviour") or details.get("WaitListBehaviour")
    if isinstance(behaviour, str):
        return behaviour not in ("Disabled", "Undefined")
    return None


def _sessions(body: dict[str, Any], minutes: int) -> list[Session] | None:
    given = body.get("Sessions")
    if given is None:
        return None
    if not isinstance(given, list) or not all(isinstance(s, dict) for s in given):
        raise _invalid("Sessions", None)
    sessions = []
    for n, s in enumerate(given, 1):
        start = _local(parse_moment(f"Sessions[{n - 1}].StartDate", s.get("StartDate")), minutes)
        end_given = s.get("EndDate")
        end = _local(parse_moment(f"Sessions[{n - 1}].EndDate", end_given), minutes) if end_given else start
        title = s.get("Title") if isinstance(s.get("Title"), str) else None
        sessions.append(Session(str(n), start, end, title=title or None))
    return sessions


def _content(body: dict[str, Any]) -> ContentInput | None:
    tags = body.get("Tags")
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        raise _invalid("Tags", None)
    details = body.get("Details")
    description = details.get("DescriptionHtml") if isinstance(details, dict) else None
    if description is not None and not isinstance(description, str):
        raise _invalid("Details.DescriptionHtml", None)
    if tags is None and description is None:
        return None
    return ContentInput(description_html=description, tags=tags)


def _details_input(
    page: PageTitle, zone: str, start: datetime, end: datetime, location: str | None, base: Any = None
) -> DetailsInput:
    inperson = bool(location)
    return DetailsInput(
        page=page,
        timezone=zone,
        start=start.strftime(TS_MW),
        end=end.strftime(TS_MW),
        wikis=list(base.wikis) if base is not None else [],
        online=not inperson if base is None else (base.online or not inperson),
        inperson=inperson,
        meeting_url=base.meeting_url if base is not None else None,
        meeting_address=location or None,
        chat_url=base.chat_url if base is not None else None,
        tracking_tool_id=base.tracking_tool_id if base is not None else None,
        tracking_tool_event_id=base.tracking_tool_event_id if base is not None else None,
    )


def create(services: Services, performer: int, body: dict[str, Any]) -> int:
    app = services.app
    name = _required(body, "Name")
    if not isinstance(name, str):
        raise _invalid("Name", name)
    start = parse_moment("StartDate", _required(body, "StartDate"))
    end = parse_moment("EndDate", body["EndDate"]) if body.get("EndDate") else start
    minutes = _offset(body, start)
    zone = zone_name(minutes)
    location = body.get("Location")
    if location is not None and not isinstance(location, str):
        raise _invalid("Location", location)
    enabled, limit, waitlist = _bool(body, "RegistrationEnabled"), _limit(body), _waitlist(body)
    sessions, content = _sessions(body, minutes), _content(body)
    text = page_text(name)
    if parse_title(f"Event:{text}") is None:  # e.g. "./": no page can carry it, nor it with " (n)"
        text = "Event"
    local_start, local_end = _local(start, minutes), _local(end, minutes)

    def enable(page: str) -> Written:
        given = _details_input(_page(page), zone, local_start, local_end, (location or "").strip())
        return registration_handlers.enable_registration(app, commands.EnableRegistration(performer, given))

    try:
        written = enable(text)
    except (errors.PageAlreadyRegistered, errors.PageAlreadyRegisteredDeleted):
        written = enable(f"{text} ({app.sequence('registrations').last + 1})")
    event_id: int | None = written.event_id
    assert event_id is not None
    _apply(services, performer, event_id, content, sessions, limit, waitlist, enabled, written.position)
    return event_id


def update(services: Services, performer: int, event_id: int, body: dict[str, Any]) -> None:
    app = services.app
    registration = app.registration(event_id)
    if registration.is_deleted:
        raise errors.EventNotFound()
    d = registration.details
    current_start = datetime.fromisoformat(d.start_utc)
    start = parse_moment("StartDate", body["StartDate"]) if body.get("StartDate") else current_start
    minutes = _offset(body, start) if (body.get("StartDate") or body.get("Details")) else None
    zone = zone_name(minutes) if minutes is not None else d.timezone
    name = body.get("Name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise _invalid("Name", name)
    location = body.get("Location", d.meeting_address or "")
    if location is not None and not isinstance(location, str):
        raise _invalid("Location", location)
    enabled, limit, waitlist = _bool(body, "RegistrationEnabled"), _limit(body), _waitlist(body)
    sessions = _sessions(body, minutes) if minutes is not None else None
    content = _content(body)
    page = _page(page_text(name)) if name is not None and name.strip() != d.name else parse_title(d.page)
    assert page is not None
    end = (
        parse_moment("EndDate", body["EndDate"]) if body.get("EndDate") else datetime.fromisoformat(d.end_utc)
    )
    if minutes is None:
        local_start, local_end = (
            datetime.strptime(d.start_local, TS_MW),
            datetime.strptime(d.end_local, TS_MW),
        )
        if body.get("EndDate"):
            local_end = end.astimezone(event_tzinfo(d.timezone)).replace(tzinfo=None)
    else:
        local_start, local_end = _local(start, minutes), _local(end, minutes)
    given = _details_input(page, zone, local_start, local_end, (location or "").strip(), d)
    status = registration.status if enabled is None else ("open" if enabled else "closed")
    written = registration_handlers.edit_registration(
        app, commands.EditRegistration(performer, event_id, given, status)
    )
    _apply(services, performer, event_id, content, sessions, limit, waitlist, None, written.position)


def _apply(
    services: Services,
    performer: int,
    event_id: int,
    content: ContentInput | None,
    sessions: list[Session] | None,
    limit: int | None,
    waitlist: bool | None,
    enabled: bool | None,
    position: int,
) -> None:
    """Content, schedule, places (the limit resets to null when omitted) and the registration status."""
    app = services.app
    positions = [position]
    if content is not None:
        positions.append(
            content_handlers.set_content(app, commands.SetContent(performer, event_id, content)).position
        )
    if sessions:
        cmd = scheduling.SetSchedule(performer, event_id, Schedule(tuple(sessions)))
        positions.append(schedule_handlers.set_schedule(app, cmd).position)
    current = places_of(app.registration(event_id))
    wanted_waitlist = current.waitlist if waitlist is None else waitlist
    if (limit, wanted_waitlist) != (current.participant_limit, current.waitlist):
        cmd_places = commands.SetPlaces(
            performer, event_id, limit, wanted_waitlist, current.requires_approval
        )
        positions.append(app.set_places(cmd_places).position)
    if enabled is False:
        d = app.registration(event_id).details
        page = parse_title(d.page) or _page(d.name)
        given = _details_input(page, d.timezone, datetime.strptime(d.start_local, TS_MW),
                               datetime.strptime(d.end_local, TS_MW), d.meeting_address, d)  # fmt: skip
        cmd_edit = commands.EditRegistration(performer, event_id, given, "closed")
        positions.append(registration_handlers.edit_registration(app, cmd_edit).position)
    services.written(max(positions))
