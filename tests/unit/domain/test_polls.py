"""Audiences, decisions, votes and presets: each rule on aggregates built directly."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from domain import audiences, errors, people, polls
from domain.accounts import Account
from domain.groups import Group
from domain.polls import DecisionInput, Vote
from domain.presets import InvalidLocation, PresetNotFound, StandardDecision, StandardLocation
from domain.registration import EventRegistration
from tests.unit.domain.factories import NOW, account, organizer, registration

ADMIN = frozenset({"events.*"})
YES, NO = DecisionInput("Ja", "#008B02", True), DecisionInput("Nein", "#b80000", False)


def poll(*given: DecisionInput) -> tuple[EventRegistration, list[int]]:
    reg, ids = registration(), count(100)
    made = polls.set_decisions(reg, organizer(), ADMIN, list(given or (YES, NO)), lambda: next(ids), NOW)
    return reg, made


def test_every_event_is_for_everyone_by_default() -> None:
    reg = registration()
    assert audiences.audience_of(reg) == audiences.Audience(True, (), ())
    assert audiences.is_visible_to(reg, account("Anyone"))
    assert not audiences.is_visible_to(reg, account("Blocked", blocked=True))


def test_an_event_for_groups_is_visible_to_members_of_an_attached_group_or_subgroup() -> None:
    reg, admin = registration(), organizer()
    band = Group.create(1, "Band", performed_by=None, at=NOW)
    band.create_subgroup(5, "Brass", performed_by=None, at=NOW)
    in_group, in_subgroup, outsider = account("G"), account("S"), account("O")
    people.join_group(in_group, band, None, NOW)
    people.join_group(in_subgroup, band, None, NOW)
    people.join_subgroup(in_subgroup, band, 5, None, NOW)
    assert audiences.set_for_everyone(reg, admin, ADMIN, False, NOW)
    assert not audiences.set_for_everyone(reg, admin, ADMIN, False, NOW)
    assert not audiences.is_visible_to(reg, in_subgroup)
    assert audiences.attach_subgroup(reg, admin, ADMIN, 5, 1, True, NOW)
    assert not audiences.attach_subgroup(reg, admin, ADMIN, 5, 1, True, NOW)
    live = [band]  # the Group aggregates that decide (``audiences.deciding_groups``)
    assert audiences.is_visible_to(reg, in_subgroup, live)
    assert not audiences.is_visible_to(reg, in_group, live)
    assert audiences.attach_group(reg, admin, ADMIN, 1, True, NOW)
    assert audiences.is_visible_to(reg, in_group, live) and not audiences.is_visible_to(reg, outsider, live)
    assert audiences.attach_group(reg, admin, ADMIN, 1, False, NOW)
    assert audiences.audience_of(reg) == audiences.Audience(False, (), (5,))


def test_audience_and_decisions_need_the_poll_administration() -> None:
    reg = registration()
    with pytest.raises(audiences.PollAdministrationDenied):
        audiences.set_for_everyone(reg, account("Plain"), {"events.details"}, False, NOW)
    with pytest.raises(audiences.PollAdministrationDenied):
        polls.set_decisions(reg, None, ADMIN, [YES], lambda: 1, NOW)


def test_decisions_are_added_changed_and_removed_by_id() -> None:
    reg, (yes, no) = poll()
    assert [d.label for d in polls.decisions_of(reg)] == ["Ja", "Nein"]
    assert polls.decisions_of(reg)[0].color == "#008b02"
    changed = DecisionInput("Ja!", "#000000", False, yes)
    ids = polls.set_decisions(
        reg, organizer(), ADMIN, [changed, DecisionInput("Vielleicht", "#fccb00", True)], lambda: 7, NOW
    )
    assert ids == [yes, 7]
    assert polls.decisions_of(reg) == [
        polls.Decision(yes, "Ja!", "#000000", False),
        polls.Decision(7, "Vielleicht", "#fccb00", True),
    ]
    assert no not in {d.id for d in polls.decisions_of(reg)}


@pytest.mark.parametrize(
    "bad",
    [
        DecisionInput("", "#000000", True),
        DecisionInput("x" * 191, "#000000", True),
        DecisionInput("a", "red", True),
        DecisionInput("a", "#12345", True),
    ],
)
def test_a_decision_has_a_label_of_1_to_190_and_a_colour(bad: DecisionInput) -> None:
    with pytest.raises(polls.InvalidDecision):
        polls.set_decisions(registration(), organizer(), ADMIN, [bad], lambda: 1, NOW)


def voter(name: str = "Voter") -> Account:
    return account(name)


def test_a_member_votes_once_with_an_optional_note() -> None:
    reg, (yes, _) = poll()
    me = voter()
    vote = polls.cast(None, reg, me, yes, "I don't know!!!", NOW)
    assert (vote.event_id, vote.user_id, vote.decision_id, vote.additional_information) == (
        reg.event_id,
        me.user_id,
        yes,
        "I don't know!!!",
    )
    with pytest.raises(polls.AlreadyVoted):
        polls.cast(vote, reg, me, yes, None, NOW)
    polls.remove(vote, reg, me, NOW)
    assert polls.current_decision(vote, reg) is None
    with pytest.raises(polls.NotVoted):
        polls.remove(vote, reg, me, NOW)
    assert polls.cast(vote, reg, me, yes, None, NOW).decision_id == yes


def test_vote_checks_in_datepolls_order() -> None:
    reg, (yes, _) = poll()
    with pytest.raises(polls.DecisionNotFound):
        polls.cast(None, reg, voter(), 999, None, reg.details.end_utc_dt + timedelta(days=1))
    with pytest.raises(polls.VoteNotAllowed):  # ended
        polls.cast(None, reg, voter(), yes, None, reg.details.end_utc_dt + timedelta(seconds=1))
    with pytest.raises(polls.VoteNotAllowed):
        polls.cast(None, reg, account("Blocked", blocked=True), yes, None, NOW)
    audiences.set_for_everyone(reg, organizer(), ADMIN, False, NOW)
    with pytest.raises(polls.VoteNotAllowed):  # not visible
        polls.cast(None, reg, voter("Outsider"), yes, None, NOW)


@pytest.mark.parametrize("note", ["", "x" * 129])
def test_the_note_is_1_to_128_characters(note: str) -> None:
    reg, (yes, _) = poll()
    with pytest.raises(polls.InvalidNote):
        polls.cast(None, reg, voter(), yes, note, NOW)
    assert polls.cast(None, reg, voter(), yes, "x" * 128, NOW).additional_information == "x" * 128


def test_removing_a_decision_removes_its_votes() -> None:
    reg, (yes, no) = poll()
    me = voter()
    vote = polls.cast(None, reg, me, no, None, NOW)
    polls.set_decisions(reg, organizer(), ADMIN, [DecisionInput("Ja", "#008b02", True, yes)], lambda: 1, NOW)
    assert polls.current_decision(vote, reg) is None
    assert polls.cast(vote, reg, me, yes, None, NOW).decision_id == yes  # may vote again


def test_administrators_cast_replace_and_remove_votes_for_others_even_on_closed_events() -> None:
    reg, (yes, no) = poll()
    admin, later = organizer(), reg.details.end_utc_dt + timedelta(days=3)
    vote = polls.cast_for(None, reg, admin, ADMIN, 42, yes, None, later)
    assert isinstance(vote, Vote) and vote.user_id == 42
    assert polls.cast_for(vote, reg, admin, ADMIN, 42, no, "late", later).decision_id == no
    assert polls.remove_for(vote, reg, admin, ADMIN, later)
    assert not polls.remove_for(vote, reg, admin, ADMIN, later)
    with pytest.raises(audiences.PollAdministrationDenied):
        polls.cast_for(None, reg, account("Plain"), {"events.details"}, 42, yes, None, NOW)


def test_no_vote_on_a_deleted_event() -> None:
    creator = organizer()
    reg = registration(creator)
    (yes,) = polls.set_decisions(reg, creator, ADMIN, [YES], lambda: 1, NOW)
    reg.delete(creator, NOW)
    with pytest.raises(errors.EventNotFound):
        polls.cast(None, reg, voter(), yes, None, NOW)


def test_presets() -> None:
    made = StandardDecision.create(1, DecisionInput("Ja", "#008B02", True), ADMIN, 9, NOW)
    assert (made.number, made.label, made.color, made.show_in_calendar) == (1, "Ja", "#008b02", True)
    made.delete(ADMIN, 9, NOW)
    with pytest.raises(PresetNotFound):
        made.delete(ADMIN, 9, NOW)
    place = StandardLocation.create(2, "Hall", "Main St 1", 48.67, 15.86, ADMIN, 9, NOW)
    assert (place.name, place.location, place.x, place.y) == ("Hall", "Main St 1", 48.67, 15.86)
    with pytest.raises(InvalidLocation):
        StandardLocation.create(3, "Hall", None, 91.0, None, ADMIN, 9, NOW)
    with pytest.raises(audiences.PollAdministrationDenied):
        StandardLocation.create(3, "Hall", None, None, None, {"events.details"}, 9, NOW)
