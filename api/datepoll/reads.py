"""What DatePoll's routes read besides ``PollViews``: the live events with their start (for the
administration's years and lists), presets, and one event's registration as the domain holds it
(a hidden event is missing to those who may not see it: ``policies.can_see_event``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from api.bootstrap import Services
from domain import errors, policies
from domain.accounts import Account
from domain.registration import EventRegistration


@dataclass(frozen=True)
class Listed:
    event_id: int
    start_utc: datetime


def live_events(services: Services) -> list[Listed]:
    """Every live event, by start then id."""
    r = services.store.tables.registrations
    with services.store.engine.connect() as conn:
        rows = conn.execute(select(r.c.event_id, r.c.details).where(~r.c.deleted)).all()
    found = [
        Listed(row.event_id, datetime.fromisoformat(json.loads(row.details)["start_utc"])) for row in rows
    ]
    return sorted(found, key=lambda e: (e.start_utc, e.event_id))


def year_of(listed: Listed, zone: str) -> int:
    return listed.start_utc.astimezone(ZoneInfo(zone)).year


def registration(services: Services, event_id: int, viewer: Account) -> EventRegistration:
    """The live event as the domain holds it: the aggregate read once (not copied: the caller must
    not change it); ``EventNotFound`` when missing, deleted or hidden from ``viewer`` (the content
    model's hidden flag, ``policies.can_see_event``)."""
    app = services.app
    found = app.registration_for_reading(event_id)
    if found.is_deleted:
        raise errors.EventNotFound()
    hidden = app.hidden_flags.hidden(event_id) if app.hidden_flags is not None else 0
    if hidden and not policies.can_see_event(viewer, found, hidden):
        raise errors.EventNotFound()  # hidden: as if it did not exist (domain/moderation.py)
    return found


def presets(services: Services, table: str, number: int | None = None) -> list[dict[str, Any]]:
    """Live standard decisions or locations (``table``), by number; one when ``number`` is given."""
    assert services.polls is not None
    t = getattr(services.polls.t, table)
    query = select(t).order_by(t.c.number)
    if number is not None:
        query = query.where(t.c.number == number)
    with services.store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
