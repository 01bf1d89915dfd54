"""What the application needs from outside, as Protocols (adapters live in ``api/bootstrap.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class ParticipantDirectory(Protocol):
    def active_participants(self, event_id: int) -> list[int]:
        """User ids of the event's active participants (public and private), from the read side."""
        ...

    def recipients(
        self, event_id: int, user_ids: list[int] | None, invert: bool, *, valid_only: bool
    ) -> list[int]:
        """Active participants (private included) selected as the e-mail route says: ``user_ids``
        (None or empty: everyone), or everyone but them with ``invert``; with ``valid_only`` only
        those e-mail reaches (confirmed address, not blocked)."""
        ...

    def count_recipients(
        self, event_id: int, user_ids: list[int] | None, invert: bool, *, valid_only: bool
    ) -> int: ...

    def has_answers(self, event_id: int) -> bool:
        """Whether any participant of the event has answers stored (not yet aggregated)."""
        ...

    def due_for_aggregation(self, now: datetime, cutoff: datetime, limit: int) -> list[tuple[int, int]]:
        """(event_id, user_id) of participants whose answers are due: the event ended before
        ``now`` or the first answer came before ``cutoff``."""
        ...


class KeyStore(Protocol):
    """Per-participant answer keys, kept outside the event log so that deleting one makes the
    answers recorded under it unreadable for good (crypto-shredding)."""

    def get(self, event_id: int, user_id: int) -> bytes | None: ...

    def put(self, event_id: int, user_id: int, key: bytes) -> None:
        """Store ``key`` unless one exists already (the existing one wins)."""
        ...

    def destroy(self, event_id: int, user_id: int) -> None: ...

    def holders(self, after: tuple[int, int] | None, limit: int) -> list[tuple[int, int]]:
        """(event_id, user_id) holding a key, in order, after ``after`` (keyset paging)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
