"""Non-ASCII e-mail addresses, end to end through a real RQ worker and a real SMTP server on
127.0.0.1: with a server that offers SMTPUTF8 (RFC 6531) they are delivered as written; with one
that does not, the message is a permanent failure — skipped and logged, the job succeeds and is
never retried — while the other recipients get theirs. A non-ASCII domain alone needs no SMTPUTF8:
it goes out IDNA-encoded."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from api.config import Settings
from domain.ports import FakeClock
from tests.conftest import registration_body
from tests.integration.helpers import unique_queue
from tests.integration.smtp_sink import Sink, free_port
from tests.integration.test_email_delivery import EMAIL, World

pytestmark = pytest.mark.integration
SUBJECT = "You are registered for PeerTest One"


class Envelopes(Sink):
    """The sink, keeping each message as the server received it: envelope and UTF-8 headers."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.SMTPUTF8)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), cast(EmailMessage, parsed)))
        return await super().handle_DATA(server, session, envelope)

    def delivered(self, subject: str) -> list[tuple[list[str], str, str | None]]:
        with self.lock:
            return sorted(
                (rcpt, str(m["To"]), None if m["Reply-To"] is None else str(m["Reply-To"]))
                for rcpt, m in self.received
                if m["Subject"] == subject
            )


def world_with(smtputf8: bool, settings: Settings, clock: FakeClock, redis_url: str) -> Iterator[Any]:
    sink = Envelopes()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=smtputf8)
    controller.start()
    built = World(
        replace(
            settings,
            redis_url=redis_url,
            smtp_url=f"smtp://127.0.0.1:{controller.port}",
            job_retry_intervals=(1, 1, 1),
            queue_name=unique_queue(),
        ),
        clock,
    )
    try:
        yield built, sink
    finally:
        built.close()
        controller.stop()


@pytest.fixture
def utf8_world(sqlite_settings: Settings, clock: FakeClock, redis_url: str) -> Iterator[Any]:
    yield from world_with(True, sqlite_settings, clock, redis_url)


@pytest.fixture
def ascii_world(sqlite_settings: Settings, clock: FakeClock, redis_url: str) -> Iterator[Any]:
    yield from world_with(False, sqlite_settings, clock, redis_url)


def register(w: World, *people: tuple[str, str]) -> Any:
    organizer = w.user("Zoë", "event-organizer", email="zoë@example.org")
    assert organizer.post("/campaignevents/v0/event_registration", registration_body()).status_code == 201
    for name, address in people:
        person = w.user(name, email=address)
        put = person.put("/campaignevents/v0/event_registration/1/participants/self", {"is_private": False})
        assert put.status_code == 200
    return organizer


def no_failed_or_retried_jobs(w: World) -> None:
    queue = Queue(w.settings.queue_name, connection=Redis.from_url(w.settings.redis_url or ""))
    assert FailedJobRegistry(queue=queue).get_job_ids() == []
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == []  # no retry waiting either
    assert queue.get_job_ids() == []


def test_a_server_with_smtputf8_gets_non_ascii_addresses_as_written(utf8_world: Any) -> None:
    w, sink = utf8_world
    organizer = register(w, ("Jürgen", "jürgen@example.org"), ("Ana", "ana@exämple.org"))
    w.drain()
    assert sink.delivered(SUBJECT) == [
        (["ana@xn--exmple-cua.org"], "Ana <ana@xn--exmple-cua.org>", None),
        (["jürgen@example.org"], "Jürgen <jürgen@example.org>", None),
    ]
    resp = organizer.post(EMAIL, {"subject": "Snacks", "message": "Bring snacks.", "ccme": True})
    assert (resp.status_code, resp.get_json()) == (202, {"sent": 2})
    w.wait_for_queue(lambda ids: any("-mailing-" in i for i in ids))
    w.drain()
    assert sink.delivered("Snacks") == [
        (["ana@xn--exmple-cua.org"], "Ana <ana@xn--exmple-cua.org>", "Zoë <zoë@example.org>"),
        (["jürgen@example.org"], "Jürgen <jürgen@example.org>", "Zoë <zoë@example.org>"),
    ]
    assert sink.delivered("Copy of your message to participants of PeerTest One") == [
        (["zoë@example.org"], "Zoë <zoë@example.org>", None)
    ]
    no_failed_or_retried_jobs(w)


def test_a_server_without_smtputf8_skips_those_addresses_for_good_and_delivers_the_rest(
    ascii_world: Any,
) -> None:
    w, sink = ascii_world
    organizer = register(w, ("Jürgen", "jürgen@example.org"), ("Ana", "ana@exämple.org"))
    w.drain()
    # Jürgen's confirmation cannot go through this server: not sent, not failed, not retried
    assert sink.delivered(SUBJECT) == [(["ana@xn--exmple-cua.org"], "Ana <ana@xn--exmple-cua.org>", None)]
    no_failed_or_retried_jobs(w)
    resp = organizer.post(EMAIL, {"subject": "Snacks", "message": "Bring snacks.", "ccme": True})
    assert (resp.status_code, resp.get_json()) == (202, {"sent": 2})
    w.wait_for_queue(lambda ids: any("-mailing-" in i for i in ids))
    w.drain()
    # Ana's message goes out; its Reply-To (the organizer's non-ASCII address) needs SMTPUTF8 too,
    # so it is skipped for good as well, as is the organizer's copy
    assert sink.delivered("Snacks") == []
    assert sink.delivered("Copy of your message to participants of PeerTest One") == []
    no_failed_or_retried_jobs(w)
