"""Periodic jobs: RQ's CronScheduler registers them beside the RQ worker; the embedded default
runs the same job functions on a timer thread."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from workers import jobs
from workers.context import JobContext
from workers.queues import namespace

log = logging.getLogger("campaignevents.schedule")


def periodic_jobs() -> list[Callable[[JobContext], Any]]:
    return [jobs.aggregate_answers]


def start_timer(interval: float, stop: threading.Event, context: JobContext) -> threading.Thread:
    """Embedded default: run every periodic job now and then every ``interval`` seconds."""

    def loop() -> None:
        while True:
            for job in periodic_jobs():
                try:
                    job(context)
                except Exception:
                    log.exception("periodic job %s failed", job.__name__)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=loop, name="schedule", daemon=True)
    thread.start()
    return thread


def start_cron(redis_url: str, queue_name: str, interval: int, stop: threading.Event) -> threading.Thread:
    """Production: RQ's CronScheduler enqueues the periodic jobs on the RQ queue; a thread beside
    the worker drives it (its own ``start()`` wants the main thread for signal handlers)."""
    from redis import Redis
    from rq.cron import CronScheduler

    # Its keys (``rq:cron_scheduler:<name>``, ``rq:cron_job:<name>:jobs``) carry the deployment's
    # namespace: two deployments on one Redis keep their schedules apart.
    ns = namespace(queue_name)
    name = f"{ns}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    cron = CronScheduler(connection=Redis.from_url(redis_url), name=name)
    for job in periodic_jobs():
        cron.register(job, queue_name=queue_name, interval=interval, name=f"{ns}:{job.__name__}")

    def loop() -> None:
        failures, born = 0, False
        while not stop.is_set():
            try:
                if not born:
                    cron.register_birth()
                    born = True
                if cron.enqueue_jobs():
                    cron.save()
                cron.heartbeat()
                failures = 0
                pause = max(0.2, min(cron.calculate_sleep_interval(), interval))
            except Exception:  # Redis restarting: the schedule resumes when it answers again
                failures, born = failures + 1, False
                log.warning("cron could not reach Redis (attempt %d); retrying", failures, exc_info=True)
                pause = min(30.0, 0.5 * 2**failures)
            stop.wait(pause)
        with suppress(Exception):
            cron.register_death()

    thread = threading.Thread(target=loop, name="cron", daemon=True)
    thread.start()
    return thread
