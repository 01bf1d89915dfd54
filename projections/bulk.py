"""Bulk writes of a folded batch, straight to the driver (every projection's ``flush``).

Rows go to the driver as tuples: SQLAlchemy's per-row parameter processing cost more than the
database's own work here. Values are plain str/int/float/bool/None, which sqlite3 and psycopg both
take as they are.

- SQLite: one ``executemany`` per statement (a C loop over one prepared statement).
- PostgreSQL: inserts of more than ``COPY_FROM`` rows go through ``COPY ... FROM STDIN`` (no
  statement to plan per row); fewer (a create's one-row inserts) are one ``INSERT ... VALUES``
  executed for each row, which psycopg pipelines: one round trip, where a COPY takes two (the
  command, then the data). Updates, deletes and reads by key are one statement each, joining ``unnest``
  of one array parameter per column: short statements psycopg parses once (a statement with
  thousands of ``%s`` is parsed again every time, which cost more than the database's work).

All of it runs inside the caller's transaction (the one that moves the tracking position).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

Row = dict[str, Any]
COPY_FROM = 64  # PostgreSQL: rows from which an insert goes through COPY


def _sqlite(conn: Connection) -> bool:
    return conn.dialect.paramstyle == "qmark"


def _quote(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _pg_type(conn: Connection, table: Table, name: str) -> str:
    return str(table.c[name].type.compile(dialect=conn.dialect))


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (each gives every column of ``table``)."""
    if not rows:
        return
    names = [c.name for c in table.columns]
    values = list(map(itemgetter(*names), rows)) if len(names) > 1 else [(r[names[0]],) for r in rows]
    insert_tuples(conn, table, names, values)


def insert_tuples(
    conn: Connection, table: Table, names: Sequence[str], values: Sequence[Sequence[Any]]
) -> None:
    """Insert ``values`` (tuples in the order of ``names``)."""
    if not values:
        return
    q = _quote
    columns = ", ".join(q(conn, n) for n in names)
    sqlite = _sqlite(conn)
    if sqlite or len(values) < COPY_FROM:
        marks = ", ".join(["?" if sqlite else "%s"] * len(names))
        conn.exec_driver_sql(f"INSERT INTO {q(conn, table.name)} ({columns}) VALUES ({marks})", list(values))
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f"COPY {q(conn, table.name)} ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def update_rows(
    conn: Connection, table: Table, keys: Sequence[str], columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Set ``columns`` of each row found by ``keys`` to the row's values."""
    if not rows:
        return
    values = list(map(itemgetter(*columns, *keys), rows))
    q = _quote
    if _sqlite(conn):
        sql = (
            f"UPDATE {q(conn, table.name)} SET {', '.join(f'{q(conn, c)} = ?' for c in columns)} "
            f"WHERE {' AND '.join(f'{q(conn, k)} = ?' for k in keys)}"
        )
        conn.exec_driver_sql(sql, values)
        return
    names = [*columns, *keys]
    assignments = ", ".join(f"{q(conn, c)} = v.{q(conn, c)}" for c in columns)
    match = " AND ".join(f"t.{q(conn, k)} = v.{q(conn, k)}" for k in keys)
    source = _unnest(conn, table, names)
    sql = f"UPDATE {q(conn, table.name)} AS t SET {assignments} FROM {source} WHERE {match}"
    conn.exec_driver_sql(sql, _columns(values, len(names)))


def _unnest(conn: Connection, table: Table, names: Sequence[str]) -> str:
    """PostgreSQL: ``unnest(%s::type[], ...) AS v(names)``, one array parameter per column (a
    short statement whatever the number of rows: psycopg parses and caches it once)."""
    arrays = ", ".join(f"%s::{_pg_type(conn, table, n)}[]" for n in names)
    return f"unnest({arrays}) AS v ({', '.join(_quote(conn, n) for n in names)})"


def _columns(values: Sequence[Sequence[Any]], width: int) -> tuple[list[Any], ...]:
    """Row tuples turned into one list per column (the arrays of ``_unnest``)."""
    if not values:
        return tuple([] for _ in range(width))
    return tuple(list(column) for column in zip(*values, strict=True))


