"""The polling projector: catch up in batches, then follow the log.

Each batch and its tracking position are written in one transaction, the tracking row first (so a
SQLite transaction never upgrades from a read to a write) and only if the position is still the one
the batch starts from: an event is applied exactly once, also after a crash or with two projectors.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.utils import get_topic
from sqlalchemy import update
from sqlalchemy.engine import Connection

from projections import catalog
from projections.schema import Tables
from projections.store import ReadStore

log = logging.getLogger("campaignevents.projector")
BATCH = 500


class PositionMoved(Exception):
    """Another projector (or a replay) moved the tracking position: re-read and go on."""


def apply_events(conn: Connection, tables: Tables, events: Sequence[Any]) -> None:
    for event in events:
        handler = catalog.HANDLERS.get(get_topic(type(event)))
        if handler is not None:
            handler(conn, tables, event)


def advance(conn: Connection, tables: Tables, name: str, start: int, end: int) -> None:
    """Move tracking ``name`` from ``start`` to ``end``, or raise ``PositionMoved``."""
    t = tables.tracking
    moved = conn.execute(
        update(t).where((t.c.name == name) & (t.c.position == start)).values(position=end)
    ).rowcount
    if moved != 1:
        raise PositionMoved(name)


class Projection(Protocol):
    """A read model (or a dispatcher) fed by the log: its tracking name, the topics it reads, and
    how a batch is applied inside the transaction that advances its position."""

    name: str
    topics: tuple[str, ...]

    def apply(self, conn: Connection, tables: Tables, events: Sequence[Any]) -> None: ...


class CatalogProjection:
    name = catalog.NAME
    topics: tuple[str, ...] = catalog.TOPICS

    def apply(self, conn: Connection, tables: Tables, events: Sequence[Any]) -> None:
        apply_events(conn, tables, events)


class Projector:
    def __init__(
        self,
        app: Application[Any],
        store: ReadStore,
        batch: int = BATCH,
        projections: Sequence[Projection] | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self.batch = batch
        self.projections: list[Projection] = list(projections or [CatalogProjection()])
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def read_batch(
        self, start: int, head: int | None = None, topics: tuple[str, ...] = catalog.TOPICS
    ) -> tuple[list[Any], int]:
        """Events after ``start`` (at most one batch) and the position they bring the model to."""
        recorder = self.app.recorder
        head = recorder.max_notification_id() or 0 if head is None else head
        if head <= start:
            return [], start
        notes = recorder.select_notifications(start=start + 1, limit=self.batch, stop=head, topics=topics)
        end = notes[-1].id if len(notes) == self.batch else head
        return [self.app.mapper.to_domain_event(n) for n in notes], end

    def run_once(self) -> int:
        """Apply one batch to every projection; the log positions they advanced (0: caught up)."""
        return sum(self.advance(p) for p in self.projections)

    def advance(self, projection: Projection) -> int:
        start = self.store.position(projection.name)
        events, end = self.read_batch(start, topics=projection.topics)
        if end == start:
            return 0
        try:
            with self.store.engine.begin() as conn:
                advance(conn, self.store.tables, projection.name, start, end)
                projection.apply(conn, self.store.tables, events)
        except PositionMoved:
            return 0
        return end - start

    def catch_up(self) -> None:
        while self.run_once():
            pass

    def follow(self, idle: float = 0.05, quickest: float = 0.005) -> None:
        """Run until ``stop()``. A projection that fails (its database or Redis down) is logged and
        retried with backoff; the others go on."""
        failures: dict[str, int] = {}
        retry_at: dict[str, float] = {}
        pause = quickest
        while not self._stop.is_set():
            advanced = 0
            for projection in self.projections:
                if time.monotonic() < retry_at.get(projection.name, 0.0):
                    continue
                try:
                    advanced += self.advance(projection)
                    failures[projection.name] = 0
                except Exception:
                    n = failures[projection.name] = failures.get(projection.name, 0) + 1
                    retry_at[projection.name] = time.monotonic() + min(5.0, 0.1 * 2**n)
                    log.exception("projection %s failed (attempt %d); retrying", projection.name, n)
            if advanced:
                pause = quickest
            else:  # idle: poll back off from ``quickest`` to ``idle``; a wake() cuts the wait short
                self._wake.wait(pause)
                self._wake.clear()
                pause = min(idle, pause * 2)

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop following; wait for the thread so nothing queries a store about to be closed."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def start_thread(self) -> threading.Thread:
        self.store.wake = self.wake
        self._thread = threading.Thread(target=self.follow, name="projector", daemon=True)
        self._thread.start()
        return self._thread
