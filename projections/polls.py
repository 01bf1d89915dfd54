"""The polls read model: people's names, groups, subgroups, memberships, event audiences,
decisions, votes, presets, and per-event result counts kept as deltas (one row per event, set and
decision: set ``a``/0 is every voter, ``g``/id a group, ``s``/id a subgroup), so results by group
for an event with 1,000 voters are a few indexed reads.

Its tables are its own (``define``), with its own tracking row (``NAME``); ``campaignevents replay``
rebuilds them from the log like every read model (``read_model``). ``apply`` folds a batch in memory
(the memberships and votes of the users it touches read with one query each), then writes.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
    tuple_,
)
from sqlalchemy.engine import Connection

from domain import audiences, people, polls
from domain.accounts import Account
from domain.groups import Group
from domain.presets import StandardDecision, StandardLocation
from projections.bulk import delete_keys, insert_rows, insert_tuples
from projections.readmodel import ReadModel

NAME = "polls"
ALL = ("a", 0)
PEOPLE = ("p", 0)  # rm_poll_revisions: the people data's revision; ("e", event id) an event's
Key = tuple[str, int]  # ("g", group id) / ("s", subgroup id) / ALL


@dataclass(frozen=True)
class PollTables:
    metadata: MetaData
    people: Table
    groups: Table
    subgroups: Table
    members: Table
    audiences: Table
    event_sets: Table
    decisions: Table
    votes: Table
    counts: Table
    standard_decisions: Table
    standard_locations: Table
    revisions: Table

    def models(self) -> list[Table]:
        return [getattr(self, n) for n in self.__dataclass_fields__ if n != "metadata"]


def define(suffix: str = "") -> PollTables:
    md, token = MetaData(), secrets.token_hex(3)

    def table(name: str, *columns: Any) -> Table:
        return Table(f"rm_poll_{name}{suffix}", md, *columns)

    def ix(name: str, *cols: str) -> Index:
        return Index(f"ix_poll_{name}_{'_'.join(cols)}_{token}", *cols)

    def key(name: str) -> Column[Any]:
        return Column(name, Integer, primary_key=True, autoincrement=False)

    return PollTables(
        md,
        table(
            "people",
            key("user_id"),
            Column("user_name", Text, nullable=False),
            Column("firstname", Text),
            Column("surname", Text),
        ),
        table(
            "groups",
            key("group_id"),
            Column("name", Text, nullable=False),
            Column("description", Text, nullable=False),
            Column("order_n", Integer, nullable=False),
            Column("permissions", Text, nullable=False),
        ),
        table(
            "subgroups",
            key("subgroup_id"),
            Column("group_id", Integer, nullable=False),
            Column("name", Text, nullable=False),
            Column("description", Text, nullable=False),
            Column("order_n", Integer, nullable=False),
            ix("subgroups", "group_id"),
        ),
        table(
            "members",
            Column("kind", String(1), primary_key=True),
            key("set_id"),
            key("user_id"),
            Column("group_id", Integer, nullable=False),
            ix("members", "user_id"),
            ix("members", "group_id"),
        ),
        table("audiences", key("event_id"), Column("for_everyone", Boolean, nullable=False)),
        table(
            "event_sets",
            key("event_id"),
            Column("kind", String(1), primary_key=True),
            key("set_id"),
            ix("event_sets", "kind", "set_id"),
        ),
        table(
            "decisions",
            key("decision_id"),
            Column("event_id", Integer, nullable=False),
            Column("label", Text, nullable=False),
            Column("color", String(7), nullable=False),
            Column("show_in_calendar", Boolean, nullable=False),
            Column("created_at", String(40), nullable=False),
            Column("updated_at", String(40), nullable=False),
            ix("decisions", "event_id"),
        ),
        table(
            "votes",
            key("event_id"),
            key("user_id"),
            Column("decision_id", Integer, nullable=False),
            Column("additional_information", Text),
            Column("created_at", String(40), nullable=False),
            Column("updated_at", String(40), nullable=False),
            ix("votes", "event_id", "decision_id"),
            ix("votes", "user_id"),
        ),
        table(
            "counts",
            key("event_id"),
            Column("kind", String(1), primary_key=True),
            key("set_id"),
            key("decision_id"),
            Column("count", Integer, nullable=False),
            ix("counts", "decision_id"),
        ),
        table(
            "standard_decisions",
            key("number"),
            Column("label", Text, nullable=False),
            Column("color", String(7), nullable=False),
            Column("show_in_calendar", Boolean, nullable=False),
            Column("created_at", String(40), nullable=False),
            Column("updated_at", String(40), nullable=False),
        ),
        table(
            "standard_locations",
            key("number"),
            Column("name", Text, nullable=False),
            Column("location", Text),
            Column("x", Float),
            Column("y", Float),
            Column("created_at", String(40), nullable=False),
            Column("updated_at", String(40), nullable=False),
        ),
        # how many facts changed what results are made of: ("e", event id) its audience, decisions,
        # votes; PEOPLE the people results show (accounts, names, groups, subgroups, memberships)
        table(
            "revisions",
            Column("kind", String(1), primary_key=True),
            key("scope_id"),
            Column("revision", Integer, nullable=False),
        ),
    )


def iso(e: Any) -> str:
    return str(e.timestamp.isoformat())


class Fold:
    """A batch folded in memory: the memberships and votes of the users it touches, count deltas,
    and the sets and decisions it purges; ``flush`` writes them."""

    def __init__(self, conn: Connection, t: PollTables) -> None:
        self.conn, self.t = conn, t
        self.sets: dict[int, dict[Key, int]] = {}  # user -> {set: group id}
        self.votes: dict[tuple[int, int], dict[str, Any] | None] = {}  # (event, user) -> row
        self.by_user: dict[int, set[int]] = defaultdict(set)  # user -> events voted (loaded/touched)
        self.deltas: dict[tuple[int, str, int, int], int] = defaultdict(int)
        self.purged_sets: set[Key] = set()
        self.purged_decisions: set[int] = set()
        self.rows: dict[str, dict[Any, dict[str, Any] | None]] = defaultdict(dict)  # table -> key -> row/None
        self.revised: dict[Key, int] = defaultdict(int)  # revision -> facts counted in this batch

    def prepare(self, events: Sequence[Any]) -> None:
        users = {e.user_id for e in events if hasattr(e, "user_id") and not isinstance(e, Account.Created)}
        for chunk in _chunks(sorted(users)):
            m = self.t.members
            for r in self.conn.execute(select(m).where(m.c.user_id.in_(chunk))).mappings():
                self.sets.setdefault(r["user_id"], {})[(r["kind"], r["set_id"])] = r["group_id"]
            v = self.t.votes
            for r in self.conn.execute(select(v).where(v.c.user_id.in_(chunk))).mappings():
                self.votes[(r["event_id"], r["user_id"])] = dict(r)
                self.by_user[r["user_id"]].add(r["event_id"])
        for u in users:
            self.sets.setdefault(u, {})

    def keys_of(self, user_id: int) -> list[Key]:
        return [ALL, *self.sets[user_id]]

    def count(self, event_id: int, keys: Iterable[Key], decision_id: int | None, step: int) -> None:
        if decision_id is None:
            return
        for kind, set_id in keys:
            self.deltas[(event_id, kind, set_id, decision_id)] += step

    def set_vote(self, e: Any, decision_id: int | None, note: str | None) -> None:
        old = self.votes.get((e.event_id, e.user_id))
        keys = self.keys_of(e.user_id)
        self.count(e.event_id, keys, old["decision_id"] if old else None, -1)
        self.count(e.event_id, keys, decision_id, +1)
        row = None
        if decision_id is not None:
            created = old["created_at"] if old else iso(e)
            row = {
                "event_id": e.event_id,
                "user_id": e.user_id,
                "decision_id": decision_id,
                "additional_information": note,
                "created_at": created,
                "updated_at": iso(e),
            }
        self.votes[(e.event_id, e.user_id)] = row
        self.by_user[e.user_id].add(e.event_id)

    def member(self, user_id: int, key: Key, group_id: int, joined: bool) -> None:
        sets = self.sets[user_id]
        if joined == (key in sets):
            return
        for event_id in self.by_user[user_id]:
            vote = self.votes.get((event_id, user_id))
            self.count(event_id, [key], vote["decision_id"] if vote else None, +1 if joined else -1)
        if joined:
            sets[key] = group_id
        else:
            del sets[key]

    def purge_sets(self, keys: set[Key]) -> None:
        """The sets ``keys`` are gone: their rows in the tables (``flush``) and those this batch
        noted before (an event's link made earlier in the batch goes too, as in a batch of its own)."""
        self.purged_sets |= keys
        for sets in self.sets.values():
            for k in keys & set(sets):
                del sets[k]
        linked = self.rows["event_sets"]
        linked.update(dict.fromkeys(k for k in linked if (k[1], k[2]) in keys))
        for d in [d for d in self.deltas if (d[1], d[2]) in keys]:
            del self.deltas[d]

    def purge_decision(self, decision_id: int) -> None:
        self.purged_decisions.add(decision_id)
        for k, row in self.votes.items():
            if row is not None and row["decision_id"] == decision_id:
                self.votes[k] = None
        for d in [d for d in self.deltas if d[3] == decision_id]:
            del self.deltas[d]

    def flush(self) -> None:
        t, c = self.t, self.conn
        for kind, set_id in sorted(self.purged_sets):
            c.execute(delete(t.counts).where((t.counts.c.kind == kind) & (t.counts.c.set_id == set_id)))
            c.execute(delete(t.members).where((t.members.c.kind == kind) & (t.members.c.set_id == set_id)))
            c.execute(
                delete(t.event_sets).where((t.event_sets.c.kind == kind) & (t.event_sets.c.set_id == set_id))
            )
        for chunk in _chunks(sorted(self.purged_decisions)):
            c.execute(delete(t.counts).where(t.counts.c.decision_id.in_(chunk)))
            c.execute(delete(t.votes).where(t.votes.c.decision_id.in_(chunk)))
        self._replace(t.votes, ("event_id", "user_id"), self.votes)
        delete_keys(c, t.members, ("user_id",), [(user_id,) for user_id in self.sets])
        member_rows = {
            (kind, set_id, user_id): (kind, set_id, user_id, group_id)
            for user_id, sets in self.sets.items()
            for (kind, set_id), group_id in sets.items()
        }
        insert_tuples(c, t.members, ("kind", "set_id", "user_id", "group_id"), list(member_rows.values()))
        for name, changed in self.rows.items():
            table = getattr(t, name)
            keys = tuple(col.name for col in table.primary_key.columns)
            self._replace(table, keys, changed)
        self._counts()
        self._revisions()

    def _revisions(self) -> None:
        """Add the batch's facts to the revisions they changed (a count per fact: the same in a
        replay, whatever its batches)."""
        if not self.revised:
            return
        t = self.t.revisions
        keys = sorted(self.revised)
        found = dict.fromkeys(keys, 0)
        for r in self.conn.execute(select(t).where(tuple_(t.c.kind, t.c.scope_id).in_(keys))):
            found[(r.kind, r.scope_id)] = r.revision
        rows: dict[Any, dict[str, Any] | None] = {
            k: {"kind": k[0], "scope_id": k[1], "revision": found[k] + n} for k, n in self.revised.items()
        }
        self._replace(t, ("kind", "scope_id"), rows)

    def _replace(self, table: Table, keys: tuple[str, ...], rows: dict[Any, dict[str, Any] | None]) -> None:
        if not rows:
            return
        delete_keys(self.conn, table, keys, [k if isinstance(k, tuple) else (k,) for k in rows])
        insert_rows(self.conn, table, [r for r in rows.values() if r is not None])

    def _counts(self) -> None:
        t = self.t.counts
        live = {k: v for k, v in self.deltas.items() if v}
        if not live:
            return
        current: dict[tuple[int, str, int, int], int] = {}
        for chunk in _chunks(sorted(live)):
            cols = tuple_(t.c.event_id, t.c.kind, t.c.set_id, t.c.decision_id)
            for r in self.conn.execute(select(t).where(cols.in_(chunk))).mappings():
                current[(r["event_id"], r["kind"], r["set_id"], r["decision_id"])] = r["count"]
        rows = {k: current.get(k, 0) + v for k, v in live.items()}
        self._replace(
            t,
            ("event_id", "kind", "set_id", "decision_id"),
            {
                k: (
                    {"event_id": k[0], "kind": k[1], "set_id": k[2], "decision_id": k[3], "count": n}
                    if n
                    else None
                )
                for k, n in rows.items()
            },
        )


def _chunks(values: list[Any], size: int = 400) -> Iterable[list[Any]]:
    for first in range(0, len(values), size):
        yield values[first : first + size]


def apply(conn: Connection, t: PollTables, events: Sequence[Any]) -> None:
    fold = Fold(conn, t)
    fold.prepare(events)
    for e in events:
        topic = get_topic(type(e))
        handler = HANDLERS.get(topic)
        if handler is not None:
            handler(fold, e)
            if topic not in UNREVISED:
                fold.revised[("e", e.event_id) if topic in EVENT_FACTS else PEOPLE] += 1
    fold.flush()


# --- the facts ---------------------------------------------------------------------------------
def _put(f: Fold, table: str, key: Any, row: dict[str, Any] | None) -> None:
    f.rows[table][key] = row


def _updated(f: Fold, table: str, key: Any, e: Any, **values: Any) -> None:
    """Change an existing row (from this batch or the table)."""
    row = f.rows[table].get(key)
    if row is None:
        t: Table = getattr(f.t, table)
        pk = list(t.primary_key.columns)
        found = f.conn.execute(select(t).where(pk[0] == key)).mappings().first()
        row = dict(found) if found else None
    if row is not None:
        _put(f, table, key, {**row, **values})


def _account(f: Fold, e: Account.Created) -> None:
    _put(
        f,
        "people",
        e.user_id,
        {"user_id": e.user_id, "user_name": e.user_name, "firstname": None, "surname": None},
    )


def _name(f: Fold, e: people.NameSet) -> None:
    _updated(f, "people", e.user_id, e, firstname=e.first_name, surname=e.last_name)


def _group(f: Fold, e: Any) -> None:
    row = {
        "group_id": e.group_id,
        "name": e.name,
        "description": e.description,
        "order_n": e.order,
        "permissions": json.dumps(e.permissions),
    }
    _put(f, "groups", e.group_id, row)


def _group_deleted(f: Fold, e: Group.GroupDeleted) -> None:
    _put(f, "groups", e.group_id, None)
    sub = f.t.subgroups
    gone = set(f.conn.execute(select(sub.c.subgroup_id).where(sub.c.group_id == e.group_id)).scalars())
    gone |= {k for k, r in f.rows["subgroups"].items() if r is not None and r["group_id"] == e.group_id}
    for s in gone:
        _put(f, "subgroups", s, None)
    f.purge_sets({("g", e.group_id), *{("s", s) for s in gone}})


def _subgroup(f: Fold, e: Any) -> None:
    row = {
        "subgroup_id": e.subgroup_id,
        "group_id": e.group_id,
        "name": e.name,
        "description": e.description,
        "order_n": e.order,
    }
    _put(f, "subgroups", e.subgroup_id, row)


def _subgroup_deleted(f: Fold, e: Group.SubgroupDeleted) -> None:
    _put(f, "subgroups", e.subgroup_id, None)
    f.purge_sets({("s", e.subgroup_id)})


def _membership(kind: str, joined: bool) -> Any:
    def handle(f: Fold, e: Any) -> None:
        set_id = e.group_id if kind == "g" else e.subgroup_id
        if kind == "g" and not joined:  # leaving a group leaves its subgroups
            for key in [k for k, g in f.sets[e.user_id].items() if k[0] == "s" and g == e.group_id]:
                f.member(e.user_id, key, e.group_id, False)
        f.member(e.user_id, (kind, set_id), e.group_id, joined)

    return handle


def _for_everyone(f: Fold, e: audiences.ForEveryoneSet) -> None:
    _put(f, "audiences", e.event_id, {"event_id": e.event_id, "for_everyone": e.for_everyone})


def _attached(kind: str, attached: bool) -> Any:
    def handle(f: Fold, e: Any) -> None:
        set_id = e.group_id if kind == "g" else e.subgroup_id
        row = {"event_id": e.event_id, "kind": kind, "set_id": set_id} if attached else None
        _put(f, "event_sets", (e.event_id, kind, set_id), row)

    return handle


def _decision(f: Fold, e: Any) -> None:
    old = f.rows["decisions"].get(e.decision_id)
    if isinstance(e, polls.DecisionChanged) and old is None:
        d = f.t.decisions
        found = f.conn.execute(select(d).where(d.c.decision_id == e.decision_id)).mappings().first()
        old = dict(found) if found else None
    created = old["created_at"] if old else iso(e)
    _put(
        f,
        "decisions",
        e.decision_id,
        {
            "decision_id": e.decision_id,
            "event_id": e.event_id,
            "label": e.label,
            "color": e.color,
            "show_in_calendar": e.show_in_calendar,
            "created_at": created,
            "updated_at": iso(e),
        },
    )


def _decision_removed(f: Fold, e: polls.DecisionRemoved) -> None:
    _put(f, "decisions", e.decision_id, None)
    f.purge_decision(e.decision_id)


def _vote(f: Fold, e: Any) -> None:
    f.set_vote(e, e.decision_id, e.additional_information)


def _vote_removed(f: Fold, e: polls.Vote.VoteRemoved) -> None:
    f.set_vote(e, None, None)


def _standard_decision(f: Fold, e: StandardDecision.StandardDecisionCreated) -> None:
    _put(
        f,
        "standard_decisions",
        e.number,
        {
            "number": e.number,
            "label": e.label,
            "color": e.color,
            "show_in_calendar": e.show_in_calendar,
            "created_at": iso(e),
            "updated_at": iso(e),
        },
    )


def _standard_location(f: Fold, e: StandardLocation.StandardLocationCreated) -> None:
    _put(
        f,
        "standard_locations",
        e.number,
        {
            "number": e.number,
            "name": e.name,
            "location": e.location,
            "x": e.x,
            "y": e.y,
            "created_at": iso(e),
            "updated_at": iso(e),
        },
    )


def _deleted(table: str) -> Any:
    def handle(f: Fold, e: Any) -> None:
        _put(f, table, e.number, None)

    return handle


HANDLERS: dict[str, Any] = {
    get_topic(Account.Created): _account,
    get_topic(people.NameSet): _name,
    get_topic(Group.GroupCreated): _group,
    get_topic(Group.GroupChanged): _group,
    get_topic(Group.GroupDeleted): _group_deleted,
    get_topic(Group.SubgroupCreated): _subgroup,
    get_topic(Group.SubgroupChanged): _subgroup,
    get_topic(Group.SubgroupDeleted): _subgroup_deleted,
    get_topic(people.GroupJoined): _membership("g", True),
    get_topic(people.GroupLeft): _membership("g", False),
    get_topic(people.SubgroupJoined): _membership("s", True),
    get_topic(people.SubgroupLeft): _membership("s", False),
    get_topic(audiences.ForEveryoneSet): _for_everyone,
    get_topic(audiences.GroupAttached): _attached("g", True),
    get_topic(audiences.GroupDetached): _attached("g", False),
    get_topic(audiences.SubgroupAttached): _attached("s", True),
    get_topic(audiences.SubgroupDetached): _attached("s", False),
    get_topic(polls.DecisionAdded): _decision,
    get_topic(polls.DecisionChanged): _decision,
    get_topic(polls.DecisionRemoved): _decision_removed,
    get_topic(polls.Vote.VoteCast): _vote,
    get_topic(polls.Vote.VoteRecast): _vote,
    get_topic(polls.Vote.VoteRemoved): _vote_removed,
    get_topic(StandardDecision.StandardDecisionCreated): _standard_decision,
    get_topic(StandardDecision.StandardDecisionDeleted): _deleted("standard_decisions"),
    get_topic(StandardLocation.StandardLocationCreated): _standard_location,
    get_topic(StandardLocation.StandardLocationDeleted): _deleted("standard_locations"),
}
TOPICS = tuple(HANDLERS)
EVENT_FACTS = frozenset(  # one event's results (its ``event_id``); the others but presets: PEOPLE
    get_topic(c)
    for c in (
        audiences.ForEveryoneSet,
        audiences.GroupAttached,
        audiences.GroupDetached,
        audiences.SubgroupAttached,
        audiences.SubgroupDetached,
        polls.DecisionAdded,
        polls.DecisionChanged,
        polls.DecisionRemoved,
        polls.Vote.VoteCast,
        polls.Vote.VoteRecast,
        polls.Vote.VoteRemoved,
    )
)
UNREVISED = frozenset(  # in no event's results
    get_topic(c)
    for c in (
        StandardDecision.StandardDecisionCreated,
        StandardDecision.StandardDecisionDeleted,
        StandardLocation.StandardLocationCreated,
        StandardLocation.StandardLocationDeleted,
    )
)


class PollsProjection:
    """The runner's ``Projection``: applies to its own tables (``self.tables``), not the catalog's."""

    name = NAME
    topics: tuple[str, ...] = TOPICS
    read_model = ReadModel(define, apply, load_indexes=(("user_id",),))  # replay (readmodel.py)

    def __init__(self, tables: PollTables | None = None) -> None:
        self.tables = tables or define()

    def create(self, conn: Connection) -> None:
        self.tables.metadata.create_all(conn)

    def apply(self, conn: Connection, _tables: Any, events: Sequence[Any]) -> None:
        apply(conn, self.tables, events)


def dump(conn: Connection, t: PollTables) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted (replay equality)."""
    return {
        table.name.split("__")[0]: sorted(tuple(r) for r in conn.execute(select(table)))
        for table in t.models()
    }


def create(store: Any) -> None:
    """Create the tables and the tracking row (idempotent; ``init_store`` serialises starts)."""
    from sqlalchemy import inspect

    existing = set(inspect(store.engine).get_table_names())
    tables = define()
    with store.engine.begin() as conn:
        tables.metadata.create_all(conn, tables=[t for t in tables.models() if t.name not in existing])
    store.create((NAME,))
