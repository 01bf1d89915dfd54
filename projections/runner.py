"""The polling projector: catch up in batches, then follow the log.

Each batch and its tracking position are written in one transaction, the tracking row first (so a
SQLite transaction never upgrades from a read to a write) and only if the position is still the one
the batch starts from: an event is applied exactly once, also after a crash or with two projectors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

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


class Projector:
    def __init__(self, app: Application[Any], store: ReadStore, batch: int = BATCH) -> None:
        self.app = app
        self.store = store
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()

    def read_batch(self, start: int, head: int | None = None) -> tuple[list[Any], int]:
        """Events after ``start`` (at most one batch) and the position they bring the model to."""
        recorder = self.app.recorder
        head = recorder.max_notification_id() or 0 if head is None else head
        if head <= start:
            return [], start
        notes = recorder.select_notifications(
            start=start + 1, limit=self.batch, stop=head, topics=catalog.TOPICS
        )
        end = notes[-1].id if len(notes) == self.batch else head
        return [self.app.mapper.to_domain_event(n) for n in notes], end

    def run_once(self) -> int:
        """Apply one batch; the number of log positions it advanced (0 when caught up)."""
        start = self.store.position(catalog.NAME)
        events, end = self.read_batch(start)
        if end == start:
            return 0
        try:
            with self.store.engine.begin() as conn:
                advance(conn, self.store.tables, catalog.NAME, start, end)
                apply_events(conn, self.store.tables, events)
        except PositionMoved:
            return 0
        return end - start

    def catch_up(self) -> None:
        while self.run_once():
            pass

    def follow(self, idle: float = 0.05) -> None:
        """Run until ``stop()``; a failure (database down) is logged and retried, never fatal."""
        failures = 0
        while not self._stop.is_set():
            try:
                advanced = self.run_once()
                failures = 0
            except Exception:
                failures += 1
                log.exception("projector batch failed (attempt %d); retrying", failures)
                self._stop.wait(min(5.0, 0.1 * 2**failures))
                continue
            if not advanced:
                self._wake.wait(idle)
                self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def start_thread(self) -> threading.Thread:
        self.store.wake = self.wake
        thread = threading.Thread(target=self.follow, name="projector", daemon=True)
        thread.start()
        return thread
