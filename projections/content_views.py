"""Reads of the content read model (``projections/content.py``): an event's content and flags,
which of some events are hidden, and the calendars."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from domain import moderation
from domain.calendars import DEFAULT_CALENDAR_ID, DEFAULT_COLOUR, DEFAULT_TITLE
from projections.schema import ContentTables
from projections.store import ReadStore


@dataclass(frozen=True)
class ContentRow:
    event_id: int
    calendar_id: int
    description_html: str
    description_text: str
    location: dict[str, Any] | None
    venue: dict[str, Any] | None
    location_text: str
    prefix: str | None
    tags: list[str]
    locked: bool
    hidden: int
    featured: bool


@dataclass(frozen=True)
class CalendarRow:
    calendar_id: int
    title: str
    colour: str
    approve_events: bool


def _json(value: str | None) -> Any:
    return json.loads(value) if value is not None else None


class ContentViews:
    def __init__(self, store: ReadStore, tables: ContentTables, default_title: str = DEFAULT_TITLE) -> None:
        self.store = store
        self.t = tables
        self.default = CalendarRow(DEFAULT_CALENDAR_ID, default_title, DEFAULT_COLOUR, False)
        c, tg = tables.content, tables.tags
        self._content = select(c).where(c.c.event_id == bindparam("event_id"))
        self._tags = select(tg.c.tag).where(tg.c.event_id == bindparam("event_id")).order_by(tg.c.position)
        self._hidden = select(c.c.hidden).where(c.c.event_id == bindparam("event_id"))

    def content(self, event_id: int) -> ContentRow | None:
        """The event's content and flags; None when the read model has no row for it."""
        with self.store.connect() as conn:
            row = conn.execute(self._content, {"event_id": event_id}).mappings().first()
            if row is None:
                return None
            tags = list(conn.execute(self._tags, {"event_id": event_id}).scalars())
        return ContentRow(
            event_id=event_id,
            calendar_id=row["calendar_id"],
            description_html=row["description_html"],
            description_text=row["description_text"],
            location=_json(row["location"]),
            venue=_json(row["venue"]),
            location_text=row["location_text"],
            prefix=row["prefix"],
            tags=tags,
            locked=bool(row["locked"]),
            hidden=int(row["hidden"]),
            featured=bool(row["featured"]),
        )

    def hidden(self, event_id: int) -> int:
        """The event's hidden flag (0: visible; also for an event without a row yet)."""
        with self.store.connect() as conn:
            found = conn.execute(self._hidden, {"event_id": event_id}).scalar()
        return int(found) if found is not None else moderation.VISIBLE

    def calendars(self, after: int | None = None, limit: int = 500) -> list[CalendarRow]:
        """Calendars not deleted, by id (keyset paging after ``after``). The default calendar is
        there before its creation is recorded (it is recorded on demand, with the first other
        calendar), as it will be: calendar 1 with the configured title."""
        k = self.t.calendars
        query = select(k.c.calendar_id, k.c.title, k.c.colour, k.c.approve_events).where(
            k.c.deleted.is_(False)
        )
        if after is not None:
            query = query.where(k.c.calendar_id > after)
        with self.store.connect() as conn:
            rows = conn.execute(query.order_by(k.c.calendar_id).limit(limit)).all()
        found = [CalendarRow(r[0], r[1], r[2], bool(r[3])) for r in rows]
        if (after is None or after < DEFAULT_CALENDAR_ID) and not self._recorded(DEFAULT_CALENDAR_ID):
            found = [self.default, *found][:limit]
        return found

    def _recorded(self, calendar_id: int) -> bool:
        k = self.t.calendars
        with self.store.connect() as conn:
            return (
                conn.execute(select(k.c.calendar_id).where(k.c.calendar_id == calendar_id)).first()
                is not None
            )

    def calendar(self, calendar_id: int) -> CalendarRow | None:
        k = self.t.calendars
        query = select(k.c.calendar_id, k.c.title, k.c.colour, k.c.approve_events).where(
            k.c.calendar_id == calendar_id, k.c.deleted.is_(False)
        )
        with self.store.connect() as conn:
            r = conn.execute(query).first()
        if r is None and calendar_id == DEFAULT_CALENDAR_ID and not self._recorded(calendar_id):
            return self.default
        return CalendarRow(r[0], r[1], r[2], bool(r[3])) if r is not None else None
