"""The read-model database: engine, live tables, tracking positions and the read-your-writes wait.

SQLite keeps the read models in their own file beside the event store (so projector writes never
queue behind event appends), in WAL mode; PostgreSQL keeps them in the event store's database and
schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine, create_engine, event, insert, inspect, select
from sqlalchemy.engine import Connection

from projections.schema import TABLE_NAMES, Tables, define
from projections.wakeup import Bell, PostgresBell, SocketBell


def read_model_url(database_url: str) -> tuple[str, dict[str, Any]]:
    """The SQLAlchemy URL and connect args for the read models of an event-store URL."""
    parts = urlsplit(database_url)
    if parts.scheme in ("postgresql", "postgres"):
        schema = parse_qs(parts.query).get("schema", [None])[0]
        url = "postgresql+psycopg://" + database_url.split("://", 1)[1].split("?", 1)[0]
        args: dict[str, Any] = {"connect_timeout": 5}
        if schema:
            args["options"] = f"-c search_path={schema}"
        return url, args
    path = database_url[len("sqlite:///") :]
    if path in ("", ":memory:"):
        raise ValueError("read models need a SQLite file, not :memory:")
    target = Path(path).with_name(Path(path).stem + "-readmodels.db")
    return f"sqlite:///{target}", {"timeout": 30, "check_same_thread": False}


def make_engine(database_url: str) -> Engine:
    url, args = read_model_url(database_url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args=args, pool_size=10, max_overflow=20)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, connect_args=args, pool_size=10, max_overflow=20, pool_pre_ping=True)


def driver_rows(
    engine: Engine, sql: str, values: Sequence[Any] | Mapping[str, Any] = ()
) -> list[tuple[Any, ...]]:
    """One read statement of the driver's own text on a pooled driver connection: no SQLAlchemy
    connection, transaction or result around it. On SQLite no BEGIN either (the connections are in
    autocommit mode: an autocommit read of the last commit); PostgreSQL's driver begins one, which
    the pool rolls back on return."""
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        try:
            cursor.execute(sql, values)
            return list(cursor.fetchall())
        finally:
            cursor.close()
    finally:
        conn.close()


class Prepared:
    """A SQLAlchemy read statement compiled once, for the engine's dialect, to the driver's own text
    (the reads every request makes: SQLAlchemy's connection, events, compiled-cache lookup and result
    cost more than the database's work). ``rows(values)``: its rows for the bind values by name
    (values bound in the statement itself are taken as they are). Not for expanding ``IN``."""

    def __init__(self, engine: Engine, statement: Any) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.engine = engine
        self.statement = statement  # for SQLAlchemy's own execution where ``rows`` cannot serve
        self.sql = compiled.string
        self.bound = dict(compiled.params)
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None

    def rows(self, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        given = {**self.bound, **values}
        if self.order is None:
            return driver_rows(self.engine, self.sql, given)
        return driver_rows(self.engine, self.sql, tuple(given[name] for name in self.order))


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def writing(engine: Engine) -> Engine:
    """``engine`` for transactions that read before they write: on SQLite they take the write lock
    at BEGIN (IMMEDIATE), so a commit by another connection between their first read and first
    write cannot fail them with "database is locked" (WAL refuses a stale snapshot's write at once,
    without waiting). The same engine elsewhere."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see make_engine)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class ReadStore:
    def __init__(self, engine: Engine, bell: Bell | None = None) -> None:
        self.engine = engine
        self.tables = define()
        self.bell = bell or Bell()  # wakes the projector on a write; tells writes what it applied
        self._all_positions = f'SELECT name, position FROM "{self.tables.tracking.name}"'

    @classmethod
    def open(cls, database_url: str) -> ReadStore:
        url, args = read_model_url(database_url)
        if url.startswith("sqlite:///"):
            path = Path(url[len("sqlite:///") :])
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(make_engine(database_url), SocketBell(str(path.resolve())))
        conninfo = "postgresql://" + url.split("://", 1)[1]
        return cls(
            make_engine(database_url), PostgresBell(conninfo, args, f"{conninfo} {args.get('options')}")
        )

    def create(self, names: tuple[str, ...]) -> None:
        """Create missing tables and tracking rows (idempotent; callers serialise concurrent starts)."""
        existing = set(inspect(self.engine).get_table_names())
        with self.engine.begin() as conn:
            for table in [self.tables.tracking, *self.tables.models()]:
                if table.name not in existing:
                    table.create(conn)
            known = set(conn.execute(select(self.tables.tracking.c.name)).scalars())
            for name in names:
                if name not in known:
                    conn.execute(insert(self.tables.tracking).values(name=name, position=0))

    def positions(self, names: list[str]) -> dict[str, int]:
        every = self.all_positions()  # the projector asks before every page: no SQL built per call
        missing = set(names) - set(every)
        if missing:
            raise LookupError(f"no tracking row for {sorted(missing)}")
        return {name: every[name] for name in names}

    def position(self, name: str, conn: Connection | None = None) -> int:
        query = select(self.tables.tracking.c.position).where(self.tables.tracking.c.name == name)
        if conn is not None:
            return int(conn.execute(query).scalar_one())
        with self.engine.connect() as own:
            return int(own.execute(query).scalar_one())

    def all_positions(self) -> dict[str, int]:
        """Every tracking row's position, in one read of the (few-row) tracking table; the
        statement is the driver's own text, built once (no expression compiled per call), run on
        the pooled driver connection itself: no SQLAlchemy connection, and on SQLite no BEGIN (an
        autocommit read of the last commit; the pool rolls back on return elsewhere)."""
        return {name: int(position) for name, position in driver_rows(self.engine, self._all_positions)}

    def wait_for_all(self, position: int, names: tuple[str, ...], timeout: float = 5.0) -> bool:
        """Read-your-writes for a write that touches several read models: one ring, then one
        bounded wait until every one of ``names`` has applied ``position`` (their positions are
        re-read together, and any projector signal re-checks them all)."""
        if position <= 0:
            return True
        self.bell.ring()
        return self.bell.wait_all_applied(names, position, timeout, self.all_positions)

    def wait_for(self, position: int, name: str, timeout: float = 5.0) -> bool:
        """Read-your-writes: ring the projector (the write has committed), then wait (bounded)
        until read model ``name`` has applied ``position``: woken by the projector's own signal
        (``projections.wakeup``), the stored position re-read now and then."""
        if position <= 0:
            return True
        self.bell.ring()
        return self.bell.wait_applied(name, position, timeout, lambda: self.position(name))

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def dump(self, tables: Tables | None = None) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every read-model table, sorted (for comparing a replay with the live set)."""
        tables = tables or self.tables
        with self.engine.connect() as conn:
            return {
                name: sorted(tuple(r) for r in conn.execute(select(table)))
                for name, table in zip(TABLE_NAMES, tables.models(), strict=True)
            }

    def close(self) -> None:
        self.bell.close()
        self.engine.dispose()
