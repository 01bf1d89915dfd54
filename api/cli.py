"""The ``campaignevents`` command: serve, init-db, users."""

from __future__ import annotations

import errno
import json
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from dotenv import load_dotenv

from api.bootstrap import Services, build_services, init_store
from api.config import Settings, describe_backends
from api.messages import text
from domain import commands
from domain.accounts import Account
from domain.errors import DomainError, UserNotFound

T = TypeVar("T")


@click.group()
def main() -> None:
    """CampaignEvents: the /campaignevents/v0 REST API as an event-sourced service.

    Settings come from the environment and from a ``.env`` file in the current directory (the file
    honcho gives the Procfile's processes); a variable already set in the environment wins."""
    env_file = Path.cwd() / ".env"
    read = load_dotenv(env_file, override=False)
    source = " (with .env)" if read else ""
    click.echo(f"campaignevents: {describe_backends()}{source}", err=True)


@main.command("init-db")
def init_db() -> None:
    """Create the event store's tables (safe to run again, and concurrently)."""
    init_store(Settings.from_env())
    click.echo("event store ready")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--connections",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="open client connections held at once (waitress's own default, 100, left keep-alive "
    "clients beyond the hundredth waiting unanswered)",
)
def serve(host: str, port: int, threads: int, connections: int) -> None:
    """Run the API on the embedded default (SQLite under ./var, jobs in-process)."""
    import waitress

    from api.app import create_app
    from workers import schedule

    listener = _bind(host, port)  # before anything starts, so a busy port is one line and nothing to stop
    settings = Settings.from_env()
    if settings.base_url is None:
        settings = replace(settings, base_url=f"http://{host}:{port}")
    app = create_app(settings, init=True, run_projector=True)
    stop = threading.Event()
    schedule.start_timer(settings.aggregation_interval, stop, app.extensions["campaignevents"].jobs)
    server = waitress.create_server(
        app, sockets=[listener], threads=threads, connection_limit=connections, ident="campaignevents"
    )
    click.echo(f"campaignevents listening on http://{host}:{port}")
    try:
        server.run()
    finally:
        stop.set()


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound; a port in use (or any address we cannot listen on) is one line
    on stderr and exit status 1."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listener = socket.socket(family, kind, proto)
    except OSError as error:
        _fail(f"cannot listen on {host}:{port}: {error.strerror or error}")
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            _fail(f"port {port} on {host} is already in use")
        _fail(f"cannot listen on {host}:{port}: {error.strerror or error}")
    return listener


def _fail(message: str) -> NoReturn:
    click.echo(f"campaignevents: {message}", err=True)
    sys.exit(1)


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
        idle = getattr(app_services.queue, "wait_idle", None)  # in-process jobs a lagging places
        if idle is not None:  # model enqueued before its switch (projections/replay.py) run here
            idle()
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
    from workers import jobs

    with _services() as services:
        click.echo(json.dumps(jobs.aggregate_answers(services.jobs)))


@main.command()
@click.option("--burst", is_flag=True, help="work until the queue is empty, then stop")
def worker(burst: bool) -> None:
    """The RQ worker, with RQ's scheduler and the periodic jobs (needs CAMPAIGNEVENTS_REDIS_URL)."""
    from redis import Redis
    from rq import Queue

    from workers import schedule
    from workers.rq_worker import ServiceWorker, die_with_parent

    settings = Settings.from_env()
    if not settings.redis_url:
        raise click.UsageError(
            "campaignevents worker needs CAMPAIGNEVENTS_REDIS_URL (serve runs jobs in-process)"
        )
    die_with_parent()  # RQ's scheduler is a forked child: it must not outlive a SIGKILLed worker
    init_store(settings)
    services = build_services(settings)  # the jobs' context: the worker hands it to every job
    connection = Redis.from_url(settings.redis_url)
    stop = threading.Event()
    if not burst:
        schedule.start_cron(settings.redis_url, settings.queue_name, settings.aggregation_interval, stop)
    try:
        _work_through_outages(
            lambda: ServiceWorker(
                [Queue(settings.queue_name, connection=connection)],
                connection=connection,
                queue_name=settings.queue_name,
                context=services.jobs,
            ),
            burst,
        )
    finally:
        stop.set()
        services.close()


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


