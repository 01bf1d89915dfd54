"""Invision's event list beside v0's listing route, in the same run.

One command, no set-up::

    .venv/bin/python bench/bench_invision.py [--events 10000] [--recurring 1000] [--requests 200]
                                             [--database-url URL] [--profile]

Set-up (not measured): an organizer with ``--events`` events spread over two years (every tenth of
them, ``--recurring`` in all, repeating weekly for a year: a one-session schedule with
``FREQ=WEEKLY;COUNT=52``), made through the domain's commands; a second organizer with 25 events
(a page's worth). The projector follows the log in this process; the run starts when every read
model has caught up. Then, alternating in rounds of 20 so both see the same machine:

1. ``GET /api/calendar/events?calendars=1&rangeStart=…&rangeEnd=…&perPage=25`` (the key as Basic
   user name) at page 1 and at page 400 (the range holds every event: 400 pages of 25); both
   again with the list's kept totals and ids emptied before each request (``api/kept.py``: as the
   first request after a write that changes the list reads them); and both again with a
   registration written before each request (a member registers for one of the second organizer's
   events, or cancels, in turn, through the domain's commands; not timed, the read models caught up
   before the request as every write route waits: the realistic case, requests among writes);
2. ``GET /campaignevents/v0/organizer/{id}/event_registrations`` for the second organizer (v0's
   listing has no pages: its 25 events are what Invision's page shows).

Requests go through the WSGI app in this process (Flask's test client), so the figures compare the
routes' own work. Each answer is checked (status, 25 results, the total). Prints requests/s, p50/p95,
the ratios Invision / v0 (target >= 0.3) of each and page 400 / page 1 (flat: close to 1), and the process's
peak RSS. ``--profile``: cProfile's top 20 (cumulative) over 100 page-1 requests. Exits 1 on a
failed check.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/bench_invision.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.app import create_app
from api.bootstrap import build_services, init_store
from api.config import Settings
from api.invision import index, reads
from bench.common import measure, summary
from bench.faults_common import event_details, settled
from domain import commands, scheduling
from domain.handlers import registrations as registration_handlers
from domain.handlers import scheduling as schedule_handlers
from domain.schedule import Schedule, Session
from projections import content

ROUND = 20
FIRST = datetime(2031, 1, 5, 18, 0, tzinfo=UTC)


def build(settings: Settings, events: int, recurring: int) -> tuple[Any, Any, str, int, int]:
    init_store(settings)
    services = build_services(settings)
    app = services.app
    org = app.create_user(commands.CreateUser("Bench Invision organizer", None, ("event-organizer",), "pw-1"))
    small = app.create_user(commands.CreateUser("Bench Invision small", None, ("event-organizer",), "pw-2"))
    every = max(1, events // max(1, recurring)) if recurring else 0
    started, made_recurring = time.perf_counter(), 0
    for n in range(events):
        start = FIRST + timedelta(hours=17 * n % (2 * 365 * 24))
        written = registration_handlers.enable_registration(
            app,
            commands.EnableRegistration(org.user_id, event_details(f"Event:Bench inv {n}", start, hours=2)),
        )
        if every and n % every == 0 and made_recurring < recurring:
            session = Session(
                "1", start.replace(tzinfo=None), (start + timedelta(hours=2)).replace(tzinfo=None)
            )
            cmd = scheduling.SetSchedule(
                org.user_id, written.event_id or 0, Schedule((session,), "FREQ=WEEKLY;COUNT=52")
            )
            schedule_handlers.set_schedule(app, cmd)
            made_recurring += 1
        if n % 1000 == 999:
            print(f"set-up: {n + 1} events in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    smalls = []
    for n in range(25):
        made = registration_handlers.enable_registration(
            app,
            commands.EnableRegistration(
                small.user_id, event_details(f"Event:Bench v0 {n}", FIRST + timedelta(days=n), hours=2)
            ),
        )
        smalls.append(made.event_id or 0)
    flask_app = create_app(services=services, run_projector=True)
    caught = time.perf_counter()
    end, deadline = app.recorder.max_notification_id() or 0, time.monotonic() + 1800
    while time.monotonic() < deadline and not services.store.wait_for_all(end, (index.NAME, content.NAME)):
        time.sleep(0.5)
    print(
        f"set-up: {events} events ({made_recurring} weekly) in {caught - started:.0f}s, "
        f"read models caught up in {time.perf_counter() - caught:.0f}s",
        file=sys.stderr,
    )
    return services, flask_app, org.token, small.user_id, smalls[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--recurring", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--database-url", default=None, help="default: a SQLite file in a temporary directory"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        settings = replace(
            Settings.from_env({"CAMPAIGNEVENTS_DATA_DIR": tmp}), database_url=url, secret_key="bench"
        )
        services, flask_app, token, small, joined = build(settings, args.events, args.recurring)
        member = services.app.create_user(commands.CreateUser("Bench Invision member", None, (), "pw-3"))
        client = flask_app.test_client()
        basic = {"Authorization": "Basic " + base64.b64encode(f"{token}:".encode()).decode()}
        last_page = max(1, args.events // 25)
        failures: list[str] = []

        kept = getattr(reads, "_KEPT", {})  # the list's kept totals and ids (none before f307e6e)

        registered = [False]

        def write() -> None:
            """A registration or its cancelling, with the read models caught up (untimed)."""
            if registered[0]:
                done = services.app.cancel_registration(commands.CancelRegistration(member.user_id, joined))
            else:
                done = services.app.register_participant(
                    commands.RegisterParticipant(member.user_id, joined, private=False)
                )
            registered[0] = not registered[0]
            settled(services, done.position)

        def invision(number: int, fresh: bool = False) -> Callable[[], None]:
            query = {
                "calendars": "1",
                "rangeStart": "2031-01-01",
                "rangeEnd": "2033-12-31",
                "perPage": "25",
                "page": str(number),
            }

            def call() -> None:
                if fresh:
                    kept.clear()
                resp = client.get("/api/calendar/events", query_string=query, headers=basic)
                body = resp.get_json() if resp.status_code == 200 else {}
                if len(body.get("results", [])) != 25 or body.get("totalResults") != args.events + 25:
                    failures.append(f"page {number}: {resp.status_code}, {body.get('totalResults')}")

            return call

        def v0() -> None:
            resp = client.get(f"/campaignevents/v0/organizer/{small}/event_registrations")
            if resp.status_code != 200 or len(resp.get_json()) != 25:
                failures.append(f"v0 listing: {resp.status_code}")

        first: list[float] = []
        last: list[float] = []
        fresh_first: list[float] = []
        fresh_last: list[float] = []
        among_first: list[float] = []
        among_last: list[float] = []
        listing: list[float] = []
        measure(invision(1), 3, [])  # warm-up
        measure(invision(last_page), 3, [])
        measure(v0, 3, [])
        for _ in range(max(1, args.requests // ROUND)):
            measure(invision(1), ROUND, first)
            measure(invision(last_page), ROUND, last)
            measure(invision(1, fresh=True), ROUND, fresh_first)
            measure(invision(last_page, fresh=True), ROUND, fresh_last)
            measure(invision(1), ROUND, among_first, before=write)
            measure(invision(last_page), ROUND, among_last, before=write)
            measure(v0, ROUND, listing)
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            measure(invision(1), 100, [])
            profile.disable()
        services.close()
        print(f"{args.events} events ({args.recurring} weekly), {url.split(':')[0]}")
        rate_first = summary("GET /api/calendar/events (page 1 of 25)", first)
        rate_last = summary(f"GET /api/calendar/events (page {last_page} of 25)", last)
        rate_fresh = summary("  the same, total and ids read afresh", fresh_first)
        rate_fresh_last = summary(f"  page {last_page}, total and ids read afresh", fresh_last)
        rate_among = summary("  page 1, a registration written before each", among_first)
        rate_among_last = summary(f"  page {last_page}, a registration written before each", among_last)
        rate_v0 = summary("GET /campaignevents/v0/organizer/{id}/event_registrations (25)", listing)
        print(
            f"ratio Invision / v0: {rate_first / rate_v0:.2f} (page 1), {rate_last / rate_v0:.2f} "
            f"(page {last_page}); target >= 0.3; page {last_page} / page 1: {rate_last / rate_first:.2f}"
        )
        print(
            f"read afresh (the first request after a write): {rate_fresh / rate_v0:.2f} (page 1), "
            f"{rate_fresh_last / rate_v0:.2f} (page {last_page})"
        )
        print(
            f"among writes (a registration before each request): {rate_among / rate_v0:.2f} (page 1), "
            f"{rate_among_last / rate_v0:.2f} (page {last_page})"
        )
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        if args.profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(20)
        if failures:
            print(f"{len(failures)} failed checks, first: {failures[0]}", file=sys.stderr)
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
