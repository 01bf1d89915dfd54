"""The calendar-feeds read model: per event, what its VEVENTs are rendered from, its SEQUENCE, its
LAST-MODIFIED and when it was deleted, and the VEVENTs themselves, rendered once per change (with
and without the meeting URL); who organizes and who joined which event; a revision per feed (an
event's, an organizer's, a participant's), which the API turns into an ETag without reading the
events; and the hashes of the participants' live feed secrets.

**SEQUENCE** starts at 0 and grows by one with every fact that changes an event's times (timezone,
start, end, schedule), its place (address, country, meeting URL) or its status (deleted): derived
from the facts alone, so a replay gives the same numbers. DTSTAMP is the event's LAST-MODIFIED (the
feed is a published copy of the event, not a scheduling message), so a row's text is a pure function
of the facts and the projector's settings (the UID domain and the event link).

A batch is applied set-based in the projector's transaction: the rows it touches are read with one
query per table (none for what the batch itself creates), folded in memory in log order,
re-rendered once per event, and written straight to the driver (``projections/bulk.py``). Its own
tracking position (``NAME``); the API waits for it as for the catalog.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Engine, bindparam, case, select, update
from sqlalchemy.engine import Connection

from domain import moderation, scheduling
from domain.audiences import Audience
from domain.participants import Participant
from domain.registration import DETAIL_FACTS, EventRegistration
from domain.schedule import Schedule
from projections.bulk import delete_keys, insert_rows, rows_in, update_rows, upsert_tuples
from projections.ical import FeedEvent, event_uid, vevent_text, zone_years
from projections.polls import define as define_polls
from projections.readmodel import ReadModel, create_missing
from projections.schema import ContentTables, FeedTables, Tables, define_content, define_feeds
from projections.store import driver_rows

NAME = "feeds"
ORGANIZER = "o"
PARTICIPANT = "p"
Row = dict[str, Any]
CHUNK = 500
# what a change rewrites of an event's row (all but its keys)
EVENT_COLUMNS = (
    "state",
    "sequence",
    "last_modified",
    "deleted_at",
    "zone",
    "first_year",
    "last_year",
    "public_text",
    "full_text",
)
# what moves SEQUENCE (RFC 5545 3.8.7.4: a change of times, place or status)
SEQUENCED = (
    "timezone",
    "start_local",
    "end_local",
    "schedule",
    "meeting_address",
    "meeting_country",
    "meeting_url",
)

REGISTRATION_FACTS: tuple[type[Any], ...] = (
    EventRegistration.RegistrationEnabled,
    EventRegistration.RegistrationEdited,
    *DETAIL_FACTS,
    EventRegistration.OrganizersSet,
    EventRegistration.RegistrationDeleted,
    scheduling.ScheduleSet,
    scheduling.ScheduleCleared,
)
PARTICIPANT_FACTS: tuple[type[Any], ...] = (
    Participant.ParticipantRegistered,
    Participant.ParticipantReregistered,
    Participant.RegistrationCancelled,
    Participant.ParticipantRemoved,
)
SECRET_FACTS: tuple[type[Any], ...] = (scheduling.FeedUrlIssued, scheduling.FeedUrlRevoked)
TOPICS = tuple(get_topic(kind) for kind in (*REGISTRATION_FACTS, *PARTICIPANT_FACTS, *SECRET_FACTS))


def feed_key(kind: str, key: int) -> str:
    """A feed's stamp key: ``e:<event id>``, ``o:<organizer user id>``, ``p:<participant user id>``."""
    return f"{kind}:{key}"


def iso(moment: datetime) -> str:
    """An instant in UTC, ISO 8601 (the log's timestamps are UTC already: no conversion)."""
    return (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).isoformat()


STATE_FIELDS = (
    "name",
    "page",
    "timezone",
    "start_local",
    "end_local",
    "meeting_address",
    "meeting_country",
    "meeting_url",
)


def state_of(details: dict[str, Any]) -> dict[str, Any]:
    """What the feed keeps of a registration's details (and ``schedule``, kept beside)."""
    return {name: details.get(name) for name in STATE_FIELDS}


def location(state: dict[str, Any]) -> str | None:
    text = ", ".join(part for part in (state.get("meeting_address"), state.get("meeting_country")) if part)
    return text or None


