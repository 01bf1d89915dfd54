"""The content read model: each event's calendar, description, place, prefix, tags and moderation
flags (``rm_event_content``, ``rm_event_tags``), and the calendars (``rm_calendars``) — what every
API reads to show rich events and to hide hidden ones.

Its own tracking row (``NAME``) and its own tables (``schema.define_content``). A batch is applied
as a batch: the rows it touches are read with one query per table, the facts folded into them in
memory in log order, and written with one executemany per table and kind; an event's tags are
rewritten whole when they change. Every event has a row from its ``RegistrationEnabled`` on (in the
default calendar), so events recorded before calendars existed read as in the default calendar.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.utils import get_topic
from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.engine import Connection

from domain import calendars, content, moderation
from domain.calendars import Calendar
from domain.registration import EventRegistration
from projections.bulk import insert_rows
from projections.readmodel import ReadModel, create_missing
from projections.schema import ContentTables, define_content
from projections.store import ReadStore

NAME = "content"
CHUNK = 500
Row = dict[str, Any]
CONTENT_COLUMNS = (
    "calendar_id",
    "description_html",
    "description_text",
    "location",
    "latitude",
    "longitude",
    "country",
    "venue",
    "location_text",
    "prefix",
    "locked",
    "hidden",
    "featured",
)
CALENDAR_COLUMNS = ("title", "colour", "approve_events", "deleted")


def new_row(event_id: int, aggregate_id: str) -> Row:
    return {
        "event_id": event_id,
        "aggregate_id": aggregate_id,
        "calendar_id": calendars.DEFAULT_CALENDAR_ID,
        "description_html": "",
        "description_text": "",
        "location": None,
        "latitude": None,
        "longitude": None,
        "country": None,
        "venue": None,
        "location_text": "",
        "prefix": None,
        "locked": False,
        "hidden": moderation.VISIBLE,
        "featured": False,
    }


class Fold:
    def __init__(self, conn: Connection, tables: ContentTables) -> None:
        self.conn = conn
        self.t = tables
        self.rows: dict[str, Row] = {}  # by aggregate id
        self.new: list[str] = []
        self.dirty: set[str] = set()
        self.tags: dict[int, list[str]] = {}  # event id -> its new tags
        self.calendars: dict[str, Row] = {}
        self.calendars_new: list[str] = []
        self.calendars_dirty: set[str] = set()

    def prepare(self, events: Sequence[Any]) -> None:
        registrations = {
            str(e.originator_id) for e in events if not isinstance(e, EventRegistration.RegistrationEnabled)
        }
        c, k = self.t.content, self.t.calendars
        registrations -= {str(e.originator_id) for e in events if isinstance(e, Calendar.Event)}
        for row in _rows_in(self.conn, c, c.c.aggregate_id, sorted(registrations)):
            self.rows[row["aggregate_id"]] = row
        wanted = sorted({str(e.originator_id) for e in events if isinstance(e, Calendar.Event)})
        for row in _rows_in(self.conn, k, k.c.aggregate_id, wanted):
            self.calendars[row["aggregate_id"]] = row

    def row(self, e: Any) -> Row | None:
        key = str(e.originator_id)
        if key in self.rows and key not in self.new:
            self.dirty.add(key)
        return self.rows.get(key)

    def calendar(self, e: Any) -> Row:
        key = str(e.originator_id)
        if key not in self.calendars_new:
            self.calendars_dirty.add(key)
        return self.calendars[key]

    def flush(self) -> None:
        c, k, tg = self.t.content, self.t.calendars, self.t.tags
        insert_rows(self.conn, c, [self.rows[key] for key in self.new])  # a driver statement, none for none
        _update(self.conn, c, "aggregate_id", CONTENT_COLUMNS, [self.rows[key] for key in sorted(self.dirty)])
        if self.tags:
            for chunk in _chunks(sorted(self.tags)):
                self.conn.execute(delete(tg).where(tg.c.event_id.in_(chunk)))
            rows = [
                {"event_id": event_id, "tag_key": content.tag_key(tag), "tag": tag, "position": n}
                for event_id, tags in sorted(self.tags.items())
                for n, tag in enumerate(tags)
            ]
            insert_rows(self.conn, tg, rows)
        insert_rows(self.conn, k, [self.calendars[key] for key in self.calendars_new])
        dirty = [self.calendars[key] for key in sorted(self.calendars_dirty)]
        _update(self.conn, k, "aggregate_id", CALENDAR_COLUMNS, dirty)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for first in range(0, len(values), CHUNK):
        yield values[first : first + CHUNK]


def _rows_in(conn: Connection, table: Table, column: Any, values: Sequence[Any]) -> Iterable[Row]:
    for chunk in _chunks(values):
        for row in conn.execute(select(table).where(column.in_(chunk))).mappings():
            yield dict(row)


def _update(conn: Connection, table: Table, key: str, columns: tuple[str, ...], rows: list[Row]) -> None:
    if not rows:
        return
    statement = (
        update(table)
        .where(table.c[key] == bindparam("k"))
        .values({name: bindparam(f"v_{name}") for name in columns})
    )
    conn.execute(statement, [{"k": row[key], **{f"v_{name}": row[name] for name in columns}} for row in rows])


# --- the facts ---------------------------------------------------------------------------------
Handler = Callable[[Fold, Any], None]


def _enabled(f: Fold, e: EventRegistration.RegistrationEnabled) -> None:
    key = str(e.originator_id)
    f.rows[key] = new_row(e.event_id, key)
    f.new.append(key)


def _on_row(change: Callable[[Row, Any], None]) -> Handler:
    def handle(f: Fold, e: Any) -> None:
        row = f.row(e)
        if row is not None:  # (a registration always has its row; never a partial one)
            change(row, e)

    return handle


def _description(row: Row, e: content.DescriptionChanged) -> None:
    row.update(description_html=e.html, description_text=e.text)


def _place(row: Row, e: content.PlaceChanged) -> None:
    location = e.location or ((e.venue or {}).get("address") or None)
    row.update(
        location=json.dumps(e.location) if e.location is not None else None,
        venue=json.dumps(e.venue) if e.venue is not None else None,
        latitude=location["latitude"] if location else None,
        longitude=location["longitude"] if location else None,
        country=location["country"] if location else None,
        location_text=content.location_text(content.Content(location=e.location, venue=e.venue)),
    )


def _tags(f: Fold, e: content.TagsChanged) -> None:
    row = f.row(e)
    if row is not None:
        f.tags[row["event_id"]] = list(e.tags)


def _flag(**values: Any) -> Handler:
    return _on_row(lambda row, e: row.update(values))


def _hidden(row: Row, e: moderation.EventHidden) -> None:
    row["hidden"] = e.hidden


def _calendar_created(f: Fold, e: Calendar.CalendarCreated) -> None:
    key = str(e.originator_id)
    f.calendars[key] = {
        "calendar_id": e.number,
        "aggregate_id": key,
        "title": e.title,
        "colour": e.colour,
        "approve_events": e.approve_events,
        "deleted": False,
    }
    f.calendars_new.append(key)


def _calendar(change: Callable[[Row, Any], None]) -> Handler:
    return lambda f, e: change(f.calendar(e), e)


HANDLERS: dict[str, Handler] = {
    get_topic(EventRegistration.RegistrationEnabled): _enabled,
    get_topic(content.DescriptionChanged): _on_row(_description),
    get_topic(content.PlaceChanged): _on_row(_place),
    get_topic(content.TagsChanged): _tags,
    get_topic(content.PrefixChanged): _on_row(lambda row, e: row.update(prefix=e.prefix)),
    get_topic(calendars.CalendarMoved): _on_row(lambda row, e: row.update(calendar_id=e.calendar_id)),
    get_topic(moderation.EventLocked): _flag(locked=True),
    get_topic(moderation.EventUnlocked): _flag(locked=False),
    get_topic(moderation.EventHidden): _on_row(_hidden),
    get_topic(moderation.EventShown): _flag(hidden=moderation.VISIBLE),
    get_topic(moderation.EventFeatured): _flag(featured=True),
    get_topic(moderation.EventUnfeatured): _flag(featured=False),
    get_topic(Calendar.CalendarCreated): _calendar_created,
    get_topic(Calendar.CalendarRenamed): _calendar(lambda row, e: row.update(title=e.title)),
    get_topic(Calendar.CalendarSettingsChanged): _calendar(
        lambda row, e: row.update(colour=e.colour, approve_events=e.approve_events)
    ),
    get_topic(Calendar.CalendarDeleted): _calendar(lambda row, e: row.update(deleted=True)),
}
TOPICS = tuple(HANDLERS)


def apply(conn: Connection, tables: ContentTables, events: Sequence[Any]) -> None:
    """Apply a batch of facts (in log order) within the caller's transaction."""
    fold = Fold(conn, tables)
    fold.prepare(events)
    for e in events:
        handler = HANDLERS.get(get_topic(type(e)))
        if handler is not None:
            handler(fold, e)
    fold.flush()


@dataclass
class ContentProjection:
    """The runner's ``Projection``: its own tables (the catalog's set it is handed is not used)."""

    tables: ContentTables
    name: str = NAME
    topics: tuple[str, ...] = TOPICS
    read_model: ClassVar[ReadModel] = ReadModel(define_content, apply)  # replay (readmodel.py)

    def apply(self, conn: Connection, tables: Any, events: Sequence[Any]) -> None:
        apply(conn, self.tables, events)


def create(store: ReadStore, tables: ContentTables | None = None) -> ContentTables:
    """Create the live tables (or ``tables``) if missing, and the tracking row (idempotent)."""
    tables = tables or define_content()
    create_missing(store.engine, tables)
    store.create((NAME,))
    return tables
