"""POST .../event_registration/{id}/email: organizers write to their participants (202, sent by the
worker)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api.auth import caller, require_csrf
from api.context import services
from api.params import Array, BodySchema, Bool, Int, Str, load_body, path_int
from domain import commands

bp = Blueprint("email", __name__, url_prefix="/campaignevents/v0/event_registration")


class EmailBody(BodySchema):
    subject = Str(required=True, metadata={"description": "Non-empty subject"})
    message = Str(required=True, metadata={"description": "Plain text, non-empty"})
    user_ids = Array(Int(), limit=5000)
    invert_users = Bool()
    ccme = Bool()


@bp.post("/<event_id>/email")
def email_participants(event_id: str) -> tuple[Response, int]:
    eid = path_int("id", event_id)
    body = load_body(EmailBody)
    require_csrf(body["token"])
    cmd = commands.EmailParticipants(
        caller().user_id,
        eid,
        body["subject"],
        body["message"],
        tuple(body["user_ids"]) if body["user_ids"] is not None else None,
        bool(body["invert_users"]),
        bool(body["ccme"]),
    )
    result = services().app.email_participants(cmd)
    return jsonify({"sent": result.sent}), 202 if result.selected else 200
