"""History, time travel and worklist paging over real HTTP, against a long-lived registration.

One command, no set-up::

    .venv/bin/python bench/bench_history.py [--facts 10000] [--articles 100000] [--database-url URL]

Set-up, in-process (``build_services(...).app`` with a ``FakeClock`` one second per fact, so each
fact has its own second): an organizer, one event whose history holds ``--facts`` facts (the
enablement, then edits of its chat URL and participant registrations in turn), a second event for
the worklist, and the read models caught up. Then the Procfile's ``projector`` and the API under
the project's gunicorn config on a free 127.0.0.1 port, and:

1. history   GET .../{id}/history?limit=50 as the organizer: the first page and the last page
             (``last_id`` 50 before the end); pages/s of each and their ratio (target: within 2x)
2. as_of     GET .../{id}?as_of=<moment> at an early and a late fact, next to the current-state
             GET .../{id}, one client (latency, not throughput); each as_of answer is checked
             against the chat URL of that moment; the ratios as_of / current
3. worklist  PATCH .../{id2}/worklist as the organizer, ``--chunk`` titles each, up to
             ``--articles``; then GET .../{id2}/worklist at offset 0 and at the last page
             (offset ``--articles`` - 20); pages/s of each and their ratio (target: within 2x)

It exits 1 if any request or check failed. Every process it starts is stopped and every file,
directory and schema it creates is removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/bench_history.py``
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
    Phase,
    Request,
    database,
    drive,
    gunicorn,
    new_session,
    parse,
    print_machine_busy,
    progress,
    projector,
    revision,
    script_main,
    script_parser,
    service_env,
    ts_mw,
)
from bench.faults_common import bulk_users, discard_setup_jobs, event_details, json_body
from domain import commands
from domain.ports import FakeClock

HISTORY_PAGE = 50
WORKLIST_PAGE = 20  # api.routes.worklist.DEFAULT_LIMIT
EDGE_FACTS = 100  # the early/late as_of moments: this many facts from each end
CHAT = "https://chat.example.org/edit-{}"


# --- set-up (in-process, not measured) ----------------------------------------------------


@dataclass
class World:
    event_id: int
    worklist_event_id: int
    organizer_token: str
    moments: list[datetime] = field(default_factory=list)  # fact n (1-based) at moments[n - 1]
    chat_urls: list[str | None] = field(default_factory=list)  # the chat URL after fact n
    registered: int = 0
    edits: int = 0


def build_world(settings: Settings, facts: int) -> World:
    """The organizer, the event with ``facts`` facts in its history (each in its own second of
    the ``FakeClock``), the worklist's event, and the read models caught up."""
    init_store(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    clock = FakeClock(now - timedelta(seconds=facts + 600))
    services = build_services(settings, clock=clock)
    discard_setup_jobs(services)
    try:
        app = services.app
        organizer = app.create_user(
            commands.CreateUser("Bench history organizer", None, ("event-organizer",))
        )
        participants = facts // 2
        users = bulk_users(
            app, [f"Bench history participant {n}" for n in range(participants)], at=clock.now()
        )
        start = now + timedelta(days=30)
        details = event_details("Event:Bench history", start)
        written = app.enable_registration(commands.EnableRegistration(organizer.user_id, details))
        world = World(written.event_id, 0, organizer.token, [clock.now()], [None])
        started = time.perf_counter()
        for n in range(2, facts + 1):
            clock.advance(seconds=1)
            chat: str | None
            if n % 2 == 0:
                chat = CHAT.format(n)
                edit = commands.EditRegistration(
                    organizer.user_id, world.event_id, replace(details, chat_url=chat)
                )
                app.edit_registration(edit)
                world.edits += 1
            else:
                user = users[world.registered]
                app.register_participant(
                    commands.RegisterParticipant(user.user_id, world.event_id, world.registered % 4 == 3)
                )
                world.registered += 1
                chat = world.chat_urls[-1]
            world.moments.append(clock.now())
            world.chat_urls.append(chat)
            if n % 2000 == 0:
                progress(f"set-up: {n:,} facts ({n / (time.perf_counter() - started):,.0f}/s)")
        clock.advance(seconds=1)
        second = app.enable_registration(
            commands.EnableRegistration(organizer.user_id, event_details("Event:Bench worklist", start))
        )
        world.worklist_event_id = second.event_id
        progress("set-up: catching up the read models")
        services.projector.catch_up()
        return world
    finally:
        services.close()


# --- requests ---------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def history_request(base: str, world: World, after: int | None, first_id: int) -> Request:
    query = f"limit={HISTORY_PAGE}" + (f"&last_id={after}" if after is not None else "")
    url = f"{base}{PREFIX}/{world.event_id}/history?{query}"
    headers = bearer(world.organizer_token)

    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, headers=headers, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET history?{query} -> {resp.status_code} {resp.text[:200]}"
        rows = resp.json()
        ids = [r["id"] for r in rows]
        if ids != list(range(first_id, first_id + HISTORY_PAGE)):
            return f"GET history?{query} -> ids {ids[:3]}..{ids[-3:]}, expected {first_id}..+{HISTORY_PAGE}"
        return None

    return request


def details_request(base: str, world: World, fact: int | None) -> Request:
    """GET the registration now (``fact`` None) or as of fact ``fact``'s moment; the chat URL must
    be the one of that moment."""
    query = f"?as_of={ts_mw(world.moments[fact - 1])}" if fact is not None else ""
    url = f"{base}{PREFIX}/{world.event_id}{query}"
    headers = bearer(world.organizer_token)
    expected = world.chat_urls[fact - 1] if fact is not None else world.chat_urls[-1]

    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, headers=headers, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET {query or 'now'} -> {resp.status_code} {resp.text[:200]}"
        chat = resp.json().get("chat_url")
        if chat != expected:
            return f"GET {query or 'now'} -> chat_url {chat!r}, expected {expected!r}"
        return None

    return request


def worklist_request(base: str, world: World, offset: int, total: int) -> Request:
    url = f"{base}{PREFIX}/{world.worklist_event_id}/worklist?offset={offset}&limit={WORKLIST_PAGE}"

    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET worklist?offset={offset} -> {resp.status_code} {resp.text[:200]}"
        data = resp.json()
        ids = [a["id"] for a in data["articles"]]
        if data["total"] != total or ids != list(range(offset + 1, offset + 1 + WORKLIST_PAGE)):
            return f"GET worklist?offset={offset} -> total {data['total']}, ids {ids[:2]}..{ids[-2:]}"
        return None

    return request


def fill_worklist(base: str, world: World, articles: int, chunk: int, stop: threading.Event) -> list[float]:
    """PATCH the worklist as the organizer, ``chunk`` new titles a time; the seconds of each."""
    url = f"{base}{PREFIX}/{world.worklist_event_id}/worklist"
    headers = bearer(world.organizer_token) | {"Content-Type": "application/json"}
    seconds: list[float] = []
    with new_session() as session:
        for first in range(0, articles, chunk):
            if stop.is_set():
                break
            titles = [f"Bench article {n}" for n in range(first + 1, min(first + chunk, articles) + 1)]
            started = time.perf_counter()
            resp = session.patch(
                url, data=json_body({"add": {"local": titles}}), headers=headers, timeout=120
            )
            seconds.append(time.perf_counter() - started)
            if resp.status_code != 204:
                raise RuntimeError(f"PATCH worklist at {first:,} -> {resp.status_code} {resp.text[:300]}")
    return seconds


# --- report -----------------------------------------------------------------------------------


def phase_line(p: Phase) -> str:
    server = f"{100 * p.server_cpu / p.elapsed:.0f}%" if p.server_cpu is not None and p.elapsed else "n/a"
    return (
        f"   {p.name:<22} {p.requests:>9} {p.rate:>9.1f} {p.percentile_ms(50):>8.2f} "
        f"{p.percentile_ms(99):>8.2f} {p.errors:>7} {server:>11}"
    )


def header() -> str:
    return (
        f"   {'request':<22} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'server CPU':>11}"
    )


def verdict(ratio: float) -> str:
    return ("within" if ratio <= 2 else "NOT within") + " the 2x target"


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    problems: list[str] = []
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        settings = Settings.from_env(env)
        progress(f"set-up: one event with {args.facts:,} facts, in-process")
        started = time.perf_counter()
        world = build_world(settings, args.facts)
        progress(f"set-up: done in {time.perf_counter() - started:.1f} s")

        follower = stack.enter_context(projector(env, workdir))
        api = stack.enter_context(gunicorn("api", API_TARGET, env, workdir, f"{PREFIX}/{world.event_id}"))
        print(f"service: {revision()}; backend: {label}; projector: campaignevents projector")
        print_machine_busy()
        print(
            f"gunicorn: {GUNICORN_CONF.relative_to(ROOT)}, workers={env.get('WEB_CONCURRENCY', '2')} "
            f"threads={env.get('CAMPAIGNEVENTS_WEB_THREADS', DEFAULT_THREADS)}; api {api.base}; "
            f"clients: {args.clients} threads, {args.seconds:g} s per measurement after 1 s warm-up"
        )
        print(
            f"event {world.event_id}: {args.facts:,} facts = 1 enablement + {world.edits:,} edits + "
            f"{world.registered:,} participant registrations, one second apart"
        )
        pids = (api.process.pid, follower.process.pid)

        def measure(name: str, request: Request, clients: int) -> Phase:
            drive(name, request, clients=clients, seconds=1.0, stop=stop, server_pids=pids)
            phase = drive(name, request, clients=clients, seconds=args.seconds, stop=stop, server_pids=pids)
            problems.extend(f"{name}: {s}" for s in phase.error_samples)
            return phase

        # 1. history pages
        progress("history: first and last page")
        last_after = args.facts - HISTORY_PAGE
        history = [
            measure("history first page", history_request(api.base, world, None, 1), args.clients),
            measure(
                "history last page",
                history_request(api.base, world, last_after, last_after + 1),
                args.clients,
            ),
        ]
        print(f"\n1. history: GET .../{world.event_id}/history?limit={HISTORY_PAGE} as the organizer")
        print(header())
        for p in history:
            print(phase_line(p))
        if history[0].rate and history[1].rate:
            ratio = history[0].rate / history[1].rate
            print(f"   last/first page cost (first page/s / last page/s) = {ratio:.2f} -- {verdict(ratio)}")

        # 2. as_of against the current state, one client
        progress("as_of: early, late and current, one client")
        early, late = EDGE_FACTS, args.facts - EDGE_FACTS
        details = [
            measure("details now", details_request(api.base, world, None), 1),
            measure(f"as_of fact {early:,}", details_request(api.base, world, early), 1),
            measure(f"as_of fact {late:,}", details_request(api.base, world, late), 1),
        ]
        print(f"\n2. as_of: GET .../{world.event_id}[?as_of=] as the organizer, one client")
        print(header())
        for p in details:
            print(phase_line(p))
        now_p50 = details[0].percentile_ms(50)
        if now_p50 > 0:
            for p in details[1:]:
                print(f"   {p.name} / details now = {p.percentile_ms(50) / now_p50:.1f}x (p50 latency)")

        # 3. worklist
        progress(f"worklist: PATCH {args.articles:,} titles in chunks of {args.chunk:,}")
        seconds = fill_worklist(api.base, world, args.articles, args.chunk, stop)
        print(
            f"\n3. worklist: {args.articles:,} articles by PATCH .../{world.worklist_event_id}/worklist, "
            f"{len(seconds)} requests of {args.chunk:,} titles"
        )
        if seconds:
            print(
                f"   PATCH seconds: first {seconds[0]:.2f}, last {seconds[-1]:.2f}, "
                f"median {sorted(seconds)[len(seconds) // 2]:.2f}, total {sum(seconds):.1f} "
                f"({args.articles / sum(seconds):,.0f} titles/s)"
            )
        last_offset = args.articles - WORKLIST_PAGE
        worklist = [
            measure("worklist offset 0", worklist_request(api.base, world, 0, args.articles), args.clients),
            measure(
                f"worklist offset {last_offset:,}",
                worklist_request(api.base, world, last_offset, args.articles),
                args.clients,
            ),
        ]
        print(header())
        for p in worklist:
            print(phase_line(p))
        if worklist[0].rate and worklist[1].rate:
            ratio = worklist[0].rate / worklist[1].rate
            print(f"   last/first page cost (first page/s / last page/s) = {ratio:.2f} -- {verdict(ratio)}")
        if problems:
            print(f"api server output other than its access log (last lines):\n{api.log_tail()}")

    print(f"\nproblems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument(
        "--facts", type=int, default=10_000, help="facts in the event's history (default 10000)"
    )
    parser.add_argument("--articles", type=int, default=100_000, help="worklist size (default 100000)")
    parser.add_argument("--chunk", type=int, default=5_000, help="titles per worklist PATCH (default 5000)")
    parser.add_argument("--clients", type=int, default=4, help="client threads for page rates (default 4)")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per request (default 5)")
    args = parse(parser, argv)
    if not 2 * EDGE_FACTS + HISTORY_PAGE <= args.facts <= 200_000:
        parser.error(f"--facts must be in [{2 * EDGE_FACTS + HISTORY_PAGE}, 200000]")
    if not WORKLIST_PAGE <= args.articles <= 1_000_000 or not 1 <= args.chunk <= 20_000:
        parser.error("--articles must be in [20, 1000000] and --chunk in [1, 20000]")
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 600:
        parser.error("--clients must be in [1, 64] and --seconds in (0, 600]")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
