"""Redis and PostgreSQL restarted under a steady load: every answer recorded, none may be a 500,
a traceback or a hang, and no accepted registration may be lost.

One command, no set-up::

    .venv/bin/python bench/fault_restarts.py [--seconds 60] [--clients 4] [--timeout 10] \
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--no-postgres-restart]

It needs root (or the postgres user) for ``pg_ctlcluster``: the PostgreSQL restart cuts EVERY
connection of that server, other people's too. Set-up: a fresh schema of the ``test`` database
(dropped at the end, on a new connection), a private ``redis-server`` on a free port with an
append-only file (fsync always, so a stop and start keeps the queue, as a job queue's Redis
would be configured), a queue name of its own, an organizer with a password, one event and
``--clients`` x 2,000 users with e-mail addresses (in-process). Then the Procfile's three
processes (gunicorn, projector, worker; mail goes to the worker's log) and the load:

- ``--clients`` threads, each in turn: ``PUT .../participants/self`` as its next user, ``GET
  .../participants/self`` as that user, ``GET .../{id}`` and ``GET .../participants`` anonymously;
- one thread logging the organizer in (``POST /auth/login``, rate-limited in Redis) every 7 s.

At 1/6 of ``--seconds`` Redis is stopped (SIGTERM), 5 s later started again on the same port; at
7/12 PostgreSQL is restarted (``pg_ctlcluster --skip-systemctl-redirect <version> main restart``).
Each answer is put in the phase it overlaps (``before``, ``redis down``, ``after redis``,
``postgres restart``, ``after postgres``) and counted by request and outcome. The checks:

1. no answer anywhere is a 500, a traceback, a non-JSON or non-envelope error, a client timeout or
   a dropped connection; during an outage only successes and 503s in the envelope;
2. outside the outage windows (after 2 s of grace) every request succeeds;
3. every accepted registration (200, ``modified`` true) is in the event log and in the read models
   (and ``campaignevents replay --verify`` reports 0 differing rows); registrations answered with
   a 503 that were recorded all the same are counted (not an error: the client was told to retry);
4. the three processes are still running, with no failure lines in their output (a gunicorn
   worker timeout, a 500's log line, a thread that died, a traceback from the API); if the worker
   exited, another is started (as a supervisor would) so that the next check tells lost jobs from
   a dead worker;
5. every accepted registration's confirmation e-mail job ran (its Notice fact is recorded) within
   ``--drain`` seconds.

It exits 1 if a check failed. Every process it starts is stopped and every file, directory and
schema it creates is removed, also on Ctrl-C; PostgreSQL is started again if it is found down.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid5

if __package__ in (None, ""):  # run as ``python bench/fault_restarts.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from sqlalchemy import select

from api.bootstrap import build_services, init_store
from api.config import Settings
from bench.common import (
    API_TARGET,
    PREFIX,
    Server,
    gunicorn,
    join_all,
    new_session,
    parse,
    print_machine_busy,
    progress,
    projector,
    revision,
    script_main,
    script_parser,
    service_env,
)
from bench.faults_common import (
    POSTGRES_URL,
    BulkUser,
    RedisProcess,
    bulk_users,
    cli,
    database_surviving_restarts,
    discard_setup_jobs,
    event_details,
    failure_label,
    outcome,
    short,
    wait_caught_up,
    worker,
)
from domain import commands
from domain.indexes import ROOT
from domain.participants import participant_id

USERS_PER_CLIENT = 2000
LOGIN_EVERY = 7.0  # seconds; the login limit is 10 per minute per address
REDIS_DOWN = 5.0
GRACE = 2.0  # seconds after an outage window before every request must succeed again
OK = {"200", "204"}
CLEAN_FAILURES = {"503 unavailable", "503 busy"}
VERIFIED = re.compile(r"^(\d+) differing rows$", re.MULTILINE)
# Lines that are a failure in any process's output: a gunicorn worker killed for hanging, a 500's
# log line, a thread that died. (The projector and the worker log a traceback for each retried
# failure during an outage, by design: those are summarised, not failures.)
BAD_LOG = re.compile(r"WORKER TIMEOUT|unhandled error|Exception in thread")
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Refused)\w*)(?::|$)")


# --- set-up (in-process, not measured) ----------------------------------------------------


@dataclass
class World:
    event_id: int
    organizer_name: str
    organizer_password: str
    users: list[list[BulkUser]]


def build_world(settings: Settings, clients: int) -> World:
    init_store(settings)
    services = build_services(settings)
    discard_setup_jobs(services)
    try:
        app = services.app
        password = secrets.token_urlsafe(12)
        organizer = app.create_user(
            commands.CreateUser("Fault organizer", "organizer@example.org", ("event-organizer",), password)
        )
        start = datetime.now(UTC) + timedelta(days=30)
        written = app.enable_registration(
            commands.EnableRegistration(organizer.user_id, event_details("Event:Fault restarts", start))
        )
        names = [f"Fault client {c} user {n}" for c in range(clients) for n in range(USERS_PER_CLIENT)]
        users = bulk_users(app, names, at=datetime.now(UTC), with_email=True)
        services.projector.catch_up()
        per = [users[c * USERS_PER_CLIENT : (c + 1) * USERS_PER_CLIENT] for c in range(clients)]
        return World(written.event_id, organizer.user_name, password, per)
    finally:
        services.close()


# --- the outages ----------------------------------------------------------------------------


@dataclass
class Window:
    name: str
    start: float  # perf_counter
    end: float = 0.0
    detail: str = ""


def postgres_version(url: str, given: str | None) -> str:
    if given:
        return given
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if len(versions) != 1:
        raise RuntimeError(f"PostgreSQL versions in /etc/postgresql: {versions}; pass --postgres-version")
    return versions[0]


def pg_ctl(version: str, action: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def postgres_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.split("?", 1)[0], connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def other_sessions(url: str) -> str:
    """Client connections to the server right now (ours and everybody else's), by database."""
    import psycopg

    with psycopg.connect(url.split("?", 1)[0], connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT datname, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid() GROUP BY datname ORDER BY datname"
        ).fetchall()
    return ", ".join(f"{db}: {n}" for db, n in rows) or "none"


@contextlib.contextmanager
def postgres_kept_up(url: str, version: str | None) -> Iterator[None]:
    """On the way out, start PostgreSQL again if it is down (an interrupted restart)."""
    try:
        yield None
    finally:
        if version is not None and not postgres_answers(url):
            print("PostgreSQL is down: starting it again", file=sys.stderr)
            pg_ctl(version, "start")


# --- the load -------------------------------------------------------------------------------


@dataclass
class Answer:
    kind: str
    label: str
    sent: float
    answered: float
    sample: str = ""


@dataclass
class Load:
    answers: list[Answer] = field(default_factory=list)
    registered: dict[int, str] = field(default_factory=dict)  # user id -> the PUT's outcome
    accepted: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)


