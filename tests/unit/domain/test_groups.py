"""Groups, subgroups, memberships, names and the permission mapping, on aggregates built directly."""

from __future__ import annotations

import pytest

from domain import people
from domain.groups import Group, GroupNotFound, InvalidGroupName, InvalidPermission, SubgroupNotFound
from tests.unit.domain.factories import NOW, account, organizer


def group(group_id: int = 1, name: str = "Band", **kw: object) -> Group:
    return Group.create(group_id, name, performed_by=None, at=NOW, **kw)  # type: ignore[arg-type]


def test_a_group_has_name_description_order_and_sorted_permissions() -> None:
    made = group(7, "  Band ", description="the band", order=3, permissions=["events.details", "a.b", "a.b"])
    assert (made.group_id, made.name, made.description, made.order) == (7, "Band", "the band", 3)
    assert made.permissions == ["a.b", "events.details"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 191])
def test_a_group_name_is_1_to_190_characters(name: str) -> None:
    with pytest.raises(InvalidGroupName):
        group(1, name)


def test_a_permission_has_no_blanks() -> None:
    with pytest.raises(InvalidPermission):
        group(1, "Band", permissions=["events details"])


def test_rename_records_once_and_a_deleted_group_is_not_found() -> None:
    made = group()
    assert made.change(name="Choir", performed_by=5, at=NOW)
    assert not made.change(name="Choir", performed_by=5, at=NOW)
    assert made.name == "Choir"
    made.create_subgroup(4, "Brass", performed_by=None, at=NOW)
    assert made.delete(None, NOW) == [4]
    with pytest.raises(GroupNotFound):
        made.change(name="Again", performed_by=None, at=NOW)
    with pytest.raises(GroupNotFound):
        made.subgroup(4)


def test_subgroups_belong_to_their_group() -> None:
    made = group()
    made.create_subgroup(2, "Brass", "loud", 1, performed_by=None, at=NOW)
    assert made.subgroup(2) == {"name": "Brass", "description": "loud", "order": 1}
    assert made.change_subgroup(2, name="Winds", performed_by=None, at=NOW)
    made.delete_subgroup(2, None, NOW)
    with pytest.raises(SubgroupNotFound):
        made.subgroup(2)


def test_joining_a_subgroup_needs_the_group_and_leaving_the_group_leaves_its_subgroups() -> None:
    made, member = group(), account("Mia")
    made.create_subgroup(2, "Brass", performed_by=None, at=NOW)
    with pytest.raises(people.NotInParentGroup):
        people.join_subgroup(member, made, 2, None, NOW)
    assert people.join_group(member, made, None, NOW)
    assert not people.join_group(member, made, None, NOW)
    assert people.join_subgroup(member, made, 2, None, NOW)
    assert (people.group_ids(member), people.subgroup_ids(member)) == ([1], [2])
    assert people.leave_group(member, made, None, NOW)
    assert (people.group_ids(member), people.subgroup_ids(member)) == ([], [])
    assert not people.leave_subgroup(member, made, 2, None, NOW)


def test_names_are_optional_and_blank_means_none() -> None:
    member = account("Rick")
    assert (people.first_name(member), people.last_name(member)) == (None, None)
    assert people.set_name(member, " Rick ", "Sanchez", None, NOW)
    assert not people.set_name(member, "Rick", "Sanchez", None, NOW)
    assert (people.first_name(member), people.last_name(member)) == ("Rick", "Sanchez")
    assert people.set_name(member, "", None, None, NOW)
    assert people.first_name(member) is None
    with pytest.raises(people.InvalidPersonName):
        people.set_name(member, "x" * 191, None, None, NOW)


def test_permission_mapping() -> None:
    assert people.permissions(account("Plain")) == frozenset()
    sysop = people.permissions(account("Root", "sysop"))
    assert {"root.administration", "events.details"} <= sysop and people.may_administer(sysop)
    org = people.permissions(organizer("Org"))
    assert {"events.*", "events.administration", "events.details"} <= org
    assert people.may_administer(org) and people.may_see_details(org)
    granted = people.permissions(account("Member"), ["events.details"])
    assert people.may_see_details(granted) and not people.may_administer(granted)
    assert people.permissions(account("Blocked", "sysop", blocked=True)) == frozenset()
