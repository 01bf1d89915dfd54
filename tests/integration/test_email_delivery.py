"""E-mail to participants, end to end: the API records the request, the projector's dispatcher
enqueues an RQ job in real Redis, a real RQ worker sends through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry

from api.app import create_app
from api.bootstrap import Services
from api.config import Settings
from domain import commands
from domain.ports import FakeClock
from projections.dispatcher import NAME as DISPATCHER
from tests.conftest import Api, User, make_services, registration_body
from tests.integration.helpers import spawn_cli, stop, unique_queue
from tests.integration.smtp_sink import Sink, free_port
from workers.queues import JOB_TIMEOUT

pytestmark = pytest.mark.integration
EMAIL = "/campaignevents/v0/event_registration/1/email"


class World:
    def __init__(self, settings: Settings, clock: FakeClock) -> None:
        self.settings = settings
        self.services: Services = make_services(settings, clock)
        self.flask = create_app(services=self.services, run_projector=True)

    def user(self, name: str, *groups: str, email: str | None = "") -> Api:
        address = f"{name.lower()}@example.org" if email == "" else email
        new = self.services.app.create_user(commands.CreateUser(name, address, groups, "pw"))
        return Api(self.flask, User(new.user_id, new.user_name, new.token, "pw"))

    def worker(self, *args: str) -> subprocess.Popen[str]:
        return spawn_cli(
            self.settings,
            "worker",
            *args,
            CAMPAIGNEVENTS_REDIS_URL=self.settings.redis_url or "",
            CAMPAIGNEVENTS_SMTP_URL=self.settings.smtp_url or "",
            CAMPAIGNEVENTS_BASE_URL="http://events.example.org",
        )

    def drain(self) -> None:
        """Let a burst worker send everything the log asked for so far (the confirmations, say)."""
        head = self.services.app.recorder.max_notification_id() or 0
        assert self.services.store.wait_for(head, DISPATCHER, timeout=30)
        worker = self.worker("--burst")
        assert worker.wait(timeout=60) == 0, worker.stdout.read() if worker.stdout else ""

    def wait_for_queue(self, predicate: Any, allow_empty: bool = False, timeout: float = 20) -> list[str]:
        queue = Queue(self.settings.queue_name, connection=Redis.from_url(self.settings.redis_url or ""))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.services.projector.wake()
            ids = queue.get_job_ids()
            if (ids or allow_empty) and predicate(ids):
                return ids
            time.sleep(0.05)
        raise AssertionError(f"queue never matched: {queue.get_job_ids()}")

    def close(self) -> None:
        self.services.close()


@pytest.fixture
def world(
    sqlite_settings: Settings,
    clock: FakeClock,
    redis_url: str,
    smtp_sink: tuple[Sink, str],
) -> Iterator[tuple[World, Sink]]:
    sink, smtp_url = smtp_sink
    built = World(
        replace(
            sqlite_settings,
            redis_url=redis_url,
            smtp_url=smtp_url,
            job_retry_intervals=(1, 1, 1),
            queue_name=unique_queue(),
        ),
        clock,
    )
    yield built, sink
    built.close()


def event_with_participants(world: World, count: int = 2) -> tuple[Api, list[Api]]:
    organizer = world.user("Admin", "event-organizer")
    assert organizer.post("/campaignevents/v0/event_registration", registration_body()).status_code == 201
    people = [world.user(f"Person{n}") for n in range(count)]
    for n, person in enumerate(people):
        body = {"is_private": n % 2 == 1}
        assert (
            person.put("/campaignevents/v0/event_registration/1/participants/self", body).status_code == 200
        )
    return organizer, people


def test_the_message_reaches_exactly_the_valid_recipients(world: tuple[World, Sink]) -> None:
    w, sink = world
    organizer, _people = event_with_participants(w, 2)
    no_mail = w.user("Nomail", email=None)
    blocked = w.user("Blocked")
    for extra in (no_mail, blocked):
        extra.put("/campaignevents/v0/event_registration/1/participants/self", {"is_private": False})
    w.services.app.block_user(commands.BlockUser("Blocked"))
    w.drain()
    # "Blocked" was blocked before the job ran, "Nomail" has no address: neither is mailed
    assert sorted(sink.to("You are registered for PeerTest One")) == [
        "Person0 <person0@example.org>",
        "Person1 <person1@example.org>",
    ]
    resp = organizer.post(EMAIL, {"subject": "Snacks", "message": "Bring snacks.", "ccme": True})
    assert (resp.status_code, resp.get_json()) == (202, {"sent": 2})
    w.wait_for_queue(lambda ids: any(i.startswith(f"{w.settings.queue_name}-mailing-") for i in ids))
    w.drain()
    delivered = sink.with_subject("Snacks")
    assert sorted(m["To"] for m in delivered) == [
        "Person0 <person0@example.org>",
        "Person1 <person1@example.org>",
    ]
    for message in delivered:
        assert message["Reply-To"] == "Admin <admin@example.org>"
        assert message["From"] == w.settings.mail_from
        name = message["To"].split(" <")[0]
        assert message.get_payload(decode=True).decode().replace("\r\n", "\n") == (
            "Bring snacks.\n\n-- \nThis email was sent by Admin to "
            f"{name}, a registered participant of the following event: "
            "http://events.example.org/campaignevents/v0/event_registration/1. "
            "If you reply, your reply will go to Admin.\n"
        )
    copy = sink.with_subject("Copy of your message to participants of PeerTest One")
    assert [m["To"] for m in copy] == ["Admin <admin@example.org>"]
    assert "Bring snacks." in copy[0].get_payload(decode=True).decode()


def test_the_limit_is_five_sends_a_day(world: tuple[World, Sink], clock: FakeClock) -> None:
    w, _ = world
    organizer, _people = event_with_participants(w, 1)
    assert organizer.post(EMAIL, {"subject": "x", "message": "y", "user_ids": [999]}).status_code == 200
    for _ in range(5):
        assert organizer.post(EMAIL, {"subject": "x", "message": "y"}).status_code == 202
    resp = organizer.post(EMAIL, {"subject": "x", "message": "y"})
    assert resp.status_code == 400
    assert resp.get_json() == {
        "errorKey": "actionthrottledtext",
        "messageTranslations": {
            "en": "As an anti-abuse measure, you are limited from performing this action too many times "
            "in a short space of time, and you have exceeded this limit.\nPlease try again in a few minutes."
        },
        "httpCode": 400,
        "httpReason": "Bad Request",
    }
    clock.advance(hours=24, seconds=1)
    assert organizer.post(EMAIL, {"subject": "x", "message": "y"}).status_code == 202


def kill_the_worker_when_held(w: World, sink: Sink) -> list[str]:
    """Mail the 8 participants, SIGKILL the worker when the sink holds the message it was told to
    hold, then let a second worker finish the job; what each got, in the order it arrived, and
    who had it before the kill."""
    w.wait_for_queue(lambda ids: any(i.startswith(f"{w.settings.queue_name}-mailing-") for i in ids))
    first = w.worker()
    try:
        assert sink.held.wait(30), "the worker never reached the held message"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    before_kill = [m["To"] for m in sink.with_subject("Batch")]
    sink.release.set()
    # RQ hands a dead worker's job back once its registry entry expires; expire it now.
    connection = Redis.from_url(w.settings.redis_url or "")
    StartedJobRegistry(queue=Queue(w.settings.queue_name, connection=connection)).cleanup(
        timestamp=time.time() + JOB_TIMEOUT + 600
    )
    second = w.worker()
    try:
        deadline = time.monotonic() + 45
        while len(sink.with_subject("Batch")) < 8 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # anything sent twice would arrive now
    finally:
        stop(second)
    return before_kill


def test_a_worker_killed_mid_batch_delivers_each_recipient_once(world: tuple[World, Sink]) -> None:
    """Killed while the 4th message waits to be accepted (all its data sent, the final "." not yet
    answered): the three accepted before are recorded, since a message is accepted only after the
    previous one's record committed; the rerun sends exactly the other five."""
    w, sink = world
    organizer, _people = event_with_participants(w, 8)
    w.drain()
    before = len(sink.messages)
    sink.hold_data_at = sink._datas + 4  # the 4th message of the mailing, at its final "."
    assert organizer.post(EMAIL, {"subject": "Batch", "message": "Hello all"}).get_json() == {"sent": 8}
    assert len(kill_the_worker_when_held(w, sink)) == 3
    received = sorted(m["To"] for m in sink.with_subject("Batch"))
    assert received == sorted(f"Person{n} <person{n}@example.org>" for n in range(8))
    assert len(sink.messages) - before == 8


