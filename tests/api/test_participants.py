"""Participants: PUT/DELETE/GET .../participants/self, DELETE/GET .../participants.

Every status and error key of these routes, with whole-body comparisons (key order included) where
the observed transcript (``campaignevents-observed.md``, Peer A) shows the same case; the row
numbers are in the comments. The cast has the transcript's user ids: Admin 1 (sysop), Alice 3 and
Bob 4 (event organizers), Carol 5 (no groups), Dave 6 (event organizer, blocked when a test says
so); id 2 is a filler account, as on the real wiki.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain import commands
from tests.api.conftest import Cast
from tests.api.helpers import (
    assert_reply,
    body_error,
    create,
    error,
    missing,
    path_error,
    registration_body,
    url,
)

pytestmark = pytest.mark.usefixtures("cheap_passwords")
TS = "20261122120000"  # the fake clock's time, as TS_MW
TS_FORMATTED = "12:00, 22 November 2026"
ANSWERS = {"gender": {"value": 2}, "age": {"value": 3}}  # 66
CONFIDENCE_3 = "I have some experience, and feel confident contributing, but would like to learn more"


# --- helpers -----------------------------------------------------------------------------------
def me(event_id: object) -> str:
    return url(event_id, "/participants/self")


def everyone(event_id: object, query: str = "") -> str:
    return url(event_id, "/participants") + query


def observed(text: str) -> Any:
    """A transcript body, made ours: the clock's registration time instead of the real run's."""
    return json.loads(
        text.replace("20261122012904", TS).replace("20261122012905", TS).replace("01:29, 22", "12:00, 22")
    )


def user_page(name: str) -> dict[str, str]:
    key = name.replace(" ", "_")
    return {
        "path": f"/w/index.php?title=User:{key}&action=edit&redlink=1",
        "title": f"User:{name} (page does not exist)",
        "classes": "new mw-userlink",
    }


def no_response() -> list[dict[str, Any]]:
    return [{"message": "No response", "questionID": 4}, {"message": "No response", "questionID": 5}]


def entry(
    participant_id: int,
    user: Any,
    *,
    private: bool = False,
    at: str = TS,
    formatted: str = TS_FORMATTED,
    organizer: bool = False,
    answers: Any = None,
) -> dict[str, Any]:
    """A participants-list entry: the anonymous shape, or the organizer's (two more keys)."""
    shown: dict[str, Any] = {
        "participant_id": participant_id,
        "user_id": user.user_id,
        "user_registered_at": at,
        "user_registered_at_formatted": formatted,
        "private": private,
        "user_name": user.name,
        "user_page": user_page(user.name),
    }
    if organizer:
        shown["user_is_valid_recipient"] = True
        shown["non_pii_answers"] = no_response() if answers is None else answers
    return shown


EVENT_NOT_FOUND = error("campaignevents-rest-event-not-found", "There is no event with this ID.", 404)
TOKEN_MISSING = error(
    "rest-badtoken",
    "The <var>token</var> parameter is required unless using a CSRF-safe authentication method.",
    403,
)
TOKEN_INVALID = error("rest-badtoken", "The CSRF token provided is invalid.", 403)
TOKEN_NO_SESSION = error("rest-badtoken", "CSRF error - no session.", 403)
EXTRANEOUS_TOKEN = error(
    "rest-extraneous-csrf-token",
    "Extraneous CSRF token found. CSRF tokens must not be used when using authentication mechanisms "
    "such as OAuth that are safe against CSRF attacks.",
    400,
)
REGISTER_NOT_ALLOWED = error(
    "campaignevents-register-not-allowed", "You are not allowed to register for events.", 403
)
NOT_OPEN = error("campaignevents-register-event-not-open", "This event registration is closed.", 400)
EVENT_PAST = error(
    "campaignevents-register-event-past", "This event registration period has already finished.", 400
)
REGISTER_DELETED = error(
    "campaignevents-register-registration-deleted",
    "You cannot register for this event because it was deleted.",
    400,
)
ANSWERS_AGGREGATED = error(
    "campaignevents-register-answers-aggregated-error",
    "You cannot provide answers because the ones you already provided have already been aggregated "
    "and deleted.",
    400,
)
UNREGISTER_DELETED = error(
    "campaignevents-unregister-registration-deleted",
    "You cannot cancel your event registration because it was deleted.",
    400,
)
NOT_PARTICIPANT = error(
    "campaignevents-rest-get-registration-info-notparticipant",
    "You are not participating in this event.",
    404,
)
REMOVE_DENIED = error(
    "campaignevents-unregister-participants-permission-denied",
    "You are not allowed to remove participants",
    403,
)
REMOVE_EMPTY = error(
    "campaignevents-rest-remove-participants-invalid-users-ids",
    "Parameter 'user_ids' must be an array of user ids, or null (to remove all users)",
    400,
)
REMOVE_DELETED = error(
    "campaignevents-unregister-participants-registration-deleted",
    "You cannot remove participants from this event because it was deleted.",
    400,
)
CANNOT_SEE_PRIVATE = error(
    "campaignevents-rest-list-participants-cannot-see-private",
    "You are not authorized to view participants who registered privately for this event.",
    403,
)
EMPTY_FILTER = error(
    "campaignevents-rest-list-participants-empty-filter",
    "The username filter, if specified, must be a non-empty string.",
    400,
)
ID_ABC = path_error("id", "abc", "badinteger", 'Invalid value "abc" for integer parameter "id".')


# --- fixtures ----------------------------------------------------------------------------------
# cheap passwords, the cast with the transcript's user ids and its clients: tests/api/conftest.py
@pytest.fixture
def event(admin: Any) -> int:
    """The transcript's event 1, enabled by Admin (#10)."""
    return create(admin)


