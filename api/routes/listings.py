"""Events by organizer and by participant, and the participant questions catalogue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify

from api.auth import caller
from api.context import services
from api.params import path_int, query_ints
from domain import errors, policies
from domain.answers import QUESTIONS, Question
from projections.views import EVENTS_BY_USER, EventRow

bp = Blueprint("listings", __name__, url_prefix="/campaignevents/v0")


@bp.get("/organizer/<userid>/event_registrations")
def events_by_organizer(userid: str) -> Response:
    user_id = _existing_user("userid", userid)
    return jsonify(_events(lambda after: services().views.events_organized_by(user_id, after)))


@bp.get("/participant/<userid>/event_registrations")
def events_by_participant(userid: str) -> Response:
    user_id = _existing_user("userid", userid)
    return jsonify(_events(lambda after: services().views.events_joined_by(user_id, after)))


@bp.get("/participant_questions")
def participant_questions() -> Response:
    wanted = query_ints("question_ids")
    chosen = [q for q in QUESTIONS if wanted is None or q.id in wanted]
    if not chosen:
        return jsonify([])
    return jsonify({str(q.id): _question(q) for q in chosen})


def _existing_user(name: str, raw: str) -> int:
    user_id = path_int(name, raw)
    if services().app.account(user_id) is None:
        raise errors.UserNotFound()
    return user_id


def _events(page_after: Callable[[int], list[EventRow]]) -> list[dict[str, Any]]:
    """The first ``EVENTS_BY_USER`` events the caller may see: pages of rows are read (by id) until
    that many are visible or the rows run out, so events left out do not shorten the list."""
    shown: list[EventRow] = []
    after = 0
    while len(shown) < EVENTS_BY_USER:
        rows = page_after(after)
        shown += _visible(rows)[: EVENTS_BY_USER - len(shown)]
        if len(rows) < EVENTS_BY_USER:
            break
        after = rows[-1].event_id
    out: list[dict[str, Any]] = []
    for r in shown:
        item: dict[str, Any] = {"event_id": r.event_id, "event_name": r.name}
        if r.deleted:
            item["event_deleted"] = True
        out.append(item)
    return out


def _visible(rows: list[EventRow]) -> list[EventRow]:
    """Hidden events, and events for groups the viewer is not in, are listed only to those
    ``policies.can_see_event`` lets see them (their moderators; the audience's members)."""
    reads = services().app.visibility
    restricted = reads.among([r.event_id for r in rows]) if reads is not None else {}
    if not restricted:
        return rows
    viewer = caller()
    unseen = {
        event_id
        for event_id, (hidden, audience) in restricted.items()
        if (view := services().views.registration(event_id, viewer.user_id)) is None
        or not policies.can_see_event(viewer.account, view, hidden, audience)
    }
    return [r for r in rows if r.event_id not in unseen]


def _question(q: Question) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "name": q.name,
        "type": q.type,
        "label": q.label,
        "options": dict(q.options),
    }
    if q.other_options:
        shape["other-options"] = {
            str(v): {"type": "text", "label": label} for v, label in q.other_options.items()
        }
    return shape
