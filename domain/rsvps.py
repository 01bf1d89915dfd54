"""RSVP answers that take no place: "maybe" and "not attending" (Invision's responses 2 and 0).

"Attending" is a participant (domain/participants.py, with the places' limit); the two other answers
are facts on a small aggregate of their own, one per event (``RsvpAnswers``), with who gave the answer
and when. Its rules: the event is live; a new or changed answer needs the registration open (Invision's
``rsvp`` off refuses new answers) and, on a locked event, a moderator; a member answers for
themselves, a sysop for anyone. Withdrawing an answer is always allowed to the same people.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors, moderation
from domain.accounts import Account

if TYPE_CHECKING:
    from domain.registration import EventRegistration

MAYBE = "maybe"
NOT_ATTENDING = "not_attending"
ANSWERS = (MAYBE, NOT_ATTENDING)


class RsvpClosed(errors.DomainError):
    """The registration is closed: no new answers."""

    key = "campaignevents-rest-rsvp-closed"


class RsvpDenied(errors.EditDenied):  # 403, as EditDenied
    """Answering for someone else without being a sysop."""

    key = "campaignevents-rest-rsvp-permission-denied"


class InvalidRsvp(errors.DomainError):
    key = "campaignevents-rest-rsvp-invalid-answer"


RSVP_ERRORS: tuple[type[errors.DomainError], ...] = (RsvpClosed, RsvpDenied, InvalidRsvp)


def rsvps_id(event_id: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"campaignevents:rsvps:{event_id}")


def check_may_answer_for(performer: Account | None, user_id: int) -> Account:
    """A member answers for themselves; a sysop (not blocked) for anyone."""
    if performer is None or performer.blocked:
        raise RsvpDenied()
    if performer.user_id != user_id and "sysop" not in performer.groups:
        raise RsvpDenied()
    return performer


class RsvpAnswers(Aggregate):
    """The event's "maybe" and "not attending" answers: ``answers[str(user_id)]`` holds the answer,
    who gave it (``by``) and when (``at``, ISO 8601)."""

    event_id: int
    answers: dict[str, dict[str, Any]]

    def __init__(self) -> None:
        """State is set by the events' ``apply``."""

    class Started(Aggregate.Created):
        event_id: int

        def apply(self, aggregate: RsvpAnswers) -> None:  # type: ignore[override]
            aggregate.event_id = self.event_id
            aggregate.answers = {}

    class Answered(Aggregate.Event):
        user_id: int
        answer: str
        performed_by: int

        def apply(self, aggregate: RsvpAnswers) -> None:  # type: ignore[override]
            aggregate.answers[str(self.user_id)] = {
                "answer": self.answer,
                "by": self.performed_by,
                "at": self.timestamp.isoformat(),
            }

    class Withdrawn(Aggregate.Event):
        user_id: int
        performed_by: int

        def apply(self, aggregate: RsvpAnswers) -> None:  # type: ignore[override]
            aggregate.answers.pop(str(self.user_id), None)

    @classmethod
    def start(cls, event_id: int, at: datetime) -> RsvpAnswers:
        return cls._create(cls.Started, id=rsvps_id(event_id), event_id=event_id, timestamp=at)

    def answer_of(self, user_id: int) -> str | None:
        found = self.answers.get(str(user_id))
        return None if found is None else str(found["answer"])

    def answer(
        self,
        registration: EventRegistration,
        performer: Account | None,
        user_id: int,
        answer: str,
        at: datetime,
    ) -> bool:
        """Record ``answer`` for ``user_id``; False when it is their answer already."""
        if answer not in ANSWERS:
            raise InvalidRsvp(answer)
        by = check_may_answer_for(performer, user_id)
        if registration.is_deleted:
            raise errors.EventNotFound()
        if self.answer_of(user_id) == answer:
            return False
        if registration.is_closed:
            raise RsvpClosed()
        moderation.check_not_locked(registration, by)
        self.trigger_event(
            self.Answered, user_id=user_id, answer=answer, performed_by=by.user_id, timestamp=at
        )
        return True

    def withdraw(
        self, registration: EventRegistration, performer: Account | None, user_id: int, at: datetime
    ) -> bool:
        """Forget the user's answer; False when there is none."""
        by = check_may_answer_for(performer, user_id)
        if registration.is_deleted:
            raise errors.EventNotFound()
        if self.answer_of(user_id) is None:
            return False
        self.trigger_event(self.Withdrawn, user_id=user_id, performed_by=by.user_id, timestamp=at)
        return True
