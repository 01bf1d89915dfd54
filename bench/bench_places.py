"""Places under contention: N clients register at the same moment for an event with P places,
beside the same burst on an unlimited event, in the same run.

One command, no set-up::

    .venv/bin/python bench/bench_places.py [--clients 200] [--places 10] [--database-url URL]

It makes a temporary data dir (SQLite, or a fresh schema of the PostgreSQL database given with
``--database-url``), creates the users and two events in-process (not measured) — one unlimited,
one with ``--places`` places and its waitlist on — then starts the Procfile's ``projector`` and the
API under the project's gunicorn config on a free 127.0.0.1 port. Each phase releases all clients
at once (a barrier) with ``PUT …/participants/self``; every request answers once its outcome is
known (read-your-writes on the catalog and the places read model). It prints registrations/s and
p50/p99/max latency per phase, the limited event's rate as a share of the unlimited one's (target:
at least 0.5), and checks the outcome: exactly ``--places`` confirmed and the rest waitlisted.

It exits 1 if any request or check failed. Every process it starts is stopped and every file,
directory and schema it creates is removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.bootstrap import build_services, init_store
from api.config import Settings
from bench.common import (
    API_TARGET,
    PREFIX,
    add_database_argument,
    check_local_url,
    database,
    gunicorn,
    new_session,
    percentile,
    print_machine_busy,
    progress,
    projector,
    revision,
    run_main,
    service_env,
)
from domain import commands
from domain.details import DetailsInput
from domain.validation import parse_title


@dataclass
class World:
    organizer: int
    unlimited: int
    limited: int
    tokens: list[str] = field(default_factory=list)


@dataclass
class Burst:
    name: str
    seconds: float  # first request sent to last answer received
    latencies: list[float]
    errors: list[str]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0


def build_world(settings: Settings, clients: int, places: int) -> World:
    init_store(settings)
    services = build_services(settings)
    try:
        app = services.app
        boss = app.create_user(commands.CreateUser("Boss", None, ("event-organizer",)))
        events = []
        for page in ("Event:Unlimited", "Event:Limited"):
            title = parse_title(page)
            assert title is not None
            given = DetailsInput(
                page=title,
                timezone="UTC",
                start="20300101100000",
                end="20300101180000",
                wikis=[],
                online=True,
            )
            events.append(app.enable_registration(commands.EnableRegistration(boss.user_id, given)).event_id)
        app.set_places(commands.SetPlaces(boss.user_id, events[1], places, True, False))
        tokens = [app.create_user(commands.CreateUser(f"Client{n:04d}")).token for n in range(clients)]
        services.projector.catch_up()
        return World(boss.user_id, events[0], events[1], tokens)
    finally:
        services.close()


def burst(name: str, base: str, event_id: int, tokens: list[str]) -> Burst:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens) + 1)

    def client(token: str) -> None:
        session = new_session()
        headers = {"Authorization": f"Bearer {token}"}
        barrier.wait()
        started = time.perf_counter()
        try:
            resp = session.put(
                f"{base}{PREFIX}/{event_id}/participants/self",
                json={"is_private": False},
                headers=headers,
                timeout=60,
            )
            problem = None if resp.status_code == 200 else f"{resp.status_code} {resp.text[:120]}"
        except Exception as error:
            problem = repr(error)
        elapsed = time.perf_counter() - started
        with lock:
            if problem is None:
                latencies.append(elapsed)
            else:
                errors.append(problem)

    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(120)
    return Burst(name, time.perf_counter() - started, latencies, errors)


def report(b: Burst) -> None:
    ms = [x * 1000 for x in b.latencies]
    print(
        f"{b.name:<10} {len(b.latencies):>5} ok {len(b.errors):>3} errors  {b.rate:8.1f} registrations/s  "
        f"p50 {percentile(ms, 50):7.0f} ms  p99 {percentile(ms, 99):7.0f} ms  "
        f"max {max(ms, default=0):7.0f} ms"
    )


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    problems: list[str] = []
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        settings = Settings.from_env(env)
        progress(f"set-up: {2 * args.clients} users (a set per event) and two events, in-process")
        world = build_world(settings, 2 * args.clients, args.places)
        stack.enter_context(projector(env, workdir))
        api = stack.enter_context(gunicorn("api", API_TARGET, env, workdir, f"{PREFIX}/{world.limited}"))
        print(f"service: {revision()}; backend: {label}; api {api.base}; {args.clients} clients per burst")
        print_machine_busy()
        unlimited = burst("unlimited", api.base, world.unlimited, world.tokens[: args.clients])
        limited = burst(f"{args.places} places", api.base, world.limited, world.tokens[args.clients :])
        for b in (unlimited, limited):
            report(b)
            problems += [f"{b.name}: {e}" for e in b.errors[:5]]
        ratio = limited.rate / unlimited.rate if unlimited.rate else 0.0
        print(f"limited / unlimited registrations/s: {ratio:.2f} (target >= 0.5)")
        session = new_session()
        counts = session.get(f"{api.base}{PREFIX}/{world.limited}/counts", timeout=30).json()
        print(f"limited event counts: {counts}")
        confirmed = counts["participants"]["public"] + counts["participants"]["private"]
        if (confirmed, counts["waitlisted"]) != (args.places, args.clients - args.places):
            problems.append(f"expected {args.places} confirmed and {args.clients - args.places} waitlisted")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--places", type=int, default=10)
    add_database_argument(parser)
    args = parser.parse_args()
    check_local_url(parser, "--database-url", args.database_url)
    return run_main(lambda workdir, stop: run(args, workdir, stop))


if __name__ == "__main__":
    sys.exit(main())
