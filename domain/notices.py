"""A notice the service sent on its own (a registration confirmation). Its id is derived from the
fact that caused it, so recording it twice fails in the event store: sent once, however many times
the job runs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate


class Notice(Aggregate):
    kind: str
    user_id: int
    event_id: int

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class NoticeSent(Aggregate.Created):
        kind: str
        user_id: int
        event_id: int

        def apply(self, aggregate: Notice) -> None:  # type: ignore[override]
            aggregate.kind = self.kind
            aggregate.user_id = self.user_id
            aggregate.event_id = self.event_id

    @classmethod
    def sent(cls, notice_id: UUID, kind: str, user_id: int, event_id: int, at: datetime) -> Notice:
        return cls._create(
            cls.NoticeSent, id=notice_id, kind=kind, user_id=user_id, event_id=event_id, timestamp=at
        )
