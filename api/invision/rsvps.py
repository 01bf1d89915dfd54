"""``/calendar/events/{id}/rsvps[/{memberId}]``: the three lists, answering and withdrawing.

Response 1 (attending) is a participant of the event: the places decide (a full event with its
waitlist off refuses: 403 ``RSVP_LIMIT_REACHED``; with a waitlist the member waits and is listed
nowhere until confirmed; an event needing approval likewise). Responses 0 and 2 are answers that take
no place (domain/rsvps.py); giving one ends the member's participation. A member answers for
themselves, a sysop for anyone (another member's id from anyone else: ``INVALID_MEMBER``)."""

from __future__ import annotations

from flask import Response

from api.context import services
from api.invision import present, reads, texts
from api.invision.blueprint import Answer, account, endpoint, params, positive_id, reply
from api.invision.forms import text
from api.routes import places as v0_places
from domain import commands, errors, moderation, places, policies, rsvps
from domain.handlers import rsvps as rsvp_handlers

ID = r"/([^/]+)"
RSVP_REFUSED = (
    rsvps.RsvpClosed,
    moderation.RegisterEventLocked,
    errors.RegisterNotAllowed,
    errors.RegisterEventPast,
    errors.RegisterRegistrationDeleted,
    errors.RegisterEventNotOpen,
)


@endpoint("events", ID + "/rsvps", "GET")
def list_rsvps(raw: str) -> Response:
    row = _event(raw, texts.RSVPS_INVALID_ID)
    app, viewer = services().app, account()
    registration = app.registration(row.event_id)
    private_ok = policies.can_see_private(viewer, registration)
    attending = [u for u, private in reads.confirmed(services(), row.event_id) if private_ok or not private]
    answers = rsvp_handlers.answers_of(app, row.event_id)
    given = answers.answers if answers is not None else {}
    by_answer = {
        kind: sorted(int(u) for u, a in given.items() if a["answer"] == kind) for kind in rsvps.ANSWERS
    }

    def members(ids: list[int]) -> list[dict[str, object]]:
        return [present.member(services(), app.account(u), viewer, u) for u in ids]

    return reply(
        {
            "attending": members(attending),
            "notAttending": members(by_answer[rsvps.NOT_ATTENDING]),
            "maybeAttending": members(by_answer[rsvps.MAYBE]),
        }
    )


def _event(raw: str, code: texts.Code) -> reads.EventRow:
    event_id = positive_id(raw)
    found = reads.one(services(), account(), event_id) if event_id is not None else None
    if found is None:
        raise Answer(code)
    return found


def _member(raw: str) -> int:
    user_id = positive_id(raw)
    target = services().app.account(user_id) if user_id is not None else None
    if target is None:
        raise Answer(texts.INVALID_MEMBER)
    if target.user_id != account().user_id and "sysop" not in account().groups:
        raise Answer(texts.INVALID_MEMBER)
    return target.user_id


@endpoint("events", ID + "/rsvps" + ID, "PUT")
def answer(raw: str, raw_member: str) -> Response:
    row = _event(raw, texts.INVALID_EVENT)
    member = _member(raw_member)
    response = (text(params(), "response") or "").strip()
    if response not in ("0", "1", "2"):
        raise Answer(texts.INVALID_RESPONSE)
    app, eid = services().app, row.event_id
    try:
        if response == "1":
            full = v0_places.refusing(eid)
            if full:
                raise places.RegisterEventFull()
            result = app.register_participant(
                commands.RegisterParticipant(member, eid, False, None, full=full)
            )
            v0_places.settle_request(eid, member, result.position)
            withdrawn = rsvp_handlers.withdraw_rsvp(
                app, rsvp_handlers.WithdrawRsvp(account().user_id, eid, member)
            )
            services().written(withdrawn.position)
        else:
            kind = rsvps.NOT_ATTENDING if response == "0" else rsvps.MAYBE
            cmd = rsvp_handlers.AnswerRsvp(account().user_id, eid, member, kind)
            written = rsvp_handlers.answer_rsvp(app, cmd)
            cancelled = app.cancel_registration(commands.CancelRegistration(member, eid))
            services().written(max(written.position, cancelled.position))
    except places.RegisterEventFull:
        raise Answer(texts.RSVP_LIMIT_REACHED) from None
    except RSVP_REFUSED:
        raise Answer(texts.RSVP_NOT_ALLOWED) from None
    except (rsvps.RsvpDenied, rsvps.InvalidRsvp) as rule:
        raise Answer(texts.RSVP_RULE_CODES[rule.key]) from None
    except errors.EventNotFound:
        raise Answer(texts.INVALID_EVENT) from None
    return reply(None)


@endpoint("events", ID + "/rsvps" + ID, "DELETE")
def withdraw(raw: str, raw_member: str) -> Response:
    row = _event(raw, texts.INVALID_EVENT)
    member = _member(raw_member)
    app, eid = services().app, row.event_id
    try:
        written = rsvp_handlers.withdraw_rsvp(app, rsvp_handlers.WithdrawRsvp(account().user_id, eid, member))
        cancelled = app.cancel_registration(commands.CancelRegistration(member, eid))
    except (errors.EventNotFound, errors.UnregisterRegistrationDeleted):
        raise Answer(texts.INVALID_EVENT) from None
    except rsvps.RsvpDenied:
        raise Answer(texts.INVALID_MEMBER) from None
    services().written(max(written.position, cancelled.position))
    return reply(None)