def register(client: Any, event_id: object, private: bool = False, answers: Any = None) -> Any:
    body: dict[str, Any] = {"is_private": private}
    if answers is not None:
        body["answers"] = answers
    return client.put(me(event_id), body)


def registered(client: Any, event_id: int, private: bool = False, answers: Any = None) -> None:
    resp = register(client, event_id, private, answers)
    assert resp.status_code == 200, resp.get_json()


def close(client: Any, event_id: int, page: str = "Event:PeerTest One", **overrides: Any) -> None:
    resp = client.put(url(event_id), registration_body(page, status="closed", **overrides))
    assert resp.status_code == 204, resp.get_json()


def delete(client: Any, event_id: int) -> None:
    resp = client.delete(url(event_id))
    assert resp.status_code == 204, resp.get_json()


def block(services: Any, user: Any) -> None:
    """Block sitewide and wait until the read models have it."""
    services.app.block_user(commands.BlockUser(user.name))
    services.written(services.app.recorder.max_notification_id())


SOON = {"start_time": "20261123100000", "end_time": "20261123180000"}


def soon_event(client: Any, page: str = "Event:Soon") -> int:
    """An event tomorrow (Europe/Rome, 09:00-17:00 UTC on 23 November 2026)."""
    return create(client, page, **SOON)


def transcript_participants(admin: Any, bob: Any, carol: Any, event: int) -> None:
    """#66, #68, #72: Bob public with answers, Carol private, Admin public."""
    assert_reply(register(bob, event, answers=ANSWERS), 200, {"modified": True})
    assert_reply(register(carol, event, private=True), 200, {"modified": True})
    assert_reply(register(admin, event), 200, {"modified": True})


# --- PUT .../participants/self -------------------------------------------------------------------
def test_register_then_identical_resubmission_is_not_a_modification(bob: Any, event: int) -> None:
    assert_reply(register(bob, event, answers=ANSWERS), 200, {"modified": True})  # 66
    assert_reply(register(bob, event, answers=ANSWERS), 200, {"modified": False})  # 67


def test_changing_privacy_or_answers_is_a_modification(bob: Any, event: int) -> None:
    assert_reply(register(bob, event), 200, {"modified": True})
    assert_reply(register(bob, event, private=True), 200, {"modified": True})
    assert_reply(register(bob, event, private=True), 200, {"modified": False})
    assert_reply(register(bob, event, private=True, answers=ANSWERS), 200, {"modified": True})
    assert_reply(
        register(bob, event, private=True, answers={"gender": {"value": 1}}), 200, {"modified": True}
    )
    assert_reply(register(bob, event, private=True), 200, {"modified": True})  # omitting answers drops them
    assert_reply(bob.get(me(event)), 200, {"private": True, "answers": []})


def test_placeholder_answers_are_no_answers(bob: Any, event: int) -> None:
    assert_reply(
        register(bob, event, answers={"gender": {"value": 0}, "age": {"value": 0}}), 200, {"modified": True}
    )
    assert_reply(register(bob, event), 200, {"modified": False})
    assert_reply(bob.get(me(event)), 200, {"private": False, "answers": []})


def test_register_private_and_missing_is_private(carol: Any, event: int) -> None:
    assert_reply(register(carol, event, private=True), 200, {"modified": True})  # 68
    assert_reply(carol.put(me(event), {}), 400, missing("is_private"))  # 69


def test_is_private_must_be_a_json_boolean(carol: Any, event: int) -> None:
    message = 'Invalid value "yes" for boolean parameter "is_private". Got a string value instead.'
    expected = body_error("is_private", "yes", "badbool-type", message)
    assert_reply(carol.put(me(event), {"is_private": "yes"}), 400, expected)


def test_invalid_answer_and_unknown_question(carol: Any, event: int) -> None:
    registered(carol, event, private=True)
    invalid = error(
        "campaignevents-rest-register-invalid-answer", "Invalid answer to the question gender", 400
    )
    assert_reply(register(carol, event, True, {"gender": {"value": 99}}), 400, invalid)  # 70
    assert_reply(register(carol, event, True, {"nosuch": {"value": 1}}), 200, {"modified": False})  # 71


@pytest.mark.parametrize(
    ("answers", "name"),
    [
        ({"age": {"value": "1"}}, "age"),  # a string is not an option value
        ({"age": {"value": True}}, "age"),
        ({"profession": {}}, "profession"),  # no value
        ({"affiliate": {"value": 1, "other": 5}}, "affiliate"),  # other text must be a string
        ({"confidence": 3}, "confidence"),  # not an object
    ],
)
def test_more_invalid_answers(bob: Any, event: int, answers: Any, name: str) -> None:
    expected = error(
        "campaignevents-rest-register-invalid-answer", f"Invalid answer to the question {name}", 400
    )
    assert_reply(register(bob, event, answers=answers), 400, expected)
    assert_reply(bob.get(me(event)), 404, NOT_PARTICIPANT)  # nothing was recorded


def test_invalid_answers_come_before_permission(api: Any, cast: Cast, services: Any, event: int) -> None:
    block(services, cast.dave)
    invalid = error(
        "campaignevents-rest-register-invalid-answer", "Invalid answer to the question gender", 400
    )
    assert_reply(register(api(cast.dave), event, answers={"gender": {"value": 99}}), 400, invalid)


def test_organizer_registers_as_participant(admin: Any, event: int) -> None:
    assert_reply(register(admin, event), 200, {"modified": True})  # 72


