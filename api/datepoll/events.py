"""DatePoll's event routes (§2.2): the open list, one event with ``resultGroups``, voting, and the
administration's years, lists, create/update/delete and votes for others."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, g, request

from api.context import services
from api.datepoll import present, reads, results, texts, writes
from api.datepoll.blueprint import (
    Answer,
    account,
    bp,
    event_id_of,
    permissions,
    reply,
    require_administration,
)
from api.datepoll.validate import CANCEL_FOR_USERS, EVENT, EVENT_UPDATE, VOTE, VOTE_FOR_USERS, validate
from api.numbers import is_digits
from domain import errors, people, poll_commands

Reply = tuple[Response, int]


def _zone() -> str:
    return services().settings.default_timezone


def _polls() -> Any:
    found = services().polls
    assert found is not None
    return found


def shown_event(event_id: int, at: results.Revision | None = None) -> dict[str, Any]:
    """The event as DatePoll shows it to the caller (visibility asked of the domain); ``at``: the
    revisions read by the caller (its decisions kept while they stay there: ``results.py``)."""
    registration = reads.registration(services(), event_id, account())
    if at is None:
        decisions = _polls().decisions(event_id)
    else:
        decisions = results.kept(("decisions", event_id), at, lambda: _polls().decisions(event_id))
    return present.event(registration, decisions, _zone())


def open_events(user_id: int) -> list[dict[str, Any]]:
    """The caller's open events with their vote, soonest first (the list and the homepage)."""
    shown = []
    for event_id in _polls().open_events(user_id, services().app.clock.now()):
        try:
            event = shown_event(event_id)
        except errors.EventNotFound:  # hidden from this caller
            continue
        shown.append(present.with_vote(event, _polls().vote(event_id, user_id)))
    return shown


@bp.get("/v1/avent")
def list_open() -> Reply:
    return reply({"msg": texts.LIST_OPEN, "events": open_events(account().user_id)})


@bp.get("/v1/avent/<event_id>")
def one(event_id: str) -> Response:
    """The event, the caller's vote, ``resultGroups`` (its JSON text kept while the event's and
    the people data's revisions have not moved: ``results.py``) and ``view_events``, keys in the
    seed's order."""
    eid = event_id_of(event_id)
    at = results.revision(services(), eid)  # before the reads it keys: a kept value is never older
    event = shown_event(eid, at)
    anonymous = not people.may_see_details(permissions())
    user_id = account().user_id
    vote = results.kept(("vote", eid, user_id), at, lambda: _polls().vote(eid, user_id))
    event = present.with_vote(event, vote)
    head = json.dumps({"msg": texts.EVENT_INFORMATION, "event": event}, separators=(",", ":"))
    groups = results.result_groups_json(services(), eid, anonymous, at)
    view = json.dumps(texts.VIEW_EVENTS, separators=(",", ":"))
    text = f'{head[:-2]},"resultGroups":{groups},"view_events":{view}}}}}'
    return Response(text + "\n", status=200, mimetype="application/json")


@bp.post("/v1/avent/vote")
def vote() -> Reply:
    g.dp_vote = True
    body = validate(request.get_json(silent=True), VOTE)
    eid = event_id_of(body["event_id"])
    reads.registration(services(), eid, account())  # the event first
    decision_id = body["decision_id"]
    if not isinstance(body["event_id"], int) or not isinstance(decision_id, int):
        raise Answer(404, texts.DECISION_NOT_FOUND_FOR_EVENT)  # DatePoll compares them strictly
    user_id = account().user_id
    cmd = poll_commands.CastVote(user_id, eid, decision_id, body.get("additional_information"))
    services().written(services().app.cast_vote(cmd).position)
    return reply(
        {"msg": texts.VOTING_SAVED, "user_decision": present.user_decision(_polls().vote(eid, user_id))}
    )


@bp.delete("/v1/avent/vote/<event_id>")
def unvote(event_id: str) -> Reply:
    g.dp_vote = True
    eid = event_id_of(event_id)
    reads.registration(services(), eid, account())
    written = services().app.remove_vote(poll_commands.RemoveVote(account().user_id, eid))
    services().written(written.position)
    return reply({"msg": texts.VOTE_REMOVED})


# --- administration -------------------------------------------------------------------------------
@bp.get("/v1/avent/administration/avent/years")
def years() -> Reply:
    require_administration()
    zone = _zone()
    found = {reads.year_of(e, zone) for e in reads.live_events(services())}
    found.add(services().app.clock.now().astimezone(ZoneInfo(zone)).year)
    return reply({"msg": texts.YEARS, "years": sorted(found, reverse=True)})


