"""An event's audience as a dialect index keeps it (domain/audiences.py): the groups (kind "g")
and subgroups (kind "s") attached to the event, a row each, beside the index's own
``for_everyone`` column. Wild Apricot's and Invision's indexes share the table's shape, the fold
of the attach and detach facts, and its write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table

from domain import audiences
from projections.bulk import delete_keys, insert_tuples

KEY = ("event_id", "kind", "set_id")


def sets_table(name: str, md: MetaData) -> Table:
    return Table(
        name,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("kind", String(1), primary_key=True),
        Column("set_id", Integer, primary_key=True, autoincrement=False),
    )


class AttachedSets:
    """A batch's attach and detach facts, folded: the last word per (event, kind, set) wins."""

    def __init__(self) -> None:
        self.attached: dict[tuple[int, str, int], bool] = {}

    def fold(self, event_id: int, e: Any) -> bool:
        """Note ``e`` if it attaches or detaches a group or subgroup (True), else False."""
        if isinstance(e, audiences.GroupAttached | audiences.GroupDetached):
            self.attached[(event_id, "g", e.group_id)] = isinstance(e, audiences.GroupAttached)
        elif isinstance(e, audiences.SubgroupAttached | audiences.SubgroupDetached):
            self.attached[(event_id, "s", e.subgroup_id)] = isinstance(e, audiences.SubgroupAttached)
        else:
            return False
        return True

    def write(self, conn: Connection, table: Table) -> None:
        """The batch's changes: every noted row deleted, the attached ones inserted again (nothing
        when the batch noted none), with ``projections.bulk``."""
        if not self.attached:
            return
        keys = sorted(self.attached)
        delete_keys(conn, table, KEY, keys)
        insert_tuples(conn, table, KEY, [k for k in keys if self.attached[k]])
