"""The places read model: who holds a place, who waits and in which order — decided by folding the
log in order, never by an aggregate every registration must update.

A registration (``ParticipantRegistered``/``ParticipantReregistered``) is a request. The fold takes
requests in log order: confirmed while there is room, else waitlisted (or refused when the
organizer turned the waitlist off), or pending on an event that requires approval. A place freed
(a cancel, a removal, a raised limit) goes to the first waitlisted request; a lowered limit keeps
everyone confirmed and only stops new confirmations. The fold is pure and deterministic: a replay
gives the same rows. Each outcome on an event whose organizers set places is written to an outbox
in the same transaction and enqueued as a job (id derived from the entry) that records it as a
``PlaceDecided`` fact on the Participant. Events whose organizers never set places confirm every
request and record nothing more (they behave as before).

The projection has its own tracking position (``NAME``); the API waits for it as for the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.utils import get_topic
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.engine import Connection

from domain import places as rules
from domain.participants import Participant
from projections.bulk import insert_rows, rows_in, update_rows
from projections.readmodel import ReadModel, create_missing
from projections.schema import PlacesTables, Tables, define_places

NAME = "places"
RECORD_DECISION = "workers.places.record_decision"
WAITLIST_PAGE = 5000
Row = dict[str, Any]

REQUESTS = (Participant.ParticipantRegistered, Participant.ParticipantReregistered)
LEAVING = (Participant.RegistrationCancelled, Participant.ParticipantRemoved)
FACTS: tuple[type[Any], ...] = (
    *REQUESTS,
    *LEAVING,
    Participant.RegistrationPrivacyChanged,
    rules.PlacesSet,
    rules.RegistrationApproved,
    rules.RegistrationDeclined,
    rules.CheckedIn,
    rules.CheckInUndone,
)
TOPICS = tuple(get_topic(kind) for kind in FACTS)
COUNTERS = ("confirmed_public", "confirmed_private", "waitlisted", "pending", "checked_in")
PLACE_COLUMNS = ("configured", "participant_limit", "waitlist", "requires_approval", "requests", *COUNTERS)
MEMBER_COLUMNS = ("status", "private", "request_seq", "request_version", "checked_in")


class JobQueue(Protocol):
    def enqueue(self, func: str, *args: Any, job_id: str) -> None: ...


def job_id(entry: Row) -> str:
    """Derived from the outbox entry (one decision of one request): enqueued again after a
    rolled-back batch, it is the same job, and the job is idempotent."""
    return f"place-{entry['aggregate_id']}-{entry['request_version']}-{entry['outcome']}"


def _contribution(member: Row) -> tuple[int, int, int, int, int]:
    """What ``member`` adds to its event's ``COUNTERS`` (in their order)."""
    status = member["status"]
    checked_in = 1 if member["checked_in"] else 0
    if status == rules.CONFIRMED:
        return (0, 1, 0, 0, checked_in) if member["private"] else (1, 0, 0, 0, checked_in)
    return 0, 0, int(status == rules.WAITLISTED), int(status == rules.PENDING), checked_in


# the counter a member in a status adds one to (a private confirmed member: ``_PRIVATE``)
_COUNTED = {rules.CONFIRMED: "confirmed_public", rules.WAITLISTED: "waitlisted", rules.PENDING: "pending"}
_PRIVATE = "confirmed_private"