def test_register_token_checks(api: Any, cast: Cast, bob: Any, event: int) -> None:
    assert_reply(api().put(me(event), {"is_private": False, "token": "+\\"}), 403, TOKEN_NO_SESSION)  # 73
    session = api(cast.bob, session=True)
    assert_reply(session.put(me(event), {"is_private": False, "token": "bad+\\"}), 403, TOKEN_INVALID)  # 74
    assert_reply(session.client.put(me(event), json={"is_private": False}), 403, TOKEN_MISSING)
    assert_reply(api().client.put(me(event), json={"is_private": False}), 403, TOKEN_MISSING)
    assert_reply(bob.put(me(event), {"is_private": False, "token": "abc"}), 400, EXTRANEOUS_TOKEN)
    assert_reply(session.put(me(event), {"is_private": False}), 200, {"modified": True})


def test_token_is_checked_before_the_event_lookup(api: Any) -> None:
    assert_reply(api().put(me(999999), {"is_private": False, "token": "+\\"}), 403, TOKEN_NO_SESSION)


def test_register_unknown_events(bob: Any, event: int) -> None:
    assert_reply(register(bob, 999999), 404, EVENT_NOT_FOUND)  # 75
    assert_reply(register(bob, 0), 404, EVENT_NOT_FOUND)
    assert_reply(register(bob, "abc"), 400, ID_ABC)


def test_extraneous_body_field(bob: Any, event: int) -> None:
    resp = bob.put(me(event), {"is_private": False, "show_contribution_association_prompt": True})
    body = resp.get_json()
    assert (resp.status_code, body["errorKey"], body["failureData"]) == (
        400,
        "rest-extraneous-body-fields",
        ["show_contribution_association_prompt"],
    )


def test_blocked_user_cannot_register_but_can_cancel(api: Any, cast: Cast, services: Any, event: int) -> None:
    dave = api(cast.dave)
    registered(dave, event, private=True)
    block(services, cast.dave)
    assert_reply(register(dave, event, private=True), 403, REGISTER_NOT_ALLOWED)  # 76, even unchanged
    assert_reply(register(dave, event), 403, REGISTER_NOT_ALLOWED)
    assert_reply(dave.get(me(event)), 200, {"private": True, "answers": []})
    assert_reply(dave.delete(me(event)), 200, {"modified": True})
    assert_reply(dave.delete(me(event)), 200, {"modified": False})
    assert_reply(register(dave, event), 403, REGISTER_NOT_ALLOWED)


def test_closed_event_refuses_new_registrations_but_participants_may_update(
    admin: Any, bob: Any, carol: Any, event: int
) -> None:
    registered(bob, event)
    close(admin, event)  # 123
    assert_reply(register(carol, event), 400, NOT_OPEN)  # 124
    assert_reply(register(bob, event), 200, {"modified": False})
    assert_reply(register(bob, event, private=True, answers=ANSWERS), 200, {"modified": True})
    assert_reply(bob.delete(me(event)), 200, {"modified": True})  # leaving a closed event is allowed
    assert_reply(register(bob, event), 400, NOT_OPEN)  # coming back is a new registration
    assert_reply(bob.get(me(event)), 404, NOT_PARTICIPANT)


def test_ended_event_refuses_new_registrations_but_participants_may_update(
    admin: Any, bob: Any, carol: Any, clock: Any
) -> None:
    event = soon_event(admin)
    registered(bob, event)
    clock.advance(days=2)
    assert_reply(register(carol, event), 400, EVENT_PAST)
    assert_reply(register(bob, event, private=True), 200, {"modified": True})
    assert_reply(bob.delete(me(event)), 200, {"modified": True})
    assert_reply(register(bob, event), 400, EVENT_PAST)


def test_ended_and_closed_reports_the_end_first(admin: Any, carol: Any, clock: Any) -> None:
    event = soon_event(admin)
    close(admin, event, "Event:Soon", **SOON)
    assert_reply(register(carol, event), 400, NOT_OPEN)
    clock.advance(days=2)
    assert_reply(register(carol, event), 400, EVENT_PAST)


def test_an_ongoing_event_still_takes_registrations(admin: Any, carol: Any, clock: Any) -> None:
    event = soon_event(admin)
    clock.advance(hours=22)  # 10:00 UTC on the 23rd: started, not ended
    assert_reply(register(carol, event), 200, {"modified": True})


def test_deleted_event_refuses_new_and_existing_participants(
    admin: Any, bob: Any, carol: Any, event: int
) -> None:
    registered(bob, event, answers=ANSWERS)
    delete(admin, event)
    assert_reply(register(carol, event), 400, REGISTER_DELETED)  # 140
    assert_reply(register(bob, event), 400, REGISTER_DELETED)
    assert_reply(bob.delete(me(event)), 400, UNREGISTER_DELETED)
    assert_reply(bob.get(me(event)), 200, {"private": False, "answers": ANSWERS})  # no deleted check here


def test_answers_after_aggregation_are_refused(
    admin: Any, bob: Any, services: Any, clock: Any, event: int
) -> None:
    registered(bob, event, answers=ANSWERS)
    clock.advance(days=91)  # 90 days after the first answer
    services.app.aggregate_answers()
    assert_reply(register(bob, event, answers={"gender": {"value": 1}}), 400, ANSWERS_AGGREGATED)
    assert_reply(register(bob, event), 200, {"modified": False})  # without answers it still works
    assert_reply(register(bob, event, private=True), 200, {"modified": True})
    assert_reply(bob.get(me(event)), 200, {"private": True, "answers": []})
    # the reference's quirk: cancelling and coming back without answers clears the stamp
    assert_reply(bob.delete(me(event)), 200, {"modified": True})
    assert_reply(register(bob, event), 200, {"modified": True})
    assert_reply(register(bob, event, answers={"age": {"value": 1}}), 200, {"modified": True})


