"""The catalog read model: users, registrations, organizers and participants, kept together so
every list that joins them reads one consistent position of the log.

Each handler applies one fact to the tables it is given (live ones, or a replay's fresh ones). Rows
are found by the aggregate id the fact belongs to; ``participant_id`` is handed out here, in log
order, so a replay hands out the same ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from domain.accounts import Account
from domain.mailings import Mailing
from domain.participants import Participant
from domain.registration import DETAIL_FACTS, ROLE_CREATOR, EventRegistration
from domain.worklist import Worklist
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
            status="open",
            details=json.dumps(e.details, sort_keys=True),
            wiki=e.wiki,
            questions=json.dumps(e.questions),
        )
    )
    conn.execute(
        insert(t.organizers).values(
            event_id=e.event_id,
            user_id=e.performed_by,
            organizer_id=e.creator_organizer_id,
            role=ROLE_CREATOR,
            active=True,
        )
    )
    record(conn, t, e.event_id, e, "registration-enabled", {"event_page": e.details["page"]})


def _event_id(conn: Connection, t: Tables, e: Any) -> int:
    r = t.registrations
    event_id: int = conn.execute(
        select(r.c.event_id).where(r.c.aggregate_id == str(e.originator_id))
    ).scalar_one()
    return event_id


def _registration_edited(conn: Connection, t: Tables, e: EventRegistration.RegistrationEdited) -> None:
    """Legacy facts (logs written before the specific edit facts): the whole new details and status,
    so what changed is found by comparing with the row; new logs record what changed instead."""
    r = t.registrations
    before = conn.execute(
        select(r.c.event_id, r.c.status, r.c.details).where(r.c.aggregate_id == str(e.originator_id))
    ).one()
    conn.execute(
        update(r)
        .where(r.c.aggregate_id == str(e.originator_id))
        .values(
            name=e.details["name"],
            end_utc=sortable(e.details["end_utc"]),
            status=e.status,
            details=json.dumps(e.details, sort_keys=True),
        )
    )
    old = json.loads(before.details)
    changes = {
        EDITABLE[field]: {"old": old.get(field), "new": value}
        for field, value in e.details.items()
        if field in EDITABLE and old.get(field) != value
    }
    if before.status != e.status:
        kind = "registration-closed" if e.status == "closed" else "registration-reopened"
        record(conn, t, before.event_id, e, kind, {})
    if changes or before.status == e.status:
        record(conn, t, before.event_id, e, "registration-edited", {"changes": changes})


def _details_changed(conn: Connection, t: Tables, e: EventRegistration.DetailsChanged) -> None:
    """Set the fact's fields on the row; the audit history gets one "registration-edited" entry per
    edit (a fact that ``continues`` an edit adds its changes to that edit's entry)."""
    r = t.registrations
    row = conn.execute(
        select(r.c.event_id, r.c.details).where(r.c.aggregate_id == str(e.originator_id))
    ).one()
    old = json.loads(row.details)
    values = e.values()
    changes = {
        EDITABLE[field]: {"old": old.get(field), "new": value}
        for field, value in values.items()
        if field in EDITABLE and old.get(field) != value
    }
    details = {**old, **values}
    conn.execute(
        update(r)
        .where(r.c.aggregate_id == str(e.originator_id))
        .values(
            name=details["name"],
            end_utc=sortable(details["end_utc"]),
            details=json.dumps(details, sort_keys=True),
        )
    )
    if not e.continues:
        record(conn, t, row.event_id, e, "registration-edited", {"changes": changes})
        return
    h = t.history
    entry = conn.execute(
        select(h.c.entry_id, h.c.details)
        .where((h.c.event_id == row.event_id) & (h.c.kind == "registration-edited"))
        .order_by(h.c.entry_id.desc())
        .limit(1)
    ).one()
    merged = json.loads(entry.details)
    merged["changes"].update(changes)
    conn.execute(
        update(h)
        .where((h.c.event_id == row.event_id) & (h.c.entry_id == entry.entry_id))
        .values(details=json.dumps(merged, sort_keys=True))
    )


def _organizers_set(conn: Connection, t: Tables, e: EventRegistration.OrganizersSet) -> None:
    event_id = _event_id(conn, t, e)
    user_ids = [entry["user_id"] for entry in e.organizers]
    record(conn, t, event_id, e, "organizers-changed", {"organizer_user_ids": user_ids})
    o = t.organizers
    conn.execute(update(o).where(o.c.event_id == event_id).values(active=False))
    for entry in e.organizers:
        user_id = entry["user_id"]
        row = {"organizer_id": entry["organizer_id"], "role": entry["role"], "active": True}
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
    record(conn, t, e.event_id, e, "participant-registered", {}, subject=e.user_id, private=e.private)


def _answers_replaced(conn: Connection, t: Tables, e: Participant.AnswersReplaced) -> None:
    p = t.participants
    row = conn.execute(select(p.c.first_answer_at).where(p.c.aggregate_id == str(e.originator_id))).one()
    first = None if e.sealed is None else (row.first_answer_at or sortable(e.timestamp))
    conn.execute(
        update(p)
        .where(p.c.aggregate_id == str(e.originator_id))
        .values(answers_sealed=e.sealed, first_answer_at=first)
    )
    _participant_history("answers-submitted" if e.sealed else "answers-removed")(conn, t, e)


# Details fields an edit can change, by their stored name -> the API's name (as history shows them).
EDITABLE = {
    "page": "event_page",
    "timezone": "timezone",
    "start_local": "start_time",
    "end_local": "end_time",
    "wikis": "wikis",
    "online": "online_meeting",
    "inperson": "inperson_meeting",
    "meeting_url": "meeting_url",
    "meeting_country": "meeting_country",
    "meeting_address": "meeting_address",
    "chat_url": "chat_url",
    "tracking_tool_id": "tracking_tool_id",
    "tracking_tool_event_id": "tracking_tool_event_id",
}


def record(
    conn: Connection,
    t: Tables,
    event_id: int,
    e: Any,
    kind: str,
    details: dict[str, Any],
    *,
    subject: int | None = None,
    private: bool = False,
) -> None:
    """Append one entry to the event's history (never personal answers: callers pass none)."""
    h = t.history
    entry_id = conn.execute(
        select(func.coalesce(func.max(h.c.entry_id), 0) + 1).where(h.c.event_id == event_id)
    ).scalar_one()
    conn.execute(
        insert(h).values(
            event_id=event_id,
            entry_id=entry_id,
            kind=kind,
            performed_by=getattr(e, "performed_by", None),
            at=sortable(e.timestamp),
            subject_user_id=subject,
            private=private,
            details=json.dumps(details, sort_keys=True),
        )
    )


def _participant_history(kind: str) -> Handler:
    """A history entry about the fact's participant (after its row was updated)."""

    def handle(conn: Connection, t: Tables, e: Any) -> None:
        p = t.participants
        row = conn.execute(
            select(p.c.event_id, p.c.user_id, p.c.private).where(p.c.aggregate_id == str(e.originator_id))
        ).one()
        record(conn, t, row.event_id, e, kind, {}, subject=row.user_id, private=bool(row.private))

    return handle


def _then(*handlers: Handler) -> Handler:
    def handle(conn: Connection, t: Tables, e: Any) -> None:
        for handler in handlers:
            handler(conn, t, e)

    return handle


def _registration_history(kind: str, details: Callable[[Any], dict[str, Any]] = lambda e: {}) -> Handler:
    def handle(conn: Connection, t: Tables, e: Any) -> None:
        record(conn, t, _event_id(conn, t, e), e, kind, details(e))

    return handle


def _worklist_changed(conn: Connection, t: Tables, e: Worklist.WorklistChanged) -> None:
    w = t.worklist
    top = conn.execute(
        select(func.coalesce(func.max(w.c.position), 0)).where(w.c.event_id == e.event_id)
    ).scalar_one()
    for n, article in enumerate(e.added, start=1):
        conn.execute(
            insert(w).values(
                event_id=e.event_id,
                article_id=article["article_id"],
                position=top + n,
                wiki_id=article["wiki_id"],
                page_title=article["title"],
                added_by=e.performed_by,
                added_at=e.timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        )
    gone = (
        conn.execute(
            select(w.c.position)
            .where((w.c.event_id == e.event_id) & w.c.article_id.in_(e.removed))
            .order_by(w.c.position.desc())
        )
        .scalars()
        .all()
    )
    conn.execute(delete(w).where((w.c.event_id == e.event_id) & w.c.article_id.in_(e.removed)))
    for position in gone:  # keep positions dense, so offset paging is an index range
        conn.execute(
            update(w)
            .where((w.c.event_id == e.event_id) & (w.c.position > position))
            .values(position=w.c.position - 1)
        )
    record(conn, t, e.event_id, e, "worklist-changed", {"added": len(e.added), "removed": len(e.removed)})


def _emailed(conn: Connection, t: Tables, e: Mailing.ParticipantsEmailed) -> None:
    record(conn, t, e.event_id, e, "participants-emailed", {"recipients": e.expected})


def _users(t: Tables) -> Table:
    return t.users


def _registrations(t: Tables) -> Table:
    return t.registrations


def _participants(t: Tables) -> Table:
    return t.participants


EDIT_FACTS: tuple[type[EventRegistration.DetailsChanged], ...] = (
    *DETAIL_FACTS,
    EventRegistration.DetailsResubmitted,
)
LEFT = {"active": False, "answers_sealed": None, "first_answer_at": None}

HANDLERS: dict[str, Handler] = {
    get_topic(Account.Created): _account_created,
    get_topic(Account.Blocked): _set(_users, blocked=True),
    get_topic(Account.Unblocked): _set(_users, blocked=False),
    get_topic(EventRegistration.RegistrationEnabled): _registration_enabled,
    get_topic(EventRegistration.RegistrationEdited): _registration_edited,
    get_topic(EventRegistration.RegistrationClosed): _then(
        _set(_registrations, status="closed"), _registration_history("registration-closed")
    ),
    get_topic(EventRegistration.RegistrationReopened): _then(
        _set(_registrations, status="open"), _registration_history("registration-reopened")
    ),
    **{get_topic(kind): _details_changed for kind in EDIT_FACTS},
    get_topic(EventRegistration.OrganizersSet): _organizers_set,
    get_topic(EventRegistration.RegistrationDeleted): _then(
        _set(_registrations, deleted=True), _registration_history("registration-deleted")
    ),
    get_topic(EventRegistration.AnswersCounted): _registration_history(
        "answers-counted", lambda e: {"answers": sum(c["count"] for c in e.counts)}
    ),
    get_topic(Participant.ParticipantRegistered): _participant_registered,
    get_topic(Participant.ParticipantReregistered): _then(
        _set(_participants, active=True, registered_at=True, aggregated=False),
        _participant_history("participant-registered"),
    ),
    get_topic(Participant.RegistrationPrivacyChanged): _then(
        _set(_participants), _participant_history("participant-privacy-changed")
    ),
    get_topic(Participant.RegistrationCancelled): _then(
        _set(_participants, **LEFT), _participant_history("participant-cancelled")
    ),
    get_topic(Participant.ParticipantRemoved): _then(
        _set(_participants, **LEFT), _participant_history("participant-removed")
    ),
    get_topic(Participant.AnswersReplaced): _answers_replaced,
    get_topic(Participant.AnswersAggregated): _then(
        _set(_participants, answers_sealed=None, first_answer_at=None, aggregated=True),
        _participant_history("answers-aggregated"),
    ),
    get_topic(Worklist.WorklistChanged): _worklist_changed,
    get_topic(Mailing.ParticipantsEmailed): _emailed,
}
TOPICS = tuple(HANDLERS)