@dataclass(frozen=True)
class Renderer:
    """How the projector renders: the UID domain (keep it fixed) and the link to an event
    (``(event_id, page) -> URL``, None for none)."""

    uid_domain: str
    event_link: Callable[[int, str], str | None]

    def feed_event(self, row: Row, state: dict[str, Any], *, meeting_url: bool) -> FeedEvent:
        modified = datetime.fromisoformat(row["last_modified"])
        schedule = state.get("schedule")
        return FeedEvent(
            uid=event_uid(row["event_id"], self.uid_domain),
            sequence=row["sequence"],
            dtstamp=modified,
            last_modified=modified,
            summary=state["name"],
            timezone=state["timezone"],
            start=local_time(state["start_local"]),
            end=local_time(state["end_local"]),
            url=self.event_link(row["event_id"], state["page"]),
            location=location(state),
            schedule=None if schedule is None else Schedule.from_payload(schedule),
            cancelled=row["deleted_at"] is not None,
            meeting_url=state.get("meeting_url") if meeting_url else None,
        )

    def render(self, row: Row) -> None:
        """Set the row's texts and VTIMEZONE needs from its state."""
        state = json.loads(row["state"])
        full = self.feed_event(row, state, meeting_url=True)
        public = replace(full, meeting_url=None) if full.meeting_url else full
        row["zone"], row["first_year"], row["last_year"] = zone_years(public)
        row["public_text"] = vevent_text(public)
        row["full_text"] = vevent_text(full) if full.meeting_url else row["public_text"]


def local_time(value: str) -> datetime:
    """A stored local time, ``YYYYMMDDHHMMSS`` (sliced: ``strptime`` costs ~20 µs a call)."""
    if len(value) == 14 and value.isdigit():
        year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
        return datetime(year, month, day, int(value[8:10]), int(value[10:12]), int(value[12:]))
    return datetime.strptime(value, "%Y%m%d%H%M%S")


# What a fact is to the fold, by its class (worked out once per class, not per fact): one of the
# registration's facts (enabled; organizers set; another), a participant's, or a feed secret's.
_ENABLED, _ORGANIZERS, _REGISTRATION, _PARTICIPANT, _SECRET = range(1, 6)
_KINDS: dict[type, int] = {}


def _kind(kind: type) -> int:
    if issubclass(kind, EventRegistration.RegistrationEnabled):
        found = _ENABLED
    elif issubclass(kind, EventRegistration.OrganizersSet):
        found = _ORGANIZERS
    elif issubclass(kind, REGISTRATION_FACTS):
        found = _REGISTRATION
    elif issubclass(kind, PARTICIPANT_FACTS):
        found = _PARTICIPANT
    else:
        found = _SECRET
    _KINDS[kind] = found
    return found


