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

All of it runs inside the caller's transaction (the one that moves the tracking position), on the
driver's own cursor of the connection (SQLAlchemy's execution machinery around a statement cost more
than SQLite's work for a one-row batch), with each statement's text built once per table and columns
(``_sql``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

Row = dict[str, Any]
COPY_FROM = 64  # PostgreSQL: rows from which an insert goes through COPY
TEXTS_KEPT = 4096  # statement texts kept (_sql)


def _sqlite(conn: Connection) -> bool:
    return conn.dialect.paramstyle == "qmark"


_TEXTS: dict[tuple[Any, ...], str] = {}


def _sql(conn: Connection, build: Callable[..., str], *args: Any) -> str:
    """``build(conn, *args)``: a statement's text, built once per dialect and arguments (the
    tables, column names and counts a fold writes with repeat; ``args`` must be hashable)."""
    key = (conn.dialect, build, args)
    found = _TEXTS.get(key)
    if found is None:
        if len(_TEXTS) >= TEXTS_KEPT:  # tests and replays define many table sets: keep it bounded
            _TEXTS.clear()
        found = _TEXTS[key] = build(conn, *args)
    return found


def _cursor(conn: Connection) -> Any:
    """The driver's cursor of ``conn``, in its transaction (begun here if the caller's has not yet,
    as SQLAlchemy's own execute would)."""
    if not conn.in_transaction():
        conn.begin()
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _execute(conn: Connection, sql: str, params: Any = ()) -> list[Any]:
    """One statement on the driver's cursor, inside the caller's transaction; its rows, if any."""
    cursor = _cursor(conn)
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description is not None else []
    finally:
        cursor.close()


def _execute_many(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    cursor = _cursor(conn)
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


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
    if _sqlite(conn) or len(values) < COPY_FROM:
        _execute_many(conn, _sql(conn, _insert_sql, table, tuple(names)), values)
        return
    with _cursor(conn) as cursor, cursor.copy(_sql(conn, _copy_sql, table, tuple(names))) as copy:
        for row in values:
            copy.write_row(row)


def _insert_sql(conn: Connection, table: Table, names: tuple[str, ...]) -> str:
    mark = "?" if _sqlite(conn) else "%s"
    columns = ", ".join(_quote(conn, n) for n in names)
    return f"INSERT INTO {_quote(conn, table.name)} ({columns}) VALUES ({', '.join([mark] * len(names))})"


def _copy_sql(conn: Connection, table: Table, names: tuple[str, ...]) -> str:
    return f"COPY {_quote(conn, table.name)} ({', '.join(_quote(conn, n) for n in names)}) FROM STDIN"


def update_rows(
    conn: Connection, table: Table, keys: Sequence[str], columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Set ``columns`` of each row found by ``keys`` to the row's values."""
    if not rows:
        return
    values = list(map(itemgetter(*columns, *keys), rows))
    sql = _sql(conn, _update_sql, table, tuple(keys), tuple(columns))
    if _sqlite(conn):
        _execute_many(conn, sql, values)
        return
    _execute(conn, sql, _columns(values, len(columns) + len(keys)))


def _update_sql(conn: Connection, table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> str:
    q = _quote
    if _sqlite(conn):
        return (
            f"UPDATE {q(conn, table.name)} SET {', '.join(f'{q(conn, c)} = ?' for c in columns)} "
            f"WHERE {' AND '.join(f'{q(conn, k)} = ?' for k in keys)}"
        )
    assignments = ", ".join(f"{q(conn, c)} = v.{q(conn, c)}" for c in columns)
    match = " AND ".join(f"t.{q(conn, k)} = v.{q(conn, k)}" for k in keys)
    source = _unnest(conn, table, [*columns, *keys])
    return f"UPDATE {q(conn, table.name)} AS t SET {assignments} FROM {source} WHERE {match}"


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
    sql = _sql(conn, _delete_sql, table, tuple(keys))
    if _sqlite(conn):
        _execute_many(conn, sql, list(values))
        return
    _execute(conn, sql, _columns(values, len(keys)))


def _delete_sql(conn: Connection, table: Table, keys: tuple[str, ...]) -> str:
    q = _quote
    if _sqlite(conn):
        return f"DELETE FROM {q(conn, table.name)} WHERE {' AND '.join(f'{q(conn, k)} = ?' for k in keys)}"
    match = " AND ".join(f"t.{q(conn, k)} = v.{q(conn, k)}" for k in keys)
    return f"DELETE FROM {q(conn, table.name)} AS t USING {_unnest(conn, table, keys)} WHERE {match}"


def rows_in(
    conn: Connection, table: Table, column: str, values: Sequence[Any], size: int = 500
) -> Iterator[Row]:
    """The rows of ``table`` whose ``column`` is one of ``values`` (every column, as the driver
    returns it: SQLite gives booleans as 0/1), ``size`` values per statement."""
    if not values:
        return
    names = [c.name for c in table.columns]
    if not _sqlite(conn):  # one array parameter: one short statement for any number of values
        for row in _execute(conn, _sql(conn, _rows_in_sql, table, column, 0), (list(values),)):
            yield dict(zip(names, row, strict=True))
        return
    for first in range(0, len(values), size):
        chunk = tuple(values[first : first + size])
        for row in _execute(conn, _sql(conn, _rows_in_sql, table, column, len(chunk)), chunk):
            yield dict(zip(names, row, strict=True))


def _rows_in_sql(conn: Connection, table: Table, column: str, count: int) -> str:
    """``count`` ``?`` marks on SQLite; PostgreSQL's one array parameter (``count`` 0)."""
    q = _quote
    head = f"SELECT {', '.join(q(conn, c.name) for c in table.columns)} FROM {q(conn, table.name)}"
    if not _sqlite(conn):
        return f"{head} WHERE {q(conn, column)} = ANY(%s::{_pg_type(conn, table, column)}[])"
    return f"{head} WHERE {q(conn, column)} IN ({', '.join(['?'] * count)})"


def max_in(
    conn: Connection, table: Table, key: str, column: str, values: Sequence[Any], size: int = 500
) -> Iterator[tuple[Any, Any]]:
    """``(key, MAX(column))`` of the rows of ``table`` whose ``key`` is one of ``values``: one pair
    per key that has rows (as the driver returns them), ``size`` values per statement on SQLite."""
    if not values:
        return
    if not _sqlite(conn):  # one array parameter, as rows_in
        for found, top in _execute(conn, _sql(conn, _max_in_sql, table, key, column, 0), (list(values),)):
            yield found, top
        return
    for first in range(0, len(values), size):
        chunk = tuple(values[first : first + size])
        for found, top in _execute(conn, _sql(conn, _max_in_sql, table, key, column, len(chunk)), chunk):
            yield found, top


def _max_in_sql(conn: Connection, table: Table, key: str, column: str, count: int) -> str:
    q = _quote
    k = q(conn, key)
    head = f"SELECT {k}, MAX({q(conn, column)}) FROM {q(conn, table.name)} WHERE {k}"
    if not _sqlite(conn):
        return f"{head} = ANY(%s::{_pg_type(conn, table, key)}[]) GROUP BY {k}"
    return f"{head} IN ({', '.join(['?'] * count)}) GROUP BY {k}"


def max_of(conn: Connection, table: Table, column: str) -> int:
    """``MAX(column)`` over all of ``table`` (0 for no rows)."""
    found = _execute(conn, f"SELECT MAX({_quote(conn, column)}) FROM {_quote(conn, table.name)}")
    return int(found[0][0] or 0)


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
    sql = _sql(conn, _upsert_sql, table, tuple(names), tuple(keys), assignments)
    if _sqlite(conn):
        _execute_many(conn, sql, list(values))
        return
    _execute(conn, sql, _columns(values, len(names)))


def _upsert_sql(
    conn: Connection, table: Table, names: tuple[str, ...], keys: tuple[str, ...], assignments: str
) -> str:
    q = _quote
    name = q(conn, table.name)
    columns = ", ".join(q(conn, n) for n in names)
    conflict = (
        f"ON CONFLICT ({', '.join(q(conn, k) for k in keys)}) DO UPDATE SET {assignments.format(table=name)}"
    )
    if _sqlite(conn):
        return f"INSERT INTO {name} ({columns}) VALUES ({', '.join(['?'] * len(names))}) {conflict}"
    return f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {_unnest(conn, table, names)} {conflict}"
