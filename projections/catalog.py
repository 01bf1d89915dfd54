"""The catalog read model: users, registrations, organizers and participants, kept together so
every list that joins them reads one consistent position of the log.

A batch of facts is applied as a batch (``apply``): the rows the batch touches are read with one
query per table (``aggregate_id IN (...)``), the facts are folded into them in memory in log order
(last write wins per row), and the result is written with one bulk statement per table and kind
(insert, update: ``projections.bulk``) — all inside the caller's transaction, the one that advances the
tracking position. ``participant_id`` and each event's history ``entry_id`` are handed out here in
log order, continuing from one ``max()`` per batch, so a replay hands out the same ids.

The worklist is the one table written while folding: removing articles renumbers the others
(positions stay dense, so offset paging is an index range), and that is done against the table.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.engine import Connection

from domain.accounts import Account
from domain.aggregation import AnswersAggregated
from domain.mailings import Mailing
from domain.participants import Participant, participant_id
from domain.registration import DETAIL_FACTS, ROLE_CREATOR, EventRegistration
from domain.worklist import Worklist
from projections import content_history, place_history, poll_history, schedule_history
from projections.bulk import insert_rows, max_in, max_of, rows_in, update_rows
from projections.schema import Tables

NAME = "catalog"
Row = dict[str, Any]
CHUNK = 500  # parameters per IN (...) list


def ts_mw(moment: datetime) -> str:
    """``%Y%m%d%H%M%S`` (from ``isoformat``, which is several times faster than ``strftime``)."""
    text = moment.isoformat()
    return text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]


def sortable(moment: datetime | str) -> str:
    """A UTC instant as fixed-width text (``%Y-%m-%dT%H:%M:%S.%f``), so that SQL compares
    instants as strings."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is not UTC:  # the log's timestamps are in UTC already: no conversion
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")[:26]


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True) if value else "{}"


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
REGISTRATION_COLUMNS = ("name", "end_utc", "deleted", "status", "details")
PARTICIPANT_COLUMNS = (
    "private",
    "active",
    "registered_at",
    "answers_sealed",
    "first_answer_at",
    "aggregated",
)
ORGANIZER_COLUMNS = ("organizer_id", "role", "active")


# What ``Fold.prepare`` reads for a fact, by its class (worked out once per class, not per fact).
_OTHER, _ENABLED, _REGISTRATION, _ORGANIZERS, _REGISTERED, _PARTICIPANT, _WORKLIST, _EMAILED = range(8)
_BATCH = 8
_KINDS: dict[type, int] = {}


def _kind(kind: type) -> int:
    found = _OTHER
    if issubclass(kind, EventRegistration.RegistrationEnabled):
        found = _ENABLED
    elif issubclass(kind, AnswersAggregated):
        found = _BATCH
    elif issubclass(kind, EventRegistration.Event):
        found = _ORGANIZERS if issubclass(kind, EventRegistration.OrganizersSet) else _REGISTRATION
    elif issubclass(kind, Participant.ParticipantRegistered):
        found = _REGISTERED
    elif issubclass(kind, Participant.Event):
        found = _PARTICIPANT
    elif issubclass(kind, Worklist.WorklistChanged):
        found = _WORKLIST
    elif issubclass(kind, Mailing.ParticipantsEmailed):
        found = _EMAILED
    _KINDS[kind] = found
    return found


