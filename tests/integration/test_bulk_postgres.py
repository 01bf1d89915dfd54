"""``projections.bulk`` inserts on PostgreSQL: fewer than ``COPY_FROM`` rows as one ``INSERT``
executed per row (pipelined by psycopg: one round trip), more through ``COPY``; both store the same
values, including text that COPY's format has to escape. And replay's carry of the feeds' revisions
(``tests/unit/test_feed_carry.py``) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Boolean, Column, Engine, Float, Integer, MetaData, Table, Text, select

from api.config import Settings
from projections import bulk
from projections.store import make_engine
from tests.unit.test_feed_carry import check_carry

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(postgres_settings: Settings) -> Iterator[Engine]:
    url = postgres_settings.database_url
    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(url.split("?", 1)[0], autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    made = make_engine(url)
    yield made
    made.dispose()


def table() -> Table:
    return Table(
        "bulk_rows",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("text", Text, nullable=True),
        Column("flag", Boolean, nullable=False),
        Column("share", Float, nullable=True),
    )


def rows(n: int) -> list[tuple[Any, ...]]:
    texts = ["plain", "tab\there", "line\nbreak", "back\\slash", "\\N", "é ü 中", None, ""]
    return [(i, texts[i % len(texts)], i % 2 == 0, None if i % 3 else i / 7) for i in range(n)]


@pytest.mark.parametrize("n", [1, bulk.COPY_FROM - 1, bulk.COPY_FROM, 3 * bulk.COPY_FROM + 5])
def test_small_and_large_inserts_store_the_same_values(
    engine: Engine, n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = table()
    t.metadata.create_all(engine)
    statements: list[str] = []
    run_many = bulk._execute_many

    def seen(conn: Any, sql: str, values: Any) -> None:  # records, then runs it for real
        statements.append(sql)
        run_many(conn, sql, values)

    monkeypatch.setattr(bulk, "_execute_many", seen)
    with engine.begin() as conn:
        bulk.insert_tuples(conn, t, ["id", "text", "flag", "share"], rows(n))
    inserts = [s for s in statements if s.startswith("INSERT INTO")]
    # the small path is one driver statement (executed for each row); the large one is COPY
    assert len(inserts) == (1 if n < bulk.COPY_FROM else 0)
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))] == rows(n)


def test_insert_rows_takes_dicts_on_both_paths(engine: Engine) -> None:
    t = table()
    t.metadata.create_all(engine)
    names = ["id", "text", "flag", "share"]
    small = [dict(zip(names, r, strict=True)) for r in rows(3)]
    large = [dict(zip(names, (r[0] + 1000, *r[1:]), strict=True)) for r in rows(bulk.COPY_FROM * 2)]
    with engine.begin() as conn:
        bulk.insert_rows(conn, t, small)
        bulk.insert_rows(conn, t, large)
    with engine.connect() as conn:
        stored = [dict(r) for r in conn.execute(select(t).order_by(t.c.id)).mappings()]
    assert stored == small + large


def test_feed_revisions_are_carried_above_the_live_ones(engine: Engine) -> None:
    check_carry(engine)
