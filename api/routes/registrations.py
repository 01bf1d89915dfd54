"""/campaignevents/v0/event_registration: enable, read, edit and delete a registration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from api.auth import caller, require_csrf
from api.context import services
from api.params import load_body, path_int, query_timestamp
from api.presenters import details
from api.schemas import BodySchema, RegistrationBody, RegistrationEditBody
from domain import commands, errors, policies
from domain.details import DetailsInput

bp = Blueprint("registrations", __name__, url_prefix="/campaignevents/v0")
PREFIX = "/campaignevents/v0/event_registration"


@bp.post("/event_registration")
def enable_registration() -> tuple[Response, int, dict[str, str]]:
    body = load_body(RegistrationBody)
    require_csrf(body["token"])
    who = caller()
    cmd = commands.EnableRegistration(who.user_id, details_input(body), caller=who.account)
    written = services().app.enable_registration(cmd)
    services().written(written.position)
    return (
        jsonify({"id": written.event_id}),
        201,
        {"Location": absolute(f"{PREFIX}/{written.event_id}")},
    )


@bp.get("/event_registration/<event_id>")
def get_registration(event_id: str) -> Response:
    eid = path_int("id", event_id)
    as_of = query_timestamp("as_of")
    if as_of is not None:
        past = services().app.registration_as_of(caller().user_id, eid, as_of)
        return jsonify(details(past, show_urls=True))
    who = caller()
    registration = services().app.registration_for_reading(eid, viewer=who.user_id)
    if registration.is_deleted:
        raise errors.RegistrationDeletedOnGet()
    shown = policies.can_see_meeting_urls(who.account, registration, registration.participates)
    return jsonify(details(registration, shown))


@bp.put("/event_registration/<event_id>")
def edit_registration(event_id: str) -> tuple[str, int]:
    eid = path_int("id", event_id)
    body = load_body(RegistrationEditBody)
    require_csrf(body["token"])
    cmd = commands.EditRegistration(caller().user_id, eid, details_input(body), body["status"])
    services().written(services().app.edit_registration(cmd).position)
    return "", 204


@bp.delete("/event_registration/<event_id>")
def delete_registration(event_id: str) -> tuple[str, int]:
    eid = path_int("id", event_id)
    body = load_body(BodySchema)
    require_csrf(body["token"])
    written = services().app.delete_registration(commands.DeleteRegistration(caller().user_id, eid))
    services().written(written.position)
    return "", 204


def details_input(body: dict[str, Any]) -> DetailsInput:
    return DetailsInput(
        page=body["event_page"],
        timezone=body["timezone"],
        start=body["start_time"],
        end=body["end_time"],
        wikis=body["wikis"],
        online=bool(body["online_meeting"]),
        inperson=bool(body["inperson_meeting"]),
        meeting_url=body["meeting_url"],
        meeting_country=body["meeting_country"],
        meeting_address=body["meeting_address"],
        chat_url=body["chat_url"],
        tracking_tool_id=body["tracking_tool_id"],
        tracking_tool_event_id=body["tracking_tool_event_id"],
    )


def absolute(path: str) -> str:
    base = services().settings.base_url or request.host_url.rstrip("/")
    return f"{base}{path}"