class Fold:
    """One batch folded into the rows it changes; ``flush`` writes them."""

    def __init__(self, conn: Connection, tables: Tables) -> None:
        self.conn = conn
        self.t = tables
        self.users_new: dict[str, Row] = {}  # by aggregate id
        self.users_blocked: dict[str, bool] = {}  # existing users: aggregate id -> blocked
        self.registrations: dict[str, Row] = {}  # by aggregate id, loaded or new
        self.registrations_new: set[str] = set()
        self.registrations_dirty: set[str] = set()
        self.organizers: dict[int, dict[int, Row]] = {}  # event id -> user id -> row
        self.organizers_new: set[tuple[int, int]] = set()
        self.organizers_dirty: set[tuple[int, int]] = set()
        self.participants: dict[str, Row] = {}  # by aggregate id, loaded or new
        self.participants_new: list[str] = []
        self.participants_dirty: set[str] = set()
        self.next_participant_id: int | None = None
        self.next_entry: dict[int, int] = {}  # event id -> next history entry id
        self.history_new: list[Row] = []  # details still a dict
        self.history_changed: dict[tuple[int, int], Row] = {}  # stored entries merged into
        self.last_edit: dict[int, Row] = {}  # event id -> its latest "registration-edited" entry
        self.worklist_top: dict[int, int] = {}
        self.worklist_new: list[Row] = []

    # --- reading what the batch touches (one query per table) -----------------------------

    def prepare(self, events: Sequence[Any]) -> None:
        registration_ids: set[str] = set()
        participant_ids: set[str] = set()
        event_ids: set[int] = set()
        organizer_aggregates: set[str] = set()
        worklist_events: set[int] = set()
        created: set[int] = set()  # events whose first fact in the batch is their creation
        created_keys: set[str] = set()  # and their registrations' aggregate ids
        registering = False
        kinds = _KINDS
        for e in events:
            kind = kinds.get(type(e))
            if kind is None:
                kind = _kind(type(e))
            if kind == _OTHER:
                continue
            if kind == _ENABLED:
                key = str(e.originator_id)
                if e.event_id not in event_ids:
                    created.add(e.event_id)
                if key not in registration_ids:
                    created_keys.add(key)
                event_ids.add(e.event_id)
            elif kind == _EMAILED:
                event_ids.add(e.event_id)
            elif kind in (_REGISTRATION, _ORGANIZERS):
                registration_ids.add(str(e.originator_id))
                if kind == _ORGANIZERS:
                    organizer_aggregates.add(str(e.originator_id))
            elif kind == _REGISTERED:
                registering = True
                event_ids.add(e.event_id)
            elif kind == _PARTICIPANT:
                participant_ids.add(str(e.originator_id))
            elif kind == _WORKLIST:
                worklist_events.add(e.event_id)
                event_ids.add(e.event_id)
            elif kind == _BATCH:  # the registration's, and the rows of the participants it stamps
                registration_ids.add(str(e.originator_id))
                participant_ids.update(str(participant_id(e.event_id, p["user_id"])) for p in e.participants)
        r, p, o, h, w = (
            self.t.registrations,
            self.t.participants,
            self.t.organizers,
            self.t.history,
            self.t.worklist,
        )
        # nothing to read for what the batch creates: no row of it can be there yet (an event id
        # is handed out with its creation, and every other fact about the event follows it)
        for row in self._rows_in(r, r.c.aggregate_id, sorted(registration_ids - created_keys)):
            self.registrations[row["aggregate_id"]] = row
            event_ids.add(row["event_id"])
            created.discard(row["event_id"])
        for row in self._rows_in(p, p.c.aggregate_id, sorted(participant_ids)):
            self.participants[row["aggregate_id"]] = row
            event_ids.add(row["event_id"])
            created.discard(row["event_id"])
        organizer_events = sorted(
            self.registrations[a]["event_id"] for a in organizer_aggregates if a in self.registrations
        )
        for event_id in organizer_events:
            self.organizers.setdefault(event_id, {})
        for row in self._rows_in(o, o.c.event_id, organizer_events):
            self.organizers[row["event_id"]][row["user_id"]] = row
        self.next_entry.update(dict.fromkeys(created, 1))  # a created event's history starts here
        stored = sorted(event_ids - created)
        self.next_entry.update(
            {event_id: top + 1 for event_id, top in self._max_by_event(h, h.c.entry_id, stored)}
        )
        self.worklist_top.update(self._max_by_event(w, w.c.position, sorted(worklist_events)))
        if registering:
            self.next_participant_id = self._max_participant_id() + 1

    def _rows_in(self, table: Table, column: Any, values: Sequence[Any]) -> Iterable[Row]:
        return rows_in(self.conn, table, column.name, values, CHUNK)

    def _max_by_event(self, table: Table, column: Any, event_ids: Sequence[int]) -> Iterable[tuple[int, int]]:
        """Each event's top ``column`` (0 for none): driver statements (``projections.bulk``)."""
        found: dict[int, int] = dict.fromkeys(event_ids, 0)
        for event_id, top in max_in(self.conn, table, "event_id", column.name, event_ids, CHUNK):
            found[event_id] = top or 0
        return found.items()

    def _max_participant_id(self) -> int:
        return max_of(self.conn, self.t.participants, "participant_id")

    # --- the rows, in memory ------------------------------------------------------------------

    def registration(self, e: Any) -> Row:
        key = str(e.originator_id)
        if key not in self.registrations:  # not expected: prepare() read every touched row
            r = self.t.registrations
            row = self.conn.execute(select(r).where(r.c.aggregate_id == key)).mappings().one()
            self.registrations[key] = dict(row)
        if key not in self.registrations_new:
            self.registrations_dirty.add(key)
        return self.registrations[key]

    def participant(self, e: Any) -> Row:
        key = str(e.originator_id)
        if key not in self.participants:  # not expected: prepare() read every touched row
            p = self.t.participants
            row = self.conn.execute(select(p).where(p.c.aggregate_id == key)).mappings().one()
            self.participants[key] = dict(row)
        self.participants_dirty.add(key)
        return self.participants[key]

    def new_participant_id(self) -> int:
        if self.next_participant_id is None:
            self.next_participant_id = self._max_participant_id() + 1
        self.next_participant_id += 1
        return self.next_participant_id - 1

    def record(
        self,
        event_id: int,
        e: Any,
        kind: str,
        details: dict[str, Any],
        *,
        subject: int | None = None,
        private: bool = False,
    ) -> None:
        """Append one entry to the event's history (never personal answers: callers pass none)."""
        if event_id not in self.next_entry:
            self.next_entry.update(self._max_by_event(self.t.history, self.t.history.c.entry_id, [event_id]))
            self.next_entry[event_id] += 1
        entry_id = self.next_entry[event_id]
        self.next_entry[event_id] = entry_id + 1
        moment = e.timestamp  # UTC in the log: sortable()'s text without the call
        at = moment.isoformat(timespec="microseconds")[:26] if moment.tzinfo is UTC else sortable(moment)
        entry = {
            "event_id": event_id,
            "entry_id": entry_id,
            "kind": kind,
            "performed_by": getattr(e, "performed_by", None),
            "at": at,
            "subject_user_id": subject,
            "private": private,
            "details": details,
        }
        self.history_new.append(entry)
        if kind == "registration-edited":
            self.last_edit[event_id] = entry

    def latest_edit(self, event_id: int) -> Row:
        """The event's latest "registration-edited" entry, from this batch or the table."""
        if event_id not in self.last_edit:
            h = self.t.history
            stored = (
                self.conn.execute(
                    select(h.c.event_id, h.c.entry_id, h.c.details)
                    .where((h.c.event_id == event_id) & (h.c.kind == "registration-edited"))
                    .order_by(h.c.entry_id.desc())
                    .limit(1)
                )
                .mappings()
                .one()
            )
            entry = {**stored, "details": json.loads(stored["details"])}
            self.history_changed[(event_id, entry["entry_id"])] = entry
            self.last_edit[event_id] = entry
        return self.last_edit[event_id]

    def organizers_of(self, event_id: int) -> dict[int, Row]:
        if event_id not in self.organizers:  # not expected: prepare() read them
            o = self.t.organizers
            self.organizers[event_id] = {
                row["user_id"]: row for row in self._rows_in(o, o.c.event_id, [event_id])
            }
        return self.organizers[event_id]

    # --- the worklist (written while folding: see the module's docstring) ---------------------

    def worklist_change(self, e: Worklist.WorklistChanged) -> None:
        w = self.t.worklist
        if e.event_id not in self.worklist_top:
            self.worklist_top.update(self._max_by_event(w, w.c.position, [e.event_id]))
        top = self.worklist_top[e.event_id]
        at = e.timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for n, article in enumerate(e.added, start=1):
            self.worklist_new.append(
                {
                    "event_id": e.event_id,
                    "article_id": article["article_id"],
                    "position": top + n,
                    "wiki_id": article["wiki_id"],
                    "page_title": article["title"],
                    "added_by": e.performed_by,
                    "added_at": at,
                }
            )
        top += len(e.added)
        if e.removed:
            self.flush_worklist()
            where = (w.c.event_id == e.event_id) & w.c.article_id.in_(e.removed)
            gone = sorted(self.conn.execute(select(w.c.position).where(where)).scalars())
            if gone:
                self.conn.execute(delete(w).where(where))
                # keep positions dense: each row moves down by the removed positions below it
                rest = self.conn.execute(
                    select(w.c.article_id, w.c.position).where(
                        (w.c.event_id == e.event_id) & (w.c.position > gone[0])
                    )
                ).all()
                moves = [
                    {
                        "k_event": e.event_id,
                        "k_article": article,
                        "v_position": position - bisect.bisect(gone, position),
                    }
                    for article, position in rest
                ]
                if moves:
                    self.conn.execute(
                        update(w)
                        .where(
                            (w.c.event_id == bindparam("k_event"))
                            & (w.c.article_id == bindparam("k_article"))
                        )
                        .values(position=bindparam("v_position")),
                        moves,
                    )
                top -= len(gone)
        self.worklist_top[e.event_id] = top

    def flush_worklist(self) -> None:
        if self.worklist_new:
            insert_rows(self.conn, self.t.worklist, self.worklist_new)
            self.worklist_new = []

    # --- writing ----------------------------------------------------------------------------

    def flush(self) -> None:
        t, conn = self.t, self.conn
        self.flush_worklist()
        insert_rows(conn, t.users, list(self.users_new.values()))
        update_rows(
            conn,
            t.users,
            ("aggregate_id",),
            ("blocked",),
            [{"aggregate_id": k, "blocked": v} for k, v in self.users_blocked.items()],
        )
        insert_rows(conn, t.registrations, [self.registrations[k] for k in self.registrations_new])
        update_rows(
            conn,
            t.registrations,
            ("aggregate_id",),
            REGISTRATION_COLUMNS,
            [self.registrations[k] for k in sorted(self.registrations_dirty)],
        )
        by_key = {(e, u): row for e, rows in self.organizers.items() for u, row in rows.items()}
        insert_rows(conn, t.organizers, [by_key[k] for k in sorted(self.organizers_new)])
        update_rows(
            conn,
            t.organizers,
            ("event_id", "user_id"),
            ORGANIZER_COLUMNS,
            [by_key[k] for k in sorted(self.organizers_dirty - self.organizers_new)],
        )
        insert_rows(conn, t.participants, [self.participants[k] for k in self.participants_new])
        new = set(self.participants_new)
        update_rows(
            conn,
            t.participants,
            ("aggregate_id",),
            PARTICIPANT_COLUMNS,
            [self.participants[k] for k in sorted(self.participants_dirty - new)],
        )
        for entry in self.history_new:
            entry["details"] = _json(entry["details"])
        insert_rows(conn, t.history, self.history_new)
        update_rows(
            conn,
            t.history,
            ("event_id", "entry_id"),
            ("details",),
            [{**entry, "details": _json(entry["details"])} for entry in self.history_changed.values()],
        )