# --- DELETE .../participants/self ------------------------------------------------------------------
def test_cancel_twice(bob: Any, event: int) -> None:
    registered(bob, event, answers=ANSWERS)
    assert_reply(bob.delete(me(event)), 200, {"modified": True})  # 106
    assert_reply(bob.delete(me(event)), 200, {"modified": False})  # 107
    assert_reply(bob.get(me(event)), 404, NOT_PARTICIPANT)


def test_cancel_without_ever_registering(carol: Any, event: int) -> None:
    assert_reply(carol.delete(me(event)), 200, {"modified": False})


def test_cancel_token_checks(api: Any, cast: Cast, event: int) -> None:
    session = api(cast.bob, session=True)
    registered(session, event)
    assert_reply(session.client.delete(me(event)), 403, TOKEN_MISSING)  # 108
    assert_reply(api().delete(me(event), {"token": "+\\"}), 403, TOKEN_NO_SESSION)  # 109
    assert_reply(session.delete(me(event), {"token": "nope"}), 403, TOKEN_INVALID)
    assert_reply(api(cast.bob).delete(me(event), {"token": "x"}), 400, EXTRANEOUS_TOKEN)
    assert_reply(session.delete(me(event)), 200, {"modified": True})


def test_cancel_unknown_event(bob: Any) -> None:
    assert_reply(bob.delete(me(999999)), 404, EVENT_NOT_FOUND)
    assert_reply(bob.delete(me("abc")), 400, ID_ABC)


def test_reregistering_reuses_the_participant_id_with_a_fresh_time(
    admin: Any, bob: Any, carol: Any, clock: Any, event: int
) -> None:
    registered(bob, event, answers=ANSWERS)
    registered(carol, event)
    assert_reply(bob.delete(me(event)), 200, {"modified": True})
    clock.advance(hours=1, minutes=5)
    assert_reply(register(bob, event, private=True), 200, {"modified": True})  # 110
    assert_reply(bob.get(me(event)), 200, {"private": True, "answers": []})  # the old answers are gone
    expected = [
        entry(
            1,
            bob.user,
            private=True,
            at="20261122130500",
            formatted="13:05, 22 November 2026",
            organizer=True,
        ),
        entry(2, carol.user, organizer=True),
    ]
    assert_reply(admin.get(everyone(event, "?include_private=true")), 200, expected)


# --- GET .../participants/self -----------------------------------------------------------------
def test_own_registration(api: Any, cast: Cast, admin: Any, bob: Any, carol: Any, event: int) -> None:
    transcript_participants(admin, bob, carol, event)
    assert_reply(
        bob.get(me(event)),
        200,
        json.loads('{"private":false,"answers":{"gender":{"value":2},"age":{"value":3}}}'),
    )
    assert_reply(carol.get(me(event)), 200, json.loads('{"private":true,"answers":[]}'))  # 78
    assert_reply(api(cast.alice).get(me(event)), 404, NOT_PARTICIPANT)  # 79
    assert_reply(api().get(me(event)), 403, REGISTER_NOT_ALLOWED)  # 80


def test_own_registration_with_other_text(bob: Any, event: int) -> None:
    answers = {"affiliate": {"value": 1, "other": "WMDE"}, "confidence": {"value": 4}}
    registered(bob, event, answers=answers)
    expected = {
        "private": False,
        "answers": {"confidence": {"value": 4}, "affiliate": {"value": 1, "other": "WMDE"}},
    }
    assert_reply(bob.get(me(event)), 200, expected)
    # "other" is read only for the option that has a text field; an empty text is no text
    assert_reply(
        register(bob, event, answers={"affiliate": {"value": 2, "other": "x"}}), 200, {"modified": True}
    )
    assert_reply(bob.get(me(event)), 200, {"private": False, "answers": {"affiliate": {"value": 2}}})
    assert_reply(
        register(bob, event, answers={"affiliate": {"value": 1, "other": ""}}), 200, {"modified": True}
    )
    assert_reply(bob.get(me(event)), 200, {"private": False, "answers": {"affiliate": {"value": 1}}})


def test_own_registration_unknown_event(api: Any, bob: Any) -> None:
    assert_reply(bob.get(me(999999)), 404, EVENT_NOT_FOUND)
    assert_reply(api().get(me(999999)), 404, EVENT_NOT_FOUND)  # the lookup comes before the permission
    assert_reply(bob.get(me("abc")), 400, ID_ABC)


# --- DELETE .../participants -----------------------------------------------------------------------
def test_remove_participants_transcript(
    api: Any, cast: Cast, admin: Any, bob: Any, carol: Any, event: int
) -> None:
    transcript_participants(admin, bob, carol, event)
    assert_reply(bob.delete(me(event)), 200, {"modified": True})  # 106
    assert_reply(register(bob, event, private=True), 200, {"modified": True})  # 110
    assert_reply(bob.delete(everyone(event), {"user_ids": [5]}), 403, REMOVE_DENIED)  # 112
    assert_reply(admin.delete(everyone(event), {"user_ids": []}), 400, REMOVE_EMPTY)  # 113
    assert_reply(
        admin.delete(everyone(event), {"user_ids": [999999]}), 200, {"public": 0, "private": 0}
    )  # 114
    message = 'Invalid value "abc" for integer parameter "user_ids". Got a string value instead.'
    strings = body_error("user_ids", "abc", "badinteger-type", message)
    assert_reply(admin.delete(everyone(event), {"user_ids": ["abc"]}), 400, strings)  # 115
    assert_reply(admin.delete(everyone(event), {"user_ids": [5]}), 200, {"public": 0, "private": 1})  # 116
    expected = [entry(1, cast.bob, private=True, organizer=True), entry(3, cast.admin, organizer=True)]
    assert_reply(admin.get(everyone(event, "?include_private=true")), 200, expected)  # 117
    assert_reply(admin.delete(everyone(event)), 200, {"public": 1, "private": 1})  # 118
    assert_reply(admin.get(everyone(event, "?include_private=true")), 200, [])  # 119
    assert_reply(carol.get(me(event)), 404, NOT_PARTICIPANT)


