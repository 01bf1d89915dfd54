"""The ``campaignevents`` command: serve, init-db, users."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import click

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from api.messages import text
from domain import commands
from domain.errors import DomainError

T = TypeVar("T")


@click.group()
def main() -> None:
    """CampaignEvents: the /campaignevents/v0 REST API as an event-sourced service."""


@main.command("init-db")
def init_db() -> None:
    """Create the event store's tables (safe to run again, and concurrently)."""
    init_store(Settings.from_env())
    click.echo("event store ready")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Run the API on the embedded default (SQLite under ./var, jobs in-process)."""
    import waitress

    from api.app import create_app
    from workers import runtime, schedule

    settings = Settings.from_env()
    if settings.base_url is None:
        settings = replace(settings, base_url=f"http://{host}:{port}")
    app = create_app(settings, init=True, run_projector=True)
    runtime.use(app.extensions["campaignevents"])
    stop = threading.Event()
    schedule.start_timer(settings.aggregation_interval, stop)
    click.echo(f"campaignevents listening on http://{host}:{port} ({settings.database_url})")
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="campaignevents")
    finally:
        stop.set()


@main.command()
def projector() -> None:
    """Follow the event log and keep the read models (the Procfile's projector process)."""
    settings = Settings.from_env()
    init_store(settings)
    services = build_services(settings)
    click.echo(f"projector following {settings.database_url}")
    signal.signal(signal.SIGTERM, lambda *_: services.projector.stop(timeout=0))
    try:
        services.projector.follow()
    except KeyboardInterrupt:
        pass
    finally:
        services.close()


@main.command()
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.option("--verify", "check", is_flag=True, help="rebuild aside and report differences; change nothing")
def replay(quiet: bool, check: bool) -> None:
    """Rebuild every read model from the event log into fresh tables, then switch to them."""
    from projections.replay import replay as run_replay
    from projections.replay import verify

    with _services() as app_services:
        if check:
            differences = verify(app_services.projector, progress=not quiet)
            for line in differences:
                click.echo(line)
            click.echo(f"{len(differences)} differing rows")
            sys.exit(1 if differences else 0)
        stats = run_replay(app_services.projector, progress=not quiet)
    click.echo(
        f"replayed {stats.events} events to position {stats.position} in {stats.seconds:.2f}s "
        f"({stats.per_second:,.0f} events/s)"
    )


@main.command()
@click.argument("event_id", type=int)
def history(event_id: int) -> None:
    """Print the audit history of an event registration as a table."""
    from api.routes.history import entry

    with _services() as app_services:
        app_services.projector.catch_up()
        _run(lambda: app_services.app.registration(event_id))
        rows = [
            entry(r)
            for r in app_services.history.history(event_id, after=None, limit=1_000_000, include_private=True)
        ]
    table = [["#", "when (UTC)", "what", "by", "participant", "details"]]
    for row in rows:
        extra = {
            k: v
            for k, v in row.items()
            if k not in ("id", "at", "kind", "user_id", "user_name", "participant")
        }
        who = row.get("participant")
        table.append(
            [
                str(row["id"]),
                row["at"],
                row["kind"],
                row["user_name"] or "-",
                f"{who['user_name']}{' (private)' if who['private'] else ''}" if who else "",
                json.dumps(extra, ensure_ascii=False) if extra else "",
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]) - 1)]
    for r in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])


@main.command("aggregate-answers")
def aggregate_answers() -> None:
    """Aggregate every participant's answers that are due now (the worker also does it on a schedule)."""
    from workers import jobs, runtime

    with _services() as services:
        runtime.use(services)
        click.echo(json.dumps(jobs.aggregate_answers()))