class Fold:
    def __init__(self, conn: Connection, t: FeedTables, renderer: Renderer) -> None:
        self.conn, self.t, self.renderer = conn, t, renderer
        self.events: dict[str, Row] = {}  # by registration aggregate id
        self.events_new: set[str] = set()
        self.changed: set[str] = set()
        self.links: dict[tuple[int, int, str], Row] = {}
        self.links_new: set[tuple[int, int, str]] = set()
        self.links_dirty: set[tuple[int, int, str]] = set()
        self.by_participant: dict[str, tuple[int, int, str]] = {}
        self.touched_feeds: dict[str, str] = {}  # stamp key -> last modified (ISO)
        self.secrets_gone: set[int] = set()
        self.secrets_new: dict[int, str | None] = {}  # user id -> hash (None: revoked)

    def prepare(self, events: Sequence[Any]) -> list[tuple[int, str]]:
        """Read the rows the batch touches (one query per table); each fact's kind (``_kind``)
        and aggregate id as text, in the batch's order (each worked out once)."""
        kinds = _KINDS
        facts = [(kinds.get(type(e)) or _kind(type(e)), str(e.originator_id)) for e in events]
        registrations: set[str] = set()
        created: set[str] = set()  # enabled in this batch: no row yet, nothing to read for it
        participants: set[str] = set()
        organizers_set: set[str] = set()
        joined: set[str] = set()  # participants whose first fact here is their registration
        for (kind, key), e in zip(facts, events, strict=True):
            if kind == _PARTICIPANT:
                if key not in participants and isinstance(e, Participant.ParticipantRegistered):
                    joined.add(key)
                participants.add(key)
            elif kind == _ENABLED:
                created.add(key)
            elif kind != _SECRET:
                registrations.add(key)
                if kind == _ORGANIZERS:
                    organizers_set.add(key)
        ev, ln = self.t.events, self.t.links
        for found in rows_in(self.conn, ev, "aggregate_id", sorted(registrations - created), CHUNK):
            self.events[found["aggregate_id"]] = found
        for found in rows_in(self.conn, ln, "aggregate_id", sorted(participants - joined), CHUNK):
            self._keep_link(found)
        organizing = sorted({self.events[k]["event_id"] for k in organizers_set if k in self.events})
        for found in rows_in(self.conn, ln, "event_id", organizing, CHUNK):
            if found["role"] == ORGANIZER:
                self._keep_link(found)
        return facts

    def _keep_link(self, row: Row) -> None:
        row["active"] = bool(row["active"])  # SQLite's driver gives 0/1
        key = (row["event_id"], row["user_id"], row["role"])
        self.links[key] = row
        if row["aggregate_id"] is not None:
            self.by_participant[row["aggregate_id"]] = key

    # --- folding --------------------------------------------------------------------------------

    def apply(self, e: Any, kind: int, key: str) -> None:
        """Fold one fact of kind ``kind`` (``_kind``) whose aggregate id is ``key``."""
        if kind == _PARTICIPANT:
            self._participant(e, key)
        elif kind != _SECRET:
            self._registration(e, key)
        elif isinstance(e, scheduling.FeedUrlIssued):
            self.secrets_gone.add(e.user_id)
            self.secrets_new[e.user_id] = e.secret_hash
        elif isinstance(e, scheduling.FeedUrlRevoked):
            self.secrets_gone.add(e.user_id)
            self.secrets_new[e.user_id] = None

    def _registration(self, e: Any, key: str) -> None:
        if isinstance(e, EventRegistration.RegistrationEnabled):
            self.events[key] = {
                "event_id": e.event_id,
                "aggregate_id": key,
                "state": json.dumps({**state_of(e.details), "schedule": None}, sort_keys=True),
                "sequence": 0,
                "last_modified": iso(e.timestamp),
                "deleted_at": None,
            }
            self.events_new.add(key)
            self.changed.add(key)
            self._link(e.event_id, e.performed_by, ORGANIZER, None, True, e.timestamp)
            return
        row = self.events.get(key)
        if row is None:  # a registration the model never saw enabled (not expected)
            return
        if isinstance(e, EventRegistration.OrganizersSet):
            for (event_id, _, role), link in list(self.links.items()):
                if event_id == row["event_id"] and role == ORGANIZER and link["active"]:
                    self._link(event_id, link["user_id"], ORGANIZER, None, False, e.timestamp)
            for entry in e.organizers:
                self._link(row["event_id"], entry["user_id"], ORGANIZER, None, True, e.timestamp)
            return
        old = json.loads(row["state"])
        new = dict(old)
        deleted = row["deleted_at"]
        if isinstance(e, EventRegistration.RegistrationEdited):
            new.update(state_of(e.details))
        elif isinstance(e, EventRegistration.DetailsChanged):
            new.update({k: v for k, v in e.values().items() if k in STATE_FIELDS})
        elif isinstance(e, scheduling.ScheduleSet):
            new.update(start_local=e.start_local, end_local=e.end_local, schedule=e.schedule)
        elif isinstance(e, scheduling.ScheduleCleared):
            new["schedule"] = None
        elif isinstance(e, EventRegistration.RegistrationDeleted):
            deleted = iso(e.timestamp)
        if new == old and deleted == row["deleted_at"]:
            return
        moved = any(old.get(k) != new.get(k) for k in SEQUENCED) or deleted != row["deleted_at"]
        row.update(
            state=json.dumps(new, sort_keys=True),
            sequence=row["sequence"] + (1 if moved else 0),
            last_modified=iso(e.timestamp),
            deleted_at=deleted,
        )
        self.changed.add(key)

    def _participant(self, e: Any, aggregate: str) -> None:
        if isinstance(e, Participant.ParticipantRegistered):
            self._link(e.event_id, e.user_id, PARTICIPANT, aggregate, True, e.timestamp)
            return
        key = self.by_participant.get(aggregate)
        if key is None:  # not expected: its registration was folded first
            return
        active = isinstance(e, Participant.ParticipantReregistered)
        self._link(key[0], key[1], PARTICIPANT, aggregate, active, e.timestamp)

    def _link(
        self, event_id: int, user_id: int, role: str, aggregate: str | None, active: bool, at: datetime
    ) -> None:
        key = (event_id, user_id, role)
        row = self.links.get(key)
        if row is None:
            row = {"event_id": event_id, "user_id": user_id, "role": role, "aggregate_id": aggregate}
            self.links[key] = row
            self.links_new.add(key)
            if aggregate is not None:
                self.by_participant[aggregate] = key
        elif row["active"] == active:
            return
        row["active"] = active
        self.links_dirty.add(key)
        self._touch(f"{role}:{user_id}", iso(at))  # feed_key(role, user_id)

    def _touch(self, feed: str, at: str) -> None:
        known = self.touched_feeds.get(feed)
        if known is None or at > known:
            self.touched_feeds[feed] = at

    # --- writing ----------------------------------------------------------------------------------

    def flush(self) -> None:
        conn, t = self.conn, self.t
        changed = [self.events[k] for k in sorted(self.changed)]
        for row in changed:
            self.renderer.render(row)
            self._touch(feed_key("e", row["event_id"]), row["last_modified"])
        self._touch_readers(changed)
        insert_rows(conn, t.events, [self.events[k] for k in sorted(self.events_new)])
        dirty = [r for r in changed if r["aggregate_id"] not in self.events_new]
        update_rows(conn, t.events, ["event_id"], EVENT_COLUMNS, dirty)
        insert_rows(conn, t.links, [self.links[k] for k in sorted(self.links_new)])
        old_links = [self.links[k] for k in sorted(self.links_dirty - self.links_new)]
        update_rows(conn, t.links, ["event_id", "user_id", "role"], ["active"], old_links)
        self._write_stamps()
        if self.secrets_gone:
            delete_keys(conn, t.secrets, ["user_id"], [(u,) for u in sorted(self.secrets_gone)])
            fresh = [{"secret_hash": h, "user_id": u} for u, h in sorted(self.secrets_new.items()) if h]
            insert_rows(conn, t.secrets, fresh)

    def _touch_readers(self, changed: list[Row]) -> None:
        """Every organizer and participant feed that shows a changed event gets a new revision."""
        modified = {row["event_id"]: row["last_modified"] for row in changed}
        # an event enabled in this batch has no stored links yet: its links are all in self.links
        created = {self.events[k]["event_id"] for k in self.events_new}
        ids = sorted(modified.keys() - created)
        readers = {
            (found["event_id"], found["user_id"], found["role"])
            for found in rows_in(self.conn, self.t.links, "event_id", ids, CHUNK)
        }
        readers.update(k for k in self.links if k[0] in modified)
        for event_id, user_id, role in readers:
            self._touch(feed_key(role, user_id), modified[event_id])

    def _write_stamps(self) -> None:
        """Each touched feed's stamp: a new feed's at revision 1, a known one's revision moved by
        one and its last modified the later of the two. One upsert, nothing read first."""
        if not self.touched_feeds:
            return
        later = "excluded.last_modified > {table}.last_modified"
        if self.conn.dialect.name != "sqlite":  # compared as Python and SQLite do, by code point
            later = 'excluded.last_modified COLLATE "C" > {table}.last_modified COLLATE "C"'
        stamps = [(feed, 1, at) for feed, at in sorted(self.touched_feeds.items())]
        upsert_tuples(
            self.conn,
            self.t.stamps,
            ("feed", "revision", "last_modified"),
            ("feed",),
            stamps,
            "revision = {table}.revision + 1, last_modified = CASE WHEN "
            + later
            + " THEN excluded.last_modified ELSE {table}.last_modified END",
        )


