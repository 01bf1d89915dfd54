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

    class ParticipantReregistered(Aggregate.Event):
        """A user who had cancelled or been removed registers again (same row, fresh time)."""

        private: bool
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.private = self.private
            aggregate.active = True
            aggregate.registered_at = self.timestamp

    class RegistrationPrivacyChanged(Aggregate.Event):
        private: bool
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.private = self.private

    class RegistrationCancelled(Aggregate.Event):
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.active = False

    class ParticipantRemoved(Aggregate.Event):
        performed_by: int

        def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
            aggregate.active = False

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

    def remove(self, performed_by: int, at: datetime) -> bool:
        if not self.active:
            return False
        self.trigger_event(self.ParticipantRemoved, performed_by=performed_by, timestamp=at)
        return True