def delete_keys(conn: Connection, table: Table, keys: Sequence[str], values: Sequence[Sequence[Any]]) -> None:
    """Delete the rows whose ``keys`` equal one of ``values`` (tuples in the order of ``keys``)."""
    if not values:
        return
    q = _quote
    if _sqlite(conn):
        where = " AND ".join(f"{q(conn, k)} = ?" for k in keys)
        conn.exec_driver_sql(f"DELETE FROM {q(conn, table.name)} WHERE {where}", list(values))
        return
    match = " AND ".join(f"t.{q(conn, k)} = v.{q(conn, k)}" for k in keys)
    conn.exec_driver_sql(
        f"DELETE FROM {q(conn, table.name)} AS t USING {_unnest(conn, table, keys)} WHERE {match}",
        _columns(values, len(keys)),
    )


def rows_in(
    conn: Connection, table: Table, column: str, values: Sequence[Any], size: int = 500
) -> Iterator[Row]:
    """The rows of ``table`` whose ``column`` is one of ``values`` (every column, as the driver
    returns it: SQLite gives booleans as 0/1), ``size`` values per statement."""
    if not values:
        return
    names = [c.name for c in table.columns]
    q = _quote
    head = f"SELECT {', '.join(q(conn, n) for n in names)} FROM {q(conn, table.name)} WHERE {q(conn, column)}"
    if not _sqlite(conn):  # one array parameter: one short statement for any number of values
        found = conn.exec_driver_sql(f"{head} = ANY(%s::{_pg_type(conn, table, column)}[])", (list(values),))
        for row in found:
            yield dict(zip(names, row, strict=True))
        return
    for first in range(0, len(values), size):
        chunk = tuple(values[first : first + size])
        for row in conn.exec_driver_sql(f"{head} IN ({', '.join(['?'] * len(chunk))})", chunk):
            yield dict(zip(names, row, strict=True))


def max_in(
    conn: Connection, table: Table, key: str, column: str, values: Sequence[Any], size: int = 500
) -> Iterator[tuple[Any, Any]]:
    """``(key, MAX(column))`` of the rows of ``table`` whose ``key`` is one of ``values``: one pair
    per key that has rows (as the driver returns them), ``size`` values per statement on SQLite."""
    if not values:
        return
    q = _quote
    k = q(conn, key)
    head = f"SELECT {k}, MAX({q(conn, column)}) FROM {q(conn, table.name)} WHERE {k}"
    if not _sqlite(conn):  # one array parameter, as rows_in
        sql = f"{head} = ANY(%s::{_pg_type(conn, table, key)}[]) GROUP BY {k}"
        for found, top in conn.exec_driver_sql(sql, (list(values),)):
            yield found, top
        return
    for first in range(0, len(values), size):
        chunk = tuple(values[first : first + size])
        sql = f"{head} IN ({', '.join(['?'] * len(chunk))}) GROUP BY {k}"
        for found, top in conn.exec_driver_sql(sql, chunk):
            yield found, top


def max_of(conn: Connection, table: Table, column: str) -> int:
    """``MAX(column)`` over all of ``table`` (0 for no rows)."""
    found = conn.exec_driver_sql(f"SELECT MAX({_quote(conn, column)}) FROM {_quote(conn, table.name)}")
    return int(found.scalar() or 0)


def upsert_tuples(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    keys: Sequence[str],
    values: Sequence[Sequence[Any]],
    assignments: str,
) -> None:
    """Insert ``values`` (tuples in the order of ``names``, no two with the same ``keys``); a row
    whose ``keys`` are taken is updated instead, by ``assignments``: the text of ``SET``, in which
    ``{table}`` stands for the stored row (the table's quoted name) and ``excluded`` for the values
    given (``INSERT ... ON CONFLICT (keys) DO UPDATE``, SQLite and PostgreSQL alike). One statement:
    an ``executemany`` on SQLite, one ``unnest`` of an array per column on PostgreSQL."""
    if not values:
        return
    q = _quote
    name = q(conn, table.name)
    columns = ", ".join(q(conn, n) for n in names)
    conflict = (
        f"ON CONFLICT ({', '.join(q(conn, k) for k in keys)}) DO UPDATE SET {assignments.format(table=name)}"
    )
    if _sqlite(conn):
        marks = ", ".join(["?"] * len(names))
        conn.exec_driver_sql(f"INSERT INTO {name} ({columns}) VALUES ({marks}) {conflict}", list(values))
        return
    source = _unnest(conn, table, names)
    conn.exec_driver_sql(
        f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {source} {conflict}",
        _columns(values, len(names)),
    )
