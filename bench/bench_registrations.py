"""Registrations over real HTTP: creates/s and GET details/s against gunicorn, next to a bare Flask route.

One command, no set-up::

    .venv/bin/python bench/bench_registrations.py [--seconds N] [--clients N] [--database-url URL]

It makes a temporary data dir (SQLite, or a fresh schema of the PostgreSQL database given with
``--database-url``), runs ``campaignevents init-db`` and ``campaignevents users create``, starts the
Procfile's ``projector`` (the API's read-your-writes wait needs it), the API and a bare Flask app
under the project's gunicorn config on free 127.0.0.1 ports, then drives each with ``--clients``
keep-alive client threads for a bounded time per phase:

1. create   POST /campaignevents/v0/event_registration, unique pages, bearer token, expects 201
2. create1  the same with one client (the p50 target is for one client on SQLite)
3. get      GET  /campaignevents/v0/event_registration/{id} on the ids just created, expects 200
4. parts    GET  .../{id}/participants?include_private=false on an event of 40 participants (20 rows)
5. orgs     GET  .../{id}/organizers on an event of 5 organizers
6. quest    GET  /campaignevents/v0/participant_questions
7. bare     GET  /ok on the bare Flask app, expects 200

Then, in-process, the raw baseline of creates: the event store saving the aggregates a create
saves (two sequences, the registration, the page index) directly, one after the other.

It prints req/s, p50/p99 latency, client and server CPU, the ratios to the bare route (reads) and
to the raw save (creates), the servers' CPU per create against the raw save's, and the number of
errors, and exits 1 if there was any error. Every process it starts is stopped and every file,
directory and schema it creates is removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import secrets
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/bench_registrations.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time

import requests

from api.bootstrap import build_services
from api.config import Settings
from api.gunicorn_conf import DEFAULT_THREADS
from bench.common import (
    API_TARGET,
    BARE_TARGET,
    CLIENT_BOUND,
    GUNICORN_CONF,
    PREFIX,
    REQUEST_TIMEOUT,
    ROOT,
    Phase,
    Request,
    campaignevents,
    database,
    drive,
    gunicorn,
    parse,
    print_machine_busy,
    projector,
    revision,
    script_main,
    script_parser,
    service_env,
    ts_mw,
)
from domain import commands
from domain.accounts import Account
from domain.answers import ALL_QUESTION_IDS
from domain.application import CampaignEvents
from domain.details import DetailsInput
from domain.indexes import UniqueIndex
from domain.registration import EventRegistration
from domain.validation import parse_title

TARGET_READ = 0.5  # each read route's req/s against the bare Flask route's
TARGET_CREATE = 0.5  # creates/s against the raw save's
PUBLIC = "include_private=false"
QUESTIONS = "/campaignevents/v0/participant_questions"

# --- the requests ---------------------------------------------------------------------------


def create_request(base: str, token: str, run: str, ids: list[int]) -> Request:
    """POST a registration for a page no one used before; record the new id."""
    counter = itertools.count(1)
    counter_lock = threading.Lock()
    start = (datetime.now(UTC) + timedelta(days=365)).replace(hour=10, minute=0, second=0, microsecond=0)
    body: dict[str, object] = {
        "timezone": "Europe/Rome",
        "start_time": ts_mw(start),
        "end_time": ts_mw(start + timedelta(hours=8)),
        "wikis": [],
        "online_meeting": True,
        "inperson_meeting": False,
        "meeting_url": "https://meet.example.org/abc",
        "chat_url": "https://chat.example.org/room",
    }
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"{base}{PREFIX}"

    def request(session: requests.Session, _: int) -> str | None:
        with counter_lock:
            n = next(counter)
        payload = {"event_page": f"Event:Bench {run} {n}", **body}
        resp = session.post(url, data=json.dumps(payload), headers=headers, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 201:
            return f"POST -> {resp.status_code} {resp.text[:200]}"
        new_id = resp.json().get("id")
        if not isinstance(new_id, int):
            return f"POST -> 201 without an integer id: {resp.text[:200]}"
        ids.append(new_id)  # list.append is atomic
        return None

    return request


def get_request(base: str, ids: list[int], headers: dict[str, str]) -> Request:
    """GET the details of existing registrations, all clients together walking the ids in turn."""
    counter = itertools.count()
    counter_lock = threading.Lock()

    def request(session: requests.Session, _: int) -> str | None:
        with counter_lock:
            event_id = ids[next(counter) % len(ids)]
        resp = session.get(f"{base}{PREFIX}/{event_id}", headers=headers, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET {event_id} -> {resp.status_code} {resp.text[:200]}"
        return None

    return request


def bare_request(base: str) -> Request:
    url = f"{base}/ok"

    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET /ok -> {resp.status_code} {resp.text[:200]}"
        return None

    return request


def read_request(base: str, path: str, headers: dict[str, str], rows: int | None = None) -> Request:
    """GET ``path`` (expects 200, and ``rows`` entries when given)."""
    url = f"{base}{path}"

    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, headers=headers, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET {path} -> {resp.status_code} {resp.text[:200]}"
        if rows is not None and len(resp.json()) != rows:
            return f"GET {path} -> {len(resp.json())} entries, not {rows}"
        return None

    return request


# --- in-process set-up and the raw baseline --------------------------------------------------


def event_details(page: str) -> DetailsInput:
    title = parse_title(page)
    assert title is not None
    start = (datetime.now(UTC) + timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    return DetailsInput(
        page=title,
        timezone="Europe/Rome",
        start=ts_mw(start),
        end=ts_mw(start + timedelta(hours=8)),
        wikis=[],
        online=True,
        meeting_url="https://meet.example.org/abc",
    )


def build_reads(settings: Settings) -> int:
    """One event with 5 organizers and 40 participants (half private), made in-process and
    projected before the servers start; returns its id."""
    services = build_services(settings)
    try:
        app = services.app
        organizer = app.create_user(commands.CreateUser("Reads Organizer", None, ("event-organizer",)))
        event_id = app.enable_registration(
            commands.EnableRegistration(organizer.user_id, event_details("Event:Bench reads"))
        ).event_id
        names = ["Reads Organizer"]
        for n in range(4):
            names.append(f"Co organizer {n}")
            app.create_user(commands.CreateUser(names[-1], None, ("event-organizer",)))
        app.set_organizers(commands.SetOrganizers(organizer.user_id, event_id, tuple(names)))
        for n in range(40):
            user = app.create_user(commands.CreateUser(f"Reader {n}"))
            app.register_participant(commands.RegisterParticipant(user.user_id, event_id, n % 2 == 1))
        services.projector.catch_up()
        return event_id
    finally:
        services.close()


def raw_saves(settings: Settings, seconds: float) -> tuple[int, float, list[float], float]:
    """The event store alone: what a create saves (two sequences, the registration, the page's
    index), built and saved directly, in a loop; (saves, elapsed, latencies, this process's CPU
    seconds: on SQLite the whole cost of the saves, on PostgreSQL without the server's)."""
    services = build_services(settings)
    try:
        app = services.app
        creator = app.create_user(commands.CreateUser("Raw Saver", None, ("event-organizer",)))
        run = secrets.token_hex(4)
        times: list[float] = []
        started, cpu = time.perf_counter(), time.process_time()
        n = 0
        while time.perf_counter() - started < seconds:
            n += 1
            sent = time.perf_counter()
            now = app.clock.now()
            page = f"Event:Raw {run} {n}"
            registrations, organizers = app.sequence("registrations"), app.sequence("organizers")
            registration = EventRegistration.enable(
                event_id=registrations.allocate(now),
                wiki=app.wiki_id,
                given=event_details(page),
                policy=app.policy,
                now=now,
                creator=creator_account(app, creator.user_id),
                page_holder=None,
                questions=ALL_QUESTION_IDS,
                creator_organizer_id=organizers.allocate(now),
            )
            index = UniqueIndex.claim("page", f"{app.wiki_id}|{page}", registration.event_id, now)
            app.save(registrations, organizers, registration, index)
            times.append(time.perf_counter() - sent)
        return n, time.perf_counter() - started, times, time.process_time() - cpu
    finally:
        services.close()


def creator_account(app: CampaignEvents, user_id: int) -> Account:
    account = app.account(user_id)
    assert account is not None
    return account


# --- the run --------------------------------------------------------------------------------


def report(phases: list[Phase], other: Phase) -> int:
    """Print the figures; return the number of errors (``other``: warm-ups and run-wide checks)."""
    rates = {p.name: p.rate for p in phases}
    print(
        f"{'phase':<8} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'client CPU':>11} {'server CPU':>11}"
    )
    for p in phases:
        server = f"{100 * p.server_cpu / p.elapsed:.0f}%" if p.server_cpu is not None else "n/a"
        print(
            f"{p.name:<8} {p.requests:>9} {p.rate:>9.1f} {p.percentile_ms(50):>8.2f} "
            f"{p.percentile_ms(99):>8.2f} {p.errors:>7} {100 * p.client_cpu / p.elapsed:>10.0f}% "
            f"{server:>11}"
        )
    print(f"(CPU in % of one core, over the measured time; this machine has {os.cpu_count()} cores)")
    bound = [p.name for p in phases if p.client_cpu / p.elapsed >= CLIENT_BOUND]
    if bound:
        print(
            f"note: the client used >= {CLIENT_BOUND:.0%} of a core in {', '.join(bound)}: those figures are "
            "limited by this one-process client (requests + the GIL) and are lower bounds for the server"
        )
    if rates.get("bare"):
        for name in ("get", "parts", "orgs", "quest"):
            verdict = "meets" if rates[name] / rates["bare"] >= TARGET_READ else "below"
            print(f"{name}/bare = {rates[name] / rates['bare']:.3f} ({verdict} the >= {TARGET_READ} target)")
    errors = sum(p.errors for p in phases) + other.errors
    print(f"errors: {errors}")
    for p in [*phases, other]:
        for sample in p.error_samples:
            print(f"  {p.name}: {sample}")
    return errors


def print_cpu_per_create(creates: list[Phase], raw_ms: float, backend: str) -> None:
    """CPU per create, the servers' (API + projector) against the raw save's: steadier than the
    throughput ratio on a busy machine."""
    where = "" if backend.startswith("sqlite") else " (without PostgreSQL's own CPU)"
    print(f"CPU ms per raw save{where}: {raw_ms:.2f}")
    for p in creates:
        done = p.requests - p.errors
        if p.server_cpu is None or not done or not raw_ms:
            continue
        per = 1000 * p.server_cpu / done
        print(f"CPU ms per create ({p.name}): servers {per:.2f} = {per / raw_ms:.1f}x the raw save's")


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        campaignevents(env, "init-db")
        user = json.loads(campaignevents(env, "users", "create", "Bench", "--group", "event-organizer"))
        settings = Settings.from_env(env)
        reads_event = build_reads(settings)
        saves, elapsed, times, raw_cpu = raw_saves(settings, args.seconds)  # before the servers run
        follower = stack.enter_context(projector(env, workdir))
        api = stack.enter_context(gunicorn("api", API_TARGET, env, workdir, f"{PREFIX}/1"))
        bare = stack.enter_context(gunicorn("bare", BARE_TARGET, env, workdir, "/ok"))
        print(f"service: {revision()}; backend: {label}; projector: campaignevents projector")
        print_machine_busy()
        print(
            f"gunicorn: {GUNICORN_CONF.relative_to(ROOT)}, workers={env.get('WEB_CONCURRENCY', '2')} "
            f"threads={env.get('CAMPAIGNEVENTS_WEB_THREADS', DEFAULT_THREADS)}; "
            f"api {api.base}, bare {bare.base}"
        )
        print(f"clients: {args.clients} threads, {args.seconds:g} s per phase (+{args.warmup:g} s warm-up)")

        ids: list[int] = []
        read_headers = {"Authorization": f"Bearer {user['token']}"} if args.get_as == "bearer" else {}
        api_pids = (api.process.pid, follower.process.pid)  # a write's cost includes projecting it
        plan: list[tuple[str, Request, tuple[int, ...]]] = [
            ("create", create_request(api.base, user["token"], secrets.token_hex(4), ids), api_pids),
            ("create1", create_request(api.base, user["token"], secrets.token_hex(4), ids), api_pids),
            ("get", get_request(api.base, ids, read_headers), api_pids),
            (
                "parts",
                read_request(
                    api.base, f"{PREFIX}/{reads_event}/participants?include_private=false", read_headers, 20
                ),
                api_pids,
            ),
            ("orgs", read_request(api.base, f"{PREFIX}/{reads_event}/organizers", read_headers, 5), api_pids),
            (
                "quest",
                read_request(api.base, "/campaignevents/v0/participant_questions", read_headers),
                api_pids,
            ),
            ("bare", bare_request(bare.base), (bare.process.pid,)),
        ]
        phases: list[Phase] = []
        warmup = Phase("warm-up")
        for name, request, pids in plan:
            clients = 1 if name == "create1" else args.clients
            if args.warmup > 0:
                warm = drive(
                    name,
                    request,
                    clients=clients,
                    seconds=args.warmup,
                    stop=stop,
                    server_pids=pids,
                )
                warmup.errors += warm.errors
                warmup.error_samples += [f"{name}: {s}" for s in warm.error_samples]
            phases.append(
                drive(
                    name,
                    request,
                    clients=clients,
                    seconds=args.seconds,
                    stop=stop,
                    server_pids=pids,
                )
            )
            if name == "create" and not ids:
                raise RuntimeError(f"no registration was created:\n{api.log_tail()}")
        duplicates = len(ids) - len(set(ids))
        if duplicates:
            warmup.errors += duplicates
            warmup.error_samples.append(f"{duplicates} registration ids were handed out twice")
        errors = report(phases, warmup)
        raw_rate = saves / elapsed
        rates = {p.name: p for p in phases}
        times.sort()
        print(
            f"raw save (in-process, one after the other): {saves} creates, {raw_rate:.1f}/s, "
            f"p50 {1000 * times[len(times) // 2]:.2f} ms"
        )
        for name in ("create", "create1"):
            ratio = rates[name].rate / raw_rate
            verdict = "meets" if ratio >= TARGET_CREATE else "below"
            print(f"{name}/raw save = {ratio:.3f} ({verdict} the >= {TARGET_CREATE} target)")
        print_cpu_per_create([rates["create"], rates["create1"]], 1000 * raw_cpu / saves, label)
        p50 = rates["create1"].percentile_ms(50)
        print(f"create p50, 1 client: {p50:.2f} ms ({'meets' if p50 <= 10 else 'above'} the <= 10 ms target)")
        if errors:
            print(f"api server output other than its access log (last lines):\n{api.log_tail()}")
    return 1 if errors else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per phase (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per phase (default 1)")
    parser.add_argument(
        "--get-as",
        choices=("anonymous", "bearer"),
        default="anonymous",
        help="who reads the details in the get phase (default anonymous)",
    )
    args = parse(parser, argv)
    if not 0 < args.seconds <= 3600 or not 0 <= args.warmup <= 600:
        parser.error("--seconds must be in (0, 3600] and --warmup in [0, 600]")
    if not 1 <= args.clients <= 256:
        parser.error("--clients must be in [1, 256]")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