def apply(conn: Connection, tables: Tables, events: Sequence[Any]) -> None:
    """Apply a batch of facts (in log order) to ``tables`` within the caller's transaction."""
    fold = Fold(conn, tables)
    fold.prepare(events)
    handlers, topics = HANDLERS, _TOPIC_OF
    for e in events:
        handler = handlers.get(topics.get(type(e)) or _topic(type(e)))  # no call per fact
        if handler is not None:
            handler(fold, e)
    fold.flush()


_TOPIC_OF: dict[type, str] = {}


def _topic(kind: type) -> str:
    topic = _TOPIC_OF.get(kind)
    if topic is None:
        topic = _TOPIC_OF[kind] = get_topic(kind)
    return topic


# --- the facts ---------------------------------------------------------------------------------

Handler = Callable[[Fold, Any], None]


def _account_created(f: Fold, e: Account.Created) -> None:
    f.users_new[str(e.originator_id)] = {
        "user_id": e.user_id,
        "aggregate_id": str(e.originator_id),
        "user_name": e.user_name,
        "name_lower": e.user_name.lower(),
        "email": e.email,
        "blocked": False,
    }


def _blocked(value: bool) -> Handler:
    def handle(f: Fold, e: Any) -> None:
        key = str(e.originator_id)
        if key in f.users_new:
            f.users_new[key]["blocked"] = value
        else:
            f.users_blocked[key] = value

    return handle


