"""The projector SIGKILLed during a long catch-up, restarted until it is caught up, and its read
models compared with a clean replay.

One command, no set-up::

    .venv/bin/python bench/fault_projector.py [--events 1000000] [--kills 3] [--seed N] [--database-url URL]

Set-up, in-process: an organizer and 20 events (through the application's commands), then a log
of ``--events`` events built quickly with the application's ``save(*aggregates)``, 2,000
aggregates per call: accounts (``Account.Created``), one participant per account in one of the
20 events (``ParticipantRegistered``), and for every fifth participant a second fact, a privacy
change or a cancellation. The dispatcher's position is advanced past the set-up in-process (the
registration confirmations of a bulk load are not what is measured), so the projector process
catches up the catalog read model only. Then:

1. kills     ``--kills`` times: start ``campaignevents projector``, wait until its position passes
             a random point of what is left plus a random fraction of a second, SIGKILL it, and
             read the position it had committed
2. catch-up  start it again and time it until the catalog reaches the log's head: events/s of
             that run, and of every run together; next to the raw baseline, reading and decoding
             the same notifications in-process (what a catch-up reads, nothing applied)
3. verify    ``campaignevents replay --verify --quiet``: a clean replay into scratch tables,
             compared row by row with the read models the killed projectors left (0 differing
             rows expected)
4. replay    ``campaignevents replay --quiet``: every read model rebuilt and switched, its events/s
             next to the raw baseline; then ``replay --verify`` again (0 differing rows expected)

It exits 1 if a check failed. Every process it starts is stopped and every file, directory and
schema it creates is removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/fault_projector.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from bench.common import (
    PostgresCpu,
    database,
    parse,
    print_machine_busy,
    progress,
    projector,
    revision,
    script_main,
    script_parser,
    service_env,
)
from bench.faults_common import DropJobs, cli, event_details, positions
from domain import commands
from domain.accounts import Account
from domain.participants import Participant
from projections.dispatcher import Dispatcher
from projections.runner import Projector

EVENTS = 20  # registrations the participants are spread over
CHUNK = 2000  # aggregates per save()
FIRST_USER_ID = 10_000_000  # bulk accounts' ids: clear of the users sequence (the organizer is 1)
VERIFIED = re.compile(r"^(\d+) differing rows$", re.MULTILINE)
REPLAYED = re.compile(
    r"^replayed (?P<events>\d+) events to position \d+ in (?P<seconds>[\d.]+)s", re.MULTILINE
)
POLL = 0.05


# --- set-up (in-process, not measured) ----------------------------------------------------


@dataclass
class Built:
    events: int  # in the log
    accounts: int
    participants: int
    cancelled: int
    seconds: float


def build_log(settings: Settings, target: int) -> Built:
    init_store(settings)
    services = build_services(settings)
    try:
        app = services.app
        organizer = app.create_user(commands.CreateUser("Fault organizer", None, ("event-organizer",)))
        start = datetime.now(UTC) + timedelta(days=30)
        event_ids = [
            app.enable_registration(
                commands.EnableRegistration(
                    organizer.user_id, event_details(f"Event:Fault projector {n}", start)
                )
            ).event_id
            for n in range(EVENTS)
        ]
        registrations = [app.registration(e) for e in event_ids]
        started = time.perf_counter()
        head = app.recorder.max_notification_id() or 0
        accounts = cancelled = 0
        reported = 0
        while head < target:
            at = datetime.now(UTC)
            aggregates: list[Any] = []
            planned = head
            while len(aggregates) < CHUNK and planned < target:
                n = accounts + len(aggregates) // 2
                user_id = FIRST_USER_ID + n
                account = Account.create(
                    user_id=user_id,
                    requested_name=f"Fault user {n}",
                    email=None,
                    groups=[],
                    token_hash=f"{n:064x}",
                    password_hash=None,
                    name_taken=lambda _name: False,
                    performed_by=None,
                    at=at,
                )
                registration = registrations[n % EVENTS]
                participant = Participant.register(registration, account, n % 4 == 3, answering=False, at=at)
                if n % 10 == 4:  # a privacy change
                    participant.register_again(
                        registration, account, not participant.private, answering=False, at=at
                    )
                elif n % 10 == 9:
                    participant.cancel(registration, account, at)
                    cancelled += 1
                aggregates += [account, participant]
                planned += 2 + (n % 5 == 4)
            app.save(*aggregates)
            accounts += len(aggregates) // 2
            head = app.recorder.max_notification_id() or 0
            if head - reported >= 100_000:
                reported = head
                progress(f"set-up: {head:,} events ({head / (time.perf_counter() - started):,.0f}/s)")
        seconds = time.perf_counter() - started
        progress("set-up: advancing the dispatcher past the set-up's facts (its jobs dropped)")
        Projector(app, services.store, projections=[Dispatcher(DropJobs())]).catch_up()
        return Built(head, accounts, accounts, cancelled, seconds)
    finally:
        services.close()


def read_and_decode_pages(services: Services) -> tuple[int, float]:
    """The raw baseline: the catalog's notifications read in the projector's pages
    (``projections.runner.BATCH``) and decoded by the mapper, nothing applied; (events, seconds)."""
    reader = Projector(services.app, services.store)
    started = time.perf_counter()
    head = services.app.recorder.max_notification_id() or 0
    events = sum(len(page) for page, _ in reader.pages(0, head))
    return events, time.perf_counter() - started


@dataclass
class CpuSplit:
    """Where a step's wall-clock time went: its own process's CPU and PostgreSQL's (None on SQLite)."""

    wall: float
    process: float
    postgres: float | None

    def describe(self) -> str:
        pg = "" if self.postgres is None else f", PostgreSQL's {self.postgres:.2f} s"
        return f"wall {self.wall:.2f} s: its process's CPU {self.process:.2f} s{pg}"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def cpu_split(on_postgres: bool, own: Callable[[], float]) -> Iterator[CpuSplit]:
    """Fill a ``CpuSplit`` for the block; ``own`` reads the CPU seconds of the process doing the work."""
    split = CpuSplit(0.0, 0.0, None)
    started, before = time.perf_counter(), own()
    with PostgresCpu() if on_postgres else contextlib.nullcontext() as pg:
        yield split
    split.wall, split.process = time.perf_counter() - started, own() - before
    split.postgres = pg.seconds if isinstance(pg, PostgresCpu) else None


