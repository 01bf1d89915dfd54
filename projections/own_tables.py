"""Rebuilding the read models that keep tables of their own (beside the catalog's): one mechanism
for ``campaignevents replay``. Each such projection is described by an ``OwnTables``: its tracking
row and topics, how to define a fresh set of its tables under a suffix, and how to apply a batch to
a given set. ``replay`` fills a fresh set from the log page by page, then in one transaction moves
its tracking row, applies what was written meanwhile, and swaps the fresh tables in for the live
ones (the live projection's ``Table`` objects keep naming the live tables).

Covered: the polls model (``projections/polls.py``) and rich content and calendars
(``projections/content.py``). Not covered, each for a reason its owner must settle: the places
model (``projections/places.py``), whose fold also writes an outbox of jobs (a rebuild is a
dispatch question: which decisions were already sent), and the calendar feeds
(``projections/feeds.py``), whose revisions (the feeds' ETags) count batches, so a rebuild in other
page sizes gives smaller numbers and a client's old ETag could later match other content.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.engine import Connection

from projections import content, polls
from projections.schema import define_content

Apply = Callable[[Connection, Any, Sequence[Any]], Any]


@dataclass(frozen=True)
class OwnTables:
    name: str  # the tracking row
    topics: tuple[str, ...]
    define: Callable[[str], Any]  # suffix -> a table set with ``models()`` (same order as the live one)
    apply: Apply
    live: Any  # the live table set


def described(projection: Any) -> OwnTables | None:
    """The ``OwnTables`` of a runner projection, or None for the catalog's and the others."""
    if isinstance(projection, polls.PollsProjection):
        return OwnTables(polls.NAME, polls.TOPICS, polls.define, polls.apply, projection.tables)
    if isinstance(projection, content.ContentProjection):
        return OwnTables(content.NAME, content.TOPICS, define_content, content.apply, projection.tables)
    return None


def all_of(projector: Any) -> list[OwnTables]:
    return [d for p in projector.projections if (d := described(p)) is not None]


def drop(engine: Any, names: list[str]) -> None:
    existing = set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        for name in names:
            if name in existing:
                conn.exec_driver_sql(f'DROP TABLE "{name}"')


def fill(projector: Any, own: OwnTables, suffix: str) -> tuple[Any, int, int]:
    """A fresh set (created here) filled from the whole log: (tables, events applied, position)."""
    store = projector.store
    fresh = own.define(suffix)
    drop(store.engine, [t.name for t in fresh.models()])
    with store.engine.begin() as conn:
        fresh.metadata.create_all(conn, tables=fresh.models())
    head = projector.app.recorder.max_notification_id() or 0
    position = applied = 0
    for page, end in projector.pages(0, head, own.topics, ahead=0):
        with store.engine.begin() as conn:
            own.apply(conn, fresh, [event for _, event in page])
        applied += len(page)
        position = end
    return fresh, applied, max(position, head)


def replay(projector: Any, own: OwnTables, suffix: str) -> int:
    """Rebuild ``own`` and switch to it; the events applied."""
    store = projector.store
    fresh, applied, position = fill(projector, own, suffix)
    with store.engine.begin() as conn:
        t = store.tables.tracking
        conn.execute(update(t).where(t.c.name == own.name).values(position=position))
        events, end = projector.read_batch(position, topics=own.topics)
        while end > position:
            own.apply(conn, fresh, events)
            applied += len(events)
            position = end
            events, end = projector.read_batch(position, topics=own.topics)
        conn.execute(update(t).where(t.c.name == own.name).values(position=position))
        for live, rebuilt in zip(own.live.models(), fresh.models(), strict=True):
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{live.name}"')
            conn.exec_driver_sql(f'ALTER TABLE "{rebuilt.name}" RENAME TO "{live.name}"')
    return applied
