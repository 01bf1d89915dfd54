"""Where jobs go: RQ on Redis in production, a thread in the embedded default. Same functions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger("campaignevents.jobs")
QUEUE_NAME = "campaignevents"


class JobQueue(Protocol):
    def enqueue(self, func: Callable[..., Any], *args: Any, job_id: str | None = None) -> None: ...


class InProcessQueue:
    """Runs each job in a background thread of this process (the embedded default)."""

    def enqueue(self, func: Callable[..., Any], *args: Any, job_id: str | None = None) -> None:
        def run() -> None:
            try:
                func(*args)
            except Exception:
                log.exception("in-process job %s failed", job_id or func.__name__)

        threading.Thread(target=run, name=f"job:{job_id or func.__name__}", daemon=True).start()


class RqQueue:
    def __init__(self, redis_url: str) -> None:
        from redis import Redis
        from rq import Queue

        self.queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))

    def enqueue(self, func: Callable[..., Any], *args: Any, job_id: str | None = None) -> None:
        self.queue.enqueue(func, *args, job_id=job_id)
