"""What Wild Apricot's event routes read: the dialect's index (api/wildapricot/index.py) filtered,
sorted and paged in SQL (``$filter`` translated by query.py into bound parameters over its indexed
columns; ``Tags in`` an EXISTS over the content model's ``rm_event_tags``), then one statement for
the page's rows joined with the catalog (details, status), content (description, place, hidden flag)
and places (limit, counts) models, and one for the page's tags.

Visibility: a hidden event (pending approval or hidden by a moderator), or one for some groups only
(an audience, domain/audiences.py) the viewer is not in, is seen only by those ``policies.can_see_event``
lets see it — sysops and the event's own organizers (``policies.can_moderate``) — written here as the
same condition over the index's copy of its inputs (``hidden``, ``for_everyone``, ``rm_wa_event_sets``)
and the organizers table, so a list walks one index; a single event is read through the application's
``registration_for_reading`` and ``audience``, and the policy itself is asked."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, and_, bindparam, exists, false, func, or_, select, true

from api.bootstrap import Services
from api.wildapricot import index
from api.wildapricot.query import Filter, FilterColumns, Paging, Sort, SortKey, TagColumns, filter_condition
from domain import people
from domain.accounts import RIGHT_ENABLE, RIGHT_ORGANIZE, Account
from projections.schema import define_places

_INDEX = index.define()
T = _INDEX.events
S = _INDEX.sets
_PLACES = define_places()


@dataclass
class EventRow:
    event_id: int
    details: dict[str, Any]
    status: str
    description_html: str
    place: str
    hidden: int
    limit: int | None
    waitlist: bool
    requires_approval: bool
    confirmed: int
    pending: int
    checked_in: int
    tags: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        return self.place or str(self.details.get("meeting_address") or "")


def _visible(services: Services, viewer: Account) -> tuple[tuple[bool, bool, bool], dict[str, Any]]:
    """The kind of viewer ``policies.can_see_event`` (with the audience) distinguishes, and the
    parameters of its condition (``_visibility``): not hidden and for the viewer
    (``audiences.admits``), or the viewer moderates the event (sysops; the event's organizers,
    when they may organize)."""
    groups, subgroups = people.group_ids(viewer), people.subgroup_ids(viewer)
    member = not viewer.blocked and bool(groups or subgroups)
    sysop = not viewer.blocked and "sysop" in viewer.groups
    organizes = not viewer.blocked and (viewer.has_right(RIGHT_ENABLE) or viewer.has_right(RIGHT_ORGANIZE))
    return (member, sysop, organizes), {
        "wa_viewer": viewer.user_id,
        "wa_groups": groups,
        "wa_subgroups": subgroups,
    }


@functools.lru_cache(maxsize=32)
def _visibility(organizers: Table, member: bool, sysop: bool, organizes: bool) -> Any:
    """The condition for one kind of viewer, built once (the viewer's id, groups and subgroups are
    parameters: ``wa_viewer``, ``wa_groups``, ``wa_subgroups``)."""
    if sysop:
        return true()
    for_viewer: Any = T.c.for_everyone.is_(True)
    if member:
        attached = or_(
            and_(S.c.kind == "g", S.c.set_id.in_(bindparam("wa_groups", expanding=True))),
            and_(S.c.kind == "s", S.c.set_id.in_(bindparam("wa_subgroups", expanding=True))),
        )
        for_viewer = or_(for_viewer, exists().where(S.c.event_id == T.c.event_id, attached))
    shown = and_(T.c.hidden == 0, for_viewer)
    if not organizes:
        return shown
    org = organizers
    own = exists().where(
        org.c.event_id == T.c.event_id, org.c.user_id == bindparam("wa_viewer"), org.c.active.is_(True)
    )
    return or_(shown, own)


def columns(tags: Table) -> FilterColumns:
    """The index's columns a filter reads (``is_upcoming`` compares with the parameter ``wa_now``)."""
    return FilterColumns(
        id=T.c.event_id,
        name_key=T.c.name_key,
        start_date=T.c.start_date,
        end_date=T.c.end_date,
        is_upcoming=T.c.end_utc >= _NOW,
        registration_enabled=T.c.registration_enabled,
        text_index=T.c.text_index,
        tags=TagColumns(event_id=tags.c.event_id, tag_key=tags.c.tag_key),
    )


@dataclass(frozen=True)
class Query:
    filter: Filter | None = None
    ids: list[int] | None = None
    sort: Sort | None = None
    paging: Paging = field(default_factory=lambda: Paging(None, 0))


_NOW: Any = bindparam("wa_now", type_=String)


def _statement(
    services: Services, viewer: Account, q: Query, now: datetime, counted: bool
) -> tuple[Any, dict[str, Any]]:
    """The page's (or the count's) statement and its parameters: built once per query shape and
    kind of viewer (``_built``), so a repeated query neither builds nor keys a statement again."""
    shape, params = _visible(services, viewer)
    built = _built(
        services.content.t.tags,
        services.store.tables.organizers,
        shape,
        q.filter,
        None if q.ids is None else tuple(q.ids),
        q.sort,
        counted or q.paging.top is not None,
        counted,
    )
    params.update(wa_now=index.stamp(now), wa_skip=q.paging.skip, wa_top=q.paging.top)
    return built, params


