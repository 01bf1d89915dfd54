"""E-mail to participants: e-mails delivered per second through the real queue and worker, the
latency of the request that asks for them (for 10, 1,000 and 10,000 recipients), and raw smtplib
sends to the same SMTP sink.

One command, no set-up::

    .venv/bin/python bench/bench_email.py [--sizes 10,1000,10000] [--redis-url URL] [--database-url URL]

It makes a temporary data dir (SQLite, or a fresh schema of the PostgreSQL database given with
``--database-url``) and, in-process (not measured), the organizers, ``max(--sizes)`` users with
e-mail addresses and one event per size whose participants are the first N users; the read models
are caught up with the registration confirmations of that set-up dropped, so that the sink and the
queue only ever hold what is measured. Then it starts an aiosmtpd sink in this process on a free
127.0.0.1 port, a private ``redis-server`` on a free port (or uses ``--redis-url``), the Procfile's
``projector`` and the API under the project's gunicorn config, and:

1. organizers  PUT .../{id}/organizers as the creator: the latency organizers (event-organizer
               group) become co-organizers of every event (5 e-mails per user per 24 h)
2. deliver     POST .../{largest}/email as the creator (expects 202 and ``{"sent": N}``), waits for
               the dispatcher to queue the job, then runs ``campaignevents worker --burst`` (run
               again, bounded, while the job is scheduled for a retry) and times until the sink
               holds N messages: e-mails delivered per second, per 1,000, and the job's fate
3. latency     POST .../{id}/email on each size in turn, ``--latency-requests`` times each, each
               by an organizer with quota left: median latency per size, side by side (it must not
               grow with the number of recipients); those mailings are never sent
4. baseline    raw ``smtplib`` sends of similar messages to the same sink: a new connection per
               message (as ``workers.mailers.SmtpMailer`` does) and one connection for all

It exits 1 if any request or check failed. Every process it starts is stopped, every file,
directory and schema it creates is removed, and with ``--redis-url`` the jobs of its mailings are
deleted; also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import smtplib
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as ``python bench/bench_email.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from api.gunicorn_conf import DEFAULT_THREADS
from bench.common import (
    API_TARGET,
    GUNICORN_CONF,
    HOST,
    PREFIX,
    REQUEST_TIMEOUT,
    ROOT,
    DiscardQueue,
    Server,
    check_local_url,
    cli_path,
    database,
    free_port,
    gunicorn,
    new_session,
    parse,
    print_machine_busy,
    progress,
    projector,
    redis_server,
    revision,
    script_main,
    script_parser,
    service_env,
    started,
)
from domain import commands
from domain.accounts import EMAIL_LIMIT
from domain.details import DetailsInput
from domain.mailings import Mailing
from domain.validation import parse_title
from projections.dispatcher import Dispatcher
from projections.runner import CatalogProjection, Projector
from tests.integration.smtp_sink import Sink

SUBJECT = "Bench mailing"
MESSAGE = "Hello! The meetup starts at ten; bring a laptop.\n\nSee you there."
MAX_ORGANIZERS = 10  # domain.registration.MAX_ORGANIZERS, the creator included
QUEUED_TIMEOUT = 60.0  # seconds for the dispatcher to queue the mailing's job
POLL = 0.02  # seconds between looks at the sink
BLOCK = 1000
WORKER_STOP_TIMEOUT = 3.0  # seconds after SIGTERM before the worker is SIGKILLed


# --- set-up (in-process, not measured) ----------------------------------------------------


@dataclass
class Person:
    name: str
    token: str


@dataclass
class World:
    creator: Person
    organizers: list[Person]
    events: dict[int, int]  # size -> event id


def event_details(size: int) -> DetailsInput:
    title = parse_title(f"Event:Bench email {size}")
    assert title is not None
    start = (datetime.now(UTC) + timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    return DetailsInput(
        page=title,
        timezone="UTC",
        start=start.strftime("%Y%m%d%H%M%S"),
        end=(start + timedelta(hours=8)).strftime("%Y%m%d%H%M%S"),
        wikis=[],
        online=True,
    )


def build_world(settings: Settings, sizes: list[int], organizers: int) -> World:
    init_store(settings)
    services = build_services(settings)
    try:
        return _build(services, sizes, organizers)
    finally:
        services.close()


def _build(services: Services, sizes: list[int], organizers: int) -> World:
    app = services.app
    services.projector = Projector(
        app, services.store, projections=[CatalogProjection(), Dispatcher(DiscardQueue())]
    )

    def person(name: str, *groups: str) -> tuple[int, Person]:
        new = app.create_user(commands.CreateUser(name, f"{name.replace(' ', '.')}@example.org", groups))
        return new.user_id, Person(new.user_name, new.token)

    creator_id, creator = person("Bench Organizer", "event-organizer")
    others = [person(f"Bench Cosender {n}", "event-organizer")[1] for n in range(organizers)]
    events = {
        size: app.enable_registration(commands.EnableRegistration(creator_id, event_details(size))).event_id
        for size in sizes
    }
    started = time.perf_counter()
    user_ids = []
    for n in range(max(sizes)):
        user_ids.append(person(f"Bench participant {n}")[0])
        if (n + 1) % 2000 == 0:
            progress(f"set-up: {n + 1:,} users ({(n + 1) / (time.perf_counter() - started):,.0f}/s)")
    for size, event_id in events.items():
        for n, user_id in enumerate(user_ids[:size]):
            app.register_participant(commands.RegisterParticipant(user_id, event_id, n % 4 == 3))
        progress(f"set-up: event {event_id} has {size:,} participants")
    progress("set-up: catching up the read models")
    services.projector.catch_up()
    return World(creator, others, events)


# --- processes and the sink ----------------------------------------------------------------


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[Sink, str]]:
    """The integration tests' aiosmtpd sink, in a thread of this process, on a free port."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname=HOST, port=free_port())
    controller.start()
    try:
        yield sink, f"smtp://{HOST}:{controller.port}"
    finally:
        sink.release.set()
        controller.stop()


