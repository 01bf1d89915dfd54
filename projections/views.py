"""Queries on the catalog read model. Lists are keyset-paginated on indexed columns, so the
thousandth page costs what the first does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, or_, select

from domain.details import Details
from domain.ports import DueAnswers
from domain.reading import RegistrationView
from projections.catalog import sortable
from projections.schema import define_places
from projections.store import Prepared, ReadStore

PARTICIPANTS_PAGE = 20
ORGANIZERS_PAGE = 11
EVENTS_BY_USER = 50
_PLACE_MEMBERS = define_places().members  # the places fold's status per participant (projections/places.py)


def holds_place(p: Any) -> Any:
    """A participant row that means "a participant": active, and not waiting for a place in the
    places fold (waitlisted, pending, refused, declined). One primary-key probe per row; no places
    row (an event never folded yet): as before places existed."""
    m = _PLACE_MEMBERS
    waiting = exists().where(m.c.aggregate_id == p.c.aggregate_id, m.c.status != "confirmed")
    return and_(p.c.active.is_(True), ~waiting)


@dataclass(frozen=True)
class ParticipantRow:
    participant_id: int
    user_id: int
    user_name: str | None
    registered_at: str
    private: bool
    email: str | None
    blocked: bool
    answers_sealed: str | None = None
    aggregated: bool = False


@dataclass(frozen=True)
class OrganizerRow:
    organizer_id: int
    user_id: int
    user_name: str | None
    role: str


@dataclass(frozen=True)
class EventRow:
    event_id: int
    name: str
    deleted: bool


class CatalogViews:
    """The served reads. Their statements are built once per process (values are bind parameters,
    so SQLAlchemy's compiled cache serves every request after the first)."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.t = store.tables
        self._registration = Prepared(store.engine, self._registration_statement())
        self._participant_pages: dict[tuple[bool, bool, bool, bool, bool], Prepared] = {}
        engine = store.engine
        self._organizer_pages = {
            after: Prepared(engine, self._organizers_statement(after)) for after in (False, True)
        }
        self._due_pages = {after: Prepared(engine, self._due_statement(after)) for after in (False, True)}

    def _registration_statement(self) -> Select[Any]:
        r, o, p = self.t.registrations, self.t.organizers, self.t.participants
        viewer = bindparam("viewer", type_=Integer)
        organizes = exists().where(o.c.event_id == r.c.event_id, o.c.user_id == viewer, o.c.active.is_(True))
        takes_part = exists().where(p.c.event_id == r.c.event_id, p.c.user_id == viewer, holds_place(p))
        return select(
            r.c.wiki,
            r.c.status,
            r.c.details,
            r.c.questions,
            r.c.deleted,
            organizes.label("organizes"),
            takes_part.label("takes_part"),
        ).where(r.c.event_id == bindparam("event_id"))

    def registration(self, event_id: int, viewer: int | None) -> RegistrationView | None:
        """The registration's row (one statement, whoever asks), read for ``viewer``."""
        found = self._registration.rows({"event_id": event_id, "viewer": viewer or 0})
        if not found:
            return None
        row = found[0]
        return RegistrationView(
            event_id=event_id,
            wiki=row[0],
            status=row[1],
            details=Details.from_dict(json.loads(row[2])),
            questions=json.loads(row[3]),
            deleted=bool(row[4]),
            viewer_id=viewer,
            viewer_organizes=bool(row[5]),
            viewer_participates=bool(row[6]),
        )

    def _participants_statement(self, key: tuple[bool, bool, bool, bool, bool]) -> Select[Any]:
        include_private, include_inactive, after, exclude, name_filter = key
        p, u = self.t.participants, self.t.users
        conditions = [p.c.event_id == bindparam("event_id")]
        if not include_inactive:
            conditions.append(holds_place(p))
        if not include_private:
            conditions.append(p.c.private.is_(False))
        if after:
            conditions.append(p.c.participant_id > bindparam("after"))
        if exclude:
            conditions.append(p.c.user_id.not_in(bindparam("exclude", expanding=True)))
        if name_filter:
            conditions.append(u.c.name_lower.like(bindparam("pattern"), escape="\\"))
        return (
            select(
                p.c.participant_id,
                p.c.user_id,
                u.c.user_name,
                p.c.registered_at,
                p.c.private,
                u.c.email,
                u.c.blocked,
                p.c.answers_sealed,
                p.c.aggregated,
            )
            .select_from(p.outerjoin(u, u.c.user_id == p.c.user_id))
            .where(and_(*conditions))
            .order_by(p.c.participant_id)
            .limit(bindparam("limit"))
        )

    def participants(
        self,
        event_id: int,
        *,
        include_private: bool,
        after: int | None = None,
        name_filter: str | None = None,
        exclude: tuple[int, ...] = (),
        limit: int = PARTICIPANTS_PAGE,
        include_inactive: bool = False,
    ) -> list[ParticipantRow]:
        """A page of the event's participants by participant id (``include_inactive``: also those
        who cancelled or were removed, as ``as_of`` needs)."""
        key = (include_private, include_inactive, after is not None, bool(exclude), name_filter is not None)
        page = self._participant_pages.get(key)
        if page is None:
            page = self._participant_pages.setdefault(
                key, Prepared(self.store.engine, self._participants_statement(key))
            )
        values: dict[str, Any] = {"event_id": event_id, "limit": limit}
        if after is not None:
            values["after"] = after
        if exclude:
            values["exclude"] = list(exclude)
        if name_filter is not None:
            values["pattern"] = "%" + _escape_like(name_filter.lower()) + "%"
        if exclude:  # an expanding IN: SQLAlchemy's own execution
            with self.store.connect() as conn:
                rows: list[Any] = list(conn.execute(page.statement, values))
        else:
            rows = page.rows(values)
        return [
            ParticipantRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], bool(r[6]), r[7], bool(r[8]))
            for r in rows
        ]

    def active_participants(self, event_id: int) -> list[int]:
        p = self.t.participants
        query = (
            select(p.c.user_id)
            .where(and_(p.c.event_id == event_id, holds_place(p)))
            .order_by(p.c.participant_id)
        )
        with self.store.connect() as conn:
            return list(conn.execute(query).scalars())

    def _recipients_query(
        self, columns: list[Any], event_id: int, user_ids: list[int] | None, invert: bool, valid_only: bool
    ) -> Any:
        p, u = self.t.participants, self.t.users
        conditions = [p.c.event_id == event_id, holds_place(p)]
        if user_ids:
            conditions.append(p.c.user_id.not_in(user_ids) if invert else p.c.user_id.in_(user_ids))
        if valid_only:
            conditions += [u.c.email.is_not(None), u.c.email != "", u.c.blocked.is_(False)]
        return select(*columns).select_from(p.join(u, u.c.user_id == p.c.user_id)).where(and_(*conditions))

    def recipients(
        self, event_id: int, user_ids: list[int] | None, invert: bool, *, valid_only: bool
    ) -> list[int]:
        p = self.t.participants
        query = self._recipients_query([p.c.user_id], event_id, user_ids, invert, valid_only)
        with self.store.connect() as conn:
            return list(conn.execute(query.order_by(p.c.participant_id)).scalars())

    def count_recipients(
        self, event_id: int, user_ids: list[int] | None, invert: bool, *, valid_only: bool
    ) -> int:
        query = self._recipients_query([func.count()], event_id, user_ids, invert, valid_only)
        with self.store.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def has_answers(self, event_id: int) -> bool:
        p = self.t.participants
        query = select(p.c.participant_id).where(
            and_(p.c.event_id == event_id, p.c.answers_sealed.is_not(None))
        )
        with self.store.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def due_for_aggregation(
        self, now: datetime, cutoff: datetime, limit: int, after: int | None = None
    ) -> list[DueAnswers]:
        values = {"now": sortable(now), "cutoff": sortable(cutoff), "limit": limit, "after": after}
        return list(map(DueAnswers._make, self._due_pages[after is not None].rows(values)))

    def _due_statement(self, after: bool) -> Select[Any]:
        """``due_for_aggregation``'s page (compiled once per process: ``Prepared``)."""
        p, r = self.t.participants, self.t.registrations
        conditions = [
            p.c.answers_sealed.is_not(None),
            or_(r.c.end_utc < bindparam("now"), p.c.first_answer_at < bindparam("cutoff")),
        ]
        if after:
            conditions.append(p.c.participant_id > bindparam("after"))
        query = (  # by the primary key: each page is a range scan, with no sort
            select(p.c.event_id, p.c.participant_id, p.c.user_id, p.c.answers_sealed, p.c.registered_at)
            .select_from(p.join(r, r.c.event_id == p.c.event_id))
            .where(and_(*conditions))
            .order_by(p.c.participant_id)
            .limit(bindparam("limit", type_=Integer))
        )
        return query

    def _organizers_statement(self, after: bool) -> Select[Any]:
        o, u = self.t.organizers, self.t.users
        conditions = [o.c.event_id == bindparam("event_id"), o.c.active.is_(True)]
        if after:
            conditions.append(o.c.organizer_id > bindparam("after"))
        return (
            select(o.c.organizer_id, o.c.user_id, u.c.user_name, o.c.role)
            .select_from(o.outerjoin(u, u.c.user_id == o.c.user_id))
            .where(and_(*conditions))
            .order_by(o.c.organizer_id)
            .limit(ORGANIZERS_PAGE)
        )

    def organizers(self, event_id: int, after: int | None = None) -> list[OrganizerRow]:
        values = {"event_id": event_id} if after is None else {"event_id": event_id, "after": after}
        return [OrganizerRow(*r) for r in self._organizer_pages[after is not None].rows(values)]

    def events_organized_by(self, user_id: int, after: int = 0) -> list[EventRow]:
        """The first ``EVENTS_BY_USER`` events (by id, above ``after``) the user organizes."""
        o, r = self.t.organizers, self.t.registrations
        query = (
            select(r.c.event_id, r.c.name, r.c.deleted)
            .select_from(o.join(r, r.c.event_id == o.c.event_id))
            .where(and_(o.c.user_id == user_id, o.c.active.is_(True), r.c.event_id > after))
            .order_by(r.c.event_id)
            .limit(EVENTS_BY_USER)
        )
        return self._events(query)

    def events_joined_by(self, user_id: int, after: int = 0) -> list[EventRow]:
        """Public, active registrations only: private ones never appear, not even to their owner
        (the first ``EVENTS_BY_USER`` by id, above ``after``)."""
        p, r = self.t.participants, self.t.registrations
        query = (
            select(r.c.event_id, r.c.name, r.c.deleted)
            .select_from(p.join(r, r.c.event_id == p.c.event_id))
            .where(and_(p.c.user_id == user_id, holds_place(p), p.c.private.is_(False), r.c.event_id > after))
            .order_by(r.c.event_id)
            .limit(EVENTS_BY_USER)
        )
        return self._events(query)

    def _events(self, query: object) -> list[EventRow]:
        with self.store.connect() as conn:
            return [EventRow(r[0], r[1], bool(r[2])) for r in conn.execute(query)]  # type: ignore[call-overload]


