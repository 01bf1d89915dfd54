"""Queries on the catalog read model. Lists are keyset-paginated on indexed columns, so the
thousandth page costs what the first does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from projections.catalog import sortable
from projections.store import ReadStore

PARTICIPANTS_PAGE = 20
ORGANIZERS_PAGE = 11
EVENTS_BY_USER = 50


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
    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.t = store.tables

    def participants(
        self,
        event_id: int,
        *,
        include_private: bool,
        after: int | None = None,
        name_filter: str | None = None,
        exclude: tuple[int, ...] = (),
        limit: int = PARTICIPANTS_PAGE,
    ) -> list[ParticipantRow]:
        p, u = self.t.participants, self.t.users
        conditions = [p.c.event_id == event_id, p.c.active.is_(True)]
        if not include_private:
            conditions.append(p.c.private.is_(False))
        if after is not None:
            conditions.append(p.c.participant_id > after)
        if exclude:
            conditions.append(p.c.user_id.not_in(exclude))
        if name_filter is not None:
            pattern = "%" + _escape_like(name_filter.lower()) + "%"
            conditions.append(u.c.name_lower.like(pattern, escape="\\"))
        query = (
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
            .limit(limit)
        )
        with self.store.connect() as conn:
            return [
                ParticipantRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], bool(r[6]), r[7], bool(r[8]))
                for r in conn.execute(query)
            ]

    def active_participants(self, event_id: int) -> list[int]:
        p = self.t.participants
        query = (
            select(p.c.user_id)
            .where(and_(p.c.event_id == event_id, p.c.active.is_(True)))
            .order_by(p.c.participant_id)
        )
        with self.store.connect() as conn:
            return list(conn.execute(query).scalars())

    def _recipients_query(
        self, columns: list[Any], event_id: int, user_ids: list[int] | None, invert: bool, valid_only: bool
    ) -> Any:
        p, u = self.t.participants, self.t.users
        conditions = [p.c.event_id == event_id, p.c.active.is_(True)]
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

    def due_for_aggregation(self, now: datetime, cutoff: datetime, limit: int) -> list[tuple[int, int]]:
        p, r = self.t.participants, self.t.registrations
        query = (
            select(p.c.event_id, p.c.user_id)
            .select_from(p.join(r, r.c.event_id == p.c.event_id))
            .where(
                and_(
                    p.c.answers_sealed.is_not(None),
                    or_(r.c.end_utc < sortable(now), p.c.first_answer_at < sortable(cutoff)),
                )
            )
            .order_by(p.c.event_id, p.c.participant_id)
            .limit(limit)
        )
        with self.store.connect() as conn:
            return [(r_[0], r_[1]) for r_ in conn.execute(query)]

    def organizers(self, event_id: int, after: int | None = None) -> list[OrganizerRow]:
        o, u = self.t.organizers, self.t.users
        conditions = [o.c.event_id == event_id, o.c.active.is_(True)]
        if after is not None:
            conditions.append(o.c.organizer_id > after)
        query = (
            select(o.c.organizer_id, o.c.user_id, u.c.user_name, o.c.role)
            .select_from(o.outerjoin(u, u.c.user_id == o.c.user_id))
            .where(and_(*conditions))
            .order_by(o.c.organizer_id)
            .limit(ORGANIZERS_PAGE)
        )
        with self.store.connect() as conn:
            return [OrganizerRow(*r) for r in conn.execute(query)]

    def events_organized_by(self, user_id: int) -> list[EventRow]:
        o, r = self.t.organizers, self.t.registrations
        query = (
            select(r.c.event_id, r.c.name, r.c.deleted)
            .select_from(o.join(r, r.c.event_id == o.c.event_id))
            .where(and_(o.c.user_id == user_id, o.c.active.is_(True)))
            .order_by(r.c.event_id)
            .limit(EVENTS_BY_USER)
        )
        return self._events(query)

    def events_joined_by(self, user_id: int) -> list[EventRow]:
        """Public, active registrations only: private ones never appear, not even to their owner."""
        p, r = self.t.participants, self.t.registrations
        query = (
            select(r.c.event_id, r.c.name, r.c.deleted)
            .select_from(p.join(r, r.c.event_id == p.c.event_id))
            .where(and_(p.c.user_id == user_id, p.c.active.is_(True), p.c.private.is_(False)))
            .order_by(r.c.event_id)
            .limit(EVENTS_BY_USER)
        )
        return self._events(query)

    def _events(self, query: object) -> list[EventRow]:
        with self.store.connect() as conn:
            return [EventRow(r[0], r[1], bool(r[2])) for r in conn.execute(query)]  # type: ignore[call-overload]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
