"""Many concurrent clients registering into ONE event over real HTTP, then a check that exactly the
accepted registrations are listed.

One command, no set-up::

    .venv/bin/python bench/load_register.py [--clients 200] [--seconds 60] [--users-per-client 100] \
        [--web-concurrency 2] [--database-url postgresql://postgres@127.0.0.1:5432/test]

It runs on PostgreSQL by default (a fresh schema ``bench_<random>`` of the ``test`` database,
dropped at the end). Set-up, in-process: an organizer, one event 30 days ahead and
``--clients`` x ``--users-per-client`` users (no e-mail address), each client its own users, and
the read models caught up. Then the Procfile's ``projector`` and the API under the project's
gunicorn config (``WEB_CONCURRENCY`` = ``--web-concurrency``) on a free 127.0.0.1 port, and:

0. raw save  in-process, before the servers start: the event store saving what a registration
             saves (a ``Participant`` aggregate, registered) directly, one after the other, for
             ``--raw-seconds`` into a second event (accounts and the registration loaded first,
             not timed): the baseline the issue's ratio is taken against, with the CPU a
             save took (this process, and its PostgreSQL backends by ``application_name``)
1. register  ``--clients`` threads, each ``PUT .../{id}/participants/self`` with the bearer token
             of its next user (a quarter private), for ``--seconds``; accepted = 200 with
             ``{"modified": true}``; 503 answers (contention, storage) are counted apart; no 5xx
             other than 503 may occur; registrations/s and p50/p99 latency; the ratio to the raw
             save; the CPU the web processes, the projector process (with the job threads it runs
             here) and this run's PostgreSQL backends (by ``application_name``) spent per
             registration (/proc), and that CPU over the raw save's
2. check     once the read models are at the log's head, list the participants as the organizer
             (``include_private=true``, paged with ``last_participant_id``): every accepted
             registration exactly once, with the privacy it asked for, and nothing else

It exits 1 if a check failed or an unexpected answer came. Every process it starts is stopped and
every file, directory and schema it creates is removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/load_register.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from api.bootstrap import build_services, init_store
from api.config import Settings
from api.gunicorn_conf import DEFAULT_THREADS
from bench.common import (
    API_TARGET,
    GUNICORN_CONF,
    PREFIX,
    REQUEST_TIMEOUT,
    ROOT,
    database,
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
from bench.faults_common import (
    POSTGRES_URL,
    BulkUser,
    bulk_users,
    discard_setup_jobs,
    event_details,
    failure_label,
    outcome,
    short,
    wait_caught_up,
)
from domain import commands
from domain.application import CampaignEvents
from domain.participants import Participant

LIST_PAGE = 20  # projections.views.PARTICIPANTS_PAGE
TARGET_RATIO = 0.5  # issue 12: registrations/s >= 0.5x the raw save on PostgreSQL


# --- set-up (in-process, not measured) ----------------------------------------------------


@dataclass
class World:
    event_id: int
    organizer_token: str
    users: list[list[BulkUser]]  # per client
    raw: RawSaves | None = None


@dataclass
class RawSaves:
    saves: int
    elapsed: float
    latencies: list[float]
    cpu: float = 0.0  # this process's CPU seconds in the timed saves
    postgres_cpu: float | None = None  # its PostgreSQL backends' CPU seconds in them (None: not known)

    @property
    def rate(self) -> float:
        return self.saves / self.elapsed if self.elapsed else 0.0


def raw_saves(
    app: CampaignEvents,
    organizer: int,
    users: list[BulkUser],
    seconds: float,
    backends: Callable[[], list[int]] | None = None,
) -> RawSaves:
    """The event store alone: a registration's aggregate (``Participant.register``) built and saved
    directly, one after the other, into an event of its own (the registration and the accounts,
    500 at a time, are loaded outside the timed saves). The CPU the saves took, here and in this
    process's PostgreSQL backends (``backends``), is summed over the timed saves only."""
    start = datetime.now(UTC) + timedelta(days=30)
    written = app.enable_registration(
        commands.EnableRegistration(organizer, event_details("Event:Load register raw", start))
    )
    registration = app.registration(written.event_id)
    raw = RawSaves(0, 0.0, [], postgres_cpu=0.0 if backends is not None else None)
    while raw.saves < len(users) and raw.elapsed < seconds:
        chunk = [app.account(u.user_id) for u in users[raw.saves : raw.saves + 500]]  # not timed
        pg_before = process_cpu(backends()) if backends is not None else {}
        for account in chunk:
            if account is None or raw.elapsed >= seconds:
                break
            sent, cpu = time.perf_counter(), time.process_time()
            participant = Participant.register(
                registration, account, raw.saves % 4 == 3, answering=False, at=app.clock.now()
            )
            app.save(participant)
            raw.cpu += time.process_time() - cpu
            raw.latencies.append(time.perf_counter() - sent)
            raw.elapsed += raw.latencies[-1]
            raw.saves += 1
        if backends is not None and raw.postgres_cpu is not None:
            pg_after = process_cpu(backends())
            raw.postgres_cpu += sum(t - pg_before.get(pid, 0.0) for pid, t in pg_after.items())
        if any(account is None for account in chunk):
            break
    return raw


