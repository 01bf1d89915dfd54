"""Calendar feeds over real HTTP: an organizer's feed of 1,000 events, full GETs and conditional GETs
(``If-None-Match``), beside a bare Flask route in the same run.

One command, no set-up::

    .venv/bin/python bench/bench_feeds.py [--events 1000] [--clients 8] [--seconds 10] [--database-url URL]

It makes a temporary data dir (SQLite, or a fresh schema of the PostgreSQL database given with
``--database-url``), creates an organizer and ``--events`` events in-process (not measured) and lets
the read models catch up, then starts the API and a bare Flask app under the project's gunicorn
config on free 127.0.0.1 ports. Phases (a warm-up, then ``--seconds`` each, every client a keep-alive
session):

1. bare  GET /ok on the bare Flask app, expects 200
2. feed  GET /campaignevents/v0/organizer/{id}/calendar.ics, anonymous, expects 200 and every VEVENT
3. 304   the same with ``If-None-Match: <its ETag>``, expects 304

It prints requests/s, p50/p99 latency and the server's CPU per phase, and the ratios to the bare
route (targets: feed >= 0.3, 304 >= 0.8). It exits 1 if any request failed. Every process it starts
is stopped and every file, directory and schema it creates is removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from pathlib import Path

import requests

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.bootstrap import build_services, init_store
from api.config import Settings
from bench.common import (
    API_TARGET,
    BARE_TARGET,
    Phase,
    Request,
    add_database_argument,
    check_local_url,
    database,
    drive,
    gunicorn,
    new_session,
    print_machine_busy,
    progress,
    revision,
    run_main,
    service_env,
)
from domain import commands
from domain.details import DetailsInput
from domain.validation import parse_title

TARGETS = {"feed": 0.3, "304": 0.8}  # each phase's requests/s against the bare route's


def build_world(settings: Settings, events: int) -> int:
    """The organizer (its user id) and its events, every read model caught up."""
    init_store(settings)
    services = build_services(settings)
    try:
        app = services.app
        boss = app.create_user(commands.CreateUser("Boss", None, ("event-organizer",)))
        for n in range(events):
            title = parse_title(f"Event:Feed {n:05d}")
            assert title is not None
            day = 1 + n % 28
            given = DetailsInput(
                page=title,
                timezone="Europe/Rome",
                start=f"2030{1 + n % 12:02d}{day:02d}100000",
                end=f"2030{1 + n % 12:02d}{day:02d}180000",
                wikis=[],
                online=True,
                meeting_url="https://meet.example.org/feed",
            )
            app.enable_registration(commands.EnableRegistration(boss.user_id, given))
        services.projector.catch_up()
        return boss.user_id
    finally:
        services.close()


def full_request(url: str, events: int) -> Request:
    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, timeout=30)
        if resp.status_code != 200:
            return f"{resp.status_code} {resp.text[:120]}"
        found = resp.content.count(b"BEGIN:VEVENT")
        return None if found == events else f"{found} VEVENTs, expected {events}"

    return request


def conditional_request(url: str, tag: str) -> Request:
    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, headers={"If-None-Match": tag}, timeout=30)
        return None if resp.status_code == 304 else f"{resp.status_code} {resp.text[:120]}"

    return request


def bare_request(url: str) -> Request:
    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, timeout=30)
        return None if resp.status_code == 200 else f"{resp.status_code} {resp.text[:120]}"

    return request


def report(phases: list[Phase]) -> int:
    errors = 0
    for p in phases:
        server = f"{100 * p.server_cpu / p.elapsed:5.0f}%" if p.server_cpu is not None else "    ?"
        print(
            f"{p.name:<5} {p.rate:9.1f} req/s  p50 {p.percentile_ms(50):7.2f} ms"
            f"  p99 {p.percentile_ms(99):7.2f} ms"
            f"  server CPU {server}  client CPU {100 * p.client_cpu / p.elapsed:4.0f}%  errors {p.errors}"
        )
        errors += p.errors
        for sample in p.error_samples:
            print(f"  {p.name}: {sample}")
    print(f"(CPU in % of one core, over the measured time; this machine has {os.cpu_count()} cores)")
    rates = {p.name: p.rate for p in phases}
    if rates.get("bare"):
        for name, target in TARGETS.items():
            ratio = rates[name] / rates["bare"]
            verdict = "meets" if ratio >= target else "below"
            print(f"{name}/bare = {ratio:.3f} ({verdict} the >= {target} target)")
    return errors


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        settings = Settings.from_env(env)
        progress(f"set-up: an organizer and {args.events} events, in-process")
        organizer = build_world(settings, args.events)
        path = f"/campaignevents/v0/organizer/{organizer}/calendar.ics"
        api = stack.enter_context(gunicorn("api", API_TARGET, env, workdir, path))
        bare = stack.enter_context(gunicorn("bare", BARE_TARGET, env, workdir, "/ok"))
        print(f"service: {revision()}; backend: {label}; api {api.base}, bare {bare.base}")
        print(f"clients: {args.clients} threads, {args.seconds:g} s per phase (+{args.warmup:g} s warm-up)")
        print_machine_busy()
        with new_session() as session:
            first = session.get(api.base + path, timeout=60)
        if first.status_code != 200:
            raise RuntimeError(f"the feed answered {first.status_code}: {first.text[:200]}")
        print(f"feed: {args.events} events, {len(first.content)} bytes, ETag {first.headers['ETag']}")
        plan = [
            ("bare", bare_request(bare.base + "/ok"), (bare.process.pid,)),
            ("feed", full_request(api.base + path, args.events), (api.process.pid,)),
            ("304", conditional_request(api.base + path, first.headers["ETag"]), (api.process.pid,)),
        ]
        phases = []
        for name, request, pids in plan:
            if args.warmup > 0:
                drive(name, request, clients=args.clients, seconds=args.warmup, stop=stop, server_pids=pids)
            phases.append(
                drive(name, request, clients=args.clients, seconds=args.seconds, stop=stop, server_pids=pids)
            )
        errors = report(phases)
        if errors:
            print(f"api server output other than its access log (last lines):\n{api.log_tail()}")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    add_database_argument(parser)
    args = parser.parse_args()
    check_local_url(parser, "--database-url", args.database_url)
    return run_main(lambda workdir, stop: run(args, workdir, stop))


if __name__ == "__main__":
    sys.exit(main())
