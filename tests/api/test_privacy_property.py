"""Property: a private participant is never shown to anyone but the event's organizers and holders of
the view-private right — in the participants list (``include_private`` false or true, any page,
any ``username_filter`` / ``exclude_users``, live or ``as_of``), in both event listings, and in the
event's audit history.

Each example enables a fresh event on one shared app (a fresh app per example would be too slow, so
the function-scoped fixtures are shared across examples on purpose), lets several users register
publicly or privately, change their minds, cancel, be removed or come back, maybe adds and drops
organizers and blocks a participant, then asks as many viewers as it likes. Besides "no private
participant leaks", the lists must say exactly what the model says: every active public
participant, in ``participant_id`` order, in pages of at most 20.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands
from tests.api.helpers import error
from tests.conftest import registration_body, use_cheap_passwords

V0 = "/campaignevents/v0"
BASE = V0 + "/event_registration"
PAGE = 20
CANNOT_SEE_PRIVATE = error(
    "campaignevents-rest-list-participants-cannot-see-private",
    "You are not authorized to view participants who registered privately for this event.",
    403,
)
HISTORY_DENIED = error(
    "campaignevents-rest-history-permission-denied",
    "You are not allowed to see the history of this event registration.",
    403,
)
NOW = "20261122120000"  # the fake clock's time: ``as_of`` now is the live list

# a plan is the steps one user takes, in phases: ("reg", private), ("cancel",), ("remove",)
PLANS: dict[str, list[tuple[Any, ...]]] = {
    "none": [],
    "public": [("reg", False)],
    "private": [("reg", True)],
    "public-cancelled": [("reg", False), ("cancel",)],
    "private-cancelled": [("reg", True), ("cancel",)],
    "public-removed": [("reg", False), ("remove",)],
    "private-removed": [("reg", True), ("remove",)],
    "public-to-private": [("reg", False), ("reg", True)],
    "private-to-public": [("reg", True), ("reg", False)],
    "private-resubmitted": [("reg", True), ("reg", True)],
    "cancelled-then-public": [("reg", True), ("cancel",), ("reg", False)],
    "cancelled-then-private": [("reg", False), ("cancel",), ("reg", True)],
    "removed-then-private": [("reg", False), ("remove",), ("reg", True)],
    "removed-then-public": [("reg", True), ("remove",), ("reg", False)],
}
NAMES = ("Ada", "Adam Smith", "Bada", "Cadabra", "Ed 50% off", "Zed")
CROWD = 16  # with the named users and the blocked one, enough for a second page
FILTERS = ("a", "AD", "ad", "smith", "%", "_", "50%", " ", "crowd 1", "CROWD", "zz", "ed")


@dataclass
class Query:
    viewer: str  # "anonymous", "other", "blocked", "p0".."p5", "organizer", "sysop", "coorganizer"
    include_private: bool
    start: tuple[int, int] | None  # (index into the event's participant ids, -1 or 0)
    name_filter: str | None
    exclude: list[int]  # indexes into the named users
    as_of: bool  # ask for the list as it was now (time travel: organizers and sysops only)


@dataclass
class Scenario:
    plans: list[str]  # one per named user
    order: list[int]  # the order in which the named users act, each phase
    crowd: list[str]  # plans of the first len(crowd) crowd users
    blocked_plan: str
    ex_organizer: bool  # "other" was an organizer of the event, and was removed
    coorganizer: bool
    queries: list[Query]
    listing_viewer: str


VIEWERS = ("anonymous", "other", "blocked", *(f"p{n}" for n in range(len(NAMES))))
PRIVILEGED = ("organizer", "sysop", "coorganizer")

queries = st.builds(
    Query,
    viewer=st.sampled_from(VIEWERS + PRIVILEGED),
    include_private=st.booleans(),
    start=st.none() | st.tuples(st.integers(0, 30), st.sampled_from([-1, 0])),
    name_filter=st.none() | st.sampled_from(FILTERS),
    exclude=st.lists(st.integers(0, len(NAMES) - 1), max_size=3),
    as_of=st.booleans(),
)
scenarios = st.builds(
    Scenario,
    plans=st.lists(st.sampled_from(sorted(PLANS)), min_size=len(NAMES), max_size=len(NAMES)),
    order=st.permutations(range(len(NAMES))),
    crowd=st.lists(st.sampled_from(["none", "public", "private", "public-to-private"]), max_size=CROWD),
    blocked_plan=st.sampled_from(["none", "public", "private", "private-to-public", "public-to-private"]),
    ex_organizer=st.booleans(),
    coorganizer=st.booleans(),
    queries=st.lists(queries, min_size=2, max_size=8),
    listing_viewer=st.sampled_from(VIEWERS),
)


@dataclass
class Member:
    """A user, their client, and their final state on the example's event."""

    user: Any
    client: Any
    plan: str = "none"
    active: bool = False
    private: bool = False