def test_remove_with_invert_users(api: Any, cast: Cast, bob: Any, carol: Any) -> None:
    alice = api(cast.alice)
    event = create(alice, "Event:PeerTest T19")
    registered(bob, event)  # 111
    registered(carol, event)  # 120
    assert_reply(
        alice.delete(everyone(event), {"user_ids": [4], "invert_users": True}),
        200,
        {"public": 1, "private": 0},
    )
    assert_reply(
        alice.get(everyone(event, "?include_private=true")), 200, [entry(1, cast.bob, organizer=True)]
    )  # 122
    assert_reply(api().get(everyone(event, "?include_private=false")), 200, [entry(1, cast.bob)])  # 150


def test_invert_users_counts_public_and_private(admin: Any, bob: Any, carol: Any, event: int) -> None:
    registered(bob, event, private=True)
    registered(carol, event)
    registered(admin, event, private=True)
    assert_reply(
        admin.delete(everyone(event), {"user_ids": [1], "invert_users": True}),
        200,
        {"public": 1, "private": 1},
    )
    assert_reply(
        admin.delete(everyone(event), {"user_ids": [1], "invert_users": False}),
        200,
        {"public": 0, "private": 1},
    )


def test_empty_user_ids_is_checked_before_the_lookup(admin: Any) -> None:
    assert_reply(admin.delete(everyone(999999), {"user_ids": []}), 400, REMOVE_EMPTY)
    assert_reply(admin.delete(everyone(999999), {"user_ids": [4]}), 404, EVENT_NOT_FOUND)
    assert_reply(admin.delete(everyone(999999)), 404, EVENT_NOT_FOUND)


def test_user_ids_types(admin: Any, event: int) -> None:
    message = 'Invalid value "7" for integer parameter "user_ids". Got a string value instead.'
    assert_reply(
        admin.delete(everyone(event), {"user_ids": [4, "7"]}),
        400,
        body_error("user_ids", "7", "badinteger-type", message),
    )
    resp = admin.delete(everyone(event), {"user_ids": 4})
    assert (resp.status_code, resp.get_json()["failureCode"]) == (400, "multivalue-must-be-array")
    resp = admin.delete(everyone(event), {"user_ids": [4], "invert_users": "yes"})
    assert (resp.status_code, resp.get_json()["failureCode"]) == (400, "badbool-type")


def test_remove_participants_token_checks(api: Any, cast: Cast, event: int) -> None:
    assert_reply(api().delete(everyone(event), {"token": "+\\"}), 403, TOKEN_NO_SESSION)
    assert_reply(api().client.delete(everyone(event)), 403, TOKEN_MISSING)
    session = api(cast.admin, session=True)
    assert_reply(session.delete(everyone(event), {"token": "wrong"}), 403, TOKEN_INVALID)
    assert_reply(api(cast.admin).delete(everyone(event), {"token": "x"}), 400, EXTRANEOUS_TOKEN)
    assert_reply(session.delete(everyone(event)), 200, {"public": 0, "private": 0})


def test_removal_needs_a_current_organizer(api: Any, cast: Cast, admin: Any, carol: Any, event: int) -> None:
    registered(carol, event)
    assert_reply(api(cast.alice).delete(everyone(event), {"user_ids": [5]}), 403, REMOVE_DENIED)
    resp = admin.put(url(event, "/organizers"), {"organizer_usernames": ["Alice"]})
    assert resp.status_code == 204, resp.get_json()
    assert_reply(admin.delete(everyone(event), {"user_ids": [5]}), 403, REMOVE_DENIED)  # ex-organizer
    assert_reply(api(cast.alice).delete(everyone(event), {"user_ids": [5]}), 200, {"public": 1, "private": 0})


def test_remove_on_deleted_closed_and_ended_events(
    admin: Any, bob: Any, carol: Any, clock: Any, event: int
) -> None:
    registered(bob, event)
    close(admin, event)
    assert_reply(admin.delete(everyone(event), {"user_ids": [4]}), 200, {"public": 1, "private": 0})
    soon = soon_event(admin)
    registered(carol, soon, private=True)
    clock.advance(days=2)
    assert_reply(admin.delete(everyone(soon)), 200, {"public": 0, "private": 1})
    delete(admin, event)
    assert_reply(carol.delete(everyone(event), {"user_ids": [4]}), 403, REMOVE_DENIED)
    assert_reply(admin.delete(everyone(event), {"user_ids": [4]}), 400, REMOVE_DELETED)


def test_removed_participants_lose_their_answers(admin: Any, bob: Any, event: int) -> None:
    registered(bob, event, private=True, answers=ANSWERS)
    assert_reply(admin.delete(everyone(event), {"user_ids": [4, 4, 999]}), 200, {"public": 0, "private": 1})
    assert_reply(bob.get(me(event)), 404, NOT_PARTICIPANT)
    assert_reply(register(bob, event), 200, {"modified": True})
    assert_reply(bob.get(me(event)), 200, {"private": False, "answers": []})


