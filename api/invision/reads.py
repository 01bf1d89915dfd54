"""What Invision's routes read: events from the read models (the dialect's index joined with the
content, places and catalog models: one statement per page, one for the page's tags), filtered,
sorted and paged in SQL, with the domain's visibility rule (``policies.can_see_event``) written as a
condition on the index's own tables: an event hidden, or for groups the viewer is not in (its
audience: ``for_everyone``, ``rm_invision_event_sets``; ``audiences.admits``), only to sysops and to
its own organizers. A single event is read through the same condition, so every route (the read,
the RSVPs, edit, delete) answers an event the caller may not see as a missing one."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import and_, exists, false, func, or_, select, true

from api.bootstrap import Services
from api.invision import index
from api.kept import Kept
from domain import people
from domain.accounts import RIGHT_ENABLE, RIGHT_ORGANIZE, Account
from projections.schema import define_places

_INDEX = index.define()
_PLACES = define_places()
SORTS = {"date": "posted", "start": "start_utc", "end": "end_utc", "title": "title"}
KEPT_ENTRIES = 512
# what the list's conditions read is the index's alone; its revision moves with every change to it
_REVISION = f'SELECT revision FROM "{_INDEX.revision.name}" WHERE id = 1'


@dataclass(frozen=True)
class Filters:
    ids: list[int] | None = None
    calendars: list[int] | None = None
    authors: list[int] | None = None
    locked: bool | None = None
    hidden: bool | None = None
    featured: bool | None = None
    range_start: date | None = None
    range_end: date | None = None
    sort_by: str | None = None
    descending: bool = False


@dataclass
class EventRow:
    event_id: int
    title: str
    author: int
    posted: str
    start_utc: str
    end_utc: str
    recurrence: str | None
    first_end: str
    calendar_id: int
    description_html: str
    location: dict[str, Any] | None
    venue: dict[str, Any] | None
    prefix: str | None
    locked: bool
    hidden: int
    featured: bool
    status: str
    page: str
    participant_limit: int | None
    tags: list[str] = field(default_factory=list)


def is_moderator_everywhere(viewer: Account) -> bool:
    return not viewer.blocked and "sysop" in viewer.groups


def _where(services: Services, viewer: Account, f: Filters) -> Any:
    """The filters and the visibility rule as conditions on the index's events table alone."""
    e, o, org = _INDEX.events, _INDEX.occurrences, _INDEX.organizers
    where: list[Any] = [e.c.deleted.is_(False)]
    if not is_moderator_everywhere(viewer):
        shown = and_(e.c.hidden == 0, _for_viewer(viewer))
        own = exists().where(org.c.event_id == e.c.event_id, org.c.user_id == viewer.user_id)
        where.append(or_(shown, own) if _organizes(viewer) and not viewer.blocked else shown)
    if f.ids is not None:
        where.append(e.c.event_id.in_(f.ids))
    if f.calendars is not None:
        where.append(e.c.calendar_id.in_(f.calendars))
    if f.authors is not None:
        where.append(e.c.author.in_(f.authors))
    if f.locked is not None:
        where.append(e.c.locked.is_(f.locked))
    if f.featured is not None:
        where.append(e.c.featured.is_(f.featured))
    if f.hidden is not None:
        where.append(e.c.hidden != 0 if f.hidden else e.c.hidden == 0)
    if f.range_start is not None or f.range_end is not None:
        # the occurrences' envelope decides, but for a repeating event whose occurrences straddle
        # both ends of the range (it may fall between two of them): only that one asks them. With
        # the envelope in range, its first occurrence starts in it (span_start >= since) or its
        # last ends in it (span_end < before); with one end given, that occurrence is in range.
        bounds: list[Any] = [o.c.event_id == e.c.event_id]
        inside: list[Any] = []
        if f.range_start is not None:
            since = index.stamp_of(datetime.combine(f.range_start, time()))
            where.append(e.c.span_end >= since)
            bounds.append(o.c.end_utc >= since)
            inside.append(e.c.span_start >= since)
        if f.range_end is not None:
            before = index.stamp_of(datetime.combine(f.range_end + timedelta(days=1), time()))
            where.append(e.c.span_start < before)
            bounds.append(o.c.start_utc < before)
            inside.append(e.c.span_end < before)
        if len(inside) == 2:
            where.append(or_(e.c.repeats.is_(False), *inside, exists().where(and_(*bounds))))
    return and_(true(), *where)


def _for_viewer(viewer: Account) -> Any:
    """``audiences.admits`` over the index: for everyone, or a group or subgroup of the viewer's
    (not blocked) is attached."""
    e, s = _INDEX.events, _INDEX.sets
    groups, subgroups = _sets_of(viewer)
    if not groups and not subgroups:
        return e.c.for_everyone.is_(True)
    attached = or_(
        and_(s.c.kind == "g", s.c.set_id.in_(groups)) if groups else false(),
        and_(s.c.kind == "s", s.c.set_id.in_(subgroups)) if subgroups else false(),
    )
    return or_(e.c.for_everyone.is_(True), exists().where(s.c.event_id == e.c.event_id, attached))


def _sets_of(viewer: Account) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The viewer's groups and subgroups (none for a blocked account)."""
    if viewer.blocked:
        return (), ()
    return tuple(people.group_ids(viewer)), tuple(people.subgroup_ids(viewer))