def child_peak_mib() -> float:
    """The largest peak RSS of the child processes waited for so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# --- kills and catch-up -----------------------------------------------------------------------


@dataclass
class Run:
    name: str
    start: int
    end: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return (self.end - self.start) / self.seconds if self.seconds > 0 else 0.0


def kill_during_catch_up(
    env: dict[str, str], workdir: Path, services: Services, rng: random.Random, n: int, stop: threading.Event
) -> Run:
    head, start, _ = positions(services)
    target = start + int(rng.uniform(0.1, 0.8) * (head - start))
    jitter = rng.uniform(0.0, 0.5)
    with projector(env, workdir) as follower:
        began = time.perf_counter()
        while not stop.is_set():
            follower.check_alive()
            _, position, _ = positions(services)
            if position >= target:
                break
            time.sleep(POLL)
        time.sleep(jitter)
        os.kill(follower.process.pid, signal.SIGKILL)
        killed_at = time.perf_counter()
        follower.process.wait(10)
    _, committed, _ = positions(services)
    note = f"SIGKILL {jitter:.2f} s after passing {target:,}; rc {follower.process.returncode}"
    if committed >= head:
        note += " -- it had caught up already: not a kill during catch-up"
    return Run(f"kill {n}", start, committed, killed_at - began, note)


def catch_up(
    env: dict[str, str], workdir: Path, services: Services, timeout: float, stop: threading.Event
) -> Run:
    head, start, _ = positions(services)
    with projector(env, workdir) as follower:
        began = time.perf_counter()
        while not stop.is_set():
            follower.check_alive()
            _, position, _ = positions(services)
            if position >= head:
                break
            if time.perf_counter() - began > timeout:
                raise RuntimeError(
                    f"the projector was still at {position:,} of {head:,} after {timeout:.0f} s"
                )
            time.sleep(POLL)
        seconds = time.perf_counter() - began
    return Run("final catch-up", start, positions(services)[1], seconds)


def counts(services: Services) -> tuple[int, int, int]:
    """Rows of users, participants and active participants in the live read model."""
    t = services.store.tables
    with services.store.connect() as conn:
        users = conn.execute(select(func.count()).select_from(t.users)).scalar_one()
        participants = conn.execute(select(func.count()).select_from(t.participants)).scalar_one()
        active = conn.execute(
            select(func.count()).select_from(t.participants).where(t.participants.c.active.is_(True))
        ).scalar_one()
    return int(users), int(participants), int(active)


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    problems: list[str] = []
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed)
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        settings = Settings.from_env(env)
        progress(f"set-up: a log of {args.events:,} events, in-process")
        built = build_log(settings, args.events)
        print(f"service: {revision()}; backend: {label}; seed {seed}")
        print(
            f"log: {built.events:,} events (accounts {built.accounts:,}, "
            f"participants {built.participants:,}, of which {built.cancelled:,} cancelled) "
            f"built in {built.seconds:.1f} s "
            f"({built.events / built.seconds:,.0f} events/s with save(*aggregates), {CHUNK} aggregates each)"
        )
        print_machine_busy()
        services = build_services(settings)
        stack.callback(services.close)

        runs: list[Run] = []
        for n in range(1, args.kills + 1):
            progress(f"kill {n}: projector started, to be SIGKILLed at a random point of its catch-up")
            killed = kill_during_catch_up(env, workdir, services, rng, n, stop)
            runs.append(killed)
            if killed.end < killed.start:
                problems.append(f"kill {n}: the position went back from {killed.start} to {killed.end}")
        progress("catch-up: projector started, until it reaches the log's head")
        runs.append(catch_up(env, workdir, services, args.max_seconds, stop))

        print(f"\n1-2. projector runs (catalog position, of {built.events:,}):")
        print(f"   {'run':<16} {'from':>10} {'to':>10} {'seconds':>8} {'events/s':>9}  note")
        for r in runs:
            print(f"   {r.name:<16} {r.start:>10,} {r.end:>10,} {r.seconds:>8.1f} {r.rate:>9,.0f}  {r.note}")
        total = sum(r.seconds for r in runs)
        print(
            f"   catch-up events/s: {runs[-1].rate:,.0f} (the final run); "
            f"{built.events / total:,.0f} over all {len(runs)} runs ({total:.1f} s with the kills)"
        )
        with cpu_split(settings.is_postgres, time.process_time) as raw_cpu:
            raw_events, raw_seconds = read_and_decode_pages(services)
        raw_rate = raw_events / raw_seconds if raw_seconds > 0 else 0.0
        print(
            f"   raw baseline, reading + decoding the same notifications in-process: {raw_events:,} events "
            f"in {raw_seconds:.1f} s = {raw_rate:,.0f} events/s; final catch-up / raw = "
            f"{runs[-1].rate / raw_rate if raw_rate else 0.0:.3f}"
        )
        print(f"   raw baseline's {raw_cpu.describe()}")
        print(
            f"   peak RSS of the largest child so far (the projector runs): {child_peak_mib():,.0f} MiB; "
            f"this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
        )
        head, position, _ = positions(services)
        if position != head:
            problems.append(f"the catalog ended at {position} of {head}")
        users, participants, active = counts(services)
        expected = (built.accounts + 1, built.participants, built.participants - built.cancelled)
        print(f"   read model rows: users {users:,}, participants {participants:,} ({active:,} active)")
        if (users, participants, active) != expected:
            problems.append(f"read model rows {(users, participants, active)}, expected {expected}")

        progress("verify: campaignevents replay --verify --quiet")
        started = time.perf_counter()
        done = cli(env, "replay", "--verify", "--quiet", timeout=args.max_seconds)
        seconds = time.perf_counter() - started
        found = VERIFIED.search(done.stdout)
        print(f"\n3. verify: campaignevents replay --verify --quiet, exit {done.returncode}, {seconds:.1f} s")
        if found is None:
            problems.append(
                f"unexpected output of replay --verify: {done.stdout[-500:]!r} {done.stderr[-1500:]!r}"
            )
        else:
            print(f"   {found[0]}")
            for line in done.stdout.splitlines()[:10]:
                if line != found[0]:
                    print(f"   {line}")
            if int(found[1]) != 0 or done.returncode != 0:
                problems.append(f"replay --verify: {found[0]}")
        print(
            f"   (a clean rebuild plus the comparison: {built.events / seconds:,.0f} events/s all in; "
            f"/ raw = {built.events / seconds / raw_rate if raw_rate else 0.0:.3f})"
        )
        print(f"   peak RSS of the largest child (replay --verify, a projector): {child_peak_mib():,.0f} MiB")

        progress("replay: campaignevents replay --quiet, then replay --verify --quiet")
        problems += replay_and_verify(env, args.max_seconds, raw_rate, settings.is_postgres)

    print(f"\nproblems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


def replay_and_verify(env: dict[str, str], timeout: float, raw_rate: float, on_postgres: bool) -> list[str]:
    """4. ``campaignevents replay`` (its own timing: the rebuild and the switch, without the
    process's start-up) next to the raw baseline, then ``replay --verify`` of the switched tables.
    Also where the replay's wall-clock time went: its process's CPU (start-up included) and, on
    PostgreSQL, the server's: when they add up to the wall, the two never ran at once."""
    problems: list[str] = []
    with cpu_split(on_postgres, children_cpu) as split:
        done = cli(env, "replay", "--quiet", timeout=timeout)
    found = REPLAYED.search(done.stdout)
    print(f"\n4. replay: campaignevents replay --quiet, exit {done.returncode}")
    if found is None or done.returncode != 0:
        problems.append(f"unexpected output of replay: {done.stdout[-500:]!r} {done.stderr[-1500:]!r}")
    else:
        rate = int(found["events"]) / float(found["seconds"])
        print(
            f"   replayed {int(found['events']):,} events in {float(found['seconds']):.1f} s = {rate:,.0f} "
            f"events/s; replay / raw = {rate / raw_rate if raw_rate else 0.0:.3f}"
        )
        print(f"   the replay process, start-up included: {split.describe()}")
    checked = cli(env, "replay", "--verify", "--quiet", timeout=timeout)
    verified = VERIFIED.search(checked.stdout)
    print(f"   then replay --verify: {verified[0] if verified else checked.stdout[-200:]!r}")
    if verified is None or int(verified[1]) != 0 or checked.returncode != 0:
        problems.append(f"replay --verify after the replay: {checked.stdout[-500:]!r}")
    print(f"   peak RSS of the largest child so far: {child_peak_mib():,.0f} MiB")
    return problems


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the log (default 1000000)")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs during the catch-up (default 3)")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the kill points")
    parser.add_argument(
        "--max-seconds", type=float, default=3600.0, help="bound on the final catch-up and on the verify"
    )
    args = parse(parser, argv)
    if not 10_000 <= args.events <= 10_000_000 or not 0 <= args.kills <= 20:
        parser.error("--events must be in [10000, 10000000] and --kills in [0, 20]")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
