"""Replay's switch carries the feeds' revisions above the live ones (``feeds.carry_revisions``,
one ``UPDATE ... FROM``): a feed the live set knows gets max(rebuilt, live + 1), one it does not
keeps the rebuilt revision, and the live set is left as it was."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, select

from projections.feeds import carry_revisions
from projections.schema import define_feeds


def check_carry(engine: Engine) -> None:
    live, fresh = define_feeds(), define_feeds("__rebuild")
    live.stamps.create(engine)
    fresh.stamps.create(engine)
    at = "2026-11-22T12:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            insert(live.stamps),
            [{"feed": f, "revision": r, "last_modified": at} for f, r in (("e:1", 5), ("o:2", 1))],
        )
        conn.execute(
            insert(fresh.stamps),
            [
                {"feed": f, "revision": r, "last_modified": at}
                for f, r in (("e:1", 2), ("o:2", 3), ("p:3", 1))
            ],
        )
        carry_revisions(conn, live, fresh)
    with engine.connect() as conn:
        assert dict(conn.execute(select(fresh.stamps.c.feed, fresh.stamps.c.revision)).all()) == {
            "e:1": 6,  # above the live 5
            "o:2": 3,  # the rebuilt 3 is already above the live 1
            "p:3": 1,  # unknown to the live set
        }
        assert dict(conn.execute(select(live.stamps.c.feed, live.stamps.c.revision)).all()) == {
            "e:1": 5,
            "o:2": 1,
        }


def test_revisions_are_carried_above_the_live_ones(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/carry.db")
    try:
        check_carry(engine)
    finally:
        engine.dispose()