def test_a_worker_killed_at_the_next_envelope_repeats_at_most_the_message_in_flight(
    world: tuple[World, Sink],
) -> None:
    """Killed at the 4th RCPT, while the 3rd delivery's record may still be committing: every
    recipient gets the message, and only the 3rd can get it twice."""
    w, sink = world
    organizer, _people = event_with_participants(w, 8)
    w.drain()
    sink.hold_at = sink._rcpts + 4  # the 4th recipient of the mailing
    assert organizer.post(EMAIL, {"subject": "Batch", "message": "Hello all"}).get_json() == {"sent": 8}
    before_kill = kill_the_worker_when_held(w, sink)
    assert len(before_kill) == 3
    counts = Counter(m["To"] for m in sink.with_subject("Batch"))
    assert sorted(counts) == sorted(f"Person{n} <person{n}@example.org>" for n in range(8))
    assert {to for to, n in counts.items() if n > 1} <= {before_kill[-1]}
    assert all(n <= 2 for n in counts.values())


@pytest.fixture
def private_redis() -> Iterator[dict[str, Any]]:
    """A Redis of this test's own, so it can be stopped and started again."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed")
    port = free_port()
    state: dict[str, Any] = {"url": f"redis://127.0.0.1:{port}/0", "process": None}

    def start() -> None:
        state["process"] = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if Redis.from_url(state["url"]).ping():
                    return
            except Exception:
                time.sleep(0.05)
        raise AssertionError("private redis did not start")

    def stop() -> None:
        state["process"].terminate()
        state["process"].wait(timeout=10)

    state["start"], state["stop"] = start, stop
    start()
    yield state
    stop()


def test_with_redis_down_the_request_is_accepted_and_mail_goes_out_later(
    sqlite_settings: Settings,
    clock: FakeClock,
    smtp_sink: tuple[Sink, str],
    private_redis: dict[str, Any],
) -> None:
    sink, smtp_url = smtp_sink
    settings = replace(
        sqlite_settings, redis_url=private_redis["url"], smtp_url=smtp_url, queue_name=unique_queue()
    )
    w = World(settings, clock)
    try:
        organizer, _people = event_with_participants(w, 3)
        w.drain()
        private_redis["stop"]()
        resp = organizer.post(EMAIL, {"subject": "Outage", "message": "Still here"})
        assert (resp.status_code, resp.get_json()) == (202, {"sent": 3})
        time.sleep(1.0)  # the dispatcher tries, fails, and keeps its position
        private_redis["start"]()
        w.wait_for_queue(
            lambda ids: any(i.startswith(f"{w.settings.queue_name}-mailing-") for i in ids), timeout=30
        )
        w.drain()
        assert sorted(sink.to("Outage")) == sorted(f"Person{n} <person{n}@example.org>" for n in range(3))
    finally:
        w.close()


def test_the_worker_rides_out_a_redis_restart(
    sqlite_settings: Settings, clock: FakeClock, smtp_sink: tuple[Sink, str], private_redis: dict[str, Any]
) -> None:
    sink, smtp_url = smtp_sink
    settings = replace(
        sqlite_settings, redis_url=private_redis["url"], smtp_url=smtp_url, queue_name=unique_queue()
    )
    w = World(settings, clock)
    worker = w.worker()
    try:
        event_with_participants(w, 1)
        deadline = time.monotonic() + 30
        while not sink.to("You are registered for PeerTest One") and time.monotonic() < deadline:
            time.sleep(0.1)
        private_redis["stop"]()
        time.sleep(3)  # the worker notices: heartbeat, job fetch and scheduler all fail meanwhile
        private_redis["start"]()
        late = w.user("Latecomer")
        assert (
            late.put(
                "/campaignevents/v0/event_registration/1/participants/self", {"is_private": False}
            ).status_code
            == 200
        )
        deadline = time.monotonic() + 45
        while "Latecomer <latecomer@example.org>" not in sink.to() and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker exited when Redis restarted"
            time.sleep(0.2)
        assert "Latecomer <latecomer@example.org>" in sink.to("You are registered for PeerTest One")
        assert worker.poll() is None
    finally:
        output = stop(worker)
        w.close()
    assert "Exception in thread cron" not in output
