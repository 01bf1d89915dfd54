"""What DatePoll's web client needs around the event routes (§2.7): server info, sign-in and
renewal (§2.1), the account, the homepage, settings, the management's groups, and logout of the
current session. Where the service keeps nothing (phone numbers, addresses, broadcasts, cinema),
the answer holds an empty array or null, never a made-up value."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from sqlalchemy import func, select

from api.context import services
from api.datepoll import present, texts
from api.datepoll.blueprint import Answer, account, bp, permissions, reply, require_administration, signer
from api.datepoll.events import open_events
from api.datepoll.validate import RENEW, SIGNIN, validate
from api.ops import login_throttle
from domain import people
from domain.handlers import sessions

Reply = tuple[Response, int]
VERSION, VERSION_NUMBER = "campaignevents", 1


def _count(table: Any, *where: Any) -> int:
    with services().store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0)


@bp.get("/")
def server_info() -> Reply:
    s, polls = services(), services().polls
    assert polls is not None
    catalog = s.store.tables
    events = _count(catalog.registrations, ~catalog.registrations.c.deleted)
    return reply(
        {
            "version": VERSION,
            "version_number": VERSION_NUMBER,
            "application_url": s.settings.base_url or "",
            "community_name": s.settings.wiki_id,
            "community_url": s.settings.base_url or "",
            "community_description": "",
            "community_imprint": "",
            "community_privacy_policy": "",
            "events_enabled": True,
            "broadcasts_enabled": False,
            "cinema_enabled": False,
            "users_count": _count(catalog.users),
            "events_count": events,
            "event_votes_count": _count(polls.t.votes),
            "event_decisions_count": _count(polls.t.decisions),
            "event_dates_count": events,  # every event has at least one date (a lower bound)
        }
    )


@bp.post("/auth/signin")
def signin() -> Reply:
    body = validate(request.get_json(silent=True), SIGNIN)
    app = services().app
    with login_throttle().attempt(str(body["username"]), request.remote_addr or "-"):
        found = app.authenticate(str(body["username"]), str(body["password"]))
    if found.blocked:
        raise Answer(401, texts.SIGNIN_FAILED)
    token = signer().issue(found.user_id, app.clock.now())
    session_token = sessions.start_session(app, found.user_id)
    return reply({"msg": "Login successful", "token": token, "session_token": session_token})


@bp.post("/auth/IamLoggedIn")
def renew() -> Reply:
    body = validate(request.get_json(silent=True), RENEW)
    app = services().app
    found = sessions.session_account(app, str(body["session_token"]))
    if found is None:
        raise Answer(401, texts.SESSION_TOKEN_INCORRECT)
    return reply(
        {"msg": texts.SESSION_TOKEN_GOOD, "token": signer().issue(found.user_id, app.clock.now())}, 202
    )


@bp.post("/v1/user/myself/session/logoutCurrentSession")
def logout() -> Reply:
    body: Any = request.get_json(silent=True)
    token = body.get("session_token") if isinstance(body, dict) else None
    if isinstance(token, str) and token:
        sessions.end_session(services().app, token, account().user_id)
    return reply({"msg": texts.LOGGED_OUT})


@bp.get("/v1/user/myself")
def myself() -> Reply:
    me, polls = account(), services().polls
    assert polls is not None
    first, last = people.first_name(me), people.last_name(me)
    return reply(
        {
            "msg": "Get yourself",
            "user": {
                "id": me.user_id,
                "title": None,
                "firstname": first if first or last else me.user_name,
                "surname": last or "",
                "username": me.user_name,
                "email_addresses": [me.email] if me.email else [],
                "streetname": None,
                "streetnumber": None,
                "zipcode": None,
                "location": None,
                "birthday": None,
                "join_date": present.timestamp(me.created_on),
                "permissions": sorted(permissions()),
                "phone_numbers": [],
                "bv_user": None,
                "bv_password": None,
            },
        }
    )


@bp.get("/v1/user/homepage")
def homepage() -> Reply:
    return reply(
        {
            "msg": "Homepage information",
            "bookings": [],
            "birthdays": [],
            "events": open_events(account().user_id),
            "broadcasts": [],
        }
    )


@bp.get("/v1/settings/alert")
def alert() -> Reply:
    return reply({"msg": "Get alert", "alert": {"message": "", "type": "normal"}})


@bp.get("/v1/settings/jitsiInstanceUrl")
def jitsi() -> Reply:
    return reply({"msg": "Get jitsi instance url", "instance_url": services().settings.jitsi_instance_url})


@bp.get("/v1/management/groups")
def management_groups() -> Reply:
    require_administration()
    polls = services().polls
    assert polls is not None
    return reply({"msg": "List of all groups", "groups": polls.groups()})
