"""Places and v0's participant selections: the list, the user's event listing, the viewer's own
participation and ``as_of`` show confirmed participants only, the moment the write answers —
before the decision job has recorded the places fold's decision (the jobs are held here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.api.helpers import BASE, create, stop_projector


@pytest.fixture
def world(api: Any, make_user: Any, services: Any) -> Any:
    creator = make_user("Creator", "event-organizer")
    people = [make_user(f"Person{n}") for n in range(3)]
    organizer = api(creator)
    event_id = create(organizer)
    yield organizer, event_id, people
    stop_projector(services)


@contextmanager
def jobs_held(services: Any) -> Iterator[None]:
    """No job starts meanwhile (the real in-process queue, paused): decisions are not recorded."""
    assert services.queue.wait_idle()
    services.queue.started.clear()
    try:
        yield
    finally:
        services.queue.started.set()
        assert services.queue.wait_idle()


def listed(api: Any, event_id: int, query: str = "", client: Any = None) -> list[int]:
    resp = (client or api()).get(f"{BASE}/{event_id}/participants?include_private=false{query}")
    assert resp.status_code == 200, resp.get_json()
    return [p["user_id"] for p in resp.get_json()]


def joined(api: Any, user: Any) -> list[int]:
    resp = api().get(f"/campaignevents/v0/participant/{user.user_id}/event_registrations")
    assert resp.status_code == 200, resp.get_json()
    return [e["event_id"] for e in resp.get_json()]


def register(api: Any, user: Any, event_id: int) -> None:
    resp = api(user).put(f"{BASE}/{event_id}/participants/self", {"is_private": False})
    assert resp.get_json() == {"modified": True}


def test_waitlisted_never_listed_and_promoted_listed_at_once(
    world: Any, api: Any, services: Any, clock: Any
) -> None:
    organizer, event_id, people = world
    organizer.put(
        f"{BASE}/{event_id}/places", {"participant_limit": 1, "waitlist": True, "requires_approval": False}
    )
    requested = clock.now().strftime("%Y%m%d%H%M%S")
    with jobs_held(services):
        register(api, people[0], event_id)
        register(api, people[1], event_id)
        # the decision (waitlisted) is not recorded yet: the places status decides already
        assert listed(api, event_id) == [people[0].user_id]
        assert joined(api, people[1]) == []
        assert joined(api, people[0]) == [event_id]
        clock.advance(minutes=1)
    clock.advance(minutes=1)  # the decisions are recorded now, a minute after the requests
    assert listed(api, event_id) == [people[0].user_id]
    decided = clock.now().strftime("%Y%m%d%H%M%S")
    # as_of: at the requests' moment (decision recorded later) and after it, the waitlisted is not
    # a participant
    for moment in (requested, decided):
        assert listed(api, event_id, f"&as_of={moment}", organizer) == [people[0].user_id]
    clock.advance(minutes=1)
    with jobs_held(services):  # a cancel frees the place: the promoted one is listed at once
        assert api(people[0]).delete(f"{BASE}/{event_id}/participants/self").get_json() == {"modified": True}
        assert listed(api, event_id) == [people[1].user_id]
        assert joined(api, people[1]) == [event_id]
    clock.advance(minutes=1)
    assert listed(api, event_id) == [people[1].user_id]
    now = clock.now().strftime("%Y%m%d%H%M%S")
    assert listed(api, event_id, f"&as_of={now}", organizer) == [people[1].user_id]
    assert listed(api, event_id, f"&as_of={decided}", organizer) == [people[0].user_id]


def test_pending_not_listed_until_approved(world: Any, api: Any, services: Any) -> None:
    organizer, event_id, people = world
    organizer.put(
        f"{BASE}/{event_id}/places", {"participant_limit": None, "waitlist": True, "requires_approval": True}
    )
    with jobs_held(services):
        register(api, people[0], event_id)
        assert listed(api, event_id) == []
        resp = organizer.post(
            f"{BASE}/{event_id}/participants/{people[0].user_id}/approval", {"approve": True}
        )
        assert resp.get_json()["status"] == "confirmed"
        assert listed(api, event_id) == [people[0].user_id]
    assert listed(api, event_id) == [people[0].user_id]


def test_without_places_everyone_is_listed_as_before(world: Any, api: Any, services: Any) -> None:
    _, event_id, people = world
    with jobs_held(services):
        for person in people:
            register(api, person, event_id)
        assert listed(api, event_id) == [p.user_id for p in people]
    assert listed(api, event_id) == [p.user_id for p in people]
