"""Who an event is for: everyone (the default: every event made before this existed reads so), or
the members of the groups and subgroups attached to it. Only they (and the event's moderators) see
it, in every API (``policies.can_see_event``: to anyone else it does not exist; DatePoll's own
single read excepted), and only they may vote on it (``domain/polls.py``).

A deleted group or subgroup admits no one (DatePoll's delete takes its memberships and its events'
links with it; an event for it alone stays not for everyone, seen by its moderators only). Neither
the event nor the accounts record that, so an audience is asked about with its live sets only: the
read models drop a deleted set's rows (the polls model, the dialects' indexes), and the rules here
take the Group aggregates that decide (``deciding_groups``, loaded by the handler) and ask
``live_audience``.

Facts on the EventRegistration (module-level, triggered from the functions below); the state is
plain JSON in ``vars(registration)["audience"]``, so registration snapshots round-trip it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from domain import errors, people
from domain.accounts import Account
from domain.groups import Group

if TYPE_CHECKING:
    from domain.registration import EventRegistration


@dataclass(frozen=True)
class Audience:
    for_everyone: bool = True
    group_ids: tuple[int, ...] = ()
    subgroup_ids: tuple[int, ...] = ()


class PollAdministrationDenied(errors.DomainError):
    """Changing an event's audience, decisions or others' votes needs the poll administration
    (``people.ADMINISTRATION``)."""

    key = "campaignevents-poll-administration-denied"


# --- facts on the EventRegistration ---------------------------------------------------------
class ForEveryoneSet(Aggregate.Event):
    event_id: int
    for_everyone: bool
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        _state(aggregate)["for_everyone"] = self.for_everyone


class GroupAttached(Aggregate.Event):
    event_id: int
    group_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        state = _state(aggregate)
        state["groups"] = sorted({*state["groups"], self.group_id})


class GroupDetached(Aggregate.Event):
    event_id: int
    group_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        state = _state(aggregate)
        state["groups"] = [g for g in state["groups"] if g != self.group_id]


class SubgroupAttached(Aggregate.Event):
    event_id: int
    subgroup_id: int
    group_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        state = _state(aggregate)
        state["subgroups"] = sorted({*state["subgroups"], self.subgroup_id})


class SubgroupDetached(Aggregate.Event):
    event_id: int
    subgroup_id: int
    group_id: int
    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        state = _state(aggregate)
        state["subgroups"] = [s for s in state["subgroups"] if s != self.subgroup_id]


AUDIENCE_FACTS = (ForEveryoneSet, GroupAttached, GroupDetached, SubgroupAttached, SubgroupDetached)


def _state(registration: Any) -> dict[str, Any]:
    found: dict[str, Any] = vars(registration).setdefault(
        "audience", {"for_everyone": True, "groups": [], "subgroups": []}
    )
    return found


def audience_of(registration: EventRegistration) -> Audience:
    found = vars(registration).get("audience")
    if found is None:
        return Audience()
    return Audience(bool(found["for_everyone"]), tuple(found["groups"]), tuple(found["subgroups"]))


def admits(audience: Audience, account: Account | None) -> bool:
    """For everyone, or the account (not blocked) is a member of one of its groups or subgroups."""
    if audience.for_everyone:
        return True
    if account is None or account.blocked:
        return False
    return bool(
        set(audience.group_ids) & set(people.group_ids(account))
        or set(audience.subgroup_ids) & set(people.subgroup_ids(account))
    )


def deciding_groups(audience: Audience, account: Account | None) -> list[int]:
    """The groups whose state decides whether ``audience`` admits ``account`` (``live_audience``):
    those they share, and those holding a subgroup they share (the account's membership names its
    group). None for an event for everyone."""
    if audience.for_everyone or account is None or account.blocked:
        return []
    held = people.subgroup_groups(account)
    shared = set(audience.group_ids) & set(people.group_ids(account))
    return sorted(shared | {held[s] for s in audience.subgroup_ids if s in held})


def live_audience(registration: EventRegistration, groups: Iterable[Group]) -> Audience:
    """The event's audience with the groups and subgroups that ``groups`` (Group aggregates) show
    alive: a deleted group, its subgroups and a deleted subgroup leave it, and so does any set whose
    group is not among ``groups`` (give those ``deciding_groups`` names for the account asked about)."""
    audience = audience_of(registration)
    if audience.for_everyone:
        return audience
    alive = [g for g in groups if not g.deleted]
    group_ids = {g.group_id for g in alive}
    subgroup_ids = {s for g in alive for s in g.subgroups}
    return Audience(
        False,
        tuple(g for g in audience.group_ids if g in group_ids),
        tuple(s for s in audience.subgroup_ids if s in subgroup_ids),
    )


def is_visible_to(
    registration: EventRegistration, account: Account | None, groups: Iterable[Group] = ()
) -> bool:
    """Who may vote: a signed-in account (not blocked) that the event's live audience admits
    (``groups``: the Group aggregates ``deciding_groups`` names; none given, no group admits)."""
    if account is None or account.blocked:
        return False
    return admits(live_audience(registration, groups), account)


# --- rules ------------------------------------------------------------------------------------
def check_administration(
    registration: EventRegistration, performer: Account | None, held: Iterable[str]
) -> int | None:
    """The poll administration on a live event; returns who performs it."""
    if registration.is_deleted:
        raise errors.EventNotFound()
    if performer is None or not people.may_administer(held):
        raise PollAdministrationDenied()
    return performer.user_id


def set_for_everyone(
    registration: EventRegistration, performer: Account | None, held: Iterable[str], value: bool, at: datetime
) -> bool:
    by = check_administration(registration, performer, held)
    if audience_of(registration).for_everyone == value and "audience" in vars(registration):
        return False
    registration.trigger_event(
        ForEveryoneSet, event_id=registration.event_id, for_everyone=value, performed_by=by, timestamp=at
    )
    return True


def attach_group(
    registration: EventRegistration,
    performer: Account | None,
    held: Iterable[str],
    group_id: int,
    attach: bool,
    at: datetime,
) -> bool:
    """Attach (or detach) a live group; False when it already is (or is not) attached."""
    by = check_administration(registration, performer, held)
    attached = group_id in audience_of(registration).group_ids
    if attached == attach:
        return False
    fact = GroupAttached if attach else GroupDetached
    registration.trigger_event(
        fact, event_id=registration.event_id, group_id=group_id, performed_by=by, timestamp=at
    )
    return True


def attach_subgroup(
    registration: EventRegistration,
    performer: Account | None,
    held: Iterable[str],
    subgroup_id: int,
    group_id: int,
    attach: bool,
    at: datetime,
) -> bool:
    by = check_administration(registration, performer, held)
    attached = subgroup_id in audience_of(registration).subgroup_ids
    if attached == attach:
        return False
    fact = SubgroupAttached if attach else SubgroupDetached
    registration.trigger_event(
        fact,
        event_id=registration.event_id,
        subgroup_id=subgroup_id,
        group_id=group_id,
        performed_by=by,
        timestamp=at,
    )
    return True