@bp.get("/v1/avent/administration/avent/<year>")
def by_year(year: str) -> Reply:
    require_administration()
    zone, everything = _zone(), year == "null"
    wanted: int | None = int(year) if is_digits(year.lstrip("-")) and len(year) < 7 else None
    listed = [e for e in reads.live_events(services()) if everything or reads.year_of(e, zone) == wanted]
    data = []
    for e in listed:
        try:
            data.append(shown_event(e.event_id))
        except errors.EventNotFound:
            continue
    shown_year: int | str = "all" if everything else (wanted if wanted is not None else year)
    return reply({"msg": texts.BY_YEAR, "data": data, "year": shown_year})


def _echo(event_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """The event after a write, with the request's booleans (as DatePoll echoes it)."""
    event = shown_event(event_id)
    event["for_everyone"] = body["forEveryone"]
    given = {d["decision"]: d["show_in_calendar"] for d in body["decisions"] if isinstance(d, dict)}
    for d in event["decisions"]:
        d["show_in_calendar"] = given.get(d["decision"], bool(d["show_in_calendar"]))
    return event


@bp.post("/v1/avent/administration/avent")
def create() -> Reply:
    require_administration()
    body = validate(request.get_json(silent=True), EVENT)
    event_id = writes.create(services(), account().user_id, body)
    return reply({"msg": texts.CREATED, "event": _echo(event_id, body)}, 201)


@bp.put("/v1/avent/administration/avent/<event_id>")
def update(event_id: str) -> Reply:
    require_administration()
    eid = event_id_of(event_id)
    reads.registration(services(), eid, account())
    body = validate(request.get_json(silent=True), EVENT_UPDATE)
    writes.update(services(), account().user_id, eid, body)
    return reply({"msg": texts.UPDATED, "event": _echo(eid, body)})


@bp.delete("/v1/avent/administration/avent/<event_id>")
def delete(event_id: str) -> Reply:
    require_administration()
    from domain import commands
    from domain.handlers import registrations as handlers

    eid = event_id_of(event_id)
    reads.registration(services(), eid, account())
    written = handlers.delete_registration(
        services().app, commands.DeleteRegistration(account().user_id, eid)
    )
    services().written(written.position)
    return reply({"msg": texts.DELETED})


def _user_ids(given: list[Any]) -> tuple[int, ...]:
    ids = []
    for raw in given:
        if isinstance(raw, bool) or not isinstance(raw, int) or services().app.account(raw) is None:
            raise Answer(404, {"msg": "User not found", "user_id": raw})
        ids.append(raw)
    return tuple(ids)


@bp.post("/v1/avent/administration/avent/<event_id>/voteForUsers")
def vote_for_users(event_id: str) -> Reply:
    require_administration()
    eid = event_id_of(event_id)
    body = validate(request.get_json(silent=True), VOTE_FOR_USERS)
    registration = reads.registration(services(), eid, account())
    decision_id = body["decision_id"]
    if not isinstance(decision_id, int) or decision_id not in {d.id for d in _decisions(registration)}:
        raise Answer(404, texts.DECISION_NOT_FOUND)
    users = _user_ids(body["user_ids"] if isinstance(body["user_ids"], list) else [])
    cmd = poll_commands.CastVotesFor(
        account().user_id, eid, users, decision_id, body.get("additional_information")
    )
    services().written(services().app.cast_votes_for(cmd).position)
    return reply({"msg": texts.VOTES_APPLIED})


def _decisions(registration: Any) -> Any:
    from domain.polls import decisions_of

    return decisions_of(registration)


@bp.post("/v1/avent/administration/avent/<event_id>/cancelVotingForUsers")
def cancel_for_users(event_id: str) -> Reply:
    require_administration()
    eid = event_id_of(event_id)
    body = validate(request.get_json(silent=True), CANCEL_FOR_USERS)
    reads.registration(services(), eid, account())
    given = body["user_ids"] if isinstance(body["user_ids"], list) else []
    users = tuple(u for u in given if isinstance(u, int) and not isinstance(u, bool))
    cmd = poll_commands.RemoveVotesFor(account().user_id, eid, users)
    services().written(services().app.remove_votes_for(cmd).position)
    return reply({"msg": texts.VOTES_CANCELLED})