@main.command()
@click.option("--burst", is_flag=True, help="work until the queue is empty, then stop")
def worker(burst: bool) -> None:
    """The RQ worker, with RQ's scheduler and the periodic jobs (needs CAMPAIGNEVENTS_REDIS_URL)."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    from workers import schedule

    settings = Settings.from_env()
    if not settings.redis_url:
        raise click.UsageError(
            "campaignevents worker needs CAMPAIGNEVENTS_REDIS_URL (serve runs jobs in-process)"
        )
    init_store(settings)
    connection = Redis.from_url(settings.redis_url)
    stop = threading.Event()
    if not burst:
        schedule.start_cron(settings.redis_url, settings.queue_name, settings.aggregation_interval, stop)
    try:
        _work_through_outages(
            lambda: SimpleWorker([Queue(settings.queue_name, connection=connection)], connection=connection),
            burst,
        )
    finally:
        stop.set()


def _work_through_outages(make_worker: Callable[[], Any], burst: bool) -> None:
    """Run the RQ worker; when Redis goes away mid-work (RQ only rides out an outage while it waits
    for a job), wait with backoff and start a fresh worker instead of exiting. Jobs of the lost
    worker come back through RQ's abandoned-job handling."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    failures = 0
    while True:
        try:
            make_worker().work(with_scheduler=True, burst=burst)
            return
        except (RedisConnectionError, RedisTimeoutError) as error:
            failures += 1
            pause = min(30.0, 0.5 * 2**failures)
            click.echo(f"worker lost Redis ({error}); starting again in {pause:.1f}s", err=True)
            time.sleep(pause)


@main.group()
def jobs() -> None:
    """Inspect RQ's failed jobs and requeue them (needs CAMPAIGNEVENTS_REDIS_URL)."""


def _failed_registry() -> Any:
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry

    settings = Settings.from_env()
    if not settings.redis_url:
        raise click.UsageError("needs CAMPAIGNEVENTS_REDIS_URL")
    return FailedJobRegistry(queue=Queue(settings.queue_name, connection=Redis.from_url(settings.redis_url)))


@jobs.command("failed")
def jobs_failed() -> None:
    """List failed jobs: id, function, arguments, last error line."""
    registry = _failed_registry()
    for job in registry.get_job_ids() and [
        registry.job_class.fetch(i, registry.connection) for i in registry.get_job_ids()
    ]:
        error = (
            (job.latest_result().exc_string or "").strip().splitlines()[-1:] if job.latest_result() else []
        )
        click.echo(
            json.dumps(
                {
                    "id": job.id,
                    "func": job.func_name,
                    "args": list(job.args),
                    "error": error[0] if error else None,
                }
            )
        )


@jobs.command("requeue")
@click.argument("job_ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="requeue every failed job")
def jobs_requeue(job_ids: tuple[str, ...], everything: bool) -> None:
    """Put failed jobs back on the queue."""
    registry = _failed_registry()
    chosen = registry.get_job_ids() if everything else list(job_ids)
    for job_id in chosen:
        registry.requeue(job_id)
        click.echo(f"requeued {job_id}")


@main.group()
def users() -> None:
    """Provision accounts."""


@users.command("create")
@click.argument("name")
@click.option("--email", default=None)
@click.option("--group", "groups", multiple=True, help="event-organizer or sysop (repeatable)")
@click.option("--password", default=None)
def users_create(name: str, email: str | None, groups: tuple[str, ...], password: str | None) -> None:
    """Create a user; prints its id, normalised name and personal API token (shown once)."""
    with _services() as services:
        new = _run(lambda: services.app.create_user(commands.CreateUser(name, email, groups, password)))
    click.echo(json.dumps({"user_id": new.user_id, "user_name": new.user_name, "token": new.token}))


@users.command("block")
@click.argument("name")
def users_block(name: str) -> None:
    """Block a user sitewide."""
    with _services() as services:
        changed = _run(lambda: services.app.block_user(commands.BlockUser(name)))
    click.echo(json.dumps({"user_name": name, "blocked": True, "changed": changed}))


@users.command("unblock")
@click.argument("name")
def users_unblock(name: str) -> None:
    """Lift a user's block."""
    with _services() as services:
        changed = _run(lambda: services.app.unblock_user(commands.UnblockUser(name)))
    click.echo(json.dumps({"user_name": name, "blocked": False, "changed": changed}))


class _services:
    """Open the store for one command and close it after."""

    def __enter__(self) -> Services:
        settings = Settings.from_env()
        init_store(settings)
        self.services = build_services(settings)
        return self.services

    def __exit__(self, *exc: object) -> None:
        self.services.close()


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except DomainError as error:
        click.echo(f"error: {text(error.key, *error.params)}", err=True)
        sys.exit(1)
