"""DatePoll's one-event route beside v0's GET details, in the same run.

One command, no set-up::

    .venv/bin/python bench/bench_datepoll.py [--voters 1000] [--groups 20] [--subgroups 5]
                                             [--requests 200] [--database-url URL]
                                             [--profile [warm|cold]]

Set-up (not measured): an administration account (event-organizer), ``--voters`` accounts with
first and last names (``bulk_users``: many per save), ``--groups`` groups of ``--subgroups``
subgroups each, every voter a member of one group and one of its subgroups, one event made through
DatePoll's create route for the members of every group, and every voter's vote (cast for them by
the administration, in chunks). Then, alternating in rounds of 20 so both see the same machine:

1. ``GET /api/v1/avent/{id}`` as the administration (names shown: the heavier, non-anonymous form)
   and as a member without ``events.details`` (the anonymous form);
   and once more with the results' cache and the kept people parts emptied before each request
   (``cold``: every request reads and serialises the 1,000 voters with their names and groups);
2. ``GET /api/v1/avent/{id}`` as the administration with a write between requests (untimed, and
   applied by the projector before the next request, as read-your-writes makes it): ``unrelated``
   — a voter registers for another event made through v0 (the results are not made of it: the
   kept text must be served); ``votes`` — a voter's vote on this event changes (every request after
   one must read the results afresh);
3. ``GET /campaignevents/v0/event_registration/{id}`` with the administration's bearer token.

Requests go through the WSGI app in this process (Flask's test client: no sockets, no gunicorn), so
the figures compare the two routes' own work. Each answer is checked (status, the number of users
in ``allUsers``, every vote counted) after its time is taken: parsing 1,000 voters' JSON is the
client's work, not the route's. Prints requests/s and p50/p95 of each and the ratio DatePoll / v0
(target >= 0.3), and how many requests of each kind read the results afresh (their kept text
replaced). ``--profile``: cProfile's top 20 (cumulative) over 100 administration requests (not
their checks), ``--profile cold`` with the kept results emptied before each. Exits 1 on a failed
check. The SQLite file (or PostgreSQL schema) is removed.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/bench_datepoll.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.app import create_app
from api.bootstrap import build_services, init_store
from api.config import Settings
from api.datepoll import results
from api.kept import Kept
from bench.common import measure, summary
from bench.faults_common import bulk_users, event_details, settled
from domain import commands, poll_commands
from domain.ports import FakeClock

ROUND = 20


@dataclass
class World:
    services: Any
    flask_app: Any
    event_id: int
    admin_id: int
    admin: str
    member: str
    voters: list[int]
    decisions: list[int]
    other_event: int


def build(settings: Settings, voters: int, groups: int, subgroups: int) -> World:
    init_store(settings)
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1))
    services = build_services(settings, clock=clock)
    app = services.app
    admin = app.create_user(
        commands.CreateUser("Bench DatePoll admin", None, ("event-organizer",), "pw-bench-1")
    )
    member = app.create_user(commands.CreateUser("Bench DatePoll member", None, (), "pw-bench-2"))
    users = bulk_users(app, [f"Bench voter {n}" for n in range(voters)], at=clock.now())
    group_ids, subgroup_ids = [], []
    for g in range(groups):
        group_ids.append(app.create_group(poll_commands.CreateGroup(f"Group {g:02d}", order=g)).id)
        subgroup_ids.append(
            [
                app.create_subgroup(poll_commands.CreateSubgroup(group_ids[-1], f"Sub {g:02d}.{s}")).id
                for s in range(subgroups)
            ]
        )
    started = time.perf_counter()
    for n, user in enumerate(users):
        g = n % groups
        app.set_person_name(poll_commands.SetPersonName(user.user_name, f"First{n}", f"Last{n:04d}"))
        app.change_membership(poll_commands.ChangeMembership(user.user_id, group_ids[g]))
        app.change_membership(
            poll_commands.ChangeMembership(user.user_id, None, subgroup_ids[g][n // groups % subgroups])
        )
    print(
        f"set-up: {voters} voters named and placed in {time.perf_counter() - started:.1f}s", file=sys.stderr
    )
    flask_app = create_app(services=services, run_projector=True)
    client = flask_app.test_client()
    q = {"token": admin.token}
    body = {
        "name": "Bench DatePoll",
        "forEveryone": False,
        "description": "",
        "decisions": [
            {"decision": d, "show_in_calendar": True, "color": c}
            for d, c in (("Ja", "#008b02"), ("Nein", "#b80000"), ("Vielleicht", "#fccb00"))
        ],
        "dates": [{"date": "2031-01-30 15:00:00", "location": "Saal", "x": 48.1, "y": 16.2}],
    }
    event = client.post("/api/v1/avent/administration/avent", json=body, query_string=q).get_json()["event"]
    eid, decisions = event["id"], [d["id"] for d in event["decisions"]]
    for group_id in group_ids:
        client.post(
            "/api/v1/avent/administration/addGroupToEvent",
            json={"event_id": eid, "group_id": group_id},
            query_string=q,
        )
    for d, decision in enumerate(decisions):
        chosen = [u.user_id for n, u in enumerate(users) if n % len(decisions) == d]
        for first in range(0, len(chosen), 100):
            resp = client.post(
                f"/api/v1/avent/administration/avent/{eid}/voteForUsers",
                json={"decision_id": decision, "user_ids": chosen[first : first + 100]},
                query_string=q,
            )
            assert resp.status_code == 200, resp.get_json()
    details = event_details("Event:Bench DatePoll other event", clock.now() + timedelta(days=30))
    other = app.enable_registration(commands.EnableRegistration(admin.user_id, details)).event_id
    services.written(app.recorder.max_notification_id() or 0)
    print(f"set-up: event {eid} with {voters} votes ready", file=sys.stderr)
    ids = [u.user_id for u in users]
    return World(services, flask_app, eid, admin.user_id, admin.token, member.token, ids, decisions, other)


Check = Callable[[], None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--subgroups", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", nargs="?", const="warm", choices=("warm", "cold"), default=None)
    parser.add_argument(
        "--database-url", default=None, help="default: a SQLite file in a temporary directory"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        settings = replace(
            Settings.from_env({"CAMPAIGNEVENTS_DATA_DIR": tmp}), database_url=url, secret_key="bench"
        )
        world = build(settings, args.voters, args.groups, args.subgroups)
        services, flask_app, eid, admin, member = (
            world.services,
            world.flask_app,
            world.event_id,
            world.admin,
            world.member,
        )
        client = flask_app.test_client()
        kept = flask_app.extensions.setdefault(results.EXTENSION, Kept(results.MAX_ENTRIES))
        failures: list[str] = []

        fresh: dict[str, int] = {}  # kind -> requests that read the results afresh
        forget = getattr(services.polls, "forget", lambda: None)  # the kept people parts too

        def datepoll(token: str, anonymous: bool, cold: bool = False, kind: str = "") -> Callable[[], Check]:
            key = ("results", eid, anonymous)

            def call() -> Check:
                if cold:
                    kept.clear()
                    forget()
                before = kept.entries.get(key)
                resp = client.get(f"/api/v1/avent/{eid}", query_string={"token": token})

                def checked() -> None:
                    check(resp, anonymous)
                    fresh[kind] = fresh.get(kind, 0) + (kept.entries.get(key) is not before)

                return checked

            return call

        def check(resp: Any, anonymous: bool) -> None:
            result = resp.get_json()["event"]["resultGroups"] if resp.status_code == 200 else {}
            users = result.get("allUsers", [])
            voted = sum(1 for u in users if u["decisionId"] is not None)
            if len(users) != args.voters or voted != args.voters or result.get("anonymous") is not anonymous:
                failures.append(f"GET avent/{eid}: {resp.status_code}, {len(users)} users, {voted} votes")

        def v0() -> Check:
            resp = client.get(f"/campaignevents/v0/event_registration/{eid}", headers=bearer)

            def check_v0() -> None:
                if resp.status_code != 200 or resp.get_json()["id"] != eid:
                    failures.append(f"GET v0 details: {resp.status_code}")

            return check_v0

        bearer = {"Authorization": f"Bearer {admin}"}  # both routes authenticated, as the same account
        app = services.app
        registered = iter(world.voters)
        recast = iter(range(10**9))

        def unrelated_write() -> None:  # (untimed, like the vote below)
            """A voter registers for the other (v0) event: no fact the results are made of."""
            cmd = commands.RegisterParticipant(next(registered), world.other_event, False)
            settled(services, app.register_participant(cmd).position)

        def vote_write() -> None:
            """A voter's vote on this event moves to the next decision (still every voter voted)."""
            n = next(recast)
            user = world.voters[n * 7 % len(world.voters)]
            decision = world.decisions[(n + 1) % len(world.decisions)]
            cmd = poll_commands.CastVotesFor(world.admin_id, eid, (user,), decision)
            settled(services, app.cast_votes_for(cmd).position)

        unrelated: list[float] = []
        voted: list[float] = []
        named: list[float] = []
        anonymous: list[float] = []
        cold: list[float] = []
        details: list[float] = []
        measure(datepoll(admin, False), 3, [])  # warm-up
        measure(v0, 3, [])
        for _ in range(max(1, args.requests // ROUND)):
            measure(datepoll(admin, False, kind="administration"), ROUND, named)
            measure(datepoll(member, True, kind="anonymous"), ROUND, anonymous)
            measure(datepoll(admin, False, cold=True, kind="cold"), ROUND, cold)
            measure(datepoll(admin, False, kind="unrelated"), ROUND, unrelated, before=unrelated_write)
            measure(datepoll(admin, False, kind="vote"), ROUND, voted, before=vote_write)
            measure(v0, ROUND, details)
        profile = cProfile.Profile()
        if args.profile:
            run = datepoll(admin, False, cold=args.profile == "cold")
            profile.enable()
            checks = [run() for _ in range(100)]  # the requests only: their checks after
            profile.disable()
            for check_one in checks:
                check_one()
        services.close()
        print(
            f"event with {args.voters} voters in {args.groups} groups of {args.subgroups} subgroups, "
            f"{url.split(':')[0]}"
        )
        rate_named = summary("GET /api/v1/avent/{id} (administration)", named, 48)
        rate_anonymous = summary("GET /api/v1/avent/{id} (anonymous)", anonymous, 48)
        rate_cold = summary("GET /api/v1/avent/{id} (administration, cold)", cold, 48)
        rate_unrelated = summary("GET /api/v1/avent/{id} (unrelated write between)", unrelated, 48)
        rate_voted = summary("GET /api/v1/avent/{id} (vote on it between)", voted, 48)
        rate_v0 = summary("GET /campaignevents/v0/event_registration/{id}", details, 48)
        print(
            f"ratio DatePoll / v0: {rate_named / rate_v0:.2f} (administration), "
            f"{rate_anonymous / rate_v0:.2f} (anonymous), {rate_cold / rate_v0:.2f} (cold), "
            f"{rate_unrelated / rate_v0:.2f} (unrelated write between), "
            f"{rate_voted / rate_v0:.2f} (vote between); target >= 0.3"
        )
        print(
            "results read afresh (of the requests measured): "
            + ", ".join(f"{kind} {n}/{args.requests // ROUND * ROUND}" for kind, n in fresh.items() if kind)
        )
        if args.profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(20)
        if failures:
            print(f"{len(failures)} failed checks, first: {failures[0]}", file=sys.stderr)
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
