"""Groups, subgroups, memberships and people's names (``domain/groups.py``, ``domain/people.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import audiences, people, poll_commands
from domain.accounts import Account
from domain.groups import GROUPS, SUBGROUPS, Group, group_aggregate_id
from domain.handlers import retrying
from domain.indexes import UniqueIndex
from domain.results import Made, Written

if TYPE_CHECKING:
    from domain.application import CampaignEvents
    from domain.registration import EventRegistration


def load_deciding_groups(
    app: CampaignEvents, registration: EventRegistration, account: Account | None
) -> list[Group]:
    """The Group aggregates that decide whether the event's audience admits ``account``
    (``audiences.deciding_groups``: none for an event for everyone), for the rules that ask it."""
    ids = audiences.deciding_groups(audiences.audience_of(registration), account)
    found = (app.find(Group, group_aggregate_id(group_id)) for group_id in ids)
    return [group for group in found if group is not None]


def create_group(app: CampaignEvents, cmd: poll_commands.CreateGroup) -> Made:
    def attempt() -> Made:
        now = app.clock.now()
        sequence = app.sequence(GROUPS)
        group = Group.create(
            sequence.allocate(now),
            cmd.name,
            cmd.description,
            cmd.order,
            list(cmd.permissions),
            performed_by=cmd.performer,
            at=now,
        )
        return Made(group.group_id, app.save_all(sequence, group))

    return retrying(attempt)


def change_group(app: CampaignEvents, cmd: poll_commands.ChangeGroup) -> Written:
    def attempt() -> int:
        group = app.group(cmd.group_id)
        permissions = None if cmd.permissions is None else list(cmd.permissions)
        changed = group.change(
            name=cmd.name,
            description=cmd.description,
            order=cmd.order,
            permissions=permissions,
            performed_by=cmd.performer,
            at=app.clock.now(),
        )
        return app.save_all(group) if changed else 0

    return Written(retrying(attempt))


def delete_group(app: CampaignEvents, cmd: poll_commands.DeleteGroup) -> Written:
    def attempt() -> int:
        group = app.group(cmd.group_id)
        group.delete(cmd.performer, app.clock.now())
        return app.save_all(group)

    return Written(retrying(attempt))


def create_subgroup(app: CampaignEvents, cmd: poll_commands.CreateSubgroup) -> Made:
    def attempt() -> Made:
        now = app.clock.now()
        group = app.group(cmd.group_id)
        sequence = app.sequence(SUBGROUPS)
        subgroup_id = sequence.allocate(now)
        group.create_subgroup(
            subgroup_id, cmd.name, cmd.description, cmd.order, performed_by=cmd.performer, at=now
        )
        index = UniqueIndex.claim("subgroup", str(subgroup_id), group.group_id, now)
        return Made(subgroup_id, app.save_all(sequence, group, index))

    return retrying(attempt)


def change_subgroup(app: CampaignEvents, cmd: poll_commands.ChangeSubgroup) -> Written:
    def attempt() -> int:
        group = app.group_of_subgroup(cmd.subgroup_id)
        changed = group.change_subgroup(
            cmd.subgroup_id,
            name=cmd.name,
            description=cmd.description,
            order=cmd.order,
            performed_by=cmd.performer,
            at=app.clock.now(),
        )
        return app.save_all(group) if changed else 0

    return Written(retrying(attempt))


def delete_subgroup(app: CampaignEvents, cmd: poll_commands.DeleteSubgroup) -> Written:
    def attempt() -> int:
        group = app.group_of_subgroup(cmd.subgroup_id)
        group.delete_subgroup(cmd.subgroup_id, cmd.performer, app.clock.now())
        return app.save_all(group)

    return Written(retrying(attempt))


def change_membership(app: CampaignEvents, cmd: poll_commands.ChangeMembership) -> Written:
    """Join or leave a group (``group_id``) or a subgroup (``subgroup_id``); position 0: no change."""

    def attempt() -> int:
        account = app.existing_account(cmd.user_id)
        now = app.clock.now()
        if cmd.subgroup_id is not None:
            group = app.group_of_subgroup(cmd.subgroup_id)
            change = people.join_subgroup if cmd.join else people.leave_subgroup
            changed = change(account, group, cmd.subgroup_id, cmd.performer, now)
        else:
            assert cmd.group_id is not None
            group = app.group(cmd.group_id)
            changed = (people.join_group if cmd.join else people.leave_group)(
                account, group, cmd.performer, now
            )
        return app.save_all(account) if changed else 0

    return Written(retrying(attempt))


def set_person_name(app: CampaignEvents, cmd: poll_commands.SetPersonName) -> Written:
    def attempt() -> int:
        account = app.named_account(cmd.name)
        changed = people.set_name(account, cmd.first, cmd.last, cmd.performer, app.clock.now())
        return app.save_all(account) if changed else 0

    return Written(retrying(attempt))
