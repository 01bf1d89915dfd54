"""The job queues' own behaviour: RQ jobs carry fact-derived ids, retries and a timeout (against
fakeredis: what is checked is what RQ stores, not delivery, which the integration layer covers); the
in-process queue retries on timers and can be waited for."""

from __future__ import annotations

import threading
from typing import Any, cast

import fakeredis
import pytest
from rq import Queue
from rq.job import Job

from workers import queues
from workers.context import JobContext
from workers.queues import JOB_TIMEOUT, InProcessQueue, RqQueue

CALLS: list[Any] = []
FAILURES = {"left": 0}
CONTEXT = cast(JobContext, object())  # what the composition root would build; these jobs only pass it on
CONTEXTS: list[Any] = []


def flaky(context: JobContext, value: int) -> int:
    CONTEXTS.append(context)
    if FAILURES["left"] > 0:
        FAILURES["left"] -= 1
        raise RuntimeError("not yet")
    CALLS.append(value)
    return value


def test_rq_jobs_carry_their_id_retries_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    server = fakeredis.FakeServer()
    monkeypatch.setattr("redis.Redis.from_url", lambda *a, **k: fakeredis.FakeRedis(server=server))
    queue = RqQueue("redis://fake", intervals=(1, 2, 3), name="q-test")
    queue.enqueue("tests.unit.test_queues.flaky", 7, job_id="mailing-abc")
    rq_queue = Queue("q-test", connection=fakeredis.FakeRedis(server=server))
    assert rq_queue.get_job_ids() == ["q-test-mailing-abc"]  # the deployment's namespace first
    job = rq_queue.fetch_job("q-test-mailing-abc")
    assert job is not None
    assert (job.func_name, job.args) == ("tests.unit.test_queues.flaky", (7,))
    assert (job.retries_left, job.retry_intervals) == (3, [1, 2, 3])
    assert job.timeout == JOB_TIMEOUT
    assert job.failure_ttl == queues.FAILURE_TTL


def test_in_process_jobs_retry_on_timers_then_succeed() -> None:
    CALLS.clear()
    FAILURES["left"] = 2
    CONTEXTS.clear()
    queue = InProcessQueue(intervals=(0.01, 0.01, 0.01))  # type: ignore[arg-type]
    queue.start(CONTEXT)
    try:
        queue.enqueue("tests.unit.test_queues.flaky", 5, job_id="j1")
        deadline = threading.Event()
        for _ in range(200):
            if CALLS:
                break
            deadline.wait(0.01)
        assert queue.wait_idle(5)
        assert CALLS == [5]
        assert FAILURES["left"] == 0  # it failed twice first
        assert CONTEXTS == [CONTEXT] * 3  # every attempt got the context the queue was started with
    finally:
        queue.close()


def test_a_job_enqueued_before_the_start_runs_with_the_context_once_started() -> None:
    CALLS.clear()
    CONTEXTS.clear()
    FAILURES["left"] = 0
    queue = InProcessQueue()
    try:
        queue.enqueue("tests.unit.test_queues.flaky", 3, job_id="early")
        assert not queue.wait_idle(0.2)  # held: the projector may enqueue before the root starts it
        assert CALLS == []
        queue.start(CONTEXT)
        assert queue.wait_idle(5)
        assert (CALLS, CONTEXTS) == ([3], [CONTEXT])
    finally:
        queue.close()


def test_a_closed_queue_takes_no_more_jobs() -> None:
    CALLS.clear()
    FAILURES["left"] = 0
    queue = InProcessQueue()
    queue.close()
    queue.enqueue("tests.unit.test_queues.flaky", 9, job_id="late")
    assert queue.wait_idle(1)
    assert CALLS == []


def test_two_deployments_on_one_redis_keep_separate_job_records(monkeypatch: pytest.MonkeyPatch) -> None:
    server = fakeredis.FakeServer()
    monkeypatch.setattr("redis.Redis.from_url", lambda *a, **k: fakeredis.FakeRedis(server=server))
    for name, value in (("deploy-a", 1), ("deploy-b", 2)):
        RqQueue("redis://fake", name=name).enqueue(
            "tests.unit.test_queues.flaky", value, job_id="confirm-x-1"
        )
    connection = fakeredis.FakeRedis(server=server)
    for name, value in (("deploy-a", 1), ("deploy-b", 2)):
        job = Queue(name, connection=connection).fetch_job(f"{name}-confirm-x-1")
        assert job is not None
        assert (job.origin, job.args) == (name, (value,))


@pytest.mark.parametrize(
    ("queue_name", "expected"),
    [
        ("campaignevents", "campaignevents"),
        ("ce_Prod-2", "ce_Prod-2"),
    ],
)
def test_a_queue_name_rq_accepts_in_job_ids_is_the_namespace(queue_name: str, expected: str) -> None:
    assert queues.namespace(queue_name) == expected


def test_other_characters_are_replaced_and_the_name_digested() -> None:
    dotted, coloned = queues.namespace("events.example.org"), queues.namespace("events:example:org")
    assert dotted.startswith("events_example_org-") and coloned.startswith("events_example_org-")
    assert dotted != coloned  # the digest keeps names that differ apart
    assert queues.JOB_ID_CHARACTERS.fullmatch(queues.namespaced_job_id("a b/ü", "confirm-1"))
    # RQ itself accepts the result as a job id
    Job.create(
        "tests.unit.test_queues.flaky",
        id=queues.namespaced_job_id("a b/ü", "confirm-1"),
        connection=fakeredis.FakeRedis(),
    )
