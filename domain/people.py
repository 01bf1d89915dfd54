"""People on accounts: optional first and last names, and membership of groups and subgroups
(``domain/groups.py``), as facts on the Account (module-level, so ``domain/accounts.py`` keeps its
shape); and the one mapping from the account's rights and its groups to the permission strings the
poll rules (and DatePoll's dialect) ask about.

Membership lives on the account: a member of a subgroup is a member of its group; leaving a group
leaves its subgroups. A membership of a group or subgroup deleted since is void (callers pass the
live groups where it matters; the read model drops them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain import errors
from domain.accounts import RIGHT_ORGANIZE, Account
from domain.groups import NAME_MAX, Group

# Permission strings (DatePoll's). The mapping onto the service's own groups and rights:
ROOT_ADMINISTRATION = "root.administration"  # sysop
EVENTS_ALL = "events.*"  # event-organizer (DatePoll's events administration)
EVENTS_ADMINISTRATION = "events.administration"  # the same, under DIALECTS.md's name
EVENTS_DETAILS = "events.details"  # who voted what: whoever holds RIGHT_ORGANIZE (organizers, sysops)
ADMINISTRATION = (ROOT_ADMINISTRATION, EVENTS_ALL)  # what the poll administration needs (any one)
DETAILS = (ROOT_ADMINISTRATION, EVENTS_ALL, EVENTS_DETAILS)  # who sees names in results (any one)
PERMISSIONS_OF_GROUP: dict[str, tuple[str, ...]] = {
    "sysop": (ROOT_ADMINISTRATION,),
    "event-organizer": (EVENTS_ALL, EVENTS_ADMINISTRATION),
}


class InvalidPersonName(errors.DomainError):
    key = "campaignevents-person-invalid-name"


class NotInParentGroup(errors.DomainError):
    """Joining a subgroup needs membership of its group."""

    key = "campaignevents-subgroup-member-not-in-group"


PEOPLE_ERRORS: tuple[type[errors.DomainError], ...] = (InvalidPersonName, NotInParentGroup)


# --- facts on the Account -------------------------------------------------------------------
class NameSet(Aggregate.Event):
    """The account's first and last names (None: not given)."""

    user_id: int
    first_name: str | None
    last_name: str | None
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        vars(aggregate)["first_name"] = self.first_name
        vars(aggregate)["last_name"] = self.last_name


class GroupJoined(Aggregate.Event):
    user_id: int
    group_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        state = _memberships(aggregate)
        state["groups"] = sorted({*state["groups"], self.group_id})


class GroupLeft(Aggregate.Event):
    """Left the group, and with it its subgroups."""

    user_id: int
    group_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        state = _memberships(aggregate)
        state["groups"] = [g for g in state["groups"] if g != self.group_id]
        state["subgroups"] = [s for s in state["subgroups"] if s[1] != self.group_id]


class SubgroupJoined(Aggregate.Event):
    user_id: int
    subgroup_id: int
    group_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        state = _memberships(aggregate)
        state["subgroups"] = sorted({*map(tuple, state["subgroups"]), (self.subgroup_id, self.group_id)})


class SubgroupLeft(Aggregate.Event):
    user_id: int
    subgroup_id: int
    group_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        state = _memberships(aggregate)
        state["subgroups"] = [s for s in state["subgroups"] if s[0] != self.subgroup_id]


def _memberships(account: Any) -> dict[str, Any]:
    state: dict[str, Any] = vars(account).setdefault("memberships", {"groups": [], "subgroups": []})
    return state


# --- reading ----------------------------------------------------------------------------------
def first_name(account: Account) -> str | None:
    found: str | None = vars(account).get("first_name")
    return found


def last_name(account: Account) -> str | None:
    found: str | None = vars(account).get("last_name")
    return found


def group_ids(account: Account) -> list[int]:
    return list(vars(account).get("memberships", {}).get("groups", []))


def subgroup_ids(account: Account) -> list[int]:
    return list(subgroup_groups(account))


def subgroup_groups(account: Account) -> dict[int, int]:
    """The account's subgroups, each with the group that holds it."""
    return {int(s[0]): int(s[1]) for s in vars(account).get("memberships", {}).get("subgroups", [])}


def permissions(account: Account | None, group_permissions: Iterable[str] = ()) -> frozenset[str]:
    """The permission strings the account holds: those of the groups it is a member of
    (``group_permissions``, subgroups grant none) and those its service groups and rights map to.
    A blocked account holds none."""
    if account is None or account.blocked:
        return frozenset()
    held = set(group_permissions)
    for group in account.groups:
        held.update(PERMISSIONS_OF_GROUP.get(group, ()))
    if account.has_right(RIGHT_ORGANIZE):
        held.add(EVENTS_DETAILS)
    return frozenset(held)


def may_administer(held: Iterable[str]) -> bool:
    return not set(ADMINISTRATION).isdisjoint(held)


def may_see_details(held: Iterable[str]) -> bool:
    return not set(DETAILS).isdisjoint(held)


# --- rules (check, then record) ---------------------------------------------------------------
def _clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > NAME_MAX:
        raise InvalidPersonName(value)
    return value or None


def set_name(
    account: Account, first: str | None, last: str | None, performed_by: int | None, at: datetime
) -> bool:
    """Set both names (blank: none); False when they already are so."""
    first, last = _clean_name(first), _clean_name(last)
    if "first_name" in vars(account) and (first, last) == (first_name(account), last_name(account)):
        return False
    account.trigger_event(
        NameSet,
        user_id=account.user_id,
        first_name=first,
        last_name=last,
        performed_by=performed_by,
        timestamp=at,
    )
    return True


def join_group(account: Account, group: Group, performed_by: int | None, at: datetime) -> bool:
    group.check_live()
    if group.group_id in group_ids(account):
        return False
    account.trigger_event(
        GroupJoined, user_id=account.user_id, group_id=group.group_id, performed_by=performed_by, timestamp=at
    )
    return True


def leave_group(account: Account, group: Group, performed_by: int | None, at: datetime) -> bool:
    group.check_live()
    if group.group_id not in group_ids(account):
        return False
    account.trigger_event(
        GroupLeft, user_id=account.user_id, group_id=group.group_id, performed_by=performed_by, timestamp=at
    )
    return True


def join_subgroup(
    account: Account, group: Group, subgroup_id: int, performed_by: int | None, at: datetime
) -> bool:
    group.subgroup(subgroup_id)
    if group.group_id not in group_ids(account):
        raise NotInParentGroup(str(subgroup_id))
    if subgroup_id in subgroup_ids(account):
        return False
    account.trigger_event(
        SubgroupJoined,
        user_id=account.user_id,
        subgroup_id=subgroup_id,
        group_id=group.group_id,
        performed_by=performed_by,
        timestamp=at,
    )
    return True


def leave_subgroup(
    account: Account, group: Group, subgroup_id: int, performed_by: int | None, at: datetime
) -> bool:
    group.subgroup(subgroup_id)
    if subgroup_id not in subgroup_ids(account):
        return False
    account.trigger_event(
        SubgroupLeft,
        user_id=account.user_id,
        subgroup_id=subgroup_id,
        group_id=group.group_id,
        performed_by=performed_by,
        timestamp=at,
    )
    return True
