"""RSVP answers that take no place (domain/rsvps.py): every rule of ``RsvpAnswers`` and the facts it
records (who, when, replay)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from eventsourcing.application import project_aggregate

from domain import errors, rsvps
from domain.moderation import RegisterEventLocked, moderate
from domain.rsvps import MAYBE, NOT_ATTENDING, RsvpAnswers, rsvps_id
from tests.unit.domain.factories import NOW, account, edit, organizer, registration

LATER = NOW + timedelta(hours=1)


def _answers(event_id: int = 7) -> RsvpAnswers:
    return RsvpAnswers.start(event_id, NOW)


def test_one_aggregate_per_event_with_a_stable_id() -> None:
    answers = _answers(7)
    assert answers.id == rsvps_id(7) != rsvps_id(8)
    assert answers.event_id == 7 and answers.answers == {}
    assert answers.answer_of(1) is None


def test_an_answer_is_a_fact_with_who_and_when() -> None:
    olga, member = organizer(), account("Mia")
    reg, answers = registration(olga), _answers()
    assert answers.answer(reg, member, member.user_id, MAYBE, LATER)
    facts = answers.collect_events()
    fact = facts[-1]
    assert isinstance(fact, RsvpAnswers.Answered)
    assert (fact.user_id, fact.answer, fact.performed_by, fact.timestamp) == (
        member.user_id, MAYBE, member.user_id, LATER,
    )  # fmt: skip
    assert answers.answers[str(member.user_id)] == {
        "answer": MAYBE,
        "by": member.user_id,
        "at": LATER.isoformat(),
    }
    replayed = project_aggregate(None, facts)
    assert replayed is not None and replayed.answers == answers.answers


def test_the_same_answer_again_records_nothing_and_a_change_records_one() -> None:
    reg, member, answers = registration(), account("Mia"), _answers()
    assert answers.answer(reg, member, member.user_id, MAYBE, NOW)
    answers.collect_events()
    assert not answers.answer(reg, member, member.user_id, MAYBE, LATER)
    assert answers.collect_events() == []
    assert answers.answer(reg, member, member.user_id, NOT_ATTENDING, LATER)
    assert [type(f) for f in answers.collect_events()] == [RsvpAnswers.Answered]
    assert answers.answer_of(member.user_id) == NOT_ATTENDING


@pytest.mark.parametrize("bad", ["yes", "attending", "", "MAYBE", "1"])
def test_only_the_two_answers_that_take_no_place(bad: str) -> None:
    reg, member, answers = registration(), account("Mia"), _answers()
    with pytest.raises(rsvps.InvalidRsvp):
        answers.answer(reg, member, member.user_id, bad, NOW)
    assert answers.collect_events()[1:] == []


def test_a_member_answers_for_themselves_a_sysop_for_anyone() -> None:
    reg, answers = registration(), _answers()
    mia, max_, sysop = account("Mia"), account("Max"), account("Sue", "sysop")
    with pytest.raises(rsvps.RsvpDenied):
        answers.answer(reg, mia, max_.user_id, MAYBE, NOW)
    with pytest.raises(rsvps.RsvpDenied):
        answers.answer(reg, None, mia.user_id, MAYBE, NOW)
    with pytest.raises(rsvps.RsvpDenied):  # a blocked sysop, even for themselves
        blocked = account("Bob", "sysop", blocked=True)
        answers.answer(reg, blocked, blocked.user_id, MAYBE, NOW)
    assert answers.answer(reg, sysop, mia.user_id, MAYBE, NOW)
    assert answers.answers[str(mia.user_id)]["by"] == sysop.user_id  # who gave it, not whose it is


def test_the_permission_denial_is_a_403_edit_denial() -> None:
    assert issubclass(rsvps.RsvpDenied, errors.EditDenied)
    keys = {rule.key for rule in rsvps.RSVP_ERRORS}
    assert keys == {
        "campaignevents-rest-rsvp-closed",
        "campaignevents-rest-rsvp-permission-denied",
        "campaignevents-rest-rsvp-invalid-answer",
    }


def test_not_on_a_deleted_event() -> None:
    olga, mia = organizer(), account("Mia")
    reg, answers = registration(olga), _answers()
    assert answers.answer(reg, mia, mia.user_id, MAYBE, NOW)
    reg.delete(olga, NOW)
    with pytest.raises(errors.EventNotFound):
        answers.answer(reg, mia, mia.user_id, NOT_ATTENDING, LATER)
    with pytest.raises(errors.EventNotFound):
        answers.withdraw(reg, mia, mia.user_id, LATER)


def test_a_closed_registration_refuses_new_and_changed_answers_but_not_withdrawals() -> None:
    olga, mia, sysop = organizer(), account("Mia"), account("Sue", "sysop")
    reg, answers = registration(olga), _answers()
    assert answers.answer(reg, mia, mia.user_id, MAYBE, NOW)
    edit(reg, olga, status="closed")
    assert reg.is_closed
    assert not answers.answer(reg, mia, mia.user_id, MAYBE, LATER)  # unchanged: nothing to refuse
    with pytest.raises(rsvps.RsvpClosed):
        answers.answer(reg, mia, mia.user_id, NOT_ATTENDING, LATER)
    with pytest.raises(rsvps.RsvpClosed):  # a sysop too: closed is closed
        answers.answer(reg, sysop, sysop.user_id, MAYBE, LATER)
    assert answers.withdraw(reg, mia, mia.user_id, LATER)
    assert answers.answer_of(mia.user_id) is None


def test_a_locked_event_takes_answers_from_moderators_only() -> None:
    olga, mia, sysop = organizer(), account("Mia"), account("Sue", "sysop")
    reg, answers = registration(olga), _answers()
    assert moderate(reg, olga, NOW, locked=True)
    with pytest.raises(RegisterEventLocked):
        answers.answer(reg, mia, mia.user_id, MAYBE, NOW)
    assert answers.answer(reg, olga, olga.user_id, MAYBE, NOW)  # its organizer moderates it
    assert answers.answer(reg, sysop, mia.user_id, NOT_ATTENDING, NOW)


def test_withdrawing_is_a_fact_and_forgets_the_answer() -> None:
    reg, answers = registration(), _answers()
    mia, max_, sysop = account("Mia"), account("Max"), account("Sue", "sysop")
    assert not answers.withdraw(reg, mia, mia.user_id, NOW)  # nothing to withdraw: no fact
    assert answers.answer(reg, mia, mia.user_id, MAYBE, NOW)
    with pytest.raises(rsvps.RsvpDenied):
        answers.withdraw(reg, max_, mia.user_id, LATER)
    answers.collect_events()
    assert answers.withdraw(reg, sysop, mia.user_id, LATER)
    fact = answers.collect_events()[-1]
    assert isinstance(fact, RsvpAnswers.Withdrawn)
    assert (fact.user_id, fact.performed_by, fact.timestamp) == (mia.user_id, sysop.user_id, LATER)
    assert answers.answer_of(mia.user_id) is None and answers.answers == {}


def test_answers_are_kept_per_member() -> None:
    reg, mia, max_, answers = registration(), account("Mia"), account("Max"), _answers()
    assert answers.answer(reg, mia, mia.user_id, MAYBE, NOW)
    assert answers.answer(reg, max_, max_.user_id, NOT_ATTENDING, NOW)
    assert answers.withdraw(reg, mia, mia.user_id, LATER)
    assert answers.answer_of(max_.user_id) == NOT_ATTENDING and answers.answer_of(mia.user_id) is None


def test_each_rule_has_its_text_and_code_where_it_surfaces() -> None:
    from api.invision import texts

    for rule in rsvps.RSVP_ERRORS:
        assert texts.RSVP_RULE_TEXTS[rule.key].strip()
        assert texts.RSVP_RULE_CODES[rule.key][2] in (400, 403, 404)
    assert set(texts.RSVP_RULE_TEXTS) == set(texts.RSVP_RULE_CODES) == {r.key for r in rsvps.RSVP_ERRORS}
