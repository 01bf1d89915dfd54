"""Participants: register, cancel, read one's own registration, list, remove."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify

from api.auth import caller, require_csrf
from api.context import services
from api.messages import text
from api.params import (
    BodySchema,
    Bool,
    Int,
    JsonObject,
    Multi,
    load_body,
    path_int,
    query_bool,
    query_int,
    query_ints,
    query_str,
    query_timestamp,
)
from api.presenters import formatted, no_response, user_page
from api.routes import places
from domain import commands, errors, policies
from domain.accounts import is_valid_recipient
from domain.answers import non_pii_message, present, unseal
from domain.places import holds_place
from domain.reading import RegistrationView
from projections.catalog import ts_mw
from projections.views import PARTICIPANTS_PAGE, ParticipantRow

bp = Blueprint("participants", __name__, url_prefix="/campaignevents/v0/event_registration")
AS_OF_BATCH = 50  # past participants looked at per read of the read model (as_of)


class RegisterBody(BodySchema):
    is_private = Bool(required=True)
    answers = JsonObject(metadata={"description": '{"<question name>": {"value": int, "other": str}}'})


class RemoveBody(BodySchema):
    user_ids = Multi(Int(), limit=5000)
    invert_users = Bool()


@bp.put("/<event_id>/participants/self")
def register(event_id: str) -> Response:
    eid = path_int("id", event_id)
    body = load_body(RegisterBody)
    require_csrf(body["token"])
    full = places.refusing(eid)  # the places read model: full with its waitlist off
    who = caller()
    cmd = commands.RegisterParticipant(
        who.user_id, eid, body["is_private"], body["answers"], full=full, caller=who.account
    )
    result = services().app.register_participant(cmd)
    places.settle_request(eid, caller().user_id, result.position)  # waits; a refused request is a 400
    return jsonify({"modified": result.modified})


@bp.delete("/<event_id>/participants/self")
def cancel(event_id: str) -> Response:
    eid = path_int("id", event_id)
    body = load_body(BodySchema)
    require_csrf(body["token"])
    result = services().app.cancel_registration(commands.CancelRegistration(caller().user_id, eid))
    services().written(result.position)
    return jsonify({"modified": result.modified})


@bp.get("/<event_id>/participants/self")
def own_registration(event_id: str) -> Response:
    app = services().app
    eid = path_int("id", event_id)
    participant = app.own_registration(caller().user_id, eid)
    questions = app.registration_for_reading(eid, viewer=participant.user_id).questions
    answers = present(app.answers_of(participant), questions)
    return jsonify({"private": participant.private, "answers": answers or []})


@bp.delete("/<event_id>/participants")
def remove(event_id: str) -> Response:
    eid = path_int("id", event_id)
    body = load_body(RemoveBody)
    require_csrf(body["token"])
    user_ids = tuple(body["user_ids"]) if body["user_ids"] is not None else None
    cmd = commands.RemoveParticipants(caller().user_id, eid, user_ids, bool(body["invert_users"]))
    result = services().app.remove_participants(cmd)
    services().written(result.position)
    return jsonify({"public": result.public, "private": result.private})


@bp.get("/<event_id>/participants")
def list_participants(event_id: str) -> Response:
    eid = path_int("id", event_id)
    include_private = bool(query_bool("include_private", required=True))
    after = query_int("last_participant_id")
    name_filter = query_str("username_filter")
    exclude = query_ints("exclude_users") or ()
    viewer = caller().account
    registration = services().app.registration_for_reading(eid, viewer=caller().user_id)
    if name_filter == "":
        raise errors.EmptyUsernameFilter()
    if include_private and not policies.can_see_private(viewer, registration):
        raise errors.CannotSeePrivate()
    as_of = query_timestamp("as_of")
    if as_of is not None:
        if not policies.can_see_history(viewer, registration):
            raise errors.HistoryDenied()
        past = _as_of(eid, as_of, include_private, after, name_filter, exclude)
        return jsonify([_entry(r, registration, False, None) for r in past])
    rows = services().views.participants(
        eid, include_private=include_private, after=after, name_filter=name_filter, exclude=exclude
    )
    can_email = policies.can_email(viewer, registration)
    answers: Answers | None = None
    if policies.can_see_non_pii_answers(viewer, registration, services().clock.now()):
        sealed = [r.user_id for r in rows if r.answers_sealed is not None]  # the page's keys: one read
        held = services().app.key_store().keys_of(eid, sealed) if sealed else {}
        answers = Answers(policies.non_pii_question_ids(registration), held)
    return jsonify([_entry(r, registration, can_email, answers) for r in rows])


def _as_of(
    event_id: int,
    moment: datetime,
    include_private: bool,
    after: int | None,
    name_filter: str | None,
    exclude: tuple[int, ...],
) -> list[ParticipantRow]:
    """The list as it was at ``moment``, with the same filters and page size as the live list: the
    candidates (everyone who ever registered, by participant id) from the read model, each one's
    state at ``moment`` from the log (``Queries.participants_as_of``)."""
    rows: list[ParticipantRow] = []
    while batch := services().views.participants(
        event_id,
        include_private=True,
        include_inactive=True,
        after=after,
        name_filter=name_filter,
        exclude=exclude,
        limit=AS_OF_BATCH,
    ):
        candidates = {r.user_id: r for r in batch}
        seen = 0
        for past in services().app.participants_as_of(event_id, candidates, moment):
            seen += 1
            if holds_place(past) and (include_private or not past.private):  # confirmed then
                row = candidates[past.user_id]
                rows.append(replace(row, registered_at=ts_mw(past.registered_at), private=past.private))
                if len(rows) == PARTICIPANTS_PAGE:
                    return rows
        if seen < len(batch):  # someone had not registered yet at ``moment``, nor has anyone after
            break
        after = batch[-1].participant_id
    return rows


@dataclass(frozen=True)
class Answers:
    """What a page's non-PII answers need, read once per page: the questions shown, and the keys
    of the page's sealed answer sets by (user id, key id)."""

    question_ids: list[int]
    keys: dict[tuple[int, str], bytes]


def _non_pii(row: ParticipantRow, page: Answers) -> list[dict[str, Any]] | str:
    """Organizers' view of a participant's non-PII answers (PII answers are never shown)."""
    if row.aggregated and row.answers_sealed is None:
        return text("campaignevents-participant-answers-aggregated")
    answers = {}
    if row.answers_sealed is not None:
        kid, _, ciphertext = row.answers_sealed.partition(".")
        key = page.keys.get((row.user_id, kid))
        answers = unseal(ciphertext, key) if key is not None else {}
    shown = []
    for question_id in page.question_ids:
        message = non_pii_message(answers.get(question_id))
        shown.append({"message": message, "questionID": question_id} if message else no_response(question_id))
    return shown


def _entry(
    row: ParticipantRow, registration: RegistrationView, can_email: bool, answers: Answers | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "participant_id": row.participant_id,
        "user_id": row.user_id,
        "user_registered_at": row.registered_at,
        "user_registered_at_formatted": formatted(row.registered_at),
        "private": row.private,
    }
    if row.user_name is None:
        entry["not_found"] = True
        return entry
    entry["user_name"] = row.user_name
    entry["user_page"] = user_page(row.user_name, row.user_id)
    if can_email:
        entry["user_is_valid_recipient"] = is_valid_recipient(row.email, row.blocked)
    if answers is not None:
        entry["non_pii_answers"] = _non_pii(row, answers)
    return entry
