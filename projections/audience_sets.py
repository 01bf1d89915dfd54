"""An event's audience as a dialect index keeps it (domain/audiences.py): the groups (kind "g")
and subgroups (kind "s") attached to the event, a row each with the group it belongs to (a group's
own), beside the index's own ``for_everyone`` column. Wild Apricot's and Invision's indexes share
the table's shape, the fold of the attach and detach facts and of the deletions of groups and
subgroups (``DELETIONS``: a deleted set admits no one, so its rows go, as the polls model drops
its sets), its write, and the upgrade of a table from before ``group_id``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Index, Integer, MetaData, String, Table

from domain import audiences
from domain.groups import Group
from projections.bulk import delete_keys, insert_tuples
from projections.readmodel import refold_if_outdated

KEY = ("event_id", "kind", "set_id")
COLUMNS = (*KEY, "group_id")
SETS_INDEX = ("group_id", "kind", "set_id")  # a deleted group's rows (its subgroups' too), a subgroup's
DELETIONS: tuple[type[Any], ...] = (Group.GroupDeleted, Group.SubgroupDeleted)


def sets_table(name: str, md: MetaData) -> Table:
    table = Table(
        name,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("kind", String(1), primary_key=True),
        Column("set_id", Integer, primary_key=True, autoincrement=False),
        Column("group_id", Integer, nullable=False),
    )
    Index(f"ix_{name}_group", *(table.c[c] for c in SETS_INDEX))
    return table


class AttachedSets:
    """A batch's attach and detach facts and its deletions of groups and subgroups, folded in log
    order: the last word per (event, kind, set) wins, and a deletion takes the rows of its set
    (a group's: its subgroups' too), both those the batch noted before it and those in the table."""

    def __init__(self) -> None:
        self.attached: dict[tuple[int, str, int], int | None] = {}  # -> its group; None: detached
        self.deleted_groups: set[int] = set()
        self.deleted_subgroups: set[tuple[int, int]] = set()  # (group, subgroup)

    def fold(self, event_id: int, e: Any) -> bool:
        """Note ``e`` if it attaches or detaches a group or subgroup (True), else False."""
        if isinstance(e, audiences.GroupAttached | audiences.GroupDetached):
            attached = isinstance(e, audiences.GroupAttached)
            self.attached[(event_id, "g", e.group_id)] = e.group_id if attached else None
        elif isinstance(e, audiences.SubgroupAttached | audiences.SubgroupDetached):
            attached = isinstance(e, audiences.SubgroupAttached)
            self.attached[(event_id, "s", e.subgroup_id)] = e.group_id if attached else None
        else:
            return False
        return True

    def fold_deletion(self, e: Any) -> bool:
        """Note ``e`` if it deletes a group or a subgroup (True), else False."""
        if isinstance(e, Group.GroupDeleted):
            self.deleted_groups.add(e.group_id)
            taken = {k for k, group in self.attached.items() if group == e.group_id}
        elif isinstance(e, Group.SubgroupDeleted):
            self.deleted_subgroups.add((e.group_id, e.subgroup_id))
            taken = {k for k in self.attached if k[1:] == ("s", e.subgroup_id)}
        else:
            return False
        self.attached.update(dict.fromkeys(taken))
        return True

    def write(self, conn: Connection, table: Table) -> None:
        """The batch's changes, with ``projections.bulk``: the deleted sets' rows deleted, then
        every noted row deleted and the attached ones inserted again (nothing when the batch noted
        none). A row noted after a deletion was not taken by it (in the log it comes after)."""
        delete_keys(conn, table, ("group_id",), [(g,) for g in sorted(self.deleted_groups)])
        subgroups = [(g, "s", s) for g, s in sorted(self.deleted_subgroups)]
        delete_keys(conn, table, SETS_INDEX, subgroups)
        if not self.attached:
            return
        keys = sorted(self.attached)
        delete_keys(conn, table, KEY, keys)
        rows = [(*k, group) for k in keys if (group := self.attached[k]) is not None]
        insert_tuples(conn, table, COLUMNS, rows)


def refold_if_sets_outdated(store: Any, name: str, tables: Any) -> bool:
    """A sets table from before ``group_id`` (``SETS_INDEX``) may still hold the rows of groups and
    subgroups deleted since (they were kept then): the index's tables are dropped and folded again
    from the start of the log, by ``readmodel.refold_if_outdated`` (for ``init-db``)."""
    return refold_if_outdated(store, name, tables, SETS_INDEX, checked=tables.sets)
