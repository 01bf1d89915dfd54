"""The batch aggregation fact (domain/aggregation.py): the registration counts a batch and stamps its
participants' registration periods; the Participant's rule against editing aggregated answers honours
those stamps as it honours its own (older) stamp."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from domain import errors
from domain.aggregation import AnswersAggregated, record_batch
from domain.answers import Stamps, period
from domain.participants import Participant
from domain.payloads import AggregatedParticipant, AnswerCount
from domain.registration import EventRegistration
from domain.snapshots import RegistrationSnapshot
from tests.unit.domain.factories import NOW, account, organizer, registration

LATER = NOW + timedelta(days=91)


def joined(reg: EventRegistration, name: str) -> Participant:
    return Participant.register(reg, account(name), False, answering=True, at=NOW)


def stamp(*participants: Participant) -> list[AggregatedParticipant]:
    return [AggregatedParticipant(user_id=p.user_id, period=period(p.registered_at)) for p in participants]


def test_a_batch_adds_its_counts_and_stamps_its_participants() -> None:
    reg = registration(organizer())
    bob, carol, dave = (joined(reg, n) for n in ("Bob", "Carol", "Dave"))
    reg.count_answers([AnswerCount(question_id=4, option=1, count=2)], NOW)  # an older fact
    record_batch(reg, [AnswerCount(question_id=4, option=1, count=1)], stamp(bob, carol), LATER)
    assert reg.answer_counts == {"4:1": 3}
    assert [p.answers_aggregated(reg) for p in (bob, carol, dave)] == [True, True, False]
    (fact,) = [e for e in reg.collect_events() if isinstance(e, AnswersAggregated)]
    assert (fact.event_id, fact.performed_by, fact.timestamp) == (reg.event_id, None, LATER)
    assert [p["user_id"] for p in fact.participants] == [bob.user_id, carol.user_id]


def test_a_batch_that_stamps_nobody_is_not_recorded() -> None:
    reg = registration(organizer())
    version = reg.version
    record_batch(reg, [], [], LATER)
    assert reg.version == version


def test_answers_stamped_by_a_batch_cannot_be_given_again_until_one_registers_anew() -> None:
    reg = registration(organizer())
    user = account("Bob")
    bob = Participant.register(reg, user, False, answering=True, at=NOW)
    record_batch(reg, [], stamp(bob), LATER)
    with pytest.raises(errors.AnswersAggregated):
        bob.register_again(reg, user, True, answering=True, at=LATER)
    assert bob.register_again(reg, user, True, answering=False, at=LATER)  # privacy: allowed
    assert bob.cancel(reg, user, LATER)
    with pytest.raises(errors.AnswersAggregated):  # cancelling alone keeps the stamp
        bob.register_again(reg, user, False, answering=True, at=LATER)
    # coming back without answers begins a new registration period: answers are accepted again
    assert bob.register_again(reg, user, False, answering=False, at=LATER + timedelta(seconds=1))
    assert not bob.answers_aggregated(reg)
    bob.register_again(reg, user, False, answering=True, at=LATER + timedelta(seconds=2))


def test_the_participants_own_stamp_of_older_logs_still_counts() -> None:
    reg = registration(organizer())
    bob = joined(reg, "Bob")
    bob.replace_answers("k.sealed", NOW)
    bob.stamp_aggregated(LATER)
    assert bob.answers_aggregated(reg) and bob.sealed_answers is None
    with pytest.raises(errors.AnswersAggregated):
        bob.register_again(reg, account("Bob"), False, answering=True, at=LATER)


def test_stamps_survive_a_snapshot_and_a_copy() -> None:
    reg = registration(organizer())
    people = [joined(reg, f"P{n}") for n in range(3)]
    record_batch(reg, [AnswerCount(question_id=1, option=2, count=3)], stamp(*people), LATER)
    restored = RegistrationSnapshot.take(reg).mutate(None)
    assert restored.aggregated == reg.aggregated and len(restored.aggregated) == 3
    assert all(p.answers_aggregated(restored) for p in people)
    assert copy.deepcopy(reg).aggregated is reg.aggregated  # immutable: shared, never copied


def test_a_snapshot_taken_before_batches_existed_loads_with_no_stamps() -> None:
    reg = registration(organizer())
    snapshot = RegistrationSnapshot.take(reg)
    del snapshot.state["aggregated"]
    restored = snapshot.mutate(None)
    assert restored.aggregated == Stamps() and not joined(restored, "Bob").answers_aggregated(restored)


def test_a_later_batch_restamps_a_new_period() -> None:
    stamps = Stamps().stamped([(1, "20261122120000")]).stamped([(1, "20270301120000"), (2, "20261122120000")])
    assert stamps.covers_period(1, "20270301120000") and not stamps.covers_period(1, "20261122120000")
    assert stamps.covers_period(2, "20261122120000") and len(stamps) == 2