def rq_queue(redis_url: str, name: str) -> Any:
    """The service's RQ queue (``Settings.queue_name``)."""
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(redis_url, socket_connect_timeout=2))


def delete_mailing_jobs(settings: Settings, redis_url: str, queue_known: bool) -> int:
    """``--redis-url``: delete the RQ jobs (and results) of every mailing in this run's log, and the
    queue's entry in RQ's list of queues if this run made it and the queue is empty again. (A
    finished worker's own key expires by itself within a minute.)"""
    from eventsourcing.utils import get_topic
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.results import Result

    services = build_services(settings)
    try:
        topic = get_topic(Mailing.ParticipantsEmailed)
        notes = services.app.recorder.select_notifications(start=1, limit=1_000_000, topics=[topic])
    finally:
        services.close()
    queue = rq_queue(redis_url, settings.queue_name)
    deleted = 0
    for note in notes:
        with contextlib.suppress(NoSuchJobError):
            job = Job.fetch(f"mailing-{note.originator_id}", connection=queue.connection)
            Result.delete_all(job)
            job.delete()
            deleted += 1
    if not queue_known and queue.count == 0:
        queue.connection.srem("rq:queues", queue.key)
    return deleted


# --- the requests ----------------------------------------------------------------------------


def put_organizers(base: str, world: World) -> None:
    names = [world.creator.name, *(o.name for o in world.organizers)]
    with new_session() as session:
        for event_id in world.events.values():
            resp = session.put(
                f"{base}{PREFIX}/{event_id}/organizers",
                data=json.dumps({"organizer_usernames": names}),
                headers={
                    "Authorization": f"Bearer {world.creator.token}",
                    "Content-Type": "application/json",
                },
                timeout=REQUEST_TIMEOUT,
            )
            if resp.status_code != 204:
                raise RuntimeError(f"PUT organizers of {event_id} -> {resp.status_code} {resp.text[:300]}")


