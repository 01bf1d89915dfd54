"""The RQ worker's schedule aggregates answers against real Redis; a worker killed mid-run and a
rerun end with exact counts."""

from __future__ import annotations

import signal
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from api.bootstrap import build_services
from api.config import Settings
from domain import commands
from domain.details import DetailsInput
from domain.ports import FakeClock
from domain.validation import parse_title
from tests.conftest import make_services
from tests.integration.helpers import run_cli, spawn_cli, stop, unique_queue

pytestmark = pytest.mark.integration


def ended_events_with_answers(settings: Settings, events: int, per_event: int) -> Counter[str]:
    """Events that ended an hour ago (by the real clock), with answering participants; returns the
    totals the aggregation must reach."""
    now = datetime.now(UTC)
    clock = FakeClock(now - timedelta(days=3))
    services = make_services(settings, clock)
    app = services.app
    organizer = app.create_user(commands.CreateUser("Olga", None, ("event-organizer",))).user_id
    expected: Counter[str] = Counter()
    start, end = (now - timedelta(days=1)), (now - timedelta(hours=1))
    try:
        for e in range(events):
            title = parse_title(f"Event:Worker {e}")
            assert title is not None
            details = commands.EnableRegistration(
                organizer,
                DetailsInput(
                    page=title,
                    timezone="UTC",
                    start=start.strftime("%Y%m%d%H%M%S"),
                    end=end.strftime("%Y%m%d%H%M%S"),
                    wikis=[],
                    online=True,
                ),
            )
            event_id = app.enable_registration(details).event_id
            for n in range(per_event):
                uid = app.create_user(commands.CreateUser(f"P{e}x{n}")).user_id
                gender, confidence = 1 + n % 5, 1 + n % 4
                answers = {"gender": {"value": gender}, "confidence": {"value": confidence}}
                app.register_participant(commands.RegisterParticipant(uid, event_id, n % 2 == 0, answers))
                expected[f"{event_id}/1:{gender}"] += 1
                expected[f"{event_id}/4:{confidence}"] += 1
        services.projector.catch_up()
    finally:
        services.close()
    return expected


def totals(settings: Settings, events: int) -> Counter[str]:
    services = build_services(settings)
    try:
        found: Counter[str] = Counter()
        for event_id in range(1, events + 1):
            for key, n in services.app.registration(event_id).answer_counts.items():
                found[f"{event_id}/{key}"] = n
        return found
    finally:
        services.close()


def keys_left(settings: Settings) -> int:
    services = build_services(settings)
    try:
        return len(services.keys.holders(None, 100_000))
    finally:
        services.close()


def test_the_worker_schedule_aggregates_with_real_redis(sqlite_settings: Settings, redis_url: str) -> None:
    expected = ended_events_with_answers(sqlite_settings, events=2, per_event=6)
    worker = spawn_cli(
        replace(sqlite_settings, queue_name=unique_queue()),
        "worker",
        CAMPAIGNEVENTS_REDIS_URL=redis_url,
        CAMPAIGNEVENTS_AGGREGATION_INTERVAL="1",
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and totals(sqlite_settings, 2) != expected:
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            time.sleep(0.3)
    finally:
        output = stop(worker)
    assert totals(sqlite_settings, 2) == expected, output
    assert keys_left(sqlite_settings) == 0
    assert "aggregate_answers" in output  # it came through RQ (the cron registration and the job)


def test_killed_mid_run_then_rerun_counts_exactly(sqlite_settings: Settings) -> None:
    expected = ended_events_with_answers(sqlite_settings, events=6, per_event=40)
    for delay in (0.2, 0.5, 0.9):
        victim = spawn_cli(sqlite_settings, "aggregate-answers")
        time.sleep(delay)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        partial = totals(sqlite_settings, 6)
        for key, n in partial.items():
            assert n == expected[key]  # an event is counted whole or not at all, never twice
    finished = run_cli(sqlite_settings, "aggregate-answers")
    assert finished.returncode == 0, finished.stderr
    assert totals(sqlite_settings, 6) == expected
    assert run_cli(sqlite_settings, "aggregate-answers").stdout.strip().startswith('{"participants": 0')
    assert keys_left(sqlite_settings) == 0
