"""Participants over real HTTP: register/s into one event as it grows to 10,000, list pages at both
ends, then a replay of that log next to a raw read of it.

One command, no set-up::

    .venv/bin/python bench/bench_participants.py [--participants N] [--clients N] [--database-url URL]

It makes a temporary data dir (SQLite, or a fresh schema of the PostgreSQL database given with
``--database-url``), creates the users and one event in-process (``build_services(...).app``: the
set-up is not what is measured) and brings the read models up to date, then starts the Procfile's
``projector`` and the API under the project's gunicorn config on a free 127.0.0.1 port and measures:

1. register  PUT .../{id}/participants/self with each user's bearer token, ``--clients`` threads,
             until the event has ``--participants``; the rate per 1,000 and the latency of the first
             and the last 100 registrations (target: the last within 2x of the first)
2. list      GET .../{id}/participants?include_private=true as the organizer, the first page and
             the last page (``last_participant_id`` 20 before the end) for ``--list-seconds`` each
             (target: the last page within 2x of the first)
3. replay    with the servers stopped, ``campaignevents replay --quiet`` on that data, next to the
             raw baseline: reading and decoding the same notifications in-process (the recorder's
             ``select_notifications`` in batches + the mapper's ``to_domain_event``)

It exits 1 if any request or check failed. Every process it starts is stopped and every file,
directory and schema it creates is removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import re
import resource
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/bench_participants.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from sqlalchemy import func, select

from api.bootstrap import build_services, init_store
from api.config import Settings
from api.gunicorn_conf import DEFAULT_THREADS
from bench.common import (
    API_TARGET,
    GUNICORN_CONF,
    MAX_ERROR_SAMPLES,
    PREFIX,
    REQUEST_TIMEOUT,
    ROOT,
    CpuMonitor,
    Phase,
    Request,
    campaignevents,
    database,
    drive,
    gunicorn,
    join_all,
    new_session,
    parse,
    percentile,
    print_machine_busy,
    progress,
    projector,
    revision,
    script_main,
    script_parser,
    service_env,
    tree_cpu_seconds,
)
from domain import commands
from domain.details import DetailsInput
from domain.validation import parse_title
from projections.runner import Projector

PAGE = 20  # projections.views.PARTICIPANTS_PAGE
EDGE = 100  # how many registrations at each end are compared
BLOCK = 1000  # registrations per line of the rate table
REPLAYED = re.compile(r"replayed (\d+) events to position (\d+) in ([\d.]+)s \(([\d,]+) events/s\)")


# --- set-up (in-process, not measured) ----------------------------------------------------


@dataclass
class World:
    event_id: int
    organizer_token: str
    tokens: list[str]  # one bearer token per participant-to-be, in registration order


def event_details(page: str) -> DetailsInput:
    title = parse_title(page)
    assert title is not None
    start = (datetime.now(UTC) + timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    return DetailsInput(
        page=title,
        timezone="UTC",
        start=start.strftime("%Y%m%d%H%M%S"),
        end=(start + timedelta(hours=8)).strftime("%Y%m%d%H%M%S"),
        wikis=[],
        online=True,
    )


def build_world(settings: Settings, participants: int) -> World:
    """The organizer, one event and ``participants`` users (no e-mail address), then the read
    models brought up to the log's head, so the servers start on a caught-up store."""
    init_store(settings)
    services = build_services(settings)
    try:
        app = services.app
        organizer = app.create_user(commands.CreateUser("Bench Organizer", None, ("event-organizer",)))
        written = app.enable_registration(
            commands.EnableRegistration(organizer.user_id, event_details("Event:Bench participants"))
        )
        tokens: list[str] = []
        started = time.perf_counter()
        for n in range(participants):
            tokens.append(app.create_user(commands.CreateUser(f"Bench participant {n}")).token)
            if (n + 1) % 2000 == 0:
                progress(f"set-up: {n + 1:,} users ({(n + 1) / (time.perf_counter() - started):,.0f}/s)")
        progress("set-up: catching up the read models")
        services.projector.catch_up()
        return World(written.event_id, organizer.token, tokens)
    finally:
        services.close()


def participant_count_and_last_id(settings: Settings, event_id: int) -> tuple[int, int]:
    """Active participants of the event and its highest participant_id, from the read model."""
    services = build_services(settings)
    try:
        p = services.store.tables.participants
        query = select(func.count(), func.max(p.c.participant_id)).where(
            (p.c.event_id == event_id) & p.c.active.is_(True)
        )
        with services.store.connect() as conn:
            count, last = conn.execute(query).one()
        return int(count), int(last or 0)
    finally:
        services.close()


