"""The Participant aggregate: one per (event, user), so a registration costs the same at the 10,000th
participant as at the first (no ever-growing aggregate to load and copy), and "one row per user" is
guaranteed by the id itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors, moderation, places
from domain.indexes import ROOT

if TYPE_CHECKING:
    from domain.accounts import Account
    from domain.groups import Group
    from domain.registration import EventRegistration


def participant_id(event_id: int, user_id: int) -> UUID:
    return uuid5(ROOT, f"participant:{event_id}:{user_id}")


class Participant(Aggregate):
    event_id: int
    user_id: int
    active: bool
    private: bool
    registered_at: datetime
    sealed_answers: str | None
    first_answer_at: datetime | None
    aggregated_at: datetime | None
    # places (domain/places.py): the current request's version, what was decided about it, check-in
    request_version: int
    place_status: str | None
    decided: list[str]
    checked_in: bool

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class ParticipantRegistered(Aggregate.Created):
        event_id: int
        user_id: int
        private: bool
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.event_id = self.event_id
            aggregate.user_id = self.user_id
            aggregate.private = self.private
            aggregate.active = True
            aggregate.registered_at = self.timestamp
            aggregate.sealed_answers = None
            aggregate.first_answer_at = None
            aggregate.aggregated_at = None
            aggregate.new_request(self.originator_version)

    class ParticipantReregistered(Aggregate.Event):
        """A user who had cancelled or been removed registers again (same row, fresh time)."""

        private: bool
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.private = self.private
            aggregate.active = True
            aggregate.registered_at = self.timestamp
            aggregate.aggregated_at = None  # the reference's quirk: answers are accepted again
            aggregate.new_request(self.originator_version)

    class RegistrationPrivacyChanged(Aggregate.Event):
        private: bool
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.private = self.private

    class RegistrationCancelled(Aggregate.Event):
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.leave()

    class ParticipantRemoved(Aggregate.Event):
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.leave()

    class AnswersReplaced(Aggregate.Event):
        """The participant's full answer set, sealed under their key; None when they have none."""

        sealed: str | None
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.sealed_answers = self.sealed
            if self.sealed is None:
                aggregate.first_answer_at = None
            elif aggregate.first_answer_at is None:
                aggregate.first_answer_at = self.timestamp

    class AnswersAggregated(Aggregate.Event):
        """The answers were counted into the event's totals; the sealed copy is dropped and the
        key destroyed. Recorded until batches replaced it: now the registration stamps a batch
        of participants at once (``domain/aggregation.py``)."""

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.sealed_answers = None
            aggregate.first_answer_at = None
            aggregate.aggregated_at = self.timestamp

    def new_request(self, version: int) -> None:
        """A (re)registration is a new request for a place: nothing is decided about it yet."""
        self.request_version = version
        self.place_status = None
        self.decided = []
        self.checked_in = vars(self).get("checked_in", False)

    def leave(self) -> None:
        """State change shared by cancelling and removal: answers and their first time go."""
        self.active = False
        self.sealed_answers = None
        self.first_answer_at = None

    @classmethod
    def register(
        cls,
        registration: EventRegistration,
        user: Account | None,
        private: bool,
        *,
        answering: bool,
        at: datetime,
        full: bool = False,
        groups: Iterable[Group] = (),
    ) -> Participant:
        """A first registration: see ``check_may_register``."""
        check_may_register(registration, user, None, answering, at, full, groups)
        assert user is not None
        return cls._create(
            cls.ParticipantRegistered,
            id=participant_id(registration.event_id, user.user_id),
            event_id=registration.event_id,
            user_id=user.user_id,
            private=private,
            performed_by=user.user_id,
            timestamp=at,
        )

    def register_again(
        self,
        registration: EventRegistration,
        user: Account | None,
        private: bool,
        *,
        answering: bool,
        at: datetime,
        full: bool = False,
        groups: Iterable[Group] = (),
    ) -> bool:
        """Re-register, or change privacy; False when nothing changes (identical resubmission).
        The rules are ``check_may_register``'s."""
        check_may_register(registration, user, self, answering, at, full, groups)
        if not self.active:
            self.trigger_event(
                self.ParticipantReregistered, private=private, performed_by=self.user_id, timestamp=at
            )
            return True
        if private != self.private:
            self.trigger_event(
                self.RegistrationPrivacyChanged, private=private, performed_by=self.user_id, timestamp=at
            )
            return True
        return False

    def cancel(self, registration: EventRegistration, user: Account | None, at: datetime) -> bool:
        """Cancel one's registration (see ``check_may_cancel``); False when not registered."""
        check_may_cancel(registration, user)
        if not self.active:
            return False
        self.trigger_event(self.RegistrationCancelled, performed_by=self.user_id, timestamp=at)
        return True

    def replace_answers(self, sealed: str | None, at: datetime) -> None:
        self.trigger_event(self.AnswersReplaced, sealed=sealed, performed_by=self.user_id, timestamp=at)

    def is_due_for_aggregation(self, event_ended: bool, cutoff: datetime) -> bool:
        """Stored answers not yet counted, of an event that has ended or first given before
        ``cutoff`` (answers are kept at most that long)."""
        if self.sealed_answers is None or self.aggregated_at is not None:
            return False
        return event_ended or (self.first_answer_at is not None and self.first_answer_at < cutoff)

    def stamp_aggregated(self, at: datetime) -> None:
        self.trigger_event(self.AnswersAggregated, timestamp=at)

    def answers_aggregated(self, registration: EventRegistration) -> bool:
        """Whether this registration period's answers were aggregated: stamped by a fact of its
        own (logs before batches), or by a batch of the registration's (``registration.aggregated``).
        Re-registering begins a new period: answers are accepted again (the reference's quirk)."""
        stamps = registration.aggregated
        return self.aggregated_at is not None or stamps.covers(self.user_id, self.registered_at)

    def decide_place(self, outcome: str, request_version: int, at: datetime) -> bool:
        """Record what the places fold decided about a request (``places.decide``)."""
        return places.decide(self, outcome, request_version, at)

    def approve(
        self, registration: EventRegistration, organizer: Account | None, approved: bool, at: datetime
    ) -> None:
        places.approve(self, registration, organizer, approved, at)

    def check_in(
        self, registration: EventRegistration, organizer: Account | None, checked_in: bool, at: datetime
    ) -> bool:
        return places.check_in(self, registration, organizer, checked_in, at)

    def remove(self, registration: EventRegistration, remover: Account | None, at: datetime) -> bool:
        """Removed by an organizer (``registration.check_may_remove_participants``); False when
        not registered."""
        performer = registration.check_may_remove_participants(remover)
        if not self.active:
            return False
        self.trigger_event(self.ParticipantRemoved, performed_by=performer.user_id, timestamp=at)
        return True