def build_world(
    settings: Settings, clients: int, per_client: int, raw_seconds: float = 0.0, app_name: str | None = None
) -> World:
    """The set-up, in-process; on PostgreSQL its backends are named ``app_name`` (libpq's
    ``PGAPPNAME``), so that the raw saves' share of their CPU can be read."""
    init_store(settings)
    named = settings.is_postgres and app_name is not None
    previous = os.environ.get("PGAPPNAME")
    if named:
        os.environ["PGAPPNAME"] = str(app_name)
    try:
        services = build_services(settings)
    finally:
        if named and previous is None:
            os.environ.pop("PGAPPNAME", None)
        elif named:
            os.environ["PGAPPNAME"] = str(previous)
    discard_setup_jobs(services)
    try:
        app = services.app
        organizer = app.create_user(commands.CreateUser("Load organizer", None, ("event-organizer",)))
        start = datetime.now(UTC) + timedelta(days=30)
        written = app.enable_registration(
            commands.EnableRegistration(organizer.user_id, event_details("Event:Load register", start))
        )
        names = [f"Load client {c} user {n}" for c in range(clients) for n in range(per_client)]
        started = time.perf_counter()
        users = bulk_users(app, names, at=datetime.now(UTC))
        progress(f"set-up: {len(users):,} users in {time.perf_counter() - started:.1f} s")
        raw = None
        if raw_seconds > 0:
            progress(f"raw save: {raw_seconds:g} s, in-process, one after the other")
            url = settings.database_url
            backends = (lambda: backend_pids(url, str(app_name))) if named else None
            raw = raw_saves(app, organizer.user_id, users, raw_seconds, backends)
        services.projector.catch_up()
        per = [users[c * per_client : (c + 1) * per_client] for c in range(clients)]
        return World(written.event_id, organizer.token, per, raw)
    finally:
        services.close()


# --- 1. registrations --------------------------------------------------------------------


@dataclass
class Attempt:
    user: BulkUser
    private: bool
    label: str  # outcome(), or a client-side failure
    latency: float
    modified: bool | None = None


@dataclass
class Load:
    attempts: list[Attempt] = field(default_factory=list)
    elapsed: float = 0.0
    exhausted: int = 0  # clients that ran out of users before the end
    per_client: list[int] = field(default_factory=list)  # requests each client sent
    samples: list[str] = field(default_factory=list)
    server_cpu: float | None = None
    client_cpu: float = 0.0
    cpu_split: dict[str, float] = field(default_factory=dict)  # web / projector / postgres, seconds


def backend_pids(database_url: str, app_name: str) -> list[int]:
    """This run's PostgreSQL backends: those whose ``application_name`` is ``app_name``."""
    import psycopg

    with psycopg.connect(database_url.split("?", 1)[0], autocommit=True, connect_timeout=5) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app_name,))
        return [int(pid) for (pid,) in rows]


