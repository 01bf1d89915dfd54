"""What the application needs from outside, as Protocols (adapters are built and passed in by
the composition root, ``api/bootstrap.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from domain.reading import RegistrationView


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class DueAnswers(NamedTuple):
    """A participant whose answers are due for aggregation, as the read side holds it."""

    event_id: int
    participant_id: int
    user_id: int
    sealed: str  # <key id>.<ciphertext>
    period: str  # the registration period these answers belong to (``domain.answers.period``)


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

    def registration(self, event_id: int, viewer: int | None) -> RegistrationView | None:
        """The registration as the read model holds it (deleted or not), read for ``viewer``
        (whether they organize it, whether they take part); None when there is none."""
        ...

    def due_for_aggregation(
        self, now: datetime, cutoff: datetime, limit: int, after: int | None = None
    ) -> list[DueAnswers]:
        """Participants whose answers are due — the event ended before ``now`` or the first answer
        came before ``cutoff`` — with their sealed answers, by participant id, after ``after``."""
        ...


class SpentKeys(NamedTuple):
    """What ``KeyStore.spend_keys``'s ``use`` returns: participants all of whose keys go, and
    single keys (user id, key id) that go."""

    participants: list[int]
    keys: list[tuple[int, str]]


class KeyStore(Protocol):
    """Answer keys, kept outside the event log so that deleting one makes the answers sealed under
    it unreadable for good (crypto-shredding). A participant gets a new key for every answer set."""

    def create(self, event_id: int, user_id: int, at: datetime) -> tuple[str, bytes]:
        """A new key for the participant: (key id, key)."""
        ...

    def get(self, event_id: int, user_id: int, key_id: str | None = None) -> bytes | None:
        """The key with ``key_id`` (None: the participant's newest), or None when it is gone."""
        ...

    def keys_of(self, event_id: int, user_ids: list[int]) -> dict[tuple[int, str], bytes]:
        """Every key of these participants of the event, by (user id, key id), read at once."""
        ...

    def destroy(self, event_id: int, user_id: int, keep: str | None = None) -> None:
        """Destroy every key of the participant but ``keep``."""
        ...

    def destroy_key(self, event_id: int, user_id: int, key_id: str) -> None: ...

    def destroy_participants(self, event_id: int, user_ids: list[int]) -> None:
        """Destroy every key of these participants of the event, in one transaction."""
        ...

    def destroy_keys(self, event_id: int, keys: list[tuple[int, str]]) -> None:
        """Destroy these keys of the event, by (user id, key id), in one transaction."""
        ...

    def spend_keys(
        self,
        event_id: int,
        user_ids: list[int],
        use: Callable[[dict[tuple[int, str], bytes]], SpentKeys],
    ) -> None:
        """Read every key of these participants of the event (by (user id, key id)), hand them to
        ``use``, then destroy what it returns: one transaction that no other key creation or
        destruction interleaves with, committed only after ``use`` returned - so after what ``use``
        committed elsewhere. When ``use`` raises, nothing is destroyed."""
        ...

    def holders(
        self, after: tuple[int, int, str] | None, limit: int, created_before: datetime | None = None
    ) -> list[tuple[int, int, str]]:
        """(event_id, user_id, key_id) of stored keys, in order, after ``after`` (keyset paging);
        only keys created before ``created_before`` when given."""
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