def post_email(session: requests.Session, base: str, event_id: int, token: str) -> tuple[float, str | None]:
    """POST the e-mail request; (seconds, None) on a 202, else (seconds, what went wrong)."""
    body = json.dumps({"subject": SUBJECT, "message": MESSAGE})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    resp = session.post(
        f"{base}{PREFIX}/{event_id}/email", data=body, headers=headers, timeout=REQUEST_TIMEOUT
    )
    seconds = time.perf_counter() - started
    if resp.status_code != 202:
        return seconds, f"POST email {event_id} -> {resp.status_code} {resp.text[:300]}"
    return seconds, resp.text.strip()


# --- 2. delivery -----------------------------------------------------------------------------


@dataclass
class Delivery:
    expected: int
    delivered: int = 0
    seconds: float = 0.0  # from the first worker's start to the last message (or the bound)
    first_message: float | None = None
    crossings: list[float] = field(default_factory=list)  # seconds at which each 1,000 was reached
    runs: list[str] = field(default_factory=list)
    fate: str = ""


def wait_queued(redis_url: str, name: str, follower: Server) -> None:
    queue = rq_queue(redis_url, name)
    deadline = time.monotonic() + QUEUED_TIMEOUT
    while queue.count == 0:
        follower.check_alive()
        if time.monotonic() >= deadline:
            raise RuntimeError(
                f"the mailing's job was not queued within {QUEUED_TIMEOUT:.0f} s:\n{follower.log_tail()}"
            )
        time.sleep(0.05)


def job_fate(redis_url: str, name: str) -> tuple[str, float | None]:
    """What RQ says of the mailing's job, and when (epoch seconds) a scheduled retry is due."""
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry

    queue = rq_queue(redis_url, name)
    scheduled = ScheduledJobRegistry(queue=queue)
    ids = scheduled.get_job_ids()
    if ids:
        due = scheduled.get_scheduled_time(ids[0]).timestamp()
        return f"scheduled for a retry in {max(0.0, due - time.time()):.0f} s", due
    if queue.count:
        return f"{queue.count} job(s) queued", None
    failed = FailedJobRegistry(queue=queue).get_job_ids()
    if failed:
        job = queue.fetch_job(failed[0])
        result = job.latest_result() if job is not None else None
        error = (result.exc_string or "").strip().splitlines()[-1:] if result is not None else []
        return f"failed for good: {error[0] if error else '?'}", None
    if FinishedJobRegistry(queue=queue).get_job_ids():
        return "finished", None
    return "gone", None


def deliver(
    env: dict[str, str],
    workdir: Path,
    sink: Sink,
    redis_url: str,
    queue_name: str,
    args: argparse.Namespace,
    expected: int,
) -> Delivery:
    """Run ``campaignevents worker --burst`` (again while the job waits for a retry, up to
    ``--worker-runs`` times) until the sink holds ``expected`` messages or ``--max-seconds`` pass."""
    result = Delivery(expected)
    started_at = time.perf_counter()
    deadline = started_at + args.max_seconds
    for run in range(1, args.worker_runs + 1):
        before = len(sink.messages)
        run_started = time.perf_counter()
        argv = [cli_path(), "worker", "--burst"]
        # Only an interrupt stops it early; RQ's warm shutdown would finish the whole mailing first.
        with started(f"worker-{run}", argv, env, workdir, stop_timeout=WORKER_STOP_TIMEOUT) as worker:
            while worker.process.poll() is None and time.perf_counter() < deadline:
                _look(sink, result, started_at)
                time.sleep(POLL)
            code = worker.process.poll()
        _look(sink, result, started_at)
        fate, due = job_fate(redis_url, queue_name)
        result.runs.append(
            f"worker run {run}: {time.perf_counter() - run_started:7.1f} s, exit {code}, "
            f"{len(sink.messages) - before:,} messages; the job: {fate}"
        )
        result.fate = fate
        if result.delivered >= expected or due is None or time.perf_counter() >= deadline:
            break
        while time.time() < due + 0.5 and time.perf_counter() < deadline:  # wait for the retry
            _look(sink, result, started_at)
            time.sleep(0.2)
    if result.delivered < expected:
        result.seconds = time.perf_counter() - started_at
    return result