def page(
    services: Services, viewer: Account, f: Filters, number: int, per_page: int
) -> tuple[int, list[EventRow]]:
    """The total and the rows of page ``number`` (1-based): the total counted and the page's ids
    chosen on the index's events table alone (``ix_invision_list``), the shown columns then read
    for those ids only. A page in the second half is read from the end, in the reverse order (no
    OFFSET walk past more than half the list), where the total and the page are read in one
    snapshot (SQLite: one transaction; elsewhere each statement has its own, so OFFSET from the
    start)."""
    e = _INDEX.events
    order_column = e.c[SORTS[f.sort_by]] if f.sort_by in SORTS else e.c.event_id
    descending = [order_column.desc(), e.c.event_id.desc()]
    ascending = [order_column, e.c.event_id]
    order, reverse = (descending, ascending) if f.descending else (ascending, descending)
    built: list[Any] = []  # the conditions, built only when the total or the ids are read

    def where() -> Any:
        if not built:
            built.append(_where(services, viewer, f))
        return built[0]

    def counted(conn: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(e).where(where())).scalar_one())

    asked = (
        repr(f), viewer.user_id, viewer.blocked, is_moderator_everywhere(viewer), _organizes(viewer),
        _sets_of(viewer),
    )  # fmt: skip
    kept = _kept(services)
    offset = (number - 1) * per_page
    one_snapshot = services.store.engine.dialect.name == "sqlite"

    def chosen(conn: Any, total: int) -> list[int]:
        rest = total - offset  # entries from the page's first to the end
        if rest <= 0:
            return []
        if one_snapshot and rest < offset:
            shown = min(per_page, rest)
            back = select(e.c.event_id).where(where()).order_by(*reverse).limit(shown).offset(rest - shown)
            return list(reversed(conn.execute(back).scalars().all()))
        forward = select(e.c.event_id).where(where()).order_by(*order).limit(per_page).offset(offset)
        return list(conn.execute(forward).scalars())

    with services.store.connect() as conn:
        at = conn.exec_driver_sql(_REVISION).scalar() or 0  # before the reads it keys, same snapshot
        total = kept.get(("total", asked), at, lambda: counted(conn))
        ids = kept.get(("ids", asked, number, per_page), at, lambda: chosen(conn, total))
        rows = _rows(services, conn, ids)
    return total, rows


_KEPT: WeakKeyDictionary[Any, Kept] = WeakKeyDictionary()  # one per read store (database)
_KEPT_LOCK = threading.Lock()


def _kept(services: Services) -> Kept:
    with _KEPT_LOCK:
        found = _KEPT.get(services.store)
        if found is None:
            found = _KEPT[services.store] = Kept(KEPT_ENTRIES)
        return found


def _organizes(viewer: Account) -> bool:
    return viewer.has_right(RIGHT_ENABLE) or viewer.has_right(RIGHT_ORGANIZE)


def one(services: Services, viewer: Account, event_id: int) -> EventRow | None:
    """The event as the caller may see it (None: missing, deleted or hidden from them)."""
    e = _INDEX.events
    where = _where(services, viewer, Filters(ids=[event_id]))
    with services.store.connect() as conn:
        ids = list(conn.execute(select(e.c.event_id).where(where)).scalars())
        rows = _rows(services, conn, ids)
    return rows[0] if rows else None


def _rows(services: Services, conn: Any, ids: list[int]) -> list[EventRow]:
    """The shown columns of the events ``ids``, in that order, with their tags."""
    if not ids:
        return []
    e = _INDEX.events
    c = services.content.t.content
    r = services.store.tables.registrations
    p = _PLACES.places
    columns = [
        e.c.event_id, e.c.title, e.c.author, e.c.posted, e.c.start_utc, e.c.end_utc, e.c.recurrence,
        e.c.first_end, e.c.calendar_id, e.c.locked, e.c.hidden, e.c.featured, e.c.page,
        c.c.description_html, c.c.location, c.c.venue, c.c.prefix, r.c.status, p.c.participant_limit,
    ]  # fmt: skip
    joined = (
        e.outerjoin(c, c.c.event_id == e.c.event_id)
        .outerjoin(r, r.c.event_id == e.c.event_id)
        .outerjoin(p, p.c.event_id == e.c.event_id)
    )
    query = select(*columns).select_from(joined).where(e.c.event_id.in_(ids))
    by_id = {m["event_id"]: _row(m) for m in conn.execute(query).mappings()}
    rows = [by_id[i] for i in ids if i in by_id]
    _tags(services, conn, rows)
    return rows


def _row(m: Any) -> EventRow:
    return EventRow(
        event_id=m["event_id"],
        title=m["title"],
        author=m["author"],
        posted=m["posted"],
        start_utc=m["start_utc"],
        end_utc=m["end_utc"],
        recurrence=m["recurrence"],
        first_end=m["first_end"],
        calendar_id=m["calendar_id"],
        description_html=m["description_html"] or "",
        location=json.loads(m["location"]) if m["location"] else None,
        venue=json.loads(m["venue"]) if m["venue"] else None,
        prefix=m["prefix"],
        locked=bool(m["locked"]),
        hidden=int(m["hidden"]),
        featured=bool(m["featured"]),
        status=m["status"] or "open",
        page=m["page"],
        participant_limit=m["participant_limit"],
    )


def _tags(services: Services, conn: Any, rows: list[EventRow]) -> None:
    if not rows:
        return
    tg = services.content.t.tags
    by_id = {row.event_id: row for row in rows}
    query = select(tg.c.event_id, tg.c.tag).where(tg.c.event_id.in_(list(by_id))).order_by(tg.c.position)
    for event_id, tag in conn.execute(query):
        by_id[event_id].tags.append(tag)


def confirmed(services: Services, event_id: int) -> list[tuple[int, bool]]:
    """The event's confirmed participants (user id, private), in the order they came."""
    m = _PLACES.members
    query = (
        select(m.c.user_id, m.c.private)
        .where(m.c.event_id == event_id, m.c.status.in_(("confirmed", "promoted")))
        .order_by(m.c.request_seq)
    )
    with services.store.connect() as conn:
        return [(int(u), bool(p)) for u, p in conn.execute(query)]