def _registration_enabled(f: Fold, e: EventRegistration.RegistrationEnabled) -> None:
    key = str(e.originator_id)
    f.registrations[key] = {
        "event_id": e.event_id,
        "aggregate_id": key,
        "name": e.details["name"],
        "end_utc": sortable(e.details["end_utc"]),
        "deleted": False,
        "status": "open",
        "details": json.dumps(e.details, sort_keys=True),
        "wiki": e.wiki,
        "questions": json.dumps(e.questions),
    }
    f.registrations_new.add(key)
    f.organizers.setdefault(e.event_id, {})[e.performed_by] = {
        "event_id": e.event_id,
        "user_id": e.performed_by,
        "organizer_id": e.creator_organizer_id,
        "role": ROLE_CREATOR,
        "active": True,
    }
    f.organizers_new.add((e.event_id, e.performed_by))
    f.record(e.event_id, e, "registration-enabled", {"event_page": e.details["page"]})


def _registration_edited(f: Fold, e: EventRegistration.RegistrationEdited) -> None:
    """Legacy facts (logs written before the specific edit facts): the whole new details and status,
    so what changed is found by comparing with the row; new logs record what changed instead."""
    row = f.registration(e)
    old = json.loads(row["details"])
    status_before = row["status"]
    row.update(
        name=e.details["name"],
        end_utc=sortable(e.details["end_utc"]),
        status=e.status,
        details=json.dumps(e.details, sort_keys=True),
    )
    changes = {
        EDITABLE[field]: {"old": old.get(field), "new": value}
        for field, value in e.details.items()
        if field in EDITABLE and old.get(field) != value
    }
    if status_before != e.status:
        kind = "registration-closed" if e.status == "closed" else "registration-reopened"
        f.record(row["event_id"], e, kind, {})
    if changes or status_before == e.status:
        f.record(row["event_id"], e, "registration-edited", {"changes": changes})