def _look(sink: Sink, result: Delivery, started_at: float) -> None:
    count = len(sink.messages)
    now = time.perf_counter() - started_at
    if count and result.first_message is None:
        result.first_message = now
    while len(result.crossings) < count // BLOCK:
        result.crossings.append(now)
    if count >= result.expected and result.delivered < result.expected:
        result.seconds = now  # when the last expected message arrived (to within POLL)
    result.delivered = count


def report_delivery(result: Delivery, sink: Sink) -> list[str]:
    problems = []
    print(f"\n2. deliver: campaignevents worker --burst, one mailing to {result.expected:,} participants")
    for line in result.runs:
        print(f"   {line}")
    rate = result.delivered / result.seconds if result.seconds > 0 else 0.0
    first = f"{result.first_message:.2f} s" if result.first_message is not None else "never"
    print(
        f"   delivered {result.delivered:,} of {result.expected:,} in {result.seconds:.1f} s = "
        f"{rate:,.1f} e-mails/s (first message after {first})"
    )
    if result.first_message is not None and result.seconds > result.first_message and result.delivered > 1:
        after = (result.delivered - 1) / (result.seconds - result.first_message)
        print(f"   from the first message on (the worker's start-up left out): {after:,.1f} e-mails/s")
    previous = 0.0
    for n, at in enumerate(result.crossings, 1):
        print(f"   {(n - 1) * BLOCK + 1:>6,}-{n * BLOCK:<7,} {BLOCK / (at - previous):>8,.1f} e-mails/s")
        previous = at
    recipients = sink.to(SUBJECT)
    if len(recipients) != result.expected or len(set(recipients)) != result.expected:
        problems.append(
            f"the sink holds {len(recipients)} messages to {len(set(recipients))} addresses, "
            f"expected {result.expected} to as many"
        )
    return problems


# --- 3. latency ------------------------------------------------------------------------------


def latencies(
    base: str, world: World, sizes: list[int], repeats: int
) -> tuple[dict[int, list[float]], list[str]]:
    """POST .../email ``repeats`` times per size, sizes in turn, each by an organizer with quota."""
    quota = {o.name: EMAIL_LIMIT for o in world.organizers}
    by_name = {o.name: o for o in world.organizers}
    found: dict[int, list[float]] = {size: [] for size in sizes}
    problems: list[str] = []
    with new_session() as session:
        for _ in range(repeats):
            for size in sizes:
                name = next(n for n, left in quota.items() if left > 0)
                quota[name] -= 1
                seconds, answer = post_email(session, base, world.events[size], by_name[name].token)
                if answer is None or json.loads(answer) != {"sent": size}:
                    problems.append(f"latency, {size} recipients: {answer}")
                found[size].append(seconds)
    return found, problems


def report_latency(found: dict[int, list[float]]) -> None:
    print("\n3. latency of POST .../email (202), by the number of recipients")
    sizes = sorted(found)
    print("   " + "".join(f"{f'{size:,} recipients':>18}" for size in sizes))
    for label, pick in (
        ("median ms", statistics.median),
        ("min ms", min),
        ("max ms", max),
    ):
        cells = "".join(f"{1000 * pick(found[size]):>18.2f}" for size in sizes)
        print(f"   {cells}  {label} (of {len(found[sizes[0]])})")
    smallest, largest = sizes[0], sizes[-1]
    ratio = statistics.median(found[largest]) / statistics.median(found[smallest])
    print(f"   median {largest:,} / median {smallest:,} = {ratio:.2f}")