class Fold:
    """One batch folded in memory (rows read once, lazily), then written with a few statements."""

    def __init__(self, conn: Connection, t: PlacesTables) -> None:
        self.conn = conn
        self.t = t
        self.places: dict[int, Row] = {}
        self.places_new: set[int] = set()
        self.members: dict[str, Row] = {}
        self.members_new: set[str] = set()
        self.dirty: set[str] = set()
        self.waiting: dict[int, dict[str, Row]] = {}  # event id -> waitlisted/pending members
        self.outbox: list[Row] = []
        self.next_entry: int | None = None
        self.absent: set[str] = set()  # aggregate ids known to have no member row
        self.unplaced: set[int] = set()  # event ids known to have no places row

    def prepare(self, events: Sequence[Any]) -> list[str]:
        """Read every member row and every place row the batch touches, one query per table (per
        chunk of keys); the facts' aggregate ids as text, in their order (each converted once).
        A participant whose first fact in the batch is its ``ParticipantRegistered`` (it creates
        the aggregate) has no row yet: not read (a lone registration reads only its event's row)."""
        keys = [str(e.originator_id) for e in events]
        wanted: set[str] = set()
        created: set[str] = set()
        event_ids: set[int] = set()
        for key, e in zip(keys, events, strict=True):
            if isinstance(e, rules.PlacesSet):
                event_ids.add(e.event_id)
                continue
            if isinstance(e, Participant.ParticipantRegistered):
                event_ids.add(e.event_id)
                if key not in wanted:
                    created.add(key)
            if key not in created:
                wanted.add(key)
        for row in rows_in(self.conn, self.t.members, "aggregate_id", sorted(wanted)):
            self.members[row["aggregate_id"]] = row
            event_ids.add(row["event_id"])
        self.absent = (wanted | created) - self.members.keys()
        for row in rows_in(self.conn, self.t.places, "event_id", sorted(event_ids)):
            self.places[row["event_id"]] = row
        self.unplaced = event_ids - self.places.keys()
        return keys

    # --- rows ------------------------------------------------------------------------------
    def place(self, event_id: int) -> Row:
        if event_id not in self.places:
            found = None
            if event_id not in self.unplaced:  # read in prepare: only an event it did not know
                found = next(rows_in(self.conn, self.t.places, "event_id", [event_id]), None)
            if found is None:
                row: Row = {
                    "event_id": event_id,
                    "configured": False,
                    "participant_limit": None,
                    "waitlist": True,
                    "requires_approval": False,
                    "requests": 0,
                    **dict.fromkeys(COUNTERS, 0),
                }
                self.places_new.add(event_id)
            else:
                row = found
            self.places[event_id] = row
        return self.places[event_id]

    def member(self, aggregate_id: str) -> Row | None:
        if aggregate_id not in self.members:
            if aggregate_id in self.absent:
                return None
            m = self.t.members
            found = self.conn.execute(select(m).where(m.c.aggregate_id == aggregate_id)).mappings().first()
            if found is None:
                return None
            self.members[aggregate_id] = dict(found)
        return self.members[aggregate_id]

    def waiting_of(self, event_id: int) -> dict[str, Row]:
        """The event's waitlisted and pending members (read once per batch, then kept here)."""
        if event_id not in self.waiting:
            m = self.t.members
            query = select(m).where(
                and_(m.c.event_id == event_id, m.c.status.in_((rules.WAITLISTED, rules.PENDING)))
            )
            found: dict[str, Row] = {}
            for stored in self.conn.execute(query).mappings():
                key = stored["aggregate_id"]
                found[key] = self.members.setdefault(key, dict(stored))
            for key, row in self.members.items():  # members this batch already changed
                if row["event_id"] == event_id:
                    if row["status"] in (rules.WAITLISTED, rules.PENDING):
                        found[key] = row
                    else:
                        found.pop(key, None)
            self.waiting[event_id] = found
        return self.waiting[event_id]

    def change(self, member: Row, e: Any, place: Row | None = None, **values: Any) -> None:
        """Set ``values`` on ``member``, keeping the event's counters (``place``: its event's row,
        when the caller has it) and waiting list in step."""
        if place is None:
            place = self.place(member["event_id"])
        before = _contribution(member)
        member.update(values)
        after = _contribution(member)
        if after != before:
            for counter, was, now in zip(COUNTERS, before, after, strict=True):
                if now != was:
                    place[counter] += now - was
        waiting = self.waiting.get(member["event_id"])
        if waiting is not None:
            if member["status"] in (rules.WAITLISTED, rules.PENDING):
                waiting[member["aggregate_id"]] = member
            else:
                waiting.pop(member["aggregate_id"], None)
        self.dirty.add(member["aggregate_id"])

    def set_status(self, member: Row, status: str, place: Row) -> None:
        """``change(member, e, place, status=status)`` for the one column a decision sets (a
        decision per request: the counters moved by the two statuses alone)."""
        old = member["status"]
        if old != status:
            private = member["private"]
            if old in _COUNTED:
                place[_PRIVATE if private and old == rules.CONFIRMED else _COUNTED[old]] -= 1
            if status in _COUNTED:
                place[_PRIVATE if private and status == rules.CONFIRMED else _COUNTED[status]] += 1
            member["status"] = status
        waiting = self.waiting.get(member["event_id"])
        if waiting is not None:
            if status in (rules.WAITLISTED, rules.PENDING):
                waiting[member["aggregate_id"]] = member
            else:
                waiting.pop(member["aggregate_id"], None)
        self.dirty.add(member["aggregate_id"])

    def decide(self, member: Row, outcome: str, e: Any, place: Row | None = None) -> None:
        """Record an outcome: the member's status, and (on an event with places set) an outbox entry."""
        if place is None:
            place = self.place(member["event_id"])
        self.set_status(member, rules.CONFIRMED if outcome == rules.PROMOTED else outcome, place)
        if not place["configured"]:
            return
        if self.next_entry is None:  # the driver's own text: no expression compiled per batch
            quote = self.conn.dialect.identifier_preparer.quote
            last = f"SELECT COALESCE(MAX({quote('entry_id')}), 0) FROM {quote(self.t.outbox.name)}"
            self.next_entry = int(self.conn.exec_driver_sql(last).scalar_one())
        self.next_entry += 1
        self.outbox.append(
            {
                "entry_id": self.next_entry,
                "event_id": member["event_id"],
                "user_id": member["user_id"],
                "aggregate_id": member["aggregate_id"],
                "outcome": outcome,
                "request_version": member["request_version"],
                "at": e.timestamp.isoformat(),
            }
        )

    # --- the rules of the fold ----------------------------------------------------------------
    @staticmethod
    def has_room(place: Row) -> bool:
        limit = place["participant_limit"]
        return limit is None or place["confirmed_public"] + place["confirmed_private"] < limit

    def admit(self, member: Row, e: Any, *, promoted: bool = False, place: Row | None = None) -> None:
        """A request that may take a place: confirmed, else waitlisted, else refused."""
        if place is None:
            place = self.place(member["event_id"])
        if self.has_room(place):
            self.decide(member, rules.PROMOTED if promoted else rules.CONFIRMED, e, place)
        elif place["waitlist"]:
            self.decide(member, rules.WAITLISTED, e, place)
        else:
            self.decide(member, rules.REFUSED, e, place)

    def promote(self, event_id: int, e: Any) -> None:
        """Give every free place to the first waitlisted requests, in request order."""
        place = self.place(event_id)
        while self.has_room(place):
            waiting = [m for m in self.waiting_of(event_id).values() if m["status"] == rules.WAITLISTED]
            if not waiting:
                return
            first = min(waiting, key=lambda m: m["request_seq"])
            self.decide(first, rules.PROMOTED, e)

    def request(self, e: Any, key: str, event_id: int, user_id: int) -> None:
        member = self.member(key)
        if member is None:  # a first request: a row that counts for nothing yet
            place = self.place(event_id)
            place["requests"] += 1
            member = {
                "aggregate_id": key,
                "event_id": event_id,
                "user_id": user_id,
                "status": rules.NONE,
                "private": e.private,
                "request_seq": place["requests"],
                "request_version": e.originator_version,
                "checked_in": False,
            }
            self.members[key] = member
            self.members_new.add(key)
            self.absent.discard(key)
        else:
            place = self.place(member["event_id"])
            place["requests"] += 1
            self.change(
                member,
                e,
                place,
                private=e.private,
                request_seq=place["requests"],
                request_version=e.originator_version,
            )
        if place["configured"] and place["requires_approval"]:
            self.decide(member, rules.PENDING, e, place)
        else:
            self.admit(member, e, place=place)

    def leave(self, e: Any, key: str) -> None:
        member = self.member(key)
        if member is None:
            return
        held = member["status"] == rules.CONFIRMED
        self.change(member, e, status=rules.NONE)
        if held:
            self.promote(member["event_id"], e)

    def set_places(self, e: rules.PlacesSet) -> None:
        place = self.place(e.event_id)
        place.update(
            configured=True,
            participant_limit=e.participant_limit,
            waitlist=e.waitlist,
            requires_approval=e.requires_approval,
        )
        if not e.requires_approval:  # approval no longer needed: pending requests, in order
            pending = [m for m in self.waiting_of(e.event_id).values() if m["status"] == rules.PENDING]
            for member in sorted(pending, key=lambda m: m["request_seq"]):
                self.admit(member, e)
        self.promote(e.event_id, e)

    def apply(self, e: Any, key: str) -> None:
        """Fold one fact; ``key``: its aggregate id as text."""
        if isinstance(e, Participant.ParticipantRegistered):
            self.request(e, key, e.event_id, e.user_id)
        elif isinstance(e, Participant.ParticipantReregistered):
            known = self.member(key)
            if known is not None:
                self.request(e, key, known["event_id"], known["user_id"])
        elif isinstance(e, LEAVING):
            self.leave(e, key)
        elif isinstance(e, rules.PlacesSet):
            self.set_places(e)
        else:
            member = self.member(key)
            if member is None:
                return
            if isinstance(e, Participant.RegistrationPrivacyChanged):
                self.change(member, e, private=e.private)
            elif isinstance(e, rules.RegistrationApproved) and member["status"] == rules.PENDING:
                self.admit(member, e)
            elif isinstance(e, rules.RegistrationDeclined) and member["status"] == rules.PENDING:
                self.change(member, e, status=rules.DECLINED)
            elif isinstance(e, (rules.CheckedIn, rules.CheckInUndone)):
                self.change(member, e, checked_in=isinstance(e, rules.CheckedIn))

    # --- writing ----------------------------------------------------------------------------
    def flush(self) -> None:
        conn, t = self.conn, self.t
        insert_rows(conn, t.places, [self.places[k] for k in sorted(self.places_new)])
        old = [self.places[k] for k in sorted(set(self.places) - self.places_new)]
        update_rows(conn, t.places, ("event_id",), PLACE_COLUMNS, old)
        insert_rows(conn, t.members, [self.members[k] for k in sorted(self.members_new)])
        changed = [self.members[k] for k in sorted(self.dirty - self.members_new)]
        update_rows(conn, t.members, ("aggregate_id",), MEMBER_COLUMNS, changed)
        insert_rows(conn, t.outbox, self.outbox)