# --- GET .../participants --------------------------------------------------------------------------
OBSERVED_83 = (
    '[{"participant_id":1,"user_id":4,"user_registered_at":"20261122012904","user_registered_at_formatted":'
    '"01:29, 22 November 2026","private":false,"user_name":"Bob","user_page":{"path":"/w/index.php?title='
    'User:Bob&action=edit&redlink=1","title":"User:Bob (page does not exist)","classes":"new mw-userlink"}},'
    '{"participant_id":3,"user_id":1,"user_registered_at":"20261122012904","user_registered_at_formatted":'
    '"01:29, 22 November 2026","private":false,"user_name":"Admin","user_page":{"path":"/w/index.php?title='
    'User:Admin&action=edit&redlink=1","title":"User:Admin (page does not exist)","classes":'
    '"new mw-userlink"}}]'
)
OBSERVED_87 = (
    '[{"participant_id":2,"user_id":5,"user_registered_at":"20261122012904","user_registered_at_formatted":'
    '"01:29, 22 November 2026","private":true,"user_name":"Carol","user_page":{"path":"/w/index.php?title='
    'User:Carol&action=edit&redlink=1","title":"User:Carol (page does not exist)","classes":'
    '"new mw-userlink"},"user_is_valid_recipient":true,"non_pii_answers":[{"message":"No response",'
    '"questionID":4},{"message":"No response","questionID":5}]}]'
)
OBSERVED_86 = (
    '{"error":"parameter-validation-failed","name":"include_private","value":null,"failureCode":'
    '"missingparam","failureData":null,"errorKey":"missingparam","messageTranslations":{"en":"The '
    '\\"include_private\\" parameter must be set."},"httpCode":400,"httpReason":"Bad Request"}'
)


@pytest.fixture
def three(admin: Any, bob: Any, carol: Any, event: int) -> int:
    transcript_participants(admin, bob, carol, event)
    return event


def test_list_as_organizer(cast: Cast, admin: Any, three: int) -> None:
    everybody = [
        entry(1, cast.bob, organizer=True),
        entry(2, cast.carol, private=True, organizer=True),
        entry(3, cast.admin, organizer=True),
    ]
    assert_reply(admin.get(everyone(three, "?include_private=true")), 200, everybody)  # 81
    public = [everybody[0], everybody[2]]
    assert_reply(admin.get(everyone(three, "?include_private=false")), 200, public)  # 82


def test_list_as_anonymous(api: Any, three: int) -> None:
    assert_reply(api().get(everyone(three, "?include_private=false")), 200, observed(OBSERVED_83))  # 83
    assert_reply(api().get(everyone(three, "?include_private=true")), 403, CANNOT_SEE_PRIVATE)  # 84


def test_list_as_a_participant(bob: Any, carol: Any, three: int) -> None:
    assert_reply(bob.get(everyone(three, "?include_private=true")), 403, CANNOT_SEE_PRIVATE)  # 85
    assert_reply(carol.get(everyone(three, "?include_private=true")), 403, CANNOT_SEE_PRIVATE)
    assert_reply(
        carol.get(everyone(three, "?include_private=false")), 200, observed(OBSERVED_83)
    )  # not even herself


def test_include_private_is_required(api: Any, three: int) -> None:
    assert_reply(api().get(everyone(three)), 400, json.loads(OBSERVED_86))  # 86
    assert_reply(api().get(everyone(999999)), 400, json.loads(OBSERVED_86))  # validation comes first
    message = (
        'Invalid value "maybe" for boolean parameter "include_private". Pass 1, true, on, yes for true, '
        "or 0, false, off, no for false."
    )
    expected = path_error("include_private", "maybe", "badbool", message)
    assert_reply(api().get(everyone(three, "?include_private=maybe")), 400, expected)


@pytest.mark.parametrize("value", ["1", "true", "on", "yes", "TRUE"])
def test_include_private_truthy_spellings(admin: Any, three: int, value: str) -> None:
    assert len(admin.get(everyone(three, f"?include_private={value}")).get_json()) == 3


def test_username_filter_exclude_users_and_last_participant_id(cast: Cast, admin: Any, three: int) -> None:
    assert_reply(
        admin.get(everyone(three, "?include_private=true&username_filter=car")), 200, observed(OBSERVED_87)
    )
    carol = entry(2, cast.carol, private=True, organizer=True)
    admin_entry = entry(3, cast.admin, organizer=True)
    assert_reply(
        admin.get(everyone(three, "?include_private=true&exclude_users=4")), 200, [carol, admin_entry]
    )  # 88
    assert_reply(
        admin.get(everyone(three, "?include_private=true&last_participant_id=1")), 200, [carol, admin_entry]
    )
    assert_reply(admin.get(everyone(three, "?include_private=true&exclude_users=4|1")), 200, [carol])
    assert_reply(admin.get(everyone(three, "?include_private=true&last_participant_id=3")), 200, [])
    assert_reply(admin.get(everyone(three, "?include_private=false&username_filter=car")), 200, [])


def test_unknown_event(api: Any) -> None:
    assert_reply(api().get(everyone(999999, "?include_private=false")), 404, EVENT_NOT_FOUND)  # 90
    assert_reply(api().get(everyone(0, "?include_private=false")), 404, EVENT_NOT_FOUND)
    assert_reply(api().get(everyone("abc", "?include_private=false")), 400, ID_ABC)
    assert_reply(api().get(everyone(999999, "?include_private=false&username_filter=")), 404, EVENT_NOT_FOUND)


def test_empty_username_filter(api: Any, admin: Any, three: int) -> None:
    assert_reply(api().get(everyone(three, "?include_private=false&username_filter=")), 400, EMPTY_FILTER)
    # the empty filter is reported before the private-participants permission
    assert_reply(api().get(everyone(three, "?include_private=true&username_filter=")), 400, EMPTY_FILTER)


