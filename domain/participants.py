"""The Participant aggregate: one per (event, user), so a registration costs the same at the 10,000th
participant as at the first (no ever-growing aggregate to load and copy), and "one row per user" is
guaranteed by the id itself.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.indexes import ROOT


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

    class ParticipantReregistered(Aggregate.Event):
        """A user who had cancelled or been removed registers again (same row, fresh time)."""

        private: bool
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.private = self.private
            aggregate.active = True
            aggregate.registered_at = self.timestamp
            aggregate.aggregated_at = None  # the reference's quirk: answers are accepted again

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
        key destroyed."""

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.sealed_answers = None
            aggregate.first_answer_at = None
            aggregate.aggregated_at = self.timestamp

    def leave(self) -> None:
        """State change shared by cancelling and removal: answers and their first time go."""
        self.active = False
        self.sealed_answers = None
        self.first_answer_at = None

    @classmethod
    def register(cls, event_id: int, user_id: int, private: bool, at: datetime) -> Participant:
        return cls._create(
            cls.ParticipantRegistered,
            id=participant_id(event_id, user_id),
            event_id=event_id,
            user_id=user_id,
            private=private,
            performed_by=user_id,
            timestamp=at,
        )

    def register_again(self, private: bool, at: datetime) -> bool:
        """Re-register, or change privacy; False when nothing changes (identical resubmission)."""
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

    def cancel(self, at: datetime) -> bool:
        if not self.active:
            return False
        self.trigger_event(self.RegistrationCancelled, performed_by=self.user_id, timestamp=at)
        return True

    def replace_answers(self, sealed: str | None, at: datetime) -> None:
        self.trigger_event(self.AnswersReplaced, sealed=sealed, performed_by=self.user_id, timestamp=at)

    def stamp_aggregated(self, at: datetime) -> None:
        self.trigger_event(self.AnswersAggregated, timestamp=at)

    def remove(self, performed_by: int, at: datetime) -> bool:
        if not self.active:
            return False
        self.trigger_event(self.ParticipantRemoved, performed_by=performed_by, timestamp=at)
        return True
