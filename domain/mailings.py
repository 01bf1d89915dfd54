"""The Mailing aggregate: an organizer's message to participants, and which recipients have it.

The request is recorded first (the API answers 202 at once); the dispatcher turns it into a job; the
job sends to every recipient not yet recorded as delivered and records each delivery as a fact, so a
retried or restarted job never sends to the same recipient twice.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import errors
from domain.accounts import Account


class Mailing(Aggregate):
    event_id: int
    sender_id: int
    subject: str
    message: str
    user_ids: list[int] | None
    invert: bool
    copy_to_sender: bool
    expected: int
    recipients: list[int] | None
    delivered: set[int]
    copy_delivered: bool

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class ParticipantsEmailed(Aggregate.Created):
        """An organizer asked to e-mail the participants selected by ``user_ids``/``invert``
        (None: all); ``expected`` valid recipients were counted; with ``copy_to_sender`` the sender
        gets a copy instead of the participants' message."""

        event_id: int
        sender_id: int
        subject: str
        message: str
        user_ids: list[int] | None
        invert: bool
        copy_to_sender: bool
        expected: int
        performed_by: int

        def apply(self, aggregate: Mailing) -> None:  # type: ignore[override]
            aggregate.event_id = self.event_id
            aggregate.sender_id = self.sender_id
            aggregate.subject = self.subject
            aggregate.message = self.message
            aggregate.user_ids = list(self.user_ids) if self.user_ids is not None else None
            aggregate.invert = self.invert
            aggregate.copy_to_sender = self.copy_to_sender
            aggregate.expected = self.expected
            aggregate.recipients = None
            aggregate.delivered = set()
            aggregate.copy_delivered = False

    class RecipientsResolved(Aggregate.Event):
        """The job fixed the recipient list once; a retried job sends to the same list."""

        recipients: list[int]

        def apply(self, aggregate: Mailing) -> None:  # type: ignore[override]
            aggregate.recipients = list(self.recipients)

    class EmailDelivered(Aggregate.Event):
        """The SMTP server accepted the message for ``recipient`` (0: the sender's copy)."""

        recipient: int

        def apply(self, aggregate: Mailing) -> None:  # type: ignore[override]
            if self.recipient == 0:
                aggregate.copy_delivered = True
            else:
                aggregate.delivered.add(self.recipient)

    @classmethod
    def request(
        cls,
        mailing_id: UUID,
        *,
        event_id: int,
        sender: Account,
        subject: str,
        message: str,
        user_ids: list[int] | None,
        invert: bool,
        copy_to_sender: bool,
        expected: int,
        at: datetime,
    ) -> Mailing:
        """The sender must be reachable by e-mail themselves (a confirmed address, not blocked)."""
        if not sender.is_valid_recipient:
            raise errors.SenderCannotEmail()
        return cls._create(
            cls.ParticipantsEmailed,
            id=mailing_id,
            event_id=event_id,
            sender_id=sender.user_id,
            subject=subject,
            message=message,
            user_ids=user_ids,
            invert=invert,
            copy_to_sender=copy_to_sender,
            expected=expected,
            performed_by=sender.user_id,
            timestamp=at,
        )

    def record_delivery(self, recipient: int, at: datetime) -> bool:
        """Record one delivery; False when it was already recorded (a retried job)."""
        if recipient in self.delivered or (recipient == 0 and self.copy_delivered):
            return False
        self.trigger_event(self.EmailDelivered, recipient=recipient, timestamp=at)
        return True

    def resolve(self, recipients: list[int], at: datetime) -> None:
        if self.recipients is None:
            self.trigger_event(self.RecipientsResolved, recipients=recipients, timestamp=at)

    def pending(self) -> list[int]:
        return [r for r in self.recipients or [] if r not in self.delivered]
