"""``store.writing``: on SQLite a transaction that reads before it writes takes the write lock at
BEGIN. SQLite only (PostgreSQL's MVCC has no such failure, and ``writing`` leaves its engine as is)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from domain.ports import FakeClock
from projections.store import writing


@pytest.fixture
def built(sqlite_settings: Settings, clock: FakeClock) -> Iterator[Services]:
    init_store(sqlite_settings)
    services = build_services(sqlite_settings, clock)
    yield services
    services.close()


def test_a_rebuild_page_that_reads_first_survives_a_concurrent_commit(built: Services) -> None:
    """A replay page's apply may read before it writes; the live projector (a job's catch-up) may
    commit in between. On SQLite a plain BEGIN then fails at once with "database is locked" (WAL
    refuses a stale snapshot's write); ``writing`` takes the write lock at BEGIN, so the other
    writer waits instead. This was a flaky replay test in CI."""
    engine = built.store.engine
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (n INTEGER)"))
    done: list[str] = []

    def other_writer() -> None:
        with engine.begin() as conn:  # waits for the rebuild's lock (busy_timeout), then commits
            conn.execute(text("INSERT INTO probe VALUES (2)"))
        done.append("other")

    with writing(engine).begin() as conn:
        conn.execute(text("SELECT count(*) FROM probe")).scalar_one()
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join(0.3)
        assert done == []  # held off by the lock taken at BEGIN
        conn.execute(text("INSERT INTO probe VALUES (1)"))
    thread.join(10)
    assert done == ["other"]
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT n FROM probe")).scalars()) == [1, 2]