# --- 1. registrations --------------------------------------------------------------------


@dataclass
class Registrations:
    started: float = 0.0
    elapsed: float = 0.0
    # per registration, in the order the clients took them: (sent, answered) perf_counter times
    times: list[tuple[float, float] | None] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    server_cpu: float | None = None
    client_cpu: float = 0.0
    cpu: CpuMonitor | None = None

    def done(self) -> list[tuple[float, float]]:
        return [t for t in self.times if t is not None]


def register_all(
    base: str,
    world: World,
    *,
    clients: int,
    max_seconds: float,
    stop: threading.Event,
    server_pids: tuple[int, ...],
) -> Registrations:
    """Every user registers once (PUT .../participants/self), ``clients`` threads taking the next
    user in turn, until all have or ``max_seconds`` have passed."""
    url = f"{base}{PREFIX}/{world.event_id}/participants/self"
    result = Registrations(times=[None] * len(world.tokens))
    counter = itertools.count()
    lock = threading.Lock()
    deadline = time.perf_counter() + max_seconds

    def client() -> None:
        errors: list[str] = []
        with new_session() as session:
            while not stop.is_set() and time.perf_counter() < deadline:
                with lock:
                    n = next(counter)
                if n >= len(world.tokens):
                    break
                body = json.dumps({"is_private": n % 4 == 3})  # a quarter private
                headers = {"Authorization": f"Bearer {world.tokens[n]}", "Content-Type": "application/json"}
                sent = time.perf_counter()
                try:
                    resp = session.put(url, data=body, headers=headers, timeout=REQUEST_TIMEOUT)
                    problem = None
                    if resp.status_code != 200 or resp.json() != {"modified": True}:
                        problem = f"PUT #{n + 1} -> {resp.status_code} {resp.text[:200]}"
                except requests.RequestException as error:
                    problem = f"PUT #{n + 1}: {type(error).__name__}: {error}"
                if problem is None:
                    result.times[n] = (sent, time.perf_counter())
                else:
                    errors.append(problem)
        with lock:
            result.errors += len(errors)
            result.error_samples += errors[: MAX_ERROR_SAMPLES - len(result.error_samples)]

    threads = [threading.Thread(target=client, name=f"register-{n}", daemon=True) for n in range(clients)]
    cpu_before, server_before = time.process_time(), tree_cpu_seconds(server_pids)
    with CpuMonitor(server_pids) as result.cpu:
        result.started = time.perf_counter()
        for thread in threads:
            thread.start()
        join_all(threads, stop)
        result.elapsed = time.perf_counter() - result.started
    result.client_cpu = time.process_time() - cpu_before
    server_after = tree_cpu_seconds(server_pids)
    if server_before is not None and server_after is not None:
        result.server_cpu = server_after - server_before
    return result


