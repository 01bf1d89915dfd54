"""The worklist of an event (seed 004): public paged GET, organizers' PATCH."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api.auth import caller, require_csrf
from api.context import services
from api.params import BodySchema, TitlesByWiki, load_body, path_int, query_int
from domain import commands, errors

bp = Blueprint("worklist", __name__, url_prefix="/campaignevents/v0/event_registration")
DEFAULT_LIMIT, MAX_LIMIT = 20, 500


class WorklistBody(BodySchema):
    add = TitlesByWiki(metadata={"description": '{"enwiki": ["Main Page"]}: applied before removals'})
    remove = TitlesByWiki(metadata={"description": '{"frwiki": ["Foo"]}'})


@bp.get("/<event_id>/worklist")
def get_worklist(event_id: str) -> Response:
    eid = path_int("id", event_id)
    limit = query_int("limit", minimum=1, maximum=MAX_LIMIT)
    offset = query_int("offset", minimum=0)
    try:
        services().app.registration_for_reading(eid, viewer=caller().user_id)  # hidden: moderators only
    except errors.EventNotFound:
        raise errors.WorklistNotFound() from None
    rows, total = services().history.worklist(eid, limit or DEFAULT_LIMIT, offset or 0)
    articles = [
        {
            "id": r.id,
            "page_title": r.page_title,
            "wiki_id": r.wiki_id,
            "added_by_user_id": r.added_by_user_id,
            "added_at": r.added_at,
        }
        for r in rows
    ]
    return jsonify({"articles": articles, "total": total})


@bp.patch("/<event_id>/worklist")
def change_worklist(event_id: str) -> tuple[str, int]:
    eid = path_int("id", event_id)
    body = load_body(WorklistBody)
    require_csrf(body["token"])
    cmd = commands.ChangeWorklist(caller().user_id, eid, body["add"] or {}, body["remove"] or {})
    services().written(services().app.change_worklist(cmd).position)
    return "", 204