def apply(conn: Connection, t: FeedTables, events: Sequence[Any], renderer: Renderer) -> None:
    fold = Fold(conn, t, renderer)
    facts = fold.prepare(events)
    for e, (kind, key) in zip(events, facts, strict=True):
        fold.apply(e, kind, key)
    fold.flush()


class FeedsProjection:
    name = NAME
    topics: tuple[str, ...] = TOPICS

    def __init__(self, renderer: Renderer, tables: FeedTables | None = None) -> None:
        self.renderer = renderer
        self.tables = tables or define_feeds()
        self.read_model = ReadModel(  # replay (projections/readmodel.py)
            define_feeds,
            lambda conn, t, events: apply(conn, t, events, renderer),
            volatile={"rm_feed_stamps": ("revision",)},  # counts batches: a rebuild has fewer
            carry=carry_revisions,
        )

    def apply(self, conn: Connection, _: Tables, events: Sequence[Any]) -> None:
        apply(conn, self.tables, events, self.renderer)


def carry_revisions(conn: Connection, live: FeedTables, fresh: FeedTables) -> None:
    """In replay's switch: every feed the live tables know gets a revision above its live one, so
    an ETag issued before the replay never matches a rebuilt feed (whose batches were fewer). One
    ``UPDATE ... FROM`` joining the two sets (one row per feed sent back and forth cost seconds)."""
    st, known = fresh.stamps, live.stamps
    above = known.c.revision + 1
    conn.execute(
        update(st)
        .where(st.c.feed == known.c.feed)
        .values(revision=case((above > st.c.revision, above), else_=st.c.revision))
    )


