"""Small aggregates that make uniqueness and integer ids atomic with the write they guard.

An index aggregate's id is ``uuid5`` of its natural key, so two writers claiming the same key
collide in the event store itself; a sequence aggregate hands out integers in order. Both are saved
together with the aggregate they serve in one ``save(a, b, ...)``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

ROOT = uuid5(NAMESPACE_URL, "campaignevents")


def index_id(kind: str, key: str) -> UUID:
    """The id of the index aggregate for ``key`` of ``kind`` ("page", "username", "token")."""
    return uuid5(ROOT, f"index:{kind}:{key}")


def sequence_id(name: str) -> UUID:
    return uuid5(ROOT, f"sequence:{name}")


class UniqueIndex(Aggregate):
    """Maps one natural key to the integer id that holds it (or to nobody once released)."""

    key: str
    owner: int | None

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class Claimed(Aggregate.Created):
        key: str
        owner: int

        def apply(self, aggregate: UniqueIndex) -> None:  # type: ignore[override]
            aggregate.key = self.key
            aggregate.owner = self.owner

    class Reclaimed(Aggregate.Event):
        owner: int

        def apply(self, aggregate: UniqueIndex) -> None:  # type: ignore[override]
            aggregate.owner = self.owner

    class Released(Aggregate.Event):
        def apply(self, aggregate: UniqueIndex) -> None:  # type: ignore[override]
            aggregate.owner = None

    @classmethod
    def claim(cls, kind: str, key: str, owner: int, at: datetime) -> UniqueIndex:
        return cls._create(cls.Claimed, id=index_id(kind, key), key=key, owner=owner, timestamp=at)

    def reclaim(self, owner: int, at: datetime) -> None:
        self.trigger_event(self.Reclaimed, owner=owner, timestamp=at)

    def release(self, at: datetime) -> None:
        self.trigger_event(self.Released, timestamp=at)


class Sequence(Aggregate):
    """Hands out 1, 2, 3, ... ; a concurrent allocation fails at save() and is retried."""

    name: str
    last: int

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class Started(Aggregate.Created):
        name: str

        def apply(self, aggregate: Sequence) -> None:  # type: ignore[override]
            aggregate.name = self.name
            aggregate.last = 0

    class Allocated(Aggregate.Event):
        value: int

        def apply(self, aggregate: Sequence) -> None:  # type: ignore[override]
            aggregate.last = self.value

    @classmethod
    def start(cls, name: str, at: datetime) -> Sequence:
        return cls._create(cls.Started, id=sequence_id(name), name=name, timestamp=at)

    def allocate(self, at: datetime) -> int:
        self.trigger_event(self.Allocated, value=self.last + 1, timestamp=at)
        return self.last
