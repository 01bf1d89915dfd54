"""Replay covers every projection the composition root registers, and never acts by itself: on a
copy of an old log (tests/fixtures/log_97253cc) ``replay`` and ``verify`` record no fact and enqueue
no job, whatever the timing, and leave the log head where it was."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from domain.ports import FakeClock
from projections.replay import Undeclared, declared, replay, verify
from workers.queues import InProcessQueue

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "log_97253cc"


def test_every_registered_projection_is_covered_by_replay_and_verify(services: Services) -> None:
    projections = services.projector.projections
    undeclared = [p.name for p in projections if not hasattr(p, "read_model")]
    assert undeclared == [], "declare read_model (projections/readmodel.py) for these projections"
    covered = {p.name for p, _ in declared(services.projector)}
    tableless = {p.name for p in projections if p.read_model is None}  # type: ignore[attr-defined]
    assert tableless == {"dispatcher"}  # only the dispatcher keeps no tables
    assert covered == {p.name for p in projections} - tableless
    existing = set(inspect(services.store.engine).get_table_names())
    for _, model in declared(services.projector):  # the names replay switches are the live tables
        assert {t.name for t in model.define("").models()} <= existing


def test_an_undeclared_projection_stops_replay_and_verify(services: Services) -> None:
    class Forgotten:
        name = "forgotten"
        topics: tuple[str, ...] = ()

        def apply(self, conn: Any, tables: Any, events: Any) -> None:
            raise AssertionError("never applied")

    services.projector.projections.append(Forgotten())
    with pytest.raises(Undeclared, match="'forgotten'"):
        replay(services.projector, progress=False)
    with pytest.raises(Undeclared, match="'forgotten'"):
        verify(services.projector, progress=False)


@pytest.fixture
def old_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Services, list[str]]]:
    for name in ("events.db", "events-keys.db"):
        shutil.copyfile(FIXTURE / name, tmp_path / name)
    enqueued: list[str] = []
    original = InProcessQueue.enqueue

    def record(self: InProcessQueue, func: str, *args: Any, job_id: str) -> None:
        enqueued.append(job_id)
        original(self, func, *args, job_id=job_id)

    monkeypatch.setattr(InProcessQueue, "enqueue", record)
    settings = Settings(database_url=f"sqlite:///{tmp_path}/events.db", secret_key="x" * 32)
    init_store(settings)
    services = build_services(settings, FakeClock())
    yield services, enqueued
    services.close()


def test_replaying_an_old_log_records_nothing_and_enqueues_nothing(
    old_log: tuple[Services, list[str]],
) -> None:
    services, enqueued = old_log
    head = services.app.recorder.max_notification_id()
    assert head == 278
    positions = services.store.positions([p.name for p in services.projector.projections])
    assert set(positions.values()) == {0}  # fresh read models: every projection behind the log
    assert verify(services.projector, progress=False) == []  # compared at the live positions (0)
    stats = replay(services.projector, progress=False)
    assert stats.position == head
    assert services.queue.wait_idle()  # type: ignore[attr-defined]
    assert enqueued == []
    assert services.app.recorder.max_notification_id() == head
    assert services.store.position("dispatcher") == 0  # the dispatcher is no read model: left alone
    assert verify(services.projector, progress=False) == []
    assert services.app.recorder.max_notification_id() == head