def timed(
    load: Load, kind: str, call: Callable[..., requests.Response], timeout: float
) -> requests.Response | None:
    """Send one request (``call(timeout=...)``) and record how it went."""
    sent = time.perf_counter()
    try:
        resp = call(timeout=timeout)
    except requests.RequestException as error:
        load.add(Answer(kind, failure_label(error), sent, time.perf_counter(), f"{kind}: {error}"))
        return None
    label = outcome(resp)
    load.add(Answer(kind, label, sent, time.perf_counter(), short(resp) if label not in OK else ""))
    return resp


def registrant(
    base: str,
    world: World,
    users: list[BulkUser],
    load: Load,
    deadline: float,
    timeout: float,
    stop: threading.Event,
) -> None:
    event = f"{base}{PREFIX}/{world.event_id}"
    with new_session() as session:
        for n, user in enumerate(users):
            if stop.is_set() or time.perf_counter() >= deadline:
                return
            auth = {"Authorization": f"Bearer {user.token}"}
            body = '{"is_private":true}' if n % 4 == 3 else '{"is_private":false}'
            resp = timed(
                load,
                "register",
                lambda timeout, a=auth, b=body: session.put(
                    f"{event}/participants/self",
                    data=b,
                    headers=a | {"Content-Type": "application/json"},
                    timeout=timeout,
                ),
                timeout,
            )
            label = outcome(resp) if resp is not None else "no answer"
            accepted = resp is not None and label == "200" and resp.json().get("modified") is True
            with load.lock:
                load.registered[user.user_id] = label
                if accepted:
                    load.accepted.add(user.user_id)
            if accepted:  # read-your-writes, from the log
                timed(
                    load,
                    "own",
                    lambda timeout, a=auth: session.get(
                        f"{event}/participants/self", headers=a, timeout=timeout
                    ),
                    timeout,
                )
            timed(load, "details", lambda timeout: session.get(event, timeout=timeout), timeout)
            timed(
                load,
                "list",
                lambda timeout: session.get(f"{event}/participants?include_private=false", timeout=timeout),
                timeout,
            )


