"""The places rules, one by one, on aggregates built directly: settings, decisions (idempotent),
approval, check-in and its window, refusal of a full event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain import errors, places
from domain.participants import Participant
from domain.places import PlacesSettings
from tests.unit.domain.factories import NOW, account, organizer, registration

START = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)  # the factory's event: 10:00-18:00 UTC
END = datetime(2030, 1, 1, 18, 0, tzinfo=UTC)


def world(**settings: object) -> tuple[Any, Any, Participant]:
    olga = organizer()
    reg = registration(olga)
    if settings:
        places.set_places(reg, olga, PlacesSettings(**settings), NOW)  # type: ignore[arg-type]
    person = account("Pat")
    participant = Participant.register(reg, person, False, answering=False, at=NOW)
    return olga, reg, participant


def test_settings_default_and_set_by_organizers_only() -> None:
    olga = organizer()
    reg = registration(olga)
    assert places.places_of(reg) == PlacesSettings(None, True, False)
    assert places.set_places(reg, olga, PlacesSettings(20, False, True), NOW)
    assert places.places_of(reg) == PlacesSettings(20, False, True)
    assert not places.set_places(reg, olga, PlacesSettings(20, False, True), NOW)  # nothing changes
    fact = reg.collect_events()[-1]
    assert isinstance(fact, places.PlacesSet)
    assert (fact.event_id, fact.performed_by) == (reg.event_id, olga.user_id)
    with pytest.raises(places.PlacesDenied):
        places.set_places(reg, account("Pat"), PlacesSettings(5), NOW)
    with pytest.raises(places.PlacesDenied):
        places.set_places(reg, None, PlacesSettings(5), NOW)
    for bad in (0, -3):
        with pytest.raises(places.InvalidParticipantLimit):
            places.set_places(reg, olga, PlacesSettings(bad), NOW)
    reg.delete(olga, NOW)
    with pytest.raises(errors.EditRegistrationDeleted):
        places.set_places(reg, olga, PlacesSettings(5), NOW)


def test_full_event_refuses_new_requests_only() -> None:
    olga = organizer()
    reg = registration(olga)
    with pytest.raises(places.RegisterEventFull):
        Participant.register(reg, account("Pat"), False, answering=False, at=NOW, full=True)
    joined = Participant.register(reg, account("Kim"), False, answering=False, at=NOW)
    assert joined.register_again(reg, account("Kim"), True, answering=False, at=NOW, full=True) is True
    with pytest.raises(errors.RegisterNotAllowed):  # the existing rules come first
        Participant.register(reg, None, False, answering=False, at=NOW, full=True)


def test_decisions_are_recorded_once_per_request() -> None:
    _, _, p = world(participant_limit=1)
    assert (p.decided, p.place_status) == ([], None)
    assert p.decide_place(places.WAITLISTED, 1, NOW)
    assert not p.decide_place(places.WAITLISTED, 1, NOW)  # a job run twice
    assert p.decide_place(places.PROMOTED, 1, NOW)
    assert p.decided == [places.WAITLISTED, places.PROMOTED]
    assert p.place_status == places.CONFIRMED
    assert not p.decide_place(places.CONFIRMED, 7, NOW)  # another request's decision
    with pytest.raises(ValueError):
        p.decide_place("maybe", 1, NOW)


def test_a_decision_about_an_old_request_is_skipped() -> None:
    _, reg, p = world(participant_limit=1)
    user = account("Pat")
    p.user_id = user.user_id
    p.cancel(reg, user, NOW)
    assert not p.decide_place(places.CONFIRMED, 1, NOW)  # moved on: cancelled
    p.register_again(reg, user, False, answering=False, at=NOW)
    assert p.request_version == p.version
    assert not p.decide_place(places.CONFIRMED, 1, NOW)  # the old request
    assert p.decide_place(places.CONFIRMED, p.request_version, NOW)


def test_refusal_makes_the_participant_inactive() -> None:
    _, _, p = world(participant_limit=1, waitlist=False)
    assert p.decide_place(places.REFUSED, 1, NOW)
    assert not p.active


def test_approval_rules() -> None:
    olga, reg, p = world(requires_approval=True)
    with pytest.raises(places.ApprovalDenied):
        p.approve(reg, account("Pat"), True, NOW)  # type: ignore[arg-type]
    with pytest.raises(places.NotAParticipant):
        places.approve(None, reg, olga, True, NOW)  # type: ignore[arg-type]
    p.approve(reg, olga, True, NOW)  # type: ignore[arg-type]
    assert p.place_status == "approved"
    with pytest.raises(places.NotPending):
        p.approve(reg, olga, True, NOW)  # type: ignore[arg-type]
    _, reg2, q = world(requires_approval=True)
    q.decide_place(places.PENDING, 1, NOW)
    q.approve(reg2, olga_of(reg2), False, NOW)  # type: ignore[arg-type]
    assert (q.place_status, q.active) == (places.DECLINED, False)
    with pytest.raises(places.NotAParticipant):
        q.approve(reg2, olga_of(reg2), True, NOW)  # type: ignore[arg-type]
    _, reg3, r = world()  # no approval needed: nothing is pending
    with pytest.raises(places.NotPending):
        r.approve(reg3, olga_of(reg3), True, NOW)  # type: ignore[arg-type]


def olga_of(reg: object) -> object:
    """An account that organizes ``reg`` (its creator)."""
    creator = reg.creator  # type: ignore[attr-defined]
    found = account("Creator", "event-organizer")
    found.user_id = creator.user_id
    return found


def test_check_in_window_and_rules() -> None:
    olga, reg, p = world(participant_limit=5)
    with pytest.raises(places.CheckInOutsideWindow):
        p.check_in(reg, olga, True, START - timedelta(seconds=1))  # type: ignore[arg-type]
    with pytest.raises(places.CheckInDenied):
        p.check_in(reg, account("Pat"), True, START)  # type: ignore[arg-type]
    assert p.check_in(reg, olga, True, START)  # type: ignore[arg-type]
    assert p.checked_in
    assert not p.check_in(reg, olga, True, START)  # type: ignore[arg-type]
    assert p.check_in(reg, olga, False, END + places.CHECK_IN_GRACE)  # type: ignore[arg-type]
    assert not p.checked_in
    with pytest.raises(places.CheckInOutsideWindow):
        p.check_in(reg, olga, True, END + places.CHECK_IN_GRACE + timedelta(seconds=1))  # type: ignore[arg-type]
    with pytest.raises(places.NotAParticipant):
        places.check_in(None, reg, olga, True, START)  # type: ignore[arg-type]


def test_only_a_held_place_is_checked_in() -> None:
    olga, reg, p = world(participant_limit=1)
    p.decide_place(places.WAITLISTED, 1, NOW)
    with pytest.raises(places.CheckInNotConfirmed):
        p.check_in(reg, olga, True, START)  # type: ignore[arg-type]
    _, reg2, q = world(requires_approval=True)  # pending (not yet decided)
    with pytest.raises(places.CheckInNotConfirmed):
        q.check_in(reg2, olga_of(reg2), True, START)  # type: ignore[arg-type]
