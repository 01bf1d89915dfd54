"""Reads of the polls read model (``projections/polls.py``): what DatePoll's ``resultGroups``,
open-events list and group lists need, in a few indexed queries, never an aggregate."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, or_, select

from projections.catalog import sortable
from projections.polls import PEOPLE, PollTables
from projections.schema import Tables

User = dict[str, Any]


_ENCODER = json.JSONEncoder(separators=(",", ":"))
_string = json.encoder.encode_basestring_ascii  # the C function json.dumps uses for a str


KEPT_PEOPLE = 256  # people parts kept per PollViews (all dropped when full)


@dataclass(frozen=True)
class Shown:
    """The people part of an audience's results (``PollViews._people``): shared, never changed."""

    everyone: bool
    groups: list[dict[str, Any]]  # {group_id, name} in order
    subgroups: list[dict[str, Any]]  # {subgroup_id, group_id, name} in order
    people: list[tuple[Any, ...]]  # (user_id, user_name, firstname, surname) by surname
    members: dict[tuple[str, int], list[int]]  # set -> user ids in that order


@dataclass(frozen=True)
class Results:
    """``resultGroups`` with user ids in its sets' ``users`` (``users``: id -> entry, in order)."""

    groups: list[dict[str, Any]]
    users: dict[int, User]
    chart: list[dict[str, Any]]


