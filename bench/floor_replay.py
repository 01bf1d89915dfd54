"""The floor under a catch-up or a replay: the log read and decoded, and every row the read models
keep written, with no fold at all.

One command, no set-up::

    .venv/bin/python bench/floor_replay.py [--events 100000] [--database-url URL]

Set-up (in-process, not measured): the log of ``fault_projector.py`` (accounts, their
registrations, privacy changes and cancellations over 20 events), then the service's projector
(every projection of the composition root) catches up, so the live read models hold every row a
replay writes. Those rows are read into memory. Then, in-process, each timed (wall clock, this
process's CPU and, on PostgreSQL, the server's):

1. raw    the replay's pages (the union of the read models' topics) read and decoded, nothing
          applied: the baseline of ``fault_projector.py``
2. floor  the same pages read and decoded, and with each page its share of the rows the read
          models hold, written into fresh copies of their tables through ``projections.bulk``
          (the projections' own writer), one transaction per page, the secondary indexes built
          after the load: a replay whose folds cost nothing
3. replay ``projections.replay.replay``: every read model rebuilt and switched

and prints ``raw / floor``: the best ratio a replay could show against the raw baseline while
writing these rows, whatever its folds cost. Every schema it creates is dropped, every file removed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/floor_replay.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from api.bootstrap import build_services
from api.config import Settings
from bench.common import (
    database,
    parse,
    print_machine_busy,
    progress,
    revision,
    script_main,
    script_parser,
    service_env,
)
from bench.fault_projector import build_log, cpu_split
from projections import replay as replaying
from projections.bulk import insert_tuples
from projections.runner import Projector
from projections.store import writing

FLOOR = "__floor"


def table_rows(
    conn: Any, rebuilds: list[replaying.Rebuild]
) -> list[tuple[Any, list[str], list[tuple[Any, ...]]]]:
    """(fresh table, column names, the live table's rows) for every table of every read model."""
    found = []
    for r in rebuilds:
        for live, fresh in zip(r.live.models(), r.fresh.models(), strict=True):
            names = [c.name for c in live.columns]
            found.append((fresh, names, [tuple(row) for row in conn.execute(select(*live.columns))]))
    return found


def fill_without_folds(
    projector: Projector, rebuilds: list[replaying.Rebuild], head: int, rows: list[Any]
) -> int:
    """``replay._fill`` with every fold replaced by writing the page's share of the kept rows."""
    topics = tuple(dict.fromkeys(t for r in rebuilds for t in r.projection.topics))
    pages = max(1, -(-head // projector.batch))
    read = n = 0
    with writing(projector.store.engine).connect() as conn, replaying._bulk(conn):
        for page, _end in projector.pages(0, head, topics):
            with conn.begin():
                for table, names, values in rows:
                    share = values[n * len(values) // pages : (n + 1) * len(values) // pages]
                    insert_tuples(conn, table, names, share)
            read += len(page)
            n += 1
        with conn.begin():
            for table, names, values in rows:  # what a short last page left (the log's set-up facts)
                insert_tuples(conn, table, names, values[n * len(values) // pages :])
            for r in rebuilds:
                for index in replaying._deferred(r):
                    index.create(conn)
    return read


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    with contextlib.ExitStack() as stack:
        url, label = stack.enter_context(database(args.database_url, workdir))
        settings = Settings.from_env(service_env(workdir, url))
        progress(f"set-up: a log of {args.events:,} events, in-process")
        built = build_log(settings, args.events)
        services = build_services(settings)
        stack.callback(services.close)
        projector = services.projector
        progress("set-up: the service's projector catches up (every read model)")
        projector.catch_up()
        head = services.app.recorder.max_notification_id() or 0
        rebuilds = replaying._prepare(services.store, projector, FLOOR)
        stack.callback(
            lambda: replaying._drop(services.store, [t.name for r in rebuilds for t in r.fresh.models()])
        )
        with services.store.engine.connect() as conn:
            rows = table_rows(conn, rebuilds)
        kept = sum(len(values) for _, _, values in rows)
        topics = tuple(dict.fromkeys(t for r in rebuilds for t in r.projection.topics))
        print(f"service: {revision()}; backend: {label}")
        print(f"log: {built.events:,} events; the read models keep {kept:,} rows in {len(rows)} tables")
        print_machine_busy()

        progress("raw: read and decode")
        with cpu_split(settings.is_postgres, time.process_time) as raw:
            events = sum(len(page) for page, _ in projector.pages(0, head, topics))
        progress("floor: read, decode and write the kept rows")
        with cpu_split(settings.is_postgres, time.process_time) as floor:
            fill_without_folds(projector, rebuilds, head, rows)
        progress("replay")
        with cpu_split(settings.is_postgres, time.process_time) as replayed:
            stats = replaying.replay(projector, progress=False)
        print(f"\n   {'step':<8} {'events/s':>9} {'/ raw':>6}  where the time went")
        for name, split in (("raw", raw), ("floor", floor), ("replay", replayed)):
            ratio = raw.wall / split.wall if split.wall else 0.0
            print(f"   {name:<8} {events / split.wall:>9,.0f} {ratio:>6.3f}  {split.describe()}")
        print(
            f"   the floor's writes alone: {floor.wall - raw.wall:.2f} s of {floor.wall:.2f} s; "
            f"the replay's folds and switch beyond the floor: {replayed.wall - floor.wall:.2f} s "
            f"({stats.events:,} events replayed)"
        )
        return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="events in the log (default 100000)")
    args = parse(parser, argv)
    if not 10_000 <= args.events <= 10_000_000:
        parser.error("--events must be in [10000, 10000000]")
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
