"""Where jobs go: RQ on Redis in production, a thread in the embedded default. Same functions,
named by their dotted path."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger("campaignevents.jobs")
QUEUE_NAME = "campaignevents"
RETRY_INTERVALS = (5, 30, 120, 600, 1800)
FAILURE_TTL = 30 * 24 * 3600


class JobQueue(Protocol):
    def enqueue(self, func: str, *args: Any, job_id: str) -> None: ...


def resolve(func: str) -> Callable[..., Any]:
    module, _, name = func.rpartition(".")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


class InProcessQueue:
    """Runs each job in a background thread of this process, with the same retries (the embedded
    default has no Redis)."""

    def __init__(self, intervals: tuple[int, ...] = RETRY_INTERVALS) -> None:
        self.intervals = intervals

    def enqueue(self, func: str, *args: Any, job_id: str) -> None:
        def run() -> None:
            for attempt, pause in enumerate([0.0, *self.intervals]):
                if pause:
                    threading.Event().wait(pause)
                try:
                    resolve(func)(*args)
                    return
                except Exception:
                    log.exception("job %s failed (attempt %d)", job_id, attempt + 1)
            log.error("job %s failed for good", job_id)

        threading.Thread(target=run, name=f"job:{job_id}", daemon=True).start()


class RqQueue:
    def __init__(
        self, redis_url: str, intervals: tuple[int, ...] = RETRY_INTERVALS, name: str = QUEUE_NAME
    ) -> None:
        from redis import Redis
        from rq import Queue

        self.intervals = intervals
        self.queue = Queue(name, connection=Redis.from_url(redis_url, socket_connect_timeout=2))

    def enqueue(self, func: str, *args: Any, job_id: str) -> None:
        from rq import Retry

        self.queue.enqueue(
            func,
            *args,
            job_id=job_id,
            retry=Retry(max=len(self.intervals), interval=list(self.intervals)),
            failure_ttl=FAILURE_TTL,
        )
