"""Polls: an event's decisions (facts on the EventRegistration) and a member's vote (a Vote
aggregate per (event, user), like ``Participant``, so votes never contend with each other or with
the event).

A decision has a label (1-190 characters), a colour ``#rrggbb`` and whether it shows in calendars;
its id comes from the "decisions" sequence. Removing a decision removes its votes: a vote whose
decision is gone counts as no vote (``current_decision``), so removal touches no voter's aggregate
and the read model drops the votes with it.

Voting: a live, open event (not ended), visible to the voter (``audiences.is_visible_to``: its
live audience, given the Group aggregates that decide), one of its decisions, at most one vote per
member (voting again is refused: ``AlreadyVoted``), a note of 1-128 characters or none. The poll
administration may cast or replace votes for others and remove them, on any event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import audiences, errors
from domain.accounts import Account
from domain.indexes import ROOT

if TYPE_CHECKING:
    from domain.groups import Group
    from domain.registration import EventRegistration

DECISIONS = "decisions"  # sequence name
LABEL_MAX = 190
NOTE_MAX = 128
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Decision:
    id: int
    label: str
    color: str
    show_in_calendar: bool


@dataclass(frozen=True)
class DecisionInput:
    """One decision of an event's new list: ``id`` None (or unknown) creates it."""

    label: str
    color: str
    show_in_calendar: bool
    id: int | None = None


# --- errors --------------------------------------------------------------------------------
class DecisionNotFound(errors.DomainError):
    key = "campaignevents-poll-decision-not-found"


class InvalidDecision(errors.DomainError):
    key = "campaignevents-poll-invalid-decision"


class InvalidNote(errors.DomainError):
    key = "campaignevents-poll-invalid-additional-information"


class VoteNotAllowed(errors.DomainError):
    """Not open, not visible to the voter, or a blocked voter."""

    key = "campaignevents-poll-vote-not-allowed"


class AlreadyVoted(errors.DomainError):
    key = "campaignevents-poll-already-voted"


class NotVoted(errors.DomainError):
    key = "campaignevents-poll-not-voted"


POLL_ERRORS: tuple[type[errors.DomainError], ...] = (
    DecisionNotFound,
    InvalidDecision,
    InvalidNote,
    VoteNotAllowed,
    AlreadyVoted,
    NotVoted,
    audiences.PollAdministrationDenied,
)


# --- decisions: facts on the EventRegistration ------------------------------------------------
class DecisionAdded(Aggregate.Event):
    event_id: int
    decision_id: int
    label: str
    color: str
    show_in_calendar: bool
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        _decisions(aggregate).append(_row(self))


class DecisionChanged(Aggregate.Event):
    event_id: int
    decision_id: int
    label: str
    color: str
    show_in_calendar: bool
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        rows = _decisions(aggregate)
        rows[:] = [_row(self) if r["id"] == self.decision_id else r for r in rows]


class DecisionRemoved(Aggregate.Event):
    """The decision, and every vote for it, are gone."""

    event_id: int
    decision_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        rows = _decisions(aggregate)
        rows[:] = [r for r in rows if r["id"] != self.decision_id]


DECISION_FACTS = (DecisionAdded, DecisionChanged, DecisionRemoved)


def _row(fact: DecisionAdded | DecisionChanged) -> dict[str, Any]:
    return {"id": fact.decision_id, "label": fact.label, "color": fact.color, "show": fact.show_in_calendar}


