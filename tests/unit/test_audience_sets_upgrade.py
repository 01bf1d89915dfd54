"""``init-db`` on a dialect index (Wild Apricot's, Invision's) whose audience sets table is from
before the deletions of groups and subgroups were folded (no ``group_id``, no ``SETS_INDEX``): it
may still hold a deleted set's rows, so its tables are made again and the log folded from its
start (position 0); run again, it changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, update

from api.invision import index as invision_index
from api.wildapricot import index as wa_index
from projections.store import ReadStore

SETS_INDEX = ("group_id", "kind", "set_id")  # projections.audience_sets: a deleted set's rows


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReadStore]:
    found = ReadStore.open(f"sqlite:///{tmp_path}/events.db")
    yield found
    found.close()


def _set_position(store: ReadStore, name: str, position: int) -> None:
    tracking = store.tables.tracking
    with store.engine.begin() as conn:
        conn.execute(update(tracking).where(tracking.c.name == name).values(position=position))


@pytest.mark.parametrize("index", [wa_index, invision_index], ids=["wildapricot", "invision"])
def test_sets_from_before_deletions_are_folded_again(store: ReadStore, index: ModuleType) -> None:
    found: Any = index
    found.create(store)
    sets = found.define().sets
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
    _set_position(store, found.NAME, 7)
    found.create(store)
    inspected = inspect(store.engine)
    assert "group_id" in {c["name"] for c in inspected.get_columns(sets.name)}
    assert list(SETS_INDEX) in [i["column_names"] for i in inspected.get_indexes(sets.name)]
    assert {t.name for t in found.define().models()} <= set(inspected.get_table_names())
    assert store.position(found.NAME) == 0
    _set_position(store, found.NAME, 5)
    found.create(store)  # up to date: nothing dropped, the position kept
    assert store.position(found.NAME) == 5
