"""A deleted group or subgroup admits no one (domain/audiences.py): the rules that ask an event's
audience about an account (voting, registering) take the Group aggregates that decide
(``deciding_groups``) and see only the live sets (``live_audience``); the event stays not for
everyone and its moderators still act on it."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest

from domain import audiences, errors, people, polls
from domain.accounts import Account
from domain.groups import Group
from domain.participants import check_may_register
from domain.polls import DecisionInput
from domain.registration import EventRegistration
from tests.unit.domain.factories import NOW, account, organizer, registration

ADMIN = frozenset({"events.*"})


def world() -> tuple[EventRegistration, Account, dict[str, Group], dict[str, Account], int]:
    """An event for the group Band and the subgroup Soprano (of Choir); Mia is in Band, Sam in
    Choir and Soprano, Ann in Choir only."""
    olga = organizer()
    reg, ids = registration(olga), count(100)
    yes = polls.set_decisions(
        reg, olga, ADMIN, [DecisionInput("Ja", "#008b02", True)], lambda: next(ids), NOW
    )
    band = Group.create(1, "Band", performed_by=None, at=NOW)
    choir = Group.create(2, "Choir", performed_by=None, at=NOW)
    choir.create_subgroup(1, "Soprano", performed_by=None, at=NOW)  # ids: a sequence of their own
    mia, sam, ann = account("Mia"), account("Sam"), account("Ann")
    people.join_group(mia, band, None, NOW)
    for member in (sam, ann):
        people.join_group(member, choir, None, NOW)
    people.join_subgroup(sam, choir, 1, None, NOW)
    audiences.set_for_everyone(reg, olga, ADMIN, False, NOW)
    audiences.attach_group(reg, olga, ADMIN, 1, True, NOW)
    audiences.attach_subgroup(reg, olga, ADMIN, 1, 2, True, NOW)
    return reg, olga, {"band": band, "choir": choir}, {"mia": mia, "sam": sam, "ann": ann}, yes[0]


def test_the_groups_that_decide_are_those_shared_or_holding_a_shared_subgroup() -> None:
    reg, _, _, who, _ = world()
    audience = audiences.audience_of(reg)
    assert audiences.deciding_groups(audience, who["mia"]) == [1]
    assert audiences.deciding_groups(audience, who["sam"]) == [2]  # Soprano's group is among hers
    assert audiences.deciding_groups(audience, who["ann"]) == []  # nothing shared
    assert audiences.deciding_groups(audience, account("Nobody")) == []
    assert audiences.deciding_groups(audiences.Audience(), who["mia"]) == []  # for everyone
    brass = Group.create(3, "Brass", performed_by=None, at=NOW)  # Sam's too, not the event's
    people.join_group(who["sam"], brass, None, NOW)
    assert audiences.deciding_groups(audience, who["sam"]) == [2]  # only the one holding Soprano


def test_a_deleted_group_or_subgroup_leaves_the_live_audience() -> None:
    reg, _, groups, _, _ = world()
    both = list(groups.values())
    assert audiences.live_audience(reg, both) == audiences.Audience(False, (1,), (1,))
    assert audiences.live_audience(reg, []) == audiences.Audience(False, (), ())  # none shown alive
    groups["choir"].delete_subgroup(1, None, NOW)
    assert audiences.live_audience(reg, both) == audiences.Audience(False, (1,), ())
    groups["band"].delete(None, NOW)
    assert audiences.live_audience(reg, both) == audiences.Audience(False, (), ())
    assert audiences.audience_of(reg) == audiences.Audience(False, (1,), (1,))  # the facts stay


@pytest.mark.parametrize(
    ("member", "deleting"),
    [
        ("mia", lambda g: g["band"].delete(None, NOW)),
        ("sam", lambda g: g["choir"].delete_subgroup(1, None, NOW)),
        ("sam", lambda g: g["choir"].delete(None, NOW)),  # Soprano goes with Choir
    ],
    ids=["group", "subgroup", "group-of-subgroup"],
)
def test_former_members_may_neither_vote_nor_register(
    member: str, deleting: Callable[[dict[str, Group]], object]
) -> None:
    reg, olga, groups, who, yes = world()
    voter = who[member]

    def deciding(account: Account) -> list[Group]:
        ids = audiences.deciding_groups(audiences.audience_of(reg), account)
        return [g for g in groups.values() if g.group_id in ids]

    assert polls.cast(None, reg, voter, yes, None, NOW, deciding(voter)).decision_id == yes
    check_may_register(reg, voter, None, False, NOW, groups=deciding(voter))
    deleting(groups)
    with pytest.raises(polls.VoteNotAllowed):
        polls.cast(None, reg, voter, yes, None, NOW, deciding(voter))
    with pytest.raises(errors.EventNotFound):  # as for an event that does not exist
        check_may_register(reg, voter, None, False, NOW, groups=deciding(voter))
    check_may_register(reg, olga, None, False, NOW, groups=deciding(olga))  # its organizer still may
    assert not audiences.audience_of(reg).for_everyone
