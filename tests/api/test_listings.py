"""Listings: GET /organizer/{userid}/event_registrations, GET /participant/{userid}/event_registrations
and GET /participant_questions.

Whole bodies, key order included, where the observed transcript (``campaignevents-observed.md``,
Peer A) shows the case; its row numbers are in the comments. Its two 500s (a user with no matching
event) are bugs we do not copy: we answer ``200 []``. The cast has the transcript's user ids: Admin 1
(sysop), Alice 3 and Bob 4 (event organizers), Carol 5 (no groups); id 2 is a filler account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import Cast
from tests.api.helpers import assert_reply, create, path_error, registration_body

pytestmark = pytest.mark.usefixtures("cheap_passwords")

V0 = "/campaignevents/v0"
BASE = V0 + "/event_registration"


def by_organizer(user_id: object) -> str:
    return f"{V0}/organizer/{user_id}/event_registrations"


def by_participant(user_id: object) -> str:
    return f"{V0}/participant/{user_id}/event_registrations"


def badinteger(name: str, value: str) -> dict[str, Any]:
    return path_error(name, value, "badinteger", f'Invalid value "{value}" for integer parameter "{name}".')


def events(*pairs: tuple[int, str], deleted: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for event_id, name in pairs:
        item: dict[str, Any] = {"event_id": event_id, "event_name": name}
        if event_id in deleted:
            item["event_deleted"] = True
        out.append(item)
    return out


USER_NOT_FOUND = json.loads(
    '{"errorKey":"campaignevents-rest-user-not-found","messageTranslations":{"en":"There is no user with '
    'this central ID."},"httpCode":404,"httpReason":"Not Found"}'
)  # 94, 153

# 1: the whole catalogue (the transcript cut it after "Student"; the rest is exactly +742 characters)
OBSERVED_1 = (
    '{"1":{"name":"gender","type":"radio","label":"What is your gender identity? (optional)","options":'
    '{"Prefer not to say":0,"Man":1,"Woman":2,"Agender":3,"Non-binary":4,"Gender not listed":5}},'
    '"2":{"name":"age","type":"select","label":"What is your age? (optional)","options":'
    '{"Select age range":0,"Under 25":1,"25–34":2,"35–44":3,"45–54":4,"55–64":5,"65–74":6,"75–84":7,'
    '"85+":8}},'
    '"3":{"name":"profession","type":"select","label":"What is your profession? (optional)","options":'
    '{"Select your profession":0,"Artist/creative professional":1,"Educator":2,"Librarian":3,'
    '"Mass media professional":4,"Museum or archive professional":5,"Non-profit professional":6,'
    '"Researcher":7,"Software engineer":8,"Student":9,"Profession not listed":10}},'
    '"4":{"name":"confidence","type":"radio","label":"How confident do you feel contributing to the '
    'Wikimedia projects involved in this event? (optional)","options":{"Prefer not to say":0,'
    '"I have never contributed to a Wikimedia project before":1,'
    '"I have some experience, but don\'t feel confident":2,'
    '"I have some experience, and feel confident contributing, but would like to learn more":3,'
    '"I am confident that I can contribute without any support":4}},'
    '"5":{"name":"affiliate","type":"select","label":"Do you belong to any Wikimedia affiliates (chapters, '
    'user groups, thematic organizations)? (optional)","options":{"Select an option":0,"Yes":1,"No":2},'
    '"other-options":{"1":{"type":"text","label":"Please state"}}}}'
)
OBSERVED_2 = (
    '{"1":{"name":"gender","type":"radio","label":"What is your gender identity? (optional)","options":'
    '{"Prefer not to say":0,"Man":1,"Woman":2,"Agender":3,"Non-binary":4,"Gender not listed":5}},"3":'
    '{"name":"profession","type":"select","label":"What is your profession? (optional)","options":'
    '{"Select your profession":0,"Artist/creative professional":1,"Educator":2,"Librarian":3,'
    '"Mass media professional":4,"Museum or archive professional":5,"Non-profit professional":6,'
    '"Researcher":7,"Software engineer":8,"Student":9,"Profession not listed":10}}}'
)


# cheap passwords and the cast with the transcript's user ids: tests/api/conftest.py (Dave, id 6,
# is made too and takes no part here)


def ok(resp: Any, status: int = 200) -> None:
    assert resp.status_code == status, resp.get_json()


def register(client: Any, event_id: int, private: bool = False) -> None:
    ok(client.put(f"{BASE}/{event_id}/participants/self", {"is_private": private}))


def cancel(client: Any, event_id: int) -> None:
    ok(client.delete(f"{BASE}/{event_id}/participants/self"))


@dataclass
class World:
    admin: Any
    alice: Any
    bob: Any
    carol: Any
    anonymous: Any


@pytest.fixture
def world(api: Any, cast: Cast) -> World:
    """The transcript's events: Admin's 1 (moved to "PeerTest Three", #56) and 2-6, Alice's 7; Alice
    co-organizes 1 (#59); Bob is a public participant of 1, Carol a private one (#66, #68)."""
    w = World(api(cast.admin), api(cast.alice), api(cast.bob), api(cast.carol), api())
    one = create(w.admin, "Event:PeerTest One")
    for page in ("T3", "T5", "T7", "T10", "T11"):
        create(w.admin, f"Event:PeerTest {page}")
    create(w.alice, "Event:PeerTest T19", start_time="20310101000000", end_time="20310102000000")
    ok(w.admin.put(f"{BASE}/{one}", registration_body("Event:PeerTest Three", status="open")), 204)
    ok(w.admin.put(f"{BASE}/{one}/organizers", {"organizer_usernames": ["Admin", "Alice"]}), 204)
    register(w.bob, one)
    register(w.carol, one, private=True)
    return w


ADMINS = (
    (2, "PeerTest T3"),
    (3, "PeerTest T5"),
    (4, "PeerTest T7"),
    (5, "PeerTest T10"),
    (6, "PeerTest T11"),
)


# --- by organizer ---------------------------------------------------------------------------------
def test_events_by_organizer(world: World) -> None:
    anonymous = world.anonymous
    assert_reply(anonymous.get(by_organizer(1)), 200, events((1, "PeerTest Three"), *ADMINS))  # 92
    assert_reply(
        anonymous.get(by_organizer(3)), 200, events((1, "PeerTest Three"), (7, "PeerTest T19"))
    )  # 93
    assert_reply(
        world.bob.get(by_organizer(1)), 200, events((1, "PeerTest Three"), *ADMINS)
    )  # same for everyone


def test_unknown_user_and_bad_ids(world: World) -> None:
    assert_reply(world.anonymous.get(by_organizer(999999)), 404, USER_NOT_FOUND)  # 94
    assert_reply(world.anonymous.get(by_organizer(0)), 404, USER_NOT_FOUND)
    assert_reply(world.anonymous.get(by_organizer(-1)), 404, USER_NOT_FOUND)
    assert_reply(world.anonymous.get(by_organizer("abc")), 400, badinteger("userid", "abc"))  # 95
    assert_reply(world.anonymous.get(by_participant(999999)), 404, USER_NOT_FOUND)  # 153
    assert_reply(world.anonymous.get(by_participant(0)), 404, USER_NOT_FOUND)
    assert_reply(world.anonymous.get(by_participant("abc")), 400, badinteger("userid", "abc"))


def test_user_with_no_events_is_an_empty_list(world: World) -> None:
    assert_reply(world.anonymous.get(by_organizer(4)), 200, [])  # 152 (the reference's 500 is a bug)
    assert_reply(world.anonymous.get(by_organizer(2)), 200, [])
    assert_reply(world.anonymous.get(by_participant(3)), 200, [])  # 151
    assert_reply(world.anonymous.get(by_participant(2)), 200, [])


def test_deleted_events_are_flagged_and_removed_organizers_not_listed(world: World) -> None:
    ok(world.admin.put(f"{BASE}/1/organizers", {"organizer_usernames": ["Alice"]}), 204)  # 127
    ok(world.admin.delete(f"{BASE}/1"), 204)  # 136: as a sysop, no longer an organizer
    assert_reply(world.anonymous.get(by_organizer(1)), 200, events(*ADMINS))  # 143
    expected = events((1, "PeerTest Three"), (7, "PeerTest T19"), deleted=(1,))
    assert_reply(world.anonymous.get(by_organizer(3)), 200, expected)  # 154 (the name at deletion time)


def test_restored_organizer_is_listed_again(world: World) -> None:
    ok(world.admin.put(f"{BASE}/1/organizers", {"organizer_usernames": ["Admin"]}), 204)
    assert_reply(world.anonymous.get(by_organizer(3)), 200, events((7, "PeerTest T19")))
    ok(world.admin.put(f"{BASE}/1/organizers", {"organizer_usernames": ["Admin", "Alice"]}), 204)
    assert_reply(
        world.anonymous.get(by_organizer(3)), 200, events((1, "PeerTest Three"), (7, "PeerTest T19"))
    )


def test_at_most_fifty_events_in_id_order(api: Any, cast: Cast) -> None:
    bob = api(cast.bob)
    for n in range(51):
        create(bob, f"Event:Many {n:02d}")
    listed = api().get(by_organizer(cast.bob.user_id)).get_json()
    assert listed == events(*((n + 1, f"Many {n:02d}") for n in range(50)))


# --- by participant -------------------------------------------------------------------------------
def test_events_by_participant(world: World) -> None:
    assert_reply(world.anonymous.get(by_participant(4)), 200, events((1, "PeerTest Three")))  # 96
    # 97, 98: private registrations never appear, not even to their owner (the 500s are bugs)
    assert_reply(world.anonymous.get(by_participant(5)), 200, [])
    assert_reply(world.carol.get(by_participant(5)), 200, [])
    assert_reply(world.admin.get(by_participant(5)), 200, [])  # nor to organizers and sysops


def test_cancelled_and_removed_registrations_are_not_listed(world: World) -> None:
    register(world.bob, 7)  # 111
    cancel(world.bob, 1)  # 106
    assert_reply(world.anonymous.get(by_participant(4)), 200, events((7, "PeerTest T19")))
    register(world.bob, 1)
    assert_reply(
        world.anonymous.get(by_participant(4)), 200, events((1, "PeerTest Three"), (7, "PeerTest T19"))
    )
    ok(world.admin.delete(f"{BASE}/1/participants", {"user_ids": [4]}))
    assert_reply(world.anonymous.get(by_participant(4)), 200, events((7, "PeerTest T19")))  # 155


def test_privacy_changes_move_events_in_and_out(world: World) -> None:
    register(world.bob, 1, private=True)
    assert_reply(world.anonymous.get(by_participant(4)), 200, [])
    assert_reply(world.bob.get(by_participant(4)), 200, [])
    register(world.carol, 1, private=False)
    assert_reply(world.anonymous.get(by_participant(5)), 200, events((1, "PeerTest Three")))


def test_deleted_events_are_flagged_for_participants_too(world: World) -> None:
    register(world.bob, 7)
    ok(world.admin.delete(f"{BASE}/1"), 204)
    expected = events((1, "PeerTest Three"), (7, "PeerTest T19"), deleted=(1,))
    assert_reply(world.anonymous.get(by_participant(4)), 200, expected)


def test_event_name_follows_the_page(world: World) -> None:
    ok(world.admin.put(f"{BASE}/1", registration_body("Event:PeerTest One", status="open")), 204)  # 123
    assert_reply(world.anonymous.get(by_participant(4)), 200, events((1, "PeerTest One")))
    assert_reply(world.anonymous.get(by_organizer(3)), 200, events((1, "PeerTest One"), (7, "PeerTest T19")))


# --- participant questions ------------------------------------------------------------------------
QUESTIONS = V0 + "/participant_questions"


def test_all_participant_questions(api: Any) -> None:
    assert_reply(api().get(QUESTIONS), 200, json.loads(OBSERVED_1))  # 1


def test_some_participant_questions(api: Any) -> None:
    assert_reply(api().get(QUESTIONS + "?question_ids=1|3"), 200, json.loads(OBSERVED_2))  # 2
    assert_reply(api().get(QUESTIONS + "?question_ids=3|1"), 200, json.loads(OBSERVED_2))
    assert_reply(api().get(QUESTIONS + "?question_ids=1|99|3"), 200, json.loads(OBSERVED_2))
    every = json.loads(OBSERVED_1)
    assert_reply(api().get(QUESTIONS + "?question_ids=5"), 200, {"5": every["5"]})
    assert_reply(api().get(QUESTIONS + "?question_ids=4|5"), 200, {"4": every["4"], "5": every["5"]})


def test_unknown_or_no_question_ids(api: Any) -> None:
    assert_reply(api().get(QUESTIONS + "?question_ids=99"), 200, [])  # 3
    assert_reply(api().get(QUESTIONS + "?question_ids="), 200, [])
    assert_reply(api().get(QUESTIONS + "?question_ids=0|-1"), 200, [])


def test_bad_question_ids(api: Any) -> None:
    assert_reply(api().get(QUESTIONS + "?question_ids=abc"), 400, badinteger("question_ids", "abc"))
    assert_reply(api().get(QUESTIONS + "?question_ids=1|x"), 400, badinteger("question_ids", "x"))
