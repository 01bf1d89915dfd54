"""Who may see what (domain/policies.py), rule by rule."""

from __future__ import annotations

from datetime import timedelta

from domain import policies
from domain.accounts import Account
from tests.unit.domain.factories import NOW, account, organizer, registration


def test_meeting_urls_for_organizers_and_active_participants() -> None:
    olga, bob, eve = organizer(), account("Bob"), account("Eve")
    reg = registration(olga)
    participants = {bob.user_id}

    def can_see(viewer: Account | None) -> bool:
        return policies.can_see_meeting_urls(viewer, reg, participants.__contains__)

    assert can_see(olga) and can_see(bob)
    assert not can_see(eve) and not can_see(None)
    bob.block(None, NOW)
    assert not can_see(bob)


def test_private_participants_and_history() -> None:
    olga, sysop, plain = organizer(), account("Admin", "sysop"), account("Plain")
    reg = registration(olga)
    assert policies.can_see_private(olga, reg) and policies.can_see_private(sysop, reg)
    assert not policies.can_see_private(plain, reg) and not policies.can_see_private(None, reg)
    assert policies.can_see_history(olga, reg) and policies.can_see_history(sysop, reg)
    assert not policies.can_see_history(plain, reg) and not policies.can_see_history(organizer("Other"), reg)
    sysop.block(None, NOW)
    assert not policies.can_see_history(sysop, reg)


def test_email_needs_an_organizer_with_the_email_right() -> None:
    olga = organizer()
    reg = registration(olga)
    assert policies.can_email(olga, reg)
    assert not policies.can_email(organizer("Other"), reg) and not policies.can_email(None, reg)


def test_non_pii_answers_for_organizers_until_the_event_ends() -> None:
    olga = organizer()
    reg = registration(olga)
    assert policies.can_see_non_pii_answers(olga, reg, NOW)
    assert not policies.can_see_non_pii_answers(olga, reg, reg.details.end_utc_dt + timedelta(seconds=1))
    assert not policies.can_see_non_pii_answers(account("Bob"), reg, NOW)
    assert policies.non_pii_question_ids(reg) == [4, 5]  # gender, age and profession are PII


def test_aggregated_answer_thresholds() -> None:
    assert not policies.question_total_shown(9) and policies.question_total_shown(10)
    assert [policies.shown_count(n) for n in (0, 1, 4, 5, 12)] == [0, "1-4", "1-4", 5, 12]


def test_aggregated_answers_once_ended_and_nothing_stored() -> None:
    olga = organizer()
    reg = registration(olga)
    later = reg.details.end_utc_dt + timedelta(days=1)
    assert policies.can_read_aggregated_answers(olga, reg)
    assert not policies.can_read_aggregated_answers(account("Bob"), reg)
    assert not policies.aggregated_answers_available(reg, NOW, answers_stored=False)
    assert not policies.aggregated_answers_available(reg, later, answers_stored=True)
    assert policies.aggregated_answers_available(reg, later, answers_stored=False)
