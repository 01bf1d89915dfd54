"""Wild Apricot's ``GET …/Events?$filter=…`` beside v0's listing route, in the same run.

One command, no set-up::

    .venv/bin/python bench/bench_wildapricot.py [--events 10000] [--requests 200]
                                               [--database-url URL] [--profile]

Set-up (not measured): an organizer with ``--events`` events spread over two years, every tenth
tagged ``club`` (``Tags in``), made through the domain's commands; a second organizer with 20
events (a page's worth). The projector follows the log in this process; the run starts when every
read model has caught up. Then, alternating in rounds of 20 so all see the same machine:

1. ``GET /v2/accounts/1/Events?$filter=…&$top=20`` (bearer token from ``POST /auth/token``) for three
   filters: one event (``Name eq``), a tenth (``Tags in [club]``), every event
   (``StartDate gt 2030-01-01``); the last also at ``$skip=9980`` (the final page);
2. ``GET /campaignevents/v0/organizer/{id}/event_registrations`` for the second organizer: v0's only
   list of events (no pages, no filter), so its 20 events are what a Wild Apricot page shows.

Requests go through the WSGI app in this process (Flask's test client), so the figures compare the
routes' own work. Each answer is checked (status, count of events). Prints requests/s, p50/p95, the
ratios WA / v0 (target >= 0.5) and $skip=9980 / $skip=0 (flat: within 2x), and peak RSS.
``--profile``: cProfile's top 20 (cumulative) over 100 requests of the every-event filter. Exits 1 on
a failed check.
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

if __package__ in (None, ""):  # run as ``python bench/bench_wildapricot.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.app import create_app
from api.bootstrap import build_services, init_store
from api.config import Settings
from api.wildapricot import index
from bench.common import measure, summary
from bench.faults_common import event_details
from domain import commands
from domain.content import ContentInput
from domain.handlers import content as content_handlers
from domain.handlers import registrations as registration_handlers
from projections import content

ROUND = 20
PAGE = 20
FIRST = datetime(2031, 1, 5, 18, 0, tzinfo=UTC)


def build(settings: Settings, events: int) -> tuple[Any, Any, str, int]:
    init_store(settings)
    services = build_services(settings)
    app = services.app
    org = app.create_user(commands.CreateUser("Bench WA organizer", None, ("event-organizer",), "pw-1"))
    small = app.create_user(commands.CreateUser("Bench WA small", None, ("event-organizer",), "pw-2"))
    started = time.perf_counter()
    for n in range(events):
        start = FIRST + timedelta(hours=17 * n % (2 * 365 * 24))
        written = registration_handlers.enable_registration(
            app,
            commands.EnableRegistration(org.user_id, event_details(f"Event:Bench wa {n}", start, hours=2)),
        )
        if n % 10 == 0:
            given = ContentInput(tags=["club"])
            content_handlers.set_content(app, commands.SetContent(org.user_id, written.event_id or 0, given))
        if n % 1000 == 999:
            print(f"set-up: {n + 1} events in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    for n in range(PAGE):
        details = event_details(f"Event:Bench v0 {n}", FIRST + timedelta(days=n), hours=2)
        registration_handlers.enable_registration(app, commands.EnableRegistration(small.user_id, details))
    flask_app = create_app(services=services, run_projector=True)
    caught = time.perf_counter()
    end, deadline = app.recorder.max_notification_id() or 0, time.monotonic() + 1800
    while time.monotonic() < deadline and not services.store.wait_for_all(end, (index.NAME, content.NAME)):
        time.sleep(0.5)
    print(
        f"set-up: {events} events in {caught - started:.0f}s, "
        f"read models caught up in {time.perf_counter() - caught:.0f}s",
        file=sys.stderr,
    )
    return services, flask_app, org.token, small.user_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
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
        services, flask_app, api_key, small = build(settings, args.events)
        client = flask_app.test_client()
        basic = {"Authorization": "Basic " + base64.b64encode(f"APIKEY:{api_key}".encode()).decode()}
        granted = client.post("/auth/token", data={"grant_type": "client_credentials"}, headers=basic)
        bearer = {"Authorization": "Bearer " + granted.get_json()["access_token"]}
        failures: list[str] = []
        last_skip = max(0, args.events - PAGE)
        filters = {
            "one": (f"Name eq 'Bench wa {args.events // 2}'", 1),
            "tenth": ("Tags in [club]", PAGE),
            "all": ("StartDate gt 2030-01-01", PAGE),
        }

        def wa(which: str, skip: int = 0) -> Callable[[], None]:
            text, expected = filters[which]
            query = {"$filter": text, "$top": str(PAGE), "$skip": str(skip)}

            def call() -> None:
                resp = client.get("/v2/accounts/1/Events", query_string=query, headers=bearer)
                found = resp.get_json().get("Events", []) if resp.status_code == 200 else []
                if len(found) != expected:
                    failures.append(f"{which} skip {skip}: {resp.status_code}, {len(found)}")

            return call

        def v0() -> None:
            resp = client.get(f"/campaignevents/v0/organizer/{small}/event_registrations")
            if resp.status_code != 200 or len(resp.get_json()) != PAGE:
                failures.append(f"v0 listing: {resp.status_code}")

        phases: dict[str, Callable[[], None]] = {
            "one": wa("one"),
            "tenth": wa("tenth"),
            "all": wa("all"),
            "all-last": wa("all", last_skip),
            "v0": v0,
        }
        times: dict[str, list[float]] = {name: [] for name in phases}
        for call in phases.values():
            measure(call, 3, [])  # warm-up
        for _ in range(max(1, args.requests // ROUND)):
            for name, call in phases.items():
                measure(call, ROUND, times[name])
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            measure(phases["all"], 100, [])
            profile.disable()
        services.close()
        print(f"{args.events} events, {url.split(':')[0]}, page of {PAGE}")
        rates = {
            "one": summary(f"GET …/Events?$filter={filters['one'][0]} (1)", times["one"], 62),
            "tenth": summary(f"GET …/Events?$filter={filters['tenth'][0]} ($skip=0)", times["tenth"], 62),
            "all": summary(f"GET …/Events?$filter={filters['all'][0]} ($skip=0)", times["all"], 62),
            "all-last": summary(f"GET …/Events?$filter=… ($skip={last_skip})", times["all-last"], 62),
            "v0": summary("GET /campaignevents/v0/organizer/{id}/event_registrations", times["v0"], 62),
        }
        ratios = ", ".join(f"{k} {rates[k] / rates['v0']:.2f}" for k in ("one", "tenth", "all", "all-last"))
        print(f"ratio WA / v0: {ratios}; target >= 0.5")
        print(f"$skip={last_skip} / $skip=0: {rates['all'] / rates['all-last']:.2f}x slower; target <= 2")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        if args.profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(20)
        if failures:
            print(f"{len(failures)} failed checks, first: {failures[0]}", file=sys.stderr)
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
