"""The registration confirmation job, as the dispatcher queues it and as older queues hold it: a
first registration's job names the registrant, so a registrant nobody can write to costs the job
one account read (not the participant's too); a job queued before the user was passed (arguments:
the participant aggregate and the fact's version only) still confirms, once."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry

from tests.conftest import registration_body
from tests.integration.smtp_sink import Sink
from tests.integration.test_email_delivery import World
from tests.integration.test_email_delivery import world as world  # the fixture
from workers.mail import send_confirmation

pytestmark = pytest.mark.integration
BASE = "/campaignevents/v0/event_registration"
SUBJECT = "You are registered for PeerTest One"


def registrants(sink: Sink) -> list[str]:
    return sorted(str(m["To"]).split(" ")[0] for m in sink.with_subject(SUBJECT))


def test_the_job_names_the_registrant_and_only_those_with_an_address_are_told(
    world: tuple[World, Sink],
) -> None:
    w, sink = world
    organizer = w.user("Admin", "event-organizer")
    assert organizer.post(BASE, registration_body()).status_code == 201
    told, silent = w.user("Told"), w.user("Silent", email=None)
    for person in (told, silent):
        assert person.put(f"{BASE}/1/participants/self", {"is_private": False}).status_code == 200
    queue = Queue(w.settings.queue_name, connection=Redis.from_url(w.settings.redis_url or ""))
    ids = w.wait_for_queue(lambda ids: sum("confirm-" in i for i in ids) == 2)
    jobs = [queue.fetch_job(i) for i in ids if "confirm-" in i]
    app = w.services.app
    expected = {(str(app.participant(1, p.user.user_id).id), 1, p.user.user_id) for p in (told, silent)}
    assert {tuple(job.args) for job in jobs if job is not None} == expected
    w.drain()
    assert registrants(sink) == ["Told"]
    assert FailedJobRegistry(queue=queue).get_job_ids() == []


def test_a_job_queued_without_the_registrant_still_confirms_once(world: tuple[World, Sink]) -> None:
    w, sink = world
    organizer = w.user("Admin", "event-organizer")
    assert organizer.post(BASE, registration_body()).status_code == 201
    person: Any = w.user("Older")
    assert person.put(f"{BASE}/1/participants/self", {"is_private": False}).status_code == 200
    aggregate = str(w.services.app.participant(1, person.user.user_id).id)
    assert send_confirmation(w.services.jobs, aggregate, 1) is True  # the arguments of an older queue
    assert send_confirmation(w.services.jobs, aggregate, 1) is False  # its notice is recorded: once
    assert registrants(sink) == ["Older"]
