"""Per-participant answer keys, outside the event log (the crypto-shredding half of the answers).

SQLite keeps them in their own file with ``secure_delete`` on and a rollback journal (not WAL), so a
destroyed key's bytes are overwritten in the file rather than left in free pages or a WAL file.
PostgreSQL keeps them in a table of the service's schema; there a destroyed row is gone for every
reader at once, and its bytes are reclaimed by VACUUM.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    and_,
    create_engine,
    delete,
    event,
    insert,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Engine

from domain.answers import new_key
from domain.ports import SpentKeys
from projections.bulk import delete_keys
from projections.store import read_model_url

metadata = MetaData()
answer_keys = Table(
    "answer_keys",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("user_id", Integer, primary_key=True, autoincrement=False),
    Column("key_id", String(32), primary_key=True),
    Column("key", LargeBinary(64), nullable=False),
    Column("created_at", Float, nullable=False),  # Unix time
)


def keys_url(database_url: str) -> tuple[str, dict[str, Any]]:
    url, args = read_model_url(database_url)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        url = f"sqlite:///{path.with_name(path.name.replace('-readmodels.db', '-keys.db'))}"
    return url, args


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=DELETE")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class SqlKeyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, database_url: str) -> SqlKeyStore:
        url, args = keys_url(database_url)
        engine = create_engine(url, connect_args=args)
        if url.startswith("sqlite"):
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return cls(engine)

    def create_table(self) -> None:
        metadata.create_all(self.engine, checkfirst=True)

    def create(self, event_id: int, user_id: int, at: datetime) -> tuple[str, bytes]:
        key_id, key = secrets.token_hex(8), new_key()
        with self.engine.begin() as conn:
            conn.execute(
                insert(answer_keys).values(
                    event_id=event_id, user_id=user_id, key_id=key_id, key=key, created_at=at.timestamp()
                )
            )
        return key_id, key

    def get(self, event_id: int, user_id: int, key_id: str | None = None) -> bytes | None:
        k = answer_keys.c
        query = select(k.key).where(and_(k.event_id == event_id, k.user_id == user_id))
        query = query.where(k.key_id == key_id) if key_id else query.order_by(k.created_at.desc()).limit(1)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        return bytes(found) if found is not None else None

    def keys_of(self, event_id: int, user_ids: list[int]) -> dict[tuple[int, str], bytes]:
        """Every key of these participants of the event, by (user id, key id): one read per 500."""
        k = answer_keys.c
        found: dict[tuple[int, str], bytes] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(user_ids), 500):
                chunk = user_ids[start : start + 500]
                where = and_(k.event_id == event_id, k.user_id.in_(chunk))
                query = select(k.user_id, k.key_id, k.key).where(where)
                found.update(((int(u), str(kid)), bytes(key)) for u, kid, key in conn.execute(query))
        return found

    def destroy(self, event_id: int, user_id: int, keep: str | None = None) -> None:
        k = answer_keys.c
        condition = and_(k.event_id == event_id, k.user_id == user_id)
        if keep is not None:
            condition = and_(condition, k.key_id != keep)
        with self.engine.begin() as conn:
            conn.execute(delete(answer_keys).where(condition))

    def destroy_key(self, event_id: int, user_id: int, key_id: str) -> None:
        k = answer_keys.c
        with self.engine.begin() as conn:
            conn.execute(
                delete(answer_keys).where(
                    and_(k.event_id == event_id, k.user_id == user_id, k.key_id == key_id)
                )
            )

    def destroy_participants(self, event_id: int, user_ids: list[int]) -> None:
        k = answer_keys.c
        with self.engine.begin() as conn:
            for start in range(0, len(user_ids), 500):
                chunk = user_ids[start : start + 500]
                conn.execute(delete(answer_keys).where(and_(k.event_id == event_id, k.user_id.in_(chunk))))

    def destroy_keys(self, event_id: int, keys: list[tuple[int, str]]) -> None:
        with self.engine.begin() as conn:
            _destroy_keys(conn, event_id, keys)

    def spend_keys(
        self,
        event_id: int,
        user_ids: list[int],
        use: Callable[[dict[tuple[int, str], bytes]], SpentKeys],
    ) -> None:
        """SQLite's transactions here begin IMMEDIATE (the write lock, taken first); PostgreSQL's
        takes a lock on the table that every insert and delete of another waits for. The reads and
        deletes are driver statements (``_held``, ``_spend``): a batch's thousands of ids as
        SQLAlchemy bind parameters cost more than the database's work."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"LOCK TABLE {answer_keys.name} IN SHARE ROW EXCLUSIVE MODE"))
            spent = use(_held(conn, event_id, user_ids))
            _spend(conn, event_id, spent.participants)
            delete_keys(
                conn, answer_keys, ("event_id", "user_id", "key_id"), [(event_id, *k) for k in spent.keys]
            )

    def holders(
        self, after: tuple[int, int, str] | None, limit: int, created_before: datetime | None = None
    ) -> list[tuple[int, int, str]]:
        k = answer_keys.c
        query = select(k.event_id, k.user_id, k.key_id).order_by(k.event_id, k.user_id, k.key_id).limit(limit)
        if after is not None:
            e, u, key_id = after
            query = query.where(
                or_(
                    k.event_id > e,
                    and_(k.event_id == e, k.user_id > u),
                    and_(k.event_id == e, k.user_id == u, k.key_id > key_id),
                )
            )
        if created_before is not None:
            query = query.where(k.created_at < created_before.timestamp())
        with self.engine.connect() as conn:
            return [(r[0], r[1], r[2]) for r in conn.execute(query)]

    def close(self) -> None:
        self.engine.dispose()


