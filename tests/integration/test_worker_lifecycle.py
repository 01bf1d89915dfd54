"""The RQ worker's own life, against real Redis: RQ's scheduler (a forked child of the worker) dies with
a SIGKILLed worker and the next worker takes over its lock; a worker leaves its pub/sub thread
without waiting out the thread's 60-second read."""

from __future__ import annotations

import signal
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from redis import Redis
from rq import Queue
from rq.scheduler import RQScheduler

from api.config import Settings
from tests.integration import procs
from tests.integration.helpers import spawn_cli, stop, unique_queue
from workers.context import JobContext
from workers.rq_worker import ServiceWorker

pytestmark = pytest.mark.integration


def scheduler_of(connection: Redis, queue_name: str) -> tuple[str, int] | None:
    """(name, pid) of the RQ scheduler holding the queue's scheduler lock, if any."""
    held: Any = connection.get(RQScheduler.get_locking_key(queue_name))
    if held is None:
        return None
    pid: Any = connection.hget(f"rq:scheduler:{held.decode()}", "pid")
    return held.decode(), int(pid or 0)


def wait_for(predicate: Any, timeout: float, what: str, process: Any = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the worker exited while waiting for {what}: {stop(process)}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_sigkilled_worker_leaves_no_scheduler_behind_and_the_next_takes_the_lock(
    sqlite_settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    settings = replace(sqlite_settings, queue_name=unique_queue())
    connection = Redis.from_url(redis_url)
    first = spawn_cli(settings, "worker", CAMPAIGNEVENTS_REDIS_URL=redis_url)
    orphans: list[int] = []
    second = None
    try:
        # RQ's scheduler is a forked child of the worker, holding the queue's scheduler lock
        name, pid = wait_for(
            lambda: (found := scheduler_of(connection, settings.queue_name)) and found[1] and found,
            60,
            "the first worker's scheduler",
            first,
        )
        assert procs.children(first.pid) == [pid]
        orphans.append(pid)
        first.send_signal(signal.SIGKILL)  # as the OOM killer does: no handler runs in the worker
        first.wait(timeout=10)
        assert procs.wait_gone(pid, 15), f"the scheduler (PID {pid}) outlived its SIGKILLed worker"
        # it stopped as RQ's scheduler stops on SIGTERM: its lock is free for the next worker
        wait_for(lambda: scheduler_of(connection, settings.queue_name) is None, 10, "the lock's release")

        second = spawn_cli(settings, "worker", CAMPAIGNEVENTS_REDIS_URL=redis_url)
        new_name, new_pid = wait_for(
            lambda: (found := scheduler_of(connection, settings.queue_name)) and found[1] and found,
            60,
            "the second worker's scheduler",
            second,
        )
        assert new_name != name
        assert procs.children(second.pid) == [new_pid]
        orphans.append(new_pid)
        # and it schedules: a job due in a second is enqueued by it and run by the worker
        marker = tmp_path / "scheduled-job-ran"
        Queue(settings.queue_name, connection=connection).enqueue_in(
            timedelta(seconds=1), "tests.integration.job_probe.touch", str(marker)
        )
        wait_for(marker.exists, 30, "the scheduled job", second)
    finally:
        if orphans:  # the first worker's scheduler, should it have survived (it holds its stdout open)
            procs.kill(orphans[0])
        for process in (first, second):
            if process is not None:
                stop(process)
        for pid in orphans:
            procs.kill(pid)
        connection.delete(RQScheduler.get_locking_key(settings.queue_name))


def test_a_worker_takes_over_a_scheduler_lock_once_it_is_free(
    sqlite_settings: Settings, redis_url: str
) -> None:
    """A worker that starts while a dead scheduler's lock is still there (nobody releases the lock
    of a scheduler killed outright; it expires after 61 s) schedules as soon as the lock is free."""
    settings = replace(sqlite_settings, queue_name=unique_queue())
    connection = Redis.from_url(redis_url)
    lock = RQScheduler.get_locking_key(settings.queue_name)
    connection.set(lock, "a-scheduler-killed-outright", ex=3)
    worker = spawn_cli(settings, "worker", CAMPAIGNEVENTS_REDIS_URL=redis_url)
    try:
        name, pid = wait_for(
            lambda: (found := scheduler_of(connection, settings.queue_name)) and found[1] and found,
            45,
            "the worker's scheduler to take the lock",
            worker,
        )
        assert name != "a-scheduler-killed-outright"
        assert procs.children(worker.pid) == [pid]
    finally:
        stop(worker)
        connection.delete(lock)


def test_the_worker_stops_its_pubsub_thread_at_once(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``worker --burst`` sometimes took ~61 s to exit after "done, quitting": the pub/sub thread read
    the UNSUBSCRIBE reply before the worker cleared the thread's run flag, then waited 60 s for a
    subscription that never came, and the worker waited for it. Here that interleaving is forced."""
    name = unique_queue()
    connection = Redis.from_url(redis_url)
    worker = ServiceWorker(
        [Queue(name, connection=connection)],
        connection=connection,
        queue_name=name,
        context=cast(JobContext, object()),  # runs no job here
    )
    assert worker.name.startswith(f"{name}-")
    worker.subscribe()  # type: ignore[no-untyped-call]
    thread, pubsub = worker.pubsub_thread, worker.pubsub
    assert thread is not None and pubsub is not None
    send = pubsub.unsubscribe

    def unsubscribe_then_let_the_reply_be_read(*args: Any) -> Any:
        sent = send(*args)
        deadline = time.monotonic() + 5
        while pubsub.subscribed and time.monotonic() < deadline:  # the thread handles the reply
            time.sleep(0.01)
        assert not pubsub.subscribed
        return sent

    monkeypatch.setattr(pubsub, "unsubscribe", unsubscribe_then_let_the_reply_be_read)
    started = time.monotonic()
    worker.unsubscribe()
    assert time.monotonic() - started < 10
    assert not thread.is_alive(), "the pub/sub thread is still waiting (60 s) for a subscription"
