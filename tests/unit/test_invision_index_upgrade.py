"""``init-db`` on a database whose Invision index predates the list's columns and index: the tables
are made again and the projection folds the log from its start (position 0); run again, it
changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, Table, Text, inspect, update

from api.invision import index
from projections.store import ReadStore


def test_old_index_tables_are_rebuilt_from_the_start(tmp_path: Path) -> None:
    store = ReadStore.open(f"sqlite:///{tmp_path}/events.db")
    try:
        store.create((index.NAME,))
        old = MetaData()
        Table("rm_invision_events", old, Column("event_id", Integer, primary_key=True), Column("state", Text))
        old.create_all(store.engine)
        tracking = store.tables.tracking
        with store.engine.begin() as conn:
            conn.execute(update(tracking).where(tracking.c.name == index.NAME).values(position=7))
        index.create(store)
        found = inspect(store.engine)
        assert {"span_start", "calendar_id", "first_end"} <= {
            c["name"] for c in found.get_columns("rm_invision_events")
        }
        assert store.position(index.NAME) == 0
        with store.engine.begin() as conn:
            conn.execute(update(tracking).where(tracking.c.name == index.NAME).values(position=5))
        index.create(store)
        assert store.position(index.NAME) == 5
    finally:
        store.close()


def test_index_without_its_organizers_table_is_rebuilt_from_the_start(tmp_path: Path) -> None:
    """The list reads who organizes a hidden event from the index's own table: tables from before it
    hold events whose organizers it never saw, so they are folded again."""
    store = ReadStore.open(f"sqlite:///{tmp_path}/events.db")
    try:
        index.create(store)
        tables = index.define()
        with store.engine.begin() as conn:
            tables.organizers.drop(conn)
            tracking = store.tables.tracking
            conn.execute(update(tracking).where(tracking.c.name == index.NAME).values(position=9))
        index.create(store)
        assert {t.name for t in tables.models()} <= set(inspect(store.engine).get_table_names())
        assert store.position(index.NAME) == 0
    finally:
        store.close()