def test_bad_integers_in_the_query(api: Any, three: int) -> None:
    message = 'Invalid value "abc" for integer parameter "exclude_users".'
    expected = path_error("exclude_users", "abc", "badinteger", message)
    assert_reply(api().get(everyone(three, "?include_private=false&exclude_users=abc")), 400, expected)
    assert_reply(api().get(everyone(three, "?include_private=false&exclude_users=1|abc")), 400, expected)
    message = 'Invalid value "x" for integer parameter "last_participant_id".'
    expected = path_error("last_participant_id", "x", "badinteger", message)
    assert_reply(api().get(everyone(three, "?include_private=false&last_participant_id=x")), 400, expected)


def test_username_filter_is_a_case_insensitive_literal_substring(
    api: Any, make_user: Any, event: int
) -> None:
    names = ["Bob Smith", "Rob", "Bo", "50% Off", "Xbob"]
    users = [make_user(name) for name in names]
    for user in users:
        registered(api(user), event)
    anonymous = api()

    def found(text: str) -> list[str]:
        resp = anonymous.get(everyone(event, "?include_private=false&username_filter=" + text))
        assert resp.status_code == 200, resp.get_json()
        return [e["user_name"] for e in resp.get_json()]

    assert found("BOB") == ["Bob Smith", "Xbob"]
    assert found("ob") == ["Bob Smith", "Rob", "Xbob"]
    assert found("b_b") == []  # "_" is not a wildcard
    assert found("b%25s") == []  # nor is "%"
    assert found("%25") == ["50% Off"]
    assert found("b%20s") == ["Bob Smith"]  # names have spaces, not underscores
    assert found("bob_smith") == []


def test_pages_of_twenty(api: Any, make_user: Any, admin: Any, event: int) -> None:
    users = [make_user(f"Crowd {n:02d}") for n in range(45)]
    for n, user in enumerate(users):
        registered(api(user), event, private=n % 3 == 0)
    pages: list[list[int]] = []
    after = ""
    while True:
        resp = admin.get(everyone(event, "?include_private=true" + after))
        ids = [e["participant_id"] for e in resp.get_json()]
        if not ids:
            break
        pages.append(ids)
        after = f"&last_participant_id={ids[-1]}"
    assert [len(p) for p in pages] == [20, 20, 5]
    assert [i for page in pages for i in page] == list(range(1, 46))
    public = api().get(everyone(event, "?include_private=false")).get_json()
    assert [e["participant_id"] for e in public] == [n + 1 for n in range(45) if n % 3 != 0][:20]
    # the filter and the exclusions apply before the limit
    resp = admin.get(everyone(event, "?include_private=true&username_filter=crowd%204"))
    assert [e["user_name"] for e in resp.get_json()] == [f"Crowd 4{n}" for n in range(5)]
    excluded = "|".join(str(u.user_id) for u in users[:30])
    resp = admin.get(everyone(event, "?include_private=true&exclude_users=" + excluded))
    assert [e["user_name"] for e in resp.get_json()] == [f"Crowd {n}" for n in range(30, 45)]


def test_registration_time_is_utc_ts_mw_and_formatted_as_mediawiki_does(
    cast: Cast, admin: Any, bob: Any, clock: Any, event: int
) -> None:
    clock.advance(days=8, hours=-3, minutes=5)  # 2026-11-30T09:05Z
    registered(bob, event)
    clock.advance(days=1, seconds=7)
    registered(admin, event)
    expected = [
        entry(1, cast.bob, at="20261130090500", formatted="09:05, 30 November 2026"),
        entry(2, cast.admin, at="20261201090507", formatted="09:05, 1 December 2026"),
    ]
    assert_reply(bob.get(everyone(event, "?include_private=false")), 200, expected)


def test_sysop_who_is_not_an_organizer_sees_private_participants(
    api: Any, cast: Cast, admin: Any, bob: Any, carol: Any
) -> None:
    alice = api(cast.alice)
    event = create(alice, "Event:PeerTest T19")
    registered(bob, event)
    registered(carol, event, private=True)
    expected = [entry(1, cast.bob), entry(2, cast.carol, private=True)]  # no organizer keys
    assert_reply(admin.get(everyone(event, "?include_private=true")), 200, expected)


def test_ex_organizer_and_new_organizer(
    api: Any, cast: Cast, admin: Any, bob: Any, carol: Any, event: int
) -> None:
    registered(carol, event, private=True)
    resp = admin.put(url(event, "/organizers"), {"organizer_usernames": ["Alice"]})  # 127
    assert resp.status_code == 204, resp.get_json()
    assert_reply(bob.get(everyone(event, "?include_private=true")), 403, CANNOT_SEE_PRIVATE)
    expected = [entry(1, cast.carol, private=True, organizer=True)]
    assert_reply(api(cast.alice).get(everyone(event, "?include_private=true")), 200, expected)  # 131
    # Admin keeps seeing them, as a sysop (view-private right), but no longer as an organizer
    assert_reply(
        admin.get(everyone(event, "?include_private=true")), 200, [entry(1, cast.carol, private=True)]
    )


def test_ex_organizer_without_the_view_private_right(api: Any, cast: Cast, carol: Any) -> None:
    alice = api(cast.alice)
    event = create(alice, "Event:PeerTest T19")
    registered(carol, event, private=True)
    resp = alice.put(url(event, "/organizers"), {"organizer_usernames": ["Bob"]})
    assert resp.status_code == 204, resp.get_json()
    assert_reply(alice.get(everyone(event, "?include_private=true")), 403, CANNOT_SEE_PRIVATE)  # 130
    assert_reply(alice.get(everyone(event, "?include_private=false")), 200, [])


