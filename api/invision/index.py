"""Invision's read model (DIALECTS.md: a dialect may add the read model its queries need): per event
its author, post date, title, UTC start and end, and its occurrences — one row for a single event,
one per repetition for a recurring one, up to ``HORIZON`` after the later of its start and the fact
that set its schedule (at most ``MAX_OCCURRENCES``) — so that ``GET /calendar/events`` filters by
range, calendar, author and flags, sorts and pages with indexed reads, never by expanding rules.

Its own tracking row (``NAME``) and tables; a batch is folded set-based (the rows it touches read with
one query, the facts folded in log order, each touched event's occurrences rewritten once).
The list's filters and its order are columns of ``rm_invision_events`` alone, so a page's total is
one count over that narrow table (``ix_invision_list``, no join): besides the times, each event's
calendar, moderation flags (folded from the same facts as the content model's), its occurrences'
envelope (``span_start``/``span_end``: only an event with ``repeats`` asks its occurrences) and, in
the shape served, its page, recurrence rule and first end. Descriptions, places and the registration
status are read from the domain's read models for the page's rows only.

The visibility rule's inputs (``policies.can_see_event``) are the index's own: the moderation flag
(``hidden``), the audience (``for_everyone``; the attached groups and subgroups in
``rm_invision_event_sets``, whose rows go with a deleted group or subgroup:
``projections/audience_sets.py``) and, for "its own organizers", a copy of the active organizers
(``rm_invision_organizers``, from the creation and ``OrganizersSet``); ``rm_invision_revision``
counts the facts the fold applied (one row): every change to what a list can hold or how it is
ordered moves it, in the transaction that moves the tracking position, and nothing else does (a
registration, a vote, an e-mail are not among ``FACTS``). The list keeps a page's total and ids
while it stays (``api/kept.py``). A count of facts, not of batches: a replay rebuilds it equal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

from domain import audiences, calendars, moderation, scheduling
from domain.registration import DETAIL_FACTS, EventRegistration
from domain.schedule import Schedule, occurrences
from projections.audience_sets import DELETIONS, SETS_INDEX, AttachedSets, refold_if_sets_outdated, sets_table
from projections.bulk import delete_keys, insert_rows, insert_tuples, rows_in, update_rows
from projections.readmodel import ReadModel, create_missing, refold_if_outdated
from projections.runner import existing
from projections.schema import Tables

NAME = "invision"
HORIZON = timedelta(days=3 * 366)
MAX_OCCURRENCES = 500
CHUNK = 500
STAMP = "%Y-%m-%d %H:%M:%S"  # UTC, sortable as text
Row = dict[str, Any]

FACTS: tuple[type[Any], ...] = (
    EventRegistration.RegistrationEnabled,
    EventRegistration.RegistrationEdited,
    *DETAIL_FACTS,
    EventRegistration.RegistrationDeleted,
    scheduling.ScheduleSet,
    scheduling.ScheduleCleared,
    calendars.CalendarMoved,
    moderation.EventLocked,
    moderation.EventUnlocked,
    moderation.EventHidden,
    moderation.EventShown,
    moderation.EventFeatured,
    moderation.EventUnfeatured,
    EventRegistration.OrganizersSet,
    *audiences.AUDIENCE_FACTS,
    *DELETIONS,
)
# a calendar's live events in id order (the list's default order: no sort, page 1 reads 25
# entries), with every other filter's column there to check without reading the table
LIST_INDEX = (
    "calendar_id", "deleted", "event_id", "hidden", "for_everyone", "span_start", "span_end", "repeats",
)  # fmt: skip
NEVER = "9999-12-31 23:59:59"  # span_start of an event without occurrences: no range holds it
TOPICS = tuple(get_topic(kind) for kind in FACTS)


@dataclass(frozen=True)
class IndexTables:
    metadata: MetaData
    events: Table
    occurrences: Table
    organizers: Table
    revision: Table
    sets: Table  # the groups (kind "g") and subgroups ("s") an event is for (audiences)

    def models(self) -> list[Table]:
        return [self.events, self.occurrences, self.organizers, self.revision, self.sets]


def define(suffix: str = "") -> IndexTables:
    md = MetaData()
    events = Table(
        "rm_invision_events" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_id", String(36), nullable=False, unique=True),
        Column("author", Integer, nullable=False, index=True),
        Column("posted", String(20), nullable=False, index=True),
        Column("title", Text, nullable=False),
        Column("start_utc", String(20), nullable=False, index=True),
        Column("end_utc", String(20), nullable=False, index=True),
        Column("state", Text, nullable=False),  # JSON: timezone, start/end local, schedule
        Column("deleted", Boolean, nullable=False),
        Column("calendar_id", Integer, nullable=False),
        Column("hidden", Integer, nullable=False),
        Column("for_everyone", Boolean, nullable=False),  # audience: else rm_invision_event_sets
        Column("locked", Boolean, nullable=False),
        Column("featured", Boolean, nullable=False),
        Column("span_start", String(20), nullable=False),  # first occurrence's start
        Column("span_end", String(20), nullable=False),  # last occurrence's end
        Column("repeats", Boolean, nullable=False),  # more than one occurrence
        Column("page", Text, nullable=False),  # served as Invision shows them (no JSON per row):
        Column("recurrence", Text, nullable=True),
        Column("first_end", String(20), nullable=False),
        Index("ix_invision_list" + suffix, *LIST_INDEX),
    )
    occurrences_ = Table(
        "rm_invision_occurrences" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("start_utc", String(20), primary_key=True),
        Column("end_utc", String(20), nullable=False),
        Index("ix_invision_occurrences_event_end" + suffix, "event_id", "end_utc", "start_utc"),
    )
    organizers = Table(
        "rm_invision_organizers" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("user_id", Integer, primary_key=True, autoincrement=False),
    )
    revision = Table(
        "rm_invision_revision" + suffix,
        md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("revision", Integer, nullable=False),
    )
    sets = sets_table("rm_invision_event_sets" + suffix, md)
    return IndexTables(md, events, occurrences_, organizers, revision, sets)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP)


def _utc(iso: str) -> str:
    return stamp(datetime.fromisoformat(iso))


def occurrence_rows(event_id: int, state: Row, since: datetime) -> list[Row]:
    """The event's occurrences as rows (its single period without a schedule)."""
    schedule = state.get("schedule")
    if schedule is None:
        return [{"event_id": event_id, "start_utc": state["start_utc"], "end_utc": state["end_utc"]}]
    start = datetime.strptime(state["start_utc"], STAMP).replace(tzinfo=UTC)
    until = max(start, since) + HORIZON
    found = occurrences(Schedule.from_payload(schedule), state["timezone"], start, until, MAX_OCCURRENCES)
    rows = {stamp(o.start_utc): stamp(o.end_utc) for o in found}
    return [{"event_id": event_id, "start_utc": s, "end_utc": e} for s, e in sorted(rows.items())]