def create_tables(engine: Engine, tables: FeedTables | None = None) -> None:
    """Create the feed tables that are missing (idempotent)."""
    create_missing(engine, tables or define_feeds())


def create(store: Any) -> None:
    """The feeds' tracking row and tables (idempotent): for ``init-db``."""
    store.create((NAME,))
    create_tables(store.engine)


# --- reading ------------------------------------------------------------------------------------

Part = tuple[str, int, int, str]  # (zone, first year, last year, VEVENT text): ``ical.assemble``


@dataclass(frozen=True)
class Revision:
    """All a feed's ETag is made of, read in one statement: the feed's stamp (revision, last
    modified; None for a feed never written), every hidden event with its flag (the content
    model's), the viewer's roles (the events it actively organizes or joined) and every event
    that is not for everyone with its audience (the polls model's)."""

    stamp: tuple[int, str] | None
    hidden: dict[int, int]
    roles: dict[int, set[str]]
    audiences: dict[int, Audience] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedRow:
    event_id: int
    deleted_at: str | None
    last_modified: str


class FeedViews:
    """What the feed routes read: one statement for all a feed's ETag is made of (``revision``:
    what a conditional GET reads), one indexed read for its events' stored texts. The statements
    are built once (parameters bound at each call): building and keying a SELECT cost more than
    running it; the small reads are the driver's own text on a pooled DBAPI connection."""

    def __init__(
        self, engine: Engine, tables: FeedTables | None = None, content: ContentTables | None = None
    ) -> None:
        self.engine = engine
        self.t = t = tables or define_feeds()
        self._sql = _driver_sql(engine, t, content or define_content())
        ev, ln = t.events, t.links
        columns = (
            ev.c.event_id,
            ev.c.zone,
            ev.c.first_year,
            ev.c.last_year,
            ev.c.public_text,
            ev.c.full_text,
        )
        shown = ev.c.deleted_at.is_(None) | (ev.c.deleted_at >= bindparam("shown_from"))
        self._event_parts = select(*columns).where((ev.c.event_id == bindparam("event_id")) & shown)
        self._user_parts = (
            select(*columns)
            .select_from(ln.join(ev, ev.c.event_id == ln.c.event_id))
            .where(
                (ln.c.user_id == bindparam("user_id"))
                & (ln.c.role == bindparam("role"))
                & ln.c.active
                & shown
            )
            .order_by(ev.c.event_id)
        )

    def revision(self, feed: str, viewer: int | None) -> Revision:
        """The feed's stamp, the hidden events and (``viewer`` not None) the viewer's roles: one
        statement of constant text on a pooled driver connection (one snapshot; no BEGIN of its
        own, no SQLAlchemy statement or result: a 304 costs this read, ~15 µs of CPU on SQLite
        against ~60 through ``Connection.exec_driver_sql`` and ~220 for the two SELECTs it was)."""
        if viewer is None:
            rows = driver_rows(self.engine, self._sql["revision"], (feed,))
        else:
            rows = driver_rows(self.engine, self._sql["revision_of"], (feed, viewer))
        stamp: tuple[int, str] | None = None
        hidden: dict[int, int] = {}
        roles: dict[int, set[str]] = {}
        sets: dict[int, dict[str, list[int]]] = {}
        for kind, number, text in rows:
            if kind == "s":
                stamp = (int(number), str(text))
            elif kind == "h":
                hidden[int(number)] = int(text)
            elif kind == "a":
                attached = sets.setdefault(int(number), {"g": [], "s": []})
                if text:
                    attached[str(text)[0]].append(int(str(text)[1:]))
            else:
                roles.setdefault(int(number), set()).add(str(text))
        audiences = {
            event_id: Audience(False, tuple(sorted(on["g"])), tuple(sorted(on["s"])))
            for event_id, on in sets.items()
        }
        return Revision(stamp, hidden, roles, audiences)

    def event(self, event_id: int) -> FeedRow | None:
        found = driver_rows(self.engine, self._sql["event"], (event_id,))
        return None if not found else FeedRow(int(found[0][0]), found[0][1], str(found[0][2]))

    def parts(
        self, *, shown_from: str, event_id: int | None = None, user: tuple[str, int] | None = None
    ) -> list[tuple[int, Part, str]]:
        """(event id, the part without the meeting URL, the VEVENT text with it) of one event or
        of the events a user organizes (``("o", id)``) or joined (``("p", id)``), by event id;
        deleted events only when deleted at or after ``shown_from`` (ISO, UTC)."""
        if event_id is not None:
            query, values = self._event_parts, {"event_id": event_id, "shown_from": shown_from}
        else:
            assert user is not None
            role, user_id = user
            query, values = self._user_parts, {"user_id": user_id, "role": role, "shown_from": shown_from}
        with self.engine.connect() as conn:
            return [(r[0], (r[1], r[2], r[3], r[4]), r[5]) for r in conn.execute(query, values)]

    def user_of_secret(self, secret_hash: str) -> int | None:
        found = driver_rows(self.engine, self._sql["secret"], (secret_hash,))
        return None if not found else int(found[0][0])