def test_blocked_organizer_cannot_see_private_participants(
    api: Any, cast: Cast, services: Any, carol: Any
) -> None:
    dave = api(cast.dave)
    event = create(dave, "Event:Dave's")
    registered(carol, event, private=True)
    block(services, cast.dave)
    assert_reply(dave.get(everyone(event, "?include_private=true")), 403, CANNOT_SEE_PRIVATE)


def test_deleted_event_still_lists(api: Any, cast: Cast, admin: Any, bob: Any, event: int) -> None:
    registered(bob, event)
    delete(admin, event)
    assert_reply(api().get(everyone(event, "?include_private=false")), 200, [entry(1, cast.bob)])  # 141


def test_non_pii_answers_for_organizers(
    api: Any, cast: Cast, admin: Any, bob: Any, carol: Any, event: int
) -> None:
    registered(bob, event, answers={"confidence": {"value": 3}, "affiliate": {"value": 1, "other": "WMDE"}})
    registered(carol, event, private=True, answers={"affiliate": {"value": 2}, "gender": {"value": 1}})
    expected = [
        entry(
            1,
            cast.bob,
            organizer=True,
            answers=[{"message": CONFIDENCE_3, "questionID": 4}, {"message": "Yes: WMDE", "questionID": 5}],
        ),
        entry(
            2,
            cast.carol,
            private=True,
            organizer=True,
            answers=[{"message": "No response", "questionID": 4}, {"message": "No", "questionID": 5}],
        ),
    ]
    assert_reply(admin.get(everyone(event, "?include_private=true")), 200, expected)
    assert_reply(api().get(everyone(event, "?include_private=false")), 200, [entry(1, cast.bob)])


def test_non_pii_answers_are_not_shown_once_the_event_has_ended(
    cast: Cast, admin: Any, bob: Any, clock: Any
) -> None:
    event = soon_event(admin)
    registered(bob, event, answers={"confidence": {"value": 1}})
    clock.advance(days=2)
    assert_reply(
        admin.get(everyone(event, "?include_private=true")),
        200,
        [entry(1, cast.bob) | {"user_is_valid_recipient": True}],
    )


def test_aggregated_answers_show_a_message(
    cast: Cast, admin: Any, bob: Any, services: Any, clock: Any, event: int
) -> None:
    registered(bob, event, answers={"confidence": {"value": 1}})
    clock.advance(days=91)
    services.app.aggregate_answers()
    services.written(services.app.recorder.max_notification_id())
    aggregated = "This participant's responses have been aggregated and deleted"
    expected = [entry(1, cast.bob, at=TS, organizer=True, answers=aggregated)]
    assert_reply(admin.get(everyone(event, "?include_private=true")), 200, expected)


def test_user_is_valid_recipient(
    api: Any, cast: Cast, services: Any, admin: Any, bob: Any, event: int
) -> None:
    nomail = services.app.create_user(commands.CreateUser("Nomail", None, (), "pw"))
    registered(api(type(cast.bob)(nomail.user_id, nomail.user_name, nomail.token, "pw")), event)
    registered(bob, event)
    block(services, cast.bob)
    resp = admin.get(everyone(event, "?include_private=true"))
    assert [(e["user_name"], e["user_is_valid_recipient"]) for e in resp.get_json()] == [
        ("Nomail", False),
        ("Bob", False),
    ]


def test_user_page_of_names_with_spaces_and_punctuation(api: Any, make_user: Any, event: int) -> None:
    for name in ("Mary Ann", "O'Brien (bot)", "Zoë"):
        registered(api(make_user(name)), event)
    pages = [e["user_page"] for e in api().get(everyone(event, "?include_private=false")).get_json()]
    assert pages == [
        {
            "path": "/w/index.php?title=User:Mary_Ann&action=edit&redlink=1",
            "title": "User:Mary Ann (page does not exist)",
            "classes": "new mw-userlink",
        },
        {
            "path": "/w/index.php?title=User:O%27Brien_(bot)&action=edit&redlink=1",
            "title": "User:O'Brien (bot) (page does not exist)",
            "classes": "new mw-userlink",
        },
        {
            "path": "/w/index.php?title=User:Zo%C3%AB&action=edit&redlink=1",
            "title": "User:Zoë (page does not exist)",
            "classes": "new mw-userlink",
        },
    ]


# --- meeting and chat URLs in the event details --------------------------------------------------------
@pytest.mark.parametrize("private", [False, True])
def test_urls_are_shown_to_active_participants_only(api: Any, carol: Any, event: int, private: bool) -> None:
    def urls(client: Any) -> tuple[Any, Any]:
        body = client.get(url(event)).get_json()
        return body.get("meeting_url", "absent"), body.get("chat_url", "absent")

    shown = ("https://meet.example.org/abc", "https://chat.example.org/room")
    assert urls(carol) == ("absent", "absent")
    registered(carol, event, private=private)
    assert urls(carol) == shown
    assert urls(api()) == ("absent", "absent")
    assert_reply(carol.delete(me(event)), 200, {"modified": True})
    assert urls(carol) == ("absent", "absent")
    registered(carol, event, private=private)
    assert urls(carol) == shown


def test_urls_are_withheld_from_removed_and_blocked_participants(
    api: Any, cast: Cast, services: Any, admin: Any, bob: Any, event: int
) -> None:
    dave = api(cast.dave)
    registered(bob, event)
    registered(dave, event)
    assert_reply(admin.delete(everyone(event), {"user_ids": [4]}), 200, {"public": 1, "private": 0})
    assert "meeting_url" not in bob.get(url(event)).get_json()
    assert dave.get(url(event)).get_json()["meeting_url"] == "https://meet.example.org/abc"
    block(services, cast.dave)
    assert "meeting_url" not in dave.get(url(event)).get_json()