# --- 4. baseline -----------------------------------------------------------------------------


def compose(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "CampaignEvents <campaignevents@localhost>"
    message["To"] = formataddr((f"Bench participant {n}", f"Bench.participant.{n}@example.org"))
    message["Reply-To"] = formataddr(("Bench Organizer", "Bench.Organizer@example.org"))
    message["Subject"] = "Bench raw smtplib"
    message["Message-ID"] = make_msgid(domain="campaignevents")
    message.set_content(
        f"{MESSAGE}\n\n-- \nThis e-mail was sent by Bench Organizer to Bench participant {n}."
    )
    return message


def raw_smtp(smtp_url: str, count: int, max_seconds: float, *, reuse: bool) -> tuple[int, float]:
    """(messages sent, seconds): ``count`` prepared messages by smtplib, one connection each or one
    for all, bounded by ``max_seconds``."""
    parts = urlsplit(smtp_url)
    host, port = parts.hostname or HOST, parts.port or 25
    messages = [compose(n) for n in range(count)]
    started = time.perf_counter()
    deadline = started + max_seconds
    sent = 0
    if reuse:
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            for message in messages:
                if time.perf_counter() >= deadline:
                    break
                smtp.send_message(message)
                sent += 1
    else:
        for message in messages:
            if time.perf_counter() >= deadline:
                break
            with smtplib.SMTP(host, port, timeout=30) as smtp:
                smtp.send_message(message)
            sent += 1
    return sent, time.perf_counter() - started


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    sizes: list[int] = args.sizes
    largest = max(sizes)
    organizers = math.ceil(len(sizes) * args.latency_requests / EMAIL_LIMIT)
    problems: list[str] = []
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        settings = Settings.from_env(env)
        progress(f"set-up: {largest:,} users, events of {sizes} participants, in-process")
        world = build_world(settings, sizes, organizers)

        sink, smtp_url = stack.enter_context(smtp_sink())
        redis_url = args.redis_url or stack.enter_context(redis_server(workdir))
        if args.redis_url:
            queue = rq_queue(redis_url, settings.queue_name)
            if queue.count:
                raise RuntimeError(
                    f"the {settings.queue_name!r} queue of {redis_url} is not empty: not mixing with it"
                )
            known = bool(queue.connection.sismember("rq:queues", queue.key))
            stack.callback(
                lambda: progress(f"deleted {delete_mailing_jobs(settings, redis_url, known)} RQ jobs")
            )
        env |= {"CAMPAIGNEVENTS_REDIS_URL": redis_url, "CAMPAIGNEVENTS_SMTP_URL": smtp_url}
        follower = stack.enter_context(projector(env, workdir))
        api = stack.enter_context(
            gunicorn("api", API_TARGET, env, workdir, f"{PREFIX}/{world.events[largest]}")
        )
        print(f"service: {revision()}; backend: {label}; projector: campaignevents projector")
        print_machine_busy()
        print(
            f"gunicorn: {GUNICORN_CONF.relative_to(ROOT)}, workers={env.get('WEB_CONCURRENCY', '2')} "
            f"threads={env.get('CAMPAIGNEVENTS_WEB_THREADS', DEFAULT_THREADS)}; api {api.base}; "
            f"redis {redis_url}{' (private)' if not args.redis_url else ''}; smtp sink {smtp_url}"
        )

        progress(f"organizers: {organizers} co-organizers on every event")
        put_organizers(api.base, world)
        print(f"\n1. organizers: {organizers} co-organizers added to each of the {len(sizes)} events (204)")

        progress(f"deliver: POST .../email to {largest:,} participants, then the worker")
        with new_session() as session:
            seconds, answer = post_email(session, api.base, world.events[largest], world.creator.token)
        if answer is None or json.loads(answer) != {"sent": largest}:
            raise RuntimeError(f"the mailing request answered {answer!r}, expected 202 {{'sent': {largest}}}")
        print(f"   POST .../email -> 202 {answer} in {1000 * seconds:.1f} ms")
        wait_queued(redis_url, settings.queue_name, follower)
        delivery = deliver(env, workdir, sink, redis_url, settings.queue_name, args, largest)
        problems += report_delivery(delivery, sink)

        progress(f"latency: {args.latency_requests} requests per size")
        found, wrong = latencies(api.base, world, sizes, args.latency_requests)
        problems += wrong
        report_latency(found)

        progress("baseline: raw smtplib")
        print(f"\n4. baseline: raw smtplib to the same sink, {args.raw_messages:,} prepared messages")
        raw_rates = {}
        for reuse, name in ((False, "a connection per message"), (True, "one connection")):
            sent, raw_seconds = raw_smtp(smtp_url, args.raw_messages, 60.0, reuse=reuse)
            raw_rates[reuse] = sent / raw_seconds
            print(f"   {name:<26} {sent:>6,} in {raw_seconds:6.2f} s = {raw_rates[reuse]:>8,.1f} sends/s")
        if delivery.seconds > 0:
            rate = delivery.delivered / delivery.seconds
            print(
                f"   delivered/s / raw sends/s = {rate / raw_rates[False]:.3f} (a connection per message), "
                f"{rate / raw_rates[True]:.3f} (one connection)"
            )
            first = delivery.first_message
            if first is not None and delivery.seconds > first and delivery.delivered > 1:
                after = (delivery.delivered - 1) / (delivery.seconds - first)
                print(f"   from the first message on: {after / raw_rates[True]:.3f} (one connection)")
        if problems:
            tail = (workdir / "worker-1.log").read_text(errors="replace")[-3000:]
            print(f"worker output (last lines):\n{tail}")
    print(f"\nproblems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1 or sizes[-1] > 100_000:
        raise argparse.ArgumentTypeError("sizes must be integers in [1, 100000]")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = script_parser(__doc__)
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[10, 1000, 10_000],
        help="participants of each event, comma-separated; the largest gets the delivered mailing "
        "(default 10,1000,10000)",
    )
    parser.add_argument(
        "--latency-requests", type=int, default=9, help="timed e-mail requests per size (default 9)"
    )
    parser.add_argument(
        "--raw-messages", type=int, default=2000, help="messages per raw smtplib baseline (default 2000)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=1800.0, help="bound on the delivery phase (default 1800)"
    )
    parser.add_argument(
        "--worker-runs", type=int, default=10, help="bound on worker --burst runs (default 10)"
    )
    parser.add_argument(
        "--redis-url", default=None, help="redis://127.0.0.1:PORT/DB instead of a private redis-server"
    )
    args = parse(parser, argv)
    organizers = math.ceil(len(args.sizes) * args.latency_requests / EMAIL_LIMIT)
    if args.latency_requests < 1 or organizers > MAX_ORGANIZERS - 1:
        most = (MAX_ORGANIZERS - 1) * EMAIL_LIMIT // len(args.sizes)
        parser.error(f"--latency-requests must be in [1, {most}] for {len(args.sizes)} sizes")
    if not 1 <= args.raw_messages <= 100_000 or not 1 <= args.worker_runs <= 100:
        parser.error("--raw-messages must be in [1, 100000] and --worker-runs in [1, 100]")
    if not 0 < args.max_seconds <= 7200:
        parser.error("--max-seconds must be in (0, 7200]")
    check_local_url(parser, "--redis-url", args.redis_url)
    return args


def main(argv: list[str] | None = None) -> int:
    return script_main(parse_args, run, argv)


if __name__ == "__main__":
    sys.exit(main())
