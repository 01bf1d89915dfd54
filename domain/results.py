"""What commands answer: small frozen records (positions are for read-your-writes)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Written:
    """What a command wrote: the log position of its last event (for read-your-writes)."""

    position: int
    event_id: int = 0


@dataclass(frozen=True)
class Registered:
    modified: bool
    position: int


@dataclass(frozen=True)
class Removed:
    public: int
    private: int
    position: int


@dataclass(frozen=True)
class Emailed:
    """``selected`` False: nobody matched (the API answers 200 instead of 202)."""

    sent: int
    selected: bool
    position: int = 0
    mailing_id: UUID | None = None


@dataclass(frozen=True)
class AggregationReport:
    participants: int
    events: int
    keys_destroyed: int


@dataclass(frozen=True)
class NewUser:
    user_id: int
    user_name: str
    token: str


@dataclass(frozen=True)
class Made:
    """A new thing with an integer id (a group, a subgroup, a preset), and where its facts end."""

    id: int
    position: int