@users.command("list")
def users_list() -> None:
    """Every account, one JSON object a line, in the order they were created."""
    with _services() as services:
        for account in services.app.accounts():
            click.echo(json.dumps(_account_json(account)))


@users.command("show")
@click.argument("name")
def users_show(name: str) -> None:
    """One account: id, name, e-mail, groups, blocked, whether it has a password."""
    with _services() as services:
        account = services.app.account_by_name(name)
    if account is None:
        _no_such_user(name)
    click.echo(json.dumps(_account_json(account)))


@users.command("token")
@click.argument("name")
def users_token(name: str) -> None:
    """Issue a new personal API token (shown once); the old one stops working at once."""
    with _services() as services:
        token = _run_for(name, lambda: services.app.reissue_token(commands.ReissueToken(name)))
        account = services.app.account_by_name(name)
    assert account is not None
    click.echo(json.dumps({"user_id": account.user_id, "user_name": account.user_name, "token": token}))


@users.command("set-password")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="asked when omitted")
def users_set_password(name: str, password: str) -> None:
    """Set a user's password (for /auth/login)."""
    with _services() as services:
        _run_for(name, lambda: services.app.set_password(commands.SetPassword(name, password)))
    click.echo(json.dumps({"user_name": name, "password_set": True}))


@users.command("groups")
@click.argument("name")
@click.option("--add", "add", multiple=True, help="event-organizer or sysop (repeatable)")
@click.option("--remove", "remove", multiple=True, help="a group to leave (repeatable)")
def users_groups(name: str, add: tuple[str, ...], remove: tuple[str, ...]) -> None:
    """Add a user to groups and remove it from others; prints the groups it is in now."""
    with _services() as services:
        changed = _run_for(name, lambda: services.app.change_groups(commands.ChangeGroups(name, add, remove)))
        account = services.app.account_by_name(name)
    assert account is not None
    click.echo(json.dumps({"user_name": account.user_name, "groups": account.groups, "changed": changed}))


@users.command("block")
@click.argument("name")
def users_block(name: str) -> None:
    """Block a user sitewide."""
    with _services() as services:
        changed = _run_for(name, lambda: services.app.block_user(commands.BlockUser(name)))
    click.echo(json.dumps({"user_name": name, "blocked": True, "changed": changed}))


@users.command("unblock")
@click.argument("name")
def users_unblock(name: str) -> None:
    """Lift a user's block."""
    with _services() as services:
        changed = _run_for(name, lambda: services.app.unblock_user(commands.UnblockUser(name)))
    click.echo(json.dumps({"user_name": name, "blocked": False, "changed": changed}))


def _account_json(account: Account) -> dict[str, Any]:
    return {
        "user_id": account.user_id,
        "user_name": account.user_name,
        "email": account.email,
        "groups": account.groups,
        "blocked": account.blocked,
        "has_password": account.password_hash is not None,
    }


def _run_for(name: str, action: Callable[[], T]) -> T:
    """``_run`` for a command about the account ``name``: an unknown name says so in those words."""

    def named() -> T:
        try:
            return action()
        except UserNotFound:
            _no_such_user(name)

    return _run(named)


def _no_such_user(name: str) -> NoReturn:
    click.echo(f"error: no such user: {name}", err=True)
    sys.exit(1)


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


from api.cli_groups import install as _install_groups  # noqa: E402  (groups, subgroups, users set-name)

_install_groups(main, users)

from api.cli_calendars import install as _install_calendars  # noqa: E402  (calendars …)

_install_calendars(main)
