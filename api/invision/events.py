"""``/calendar/events`` (dialects-facts §3.5–3.7): the list with its filters, one event, create,
edit, delete, and the empty comments and reviews."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from dateutil import parser as dateparser
from flask import Response

from api.context import services
from api.invision import present, reads, texts, writes
from api.invision.blueprint import Answer, account, endpoint, params, positive_id, reply
from api.invision.forms import listed, text
from api.invision.mapping import domain_error
from api.numbers import is_digits
from domain import commands, errors, policies
from domain.handlers import registrations as registration_handlers

ID = r"/([^/]+)"
MAX_PER_PAGE = 1000
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _ids(raw: str | None) -> list[int] | None:
    """A comma list of ids (unparseable entries name nothing)."""
    if raw is None or raw.strip() == "":
        return None
    return [int(p) for p in raw.split(",") if is_digits(p.strip()) and len(p.strip()) <= 12]


def _flag(raw: str | None) -> bool | None:
    return None if raw is None or raw == "" else raw.strip() not in ("0", "false", "")


def _day(raw: str | None) -> date | None:
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw.strip()) if _DAY.match(raw.strip()) else _parse(raw).date()
    except (ValueError, OverflowError):
        raise Answer(texts.INVALID_DATE) from None


def _number(raw: str | None, default: int, top: int | None = None) -> int:
    value = int(raw) if raw is not None and is_digits(raw.strip()) and len(raw.strip()) < 9 else default
    value = max(value, 1)
    return min(value, top) if top else value


@endpoint("events", "", "GET")
def list_events() -> Response:
    p = params()
    f = reads.Filters(
        ids=_ids(text(p, "ids")),
        calendars=_ids(text(p, "calendars")),
        authors=_ids(text(p, "authors")),
        locked=_flag(text(p, "locked")),
        hidden=_flag(text(p, "hidden")),
        featured=_flag(text(p, "featured")),
        range_start=_day(text(p, "rangeStart")),
        range_end=_day(text(p, "rangeEnd")),
        sort_by=text(p, "sortBy"),
        descending=(text(p, "sortDir") or "").lower() == "desc",
    )
    number = _number(text(p, "page"), 1)
    per_page = _number(text(p, "perPage"), 25, MAX_PER_PAGE)
    total, rows = reads.page(services(), account(), f, number, per_page)
    return reply(present.paginated(present.events(services(), account(), rows), number, per_page, total))


def _shown(raw: str, missing: texts.Code) -> reads.EventRow:
    event_id = positive_id(raw)
    found = reads.one(services(), account(), event_id) if event_id is not None else None
    if found is None:
        raise Answer(missing)
    return found


@endpoint("events", ID, "GET")
def get_event(raw: str) -> Response:
    return reply(present.events(services(), account(), [_shown(raw, texts.INVALID_ID)])[0])


@endpoint("events", ID + "/comments", "GET")
def comments(raw: str) -> Response:
    _shown(raw, texts.COMMENTS_INVALID_ID)
    return reply(present.paginated([], _number(text(params(), "page"), 1), 25, 0))


@endpoint("events", ID + "/reviews", "GET")
def reviews(raw: str) -> Response:
    _shown(raw, texts.REVIEWS_INVALID_ID)
    return reply(present.paginated([], _number(text(params(), "page"), 1), 25, 0))


def _parse(raw: str) -> datetime:
    """Any common date/time string; without a zone it is UTC; kept to the minute (naive UTC)."""
    if len(raw) > 64 or not raw.strip():
        raise ValueError(raw)
    moment = dateparser.parse(raw.strip())
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    if not 1900 <= moment.year <= 9000:
        raise ValueError(raw)
    return moment.replace(second=0, microsecond=0)  # type: ignore[no-any-return]


def _time(raw: str | None, code: texts.Code) -> datetime | None:
    if raw is None:
        return None
    try:
        return _parse(raw)
    except (ValueError, OverflowError, TypeError):
        raise Answer(code) from None


def _calendar(raw: str | None, code: texts.Code) -> int | None:
    if raw is None:
        return None
    number = positive_id(raw.strip())
    if number is None or services().content.calendar(number) is None:
        raise Answer(code)
    return number


def _author(raw: str | None, code: texts.Code) -> int | None:
    """The member acting as author: honoured for sysops (a key "may act for any member"), ignored
    for others (the caller is always the author); 0 (a guest) is the caller too."""
    if raw is None or "sysop" not in account().groups:
        return None
    stripped = raw.strip()
    if stripped == "0":
        return None
    found = services().app.account(int(stripped)) if is_digits(stripped) and len(stripped) <= 12 else None
    if found is None:
        raise Answer(code)
    return found.user_id


def _number_or_none(raw: Any) -> float | None:
    if not isinstance(raw, str) or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Answer(texts.INVALID_LOCATION) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Answer(texts.INVALID_LOCATION)
    return value


def _location(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    lines = [line for line in listed(raw.get("addressLines")) if isinstance(line, str) and line.strip()]
    found: dict[str, Any] = {
        "latitude": _number_or_none(raw.get("lat")),
        "longitude": _number_or_none(raw.get("long")),
        "address_lines": lines,
    }
    for name, key in (
        ("city", "city"),
        ("region", "region"),
        ("country", "country"),
        ("postalCode", "postal_code"),
    ):
        value = raw.get(name)
        if isinstance(value, str) and value.strip():
            found[key] = value
    return found


def _given(p: dict[str, Any], *, edit: bool) -> writes.EventInput:
    """The optional parameters; flags only from moderators (others' are ignored)."""
    given = writes.EventInput()
    if (rule := text(p, "recurrence")) is not None:
        given.recurrence = rule.strip()
    if (rsvp := _flag(text(p, "rsvp"))) is not None:
        given.rsvp = rsvp
    elif not edit:
        given.rsvp = False
    if (limit := text(p, "rsvpLimit")) is not None:
        given.rsvp_limit_sent = True
        stripped = limit.strip()
        if stripped and not (is_digits(stripped) and len(stripped) < 9):
            raise Answer(texts.INVALID_RSVP_LIMIT)
        given.rsvp_limit = int(stripped) if stripped else None
    if "location" in p:
        given.location = _location(p["location"])
        given.clear_location = given.location is None
    if (prefix := text(p, "prefix")) is not None:
        given.prefix, given.prefix_sent = prefix, True
    if (tags := text(p, "tags")) is not None:
        given.tags = [t for t in tags.split(",") if t.strip()]
    given.locked = _flag(text(p, "locked"))
    given.featured = _flag(text(p, "featured"))
    hidden = text(p, "hidden")
    if hidden is not None and hidden.strip() != "":
        if hidden.strip() not in ("0", "1", "-1"):
            raise Answer(texts.INVALID_VALUE)
        given.hidden = int(hidden.strip())
    return given


def _drop_flags(given: writes.EventInput, event_id: int) -> None:
    """Moderation parameters the caller may not use are ignored (as Invision ignores them)."""
    registration = services().app.registration(event_id)
    if not policies.can_moderate(account(), registration):
        given.locked = given.hidden = given.featured = None


@endpoint("events", "", "POST")
def create() -> Response:
    p = params()
    calendar = _calendar(text(p, "calendar") or "", texts.NO_CALENDAR)
    if not policies.can_enable(account()):
        raise Answer(texts.NO_PERMISSION)
    author = _author(text(p, "author"), texts.NO_AUTHOR)
    title = (text(p, "title") or "").strip()
    if not title:
        raise Answer(texts.NO_TITLE)
    description = text(p, "description")
    if description is None or description.strip() == "":
        raise Answer(texts.NO_DESC)
    start = _time(text(p, "start") or "", texts.INVALID_START)
    end = _time(text(p, "end"), texts.INVALID_END) if text(p, "end") not in (None, "") else None
    if end is not None and start is not None and end < start:
        raise Answer(texts.INVALID_END)
    given = _given(p, edit=False)
    given.title, given.description, given.start, given.end = title, description, start, end
    given.calendar_id = calendar if calendar != 1 else None
    performer = author or account().user_id
    if author is not None and not policies.can_enable(services().app.account(author)):
        raise Answer(texts.NO_PERMISSION)
    flags = (given.locked, given.hidden, given.featured)
    given.locked = given.hidden = given.featured = None
    try:
        event_id = writes.create(services(), performer, given)
        given.locked, given.hidden, given.featured = flags
        _drop_flags(given, event_id)
        only_flags = writes.EventInput(locked=given.locked, hidden=given.hidden, featured=given.featured)
        writes.apply(services(), performer, event_id, only_flags, new=False)
    except errors.DomainError as failure:
        raise Answer(domain_error(failure, create=True)) from None
    return _answer(event_id, 201)


def _answer(event_id: int, status: int) -> Response:
    row = reads.one(services(), account(), event_id)
    if row is None:  # hidden from the caller by its own flags
        raise Answer(texts.INVALID_ID)
    return reply(present.events(services(), account(), [row])[0], status)


@endpoint("events", ID, "POST")
def edit(raw: str) -> Response:
    p = params()
    row = _shown(raw, texts.EDIT_INVALID_ID)
    registration = services().app.registration(row.event_id)
    if not policies.can_edit(account(), registration):
        raise Answer(texts.EDIT_NO_PERMISSION)
    calendar = _calendar(text(p, "calendar"), texts.EDIT_NO_CALENDAR)
    _author(text(p, "author"), texts.EDIT_NO_AUTHOR)  # checked; the creator stays the author
    start = _time(text(p, "start"), texts.EDIT_INVALID_START) if text(p, "start") else None
    end = _time(text(p, "end"), texts.EDIT_INVALID_END) if text(p, "end") else None
    if end is not None and start is None:
        start = datetime.strptime(row.start_utc, "%Y-%m-%d %H:%M:%S")
    if end is not None and start is not None and end < start:
        raise Answer(texts.EDIT_INVALID_END)
    given = _given(p, edit=True)
    title = (text(p, "title") or "").strip()
    given.title = title or None
    description = text(p, "description")
    given.description = description if description is not None and description.strip() else None
    given.start, given.end = start, end
    given.calendar_id = calendar
    _drop_flags(given, row.event_id)
    try:
        writes.apply(services(), account().user_id, row.event_id, given, new=False)
    except errors.DomainError as failure:
        raise Answer(domain_error(failure, create=False)) from None
    return _answer(row.event_id, 200)


@endpoint("events", ID, "DELETE")
def delete(raw: str) -> Response:
    row = _shown(raw, texts.DELETE_INVALID_ID)
    registration = services().app.registration(row.event_id)
    if not policies.can_delete(account(), registration):
        raise Answer(texts.DELETE_NO_PERMISSION)
    cmd = commands.DeleteRegistration(account().user_id, row.event_id)
    try:
        written = registration_handlers.delete_registration(services().app, cmd)
    except errors.DomainError as failure:
        raise Answer(domain_error(failure, create=False)) from None
    services().written(written.position)
    return reply(None)
