"""Per-participant answer keys, outside the event log (the crypto-shredding half of the answers).

SQLite keeps them in their own file with ``secure_delete`` on and a rollback journal (not WAL), so a
destroyed key's bytes are overwritten in the file rather than left in free pages or a WAL file.
PostgreSQL keeps them in a table of the service's schema; there a destroyed row is gone for every
reader at once, and its bytes are reclaimed by VACUUM.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    and_,
    create_engine,
    delete,
    event,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from projections.store import read_model_url

metadata = MetaData()
answer_keys = Table(
    "answer_keys",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("user_id", Integer, primary_key=True, autoincrement=False),
    Column("key", LargeBinary(64), nullable=False),
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
        self._insert = (sqlite.insert if engine.dialect.name == "sqlite" else postgresql.insert)(answer_keys)

    @classmethod
    def open(cls, database_url: str) -> SqlKeyStore:
        url, args = keys_url(database_url)
        engine = create_engine(url, connect_args=args)
        if url.startswith("sqlite"):
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return cls(engine)

    def create(self) -> None:
        metadata.create_all(self.engine, checkfirst=True)

    def get(self, event_id: int, user_id: int) -> bytes | None:
        query = select(answer_keys.c.key).where(
            and_(answer_keys.c.event_id == event_id, answer_keys.c.user_id == user_id)
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        return bytes(found) if found is not None else None

    def put(self, event_id: int, user_id: int, key: bytes) -> None:
        statement = self._insert.values(event_id=event_id, user_id=user_id, key=key)
        with self.engine.begin() as conn:
            conn.execute(statement.on_conflict_do_nothing(index_elements=["event_id", "user_id"]))

    def destroy(self, event_id: int, user_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(answer_keys).where(
                    and_(answer_keys.c.event_id == event_id, answer_keys.c.user_id == user_id)
                )
            )

    def holders(self, after: tuple[int, int] | None, limit: int) -> list[tuple[int, int]]:
        k = answer_keys.c
        query = select(k.event_id, k.user_id).order_by(k.event_id, k.user_id).limit(limit)
        if after is not None:
            query = query.where(
                or_(k.event_id > after[0], and_(k.event_id == after[0], k.user_id > after[1]))
            )
        with self.engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(query)]

    def close(self) -> None:
        self.engine.dispose()
