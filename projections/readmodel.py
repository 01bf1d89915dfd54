"""What a projection declares about the tables it owns, so that ``campaignevents replay`` rebuilds
them and ``replay --verify`` compares them (``projections/replay.py``) — every one, the same way.

Every projection in the projector (the composition root's one list, ``api/bootstrap.py``) has a
``read_model`` attribute: a ``ReadModel``, or ``None`` for a projection that keeps no tables (the
dispatcher only enqueues jobs). Replay refuses a projection without the attribute, and a test checks
the list, so a new read model (a dialect's index, say) cannot be left out: adding one is the line

    read_model = ReadModel(define, apply)

in its projection class, where ``define(suffix)`` builds its table set under other names (``""``
names the live tables) and ``apply(conn, tables, events)`` is its batch apply into a given set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import MetaData, Table
from sqlalchemy.engine import Connection


class TableSet(Protocol):
    """A projection's tables (``schema.Tables``, ``PlacesTables``, ``PollTables`` …)."""

    @property
    def metadata(self) -> MetaData: ...

    def models(self) -> list[Table]: ...


Fold = Callable[[Connection, Any, Sequence[Any]], object]
Carry = Callable[[Connection, Any, Any], None]


@dataclass(frozen=True)
class ReadModel:
    """How to rebuild a projection's tables.

    - ``define(suffix)``: its tables under ``suffix`` (``""``: the live ones), with the same
      ``models()`` order for every suffix.
    - ``apply(conn, tables, events)``: its batch apply into ``tables`` — the same fold the live
      projection runs, without anything else it does (enqueueing jobs stays with the live apply).
    - ``effects``: the live apply does more than write its tables (the places fold enqueues its
      outbox). Replay then never applies a fact to the rebuilt set that the live projection has not
      applied itself: the live one is first brought to the rebuild's position by its own apply, and
      the tables switch at the live position, so no job is skipped or enqueued twice.
    - ``load_indexes``: column lists of secondary indexes its apply reads through, built before the
      bulk load (the others, and every index of the catalog but ``aggregate_id``'s, after it).
    - ``volatile``: columns that are not a function of the log alone, ``{live table: (column, …)}``
      (the feeds' revisions count batches): ``--verify`` leaves them out of the comparison.
    - ``carry(conn, live, fresh)``: run in the switch transaction before the live tables are
      dropped, to carry over what must not go back (the feeds' revisions, so no old ETag matches).
    """

    define: Callable[[str], Any]
    apply: Fold
    effects: bool = False
    load_indexes: tuple[tuple[str, ...], ...] = ()
    volatile: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    carry: Carry | None = None


def refold_if_outdated(
    store: Any, name: str, tables: TableSet, index_columns: Sequence[str], checked: Table | None = None
) -> bool:
    """A read model whose ``checked`` table (its first one unless given) exists without the index
    ``index_columns``, or that lacks one of its tables, is from before they were added: drop its
    tables and put its tracking position back to 0, so that it is created afresh and folded again
    from the start of the log (for ``init-db``; the caller then creates what is missing). True when
    it did."""
    from sqlalchemy import inspect, update

    models = tables.models()
    found = inspect(store.engine)
    names = set(found.get_table_names())
    first = (models[0] if checked is None else checked).name
    if first not in names:
        return False
    indexed = [i["column_names"] for i in found.get_indexes(first)]
    if list(index_columns) in indexed and all(t.name in names for t in models):
        return False
    tracking = store.tables.tracking
    with store.engine.begin() as conn:
        for table in reversed(models):
            table.drop(conn, checkfirst=True)
        conn.execute(update(tracking).where(tracking.c.name == name).values(position=0))
    return True


def create_missing(engine: Any, tables: TableSet) -> None:
    """Create those of ``tables`` that do not exist yet (idempotent; ``init-db`` serialises starts)."""
    from sqlalchemy import inspect

    existing = set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        for table in tables.models():
            if table.name not in existing:
                table.create(conn)
