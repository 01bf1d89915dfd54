"""The RQ worker the ``campaignevents worker`` command runs: RQ's ``SimpleWorker`` with five changes.

* **It hands its services to the jobs.** The composition root builds the worker with the
  process's ``JobContext``; the worker's job class (``ContextJob``) calls each job function with
  that context first, then the ids the job was enqueued with. The context never goes to Redis:
  jobs are enqueued, stored and retried with their ids alone, under the same names and job ids.
* **Its name carries the deployment's namespace** (``<namespace>-<uuid>``), like every other key
  the service writes in a shared Redis.
* **RQ's scheduler process dies with the worker.** RQ forks its scheduler from the worker
  (``RQScheduler.start``); a worker killed by SIGKILL (the OOM killer) left that child running
  forever under PID 1, holding ``rq:scheduler-lock:<queue>``. Every child the worker forks now asks
  Linux for SIGTERM when its parent dies (``PR_SET_PDEATHSIG``): the scheduler's own SIGTERM
  handler stops it and releases the lock for the next worker.
* **It takes over a free scheduler lock within seconds.** RQ retries the lock only in its
  maintenance round, every 10 minutes, between 405-second waits for a job: a worker started while
  a dead worker's scheduler still held the lock (it releases it within a second of SIGTERM; a lock
  nobody releases expires after 61 s) ran without a scheduler, so retries and scheduled jobs
  waited up to ~17 minutes. Here the worker wakes every ``TAKEOVER_SECONDS`` and its maintenance
  round (RQ's registry clean-up, cheap with one queue; a running job's registry entry lasts its
  timeout + 60 s, so clean-ups never take it for abandoned) runs as often.
* **It leaves its pub/sub thread without a 60-second wait.** RQ's ``unsubscribe`` sends UNSUBSCRIBE,
  then stops the thread reading the channel (``PubSubWorkerThread.stop``, which in redis-py 8 joins
  without a timeout). When that thread read the UNSUBSCRIBE reply before the stop flag was cleared,
  it called ``get_message(timeout=60)`` again on a connection now subscribed to nothing, which waits
  the full 60 s for a subscription: ``worker --burst`` took ~61 s to exit after "done, quitting".
  Here the flag is cleared first, so the reply ends the thread's loop.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
import uuid
from contextlib import suppress
from typing import Any

from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.job import Job

from workers.context import JobContext
from workers.queues import namespace

log = logging.getLogger("campaignevents.worker")
PR_SET_PDEATHSIG = 1  # linux/prctl.h
TAKEOVER_SECONDS = 10
_registered = threading.Lock()
_hook_installed = False
_forking_parent = 0


class ContextJob(Job):
    """A job run with the worker's ``JobContext`` as its function's first argument."""

    context: JobContext | None = None

    def _execute(self) -> Any:
        if self.context is None:
            raise RuntimeError(f"job {self.id} needs a JobContext: run it on a ServiceWorker")
        return self.func(self.context, *self.args, **self.kwargs)


class ServiceWorker(SimpleWorker):
    job_class = ContextJob

    def __init__(
        self, queues: Any, *args: Any, queue_name: str, context: JobContext, **kwargs: Any
    ) -> None:
        self.context = context
        kwargs.setdefault("name", f"{namespace(queue_name)}-{uuid.uuid4().hex}")
        kwargs.setdefault("worker_ttl", TAKEOVER_SECONDS + 15)  # RQ waits for a job worker_ttl - 15 s
        kwargs.setdefault("maintenance_interval", TAKEOVER_SECONDS)
        super().__init__(queues, *args, **kwargs)

    def perform_job(self, job: Job, queue: Any) -> bool:
        if isinstance(job, ContextJob):
            job.context = self.context
        performed: bool = super().perform_job(job, queue)
        return performed

    def unsubscribe(self) -> None:
        thread, pubsub = self.pubsub_thread, self.pubsub
        if thread is None or pubsub is None:
            return
        self.log.info("Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name)
        thread._running.clear()  # first: the UNSUBSCRIBE reply then ends the thread's read loop
        with suppress(RedisError, OSError):  # Redis gone: the thread's read fails and it ends too
            pubsub.unsubscribe()
        thread.join(timeout=5)  # a daemon thread: a Redis that stops answering cannot hold the exit
        if thread.is_alive():
            self.log.warning("Worker %s: pub/sub thread still reading; leaving it", self.name)
        with suppress(RedisError, OSError):
            pubsub.close()


def die_with_parent() -> None:
    """From now on, every process this one forks gets SIGTERM when its parent dies (Linux; a no-op
    elsewhere). Installed once per process."""
    global _hook_installed
    with _registered:
        if not _hook_installed:
            os.register_at_fork(before=_note_parent, after_in_child=_ask_for_parent_death_signal)
            _hook_installed = True


def _note_parent() -> None:
    global _forking_parent
    _forking_parent = os.getpid()


def _ask_for_parent_death_signal() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
            return
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != _forking_parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)
