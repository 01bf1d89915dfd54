"""Where jobs go: RQ on Redis in production, a thread in the embedded default. Same functions,
named by their dotted path; both implement the dispatcher's ``JobQueue`` port. A job function
receives the process's ``JobContext`` first, then the ids it was enqueued with: the in-process
queue passes the context it was started with, the RQ worker its own (``workers/rq_worker.py``)."""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from workers.context import JobContext

log = logging.getLogger("campaignevents.jobs")
QUEUE_NAME = "campaignevents"
RETRY_INTERVALS = (5, 30, 120, 600, 1800)
FAILURE_TTL = 30 * 24 * 3600

JOB_TIMEOUT = 3600  # a 10,000-recipient mailing is one job; RQ's default 180 s would cut it
JOB_ID_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")  # what RQ 2 accepts in a job id (rq.job.JOB_ID_PATTERN)


def namespace(queue_name: str) -> str:
    """The deployment's namespace in a shared Redis, from its queue name (``CAMPAIGNEVENTS_QUEUE_NAME``).

    RQ keys a job by its id alone (``rq:job:<id>``), whatever its queue: two deployments enqueueing
    the same fact-derived id would share one job record. Every key the service writes therefore
    carries this namespace. It is the queue name itself when that fits RQ's job-id characters, else
    the name with the other characters replaced and a digest of the original appended (so two names
    never share a namespace)."""
    if JOB_ID_CHARACTERS.fullmatch(queue_name):
        return queue_name
    digest = hashlib.sha256(queue_name.encode()).hexdigest()[:12]
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', queue_name)}-{digest}"


def namespaced_job_id(queue_name: str, job_id: str) -> str:
    """``<namespace>-<job id>``: the id RQ stores the job under in a shared Redis."""
    return f"{namespace(queue_name)}-{job_id}"


def resolve(func: str) -> Callable[..., Any]:
    module, _, name = func.rpartition(".")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


class InProcessQueue:
    """Runs jobs on a small thread pool of this process, with the same retries as RQ (the embedded
    default has no Redis); a retry waits on a timer, not in a pool thread.

    The composition root builds it before the projector (whose dispatcher enqueues here) and
    starts it with the job context once the projector exists; jobs enqueued before wait."""

    def __init__(self, intervals: tuple[int, ...] = RETRY_INTERVALS, workers: int = 4) -> None:
        self.intervals = intervals
        self.context: JobContext | None = None
        self.started = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self.closed = threading.Event()
        self.timers: set[threading.Timer] = set()
        self._busy = 0
        self._idle = threading.Condition()

    def enqueue(self, func: str, *args: Any, job_id: str) -> None:
        if not self.closed.is_set():
            self._submit(func, args, job_id, 0)

    def _submit(self, func: str, args: tuple[Any, ...], job_id: str, attempt: int) -> None:
        with self._idle:
            self._busy += 1
        self.pool.submit(self._run, func, args, job_id, attempt)

    def _run(self, func: str, args: tuple[Any, ...], job_id: str, attempt: int) -> None:
        try:
            self._attempt(func, args, job_id, attempt)
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no job is running or queued (retries waiting on a timer do not count)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def start(self, context: JobContext) -> None:
        """Run jobs from now on, each with ``context``."""
        self.context = context
        self.started.set()

    def close(self) -> None:
        self.closed.set()
        self.started.set()  # a job waiting for the start gives up
        for timer in list(self.timers):
            timer.cancel()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _attempt(self, func: str, args: tuple[Any, ...], job_id: str, attempt: int) -> None:
        if not self.started.wait(JOB_TIMEOUT) or self.context is None:
            log.error("job %s dropped: the queue was closed before it started", job_id)
            return
        try:
            resolve(func)(self.context, *args)
        except Exception:
            log.exception("job %s failed (attempt %d)", job_id, attempt + 1)
            if attempt >= len(self.intervals):
                log.error("job %s failed for good", job_id)
                return
            if self.closed.is_set():
                return
            retry = threading.Timer(self.intervals[attempt], self._retry, (func, args, job_id, attempt + 1))
            retry.daemon = True
            self.timers.add(retry)
            retry.start()

    def _retry(self, func: str, args: tuple[Any, ...], job_id: str, attempt: int) -> None:
        self.timers.discard(threading.current_thread())  # type: ignore[arg-type]
        if not self.closed.is_set():
            self._submit(func, args, job_id, attempt)


class RqQueue:
    def __init__(
        self, redis_url: str, intervals: tuple[int, ...] = RETRY_INTERVALS, name: str = QUEUE_NAME
    ) -> None:
        from redis import Redis
        from rq import Queue

        self.intervals = intervals
        self.queue = Queue(name, connection=Redis.from_url(redis_url, socket_connect_timeout=2))
        self.name = name

    def close(self) -> None:
        """Nothing runs here: RQ's workers run the jobs."""

    def enqueue(self, func: str, *args: Any, job_id: str) -> None:
        from rq import Retry

        self.queue.enqueue(
            func,
            *args,
            job_id=namespaced_job_id(self.name, job_id),
            retry=Retry(max=len(self.intervals), interval=list(self.intervals)),
            failure_ttl=FAILURE_TTL,
            job_timeout=JOB_TIMEOUT,
        )
