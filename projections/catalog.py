"""The catalog read model: users, registrations, organizers and participants, kept together so
every list that joins them reads one consistent position of the log.

Each handler applies one fact to the tables it is given (live ones, or a replay's fresh ones). Rows
are found by the aggregate id the fact belongs to; ``participant_id`` is handed out here, in log
order, so a replay hands out the same ids.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Connection

from domain.accounts import Account
from domain.participants import Participant
from domain.registration import ROLE_CREATOR, EventRegistration
from projections.schema import Tables

NAME = "catalog"
Handler = Callable[[Connection, Tables, Any], None]


def ts_mw(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def sortable(moment: datetime | str) -> str:
    """A UTC instant as fixed-width text, so that SQL compares instants as strings."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _set(table: Callable[[Tables], Table], **values: Any) -> Handler:
    """A handler that sets fixed ``values`` (plus ``private`` when the fact carries it) on the row
    of the fact's aggregate."""

    def handle(conn: Connection, t: Tables, e: Any) -> None:
        target = table(t)
        row = dict(values)
        if hasattr(e, "private"):
            row["private"] = e.private
        if row.get("registered_at") is True:
            row["registered_at"] = ts_mw(e.timestamp)
        conn.execute(update(target).where(target.c.aggregate_id == str(e.originator_id)).values(**row))

    return handle


def _account_created(conn: Connection, t: Tables, e: Account.Created) -> None:
    conn.execute(
        insert(t.users).values(
            user_id=e.user_id,
            aggregate_id=str(e.originator_id),
            user_name=e.user_name,
            name_lower=e.user_name.lower(),
            email=e.email,
            blocked=False,
        )
    )


def _registration_enabled(conn: Connection, t: Tables, e: EventRegistration.RegistrationEnabled) -> None:
    conn.execute(
        insert(t.registrations).values(
            event_id=e.event_id,
            aggregate_id=str(e.originator_id),
            name=e.details["name"],
            end_utc=sortable(e.details["end_utc"]),
            deleted=False,
        )
    )
    conn.execute(
        insert(t.organizers).values(
            event_id=e.event_id, user_id=e.performed_by, organizer_id=1, role=ROLE_CREATOR, active=True
        )
    )


def _event_id(conn: Connection, t: Tables, e: Any) -> int:
    r = t.registrations
    event_id: int = conn.execute(
        select(r.c.event_id).where(r.c.aggregate_id == str(e.originator_id))
    ).scalar_one()
    return event_id


def _registration_edited(conn: Connection, t: Tables, e: EventRegistration.RegistrationEdited) -> None:
    r = t.registrations
    conn.execute(
        update(r)
        .where(r.c.aggregate_id == str(e.originator_id))
        .values(name=e.details["name"], end_utc=sortable(e.details["end_utc"]))
    )


def _organizers_set(conn: Connection, t: Tables, e: EventRegistration.OrganizersSet) -> None:
    event_id = _event_id(conn, t, e)
    o = t.organizers
    conn.execute(update(o).where(o.c.event_id == event_id).values(active=False))
    for user_id, organizer_id, role in e.organizers:
        row = {"organizer_id": organizer_id, "role": role, "active": True}
        where = (o.c.event_id == event_id) & (o.c.user_id == user_id)
        if not conn.execute(update(o).where(where).values(**row)).rowcount:
            conn.execute(insert(o).values(event_id=event_id, user_id=user_id, **row))


def _participant_registered(conn: Connection, t: Tables, e: Participant.ParticipantRegistered) -> None:
    p = t.participants
    next_id = conn.execute(select(func.coalesce(func.max(p.c.participant_id), 0) + 1)).scalar_one()
    conn.execute(
        insert(p).values(
            participant_id=next_id,
            aggregate_id=str(e.originator_id),
            event_id=e.event_id,
            user_id=e.user_id,
            private=e.private,
            active=True,
            registered_at=ts_mw(e.timestamp),
            answers_sealed=None,
            first_answer_at=None,
            aggregated=False,
        )
    )


def _answers_replaced(conn: Connection, t: Tables, e: Participant.AnswersReplaced) -> None:
    p = t.participants
    row = conn.execute(select(p.c.first_answer_at).where(p.c.aggregate_id == str(e.originator_id))).one()
    first = None if e.sealed is None else (row.first_answer_at or sortable(e.timestamp))
    conn.execute(
        update(p)
        .where(p.c.aggregate_id == str(e.originator_id))
        .values(answers_sealed=e.sealed, first_answer_at=first)
    )


def _users(t: Tables) -> Table:
    return t.users


def _registrations(t: Tables) -> Table:
    return t.registrations


def _participants(t: Tables) -> Table:
    return t.participants


LEFT = {"active": False, "answers_sealed": None, "first_answer_at": None}

HANDLERS: dict[str, Handler] = {
    get_topic(Account.Created): _account_created,
    get_topic(Account.Blocked): _set(_users, blocked=True),
    get_topic(Account.Unblocked): _set(_users, blocked=False),
    get_topic(EventRegistration.RegistrationEnabled): _registration_enabled,
    get_topic(EventRegistration.RegistrationEdited): _registration_edited,
    get_topic(EventRegistration.OrganizersSet): _organizers_set,
    get_topic(EventRegistration.RegistrationDeleted): _set(_registrations, deleted=True),
    get_topic(Participant.ParticipantRegistered): _participant_registered,
    get_topic(Participant.ParticipantReregistered): _set(
        _participants, active=True, registered_at=True, aggregated=False
    ),
    get_topic(Participant.RegistrationPrivacyChanged): _set(_participants),
    get_topic(Participant.RegistrationCancelled): _set(_participants, **LEFT),
    get_topic(Participant.ParticipantRemoved): _set(_participants, **LEFT),
    get_topic(Participant.AnswersReplaced): _answers_replaced,
    get_topic(Participant.AnswersAggregated): _set(
        _participants, answers_sealed=None, first_answer_at=None, aggregated=True
    ),
}
TOPICS = tuple(HANDLERS)