def _decisions(registration: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = vars(registration).setdefault("decisions", [])
    return found


def decisions_of(registration: EventRegistration) -> list[Decision]:
    """The event's decisions, in the order they were added."""
    return [
        Decision(r["id"], r["label"], r["color"], r["show"]) for r in vars(registration).get("decisions", [])
    ]


def check_decision(given: DecisionInput) -> DecisionInput:
    label = given.label.strip()
    if not label or len(label) > LABEL_MAX:
        raise InvalidDecision("label")
    if not COLOUR.fullmatch(given.color):
        raise InvalidDecision("color")
    return DecisionInput(label, given.color.lower(), bool(given.show_in_calendar), given.id)


def set_decisions(
    registration: EventRegistration,
    performer: Account | None,
    held: Iterable[str],
    given: list[DecisionInput],
    new_id: Any,
    at: datetime,
) -> list[int]:
    """Make the event's decisions ``given``: known ids are changed (when they differ), others
    created with ``new_id()``, the rest removed (with their votes). Returns the ids in ``given``'s
    order."""
    by = audiences.check_administration(registration, performer, held)
    checked = [check_decision(d) for d in given]
    current = {d.id: d for d in decisions_of(registration)}
    kept = {d.id for d in checked if d.id in current}
    for gone in [i for i in current if i not in kept]:
        registration.trigger_event(
            DecisionRemoved, event_id=registration.event_id, decision_id=gone, performed_by=by, timestamp=at
        )
    ids = []
    for d in checked:
        if d.id in current:
            if current[d.id] != Decision(d.id, d.label, d.color, d.show_in_calendar):
                registration.trigger_event(
                    DecisionChanged,
                    event_id=registration.event_id,
                    decision_id=d.id,
                    label=d.label,
                    color=d.color,
                    show_in_calendar=d.show_in_calendar,
                    performed_by=by,
                    timestamp=at,
                )
            ids.append(d.id)
        else:
            decision_id = int(new_id())
            registration.trigger_event(
                DecisionAdded,
                event_id=registration.event_id,
                decision_id=decision_id,
                label=d.label,
                color=d.color,
                show_in_calendar=d.show_in_calendar,
                performed_by=by,
                timestamp=at,
            )
            ids.append(decision_id)
    return ids


# --- votes ------------------------------------------------------------------------------------
def vote_id(event_id: int, user_id: int) -> UUID:
    return uuid5(ROOT, f"vote:{event_id}:{user_id}")


class Vote(Aggregate):
    event_id: int
    user_id: int
    decision_id: int | None
    additional_information: str | None

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class VoteCast(Aggregate.Created):
        event_id: int
        user_id: int
        decision_id: int
        additional_information: str | None
        performed_by: int

        def apply(self, aggregate: Vote) -> None:  # type: ignore[override]
            aggregate.event_id = self.event_id
            aggregate.user_id = self.user_id
            aggregate.decision_id = self.decision_id
            aggregate.additional_information = self.additional_information

    class VoteRecast(Aggregate.Event):
        """A vote after a removed one, or one an administrator replaced."""

        event_id: int
        user_id: int
        decision_id: int
        additional_information: str | None
        performed_by: int

        def apply(self, aggregate: Vote) -> None:  # type: ignore[override]
            aggregate.decision_id = self.decision_id
            aggregate.additional_information = self.additional_information

    class VoteRemoved(Aggregate.Event):
        event_id: int
        user_id: int
        performed_by: int

        def apply(self, aggregate: Vote) -> None:  # type: ignore[override]
            aggregate.decision_id = None
            aggregate.additional_information = None


VOTE_FACTS = (Vote.VoteCast, Vote.VoteRecast, Vote.VoteRemoved)


def current_decision(vote: Vote | None, registration: EventRegistration) -> int | None:
    """The decision the vote stands for; None without a vote, or when its decision was removed."""
    if vote is None or vote.decision_id is None:
        return None
    return vote.decision_id if vote.decision_id in {d.id for d in decisions_of(registration)} else None


def check_note(note: str | None) -> str | None:
    if note is not None and not 1 <= len(note) <= NOTE_MAX:
        raise InvalidNote()
    return note


def is_open(registration: EventRegistration, now: datetime) -> bool:
    """Open for votes: live and not ended (the schedule's future dates will refine this)."""
    return not registration.is_deleted and not registration.has_ended(now)


def cast(
    vote: Vote | None,
    registration: EventRegistration,
    voter: Account | None,
    decision_id: int,
    note: str | None,
    now: datetime,
    groups: Iterable[Group] = (),
) -> Vote:
    """The voter's own vote, in the order of checks DatePoll answers: the event, the decision,
    open and visible (``groups``: the Group aggregates ``audiences.deciding_groups`` names; a
    deleted group or subgroup admits no one), not voted yet, the note."""
    if registration.is_deleted:
        raise errors.EventNotFound()
    if decision_id not in {d.id for d in decisions_of(registration)}:
        raise DecisionNotFound(str(decision_id))
    visible = audiences.is_visible_to(registration, voter, groups)
    if voter is None or not is_open(registration, now) or not visible:
        raise VoteNotAllowed()
    if current_decision(vote, registration) is not None:
        raise AlreadyVoted()
    return _record(vote, registration, voter.user_id, decision_id, check_note(note), voter.user_id, now)


def cast_for(
    vote: Vote | None,
    registration: EventRegistration,
    performer: Account | None,
    held: Iterable[str],
    user_id: int,
    decision_id: int,
    note: str | None,
    now: datetime,
) -> Vote:
    """The administration casts (or replaces) ``user_id``'s vote."""
    by = audiences.check_administration(registration, performer, held)
    assert by is not None
    if decision_id not in {d.id for d in decisions_of(registration)}:
        raise DecisionNotFound(str(decision_id))
    return _record(vote, registration, user_id, decision_id, check_note(note), by, now)


def _record(
    vote: Vote | None,
    registration: EventRegistration,
    user_id: int,
    decision_id: int,
    note: str | None,
    by: int,
    now: datetime,
) -> Vote:
    values = {"event_id": registration.event_id, "user_id": user_id, "decision_id": decision_id}
    if vote is None:
        return Vote._create(
            Vote.VoteCast,
            id=vote_id(registration.event_id, user_id),
            **values,
            additional_information=note,
            performed_by=by,
            timestamp=now,
        )
    vote.trigger_event(Vote.VoteRecast, **values, additional_information=note, performed_by=by, timestamp=now)
    return vote


def remove(vote: Vote | None, registration: EventRegistration, voter: Account | None, now: datetime) -> Vote:
    """The voter removes their own vote; ``NotVoted`` without one."""
    if registration.is_deleted:
        raise errors.EventNotFound()
    if voter is None or vote is None or current_decision(vote, registration) is None:
        raise NotVoted()
    vote.trigger_event(
        Vote.VoteRemoved,
        event_id=vote.event_id,
        user_id=vote.user_id,
        performed_by=voter.user_id,
        timestamp=now,
    )
    return vote


def remove_for(
    vote: Vote | None,
    registration: EventRegistration,
    performer: Account | None,
    held: Iterable[str],
    now: datetime,
) -> bool:
    """The administration removes a vote; False when there is none."""
    by = audiences.check_administration(registration, performer, held)
    assert by is not None
    if vote is None or current_decision(vote, registration) is None:
        return False
    vote.trigger_event(
        Vote.VoteRemoved, event_id=vote.event_id, user_id=vote.user_id, performed_by=by, timestamp=now
    )
    return True
