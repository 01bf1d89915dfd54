"""``init-db`` on a database whose Wild Apricot index predates the visibility rule's columns
(``hidden``, ``for_everyone``), the audience table and the list index: the tables are made again and
the projection folds the log from its start (position 0); run again, it changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, Table, Text, inspect, update

from api.wildapricot import index
from projections.store import ReadStore


def test_old_index_tables_are_rebuilt_from_the_start(tmp_path: Path) -> None:
    store = ReadStore.open(f"sqlite:///{tmp_path}/events.db")
    try:
        store.create((index.NAME,))
        old = MetaData()
        Table("rm_wa_events", old, Column("event_id", Integer, primary_key=True), Column("state", Text))
        old.create_all(store.engine)
        tracking = store.tables.tracking
        with store.engine.begin() as conn:
            conn.execute(update(tracking).where(tracking.c.name == index.NAME).values(position=7))
        index.create(store)
        found = inspect(store.engine)
        columns = {c["name"] for c in found.get_columns("rm_wa_events")}
        assert {"hidden", "for_everyone", "name_key"} <= columns
        assert list(index.LIST_INDEX) in [i["column_names"] for i in found.get_indexes("rm_wa_events")]
        assert "rm_wa_event_sets" in found.get_table_names()
        assert store.position(index.NAME) == 0
        with store.engine.begin() as conn:
            conn.execute(update(tracking).where(tracking.c.name == index.NAME).values(position=5))
        index.create(store)
        assert store.position(index.NAME) == 5
    finally:
        store.close()


def test_index_without_its_audience_table_is_rebuilt_from_the_start(tmp_path: Path) -> None:
    store = ReadStore.open(f"sqlite:///{tmp_path}/events.db")
    try:
        index.create(store)
        with store.engine.begin() as conn:
            index.define().sets.drop(conn)
            tracking = store.tables.tracking
            conn.execute(update(tracking).where(tracking.c.name == index.NAME).values(position=9))
        index.create(store)
        assert "rm_wa_event_sets" in inspect(store.engine).get_table_names()
        assert store.position(index.NAME) == 0
    finally:
        store.close()
