"""Rebuild every read model from position 0 into fresh tables, then switch to them in one transaction.

One mechanism for all of them: each projection of the projector declares its tables
(``read_model``, ``projections/readmodel.py``). ``replay`` creates a fresh set of every declared
model's tables, reads and decodes the log once (the union of their topics, page by page) and hands
each model its facts through its own batch apply, builds the secondary indexes after the bulk load,
and then, in ONE transaction, applies what was written meanwhile, moves every tracking position and
swaps every fresh set in for the live one. ``verify`` rebuilds aside and lists every differing row
of every model, comparing at the live positions (read in the same snapshot as the live rows); it
changes nothing and never runs a live projection.

The live projector may keep running meanwhile. Nothing here records a fact or enqueues a job,
except one case, declared by the projection (``effects``): a projection whose live apply enqueues
jobs (places) is switched at its live position, and if it lags behind the rebuild it is first
brought there by its own live apply — what its projector would have done next, with the same job
ids — so no job is skipped and none is enqueued twice.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable
from tqdm import tqdm

from projections.readmodel import ReadModel
from projections.runner import Projection, Projector, facts_of, topics_of
from projections.store import ReadStore, writing

REBUILD = "__rebuild"
VERIFY = "__verify"
SQLITE_CACHE_KIB = 131_072  # 128 MiB of page cache for a rebuild (the default is 2 MiB)
Rows = dict[str, list[tuple[Any, ...]]]


class Undeclared(TypeError):
    """A projection of the projector that says nothing about its tables (see readmodel.py)."""


@dataclass(frozen=True)
class ReplayStats:
    events: int
    position: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Rebuild:
    """One read model being rebuilt: its projection, declaration, live and fresh table sets."""

    projection: Projection
    model: ReadModel
    live: Any
    fresh: Any
    position: int = 0

    @property
    def name(self) -> str:
        return self.projection.name

    @property
    def wanted(self) -> frozenset[str]:
        return frozenset(self.projection.topics)

    def apply(self, conn: Connection, events: Sequence[Any]) -> None:
        if events:
            self.model.apply(conn, self.fresh, events)


def declared(projector: Projector) -> list[tuple[Projection, ReadModel]]:
    """Every projection that owns tables, with its declaration; raises ``Undeclared`` for one that
    has no ``read_model`` attribute (``None`` says: no tables)."""
    found = []
    for projection in projector.projections:
        if not hasattr(projection, "read_model"):
            raise Undeclared(
                f"projection {projection.name!r} ({type(projection).__name__}) does not declare its tables: "
                "give it read_model = ReadModel(define, apply), or read_model = None if it has none "
                "(projections/readmodel.py)"
            )
        model = projection.read_model
        if model is not None:
            found.append((projection, model))
    return found


def _prepare(store: ReadStore, projector: Projector, suffix: str) -> list[Rebuild]:
    rebuilds = [Rebuild(p, m, m.define(""), m.define(suffix)) for p, m in declared(projector)]
    _drop(store, [t.name for r in rebuilds for t in r.fresh.models()])
    token = secrets.token_hex(3)
    with store.engine.begin() as conn:
        for r in rebuilds:
            deferred = set(_deferred(r))
            for table in r.fresh.models():
                conn.execute(CreateTable(table))
                for index in sorted(table.indexes, key=lambda ix: ix.name or ""):
                    # a name of its own: a switched set keeps its index names, which must not collide
                    index.name = f"{index.name}_{token}"[:63]
                    if index not in deferred:
                        index.create(conn)
    return rebuilds


def _deferred(r: Rebuild) -> list[Index]:
    """The secondary indexes built after the bulk load: all but ``aggregate_id``'s and those the
    model's apply reads through (``load_indexes``)."""
    keep = {("aggregate_id",), *r.model.load_indexes}
    return [
        index
        for table in r.fresh.models()
        for index in sorted(table.indexes, key=lambda ix: ix.name or "")
        if tuple(c.name for c in index.columns) not in keep
    ]


def _fill(
    projector: Projector, rebuilds: list[Rebuild], stop: int, *, progress: bool, desc: str = "replay"
) -> int:
    """Fill every fresh set from the log up to ``stop``: one read and decode of the union of the
    models' topics, one transaction per page for them all; then the deferred indexes. Returns the
    facts read."""
    store = projector.store
    topics = tuple(dict.fromkeys(t for r in rebuilds for t in r.projection.topics))
    position = read = 0
    with writing(store.engine).connect() as conn, _bulk(conn):  # each page's apply may read first
        with tqdm(total=stop, unit="pos", disable=not progress, desc=desc) as bar:
            for page, end in projector.pages(0, stop, topics):
                present = topics_of(page)
                with conn.begin():
                    for r in rebuilds:
                        r.apply(conn, facts_of(page, r.projection.topics, present))
                read += len(page)
                bar.update(end - position)
                position = end
        with conn.begin():
            for r in rebuilds:
                for index in _deferred(r):
                    index.create(conn)
    for r in rebuilds:
        r.position = max(position, stop)
    return read


def _catch_up(projector: Projector, r: Rebuild, conn: Connection, target: int) -> int:
    """Apply the facts after ``r.position`` up to ``target`` to the fresh set (no effects)."""
    applied = 0
    while r.position < target:
        events, end = projector.read_batch(r.position, head=target, topics=r.projection.topics)
        r.apply(conn, events)
        applied += len(events)
        r.position = end
    return applied


