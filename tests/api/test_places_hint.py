"""A registration request on an event whose places this process never saw set reads no places read
model before or after recording (``api/routes/places``: the cached registration is the hint, the
registration brought up to date after the write is the rule). Places set meanwhile by another
process are not missed: the fold's refusal still answers 400 and leaves nobody registered."""

from __future__ import annotations

from typing import Any

import pytest

from api.bootstrap import Services
from domain import commands, places
from tests.api.helpers import BASE, assert_json, create, error

pytestmark = pytest.mark.usefixtures("cheap_passwords")
FULL = ("campaignevents-register-event-full", "This event is full and does not keep a waitlist.")


def register(api: Any, user: Any, event_id: int) -> Any:
    return api(user).put(f"{BASE}/{event_id}/participants/self", {"is_private": False})


def test_no_places_read_model_read_for_an_event_without_places(
    api: Any, services: Services, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = create(api(make_user("Olga", "event-organizer")))
    ann, bob = make_user("Ann"), make_user("Bob")
    assert_json(register(api, ann, event_id), 200, {"modified": True})  # the registration is cached now
    from api.routes import places as route

    reads: list[str] = []
    real = route.views

    def counted() -> Any:
        reads.append("read")
        return real()

    monkeypatch.setattr(route, "views", counted)
    assert_json(register(api, bob, event_id), 200, {"modified": True})
    assert reads == []
    assert services.app.is_active_participant(event_id, bob.user_id)


def test_places_set_by_another_process_are_not_missed(
    api: Any, services: Services, other: Services, make_user: Any
) -> None:
    olga = make_user("Olga", "event-organizer")
    event_id = create(api(olga))
    carl, bob = make_user("Carl"), make_user("Bob")
    assert_json(register(api, carl, event_id), 200, {"modified": True})
    other.app.set_places(commands.SetPlaces(olga.user_id, event_id, 1, False, False))  # Carl's place

    seen = services.app.registration_as_cached(event_id)
    assert seen is not None and not places.ever_set(seen)  # this process's hint: no places
    assert_json(register(api, bob, event_id), 400, error(*FULL, 400))
    assert not services.app.is_active_participant(event_id, bob.user_id)
    assert services.app.is_active_participant(event_id, carl.user_id)
