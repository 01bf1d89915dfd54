"""``campaignevents groups|subgroups …`` and ``users set-name``: DatePoll's groups of people and
the names on accounts, managed by the operator (``performer`` None), as the domain records them
(``domain/groups.py``, ``domain/people.py``). Registered on the main command by ``install``.

Every answer is one JSON line; a broken rule is ``error: <text>`` on stderr and exit status 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from domain import poll_commands
from domain.errors import DomainError
from domain.groups import GROUPS, Group, group_aggregate_id

T = TypeVar("T")

# The texts of the rules these commands can break (the v0 API never answers them).
TEXTS = {
    "campaignevents-group-not-found": "There is no group with id $1.",
    "campaignevents-subgroup-not-found": "There is no subgroup with id $1.",
    "campaignevents-group-invalid-name": "A name must have 1 to 190 characters.",
    "campaignevents-group-invalid-description": "The description is too long (at most 2000 characters).",
    "campaignevents-group-invalid-permission": "Invalid permission: $1 (no blanks, at most 190 characters).",
    "campaignevents-person-invalid-name": "A first or last name has at most 190 characters.",
    "campaignevents-subgroup-member-not-in-group": "Only members of its group can join subgroup $1.",
    "campaignevents-rest-user-not-found": "There is no user named $1.",
    "campaignevents-poll-decision-not-found": "The event has no decision $1.",
    "campaignevents-poll-invalid-decision": (
        "Invalid decision ($1): a label of 1 to 190 characters, a colour #rrggbb."
    ),
    "campaignevents-poll-invalid-additional-information": "The note has 1 to 128 characters.",
    "campaignevents-poll-vote-not-allowed": "This event is not open for your vote.",
    "campaignevents-poll-already-voted": "You have already voted on this event.",
    "campaignevents-poll-not-voted": "You have not voted on this event.",
    "campaignevents-poll-administration-denied": "Only the poll administration may do this.",
    "campaignevents-poll-preset-not-found": "There is no such preset: $1.",
    "campaignevents-poll-invalid-location": "Invalid standard location ($1).",
}


def error_text(error: DomainError) -> str:
    template = TEXTS.get(error.key)
    if template is None:
        from api.messages import text

        return text(error.key, *error.params)
    params = [str(p) for p in error.params]
    return template.replace("$1", params[0] if params else "?")


class _services:
    def __enter__(self) -> Services:
        settings = Settings.from_env()
        init_store(settings)
        self.services = build_services(settings)
        return self.services

    def __exit__(self, *exc: object) -> None:
        self.services.close()


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except DomainError as error:
        click.echo(f"error: {error_text(error)}", err=True)
        sys.exit(1)


def _echo(value: dict[str, Any]) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


@click.group("groups")
def groups() -> None:
    """Groups of people (DatePoll's), their members and permissions."""


@groups.command("create")
@click.argument("name")
@click.option("--description", default="")
@click.option("--order", default=0, type=int, help="position among the groups")
@click.option("--permission", "permissions", multiple=True, help="e.g. events.details (repeatable)")
def groups_create(name: str, description: str, order: int, permissions: tuple[str, ...]) -> None:
    """Create a group; prints its id."""
    cmd = poll_commands.CreateGroup(name, description, order, permissions)
    with _services() as s:
        made = _run(lambda: s.app.create_group(cmd))
    _echo({"group_id": made.id})


@groups.command("rename")
@click.argument("group_id", type=int)
@click.argument("name")
def groups_rename(group_id: int, name: str) -> None:
    with _services() as s:
        written = _run(lambda: s.app.change_group(poll_commands.ChangeGroup(group_id, name=name)))
    _echo({"group_id": group_id, "changed": written.position > 0})


@groups.command("delete")
@click.argument("group_id", type=int)
def groups_delete(group_id: int) -> None:
    """Delete a group and its subgroups (its id is never given out again)."""
    with _services() as s:
        _run(lambda: s.app.delete_group(poll_commands.DeleteGroup(group_id)))
    _echo({"group_id": group_id, "deleted": True})


@groups.command("list")
def groups_list() -> None:
    """One line per live group: id, name, order, permissions, subgroups, member names."""
    with _services() as s:
        last = s.app.sequence(GROUPS).last
        members: dict[int, list[str]] = {}
        for account in s.app.accounts():
            for gid in vars(account).get("memberships", {}).get("groups", []):
                members.setdefault(int(gid), []).append(account.user_name)
        for group_id in range(1, last + 1):
            group = s.app.find(Group, group_aggregate_id(group_id))
            if group is None or group.deleted:
                continue
            _echo(
                {
                    "group_id": group.group_id,
                    "name": group.name,
                    "order": group.order,
                    "permissions": group.permissions,
                    "subgroups": [
                        {"subgroup_id": k, "name": v["name"]} for k, v in sorted(group.subgroups.items())
                    ],
                    "members": sorted(members.get(group.group_id, [])),
                }
            )


def _membership(set_kind: str, set_id: int, user: str, join: bool) -> None:
    with _services() as s:

        def change() -> int:
            user_id = s.app.named_account(user).user_id
            cmd = poll_commands.ChangeMembership(
                user_id,
                group_id=set_id if set_kind == "group" else None,
                subgroup_id=set_id if set_kind == "subgroup" else None,
                join=join,
            )
            return s.app.change_membership(cmd).position

        position = _run(change)
    _echo({f"{set_kind}_id": set_id, "user": user, "member": join, "changed": position > 0})


@groups.command("add-member")
@click.argument("group_id", type=int)
@click.argument("user")
def groups_add_member(group_id: int, user: str) -> None:
    _membership("group", group_id, user, True)


@groups.command("remove-member")
@click.argument("group_id", type=int)
@click.argument("user")
def groups_remove_member(group_id: int, user: str) -> None:
    """Leave the group, and with it its subgroups."""
    _membership("group", group_id, user, False)


@click.group("subgroups")
def subgroups() -> None:
    """Subgroups (each belongs to one group) and their members."""


@subgroups.command("create")
@click.argument("group_id", type=int)
@click.argument("name")
@click.option("--description", default="")
@click.option("--order", default=0, type=int)
def subgroups_create(group_id: int, name: str, description: str, order: int) -> None:
    cmd = poll_commands.CreateSubgroup(group_id, name, description, order)
    with _services() as s:
        made = _run(lambda: s.app.create_subgroup(cmd))
    _echo({"subgroup_id": made.id, "group_id": group_id})


@subgroups.command("rename")
@click.argument("subgroup_id", type=int)
@click.argument("name")
def subgroups_rename(subgroup_id: int, name: str) -> None:
    with _services() as s:
        written = _run(lambda: s.app.change_subgroup(poll_commands.ChangeSubgroup(subgroup_id, name=name)))
    _echo({"subgroup_id": subgroup_id, "changed": written.position > 0})


@subgroups.command("delete")
@click.argument("subgroup_id", type=int)
def subgroups_delete(subgroup_id: int) -> None:
    with _services() as s:
        _run(lambda: s.app.delete_subgroup(poll_commands.DeleteSubgroup(subgroup_id)))
    _echo({"subgroup_id": subgroup_id, "deleted": True})


@subgroups.command("add-member")
@click.argument("subgroup_id", type=int)
@click.argument("user")
def subgroups_add_member(subgroup_id: int, user: str) -> None:
    """Join a subgroup (the user must be a member of its group)."""
    _membership("subgroup", subgroup_id, user, True)


@subgroups.command("remove-member")
@click.argument("subgroup_id", type=int)
@click.argument("user")
def subgroups_remove_member(subgroup_id: int, user: str) -> None:
    _membership("subgroup", subgroup_id, user, False)


@click.command("set-name")
@click.argument("name")
@click.option("--first", default=None, help="first name (blank: none)")
@click.option("--last", default=None, help="last name (blank: none)")
def users_set_name(name: str, first: str | None, last: str | None) -> None:
    """Set an account's first and last names (DatePoll shows them)."""
    with _services() as s:
        written = _run(lambda: s.app.set_person_name(poll_commands.SetPersonName(name, first, last)))
    _echo({"user": name, "first": first, "last": last, "changed": written.position > 0})


def install(main: click.Group, users: click.Group) -> None:
    main.add_command(groups)
    main.add_command(subgroups)
    users.add_command(users_set_name)
