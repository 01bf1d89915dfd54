"""Groups of people: a Group aggregate per group (integer id from the "groups" sequence) holding its
subgroups (integer ids from the "subgroups" sequence; a subgroup belongs to one group, found from
its id through a ``UniqueIndex`` of kind "subgroup"). Membership is recorded on the accounts
(``domain/people.py``), so adding the 500th member contends with nothing.

A group carries permission strings (DatePoll's, e.g. ``events.details``) that its members hold in
the poll rules (``domain.people.permissions``); subgroups grant none. Every change is a fact
recording who and when; a deleted group keeps its id (never handed out again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors
from domain.indexes import ROOT

GROUPS = "groups"  # sequence names
SUBGROUPS = "subgroups"
NAME_MAX = 190
DESCRIPTION_MAX = 2000


def group_aggregate_id(group_id: int) -> UUID:
    return uuid5(ROOT, f"group:{group_id}")


# --- errors --------------------------------------------------------------------------------
class GroupNotFound(errors.DomainError):
    key = "campaignevents-group-not-found"


class SubgroupNotFound(errors.DomainError):
    key = "campaignevents-subgroup-not-found"


class InvalidGroupName(errors.DomainError):
    key = "campaignevents-group-invalid-name"


class InvalidGroupDescription(errors.DomainError):
    key = "campaignevents-group-invalid-description"


class InvalidPermission(errors.DomainError):
    key = "campaignevents-group-invalid-permission"


GROUP_ERRORS: tuple[type[errors.DomainError], ...] = (
    GroupNotFound,
    SubgroupNotFound,
    InvalidGroupName,
    InvalidGroupDescription,
    InvalidPermission,
)


def check_name(name: str) -> str:
    """A name of 1 to ``NAME_MAX`` characters, outer blanks dropped."""
    stripped = name.strip()
    if not stripped or len(stripped) > NAME_MAX:
        raise InvalidGroupName(name)
    return stripped


def check_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX:
        raise InvalidGroupDescription()
    return description


def check_permissions(permissions: list[str]) -> list[str]:
    """Permission strings: non-empty, no blanks; kept sorted and without repeats."""
    for p in permissions:
        if not p or p != p.strip() or " " in p or len(p) > NAME_MAX:
            raise InvalidPermission(p)
    return sorted(set(permissions))


class Group(Aggregate):
    group_id: int
    name: str
    description: str
    order: int
    permissions: list[str]
    deleted: bool
    subgroups: dict[int, dict[str, Any]]  # subgroup id -> {name, description, order}

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class GroupCreated(Aggregate.Created):
        group_id: int
        name: str
        description: str
        order: int
        permissions: list[str]
        performed_by: int | None

        def apply(self, aggregate: Group) -> None:  # type: ignore[override]
            aggregate.group_id = self.group_id
            aggregate.name = self.name
            aggregate.description = self.description
            aggregate.order = self.order
            aggregate.permissions = list(self.permissions)
            aggregate.deleted = False
            aggregate.subgroups = {}

    class GroupChanged(Aggregate.Event):
        """Name, description, order and permissions as they are now (history shows the change)."""

        group_id: int
        name: str
        description: str
        order: int
        permissions: list[str]
        performed_by: int | None

        def apply(self, aggregate: Group) -> None:  # type: ignore[override]
            aggregate.name = self.name
            aggregate.description = self.description
            aggregate.order = self.order
            aggregate.permissions = list(self.permissions)

    class GroupDeleted(Aggregate.Event):
        group_id: int
        performed_by: int | None

        def apply(self, aggregate: Group) -> None:  # type: ignore[override]
            aggregate.deleted = True
            aggregate.subgroups = {}

    class SubgroupCreated(Aggregate.Event):
        group_id: int
        subgroup_id: int
        name: str
        description: str
        order: int
        performed_by: int | None

        def apply(self, aggregate: Group) -> None:  # type: ignore[override]
            aggregate.subgroups[self.subgroup_id] = {
                "name": self.name,
                "description": self.description,
                "order": self.order,
            }

    class SubgroupChanged(Aggregate.Event):
        group_id: int
        subgroup_id: int
        name: str
        description: str
        order: int
        performed_by: int | None

        def apply(self, aggregate: Group) -> None:  # type: ignore[override]
            aggregate.subgroups[self.subgroup_id] = {
                "name": self.name,
                "description": self.description,
                "order": self.order,
            }

    class SubgroupDeleted(Aggregate.Event):
        group_id: int
        subgroup_id: int
        performed_by: int | None

        def apply(self, aggregate: Group) -> None:  # type: ignore[override]
            aggregate.subgroups.pop(self.subgroup_id, None)

    @classmethod
    def create(
        cls,
        group_id: int,
        name: str,
        description: str = "",
        order: int = 0,
        permissions: list[str] | None = None,
        *,
        performed_by: int | None,
        at: datetime,
    ) -> Group:
        return cls._create(
            cls.GroupCreated,
            id=group_aggregate_id(group_id),
            group_id=group_id,
            name=check_name(name),
            description=check_description(description),
            order=order,
            permissions=check_permissions(list(permissions or [])),
            performed_by=performed_by,
            timestamp=at,
        )

    def check_live(self) -> None:
        if self.deleted:
            raise GroupNotFound(str(self.group_id))

    def change(
        self,
        *,
        name: str | None = None,
        description: str | None = None,
        order: int | None = None,
        permissions: list[str] | None = None,
        performed_by: int | None,
        at: datetime,
    ) -> bool:
        """Change what is given; False (nothing recorded) when it already is so."""
        self.check_live()
        new = {
            "name": self.name if name is None else check_name(name),
            "description": self.description if description is None else check_description(description),
            "order": self.order if order is None else order,
            "permissions": self.permissions if permissions is None else check_permissions(permissions),
        }
        old = {k: getattr(self, k) for k in new}
        if new == old:
            return False
        self.trigger_event(
            self.GroupChanged, group_id=self.group_id, **new, performed_by=performed_by, timestamp=at
        )
        return True

    def delete(self, performed_by: int | None, at: datetime) -> list[int]:
        """Delete the group and its subgroups; returns the subgroup ids that went with it."""
        self.check_live()
        gone = sorted(self.subgroups)
        self.trigger_event(self.GroupDeleted, group_id=self.group_id, performed_by=performed_by, timestamp=at)
        return gone

    def subgroup(self, subgroup_id: int) -> dict[str, Any]:
        self.check_live()
        found = self.subgroups.get(subgroup_id)
        if found is None:
            raise SubgroupNotFound(str(subgroup_id))
        return found

    def create_subgroup(
        self,
        subgroup_id: int,
        name: str,
        description: str = "",
        order: int = 0,
        *,
        performed_by: int | None,
        at: datetime,
    ) -> None:
        self.check_live()
        self.trigger_event(
            self.SubgroupCreated,
            group_id=self.group_id,
            subgroup_id=subgroup_id,
            name=check_name(name),
            description=check_description(description),
            order=order,
            performed_by=performed_by,
            timestamp=at,
        )

    def change_subgroup(
        self,
        subgroup_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        order: int | None = None,
        performed_by: int | None,
        at: datetime,
    ) -> bool:
        old = self.subgroup(subgroup_id)
        new = {
            "name": old["name"] if name is None else check_name(name),
            "description": old["description"] if description is None else check_description(description),
            "order": old["order"] if order is None else order,
        }
        if new == old:
            return False
        self.trigger_event(
            self.SubgroupChanged,
            group_id=self.group_id,
            subgroup_id=subgroup_id,
            **new,
            performed_by=performed_by,
            timestamp=at,
        )
        return True

    def delete_subgroup(self, subgroup_id: int, performed_by: int | None, at: datetime) -> None:
        self.subgroup(subgroup_id)
        self.trigger_event(
            self.SubgroupDeleted,
            group_id=self.group_id,
            subgroup_id=subgroup_id,
            performed_by=performed_by,
            timestamp=at,
        )
