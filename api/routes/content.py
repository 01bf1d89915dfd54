"""v0 routes of the domain's rich content, moderation flags and calendars (new routes only: v0's
existing answers never gain keys). Reads go through ``registration_for_reading`` for the caller,
so a hidden event answers as a missing one to anyone but its moderators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from api.auth import caller, require_csrf
from api.context import services
from api.errors import ApiError
from api.params import Array, BodySchema, Bool, Int, JsonObject, Str, load_body, path_int
from domain import calendars, commands, errors
from domain.content import ContentInput
from domain.handlers.content import find_calendar
from projections.content_views import CalendarRow, ContentRow

bp = Blueprint("content", __name__, url_prefix="/campaignevents/v0")


class ContentBody(BodySchema):
    """Every key is optional: an absent key leaves that part as it is."""

    description_html = Str(metadata={"description": "HTML; sanitized to an allow-list on the way in"})
    tags = Array(Str(), limit=100, metadata={"description": "At most 20 distinct tags of 1-50 characters"})
    prefix = Str(metadata={"description": "A label of 1-50 characters; null or empty: none"})
    location = JsonObject(metadata={"description": "null: no location"})
    venue = JsonObject(metadata={"description": "null: no venue (a location or a venue, never both)"})
    calendar_id = Int(metadata={"description": "Moves the event into this calendar"})


class ModerationBody(BodySchema):
    locked = Bool()
    hidden = Int(metadata={"description": "0 visible, 1 pending approval, -1 hidden by a moderator"})
    featured = Bool()


@bp.get("/event_registration/<event_id>/content")
def get_content(event_id: str) -> Response:
    eid = path_int("id", event_id)
    _visible(eid)
    return jsonify(content_view(_content(eid)))


@bp.put("/event_registration/<event_id>/content")
def set_content(event_id: str) -> tuple[str, int]:
    eid = path_int("id", event_id)
    body = load_body(ContentBody)
    require_csrf(body["token"])
    sent = set(request.get_json(silent=True) or {})
    places = {"location", "venue"} & sent
    given = ContentInput(
        description_html=body["description_html"],
        location=body["location"] if "location" in sent else None,
        venue=body["venue"] if "venue" in sent else None,
        clear_place=bool(places) and all(body[k] is None for k in places),
        tags=body["tags"],
        prefix=body["prefix"],
        set_prefix="prefix" in sent,
    )
    app, performer = services().app, caller().user_id
    target = body["calendar_id"]
    if target is not None and target != calendars.DEFAULT_CALENDAR_ID and find_calendar(app, target) is None:
        raise calendars.CalendarNotFound()  # before the content: a refused request stores nothing
    position = app.set_content(commands.SetContent(performer, eid, given)).position
    if body["calendar_id"] is not None:
        moved = app.move_to_calendar(commands.MoveToCalendar(performer, eid, body["calendar_id"]))
        position = max(position, moved.position)
    services().written(position)
    return "", 204


@bp.get("/event_registration/<event_id>/moderation")
def get_moderation(event_id: str) -> Response:
    eid = path_int("id", event_id)
    _visible(eid)
    row = _content(eid)
    return jsonify({"locked": row.locked, "hidden": row.hidden, "featured": row.featured})


@bp.put("/event_registration/<event_id>/moderation")
def set_moderation(event_id: str) -> tuple[str, int]:
    eid = path_int("id", event_id)
    body = load_body(ModerationBody)
    require_csrf(body["token"])
    cmd = commands.Moderate(caller().user_id, eid, body["locked"], body["hidden"], body["featured"])
    services().written(services().app.moderate(cmd).position)
    return "", 204


@bp.get("/calendars")
def list_calendars() -> Response:
    return jsonify([calendar_view(c) for c in services().content.calendars()])


@bp.get("/calendars/<calendar_id>")
def get_calendar(calendar_id: str) -> Response:
    found = services().content.calendar(path_int("id", calendar_id))
    if found is None:
        raise ApiError(404, "campaignevents-rest-calendar-not-found")
    return jsonify(calendar_view(found))


def _visible(event_id: int) -> None:
    """The event exists, is not deleted, and the caller may see it (hidden: moderators only)."""
    registration = services().app.registration_for_reading(event_id, viewer=caller().user_id)
    if registration.is_deleted:
        raise errors.RegistrationDeletedOnGet()


def _content(event_id: int) -> ContentRow:
    found = services().content.content(event_id)
    if found is None:  # the registration's row is there: the content row follows at once
        raise errors.EventNotFound()
    return found


def content_view(row: ContentRow) -> dict[str, Any]:
    return {
        "description_html": row.description_html,
        "description_text": row.description_text,
        "tags": row.tags,
        "prefix": row.prefix,
        "location": row.location,
        "venue": row.venue,
        "calendar_id": row.calendar_id,
    }


def calendar_view(row: CalendarRow) -> dict[str, Any]:
    return {
        "id": row.calendar_id,
        "title": row.title,
        "colour": row.colour,
        "approve_events": row.approve_events,
    }