@functools.lru_cache(maxsize=256)
def _built(
    tags: Table,
    organizers: Table,
    shape: tuple[bool, bool, bool],
    filter: Filter | None,
    ids: tuple[int, ...] | None,
    sort: Sort | None,
    limited: bool,
    counted: bool,
) -> Any:
    where: list[Any] = [T.c.deleted.is_(False), _visibility(organizers, *shape)]
    if filter is not None:
        where.append(filter_condition(filter, columns(tags)))
    if ids is not None:
        where.append(T.c.event_id.in_(ids) if ids else false())
    if sort is not None and sort.key is SortKey.START_SESSION:  # "ignores past events"
        where.append(T.c.end_utc >= _NOW)
    if counted:
        return select(func.count()).select_from(T).where(and_(*where))
    descending = sort is not None and sort.descending
    order = [T.c.start_utc.desc(), T.c.event_id.desc()] if descending else [T.c.start_utc, T.c.event_id]
    statement = select(T.c.event_id).where(and_(*where)).order_by(*order).offset(bindparam("wa_skip"))
    return statement.limit(bindparam("wa_top")) if limited else statement


def page_ids(services: Services, viewer: Account, q: Query, now: datetime) -> list[int]:
    """The ids of the page, in order: filter, order and OFFSET over the index's list index
    (``index.LIST_INDEX``; ``Name eq`` through ``index.NAME_INDEX``), no row read for skipped ones."""
    statement, params = _statement(services, viewer, q, now, counted=False)
    with services.store.connect() as conn:
        return [int(i) for i in conn.execute(statement, params).scalars()]


def count(services: Services, viewer: Account, q: Query, now: datetime) -> int:
    statement, params = _statement(services, viewer, q, now, counted=True)
    with services.store.connect() as conn:
        return int(conn.execute(statement, params).scalar_one())


@functools.lru_cache(maxsize=8)
def _rows_statements(content: Table, registrations: Table, places: Table, tags: Table) -> tuple[Any, Any]:
    """The page's rows and its tags, built once per set of tables (``ids`` an expanding parameter),
    so a request neither builds nor keys a new statement: SQLAlchemy's compiled cache answers."""
    c, r, p = content, registrations, places
    ids: Any = bindparam("ids", expanding=True)
    statement = (
        select(
            T.c.event_id,
            r.c.details,
            r.c.status,
            c.c.description_html,
            c.c.location_text,
            T.c.hidden,
            p.c.participant_limit,
            p.c.waitlist,
            p.c.requires_approval,
            p.c.confirmed_public,
            p.c.confirmed_private,
            p.c.pending,
            p.c.checked_in,
        )
        .select_from(
            T.join(r, r.c.event_id == T.c.event_id)
            .outerjoin(c, c.c.event_id == T.c.event_id)
            .outerjoin(p, p.c.event_id == T.c.event_id)
        )
        .where(T.c.event_id.in_(ids))
    )
    tag_query = select(tags.c.event_id, tags.c.tag).where(tags.c.event_id.in_(ids)).order_by(tags.c.position)
    return statement, tag_query


def rows(services: Services, ids: list[int]) -> list[EventRow]:
    """The rows of these (visible, live) events, in the order of ``ids``."""
    if not ids:
        return []
    content = services.content.t
    statement, tag_query = _rows_statements(
        content.content, services.store.tables.registrations, _PLACES.places, content.tags
    )
    with services.store.connect() as conn:
        found = {m["event_id"]: _row(m) for m in conn.execute(statement, {"ids": ids}).mappings()}
        for event_id, tag in conn.execute(tag_query, {"ids": ids}):
            found[event_id].tags.append(tag)
    return [found[i] for i in ids if i in found]


def _row(m: Any) -> EventRow:
    return EventRow(
        event_id=m["event_id"],
        details=json.loads(m["details"]),
        status=m["status"],
        description_html=m["description_html"] or "",
        place=m["location_text"] or "",
        hidden=int(m["hidden"] or 0),
        limit=m["participant_limit"],
        waitlist=bool(m["waitlist"]),
        requires_approval=bool(m["requires_approval"]),
        confirmed=int(m["confirmed_public"] or 0) + int(m["confirmed_private"] or 0),
        pending=int(m["pending"] or 0),
        checked_in=int(m["checked_in"] or 0),
    )


def all_tags(services: Services, viewer: Account) -> list[str]:
    """The tags in use on the live events the viewer may see (first spelling of each key)."""
    tg = services.content.t.tags
    shape, params = _visible(services, viewer)
    visible = _visibility(services.store.tables.organizers, *shape)
    statement = (
        select(tg.c.tag_key, func.min(tg.c.tag))
        .select_from(tg.join(T, T.c.event_id == tg.c.event_id))
        .where(T.c.deleted.is_(False), visible)
        .group_by(tg.c.tag_key)
        .order_by(tg.c.tag_key)
    )
    with services.store.connect() as conn:
        return [str(tag) for _, tag in conn.execute(statement, params)]