def check_may_register(
    registration: EventRegistration,
    user: Account | None,
    participant: Participant | None,
    answering: bool,
    now: datetime,
    full: bool = False,
    groups: Iterable[Group] = (),
) -> None:
    """Registering (or changing one's registration): a user who is not blocked, a registration
    not deleted; joining (or rejoining) needs an event that has not ended, is not closed and is not
    ``full`` (the places read model saw it full with its waitlist off);
    answers are refused once the participant's answers were aggregated. A hidden event, or one
    whose live audience (``groups``: ``moderation.check_visible``) does not admit the user, is, to
    anyone but its moderators, one that does not exist."""
    moderation.check_visible(registration, user, groups)
    if user is None or user.blocked:
        raise errors.RegisterNotAllowed()
    if registration.is_deleted:
        raise errors.RegisterRegistrationDeleted()
    if participant is None or not participant.active:
        if registration.has_ended(now):
            raise errors.RegisterEventPast()
        if registration.is_closed:
            raise errors.RegisterEventNotOpen()
        if full:
            raise places.RegisterEventFull()
        moderation.check_not_locked(registration, user)
    if answering and participant is not None and participant.answers_aggregated(registration):
        raise errors.AnswersAggregated()


def check_may_cancel(registration: EventRegistration, user: Account | None) -> None:
    """Cancelling: a known user, a registration not deleted (checked even when not registered)."""
    if user is None:
        raise errors.UnregisterNotAllowed()
    if registration.is_deleted:
        raise errors.UnregisterRegistrationDeleted()