def report_registrations(result: Registrations, wanted: int) -> None:
    done = result.done()
    print(f"\n1. register: PUT .../participants/self into one event, {len(done):,} of {wanted:,} registered")
    if not done:
        return
    rate = len(done) / result.elapsed
    cpu = (
        f", servers' CPU {1000 * result.server_cpu / len(done):.2f} ms per registration"
        if (result.server_cpu is not None)
        else ""
    )
    print(f"   overall: {rate:,.1f} registrations/s over {result.elapsed:.1f} s{cpu}")
    print(
        f"   {'participants':>15} {'reg/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'server CPU ms/reg':>18} "
        f"{'other load':>11}"
    )
    answered = sorted(done, key=lambda t: t[1])
    previous = result.started
    per_block: list[float] = []
    for first in range(0, len(answered), BLOCK):
        block = answered[first : first + BLOCK]
        end = block[-1][1]
        latencies = [b - a for a, b in block]
        window = result.cpu.window(previous, end) if result.cpu is not None else None
        cpu = other = "n/a"
        if window is not None:
            per_block.append(1000 * window[0] / len(block))
            cpu, other = f"{per_block[-1]:.2f}", f"{window[1]:.0%}"
        print(
            f"   {first + 1:>6,}-{first + len(block):<8,} {len(block) / (end - previous):>9,.1f} "
            f"{1000 * percentile(latencies, 50):>8.2f} {1000 * percentile(latencies, 99):>8.2f} "
            f"{cpu:>18} {other:>11}"
        )
        previous = end
    print(
        "   (server CPU: gunicorn + projector per registration; other load: share of the machine "
        "busy with neither them nor this client)"
    )
    edge = min(EDGE, len(result.times) // 2)
    head = [b - a for t in result.times[:edge] if t is not None for a, b in [t]]
    tail = [b - a for t in result.times[-edge:] if t is not None for a, b in [t]]
    if head and tail:
        first_label, last_label = f"1-{edge}", f"{len(result.times) - edge + 1:,}-{len(result.times):,}"
        for label, values in ((first_label, head), (last_label, tail)):
            print(
                f"   registrations {label:>13}: median {1000 * percentile(values, 50):7.2f} ms, "
                f"mean {1000 * sum(values) / len(values):7.2f} ms, "
                f"p90 {1000 * percentile(values, 90):7.2f} ms"
            )
        ratio = percentile(tail, 50) / percentile(head, 50)
        mean_ratio = (sum(tail) / len(tail)) / (sum(head) / len(head))
        verdict = "within" if ratio <= 2 else "NOT within"
        print(
            f"   cost of the last {edge} / the first {edge}: {ratio:.2f} (medians), {mean_ratio:.2f} "
            f"(means) -- {verdict} the 2x target"
        )
    if len(per_block) >= 2:
        print(
            f"   server CPU per registration, last {BLOCK:,} / first {BLOCK:,}: "
            f"{per_block[-1]:.2f} / {per_block[0]:.2f} ms = {per_block[-1] / per_block[0]:.2f}"
        )


# --- 2. lists ------------------------------------------------------------------------------


def list_request(base: str, event_id: int, token: str, after: int | None, last_id: int | None) -> Request:
    """GET a participants page as the organizer, private ones included; a full page is expected
    (and, for the last page, ending at ``last_id``)."""
    query = "include_private=true" + (f"&last_participant_id={after}" if after is not None else "")
    url = f"{base}{PREFIX}/{event_id}/participants?{query}"
    headers = {"Authorization": f"Bearer {token}"}

    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, headers=headers, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET {query} -> {resp.status_code} {resp.text[:200]}"
        rows = resp.json()
        if len(rows) != PAGE:
            return f"GET {query} -> {len(rows)} rows, expected {PAGE}"
        if last_id is not None and rows[-1]["participant_id"] != last_id:
            return f"GET {query} -> ends at {rows[-1]['participant_id']}, expected {last_id}"
        return None

    return request


def report_lists(phases: list[Phase], count: int) -> None:
    print(f"\n2. list: GET .../participants?include_private=true as the organizer, {count:,} participants")
    print(
        f"   {'page':<6} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'server CPU':>11}"
    )
    for p in phases:
        server = f"{100 * p.server_cpu / p.elapsed:.0f}%" if p.server_cpu is not None else "n/a"
        print(
            f"   {p.name:<6} {p.requests:>9} {p.rate:>9.1f} {p.percentile_ms(50):>8.2f} "
            f"{p.percentile_ms(99):>8.2f} {p.errors:>7} {server:>11}"
        )
    first, last = phases
    if first.rate and last.rate:
        ratio = first.rate / last.rate
        verdict = "within" if ratio <= 2 else "NOT within"
        print(f"   first page/s / last page/s = {ratio:.2f} -- {verdict} the 2x target")


# --- 3. replay -------------------------------------------------------------------------------


@dataclass
class Replayed:
    events: int
    per_second: float
    seconds: float
    wall: float


def run_replay(env: dict[str, str]) -> Replayed:
    started = time.perf_counter()
    out = campaignevents(env, "replay", "--quiet", timeout=1800)
    wall = time.perf_counter() - started
    found = REPLAYED.search(out)
    if found is None:
        raise RuntimeError(f"unexpected output of campaignevents replay: {out!r}")
    return Replayed(int(found[1]), float(found[4].replace(",", "")), float(found[3]), wall)


def raw_read(settings: Settings) -> tuple[int, float]:
    """Read and decode the notifications the replay reads (the catalog's topics), in the
    projector's pages (``projections.runner.BATCH``) through its own reader: (events, seconds)."""
    services = build_services(settings)
    try:
        started = time.perf_counter()
        head = services.app.recorder.max_notification_id() or 0
        events = sum(len(page) for page, _ in Projector(services.app, services.store).pages(0, head))
        return events, time.perf_counter() - started
    finally:
        services.close()


def report_replay(replayed: Replayed, raw_events: int, raw_seconds: float) -> list[str]:
    raw_rate = raw_events / raw_seconds if raw_seconds > 0 else 0.0
    print("\n3. replay: campaignevents replay --quiet, servers stopped")
    print(
        f"   replay:        {replayed.events:>7,} events in {replayed.seconds:6.2f} s = "
        f"{replayed.per_second:>9,.0f} events/s (its own figure; {replayed.wall:.2f} s with process start)"
    )
    print(f"   raw read+decode: {raw_events:>5,} events in {raw_seconds:6.2f} s = {raw_rate:>9,.0f} events/s")
    if raw_rate:
        print(f"   replay / raw = {replayed.per_second / raw_rate:.3f} (target >= 0.5)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"   peak RSS of the largest child process (the replay, or a server before it): {peak:,.0f} MiB")
    if raw_events != replayed.events:
        return [f"the raw read saw {raw_events} events, the replay {replayed.events}"]
    return []


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    problems: list[str] = []
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        settings = Settings.from_env(env)
        progress(f"set-up: {args.participants:,} users and one event, in-process")
        world = build_world(settings, args.participants)

        with contextlib.ExitStack() as servers:
            follower = servers.enter_context(projector(env, workdir))
            api = servers.enter_context(
                gunicorn("api", API_TARGET, env, workdir, f"{PREFIX}/{world.event_id}")
            )
            print(f"service: {revision()}; backend: {label}; projector: campaignevents projector")
            print_machine_busy()
            print(
                f"gunicorn: {GUNICORN_CONF.relative_to(ROOT)}, workers={env.get('WEB_CONCURRENCY', '2')} "
                f"threads={env.get('CAMPAIGNEVENTS_WEB_THREADS', DEFAULT_THREADS)}; api {api.base}; "
                f"clients: {args.clients} threads"
            )
            print(
                "registration confirmations: no Redis here, so the projector process runs them in "
                "threads; the users have no e-mail address, so each such job only looks them up"
            )
            pids = (api.process.pid, follower.process.pid)  # a write's cost includes projecting it
            warm = list_request(api.base, world.event_id, world.organizer_token, None, None)
            drive("warm-up", warm, clients=args.clients, seconds=1.0, stop=stop, server_pids=pids)
            progress(f"register: {args.participants:,} users, {args.clients} client threads")
            registered = register_all(
                api.base,
                world,
                clients=args.clients,
                max_seconds=args.max_seconds,
                stop=stop,
                server_pids=pids,
            )
            report_registrations(registered, args.participants)
            problems += [f"register: {s}" for s in registered.error_samples]
            if registered.errors > len(registered.error_samples):
                problems.append(f"register: {registered.errors} errors in all")
            count, last_id = participant_count_and_last_id(settings, world.event_id)
            if count != args.participants:
                problems.append(f"the read model lists {count} participants, expected {args.participants}")

            progress(f"list: {args.list_seconds:g} s per page")
            phases = []
            plan = (("first", None, None), ("last", last_id - PAGE, last_id))
            for name, after, expected_last in plan:
                request = list_request(api.base, world.event_id, world.organizer_token, after, expected_last)
                drive(name, request, clients=args.clients, seconds=1.0, stop=stop, server_pids=pids)
                phase = drive(
                    name,
                    request,
                    clients=args.clients,
                    seconds=args.list_seconds,
                    stop=stop,
                    server_pids=pids,
                )
                phases.append(phase)
                problems += [f"list {name}: {s}" for s in phase.error_samples]
            report_lists(phases, count)
            if problems:
                print(f"api server output other than its access log (last lines):\n{api.log_tail()}")

        progress("replay: servers stopped, running campaignevents replay --quiet")
        replayed = run_replay(env)
        progress("replay: the raw baseline, in-process")
        raw_events, raw_seconds = raw_read(settings)
        problems += report_replay(replayed, raw_events, raw_seconds)

    print(f"\nproblems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument("--participants", type=int, default=10_000, help="size of the event (default 10000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument(
        "--list-seconds", type=float, default=5.0, help="measured seconds per page (default 5)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=1800.0, help="bound on the registration phase (default 1800)"
    )
    args = parse(parser, argv)
    if not 2 * EDGE <= args.participants <= 100_000:
        parser.error(f"--participants must be in [{2 * EDGE}, 100000]")
    if not 1 <= args.clients <= 256:
        parser.error("--clients must be in [1, 256]")
    if not 0 < args.list_seconds <= 600 or not 0 < args.max_seconds <= 7200:
        parser.error("--list-seconds must be in (0, 600] and --max-seconds in (0, 7200]")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
