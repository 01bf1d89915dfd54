"""``/calendar/calendars``: the calendars (the domain's ``Calendar`` aggregates; calendar 1 is the
default one), and creating, changing and deleting them (sysops: Invision reserves it to keys and
client credentials; here a key carries its account's rights)."""

from __future__ import annotations

from flask import Response

from api.context import services
from api.invision import present, texts
from api.invision.blueprint import Answer, account, endpoint, params, positive_id, reply
from api.invision.forms import text
from api.numbers import is_digits
from domain import calendars, commands
from domain.calendars import DEFAULT_COLOUR
from domain.handlers import content as handlers

ID = r"/([^/]+)"


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw is not None and is_digits(raw.strip()) and 0 < len(raw.strip()) < 9 else default


@endpoint("calendars", "", "GET")
def list_calendars() -> Response:
    page, per_page = (
        max(_number(text(params(), "page"), 1), 1),
        max(_number(text(params(), "perPage"), 25), 1),
    )
    found = services().content.calendars(limit=100_000)
    shown = found[(page - 1) * per_page : page * per_page]
    results = [present.calendar(services(), row) for row in shown]
    return reply(present.paginated(results, page, per_page, len(found)))


def _calendar(raw: str) -> int:
    number = positive_id(raw)
    if number is None or services().content.calendar(number) is None:
        raise Answer(texts.CALENDAR_INVALID_ID)
    return number


@endpoint("calendars", ID, "GET")
def get_calendar(raw: str) -> Response:
    row = services().content.calendar(_calendar(raw))
    assert row is not None
    return reply(present.calendar(services(), row))


def _colour(raw: str | None) -> str | None:
    if raw is None or raw.strip() == "":
        return None
    colour = raw.strip()
    return colour if colour.startswith("#") else f"#{colour}"


def _flag(raw: str | None) -> bool | None:
    return None if raw is None or raw.strip() == "" else raw.strip() not in ("0", "false")


def _failed(failure: Exception) -> texts.Code:
    if isinstance(failure, calendars.CalendarDenied):
        return texts.CALENDAR_NO_PERMISSION
    if isinstance(failure, calendars.InvalidColour):
        return texts.CALENDAR_INVALID_COLOR
    if isinstance(failure, calendars.CalendarNotEmpty):
        return texts.CALENDAR_NOT_EMPTY
    if isinstance(failure, calendars.DefaultCalendarKept):
        return texts.CALENDAR_DEFAULT_KEPT
    if isinstance(failure, calendars.CalendarNotFound):
        return texts.CALENDAR_INVALID_ID
    return texts.CALENDAR_NO_TITLE


@endpoint("calendars", "", "POST")
def create() -> Response:
    if not calendars.may_manage(account()):
        raise Answer(texts.CALENDAR_NO_PERMISSION)
    title = (text(params(), "title") or "").strip()
    if not title:
        raise Answer(texts.CALENDAR_NO_TITLE)
    colour = _colour(text(params(), "color")) or DEFAULT_COLOUR
    approve = bool(_flag(text(params(), "approve_events")))
    cmd = commands.CreateCalendar(account().user_id, title, colour, approve)
    try:
        written = handlers.create_calendar(services().app, cmd, services().settings.default_calendar)
    except calendars.CALENDAR_ERRORS as failure:
        raise Answer(_failed(failure)) from None
    services().written(written.position)
    row = services().content.calendar(written.event_id)
    assert row is not None
    return reply(present.calendar(services(), row), 201)


@endpoint("calendars", ID, "POST")
def change(raw: str) -> Response:
    number = _calendar(raw)
    if not calendars.may_manage(account()):
        raise Answer(texts.CALENDAR_NO_PERMISSION)
    title = (text(params(), "title") or "").strip() or None
    cmd = commands.ChangeCalendar(
        account().user_id,
        number,
        title,
        _colour(text(params(), "color")),
        _flag(text(params(), "approve_events")),
    )
    try:
        if number == calendars.DEFAULT_CALENDAR_ID:
            handlers.ensure_default_calendar(services().app, services().settings.default_calendar)
        written = handlers.change_calendar(services().app, cmd)
    except calendars.CALENDAR_ERRORS as failure:
        raise Answer(_failed(failure)) from None
    services().written(written.position)
    row = services().content.calendar(number)
    assert row is not None
    return reply(present.calendar(services(), row), 201)


@endpoint("calendars", ID, "DELETE")
def delete(raw: str) -> Response:
    number = _calendar(raw)
    if not calendars.may_manage(account()):
        raise Answer(texts.CALENDAR_NO_PERMISSION)
    try:
        written = handlers.delete_calendar(services().app, commands.DeleteCalendar(account().user_id, number))
    except calendars.CALENDAR_ERRORS as failure:
        raise Answer(_failed(failure)) from None
    services().written(written.position)
    return reply(None)