def _details_changed(f: Fold, e: EventRegistration.DetailsChanged) -> None:
    """Set the fact's fields on the row; the audit history gets one "registration-edited" entry per
    edit (a fact that ``continues`` an edit adds its changes to that edit's entry)."""
    row = f.registration(e)
    old = json.loads(row["details"])
    values = e.values()
    changes = {
        EDITABLE[field]: {"old": old.get(field), "new": value}
        for field, value in values.items()
        if field in EDITABLE and old.get(field) != value
    }
    details = {**old, **values}
    row.update(
        name=details["name"],
        end_utc=sortable(details["end_utc"]),
        details=json.dumps(details, sort_keys=True),
    )
    if not e.continues:
        f.record(row["event_id"], e, "registration-edited", {"changes": changes})
    else:
        f.latest_edit(row["event_id"])["details"]["changes"].update(changes)


def _set_registration(kind: str, **values: Any) -> Handler:
    def handle(f: Fold, e: Any) -> None:
        row = f.registration(e)
        row.update(values)
        f.record(row["event_id"], e, kind, {})

    return handle


def _organizers_set(f: Fold, e: EventRegistration.OrganizersSet) -> None:
    event_id = f.registration(e)["event_id"]
    f.record(event_id, e, "organizers-changed", {"organizer_user_ids": [o["user_id"] for o in e.organizers]})
    rows = f.organizers_of(event_id)
    for user_id, row in rows.items():
        row["active"] = False
        f.organizers_dirty.add((event_id, user_id))
    for entry in e.organizers:
        user_id = entry["user_id"]
        values = {"organizer_id": entry["organizer_id"], "role": entry["role"], "active": True}
        if user_id in rows:
            rows[user_id].update(values)
        else:
            rows[user_id] = {"event_id": event_id, "user_id": user_id, **values}
            f.organizers_new.add((event_id, user_id))
        f.organizers_dirty.add((event_id, user_id))


def _answers_counted(f: Fold, e: EventRegistration.AnswersCounted) -> None:
    event_id = f.registration(e)["event_id"]
    f.record(event_id, e, "answers-counted", {"answers": sum(c["count"] for c in e.counts)})


def _answers_aggregated(f: Fold, e: AnswersAggregated) -> None:
    """A batch: each participant stamped as a ``Participant.AnswersAggregated`` leaves them (when
    the row is still of the registration period counted), then the totals as ``AnswersCounted``."""
    for stamped in e.participants:
        key = str(participant_id(e.event_id, stamped["user_id"]))
        row = f.participants.get(key)
        if row is None or row["registered_at"] != stamped["period"]:
            continue  # (left and came back before the fact: the new period's answers are not counted)
        row.update(answers_sealed=None, first_answer_at=None, aggregated=True)
        f.participants_dirty.add(key)
        private = bool(row["private"])
        f.record(e.event_id, e, "answers-aggregated", {}, subject=row["user_id"], private=private)
    if e.counts:
        _answers_counted(f, e)


