"""The polling projector: catch up in batches, then follow the log.

Each batch and its tracking position are written in one transaction, the tracking row first (so a
SQLite transaction never upgrades from a read to a write) and only if the position is still the one
the batch starts from: an event is applied exactly once, also after a crash or with two projectors.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, Protocol

from eventsourcing.application import Application
from sqlalchemy import Table, update
from sqlalchemy.engine import Connection

from projections import catalog
from projections.readmodel import ReadModel
from projections.schema import Tables, define
from projections.store import ReadStore

log = logging.getLogger("campaignevents.projector")
BATCH = 5000  # notifications per page: large pages, few round trips, one fold per page


class PositionMoved(Exception):
    """Another projector (or a replay) moved the tracking position: re-read and go on."""


def apply_events(conn: Connection, tables: Tables, events: Sequence[Any]) -> None:
    """The catalog's batch apply (``catalog.apply``)."""
    catalog.apply(conn, tables, events)


def advance(conn: Connection, tables: Tables, name: str, start: int, end: int) -> None:
    """Move tracking ``name`` from ``start`` to ``end``, or raise ``PositionMoved``."""
    t = tables.tracking
    moved = conn.execute(
        update(t).where((t.c.name == name) & (t.c.position == start)).values(position=end)
    ).rowcount
    if moved != 1:
        raise PositionMoved(name)


_ADVANCE_ALL: dict[tuple[str, str, int], str] = {}


def _advance_all(conn: Connection, t: Table, count: int) -> tuple[str, bool]:
    """The driver's own UPDATE moving ``count`` tracking rows of ``t`` from ``start`` to ``end``
    (built once per dialect, table and count: no expression compiled, no expanding IN processed
    per batch), and whether it takes the names one parameter each (SQLite) or as one array."""
    qmark = conn.dialect.paramstyle == "qmark"
    key = (conn.dialect.name, t.name, count)
    sql = _ADVANCE_ALL.get(key)
    if sql is None:
        quote = conn.dialect.identifier_preparer.quote
        mark = "?" if qmark else "%s"
        names = f"IN ({', '.join([mark] * count)})" if qmark else f"= ANY({mark})"
        position = quote(t.c.position.name)
        sql = _ADVANCE_ALL[key] = (
            f"UPDATE {quote(t.name)} SET {position} = {mark} "
            f"WHERE {position} = {mark} AND {quote(t.c.name.name)} {names}"
        )
    return sql, qmark


class Projection(Protocol):
    """A read model (or a dispatcher) fed by the log.

    The contract:

    - ``name``: its tracking row (``rm_tracking.name``); create it with ``ReadStore.create``.
    - ``topics``: the fact topics it reads; only those are read from the log and decoded (one
      decode serves every projection at the same position that reads the topic).
    - ``apply(conn, tables, events)``: apply a whole batch (the facts of its topics, in log
      order; possibly empty) inside ``conn``'s transaction, the one that has already moved its
      tracking position. It must not commit, must not keep state between calls that the tables
      do not hold (a batch can be rolled back and read again: that is how exactly-once holds
      after a crash), and should write set-based: read the rows the batch touches in one query
      per table, fold the facts into them in memory, write them with ``projections.bulk``
      (see ``projections.catalog``). ``tables`` is the live set, or a replay's fresh
      set (``schema.define(suffix)``); a projection with tables of its own defines them beside.
    """

    name: str
    topics: tuple[str, ...]

    def apply(self, conn: Connection, tables: Tables, events: Sequence[Any]) -> None: ...


class CatalogProjection:
    name = catalog.NAME
    topics: tuple[str, ...] = catalog.TOPICS
    read_model = ReadModel(define, catalog.apply)  # replay rebuilds it (projections/readmodel.py)

    def apply(self, conn: Connection, tables: Tables, events: Sequence[Any]) -> None:
        catalog.apply(conn, tables, events)


Page = tuple[list[tuple[str, Any]], int]  # (topic, decoded fact) in log order, and the end position


def _note(failed: dict[str, Exception], projection: Projection, error: Exception) -> None:
    failed[projection.name] = error


def facts_of(
    page: list[tuple[str, Any]], topics: tuple[str, ...], present: frozenset[str] | None = None
) -> list[Any]:
    """The facts of ``page`` whose topic is one of ``topics``, in log order (the topic set is
    built once, not once per fact). ``present``: the page's topics, when the caller has them: a
    projection that reads all of them, or none, is answered without a pass over the page."""
    wanted = frozenset(topics)
    if present is not None:
        if present <= wanted:
            return [event for _, event in page]
        if present.isdisjoint(wanted):
            return []
    return [event for topic, event in page if topic in wanted]