def apply(conn: Connection, t: PlacesTables, events: Sequence[Any]) -> list[Row]:
    """Fold a batch (in log order) into ``t``; the outbox entries it wrote."""
    fold = Fold(conn, t)
    keys = fold.prepare(events)
    for e, key in zip(events, keys, strict=True):
        fold.apply(e, key)
    fold.flush()
    return fold.outbox


class PlacesProjection:
    """The projector's entry: the fold, then its outbox entries enqueued (in the same transaction,
    as the dispatcher does: a rolled-back batch enqueues the same job ids again)."""

    name = NAME
    topics: tuple[str, ...] = TOPICS
    # replay: the fold without the enqueueing (effects: switched at the live position; readmodel.py)
    read_model = ReadModel(
        define_places, apply, effects=True, load_indexes=(("event_id", "status", "request_seq"),)
    )

    def __init__(self, queue: JobQueue | None, tables: PlacesTables | None = None) -> None:
        self.queue = queue
        self.tables = tables or define_places()

    def apply(self, conn: Connection, _: Tables, events: Sequence[Any]) -> None:
        for entry in apply(conn, self.tables, events):
            if self.queue is not None:
                self.queue.enqueue(
                    RECORD_DECISION,
                    entry["event_id"],
                    entry["user_id"],
                    entry["outcome"],
                    entry["request_version"],
                    job_id=job_id(entry),
                )


