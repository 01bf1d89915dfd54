"""Two deployments on one Redis: each on its own database and queue, with the same fact-derived job
ids (the same event and user ids give the same participant ids), real RQ workers and a real SMTP
server. Every confirmation reaches its recipient exactly once."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job
from rq.registry import FinishedJobRegistry

from api.config import Settings
from domain.ports import FakeClock
from projections.dispatcher import NAME as DISPATCHER
from tests.conftest import registration_body
from tests.integration.helpers import stop, unique_queue
from tests.integration.smtp_sink import Sink
from tests.integration.test_email_delivery import World
from workers.queues import namespace

pytestmark = pytest.mark.integration
CONFIRMATION = "You are registered for PeerTest One"
SELF = "/campaignevents/v0/event_registration/1/participants/self"
DOMAINS = ("a.example", "b.example")


@pytest.fixture
def deployments(
    sqlite_settings: Settings, clock: FakeClock, redis_url: str, smtp_sink: tuple[Sink, str], tmp_path: Path
) -> Iterator[tuple[World, World, Sink]]:
    sink, smtp_url = smtp_sink
    built = []
    for tag in ("a", "b"):
        settings = replace(
            sqlite_settings,
            database_url=f"sqlite:///{tmp_path}/{tag}.db",
            redis_url=redis_url,
            smtp_url=smtp_url,
            job_retry_intervals=(1, 1, 1),
            queue_name=unique_queue(),
        )
        built.append(World(settings, clock))
    yield built[0], built[1], sink
    for world in built:
        world.close()


def register(world: World, domain: str, names: list[str]) -> None:
    """Create the event (id 1 in each deployment) if needed and register ``names``; user ids follow the
    same order in both deployments, so the participant ids — and the job ids — are the same."""
    if world.services.app.recorder.max_notification_id() is None:
        organizer = world.user("Admin", "event-organizer", email=f"admin@{domain}")
        assert organizer.post("/campaignevents/v0/event_registration", registration_body()).status_code == 201
    for name in names:
        person = world.user(name, email=f"{name.lower()}@{domain}")
        assert person.put(SELF, {"is_private": False}).status_code == 200
    head = world.services.app.recorder.max_notification_id() or 0
    assert world.services.store.wait_for(head, DISPATCHER, timeout=30)  # the jobs are in Redis


def outlive_finished_records(world: World) -> None:
    """What hours passing do: RQ keeps a finished job's record for its result TTL (500 s), then
    Redis drops it."""
    connection = Redis.from_url(world.settings.redis_url or "")
    for job_id in FinishedJobRegistry(world.settings.queue_name, connection=connection).get_job_ids():
        connection.pexpire(Job.key_for(job_id), 1)
    time.sleep(0.05)


def confirmations(sink: Sink) -> Counter[str]:
    return Counter(sink.to(CONFIRMATION))


def test_two_deployments_sharing_one_redis_deliver_every_mail_once(
    deployments: tuple[World, World, Sink],
) -> None:
    a, b, sink = deployments
    people = ["Person0", "Person1", "Person2"]
    expected = Counter(f"{n} <{n.lower()}@{d}>" for n in people for d in DOMAINS)

    # A sends its confirmations; later B, whose facts give the same job ids, enqueues its own
    register(a, "a.example", people)
    a.drain()
    register(b, "b.example", people)
    outlive_finished_records(a)  # A's finished jobs age out of Redis before B's worker comes
    b.drain()
    assert confirmations(sink) == expected

    # both deployments busy at once, each with its worker running
    workers = [a.worker(), b.worker()]
    try:
        register(a, "a.example", ["Late0", "Late1"])
        register(b, "b.example", ["Late0", "Late1"])
        expected.update(f"{n} <{n.lower()}@{d}>" for n in ("Late0", "Late1") for d in DOMAINS)
        deadline = time.monotonic() + 60
        while confirmations(sink) != expected and time.monotonic() < deadline:
            for worker in workers:
                assert worker.poll() is None, stop(worker)
            time.sleep(0.2)
        time.sleep(1.0)  # anything sent twice would arrive now
    finally:
        for worker in workers:
            stop(worker)
    assert confirmations(sink) == expected

    # each deployment's job records carry its namespace (the periodic jobs have random ids)
    connection = Redis.from_url(a.settings.redis_url or "")
    for world in (a, b):
        finished = FinishedJobRegistry(world.settings.queue_name, connection=connection).get_job_ids()
        confirms = [job_id for job_id in finished if "confirm-" in job_id]
        assert len(confirms) == 5
        prefix = f"{namespace(world.settings.queue_name)}-confirm-"
        assert all(job_id.startswith(prefix) for job_id in confirms)