def _lock_positions(conn: Connection, store: ReadStore, names: list[str]) -> dict[str, int]:
    """Take the tracking rows (creating missing ones), first thing in the transaction: on SQLite
    this takes the write lock before anything is read. Their positions."""
    t = store.tables.tracking
    for name in names:
        if conn.execute(update(t).where(t.c.name == name).values(position=t.c.position)).rowcount != 1:
            conn.execute(insert(t).values(name=name, position=0))
    return {n: int(p) for n, p in conn.execute(select(t.c.name, t.c.position).where(t.c.name.in_(names)))}


def replay(projector: Projector, *, progress: bool = True) -> ReplayStats:
    """Rebuild every declared read model and switch to the rebuilt tables in one transaction."""
    store = projector.store
    started = time.perf_counter()
    rebuilds = _prepare(store, projector, REBUILD)
    head = projector.app.recorder.max_notification_id() or 0
    events = _fill(projector, rebuilds, head, progress=progress)
    for r in rebuilds:  # a model whose live apply enqueues jobs: its own projector's next steps first
        if r.model.effects:
            while store.position(r.name) < r.position and projector.advance(r.projection):
                pass
    with store.engine.begin() as conn:
        live = _lock_positions(conn, store, [r.name for r in rebuilds])
        now = max([projector.app.recorder.max_notification_id() or 0, *live.values()])
        tail = 0
        for r in rebuilds:
            target = live[r.name] if r.model.effects else now
            if r.position > target:  # effects not yet done by the live projection: do not switch it
                raise RuntimeError(f"read model {r.name} is behind the rebuild; run replay again")
            tail = max(tail, _catch_up(projector, r, conn, target))
            t = store.tables.tracking
            conn.execute(update(t).where(t.c.name == r.name).values(position=r.position))
        for r in rebuilds:
            if r.model.carry is not None:
                r.model.carry(conn, r.live, r.fresh)
        for r in rebuilds:
            for old, new in zip(r.live.models(), r.fresh.models(), strict=True):
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{old.name}"')
                conn.exec_driver_sql(f'ALTER TABLE "{new.name}" RENAME TO "{old.name}"')
    for r in rebuilds:
        store.bell.applied(r.name, r.position)
    position = max((r.position for r in rebuilds), default=head)
    return ReplayStats(events + tail, position, time.perf_counter() - started)


def verify(projector: Projector, *, progress: bool = True) -> list[str]:
    """Rebuild every declared read model into scratch tables and list every row that differs from
    the live ones, each model compared at its live position; the live models are not touched and
    no live projection is run. Empty on a healthy system."""
    store = projector.store
    rebuilds = _prepare(store, projector, VERIFY)
    try:
        names = [r.name for r in rebuilds]
        start = store.positions(names) if names else {}
        _fill(projector, rebuilds, min(start.values(), default=0), progress=progress, desc="verify")
        with _snapshot(store) as conn:  # positions and live rows as of one moment
            t = store.tables.tracking
            live_at = dict(conn.execute(select(t.c.name, t.c.position).where(t.c.name.in_(names))).all())
            live_rows = {r.name: _dump(conn, r, r.live) for r in rebuilds}
        lines: list[str] = []
        for r in rebuilds:
            with writing(store.engine).begin() as conn:
                _catch_up(projector, r, conn, int(live_at[r.name]))
            with store.engine.connect() as conn:
                lines += _differences(live_rows[r.name], _dump(conn, r, r.fresh))
        return lines
    finally:
        _drop(store, [t.name for r in rebuilds for t in r.fresh.models()])


def dump(conn: Connection, r: Rebuild, tables: Any) -> Rows:
    """Every row of a set's tables, sorted, under the live tables' names (volatile columns out)."""
    return _dump(conn, r, tables)


def _dump(conn: Connection, r: Rebuild, tables: Any) -> Rows:
    found: Rows = {}
    for live, table in zip(r.live.models(), tables.models(), strict=True):
        skip = set(r.model.volatile.get(live.name, ()))
        columns = [c for c in table.columns if c.name not in skip]
        found[live.name] = sorted((tuple(row) for row in conn.execute(select(*columns))), key=repr)
    return found


def _differences(live: Rows, rebuilt: Rows) -> list[str]:
    lines = []
    for table in live:
        live_rows, rebuilt_rows = set(live[table]), set(rebuilt[table])
        lines += [f"{table}: only live: {row}" for row in sorted(live_rows - rebuilt_rows, key=repr)]
        lines += [f"{table}: only rebuilt: {row}" for row in sorted(rebuilt_rows - live_rows, key=repr)]
    return lines


@contextmanager
def _snapshot(store: ReadStore) -> Iterator[Connection]:
    """One read transaction that sees one moment (SQLite: a WAL read transaction; PostgreSQL:
    REPEATABLE READ)."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


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


def _drop(store: ReadStore, names: list[Any]) -> None:
    existing = set(inspect(store.engine).get_table_names())
    with store.engine.begin() as conn:
        for name in names:
            if name in existing:
                conn.exec_driver_sql(f'DROP TABLE "{name}"')
