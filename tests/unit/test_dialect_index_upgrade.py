"""``init-db`` on a database whose dialect index (Wild Apricot's, Invision's) predates its list
columns and index, or lacks one of its tables, or whose audience sets table is from before the
deletions of groups and subgroups were folded (no ``group_id``, no ``SETS_INDEX``: it may still hold
a deleted set's rows): the tables are made again and the projection folds the log from its start
(position 0); run again, it changes nothing (``readmodel.refold_if_outdated``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, inspect, update

from api.invision import index as invision_index
from api.wildapricot import index as wa_index
from projections.audience_sets import SETS_INDEX
from projections.store import ReadStore


@dataclass(frozen=True)
class Dialect:
    index: ModuleType
    events: str  # the index's first table
    new_columns: frozenset[str]  # columns the old table lacked
    later_table: str  # a table added later (the attribute of the table set)


DIALECTS = [
    Dialect(wa_index, "rm_wa_events", frozenset({"hidden", "for_everyone", "name_key"}), "sets"),
    Dialect(
        invision_index,
        "rm_invision_events",
        frozenset({"span_start", "calendar_id", "first_end"}),
        "organizers",
    ),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReadStore]:
    found = ReadStore.open(f"sqlite:///{tmp_path}/events.db")
    yield found
    found.close()


def _set_position(store: ReadStore, name: str, position: int) -> None:
    tracking = store.tables.tracking
    with store.engine.begin() as conn:
        conn.execute(update(tracking).where(tracking.c.name == name).values(position=position))


@pytest.mark.parametrize("d", DIALECTS, ids=lambda d: d.events)
def test_old_index_tables_are_rebuilt_from_the_start(store: ReadStore, d: Dialect) -> None:
    index: Any = d.index
    store.create((index.NAME,))
    old = MetaData()
    Table(d.events, old, Column("event_id", Integer, primary_key=True), Column("state", Text))
    old.create_all(store.engine)
    _set_position(store, index.NAME, 7)
    index.create(store)
    found = inspect(store.engine)
    assert d.new_columns <= {c["name"] for c in found.get_columns(d.events)}
    assert list(index.LIST_INDEX) in [i["column_names"] for i in found.get_indexes(d.events)]
    assert {t.name for t in index.define().models()} <= set(found.get_table_names())
    assert store.position(index.NAME) == 0
    _set_position(store, index.NAME, 5)
    index.create(store)  # up to date: nothing dropped, the position kept
    assert store.position(index.NAME) == 5


@pytest.mark.parametrize("d", DIALECTS, ids=lambda d: d.events)
def test_index_without_a_later_table_is_rebuilt_from_the_start(store: ReadStore, d: Dialect) -> None:
    """Tables from before a later one (Wild Apricot's audience sets, Invision's organizers) hold
    events whose facts for it were never folded, so they are folded again."""
    index: Any = d.index
    index.create(store)
    tables = index.define()
    with store.engine.begin() as conn:
        getattr(tables, d.later_table).drop(conn)
    _set_position(store, index.NAME, 9)
    index.create(store)
    assert {t.name for t in tables.models()} <= set(inspect(store.engine).get_table_names())
    assert store.position(index.NAME) == 0


@pytest.mark.parametrize("d", DIALECTS, ids=lambda d: d.events)
def test_sets_from_before_deletions_are_folded_again(store: ReadStore, d: Dialect) -> None:
    index: Any = d.index
    index.create(store)
    sets = index.define().sets
    with store.engine.begin() as conn:  # the sets table as the older code made it
        sets.drop(conn)
        old = MetaData()
        Table(
            sets.name,
            old,
            Column("event_id", Integer, primary_key=True),
            Column("kind", String(1), primary_key=True),
            Column("set_id", Integer, primary_key=True),
        ).create(conn)
    _set_position(store, index.NAME, 7)
    index.create(store)
    found = inspect(store.engine)
    assert "group_id" in {c["name"] for c in found.get_columns(sets.name)}
    assert list(SETS_INDEX) in [i["column_names"] for i in found.get_indexes(sets.name)]
    assert {t.name for t in index.define().models()} <= set(found.get_table_names())
    assert store.position(index.NAME) == 0
    _set_position(store, index.NAME, 5)
    index.create(store)  # up to date: nothing dropped, the position kept
    assert store.position(index.NAME) == 5
