"""Wild Apricot's read model (DIALECTS.md: a dialect may add the read model its queries need): one
row per event with the columns ``$filter`` and ``$sort`` work over (api/wildapricot/query.py's
``FilterColumns``), each indexed: the folded name (``name_key``), the local calendar dates of start
and end in the event's own time zone, the UTC start and end (sorting, ``IsUpcoming``), whether
registration is open, and the text index (name, plain-text description, location, start date,
tags). ``Tags in`` reads the content model's ``rm_event_tags`` (indexed on ``(tag_key, event_id)``).

It also keeps the inputs of the visibility rule (``policies.can_see_event``): the moderation flag
(``hidden``) and the audience (``for_everyone``; the attached groups and subgroups in
``rm_wa_event_sets``, whose rows go with a deleted group or subgroup:
``projections/audience_sets.py``), so that a list's filter, order and OFFSET walk one covering
index (``LIST_INDEX``) without joining another table for every skipped row. The rule itself stays
in domain/policies.py; api/wildapricot/reads.py writes it as a condition over these columns.

Its own tracking row (``NAME``) and table; a batch is folded set-based in the projector's
transaction (the rows it touches read with one query per chunk, facts folded in log order, each
touched row written once), so writes are covered by read-your-writes (``Services.written``) and the
table is rebuilt from the log like every read model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

from api.wildapricot.query import name_key, text_index
from domain import audiences, content, moderation, scheduling
from domain.registration import DETAIL_FACTS, EventRegistration
from projections.audience_sets import DELETIONS, SETS_INDEX, AttachedSets, refold_if_sets_outdated, sets_table
from projections.bulk import insert_rows, rows_in, update_rows
from projections.readmodel import ReadModel, create_missing, refold_if_outdated
from projections.runner import existing
from projections.schema import Tables

NAME = "wildapricot"
CHUNK = 500
STAMP = "%Y-%m-%d %H:%M:%S"  # UTC, sortable as text
Row = dict[str, Any]

FACTS: tuple[type[Any], ...] = (
    EventRegistration.RegistrationEnabled,
    EventRegistration.RegistrationEdited,
    EventRegistration.RegistrationClosed,
    EventRegistration.RegistrationReopened,
    *DETAIL_FACTS,
    EventRegistration.RegistrationDeleted,
    scheduling.ScheduleSet,
    content.DescriptionChanged,
    content.PlaceChanged,
    content.TagsChanged,
    moderation.EventHidden,
    moderation.EventShown,
    *audiences.AUDIENCE_FACTS,
    *DELETIONS,
)
# the order the lists read (start, id) with every column a filter or the visibility rule checks
# after it, so filter + order + OFFSET walk this index alone (no table row read for a skipped event)
LIST_INDEX = (
    "deleted", "start_utc", "event_id", "hidden", "for_everyone", "start_date", "end_date", "end_utc",
    "registration_enabled",
)  # fmt: skip
# ``Name eq``: the folded name, then the lists' order (one match: one index entry, no sort)
NAME_INDEX = ("name_key", "deleted", "start_utc", "event_id")
TOPICS = tuple(get_topic(kind) for kind in FACTS)


@dataclass(frozen=True)
class WaTables:
    metadata: MetaData
    events: Table
    sets: Table  # the groups (kind "g") and subgroups ("s") an event is for (audiences)

    def models(self) -> list[Table]:
        return [self.events, self.sets]


def define(suffix: str = "") -> WaTables:
    md = MetaData()
    table = Table(
        "rm_wa_events" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_id", String(36), nullable=False, unique=True),
        Column("name_key", Text, nullable=False),
        Column("start_date", Date, nullable=False),
        Column("end_date", Date, nullable=True),
        Column("start_utc", String(20), nullable=False),
        Column("end_utc", String(20), nullable=False),
        Column("registration_enabled", Boolean, nullable=False),
        Column("text_index", Text, nullable=False),
        Column("state", Text, nullable=False),  # JSON: name, description, location parts, tags
        Column("deleted", Boolean, nullable=False),
        Column("hidden", Integer, nullable=False),  # moderation: 0 visible, 1 pending, -1 hidden
        Column("for_everyone", Boolean, nullable=False),  # audience: else rm_wa_event_sets
    )
    sets = sets_table("rm_wa_event_sets" + suffix, md)
    Index(f"ix_rm_wa_events{suffix}_name", *(table.c[c] for c in NAME_INDEX))
    Index(f"ix_rm_wa_events{suffix}_list", *(table.c[c] for c in LIST_INDEX))
    Index(f"ix_rm_wa_events{suffix}_end", table.c.end_utc)
    Index(f"ix_rm_wa_events{suffix}_start_date", table.c.start_date)
    Index(f"ix_rm_wa_events{suffix}_end_date", table.c.end_date)
    Index(f"ix_rm_wa_events{suffix}_enabled", table.c.registration_enabled)
    return WaTables(md, table, sets)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP)


def _utc(iso: str) -> str:
    return stamp(datetime.fromisoformat(iso))


def _local_date(ts_mw: str) -> date:
    return date(int(ts_mw[0:4]), int(ts_mw[4:6]), int(ts_mw[6:8]))


def location_of(state: Row) -> str:
    """Wild Apricot's ``Location``: the content's place as one line, else the meeting address."""
    return str(state.get("place") or state.get("address") or "")


def _refresh(row: Row, state: Row) -> None:
    row["state"] = json.dumps(state)
    row["name_key"] = name_key(state["name"])
    row["text_index"] = text_index(
        name=state["name"],
        description=state.get("description", ""),
        location=location_of(state),
        start_date=row["start_date"],
        tags=state.get("tags", []),
    )


class Fold:
    def __init__(self, conn: Connection, tables: WaTables) -> None:
        self.conn, self.t, self.sets = conn, tables.events, tables.sets
        self.rows: dict[str, Row] = {}
        self.new: set[str] = set()
        self.changed: set[str] = set()
        self.attached = AttachedSets()

    def prepare(self, events: Sequence[Any]) -> None:
        """Read the rows the batch touches, but those it creates (its first fact for them is the
        creation: no row can be there yet)."""
        wanted = sorted(existing(events, EventRegistration.RegistrationEnabled))
        for row in rows_in(self.conn, self.t, "aggregate_id", wanted, CHUNK):
            for part in ("start_date", "end_date"):  # SQLite gives dates as text (booleans as 0/1)
                if isinstance(row[part], str):
                    row[part] = date.fromisoformat(row[part])
            self.rows[row["aggregate_id"]] = row

    def apply(self, e: Any) -> None:
        if self.attached.fold_deletion(e):  # a group or subgroup: its rows go, in every event
            return
        key = str(e.originator_id)
        if isinstance(e, EventRegistration.RegistrationEnabled):
            d = e.details
            state = {"name": d["name"], "address": d.get("meeting_address") or "", "tags": []}
            row: Row = {
                "event_id": e.event_id,
                "aggregate_id": key,
                "start_date": _local_date(d["start_local"]),
                "end_date": _local_date(d["end_local"]),
                "start_utc": _utc(d["start_utc"]),
                "end_utc": _utc(d["end_utc"]),
                "registration_enabled": True,
                "deleted": False,
                "hidden": moderation.VISIBLE,
                "for_everyone": True,
            }
            _refresh(row, state)
            self.rows[key] = row
            self.new.add(key)
            return
        found = self.rows.get(key)
        if found is None:
            return
        if self._audience_or_moderation(found, e):
            self.changed.add(key)
            return
        state = json.loads(found["state"])
        values: dict[str, Any] = {}
        if isinstance(e, EventRegistration.RegistrationEdited):
            values = dict(e.details)
            found["registration_enabled"] = e.status == "open"
        elif isinstance(e, EventRegistration.DetailsChanged):
            values = e.values()
        elif isinstance(e, scheduling.ScheduleSet):
            values = {k: getattr(e, k) for k in ("start_local", "end_local", "start_utc", "end_utc")}
        elif isinstance(e, EventRegistration.RegistrationClosed):
            found["registration_enabled"] = False
        elif isinstance(e, EventRegistration.RegistrationReopened):
            found["registration_enabled"] = True
        elif isinstance(e, EventRegistration.RegistrationDeleted):
            found["deleted"] = True
        elif isinstance(e, content.DescriptionChanged):
            state["description"] = e.text
        elif isinstance(e, content.PlaceChanged):
            state["place"] = content.location_text(content.Content(location=e.location, venue=e.venue))
        elif isinstance(e, content.TagsChanged):
            state["tags"] = list(e.tags)
        if "name" in values:
            state["name"] = values["name"]
        if "meeting_address" in values:
            state["address"] = values["meeting_address"] or ""
        for part in ("start_utc", "end_utc"):
            if part in values:
                found[part] = _utc(values[part])
        if "start_local" in values:
            found["start_date"] = _local_date(values["start_local"])
        if "end_local" in values:
            found["end_date"] = _local_date(values["end_local"])
        _refresh(found, state)
        self.changed.add(key)

    def _audience_or_moderation(self, found: Row, e: Any) -> bool:
        """The visibility rule's inputs: the moderation flag and the audience."""
        if isinstance(e, moderation.EventHidden):
            found["hidden"] = e.hidden
        elif isinstance(e, moderation.EventShown):
            found["hidden"] = moderation.VISIBLE
        elif isinstance(e, audiences.ForEveryoneSet):
            found["for_everyone"] = e.for_everyone
        else:
            return self.attached.fold(found["event_id"], e)
        return True

    def flush(self) -> None:
        """Write the batch: one driver-level statement per kind (``projections.bulk``), none for a
        kind the batch has no rows for (a lone create: its row alone)."""
        self.attached.write(self.conn, self.sets)
        insert_rows(self.conn, self.t, self._stored([self.rows[k] for k in sorted(self.new)]))
        dirty = [self.rows[k] for k in sorted(self.changed - self.new)]
        update_rows(self.conn, self.t, ("aggregate_id",), UPDATED, self._stored(dirty))

    def _stored(self, rows: list[Row]) -> list[Row]:
        """``rows`` as the driver takes them: SQLite's dates as ISO text (as SQLAlchemy stores them)."""
        if not rows or self.conn.dialect.name != "sqlite":
            return rows
        return [{**r, "start_date": _iso(r["start_date"]), "end_date": _iso(r["end_date"])} for r in rows]


