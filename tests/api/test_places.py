"""Places through the v0 API: settings, the fair waitlist, refusal when full, approval, check-in,
counts, and who may see what (private registrants never revealed through the waitlist)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid5

import pytest

from domain.indexes import ROOT
from domain.participants import participant_id
from tests.api.helpers import BASE, assert_json, create, error, stop_projector

FULL = ("campaignevents-register-event-full", "This event is full and does not keep a waitlist.")
PLACES_DENIED = (
    "campaignevents-rest-places-permission-denied",
    "You are not allowed to change the places of this event.",
)


@pytest.fixture
def world(api: Any, make_user: Any, services: Any) -> Any:
    creator = make_user("Creator", "event-organizer")
    people = [make_user(f"Person{n}") for n in range(6)]
    organizer = api(creator)
    event_id = create(organizer)
    yield organizer, event_id, people
    stop_projector(services)


def settle(services: Any) -> None:
    """Let jobs and the projector finish (decisions recorded, their facts projected)."""
    for _ in range(3):
        assert services.queue.wait_idle()
        head = services.app.recorder.max_notification_id() or 0
        for name in ("catalog", "places", "dispatcher"):
            assert services.store.wait_for(head, name)


def places(
    organizer: Any, event_id: int, limit: int | None, waitlist: bool = True, approval: bool = False
) -> Any:
    body = {"participant_limit": limit, "waitlist": waitlist, "requires_approval": approval}
    return organizer.put(f"{BASE}/{event_id}/places", body)


def register(api: Any, user: Any, event_id: int, private: bool = False) -> Any:
    return api(user).put(f"{BASE}/{event_id}/participants/self", {"is_private": private})


def status(api: Any, user: Any, event_id: int) -> Any:
    return api(user).get(f"{BASE}/{event_id}/participants/self/status").get_json()


def test_settings_default_then_set_by_organizers_only(world: Any, api: Any) -> None:
    organizer, event_id, people = world
    default = {"participant_limit": None, "waitlist": True, "requires_approval": False}
    assert_json(api().get(f"{BASE}/{event_id}/places"), 200, default)
    assert_json(places(organizer, event_id, 20), 200, {**default, "participant_limit": 20})
    assert_json(api(people[0]).get(f"{BASE}/{event_id}/places"), 200, {**default, "participant_limit": 20})
    assert_json(places(api(people[0]), event_id, 5), 403, error(*PLACES_DENIED, 403))
    message = "The participant limit must be a positive integer, or null for no limit."
    assert_json(
        places(organizer, event_id, 0), 400, error("campaignevents-rest-places-invalid-limit", message, 400)
    )
    resp = organizer.put(f"{BASE}/{event_id}/places", {"participant_limit": "x", "waitlist": True})
    assert resp.status_code == 400
    assert resp.get_json()["failureCode"] == "badinteger-type"
    resp = organizer.put(f"{BASE}/{event_id}/places", {"waitlist": True})
    assert (resp.status_code, resp.get_json()["failureCode"]) == (400, "missingparam")
    assert api().get(f"{BASE}/999/places").status_code == 404


def test_waitlist_in_request_order_and_promotion(world: Any, api: Any, services: Any) -> None:
    organizer, event_id, people = world
    places(organizer, event_id, 2)
    for person in people[:5]:
        assert_json(register(api, person, event_id), 200, {"modified": True})
    assert [status(api, p, event_id) for p in people[:5]] == [
        {"status": "confirmed", "waitlist_position": None},
        {"status": "confirmed", "waitlist_position": None},
        {"status": "waitlisted", "waitlist_position": 1},
        {"status": "waitlisted", "waitlist_position": 2},
        {"status": "waitlisted", "waitlist_position": 3},
    ]
    settle(services)
    listed = api().get(f"{BASE}/{event_id}/participants?include_private=false").get_json()
    assert [p["user_id"] for p in listed] == [people[0].user_id, people[1].user_id]
    # a confirmed participant cancels: the first waitlisted is promoted and told once
    assert_json(api(people[0]).delete(f"{BASE}/{event_id}/participants/self"), 200, {"modified": True})
    assert status(api, people[2], event_id) == {"status": "confirmed", "waitlist_position": None}
    assert status(api, people[3], event_id) == {"status": "waitlisted", "waitlist_position": 1}
    settle(services)
    promoted = participant_id(event_id, people[2].user_id)
    assert services.app.participant(event_id, people[2].user_id).place_status == "confirmed"
    decisions = services.app.participant(event_id, people[2].user_id).decided
    assert decisions == ["waitlisted", "promoted"]
    version = services.app.participant(event_id, people[2].user_id).version
    assert services.app.notice_sent(uuid5(ROOT, f"notice:place:{promoted}:{version}"))
    listed = api().get(f"{BASE}/{event_id}/participants?include_private=false").get_json()
    assert [p["user_id"] for p in listed] == [people[1].user_id, people[2].user_id]
    # a lowered limit keeps everyone confirmed; a raised one promotes in order
    places(organizer, event_id, 1)
    assert status(api, people[1], event_id)["status"] == "confirmed"
    counts = api().get(f"{BASE}/{event_id}/counts").get_json()
    assert counts == {
        "participants": {"public": 2, "private": 0},
        "waitlisted": 2,
        "pending": 0,
        "checked_in": 0,
        "participant_limit": 1,
    }
    places(organizer, event_id, 3)
    assert status(api, people[3], event_id)["status"] == "confirmed"
    assert status(api, people[4], event_id) == {"status": "waitlisted", "waitlist_position": 1}
    places(organizer, event_id, None)
    assert status(api, people[4], event_id)["status"] == "confirmed"


def test_full_with_waitlist_off_is_refused(world: Any, api: Any, services: Any) -> None:
    organizer, event_id, people = world
    places(organizer, event_id, 1, waitlist=False)
    assert_json(register(api, people[0], event_id), 200, {"modified": True})
    assert_json(register(api, people[1], event_id), 400, error(*FULL, 400))
    assert status(api, people[1], event_id) == {"status": "none", "waitlist_position": None}
    assert not services.app.is_active_participant(event_id, people[1].user_id)
    # a confirmed participant changing privacy is not a new request
    assert_json(register(api, people[0], event_id, private=True), 200, {"modified": True})


def test_refusal_decided_by_the_fold(world: Any, api: Any, services: Any) -> None:
    """A request that raced past the pre-check is refused by the fold: same 400, not registered."""
    organizer, event_id, people = world
    places(organizer, event_id, 1, waitlist=False)
    assert register(api, people[0], event_id).status_code == 200
    from api.routes import places as route

    original = route.refusing
    route.refusing = lambda event_id: False  # as if the read model had not yet seen the first
    try:
        assert_json(register(api, people[1], event_id), 400, error(*FULL, 400))
    finally:
        route.refusing = original
    assert not services.app.is_active_participant(event_id, people[1].user_id)
    assert services.app.participant(event_id, people[1].user_id).decided == ["refused"]
    settle(services)
    listed = api().get(f"{BASE}/{event_id}/participants?include_private=false").get_json()
    assert [p["user_id"] for p in listed] == [people[0].user_id]


def test_waitlist_privacy(world: Any, api: Any, make_user: Any) -> None:
    organizer, event_id, people = world
    places(organizer, event_id, 1)
    register(api, people[0], event_id)
    register(api, people[1], event_id, private=True)
    register(api, people[2], event_id)
    assert_json(api(people[3]).get(f"{BASE}/{event_id}/waitlist"), 200, {"length": 2})
    assert_json(api().get(f"{BASE}/{event_id}/waitlist"), 200, {"length": 2})
    viewer = make_user("Viewer", "sysop")
    assert_json(api(viewer).get(f"{BASE}/{event_id}/waitlist"), 200, {"length": 2})
    assert_json(
        organizer.get(f"{BASE}/{event_id}/waitlist"),
        200,
        {
            "length": 2,
            "waitlist": [
                {"position": 1, "user_id": people[1].user_id, "user_name": "Person1", "private": True},
                {"position": 2, "user_id": people[2].user_id, "user_name": "Person2", "private": False},
            ],
        },
    )
    counts = api().get(f"{BASE}/{event_id}/counts").get_json()
    assert counts["participants"] == {"public": 1, "private": 0}
    assert counts["waitlisted"] == 2


def test_approval(world: Any, api: Any, services: Any, make_user: Any) -> None:
    organizer, event_id, people = world
    places(organizer, event_id, 1, approval=True)
    for person in people[:3]:
        assert_json(register(api, person, event_id), 200, {"modified": True})
    assert status(api, people[0], event_id) == {"status": "pending", "waitlist_position": None}
    approval = f"{BASE}/{event_id}/participants/{{}}/approval"
    denied = (
        "campaignevents-rest-approval-permission-denied",
        "You are not allowed to approve or decline registrations for this event.",
    )
    assert_json(
        api(people[3]).post(approval.format(people[0].user_id), {"approve": True}), 403, error(*denied, 403)
    )
    resp = organizer.post(approval.format(people[0].user_id), {"approve": True})
    assert_json(resp, 200, {"user_id": people[0].user_id, "status": "confirmed", "waitlist_position": None})
    resp = organizer.post(approval.format(people[1].user_id), {"approve": True})
    assert_json(resp, 200, {"user_id": people[1].user_id, "status": "waitlisted", "waitlist_position": 1})
    resp = organizer.post(approval.format(people[2].user_id), {"approve": False})
    assert_json(resp, 200, {"user_id": people[2].user_id, "status": "declined", "waitlist_position": None})
    assert status(api, people[2], event_id)["status"] == "declined"
    assert not services.app.is_active_participant(event_id, people[2].user_id)
    not_pending = ("campaignevents-rest-approval-not-pending", "This registration is not awaiting approval.")
    assert_json(
        organizer.post(approval.format(people[0].user_id), {"approve": True}), 400, error(*not_pending, 400)
    )
    not_found = ("campaignevents-rest-participant-not-found", "This user is not registered for this event.")
    assert_json(
        organizer.post(approval.format(people[4].user_id), {"approve": True}), 404, error(*not_found, 404)
    )
    resp = organizer.post(approval.format(9999), {"approve": True})
    assert (resp.status_code, resp.get_json()["errorKey"]) == (404, "campaignevents-rest-user-not-found")
    resp = organizer.post(approval.format(people[3].user_id), {})
    assert (resp.status_code, resp.get_json()["failureCode"]) == (400, "missingparam")
    settle(services)
    for person in (people[0], people[2]):
        p = services.app.participant(event_id, person.user_id)
        assert any(
            services.app.notice_sent(uuid5(ROOT, f"notice:place:{p.id}:{v}")) for v in range(1, p.version + 1)
        )
    counts = api().get(f"{BASE}/{event_id}/counts").get_json()
    assert (counts["pending"], counts["waitlisted"], counts["participants"]["public"]) == (0, 1, 1)


def test_check_in(world: Any, api: Any, services: Any, clock: Any) -> None:
    organizer, event_id, people = world
    places(organizer, event_id, 1)
    register(api, people[0], event_id)
    register(api, people[1], event_id)
    check_in = f"{BASE}/{event_id}/participants/{{}}/check_in"
    outside = (
        "campaignevents-rest-check-in-outside-window",
        "Participants can be checked in from the start of the event until 7 days after its end.",
    )
    assert_json(organizer.put(check_in.format(people[0].user_id), {}), 400, error(*outside, 400))
    clock.current = datetime(2030, 1, 1, 9, 30, tzinfo=UTC)  # the event runs 09:00-17:00 UTC
    denied = (
        "campaignevents-rest-check-in-permission-denied",
        "You are not allowed to check participants in for this event.",
    )
    assert_json(api(people[1]).put(check_in.format(people[0].user_id), {}), 403, error(*denied, 403))
    assert_json(organizer.put(check_in.format(people[0].user_id), {}), 200, {"modified": True})
    assert_json(organizer.put(check_in.format(people[0].user_id), {}), 200, {"modified": False})
    not_confirmed = (
        "campaignevents-rest-check-in-not-confirmed",
        "Only participants who hold a place can be checked in.",
    )
    settle(services)
    assert_json(organizer.put(check_in.format(people[1].user_id), {}), 400, error(*not_confirmed, 400))
    assert api().get(f"{BASE}/{event_id}/counts").get_json()["checked_in"] == 1
    assert_json(organizer.delete(check_in.format(people[0].user_id), {}), 200, {"modified": True})
    assert api().get(f"{BASE}/{event_id}/counts").get_json()["checked_in"] == 0
    clock.current = datetime(2030, 1, 8, 18, 0, tzinfo=UTC)  # more than 7 days after the end
    assert_json(organizer.put(check_in.format(people[0].user_id), {}), 400, error(*outside, 400))


def test_history_covers_the_places_facts(world: Any, api: Any, services: Any) -> None:
    organizer, event_id, people = world
    places(organizer, event_id, 1)
    register(api, people[0], event_id)
    register(api, people[1], event_id)
    api(people[0]).delete(f"{BASE}/{event_id}/participants/self")
    settle(services)
    entries = services.history.history(event_id, after=None, limit=100, include_private=True)
    kinds = [e.kind for e in entries]
    kinds = kinds[kinds.index("places-changed") :]
    # decisions are recorded by jobs, so they may interleave with later requests
    assert sorted(kinds) == sorted(
        [
            "places-changed",
            "participant-registered",
            "place-confirmed",
            "participant-registered",
            "participant-waitlisted",
            "participant-cancelled",
            "participant-promoted",
        ]
    )
    assert kinds.index("participant-promoted") > kinds.index("participant-cancelled")
    waitlisted = next(e for e in entries if e.kind == "participant-waitlisted")
    assert (waitlisted.subject_user_id, waitlisted.performed_by) == (people[1].user_id, None)


def test_status_needs_an_account(world: Any, api: Any) -> None:
    _, event_id, _ = world
    resp = api().get(f"{BASE}/{event_id}/participants/self/status")
    assert (resp.status_code, resp.get_json()["errorKey"]) == (403, "campaignevents-register-not-allowed")