def login_client(
    base: str, world: World, load: Load, deadline: float, timeout: float, stop: threading.Event
) -> None:
    body = {"username": world.organizer_name, "password": world.organizer_password}
    for _ in itertools.count():
        if stop.is_set() or time.perf_counter() >= deadline:
            return
        started = time.perf_counter()
        with new_session() as session:
            timed(
                load,
                "login",
                lambda timeout: session.post(f"{base}/auth/login", json=body, timeout=timeout),
                timeout,
            )
        stop.wait(max(0.0, LOGIN_EVERY - (time.perf_counter() - started)))


# --- phases and report ------------------------------------------------------------------------

PHASES = ["before", "redis down", "after redis", "postgres restart", "after postgres"]


def phase_of(answer: Answer, redis: Window, postgres: Window | None) -> str:
    def overlaps(w: Window | None) -> bool:
        return w is not None and answer.sent <= w.end and answer.answered >= w.start

    if overlaps(redis):
        return "redis down"
    if overlaps(postgres):
        return "postgres restart"
    if answer.sent < redis.start:
        return "before"
    if postgres is None or answer.sent < postgres.start:
        return "after redis"
    return "after postgres"


def report_answers(load: Load, t0: float, redis: Window, postgres: Window | None) -> list[str]:
    problems: list[str] = []
    by_phase: dict[str, Counter[str]] = {p: Counter() for p in PHASES}
    spans: dict[str, list[float]] = {p: [] for p in PHASES}
    slowest: dict[str, float] = dict.fromkeys(PHASES, 0.0)
    for a in load.answers:
        phase = phase_of(a, redis, postgres)
        by_phase[phase][f"{a.kind} {a.label}"] += 1
        spans[phase] += [a.sent - t0, a.answered - t0]
        slowest[phase] = max(slowest[phase], a.answered - a.sent)
        if a.label not in OK | CLEAN_FAILURES:
            problems.append(f"{phase} at t={a.sent - t0:.2f} s: {a.label}: {a.sample}")
        elif a.label not in OK and phase not in ("redis down", "postgres restart"):
            ended = {"after redis": redis.end, "after postgres": postgres.end if postgres else 0.0}.get(phase)
            if ended is None or a.sent - ended > GRACE:
                problems.append(f"{phase} at t={a.sent - t0:.2f} s: {a.label} outside an outage: {a.sample}")
    failed = [a for a in load.answers if a.label not in OK]
    for window in (redis, postgres):
        if window is None:
            continue
        mine = [a for a in failed if a.answered >= window.start and (a.sent <= window.end + 10)]
        if mine:
            first, last = min(a.sent for a in mine) - t0, max(a.answered for a in mine) - t0
            print(
                f"   {window.name:<9} failed answers: {len(mine)}, sent from t={first:.2f} s, the last "
                f"answered t={last:.2f} s ({last - (window.end - t0):+.2f} s from the window's end)"
            )
        else:
            print(f"   {window.name:<9} failed answers: none")
    print("\n1. answers by phase (a request is in an outage's phase when it overlaps the window):")
    for phase in PHASES:
        counts = by_phase[phase]
        if not counts:
            print(f"   {phase:<17} no requests")
            continue
        span = f"t={min(spans[phase]):.1f}-{max(spans[phase]):.1f} s"
        print(f"   {phase:<17} {span:<16} {sum(counts.values()):>6} requests, slowest {slowest[phase]:.2f} s")
        print("      " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return problems


def check_facts(settings: Settings, world: World, load: Load, stop: threading.Event) -> list[str]:
    """Every accepted registration in the log and the read models; 503'd ones recorded anyway."""
    problems: list[str] = []
    services = build_services(settings)
    try:
        reached, head, position = wait_caught_up(services, 60, stop)
        if not reached:
            problems.append(f"the read models stayed at {position} of {head}")
        app = services.app
        p = services.store.tables.participants
        with services.store.connect() as conn:
            listed = {
                r[0]
                for r in conn.execute(
                    select(p.c.user_id).where((p.c.event_id == world.event_id) & p.c.active.is_(True))
                )
            }
        in_log = {
            u
            for u in load.registered
            if (found := app.participant(world.event_id, u)) is not None and found.active
        }
        lost_log = sorted(load.accepted - in_log)
        lost_read = sorted(load.accepted - listed)
        unacknowledged = sorted((in_log - load.accepted) & set(load.registered))
        stray = sorted(listed - in_log)
        print(
            f"\n2. facts: {len(load.accepted):,} registrations accepted; in the event log: "
            f"{len(load.accepted & in_log):,}; in the read models: {len(load.accepted & listed):,}"
        )
        print(
            f"   answered otherwise but recorded all the same: {len(unacknowledged)} "
            f"({dict(Counter(load.registered[u] for u in unacknowledged))})"
        )
        if lost_log:
            problems.append(
                f"{len(lost_log)} accepted registrations missing from the event log: {lost_log[:10]}"
            )
        if lost_read:
            problems.append(
                f"{len(lost_read)} accepted registrations missing from the read models: {lost_read[:10]}"
            )
        if stray:
            problems.append(f"{len(stray)} read-model participants not active in the log: {stray[:10]}")
        return problems
    finally:
        services.close()


def check_confirmations(
    settings: Settings, world: World, load: Load, drain: float, stop: threading.Event
) -> list[str]:
    services = build_services(settings)
    try:
        wanted = {
            u: uuid5(ROOT, f"notice:confirmation:{participant_id(world.event_id, u)}:1")
            for u in load.accepted
        }
        started = time.perf_counter()
        missing = set(wanted)
        while missing and not stop.is_set() and time.perf_counter() - started < drain:
            missing = {u for u in missing if not services.app.notice_sent(wanted[u])}
            if missing:
                time.sleep(1)
        print(
            f"\n4. confirmations: {len(wanted) - len(missing):,} of {len(wanted):,} accepted registrations "
            f"have their confirmation recorded ({time.perf_counter() - started:.1f} s of waiting)"
        )
        return (
            [f"{len(missing)} confirmations not sent within {drain:.0f} s, e.g. users {sorted(missing)[:10]}"]
            if missing
            else []
        )
    finally:
        services.close()


def check_processes(servers: dict[str, Server], web_workers: int) -> list[str]:
    """Still running; no failure lines; the api logged no traceback and booted no extra worker.
    The exceptions the projector and the worker logged (and retried) are summarised."""
    problems = []
    print("\n3. processes:")
    for name, server in servers.items():
        code = server.process.poll()
        lines = server.log.read_text(errors="replace").splitlines()
        bad = [line for line in lines if BAD_LOG.search(line)]
        if name == "api":
            bad += [line for line in lines if "Traceback" in line]
            boots = sum("Booting worker" in line for line in lines)
            if boots > web_workers:
                bad.append(f"{boots - web_workers} gunicorn workers booted again")
        exceptions = Counter(m[1] for line in lines if (m := EXCEPTION_LINE.match(line)))
        unavailable = sum("storage unavailable" in line for line in lines)
        state = "running" if code is None else f"EXITED with {code}"
        print(
            f"   {name:<10} {state}; 'storage unavailable' warnings {unavailable}; "
            f"failure lines {len(bad)}; exceptions logged: {dict(exceptions) or 'none'}"
        )
        if code is not None:
            problems.append(f"{name} exited with {code}")
        if bad:
            problems.append(f"{name}: {len(bad)} failure lines, first: {bad[0][:200]}")
    return problems


def show_log_excerpt(server: Server, pattern: re.Pattern[str], lines: int = 30) -> None:
    """The lines around the first failure line of a process's output (traceback frames left out),
    and the last lines of a process that exited."""
    text = server.log.read_text(errors="replace").splitlines()
    hits = [n for n, line in enumerate(text) if pattern.search(line)]
    if hits:
        print(f"   --- {server.name} output from its first failure line (frames left out) ---")
        shown = [line for line in text[max(0, hits[0] - 2) :] if not line.startswith("  ")]
        for line in shown[:lines]:
            print(f"   {line[:240]}")
    if server.process.poll() is not None:
        print(f"   --- the last lines of {server.name}, which exited with {server.process.returncode} ---")
        for line in [line for line in text if not line.startswith("  ")][-lines:]:
            print(f"   {line[:240]}")


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    problems: list[str] = []
    version = None if args.no_postgres_restart else postgres_version(args.database_url, args.postgres_version)
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database_surviving_restarts(args.database_url, workdir))
        stack.enter_context(postgres_kept_up(args.database_url, version))  # up again before the drop
        redis = RedisProcess(workdir, aof=True)
        stack.callback(redis.stop)
        redis.start()
        queue = f"bench-faults-{secrets.token_hex(4)}"
        env = service_env(workdir, database_url) | {
            "CAMPAIGNEVENTS_REDIS_URL": redis.url,
            "CAMPAIGNEVENTS_QUEUE_NAME": queue,
            "CAMPAIGNEVENTS_JOB_RETRY_INTERVALS": "1,2,5,10,20",
            "WEB_CONCURRENCY": "2",
        }
        settings = Settings.from_env(env)
        progress(f"set-up: organizer, event, {args.clients * USERS_PER_CLIENT:,} users, in-process")
        world = build_world(settings, args.clients)
        servers = {
            "projector": stack.enter_context(projector(env, workdir)),
            "worker": stack.enter_context(worker(env, workdir)),
        }
        servers["api"] = stack.enter_context(
            gunicorn("api", API_TARGET, env, workdir, f"{PREFIX}/{world.event_id}")
        )
        print(f"service: {revision()}; backend: {label}; private redis {redis.url} (AOF), queue {queue}")
        print_machine_busy()
        print(
            f"load: {args.clients} registrant threads (PUT self, GET self, GET details, GET list) + 1 login "
            f"every {LOGIN_EVERY:g} s, {args.seconds:g} s; client timeout {args.timeout:g} s; gunicorn 2x4"
        )

        load = Load()
        t0 = time.perf_counter()
        deadline = t0 + args.seconds
        threads = [
            threading.Thread(
                target=registrant,
                args=(servers["api"].base, world, users, load, deadline, args.timeout, stop),
                daemon=True,
            )
            for users in world.users
        ]
        threads.append(
            threading.Thread(
                target=login_client,
                args=(servers["api"].base, world, load, deadline, args.timeout, stop),
                daemon=True,
            )
        )
        for thread in threads:
            thread.start()

        def sleep_until(moment: float) -> None:
            while not stop.is_set() and time.perf_counter() < moment:
                time.sleep(min(0.1, max(0.0, moment - time.perf_counter())))

        sleep_until(t0 + args.seconds / 6)
        progress("redis: stop (SIGTERM)")
        redis_window = Window("redis", time.perf_counter())
        redis.stop()
        sleep_until(redis_window.start + REDIS_DOWN)
        progress("redis: start")
        redis.start()
        redis_window.end = time.perf_counter()
        postgres_window: Window | None = None
        if version is not None:
            sleep_until(t0 + args.seconds * 7 / 12)
            sessions = other_sessions(args.database_url)
            progress(f"postgres: restart (client connections before: {sessions})")
            postgres_window = Window("postgres", time.perf_counter(), detail=sessions)
            done = pg_ctl(version, "restart")
            command_end = time.perf_counter()
            while not postgres_answers(args.database_url) and time.perf_counter() - command_end < 120:
                time.sleep(0.05)
            postgres_window.end = time.perf_counter()
            postgres_window.detail += (
                f"; pg_ctlcluster exit {done.returncode} after {command_end - postgres_window.start:.2f} s"
            )
            if done.returncode != 0:
                problems.append(f"pg_ctlcluster restart failed: {done.stderr.strip()[:300]}")
        join_all(threads, stop)
        elapsed = time.perf_counter() - t0

        print(f"\noutage windows (t from the start of the load, {elapsed:.1f} s in all):")
        print(
            f"   redis     stopped t={redis_window.start - t0:.2f} s, "
            f"answering again t={redis_window.end - t0:.2f} s ({redis_window.end - redis_window.start:.2f} s)"
        )
        if postgres_window is not None:
            print(
                f"   postgres  restart issued t={postgres_window.start - t0:.2f} s, answering again "
                f"t={postgres_window.end - t0:.2f} s ({postgres_window.end - postgres_window.start:.2f} s); "
                f"connections before: {postgres_window.detail}"
            )
        else:
            print("   postgres  not restarted (--no-postgres-restart)")
        problems += report_answers(load, t0, redis_window, postgres_window)
        progress("checks: facts, confirmations, processes, replay --verify")
        problems += check_facts(settings, world, load, stop)
        problems += check_processes(servers, 2)
        if servers["worker"].process.poll() is not None:
            print(
                "   the worker exited: starting another one, as a supervisor would, to see if jobs were lost"
            )
            servers["worker again"] = stack.enter_context(worker(env, workdir, "worker-again"))
        problems += check_confirmations(settings, world, load, args.drain, stop)
        done = cli(env, "replay", "--verify", "--quiet", timeout=600)
        found = VERIFIED.search(done.stdout)
        verified = found[0] if found else done.stdout[-300:] + done.stderr[-300:]
        print(f"\n5. campaignevents replay --verify: {verified}")
        if found is None or int(found[1]) != 0:
            problems.append("replay --verify found differences")
        if args.keep_logs is not None:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in [*workdir.glob("*.log")]:
                shutil.copy(log, args.keep_logs / log.name)
            print(f"\nthe processes' output was copied to {args.keep_logs}")
        for server in servers.values():
            show_log_excerpt(
                server, re.compile(BAD_LOG.pattern + ("|Traceback" if server.name == "api" else ""))
            )

    print(f"\nproblems: {len(problems)}")
    for problem in problems[:40]:
        print(f"  {problem}")
    if len(problems) > 40:
        print(f"  ... and {len(problems) - 40} more")
    return 1 if problems else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=4, help="registrant threads (default 4)")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="client timeout per request, s (default 10)"
    )
    parser.add_argument(
        "--drain", type=float, default=90.0, help="bound on waiting for confirmations, s (default 90)"
    )
    parser.add_argument(
        "--postgres-version", default=None, help="the cluster's version (default: /etc/postgresql)"
    )
    parser.add_argument(
        "--no-postgres-restart", action="store_true", help="restart only Redis (PostgreSQL is shared)"
    )
    parser.add_argument(
        "--keep-logs", type=Path, default=None, help="copy the processes' output to this directory"
    )
    parser.set_defaults(database_url=POSTGRES_URL)
    args = parse(parser, argv)
    if not 30 <= args.seconds <= 1800 or not 1 <= args.clients <= 32:
        parser.error("--seconds must be in [30, 1800] and --clients in [1, 32]")
    if not 1 <= args.timeout <= 120 or not 0 < args.drain <= 1800:
        parser.error("--timeout must be in [1, 120] and --drain in (0, 1800]")
    if not args.database_url or not args.database_url.startswith("postgresql://"):
        parser.error("--database-url must be a postgresql:// URL (this script restarts PostgreSQL)")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