def existing(events: Sequence[Any], creation: type) -> set[str]:
    """The aggregate ids (text) of ``events`` whose first fact in the batch is not ``creation``:
    rows a fold must read, where the others it creates (an aggregate is created once, first)."""
    seen: set[str] = set()
    wanted: set[str] = set()
    for e in events:
        key = str(e.originator_id)
        if key not in seen:
            seen.add(key)
            if not isinstance(e, creation):
                wanted.add(key)
    return wanted


def topics_of(page: list[tuple[str, Any]]) -> frozenset[str]:
    """The topics a page holds (one pass, shared by every projection applied from it)."""
    return frozenset(topic for topic, _ in page)


def _union(projections: Sequence[Projection]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(topic for p in projections for topic in p.topics))


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
        self._unions: dict[tuple[str, ...], tuple[str, ...]] = {}

    # --- reading the log ----------------------------------------------------------------------

    def read_page(
        self, start: int, head: int | None = None, topics: tuple[str, ...] = catalog.TOPICS
    ) -> Page:
        """The facts of ``topics`` after ``start`` (at most one page of ``batch``), decoded, with
        their topics, and the position they bring a reader to."""
        recorder = self.app.recorder
        head = recorder.max_notification_id() or 0 if head is None else head
        if head <= start:
            return [], start
        notes = recorder.select_notifications(start=start + 1, limit=self.batch, stop=head, topics=topics)
        end = notes[-1].id if len(notes) == self.batch else head
        decode = self.app.mapper.to_domain_event
        return [(n.topic, decode(n)) for n in notes], end

    def read_batch(
        self, start: int, head: int | None = None, topics: tuple[str, ...] = catalog.TOPICS
    ) -> tuple[list[Any], int]:
        """Events after ``start`` (at most one batch) and the position they bring the model to."""
        page, end = self.read_page(start, head, topics)
        return [event for _, event in page], end

    def pages(
        self, start: int, head: int, topics: tuple[str, ...] = catalog.TOPICS, *, ahead: int = 0
    ) -> Iterator[Page]:
        """Consecutive pages from ``start`` to ``head``. With ``ahead`` > 0 a reader thread reads
        and decodes up to ``ahead`` pages while the caller applies the current one (SQLite and
        psycopg release the GIL while they wait, so reading and writing overlap)."""
        if ahead <= 0:
            while start < head:
                page, start = self.read_page(start, head, topics)
                yield page, start
            return
        pages: queue.Queue[Page | BaseException | None] = queue.Queue(maxsize=ahead)
        done = threading.Event()

        def put(item: Page | BaseException | None) -> bool:
            while not done.is_set():
                try:
                    pages.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def reader(position: int) -> None:
            try:
                while position < head:
                    page, position = self.read_page(position, head, topics)
                    if not put((page, position)):
                        return
                put(None)
            except BaseException as error:  # handed to the consumer, which raises it
                put(error)

        thread = threading.Thread(target=reader, args=(start,), name="log-reader", daemon=True)
        thread.start()
        try:
            while True:
                item = pages.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            done.set()
            thread.join(5)

    # --- applying -------------------------------------------------------------------------------

    def run_once(
        self,
        projections: Sequence[Projection] | None = None,
        failed: Callable[[Projection, Exception], None] | None = None,
    ) -> int:
        """Apply one page to every projection; the log positions they advanced (0: caught up).
        Projections at the same position share one read and one decode of the union of their
        topics. With ``failed``, a projection's error is handed to it and the others go on."""
        return self._pass(projections, failed)[0]

    def _pass(
        self,
        projections: Sequence[Projection] | None = None,
        failed: Callable[[Projection, Exception], None] | None = None,
        known: dict[str, int] | None = None,
    ) -> tuple[int, bool]:
        """``run_once``, and whether to pass again at once: True after a full page (the log goes
        on past it) or when another projector (or a replay) had moved a position. False when
        every projection applied up to the log's head as this pass read it: ``catch_up`` and
        ``follow`` need no empty pass to learn that (a later write rings, or is polled).

        ``known`` (``follow``'s own): the positions this projector last read or committed. While
        the head is past all of them they are used as they are, without reading the tracking rows:
        the tracking UPDATE still checks each (a position moved meanwhile fails it: nothing is
        applied, ``known`` is forgotten and the next pass reads the rows)."""
        projections = self.projections if projections is None else projections
        names = [p.name for p in projections]
        head = self.app.recorder.max_notification_id() or 0  # once, for every group
        if known is not None and all(known.get(name, head) < head for name in names):
            positions = {name: known[name] for name in names}
        else:
            positions = self.store.positions(names)
            if known is not None:
                known.update(positions)
        groups: dict[int, list[Projection]] = {}
        for p in projections:
            groups.setdefault(positions[p.name], []).append(p)
        advanced = 0
        more = False
        for start, group in groups.items():
            try:
                page, end = self.read_page(start, head, topics=self._union(group))
            except Exception as error:
                if failed is None:
                    raise
                for p in group:
                    failed(p, error)
                continue
            if end == start:
                continue
            more = more or end < head
            present = topics_of(page) if len(group) > 1 else None
            batches = [(p, facts_of(page, p.topics, present)) for p in group]
            if len(batches) > 1 and self._apply_together(start, end, batches):
                advanced += (end - start) * len(batches)
                if known is not None:
                    known.update((p.name, end) for p in group)
                continue
            for p, events in batches:  # one at a time: a failing projection does not hold the others
                try:
                    moved = self._apply(p, start, end, events)
                except Exception as error:
                    if known is not None:
                        known.pop(p.name, None)
                    if failed is None:
                        raise
                    failed(p, error)
                    continue
                advanced += moved
                if not moved:  # another projector moved it: read the tracking rows again
                    more = True
                    if known is not None:
                        known.clear()
                elif known is not None:
                    known[p.name] = end
        return advanced, more

    def _union(self, group: list[Projection]) -> tuple[str, ...]:
        """The topics ``group`` reads (the same groups come back every pass: computed once each)."""
        key = tuple(p.name for p in group)
        topics = self._unions.get(key)
        if topics is None:
            topics = self._unions[key] = _union(group)
        return topics

    def _apply_together(self, start: int, end: int, batches: list[tuple[Projection, list[Any]]]) -> bool:
        """Projections at the same position applied in one transaction (one BEGIN and one commit
        for them all instead of one each: a write waiting for its read models waits for one
        commit). False when any of them failed or had moved: nothing is kept, and the caller
        applies them one by one (jobs enqueued by the rolled-back attempt carry the same ids)."""
        names = [projection.name for projection, _ in batches]
        try:
            with self.store.engine.begin() as conn:
                sql, qmark = _advance_all(conn, self.store.tables.tracking, len(names))
                moved = conn.exec_driver_sql(sql, (end, start, *names) if qmark else (end, start, names))
                if moved.rowcount != len(names):
                    raise PositionMoved(",".join(names))
                for projection, events in batches:
                    projection.apply(conn, self.store.tables, events)
        except Exception as error:
            log.debug("applying %d projections together failed (%s); one by one", len(batches), error)
            return False
        for projection, _ in batches:
            self.store.bell.applied(projection.name, end)
        return True

    def _apply(self, projection: Projection, start: int, end: int, events: Sequence[Any]) -> int:
        try:
            with self.store.engine.begin() as conn:
                advance(conn, self.store.tables, projection.name, start, end)
                projection.apply(conn, self.store.tables, events)
        except PositionMoved:
            return 0
        self.store.bell.applied(projection.name, end)
        return end - start

    def advance(self, projection: Projection) -> int:
        start = self.store.position(projection.name)
        page, end = self.read_page(start, topics=projection.topics)
        if end == start:
            return 0
        return self._apply(projection, start, end, [e for _, e in page])

    def catch_up(self) -> None:
        """Until every projection has applied what was written before the call."""
        while self._pass()[1]:
            pass

    def follow(self, idle: float = 0.05, quickest: float = 0.005) -> None:
        """Run until ``stop()``. Woken at once by a write's ring (``store.bell``); otherwise it
        polls, backing off from ``quickest`` to ``idle``. A projection that fails (its database or
        Redis down) is logged and retried with backoff; the others go on."""
        self.store.bell.listen(self.wake)
        failures: dict[str, int] = {}
        retry_at: dict[str, float] = {}
        known: dict[str, int] = {}  # the positions this loop last read or committed (see _pass)
        pause = quickest
        while not self._stop.is_set():
            now = time.monotonic()
            ready = [p for p in self.projections if now >= retry_at.get(p.name, 0.0)]
            failed: dict[str, Exception] = {}
            advanced, more = 0, False
            if ready:
                try:
                    advanced, more = self._pass(ready, partial(_note, failed), known)
                except Exception as problem:  # reading the head or positions failed: every projection waits
                    failed.update((p.name, problem) for p in ready)
                    known.clear()
            for p in ready:
                if p.name not in failed:
                    failures[p.name] = 0
                    continue
                n = failures[p.name] = failures.get(p.name, 0) + 1
                retry_at[p.name] = time.monotonic() + min(5.0, 0.1 * 2**n)
                cause = failed[p.name]
                log.error(
                    "projection %s failed (attempt %d); retrying",
                    p.name,
                    n,
                    exc_info=(type(cause), cause, cause.__traceback__),
                )
            if more:  # a full page, or a position another projector moved: on at once
                pause = quickest
                continue
            if advanced:
                pause = quickest
            # caught up with the head this pass read, or idle: no empty pass to learn it; a ring
            # (or wake()) cuts the wait short, also one that came during the pass (still set)
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
        self.store.bell.listen(self.wake)
        self._thread = threading.Thread(target=self.follow, name="projector", daemon=True)
        self._thread.start()
        return self._thread