def _participant_registered(f: Fold, e: Participant.ParticipantRegistered) -> None:
    key = str(e.originator_id)
    f.participants[key] = {
        "participant_id": f.new_participant_id(),
        "aggregate_id": key,
        "event_id": e.event_id,
        "user_id": e.user_id,
        "private": e.private,
        "active": True,
        "registered_at": ts_mw(e.timestamp),
        "answers_sealed": None,
        "first_answer_at": None,
        "aggregated": False,
    }
    f.participants_new.append(key)
    f.record(e.event_id, e, "participant-registered", {}, subject=e.user_id, private=e.private)


def _participant(kind: str, **values: Any) -> Handler:
    """Set ``values`` (and ``private`` when the fact carries it) on the fact's participant, then a
    history entry about it (with its privacy after the change)."""

    def handle(f: Fold, e: Any) -> None:
        row = f.participant(e)
        row.update(values)
        if hasattr(e, "private"):
            row["private"] = e.private
        if "registered_at" in values:
            row["registered_at"] = ts_mw(e.timestamp)
        f.record(row["event_id"], e, kind, {}, subject=row["user_id"], private=bool(row["private"]))

    return handle


def _answers_replaced(f: Fold, e: Participant.AnswersReplaced) -> None:
    row = f.participant(e)
    row["first_answer_at"] = None if e.sealed is None else (row["first_answer_at"] or sortable(e.timestamp))
    row["answers_sealed"] = e.sealed
    kind = "answers-submitted" if e.sealed else "answers-removed"
    f.record(row["event_id"], e, kind, {}, subject=row["user_id"], private=bool(row["private"]))


def _worklist_changed(f: Fold, e: Worklist.WorklistChanged) -> None:
    f.worklist_change(e)
    f.record(e.event_id, e, "worklist-changed", {"added": len(e.added), "removed": len(e.removed)})


def _emailed(f: Fold, e: Mailing.ParticipantsEmailed) -> None:
    f.record(e.event_id, e, "participants-emailed", {"recipients": e.expected})


EDIT_FACTS: tuple[type[EventRegistration.DetailsChanged], ...] = (
    *DETAIL_FACTS,
    EventRegistration.DetailsResubmitted,
)
LEFT = {"active": False, "answers_sealed": None, "first_answer_at": None}

HANDLERS: dict[str, Handler] = {
    get_topic(Account.Created): _account_created,
    get_topic(Account.Blocked): _blocked(True),
    get_topic(Account.Unblocked): _blocked(False),
    get_topic(EventRegistration.RegistrationEnabled): _registration_enabled,
    get_topic(EventRegistration.RegistrationEdited): _registration_edited,
    get_topic(EventRegistration.RegistrationClosed): _set_registration(
        "registration-closed", status="closed"
    ),
    get_topic(EventRegistration.RegistrationReopened): _set_registration(
        "registration-reopened", status="open"
    ),
    **{get_topic(kind): _details_changed for kind in EDIT_FACTS},
    get_topic(EventRegistration.OrganizersSet): _organizers_set,
    get_topic(EventRegistration.RegistrationDeleted): _set_registration("registration-deleted", deleted=True),
    get_topic(EventRegistration.AnswersCounted): _answers_counted,
    get_topic(AnswersAggregated): _answers_aggregated,
    get_topic(Participant.ParticipantRegistered): _participant_registered,
    get_topic(Participant.ParticipantReregistered): _participant(
        "participant-registered", active=True, registered_at=True, aggregated=False
    ),
    get_topic(Participant.RegistrationPrivacyChanged): _participant("participant-privacy-changed"),
    get_topic(Participant.RegistrationCancelled): _participant("participant-cancelled", **LEFT),
    get_topic(Participant.ParticipantRemoved): _participant("participant-removed", **LEFT),
    get_topic(Participant.AnswersReplaced): _answers_replaced,
    get_topic(Participant.AnswersAggregated): _participant(
        "answers-aggregated", answers_sealed=None, first_answer_at=None, aggregated=True
    ),
    get_topic(Worklist.WorklistChanged): _worklist_changed,
    get_topic(Mailing.ParticipantsEmailed): _emailed,
}
HANDLERS.update(content_history.HANDLERS)  # calendar moves, rich content, moderation flags
HANDLERS.update(schedule_history.HANDLERS)  # schedules (projections/schedule_history.py)
HANDLERS.update(poll_history.HANDLERS)  # audiences, decisions, votes (projections/poll_history.py)
HANDLERS.update(place_history.HANDLERS)  # the places facts (projections/place_history.py)
HANDLERS.update(content_history.HANDLERS)  # calendar moves, rich content, moderation flags
TOPICS = tuple(HANDLERS)
