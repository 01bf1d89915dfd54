"""The audit history of an event registration, for its organizers and sysops."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from api.auth import caller
from api.context import services
from api.params import path_int, query_int
from domain import errors, policies
from projections.views import HistoryRow

bp = Blueprint("history", __name__, url_prefix="/campaignevents/v0/event_registration")
DEFAULT_LIMIT, MAX_LIMIT = 50, 500


@bp.get("/<event_id>/history")
def history(event_id: str) -> Response:
    eid = path_int("id", event_id)
    after = query_int("last_id", minimum=0)
    limit = query_int("limit", minimum=1, maximum=MAX_LIMIT) or DEFAULT_LIMIT
    app = services().app
    viewer = caller().account
    registration = app.registration_for_reading(eid, viewer=caller().user_id)
    if not policies.can_see_history(viewer, registration):
        raise errors.HistoryDenied()
    rows = services().history.history(
        eid, after=after, limit=limit, include_private=policies.can_see_private(viewer, registration)
    )
    return jsonify([entry(r) for r in rows])


def entry(row: HistoryRow) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": row.entry_id,
        "at": row.at[:19] + "Z",
        "kind": row.kind,
        "user_id": row.performed_by,
        "user_name": row.performer_name,
    }
    if row.subject_user_id is not None:
        shown["participant"] = {
            "user_id": row.subject_user_id,
            "user_name": row.subject_name,
            "private": row.private,
        }
    shown.update(row.details)
    return shown
