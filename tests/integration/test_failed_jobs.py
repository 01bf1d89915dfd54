"""A mailing that keeps failing ends in RQ's failed registry; `campaignevents jobs failed` shows it and
`campaignevents jobs requeue` sends it once the mail server is back — to each recipient once."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry

from api.config import Settings
from domain.ports import FakeClock
from projections.dispatcher import NAME as DISPATCHER
from tests.integration.helpers import run_cli, stop, unique_queue
from tests.integration.smtp_sink import Sink, free_port
from tests.integration.test_email_delivery import EMAIL, World, event_with_participants

pytestmark = pytest.mark.integration


def test_failed_mailing_is_listed_and_requeued(
    sqlite_settings: Settings, clock: FakeClock, redis_url: str, smtp_sink: tuple[Sink, str]
) -> None:
    sink, smtp_url = smtp_sink
    dead_smtp = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    settings = replace(
        sqlite_settings,
        redis_url=redis_url,
        smtp_url=dead_smtp,
        job_retry_intervals=(1, 1),
        queue_name=unique_queue(),
    )
    w = World(settings, clock)
    try:
        organizer, _people = event_with_participants(w, 3)
        assert organizer.post(EMAIL, {"subject": "Retry me", "message": "Hello"}).get_json() == {"sent": 3}
        head = w.services.app.recorder.max_notification_id() or 0
        assert w.services.store.wait_for(head, DISPATCHER, timeout=30)
        queue = Queue(w.settings.queue_name, connection=Redis.from_url(redis_url))

        def failed_mailings() -> list[str]:
            return [
                j
                for j in FailedJobRegistry(queue=queue).get_job_ids()
                if j.startswith(f"{settings.queue_name}-mailing-")
            ]

        worker = w.worker()  # tries, retries twice a second apart, and gives up
        try:
            deadline = time.monotonic() + 45
            while not failed_mailings() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            stop(worker)
        assert len(failed_mailings()) == 1

        env = {"CAMPAIGNEVENTS_REDIS_URL": redis_url}
        listed = run_cli(w.settings, "jobs", "failed", **env)
        assert listed.returncode == 0, listed.stderr
        rows = [json.loads(line) for line in listed.stdout.splitlines()]
        mailing = next(r for r in rows if r["id"].startswith(f"{settings.queue_name}-mailing-"))
        assert mailing["func"] == "workers.mail.send_mailing"
        assert "Connection refused" in (mailing["error"] or "") or "ConnectionRefusedError" in (
            mailing["error"] or ""
        )

        requeued = run_cli(w.settings, "jobs", "requeue", mailing["id"], **env)
        assert requeued.returncode == 0 and f"requeued {mailing['id']}" in requeued.stdout
        w.settings = replace(w.settings, smtp_url=smtp_url)  # the mail server is back
        w.drain()
        assert sorted(sink.to("Retry me")) == sorted(f"Person{n} <person{n}@example.org>" for n in range(3))
        assert mailing["id"] not in FailedJobRegistry(queue=queue).get_job_ids()
    finally:
        w.close()
