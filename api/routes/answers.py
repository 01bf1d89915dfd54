"""Aggregated answers of an event, for its organizers, once the event has ended and every answer
has been aggregated. Small counts are hidden: a question with fewer than 10 answers shows only a
message, an option with 1 to 4 answers shows the range "1-4"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from api.auth import caller
from api.context import services
from api.messages import text
from api.params import path_int
from domain import policies
from domain.answers import BY_ID

bp = Blueprint("answers", __name__, url_prefix="/campaignevents/v0/event_registration")


@bp.get("/<event_id>/aggregated_answers")
def aggregated_answers(event_id: str) -> Response:
    registration = services().app.aggregated_results(caller().user_id, path_int("id", event_id))
    counts: dict[int, dict[int, int]] = {}
    for key, n in registration.answer_counts.items():
        question_id, option = (int(x) for x in key.split(":"))
        counts.setdefault(question_id, {})[option] = n
    questions = [_question(q, counts.get(q, {})) for q in registration.questions if q in BY_ID]
    return jsonify({"event_id": registration.event_id, "questions": questions})


def _question(question_id: int, options: dict[int, int]) -> dict[str, Any]:
    question = BY_ID[question_id]
    total = sum(options.values())
    shown: dict[str, Any] = {"questionID": question_id, "name": question.name, "label": question.label}
    if not policies.question_total_shown(total):
        shown["message"] = text("campaignevents-aggregated-answers-too-few")
        return shown
    shown["total"] = total
    shown["options"] = [
        {"value": value, "label": label, "count": policies.shown_count(options.get(value, 0))}
        for label, value in question.options
        if value != 0
    ]
    return shown