@dataclass
class Stage:
    """The shared app's cast, made once per test function and reused by every example."""

    api: Any
    services: Any
    make_user: Any
    organizer: Any
    sysop: Any
    coorganizer: Any
    other: Any
    named: list[Any]
    crowd: list[Any]
    pages: itertools.count[int] = field(default_factory=itertools.count)
    blocked_users: itertools.count[int] = field(default_factory=itertools.count)

    def client(self, user: Any) -> Any:
        return self.api(user)


@pytest.fixture
def stage(api: Any, services: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> Stage:
    use_cheap_passwords(monkeypatch)
    return Stage(
        api=api,
        services=services,
        make_user=make_user,
        organizer=make_user("Prop Organizer", "event-organizer"),
        sysop=make_user("Prop Sysop", "sysop"),
        coorganizer=make_user("Prop Coorganizer", "event-organizer"),
        other=make_user("Prop Other", "event-organizer"),
        named=[make_user(name) for name in NAMES],
        crowd=[make_user(f"Crowd {n:02d}") for n in range(CROWD)],
    )


def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def run(stage: Stage, s: Scenario) -> tuple[int, dict[str, Member], list[Member]]:
    """Play the scenario on a fresh event; return the event, the viewers and every participant."""
    organizer = stage.client(stage.organizer)
    event = ok(organizer.post(BASE, registration_body(f"Event:Prop {next(stage.pages)}")), 201)["id"]
    team = ["Prop Organizer"]
    if s.ex_organizer or s.coorganizer:
        first = (
            team
            + (["Prop Other"] if s.ex_organizer else [])
            + (["Prop Coorganizer"] if s.coorganizer else [])
        )
        ok(organizer.put(f"{BASE}/{event}/organizers", {"organizer_usernames": first}), 204)
    blocked_user = stage.make_user(f"Blocked {next(stage.blocked_users)}")

    named = [Member(u, stage.client(u), plan) for u, plan in zip(stage.named, s.plans, strict=True)]
    crowd = [Member(u, stage.client(u), plan) for u, plan in zip(stage.crowd, s.crowd, strict=False)]
    blocked = Member(blocked_user, stage.client(blocked_user), s.blocked_plan)
    acting = [named[i] for i in s.order] + crowd + [blocked]
    for phase in range(3):
        removed: list[int] = []
        for m in acting:
            steps = PLANS[m.plan]
            if phase >= len(steps):
                continue
            step = steps[phase]
            if step[0] == "reg":
                ok(m.client.put(f"{BASE}/{event}/participants/self", {"is_private": step[1]}))
                m.active, m.private = True, step[1]
            elif step[0] == "cancel":
                assert ok(m.client.delete(f"{BASE}/{event}/participants/self")) == {"modified": True}
                m.active = False
            else:
                removed.append(m.user.user_id)
                m.active = False
        if removed:
            ok(organizer.delete(f"{BASE}/{event}/participants", {"user_ids": removed}))
    if s.ex_organizer:
        final = team + (["Prop Coorganizer"] if s.coorganizer else [])
        ok(organizer.put(f"{BASE}/{event}/organizers", {"organizer_usernames": final}), 204)
    stage.services.app.block_user(commands.BlockUser(blocked_user.name))
    stage.services.written(stage.services.app.recorder.max_notification_id())

    viewers: dict[str, Member] = {f"p{n}": m for n, m in enumerate(named)}
    viewers["blocked"] = blocked
    viewers["anonymous"] = Member(None, stage.api())
    viewers["other"] = Member(stage.other, stage.client(stage.other))
    viewers["organizer"] = Member(stage.organizer, organizer)
    viewers["sysop"] = Member(stage.sysop, stage.client(stage.sysop))
    viewers["coorganizer"] = Member(stage.coorganizer, stage.client(stage.coorganizer))
    return event, viewers, named + crowd + [blocked]


def walk(client: Any, event: int, query: str, after: int | None) -> list[dict[str, Any]]:
    """Every page from ``after`` on, checking each page's size and order."""
    seen: list[dict[str, Any]] = []
    while True:
        cursor = "" if after is None else f"&last_participant_id={after}"
        page = ok(client.get(f"{BASE}/{event}/participants?{query}{cursor}"))
        assert len(page) <= PAGE
        if not page:
            return seen
        ids = [e["participant_id"] for e in page]
        assert ids == sorted(ids) and (after is None or ids[0] > after)
        seen += page
        after = ids[-1]


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(s=scenarios)
def test_private_participants_never_leak(stage: Stage, s: Scenario) -> None:
    event, viewers, members = run(stage, s)
    by_id = {m.user.user_id: m for m in members}
    active = {m.user.user_id for m in members if m.active}
    public = {u for u in active if not by_id[u].private}
    private = active - public
    privileged = {"organizer", "sysop"} | ({"coorganizer"} if s.coorganizer else set())

    # the organizer's full view is the model (and gives the participant ids)
    full = walk(viewers["organizer"].client, event, "include_private=true", None)
    assert {e["user_id"] for e in full} == active
    assert all(e["private"] == by_id[e["user_id"]].private for e in full)
    pid = {e["user_id"]: e["participant_id"] for e in full}
    ordered = sorted(pid.values())

    for q in s.queries:
        viewer = viewers[q.viewer]
        allowed = q.viewer in privileged
        params = "include_private=" + ("true" if q.include_private else "false")
        if q.name_filter is not None:
            params += "&username_filter=" + quote(q.name_filter)
        excluded = {stage.named[i].user_id for i in q.exclude}
        if excluded:
            params += "&exclude_users=" + "|".join(map(str, sorted(excluded)))
        after = None
        if q.start is not None and ordered:
            after = ordered[min(q.start[0], len(ordered) - 1)] + q.start[1]
        if q.as_of:
            params += "&as_of=" + NOW
        if not allowed and (q.include_private or q.as_of):
            resp = viewer.client.get(f"{BASE}/{event}/participants?{params}")
            refusal = CANNOT_SEE_PRIVATE if q.include_private else HISTORY_DENIED
            assert (resp.status_code, resp.get_json()) == (403, refusal)
            continue
        got = walk(viewer.client, event, params, after)
        shown = [e["user_id"] for e in got]
        if not (q.include_private and allowed):
            assert not any(e["private"] for e in got)
            assert not private & set(shown), f"private participants shown to {q.viewer}"
        if q.viewer not in ("organizer", "coorganizer"):
            assert not any("non_pii_answers" in e or "user_is_valid_recipient" in e for e in got)
        pool = active if q.include_private else public
        expected = [
            u
            for u in sorted(pool, key=pid.__getitem__)
            if u not in excluded
            and (after is None or pid[u] > after)
            and (q.name_filter is None or q.name_filter.lower() in by_id[u].user.name.lower())
        ]
        assert shown == expected

    # probes aimed at each private participant: by name, from the page just before them, with
    # someone else excluded
    reader = viewers[s.listing_viewer].client
    for u in sorted(private):
        name = by_id[u].user.name
        for probe in (
            "&username_filter=" + quote(name.lower()),
            f"&last_participant_id={pid[u] - 1}",
            "&exclude_users=" + str(stage.organizer.user_id),
        ):
            page = ok(reader.get(f"{BASE}/{event}/participants?include_private=false{probe}"))
            assert u not in [e["user_id"] for e in page], f"{name} shown to {s.listing_viewer} by {probe}"

    # the audit history names private participants: organizers and sysops only
    resp = reader.get(f"{BASE}/{event}/history")
    assert (resp.status_code, resp.get_json()) == (403, HISTORY_DENIED)

    # both listings, as someone who may not see private participants
    for m in members:
        listed = ok(reader.get(f"{V0}/participant/{m.user.user_id}/event_registrations"))
        ids = [e["event_id"] for e in listed]
        if not (m.active and not m.private):
            assert event not in ids, f"{m.plan} registration listed"
        elif len(listed) < 50:
            assert event in ids
    for m in members[: len(NAMES)]:
        listed = ok(reader.get(f"{V0}/organizer/{m.user.user_id}/event_registrations"))
        assert event not in [e["event_id"] for e in listed]
