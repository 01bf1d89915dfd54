"""Commands of groups, audiences, polls and presets (frozen dataclasses, imperative names).
``performer`` None: the operator (the command line), who may manage groups and names."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.polls import DecisionInput


@dataclass(frozen=True)
class CreateGroup:
    name: str
    description: str = ""
    order: int = 0
    permissions: tuple[str, ...] = ()
    performer: int | None = None


@dataclass(frozen=True)
class ChangeGroup:
    group_id: int
    name: str | None = None
    description: str | None = None
    order: int | None = None
    permissions: tuple[str, ...] | None = None
    performer: int | None = None


@dataclass(frozen=True)
class DeleteGroup:
    group_id: int
    performer: int | None = None


@dataclass(frozen=True)
class CreateSubgroup:
    group_id: int
    name: str
    description: str = ""
    order: int = 0
    performer: int | None = None


@dataclass(frozen=True)
class ChangeSubgroup:
    subgroup_id: int
    name: str | None = None
    description: str | None = None
    order: int | None = None
    performer: int | None = None


@dataclass(frozen=True)
class DeleteSubgroup:
    subgroup_id: int
    performer: int | None = None


@dataclass(frozen=True)
class ChangeMembership:
    """Add ``user_id`` to (``join``) or remove it from a group, or a subgroup when given."""

    user_id: int
    group_id: int | None = None
    subgroup_id: int | None = None
    join: bool = True
    performer: int | None = None


@dataclass(frozen=True)
class SetPersonName:
    name: str
    first: str | None
    last: str | None
    performer: int | None = None


@dataclass(frozen=True)
class SetForEveryone:
    performer: int
    event_id: int
    for_everyone: bool


@dataclass(frozen=True)
class AttachToEvent:
    """Attach (``attach``) or detach a group, or a subgroup when ``subgroup_id`` is given."""

    performer: int
    event_id: int
    group_id: int | None = None
    subgroup_id: int | None = None
    attach: bool = True


@dataclass(frozen=True)
class SetDecisions:
    performer: int
    event_id: int
    decisions: tuple[DecisionInput, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CastVote:
    performer: int
    event_id: int
    decision_id: int
    additional_information: str | None = None


@dataclass(frozen=True)
class RemoveVote:
    performer: int
    event_id: int


@dataclass(frozen=True)
class CastVotesFor:
    performer: int
    event_id: int
    user_ids: tuple[int, ...]
    decision_id: int
    additional_information: str | None = None


@dataclass(frozen=True)
class RemoveVotesFor:
    performer: int
    event_id: int
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class CreateStandardDecision:
    performer: int
    decision: DecisionInput


@dataclass(frozen=True)
class CreateStandardLocation:
    performer: int
    name: str
    location: str | None = None
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class DeletePreset:
    """``kind``: ``presets.STANDARD_DECISIONS`` or ``presets.STANDARD_LOCATIONS``."""

    performer: int
    kind: str
    number: int
