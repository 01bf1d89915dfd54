"""Answer aggregation: participants aggregated per second for one event of 10,000 participants with
answers, next to the raw cost of decrypting as many sealed answers.

One command, no set-up::

    .venv/bin/python bench/bench_aggregation.py [--participants N] [--database-url URL] [--profile N]

Everything runs in-process on a temporary SQLite data dir (or a fresh schema of the PostgreSQL
database given with ``--database-url``), with a ``FakeClock``:

1. set-up   an organizer, one event ending a day after the clock, ``--participants`` users who
            register with answers (gender, affiliate with its free text, confidence), then the
            catalog read model caught up (not measured)
2. measure  the clock moved past the event's end, one ``services.app.aggregate_answers()`` call
            timed: participants aggregated per second; then checked: the event's totals are
            ``--participants`` for each answered question, no answer key is left
            (``services.keys.holders(None, 100000) == []``) and no sealed answer is left in the
            read model
3. if that call left participants due: the Procfile's ``campaignevents projector`` process is
            started (as in production, where it follows the log while the worker aggregates) and
            one more ``aggregate_answers()`` call is timed and checked the same way
4. if some are still due: the job as the worker runs it (``workers.jobs.aggregate_answers``:
            catch up the read models, then aggregate) is run again until a run aggregates nobody
            (bounded), timed and checked the same way
5. baseline ``domain.answers.unseal`` of as many answers sealed under as many keys, per second

It exits 1 if a check failed. The temporary files and schema are removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/bench_aggregation.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from api.keystore import SqlKeyStore, answer_keys
from bench.common import (
    DiscardQueue,
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
from domain import commands
from domain.answers import ALL_QUESTION_IDS, BY_NAME, new_key, seal, unseal, validate_answers
from domain.details import DetailsInput
from domain.ports import FakeClock
from domain.validation import parse_title
from projections.dispatcher import Dispatcher
from projections.runner import CatalogProjection, Projector
from workers import jobs

ANSWERS = {"gender": {"value": 2}, "affiliate": {"value": 1, "other": "x"}, "confidence": {"value": 3}}
EXPECTED_KEYS = sorted(f"{BY_NAME[name].id}:{raw['value']}" for name, raw in ANSWERS.items())
MAX_JOB_RUNS = 1000  # bound on step 3 (on top of --max-seconds)
TARGET = 0.5  # aggregated/s against the raw unseal + key delete (issue 12)


@dataclass
class Check:
    totals: dict[str, int]
    keys_left: int
    sealed_left: int
    expected: int

    @property
    def problems(self) -> list[str]:
        found = []
        wrong = {k: self.totals.get(k, 0) for k in EXPECTED_KEYS if self.totals.get(k, 0) != self.expected}
        if wrong:
            found.append(f"totals {wrong}, expected {self.expected} each")
        extra = sorted(set(self.totals) - set(EXPECTED_KEYS))
        if extra:
            found.append(f"totals for options nobody chose: {extra}")
        if self.keys_left:
            found.append(f"{self.keys_left} answer keys left (expected none)")
        if self.sealed_left:
            found.append(f"{self.sealed_left} sealed answers left in the read model (expected none)")
        return found


def event_details(clock: FakeClock) -> DetailsInput:
    title = parse_title("Event:Bench aggregation")
    assert title is not None
    start = clock.now() + timedelta(hours=12)
    return DetailsInput(
        page=title,
        timezone="UTC",
        start=start.strftime("%Y%m%d%H%M%S"),
        end=(start + timedelta(hours=12)).strftime("%Y%m%d%H%M%S"),
        wikis=[],
        online=True,
    )


def quiet_dispatcher(services: Services) -> None:
    """The set-up's registration confirmations are not what is measured: the dispatcher advances
    past them without running them (there is no Redis here; they would run in threads)."""
    projections = [CatalogProjection(), Dispatcher(DiscardQueue())]
    services.projector = Projector(services.app, services.store, projections=projections)


def build_event(services: Services, clock: FakeClock, participants: int) -> int:
    app = services.app
    organizer = app.create_user(commands.CreateUser("Bench Organizer", None, ("event-organizer",)))
    event_id = app.enable_registration(
        commands.EnableRegistration(organizer.user_id, event_details(clock))
    ).event_id
    started = time.perf_counter()
    for n in range(participants):
        user = app.create_user(commands.CreateUser(f"Bench participant {n}"))
        app.register_participant(commands.RegisterParticipant(user.user_id, event_id, n % 4 == 3, ANSWERS))
        if (n + 1) % 2000 == 0:
            rate = (n + 1) / (time.perf_counter() - started)
            progress(f"set-up: {n + 1:,} participants with answers ({rate:,.0f}/s)")
    progress("set-up: catching up the read model")
    services.projector.catch_up()
    return event_id


def check(services: Services, event_id: int, expected: int) -> Check:
    services.projector.catch_up()
    totals = dict(services.app.registration(event_id).answer_counts)
    keys_left = len(services.keys.holders(None, 100_000))
    p = services.store.tables.participants
    query = select(func.count()).where((p.c.event_id == event_id) & p.c.answers_sealed.is_not(None))
    with services.store.connect() as conn:
        sealed_left = int(conn.execute(query).scalar_one())
    return Check(totals, keys_left, sealed_left, expected)


def print_check(found: Check) -> None:
    totals = ", ".join(f"{k}={found.totals.get(k, 0):,}" for k in EXPECTED_KEYS)
    print(
        f"   totals (question:option=count): {totals}; keys left: {found.keys_left:,}; "
        f"sealed answers left: {found.sealed_left:,} -- {'OK' if not found.problems else 'WRONG'}"
    )


def unseal_baseline(participants: int) -> float:
    """Seconds to unseal ``participants`` answer sets, each sealed under its own key."""
    answers = validate_answers(ANSWERS, set(ALL_QUESTION_IDS))
    sealed = []
    for _ in range(participants):
        key = new_key()
        sealed.append((seal(answers, key), key))
    started = time.perf_counter()
    for text, key in sealed:
        if unseal(text, key) != answers:
            raise RuntimeError("unseal gave other answers than were sealed")
    return time.perf_counter() - started


RAW_EVENT = 2_000_000_000  # the raw baseline's keys: an event id no set-up uses


def unseal_delete_baseline(keys: SqlKeyStore, participants: int) -> float:
    """Seconds to unseal ``participants`` answer sets, each under its own key held in the key
    store, and delete those keys in one transaction (the aggregation's engine-bound work). The
    keys are inserted untimed, in one transaction."""
    answers = validate_answers(ANSWERS, set(ALL_QUESTION_IDS))
    held = [new_key() for _ in range(participants)]
    sealed = [seal(answers, key) for key in held]
    with keys.engine.begin() as conn:
        conn.execute(
            insert(answer_keys),
            [
                {"event_id": RAW_EVENT, "user_id": n, "key_id": "raw", "key": key, "created_at": 0.0}
                for n, key in enumerate(held, 1)
            ],
        )
    started = time.perf_counter()
    for text, key in zip(sealed, held, strict=True):
        if unseal(text, key) != answers:
            raise RuntimeError("unseal gave other answers than were sealed")
    keys.destroy_participants(RAW_EVENT, list(range(1, participants + 1)))
    return time.perf_counter() - started


def timed_call(services: Services, profile: int = 0) -> tuple[int, float]:
    """One ``aggregate_answers()`` call: (participants aggregated, seconds); prints its report,
    and with ``profile`` its cProfile's top functions by own time and by cumulative time."""
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    report = services.app.aggregate_answers()
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler is not None:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(profile)
            print(f"   profile (cProfile, by {order}; times include its overhead):")
            print("\n".join("   " + line for line in out.getvalue().splitlines() if line.strip()))
    rate = report.participants / seconds if seconds > 0 else 0.0
    print(
        f"   aggregated {report.participants:,} participants of {report.events} event(s), "
        f"destroyed {report.keys_destroyed:,} spent keys, in {seconds:.2f} s = {rate:,.1f} participants/s"
    )
    return report.participants, seconds


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    problems: list[str] = []
    n = args.participants
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        settings = Settings.from_env(env)
        clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
        init_store(settings)
        services = build_services(settings, clock)
        stack.callback(services.close)
        quiet_dispatcher(services)
        progress(f"set-up: {n:,} participants with answers, in-process")
        event_id = build_event(services, clock, n)

        print(f"service: {revision()}; backend: {label}; in-process, FakeClock")
        print_machine_busy()
        clock.advance(days=2)
        print(f"\n1. one services.app.aggregate_answers() call, {n:,} participants due, no projector running")
        aggregated, seconds = timed_call(services, args.profile)
        rate = aggregated / seconds if seconds > 0 else 0.0
        found = check(services, event_id, n)
        print_check(found)
        problems += [f"one call: {p}" for p in found.problems]
        rates = {"one call, no projector": rate}

        if found.sealed_left:
            print(
                f"\n2. one more call on the {found.sealed_left:,} left, with the Procfile's "
                "campaignevents projector process following the log (as in production)"
            )
            stack.enter_context(projector(env, workdir))
            more, more_seconds = timed_call(services)
            found = check(services, event_id, n)
            print_check(found)
            problems += [f"with the projector: {p}" for p in found.problems]
            rates["one call, projector process running"] = more / more_seconds if more_seconds > 0 else 0.0

        if found.sealed_left:
            print(
                "\n3. the rest: workers.jobs.aggregate_answers() (catch-up, then aggregate), "
                "run again until a run aggregates nobody"
            )
            runs = total = 0
            deadline = time.perf_counter() + args.max_seconds
            started = time.perf_counter()
            while runs < MAX_JOB_RUNS and time.perf_counter() < deadline and not stop.is_set():
                runs += 1
                done = jobs.aggregate_answers(replace(services.jobs, projector=services.projector))[
                    "participants"
                ]
                total += done
                if done == 0:
                    break
            job_seconds = time.perf_counter() - started
            print(
                f"   {runs} more run(s) aggregated {total:,} participants in {job_seconds:.2f} s = "
                f"{total / job_seconds:,.1f} participants/s"
            )
            found = check(services, event_id, n)
            print_check(found)
            problems += [f"job runs: {p}" for p in found.problems]
            rates["the job, run again until done"] = total / job_seconds if job_seconds > 0 else 0.0

        progress("baseline: unseal")
        raw_seconds = unseal_baseline(n)
        raw_rate = n / raw_seconds
        print(f"\nbaseline: unseal {n:,} answer sets in {raw_seconds:.3f} s = {raw_rate:,.0f} per second")
        for name, value in rates.items():
            print(f"   aggregated/s / unsealed/s = {value / raw_rate:.4f} ({name})")
        progress("baseline: unseal + key delete")
        both_seconds = unseal_delete_baseline(services.keys, n)
        both_rate = n / both_seconds
        print(
            f"baseline: unseal {n:,} answer sets + delete their keys in one transaction in "
            f"{both_seconds:.3f} s = {both_rate:,.0f} per second"
        )
        for name, value in rates.items():
            ratio = value / both_rate
            verdict = "meets" if ratio >= TARGET else "below"
            print(f"   aggregated/s / (unseal + delete)/s = {ratio:.4f} ({name}; {verdict} >= {TARGET})")

    print(f"\nproblems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument("--participants", type=int, default=10_000, help="size of the event (default 10000)")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile the first call (cProfile; its rate then includes the overhead) and print its top N "
        "functions (default 0: no profile)",
    )
    parser.add_argument(
        "--max-seconds", type=float, default=1800.0, help="bound on the repeated job runs (default 1800)"
    )
    args = parse(parser, argv)
    if not 1 <= args.participants <= 100_000:
        parser.error("--participants must be in [1, 100000]")
    if not 0 < args.max_seconds <= 7200:
        parser.error("--max-seconds must be in (0, 7200]")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