class Fold:
    def __init__(self, conn: Connection, t: IndexTables) -> None:
        self.conn, self.t = conn, t
        self.rows: dict[str, Row] = {}
        self.new: set[str] = set()
        self.changed: set[str] = set()
        self.expand: dict[str, datetime] = {}
        self.organizers: dict[int, set[int]] = {}  # event id -> its active organizers, as set
        self.attached = AttachedSets()
        self.applied = 0  # facts that changed a row: the revision moves by as many

    def prepare(self, events: Sequence[Any]) -> None:
        """Read the rows the batch touches, but those it creates (its first fact for them is the
        creation: no row can be there yet)."""
        wanted = sorted(existing(events, EventRegistration.RegistrationEnabled))
        for row in rows_in(self.conn, self.t.events, "aggregate_id", wanted, CHUNK):
            self.rows[row["aggregate_id"]] = row  # SQLite gives booleans as 0/1: written back as such

    def apply(self, e: Any) -> None:
        if self.attached.fold_deletion(e):  # a group or subgroup: its rows go, in every event
            self.applied += 1
            return
        key = str(e.originator_id)
        if isinstance(e, EventRegistration.RegistrationEnabled):
            d = e.details
            self.rows[key] = {
                "event_id": e.event_id,
                "aggregate_id": key,
                "author": e.performed_by,
                "posted": stamp(e.timestamp),
                "title": d["name"],
                "start_utc": _utc(d["start_utc"]),
                "end_utc": _utc(d["end_utc"]),
                "state": json.dumps({"timezone": d["timezone"], "schedule": None}),
                "deleted": False,
                "calendar_id": calendars.DEFAULT_CALENDAR_ID,
                "hidden": moderation.VISIBLE,
                "for_everyone": True,
                "locked": False,
                "featured": False,
                "page": d["page"],
            }
            self.new.add(key)
            self.expand[key] = e.timestamp
            self.organizers[e.event_id] = {e.performed_by}
            self.applied += 1
            return
        row = self.rows.get(key)
        if row is None:
            return
        self.applied += 1
        if isinstance(e, EventRegistration.OrganizersSet):
            self.organizers[row["event_id"]] = {o["user_id"] for o in e.organizers}
            return
        if isinstance(e, calendars.CalendarMoved):
            row["calendar_id"] = e.calendar_id
            self.changed.add(key)
            return
        if isinstance(e, moderation.ModerationFact):
            row.update(e.values())
            self.changed.add(key)
            return
        if isinstance(e, audiences.ForEveryoneSet):
            row["for_everyone"] = e.for_everyone
            self.changed.add(key)
            return
        if self.attached.fold(row["event_id"], e):
            return
        state = json.loads(row["state"])
        values: dict[str, Any] = {}
        if isinstance(e, EventRegistration.RegistrationEdited):
            values = dict(e.details)
        elif isinstance(e, EventRegistration.DetailsChanged):
            values = e.values()
        elif isinstance(e, scheduling.ScheduleSet):
            values = {"start_utc": e.start_utc, "end_utc": e.end_utc}
            state["schedule"] = e.schedule
        elif isinstance(e, scheduling.ScheduleCleared):
            state["schedule"] = None
        elif isinstance(e, EventRegistration.RegistrationDeleted):
            row["deleted"] = True
        if "name" in values:
            row["title"] = values["name"]
        if "page" in values:
            row["page"] = values["page"]
        if "timezone" in values:
            state["timezone"] = values["timezone"]
        for part in ("start_utc", "end_utc"):
            if part in values:
                row[part] = _utc(values[part])
        row["state"] = json.dumps(state)
        self.changed.add(key)
        self.expand[key] = e.timestamp

    def flush(self) -> None:
        """Write the batch: one driver-level statement per table and kind (``projections.bulk``),
        none for a kind the batch has no rows for (a lone create: the event, its occurrences, its
        organizer and the revision)."""
        conn, e, o = self.conn, self.t.events, self.t.occurrences
        touched = [self.rows[k] for k in sorted(self.expand)]
        expanded: list[Row] = []
        for r in touched:
            state = {**json.loads(r["state"]), "start_utc": r["start_utc"], "end_utc": r["end_utc"]}
            rows = occurrence_rows(r["event_id"], state, self.expand[r["aggregate_id"]])
            r.update(served(r["start_utc"], r["end_utc"], state.get("schedule"), rows))
            if not r["deleted"]:
                expanded += rows
        insert_rows(conn, e, [self.rows[k] for k in sorted(self.new)])
        dirty = [self.rows[k] for k in sorted(self.changed - self.new)]
        update_rows(conn, e, ("aggregate_id",), UPDATED, dirty)
        old = [(r["event_id"],) for r in touched if r["aggregate_id"] not in self.new]
        delete_keys(conn, o, ("event_id",), old)  # their occurrences rewritten (a new event has none)
        insert_rows(conn, o, expanded)
        self._organizers()
        self.attached.write(conn, self.t.sets)
        if self.applied:
            rev = self.t.revision
            q = conn.dialect.identifier_preparer.quote
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            moved = conn.exec_driver_sql(
                f"UPDATE {q(rev.name)} SET revision = revision + {mark} WHERE id = 1", (self.applied,)
            ).rowcount
            if not moved:
                insert_tuples(conn, rev, ("id", "revision"), [(1, self.applied)])

    def _organizers(self) -> None:
        """Each noted event's organizers replaced (an event the batch creates has none to delete)."""
        g = self.t.organizers
        changed = sorted(self.organizers)
        created = {self.rows[k]["event_id"] for k in self.new}
        delete_keys(self.conn, g, ("event_id",), [(e,) for e in changed if e not in created])
        rows = [(e, u) for e in changed for u in sorted(self.organizers[e])]
        insert_tuples(self.conn, g, ("event_id", "user_id"), rows)