@dataclass(frozen=True)
class ArticleRow:
    id: int
    page_title: str
    wiki_id: str
    added_by_user_id: int
    added_at: str


@dataclass(frozen=True)
class HistoryRow:
    entry_id: int
    kind: str
    at: str
    performed_by: int | None
    performer_name: str | None
    subject_user_id: int | None
    subject_name: str | None
    private: bool
    details: dict[str, Any]


class HistoryViews:
    """The worklist and the audit history of an event."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.t = store.tables

    def worklist(self, event_id: int, limit: int, offset: int) -> tuple[list[ArticleRow], int]:
        """A page by dense position (an index range, as fast at the end as at the start), and the
        total (the last position)."""
        w = self.t.worklist
        page = (
            select(w.c.article_id, w.c.page_title, w.c.wiki_id, w.c.added_by, w.c.added_at)
            .where(and_(w.c.event_id == event_id, w.c.position > offset, w.c.position <= offset + limit))
            .order_by(w.c.position)
        )
        total = select(func.coalesce(func.max(w.c.position), 0)).where(w.c.event_id == event_id)
        with self.store.connect() as conn:
            rows = [ArticleRow(*r) for r in conn.execute(page)]
            return rows, int(conn.execute(total).scalar_one())

    def history(
        self, event_id: int, *, after: int | None, limit: int, include_private: bool, until: str | None = None
    ) -> list[HistoryRow]:
        h, performer, subject = self.t.history, self.t.users.alias("performer"), self.t.users.alias("subject")
        conditions = [h.c.event_id == event_id]
        if after is not None:
            conditions.append(h.c.entry_id > after)
        if not include_private:
            conditions.append(h.c.private.is_(False))
        if until is not None:
            conditions.append(h.c.at <= until)
        query = (
            select(
                h.c.entry_id,
                h.c.kind,
                h.c.at,
                h.c.performed_by,
                performer.c.user_name,
                h.c.subject_user_id,
                subject.c.user_name,
                h.c.private,
                h.c.details,
            )
            .select_from(
                h.outerjoin(performer, performer.c.user_id == h.c.performed_by).outerjoin(
                    subject, subject.c.user_id == h.c.subject_user_id
                )
            )
            .where(and_(*conditions))
            .order_by(h.c.entry_id)
            .limit(limit)
        )
        with self.store.connect() as conn:
            return [
                HistoryRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), json.loads(r[8]))
                for r in conn.execute(query)
            ]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
