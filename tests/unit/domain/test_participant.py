"""Participant's rules, one by one: who may register, cancel, be removed, answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import errors
from domain.accounts import Account
from domain.participants import Participant
from domain.registration import EventRegistration
from tests.unit.domain.factories import (
    NOW,
    account,
    details,
    edit,
    ended_registration,
    organizer,
    registration,
)


def join(
    reg: EventRegistration, user: object, *, private: bool = False, answering: bool = False
) -> Participant:
    return Participant.register(reg, user, private, answering=answering, at=NOW)  # type: ignore[arg-type]


def closed(olga: object) -> EventRegistration:
    reg = registration(olga)  # type: ignore[arg-type]
    edit(reg, olga, status="closed")  # type: ignore[arg-type]
    return reg


def test_register_records_an_active_participant() -> None:
    bob = account("Bob")
    p = join(registration(), bob, private=True)
    assert p.active and p.private and p.user_id == bob.user_id and p.registered_at == NOW


@pytest.mark.parametrize("user", [None, account("Blocked", blocked=True)])
def test_register_needs_a_user_who_is_not_blocked(user: Account | None) -> None:
    with pytest.raises(errors.RegisterNotAllowed):
        join(registration(), user)


def test_a_deleted_registration_refuses_registration() -> None:
    olga = organizer()
    reg = registration(olga)
    reg.delete(olga, NOW)
    with pytest.raises(errors.RegisterRegistrationDeleted):
        join(reg, account("Bob"))


def test_an_ended_event_refuses_registration() -> None:
    reg, later = ended_registration(organizer())
    with pytest.raises(errors.RegisterEventPast):
        Participant.register(reg, account("Bob"), False, answering=False, at=later)


def test_a_closed_registration_refuses_registration() -> None:
    with pytest.raises(errors.RegisterEventNotOpen):
        join(closed(organizer()), account("Bob"))


def test_an_active_participant_of_a_closed_registration_may_change_privacy() -> None:
    olga, bob = organizer(), account("Bob")
    reg = registration(olga)
    p = join(reg, bob)
    edit(reg, olga, status="closed")
    assert p.register_again(reg, bob, True, answering=False, at=NOW) is True
    assert p.private
    assert p.register_again(reg, bob, True, answering=False, at=NOW) is False  # nothing changes


def test_rejoining_a_closed_registration_is_refused() -> None:
    olga, bob = organizer(), account("Bob")
    reg = registration(olga)
    p = join(reg, bob)
    assert p.cancel(reg, bob, NOW)
    edit(reg, olga, status="closed")
    with pytest.raises(errors.RegisterEventNotOpen):
        p.register_again(reg, bob, False, answering=False, at=NOW)


def test_answers_are_refused_once_aggregated() -> None:
    bob = account("Bob")
    reg = registration()
    p = join(reg, bob)
    p.replace_answers("key.sealed", NOW)
    p.stamp_aggregated(NOW)
    with pytest.raises(errors.AnswersAggregated):
        p.register_again(reg, bob, False, answering=True, at=NOW)
    assert p.register_again(reg, bob, False, answering=False, at=NOW) is False


def test_cancel_needs_a_user_and_a_registration_that_is_not_deleted() -> None:
    olga, bob = organizer(), account("Bob")
    reg = registration(olga)
    p = join(reg, bob)
    with pytest.raises(errors.UnregisterNotAllowed):
        p.cancel(reg, None, NOW)
    reg.delete(olga, NOW)
    with pytest.raises(errors.UnregisterRegistrationDeleted):
        p.cancel(reg, bob, NOW)


def test_cancel_drops_the_answers_and_is_reported_once() -> None:
    bob = account("Bob")
    reg = registration()
    p = join(reg, bob)
    p.replace_answers("key.sealed", NOW)
    assert p.cancel(reg, bob, NOW) is True
    assert not p.active and p.sealed_answers is None and p.first_answer_at is None
    assert p.cancel(reg, bob, NOW) is False


def test_remove_is_for_organizers_of_a_registration_not_deleted() -> None:
    olga, bob = organizer(), account("Bob")
    reg = registration(olga)
    p = join(reg, bob)
    with pytest.raises(errors.RemoveParticipantsDenied):
        p.remove(reg, bob, NOW)
    assert p.remove(reg, olga, NOW) is True
    assert not p.active
    assert p.remove(reg, olga, NOW) is False
    reg.delete(olga, NOW)
    with pytest.raises(errors.RemoveParticipantsDeleted):
        p.remove(reg, olga, NOW)


def test_due_for_aggregation() -> None:
    reg = registration()
    p = join(reg, account("Bob"))
    cutoff = NOW + timedelta(seconds=1)
    assert not p.is_due_for_aggregation(True, cutoff)  # no answers
    p.replace_answers("key.sealed", NOW)
    assert p.is_due_for_aggregation(True, NOW)  # the event ended
    assert p.is_due_for_aggregation(False, cutoff)  # answered before the cutoff
    assert not p.is_due_for_aggregation(False, NOW)
    p.stamp_aggregated(NOW)
    assert not p.is_due_for_aggregation(True, cutoff)


def test_reregistering_accepts_answers_again() -> None:
    """The reference's quirk: an aggregated participant who cancels and comes back may answer."""
    bob = account("Bob")
    reg = registration(given=details(end="20400101180000"))
    p = join(reg, bob)
    p.replace_answers("key.sealed", NOW)
    p.stamp_aggregated(NOW)
    p.cancel(reg, bob, NOW)
    with pytest.raises(errors.AnswersAggregated):  # checked on the state before rejoining
        p.register_again(reg, bob, False, answering=True, at=NOW)
    assert p.register_again(reg, bob, False, answering=False, at=NOW) is True
    assert p.aggregated_at is None