def process_cpu(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of ``pids`` (those still running), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def register_load(
    base: str,
    world: World,
    *,
    seconds: float,
    timeout: float,
    stop: threading.Event,
    pids: tuple[int, ...],
    backends: Callable[[], list[int]] | None = None,
) -> Load:
    url = f"{base}{PREFIX}/{world.event_id}/participants/self"
    load = Load()
    lock = threading.Lock()
    barrier = threading.Barrier(len(world.users) + 1)
    deadline = [0.0]

    def client(users: list[BulkUser]) -> None:
        mine: list[Attempt] = []
        samples: list[str] = []
        with new_session() as session:
            barrier.wait()
            for n, user in enumerate(users):
                if stop.is_set() or time.perf_counter() >= deadline[0]:
                    break
                private = n % 4 == 3
                headers = {"Authorization": f"Bearer {user.token}", "Content-Type": "application/json"}
                body = '{"is_private":true}' if private else '{"is_private":false}'
                sent = time.perf_counter()
                try:
                    resp = session.put(url, data=body, headers=headers, timeout=timeout)
                except requests.RequestException as error:
                    mine.append(Attempt(user, private, failure_label(error), time.perf_counter() - sent))
                    samples.append(f"PUT as {user.user_name}: {type(error).__name__}: {error}")
                    continue
                attempt = Attempt(user, private, outcome(resp), time.perf_counter() - sent)
                if resp.status_code == 200:
                    attempt.modified = resp.json().get("modified")
                if attempt.label != "200" or attempt.modified is not True:
                    samples.append(short(resp))
                mine.append(attempt)
        with lock:
            load.attempts += mine
            load.exhausted += int(len(mine) == len(users))
            load.per_client.append(len(mine))
            load.samples += samples[: 10 - len(load.samples)]

    threads = [
        threading.Thread(target=client, args=(users,), name=f"client-{n}", daemon=True)
        for n, users in enumerate(world.users)
    ]
    for thread in threads:
        thread.start()
    cpu_before, server_before = time.process_time(), tree_cpu_seconds(pids)
    parts_before = [tree_cpu_seconds((pid,)) for pid in pids]
    pg_before = process_cpu(backends()) if backends is not None else {}
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    join_all(threads, stop)
    load.elapsed = time.perf_counter() - started
    load.client_cpu = time.process_time() - cpu_before
    server_after = tree_cpu_seconds(pids)
    if server_before is not None and server_after is not None:
        load.server_cpu = server_after - server_before
    for name, pid, before in zip(("web", "projector"), pids, parts_before, strict=False):
        after = tree_cpu_seconds((pid,))
        if before is not None and after is not None:
            load.cpu_split[name] = after - before
    if backends is not None:  # a backend that started during the load counts from zero
        pg_after = process_cpu(backends())
        load.cpu_split["postgres"] = sum(t - pg_before.get(pid, 0.0) for pid, t in pg_after.items())
    return load


# --- 2. the list ---------------------------------------------------------------------------


def list_everyone(base: str, world: World, stop: threading.Event) -> list[dict[str, object]]:
    """Every active participant, as the organizer, page by page (bounded)."""
    url = f"{base}{PREFIX}/{world.event_id}/participants"
    headers = {"Authorization": f"Bearer {world.organizer_token}"}
    rows: list[dict[str, object]] = []
    after: int | None = None
    limit = sum(len(u) for u in world.users) // LIST_PAGE + 10
    with new_session() as session:
        for _ in range(limit):
            if stop.is_set():
                break
            params: dict[str, str | int] = {"include_private": "true"}
            if after is not None:
                params["last_participant_id"] = after
            resp = session.get(url, params=params, headers=headers, timeout=REQUEST_TIMEOUT)
            if resp.status_code != 200:
                raise RuntimeError(f"listing failed: {short(resp)}")
            page = resp.json()
            rows += page
            if len(page) < LIST_PAGE:
                return rows
            last = page[-1]["participant_id"]
            assert isinstance(last, int)
            after = last
    raise RuntimeError(f"the listing did not end within {limit} pages")


def check_listing(load: Load, rows: list[dict[str, object]]) -> list[str]:
    accepted = {a.user.user_id: a for a in load.attempts if a.label == "200" and a.modified is True}
    listed = Counter(r["user_id"] for r in rows)
    problems = []
    twice = [u for u, n in listed.items() if n > 1]
    missing = [u for u in accepted if u not in listed]
    extra = [u for u in listed if u not in accepted]
    wrong_privacy = [
        r["user_id"]
        for r in rows
        if r["user_id"] in accepted and r["private"] != accepted[r["user_id"]].private
    ]
    if twice:
        problems.append(f"{len(twice)} users listed more than once, e.g. {twice[:5]}")
    if missing:
        problems.append(f"{len(missing)} accepted registrations not listed, e.g. {missing[:5]}")
    if extra:
        labels = Counter(
            next((a.label for a in load.attempts if a.user.user_id == u), "never sent") for u in extra[:200]
        )
        problems.append(
            f"{len(extra)} listed users whose registration was not accepted (their answers: {dict(labels)})"
        )
    if wrong_privacy:
        problems.append(f"{len(wrong_privacy)} listed with the wrong privacy, e.g. {wrong_privacy[:5]}")
    return problems


# --- report -----------------------------------------------------------------------------------


def report(load: Load, args: argparse.Namespace, raw: RawSaves | None = None) -> list[str]:
    labels = Counter(a.label for a in load.attempts)
    accepted = [a for a in load.attempts if a.label == "200" and a.modified is True]
    not_modified = sum(1 for a in load.attempts if a.label == "200" and a.modified is not True)
    answered = [a.latency for a in load.attempts if a.label[0].isdigit()]
    print(
        f"\n1. register: PUT .../participants/self, {args.clients} clients for {args.seconds:g} s "
        f"({load.elapsed:.1f} s with the requests in flight at the end)"
    )
    print(f"   requests sent: {len(load.attempts):,}; answers by kind: {dict(sorted(labels.items()))}")
    print(f"   accepted (200, modified true): {len(accepted):,}; 200 with modified false: {not_modified}")
    busy = labels.get("503 busy", 0)
    unavailable = labels.get("503 unavailable", 0)
    print(f"   503 answers: {busy} contention (campaignevents-rest-busy), {unavailable} storage unavailable")
    rate = len(accepted) / load.elapsed if load.elapsed else 0.0
    cpu = ""
    if load.server_cpu is not None and accepted:
        cpu = f"; servers' CPU {1000 * load.server_cpu / len(accepted):.2f} ms per registration"
    print(
        f"   registrations/s: {rate:,.1f}{cpu}; "
        f"client CPU {100 * load.client_cpu / load.elapsed:.0f}% of a core"
    )
    if answered:
        print(
            f"   latency of all answers: p50 {1000 * percentile(answered, 50):.0f} ms, "
            f"p99 {1000 * percentile(answered, 99):.0f} ms, max {1000 * max(answered):.0f} ms"
        )
    if accepted:
        lat = [a.latency for a in accepted]
        print(
            f"   latency of accepted:    p50 {1000 * percentile(lat, 50):.0f} ms, "
            f"p99 {1000 * percentile(lat, 99):.0f} ms"
        )
    if load.cpu_split and accepted:
        split = ", ".join(f"{name} {1000 * t / len(accepted):.2f}" for name, t in load.cpu_split.items())
        total = 1000 * sum(load.cpu_split.values()) / len(accepted)
        print(f"   CPU ms per registration: {split} (total {total:.2f})")
    if raw is not None:
        print(
            f"   raw save (in-process, one after the other, before the servers started): {raw.saves:,} "
            f"saves, {raw.rate:,.1f}/s, p50 {1000 * percentile(raw.latencies, 50):.2f} ms"
        )
        if raw.saves and accepted:
            python, pg = 1000 * raw.cpu / raw.saves, 1000 * (raw.postgres_cpu or 0.0) / raw.saves
            known = f", postgres {pg:.2f} (total {python + pg:.2f})" if raw.postgres_cpu is not None else ""
            print(f"   CPU ms per raw save: python {python:.2f}{known}")
            if load.cpu_split and python + pg > 0:
                per_registration = 1000 * sum(load.cpu_split.values()) / len(accepted)
                print(
                    f"   CPU per registration / per raw save = {per_registration / (python + pg):.1f}x "
                    "(steadier than the throughput ratio on a busy machine)"
                )
        if raw.rate:
            ratio = rate / raw.rate
            verdict = "meets" if ratio >= TARGET_RATIO else "misses"
            print(f"   registrations/s / raw save = {ratio:.3f} ({verdict} the >= {TARGET_RATIO} target)")
    if load.per_client:
        spread = sorted(load.per_client)
        print(f"   requests per client: min {spread[0]}, median {spread[len(spread) // 2]}, max {spread[-1]}")
    if load.exhausted:
        print(f"   note: {load.exhausted} clients ran out of users before the end (raise --users-per-client)")
    problems = []
    unexpected = {k: v for k, v in labels.items() if k not in ("200", "503 busy", "503 unavailable")}
    if unexpected:
        problems.append(f"unexpected answers: {unexpected}")
    if not_modified:
        problems.append(f"{not_modified} first registrations answered modified false")
    return problems


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    problems: list[str] = []
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        app_name = f"ce_load_{secrets.token_hex(4)}"  # libpq's PGAPPNAME: this run's backends
        env = service_env(workdir, database_url) | {
            "WEB_CONCURRENCY": str(args.web_concurrency),
            "PGAPPNAME": app_name,
        }
        settings = Settings.from_env(env)
        progress(f"set-up: {args.clients * args.users_per_client:,} users and one event, in-process")
        world = build_world(
            settings, args.clients, args.users_per_client, args.raw_seconds, f"{app_name}_raw"
        )

        with contextlib.ExitStack() as servers:
            follower = servers.enter_context(projector(env, workdir))
            api = servers.enter_context(
                gunicorn("api", API_TARGET, env, workdir, f"{PREFIX}/{world.event_id}")
            )
            print(f"service: {revision()}; backend: {label}; projector: campaignevents projector")
            print_machine_busy()
            print(
                f"gunicorn: {GUNICORN_CONF.relative_to(ROOT)}, workers={args.web_concurrency} "
                f"threads={env.get('CAMPAIGNEVENTS_WEB_THREADS', DEFAULT_THREADS)}; api {api.base}; "
                f"{args.clients} clients, {args.users_per_client} users each, "
                f"client timeout {args.timeout:g} s"
            )
            print(
                "registration confirmations: no Redis here, so the projector process runs them in "
                "threads; the users have no e-mail address, so each such job only looks them up"
            )
            progress(f"register: {args.clients} clients for {args.seconds:g} s")
            load = register_load(
                api.base,
                world,
                seconds=args.seconds,
                timeout=args.timeout,
                stop=stop,
                pids=(api.process.pid, follower.process.pid),
                backends=(lambda: backend_pids(database_url, app_name)) if settings.is_postgres else None,
            )
            problems += report(load, args, world.raw)

            progress("check: waiting for the read models, then listing everyone")
            services = build_services(settings)
            try:
                reached, head, position = wait_caught_up(services, 120, stop)
            finally:
                services.close()
            if not reached:
                problems.append(f"the read models stayed at {position} of {head}")
            started = time.perf_counter()
            rows = list_everyone(api.base, world, stop)
            listed_in = time.perf_counter() - started
            check = check_listing(load, rows)
            accepted = sum(1 for a in load.attempts if a.label == "200" and a.modified is True)
            print(
                f"\n2. check: {len(rows):,} participants listed as the organizer in "
                f"{-(-len(rows) // LIST_PAGE):,} pages ({listed_in:.1f} s); {accepted:,} accepted"
            )
            verdict = "yes" if not check else "NO"
            print(f"   every accepted registration listed exactly once, nothing else: {verdict}")
            problems += check
            if load.samples:
                print("   samples of answers other than an accepted registration:")
                for sample in load.samples[:5]:
                    print(f"     {sample}")
            if problems:
                print(f"api server output other than its access log (last lines):\n{api.log_tail()}")

    print(f"\nproblems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (default 200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument(
        "--users-per-client", type=int, default=100, help="users made for each client (default 100)"
    )
    parser.add_argument("--web-concurrency", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--raw-seconds", type=float, default=5.0, help="seconds of the raw-save baseline (default 5; 0: none)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="client timeout per request, s (default 60)"
    )
    parser.set_defaults(database_url=POSTGRES_URL)
    args = parse(parser, argv)
    if not 1 <= args.clients <= 1000 or not 0 < args.seconds <= 3600:
        parser.error("--clients must be in [1, 1000] and --seconds in (0, 3600]")
    if not 1 <= args.users_per_client <= 10_000 or args.clients * args.users_per_client > 500_000:
        parser.error("--users-per-client must be in [1, 10000], and clients x users at most 500000")
    if not 2 <= args.web_concurrency <= 16 or not 0 < args.timeout <= 600:
        parser.error("--web-concurrency must be in [2, 16] and --timeout in (0, 600]")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