LISTED = (
    "calendar_id", "hidden", "for_everyone", "locked", "featured", "span_start", "span_end", "repeats",
    "page", "recurrence", "first_end",
)  # fmt: skip
UPDATED = ("author", "posted", "title", "start_utc", "end_utc", "state", "deleted", *LISTED)


def served(start_utc: str, end_utc: str, schedule: Row | None, rows: list[Row]) -> Row:
    """The envelope of the occurrences ``rows`` and what the list shows of the times: the rule, and
    the end of the (first) occurrence (a schedule's first session's length after the start)."""
    first_end = end_utc
    if schedule:
        first = schedule["sessions"][0]
        length = datetime.fromisoformat(first["end"]) - datetime.fromisoformat(first["start"])
        first_end = stamp_of(datetime.strptime(start_utc, STAMP) + length)
    return {
        "span_start": rows[0]["start_utc"] if rows else NEVER,
        "span_end": max(r["end_utc"] for r in rows) if rows else "",
        "repeats": len(rows) > 1,
        "recurrence": (schedule or {}).get("recurrence"),
        "first_end": first_end,
    }


class InvisionProjection:
    name = NAME
    topics: tuple[str, ...] = TOPICS
    read_model = ReadModel(
        define,
        lambda conn, t, events: InvisionProjection(t).apply(conn, t, events),
        load_indexes=(SETS_INDEX,),
    )

    def __init__(self, tables: IndexTables | None = None) -> None:
        self.tables = tables or define()

    def apply(self, conn: Connection, _: Tables, events: Sequence[Any]) -> None:
        fold = Fold(conn, self.tables)
        fold.prepare(events)
        for e in events:
            fold.apply(e)
        fold.flush()


def create(store: Any) -> None:
    """The tracking row and tables (idempotent): for ``init-db``. Tables from before the list's
    columns and index (``LIST_INDEX``: the audience's ``for_everyone`` is its latest), without the
    organizers, revision and audience tables, or whose audience table predates the deletions of
    groups and subgroups (``SETS_INDEX``) are dropped and folded again from the start of the log."""
    store.create((NAME,))
    tables = define()
    refold_if_outdated(store, NAME, tables, LIST_INDEX) or refold_if_sets_outdated(store, NAME, tables)
    create_missing(store.engine, tables)


def stamp_of(naive_utc: datetime) -> str:
    """A naive UTC moment as the tables hold it."""
    return naive_utc.strftime(STAMP)
