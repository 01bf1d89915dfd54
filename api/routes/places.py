"""Places: the participant limit, waitlist and approval settings, the waitlist, one's own status,
approval, check-in and the counts (see DESIGN.md, "Places").

Outcomes are read from the places read model after the read-your-writes wait, so a request
answers once its outcome is known. Check order as everywhere: path, body, CSRF, then the rules
(the aggregate's: organizers only, not deleted, ...).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from api.auth import caller, require_csrf
from api.context import services
from api.params import BodySchema, Bool, Int, load_body, path_int
from domain import commands, errors, places, policies
from domain.reading import RegistrationView
from projections.places import PlacesViews

bp = Blueprint("places", __name__, url_prefix="/campaignevents/v0/event_registration")


class PlacesBody(BodySchema):
    participant_limit = Int(metadata={"description": "a positive integer, or null: no limit"})
    waitlist = Bool(required=True)
    requires_approval = Bool(required=True)


class ApprovalBody(BodySchema):
    approve = Bool(required=True)


def views() -> PlacesViews:
    """The places read model's reads (one per app: built once, on first use)."""
    found: PlacesViews | None = current_app.extensions.get("campaignevents.places")
    if found is None:
        store = services().store
        found = current_app.extensions["campaignevents.places"] = PlacesViews(
            store.engine, store.tables.users
        )
    return found


def written(position: int) -> None:
    """Read-your-writes: the catalog and the places read model (``Services.written`` waits for both)."""
    services().written(position)


def settle_request(event_id: int, user_id: int | None, position: int) -> None:
    """After a registration: when the fold refused it (full, waitlist off), the refusal is recorded
    now (the participant is not left registered) and the request answers 400, as when the read
    model saw the event full before recording. The fold can refuse only on an event whose places
    were set by then; the registration, brought up to the log's head now, has every fact recorded
    before the request: without places it is not read in the read model."""
    written(position)
    if user_id is None or position <= 0:
        return
    if not places.ever_set(services().app.registration_for_reading(event_id)):
        return
    status, version = views().request(event_id, user_id)
    if status != places.REFUSED:
        return
    services().app.record_place_decision(commands.RecordPlaceDecision(event_id, user_id, status, version))
    raise places.RegisterEventFull()


def refusing(event_id: int) -> bool:
    """The read model says a new request would be refused (checked before recording). A hint:
    what the fold decides is checked after (``settle_request``), so an event whose places this
    process last saw unset (its cached registration, not brought up to date) is not read."""
    seen = services().app.registration_as_cached(event_id)
    if seen is not None and not places.ever_set(seen):
        return False
    return views().event(event_id).refusing


def _readable(event_id: int) -> RegistrationView:
    """The registration as read for the caller; a deleted one is gone (404)."""
    registration = services().app.registration_for_reading(event_id, caller().user_id)
    if registration.is_deleted:
        raise errors.RegistrationDeletedOnGet()
    return registration


def _settings(event_id: int) -> dict[str, Any]:
    found = views().event(event_id)
    return {
        "participant_limit": found.participant_limit,
        "waitlist": found.waitlist,
        "requires_approval": found.requires_approval,
    }


@bp.get("/<event_id>/places")
def get_places(event_id: str) -> Response:
    eid = path_int("id", event_id)
    _readable(eid)
    return jsonify(_settings(eid))


@bp.put("/<event_id>/places")
def put_places(event_id: str) -> Response:
    eid = path_int("id", event_id)
    body = load_body(PlacesBody)
    require_csrf(body["token"])
    cmd = commands.SetPlaces(
        caller().user_id, eid, body["participant_limit"], body["waitlist"], body["requires_approval"]
    )
    result = services().app.set_places(cmd)
    written(result.position)
    return jsonify(_settings(eid))


@bp.get("/<event_id>/waitlist")
def waitlist(event_id: str) -> Response:
    eid = path_int("id", event_id)
    registration = _readable(eid)
    if not policies.can_see_waitlist_names(caller().account, registration):
        return jsonify({"length": views().event(eid).waitlisted})
    entries = views().waitlist(eid)
    shown = [
        {"position": e.position, "user_id": e.user_id, "user_name": e.user_name, "private": e.private}
        for e in entries
    ]
    return jsonify({"length": views().event(eid).waitlisted, "waitlist": shown})


@bp.get("/<event_id>/participants/self/status")
def own_status(event_id: str) -> Response:
    eid = path_int("id", event_id)
    _readable(eid)
    account = caller().account
    if account is None:
        raise errors.RegisterNotAllowed()
    status, position = views().status(eid, account.user_id)
    if status not in (places.CONFIRMED, places.WAITLISTED, places.PENDING, places.DECLINED):
        status = places.NONE  # a refused request, a cancelled registration: not registered
    return jsonify({"status": status, "waitlist_position": position})


@bp.post("/<event_id>/participants/<userid>/approval")
def approval(event_id: str, userid: str) -> Response:
    eid = path_int("id", event_id)
    uid = path_int("user_id", userid)
    body = load_body(ApprovalBody)
    require_csrf(body["token"])
    result = services().app.decide_approval(
        commands.DecideApproval(caller().user_id, eid, uid, body["approve"])
    )
    written(result.position)
    status, position = views().status(eid, uid)
    if status == places.REFUSED:
        status = places.NONE
    return jsonify({"user_id": uid, "status": status, "waitlist_position": position})


def _check_in(event_id: str, user_id: str, checked_in: bool) -> Response:
    eid = path_int("id", event_id)
    uid = path_int("user_id", user_id)
    body = load_body(BodySchema)
    require_csrf(body["token"])
    result = services().app.check_in(commands.CheckIn(caller().user_id, eid, uid, checked_in))
    written(result.position)
    return jsonify({"modified": result.position > 0})


@bp.put("/<event_id>/participants/<userid>/check_in")
def check_in(event_id: str, userid: str) -> Response:
    return _check_in(event_id, userid, True)


@bp.delete("/<event_id>/participants/<userid>/check_in")
def undo_check_in(event_id: str, userid: str) -> Response:
    return _check_in(event_id, userid, False)


@bp.get("/<event_id>/counts")
def counts(event_id: str) -> Response:
    eid = path_int("id", event_id)
    _readable(eid)
    found = views().event(eid)
    return jsonify(
        {
            "participants": {"public": found.confirmed_public, "private": found.confirmed_private},
            "waitlisted": found.waitlisted,
            "pending": found.pending,
            "checked_in": found.checked_in,
            "participant_limit": found.participant_limit,
        }
    )
