"""The calendar-feed API tests and the replay-of-every-model tests again with the event store and
the read models on PostgreSQL (the feeds fold writes through ``projections/bulk.py``, whose SQL
differs there: COPY inserts, multi-row UPDATE ... FROM (VALUES ...), DELETE ... IN (VALUES ...))."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.bootstrap import Services
from api.config import Settings
from domain.ports import FakeClock
from tests.api.test_replay_all import *  # noqa: F403 - the same tests, on PostgreSQL
from tests.api.test_schedule import *  # noqa: F403
from tests.conftest import make_services, stop_projector

pytestmark = pytest.mark.integration


@pytest.fixture
def services(postgres_settings: Settings, clock: FakeClock) -> Iterator[Services]:
    built = make_services(postgres_settings, clock)
    yield built
    stop_projector(built)
    built.close()


def test_these_tests_run_on_postgresql(services: Services) -> None:
    assert services.store.engine.dialect.name == "postgresql"
