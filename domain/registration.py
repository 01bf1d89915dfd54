"""The EventRegistration aggregate: one per event registration (the thing with an integer id)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.details import Details
from domain.indexes import ROOT

STATUS_OPEN = "open"
STATUS_CLOSED = "closed"
ROLE_CREATOR = "creator"
ROLE_ORGANIZER = "organizer"
MAX_ORGANIZERS = 10


def registration_id(event_id: int) -> UUID:
    return uuid5(ROOT, f"registration:{event_id}")


@dataclass
class Organizer:
    organizer_id: int
    user_id: int
    role: str
    active: bool = True


class EventRegistration(Aggregate):
    event_id: int
    wiki: str
    details: Details
    status: str
    questions: list[int]
    organizers: dict[int, Organizer]
    deleted_at: datetime | None
    answer_counts: dict[str, int]

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class RegistrationEnabled(Aggregate.Created):
        event_id: int
        wiki: str
        details: dict[str, Any]
        questions: list[int]
        performed_by: int
        creator_organizer_id: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.event_id = self.event_id
            aggregate.wiki = self.wiki
            aggregate.details = Details.from_dict(self.details)
            aggregate.status = STATUS_OPEN
            aggregate.questions = list(self.questions)
            aggregate.organizers = {}
            creator = Organizer(self.creator_organizer_id, self.performed_by, ROLE_CREATOR)
            aggregate.organizers[self.performed_by] = creator
            aggregate.deleted_at = None
            aggregate.answer_counts = {}

    class RegistrationEdited(Aggregate.Event):
        details: dict[str, Any]
        status: str
        performed_by: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.details = Details.from_dict(self.details)
            aggregate.status = self.status

    class OrganizersSet(Aggregate.Event):
        """The full new organizer list: ``[[user_id, organizer_id, role], ...]``; anyone not in it
        is removed (and keeps their organizer_id should they come back)."""

        organizers: list[list[Any]]
        performed_by: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            for organizer in aggregate.organizers.values():
                organizer.active = False
            for user_id, organizer_id, role in self.organizers:
                aggregate.organizers[user_id] = Organizer(organizer_id, user_id, role)

    class AnswersCounted(Aggregate.Event):
        """Aggregated answers added to the event's totals: ``[[question_id, option, n], ...]``.
        Non-personal: counts only, never who gave them."""

        counts: list[list[int]]

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            for question_id, option, n in self.counts:
                key = f"{question_id}:{option}"
                aggregate.answer_counts[key] = aggregate.answer_counts.get(key, 0) + n

    class RegistrationDeleted(Aggregate.Event):
        performed_by: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.deleted_at = self.timestamp

    @classmethod
    def enable(
        cls,
        *,
        event_id: int,
        wiki: str,
        details: Details,
        questions: list[int],
        performed_by: int,
        creator_organizer_id: int,
        at: datetime,
    ) -> EventRegistration:
        return cls._create(
            cls.RegistrationEnabled,
            id=registration_id(event_id),
            event_id=event_id,
            wiki=wiki,
            details=details.to_dict(),
            questions=questions,
            performed_by=performed_by,
            creator_organizer_id=creator_organizer_id,
            timestamp=at,
        )

    def edit(self, details: Details, status: str, performed_by: int, at: datetime) -> None:
        self.trigger_event(
            self.RegistrationEdited,
            details=details.to_dict(),
            status=status,
            performed_by=performed_by,
            timestamp=at,
        )

    def set_organizers(
        self, user_ids: list[int], new_id: Callable[[], int], performed_by: int, at: datetime
    ) -> None:
        """Replace the organizer list (already validated). Newcomers get an organizer_id from
        ``new_id`` (one sequence across events); returning ones keep theirs; the creator keeps the
        creator role."""
        entries: list[list[Any]] = []
        for user_id in user_ids:
            known = self.organizers.get(user_id)
            if known is None:
                entries.append([user_id, new_id(), ROLE_ORGANIZER])
            else:
                entries.append([user_id, known.organizer_id, known.role])
        self.trigger_event(self.OrganizersSet, organizers=entries, performed_by=performed_by, timestamp=at)

    def count_answers(self, counts: list[list[int]], at: datetime) -> None:
        self.trigger_event(self.AnswersCounted, counts=counts, timestamp=at)

    @property
    def creator(self) -> Organizer:
        return next(o for o in self.organizers.values() if o.role == ROLE_CREATOR)

    def delete(self, performed_by: int, at: datetime) -> None:
        self.trigger_event(self.RegistrationDeleted, performed_by=performed_by, timestamp=at)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def is_organizer(self, user_id: int | None) -> bool:
        organizer = self.organizers.get(user_id) if user_id is not None else None
        return organizer is not None and organizer.active

    def active_organizers(self) -> list[Organizer]:
        return sorted((o for o in self.organizers.values() if o.active), key=lambda o: o.organizer_id)

    def has_ended(self, now: datetime) -> bool:
        return self.details.end_utc_dt < now
