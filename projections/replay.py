"""Rebuild the read models from position 0 into fresh tables, then switch to them in one transaction.

The live projector may keep running meanwhile: the switch replaces the tables and the tracking
position together, so whatever the live projector applied to the old tables is applied again,
from the rebuilt position, to the new ones.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, inspect, update
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable
from tqdm import tqdm

from projections import catalog, own_tables
from projections.runner import Projector, apply_events
from projections.schema import REBUILD, TABLE_NAMES, Tables, define
from projections.store import ReadStore

SQLITE_CACHE_KIB = 131_072  # 128 MiB of page cache for a rebuild (the default is 2 MiB)


@dataclass(frozen=True)
class ReplayStats:
    events: int
    position: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def build(projector: Projector, fresh: Tables, *, progress: bool) -> tuple[int, int]:
    """Fill ``fresh`` from the whole log with the projector's own batch apply, one transaction
    per page, pages read and decoded ahead by a reader thread; then build the secondary indexes
    ``create_tables`` left out. Returns (events applied, position reached)."""
    store = projector.store
    head = projector.app.recorder.max_notification_id() or 0
    position = applied = 0
    with store.engine.connect() as conn, _bulk(conn):
        with tqdm(total=head, unit="pos", disable=not progress, desc="replay") as bar:
            for page, end in projector.pages(0, head):
                with conn.begin():
                    apply_events(conn, fresh, [event for _, event in page])
                applied += len(page)
                bar.update(end - position)
                position = end
        with conn.begin():
            for index in _deferred(fresh):
                index.create(conn)
    return applied, position


def create_tables(store: ReadStore, fresh: Tables) -> None:
    """The fresh tables with only the indexes a batch's reads need (``aggregate_id``); the other
    secondary indexes are built after the bulk load (``build``)."""
    deferred = set(_deferred(fresh))
    with store.engine.begin() as conn:
        for table in fresh.models():
            conn.execute(CreateTable(table))
            for index in table.indexes:
                if index not in deferred:
                    index.create(conn)


def _deferred(tables: Tables) -> list[Index]:
    return [
        index
        for table in tables.models()
        for index in sorted(table.indexes, key=lambda ix: ix.name or "")
        if [c.name for c in index.columns] != ["aggregate_id"]
    ]


@contextmanager
def _bulk(conn: Connection) -> Iterator[None]:
    """SQLite, for the rebuild only: no fsync per batch and a larger page cache. Fresh tables
    nobody reads yet: a crash loses only the rebuild, and the switch is its own transaction."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection  # outside SQLAlchemy's BEGIN: pragmas refuse a transaction
    assert raw is not None
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        if conn.in_transaction():
            conn.rollback()
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA cache_size=-2000")


def replay(projector: Projector, *, progress: bool = True) -> ReplayStats:
    store = projector.store
    started = time.perf_counter()
    fresh = define(REBUILD)
    _drop(store, [t.name for t in fresh.models()])
    create_tables(store, fresh)
    applied, position = build(projector, fresh, progress=progress)
    with store.engine.begin() as conn:
        # Tracking row first: on SQLite this takes the write lock before anything is read.
        t = store.tables.tracking
        conn.execute(update(t).where(t.c.name == catalog.NAME).values(position=position))
        events, end = projector.read_batch(position)
        while end > position:
            apply_events(conn, fresh, events)
            applied += len(events)
            position = end
            events, end = projector.read_batch(position)
        conn.execute(update(t).where(t.c.name == catalog.NAME).values(position=position))
        for live, rebuilt in zip(TABLE_NAMES, fresh.models(), strict=True):
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{live}"')
            conn.exec_driver_sql(f'ALTER TABLE "{rebuilt.name}" RENAME TO "{live}"')
    for own in own_tables.all_of(projector):  # models with tables of their own (projections/own_tables.py)
        applied += own_tables.replay(projector, own, REBUILD)
    return ReplayStats(applied, position, time.perf_counter() - started)


VERIFY = "__verify"


def verify(projector: Projector, *, progress: bool = True, attempts: int = 10) -> list[str]:
    """Rebuild into scratch tables and list every row that differs from the live read models (at
    the same log position); the live models are not touched. Empty on a healthy system."""
    store = projector.store
    fresh = define(VERIFY)
    _drop(store, [t.name for t in fresh.models()])
    create_tables(store, fresh)
    try:
        _, position = build(projector, fresh, progress=progress)
        for _ in range(attempts):
            projector.catch_up()
            live_position = store.position(catalog.NAME)
            while position < live_position:
                events, end = projector.read_batch(position, head=live_position)
                with store.engine.begin() as conn:
                    apply_events(conn, fresh, events)
                position = end
            live, rebuilt = store.dump(), store.dump(fresh)
            if store.position(catalog.NAME) == position:
                return _differences(live, rebuilt)
        return [f"the live read models kept moving; no comparison after {attempts} attempts"]
    finally:
        _drop(store, [t.name for t in fresh.models()])


def _differences(live: dict[str, list[Any]], rebuilt: dict[str, list[Any]]) -> list[str]:
    lines = []
    for table in TABLE_NAMES:
        live_rows, rebuilt_rows = set(live[table]), set(rebuilt[table])
        lines += [f"{table}: only live: {row}" for row in sorted(live_rows - rebuilt_rows, key=repr)]
        lines += [f"{table}: only rebuilt: {row}" for row in sorted(rebuilt_rows - live_rows, key=repr)]
    return lines


def _drop(store: ReadStore, names: list[Any]) -> None:
    existing = set(inspect(store.engine).get_table_names())
    with store.engine.begin() as conn:
        for name in names:
            if name in existing:
                conn.exec_driver_sql(f'DROP TABLE "{name}"')