def _driver_sql(engine: Engine, t: FeedTables, content: ContentTables) -> dict[str, str]:
    """``FeedViews``' driver statements, constant text. ``revision`` / ``revision_of`` (without, with
    the viewer's roles) give rows of (kind, number, text): ``s`` the stamp (revision, last
    modified), ``h`` a hidden event (id, flag), ``a`` an event not for everyone (id, an attached
    group ``g<id>`` or subgroup ``s<id>``, or '' for none), ``r`` a role (event id, role)."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    q = engine.dialect.identifier_preparer.quote
    stamps, content_table, links = q(t.stamps.name), q(content.content.name), q(t.links.name)
    events, secrets = q(t.events.name), q(t.secrets.name)
    polls = define_polls()
    audiences, event_sets = q(polls.audiences.name), q(polls.event_sets.name)
    revision = (
        f"SELECT 's', revision, last_modified FROM {stamps} WHERE feed = {mark}"
        f" UNION ALL SELECT 'h', event_id, CAST(hidden AS VARCHAR(12)) FROM {content_table}"
        f" WHERE hidden <> {moderation.VISIBLE}"
        f" UNION ALL SELECT 'a', a.event_id, COALESCE(es.kind || CAST(es.set_id AS VARCHAR(12)), '')"
        f" FROM {audiences} a LEFT JOIN {event_sets} es ON es.event_id = a.event_id"
        " WHERE NOT a.for_everyone"
    )
    roles = f" UNION ALL SELECT 'r', event_id, role FROM {links} WHERE user_id = {mark} AND active"
    return {
        "revision": revision,
        "revision_of": revision + roles,
        "event": f"SELECT event_id, deleted_at, last_modified FROM {events} WHERE event_id = {mark}",
        "secret": f"SELECT user_id FROM {secrets} WHERE secret_hash = {mark}",
    }