def _destroy_keys(conn: Any, event_id: int, keys: list[tuple[int, str]]) -> None:
    k = answer_keys.c
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        where = and_(k.event_id == event_id, tuple_(k.user_id, k.key_id).in_(chunk))
        conn.execute(delete(answer_keys).where(where))


# --- a batch's keys, as driver statements ----------------------------------------------------
# SQLite: ``IN`` lists of up to ``_CHUNK`` parameters (the driver prepares each statement text once
# and keeps it); PostgreSQL: one array parameter, ``= ANY(%s)``, whatever the number of ids.
_CHUNK = 500
_SELECT = f"SELECT user_id, key_id, key FROM {answer_keys.name} WHERE event_id = {{p}} AND user_id"
_DELETE = f"DELETE FROM {answer_keys.name} WHERE event_id = {{p}} AND user_id"


def _by_user(conn: Any, head: str, event_id: int, user_ids: list[int]) -> Iterator[Any]:
    """``head`` (``_SELECT``, ``_DELETE``) for these participants of the event: each statement's
    result, executed one after the other."""
    if conn.dialect.paramstyle != "qmark":
        yield conn.exec_driver_sql(f"{head.format(p='%s')} = ANY(%s::integer[])", (event_id, user_ids))
        return
    for start in range(0, len(user_ids), _CHUNK):
        chunk = user_ids[start : start + _CHUNK]
        yield conn.exec_driver_sql(
            f"{head.format(p='?')} IN ({', '.join(['?'] * len(chunk))})", (event_id, *chunk)
        )


def _held(conn: Any, event_id: int, user_ids: list[int]) -> dict[tuple[int, str], bytes]:
    """Every key of these participants of the event, by (user id, key id)."""
    held: dict[tuple[int, str], bytes] = {}
    for result in _by_user(conn, _SELECT, event_id, user_ids):
        held.update(((u, kid), bytes(key)) for u, kid, key in result.fetchall())
    return held


def _spend(conn: Any, event_id: int, user_ids: list[int]) -> None:
    """Delete every key of these participants of the event."""
    for _ in _by_user(conn, _DELETE, event_id, user_ids):
        pass