def create_tables(engine: Engine, tables: PlacesTables | None = None) -> None:
    """Create the places tables that are missing (idempotent)."""
    create_missing(engine, tables or define_places())


# --- reading ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventPlaces:
    participant_limit: int | None
    waitlist: bool
    requires_approval: bool
    confirmed_public: int
    confirmed_private: int
    waitlisted: int
    pending: int
    checked_in: int

    @property
    def confirmed(self) -> int:
        return self.confirmed_public + self.confirmed_private

    @property
    def refusing(self) -> bool:
        """Full with its waitlist off: a new request would be refused."""
        limit = self.participant_limit
        return (
            limit is not None and self.confirmed >= limit and not self.waitlist and not self.requires_approval
        )


@dataclass(frozen=True)
class WaitlistEntry:
    position: int
    user_id: int
    user_name: str | None
    private: bool


class PlacesViews:
    """Reads of the places read model (rows already in the shape served: no COUNT over participants)."""

    def __init__(self, engine: Engine, users: Any, tables: PlacesTables | None = None) -> None:
        self.engine = engine
        self.users = users  # the catalog's users table (names on the waitlist)
        self.t = tables or define_places()

    def event(self, event_id: int) -> EventPlaces:
        p = self.t.places
        with self.engine.connect() as conn:
            row = conn.execute(select(p).where(p.c.event_id == event_id)).mappings().first()
        if row is None:
            return EventPlaces(None, True, False, 0, 0, 0, 0, 0)
        return EventPlaces(
            row["participant_limit"],
            bool(row["waitlist"]),
            bool(row["requires_approval"]),
            *(int(row[c]) for c in COUNTERS),
        )

    def status(self, event_id: int, user_id: int) -> tuple[str, int | None]:
        """The user's status (``refused`` included) and, when waitlisted, their position."""
        m = self.t.members
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(m).where(and_(m.c.event_id == event_id, m.c.user_id == user_id)))
                .mappings()
                .first()
            )
            if row is None:
                return rules.NONE, None
            if row["status"] != rules.WAITLISTED:
                return str(row["status"]), None
            ahead = conn.execute(
                select(func.count()).where(
                    and_(
                        m.c.event_id == event_id,
                        m.c.status == rules.WAITLISTED,
                        m.c.request_seq < row["request_seq"],
                    )
                )
            ).scalar_one()
        return rules.WAITLISTED, int(ahead) + 1

    def request(self, event_id: int, user_id: int) -> tuple[str, int]:
        """The user's status and the version of the request it is about (``none``, 0: none)."""
        m = self.t.members
        query = select(m.c.status, m.c.request_version).where(
            and_(m.c.event_id == event_id, m.c.user_id == user_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (rules.NONE, 0) if row is None else (str(row[0]), int(row[1]))

    def managed(self, aggregate_id: str, request_version: int) -> bool | None:
        """Whether the fold decided this request as one on an event whose organizers set places
        (an outbox entry: its outcome tells the person, not the registration confirmation); None
        while the fold has not reached the request yet."""
        m, o = self.t.members, self.t.outbox
        with self.engine.connect() as conn:
            folded = conn.execute(
                select(m.c.request_version).where(m.c.aggregate_id == aggregate_id)
            ).scalar_one_or_none()
            if folded is None or folded < request_version:
                return None
            entry = conn.execute(
                select(o.c.entry_id)
                .where(and_(o.c.aggregate_id == aggregate_id, o.c.request_version == request_version))
                .limit(1)
            ).first()
        return entry is not None

    def waitlist(self, event_id: int) -> list[WaitlistEntry]:
        """The waitlist in request order (its first ``WAITLIST_PAGE`` entries), with names."""
        m, u = self.t.members, self.users
        query = (
            select(m.c.user_id, u.c.user_name, m.c.private)
            .select_from(m.outerjoin(u, u.c.user_id == m.c.user_id))
            .where(and_(m.c.event_id == event_id, m.c.status == rules.WAITLISTED))
            .order_by(m.c.request_seq)
            .limit(WAITLIST_PAGE)
        )
        with self.engine.connect() as conn:
            return [
                WaitlistEntry(n, r[0], r[1], bool(r[2])) for n, r in enumerate(conn.execute(query), start=1)
            ]

    def outbox(self, event_id: int) -> list[Row]:
        o = self.t.outbox
        with self.engine.connect() as conn:
            query = select(o).where(o.c.event_id == event_id).order_by(o.c.entry_id)
            return [dict(r) for r in conn.execute(query).mappings()]

    def dump(self, tables: PlacesTables | None = None) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the places tables, sorted (a replay must give the same)."""
        tables = tables or self.t
        with self.engine.connect() as conn:
            return {
                table.name.removesuffix("__rebuild"): sorted(tuple(r) for r in conn.execute(select(table)))
                for table in tables.models()
            }
