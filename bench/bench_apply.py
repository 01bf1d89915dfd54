"""What the read models cost per write when a batch holds one write (a lone client's request):
the projector's catch-up after each event create and each registration, per projection, next to
the CPU of the command that recorded the write, in the same run.

One command, no set-up::

    .venv/bin/python bench/bench_apply.py [--writes 300] [--database-url URL]

Everything runs in-process on a temporary SQLite data dir (or a fresh schema of the PostgreSQL
database given with ``--database-url``), with every projection the service runs (the bootstrap's
list); the jobs the dispatcher and the places fold enqueue are dropped (no Redis; in-process they
would run in threads of this process and be counted):

1. set-up   an organizer, one event and ``2 x --writes`` users (not measured), warm-up writes
2. create   ``--writes`` times: ``enable_registration`` (timed: the command), then
            ``projector.catch_up()`` (timed: the catch-up, and each projection's ``apply``)
3. register ``--writes`` times: ``register_participant`` into the one event, then the catch-up

Per phase it prints the command's CPU per write (its loads, rules and the event store's save: the
baseline), the catch-up's CPU per write and its ratio to the command's, and the CPU of each
projection's ``apply`` (the rest of the catch-up is the runner: positions, reading and decoding
the log, the transaction and the tracking rows). On PostgreSQL the server's CPU is printed too.
CPU is ``time.process_time`` of this process. The temporary files and schema are removed, also on
Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/bench_apply.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from bench.bench_registrations import event_details
from bench.common import (
    DiscardQueue,
    PostgresCpu,
    database,
    parse,
    print_machine_busy,
    progress,
    revision,
    script_main,
    script_parser,
    service_env,
)
from domain import commands


@dataclass
class Phase:
    name: str
    writes: int = 0
    command: float = 0.0  # CPU seconds of the commands
    catch_up: float = 0.0  # CPU seconds of the catch-ups
    wall: float = 0.0  # seconds of the catch-ups
    postgres: float | None = None  # the server's CPU seconds over the whole phase
    applies: dict[str, float] = field(default_factory=dict)  # CPU seconds of each projection's apply


def drop_jobs(services: Services) -> None:
    """The jobs the dispatcher and the places fold would enqueue are not what is measured."""
    for projection in services.projector.projections:
        if hasattr(projection, "queue"):
            projection.queue = DiscardQueue()  # type: ignore[attr-defined]


def time_applies(services: Services, phase: list[Phase]) -> None:
    """Each projection's ``apply`` adds its CPU seconds to the current phase (``phase[0]``)."""
    for projection in services.projector.projections:
        inner = projection.apply

        def timed(
            conn: Any, tables: Any, events: Any, inner: Any = inner, name: str = projection.name
        ) -> None:
            started = time.process_time()
            try:
                inner(conn, tables, events)
            finally:
                spent = time.process_time() - started
                phase[0].applies[name] = phase[0].applies.get(name, 0.0) + spent

        projection.apply = timed  # type: ignore[method-assign]


def measure(
    services: Services, phase: Phase, writes: int, write: Callable[[int], None], on_postgres: bool
) -> None:
    with PostgresCpu() if on_postgres else contextlib.nullcontext() as pg:
        for n in range(writes):
            started = time.process_time()
            write(n)
            ended = time.process_time()
            wall = time.perf_counter()
            services.projector.catch_up()
            phase.wall += time.perf_counter() - wall
            phase.catch_up += time.process_time() - ended
            phase.command += ended - started
            phase.writes += 1
    phase.postgres = pg.seconds if isinstance(pg, PostgresCpu) else None


def report(phase: Phase) -> None:
    n = max(phase.writes, 1)
    ms = 1000.0 / n
    print(f"\n{phase.name}: {phase.writes:,} writes, each caught up alone")
    print(f"   command (loads, rules, save): {phase.command * ms:.3f} ms CPU a write (the baseline)")
    ratio = phase.catch_up / phase.command if phase.command else 0.0
    print(
        f"   catch-up: {phase.catch_up * ms:.3f} ms CPU a write ({phase.wall * ms:.3f} ms wall) "
        f"= {ratio:.2f}x the command's"
    )
    if phase.postgres is not None:
        print(f"   PostgreSQL's CPU, commands and catch-ups: {phase.postgres * ms:.3f} ms a write")
    applied = sum(phase.applies.values())
    print(
        f"   the projections' apply: {applied * ms:.3f} ms; the runner around them: "
        f"{(phase.catch_up - applied) * ms:.3f} ms"
    )
    for name, spent in sorted(phase.applies.items(), key=lambda kv: -kv[1]):
        print(f"      {name:<14} {spent * ms:.3f} ms")


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        settings = Settings.from_env(service_env(workdir, database_url))
        init_store(settings)
        services = build_services(settings)
        stack.callback(services.close)
        drop_jobs(services)
        app = services.app
        n = args.writes
        progress(f"set-up: an organizer, one event and {2 * n + 20:,} users, in-process")
        organizer = app.create_user(commands.CreateUser("Apply organizer", None, ("event-organizer",)))
        event_id = app.enable_registration(
            commands.EnableRegistration(organizer.user_id, event_details("Event:Apply"))
        ).event_id
        users = [app.create_user(commands.CreateUser(f"Apply user {k}")).user_id for k in range(2 * n + 20)]
        services.projector.catch_up()

        def create(k: int) -> None:
            app.enable_registration(
                commands.EnableRegistration(organizer.user_id, event_details(f"Event:Apply {k}"))
            )

        def register(k: int) -> None:
            app.register_participant(commands.RegisterParticipant(users[k], event_id, k % 4 == 3))

        print(f"service: {revision()}; backend: {label}; in-process, {n:,} writes a phase")
        print(f"projections: {', '.join(p.name for p in services.projector.projections)}")
        print_machine_busy()
        current = [Phase("warm-up")]
        time_applies(services, current)
        measure(services, current[0], 20, lambda k: create(100_000 + k), settings.is_postgres)
        measure(services, current[0], 20, lambda k: register(2 * n + k), settings.is_postgres)
        for phase, write in ((Phase("create"), create), (Phase("register"), register)):
            if stop.is_set():
                return 130
            current[0] = phase
            progress(f"{phase.name}: {n:,} writes")
            measure(services, phase, n, write, settings.is_postgres)
            report(phase)
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument("--writes", type=int, default=300, help="writes per phase (default 300)")
    args = parse(parser, argv)
    if not 1 <= args.writes <= 10_000:
        parser.error("--writes must be in [1, 10000]")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