UPDATED = (
    "name_key", "start_date", "end_date", "start_utc", "end_utc", "registration_enabled", "text_index",
    "state", "deleted", "hidden", "for_everyone",
)  # fmt: skip


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _fold(conn: Connection, tables: WaTables, events: Sequence[Any]) -> None:
    fold = Fold(conn, tables)
    fold.prepare(events)
    for e in events:
        fold.apply(e)
    fold.flush()


class WildApricotProjection:
    name = NAME
    topics: tuple[str, ...] = TOPICS
    # replay (readmodel.py); the audience sets' index: a deletion of a group or subgroup reads through it
    read_model = ReadModel(define, _fold, load_indexes=(("aggregate_id",), SETS_INDEX))

    def __init__(self, tables: WaTables | None = None) -> None:
        self.tables = tables or define()

    def apply(self, conn: Connection, _: Tables, events: Sequence[Any]) -> None:
        _fold(conn, self.tables, events)


def create(store: Any) -> None:
    """The tracking row and tables (idempotent): for ``init-db``. Tables from before the visibility
    rule's columns and the list's index (``LIST_INDEX``), without the audience table, or whose
    audience table predates the deletions of groups and subgroups (``SETS_INDEX``) are dropped and
    folded again from the start of the log."""
    store.create((NAME,))
    tables = define()
    refold_if_outdated(store, NAME, tables, LIST_INDEX) or refold_if_sets_outdated(store, NAME, tables)
    create_missing(store.engine, tables)
