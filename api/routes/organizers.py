"""Organizers of an event: list (11 a page) and replace."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api.auth import caller, require_csrf
from api.context import services
from api.params import BodySchema, Multi, Username, load_body, path_int, query_int
from api.presenters import user_page
from domain import commands

bp = Blueprint("organizers", __name__, url_prefix="/campaignevents/v0/event_registration")


class SetOrganizersBody(BodySchema):
    # not required: an absent list is the empty list, refused by the domain after the lookup
    organizer_usernames = Multi(Username(), limit=500)


@bp.get("/<event_id>/organizers")
def list_organizers(event_id: str) -> Response:
    eid = path_int("id", event_id)
    after = query_int("last_organizer_id")
    services().app.registration_for_reading(eid, viewer=caller().user_id)  # hidden: moderators only
    rows = services().views.organizers(eid, after)
    return jsonify(
        [
            {
                "organizer_id": r.organizer_id,
                "user_id": r.user_id,
                "user_name": r.user_name,
                "roles": [r.role],
                "user_page": user_page(r.user_name, r.user_id),
            }
            for r in rows
            if r.user_name is not None
        ]
    )


@bp.put("/<event_id>/organizers")
def set_organizers(event_id: str) -> tuple[str, int]:
    eid = path_int("id", event_id)
    body = load_body(SetOrganizersBody)
    require_csrf(body["token"])
    cmd = commands.SetOrganizers(caller().user_id, eid, tuple(body["organizer_usernames"] or ()))
    services().written(services().app.set_organizers(cmd).position)
    return "", 204