class PollViews:
    def __init__(self, engine: Engine, tables: PollTables, catalog: Tables) -> None:
        self.engine, self.t, self.catalog = engine, tables, catalog
        self._kept_people: dict[tuple[Any, ...], Shown] = {}
        r = tables.revisions
        self._revision = select(r.c.kind, r.c.revision).where(
            ((r.c.kind == "e") & (r.c.scope_id == bindparam("event_id")))
            | ((r.c.kind == PEOPLE[0]) & (r.c.scope_id == PEOPLE[1]))
        )

    def revision(self, event_id: int) -> tuple[int, int]:
        """(the event's revision, the people data's revision): how many facts have changed what
        its results are made of (``rm_poll_revisions``), in one indexed read. Equal revisions,
        equal results."""
        found = {"e": 0, "p": 0}
        with self.engine.connect() as conn:
            for kind, revision in conn.execute(self._revision, {"event_id": event_id}):
                found[kind] = revision
        return found["e"], found["p"]

    def groups(self) -> list[dict[str, Any]]:
        """Every group in order (``orderN``, then id) with its subgroups:
        ``{id, name, description, orderN, permissions, subgroups: [{id, name, description, orderN}]}``."""
        g, s = self.t.groups, self.t.subgroups
        with self.engine.connect() as conn:
            groups = conn.execute(select(g).order_by(g.c.order_n, g.c.group_id)).mappings().all()
            subs = conn.execute(select(s).order_by(s.c.order_n, s.c.subgroup_id)).mappings().all()
        by_group: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in subs:
            by_group[r["group_id"]].append(
                {
                    "id": r["subgroup_id"],
                    "name": r["name"],
                    "description": r["description"],
                    "orderN": r["order_n"],
                }
            )
        return [
            {
                "id": r["group_id"],
                "name": r["name"],
                "description": r["description"],
                "orderN": r["order_n"],
                "permissions": json.loads(r["permissions"]),
                "subgroups": by_group[r["group_id"]],
            }
            for r in groups
        ]

    def decisions(self, event_id: int) -> list[dict[str, Any]]:
        """``{id, decision, color, event_id, show_in_calendar, created_at, updated_at}`` in order."""
        with self.engine.connect() as conn:
            return self._decisions(conn, event_id)

    def _decisions(self, conn: Any, event_id: int) -> list[dict[str, Any]]:
        d = self.t.decisions
        rows = conn.execute(select(d).where(d.c.event_id == event_id).order_by(d.c.decision_id)).mappings()
        return [_decision(r) for r in rows]

    def audience(self, event_id: int) -> tuple[bool, list[int], list[int]]:
        """(for everyone, attached group ids, attached subgroup ids)."""
        with self.engine.connect() as conn:
            return self._audience(conn, event_id)

    def _audience(self, conn: Any, event_id: int) -> tuple[bool, list[int], list[int]]:
        a, es = self.t.audiences, self.t.event_sets
        everyone = conn.execute(select(a.c.for_everyone).where(a.c.event_id == event_id)).scalar()
        sets = conn.execute(select(es.c.kind, es.c.set_id).where(es.c.event_id == event_id)).all()
        return (
            everyone is None or bool(everyone),
            sorted(i for k, i in sets if k == "g"),
            sorted(i for k, i in sets if k == "s"),
        )

    def vote(self, event_id: int, user_id: int) -> dict[str, Any] | None:
        """The user's vote as DatePoll's ``user_decision``, or None."""
        v, d = self.t.votes, self.t.decisions
        with self.engine.connect() as conn:
            r = (
                conn.execute(
                    select(v.c.additional_information, d)
                    .join(d, d.c.decision_id == v.c.decision_id)
                    .where((v.c.event_id == event_id) & (v.c.user_id == user_id))
                )
                .mappings()
                .first()
            )
        return None if r is None else {**_decision(r), "additional_information": r["additional_information"]}

    def open_events(self, user_id: int, now: datetime) -> list[int]:
        """Ids of the events open to ``user_id``: live, not ended, for everyone or for a group or
        subgroup the user is in; soonest end first."""
        r, a, es, m = self.catalog.registrations, self.t.audiences, self.t.event_sets, self.t.members
        member = (
            select(es.c.event_id)
            .join(m, (m.c.kind == es.c.kind) & (m.c.set_id == es.c.set_id))
            .where(m.c.user_id == user_id)
        )
        restricted = select(a.c.event_id).where(a.c.for_everyone.is_(False))
        query = (
            select(r.c.event_id)
            .where(~r.c.deleted & (r.c.end_utc > sortable(now)))
            .where(or_(r.c.event_id.not_in(restricted), r.c.event_id.in_(member)))
            .order_by(r.c.end_utc, r.c.event_id)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def result_groups(self, event_id: int, anonymous: bool) -> dict[str, Any]:
        """DatePoll's ``resultGroups``: ``{anonymous, groups, allUsers, chart}``. Groups in order
        (each ``{id, name, users, chart, subgroups}``, subgroup ``{id, name, users, chart,
        parent_group_name, parent_group_id}``); for an event not for everyone, the attached groups
        then ``{id: -1, name: "unknown", users: [], subgroups: [...]}`` for attached subgroups whose
        group is not attached. Users ``{id, firstname, surname, decisionId, decision,
        additional_information}`` by surname; anonymous: id, names and note are None, the
        decision kept. Charts from the count deltas: ``[{name, percentWidth, count, color}]`` per
        decision (floor of the percentage of the set's voters), ``[]`` when nobody in it voted."""
        found = self._results(event_id, anonymous)
        users = found.users

        def listed(entry: dict[str, Any]) -> dict[str, Any]:
            return {**entry, "users": [users[u] for u in entry["users"]]}

        return {
            "anonymous": anonymous,
            "groups": [{**listed(g), "subgroups": [listed(s) for s in g["subgroups"]]} for g in found.groups],
            "allUsers": list(users.values()),
            "chart": found.chart,
        }

    def result_groups_json(self, event_id: int, anonymous: bool) -> str:
        """``result_groups`` as compact JSON text (``json.dumps(..., separators=(",", ":"))``,
        the same bytes), each user entry serialised once and its text reused in every set that
        lists it (a voter is in ``allUsers``, a group and a subgroup)."""
        found = self._results(event_id, anonymous)
        texts = {u: _user_json(entry) for u, entry in found.users.items()}

        def listed(ids: list[int]) -> str:
            return "[" + ",".join([texts[u] for u in ids]) + "]"

        def entry(e: dict[str, Any]) -> str:
            return (
                "{"
                + ",".join([f'"{k}":{listed(v) if k == "users" else _json(v)}' for k, v in e.items()])
                + "}"
            )

        def group(g: dict[str, Any]) -> str:
            subgroups = "[" + ",".join([entry(s) for s in g["subgroups"]]) + "]"
            head = entry({k: v for k, v in g.items() if k != "subgroups"})
            return f'{head[:-1]},"subgroups":{subgroups}}}'

        groups = "[" + ",".join([group(g) for g in found.groups]) + "]"
        every = "[" + ",".join(texts.values()) + "]"
        return (
            f'{{"anonymous":{_json(anonymous)},"groups":{groups},"allUsers":{every},'
            f'"chart":{_json(found.chart)}}}'
        )

    def _results(self, event_id: int, anonymous: bool) -> Results:
        """What ``resultGroups`` shows, its sets listing user ids (``users``: the entries in
        order), read in one connection; the people part (``_people``) kept per people revision
        and audience, so a vote costs the event's votes and counts, not its 1,000 names and
        2,000 memberships."""
        t = self.t
        with self.engine.connect() as conn:
            shown = self._people(conn, self._audience(conn, event_id))
            decisions = self._decisions(conn, event_id)
            counts: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
            c, v = t.counts, t.votes
            for kind, set_id, decision_id, count in conn.execute(
                select(c.c.kind, c.c.set_id, c.c.decision_id, c.c.count).where(c.c.event_id == event_id)
            ).all():
                counts[(kind, set_id)][decision_id] = count
            votes = {
                r[0]: r
                for r in conn.execute(
                    select(v.c.user_id, v.c.decision_id, v.c.additional_information).where(
                        v.c.event_id == event_id
                    )
                ).all()
            }
        labels = {d["id"]: d["decision"] for d in decisions}
        users: dict[int, User] = {}
        for user_id, user_name, firstname, surname in shown.people:
            vote = votes.get(user_id)
            decision_id, note = (vote[1], vote[2]) if vote is not None else (None, None)
            row = (user_id, user_name, firstname, surname, decision_id, note, labels.get(decision_id))
            users[user_id] = _user(row, anonymous)
        everyone, members = shown.everyone, shown.members
        names = {r["group_id"]: r["name"] for r in shown.groups}

        def chart(key: tuple[str, int]) -> list[dict[str, Any]]:
            return _chart(decisions, counts.get(key, {}))

        by_group: dict[int, list[dict[str, Any]]] = defaultdict(list)
        unknown: list[dict[str, Any]] = []
        for r in shown.subgroups:
            key = ("s", r["subgroup_id"])
            entry = {
                "id": r["subgroup_id"],
                "name": r["name"],
                "users": members.get(key, []),
                "chart": chart(key),
                "parent_group_name": names.get(r["group_id"]),
                "parent_group_id": r["group_id"],
            }
            (by_group[r["group_id"]] if r["group_id"] in names else unknown).append(entry)
        out = [
            {
                "id": r["group_id"],
                "name": r["name"],
                "users": members.get(("g", r["group_id"]), []),
                "chart": chart(("g", r["group_id"])),
                "subgroups": by_group[r["group_id"]],
            }
            for r in shown.groups
        ]
        if not everyone:
            out.append({"id": -1, "name": "unknown", "users": [], "subgroups": unknown})
        overall: dict[int, int] = defaultdict(int)
        if everyone:
            overall.update(counts.get(("a", 0), {}))
        else:  # the distinct listed users' votes
            for u in users.values():
                if u["decisionId"] is not None:
                    overall[u["decisionId"]] += 1
        return Results(out, users, _chart(decisions, overall))

    def forget(self) -> None:
        """Empty the kept people parts (the next results read everything)."""
        self._kept_people.clear()

    def _people(self, conn: Any, audience: tuple[bool, list[int], list[int]]) -> Shown:
        """The groups and subgroups shown for ``audience``, the people shown (every account, or
        the members of the shown sets) by surname, and each set's members in that order: kept
        per (people revision, audience), the revision read first in ``conn``."""
        r = self.t.revisions
        revision = conn.execute(
            select(r.c.revision).where((r.c.kind == PEOPLE[0]) & (r.c.scope_id == PEOPLE[1]))
        ).scalar()
        everyone, group_ids, subgroup_ids = audience
        key = (revision, True) if everyone else (revision, False, tuple(group_ids), tuple(subgroup_ids))
        found = self._kept_people.get(key)
        if found is not None:
            return found
        t = self.t
        g, s = t.groups, t.subgroups
        gq, sq = select(g.c.group_id, g.c.name), select(s.c.subgroup_id, s.c.group_id, s.c.name)
        if not everyone:
            gq = gq.where(g.c.group_id.in_(group_ids))
            sq = sq.where(or_(s.c.group_id.in_(group_ids), s.c.subgroup_id.in_(subgroup_ids)))
        groups = [dict(r) for r in conn.execute(gq.order_by(g.c.order_n, g.c.group_id)).mappings()]
        subs = [dict(r) for r in conn.execute(sq.order_by(s.c.order_n, s.c.subgroup_id)).mappings()]
        p, m = t.people, t.members
        query = select(p.c.user_id, p.c.user_name, p.c.firstname, p.c.surname)
        sets = select(m.c.user_id).where(
            or_(
                (m.c.kind == "g") & m.c.set_id.in_([r["group_id"] for r in groups]),
                (m.c.kind == "s") & m.c.set_id.in_([r["subgroup_id"] for r in subs]),
            )
        )
        if not everyone:
            query = query.where(p.c.user_id.in_(sets))
        people = [tuple(row) for row in conn.execute(query).all()]
        people.sort(key=lambda r: ((r[3] or "").lower(), (r[2] or r[1]).lower(), r[0]))
        order = {row[0]: n for n, row in enumerate(people)}
        members: dict[tuple[str, int], list[int]] = defaultdict(list)
        for kind, set_id, user_id in conn.execute(
            select(m.c.kind, m.c.set_id, m.c.user_id).where(m.c.user_id.in_(sets))
        ).all():  # fetched at once, not row by row
            if user_id in order:
                members[(kind, set_id)].append(user_id)
        for listed in members.values():
            listed.sort(key=order.__getitem__)
        found = Shown(everyone, groups, subs, people, dict(members))
        if len(self._kept_people) >= KEPT_PEOPLE:
            self._kept_people.clear()
        self._kept_people[key] = found
        return found


def _decision(r: Any) -> dict[str, Any]:
    return {
        "id": r["decision_id"],
        "decision": r["label"],
        "color": r["color"],
        "event_id": r["event_id"],
        "show_in_calendar": 1 if r["show_in_calendar"] else 0,
        "created_at": r["created_at"],
        "updated_at": r["updated_at"],
    }


def _user(r: Any, anonymous: bool) -> User:
    """A row (user_id, user_name, firstname, surname, decision_id, additional_information,
    label) as a user entry."""
    user_id, user_name, firstname, surname, decision_id, note, label = r
    if anonymous:
        return {
            "id": None,
            "firstname": None,
            "surname": None,
            "decisionId": decision_id,
            "decision": label,
            "additional_information": None,
        }
    return {
        "id": user_id,
        "firstname": firstname if firstname or surname else user_name,
        "surname": surname or "",
        "decisionId": decision_id,
        "decision": label,
        "additional_information": note,
    }


def _user_json(u: User) -> str:
    """A user entry as ``json.dumps(u, separators=(",", ":"))`` writes it, in one format."""
    return (
        f'{{"id":{_json(u["id"])},"firstname":{_json(u["firstname"])},"surname":{_json(u["surname"])},'
        f'"decisionId":{_json(u["decisionId"])},"decision":{_json(u["decision"])},'
        f'"additional_information":{_json(u["additional_information"])}}}'
    )


def _json(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))``: None, int and str written directly (as the
    encoder writes them), the rest by one encoder built once."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    return _ENCODER.encode(value)


def _chart(decisions: list[dict[str, Any]], counts: dict[int, int]) -> list[dict[str, Any]]:
    voters = sum(counts.get(d["id"], 0) for d in decisions)
    if not voters:
        return []
    return [
        {
            "name": d["decision"],
            "percentWidth": counts.get(d["id"], 0) * 100 // voters,
            "count": counts.get(d["id"], 0),
            "color": d["color"],
        }
        for d in decisions
    ]
