"""Moderation flags: who may set them, their facts, the visibility rule, and locked events."""

from __future__ import annotations

import pytest
from eventsourcing.application import project_aggregate

from domain import errors, moderation, policies
from domain.moderation import flags_of, moderate
from domain.participants import check_may_register
from tests.unit.domain.factories import NOW, account, organizer, registration


def test_moderators_are_sysops_and_the_events_organizers() -> None:
    olga, sysop, other = organizer(), account("Sue", "sysop"), organizer("Oscar")
    reg = registration(olga)
    assert policies.can_moderate(olga, reg) and policies.can_moderate(sysop, reg)
    assert not policies.can_moderate(other, reg) and not policies.can_moderate(None, reg)
    assert not policies.can_moderate(account("Blocked", "sysop", blocked=True), reg)
    with pytest.raises(moderation.ModerationDenied):
        moderate(reg, other, NOW, locked=True)


def test_each_change_is_a_fact_with_who_and_when() -> None:
    olga, sysop = organizer(), account("Sue", "sysop")
    reg = registration(olga)
    assert moderate(reg, sysop, NOW, locked=True, hidden=-1, featured=True)
    facts = reg.collect_events()
    assert [type(f) for f in facts[1:]] == [
        moderation.EventLocked,
        moderation.EventHidden,
        moderation.EventFeatured,
    ]
    assert {(f.performed_by, f.timestamp) for f in facts[1:]} == {(sysop.user_id, NOW)}
    assert flags_of(reg) == moderation.Flags(locked=True, hidden=-1, featured=True)
    assert flags_of(project_aggregate(None, facts)) == flags_of(reg)
    assert not moderate(reg, olga, NOW, locked=True, hidden=-1)  # nothing changes
    assert moderate(reg, olga, NOW, hidden=0, featured=False, locked=False)
    assert [type(f) for f in reg.collect_events()] == [
        moderation.EventUnlocked,
        moderation.EventShown,
        moderation.EventUnfeatured,
    ]


@pytest.mark.parametrize("bad", [2, -2, True])
def test_hidden_is_one_of_three_values(bad: int) -> None:
    olga = organizer()
    with pytest.raises(moderation.InvalidHidden):
        moderate(registration(olga), olga, NOW, hidden=bad)


def test_not_on_a_deleted_event() -> None:
    olga = organizer()
    reg = registration(olga)
    reg.delete(olga, NOW)
    with pytest.raises(errors.EditRegistrationDeleted):
        moderate(reg, olga, NOW, featured=True)


def test_hidden_events_are_seen_by_moderators_only() -> None:
    olga, sysop, anyone = organizer(), account("Sue", "sysop"), account("Ann")
    reg = registration(olga)
    for hidden in (1, -1):
        assert policies.can_see_event(olga, reg, hidden) and policies.can_see_event(sysop, reg, hidden)
        assert not policies.can_see_event(anyone, reg, hidden) and not policies.can_see_event(
            None, reg, hidden
        )
    assert policies.can_see_event(None, reg, 0)


def test_a_locked_event_takes_no_new_participants_but_from_moderators() -> None:
    olga, sysop, anyone = organizer(), account("Sue", "sysop"), account("Ann")
    reg = registration(olga)
    moderate(reg, olga, NOW, locked=True)
    with pytest.raises(moderation.RegisterEventLocked):
        check_may_register(reg, anyone, None, False, NOW)
    check_may_register(reg, sysop, None, False, NOW)
    check_may_register(reg, olga, None, False, NOW)
