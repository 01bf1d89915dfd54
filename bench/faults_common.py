"""What the history, load and fault scripts (``bench_history.py``, ``load_register.py``,
``fault_projector.py``, ``fault_restarts.py``) share on top of ``bench/common.py``: fast in-process
set-up (users in batches, event details, a dispatcher that drops the set-up's jobs), a restartable
private ``redis-server``, the Procfile's ``worker``, a PostgreSQL schema that is dropped even after
the server restarted, log and read-model positions, and a tally of HTTP outcomes.

Nothing here connects anywhere but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests
from eventsourcing.application import AggregateNotFoundError

from api.bootstrap import Services
from bench.common import (
    HOST,
    ROOT,
    SCHEMA_NAME,
    START_TIMEOUT,
    Server,
    cli_path,
    free_port,
    started,
)
from domain.accounts import Account
from domain.application import CampaignEvents
from domain.credentials import new_token, token_hash
from domain.details import DetailsInput
from domain.indexes import Sequence, UniqueIndex, sequence_id
from domain.validation import normalise_username, parse_title
from projections import catalog
from projections.dispatcher import NAME as DISPATCHER
from projections.dispatcher import Dispatcher
from projections.runner import CatalogProjection, Projection, Projector

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
WORKER_READY = "Listening on"  # what RQ's worker logs once it waits for jobs
UNAVAILABLE_KEY = "campaignevents-rest-unavailable"
BUSY_KEY = "campaignevents-rest-busy"


# --- set-up, in-process ---------------------------------------------------------------------


@dataclass(frozen=True)
class BulkUser:
    user_id: int
    user_name: str
    token: str
    email: str | None


def bulk_users(
    app: CampaignEvents,
    names: list[str],
    *,
    at: datetime,
    with_email: bool = False,
    chunk: int = 500,
) -> list[BulkUser]:
    """Accounts exactly as ``CampaignEvents.create_user`` records them (a number from the users
    sequence, the account, its user-name and token index aggregates), but ``chunk`` users per
    ``save``: an order of magnitude faster than one command per user. Single writer only."""
    made: list[BulkUser] = []
    for first in range(0, len(names), chunk):
        try:
            sequence: Sequence = app.repository.get(sequence_id("users"))
        except AggregateNotFoundError:
            sequence = Sequence.start("users", at)
        aggregates: list[Any] = []
        for raw in names[first : first + chunk]:
            name = normalise_username(raw)
            if name is None:
                raise ValueError(f"not a valid user name: {raw!r}")
            token = new_token()
            user_id = sequence.allocate(at)
            email = f"bench.user{user_id}@example.org" if with_email else None
            aggregates += [
                Account.create(
                    user_id=user_id,
                    requested_name=name,
                    email=email,
                    groups=[],
                    token_hash=token_hash(token),
                    password_hash=None,
                    name_taken=lambda _name: False,
                    performed_by=None,
                    at=at,
                ),
                UniqueIndex.claim("username", name, user_id, at),
                UniqueIndex.claim("token", token_hash(token), user_id, at),
            ]
            made.append(BulkUser(user_id, name, token, email))
        app.save(sequence, *aggregates)
    return made


def event_details(page: str, start: datetime, *, hours: int = 8, chat_url: str | None = None) -> DetailsInput:
    """An online event at ``start`` (UTC) lasting ``hours``."""
    title = parse_title(page)
    if title is None:
        raise ValueError(f"not a valid page title: {page!r}")
    start = start.replace(second=0, microsecond=0)
    return DetailsInput(
        page=title,
        timezone="UTC",
        start=start.strftime("%Y%m%d%H%M%S"),
        end=(start + timedelta(hours=hours)).strftime("%Y%m%d%H%M%S"),
        wikis=[],
        online=True,
        chat_url=chat_url,
    )


class DropJobs:
    """A job queue for in-process set-ups: the dispatcher advances past the set-up's facts and
    enqueues nothing (``common.DiscardQueue``, with the queue protocol's ``close`` as well)."""

    def enqueue(self, func: str, *args: object, job_id: str) -> None:
        return None

    def close(self) -> None:
        return None


def discard_setup_jobs(services: Services) -> None:
    """Make ``services.projector`` drop the jobs of the set-up's facts (registration confirmations
    are not what is measured; run in-process they would also use this process's environment,
    not the run's) while still advancing the dispatcher's position past them."""
    projections: list[Projection] = [CatalogProjection(), Dispatcher(DropJobs())]
    services.projector = Projector(services.app, services.store, projections=projections)


def positions(services: Services) -> tuple[int, int, int]:
    """(the log's head, the catalog's position, the dispatcher's position)."""
    head = services.app.recorder.max_notification_id() or 0
    return head, services.store.position(catalog.NAME), services.store.position(DISPATCHER)


def wait_caught_up(services: Services, timeout: float, stop: threading.Event) -> tuple[bool, int, int]:
    """Poll until the catalog read model has reached the log's head (bounded); (reached, head,
    catalog position)."""
    deadline = time.monotonic() + timeout
    while True:
        head, position, _ = positions(services)
        if position >= head or time.monotonic() >= deadline or stop.is_set():
            return position >= head, head, position
        time.sleep(0.2)


def read_and_decode(services: Services, batch: int = 500) -> tuple[int, float]:
    """The raw baseline of a catch-up: read the catalog's notifications in batches of the
    projector's size and decode each into its domain event, nothing applied; (events, seconds)."""
    recorder, mapper = services.app.recorder, services.app.mapper
    started = time.perf_counter()
    head = recorder.max_notification_id() or 0
    position = events = 0
    while position < head:
        notes = recorder.select_notifications(
            start=position + 1, limit=batch, stop=head, topics=catalog.TOPICS
        )
        for note in notes:
            mapper.to_domain_event(note)
        events += len(notes)
        if len(notes) < batch:
            break
        position = notes[-1].id
    return events, time.perf_counter() - started


# --- the processes ----------------------------------------------------------------------------


def cli(env: dict[str, str], *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run the project's CLI from this venv; whatever its exit status."""
    return subprocess.run(
        [cli_path(), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@contextlib.contextmanager
def worker(env: dict[str, str], workdir: Path, name: str = "worker") -> Iterator[Server]:
    """The Procfile's ``worker`` process (RQ with its scheduler), once it listens; its output in
    ``workdir/<name>.log``."""
    argv = [cli_path(), "worker"]
    with started(name, argv, env | {"PYTHONUNBUFFERED": "1"}, workdir, stop_timeout=5) as server:
        deadline = time.monotonic() + START_TIMEOUT
        while WORKER_READY not in server.log.read_text(errors="replace"):
            server.check_alive()
            if time.monotonic() >= deadline:
                raise RuntimeError(f"the worker did not start within {START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        yield server


class RedisProcess:
    """A private ``redis-server`` on a free 127.0.0.1 port that can be stopped and started again
    on the same port. With ``aof`` it keeps an append-only file (fsync on every write), so a
    stop (SIGTERM: Redis's own graceful shutdown) and start loses nothing, as a production Redis
    configured for a job queue would."""

    def __init__(self, workdir: Path, *, aof: bool = True) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.port = free_port()
        self.data = workdir / "redis"
        self.data.mkdir(exist_ok=True)
        self.log = workdir / "redis.log"
        self.argv = [binary, "--bind", HOST, "--port", str(self.port), "--save", "", "--dir", str(self.data)]
        self.argv += ["--protected-mode", "yes"]
        self.argv += ["--appendonly", "yes", "--appendfsync", "always"] if aof else ["--appendonly", "no"]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        from redis import Redis
        from redis.exceptions import ConnectionError as RedisConnectionError

        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self.process.returncode}; see {self.log}")
                try:
                    client.ping()
                    return
                except RedisConnectionError:
                    if time.monotonic() >= deadline:
                        raise RuntimeError("redis-server did not answer in time") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextlib.contextmanager
def private_redis(workdir: Path, *, aof: bool = True) -> Iterator[RedisProcess]:
    redis = RedisProcess(workdir, aof=aof)
    try:
        redis.start()
        yield redis
    finally:
        redis.stop()


# --- the database ---------------------------------------------------------------------------


def _libpq(url: str) -> tuple[str, str | None]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    schema = query.pop("schema", [None])[0]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True))), schema


@contextlib.contextmanager
def database_surviving_restarts(url: str | None, workdir: Path) -> Iterator[tuple[str, str]]:
    """As ``common.database``, but the schema is dropped on a new connection (retried for up to a
    minute), so it is dropped even when PostgreSQL was restarted meanwhile."""
    if url is None:
        path = workdir / "events.db"
        yield f"sqlite:///{path}", f"sqlite {path}"
        return
    import psycopg

    libpq_url, schema = _libpq(url)
    schema = schema or f"bench_{secrets.token_hex(6)}"
    if not SCHEMA_NAME.match(schema):
        raise SystemExit(f"schema name {schema!r} must match {SCHEMA_NAME.pattern}")
    with psycopg.connect(libpq_url, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone():
            raise SystemExit(f"schema {schema!r} already exists; give a new name (it is dropped afterwards)")
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        parts = urlsplit(url)
        query = parse_qs(parts.query) | {"schema": [schema]}
        yield urlunsplit(parts._replace(query=urlencode(query, doseq=True))), f"postgresql schema {schema}"
    finally:
        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(libpq_url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                break
            except psycopg.OperationalError:
                if time.monotonic() >= deadline:
                    print(f"warning: could not drop schema {schema}; drop it by hand")
                    break
                time.sleep(1)


# --- outcomes -------------------------------------------------------------------------------


def outcome(resp: requests.Response) -> str:
    """A label for an answer: ``200``, ``503 unavailable`` / ``503 busy`` (in the JSON envelope),
    ``503 not-envelope``, ``500``, ...; ``traceback`` when the body shows one (never acceptable)."""
    body = resp.text
    if "Traceback" in body:
        return f"{resp.status_code} traceback"
    if resp.status_code < 400:
        return str(resp.status_code)
    try:
        data = resp.json()
    except ValueError:
        return f"{resp.status_code} not-json"
    if not isinstance(data, dict) or data.get("httpCode") != resp.status_code:
        return f"{resp.status_code} not-envelope"
    if resp.status_code == 503:
        key = str(data.get("errorKey"))
        return {UNAVAILABLE_KEY: "503 unavailable", BUSY_KEY: "503 busy"}.get(key, f"503 {key}")
    return str(resp.status_code)


def failure_label(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "client timeout"
    if isinstance(error, requests.ConnectionError):
        return "connection error"
    return type(error).__name__


class Tally:
    """Outcome counts per phase and kind of request, thread-safe, with a few samples of each
    unexpected outcome."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.samples: dict[str, list[str]] = defaultdict(list)

    def add(self, phase: str, label: str, sample: str | None = None) -> None:
        with self.lock:
            self.counts[phase][label] += 1
            if sample is not None and len(self.samples[label]) < 3:
                self.samples[label].append(sample)

    def table(self, phases: list[str]) -> list[str]:
        labels = sorted({label for c in self.counts.values() for label in c})
        width = max([len(p) for p in phases] + [5])
        lines = [f"{'phase':<{width}} " + " ".join(f"{label:>16}" for label in labels)]
        for phase in phases:
            counts = self.counts.get(phase, Counter())
            lines.append(f"{phase:<{width}} " + " ".join(f"{counts[label]:>16}" for label in labels))
        return lines


def short(resp: requests.Response) -> str:
    text = resp.text.replace("\n", " ")
    return f"{resp.request.method} {urlsplit(resp.url).path} -> {resp.status_code} {text[:160]}"


def json_body(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def settled(services: Services, position: int) -> None:
    """After an untimed write in an in-process bench: its read models applied (as the write's own
    answer waits for), then the in-process job threads idle and the projector caught up. In
    production the jobs and the projector run in their own processes (the Procfile's ``worker`` and
    ``projector``); in one process their threads would take the GIL from the timed read that
    follows, which is the bench's artefact, not the read's cost."""
    services.written(position)
    wait_idle = getattr(services.queue, "wait_idle", None)
    if wait_idle is not None:
        wait_idle()
    services.projector.catch_up()
